"""The vote's Celery tasks: the tally when a campaign leaves voting, and
the periodic reconciliation of the live counters with the rows."""

import logging

from django.db import InterfaceError, OperationalError

from celery import shared_task

from ideabox.exceptions import DomainError

from . import tally

log = logging.getLogger(__name__)

# A lost or locked database connection, or votes that moved while they were
# counted, are worth another try: the tally replaces what it stored, so a
# retry can only store the right result once more.
TRANSIENT = (OperationalError, InterfaceError, tally.VotesChanged)


@shared_task(
    name="votes.tasks.tally_campaign",
    autoretry_for=TRANSIENT,
    max_retries=5,
    retry_backoff=10,
    retry_jitter=True,
    ignore_result=True,
)
def tally_campaign(campaign_id: int) -> int | None:
    """Tally a campaign that left voting. Returns the votes counted; None when
    the campaign is gone or not (or no longer) in a phase that is tallied."""
    try:
        result = tally.tally_campaign(campaign_id=campaign_id)
    except DomainError as error:
        # Deleted meanwhile, or queued by hand for a campaign still voting:
        # nothing to count, and retrying would not change that.
        log.warning("campaign %s not tallied: %s", campaign_id, error)
        return None
    return result.tally.total_votes


@shared_task(
    name="votes.tasks.reconcile_vote_counts",
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=30,
    retry_jitter=True,
    ignore_result=True,
)
def reconcile_vote_counts() -> list[dict]:
    """Every 15 minutes: correct live vote counters that drifted from the rows,
    and return what was corrected (idea, was, now)."""
    return [{"idea": d.idea_id, "was": d.was, "now": d.now} for d in tally.reconcile_vote_counts()]
