from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last heartbeat a Celery worker processed: one row.

    The scheduler sends a heartbeat task every minute; /healthz reads this
    row to tell whether the scheduler and a worker are alive and how long a
    task waited in the queue.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="heartbeat_single_row")]

    def __str__(self) -> str:
        return f"heartbeat received {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def lag_seconds(self) -> float:
        return (self.received_at - self.sent_at).total_seconds()


class OutboxMessage(models.Model):
    """A task still to be handed to the broker (ideabox.outbox).

    Written in the transaction of the change that needs the task, so the two
    commit together; deleted once the broker has taken the message. The
    table therefore holds only what is still owed: /healthz counts it, the
    sweep sends it, and a rendered e-mail (personal data) stays here no
    longer than the broker outage that kept it.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("message waiting for the broker")
        verbose_name_plural = _("messages waiting for the broker")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task} {self.args!r}"[:200]
