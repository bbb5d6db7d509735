from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigns import lifecycle
from campaigns.models import Work


class Command(BaseCommand):
    help = _(
        "Send the tasks the broker did not take and queue again lost tallies and publications, "
        "now (what the periodic task does every minute)."
    )

    def handle(self, *args, **options):
        report = lifecycle.sweep()
        if report.refused:
            raise CommandError(
                _("The broker refused a message: %(sent)d sent, the rest wait in the database for the next sweep.")
                % {"sent": report.sent}
            )
        self.stdout.write(_("Messages sent to the broker: %(sent)d.") % {"sent": report.sent})
        for work, slugs in report.requeued.items():
            for slug in slugs:
                self.stdout.write(
                    _("%(campaign)s: queued again (%(work)s).") % {"campaign": slug, "work": Work(work).label}
                )
        if not any(report.requeued.values()):
            self.stdout.write(_("No tally or publication was lost."))
