"""Who someone is on the site, computed when needed, never copied.

participant   a verified e-mail address
employee      a verified e-mail address in settings.EMPLOYEE_EMAIL_DOMAINS
moderator     the "moderators" group (moderates, reviews idea-box ideas)
manager       the "campaign managers" group
administrator a superuser

Jury membership is per campaign and lives in the jury app.
"""

from django.conf import settings
from django.db import connection

from allauth.account.models import EmailAddress

MODERATORS_GROUP = "moderators"
MANAGERS_GROUP = "campaign managers"

PARTICIPANT = "participant"
EMPLOYEE = "employee"
MODERATOR = "moderator"
MANAGER = "manager"
ADMINISTRATOR = "administrator"

# Cached on the user object for the length of a request.
_CACHE_ATTR = "_ideabox_verified_domains"


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def is_employee_address(address: str) -> bool:
    return email_domain(address) in settings.EMPLOYEE_EMAIL_DOMAINS


def verified_domains(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        # Plain SQL: every request of a signed-in user asks this once, and
        # the ORM spent six times the query's own cost compiling it.
        table = connection.ops.quote_name(EmailAddress._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT email FROM {table} WHERE user_id = %s AND verified", [user.pk])
            cached = remember_verified_addresses(user, [address for (address,) in cursor.fetchall()])
    return cached


def remember_verified_addresses(user, addresses) -> frozenset[str]:
    """Keep the user's verified addresses for this request, when whoever
    loaded the user read them along (the API's token lookup does)."""
    domains = frozenset(email_domain(address) for address in addresses)
    setattr(user, _CACHE_ATTR, domains)
    return domains


def forget(user) -> None:
    """Drop what was computed, after the user's addresses changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_participant(user) -> bool:
    return bool(verified_domains(user))


def is_employee(user) -> bool:
    return bool(verified_domains(user) & set(settings.EMPLOYEE_EMAIL_DOMAINS))


def is_moderator(user) -> bool:
    return user.is_authenticated and user.has_perm("accounts.moderate")


def is_manager(user) -> bool:
    return user.is_authenticated and user.has_perm("accounts.manage_campaigns")


def is_administrator(user) -> bool:
    return user.is_authenticated and user.is_superuser


def roles_of(user) -> list[str]:
    """The site-wide roles of a user, in a stable order."""
    checks = [
        (PARTICIPANT, is_participant),
        (EMPLOYEE, is_employee),
        (MODERATOR, is_moderator),
        (MANAGER, is_manager),
        (ADMINISTRATOR, is_administrator),
    ]
    return [name for name, check in checks if check(user)]
