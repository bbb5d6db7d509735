"""The Celery app and the beat schedule.

One scheduler (`celery beat`) runs in a deployment; any number of workers.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideabox.settings.dev")

app = Celery("ideabox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {
        "task": "ideabox.tasks.heartbeat",
        "schedule": crontab(),  # every minute
    },
}
