"""The jury's Celery tasks. Each takes ids, calls one service, and is safe
to run twice (the e-mails go through the exactly-once Notification log).
Services never import this module: they queue tasks by name (ideabox.outbox).
"""

import logging

from celery import shared_task

from ideabox.exceptions import DomainError
from ideas.tasks import RETRY
from votes.models import Tally
from votes.tasks import TRANSIENT

from . import award_services, services

log = logging.getLogger(__name__)

# --- reminders to jurors who have not finished scoring ------------------------------


@shared_task(name="jury.tasks.remind_unfinished_jurors", **RETRY)
def remind_unfinished_jurors(campaign_id: int, juror_ids: list[int] | None = None) -> int:
    """Queued by a manager's reminder (jury.services.remind_jurors): e-mail
    the jurors who have not finished, once a day. Returns how many."""
    return services.send_juror_reminders(campaign_id=campaign_id, juror_ids=juror_ids)


@shared_task(name="jury.tasks.remind_all_unfinished_jurors", **RETRY)
def remind_all_unfinished_jurors() -> int:
    """Daily (beat): every campaign whose scoring is open."""
    return services.send_all_juror_reminders()


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
    the public awards from that tally, in one transaction (jury.award_services).
    Safe to run twice. Returns the votes counted; None when the campaign is
    gone or not (or not yet) past voting."""
    try:
        award_services.tally_and_decide_public_awards(campaign_id=campaign_id)
    except DomainError as error:
        # Deleted meanwhile, or queued by hand for a campaign still voting:
        # retrying would not change that.
        log.warning("campaign %s: not tallied, public awards not decided: %s", campaign_id, error)
        return None
    return Tally.objects.filter(campaign_id=campaign_id).values_list("total_votes", flat=True).first()


# --- the undecided-awards reminder ----------------------------------------------------


@shared_task(name="jury.tasks.remind_undecided_awards", **RETRY)
def remind_undecided_awards() -> int:
    """Daily: the managers and the chair of every campaign past its
    deliberation_ends with a jury award undecided, once per person per day."""
    return services.remind_undecided_awards()
