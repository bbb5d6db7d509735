"""The jury's Celery tasks. Each takes ids, calls services, and is safe to
run twice (the e-mails go through the exactly-once Notification log).
"""

import datetime
import logging

from django.urls import reverse
from django.utils import timezone

from celery import shared_task

from accounts import notifications as mail
from accounts.models import NotificationKind
from campaigns.models import Campaign, Phase
from ideabox.exceptions import DomainError
from ideas.notifications import RETRY
from votes.models import Tally
from votes.tasks import TRANSIENT

from . import awards, publication

log = logging.getLogger(__name__)

# --- reminders to jurors who have not finished scoring ------------------------------

JUROR_REMINDER_KIND = NotificationKind.JURY_REMINDERS


def juror_reminder_key(*, campaign_id: int, juror_id: int, day: datetime.date) -> str:
    return f"jury-reminder:{campaign_id}:{juror_id}:{day.isoformat()}"


@shared_task(name="jury.tasks.remind_unfinished_jurors", **RETRY)
def remind_unfinished_jurors(campaign_id: int, juror_ids: list[int] | None = None) -> int:
    """E-mail each juror of the campaign (or those named) who has not
    finished scoring, at most once a day. Returns how many were e-mailed."""
    from . import services
    from .models import Juror

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    now = timezone.now()
    if campaign is None or not services.scoring_open(campaign, now):
        return 0
    unfinished = services.progress(campaign).unfinished
    if juror_ids is not None:
        wanted = set(juror_ids)
        unfinished = [p for p in unfinished if p.juror.pk in wanted]
    if not unfinished:
        return 0
    allowed = {user.pk for user in mail.recipients([p.juror.user_id for p in unfinished], JUROR_REMINDER_KIND)}
    jury_url = mail.absolute_url(reverse("jury:score", args=[campaign.slug]))
    day = timezone.localdate(now)
    sent = 0
    for row in unfinished:
        user = row.juror.user
        if user.pk not in allowed:
            continue
        key = juror_reminder_key(campaign_id=campaign.pk, juror_id=row.juror.pk, day=day)
        context = {
            "campaign": campaign,
            "given": row.given,
            "expected": row.expected,
            "left": row.expected - row.given,
            "ends": campaign.deliberation_ends,
            "jury_url": jury_url,
        }
        if mail.send_once(
            user=user, kind=JUROR_REMINDER_KIND, key=key, template="jury/email/juror_reminder", context=context
        ):
            Juror.objects.filter(pk=row.juror.pk).update(reminded_at=now)
            sent += 1
    return sent


@shared_task(name="jury.tasks.remind_all_unfinished_jurors", **RETRY)
def remind_all_unfinished_jurors() -> None:
    """For a daily beat entry: every campaign whose scoring is open."""
    now = timezone.now()
    for pk in Campaign.objects.filter(phase=Phase.DELIBERATION, deliberation_ends__gt=now).values_list("pk", flat=True):
        remind_unfinished_jurors(pk)


# --- the close of the vote: the tally and the public awards --------------------------

# The work that follows a phase (the tally, the publication) retries what the
# tally retries: a lost or locked connection, votes that moved while counted.
CAMPAIGN_WORK_RETRY = {
    "autoretry_for": TRANSIENT,
    "max_retries": 5,
    "retry_backoff": 10,
    "retry_jitter": True,
    "ignore_result": True,
}


@shared_task(
    name="jury.tasks.tally_and_decide_public_awards",
    **CAMPAIGN_WORK_RETRY,
)
def tally_and_decide_public_awards(campaign_id: int) -> int | None:
    """Queued when a campaign leaves voting (campaigns.lifecycle.AFTER_VOTING_TASK),
    and again by the sweep while it has no tally: count the votes and decide
    the public awards from that tally, in one transaction (jury.awards).
    Safe to run twice. Returns the votes counted; None when the campaign is
    gone or not (or not yet) past voting."""
    try:
        awards.tally_and_decide_public_awards(campaign_id=campaign_id)
    except DomainError as error:
        # Deleted meanwhile, or queued by hand for a campaign still voting:
        # retrying would not change that.
        log.warning("campaign %s: not tallied, public awards not decided: %s", campaign_id, error)
        return None
    return Tally.objects.filter(campaign_id=campaign_id).values_list("total_votes", flat=True).first()


# --- publication of the results, and the undecided-awards reminder -----------------


@shared_task(
    name="jury.tasks.publish_results",
    **CAMPAIGN_WORK_RETRY,
)
def publish_results(campaign_id: int) -> int | None:
    """Queued after a campaign left deliberation: store the results and tell
    people (jury.publication). Safe to run twice; returns the ranked ideas,
    None when the campaign is gone or not (or not yet) in the results phase."""
    try:
        result = publication.publish_results(campaign_id=campaign_id)
    except DomainError as error:
        log.warning("campaign %s: results not published: %s", campaign_id, error)
        return None
    return len(result.rows)


@shared_task(name="jury.tasks.remind_undecided_awards", **RETRY)
def remind_undecided_awards() -> int:
    """Daily: the managers and the chair of every campaign past its
    deliberation_ends with a jury award undecided, once per person per day."""
    return publication.remind_undecided_awards()
