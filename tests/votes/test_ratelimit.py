"""The vote rate limiter itself: rates, windows, and both counting back ends."""

import os
import uuid

from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

import pytest
import redis
from freezegun import freeze_time

from ideabox import cache as resilient_cache
from ideabox.settings.base import redis_caches
from tests.factories import UserFactory
from tests.ideabox.test_redis_down import closed_port
from votes.ratelimit import VoteThrottled, check_vote_rate, parse_rate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rate", "parsed"), [("120/m", (120, 60)), ("1000/10s", (1000, 10)), (" 5 / h ", (5, 3600)), ("2/d", (2, 86400))]
)
def test_it_reads_rates(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "120", "120/x", "m/120", "-1/m", "1.5/m"])
def test_it_refuses_a_rate_it_cannot_read(rate):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(rate)


def _request(user, address="203.0.113.9"):
    request = RequestFactory().post("/api/v1/ideas/1/vote/", REMOTE_ADDR=address)
    request.user = user
    return request


def _votes_until_refused(request, most=10) -> tuple[int, VoteThrottled | None]:
    for n in range(most):
        try:
            check_vote_rate(request)
        except VoteThrottled as refusal:
            return n, refusal
    return most, None


@override_settings(VOTE_RATE_PER_USER="3/m", VOTE_RATE_PER_IP="1000/m")
def test_an_account_gets_its_rate_per_window_then_a_fresh_window():
    user = UserFactory()
    with freeze_time("2026-11-23 10:00:10") as clock:
        allowed, refusal = _votes_until_refused(_request(user))
        assert allowed == 3
        assert refusal.code == "throttled" and refusal.wait == 50  # seconds to the next minute
        clock.move_to("2026-11-23 10:01:00")
        assert _votes_until_refused(_request(user))[0] == 3


@override_settings(VOTE_RATE_PER_USER="1000/m", VOTE_RATE_PER_IP="2/m")
def test_an_address_is_limited_whoever_sends_from_it():
    with freeze_time("2026-11-23 10:00:10"):
        check_vote_rate(_request(UserFactory()))
        check_vote_rate(_request(UserFactory()))
        with pytest.raises(VoteThrottled):
            check_vote_rate(_request(UserFactory()))
        check_vote_rate(_request(UserFactory(), address="203.0.113.10"))


REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="counts in Redis only when the site has one (CI's second run)")
def test_with_a_redis_cache_both_counters_live_in_redis():
    prefix = f"test-{uuid.uuid4().hex}"
    caches = redis_caches(REDIS_URL)
    caches["default"]["KEY_PREFIX"] = prefix
    user = UserFactory()
    with override_settings(CACHES=caches, VOTE_RATE_PER_USER="2/m", VOTE_RATE_PER_IP="1000/m"):
        with freeze_time("2026-11-23 10:00:10"):
            assert _votes_until_refused(_request(user))[0] == 2
        client = redis.Redis.from_url(REDIS_URL)
        keys = sorted(key.decode() for key in client.keys(f"{prefix}:*"))
        try:
            assert len(keys) == 2
            assert any(":account:60:" in key and key.endswith(f":{user.pk}") for key in keys)
            assert all(0 < client.ttl(key) <= 60 for key in keys)
        finally:
            client.delete(*keys)


@override_settings(VOTE_RATE_PER_USER="1/m", VOTE_RATE_PER_IP="1/m")
def test_with_redis_down_every_limit_is_open():
    resilient_cache.forget_outage()
    try:
        with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
            assert _votes_until_refused(_request(UserFactory()))[0] == 10
    finally:
        resilient_cache.forget_outage()
