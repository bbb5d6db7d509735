"""`celery beat` for the browser tests: the every-minute entries of the
schedule (ideabox/celery.py: heartbeat, advance-campaigns, sweep) every few
seconds, so that a journey waits seconds, not a minute, for the scheduler.

    celery -A ideabox beat --scheduler tests.e2e.scheduler:EveryFewSeconds
"""

import os

from celery.beat import PersistentScheduler
from celery.schedules import crontab, schedule

SECONDS = float(os.environ.get("IDEABOX_E2E_BEAT_SECONDS", "3"))


class EveryFewSeconds(PersistentScheduler):
    def setup_schedule(self):
        for entry in self.app.conf.beat_schedule.values():
            if entry["schedule"] == crontab():
                entry["schedule"] = schedule(SECONDS)
                entry.pop("options", None)  # the sweep's 55 s expiry is for a minute's tick
        super().setup_schedule()
