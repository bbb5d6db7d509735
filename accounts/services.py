"""Every write to accounts goes through here."""

from django import forms
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import get_rates
from rest_framework.authtoken.models import Token

from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi

from . import names, roles
from .models import User


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


def token_for(*, user: User) -> str:
    """The user's API token, created on first use (one per user)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


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
    behind one address may all fetch their tokens.
    """
    try:
        user = get_adapter(request).authenticate(request, username=username, password=password)
    except forms.ValidationError as error:  # allauth's "too_many_login_attempts"
        raise LoginThrottled() from error
    if user is None or not user.is_active:
        raise DomainError("invalid", _("Unable to log in with these credentials."))
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
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    roles.forget(user)
    return user, created
