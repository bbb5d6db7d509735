"""The harness of the fault tests: a Redis server of their own, real Celery
worker processes, and the mail they send.

Run with `make faults` (ideabox.settings.faults, PostgreSQL and Redis). The
tests post in-process (Django's test client) and call the scheduler's work
in-process (`advance_due_campaigns`, `sweep`); everything queued goes
through the Redis started here to a worker that is a real
`celery -A ideabox worker` process, in a process group of its own so that a
test can SIGKILL it whole. The worker reads the test database (pytest-django
names it test_<name>), so the tests that use it are transactional.
"""

import os
import sys
from pathlib import Path

from django.test.utils import override_settings

import psycopg
import pytest

from ideabox import cache as resilient_cache
from ideabox import outbox
from ideabox.celery import app
from ideabox.settings.base import redis_caches

from .harness import RedisServer, Worker, database_url


def _reset_celery_connections() -> None:
    # Pools made for another broker must not be reused (as Celery does after a fork).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """The Redis of the fault tests: broker and cache of the tests and their
    workers. Never the one REDIS_URL names: a test may stop this one."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    saved = app.conf.broker_url
    app.conf.broker_url = server.url
    _reset_celery_connections()
    caches = override_settings(CACHES=redis_caches(server.url))
    caches.enable()
    yield server
    caches.disable()
    app.conf.broker_url = saved
    _reset_celery_connections()
    server.stop()


@pytest.fixture(autouse=True)
def _own_redis_running(redis_server):
    """Each test starts with its Redis up and empty and nothing remembered of an outage."""
    if redis_server.process is None:
        redis_server.start()
    _reset_celery_connections()
    resilient_cache.forget_outage()
    outbox._paused_until = 0.0
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    yield
    resilient_cache.forget_outage()
    outbox._paused_until = 0.0


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(transactional_db, redis_server, mail_dir, tmp_path):
    """Start workers with `workers.start()`; every one is stopped when the
    test ends, before the test database is emptied."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "ideabox.settings.faults",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "EMAIL_FILE_PATH": str(mail_dir),
        "IDEABOX_VAR_DIR": str(tmp_path / "var"),
        "CONN_MAX_AGE": "0",
    }
    started: list[Worker] = []

    class Workers:
        log = tmp_path / "worker.log"

        def start(self) -> Worker:
            worker = Worker(env=env, log=self.log)
            started.append(worker)
            return worker.start()

    yield Workers()
    for worker in started:
        worker.stop()
    if os.environ.get("IDEABOX_FAULTS_SHOW_WORKER_LOG") and Workers.log.exists():
        sys.stderr.write(Workers.log.read_text(errors="replace"))


@pytest.fixture
def side_connection(transactional_db):
    """Make connections of their own to the test database, outside Django
    (a lock holder, an observer of pg_stat_activity); closed at the end."""
    opened: list[psycopg.Connection] = []

    def connect() -> psycopg.Connection:
        opened.append(psycopg.connect(database_url()))
        return opened[-1]

    yield connect
    for conn in opened:
        conn.close()
