"""The idea box's review lifecycle, and the reminders of overdue answers.

    under_review → accepted → implemented
    under_review → rejected          (with a reason the author sees)
    accepted     → rejected          (with a reason)
    rejected     → under_review      (a reviewer reopens it)

(The moves are ideas.models.ALLOWED_MOVES, among the box's statuses; merging
is moderation's.) `implemented` is final. `rejected` is final for everyone
but the reviewers, who may reopen a rejection (a wrong call, new facts);
reopening restarts the answer clock (`answer_due` = now + the box's
review_days). Nothing reopens an accepted or implemented idea: an accepted
idea that will not be done is rejected, with its reason.

Reviewers are the moderators. The move itself (compare-and-swap, history,
audit, the authors' and followers' e-mail) is ideas.services.move_status;
this module adds who may review and the answer clock.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import notifications as mail
from accounts import roles
from accounts.models import NotificationKind
from campaigns.models import Kind
from ideabox.exceptions import DomainError

from . import services
from .models import ALLOWED_MOVES, BOX_STATUSES, Idea, Status, StatusChange

log = logging.getLogger(__name__)

REASON_MAX_LENGTH = 2000
# Overdue by more than this beyond answer_due: the campaign managers are told too.
ESCALATE_AFTER = timedelta(days=7)
REMINDER_KIND = NotificationKind.REVIEW_REMINDERS


def allowed_moves(idea: Idea) -> list[str]:
    """The statuses a reviewer may move this idea to (empty outside the box)."""
    if idea.campaign.kind != Kind.BOX:
        return []
    return [status for status in BOX_STATUSES if status in ALLOWED_MOVES.get(idea.status, ())]


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
    if to not in BOX_STATUSES:
        raise services.invalid_move(old=old, to=to)
    services.check_move(old=old, to=to)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        message = str(_("Keep the reason to at most %(max)d characters.") % {"max": REASON_MAX_LENGTH})
        raise DomainError("invalid", message, fields={"reason": [message]})

    now = timezone.now()
    clock = {}
    if old == Status.UNDER_REVIEW:
        # The first answer is kept: reopening and answering again does not move it.
        clock["first_answer_at"] = Coalesce(F("first_answer_at"), Value(now))
    if to == Status.UNDER_REVIEW:
        clock["answer_due"] = now + timedelta(days=current.campaign.review_days)
        clock["reminded_at"] = None
    change = services.move_status(idea=current, to=to, actor=by, reason=reason, now=now, **clock)
    if change is None:
        raise DomainError("conflict", str(_("The status of this idea changed meanwhile: reload and try again.")))
    return change


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

    day = timezone.localdate(now).isoformat()
    # The ideas claimed are this run's alone: the first of them names the run,
    # so a second run the same day (newly overdue ideas) is told, and a task
    # run twice is not.
    run = min(claimed)
    told = [(roles.MODERATE, "overdue", ideas, result.escalated)]
    if result.escalated:
        told.append((roles.MANAGE_CAMPAIGNS, "escalated", result.escalated, []))
    for codename, what, listed, escalated in told:
        for user in mail.recipients(roles.holders_of(codename), REMINDER_KIND):
            sent = mail.send_once(
                user=user,
                kind=REMINDER_KIND,
                key=f"reviews-{what}:{day}:{run}",
                template=f"moderation/emails/{what}_reviews",
                context=_context(user, ideas=listed, escalated=escalated, now=now),
            )
            if codename == roles.MODERATE:
                result.reviewers += sent
            else:
                result.managers += sent
    log.info("reminded %d reviewers and %d managers of %d overdue ideas", result.reviewers, result.managers, len(ideas))
    return result


def _context(user, *, ideas: list[Idea], escalated: list[Idea], now: datetime) -> dict:
    return {
        "user": user,
        "ideas": [{"idea": idea, "late_days": (now - idea.answer_due).days} for idea in ideas],
        "escalated": escalated,
        "escalate_days": ESCALATE_AFTER.days,
    }
