"""Malformed or absurd request bodies are a 400 `invalid`, never a 500.

Sent to several kinds of endpoint (a list POST, a vote, a PATCH) as a
manager and as a participant, with DEBUG on and off.
"""

import json

import pytest

from campaigns.models import Campaign, Phase
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db

DEEP_ARRAYS = "[" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000
TWENTY_MB = b'{"title": "' + b"x" * (20 * 1024 * 1024) + b'"}'

ABSURD_JSON = {
    "100000-brackets": DEEP_ARRAYS.encode(),
    "100000-objects": DEEP_OBJECTS.encode(),
    "closed-deep-arrays": ("[" * 5000 + "]" * 5000).encode(),
    "deeper-than-the-limit": json.dumps({"title": json.loads("[" * 40 + "]" * 40)}).encode(),
    "invalid-utf8": b'{"title": "caf\xe9 \xff\xfe"}',
    "lone-surrogate": b'{"title": "\\ud800 roof", "summary": "s"}',
    "a-json-string": b'"just a string"',
    "a-json-array": b'[{"title": "Solar roofs"}]',
    "a-json-number": b"42",
    "null": b"null",
    "nan": b'{"title": NaN}',
    "huge-exponent": b'{"votes_per_voter": 1e999}',
    "truncated": b'{"title": "Solar',
    "empty-object-key-garbage": b"{,}",
    "a-bom-and-garbage": b"\xef\xbb\xbf\x00\x00",
}


@pytest.fixture
def campaign():
    return CampaignFactory(phase=Phase.SUBMISSION, slug="absurd")


@pytest.fixture
def voting_idea():
    return IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING))


def _endpoints(campaign, voting_idea):
    manager = UserFactory(groups=["campaign managers"])
    moderator = UserFactory(groups=["moderators"])
    voter = UserFactory()
    mine = IdeaFactory(campaign=campaign, author=voter)
    return [
        ("post", f"/api/v1/campaigns/{campaign.slug}/ideas/", voter),
        ("post", "/api/v1/campaigns/", manager),
        ("patch", f"/api/v1/campaigns/{campaign.slug}/", manager),
        ("patch", f"/api/v1/ideas/{mine.pk}/", voter),
        ("post", f"/api/v1/ideas/{voting_idea.pk}/hide/", moderator),
    ]


def _assert_invalid(response):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid"
    assert isinstance(body["detail"], str) and body["detail"]


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "debug"])
@pytest.mark.parametrize("body", list(ABSURD_JSON.values()), ids=list(ABSURD_JSON))
def test_an_absurd_json_body_is_a_400_invalid_on_every_kind_of_endpoint(
    api_client, settings, campaign, voting_idea, body, debug
):
    settings.DEBUG = debug
    endpoints = _endpoints(campaign, voting_idea)
    before = (Campaign.objects.count(), Idea.objects.count(), Vote.objects.count())
    for method, url, user in endpoints:
        api_client.force_authenticate(user)
        response = getattr(api_client, method)(url, body, content_type="application/json")
        _assert_invalid(response)
    assert (Campaign.objects.count(), Idea.objects.count(), Vote.objects.count()) == before


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "debug"])
@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz"],
)
def test_a_twenty_megabyte_body_is_a_400_invalid_in_json(
    api_client, settings, campaign, voting_idea, content_type, debug
):
    settings.DEBUG = debug
    for method, url, user in _endpoints(campaign, voting_idea):
        api_client.force_authenticate(user)
        response = getattr(api_client, method)(url, TWENTY_MB, content_type=content_type)
        _assert_invalid(response)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=bz2_codec",
        "application/json; charset=no-such-charset",
        "application/json; charset=utf-16",
    ],
)
def test_a_json_body_in_an_unusable_charset_is_a_400_invalid(api_client, campaign, content_type):
    api_client.force_authenticate(UserFactory())
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", b'{"title": "Solar"}', content_type=content_type
    )
    _assert_invalid(response)


def test_an_unknown_content_type_is_a_415_in_json(api_client, campaign):
    api_client.force_authenticate(UserFactory())
    response = api_client.post(f"/api/v1/campaigns/{campaign.slug}/ideas/", b"<idea/>", content_type="text/xml")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("body", [DEEP_ARRAYS.encode(), TWENTY_MB], ids=["100000-brackets", "20-mb"])
def test_a_vote_takes_no_body_so_it_ignores_an_absurd_one(api_client, voting_idea, body):
    # The vote endpoint never reads a body: whatever is sent is left unread,
    # so it can neither crash it nor slow it down.
    api_client.force_authenticate(UserFactory())
    response = api_client.post(f"/api/v1/ideas/{voting_idea.pk}/vote/", body, content_type="application/json")
    assert response.status_code == 201
    assert Vote.objects.filter(idea=voting_idea).count() == 1


def test_a_sane_nested_body_is_still_accepted(api_client, campaign):
    # Depth well under the limit: an object holding a list, as the API uses.
    api_client.force_authenticate(UserFactory())
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {"title": "Solar roofs", "summary": "Panels on every depot.", "body": "", "tags": ["energy", "roofs"]},
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_a_title_with_an_unpaired_surrogate_is_refused_before_the_database_sees_it(api_client, campaign):
    # Valid JSON, but not Unicode text: PostgreSQL cannot encode it (a 500 there).
    api_client.force_authenticate(UserFactory())
    body = b'{"title": "Solar \\ud800 roofs", "summary": "Panels on every depot.", "body": ""}'
    response = api_client.post(f"/api/v1/campaigns/{campaign.slug}/ideas/", body, content_type="application/json")
    _assert_invalid(response)
    assert not Idea.objects.filter(campaign=campaign, title__startswith="Solar").exists()
