"""E-mail notifications: each person's settings, unsubscribe tokens, and sending.

What to say and to whom is decided by the apps that know (ideas.notifications);
this module only knows people: what they agreed to receive, in which language,
and that each e-mail goes out once per person and key (the Notification log).
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from ideabox import outbox
from ideabox.exceptions import DomainError

from . import roles, sso
from .models import Notification, NotificationSettings, User
from .tasks import serialize_email

SITE_URL = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")

KINDS = NotificationSettings.KINDS
ALL = "all"  # an unsubscribe token for every kind at once

# Unsubscribe links stay valid for a year: an old e-mail must still let
# its reader stop the next ones.
UNSUBSCRIBE_SALT = "accounts.notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = getattr(settings, "UNSUBSCRIBE_TOKEN_MAX_AGE", 365 * 24 * 3600)


def site_url() -> str:
    return getattr(settings, "SITE_URL", SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    return f"{site_url()}{path}"


def kind_label(kind: str):
    """The name of a kind of e-mail as the settings page shows it."""
    if kind == ALL:
        return _("all e-mail notifications")
    return NotificationSettings._meta.get_field(kind).verbose_name


def _default(kind: str) -> bool:
    return NotificationSettings._meta.get_field(kind).default


# --- Settings -------------------------------------------------------------


def settings_for(user: User) -> NotificationSettings:
    """The user's settings, created with the defaults on first use."""
    found, _created = NotificationSettings.objects.get_or_create(user=user)
    return found


@transaction.atomic
def update_notification_settings(*, user: User, **flags: bool) -> NotificationSettings:
    """Turn kinds of e-mail on or off; kinds not named keep their value."""
    unknown = sorted(set(flags) - set(KINDS))
    if unknown:
        raise DomainError(
            "invalid", _("Unknown kind of notification."), fields={name: [_("Unknown.")] for name in unknown}
        )
    found, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    for name, value in flags.items():
        setattr(found, name, bool(value))
    if flags:
        found.save(update_fields=[*flags, "updated_at"])
    return found


def recipients(user_ids, kind: str) -> QuerySet:
    """Those of these users who get e-mails of this kind: active, with a
    verified primary address, and the kind on (or left at a default that is on)."""
    wants = Q(**{f"notification_settings__{kind}": True})
    if _default(kind):
        wants |= Q(notification_settings__isnull=True)
    verified = EmailAddress.objects.filter(primary=True, verified=True).values("user_id")
    return (
        User.objects.filter(pk__in=user_ids if isinstance(user_ids, QuerySet) else list(user_ids), is_active=True)
        .exclude(email="")
        .filter(pk__in=verified)
        .filter(wants)
        .order_by("pk")
    )


def employees_among(user_ids) -> set[int]:
    """The ids of those who are employees now (accounts.roles): by a verified
    address in an employee domain or a recent company sign-in, two queries."""
    user_ids = list(user_ids)
    rows = EmailAddress.objects.filter(user_id__in=user_ids, verified=True).values_list("user_id", "email")
    by_address = {user_id for user_id, email in rows if roles.is_employee_address(email)}
    by_sign_in = SocialAccount.objects.filter(user_id__in=user_ids, last_login__gte=sso.employee_cutoff())
    return by_address | set(by_sign_in.values_list("user_id", flat=True))


# --- Unsubscribing ----------------------------------------------------------


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    if kind != ALL and kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    return absolute_url(reverse("accounts:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)]))


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The user and kind a token names; DomainError("invalid") for a forged,
    expired or stale one (e.g. the account was deleted)."""
    refused = DomainError("invalid", _("This unsubscribe link is not valid or has expired."))
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        raise refused from None
    if not isinstance(user_id, int) or (kind != ALL and kind not in KINDS):
        raise refused
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise refused
    return user, kind


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off the kind a token names (or every kind); safe to repeat."""
    user, kind = read_unsubscribe_token(token)
    kinds = KINDS if kind == ALL else (kind,)
    update_notification_settings(user=user, **dict.fromkeys(kinds, False))
    return user, kind


# --- Sending ----------------------------------------------------------------


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def render_email(*, user: User, kind: str, template: str, context: dict) -> EmailMultiAlternatives:
    """The message for one person, in their language, with the unsubscribe
    link and header (RFC 2369 and the one-click POST of RFC 8058).

    `template` names templates/emails/<template>_subject.txt, .txt and .html,
    or, when it holds a slash, <template>_subject.txt… under another folder
    (an app's own e-mails, e.g. "jury/email/juror_reminder").
    """
    base = template if "/" in template else f"emails/{template}"
    unsubscribe = unsubscribe_url(user_id=user.pk, kind=kind)
    with translation.override(language_of(user)):
        full_context = {
            **context,
            "recipient": user,
            "site_url": site_url(),
            "site_name": settings.SITE_NAME,
            "settings_url": absolute_url(reverse("accounts:notifications")),
            "unsubscribe_url": unsubscribe,
            "kind_label": kind_label(kind),
            "language_code": translation.get_language(),
        }
        subject = render_to_string(f"{base}_subject.txt", full_context)
        text = render_to_string(f"{base}.txt", full_context)
        html = render_to_string(f"{base}.html", full_context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())  # "[SITE_NAME] "
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send_once(*, user: User, kind: str, key: str, template: str, context: dict) -> bool:
    """Queue one e-mail to this person unless one with this key was already
    sent to them. True when queued.

    The log row and the queuing share a transaction: the e-mail leaves once
    the row is committed, and a second run hits the unique (user, key).
    """
    if Notification.objects.filter(user=user, key=key).exists():
        return False  # spares the rendering; the constraint below is what guarantees it
    message = render_email(user=user, kind=kind, template=template, context=context)
    payload = serialize_email(message)
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, kind=kind, key=key)
            outbox.enqueue("accounts.tasks.send_email", payload)
    except IntegrityError:
        return False
    return True
