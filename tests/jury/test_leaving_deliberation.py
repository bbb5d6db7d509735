"""Leaving deliberation (campaigns/lifecycle.py): refused while a jury award
is undecided or the public awards wait for the tally, the scheduler waiting
quietly and moving the campaign once the awards are decided, and the
publication queued after the move commits."""

import logging

from django.db import connection

import pytest
from rest_framework.test import APIClient

from campaigns import services as campaign_services
from campaigns.models import Campaign, Phase, PhaseTransition
from ideabox.exceptions import DomainError
from jury import award_services
from jury.models import Award, AwardBasis, Jury, ResultRow
from tests.concurrency import at_once
from tests.factories import UserFactory, schedule_for, user_with_role
from tests.jury.test_awards import tallied
from tests.jury.test_ranking import award, deliberating, ranked_campaign

pytestmark = pytest.mark.django_db


def move(campaign, by):
    return campaign_services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=by)


def phase_of(campaign) -> str:
    return Campaign.objects.values_list("phase", flat=True).get(pk=campaign.pk)


def test_a_manager_cannot_move_a_campaign_with_an_undecided_jury_award(manager):
    campaign, _ideas = ranked_campaign()
    award(campaign, "Grand prize")
    award(campaign, "Special mention")

    with pytest.raises(DomainError) as caught:
        move(campaign, manager)

    assert caught.value.code == "awards_undecided"
    assert caught.value.status == 409
    assert "“Grand prize”" in caught.value.detail and "“Special mention”" in caught.value.detail
    assert phase_of(campaign) == Phase.DELIBERATION
    assert not PhaseTransition.objects.filter(campaign=campaign, to_phase=Phase.RESULTS).exists()


def test_the_refused_move_decides_no_public_award_either(manager):
    campaign, _ideas = ranked_campaign()
    award(campaign, "Grand prize")
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)

    with pytest.raises(DomainError):
        move(campaign, manager)

    # rolled back with the move
    assert Award.objects.get(pk=public.pk).winner_id is None


def test_once_every_award_is_decided_the_move_publishes(manager, django_capture_on_commit_callbacks):
    campaign, (first, second, third) = ranked_campaign()
    grand = award(campaign, "Grand prize")
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)
    award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)  # as when the vote closed
    award_services.decide_award(award=grand, by=manager, winner=second)

    with django_capture_on_commit_callbacks(execute=True):
        transition = move(campaign, manager)

    assert transition.to_phase == Phase.RESULTS
    assert phase_of(campaign) == Phase.RESULTS
    assert Award.objects.get(pk=public.pk).winner_id == first.pk
    # the publication task ran once the move committed
    assert Jury.objects.get(campaign=campaign).published_at is not None
    assert ResultRow.objects.filter(campaign=campaign).count() == 3


def test_the_publication_is_queued_only_after_the_move_commits(manager, django_capture_on_commit_callbacks):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    award_services.decide_award(award=grand, by=manager, winner=first)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move(campaign, manager)

    assert Jury.objects.get(campaign=campaign).published_at is None
    assert len(callbacks) == 1


def test_a_public_award_waiting_for_the_tally_blocks_the_move(manager):
    campaign = deliberating()
    award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)

    with pytest.raises(DomainError) as caught:
        move(campaign, manager)

    assert caught.value.code == "awards_undecided"
    assert "still being counted" in caught.value.detail
    assert phase_of(campaign) == Phase.DELIBERATION


def test_a_public_award_no_idea_could_win_blocks_nothing(manager):
    campaign = deliberating()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)  # an empty shortlist: nobody voted

    assert move(campaign, manager).to_phase == Phase.RESULTS
    stored = Award.objects.get(pk=public.pk)
    assert stored.winner_id is None and stored.is_decided


def test_a_campaign_without_awards_leaves_deliberation_freely(manager):
    campaign, _ideas = ranked_campaign()

    assert move(campaign, manager).to_phase == Phase.RESULTS


def test_the_api_answers_409_awards_undecided(manager):
    campaign, _ideas = ranked_campaign()
    award(campaign)
    api = APIClient()
    api.force_authenticate(manager)

    response = api.post(f"/api/v1/campaigns/{campaign.slug}/transition/", {"to": "results"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "awards_undecided"


def test_the_manage_page_explains_the_refusal(client, manager):
    campaign, _ideas = ranked_campaign()
    award(campaign, "Grand prize")
    client.force_login(manager)

    response = client.post(f"/campaigns/{campaign.slug}/transition/", {"to": "results", "confirm": "on"})

    assert response.status_code == 409
    assert "Grand prize" in response.content.decode()
    assert phase_of(campaign) == Phase.DELIBERATION


# --- the scheduler ---------------------------------------------------------------------------


def overdue_campaign():
    """Deliberating, with deliberation_ends passed: the scheduler's business."""
    return ranked_campaign(**schedule_for(Phase.RESULTS))


def test_the_scheduler_leaves_a_campaign_with_undecided_awards_quietly(caplog):
    campaign, (first, *_rest) = overdue_campaign()
    grand = award(campaign)

    with caplog.at_level(logging.INFO, logger="campaigns.services"):
        moved = campaign_services.advance_due_campaigns()

    assert moved == []
    assert phase_of(campaign) == Phase.DELIBERATION
    waiting = [r for r in caplog.records if campaign.slug in r.getMessage()]
    assert waiting and all(r.levelno == logging.INFO for r in waiting)
    assert "stays in deliberation" in waiting[0].getMessage()

    # decided meanwhile: the next run moves it
    award_services.decide_award(award=grand, by=user_with_role("manager"), winner=first)
    moved = campaign_services.advance_due_campaigns()
    assert [(t.campaign_id, t.to_phase, t.by_scheduler) for t in moved] == [(campaign.pk, Phase.RESULTS, True)]
    assert phase_of(campaign) == Phase.RESULTS


def test_a_waiting_campaign_does_not_hold_up_the_others():
    waiting, _ideas = overdue_campaign()
    award(waiting)
    free, _ideas = overdue_campaign()

    moved = campaign_services.advance_due_campaigns()

    assert [t.campaign_id for t in moved] == [free.pk]
    assert (phase_of(waiting), phase_of(free)) == (Phase.DELIBERATION, Phase.RESULTS)


def test_the_scheduler_does_not_move_before_deliberation_ends():
    campaign, _ideas = ranked_campaign()

    assert campaign_services.advance_due_campaigns() == []
    assert phase_of(campaign) == Phase.DELIBERATION


# --- a decision racing the move -----------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_taking_a_decision_back_while_the_campaign_moves_never_leaves_it_undecided_in_results():
    for _attempt in range(5):
        one_race_of_a_move_and_an_undecide()


def one_race_of_a_move_and_an_undecide() -> None:
    campaign, (first, *_rest) = ranked_campaign()
    # A transactional test may run after another flushed the role groups'
    # permissions (serialized rollback restores rows, not the permission ids):
    # a superuser is a manager whatever the groups hold.
    manager = UserFactory(is_superuser=True)
    grand = award(campaign)
    award_services.decide_award(award=grand, by=manager, winner=first)
    fresh = Campaign.objects.get(pk=campaign.pk)

    moving, undeciding = at_once(
        lambda: move(fresh, manager),
        lambda: award_services.undecide_award(award=grand, by=manager),
    )

    moved = phase_of(campaign) == Phase.RESULTS
    decided = Award.objects.get(pk=grand.pk).winner_id is not None
    if moved:
        assert decided
        assert undeciding == "awards_closed"
    else:
        assert not decided
        assert moving == "awards_undecided"
