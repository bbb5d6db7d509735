from django.db import models
from django.db.models import Q
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
