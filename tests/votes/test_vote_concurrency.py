"""The rules under real parallel requests, on PostgreSQL: threads with their
own connections, each vote its own transaction, as under gunicorn."""

import threading
from collections import Counter

from django.db import connection

import pytest

from campaigns.models import Phase
from ideas.models import Idea
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from votes import services
from votes.models import Ballot, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel transactions need PostgreSQL"),
]


def test_parallel_votes_of_one_voter_cannot_overrun_the_limit():
    campaign = CampaignFactory(phase=Phase.VOTING, votes_per_voter=5)
    ideas = IdeaFactory.create_batch(20, campaign=campaign)
    voter = UserFactory()
    results = at_once(*[lambda idea=idea: services.cast_vote(voter=voter, idea=idea.pk) for idea in ideas], ok="ok")
    assert Counter(results) == Counter({"ok": 5, "vote_limit_reached": 15}), results
    assert Vote.objects.filter(voter=voter).count() == 5
    assert Ballot.objects.get(voter=voter, campaign=campaign).used == 5
    for idea in Idea.objects.filter(campaign=campaign):
        assert idea.vote_count == idea.votes.count()


def test_parallel_identical_votes_store_exactly_one():
    idea = IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING))
    voter = UserFactory()
    results = at_once(*[lambda: services.cast_vote(voter=voter, idea=idea.pk) for _ in range(10)], ok="ok")
    assert Counter(results) == Counter({"ok": 1, "already_voted": 9}), results
    assert Vote.objects.count() == 1
    assert Ballot.objects.get(voter=voter).used == 1
    idea.refresh_from_db()
    assert idea.vote_count == 1


def test_parallel_identical_votes_on_a_limited_campaign_are_duplicates_not_over_limit():
    idea = IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING, votes_per_voter=1))
    voter = UserFactory()
    results = at_once(*[lambda: services.cast_vote(voter=voter, idea=idea.pk) for _ in range(10)], ok="ok")
    assert Counter(results) == Counter({"ok": 1, "already_voted": 9}), results
    assert Ballot.objects.get(voter=voter).used == 1


def test_many_voters_on_one_idea_lose_no_increment():
    idea = IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING))
    voters = UserFactory.create_batch(20)
    results = at_once(*[lambda v=v: services.cast_vote(voter=v, idea=idea.pk) for v in voters], ok="ok")
    assert results == ["ok"] * 20
    idea.refresh_from_db()
    assert idea.vote_count == 20 == Vote.objects.count()


def test_parallel_votes_and_withdrawals_keep_counters_equal_to_rows():
    campaign = CampaignFactory(phase=Phase.VOTING, votes_per_voter=3)
    ideas = IdeaFactory.create_batch(4, campaign=campaign)
    voters = UserFactory.create_batch(6)
    for voter in voters[:3]:
        services.cast_vote(voter=voter, idea=ideas[0].pk)
    calls = []
    for voter in voters:
        calls += [lambda v=voter, i=idea: services.cast_vote(voter=v, idea=i.pk) for idea in ideas]
    calls += [lambda v=voter: services.withdraw_vote(voter=v, idea=ideas[0].pk) for voter in voters[:3]]
    results = at_once(*calls, ok="ok")
    assert not [r for r in results if r.startswith("error")], results
    for idea in Idea.objects.filter(campaign=campaign):
        assert idea.vote_count == idea.votes.count()
    for ballot in Ballot.objects.filter(campaign=campaign):
        assert ballot.used == Vote.objects.filter(voter_id=ballot.voter_id, campaign=campaign).count() <= 3


def test_a_phase_change_waits_for_the_votes_in_flight():
    """The tally starts once the move out of voting commits: every vote
    accepted before is committed by then, and a vote after it is refused."""
    import time

    from django.db import transaction

    from campaigns.models import Campaign

    campaign = CampaignFactory(phase=Phase.VOTING)
    idea = IdeaFactory(campaign=campaign)
    voter, late_voter = UserFactory(), UserFactory()
    vote_started, phase_changed = threading.Event(), threading.Event()
    times: dict[str, float] = {}

    def slow_vote():
        with transaction.atomic():
            services.cast_vote(voter=voter, idea=idea.pk)
            vote_started.set()
            time.sleep(0.5)
            times["vote_committing"] = time.monotonic()

    def close_voting():
        vote_started.wait(timeout=10)
        Campaign.objects.filter(pk=campaign.pk, phase=Phase.VOTING).update(phase=Phase.DELIBERATION)
        times["phase_changed"] = time.monotonic()
        phase_changed.set()

    def vote_after_the_change():
        phase_changed.wait(timeout=10)
        services.cast_vote(voter=late_voter, idea=idea.pk)

    results = at_once(slow_vote, close_voting, vote_after_the_change, ok="ok")
    assert results == ["ok", "ok", "voting_closed"], results
    # The change could not complete while the vote's transaction was open.
    assert times["phase_changed"] >= times["vote_committing"]
    assert list(Vote.objects.values_list("voter_id", flat=True)) == [voter.pk]
