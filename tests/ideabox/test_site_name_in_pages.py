"""The page title and the header's brand name the configured site (issue 10,
item 2's SITE_NAME), not a hard-coded "Ideabox"."""

import re

import pytest

pytestmark = pytest.mark.django_db


def title(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/", "Ideas that go somewhere · Acme ideas"), ("/accounts/login/", "Log in · Acme ideas")],
)
def test_the_title_and_the_brand_name_the_configured_site(client, settings, url, expected):
    settings.SITE_NAME = "Acme ideas"
    html = client.get(url).content.decode()
    assert title(html) == expected
    assert '<a class="brand" href="/">Acme ideas</a>' in html
    assert "Ideabox</a>" not in html


def test_the_home_page_and_the_e_mail_settings_name_the_configured_site(client, settings):
    from tests.factories import UserFactory

    settings.SITE_NAME = "Acme ideas"
    assert "Acme ideas collects ideas" in client.get("/").content.decode()
    client.force_login(UserFactory())
    page = client.get("/accounts/notifications/").content.decode()
    assert "Choose which e-mails Acme ideas sends you" in page
    assert "Ideabox" not in page.split("<footer")[0]
