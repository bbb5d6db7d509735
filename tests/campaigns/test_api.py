"""The campaigns API: fields, filters, the permission matrix, bad input and query counts."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from PIL import Image

from campaigns.models import Audience, Campaign, CampaignFollower, Category, Phase, PhaseTransition
from tests.factories import (
    DAY,
    ROLES,
    ROLES_WITH_COMPANY,
    CampaignFactory,
    CategoryFactory,
    answers_as,
    schedule_for,
    the_box,
)

pytestmark = pytest.mark.django_db

KINDS = ["public", "internal", "draft", "box"]
SEES_INTERNAL = {"employee", "moderator", "manager"}

FIELDS = {
    "actual_dates",
    "title",
    "slug",
    "theme",
    "audience",
    "kind",
    "votes_per_voter",
    "submission_opens",
    "submission_closes",
    "voting_opens",
    "voting_closes",
    "deliberation_ends",
    "phase",
    "categories",
    "moderation",
    "allow_anonymous",
    "hide_counts_while_voting",
    "shortlist_size",
    "cover",
}


def campaign_of(kind: str) -> Campaign:
    if kind == "public":
        return CampaignFactory(phase=Phase.SUBMISSION)
    if kind == "internal":
        return CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL)
    if kind == "draft":
        return CampaignFactory(phase=Phase.DRAFT)
    return the_box()


def sees(role: str, kind: str) -> bool:
    role = answers_as(role)
    if kind == "public":
        return True
    if kind == "draft":
        return role == "manager"
    return role in SEES_INTERNAL


def url(name: str, campaign: Campaign | None = None) -> str:
    return reverse(f"api:campaigns-{name}", kwargs={"slug": campaign.slug} if campaign else None)


def png(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_addresses_are_the_documented_ones():
    campaign = CampaignFactory(slug="home")
    assert url("list") == "/api/v1/campaigns/"
    assert url("detail", campaign) == "/api/v1/campaigns/home/"
    assert url("transition", campaign) == "/api/v1/campaigns/home/transition/"
    assert url("extend", campaign) == "/api/v1/campaigns/home/extend/"
    assert url("categories", campaign) == "/api/v1/campaigns/home/categories/"
    assert url("follow", campaign) == "/api/v1/campaigns/home/follow/"


def test_a_campaign_has_the_documented_fields(api_client):
    campaign = CampaignFactory(slug="home", votes_per_voter=None)
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    body = api_client.get(url("detail", campaign)).json()
    assert set(body) == FIELDS
    assert body["categories"] == [{"slug": "energy", "name": "Energy"}]
    assert body["votes_per_voter"] is None
    assert body["cover"] is None
    assert body["phase"] == "submission" and body["kind"] == "challenge"
    assert dt.datetime.fromisoformat(body["voting_opens"]) == campaign.voting_opens


# --- reading: who sees what ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("kind", KINDS)
def test_detail_is_a_404_for_whoever_may_not_see_it(api_as, role, kind):
    campaign = campaign_of(kind)
    response = api_as(role).get(url("detail", campaign))
    if sees(role, kind):
        assert response.status_code == 200
        assert response.json()["slug"] == campaign.slug
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
def test_the_list_holds_only_what_the_caller_may_see(api_as, role):
    made = {kind: campaign_of(kind) for kind in KINDS}
    body = api_as(role).get(url("list"), {"page_size": 100}).json()
    listed = {c["slug"] for c in body["results"]}
    assert listed == {made[kind].slug for kind in KINDS if sees(role, kind)}
    assert body["count"] == len(listed)


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("kind", KINDS)
def test_categories_are_listed_for_whoever_sees_the_campaign(api_as, role, kind):
    campaign = campaign_of(kind)
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    response = api_as(role).get(url("categories", campaign))
    if sees(role, kind):
        assert response.status_code == 200
        assert response.json()["results"] == [{"slug": "energy", "name": "Energy"}]
    else:
        assert response.status_code == 404


# --- filters, search, ordering, pagination ---------------------------------------------------


def test_filters_search_and_ordering(api_as):
    CampaignFactory(title="Greener offices", phase=Phase.VOTING)
    CampaignFactory(title="Faster trains", phase=Phase.SUBMISSION)
    CampaignFactory(title="Greener trains", phase=Phase.SUBMISSION, audience=Audience.INTERNAL)
    api = api_as("employee")

    def titles(**params):
        return [c["title"] for c in api.get(url("list"), params).json()["results"]]

    assert titles(phase="voting") == ["Greener offices"]
    assert set(titles(audience="internal")) == {"Greener trains", "Idea box"}
    assert titles(kind="box") == ["Idea box"]
    assert titles(search="greener", ordering="title") == ["Greener offices", "Greener trains"]
    assert titles(kind="challenge", ordering="-title") == ["Greener trains", "Greener offices", "Faster trains"]


def test_an_unknown_filter_value_is_a_400(api_client):
    response = api_client.get(url("list"), {"phase": "party"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "phase" in response.json()["fields"]


def test_pages_have_the_documented_shape_and_a_limit(api_client):
    for _ in range(3):
        CampaignFactory()
    body = api_client.get(url("list"), {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert api_client.get(url("list"), {"page": 99}).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_query_count_does_not_grow(api_as, django_assert_num_queries, count):
    api = api_as("employee")
    for _ in range(count):
        campaign = CampaignFactory()
        CategoryFactory(campaign=campaign)
        CategoryFactory(campaign=campaign)
    # roles (verified addresses, user and group permissions), count, page, categories, phase moves
    with django_assert_num_queries(7):
        response = api.get(url("list"), {"page_size": 100})
    assert len(response.json()["results"]) == count + 1  # and the box


def test_the_categories_list_query_count_does_not_grow(api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as("participant")
    campaign = CampaignFactory()
    address = f"/api/v1/campaigns/{campaign.slug}/categories/"

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(address)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    CategoryFactory.create_batch(3, campaign=campaign)
    queries()  # the first request also loads the user's permissions, cached on the test's user object
    few, shown = queries()
    assert shown == 3
    CategoryFactory.create_batch(27, campaign=campaign)
    many, shown = queries()
    assert shown == 30
    assert few == many


# --- creating and changing ----------------------------------------------------------------------


def creation(**extra) -> dict:
    s = schedule_for(Phase.DRAFT)
    return {
        "title": "The connected home",
        "slug": "connected-home",
        "theme": "Ideas for the **home**.",
        "audience": "public",
        "votes_per_voter": 5,
        **{name: value.isoformat() for name, value in s.items()},
        **extra,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_create_campaigns(api_as, role):
    response = api_as(role).post(url("list"), creation(), format="json")
    expected = {"visitor": 401, "manager": 201}.get(role, 403)
    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert body["phase"] == "draft" and body["moderation"] == "post" and body["kind"] == "challenge"
        assert Campaign.objects.get(slug="connected-home").votes_per_voter == 5
    else:
        assert response.json()["code"] == {401: "not_authenticated", 403: "permission_denied"}[expected]
        assert not Campaign.objects.filter(slug="connected-home").exists()


def test_kind_and_phase_cannot_be_set(api_as):
    response = api_as("manager").post(url("list"), creation(kind="box", phase="voting"), format="json")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["phase"]) == ("challenge", "draft")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "bad slug!"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"audience": "everyone"}, "audience"),
        ({"votes_per_voter": 0}, "votes_per_voter"),
        ({"voting_opens": "not a date"}, "voting_opens"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, change, field):
    response = api_as("manager").post(url("list"), creation(**change), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"]
    assert not Campaign.objects.filter(title="The connected home").exists()


def test_a_duplicate_slug_is_a_400_on_the_slug(api_as):
    CampaignFactory(slug="connected-home")
    response = api_as("manager").post(url("list"), creation(), format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"slug"}


def test_dates_out_of_order_are_a_400_naming_them(api_as):
    s = schedule_for(Phase.DRAFT)
    response = api_as("manager").post(
        url("list"), creation(voting_closes=(s["voting_opens"] - DAY).isoformat()), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"voting_closes"}


def test_malformed_json_is_a_400(api_as):
    response = api_as("manager").post(url("list"), data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_cover_image_is_uploaded_and_served_as_a_url(api_as):
    data = creation()
    data["cover"] = SimpleUploadedFile("cover.png", png(), content_type="image/png")
    response = api_as("manager").post(url("list"), data, format="multipart")
    assert response.status_code == 201
    assert response.json()["cover"].startswith("http://testserver/media/campaigns/covers/")


def test_a_cover_that_is_not_an_image_is_refused(api_as):
    data = creation()
    data["cover"] = SimpleUploadedFile("cover.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = api_as("manager").post(url("list"), data, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"cover"}


def test_a_cover_over_5_mb_is_refused(api_as):
    data = creation()
    image = png() + b"\0" * (6 * 1024 * 1024)  # a valid PNG with trailing bytes: 6 MB
    data["cover"] = SimpleUploadedFile("cover.png", image, content_type="image/png")
    response = api_as("manager").post(url("list"), data, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"cover"}
    assert not Campaign.objects.filter(slug="connected-home").exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_only_managers_patch(api_as, role, kind):
    campaign = campaign_of(kind)
    response = api_as(role).patch(url("detail", campaign), {"title": "Changed"}, format="json")
    if role == "visitor":
        expected = 401
    elif not sees(role, kind):
        expected = 404
    elif role != "manager":
        expected = 403
    else:
        expected = 200
    assert response.status_code == expected
    assert (Campaign.objects.get(pk=campaign.pk).title == "Changed") is (expected == 200)


def test_patching_the_box_audience_is_refused(api_as):
    response = api_as("manager").patch(url("detail", the_box()), {"audience": "public"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"audience"}
    assert the_box().audience == "internal"


def test_patch_changes_only_what_is_sent(api_as):
    campaign = CampaignFactory(phase=Phase.SUBMISSION, allow_anonymous=False)
    response = api_as("manager").patch(url("detail", campaign), {"allow_anonymous": True}, format="json")
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.allow_anonymous is True and campaign.title.startswith("Campaign")


def test_put_is_not_allowed(api_as):
    campaign = CampaignFactory()
    response = api_as("manager").put(url("detail", campaign), creation(), format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- transitions and deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_transition_permission_matrix(api_as, role, kind):
    campaign = campaign_of(kind)
    to = campaign.next_phase or "results"
    response = api_as(role).post(url("transition", campaign), {"to": to}, format="json")
    if role == "visitor":
        expected = 401
    elif not sees(role, kind):
        expected = 404
    elif role != "manager":
        expected = 403
    elif kind == "box":
        expected = 409
    else:
        expected = 200
    assert response.status_code == expected, response.json()
    if expected == 200:
        assert response.json()["phase"] == to
        assert Campaign.objects.get(pk=campaign.pk).phase == to
    else:
        assert Campaign.objects.get(pk=campaign.pk).phase == campaign.phase
        assert not PhaseTransition.objects.filter(campaign=campaign).exists()


def test_a_skipping_transition_is_a_409(api_as):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    response = api_as("manager").post(url("transition", campaign), {"to": "results"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert "Submission" in body["detail"]


@pytest.mark.parametrize("body", [{"to": "party"}, {}, {"to": ""}])
def test_an_unknown_phase_is_a_400(api_as, body):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    response = api_as("manager").post(url("transition", campaign), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "to" in response.json()["fields"]


def test_a_draft_with_an_incomplete_schedule_cannot_leave_it(api_as):
    campaign = CampaignFactory(phase=Phase.DRAFT, deliberation_ends=None)
    response = api_as("manager").post(url("transition", campaign), {"to": "submission"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"deliberation_ends"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["public", "internal"])
def test_the_extend_permission_matrix(api_as, role, kind):
    campaign = campaign_of(kind)
    new_end = campaign.submission_closes + dt.timedelta(hours=1)
    campaign.voting_opens = campaign.submission_closes + DAY
    Campaign.objects.filter(pk=campaign.pk).update(voting_opens=campaign.voting_opens)
    response = api_as(role).post(url("extend", campaign), {"phase_end": new_end.isoformat()}, format="json")
    if role == "visitor":
        expected = 401
    elif not sees(role, kind):
        expected = 404
    elif role != "manager":
        expected = 403
    else:
        expected = 200
    assert response.status_code == expected
    assert (Campaign.objects.get(pk=campaign.pk).submission_closes == new_end) is (expected == 200)
    if expected == 200:
        assert dt.datetime.fromisoformat(response.json()["submission_closes"]) == new_end


@pytest.mark.parametrize("phase_end", ["tomorrow", "", None])
def test_extend_needs_a_date(api_as, phase_end):
    campaign = CampaignFactory(phase=Phase.VOTING)
    response = api_as("manager").post(url("extend", campaign), {"phase_end": phase_end}, format="json")
    assert response.status_code == 400
    assert "phase_end" in response.json()["fields"]


def test_extend_past_the_next_boundary_is_a_400(api_as):
    campaign = CampaignFactory(phase=Phase.VOTING)
    late = (campaign.deliberation_ends + DAY).isoformat()
    response = api_as("manager").post(url("extend", campaign), {"phase_end": late}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"phase_end"}


# --- categories and following ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_only_managers_add_categories(api_as, role, kind):
    campaign = campaign_of(kind)
    response = api_as(role).post(url("categories", campaign), {"name": "Energy"}, format="json")
    if role == "visitor":
        expected = 401
    elif not sees(role, kind):
        expected = 404
    elif role != "manager":
        expected = 403
    else:
        expected = 201
    assert response.status_code == expected
    if expected == 201:
        assert response.json() == {"slug": "energy", "name": "Energy"}
    assert Category.objects.filter(campaign=campaign).exists() is (expected == 201)


def test_a_duplicate_category_is_a_400(api_as):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    response = api_as("manager").post(url("categories", campaign), {"name": "Energy"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"name", "slug"}


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("kind", KINDS)
def test_the_follow_permission_matrix(api_as, role, kind):
    campaign = campaign_of(kind)
    api = api_as(role)
    response = api.post(url("follow", campaign))
    if role == "visitor":
        expected = 401
    elif not sees(role, kind):
        expected = 404
    elif role == "unverified":
        expected = 403
    else:
        expected = 200
    assert response.status_code == expected
    assert CampaignFollower.objects.filter(campaign=campaign).exists() is (expected == 200)
    if expected == 200:
        assert response.json() == {"following": True}
        assert api.post(url("follow", campaign)).status_code == 200  # idempotent
        assert api.delete(url("follow", campaign)).status_code == 204
        assert api.delete(url("follow", campaign)).status_code == 204
        assert not CampaignFollower.objects.filter(campaign=campaign).exists()
    elif expected == 403:
        assert response.json()["code"] == "not_allowed"


def test_the_schema_documents_the_endpoints(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{slug}/",
        "/api/v1/campaigns/{slug}/transition/",
        "/api/v1/campaigns/{slug}/extend/",
        "/api/v1/campaigns/{slug}/categories/",
        "/api/v1/campaigns/{slug}/follow/",
    ]:
        assert path in paths
