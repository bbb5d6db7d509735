"""The API answers in JSON in every settings module, DEBUG or not, and
every code it can answer is in the README's error-code table."""

import re
from pathlib import Path

from django.conf import settings as django_settings

import pytest

from ideabox.api import CODES
from ideabox.exceptions import STATUS_BY_CODE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN = ["/api/v1/does-not-exist/", "/api/v1/campaigns/x/nothing-here/", "/api/v1/", "/api/v2/ideas/", "/api/"]


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "debug"])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_address_is_a_json_404_with_debug_on_or_off(client, settings, debug, method, path):
    settings.DEBUG = debug
    response = getattr(client, method)(path, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "debug"])
def test_an_api_address_without_its_final_slash_is_redirected_for_a_read(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/campaigns?phase=voting")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/campaigns/?phase=voting"


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "debug"])
def test_a_write_to_an_api_address_without_its_final_slash_is_a_json_404_naming_the_address(client, settings, debug):
    # Django's APPEND_SLASH cannot redirect a POST (and raises in DEBUG).
    settings.DEBUG = debug
    response = client.post("/api/v1/campaigns", {}, content_type="application/json")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert "/api/v1/campaigns/" in body["detail"]


@pytest.mark.parametrize("debug", [False, True], ids=["prod", "debug"])
def test_a_method_an_endpoint_does_not_take_is_a_json_405(api_client, settings, debug):
    settings.DEBUG = debug
    api_client.force_authenticate(UserFactory(groups=["campaign managers"]))
    response = api_client.delete("/api/v1/campaigns/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_pages_keep_their_html_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- the error-code table -------------------------------------------------------------

SOURCES = [p for app in ("accounts", "campaigns", "ideas", "votes", "jury", "ideabox") for p in Path(app).rglob("*.py")]
CODE_CALLS = re.compile(r"""(?:DomainError|error_body)\(\s*["']([a-z_]+)["']""")


def _readme_codes() -> set[str]:
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    table = readme.split("| status | code |", 1)[1].split("\n\n", 1)[0]
    rows = [row for row in table.splitlines() if row.startswith("|")]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[2])}


def _codes_raised_in_the_code_base() -> set[str]:
    root = Path(django_settings.BASE_DIR)
    return {code for path in SOURCES for code in CODE_CALLS.findall((root / path).read_text())}


def test_every_code_the_api_can_answer_is_in_the_readme_table():
    answered = set(STATUS_BY_CODE) | {code for _cls, code in CODES} | _codes_raised_in_the_code_base()
    missing = answered - _readme_codes()
    assert not missing, f"add these codes to the README's error-code table: {sorted(missing)}"


def test_every_code_raised_has_a_status():
    unknown = _codes_raised_in_the_code_base() - set(STATUS_BY_CODE)
    assert not unknown, f"codes raised with no HTTP status in ideabox/exceptions.py: {sorted(unknown)}"


def test_the_readme_table_lists_no_code_that_does_not_exist():
    assert _readme_codes() - set(STATUS_BY_CODE) == set()
