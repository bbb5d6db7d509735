from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns import services
from campaigns.models import Phase


class Command(BaseCommand):
    help = _("Move every campaign whose phase boundary has passed, now (what the periodic task does).")

    def handle(self, *args, **options):
        transitions = services.advance_due_campaigns()
        for transition in transitions:
            self.stdout.write(
                _("%(campaign)s: %(from)s → %(to)s")
                % {
                    "campaign": transition.campaign.slug,
                    "from": Phase(transition.from_phase).label,
                    "to": Phase(transition.to_phase).label,
                }
            )
        if transitions:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("%(count)d phase transition.", "%(count)d phase transitions.", len(transitions))
                    % {"count": len(transitions)}
                )
            )
        else:
            self.stdout.write(_("No campaign is due to move."))
