"""Company sign-in's writes (accounts.adapter calls them from allauth's
flow): the provider's claims onto the account at every sign-in, the
account made at the first one, linked to an existing one. Apart from
services.py because they place people in entities (accounts.entities,
which itself writes through services.audit)."""

from django.db import IntegrityError, transaction
from django.db.models import Q

from allauth.account.models import EmailAddress

from . import roles
from .entities import place_from_claim
from .models import AuditAction, User
from .services import audit


def shown_name(first_name: str, last_name: str) -> str:
    """The display name a provider's names give (cut to the field's length)."""
    limit = User._meta.get_field("display_name").max_length
    return " ".join(part for part in (first_name, last_name) if part)[:limit]


def take_claims(user, claims: dict[str, str], *, new: bool) -> list[str]:
    """Write the provider's claims onto `user` (not saved); the fields changed.

    Names from the provider are the company's word and are never refused by
    the display-name rules (accounts.names). The display name follows the
    provider while the person has not chosen another: it changes when it
    still is the name the provider gave before (the stored first and last
    names). A claim the provider does not send leaves the field as it is."""
    changed = []
    previous = shown_name(user.first_name, user.last_name)
    for field in ("first_name", "last_name"):
        value = claims[field][: User._meta.get_field(field).max_length]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    name = claims["name"]
    if name and user.display_name != name and (user.display_name == previous or (new and not user.display_name)):
        user.display_name = name
        changed.append("display_name")
    if claims["language"] and user.language != claims["language"]:
        user.language = claims["language"]
        changed.append("language")
    return changed


def _follow_address(user, address: str) -> None:
    """The provider's verified address becomes the person's primary address
    when it changed (a new name at the company), unless another account has it."""
    if not address or user.email.lower() == address.lower() or address_taken(address, but=user):
        return
    try:
        with transaction.atomic():
            row = EmailAddress.objects.filter(user=user, email__iexact=address).first()
            if row is None:
                row = EmailAddress.objects.create(user=user, email=address, verified=True)
            elif not row.verified:
                row.verified = True
                row.save(update_fields=["verified"])
            row.set_as_primary()
    except IntegrityError:  # taken by another account this very moment: left as it was
        user.refresh_from_db(fields=["email"])


def address_taken(address: str, *, but=None) -> bool:
    accounts = User.objects.filter(Q(email__iexact=address) | Q(emailaddress__email__iexact=address))
    if but is not None:
        accounts = accounts.exclude(pk=but.pk)
    return accounts.exists()


@transaction.atomic
def update_from_company_sign_in(
    *, user: User, claims: dict[str, str], address: str, provider: str, linking: bool
) -> None:
    """A company sign-in of an existing account: its claims (names,
    language, entity) and its verified `address` follow the provider;
    `linking` the first time this provider signs the account in (audited)."""
    changed = take_claims(user, claims, new=linking)
    if changed:
        user.save(update_fields=changed)
    if not linking:
        _follow_address(user, address)
    place_from_claim(user, claims["entity"])
    if linking:
        audit(actor=user, action=AuditAction.SSO_LINK, obj=user, detail={"provider": provider})
    roles.forget(user)


@transaction.atomic
def record_company_sign_up(*, user: User, entity: str, provider: str) -> None:
    """An account allauth has just made at a first company sign-in: placed
    in its entity and audited. Raises IntegrityError when its address is
    another account's (allauth leaves out such an address, ACCOUNT_UNIQUE_EMAIL,
    rather than fail: that would be a duplicate); the caller rolls back."""
    if address_taken(user.email, but=user):
        raise IntegrityError(f"{user.email} has an account already")
    place_from_claim(user, entity)
    audit(actor=user, action=AuditAction.SSO_SIGNUP, obj=user, detail={"provider": provider})
    roles.forget(user)
