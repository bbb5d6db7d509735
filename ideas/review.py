"""The idea box's review lifecycle, and the reminders of overdue answers.

    under_review → accepted → implemented
    under_review → rejected          (with a reason the author sees)
    accepted     → rejected          (with a reason)
    rejected     → under_review      (a reviewer reopens it)

`implemented` is final. `rejected` is final for everyone but the reviewers,
who may reopen a rejection (a wrong call, new facts); reopening restarts the
answer clock (`answer_due` = now + the box's review_days). Nothing reopens an
accepted or implemented idea: an accepted idea that will not be done is
rejected, with its reason.

Reviewers are the moderators. Every change is a compare-and-swap on the old
status, recorded as a StatusChange, and notified after commit.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.tasks import serialize_email
from campaigns.models import Kind
from ideabox import outbox
from ideabox.exceptions import DomainError

from .models import Idea, Status, StatusChange

log = logging.getLogger(__name__)

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.UNDER_REVIEW: frozenset({Status.ACCEPTED, Status.REJECTED}),
    Status.ACCEPTED: frozenset({Status.IMPLEMENTED, Status.REJECTED}),
    Status.REJECTED: frozenset({Status.UNDER_REVIEW}),
    Status.IMPLEMENTED: frozenset(),
}
REASON_MAX_LENGTH = 2000
# Overdue by more than this beyond answer_due: the campaign managers are told too.
ESCALATE_AFTER = timedelta(days=7)


def allowed_moves(idea: Idea) -> list[str]:
    """The statuses a reviewer may move this idea to (empty outside the box)."""
    if idea.campaign.kind != Kind.BOX:
        return []
    return [status for status in Status.values if status in TRANSITIONS.get(idea.status, ())]


def _invalid(message) -> DomainError:
    return DomainError("invalid", str(message), fields={"reason": [str(message)]})


@transaction.atomic
def change_status(*, idea: Idea, to: str, by, reason: str = "") -> StatusChange:
    if not roles.is_moderator(by):
        raise DomainError("permission_denied", str(_("Only reviewers can change the status of an idea.")))
    current = Idea.objects.visible_to(by).select_related("campaign").filter(pk=idea.pk).first()
    if current is None:
        raise DomainError("not_found")
    if current.campaign.kind != Kind.BOX:
        raise DomainError("invalid_transition", str(_("Only ideas of the idea box are reviewed.")))
    old = current.status
    if to not in TRANSITIONS.get(old, ()):
        raise DomainError(
            "invalid_transition",
            str(_("An idea cannot go from “%(old)s” to “%(new)s”.") % {"old": _label(old), "new": _label(to)}),
        )
    reason = (reason or "").strip()
    if to == Status.REJECTED and not reason:
        raise _invalid(_("Give the author the reason for the rejection."))
    if len(reason) > REASON_MAX_LENGTH:
        raise _invalid(_("Keep the reason to at most %(max)d characters.") % {"max": REASON_MAX_LENGTH})

    now = timezone.now()
    changes = {"status": to, "status_changed_at": now}
    if to == Status.REJECTED:
        changes["rejection_reason"] = reason
    else:
        changes["rejection_reason"] = ""
    if old == Status.UNDER_REVIEW:
        # The first answer is kept: reopening and answering again does not move it.
        changes["first_answer_at"] = Coalesce(F("first_answer_at"), Value(now))
    if to == Status.UNDER_REVIEW:
        changes["answer_due"] = now + timedelta(days=current.campaign.review_days)
        changes["reminded_at"] = None
    if not Idea.objects.filter(pk=current.pk, status=old).update(**changes):
        raise DomainError("conflict", str(_("The status of this idea changed meanwhile: reload and try again.")))
    change = StatusChange.objects.create(idea=current, from_status=old, to_status=to, by=by, reason=reason, at=now)
    outbox.enqueue("ideas.notifications.idea_status_changed", change.pk)
    return change


def _label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


def awaiting_review(*, user) -> QuerySet[Idea]:
    """Box ideas under review, the most urgent answer first."""
    return (
        Idea.objects.visible_to(user)
        .listed()
        .filter(campaign__kind=Kind.BOX, status=Status.UNDER_REVIEW)
        .select_related("campaign", "author")
        .order_by(F("answer_due").asc(nulls_last=True), "created_at", "pk")
    )


# --- reminders ----------------------------------------------------------------


@dataclass
class Reminders:
    ideas: list[Idea] = field(default_factory=list)
    escalated: list[Idea] = field(default_factory=list)
    reviewers: int = 0
    managers: int = 0


def _holders_of(codename: str) -> QuerySet:
    """Active people holding a permission through a group or directly (the
    reviewers: `moderate`; the campaign managers: `manage_campaigns`)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="accounts")
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="accounts")
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


@transaction.atomic
def remind_overdue_reviews(*, now: datetime | None = None) -> Reminders:
    """Tell the reviewers, once a day, which box ideas are past their answer
    date; tell the managers too about those overdue by more than 7 more days.

    Each idea is claimed by moving its `reminded_at` into today, so a second
    run the same day (or a concurrent one) finds nothing to send again.
    """
    now = now or timezone.now()
    today = _start_of_day(now)
    overdue = (
        Idea.objects.listed()
        .filter(campaign__kind=Kind.BOX, status=Status.UNDER_REVIEW, answer_due__lt=now)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=today))
    )
    # Locked rows are being claimed by a concurrent run: skip them, and the
    # WHERE clause is checked again once a row is locked.
    claimed = list(
        overdue.select_for_update(skip_locked=True, of=("self",))
        .order_by("answer_due", "pk")
        .values_list("pk", flat=True)
    )
    if not claimed:
        return Reminders()
    Idea.objects.filter(pk__in=claimed).update(reminded_at=now)
    ideas = list(Idea.objects.filter(pk__in=claimed).select_related("campaign", "author").order_by("answer_due", "pk"))
    result = Reminders(ideas=ideas, escalated=[idea for idea in ideas if idea.answer_due < now - ESCALATE_AFTER])

    messages = []
    for reviewer in _holders_of("moderate"):
        messages.append(_message(reviewer, "overdue_reviews", ideas=ideas, escalated=result.escalated, now=now))
        result.reviewers += 1
    if result.escalated:
        for manager in _holders_of("manage_campaigns"):
            messages.append(_message(manager, "escalated_reviews", ideas=result.escalated, escalated=[], now=now))
            result.managers += 1
    payloads = [serialize_email(message) for message in messages]
    for payload in payloads:
        outbox.enqueue("accounts.tasks.send_email", payload)
    log.info("reminded %d reviewers and %d managers of %d overdue ideas", result.reviewers, result.managers, len(ideas))
    return result


def _message(user, template: str, *, ideas: list[Idea], escalated: list[Idea], now: datetime):
    context = {
        "user": user,
        "ideas": [{"idea": idea, "late_days": (now - idea.answer_due).days} for idea in ideas],
        "escalated": escalated,
        "escalate_days": ESCALATE_AFTER.days,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"moderation/emails/{template}_subject.txt", context)
        body = render_to_string(f"moderation/emails/{template}.txt", context)
        html = render_to_string(f"moderation/emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=body,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    return message
