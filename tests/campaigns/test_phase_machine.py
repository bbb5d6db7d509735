"""The phase machine: every move forward, every refusal, and what a move sets off."""

import datetime as dt
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from freezegun import freeze_time

from campaigns import services
from campaigns.models import PHASE_ORDER, Campaign, Phase, PhaseTransition
from ideabox.exceptions import DomainError
from tests.factories import CampaignFactory, UserFactory, employee, schedule_for, the_box

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
FORWARD = list(zip(PHASE_ORDER, PHASE_ORDER[1:], strict=False))


@pytest.fixture
def frozen():
    with freeze_time(NOW):
        yield NOW


@pytest.mark.parametrize(("start", "to"), FORWARD)
def test_a_manager_moves_a_campaign_to_its_next_phase(frozen, manager, start, to):
    campaign = CampaignFactory(phase=start)

    transition = services.transition_campaign(campaign=campaign, to=to, by=manager)

    campaign.refresh_from_db()
    assert campaign.phase == to
    assert (transition.from_phase, transition.to_phase) == (start, to)
    assert transition.by == manager
    assert transition.by_scheduler is False
    assert transition.at == NOW
    assert list(PhaseTransition.objects.filter(campaign=campaign)) == [transition]


REFUSED = [(start, to) for start in PHASE_ORDER for to in PHASE_ORDER if services.NEXT_PHASE.get(start) != to]


@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_a_backward_skipping_or_standing_move_is_an_invalid_transition(manager, start, to):
    campaign = CampaignFactory(phase=start)

    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to=to, by=manager)

    assert refused.value.code == "invalid_transition"
    assert str(Phase(start).label) in refused.value.detail
    assert Campaign.objects.get(pk=campaign.pk).phase == start
    assert not PhaseTransition.objects.filter(campaign=campaign).exists()


def test_the_refusal_names_the_current_phase_and_the_only_next_one(manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=manager)
    assert refused.value.detail == "This campaign is in the Submission phase: it can only move to Voting."


@pytest.mark.parametrize("to", [*PHASE_ORDER, Phase.OPEN])
def test_the_box_never_moves(manager, to):
    box = the_box()
    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=box, to=to, by=manager)
    assert refused.value.code == "invalid_transition"
    assert Campaign.objects.get(pk=box.pk).phase == Phase.OPEN


def test_an_unknown_phase_is_invalid_input(manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to="party", by=manager)
    assert refused.value.code == "invalid"
    assert "to" in refused.value.fields


@pytest.mark.parametrize(
    "make_user",
    [UserFactory, employee, lambda: UserFactory(groups=["moderators"]), lambda: UserFactory(verified=False)],
)
def test_only_managers_move_a_campaign(make_user):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=make_user())
    assert refused.value.code == "permission_denied"
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMISSION


def test_leaving_the_draft_needs_a_complete_schedule(manager):
    campaign = CampaignFactory(phase=Phase.DRAFT, voting_opens=None, voting_closes=None, deliberation_ends=None)
    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to=Phase.SUBMISSION, by=manager)
    assert refused.value.code == "invalid"
    assert set(refused.value.fields) == {"voting_opens", "voting_closes", "deliberation_ends"}
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.DRAFT


def test_leaving_the_draft_needs_an_ordered_schedule(manager):
    schedule = schedule_for(Phase.DRAFT)
    campaign = CampaignFactory(phase=Phase.DRAFT)
    # The database refuses a disordered schedule too; build one in memory only.
    campaign.voting_closes = schedule["voting_opens"] - dt.timedelta(hours=1)
    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to=Phase.SUBMISSION, by=manager)
    assert refused.value.code == "invalid"
    assert set(refused.value.fields) == {"voting_closes"}


def test_a_stale_campaign_object_cannot_move_twice(manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    stale = Campaign.objects.get(pk=campaign.pk)
    services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager)

    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=stale, to=Phase.VOTING, by=manager)

    assert refused.value.code == "invalid_transition"
    assert "Voting" in refused.value.detail
    assert stale.phase == Phase.VOTING  # told where it really is
    assert PhaseTransition.objects.filter(campaign=campaign).count() == 1


def test_a_history_that_already_holds_the_phase_is_refused_and_nothing_moves(manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    # A campaign whose phase was set by hand to before a phase it already entered.
    PhaseTransition.objects.create(campaign=campaign, from_phase=Phase.SUBMISSION, to_phase=Phase.VOTING)

    with pytest.raises(DomainError) as refused:
        services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager)

    assert refused.value.code == "invalid_transition"
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMISSION
    assert PhaseTransition.objects.filter(campaign=campaign).count() == 1


def test_entering_voting_tells_the_followers_after_commit(manager, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with mock.patch("ideas.tasks.campaign_phase_changed.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager)
        delay.assert_not_called()  # nothing leaves before the commit
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(campaign.pk, "voting")


@pytest.mark.parametrize(("start", "to"), [pair for pair in FORWARD if pair[1] != Phase.VOTING])
def test_other_moves_send_no_notification(manager, django_capture_on_commit_callbacks, start, to):
    campaign = CampaignFactory(phase=start)
    with (
        mock.patch("ideas.tasks.campaign_phase_changed.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.transition_campaign(campaign=campaign, to=to, by=manager)
    delay.assert_not_called()


def test_a_refused_move_schedules_nothing(manager, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(DomainError):
        services.transition_campaign(campaign=campaign, to=Phase.DELIBERATION, by=manager)
    assert callbacks == []


def test_a_move_is_one_compare_and_swap_update(manager):
    campaign = CampaignFactory(phase=Phase.VOTING)
    with CaptureQueriesContext(connection) as queries:
        services.transition_campaign(campaign=campaign, to=Phase.DELIBERATION, by=manager)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"phase"' in updates[0] and "WHERE" in updates[0]


# --- the clock ------------------------------------------------------------------


def test_ideas_are_refused_after_submission_closes_even_before_the_scheduler_ran():
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    assert campaign.accepts_ideas(campaign.submission_closes - dt.timedelta(seconds=1))
    assert not campaign.accepts_ideas(campaign.submission_closes)
    assert not campaign.accepts_ideas(campaign.submission_closes + dt.timedelta(days=1))
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMISSION


def test_votes_are_refused_after_voting_closes_even_before_the_scheduler_ran():
    campaign = CampaignFactory(phase=Phase.VOTING)
    assert campaign.accepts_votes(campaign.voting_closes - dt.timedelta(seconds=1))
    assert not campaign.accepts_votes(campaign.voting_closes)
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.VOTING


@pytest.mark.parametrize("phase", [p for p in PHASE_ORDER if p != Phase.SUBMISSION])
def test_only_the_submission_phase_takes_ideas(phase):
    campaign = CampaignFactory(phase=phase)
    assert not campaign.accepts_ideas(timezone.now())


@pytest.mark.parametrize("phase", [p for p in PHASE_ORDER if p != Phase.VOTING])
def test_only_the_voting_phase_takes_votes(phase):
    campaign = CampaignFactory(phase=phase)
    assert not campaign.accepts_votes(timezone.now())


def test_the_box_always_takes_ideas_and_votes():
    box = the_box()
    far = timezone.now() + dt.timedelta(days=3650)
    assert box.accepts_ideas(far) and box.accepts_votes(far)
