from celery import shared_task

from . import review


@shared_task(name="ideas.tasks.remind_overdue_reviews", ignore_result=True)
def remind_overdue_reviews() -> None:
    """Daily: remind the reviewers of overdue idea-box answers (idempotent per day)."""
    review.remind_overdue_reviews()
