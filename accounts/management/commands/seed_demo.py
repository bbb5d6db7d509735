from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import services
from accounts.roles import MANAGERS_GROUP, MODERATORS_GROUP
from ideabox.progress import progress

DEMO_PASSWORD = "ideabox-demo"
EMPLOYEE_DOMAIN = "ideabox.example"
PUBLIC_DOMAIN = "example.org"


def demo_accounts() -> list[dict]:
    """The demo accounts that ../shared/PRODUCT.md lists, one dict each."""
    accounts = [
        {"username": "admin", "display_name": "Ada Admin", "superuser": True},
        {"username": "manager", "display_name": "Max Manager", "groups": (MANAGERS_GROUP,)},
        {"username": "moderator", "display_name": "Mona Moderator", "groups": (MODERATORS_GROUP,)},
    ]
    accounts += [{"username": f"jury{n}", "display_name": f"Juror {n}"} for n in range(1, 4)]
    accounts += [{"username": f"employee{n}", "display_name": f"Employee {n}"} for n in range(1, 6)]
    for account in accounts:
        account["email"] = f"{account['username']}@{EMPLOYEE_DOMAIN}"
    accounts += [
        {"username": f"voter{n}", "display_name": f"Voter {n}", "email": f"voter{n}@{PUBLIC_DOMAIN}"}
        for n in range(1, 21)
    ]
    return accounts


class Command(BaseCommand):
    help = _("Create the demo accounts and data (idempotent; refused under production settings).")

    def handle(self, *args, **options):
        if settings.IDEABOX_PRODUCTION:
            raise CommandError(
                _("seed_demo refuses to run under production settings: demo accounts never exist there.")
            )
        accounts = demo_accounts()
        created = 0
        for account in progress(
            accounts, total=len(accounts), label=_("accounts"), stream=self.stdout, enabled=options["verbosity"] > 0
        ):
            _user, was_created = services.ensure_user(password=DEMO_PASSWORD, **account)
            created += was_created
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo accounts: %(created)d created, %(kept)d already there. Password: %(password)s")
                % {"created": created, "kept": len(accounts) - created, "password": DEMO_PASSWORD}
            )
        )
