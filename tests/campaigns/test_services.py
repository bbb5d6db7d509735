"""Deadlines, creating and editing campaigns, categories and followers."""

import datetime as dt

from django.utils import timezone

import pytest
from freezegun import freeze_time

from campaigns import services
from campaigns.models import Campaign, CampaignFollower, Category, Moderation, Phase
from ideabox.exceptions import DomainError
from tests.factories import DAY, CampaignFactory, CategoryFactory, IdeaFactory, UserFactory, schedule_for, the_box

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with freeze_time(NOW):
        yield NOW


def refused(call, code="invalid"):
    with pytest.raises(DomainError) as error:
        call()
    assert error.value.code == code
    return error.value


# --- extend_deadline ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "field"),
    [
        (Phase.SUBMISSION, "submission_closes"),
        (Phase.VOTING, "voting_closes"),
        (Phase.DELIBERATION, "deliberation_ends"),
    ],
)
def test_a_manager_extends_the_current_phase(frozen, manager, phase, field):
    # A day between each phase's end and the next boundary, so there is room to extend.
    campaign = CampaignFactory(
        phase=phase,
        **{
            **schedule_for(phase, now=NOW),
            "voting_opens": schedule_for(phase, now=NOW)["voting_opens"] + DAY,
            "deliberation_ends": schedule_for(phase, now=NOW)["deliberation_ends"] + DAY,
        },
    )
    new_end = getattr(campaign, field) + dt.timedelta(hours=1)

    services.extend_deadline(campaign=campaign, by=manager, new_end=new_end)

    assert getattr(Campaign.objects.get(pk=campaign.pk), field) == new_end


def test_submission_may_be_extended_up_to_voting_opens_but_not_past_it(frozen, manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION, voting_opens=NOW + 10 * DAY)
    services.extend_deadline(campaign=campaign, by=manager, new_end=campaign.voting_opens)
    assert Campaign.objects.get(pk=campaign.pk).submission_closes == campaign.voting_opens

    error = refused(
        lambda: services.extend_deadline(
            campaign=campaign, by=manager, new_end=campaign.voting_opens + dt.timedelta(minutes=1)
        )
    )
    assert "phase_end" in error.fields


def test_voting_may_not_be_extended_past_the_end_of_deliberation(frozen, manager):
    campaign = CampaignFactory(phase=Phase.VOTING)
    error = refused(
        lambda: services.extend_deadline(campaign=campaign, by=manager, new_end=campaign.deliberation_ends + DAY)
    )
    assert "phase_end" in error.fields
    assert Campaign.objects.get(pk=campaign.pk).voting_closes == campaign.voting_closes


def test_deliberation_has_no_upper_limit(frozen, manager):
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    services.extend_deadline(campaign=campaign, by=manager, new_end=NOW + 365 * DAY)
    assert Campaign.objects.get(pk=campaign.pk).deliberation_ends == NOW + 365 * DAY


@pytest.mark.parametrize("offset", [dt.timedelta(0), -dt.timedelta(hours=1)])
def test_a_deadline_only_moves_later(frozen, manager, offset):
    campaign = CampaignFactory(phase=Phase.VOTING)
    error = refused(
        lambda: services.extend_deadline(campaign=campaign, by=manager, new_end=campaign.voting_closes + offset)
    )
    assert error.fields == {"phase_end": ["The new deadline must be later than the current one."]}


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.RESULTS, Phase.ARCHIVED])
def test_a_phase_without_a_deadline_cannot_be_extended(frozen, manager, phase):
    campaign = CampaignFactory(phase=phase)
    error = refused(lambda: services.extend_deadline(campaign=campaign, by=manager, new_end=NOW + 400 * DAY))
    assert "phase_end" in error.fields


def test_the_box_has_no_deadline(manager):
    refused(lambda: services.extend_deadline(campaign=the_box(), by=manager, new_end=timezone.now() + DAY))


def test_only_managers_extend_a_deadline(an_employee):
    campaign = CampaignFactory(phase=Phase.VOTING)
    refused(
        lambda: services.extend_deadline(campaign=campaign, by=an_employee, new_end=campaign.voting_closes + DAY),
        "permission_denied",
    )


def test_an_extension_reopens_a_closed_submission_until_the_new_deadline(frozen, manager):
    campaign = CampaignFactory(
        phase=Phase.SUBMISSION, submission_opens=NOW - 9 * DAY, submission_closes=NOW - DAY, voting_opens=NOW + 5 * DAY
    )
    assert not campaign.accepts_ideas(NOW)
    services.extend_deadline(campaign=campaign, by=manager, new_end=NOW + 2 * DAY)
    assert Campaign.objects.get(pk=campaign.pk).accepts_ideas(NOW)


# --- create and update --------------------------------------------------------------


def test_a_manager_creates_a_draft_with_post_moderation_by_default(manager):
    campaign = services.create_campaign(by=manager, title="The connected home", slug="connected-home")
    assert campaign.phase == Phase.DRAFT
    assert campaign.kind == "challenge"
    assert campaign.moderation == Moderation.POST
    assert campaign.created_by == manager


def test_only_managers_create_campaigns(an_employee):
    refused(lambda: services.create_campaign(by=an_employee, title="T", slug="t"), "permission_denied")
    assert not Campaign.objects.filter(slug="t").exists()


def test_a_taken_slug_is_named(manager):
    CampaignFactory(slug="taken")
    error = refused(lambda: services.create_campaign(by=manager, title="T", slug="taken"))
    assert set(error.fields) == {"slug"}


@pytest.mark.parametrize("slug", ["new", "with space", "accentué", "a/b"])
def test_a_bad_or_reserved_slug_is_named(manager, slug):
    error = refused(lambda: services.create_campaign(by=manager, title="T", slug=slug))
    assert set(error.fields) == {"slug"}


def test_a_schedule_out_of_order_is_refused_field_by_field(manager):
    s = schedule_for(Phase.DRAFT)
    error = refused(
        lambda: services.create_campaign(
            by=manager,
            title="T",
            slug="t",
            submission_opens=s["submission_closes"],
            submission_closes=s["submission_opens"],
            voting_opens=s["voting_opens"],
            voting_closes=s["voting_opens"] - DAY,
        )
    )
    assert set(error.fields) == {"submission_closes", "voting_closes"}


def test_a_draft_may_have_a_partial_schedule(manager):
    campaign = services.create_campaign(by=manager, title="T", slug="t", submission_opens=timezone.now() + DAY)
    assert campaign.voting_opens is None


def test_a_draft_schedule_can_change_freely(manager):
    campaign = CampaignFactory(phase=Phase.DRAFT)
    s = schedule_for(Phase.SUBMISSION)
    services.update_campaign(campaign=campaign, by=manager, **s)
    campaign.refresh_from_db()
    assert campaign.submission_opens == s["submission_opens"]


def test_out_of_draft_a_passed_date_cannot_change(frozen, manager):
    campaign = CampaignFactory(phase=Phase.VOTING)
    error = refused(
        lambda: services.update_campaign(
            campaign=campaign, by=manager, submission_opens=campaign.submission_opens - DAY
        )
    )
    assert set(error.fields) == {"submission_opens"}


def test_out_of_draft_a_future_date_cannot_move_into_the_past(frozen, manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    error = refused(lambda: services.update_campaign(campaign=campaign, by=manager, voting_opens=NOW - DAY))
    assert "voting_opens" in error.fields
    assert Campaign.objects.get(pk=campaign.pk).voting_opens == campaign.voting_opens


def test_out_of_draft_a_future_date_may_move_in_the_future(frozen, manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    services.update_campaign(campaign=campaign, by=manager, deliberation_ends=campaign.deliberation_ends + DAY)
    assert Campaign.objects.get(pk=campaign.pk).deliberation_ends == campaign.deliberation_ends + DAY


def test_out_of_draft_the_schedule_stays_complete(frozen, manager):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    error = refused(lambda: services.update_campaign(campaign=campaign, by=manager, deliberation_ends=None))
    assert "deliberation_ends" in error.fields


def test_settings_change_and_the_slug_clash_is_named(manager):
    CampaignFactory(slug="other")
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    services.update_campaign(campaign=campaign, by=manager, title="Renamed", moderation=Moderation.PRE)
    campaign.refresh_from_db()
    assert (campaign.title, campaign.moderation) == ("Renamed", Moderation.PRE)

    error = refused(lambda: services.update_campaign(campaign=campaign, by=manager, slug="other"))
    assert set(error.fields) == {"slug"}


def test_the_box_keeps_its_audience_and_has_no_schedule(manager):
    box = the_box()
    error = refused(lambda: services.update_campaign(campaign=box, by=manager, audience="public"))
    assert set(error.fields) == {"audience"}
    error = refused(lambda: services.update_campaign(campaign=box, by=manager, voting_opens=timezone.now()))
    assert set(error.fields) == {"voting_opens"}

    services.update_campaign(campaign=box, by=manager, title="Our idea box", review_days=7)
    box = the_box()
    assert (box.title, box.review_days, box.kind, box.phase, box.audience) == (
        "Our idea box",
        7,
        "box",
        "open",
        "internal",
    )


def test_only_managers_update(an_employee):
    campaign = CampaignFactory()
    refused(lambda: services.update_campaign(campaign=campaign, by=an_employee, title="X"), "permission_denied")


# --- categories ------------------------------------------------------------------------


def test_categories_are_added_in_order_with_a_slug_from_the_name(manager):
    campaign = CampaignFactory()
    first = services.add_category(campaign=campaign, by=manager, name="Énergie verte")
    second = services.add_category(campaign=campaign, by=manager, name="Mobility", slug="moves")
    assert first.slug == "energie-verte"
    assert list(campaign.categories.values_list("slug", flat=True)) == ["energie-verte", "moves"]
    assert second.position > first.position


def test_a_duplicate_category_name_or_slug_is_named(manager):
    campaign = CampaignFactory()
    services.add_category(campaign=campaign, by=manager, name="Mobility")
    assert set(refused(lambda: services.add_category(campaign=campaign, by=manager, name="Mobility")).fields) == {
        "name",
        "slug",
    }
    assert set(
        refused(lambda: services.add_category(campaign=campaign, by=manager, name="Other", slug="mobility")).fields
    ) == {"slug"}


def test_the_same_category_name_is_fine_in_another_campaign(manager):
    services.add_category(campaign=CampaignFactory(), by=manager, name="Mobility")
    services.add_category(campaign=CampaignFactory(), by=manager, name="Mobility")
    assert Category.objects.filter(name="Mobility").count() == 2


def test_renaming_keeps_the_address(manager):
    category = CategoryFactory(name="Old", slug="old")
    services.rename_category(category=category, by=manager, name="New")
    category.refresh_from_db()
    assert (category.name, category.slug) == ("New", "old")


def test_renaming_to_a_taken_name_is_refused(manager):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, name="Taken")
    category = CategoryFactory(campaign=campaign, name="Mine")
    error = refused(lambda: services.rename_category(category=category, by=manager, name="Taken"))
    assert set(error.fields) == {"name"}


def test_deleting_a_category_leaves_its_ideas_uncategorised(manager):
    category = CategoryFactory()
    idea = IdeaFactory(campaign=category.campaign, category=category)
    services.delete_category(category=category, by=manager)
    idea.refresh_from_db()
    assert idea.category is None
    assert not Category.objects.filter(pk=category.pk).exists()


def test_categories_are_reordered(manager):
    campaign = CampaignFactory()
    for slug in ("a", "b", "c"):
        CategoryFactory(campaign=campaign, slug=slug, name=slug.upper())
    services.reorder_categories(campaign=campaign, by=manager, slugs=["c", "a", "b"])
    assert list(campaign.categories.values_list("slug", flat=True)) == ["c", "a", "b"]


@pytest.mark.parametrize("slugs", [["a"], ["a", "b", "b"], ["a", "b", "z"]])
def test_a_reorder_must_name_every_category_once(manager, slugs):
    campaign = CampaignFactory()
    for slug in ("a", "b"):
        CategoryFactory(campaign=campaign, slug=slug, name=slug)
    error = refused(lambda: services.reorder_categories(campaign=campaign, by=manager, slugs=slugs))
    assert "order" in error.fields


@pytest.mark.parametrize(
    "call",
    [
        lambda c, u: services.add_category(campaign=c, by=u, name="X"),
        lambda c, u: services.rename_category(category=CategoryFactory(campaign=c), by=u, name="X"),
        lambda c, u: services.delete_category(category=CategoryFactory(campaign=c), by=u),
        lambda c, u: services.reorder_categories(campaign=c, by=u, slugs=[]),
    ],
)
def test_only_managers_manage_categories(an_employee, call):
    campaign = CampaignFactory()
    count = Category.objects.count()
    refused(lambda: call(campaign, an_employee), "permission_denied")
    assert Category.objects.filter(campaign=campaign).count() <= 1
    assert Category.objects.count() <= count + 1


# --- followers ---------------------------------------------------------------------------


def test_following_is_idempotent(participant):
    campaign = CampaignFactory()
    services.follow_campaign(campaign=campaign, user=participant)
    services.follow_campaign(campaign=campaign, user=participant)
    assert CampaignFollower.objects.filter(campaign=campaign, user=participant).count() == 1


def test_unfollowing_is_idempotent(participant):
    campaign = CampaignFactory()
    services.follow_campaign(campaign=campaign, user=participant)
    services.unfollow_campaign(campaign=campaign, user=participant)
    services.unfollow_campaign(campaign=campaign, user=participant)
    assert not CampaignFollower.objects.filter(campaign=campaign).exists()


def test_an_unverified_user_cannot_follow():
    campaign = CampaignFactory()
    refused(lambda: services.follow_campaign(campaign=campaign, user=UserFactory(verified=False)), "not_allowed")
    assert not CampaignFollower.objects.exists()


@pytest.mark.parametrize(
    "numbers", [{"votes_per_voter": 0}, {"shortlist_size": 0}, {"review_days": 0}, {"shortlist_size": None}]
)
def test_numbers_the_database_would_refuse_are_named(manager, numbers):
    error = refused(lambda: services.create_campaign(by=manager, title="T", slug="t", **numbers))
    assert set(error.fields) == set(numbers)
    campaign = CampaignFactory()
    error = refused(lambda: services.update_campaign(campaign=campaign, by=manager, **numbers))
    assert set(error.fields) == set(numbers)
