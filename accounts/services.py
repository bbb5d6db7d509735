"""Every write to accounts goes through here."""

from django.contrib.auth.models import Group
from django.db import transaction

from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token

from . import roles
from .models import User


@transaction.atomic
def update_profile(*, user: User, display_name: str, language: str) -> User:
    user.display_name = display_name.strip()
    user.language = language
    user.save(update_fields=["display_name", "language"])
    return user


def token_for(*, user: User) -> str:
    """The user's API token, created on first use (one per user)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


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
