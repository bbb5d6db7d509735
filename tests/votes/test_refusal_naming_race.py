"""A refusal is named by what the refused vote saw, not by what is true a
moment later (issue 9, item 12): on PostgreSQL, with real parallel
connections, a withdrawal that commits between the refused vote's
statement and the naming of its refusal must not turn `already_voted`
into `vote_limit_reached`."""

import threading
from collections import Counter

from django.db import connection, connections

import pytest

from campaigns.models import Phase
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from votes import services
from votes.models import Ballot, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the one-statement vote and its races are PostgreSQL's"
    ),
]


def withdraw_in_another_connection(voter, idea) -> None:
    """A DELETE request of the same voter, committed before this returns."""
    errors = []

    def run():
        try:
            services.withdraw_vote(voter=voter, idea=idea.pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not errors, errors


def test_a_withdrawal_right_after_a_refused_duplicate_does_not_make_it_over_the_limit():
    campaign = CampaignFactory(phase=Phase.VOTING, votes_per_voter=1)
    idea = IdeaFactory(campaign=campaign)
    voter = UserFactory()
    services.cast_vote(voter=voter, idea=idea.pk)  # the ballot is full, with this idea
    withdrawn = []

    def then_withdraw(execute, sql, params, many, context):
        # The DELETE commits right after the POST's write statement, before
        # anything else the POST does: the worst moment for the POST.
        try:
            return execute(sql, params, many, context)
        finally:
            if "ON CONFLICT" in sql and not withdrawn:
                withdrawn.append(True)
                withdraw_in_another_connection(voter, idea)

    with pytest.raises(services.DomainError) as refusal, connection.execute_wrapper(then_withdraw):
        services.cast_vote(voter=voter, idea=idea.pk)
    assert withdrawn
    # When the POST ran, the voter already supported this idea: that is its refusal.
    assert refusal.value.code == "already_voted"
    assert not Vote.objects.filter(voter=voter).exists()
    assert Ballot.objects.get(voter=voter).used == 0


def test_parallel_withdrawals_and_votes_on_one_idea_are_named_by_what_happened():
    campaign = CampaignFactory(phase=Phase.VOTING, votes_per_voter=1)
    idea = IdeaFactory(campaign=campaign)
    voters = UserFactory.create_batch(12)
    for voter in voters:
        services.cast_vote(voter=voter, idea=idea.pk)
    calls = []
    for voter in voters:
        calls += [
            lambda v=voter: services.withdraw_vote(voter=v, idea=idea.pk),
            lambda v=voter: services.cast_vote(voter=v, idea=idea.pk),
        ]
    results = at_once(*calls, ok="ok")
    withdrawals, votes = results[0::2], results[1::2]
    assert withdrawals == ["ok"] * len(voters), results
    # Each vote either came after its withdrawal (accepted) or before it (a duplicate).
    assert set(votes) <= {"ok", "already_voted"}, Counter(votes)
    for voter, outcome in zip(voters, votes, strict=True):
        assert Vote.objects.filter(voter=voter).count() == (outcome == "ok")
        assert Ballot.objects.get(voter=voter).used == (outcome == "ok")
