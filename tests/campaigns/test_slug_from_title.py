"""A new campaign's address made from its title (issue 10, item 10): by the
service when none is given (unique: -2, -3 on a clash), on the page without
JavaScript and through the API; the form marks the field for site.js."""

from unittest import mock

from django.db import IntegrityError

import pytest

from campaigns import services
from campaigns.models import Campaign
from ideabox.exceptions import DomainError
from tests.campaigns.test_api import creation, url
from tests.campaigns.test_pages import form_data
from tests.factories import CampaignFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return user_with_role("manager")


def create(manager, title: str, slug: str = "") -> Campaign:
    return services.create_campaign(by=manager, title=title, slug=slug)


def test_a_campaign_without_an_address_gets_one_from_its_title(manager):
    assert create(manager, "Greener streets, for all!").slug == "greener-streets-for-all"


def test_accents_are_dropped_as_in_every_address(manager):
    assert create(manager, "Énergie à l'école").slug == "energie-a-lecole"


def test_a_taken_address_gets_the_next_free_number(manager):
    CampaignFactory(slug="greener-streets")
    CampaignFactory(slug="greener-streets-2")
    CampaignFactory(slug="greener-streets-and-parks")
    assert create(manager, "Greener streets").slug == "greener-streets-3"
    assert create(manager, "Greener streets").slug == "greener-streets-4"


def test_a_reserved_address_is_never_made(manager):
    assert create(manager, "New").slug == "new-2"


def test_a_long_title_makes_an_address_that_fits_with_its_number(manager):
    title = "a" * 100
    first = create(manager, title)
    second = create(manager, title)
    assert first.slug == "a" * 80
    assert second.slug == "a" * 78 + "-2"


def test_a_title_with_nothing_to_make_an_address_of_is_refused_on_the_address(manager):
    with pytest.raises(DomainError) as error:
        create(manager, "!!! ???")
    assert error.value.code == "invalid"
    assert list(error.value.fields) == ["slug"]
    assert "type one" in error.value.fields["slug"][0]
    assert not Campaign.objects.challenges().exists()


def test_a_given_address_is_kept_and_a_clash_is_still_refused(manager):
    assert create(manager, "Greener streets", slug="streets").slug == "streets"
    with pytest.raises(DomainError) as error:
        create(manager, "Other", slug="streets")
    assert list(error.value.fields) == ["slug"]


def test_an_address_taken_in_between_by_another_creation_is_made_again(manager):
    """Two creations with one title at once: the address the second made was
    free when it looked, its insert clashes, and it is made again with the
    next number, not refused."""
    CampaignFactory(slug="greener-streets")  # the rival, committed in between
    real = services.slug_from_title
    made = []

    def made_before_the_rival(title):
        made.append("greener-streets" if not made else real(title))
        return made[-1]

    with mock.patch.object(services, "slug_from_title", made_before_the_rival):
        campaign = create(manager, "Greener streets")
    assert made == ["greener-streets", "greener-streets-2"]
    assert campaign.slug == "greener-streets-2"


def test_an_address_taken_again_and_again_is_refused_in_the_end(manager):
    CampaignFactory(slug="taken")
    with (
        mock.patch.object(Campaign, "save", side_effect=IntegrityError("unique")) as save,
        mock.patch.object(services, "slug_from_title", return_value="taken"),
        pytest.raises(DomainError) as error,
    ):
        create(manager, "Taken")
    assert list(error.value.fields) == ["slug"]
    assert save.call_count == services.SLUG_ATTEMPTS


# --- the page, without JavaScript ------------------------------------------------------------


def test_the_new_campaign_page_makes_a_blank_address_from_the_title(client_as):
    CampaignFactory(slug="the-connected-home")
    response = client_as("manager").post("/campaigns/new/", form_data(slug=""))
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/the-connected-home-2/manage/"


def test_the_new_campaign_page_says_when_no_address_can_be_made(client_as):
    response = client_as("manager").post("/campaigns/new/", form_data(title="???", slug=""))
    assert response.status_code == 400
    form = response.context["form"]
    assert "type one" in form.errors["slug"][0]
    assert not Campaign.objects.challenges().exists()


def test_the_new_campaign_page_still_refuses_a_bad_address(client_as):
    response = client_as("manager").post("/campaigns/new/", form_data(slug="with space"))
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors


def test_the_address_follows_the_title_on_the_new_campaign_form_only(client_as):
    client = client_as("manager")
    new = client.get("/campaigns/new/").content.decode()
    assert 'data-slug-from="id_title"' in new
    assert "Made from the title when empty." in new
    campaign = CampaignFactory()
    edit = client.get(f"/campaigns/{campaign.slug}/edit/").content.decode()
    assert "data-slug-from" not in edit
    assert "Made from the title when empty." not in edit


def test_an_existing_campaign_keeps_needing_an_address(client_as):
    campaign = CampaignFactory(slug="kept")
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/edit/", form_data(slug=""))
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.slug == "kept"


# --- the API ------------------------------------------------------------------------------


def test_the_api_makes_an_omitted_address_from_the_title(api_as):
    data = creation()
    del data["slug"]
    response = api_as("manager").post(url("list"), data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "the-connected-home"


def test_the_api_says_when_no_address_can_be_made(api_as):
    data = creation(title="???")
    del data["slug"]
    response = api_as("manager").post(url("list"), data, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"slug"}
