from django.db import InterfaceError, OperationalError

from celery import shared_task

from . import services


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
