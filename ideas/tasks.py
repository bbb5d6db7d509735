"""The ideas app's Celery tasks: each a thin call to one function, queued by
name (`ideas.tasks.<name>`) through ideabox.outbox or by the beat schedule."""

from django.db import InterfaceError, OperationalError

from celery import shared_task

from . import notifications, review

# A database that went away for a moment is worth another try; anything
# else is a bug and must show.
TRANSIENT = (OperationalError, InterfaceError)

RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "max_retries": 3,
    "ignore_result": True,
}


@shared_task(name="ideas.tasks.remind_overdue_reviews", ignore_result=True)
def remind_overdue_reviews() -> None:
    """Daily: remind the reviewers of overdue idea-box answers (idempotent per day)."""
    review.remind_overdue_reviews()


@shared_task(name="ideas.tasks.idea_commented", **RETRY)
def idea_commented(comment_id: int) -> None:
    notifications.idea_commented(comment_id)


@shared_task(name="ideas.tasks.idea_status_changed", **RETRY)
def idea_status_changed(status_change_id: int) -> None:
    notifications.idea_status_changed(status_change_id)


@shared_task(name="ideas.tasks.campaign_phase_changed", **RETRY)
def campaign_phase_changed(campaign_id: int, to_phase: str) -> None:
    notifications.campaign_phase_changed(campaign_id, to_phase)


@shared_task(name="ideas.tasks.campaigns_closing_tomorrow", **RETRY)
def campaigns_closing_tomorrow() -> None:
    """Daily: followers of campaigns whose submission or voting closes within 24 hours."""
    notifications.campaigns_closing_tomorrow()


@shared_task(name="ideas.tasks.weekly_digest", **RETRY)
def weekly_digest() -> None:
    """Weekly: the opt-in digest."""
    notifications.weekly_digest()


@shared_task(name="ideas.tasks.coauthors_invited", **RETRY)
def coauthors_invited(idea_id: int) -> None:
    notifications.coauthors_invited(idea_id)
