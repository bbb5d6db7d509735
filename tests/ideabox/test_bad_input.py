"""Bad input gets a clear refusal and changes nothing: never a 500.

Each case here was a 500 found by sending malformed input to the pages and
the API (schemathesis and a scripted client), on SQLite or PostgreSQL.
"""

import pytest

from campaigns.models import Campaign, Phase
from tests.factories import CampaignFactory, IdeaFactory, user_with_role

pytestmark = pytest.mark.django_db

# Digits that str.isdigit() accepts but int() refuses.
SUPERSCRIPT_TWO = "²"


@pytest.fixture
def campaign():
    return CampaignFactory(phase=Phase.SUBMISSION)


@pytest.fixture
def manager_client(client):
    client.force_login(user_with_role("manager"))
    return client


@pytest.mark.parametrize(
    "query",
    [{"exclude": SUPERSCRIPT_TWO}, {"exclude": "abc"}, {"exclude": "-1"}, {"q": "solar\x00roof"}],
    ids=["superscript-exclude", "word-exclude", "negative-exclude", "nul-in-text"],
)
def test_similar_ideas_fragment_refuses_a_malformed_query_with_a_400(client, campaign, query):
    response = client.get(f"/campaigns/{campaign.slug}/ideas/similar/", query)

    assert response.status_code == 400


def test_similar_ideas_fragment_still_leaves_out_the_idea_being_edited(client, campaign):
    edited = IdeaFactory(campaign=campaign, title="Solar roofs for the depot")
    other = IdeaFactory(campaign=campaign, title="Solar panels on the car park")

    response = client.get(f"/campaigns/{campaign.slug}/ideas/similar/", {"q": "solar", "exclude": str(edited.pk)})

    assert response.status_code == 200
    assert other.title in response.content.decode()
    assert edited.title not in response.content.decode()


@pytest.mark.parametrize("seed", [SUPERSCRIPT_TWO, "abc", "-3", "1.5"])
def test_ideas_api_refuses_a_seed_that_is_not_a_whole_number(api_client, campaign, seed):
    response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/", {"ordering": "random", "seed": seed})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["seed"]


def _campaign_form(**overrides) -> dict:
    data = {
        "title": "Bad input",
        "slug": "bad-input",
        "theme": "",
        "audience": "public",
        "moderation": "post",
        "votes_per_voter": "3",
        "shortlist_size": "5",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides",
    [
        {"votes_per_voter": "99999999999"},
        # Paris in year 1 is 9 minutes ahead of UTC: in UTC it is before year 1.
        {"submission_opens": "0001-01-01T00:00"},
        {"deliberation_ends": "9999-12-31T23:59"},
    ],
    ids=["votes-beyond-an-integer-column", "date-before-year-1-in-utc", "date-after-year-9999-in-utc"],
)
@pytest.mark.parametrize("page", ["new", "edit"])
def test_campaign_form_refuses_values_the_database_cannot_hold(manager_client, settings, page, overrides):
    settings.TIME_ZONE = "America/New_York" if "deliberation_ends" in overrides else "Europe/Paris"
    draft = CampaignFactory(phase=Phase.DRAFT, slug="draft-one")
    url = "/campaigns/new/" if page == "new" else f"/campaigns/{draft.slug}/edit/"
    slug = "bad-input" if page == "new" else draft.slug

    response = manager_client.post(url, _campaign_form(slug=slug, **overrides))

    assert response.status_code == 400
    (field,) = overrides
    assert response.context["form"].errors[field]
    assert not Campaign.objects.filter(slug="bad-input").exists()
    draft.refresh_from_db()  # still readable: nothing out of range was stored
    assert draft.votes_per_voter != 99999999999


def test_box_settings_refuse_votes_beyond_an_integer_column(manager_client):
    response = manager_client.post(
        "/campaigns/box/edit/",
        {"title": "Idea box", "slug": "box", "moderation": "post", "review_days": "14", "votes_per_voter": "9" * 11},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["votes_per_voter"]


def test_extending_a_deadline_refuses_a_date_outside_utc(manager_client, settings, campaign):
    settings.TIME_ZONE = "Europe/Paris"
    before = campaign.submission_closes

    response = manager_client.post(f"/campaigns/{campaign.slug}/extend/", {"phase_end": "0001-01-01T00:00"})

    assert response.status_code == 400
    campaign.refresh_from_db()
    assert campaign.submission_closes == before


@pytest.mark.parametrize("next_url", ["-1", "2026-13-45", "x" * 10000, "💡", "a\x00b", "//evil.example/"])
@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_a_campaign_ignores_a_next_that_is_not_a_path_of_the_site(client, campaign, action, next_url):
    client.force_login(user_with_role("participant"))

    response = client.post(f"/campaigns/{campaign.slug}/{action}/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()


def test_following_a_campaign_still_goes_back_to_the_page_it_came_from(client, campaign):
    client.force_login(user_with_role("participant"))

    response = client.post(f"/campaigns/{campaign.slug}/follow/", {"next": "/campaigns/?page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/?page=2"
