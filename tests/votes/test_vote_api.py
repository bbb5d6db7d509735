"""The vote API: POST and DELETE /api/v1/ideas/{id}/vote/, every refusal's
code and status, the permission matrix, rate limits and the schema."""

import re

from django.test import override_settings
from django.urls import reverse

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaigns.models import Audience, Campaign, Phase
from ideas.models import Status
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, the_box, user_with_role
from tests.votes.test_cast import state, voting_campaign
from votes import services
from votes.models import Vote

pytestmark = pytest.mark.django_db


def url(idea) -> str:
    return f"/api/v1/ideas/{idea if isinstance(idea, int) else idea.pk}/vote/"


def api_for(user) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def refusal(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def test_the_url_names():
    assert reverse("api:votes-vote", args=[5]) == "/api/v1/ideas/5/vote/"


def test_a_vote_answers_201_with_the_count_votes_left_and_receipt():
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=3), vote_count=0)
    response = api_for(UserFactory()).post(url(idea))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"votes", "votes_left", "receipt"}
    assert body["votes"] == 1 and body["votes_left"] == 2
    assert re.fullmatch(r"[0-9a-f]{64}", body["receipt"])
    assert Vote.objects.get().receipt == body["receipt"]


def test_votes_left_is_null_without_a_limit():
    idea = IdeaFactory(campaign=voting_campaign())
    assert api_for(UserFactory()).post(url(idea)).json()["votes_left"] is None


def test_the_count_is_null_while_the_campaign_hides_counts():
    idea = IdeaFactory(campaign=voting_campaign(hide_counts_while_voting=True))
    body = api_for(UserFactory()).post(url(idea)).json()
    assert body["votes"] is None
    assert Vote.objects.count() == 1


def test_a_token_authenticates():
    user = UserFactory()
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.post(url(IdeaFactory(campaign=voting_campaign()))).status_code == 201


def test_delete_withdraws_with_204():
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    api = api_for(voter)
    api.post(url(idea))
    response = api.delete(url(idea))
    assert response.status_code == 204
    assert not Vote.objects.exists()
    idea.refresh_from_db()
    assert idea.vote_count == 0


def test_every_refusal_has_its_code_and_status_and_stores_nothing():
    campaign = voting_campaign(votes_per_voter=1)
    voter = UserFactory()
    voted, other = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    api = api_for(voter)
    assert api.post(url(voted)).status_code == 201
    own = IdeaFactory(campaign=voting_campaign(), author=voter)
    closed = IdeaFactory(campaign=CampaignFactory(phase=Phase.DELIBERATION))
    internal = IdeaFactory(campaign=voting_campaign(audience=Audience.INTERNAL))
    before = state()
    refusal(api.post(url(voted)), 409, "already_voted")
    refusal(api.post(url(other)), 409, "vote_limit_reached")
    refusal(api.post(url(closed)), 409, "voting_closed")
    refusal(api.post(url(own)), 403, "own_idea")
    refusal(api.post(url(internal)), 404, "not_found")
    refusal(api.post(url(999999)), 404, "not_found")
    refusal(api_for(UserFactory(verified=False)).post(url(other)), 403, "not_allowed")
    refusal(api_for(None).post(url(other)), 401, "not_authenticated")
    refusal(api.delete(url(other)), 404, "not_voted")
    refusal(api.delete(url(closed)), 409, "voting_closed")
    refusal(api_for(None).delete(url(voted)), 401, "not_authenticated")
    assert state() == before


def test_a_merged_idea_is_refused_as_not_allowed():
    campaign = voting_campaign()
    target = IdeaFactory(campaign=campaign)
    source = IdeaFactory(campaign=campaign, status=Status.MERGED, merged_into=target)
    refusal(api_for(UserFactory()).post(url(source)), 403, "not_allowed")


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_other_methods_are_405(method):
    idea = IdeaFactory(campaign=voting_campaign())
    response = getattr(api_for(UserFactory()), method)(url(idea))
    refusal(response, 405, "method_not_allowed")


def test_a_body_is_ignored():
    idea = IdeaFactory(campaign=voting_campaign())
    response = api_for(UserFactory()).post(url(idea), {"votes": 99, "idea": 1}, format="json")
    assert response.status_code == 201
    assert response.json()["votes"] == 1


# --- the permission matrix: roles x phases x audience ---------------------------------

# What POST answers in a voting campaign, per audience.
VOTE_MATRIX = {
    "visitor": {Audience.PUBLIC: 401, Audience.INTERNAL: 401},
    "unverified": {Audience.PUBLIC: 403, Audience.INTERNAL: 404},
    "participant": {Audience.PUBLIC: 201, Audience.INTERNAL: 404},
    "employee": {Audience.PUBLIC: 201, Audience.INTERNAL: 201},
    # Moderators and managers see internal campaigns but are not employees here.
    "moderator": {Audience.PUBLIC: 201, Audience.INTERNAL: 403},
    "manager": {Audience.PUBLIC: 201, Audience.INTERNAL: 403},
    # Employees by company sign-in while it is recent (accounts.roles).
    "company employee": {Audience.PUBLIC: 201, Audience.INTERNAL: 201},
    "company leaver": {Audience.PUBLIC: 201, Audience.INTERNAL: 404},
}


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("role", list(VOTE_MATRIX))
def test_who_may_vote_and_withdraw_while_voting(role, audience):
    idea = IdeaFactory(campaign=voting_campaign(audience=audience))
    api = api_for(user_with_role(role))
    expected = VOTE_MATRIX[role][audience]
    response = api.post(url(idea))
    assert response.status_code == expected, response.content
    assert Vote.objects.count() == (1 if expected == 201 else 0)
    withdraw = api.delete(url(idea))
    assert withdraw.status_code == {201: 204, 403: 404}.get(expected, expected)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.SUBMISSION, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
@pytest.mark.parametrize("role", ["participant", "employee", "manager"])
def test_nobody_votes_outside_voting(role, phase):
    idea = IdeaFactory(campaign=CampaignFactory(phase=phase))
    response = api_for(user_with_role(role)).post(url(idea))
    # A draft is only seen by managers.
    expected = 404 if phase == Phase.DRAFT and role != "manager" else 409
    refusal(response, expected, "not_found" if expected == 404 else "voting_closed")
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("participant", 404), ("employee", 201), ("moderator", 403), ("company employee", 201), ("company leaver", 404)],
)
def test_the_box_takes_votes_from_employees(role, expected):
    idea = IdeaFactory(campaign=the_box())
    assert api_for(user_with_role(role)).post(url(idea)).status_code == expected


def test_an_employee_votes_in_the_box_whatever_the_date():
    idea = IdeaFactory(campaign=the_box())
    assert Campaign.objects.get(pk=idea.campaign_id).accepts_votes(None) is True
    assert api_for(employee()).post(url(idea)).status_code == 201


# --- rate limits -----------------------------------------------------------------


@override_settings(VOTE_RATE_PER_USER="2/m", VOTE_RATE_PER_IP="1000/m")
def test_too_many_votes_from_one_account_are_429():
    campaign = voting_campaign()
    ideas = IdeaFactory.create_batch(3, campaign=campaign)
    api = api_for(UserFactory())
    assert [api.post(url(i)).status_code for i in ideas[:2]] == [201, 201]
    response = api.post(url(ideas[2]))
    refusal(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 70
    assert Vote.objects.count() == 2
    # Another account is not held back.
    assert api_for(UserFactory()).post(url(ideas[2])).status_code == 201


@override_settings(VOTE_RATE_PER_USER="1000/m", VOTE_RATE_PER_IP="2/m")
def test_too_many_votes_from_one_address_are_429_whoever_sends_them():
    idea = IdeaFactory(campaign=voting_campaign())
    statuses = [api_for(UserFactory()).post(url(idea), REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert api_for(UserFactory()).post(url(idea), REMOTE_ADDR="198.51.100.8").status_code == 201


@override_settings(VOTE_RATE_PER_USER="1/m", VOTE_RATE_PER_IP="1000/m")
def test_withdrawals_count_towards_the_limit():
    idea = IdeaFactory(campaign=voting_campaign())
    api = api_for(UserFactory())
    assert api.post(url(idea)).status_code == 201
    refusal(api.delete(url(idea)), 429, "throttled")
    assert Vote.objects.count() == 1


# --- the OpenAPI description --------------------------------------------------------


def test_the_schema_describes_the_vote_endpoint():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operations = response.json()["paths"]["/api/v1/ideas/{id}/vote/"]
    post, delete = operations["post"], operations["delete"]
    assert post["operationId"] == "idea_vote" and delete["operationId"] == "idea_unvote"
    assert {"201", "401", "403", "404", "409", "429"} <= set(post["responses"])
    assert "204" in delete["responses"]
    assert "requestBody" not in post
    schema = response.json()["components"]["schemas"]["VoteResponse"]
    assert set(schema["properties"]) == {"votes", "votes_left", "receipt"}


def test_voting_does_not_change_others_counts():
    campaign = voting_campaign()
    a, b = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    api_for(UserFactory()).post(url(a))
    b.refresh_from_db()
    assert b.vote_count == 0
    assert services.supported_idea_ids(voter=UserFactory(), ideas=[a, b]) == set()


# --- the client address behind proxies ---------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy: the header is anyone's
        (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged first entry is ignored
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "10.0.0.3", "198.51.100.1", "198.51.100.1"),  # fewer hops than proxies
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_the_client_address_honours_the_trusted_proxies(settings, proxies, remote, forwarded, client):
    from ideabox.http import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request(remote, forwarded)) == client


def test_ipv6_addresses_count_per_64(settings):
    from votes.ratelimit import address_key

    settings.TRUSTED_PROXY_COUNT = 0
    one = address_key(_request("2001:db8:1:2::1"))
    other = address_key(_request("2001:db8:1:2:ffff::9"))
    assert one == other
    assert address_key(_request("2001:db8:1:3::1")) != one
    assert address_key(_request("203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["2001:db8:1:2::1", "198.51.100.1", "not-an-address", None])
def test_votes_and_logins_count_the_same_address(settings, forwarded):
    from allauth.core.internal.ratelimit import get_ip

    from votes.ratelimit import address_key

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = _request("10.0.0.2", forwarded)
    assert address_key(request) == get_ip(request)


@override_settings(VOTE_RATE_PER_USER="1000/m", VOTE_RATE_PER_IP="1/m", TRUSTED_PROXY_COUNT=0)
def test_one_ipv6_machine_cannot_vote_past_the_address_limit_by_changing_address():
    idea, other = IdeaFactory.create_batch(2, campaign=voting_campaign())
    first = api_for(UserFactory()).post(url(idea), REMOTE_ADDR="2001:db8:1:2::1")
    second = api_for(UserFactory()).post(url(other), REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert first.status_code == 201
    refusal(second, 429, "throttled")


@override_settings(VOTE_RATE_PER_USER="1000/m", VOTE_RATE_PER_IP="1/m", TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_limit_is_per_client_not_per_proxy():
    idea = IdeaFactory(campaign=voting_campaign())
    proxy = "10.0.0.2"
    first = api_for(UserFactory()).post(url(idea), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = api_for(UserFactory()).post(url(idea), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = api_for(UserFactory()).post(url(idea), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 429)


@pytest.mark.parametrize("pk", [0, 10**30])
def test_absurd_ids_are_404_not_500(client, pk):
    user = UserFactory()
    client.force_login(user)
    api = api_for(user)
    assert api.post(url(pk)).status_code == 404
    assert api.delete(url(pk)).status_code == 404
    assert client.post(f"/ideas/{pk}/vote/").status_code == 404
    assert client.post(f"/ideas/{pk}/unvote/", HTTP_HX_REQUEST="true").status_code == 404
