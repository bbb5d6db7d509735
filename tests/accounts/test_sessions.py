from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

import pytest

from accounts import tasks
from ideabox.celery import app

pytestmark = pytest.mark.django_db


def test_the_scheduler_clears_expired_sessions_daily():
    entry = app.conf.beat_schedule["clear-expired-sessions"]
    assert entry["task"] == "accounts.tasks.clear_expired_sessions"


def test_expired_sessions_go_and_live_ones_stay_even_when_the_task_runs_twice():
    live, expired = SessionStore(), SessionStore()
    live["a"] = expired["a"] = 1
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    tasks.clear_expired_sessions()
    tasks.clear_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
