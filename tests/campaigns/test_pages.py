"""The campaign pages: the list, the managers' pages, following, and the header partial."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest
from PIL import Image

from campaigns.models import Audience, Campaign, CampaignFollower, Category, Phase, PhaseTransition
from tests.campaigns.conftest import user_for
from tests.factories import (
    DAY,
    ROLES,
    ROLES_WITH_COMPANY,
    CampaignFactory,
    CategoryFactory,
    IdeaFactory,
    answers_as,
    schedule_for,
    the_box,
)

pytestmark = pytest.mark.django_db

KINDS = ["public", "internal", "draft", "box"]
SEES_INTERNAL = {"employee", "moderator", "manager"}
MANAGER_PAGES = ["edit", "manage", "categories"]


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


def expected_for_manager_page(role: str, kind: str) -> int:
    if role == "visitor":
        return 302  # to the login page
    if not sees(role, kind):
        return 404
    if role != "manager":
        return 403
    return 200


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_addresses_are_the_documented_ones():
    assert reverse("campaigns:list") == "/campaigns/"
    assert reverse("campaigns:new") == "/campaigns/new/"
    for name in ["edit", "manage", "transition", "extend", "categories", "follow", "unfollow"]:
        assert reverse(f"campaigns:{name}", kwargs={"slug": "home"}) == f"/campaigns/home/{name}/"
    for action in ["add", "rename", "delete", "up", "down"]:
        address = reverse(f"campaigns:category_{action}", kwargs={"slug": "home"})
        assert address == f"/campaigns/home/categories/{action}/"


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
def test_the_list_shows_what_each_role_may_see(client_as, role):
    made = {kind: campaign_of(kind) for kind in KINDS}
    response = client_as(role).get("/campaigns/")
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ["public", "internal", "draft"]:
        assert (made[kind].title in html) is sees(role, kind), kind
    assert "Idea box" not in html.split("<main")[1]  # the box has its own page


def test_the_list_groups_by_phase_with_the_archive_collapsed(client_as):
    for phase in [Phase.ARCHIVED, Phase.VOTING, Phase.SUBMISSION, Phase.RESULTS, Phase.DELIBERATION]:
        CampaignFactory(phase=phase, title=f"A {phase} campaign")
    html = client_as("visitor").get("/campaigns/").content.decode()
    order = [html.index(f"A {phase} campaign") for phase in ["submission", "voting", "deliberation", "results"]]
    assert order == sorted(order)
    details = html.index("<details")
    assert details < html.index("A archived campaign")
    assert details > order[-1]


def test_the_list_shows_the_phase_the_audience_and_the_next_boundary(client_as):
    CampaignFactory(
        phase=Phase.VOTING, title="Vote now", voting_closes=timezone.now() + 3 * DAY + dt.timedelta(hours=1)
    )
    CampaignFactory(phase=Phase.SUBMISSION, title="Inside", audience=Audience.INTERNAL)
    html = client_as("employee").get("/campaigns/").content.decode()
    assert "Voting closes in 3\xa0days" in html
    assert "Submission closes in 6\xa0days" in html
    assert "Internal" in html and "Public" in html
    assert "Phase: </span>Voting" in html


def test_the_list_is_paginated_and_survives_bad_page_numbers(client_as):
    for _ in range(25):
        CampaignFactory()
    client = client_as("visitor")
    first = client.get("/campaigns/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in client.get("/campaigns/?page=2").content.decode()
    for bad in ["0", "-1", "abc", "99999999999999999999"]:
        assert client.get(f"/campaigns/?page={bad}").status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_query_count_does_not_grow(client_as, django_assert_num_queries, count):
    client = client_as("manager")
    for index in range(count):
        CampaignFactory(phase=[Phase.SUBMISSION, Phase.VOTING, Phase.ARCHIVED, Phase.DRAFT][index % 4])
    # session, user, roles (addresses, user and group permissions), count, page,
    # and the navigation's count of invitations to co-author
    with django_assert_num_queries(8):
        response = client.get("/campaigns/")
    assert response.status_code == 200


def test_only_managers_see_the_new_campaign_link(client_as):
    assert "/campaigns/new/" in client_as("manager").get("/campaigns/").content.decode()


def test_a_participant_sees_no_new_campaign_link(client_as):
    assert "/campaigns/new/" not in client_as("participant").get("/campaigns/").content.decode()


# --- the managers' pages: who gets in ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_the_manager_pages_permission_matrix(client_as, role, kind, page):
    campaign = campaign_of(kind)
    response = client_as(role).get(reverse(f"campaigns:{page}", kwargs={"slug": campaign.slug}))
    assert response.status_code == expected_for_manager_page(role, kind)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_open_the_new_campaign_page(client_as, role):
    response = client_as(role).get("/campaigns/new/")
    assert response.status_code == {"visitor": 302, "manager": 200}.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "action",
    ["transition", "extend", "category_add", "category_rename", "category_delete", "category_up", "category_down"],
)
def test_the_manager_actions_permission_matrix(client_as, role, kind, action):
    campaign = campaign_of(kind)
    data = {
        "transition": {"to": campaign.next_phase or "results", "confirm": "on"},
        "extend": {"phase_end": "2099-01-01T10:00"},
        "category_add": {"name": "Energy"},
        "category_rename": {"category": "energy", "name": "Power"},
        "category_delete": {"category": "energy"},
        "category_up": {"category": "energy"},
        "category_down": {"category": "energy"},
    }[action]
    response = client_as(role).post(reverse(f"campaigns:{action}", kwargs={"slug": campaign.slug}), data)
    expected = expected_for_manager_page(role, kind)
    if expected == 200:
        return  # the managers' own outcomes are tested one by one below
    assert response.status_code == expected
    assert Campaign.objects.get(pk=campaign.pk).phase == campaign.phase
    assert not Category.objects.filter(campaign=campaign).exists()


@pytest.mark.parametrize(
    "action",
    [
        "transition",
        "extend",
        "follow",
        "unfollow",
        "category_add",
        "category_rename",
        "category_delete",
        "category_up",
        "category_down",
    ],
)
def test_post_only_actions_refuse_get(client_as, action):
    campaign = CampaignFactory()
    response = client_as("manager").get(reverse(f"campaigns:{action}", kwargs={"slug": campaign.slug}))
    assert response.status_code == 405


# --- creating and editing ------------------------------------------------------------------------


def form_data(**extra) -> dict:
    s = schedule_for(Phase.DRAFT)
    data = {
        "title": "The connected home",
        "slug": "connected-home",
        "theme": "Ideas for the **home**.",
        "audience": "public",
        "moderation": "post",
        "shortlist_size": "10",
        **{name: timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") for name, value in s.items()},
    }
    data.update(extra)
    return data


def test_a_manager_creates_a_draft_with_a_cover(client_as):
    client = client_as("manager")
    data = form_data(cover=SimpleUploadedFile("cover.png", png(), content_type="image/png"))
    response = client.post("/campaigns/new/", data)
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/connected-home/manage/"
    campaign = Campaign.objects.get(slug="connected-home")
    assert campaign.phase == Phase.DRAFT and campaign.cover.name.endswith(".png")
    entered = timezone.localtime(schedule_for(Phase.DRAFT)["voting_opens"]).replace(second=0, microsecond=0)
    assert abs((campaign.voting_opens - entered).total_seconds()) < 60


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"slug": "bad slug"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"title": ""}, "title"),
        ({"voting_closes": "2000-01-01T00:00"}, "voting_closes"),
        ({"votes_per_voter": "0"}, "votes_per_voter"),
        ({"submission_opens": "soon"}, "submission_opens"),
    ],
)
def test_a_refused_form_comes_back_with_its_errors_and_a_400(client_as, extra, field):
    response = client_as("manager").post("/campaigns/new/", form_data(**extra))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Campaign.objects.filter(title="The connected home").exists()


def test_a_duplicate_slug_is_shown_on_the_slug_field(client_as):
    CampaignFactory(slug="connected-home")
    response = client_as("manager").post("/campaigns/new/", form_data())
    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == ["A campaign with this address already exists."]


def test_a_cover_that_is_not_an_image_is_refused(client_as):
    cover = SimpleUploadedFile("cover.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client_as("manager").post("/campaigns/new/", form_data(cover=cover))
    assert response.status_code == 400
    assert "cover" in response.context["form"].errors


def test_a_6_mb_cover_is_refused(client_as):
    cover = SimpleUploadedFile("cover.png", png() + b"\0" * (6 * 1024 * 1024), content_type="image/png")
    response = client_as("manager").post("/campaigns/new/", form_data(cover=cover))
    assert response.status_code == 400
    assert response.context["form"].errors["cover"] == ["The cover image may be at most 5 MB."]


def test_a_manager_edits_a_campaign(client_as):
    campaign = CampaignFactory(phase=Phase.DRAFT, slug="old")
    response = client_as("manager").post("/campaigns/old/edit/", form_data(title="Renamed", moderation="pre"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.slug, campaign.moderation) == ("Renamed", "connected-home", "pre")


def test_the_edit_form_is_filled_with_the_campaign(client_as):
    campaign = CampaignFactory(title="Filled in")
    html = client_as("manager").get(f"/campaigns/{campaign.slug}/edit/").content.decode()
    assert 'value="Filled in"' in html
    assert timezone.localtime(campaign.voting_opens).strftime("%Y-%m-%dT%H:%M") in html


def test_the_box_is_edited_without_audience_or_schedule(client_as):
    client = client_as("manager")
    form = client.get("/campaigns/box/edit/").context["form"]
    assert "audience" not in form.fields and "voting_opens" not in form.fields
    data = {"title": "Our box", "slug": "box", "theme": "", "moderation": "post", "review_days": "5"}
    response = client.post("/campaigns/box/edit/", data)
    assert response.status_code == 302
    box = the_box()
    assert (box.title, box.review_days, box.audience, box.phase) == ("Our box", 5, "internal", "open")


# --- the manage page, transitions and deadlines ---------------------------------------------------


def test_the_manage_page_shows_the_history_and_the_followers(client_as, manager):
    campaign = CampaignFactory(phase=Phase.VOTING)
    PhaseTransition.objects.create(campaign=campaign, from_phase="submission", to_phase="voting", by_scheduler=True)
    CampaignFollower.objects.create(campaign=campaign, user=user_for("participant"))
    html = client_as("manager").get(f"/campaigns/{campaign.slug}/manage/").content.decode()
    assert "The scheduler" in html
    assert "1 person follows this campaign." in html
    assert "Move to Deliberation" in html
    assert "Extend the deadline" in html


def test_a_manager_moves_the_campaign_with_confirmation(client_as):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client = client_as("manager")
    response = client.post(f"/campaigns/{campaign.slug}/transition/", {"to": "voting", "confirm": "on"})
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.VOTING
    transition = PhaseTransition.objects.get(campaign=campaign)
    assert transition.by is not None and not transition.by_scheduler
    html = client.get(response["Location"]).content.decode()
    assert "The campaign moved to the Voting phase." in html


def test_without_confirmation_nothing_moves(client_as):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/transition/", {"to": "voting"})
    assert response.status_code == 400
    assert "Tick the box to confirm the move." in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMISSION


def test_a_refused_transition_is_explained_not_a_500(client_as):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client = client_as("manager")
    response = client.post(f"/campaigns/{campaign.slug}/transition/", {"to": "results", "confirm": "on"})
    assert response.status_code == 409
    assert "it can only move to Voting" in response.content.decode()
    response = client.post(f"/campaigns/{campaign.slug}/transition/", {"to": "party", "confirm": "on"})
    assert response.status_code == 400
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.SUBMISSION


def test_a_draft_with_an_incomplete_schedule_is_explained(client_as):
    campaign = CampaignFactory(phase=Phase.DRAFT, voting_closes=None, deliberation_ends=None)
    response = client_as("manager").post(
        f"/campaigns/{campaign.slug}/transition/", {"to": "submission", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "This date is required to leave the draft." in response.content.decode()


def test_a_manager_extends_the_deadline(client_as):
    campaign = CampaignFactory(phase=Phase.VOTING)
    new_end = timezone.localtime(campaign.voting_closes + DAY).replace(second=0, microsecond=0)
    response = client_as("manager").post(
        f"/campaigns/{campaign.slug}/extend/", {"phase_end": new_end.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).voting_closes == new_end


@pytest.mark.parametrize("value", ["", "nonsense", "2000-01-01T00:00", "2999-01-01T00:00"])
def test_a_refused_extension_comes_back_with_its_error(client_as, value):
    campaign = CampaignFactory(phase=Phase.VOTING)
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/extend/", {"phase_end": value})
    assert response.status_code == 400
    assert response.context["extend_form"].errors
    assert Campaign.objects.get(pk=campaign.pk).voting_closes == campaign.voting_closes


# --- categories ---------------------------------------------------------------------------------------


def test_a_manager_adds_renames_reorders_and_deletes_categories(client_as):
    campaign = CampaignFactory()
    client = client_as("manager")

    def post(action: str, data: dict, **kwargs):
        return client.post(f"/campaigns/{campaign.slug}/categories/{action}/", data, **kwargs)

    for name in ["Energy", "Mobility"]:
        assert post("add", {"name": name}).status_code == 302
    assert post("rename", {"category": "energy", "name": "Power"}).status_code == 302
    assert post("down", {"category": "energy"}).status_code == 302
    assert list(campaign.categories.values_list("name", flat=True)) == ["Mobility", "Power"]
    assert post("down", {"category": "energy"}).status_code == 302  # already last: nothing moves
    assert list(campaign.categories.values_list("name", flat=True)) == ["Mobility", "Power"]
    assert post("up", {"category": "energy"}).status_code == 302
    assert list(campaign.categories.values_list("name", flat=True)) == ["Power", "Mobility"]

    idea = IdeaFactory(campaign=campaign, category=Category.objects.get(slug="energy"))
    response = post("delete", {"category": "energy"}, follow=True)
    assert "its ideas are now uncategorised" in response.content.decode()
    idea.refresh_from_db()
    assert idea.category is None
    assert list(campaign.categories.values_list("slug", flat=True)) == ["mobility"]


def test_the_categories_page_posts_each_change_to_its_own_address(client_as):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    CategoryFactory(campaign=campaign, name="Mobility", slug="mobility")
    html = client_as("manager").get(f"/campaigns/{campaign.slug}/categories/").content.decode()
    for action in ["add", "rename", "delete", "up", "down"]:
        assert f'"/campaigns/{campaign.slug}/categories/{action}/"' in html, action
    assert 'name="action"' not in html


@pytest.mark.parametrize(
    "data, names",
    [
        ({"action": "add", "name": "Mobility"}, ["Energy", "Mobility"]),
        ({"action": "rename", "category": "energy", "name": "Power"}, ["Power"]),
        ({"action": "delete", "category": "energy"}, []),
    ],
)
def test_a_form_that_posts_its_action_to_the_page_still_works(client_as, data, names):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/categories/", data)
    assert response.status_code == 302
    assert list(campaign.categories.values_list("name", flat=True)) == names


@pytest.mark.parametrize("data", [{"action": "explode"}, {}])
def test_an_unknown_action_posted_to_the_page_is_a_400(client_as, data):
    campaign = CampaignFactory()
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/categories/", data)
    assert response.status_code == 400
    assert not campaign.categories.exists()


@pytest.mark.parametrize(
    "action, data",
    [
        ("add", {"name": ""}),
        ("add", {"name": "Energy", "slug": "bad slug"}),
        ("rename", {"category": "energy", "name": ""}),
        ("rename", {}),
        ("delete", {}),
        ("up", {"category": "bad slug"}),
    ],
)
def test_bad_category_requests_come_back_with_a_400(client_as, action, data):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/categories/{action}/", data)
    assert response.status_code == 400
    assert list(campaign.categories.values_list("name", flat=True)) == ["Energy"]


def test_a_duplicate_category_is_shown_on_the_form(client_as):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    response = client_as("manager").post(f"/campaigns/{campaign.slug}/categories/add/", {"name": "Energy"})
    assert response.status_code == 400
    assert "already has a category with this name" in response.content.decode()


def test_a_duplicate_name_on_rename_is_shown_above_the_list(client_as):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Energy", slug="energy")
    CategoryFactory(campaign=campaign, name="Mobility", slug="mobility")
    response = client_as("manager").post(
        f"/campaigns/{campaign.slug}/categories/rename/", {"category": "mobility", "name": "Energy"}
    )
    assert response.status_code == 400
    assert "already has a category with this name" in response.context["category_error"]


@pytest.mark.parametrize("action", ["rename", "delete", "up", "down"])
def test_an_unknown_category_is_a_404(client_as, action):
    campaign = CampaignFactory()
    response = client_as("manager").post(
        f"/campaigns/{campaign.slug}/categories/{action}/", {"category": "nothing", "name": "Power"}
    )
    assert response.status_code == 404


# --- following --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("kind", KINDS)
def test_the_follow_permission_matrix(client_as, role, kind):
    campaign = campaign_of(kind)
    response = client_as(role).post(reverse("campaigns:follow", kwargs={"slug": campaign.slug}))
    followed = CampaignFollower.objects.filter(campaign=campaign).exists()
    if role == "visitor":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif not sees(role, kind):
        assert response.status_code == 404
    elif role == "unverified":
        assert response.status_code == 302  # back, with a message
    else:
        assert response.status_code == 302
    assert followed is (role not in {"visitor", "unverified"} and sees(role, kind))


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("kind", KINDS)
def test_the_unfollow_permission_matrix(client, role, kind):
    campaign = campaign_of(kind)
    other = CampaignFollower.objects.create(campaign=campaign, user=user_for("participant"))
    user = user_for(role)
    if user.is_authenticated:
        client.force_login(user)
        CampaignFollower.objects.create(campaign=campaign, user=user)
    response = client.post(reverse("campaigns:unfollow", kwargs={"slug": campaign.slug}))
    if role == "visitor":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif not sees(role, kind):
        assert response.status_code == 404
    else:
        assert response.status_code == 302  # unfollowing needs no verified address
    still_following = CampaignFollower.objects.filter(campaign=campaign).exclude(pk=other.pk).exists()
    assert still_following is (role != "visitor" and not sees(role, kind))
    assert CampaignFollower.objects.filter(pk=other.pk).exists()


def test_following_with_htmx_swaps_the_button(client_as):
    campaign = CampaignFactory()
    client = client_as("participant")
    response = client.post(f"/campaigns/{campaign.slug}/follow/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/campaigns/{campaign.slug}/unfollow/" in html and 'aria-live="polite"' in html
    response = client.post(f"/campaigns/{campaign.slug}/unfollow/", HTTP_HX_REQUEST="true")
    assert f"/campaigns/{campaign.slug}/follow/" in response.content.decode()
    assert not CampaignFollower.objects.exists()


def test_an_unverified_user_is_told_why_with_htmx(client_as):
    campaign = CampaignFactory()
    response = client_as("unverified").post(f"/campaigns/{campaign.slug}/follow/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "Verify your e-mail address" in response.content.decode()


def test_following_goes_back_to_a_safe_next_address_only(client_as):
    campaign = CampaignFactory()
    client = client_as("participant")
    response = client.post(f"/campaigns/{campaign.slug}/follow/", {"next": "/campaigns/?page=2"})
    assert response["Location"] == "/campaigns/?page=2"
    response = client.post(f"/campaigns/{campaign.slug}/unfollow/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/campaigns/{campaign.slug}/"


# --- the header partial (included by the campaign page) -------------------------------------------------


def header_for(campaign, role):
    request = RequestFactory().get(f"/campaigns/{campaign.slug}/")
    request.user = user_for(role)
    return render_to_string("campaigns/_header.html", {"campaign": campaign}, request=request)


def test_the_header_shows_the_campaign_with_its_theme_sanitised():
    campaign = CampaignFactory(
        phase=Phase.VOTING, title="The home", theme="**Bold** <script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = header_for(campaign, "participant")
    assert "<h1>The home</h1>" in html
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html
    assert "Phase: </span>Voting" in html and "Public" in html
    assert timezone.localtime(campaign.voting_closes).isoformat() in html
    assert "Europe/Paris" in html


def test_the_header_offers_follow_or_unfollow_to_participants():
    campaign = CampaignFactory()
    assert f"/campaigns/{campaign.slug}/follow/" in header_for(campaign, "participant")
    participant = user_for("participant")
    CampaignFollower.objects.create(campaign=campaign, user=participant)
    request = RequestFactory().get("/")
    request.user = participant
    html = render_to_string("campaigns/_header.html", {"campaign": campaign}, request=request)
    assert f"/campaigns/{campaign.slug}/unfollow/" in html


def test_the_header_offers_a_login_to_visitors_and_nothing_to_the_unverified():
    campaign = CampaignFactory()
    assert "Log in to follow this campaign" in header_for(campaign, "visitor")
    html = header_for(campaign, "unverified")
    assert "/follow/" not in html and "Log in to follow" not in html


@pytest.mark.parametrize("role", ROLES)
def test_the_header_links_to_the_manage_page_for_managers_only(role):
    campaign = CampaignFactory()
    assert (f"/campaigns/{campaign.slug}/manage/" in header_for(campaign, role)) is (role == "manager")


def test_the_header_shows_the_cover():
    campaign = CampaignFactory()
    campaign.cover.save("cover.png", SimpleUploadedFile("cover.png", png()), save=True)
    assert campaign.cover.url in header_for(campaign, "visitor")


def test_the_box_header_has_no_schedule():
    html = header_for(the_box(), "employee")
    assert "Schedule" not in html and "Idea box" in html
