"""Bidirectional controls (U+202E and the others) never reach pages or
exports through titles and names (issue 9, item 15): removed at input by the
services, and from the results CSV as a second guard."""

import csv
import io

from django.urls import reverse

import pytest

from campaigns import services as campaign_services
from campaigns.models import Campaign, Category, Phase
from ideabox.text import BIDI_CONTROLS, REPLACEMENT, strip_bidi, strip_bidi_from_rows
from ideas.models import Idea, Tag
from jury import services as jury_services
from jury.models import ResultRow
from tests.factories import CampaignFactory, CategoryFactory, IdeaFactory, UserFactory
from tests.results.test_results_page import login, published

pytestmark = pytest.mark.django_db

RLO = "\u202e"
SPOOFED = f"Solar roofs {RLO}TXT.EXE"
CLEAN = "Solar roofs TXT.EXE"


def test_strip_bidi_removes_every_bidirectional_control_and_nothing_else():
    text = "".join(BIDI_CONTROLS) + "Ab\u05d0\u0627 é\u200d\U0001f600"  # Hebrew, Arabic, ZWJ, emoji stay
    assert strip_bidi(text) == "Ab\u05d0\u0627 é\u200d\U0001f600"
    assert len(BIDI_CONTROLS) == 12


def test_an_idea_title_and_tags_lose_their_bidi_controls_through_the_api(api_client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    api_client.force_authenticate(UserFactory())
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {"title": SPOOFED, "summary": "Panels.", "body": "", "tags": [f"solar{RLO}", "\u2066roof\u2069"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    idea = Idea.objects.get(pk=response.json()["id"])
    assert idea.title == CLEAN
    assert sorted(idea.tags.values_list("name", flat=True)) == ["roof", "solar"]
    assert response.json()["title"] == CLEAN


def test_an_idea_title_loses_its_bidi_controls_on_the_submit_page_and_is_shown_without(client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client.force_login(UserFactory())
    data = {"title": SPOOFED, "summary": "Panels.", "body": "", "tags": ""}
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), data)
    assert response.status_code == 302
    idea = Idea.objects.get(campaign=campaign)
    assert idea.title == CLEAN
    page = client.get(idea.get_absolute_url()).content.decode()
    assert CLEAN in page and RLO not in page


def test_an_edited_idea_title_loses_its_bidi_controls(api_client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    author = UserFactory()
    api_client.force_authenticate(author)
    created = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "Plain", "summary": "S.", "body": ""}, format="json"
    )
    response = api_client.patch(f"/api/v1/ideas/{created.json()['id']}/", {"title": SPOOFED}, format="json")
    assert response.status_code == 200, response.json()
    assert Idea.objects.get(pk=created.json()["id"]).title == CLEAN


def test_campaign_titles_and_category_names_lose_their_bidi_controls():
    manager = UserFactory(groups=["campaign managers"])
    campaign = campaign_services.create_campaign(by=manager, title=SPOOFED, slug="spoofed")
    assert Campaign.objects.get(pk=campaign.pk).title == CLEAN
    campaign_services.update_campaign(campaign=campaign, by=manager, title=f"\u202bRenamed{RLO}")
    assert Campaign.objects.get(pk=campaign.pk).title == "Renamed"
    category = campaign_services.add_category(campaign=campaign, by=manager, name=f"Energy{RLO}")
    assert Category.objects.get(pk=category.pk).name == "Energy"
    campaign_services.rename_category(category=category, by=manager, name=f"{RLO}Power")
    assert Category.objects.get(pk=category.pk).name == "Power"


def test_award_and_criterion_names_lose_their_bidi_controls():
    manager = UserFactory(groups=["campaign managers"])
    campaign = CampaignFactory(phase=Phase.DRAFT)
    award = jury_services.add_award(campaign=campaign, by=manager, name=f"Grand{RLO} prize")
    criterion = jury_services.add_criterion(campaign=campaign, by=manager, name="\u200fInnovation")
    award.refresh_from_db()
    criterion.refresh_from_db()
    assert (award.name, criterion.name) == ("Grand prize", "Innovation")


def test_the_results_csv_strips_bidi_controls_from_titles_already_stored(client):
    campaign = published(ideas=2)
    row = ResultRow.objects.filter(campaign=campaign).select_related("idea").order_by("rank").first()
    Idea.objects.filter(pk=row.idea_id).update(title=SPOOFED)  # stored before the input clean
    login(client, "manager")
    response = client.get(f"/campaigns/{campaign.slug}/results.csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    assert RLO not in text
    table = list(csv.reader(io.StringIO(text)))
    assert table[1][2] == CLEAN


# --- rows saved before input refused them (the data migrations) ----------------


def test_the_migration_helper_cleans_rows_saved_before_and_leaves_the_others():
    spoofed = IdeaFactory(title=SPOOFED)
    plain = IdeaFactory(title="Quiet \u05d0 title")
    assert strip_bidi_from_rows(Idea, "title") == 1
    spoofed.refresh_from_db()
    plain.refresh_from_db()
    assert spoofed.title == CLEAN
    assert plain.title == "Quiet \u05d0 title"
    assert strip_bidi_from_rows(Idea, "title") == 0  # a second run finds nothing


def test_the_migration_helper_marks_a_name_that_would_clash_instead_of_merging_it():
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    twin = CategoryFactory(campaign=campaign, name=f"Energy{RLO}", slug="energy-2")
    elsewhere = CategoryFactory(name=f"Energy{RLO}", slug="energy")  # another campaign: no clash
    Tag.objects.create(name="solar")
    lone_tag = Tag.objects.create(name=f"solar{RLO}")
    assert strip_bidi_from_rows(Category, "name", unique_with=("campaign_id",)) == 2
    assert strip_bidi_from_rows(Tag, "name", unique_with=()) == 1
    twin.refresh_from_db()
    elsewhere.refresh_from_db()
    lone_tag.refresh_from_db()
    assert twin.name == f"Energy{REPLACEMENT}"
    assert elsewhere.name == "Energy"
    assert lone_tag.name == f"solar{REPLACEMENT}"
    assert not any(char in BIDI_CONTROLS for char in twin.name + elsewhere.name + lone_tag.name)
