"""The header's compact parts (issue 10, item 7; tests/e2e/test_journey_phone_french.py
measures it on one row at 1,280 px): one button per other language instead of a
select and a "Change" button, and the person's name in a span the stylesheet
may shorten, whole in the page."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def language_switch(html: str) -> str:
    found = re.search(r'<form class="language-switch".*?</form>', html, re.S)
    assert found, "no language switch"
    return found.group(0)


@pytest.mark.parametrize(
    ("current", "other", "name"), [("en", "fr", "Français"), ("fr", "en", "English")], ids=["english", "french"]
)
def test_the_header_offers_each_other_language_as_one_button(client, current, other, name):
    client.cookies["ideabox_language"] = current

    form = language_switch(client.get("/").content.decode())

    assert 'action="/i18n/setlang/" method="post"' in form
    assert re.search(r'aria-label="(Language|Langue)"', form)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input name="next" type="hidden" value="/">' in form
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", form)
    assert buttons == [f'<button type="submit" name="language" value="{other}" lang="{other}">{name}</button>']
    assert "<select" not in form


def test_the_button_switches_the_language_and_keeps_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/campaigns/"})

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/"
    assert '<html lang="fr">' in client.get("/campaigns/").content.decode()


def test_the_name_in_the_header_is_whole_in_the_page(client):
    client.force_login(UserFactory(display_name="Dominique Delacroix-Martin"))

    html = client.get("/").content.decode()

    assert '<span class="account-name">Dominique Delacroix-Martin</span>' in html
