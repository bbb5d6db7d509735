"""The daily reminder of undecided awards (jury.services.remind_undecided_awards
and its task): the managers and the chair of a campaign past deliberation_ends
with a jury award undecided, once per person per day."""

import datetime

from django.core import mail
from django.utils import timezone

import pytest
from freezegun import freeze_time

from campaigns.models import Phase
from ideabox.celery import app as celery_app
from ideas.models import Status
from jury import services, tasks
from jury.models import Award, AwardBasis
from tests.factories import CampaignFactory, IdeaFactory, schedule_for, user_with_role
from tests.jury.test_ranking import award, juror

pytestmark = pytest.mark.django_db


def sent_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def test_the_task_is_registered_under_its_name():
    assert "jury.tasks.remind_undecided_awards" in celery_app.tasks


def stuck(**kwargs):
    """Past deliberation_ends, still deliberating, with a jury award undecided."""
    campaign = CampaignFactory(phase=Phase.DELIBERATION, **schedule_for(Phase.RESULTS), **kwargs)
    award(campaign, "Grand prize")
    return campaign


def test_managers_and_the_chair_are_reminded_once_a_day(django_capture_on_commit_callbacks):
    campaign = stuck()
    manager = user_with_role("manager")
    chair = juror(campaign, chair=True).user
    member = juror(campaign).user

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_undecided_awards() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_undecided_awards() == 0

    (to_manager,) = sent_to(manager)
    assert campaign.title in to_manager.body and "Grand prize" in to_manager.body
    assert f"/campaigns/{campaign.slug}/jury/awards/" in to_manager.body
    assert len(sent_to(chair)) == 1
    assert sent_to(member) == []

    with freeze_time(timezone.now() + datetime.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        assert services.remind_undecided_awards() == 2
    assert len(sent_to(manager)) == 2


def test_a_manager_gets_one_email_for_several_waiting_campaigns(django_capture_on_commit_callbacks):
    first, second = stuck(), stuck()
    manager = user_with_role("manager")

    with django_capture_on_commit_callbacks(execute=True):
        services.remind_undecided_awards()

    (message,) = sent_to(manager)
    assert first.title in message.body and second.title in message.body


def test_no_reminder_before_deliberation_ends_or_once_every_jury_award_is_decided(django_capture_on_commit_callbacks):
    early = CampaignFactory(phase=Phase.DELIBERATION)
    award(early)
    done = stuck()
    idea = IdeaFactory(campaign=done, status=Status.SHORTLISTED)
    Award.objects.filter(campaign=done).update(winner=idea, decided_at=timezone.now())
    only_public = CampaignFactory(phase=Phase.DELIBERATION, **schedule_for(Phase.RESULTS))
    award(only_public, basis=AwardBasis.PUBLIC)
    user_with_role("manager")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_undecided_awards() == 0
    assert mail.outbox == []


def test_the_reminder_is_in_the_beat_schedule_daily_at_half_past_eight():
    entry = next(e for e in celery_app.conf.beat_schedule.values() if e["task"] == "jury.tasks.remind_undecided_awards")
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({8}, {30})
