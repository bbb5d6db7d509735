"""Redis down: the site goes on on the database alone (PRODUCT.md, "Reliability").

The cache is configured as production configures it (`redis_caches`), on a
port nothing listens on: a Redis that is really down, not a mock. Votes,
pages, the token endpoint and login answer as usual; rate limits are off
until Redis returns, and the outage is logged at most once a minute.
"""

import logging
import socket

from django.test import override_settings

import pytest
from freezegun import freeze_time
from rest_framework.authtoken.models import Token

from ideabox import cache as resilient_cache
from ideabox.settings.base import redis_caches
from tests.factories import PASSWORD, IdeaFactory, UserFactory
from tests.votes.test_cast import voting_campaign
from votes.models import Vote

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down():
    resilient_cache.forget_outage()
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
        yield
    resilient_cache.forget_outage()


def outage_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ideabox.cache" and r.levelno == logging.WARNING]


def test_the_production_cache_is_the_resilient_redis_cache():
    config = redis_caches("redis://127.0.0.1:6379/0")["default"]
    assert config["BACKEND"] == "ideabox.cache.RedisCache"
    # A dead Redis costs a fraction of a second, not the system's TCP timeout.
    assert 0 < config["OPTIONS"]["socket_connect_timeout"] <= 1
    assert 0 < config["OPTIONS"]["socket_timeout"] <= 1


def test_a_vote_through_the_api_is_accepted(redis_down, api_client):
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=3))
    voter = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=voter).key}")
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/vote/")
    assert response.status_code == 201, response.content
    assert response.json()["votes_left"] == 2
    assert Vote.objects.filter(voter=voter, idea=idea).exists()


def test_a_refusal_by_the_rules_is_still_a_clean_409(redis_down, api_client):
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    api_client.force_authenticate(voter)
    assert api_client.post(f"/api/v1/ideas/{idea.pk}/vote/").status_code == 201
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/vote/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_voted"


def test_a_vote_from_the_page_and_the_idea_page_answer(redis_down, client):
    idea = IdeaFactory(campaign=voting_campaign())
    voter = UserFactory()
    client.force_login(voter)
    response = client.post(f"/ideas/{idea.pk}/vote/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Vote.objects.filter(voter=voter, idea=idea).exists()
    page = client.get(f"/ideas/{idea.pk}/")
    assert page.status_code == 200
    assert "You support this idea" in page.content.decode()


def test_the_token_endpoint_answers(redis_down, api_client):
    user = UserFactory()
    response = api_client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert response.json()["token"]


def test_login_answers(redis_down, client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert client.get("/api/v1/me/").json()["username"] == user.username


def test_the_outage_is_logged_once_a_minute(redis_down, api_client, caplog):
    ideas = IdeaFactory.create_batch(3, campaign=voting_campaign())
    api_client.force_authenticate(UserFactory())
    with freeze_time("2026-11-23 10:00:00", tick=True) as clock:
        assert api_client.post(f"/api/v1/ideas/{ideas[0].pk}/vote/").status_code == 201
        assert api_client.get(f"/ideas/{ideas[0].pk}/").status_code == 200
        clock.move_to("2026-11-23 10:00:40")
        assert api_client.post(f"/api/v1/ideas/{ideas[1].pk}/vote/").status_code == 201
        assert len(outage_warnings(caplog)) == 1
        assert "redis://127.0.0.1:" in outage_warnings(caplog)[0].getMessage()
        clock.move_to("2026-11-23 10:01:05")
        assert api_client.post(f"/api/v1/ideas/{ideas[2].pk}/vote/").status_code == 201
        assert len(outage_warnings(caplog)) == 2
