"""Casting a vote (votes.services.cast_vote): every rule, and nothing stored on a refusal."""

import datetime as dt
import re

from django.db import connection
from django.utils import timezone

import pytest
from freezegun import freeze_time

from campaigns.models import Audience, Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea, Status
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, the_box
from votes import services
from votes.models import Ballot, Vote

pytestmark = pytest.mark.django_db


# --- helpers shared by the other test_*vote* files ------------------------------


def voting_campaign(**kwargs):
    return CampaignFactory(phase=Phase.VOTING, **kwargs)


def state() -> tuple:
    """Everything a vote may change: rows, ballots and every idea's counter."""
    return (
        list(Vote.objects.order_by("pk").values_list("pk", "idea_id", "voter_id")),
        list(Ballot.objects.order_by("pk").values_list("pk", "used")),
        list(Idea.objects.order_by("pk").values_list("pk", "vote_count")),
    )


def refused(code: str, **kwargs) -> DomainError:
    before = state()
    with pytest.raises(DomainError) as caught:
        services.cast_vote(**kwargs)
    assert caught.value.code == code, caught.value
    assert state() == before
    return caught.value


def counters_match_rows() -> bool:
    return all(idea.vote_count == idea.votes.count() for idea in Idea.objects.all())


# --- casting --------------------------------------------------------------------


def test_a_participant_supports_an_idea_and_gets_a_receipt():
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    vote, count, left = services.cast_vote(voter=voter, idea=idea)
    assert (vote.voter, vote.idea, vote.campaign) == (voter, idea, idea.campaign)
    assert count == 1 and left is None
    assert re.fullmatch(r"[0-9a-f]{64}", vote.receipt)
    idea.refresh_from_db()
    assert idea.vote_count == 1
    assert Ballot.objects.get(campaign=idea.campaign, voter=voter).used == 1


def test_the_idea_may_be_given_by_its_id():
    idea = IdeaFactory(campaign=voting_campaign())
    vote, count, _left = services.cast_vote(voter=UserFactory(), idea=idea.pk)
    assert vote.idea_id == idea.pk and count == 1


def test_it_refuses_a_second_vote_for_the_same_idea():
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=idea)
    refused("already_voted", voter=voter, idea=idea)


def test_a_second_vote_on_a_full_ballot_is_still_called_a_duplicate():
    campaign = voting_campaign(votes_per_voter=1)
    idea = IdeaFactory(campaign=campaign)
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=idea)
    refused("already_voted", voter=voter, idea=idea)


def test_the_limit_of_votes_per_voter_holds_and_counts_down():
    campaign = voting_campaign(votes_per_voter=2)
    first, second, third = IdeaFactory.create_batch(3, campaign=campaign)
    voter = UserFactory()
    assert services.votes_left(voter=voter, campaign=campaign) == 2
    assert services.cast_vote(voter=voter, idea=first)[2] == 1
    assert services.cast_vote(voter=voter, idea=second)[2] == 0
    error = refused("vote_limit_reached", voter=voter, idea=third)
    assert error.status == 409
    assert services.votes_left(voter=voter, campaign=campaign) == 0


def test_votes_left_is_none_without_a_limit_and_the_limit_for_a_new_voter():
    limited = voting_campaign(votes_per_voter=3)
    unlimited = voting_campaign()
    voter = UserFactory()
    assert services.votes_left(voter=voter, campaign=unlimited) is None
    assert services.votes_left(voter=voter, campaign=limited) == 3


def test_limits_are_per_campaign():
    one, other = voting_campaign(votes_per_voter=1), voting_campaign(votes_per_voter=1)
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=IdeaFactory(campaign=one))
    services.cast_vote(voter=voter, idea=IdeaFactory(campaign=other))
    assert Vote.objects.filter(voter=voter).count() == 2


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
def test_it_refuses_votes_outside_voting(phase):
    idea = IdeaFactory(campaign=CampaignFactory(phase=phase))
    error = refused("voting_closed", voter=UserFactory(), idea=idea)
    assert error.status == 409


def test_a_vote_one_second_after_the_close_is_refused_before_the_scheduler_runs():
    closes = timezone.now() + dt.timedelta(hours=1)
    campaign = voting_campaign(voting_closes=closes, deliberation_ends=closes + dt.timedelta(days=7))
    idea = IdeaFactory(campaign=campaign)
    voter = UserFactory()
    with freeze_time(closes - dt.timedelta(seconds=1)):
        services.cast_vote(voter=voter, idea=idea)
    with freeze_time(closes + dt.timedelta(seconds=1)):
        campaign.refresh_from_db()
        assert campaign.phase == Phase.VOTING  # the scheduler has not run
        refused("voting_closed", voter=UserFactory(), idea=idea)


def test_the_clock_given_by_the_caller_decides():
    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    refused("voting_closed", voter=UserFactory(), idea=idea, now=campaign.voting_closes)


def test_the_box_always_accepts_votes_from_employees():
    idea = IdeaFactory(campaign=the_box())
    far_future = timezone.now() + dt.timedelta(days=3650)
    _vote, count, left = services.cast_vote(voter=employee(), idea=idea, now=far_future)
    assert count == 1 and left is None


@pytest.mark.parametrize("who", ["participant", "unverified employee"])
def test_the_box_refuses_non_employees(who):
    voter = UserFactory() if who == "participant" else employee(verified=False)
    idea = IdeaFactory(campaign=the_box())
    # They cannot see the box at all: the idea does not exist for them.
    refused("not_found", voter=voter, idea=idea)


def test_an_internal_campaign_refuses_a_moderator_without_an_employee_address():
    idea = IdeaFactory(campaign=voting_campaign(audience=Audience.INTERNAL))
    moderator = UserFactory(groups=["moderators"])
    error = refused("not_allowed", voter=moderator, idea=idea)
    assert error.status == 403


def test_an_internal_campaign_accepts_employees():
    idea = IdeaFactory(campaign=voting_campaign(audience=Audience.INTERNAL))
    assert services.cast_vote(voter=employee(), idea=idea)[1] == 1


def test_an_unverified_address_is_not_allowed():
    idea = IdeaFactory(campaign=voting_campaign())
    refused("not_allowed", voter=UserFactory(verified=False), idea=idea)


def test_a_visitor_is_not_authenticated():
    from django.contrib.auth.models import AnonymousUser

    idea = IdeaFactory(campaign=voting_campaign())
    refused("not_authenticated", voter=AnonymousUser(), idea=idea)


def test_an_internal_campaign_is_not_found_for_the_public():
    idea = IdeaFactory(campaign=voting_campaign(audience=Audience.INTERNAL))
    refused("not_found", voter=UserFactory(), idea=idea)


def test_a_missing_idea_is_not_found():
    refused("not_found", voter=UserFactory(), idea=987654)


def test_it_refuses_ones_own_idea():
    author = UserFactory()
    idea = IdeaFactory(campaign=voting_campaign(), author=author)
    error = refused("own_idea", voter=author, idea=idea)
    assert error.status == 403


def test_it_refuses_a_coauthored_idea():
    coauthor = UserFactory()
    idea = IdeaFactory(campaign=voting_campaign())
    idea.coauthors.add(coauthor)
    refused("own_idea", voter=coauthor, idea=idea)


def test_a_hidden_idea_is_not_found_for_voters():
    idea = IdeaFactory(campaign=voting_campaign(), hidden=True, hidden_reason="spam")
    refused("not_found", voter=UserFactory(), idea=idea)


def test_a_hidden_idea_is_not_allowed_for_those_who_still_see_it():
    idea = IdeaFactory(campaign=voting_campaign(), hidden=True, hidden_reason="spam")
    moderator = UserFactory(groups=["moderators"])
    refused("not_allowed", voter=moderator, idea=idea)


def test_an_idea_awaiting_approval_is_not_found_for_voters():
    idea = IdeaFactory(campaign=voting_campaign(), approved=False)
    refused("not_found", voter=UserFactory(), idea=idea)


def test_a_merged_idea_is_not_open_to_support():
    campaign = voting_campaign()
    target = IdeaFactory(campaign=campaign)
    source = IdeaFactory(campaign=campaign, status=Status.MERGED, merged_into=target)
    error = refused("not_allowed", voter=UserFactory(), idea=source)
    assert "not open" in error.detail


def _meanwhile(monkeypatch, change):
    """Run `change` once the vote's rules have been checked, before its write:
    what a merge, a hide or a phase change committed in between does."""
    from campaigns.models import Campaign

    real = Campaign.accepts_votes

    def accepts_then_change(campaign, now=None):
        answer = real(campaign, now)
        change()
        return answer

    monkeypatch.setattr(Campaign, "accepts_votes", accepts_then_change)


def test_an_idea_merged_while_the_vote_was_on_its_way_is_refused(monkeypatch):
    """The counter update is conditional: the check passed, then the idea
    changed before the write (what a concurrent merge does)."""
    campaign = voting_campaign()
    target = IdeaFactory(campaign=campaign)
    idea = IdeaFactory(campaign=campaign)
    _meanwhile(monkeypatch, lambda: Idea.objects.filter(pk=idea.pk).update(status=Status.MERGED, merged_into=target))
    with pytest.raises(DomainError) as caught:
        services.cast_vote(voter=UserFactory(), idea=idea)
    assert caught.value.code == "not_allowed" and "not open" in caught.value.detail
    assert not Vote.objects.exists()
    assert not Ballot.objects.filter(used__gt=0).exists()


def test_an_idea_hidden_while_the_vote_was_on_its_way_is_refused(monkeypatch):
    campaign = voting_campaign(votes_per_voter=2)
    idea = IdeaFactory(campaign=campaign)
    _meanwhile(monkeypatch, lambda: Idea.objects.filter(pk=idea.pk).update(hidden=True, hidden_reason="spam"))
    with pytest.raises(DomainError) as caught:
        services.cast_vote(voter=UserFactory(), idea=idea)
    assert caught.value.code == "not_allowed"
    assert not Vote.objects.exists()
    assert not Ballot.objects.filter(used__gt=0).exists()
    assert Idea.objects.get(pk=idea.pk).vote_count == 0


def test_the_counter_equals_the_rows_after_votes_and_withdrawals():
    campaign = voting_campaign(votes_per_voter=3)
    ideas = IdeaFactory.create_batch(4, campaign=campaign)
    voters = UserFactory.create_batch(5)
    for n, voter in enumerate(voters):
        for idea in ideas[n % 2 : n % 2 + 3]:
            services.cast_vote(voter=voter, idea=idea)
    for voter in voters[:3]:
        services.withdraw_vote(voter=voter, idea=ideas[1])
    services.cast_vote(voter=voters[0], idea=ideas[3])
    assert counters_match_rows()
    for voter in voters:
        ballot = Ballot.objects.get(voter=voter, campaign=campaign)
        assert ballot.used == Vote.objects.filter(voter=voter, campaign=campaign).count()


def test_a_phase_change_between_the_check_and_the_write_refuses_the_vote(monkeypatch):
    """The phase is read again inside the vote's transaction (FOR SHARE on
    PostgreSQL), so a vote cannot slip in after the campaign left voting."""
    from campaigns.models import Campaign

    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    _meanwhile(monkeypatch, lambda: Campaign.objects.filter(pk=campaign.pk).update(phase=Phase.DELIBERATION))
    with pytest.raises(DomainError) as caught:
        services.cast_vote(voter=UserFactory(), idea=idea)
    assert caught.value.code == "voting_closed"
    assert not Vote.objects.exists() and not Ballot.objects.exists()


def test_a_co_author_accepted_between_the_check_and_the_write_is_refused(monkeypatch):
    """Co-authors are checked by the write itself, under its locks."""
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=2))
    voter = UserFactory()
    _meanwhile(monkeypatch, lambda: idea.coauthors.add(voter))
    refused("own_idea", voter=voter, idea=idea)


# --- the lean path ---------------------------------------------------------------------


def test_the_rules_read_the_idea_and_its_campaign_as_stored():
    """check_may_vote reads the idea and its campaign by one plain query on
    PostgreSQL: every value must land in its own field."""
    campaign = voting_campaign(votes_per_voter=4, hide_counts_while_voting=True)
    idea = IdeaFactory(campaign=campaign, author=UserFactory(), status=Status.SHORTLISTED, vote_count=7)
    loaded = services.check_may_vote(voter=UserFactory(), idea=idea.pk)
    for name in ("id", "campaign_id", "author_id", "status", "approved", "hidden", "vote_count"):
        assert getattr(loaded, name) == getattr(idea, name), name
    for name in ("id", "kind", "phase", "audience", "voting_closes", "votes_per_voter", "hide_counts_while_voting"):
        assert getattr(loaded.campaign, name) == getattr(campaign, name), name
    with pytest.raises(DomainError) as caught:
        services.check_may_vote(voter=UserFactory(), idea=idea.pk + 1000)
    assert caught.value.code == "not_found"


def test_an_accepted_vote_skips_the_visibility_query(monkeypatch):
    """Visibility (campaigns and roles) is read only to name a refusal."""
    from ideas.models import IdeaQuerySet

    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=2))

    def not_expected(*args, **kwargs):
        raise AssertionError("the visibility query ran for an accepted vote")

    monkeypatch.setattr(IdeaQuerySet, "visible_to", not_expected)
    vote, count, left = services.cast_vote(voter=UserFactory(), idea=idea.pk)
    assert (count, left) == (1, 1) and vote.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")
def test_a_vote_on_postgresql_is_two_reads_and_one_write(django_assert_num_queries):
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=2))
    voter = UserFactory()
    voter = type(voter).objects.get(pk=voter.pk)  # nothing cached on it
    # The idea with its campaign, the voter's verified addresses, then the
    # write in one statement (inside the test's transaction, a savepoint
    # and its release around it).
    with django_assert_num_queries(5):
        services.cast_vote(voter=voter, idea=idea.pk)
