"""A task really goes through the broker to a worker (not eager mode).

The broker is the configured one: Redis when REDIS_URL is set (CI's second
run), else Kombu's filesystem queue, in a folder of the test's own.
"""

import time
from datetime import timedelta

from django.utils import timezone

import pytest
from celery.contrib.testing.worker import start_worker

from ideabox.celery import app
from ideabox.models import Heartbeat
from ideabox.tasks import heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker(settings, tmp_path):
    conf = app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    conf.task_always_eager = False
    if not settings.REDIS_URL:
        queue, control = tmp_path / "queue", tmp_path / "control"
        queue.mkdir()
        control.mkdir()
        conf.broker_url = "filesystem://"
        conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(control),
        }
    _reset_connections()
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(conf.task_default_queue)
    yield conf
    conf.update(saved)
    _reset_connections()


def _reset_connections():
    # Pools made with the previous broker settings must not be reused (as
    # Celery itself does after a fork).
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return None


def test_a_queued_task_waits_in_the_broker_and_healthz_counts_it(real_broker, client):
    heartbeat.delay()
    assert client.get("/healthz").json()["broker"]["pending_tasks"] == 1
    assert not Heartbeat.objects.exists()


def test_a_worker_takes_the_task_from_the_broker_and_runs_it(real_broker, client):
    before = timezone.now()
    heartbeat.delay()  # the time of sending travels in a message header
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        beat = wait_for(lambda: Heartbeat.objects.filter(pk=1).first())
    assert beat is not None, "the worker did not run the task within 20 s"
    assert before <= beat.sent_at <= beat.received_at <= timezone.now()
    assert beat.received_at - beat.sent_at < timedelta(seconds=20)
    assert client.get("/healthz").json()["broker"]["pending_tasks"] == 0
