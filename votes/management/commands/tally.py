from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from ideabox.exceptions import DomainError
from votes import tally


class Command(BaseCommand):
    help = _(
        "Tally a campaign that has left voting now (what the task does when voting closes), and print its ranking."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("the campaign's address"))
        parser.add_argument("--top", type=int, default=20, help=_("how many ranked ideas to print (default 20)"))

    def handle(self, *args, slug: str, top: int, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(_("No campaign has the address %(slug)s.") % {"slug": slug})
        try:
            result = tally.tally_campaign(campaign_id=campaign.pk)
        except DomainError as error:
            raise CommandError(error.detail) from error

        titles = dict(
            campaign.ideas.filter(pk__in=[row.idea_id for row in result.rows[:top]]).values_list("pk", "title")
        )
        self.stdout.write(f"{_('rank'):>6}  {_('votes'):>8}  {_('idea')}")
        for row in result.rows:
            if row.rank is None or row.rank > top:
                continue
            self.stdout.write(f"{row.rank:>6}  {row.votes:>8}  #{row.idea_id} {titles.get(row.idea_id, '')}")
        apart = [row for row in result.rows if row.hidden]
        if apart:
            self.stdout.write(
                _("Reported apart (hidden ideas): %(ideas)s")
                % {"ideas": ", ".join(f"#{row.idea_id}: {row.votes}" for row in apart)}
            )
        tally_ = result.tally
        self.stdout.write(
            self.style.SUCCESS(
                _("%(votes)d votes by %(voters)d voters; %(shortlisted)d ideas newly shortlisted; digest %(digest)s")
                % {
                    "votes": tally_.total_votes,
                    "voters": tally_.ballot_count,
                    "shortlisted": len(result.shortlisted),
                    "digest": tally_.digest,
                }
            )
        )
