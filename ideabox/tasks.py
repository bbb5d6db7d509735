from datetime import datetime

from django.utils import timezone

from celery import shared_task
from celery.signals import before_task_publish

from . import services

HEARTBEAT_TASK = "ideabox.tasks.heartbeat"


@before_task_publish.connect
def stamp_heartbeat(sender=None, headers=None, **kwargs):
    # The scheduler's arguments are fixed when the schedule is read, so the
    # time of sending travels in a message header instead.
    if sender == HEARTBEAT_TASK and headers is not None:
        headers.setdefault("sent_at", timezone.now().isoformat())


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat(sent_at: str | None = None) -> None:
    from celery import current_task

    stamp = sent_at or getattr(current_task.request, "sent_at", None)
    sent = datetime.fromisoformat(stamp) if stamp else timezone.now()
    services.record_heartbeat(sent_at=sent)
