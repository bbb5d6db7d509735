"""Answers to one invitation at the same time, on PostgreSQL: threads with
their own connections, each answer its own transaction, as under gunicorn.
Whatever the order, the row's state and Idea.coauthors agree."""

from django.db import connection

import pytest

from ideas import coauthorship, services
from ideas.models import Coauthorship, Idea
from tests.concurrency import at_once
from tests.factories import CampaignFactory, UserFactory
from votes.coauthorship import accept

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel transactions need PostgreSQL"),
]


def invited():
    author, invitee = UserFactory(), UserFactory()
    idea = services.submit_idea(
        campaign=CampaignFactory(), author=author, title="Night buses", summary="Late.", coauthors=[invitee.username]
    )
    return idea, invitee


def agrees(idea, user) -> bool:
    state = Coauthorship.objects.get(idea=idea, user=user).state
    member = Idea.objects.get(pk=idea.pk).coauthors.filter(pk=user.pk).exists()
    return (state == Coauthorship.State.ACCEPTED) == member


def test_parallel_accepts_accept_once():
    idea, invitee = invited()
    results = at_once(*[lambda: accept(idea=idea.pk, user=invitee)[1] for _ in range(8)])
    assert sorted(results, key=str) == [False] * 7 + [True], results
    assert list(Idea.objects.get(pk=idea.pk).coauthors.all()) == [invitee]
    assert agrees(idea, invitee)


@pytest.mark.parametrize("rounds", range(3))
def test_an_accept_and_a_decline_at_once_leave_a_consistent_state(rounds):
    idea, invitee = invited()
    results = at_once(
        lambda: accept(idea=idea.pk, user=invitee)[0].state,
        lambda: coauthorship.decline_or_leave(idea=idea.pk, user=invitee).state,
    )
    assert not any(str(r).startswith("error") for r in results), results
    assert agrees(idea, invitee)
    assert Coauthorship.objects.get(idea=idea, user=invitee).state in ("declined", "left")


def test_an_accept_while_the_author_takes_the_name_out_leaves_no_co_author_behind():
    idea, invitee = invited()
    results = at_once(
        lambda: accept(idea=idea.pk, user=invitee)[0].state,
        lambda: services.edit_idea(idea=Idea.objects.get(pk=idea.pk), by=idea.author, coauthors=""),
    )
    assert not any(str(r).startswith("error") for r in results), results
    assert list(Idea.objects.get(pk=idea.pk).coauthors.all()) == []
    assert not Coauthorship.objects.filter(idea=idea).exists()
