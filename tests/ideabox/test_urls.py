"""One URL convention (issue 11, item 9): each app's pages in its urls.py
(one namespace, the app's name), its API in api_urls.py (in the `api`
namespace, under /api/v1/); no other module owns URL patterns. The public
addresses are those documented, whatever file holds them."""

import ast
from pathlib import Path

from django.urls import URLResolver, get_resolver, reverse

import pytest

from tests.test_structure import RANKED_APPS, ROOT

URL_FILES = {"urls.py", "api_urls.py"}


def app_dirs() -> list[Path]:
    return [ROOT / app for app in RANKED_APPS if (ROOT / app).is_dir()]


def defines_urlpatterns(path: Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id in ("urlpatterns", "api_urlpatterns") for t in targets):
            return True
    return False


def test_only_urls_py_and_api_urls_py_hold_url_patterns():
    owners = sorted(
        str(path.relative_to(ROOT))
        for directory in app_dirs()
        for path in directory.rglob("*.py")
        if "migrations" not in path.parts and defines_urlpatterns(path) and path.name not in URL_FILES
    )
    assert owners == []
    strays = sorted(
        str(path.relative_to(ROOT))
        for directory in app_dirs()
        for path in directory.glob("*urls*.py")
        if path.name not in URL_FILES
    )
    assert strays == []


def test_each_app_has_one_namespace_for_its_pages_named_after_it():
    by_app: dict[str, list[str]] = {}
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or not entry.namespace or entry.namespace in ("api", "admin"):
            continue
        module = entry.urlconf_name if isinstance(entry.urlconf_name, str) else entry.urlconf_module.__name__
        by_app.setdefault(module.split(".")[0], []).append(entry.namespace)
    assert {app: names for app, names in by_app.items() if names != [app]} == {}


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
