"""The ideas app's tasks: registered under ideas.tasks.*, found by autodiscovery,
and messages queued under their former names are sent under the new ones."""

import importlib

from django.apps import apps as django_apps

import pytest

from ideabox.celery import app as celery_app
from ideabox.models import OutboxMessage
from ideas import tasks

pytestmark = pytest.mark.django_db

NAMES = (
    "idea_commented",
    "idea_status_changed",
    "campaign_phase_changed",
    "campaigns_closing_tomorrow",
    "weekly_digest",
    "coauthors_invited",
    "remind_overdue_reviews",
)


@pytest.mark.parametrize("name", NAMES)
def test_each_task_is_registered_under_its_module_name(name):
    assert getattr(tasks, name).name == f"ideas.tasks.{name}"
    assert f"ideas.tasks.{name}" in celery_app.tasks


def test_no_task_is_left_under_ideas_notifications():
    assert [name for name in celery_app.tasks if name.startswith("ideas.notifications.")] == []


def test_messages_waiting_under_the_old_names_are_sent_under_the_new_ones():
    migration = importlib.import_module("ideas.migrations.0006_rename_notification_tasks")
    waiting = [
        OutboxMessage.objects.create(task="ideas.notifications.idea_commented", args=[1]),
        OutboxMessage.objects.create(task="ideas.notifications.idea_status_changed", args=[2]),
        OutboxMessage.objects.create(task="ideas.notifications.campaign_phase_changed", args=[3, "voting"]),
        OutboxMessage.objects.create(task="ideas.notifications.coauthors_invited", args=[4]),
        OutboxMessage.objects.create(task="accounts.tasks.send_email", args=[{}]),
    ]
    (operation,) = migration.Migration.operations
    operation.code(django_apps, None)
    renamed = [OutboxMessage.objects.get(pk=message.pk) for message in waiting]
    assert [(m.task, m.args) for m in renamed] == [
        ("ideas.tasks.idea_commented", [1]),
        ("ideas.tasks.idea_status_changed", [2]),
        ("ideas.tasks.campaign_phase_changed", [3, "voting"]),
        ("ideas.tasks.coauthors_invited", [4]),
        ("accounts.tasks.send_email", [{}]),
    ]
    assert all(m.task in celery_app.tasks for m in renamed)
    operation.reverse_code(django_apps, None)
    assert OutboxMessage.objects.get(pk=waiting[0].pk).task == "ideas.notifications.idea_commented"
