"""The daily reminder of overdue idea-box answers, and the escalation to managers."""

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.utils import timezone

import pytest
from freezegun import freeze_time

from accounts.models import Notification, NotificationKind, NotificationSettings
from campaigns.models import Audience, Campaign, Kind, Phase
from ideabox.models import OutboxMessage
from ideas import review, tasks
from ideas.models import Idea, Status
from tests.concurrency import at_once
from tests.factories import IdeaFactory, UserFactory, the_box

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 16, 6, 0, tzinfo=dt.UTC)  # a Monday, 08:00 in Paris


def box_idea(*, due_days_ago: float, **kwargs) -> Idea:
    return IdeaFactory(campaign=the_box(), answer_due=NOW - dt.timedelta(days=due_days_ago), **kwargs)


def run(django_capture_on_commit_callbacks, at=NOW):
    mail.outbox.clear()
    with freeze_time(at), django_capture_on_commit_callbacks(execute=True):
        tasks.remind_overdue_reviews.delay()
    return list(mail.outbox)


@pytest.fixture
def reviewers(db):
    return [UserFactory(groups=["moderators"]), UserFactory(groups=["moderators"])]


@pytest.fixture
def managers(db):
    return [UserFactory(groups=["campaign managers"])]


def test_each_reviewer_gets_one_email_listing_every_overdue_idea(
    django_capture_on_commit_callbacks, reviewers, managers
):
    late = box_idea(due_days_ago=2, title="Bike racks")
    later = box_idea(due_days_ago=1, title="Quiet room")
    box_idea(due_days_ago=-3, title="Not yet due")
    box_idea(due_days_ago=5, status=Status.ACCEPTED, title="Answered")
    box_idea(due_days_ago=5, hidden=True, hidden_reason="Spam", title="Hidden")
    sent = run(django_capture_on_commit_callbacks)
    assert sorted(message.to[0] for message in sent) == sorted(user.email for user in reviewers)
    body = sent[0].body
    assert "Bike racks" in body and "Quiet room" in body
    assert "Not yet due" not in body and "Answered" not in body and "Hidden" not in body
    assert f"/ideas/{late.pk}/" in body and f"/ideas/{later.pk}/" in body
    assert "escalat" not in body.lower()
    assert sent[0].alternatives[0][1] == "text/html"
    for idea in (late, later):
        idea.refresh_from_db()
        assert idea.reminded_at == NOW


def test_running_twice_the_same_day_sends_nothing_twice(django_capture_on_commit_callbacks, reviewers, managers):
    box_idea(due_days_ago=9)
    assert len(run(django_capture_on_commit_callbacks)) == 3
    assert run(django_capture_on_commit_callbacks, at=NOW + dt.timedelta(hours=10)) == []


def test_the_next_day_the_reviewers_are_reminded_again(django_capture_on_commit_callbacks, reviewers):
    box_idea(due_days_ago=1)
    run(django_capture_on_commit_callbacks)
    assert len(run(django_capture_on_commit_callbacks, at=NOW + dt.timedelta(days=1))) == len(reviewers)


def test_nothing_overdue_sends_nothing(django_capture_on_commit_callbacks, reviewers, managers):
    box_idea(due_days_ago=-1)
    assert run(django_capture_on_commit_callbacks) == []


def test_ideas_overdue_by_more_than_seven_more_days_are_escalated_to_managers(
    django_capture_on_commit_callbacks, reviewers, managers
):
    box_idea(due_days_ago=8, title="Forgotten idea")
    box_idea(due_days_ago=6, title="Recent idea")
    sent = run(django_capture_on_commit_callbacks)
    to_managers = [m for m in sent if m.to == [managers[0].email]]
    to_reviewers = [m for m in sent if m.to != [managers[0].email]]
    assert len(to_managers) == 1 and len(to_reviewers) == 2
    assert "Escalation" in to_managers[0].subject
    assert "Forgotten idea" in to_managers[0].body and "Recent idea" not in to_managers[0].body
    assert "escalated to the campaign managers" in to_reviewers[0].body


def test_no_escalation_within_seven_days(django_capture_on_commit_callbacks, reviewers, managers):
    box_idea(due_days_ago=6.9)
    sent = run(django_capture_on_commit_callbacks)
    assert managers[0].email not in {message.to[0] for message in sent}


def test_a_french_reviewer_reads_french(django_capture_on_commit_callbacks, reviewers):
    french = UserFactory(groups=["moderators"], language="fr")
    box_idea(due_days_ago=3, title="Parking vélo")
    sent = run(django_capture_on_commit_callbacks)
    message = next(m for m in sent if m.to == [french.email])
    english = next(m for m in sent if m.to == [reviewers[0].email])
    assert "Parking vélo" in message.body
    # Rendered in French: dates in French (the texts follow once translated).
    assert "juin 2025" in message.body and "June 2025" not in message.body
    assert "June 13, 2025" in english.body


def test_inactive_reviewers_and_ordinary_people_get_nothing(django_capture_on_commit_callbacks):
    active = UserFactory(groups=["moderators"])
    UserFactory(groups=["moderators"], is_active=False)
    UserFactory()
    box_idea(due_days_ago=2)
    sent = run(django_capture_on_commit_callbacks)
    assert [message.to for message in sent] == [[active.email]]


def test_a_reviewer_who_turned_review_reminders_off_gets_none(django_capture_on_commit_callbacks, reviewers):
    NotificationSettings.objects.create(user=reviewers[0], review_reminders=False)
    box_idea(due_days_ago=2)
    sent = run(django_capture_on_commit_callbacks)
    assert [message.to for message in sent] == [[reviewers[1].email]]
    assert "List-Unsubscribe" in sent[0].extra_headers


def test_each_reminder_is_logged_once_per_person_and_run(django_capture_on_commit_callbacks, reviewers, managers):
    box_idea(due_days_ago=9)
    run(django_capture_on_commit_callbacks)
    logged = Notification.objects.filter(kind=NotificationKind.REVIEW_REMINDERS)
    assert sorted(logged.values_list("user_id", flat=True)) == sorted(u.pk for u in [*reviewers, *managers])
    # Overdue since this morning's run: told the same day, in an e-mail of their own.
    box_idea(due_days_ago=0.1, title="Newly late")
    sent = run(django_capture_on_commit_callbacks, at=NOW + dt.timedelta(hours=4))
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in reviewers)
    assert all("Newly late" in m.body for m in sent)


def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks, reviewers):
    box_idea(due_days_ago=2)
    mail.outbox.clear()
    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.remind_overdue_reviews.delay()
    assert mail.outbox == []
    # Each e-mail waits in the outbox, sent once the transaction commits.
    assert callbacks
    assert len(callbacks) == OutboxMessage.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_remind_each_reviewer_once():
    # A transactional test may run after another one flushed what the
    # migrations created: the role groups and the box.
    group, _created = Group.objects.get_or_create(name="moderators")
    group.permissions.add(Permission.objects.get(codename="moderate", content_type__app_label="accounts"))
    reviewer = UserFactory(groups=["moderators"])
    box, _created = Campaign.objects.get_or_create(
        kind=Kind.BOX, defaults={"title": "Idea box", "slug": "box", "phase": Phase.OPEN, "audience": Audience.INTERNAL}
    )
    for _ in range(5):
        IdeaFactory(campaign=box, answer_due=timezone.now() - dt.timedelta(days=2))
    mail.outbox.clear()
    runs = at_once(review.remind_overdue_reviews, review.remind_overdue_reviews, ok="ok")
    errors = [outcome for outcome in runs if outcome != "ok"]
    assert errors == []
    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    assert "5 idea-box ideas" in mail.outbox[0].subject
