"""Import the company's entities from a CSV file (docs/entities.md): the
same service as the admin's and the API's import, all or nothing. Prints
the counts; with a bad line, lists each one and exits with status 1."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import entities


class Command(BaseCommand):
    help = _("Create or update the company's entities from a CSV file: code,name,kind,parent_code,headcount.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=_("The CSV file, in UTF-8."))

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_bytes().decode("utf-8")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": file}) from error
        try:
            counts = entities.import_csv(text=text, actor=None)
        except entities.CsvRefused as refusal:
            for error in refusal.errors:
                self.stderr.write(_("line %(line)d: %(detail)s") % error)
            raise CommandError(refusal.detail) from refusal
        self.stdout.write(
            self.style.SUCCESS(_("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % counts)
        )
