"""The vote button renders the state its view passed in (`vote_states`),
without asking the database itself."""

from django.template.loader import render_to_string
from django.test import RequestFactory

import pytest

from tests.factories import IdeaFactory, UserFactory
from votes.services import VoteState

pytestmark = pytest.mark.django_db


def _state(**changes) -> VoteState:
    fields = {
        "voted": False,
        "can_vote": False,
        "can_withdraw": False,
        "no_votes_left": False,
        "votes_left": None,
        "counts_hidden": False,
        "log_in_to_vote": False,
        "open": True,
        "own": False,
    }
    return VoteState(**{**fields, **changes})


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (_state(can_vote=True, votes_left=2), "Support this idea"),
        (_state(voted=True, can_withdraw=True), "Withdraw my support"),
        (_state(own=True), "You cannot support your own idea."),
    ],
)
def test_the_button_renders_the_state_it_is_given_without_a_query(django_assert_num_queries, state, shown):
    idea = IdeaFactory()
    request = RequestFactory().get("/")
    request.user = UserFactory()
    with django_assert_num_queries(0):
        html = render_to_string(
            "votes/_vote_response.html", {"idea": idea, "vote_states": {idea.pk: state}}, request=request
        )
    assert shown in html


def test_the_vote_endpoint_passes_the_state_in(client):
    idea = IdeaFactory()
    client.force_login(UserFactory())
    response = client.post(f"/ideas/{idea.pk}/vote/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert idea.pk in response.context["vote_states"]
