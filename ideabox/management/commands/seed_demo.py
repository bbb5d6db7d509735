from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from ideabox import demo
from ideabox.progress import progress
from ideas import notifications


class Command(BaseCommand):
    help = _("Create the demo accounts and data (idempotent; refused under production settings).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--extra-ideas",
            type=int,
            default=48,
            help=_("Generated ideas added to the campaign open for submissions (default 48, at most 60)."),
        )

    def handle(self, *args, **options):
        if settings.IDEABOX_PRODUCTION:
            raise CommandError(
                _("seed_demo refuses to run under production settings: demo accounts never exist there.")
            )
        draw = partial(progress, stream=self.stdout, enabled=options["verbosity"] > 0)
        # The demo's comments and answers e-mail nobody: they are a data load.
        with notifications.muted(), transaction.atomic():
            created = demo.seed(extra_ideas=max(0, min(options["extra_ideas"], 60)), progress=draw)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data ready. Created now: accounts %(accounts)d, campaigns %(campaigns)d, ideas %(ideas)d "
                    "(what existed was kept). Every demo password is %(password)s."
                )
                % {**created, "password": demo.PASSWORD}
            )
        )
