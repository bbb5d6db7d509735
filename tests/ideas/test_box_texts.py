"""The idea box's heading and introduction in the reader's language (issue 10,
item 7): the texts its migration stored are shown translated until a manager
writes the box's own, which are then shown as written."""

import importlib
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

import pytest

from campaigns.models import BOX_THEME, BOX_TITLE, Campaign
from tests.factories import IdeaFactory, employee, the_box

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "ideabox_language"


def box_page(client, language: str) -> str:
    client.force_login(employee())
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get("/box/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_migration_stores_the_texts_that_are_translated():
    """The defaults here are the migration's words: if one changed, the box
    created by the migration would no longer be recognised, nor translated."""
    migration = importlib.import_module("campaigns.migrations.0002_idea_box")

    box = the_box()

    assert (box.title, box.theme) == (BOX_TITLE, BOX_THEME)
    source = Path(migration.__file__).read_text(encoding="utf-8")
    assert f'title="{BOX_TITLE}"' in source
    assert f'theme="{BOX_THEME}"' in source


def test_the_french_box_page_shows_the_default_heading_and_introduction_in_french(client):
    html = box_page(client, "fr")

    assert "<h1>Boîte à idées</h1>" in html
    assert "<h1>Idea box</h1>" not in html
    with translation.override("fr"):
        assert gettext(BOX_THEME) in html


def test_the_english_box_page_shows_them_in_english(client):
    html = box_page(client, "en")

    assert "<h1>Idea box</h1>" in html
    assert BOX_THEME in html


def test_texts_a_manager_wrote_are_shown_as_written_in_every_language(client):
    Campaign.objects.filter(pk=the_box().pk).update(title="Boîte de l'atelier", theme="Ideas from the workshop.")

    html = box_page(client, "fr")

    assert "<h1>Boîte de l&#x27;atelier</h1>" in html
    assert "Ideas from the workshop." in html


def test_a_campaign_titled_like_the_box_is_not_translated():
    campaign = Campaign(title=BOX_TITLE, theme=BOX_THEME, kind="challenge")

    with translation.override("fr"):
        assert (campaign.display_title, campaign.display_theme) == (BOX_TITLE, BOX_THEME)


def test_a_box_idea_links_back_to_the_box_in_the_readers_language(client):
    idea = IdeaFactory(campaign=the_box(), author=employee())
    client.force_login(idea.author)
    client.cookies[LANGUAGE_COOKIE] = "fr"

    html = client.get(idea.get_absolute_url()).content.decode()

    assert '<a href="/box/">← Boîte à idées</a>' in html
