"""One URL convention (issue 11, item 9): each app's pages in its urls.py
(one namespace, the app's name), its API in api_urls.py (in the `api`
namespace, under /api/v1/); no other module owns URL patterns. The public
addresses are those documented, whatever file holds them."""

from django.urls import URLResolver, get_resolver, reverse

import pytest


@pytest.mark.parametrize(
    "name, args, address",
    [
        ("votes:vote", [7], "/ideas/7/vote/"),
        ("votes:unvote", [7], "/ideas/7/unvote/"),
        ("votes:coauthorship", [7], "/ideas/7/coauthorship/"),
        ("votes:tally", ["city"], "/campaigns/city/tally/"),
        ("votes:tally_receipts", ["city"], "/campaigns/city/tally/receipts.csv"),
        ("votes:tally_check", ["city"], "/campaigns/city/tally/check/"),
        ("votes:my_receipts", [], "/accounts/receipts/"),
        ("votes:tally_verifier", [], "/tally/verify.py"),
        ("campaigns:list", [], "/campaigns/"),
        ("campaigns:preview", ["city"], "/campaigns/city/preview.png"),
        ("api:auth-token", [], "/api/v1/auth/token/"),
        ("api:me", [], "/api/v1/me/"),
        ("api:me-notifications", [], "/api/v1/me/notifications/"),
        ("api:campaigns-list", [], "/api/v1/campaigns/"),
        ("api:campaigns-detail", ["city"], "/api/v1/campaigns/city/"),
        ("api:campaigns-follow", ["city"], "/api/v1/campaigns/city/follow/"),
        ("api:ideas-list", ["city"], "/api/v1/campaigns/city/ideas/"),
        ("api:ideas-detail", [7], "/api/v1/ideas/7/"),
        ("api:votes-vote", [7], "/api/v1/ideas/7/vote/"),
        ("api:ideas-coauthorship", [7], "/api/v1/ideas/7/coauthorship/"),
        ("api:campaign-tally", ["city"], "/api/v1/campaigns/city/tally/"),
    ],
)
def test_the_addresses_stay_the_documented_ones(name, args, address):
    assert reverse(name, args=args) == address


def test_the_vote_is_the_first_address_the_api_tries():
    api = next(e for e in get_resolver().url_patterns if isinstance(e, URLResolver) and e.namespace == "api")
    first = api.url_patterns[0]
    assert isinstance(first, URLResolver)
    assert first.url_patterns[0].name == "votes-vote"
