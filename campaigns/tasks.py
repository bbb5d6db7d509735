from django.db import InterfaceError, OperationalError

from celery import shared_task

from . import lifecycle, services


# Only a lost or locked database connection is worth another try: the
# service is idempotent, so a retry moves only what is still due.
@shared_task(
    name="campaigns.tasks.advance_campaigns",
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=5,
    retry_jitter=True,
    ignore_result=True,
)
def advance_campaigns() -> int:
    """Every minute: move the campaigns whose boundary has passed. Returns how many moves."""
    return len(services.advance_due_campaigns())


# No retry: a sweep that fails is simply the next minute's, and the beat
# entry lets a sweep that waited a minute in the queue expire.
@shared_task(name="campaigns.tasks.sweep", ignore_result=True)
def sweep() -> dict:
    """Every minute: send what the broker did not take and queue again the
    tallies and publications that were lost (campaigns.lifecycle.sweep)."""
    report = lifecycle.sweep()
    return {"sent": report.sent, "refused": report.refused, "requeued": report.requeued}
