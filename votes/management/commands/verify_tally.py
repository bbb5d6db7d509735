from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from votes import verify
from votes.models import Tally, TallyRow


class Command(BaseCommand):
    help = _(
        "Recount a downloaded receipt list and check its form; with --campaign, compare it with that "
        "campaign's stored tally (digest and votes per idea). Exits with 1 when anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the receipt list (receipts.csv)"))
        parser.add_argument("--campaign", help=_("the address of the campaign whose stored tally to compare with"))
        parser.add_argument("--digest", help=_("a published digest to compare with (64 hexadecimal characters)"))

    def handle(self, *args, file: str, campaign: str | None, digest: str | None, **options):
        try:
            result = verify.recount_file(file)
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        self.stdout.write(verify.report(result))
        problems = verify.problems(result, digest=digest)

        if campaign is not None:
            tally = Tally.objects.filter(campaign__slug=campaign).first()
            if tally is None:
                if not Campaign.objects.filter(slug=campaign).exists():
                    raise CommandError(_("No campaign has the address %(slug)s.") % {"slug": campaign})
                raise CommandError(_("The campaign %(slug)s has not been tallied yet.") % {"slug": campaign})
            problems += compare_with_stored(result, tally)

        if problems:
            for message in problems:
                self.stderr.write(f"  - {message}")
            raise CommandError(_("NOT VERIFIED: the list differs from what it should be."), returncode=1)
        self.stdout.write(self.style.SUCCESS(_("OK: the list is canonical and matches what was checked.")))


def compare_with_stored(result: verify.Recount, tally: Tally) -> list[str]:
    problems = []
    if result.digest != tally.digest:
        problems.append(
            _("digest mismatch: the file's is %(file)s, the stored tally's is %(stored)s")
            % {"file": result.digest, "stored": tally.digest}
        )
    if result.total != tally.total_votes:
        problems.append(
            _("the file has %(file)d votes, the stored tally %(stored)d")
            % {"file": result.total, "stored": tally.total_votes}
        )
    stored = dict(TallyRow.objects.filter(campaign_id=tally.campaign_id).values_list("idea_id", "votes"))
    for idea_id in sorted(stored.keys() | result.votes.keys()):
        in_file, in_tally = result.votes.get(idea_id, 0), stored.get(idea_id, 0)
        if in_file != in_tally:
            problems.append(
                _("idea %(idea)d: %(file)d votes in the file, %(stored)d in the stored tally")
                % {"idea": idea_id, "file": in_file, "stored": in_tally}
            )
    return problems
