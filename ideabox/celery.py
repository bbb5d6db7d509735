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
    "advance-campaigns": {
        "task": "campaigns.tasks.advance_campaigns",
        "schedule": crontab(),  # every minute
    },
    # Its own entry rather than a step of advance-campaigns: a campaign that
    # cannot move must not stop lost work from being queued again. The move
    # takes the lease of the work it queues, so the two need no order.
    "sweep": {
        "task": "campaigns.tasks.sweep",
        "schedule": crontab(),  # every minute
        "options": {"expires": 55},  # a sweep that waited a minute gives way to the next
    },
    "campaigns-closing-tomorrow": {
        "task": "ideas.tasks.campaigns_closing_tomorrow",
        "schedule": crontab(hour=8, minute=0),  # daily, 08:00 UTC (CELERY_TIMEZONE)
    },
    "review-reminders": {
        "task": "ideas.tasks.remind_overdue_reviews",
        "schedule": crontab(hour=7, minute=30),  # daily, 07:30 UTC
    },
    "reconcile-vote-counts": {
        "task": "votes.tasks.reconcile_vote_counts",
        "schedule": crontab(minute="*/15"),  # every 15 minutes
    },
    "unfinished-jurors-reminder": {
        "task": "jury.tasks.remind_all_unfinished_jurors",
        "schedule": crontab(hour=8, minute=15),  # daily, 08:15 UTC: jurors who have scores left to give
    },
    "undecided-awards-reminder": {
        "task": "jury.tasks.remind_undecided_awards",
        "schedule": crontab(hour=8, minute=30),  # daily, 08:30 UTC: campaigns waiting for their awards
    },
    # Sessions are rows in the database: nothing else removes the expired
    # ones, which include those a sign-in started and never finished (every
    # post to a SAML assertion consumer stores one before it is checked).
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=45),  # daily, 03:45 UTC
    },
    "weekly-digest": {
        "task": "ideas.tasks.weekly_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),  # Mondays, 07:00 UTC
    },
}
