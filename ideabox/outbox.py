"""The transactional outbox: how every task is queued after a write.

    outbox.enqueue("ideas.tasks.idea_commented", comment.pk)

Called inside the transaction of the change that needs the task (or in
autocommit), it writes an OutboxMessage in that transaction; once the
transaction commits, the task is handed to the broker and the row deleted.
A rolled-back change leaves no row and queues nothing. If the broker does
not take the message (Redis down, unreachable or hung), the failure is
logged and swallowed: the write committed, so the request answers success
(PRODUCT.md, "Reliability"), and the row waits for the scheduler's sweep
(`send_pending`, called every minute by campaigns.lifecycle.sweep), which
sends it once the broker is back.

Delivery is at least once: a process that dies after the broker took a
message and before it deleted the row leaves a row the sweep sends again.
Every task is safe to run twice (STYLE.md habit 5; e-mails are keyed in the
notification log), so that costs a second run, never a second effect.

Tasks are queued by name, so services never import tasks (habit 13), and
through the task registered under that name, so eager mode (the tests) runs
them in the process as `.delay()` did.
"""

import contextlib
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, migrations, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from .celery import app
from .models import OutboxMessage

log = logging.getLogger(__name__)

# The sweep leaves younger rows to the publish their own commit triggers, so
# that it does not send a message its request is sending at that moment.
SWEEP_AFTER = timedelta(seconds=10)
# Rows the sweep reads at a time, oldest first, and how long (seconds) it
# goes on reading more: a backlog after a long outage drains at thousands a
# minute, while the sweep still has time left for lost tallies every minute.
SWEEP_BATCH = 500
SWEEP_SECONDS = 20.0
# After the broker refused a message, this process leaves the messages of
# its next commits to the sweep for this long (seconds) rather than making
# each request wait for the broker's timeout again.
PAUSE_AFTER_FAILURE = 10.0

_muted: ContextVar[bool] = ContextVar("ideabox_outbox_muted", default=False)
_paused_until = 0.0


@contextlib.contextmanager
def muted():
    """Queue nothing for what happens inside (the demo data, an import):
    people are told about what others do, not about a data load. The
    lifecycle work of a campaign skipped this way (a tally, a publication)
    is queued by the sweep once due."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def forget_outage() -> None:
    """Publish on the next commit again, whatever the broker did a moment
    ago (tests that stop and start a broker)."""
    global _paused_until
    _paused_until = 0.0


def enqueue(task_name: str, *args) -> OutboxMessage | None:
    """Queue the task `task_name(*args)` (JSON arguments) once the current
    transaction commits. Returns the row, or None when muted."""
    if _muted.get():
        return None
    message = OutboxMessage.objects.create(task=task_name, args=list(args))
    transaction.on_commit(_sender(message))
    return message


def renaming(names: dict[str, str]) -> migrations.RunPython:
    """The migration operation for tasks renamed {old: new}: messages still
    waiting in the outbox under an old name are sent under the new one (and
    back, when the migration is reversed). Messages the broker already holds
    keep their old names: workers must drain the queue before the upgrade."""

    def rename(apps, schema_editor, names=names):
        model = apps.get_model("ideabox", "OutboxMessage")
        for old, new in names.items():
            model.objects.filter(task=old).update(task=new)

    def unrename(apps, schema_editor):
        rename(apps, schema_editor, names={new: old for old, new in names.items()})

    return migrations.RunPython(rename, unrename)


def _sender(message: OutboxMessage):
    def send_committed() -> None:
        if time.monotonic() < _paused_until:
            return  # the broker refused a moment ago: the sweep sends it
        if not _publish(message):
            return
        try:
            OutboxMessage.objects.filter(pk=message.pk).delete()
        except DatabaseError:
            # The write committed and the broker has the task: no error for
            # the request. The row stays, and the sweep sends the task again,
            # which every task is safe to run.
            log.warning("outbox: message %s sent but not deleted; the sweep sends it again", message.pk, exc_info=True)

    return send_committed


class _Refused(Exception):
    pass


@dataclass(frozen=True)
class Sent:
    sent: int
    refused: bool  # the broker did not take a message: the rest wait for the next sweep


def send_pending(*, now: datetime | None = None) -> Sent:
    """Send what the broker did not take when it was committed, oldest
    first, and delete it. Two sweeps at once send each row once: a row is
    deleted (compare-and-swap: the second delete finds nothing) and sent in
    one transaction, which rolls the delete back if the broker refuses."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(created_at__lte=now - SWEEP_AFTER).order_by("pk")
    deadline = time.monotonic() + SWEEP_SECONDS
    sent = 0
    after = 0
    while time.monotonic() < deadline:
        batch = list(due.filter(pk__gt=after)[:SWEEP_BATCH])
        if not batch:
            break
        for message in batch:
            after = message.pk
            try:
                with transaction.atomic():
                    taken, _by_model = OutboxMessage.objects.filter(pk=message.pk).delete()
                    if not taken:
                        continue  # sent meanwhile, by its own commit or by another sweep
                    if not _publish(message):
                        raise _Refused
            except _Refused:
                return Sent(sent=sent, refused=True)
            sent += 1
    return Sent(sent=sent, refused=False)


def backlog(*, now: datetime, older_than: timedelta) -> dict:
    """What waits for the broker (for /healthz): how many messages, how many
    older than `older_than`, and the age of the oldest in seconds."""
    counts = OutboxMessage.objects.aggregate(
        unsent=Count("pk"),
        overdue=Count("pk", filter=Q(created_at__lt=now - older_than)),
        oldest=Min("created_at"),
    )
    oldest = counts.pop("oldest")
    return {**counts, "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else None}


def _publish(message: OutboxMessage) -> bool:
    """Hand one message to the broker; False, logged, when it did not take it."""
    global _paused_until
    try:
        _deliver(message.task, message.args)
    except Exception:
        if app.conf.task_always_eager:
            raise  # no broker in eager mode: the task itself failed, and that must show
        # Any failure here is the broker's (the arguments were JSON when the
        # row was written); the row stays for the sweep.
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        log.warning(
            "outbox: the broker did not take %s (message %s); the sweep will send it",
            message.task,
            message.pk,
            exc_info=True,
        )
        return False
    _paused_until = 0.0
    return True


def _deliver(task_name: str, args: list) -> None:
    task = app.tasks.get(task_name)
    if task is None:
        # A task module nothing in this process has imported yet.
        app.loader.import_default_modules()
        task = app.tasks.get(task_name)
    if task is None:
        app.send_task(task_name, args=args)  # known to the workers, if not here
    else:
        task.delay(*args)
