"""Who someone is on the site, computed when needed, never copied.

participant   a verified e-mail address
employee      a verified e-mail address in settings.EMPLOYEE_EMAIL_DOMAINS, or
              a company sign-in (accounts.sso) within the last
              settings.SSO_EMPLOYEE_MAX_AGE_DAYS days
moderator     the "moderators" group (moderates, reviews idea-box ideas)
manager       the "campaign managers" group
administrator a superuser

Jury membership is per campaign and lives in the jury app.
"""

from datetime import UTC, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from . import sso

MODERATORS_GROUP = "moderators"
MANAGERS_GROUP = "campaign managers"

PARTICIPANT = "participant"
EMPLOYEE = "employee"
MODERATOR = "moderator"
MANAGER = "manager"
ADMINISTRATOR = "administrator"

# Cached on the user object for the length of a request.
_CACHE_ATTR = "_ideabox_verified_domains"
_COMPANY_ATTR = "_ideabox_company_sign_in"


email_domain = sso.email_domain


def is_employee_address(address: str) -> bool:
    return email_domain(address) in settings.EMPLOYEE_EMAIL_DOMAINS


def verified_domains(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, _CACHE_ATTR, None) is None:
        _read(user)
    return getattr(user, _CACHE_ATTR)


def last_company_sign_in(user):
    """When the user last signed in through a company identity provider
    (allauth's social account, saved at every sign-in), or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, _COMPANY_ATTR):
        _read(user)
    return getattr(user, _COMPANY_ATTR)


def _read(user) -> None:
    # Plain SQL: every request of a signed-in user asks this once, and
    # the ORM spent six times the query's own cost compiling it. One
    # statement reads the verified addresses and the last company sign-in.
    quote = connection.ops.quote_name
    addresses = quote(EmailAddress._meta.db_table)
    accounts = quote(SocialAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT email, NULL FROM {addresses} WHERE user_id = %s AND verified"
            f" UNION ALL SELECT NULL, MAX(last_login) FROM {accounts} WHERE user_id = %s",
            [user.pk, user.pk],
        )
        rows = cursor.fetchall()
    remember_verified_addresses(
        user,
        [address for address, _ in rows if address is not None],
        next((signed_in for address, signed_in in rows if address is None), None),
    )


def remember_verified_addresses(user, addresses, company_sign_in=None) -> frozenset[str]:
    """Keep the user's verified addresses and last company sign-in for this
    request, when whoever loaded the user read them along (the API's token
    lookup does)."""
    domains = frozenset(email_domain(address) for address in addresses)
    setattr(user, _CACHE_ATTR, domains)
    if isinstance(company_sign_in, str):  # SQLite hands the aggregate back as text, in UTC
        company_sign_in = SocialAccount._meta.get_field("last_login").to_python(company_sign_in)
        if timezone.is_naive(company_sign_in):
            company_sign_in = timezone.make_aware(company_sign_in, UTC)
    setattr(user, _COMPANY_ATTR, company_sign_in)
    return domains


def forget(user) -> None:
    """Drop what was computed, after the user's addresses or sign-ins changed."""
    for attr in (_CACHE_ATTR, _COMPANY_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def signed_in_by_company_recently(user) -> bool:
    signed_in = last_company_sign_in(user)
    return signed_in is not None and signed_in >= sso.employee_cutoff()


def company_employee_until(user):
    """Until when the last company sign-in makes the user an employee, or
    None when it no longer does (or there was none)."""
    signed_in = last_company_sign_in(user)
    if signed_in is None or signed_in < sso.employee_cutoff():
        return None
    return signed_in + timedelta(days=settings.SSO_EMPLOYEE_MAX_AGE_DAYS)


def company_employees_q(prefix: str = "") -> Q:
    """The accounts whose company sign-in makes them employees, as a filter
    on users (`prefix` reaches the user from another model, e.g. "author__")."""
    return Q(**{f"{prefix}socialaccount__last_login__gte": sso.employee_cutoff()})


def is_participant(user) -> bool:
    return bool(verified_domains(user))


def is_employee(user) -> bool:
    return bool(verified_domains(user) & set(settings.EMPLOYEE_EMAIL_DOMAINS)) or signed_in_by_company_recently(user)


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


def may_read_entities(user) -> bool:
    """Who sees the company's tree of entities (the entities API): employees
    and staff; the public does not."""
    return is_employee(user) or is_moderator(user) or is_manager(user) or is_administrator(user)


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
