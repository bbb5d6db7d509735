"""The scheduler: the periodic task, the management command and the service behind both."""

import datetime as dt
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

import pytest
from celery.exceptions import Retry
from freezegun import freeze_time

from campaigns import services, tasks
from campaigns.models import Campaign, Phase, PhaseTransition
from ideabox.celery import app as celery_app
from tests.concurrency import at_once
from tests.factories import DAY, CampaignFactory, the_box

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)


def moves(campaign) -> list[tuple[str, str]]:
    return list(PhaseTransition.objects.filter(campaign=campaign).order_by("pk").values_list("from_phase", "to_phase"))


def make(phase, *, days):
    """A campaign in `phase` whose five boundaries are these offsets (in days) from NOW."""
    names = ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "deliberation_ends")
    return CampaignFactory(phase=phase, **{name: NOW + offset * DAY for name, offset in zip(names, days, strict=True)})


@pytest.mark.parametrize(
    ("phase", "days", "moved_to"),
    [
        (Phase.SUBMISSION, (-10, -1, 0, 7, 14), Phase.VOTING),  # voting opens exactly now
        (Phase.VOTING, (-20, -10, -10, -1, 7), Phase.DELIBERATION),
        (Phase.DELIBERATION, (-30, -20, -20, -10, -1), Phase.RESULTS),
    ],
)
def test_a_passed_boundary_moves_the_campaign_once(phase, days, moved_to):
    campaign = make(phase, days=days)
    with freeze_time(NOW):
        transitions = services.advance_due_campaigns()

    campaign.refresh_from_db()
    assert campaign.phase == moved_to
    assert [(t.from_phase, t.to_phase) for t in transitions] == [(phase, moved_to)]
    transition = transitions[0]
    assert transition.by is None and transition.by_scheduler is True and transition.at == NOW


@pytest.mark.parametrize(
    ("phase", "days"),
    [
        (Phase.SUBMISSION, (-10, -1, 1, 7, 14)),  # submission closed, voting not yet open
        (Phase.VOTING, (-20, -10, -10, 1, 7)),
        (Phase.DELIBERATION, (-30, -20, -20, -10, 1)),
    ],
)
def test_a_boundary_still_ahead_moves_nothing(phase, days):
    campaign = make(phase, days=days)
    with freeze_time(NOW):
        assert services.advance_due_campaigns() == []
    assert Campaign.objects.get(pk=campaign.pk).phase == phase


def test_after_downtime_a_campaign_catches_up_phase_by_phase():
    # Submission opened three weeks ago, voting closed yesterday: two moves in one run.
    campaign = make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6))
    with freeze_time(NOW):
        transitions = services.advance_due_campaigns()

    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.DELIBERATION
    assert moves(campaign) == [(Phase.SUBMISSION, Phase.VOTING), (Phase.VOTING, Phase.DELIBERATION)]
    assert all(t.by_scheduler and t.at == NOW for t in transitions)


def test_a_long_downtime_catches_up_to_results_but_never_archives():
    campaign = make(Phase.SUBMISSION, days=(-90, -80, -80, -70, -60))
    with freeze_time(NOW):
        services.advance_due_campaigns()
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.RESULTS
    assert len(moves(campaign)) == 3


def test_results_are_never_archived_by_the_scheduler():
    campaign = make(Phase.RESULTS, days=(-400, -300, -300, -200, -100))
    with freeze_time(NOW):
        assert services.advance_due_campaigns() == []
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.RESULTS


def test_a_draft_is_never_moved_by_the_scheduler_even_with_its_whole_schedule_past():
    campaign = make(Phase.DRAFT, days=(-30, -20, -20, -10, -1))
    with freeze_time(NOW):
        assert services.advance_due_campaigns() == []
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.DRAFT
    assert moves(campaign) == []


def test_the_box_is_never_moved_by_the_scheduler():
    with freeze_time(NOW + 3650 * DAY):
        assert services.advance_due_campaigns() == []
    assert the_box().phase == Phase.OPEN


def test_a_second_run_changes_nothing():
    campaign = make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6))
    with freeze_time(NOW):
        first = services.advance_due_campaigns()
        second = services.advance_due_campaigns()
    assert len(first) == 2
    assert second == []
    assert len(moves(campaign)) == 2


def test_a_catch_up_past_the_whole_vote_does_not_announce_a_closed_vote(django_capture_on_commit_callbacks):
    make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6))
    with (
        mock.patch("ideas.tasks.campaign_phase_changed.delay") as delay,
        freeze_time(NOW),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.advance_due_campaigns()
    delay.assert_not_called()


def test_voting_opened_by_the_scheduler_is_announced_after_commit(django_capture_on_commit_callbacks):
    campaign = make(Phase.SUBMISSION, days=(-10, -1, -1, 7, 14))
    with (
        mock.patch("ideas.tasks.campaign_phase_changed.delay") as delay,
        freeze_time(NOW),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.advance_due_campaigns()
    delay.assert_called_once_with(campaign.pk, "voting")


def test_every_due_campaign_moves_in_one_run():
    due = [make(Phase.VOTING, days=(-20, -10, -10, -1, 7)) for _ in range(3)]
    waiting = make(Phase.VOTING, days=(-20, -10, -10, 1, 7))
    with freeze_time(NOW):
        assert len(services.advance_due_campaigns()) == 3
    assert {c.phase for c in Campaign.objects.filter(pk__in=[c.pk for c in due])} == {Phase.DELIBERATION}
    assert Campaign.objects.get(pk=waiting.pk).phase == Phase.VOTING


def test_a_campaign_moved_meanwhile_by_another_run_is_left_to_it():
    campaign = make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6))
    stale = Campaign.objects.get(pk=campaign.pk)
    with freeze_time(NOW):
        services.advance_due_campaigns()
        # The loser of a race holds the stale object; its compare-and-swap changes no row.
        with mock.patch.object(services, "due_campaigns", return_value=[stale]):
            assert services.advance_due_campaigns() == []
    assert len(moves(campaign)) == 2


# --- two schedulers at once (real threads, real connections) ------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_give_exactly_one_transition_per_boundary():
    campaigns = [make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6)) for _ in range(5)]

    def run():
        return services.advance_due_campaigns(now=NOW)

    # Each run's list of moves, or its refusal or error as a string.
    outcomes = at_once(run, run, timeout=30)
    results = [outcome for outcome in outcomes if not isinstance(outcome, str)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, str)]

    assert errors == []
    assert sum(len(r) for r in results) == 10  # 5 campaigns × 2 moves, whoever made them
    for campaign in campaigns:
        assert Campaign.objects.get(pk=campaign.pk).phase == Phase.DELIBERATION
        assert moves(campaign) == [(Phase.SUBMISSION, Phase.VOTING), (Phase.VOTING, Phase.DELIBERATION)]


# --- the Celery task and the beat schedule ------------------------------------------


def test_the_task_moves_what_is_due_and_returns_the_count():
    make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6))
    with freeze_time(NOW):
        assert tasks.advance_campaigns.delay().get() == 2


def test_the_task_run_twice_changes_nothing_the_second_time():
    campaign = make(Phase.VOTING, days=(-20, -10, -10, -1, 7))
    with freeze_time(NOW):
        assert tasks.advance_campaigns.apply().get() == 1
        assert tasks.advance_campaigns.apply().get() == 0
    assert len(moves(campaign)) == 1


def test_the_task_asks_for_a_retry_when_the_database_connection_is_lost():
    with (
        mock.patch.object(services, "advance_due_campaigns", side_effect=OperationalError("gone")),
        pytest.raises(Retry) as retry,
    ):
        tasks.advance_campaigns.apply()
    assert isinstance(retry.value.exc, OperationalError)


def test_the_task_gives_up_after_three_retries():
    with (
        mock.patch.object(services, "advance_due_campaigns", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        tasks.advance_campaigns.apply(retries=3)


def test_the_task_does_not_retry_a_bug():
    with (
        mock.patch.object(services, "advance_due_campaigns", side_effect=ValueError("bug")) as service,
        pytest.raises(ValueError),
    ):
        tasks.advance_campaigns.apply()
    assert service.call_count == 1


def test_the_beat_schedule_runs_the_scheduler_every_minute_and_the_notification_jobs():
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    every_minute = schedule["campaigns.tasks.advance_campaigns"]
    assert every_minute.minute == set(range(60)) and every_minute.hour == set(range(24))

    daily = schedule["ideas.tasks.campaigns_closing_tomorrow"]
    assert (daily.hour, daily.minute, daily.day_of_week) == ({8}, {0}, set(range(7)))

    weekly = schedule["ideas.tasks.weekly_digest"]
    assert (weekly.hour, weekly.minute, weekly.day_of_week) == ({7}, {0}, {1})  # Monday
    assert celery_app.conf.timezone == "UTC"


def test_every_scheduled_task_exists():
    # What a worker imports when it starts: every app's tasks module and
    # CELERY_IMPORTS, whatever this test run happened to import before.
    celery_app.loader.import_default_modules()

    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks


# --- manage.py advance_campaigns ----------------------------------------------------


def test_the_command_moves_what_is_due_and_says_what_moved():
    campaign = make(Phase.SUBMISSION, days=(-21, -14, -14, -1, 6))
    out = StringIO()
    with freeze_time(NOW):
        call_command("advance_campaigns", stdout=out)
    text = out.getvalue()
    assert f"{campaign.slug}: Submission → Voting" in text
    assert f"{campaign.slug}: Voting → Deliberation" in text
    assert "2 phase transitions." in text
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.DELIBERATION


def test_the_command_says_when_nothing_is_due():
    make(Phase.VOTING, days=(-20, -10, -10, 1, 7))
    out = StringIO()
    with freeze_time(NOW):
        call_command("advance_campaigns", stdout=out)
    assert out.getvalue().strip() == "No campaign is due to move."


def test_the_scheduler_uses_the_clock_when_not_told_the_time():
    campaign = CampaignFactory(phase=Phase.VOTING, voting_closes=timezone.now() - dt.timedelta(minutes=1))
    [transition] = services.advance_due_campaigns()
    assert transition.campaign == campaign
    assert abs((transition.at - timezone.now()).total_seconds()) < 60


def test_a_campaign_with_an_inconsistent_history_does_not_hold_up_the_others(caplog):
    broken = make(Phase.VOTING, days=(-20, -10, -10, -1, 7))
    # Its phase was set back by hand after it had entered deliberation once.
    PhaseTransition.objects.create(campaign=broken, from_phase=Phase.VOTING, to_phase=Phase.DELIBERATION)
    fine = make(Phase.VOTING, days=(-20, -10, -10, -1, 7))
    with freeze_time(NOW):
        transitions = services.advance_due_campaigns()
    assert [t.campaign for t in transitions] == [fine]
    assert Campaign.objects.get(pk=broken.pk).phase == Phase.VOTING
    assert f"campaign {broken.slug} not moved" in caplog.text
