"""Who someone is on the site, computed when needed, never copied.

participant   a verified e-mail address
employee      a verified e-mail address in settings.EMPLOYEE_EMAIL_DOMAINS
moderator     the "moderators" group (moderates, reviews idea-box ideas)
manager       the "campaign managers" group
administrator a superuser

Jury membership is per campaign and lives in the jury app.
"""

from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

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


def may_move_to_box(user) -> bool:
    """Who moves the awarded ideas of an internal campaign into the idea box
    (results.services.move_to_box): the managers. The page's button, the
    page, the API and the service all ask this."""
    return is_manager(user)


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


# --- staff: who gets a role badge, whose names nobody else may take -------------
# Moderators, campaign managers and administrators, as is_moderator,
# is_manager and is_administrator say (a permission held through a group or
# directly, for an active account; a superuser holds every permission).

MODERATE = "moderate"
MANAGE_CAMPAIGNS = "manage_campaigns"

# What a role is called on pages (the profile, the role badges).
ROLE_LABELS = {
    PARTICIPANT: _("Participant"),
    EMPLOYEE: _("Employee"),
    MODERATOR: _("Moderator"),
    MANAGER: _("Campaign manager"),
    ADMINISTRATOR: _("Administrator"),
}


class StaffMember(NamedTuple):
    pk: int
    username: str
    display_name: str
    full_name: str
    roles: tuple[str, ...]  # what the badge shows: administrator alone, else moderator and/or manager


def _holds(codename: str) -> ExpressionWrapper:
    permission = Permission.objects.filter(content_type__app_label="accounts", codename=codename)
    held = Exists(permission.filter(group__user=OuterRef("pk"))) | Exists(permission.filter(user=OuterRef("pk")))
    return ExpressionWrapper(Q(is_active=True) & (Q(is_superuser=True) | held), output_field=BooleanField())


def holders_of(codename: str):
    """Active people who hold the permission `accounts.<codename>` through a
    group or directly (superusers only as members of such a group): who is
    told of the work a role has to do (reviewers of overdue answers, managers
    of undecided awards)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="accounts")
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="accounts")
        )
        .distinct()
        .order_by("pk")
    )


def staff_members() -> dict[int, StaffMember]:
    """Every staff member by id, with their names and staff roles: one query.

    Staff are few (tens), so a page asks this once, whatever the number of
    names it shows, rather than each person's permissions one by one. The
    candidates come from the permission side (and the superusers' partial
    index), so the query does not read every account.
    """
    User = get_user_model()
    staff_permissions = Permission.objects.filter(
        content_type__app_label="accounts", codename__in=[MODERATE, MANAGE_CAMPAIGNS]
    )
    candidates = (
        User.objects.filter(is_superuser=True)
        .values("pk")
        .union(
            User.groups.through.objects.filter(group__permissions__in=staff_permissions).values("user_id"),
            User.user_permissions.through.objects.filter(permission__in=staff_permissions).values("user_id"),
        )
    )
    rows = (
        User.objects.filter(pk__in=candidates)
        .annotate(moderates=_holds(MODERATE), manages=_holds(MANAGE_CAMPAIGNS))
        .values_list(
            "pk", "username", "display_name", "first_name", "last_name", "is_superuser", "moderates", "manages"
        )
    )
    staff = {}
    for pk, username, display_name, first, last, superuser, moderates, manages in rows:
        if superuser:
            badges = (ADMINISTRATOR,)
        else:
            badges = tuple(role for role, held in ((MODERATOR, moderates), (MANAGER, manages)) if held)
            if not badges:  # an inactive account keeps its groups but holds no permission
                continue
        staff[pk] = StaffMember(pk, username, display_name, f"{first} {last}".strip(), badges)
    return staff
