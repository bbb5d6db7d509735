from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Heartbeat


def record_heartbeat(*, sent_at: datetime, received_at: datetime | None = None) -> bool:
    """Store a heartbeat unless a newer one is already stored.

    Safe to run twice and in any order: a late or repeated heartbeat never
    moves the stored one back in time. Returns whether the row changed.
    """
    received_at = received_at or timezone.now()
    with transaction.atomic():
        changed = Heartbeat.objects.filter(pk=1, sent_at__lt=sent_at).update(sent_at=sent_at, received_at=received_at)
        if changed:
            return True
        if Heartbeat.objects.filter(pk=1).exists():
            return False
        try:
            with transaction.atomic():
                Heartbeat.objects.create(pk=1, sent_at=sent_at, received_at=received_at)
        except IntegrityError:
            # Another worker created it between our two statements.
            return False
        return True
