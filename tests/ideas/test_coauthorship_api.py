"""Answering an invitation to co-author: the API (POST/DELETE
/api/v1/ideas/{id}/coauthorship/), the pages, and who sees what."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import jsonschema
import pytest
from freezegun import freeze_time
from rest_framework.test import APIClient

from campaigns.models import Audience
from ideas import coauthorship, services
from ideas.models import Coauthorship, Idea
from tests.factories import CampaignFactory, UserFactory, employee, the_box, user_with_role
from votes.coauthorship import accept

pytestmark = pytest.mark.django_db

State = Coauthorship.State


def api_for(user) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def url(idea) -> str:
    return f"/api/v1/ideas/{idea.pk}/coauthorship/"


def invited(campaign=None, **kwargs):
    campaign = campaign or CampaignFactory()
    make = employee if campaign.is_internal else UserFactory
    author, invitee = make(display_name="Ada Author"), make(display_name="Ivy Invitee")
    idea = services.submit_idea(
        campaign=campaign,
        author=author,
        title="Night buses",
        summary="Buses after midnight.",
        coauthors=[invitee.username],
        **kwargs,
    )
    return Idea.objects.get(pk=idea.pk), author, invitee


def refusal(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]


def state_of(idea, user):
    return Coauthorship.objects.filter(idea=idea, user=user).values_list("state", flat=True).first()


# --- the API: who may answer ---------------------------------------------------------------


def test_the_invitee_accepts_and_gets_the_ideas_co_authors():
    idea, author, invitee = invited()
    response = api_for(invitee).post(url(idea))
    assert response.status_code == 201, response.content
    assert response.json() == {
        "state": "accepted",
        "co_authors": [{"username": invitee.username, "display_name": "Ivy Invitee"}],
    }
    again = api_for(invitee).post(url(idea))
    assert again.status_code == 200 and again.json() == response.json()


@pytest.mark.parametrize("who", ["author", "participant", "employee", "moderator", "manager"])
def test_only_the_invitee_may_accept_or_decline(who):
    idea, author, invitee = invited()
    user = author if who == "author" else user_with_role(who)
    refusal(api_for(user).post(url(idea)), 404, "not_found")
    refusal(api_for(user).delete(url(idea)), 404, "not_found")
    assert state_of(idea, invitee) == State.INVITED
    assert not Coauthorship.objects.filter(user=user).exists()


def test_a_visitor_is_asked_to_log_in():
    idea, author, invitee = invited()
    refusal(api_for(None).post(url(idea)), 401, "not_authenticated")
    refusal(api_for(None).delete(url(idea)), 401, "not_authenticated")
    assert state_of(idea, invitee) == State.INVITED


def test_an_idea_the_invitee_may_not_see_is_a_404():
    idea, author, invitee = invited()
    Idea.objects.filter(pk=idea.pk).update(hidden=True, hidden_reason="Spam")
    refusal(api_for(invitee).post(url(idea)), 404, "not_found")
    refusal(api_for(invitee).post("/api/v1/ideas/999999/coauthorship/"), 404, "not_found")
    assert state_of(idea, invitee) == State.INVITED


def test_an_internal_ideas_invitation_is_not_found_by_someone_who_is_no_longer_an_employee():
    idea, author, invitee = invited(CampaignFactory(audience=Audience.INTERNAL))
    invitee.emailaddress_set.update(email="ivy@example.org")
    former = type(invitee).objects.get(pk=invitee.pk)  # no role cached from before
    refusal(api_for(former).post(url(idea)), 404, "not_found")
    assert state_of(idea, invitee) == State.INVITED


def test_the_invitee_declines():
    idea, author, invitee = invited()
    response = api_for(invitee).delete(url(idea))
    assert response.status_code == 204
    assert state_of(idea, invitee) == State.DECLINED
    refusal(api_for(invitee).delete(url(idea)), 404, "not_found")
    refusal(api_for(invitee).post(url(idea)), 404, "not_found")


def test_a_co_author_leaves():
    idea, author, invitee = invited()
    api_for(invitee).post(url(idea))
    assert api_for(invitee).delete(url(idea)).status_code == 204
    assert state_of(idea, invitee) == State.LEFT
    assert api_for(None).get(f"/api/v1/ideas/{idea.pk}/").json()["co_authors"] == []


def test_an_invitation_that_lapsed_is_a_409():
    campaign = CampaignFactory()
    idea, author, invitee = invited(campaign)
    with freeze_time(campaign.voting_opens):
        refusal(api_for(invitee).post(url(idea)), 409, "coauthors_locked")
    coauthorship.lapse_invitations(campaign=campaign)
    refusal(api_for(invitee).post(url(idea)), 409, "coauthors_locked")
    assert state_of(idea, invitee) == State.LAPSED


def test_a_co_author_cannot_leave_once_voting_opened():
    campaign = CampaignFactory()
    idea, author, invitee = invited(campaign)
    api_for(invitee).post(url(idea))
    with freeze_time(campaign.voting_opens):
        refusal(api_for(invitee).delete(url(idea)), 409, "coauthors_locked")
    assert state_of(idea, invitee) == State.ACCEPTED


# --- the API: pending invitations show nowhere ------------------------------------------


@pytest.mark.parametrize("who", [None, "author", "invitee", "participant", "moderator"])
def test_co_authors_in_the_api_are_the_accepted_ones_only(who):
    idea, author, invitee = invited()
    accepted = UserFactory(display_name="Otto Accepted")
    services.edit_idea(idea=idea, by=author, coauthors=[invitee.username, accepted.username])
    accept(idea=idea, user=accepted)
    viewer = {"author": author, "invitee": invitee}.get(who) or (user_with_role(who) if who else None)
    expected = [{"username": accepted.username, "display_name": "Otto Accepted"}]
    assert api_for(viewer).get(f"/api/v1/ideas/{idea.pk}/").json()["co_authors"] == expected
    listed = api_for(viewer).get(f"/api/v1/campaigns/{idea.campaign.slug}/ideas/").json()["results"]
    assert [row["co_authors"] for row in listed] == [expected]
    assert "Ivy Invitee" not in api_for(viewer).get(f"/api/v1/ideas/{idea.pk}/").content.decode()


def test_the_schema_describes_the_endpoint_and_the_answer_matches_it():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/ideas/{id}/coauthorship/"]
    assert {"200", "201", "401", "404", "409"} <= set(operations["post"]["responses"])
    assert {"204", "401", "404", "409"} <= set(operations["delete"]["responses"])
    reference = operations["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    idea, author, invitee = invited()
    body = api_for(invitee).post(url(idea)).json()
    jsonschema.validate(body, {**component, "components": schema["components"]}, cls=jsonschema.Draft202012Validator)
    assert set(component["properties"]) == {"state", "co_authors"}


# --- the pages ----------------------------------------------------------------------------


def test_the_invitations_page_lists_what_waits_for_an_answer(client):
    idea, author, invitee = invited()
    client.force_login(invitee)
    html = client.get("/ideas/invitations/").content.decode()
    assert "Night buses" in html and "Ada Author" in html
    assert html.count(f'action="/ideas/{idea.pk}/coauthorship/"') == 2  # accept, decline
    assert 'value="accept"' in html and 'value="decline"' in html
    assert "hx-" not in html.split('<main id="main"', 1)[1]  # plain forms: no JavaScript needed


def test_the_invitations_page_does_not_name_an_anonymous_ideas_author(client):
    idea, author, invitee = invited(CampaignFactory(allow_anonymous=True), anonymous=True)
    client.force_login(invitee)
    html = client.get("/ideas/invitations/").content.decode()
    assert "Night buses" in html and "Ada Author" not in html


def test_the_invitations_page_asks_a_visitor_to_log_in(client):
    response = client.get("/ideas/invitations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_shows_the_count_of_invitations(client):
    idea, author, invitee = invited()
    invited()  # someone else's invitation
    client.force_login(invitee)
    assert "1 invitation to co-author" in client.get("/campaigns/").content.decode()
    client.force_login(author)
    assert "invitation to co-author" not in client.get("/campaigns/").content.decode()


def test_accepting_and_declining_without_javascript(client):
    idea, author, invitee = invited()
    second, _, _ = invited()
    services.edit_idea(idea=second, by=second.author, coauthors=[invitee.username])
    client.force_login(invitee)
    response = client.post(
        f"/ideas/{idea.pk}/coauthorship/", {"action": "accept", "next": "/ideas/invitations/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/ideas/invitations/"
    assert "You are now a co-author of this idea." in response.content.decode()
    assert state_of(idea, invitee) == State.ACCEPTED
    response = client.post(f"/ideas/{second.pk}/coauthorship/", {"action": "decline", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/ideas/{second.pk}/"
    assert state_of(second, invitee) == State.DECLINED
    assert client.post(f"/ideas/{second.pk}/coauthorship/", {"action": "accept"}).status_code == 404
    assert client.post(f"/ideas/{idea.pk}/coauthorship/", {"action": "other"}).status_code == 302


def test_a_refusal_on_the_page_is_a_message(client):
    campaign = CampaignFactory()
    idea, author, invitee = invited(campaign)
    client.force_login(invitee)
    with freeze_time(campaign.voting_opens):
        response = client.post(f"/ideas/{idea.pk}/coauthorship/", {"action": "accept"}, follow=True)
    assert "This invitation lapsed when voting opened." in response.content.decode()
    assert state_of(idea, invitee) == State.INVITED


@pytest.mark.parametrize("who", [None, "participant", "moderator"])
def test_answering_on_the_page_is_for_the_invitee_only(client, who):
    idea, author, invitee = invited()
    user = user_with_role(who) if who else None
    if user:
        client.force_login(user)
    response = client.post(f"/ideas/{idea.pk}/coauthorship/", {"action": "accept"})
    assert response.status_code == (302 if user is None else 404)
    assert state_of(idea, invitee) == State.INVITED


@pytest.mark.parametrize(
    ("viewer", "sees_pending", "sees_buttons"),
    [("visitor", False, False), ("participant", False, False), ("moderator", False, False),
     ("author", True, False), ("co-author", True, False), ("invitee", False, True)],
)  # fmt: skip
def test_the_idea_page_shows_pending_invitations_to_the_authors_only(client, viewer, sees_pending, sees_buttons):
    idea, author, invitee = invited()
    colleague = UserFactory(display_name="Cleo Colleague")
    services.edit_idea(idea=idea, by=author, coauthors=[invitee.username, colleague.username])
    accept(idea=idea, user=colleague)
    user = {"author": author, "co-author": colleague, "invitee": invitee}.get(viewer) or user_with_role(viewer)
    if user:
        client.force_login(user)
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Cleo Colleague" in html  # an accepted co-author is public
    article = html.split('<main id="main"', 1)[1]  # the navigation names whoever is logged in
    assert ("Ivy Invitee" in article) is sees_pending
    assert ('value="accept"' in html) is sees_buttons
    assert ("Stop being a co-author of this idea" in html) is (viewer == "co-author")


def test_the_edit_page_holds_those_invited(client):
    idea, author, invitee = invited()
    client.force_login(author)
    html = client.get(f"/ideas/{idea.pk}/edit/").content.decode()
    assert f'value="{invitee.username}"' in html


def test_pending_invitees_are_not_named_on_the_campaign_page(client):
    idea, author, invitee = invited()
    client.force_login(user_with_role("participant"))
    assert "Ivy Invitee" not in client.get(f"/campaigns/{idea.campaign.slug}/").content.decode()


def test_the_box_accepts_without_lapse(client):
    idea, author, invitee = invited(the_box())
    client.force_login(invitee)
    client.post(f"/ideas/{idea.pk}/coauthorship/", {"action": "accept"})
    assert state_of(idea, invitee) == State.ACCEPTED


# --- query counts --------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_invitations_page_takes_as_many_queries_for_2_as_for_12_invitations(client):
    invitee = UserFactory()
    client.force_login(invitee)

    def invite_more(count):
        for _ in range(count):
            author = UserFactory()
            services.submit_idea(
                campaign=CampaignFactory(), author=author, title="An idea", summary="Why.", coauthors=[invitee.username]
            )

    invite_more(2)
    client.get("/ideas/invitations/")  # the session and the role caches warm up
    few = _queries(lambda: client.get("/ideas/invitations/"))
    invite_more(10)
    many = _queries(lambda: client.get("/ideas/invitations/"))
    assert coauthorship.pending_count(invitee) == 12
    assert many == few


def test_the_idea_page_takes_a_flat_number_of_queries_however_many_are_invited(client):
    idea, author, invitee = invited()
    client.force_login(author)
    client.get(f"/ideas/{idea.pk}/")
    few = _queries(lambda: client.get(f"/ideas/{idea.pk}/"))
    services.edit_idea(idea=idea, by=author, coauthors=[invitee.username, *(UserFactory().username for _ in range(8))])
    assert _queries(lambda: client.get(f"/ideas/{idea.pk}/")) == few
