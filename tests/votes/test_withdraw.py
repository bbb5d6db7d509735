"""Withdrawing a vote (votes.services.withdraw_vote)."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser

import pytest
from freezegun import freeze_time

from campaigns.models import Audience, Phase
from ideabox.exceptions import DomainError
from tests.factories import IdeaFactory, UserFactory, employee, the_box
from tests.votes.test_cast import counters_match_rows, state, voting_campaign
from votes import services
from votes.models import Ballot, Vote

pytestmark = pytest.mark.django_db


def withdraw_refused(code: str, **kwargs) -> DomainError:
    before = state()
    with pytest.raises(DomainError) as caught:
        services.withdraw_vote(**kwargs)
    assert caught.value.code == code, caught.value
    assert state() == before
    return caught.value


def test_withdrawing_gives_the_vote_back():
    campaign = voting_campaign(votes_per_voter=1)
    first, second = IdeaFactory.create_batch(2, campaign=campaign)
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=first)
    count, left = services.withdraw_vote(voter=voter, idea=first)
    assert (count, left) == (0, 1)
    assert not Vote.objects.exists()
    assert Ballot.objects.get(voter=voter).used == 0
    first.refresh_from_db()
    assert first.vote_count == 0
    assert services.cast_vote(voter=voter, idea=second)[2] == 0


def test_one_may_vote_again_after_withdrawing():
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    first = services.cast_vote(voter=voter, idea=idea)[0]
    services.withdraw_vote(voter=voter, idea=idea)
    again = services.cast_vote(voter=voter, idea=idea)[0]
    assert again.receipt != first.receipt
    assert counters_match_rows()


def test_withdrawing_without_a_vote_is_not_voted():
    idea = IdeaFactory(campaign=voting_campaign())
    error = withdraw_refused("not_voted", voter=UserFactory(), idea=idea)
    assert error.status == 404


def test_withdrawing_someone_elses_vote_is_impossible():
    idea = IdeaFactory(campaign=voting_campaign())
    services.cast_vote(voter=UserFactory(), idea=idea)
    withdraw_refused("not_voted", voter=UserFactory(), idea=idea)


def test_withdrawing_after_the_close_is_refused_even_before_the_scheduler():
    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=idea)
    with freeze_time(campaign.voting_closes + dt.timedelta(seconds=1)):
        withdraw_refused("voting_closed", voter=voter, idea=idea)


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.DELIBERATION, Phase.RESULTS])
def test_withdrawing_outside_voting_is_refused(phase):
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=idea)
    idea.campaign.__class__.objects.filter(pk=idea.campaign_id).update(phase=phase)
    withdraw_refused("voting_closed", voter=voter, idea=idea)


def test_withdrawing_in_the_box_works_any_time():
    idea = IdeaFactory(campaign=the_box())
    voter = employee()
    services.cast_vote(voter=voter, idea=idea)
    assert services.withdraw_vote(voter=voter, idea=idea) == (0, None)


def test_an_invisible_idea_is_not_found():
    idea = IdeaFactory(campaign=voting_campaign(audience=Audience.INTERNAL))
    withdraw_refused("not_found", voter=UserFactory(), idea=idea)
    withdraw_refused("not_found", voter=UserFactory(), idea=123456)


def test_a_visitor_is_not_authenticated():
    idea = IdeaFactory(campaign=voting_campaign())
    withdraw_refused("not_authenticated", voter=AnonymousUser(), idea=idea)
