"""The transactional outbox (ideabox.outbox): a task queued after a write
leaves once the write commits, survives a broker that refuses it, and is
sent by the sweep once the broker is back (PRODUCT.md, "Reliability";
issue 9, item 6)."""

import re
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from campaigns import lifecycle
from ideabox import outbox
from ideabox.celery import app
from ideabox.models import OutboxMessage
from ideas.models import Comment
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REFUSING_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def _reset_celery_connections():
    # Pools made with another broker must not be reused (as Celery does after a fork).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """`broker.down()`: tasks really go to a broker that refuses them (not
    eager mode); `broker.up()`: back to the tests' eager mode, where the
    broker takes every task and runs it at once."""
    conf = app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url")}

    class Broker:
        def down(self):
            conf.task_always_eager = False
            conf.broker_url = REFUSING_BROKER
            _reset_celery_connections()

        def up(self):
            conf.update(saved)
            _reset_celery_connections()

    yield Broker()
    conf.update(saved)
    _reset_celery_connections()
    outbox.forget_outage()


@pytest.fixture
def delivered(monkeypatch):
    """What the broker took, as (task name, arguments), in order."""
    taken: list[tuple[str, list]] = []
    lock = threading.Lock()

    def deliver(task_name, args):
        with lock:
            taken.append((task_name, list(args)))

    monkeypatch.setattr(outbox, "_deliver", deliver)
    return taken


def waiting(**kwargs) -> OutboxMessage:
    """A message the broker did not take when its transaction committed."""
    kwargs.setdefault("created_at", timezone.now() - timedelta(minutes=1))
    return OutboxMessage.objects.create(**kwargs)


# --- queued with the write --------------------------------------------------------------


def test_a_task_waits_in_the_outbox_until_its_transaction_commits(django_capture_on_commit_callbacks, delivered):
    with django_capture_on_commit_callbacks() as callbacks:
        outbox.enqueue("ideas.tasks.idea_commented", 7)
        assert list(OutboxMessage.objects.values_list("task", "args")) == [("ideas.tasks.idea_commented", [7])]
    assert delivered == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert delivered == [("ideas.tasks.idea_commented", [7])]
    assert not OutboxMessage.objects.exists()  # the broker took it: nothing left to send


def test_a_rolled_back_change_queues_nothing(django_capture_on_commit_callbacks, delivered):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue("ideas.tasks.idea_commented", 7)
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert delivered == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_queued_outside_a_transaction_the_task_leaves_at_once(delivered):
    # A task or a scheduled task queueing in autocommit: the row commits at once, and so does the publish.
    outbox.enqueue("accounts.tasks.send_email", {"subject": "Hello"})
    assert delivered == [("accounts.tasks.send_email", [{"subject": "Hello"}])]
    assert not OutboxMessage.objects.exists()


def test_the_queued_task_runs_with_its_arguments(django_capture_on_commit_callbacks):
    from django.core.mail import EmailMultiAlternatives

    from accounts.tasks import serialize_email

    message = EmailMultiAlternatives(subject="Hello", body="Body", to=["ana@example.org"])
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("accounts.tasks.send_email", serialize_email(message))
    assert [(m.subject, m.to) for m in mail.outbox] == [("Hello", ["ana@example.org"])]


def test_every_task_queued_by_name_is_a_task_the_workers_know():
    named = set(lifecycle.WORK_TASKS.values())
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "bench", "var"}:
            continue
        named |= set(re.findall(r'outbox\.enqueue\(\s*"([^"]+)"', path.read_text()))
    assert "ideas.tasks.idea_commented" in named  # the scan finds the call sites
    app.loader.import_default_modules()
    assert sorted(name for name in named if name not in app.tasks) == []


def test_a_database_lost_after_the_commit_costs_a_second_send_not_an_error(
    django_capture_on_commit_callbacks, delivered, monkeypatch
):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real_delete = QuerySet.delete

    def delete(self):
        if self.model is OutboxMessage:
            raise OperationalError("the database went away")
        return real_delete(self)

    with django_capture_on_commit_callbacks() as callbacks:
        outbox.enqueue("ideas.tasks.idea_commented", 7)
    monkeypatch.setattr(QuerySet, "delete", delete)
    for callback in callbacks:
        callback()  # no exception: the request that committed answers success
    monkeypatch.setattr(QuerySet, "delete", real_delete)
    assert delivered == [("ideas.tasks.idea_commented", [7])]
    assert OutboxMessage.objects.count() == 1  # the sweep sends it again


# --- the broker refuses ---------------------------------------------------------------------


def test_a_broker_that_refuses_costs_the_commit_little_and_leaves_the_message(
    django_capture_on_commit_callbacks, broker
):
    broker.down()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("ideas.tasks.idea_commented", 7)  # no exception: the write committed
    assert time.monotonic() - started < 1.0
    assert list(OutboxMessage.objects.values_list("task", "args")) == [("ideas.tasks.idea_commented", [7])]


def test_after_a_refusal_the_next_commits_leave_their_messages_to_the_sweep(
    django_capture_on_commit_callbacks, broker, monkeypatch
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("ideas.tasks.idea_commented", 7)
    tried = []
    monkeypatch.setattr(outbox, "_deliver", lambda name, args: tried.append(name))
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("ideas.tasks.idea_commented", 8)
    assert tried == []  # not another wait for the broker's answer
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_comment_posted_while_the_broker_is_down_is_answered_with_success_and_mailed_after_the_sweep(broker):
    author = UserFactory()
    idea = IdeaFactory(campaign=CampaignFactory(), author=author, title="Shared bikes")
    commenter = UserFactory()
    api = APIClient()
    api.force_authenticate(commenter)
    page = Client()
    page.force_login(commenter)

    broker.down()
    by_api = api.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Count me in."}, format="json")
    by_page = page.post(f"/ideas/{idea.pk}/comments/", {"body": "Me too."})

    assert (by_api.status_code, by_page.status_code) == (201, 302)
    assert Comment.objects.filter(idea=idea).count() == 2
    assert OutboxMessage.objects.count() == 2
    assert mail.outbox == []

    broker.up()
    report = lifecycle.sweep(now=timezone.now() + timedelta(minutes=1))
    assert (report.sent, report.refused) == (2, False)
    assert not OutboxMessage.objects.exists()
    assert [m.to for m in mail.outbox] == [[author.email], [author.email]]
    assert lifecycle.sweep(now=timezone.now() + timedelta(minutes=2)).sent == 0
    assert len(mail.outbox) == 2


# --- the sweep sends what waited -------------------------------------------------------------------


def test_the_sweep_sends_what_waited_oldest_first_and_once(delivered):
    for number in (1, 2, 3):
        waiting(task="ideas.tasks.idea_commented", args=[number])

    assert outbox.send_pending() == outbox.Sent(sent=3, refused=False)
    assert delivered == [("ideas.tasks.idea_commented", [n]) for n in (1, 2, 3)]
    assert not OutboxMessage.objects.exists()
    assert outbox.send_pending() == outbox.Sent(sent=0, refused=False)


def test_the_sweep_drains_a_backlog_larger_than_a_batch(delivered, monkeypatch):
    monkeypatch.setattr(outbox, "SWEEP_BATCH", 2)
    for number in range(5):
        waiting(task="ideas.tasks.idea_commented", args=[number])
    assert outbox.send_pending() == outbox.Sent(sent=5, refused=False)
    assert [args for _name, args in delivered] == [[n] for n in range(5)]


def test_the_sweep_leaves_a_new_message_to_its_own_commit(delivered):
    now = timezone.now()
    waiting(task="ideas.tasks.idea_commented", args=[1], created_at=now)
    assert outbox.send_pending(now=now).sent == 0
    assert outbox.send_pending(now=now + outbox.SWEEP_AFTER).sent == 1


def test_the_sweep_stops_at_the_first_refusal_and_keeps_the_rest(broker, monkeypatch):
    broker.down()
    first = waiting(task="ideas.tasks.idea_commented", args=[1])
    second = waiting(task="ideas.tasks.idea_commented", args=[2])
    third = waiting(task="ideas.tasks.idea_commented", args=[3])
    calls = []

    def deliver(task_name, args):
        calls.append(args)
        if len(calls) == 2:
            raise ConnectionError("the broker went away")

    monkeypatch.setattr(outbox, "_deliver", deliver)
    assert outbox.send_pending() == outbox.Sent(sent=1, refused=True)
    assert calls == [[1], [2]]  # the third is not tried: the broker is down
    assert sorted(OutboxMessage.objects.values_list("pk", flat=True)) == [second.pk, third.pk]
    assert first.pk not in OutboxMessage.objects.values_list("pk", flat=True)


def test_a_task_that_fails_in_eager_mode_is_not_mistaken_for_a_broker_refusal(
    django_capture_on_commit_callbacks, monkeypatch
):
    # No broker in eager mode: an exception is the task's own, and must show.
    def deliver(task_name, args):
        raise ValueError("a bug in the task")

    monkeypatch.setattr(outbox, "_deliver", deliver)
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("ideas.tasks.idea_commented", 1)


def test_the_backlog_counts_what_waits_and_what_is_overdue():
    now = timezone.now()
    assert outbox.backlog(now=now, older_than=timedelta(minutes=5)) == {
        "unsent": 0,
        "overdue": 0,
        "oldest_seconds": None,
    }
    waiting(task="ideas.tasks.idea_commented", args=[1], created_at=now - timedelta(minutes=7))
    waiting(task="ideas.tasks.idea_commented", args=[2], created_at=now - timedelta(minutes=1))
    assert outbox.backlog(now=now, older_than=timedelta(minutes=5)) == {
        "unsent": 2,
        "overdue": 1,
        "oldest_seconds": 420.0,
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: nothing to race")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_message_once(monkeypatch):
    messages = [waiting(task="ideas.tasks.idea_commented", args=[n]) for n in range(40)]
    taken: list[int] = []
    lock = threading.Lock()

    def deliver(task_name, args):
        time.sleep(0.002)  # the broker's round trip: both sweeps are in their loops together
        with lock:
            taken.append(args[0])

    monkeypatch.setattr(outbox, "_deliver", deliver)
    results = at_once(outbox.send_pending, outbox.send_pending)

    assert sorted(taken) == list(range(len(messages)))
    assert sum(result.sent for result in results) == len(messages)
    assert not OutboxMessage.objects.exists()
