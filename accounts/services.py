"""Every write to accounts goes through here."""

import contextlib
import ipaddress
from collections.abc import Iterable
from contextvars import ContextVar
from importlib import import_module

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import get_rates
from rest_framework.authtoken.models import Token

from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi

from . import names, roles, sso
from .models import AuditAction, AuditEvent, User


@transaction.atomic
def update_profile(*, user: User, display_name: str, language: str) -> User:
    """Set the name and language a person chose. A name that would pass for a
    staff member's is refused (`invalid`, naming `display_name`); bidirectional
    controls are removed, as from every single-line name (ideabox.text)."""
    display_name = " ".join(strip_bidi(display_name).split())
    names.refuse_staff_name(display_name, user=user)
    user.display_name = display_name
    user.language = language
    user.save(update_fields=["display_name", "language"])
    return user


# --- API tokens and password log-in -----------------------------------------------------
# One token per person (DRF's Token, its key stored as it is: shown once on
# the page that issues it, never again). People who only sign in through the
# company have no password for the token endpoint: they issue theirs on the
# profile page.


@transaction.atomic
def token_for(*, user: User) -> str:
    """The user's API token, created on first use (one per user)."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit(actor=user, action=AuditAction.TOKEN_ISSUE, obj=user, detail={"replaced": False})
    return token.key


@transaction.atomic
def issue_api_token(*, user: User) -> str:
    """A new API token for `user`, replacing the one they had (which stops
    working at once). Returns the key; the audit event does not hold it."""
    # The user's row serialises two issues at once (Token.user is unique).
    User.objects.select_for_update().filter(pk=user.pk).first()
    replaced, _deleted = Token.objects.filter(user=user).delete()
    key = Token.objects.create(user=user).key
    audit(actor=user, action=AuditAction.TOKEN_ISSUE, obj=user, detail={"replaced": bool(replaced)})
    return key


@transaction.atomic
def revoke_api_token(*, user: User) -> bool:
    """Delete the user's API token; True if there was one (revoking none
    changes nothing and records nothing)."""
    revoked, _deleted = Token.objects.filter(user=user).delete()
    if revoked:
        audit(actor=user, action=AuditAction.TOKEN_REVOKE, obj=user)
    return bool(revoked)


class CompanySignInRequired(DomainError):
    """`company_sign_in_required`: the address's domain is served by company
    sign-in (accounts.sso), whose button the message names."""

    def __init__(self, address: str):
        provider = sso.provider_for_address(address)
        super().__init__(
            "company_sign_in_required",
            _("Addresses at %(domain)s sign in with the company account: use the “%(provider)s” button.")
            % {"domain": roles.email_domain(address), "provider": provider["name"] if provider else ""},
        )


def company_address_of(user: User) -> str | None:
    """An address of this account (verified or not) in a domain served by
    company sign-in, if it has one: such an account never logs in by password."""
    if not sso.providers():
        return None
    addresses = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    return next((address for address in addresses if address and sso.is_company_address(address)), None)


def refuse_company_login(login: str) -> None:
    """Refuse a password log-in by an address that company sign-in serves,
    before any password is checked: by its domain alone, it tells nobody
    whether the address has an account."""
    if "@" in login and sso.is_company_address(login):
        raise CompanySignInRequired(login.strip())


def refuse_company_account(user: User) -> None:
    """Refuse a password log-in to an account that has an address company
    sign-in serves. Asked only once the password was right, so a wrong
    password says nothing of which accounts are the company's."""
    address = company_address_of(user)
    if address is not None:
        raise CompanySignInRequired(address)


class LoginThrottled(DomainError):
    """`throttled`, with the seconds to wait (the longest window of the limits)."""

    def __init__(self):
        super().__init__("throttled", _("Too many failed login attempts. Try again later."))
        self.wait = int(
            max((rate.duration for rate in get_rates(app="allauth.account", action="login_failed")), default=60)
        )


def token_for_credentials(*, request, username: str, password: str) -> str:
    """The API token of whoever these credentials are, by the HTML login's rules.

    allauth's adapter authenticates, so failures count against the same
    `login_failed` limits as the login page (per client address and login
    together, and per address), and a success counts nothing: colleagues
    behind one address may all fetch their tokens. As on the login page,
    company accounts are refused (an address before its password is
    checked, an account after), and so is an account with no verified
    address (the login page sends it to verify one).
    """
    refuse_company_login(username)
    try:
        user = get_adapter(request).authenticate(request, username=username, password=password)
    except forms.ValidationError as error:  # allauth's "too_many_login_attempts"
        raise LoginThrottled() from error
    if user is None or not user.is_active:
        raise DomainError("invalid", _("Unable to log in with these credentials."))
    refuse_company_account(user)
    if not roles.is_participant(user):
        raise DomainError(
            "email_unverified",
            _(
                "This account has no verified e-mail address yet: log in on the site to be sent a link that verifies it."
            ),
        )
    return token_for(user=user)


@transaction.atomic
def ensure_user(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str = "",
    groups: tuple[str, ...] = (),
    superuser: bool = False,
) -> tuple[User, bool]:
    """Create a user with a verified primary address, or leave the existing one.

    Used by seed_demo; idempotent. Returns (user, created).
    """
    before = set()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": email,
            "display_name": display_name,
            "is_superuser": superuser,
            "is_staff": superuser,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    else:
        before = privileges_of(user)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    record_role_changes(actor=None, holder=user, before=before)
    roles.forget(user)
    return user, created


# --- the audit log ---------------------------------------------------------------------
# Action codes are short and stable ("<object>.<verb>"): administrators filter
# on them and retention keeps them. The detail holds codes and ids, never a
# name, an e-mail or free text someone typed (a reason stays in its own table).

_client_address: ContextVar[str | None] = ContextVar("ideabox_audit_client_address", default=None)


@contextlib.contextmanager
def acting_from(address: str | None):
    """Attribute the audit events written inside to this client address (the
    request's, set by accounts.middleware.AuditAddressMiddleware); outside
    any request (tasks, commands) events have no address."""
    token = _client_address.set(_valid_address(address))
    try:
        yield
    finally:
        _client_address.reset(token)


def _valid_address(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def actor_id(actor) -> int | None:
    """The id an audit event records for `actor`: a user, a user id, or None (the system)."""
    if actor is None or isinstance(actor, int):
        return actor
    return actor.pk if actor.is_authenticated else None


def _event(*, actor, action: str, object_type: str, object_id: int | None, detail: dict | None) -> AuditEvent:
    return AuditEvent(
        actor_id=actor_id(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
        at=timezone.now(),
        address=_client_address.get(),
    )


def audit(*, actor, action: str, obj: models.Model | None = None, detail: dict | None = None) -> AuditEvent:
    """Record that `actor` (a user, a user id, or None for the system) did
    `action` to `obj`. Call it inside the transaction of the change it records,
    so a rolled-back change leaves no event."""
    event = _event(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        detail=detail,
    )
    event.save(force_insert=True)
    return event


def audit_many(
    *, actor, action: str, model: type[models.Model], ids: Iterable[int], detail: dict | None = None
) -> list[AuditEvent]:
    """The same action on many objects of one model, in one INSERT (the tally
    shortlists thousands of ideas at once)."""
    object_type = model._meta.label_lower
    return AuditEvent.objects.bulk_create(
        [_event(actor=actor, action=action, object_type=object_type, object_id=pk, detail=detail) for pk in ids]
    )


# --- role changes --------------------------------------------------------------------
# A person's roles are made of their groups, their own permissions, and the
# staff and superuser flags (accounts.roles reads them); a group's, of its
# permissions. Whatever changes them (the admin, seed_demo) takes the set
# before and records the difference.


def privileges_of(holder: User | Group) -> set[str]:
    """What a person's or a group's roles are made of, as stable codes
    ("group:moderators", "permission:accounts.moderate", "staff",
    "administrator"), read from the database."""
    if holder.pk is None:
        return set()
    permissions = holder.permissions if isinstance(holder, Group) else holder.user_permissions
    held = {
        f"permission:{app}.{codename}"
        for app, codename in permissions.values_list("content_type__app_label", "codename")
    }
    if isinstance(holder, User):
        flags = User.objects.filter(pk=holder.pk).values("is_staff", "is_superuser").first() or {}
        held |= {f"group:{name}" for name in holder.groups.values_list("name", flat=True)}
        held |= {code for code, flag in (("staff", "is_staff"), ("administrator", "is_superuser")) if flags.get(flag)}
    return held


def record_role_changes(*, actor, holder: User | Group, before: set[str]) -> list[AuditEvent]:
    """An audit event for each privilege `holder` (a person, or a group: all
    its members) gained (`role.grant`) or lost (`role.revoke`) since `before`
    (privileges_of, taken before the change)."""
    after = privileges_of(holder)
    return [
        audit(actor=actor, action=action, obj=holder, detail={"role": role})
        for action, changed in ((AuditAction.ROLE_GRANT, after - before), (AuditAction.ROLE_REVOKE, before - after))
        for role in sorted(changed)
    ]


def clear_expired_sessions() -> None:
    """Delete the expired sessions (the scheduler's daily
    `accounts.tasks.clear_expired_sessions`, as `manage.py clearsessions`)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
