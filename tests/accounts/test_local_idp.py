"""`make idp` and `make run-sso` (docs/sso.md, "Trying it locally"): the
demo provider's entry is valid, and its three people show the three ways a
department claim lands (an entity's code, an entity's name, unknown)."""

import json
import re
from pathlib import Path

from accounts import sso_config
from ideabox import demo

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text()


def demo_provider() -> dict:
    line = re.search(r"^DEMO_SSO_PROVIDERS \?= (.*)$", MAKEFILE, re.M).group(1)
    (entry,) = json.loads(line.replace("$(IDP_URL)", "http://127.0.0.1:9400"))
    return entry


def demo_people() -> list[dict]:
    return [json.loads(claims) for claims in re.findall(r"--user-claims '([^']*)'", MAKEFILE)]


def how_placed(value: str) -> str:
    if any(code == value for code, *_rest in demo.ENTITIES):
        return "code"
    if any(name.casefold() == value.casefold() for _code, name, *_rest in demo.ENTITIES):
        return "name"
    return "unknown"


def test_the_demo_provider_entry_is_valid():
    (checked,) = sso_config.overrides([demo_provider()])["SSO_PROVIDERS"]

    assert checked["server_url"] == "http://127.0.0.1:9400"


def test_the_demo_people_are_at_the_providers_domain():
    domains = demo_provider()["domains"]

    assert [person["email"].rpartition("@")[2] for person in demo_people()] == domains * 3


def test_the_demo_people_land_by_code_by_name_and_unknown():
    placed = {person["sub"]: how_placed(person["department"]) for person in demo_people()}

    assert placed == {"camille": "code", "sam": "name", "noor": "unknown"}


def test_the_guide_names_each_demo_person_and_department():
    guide = (ROOT / "docs" / "sso.md").read_text()

    for person in demo_people():
        assert f"| `{person['sub']}` | {person['email']} |" in guide
        assert f"`{person['department']}`" in guide
