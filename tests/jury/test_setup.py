"""Setting up a campaign's jury (jury.services): who may, and when."""

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

import pytest

from campaigns.models import Phase
from ideabox.exceptions import DomainError
from jury import selectors, services
from jury.models import Award, AwardBasis, Criterion, Juror, Jury
from tests.factories import CampaignFactory, UserFactory, employee, the_box, user_with_role
from tests.jury.test_scoring import jury_campaign, manager_user

pytestmark = pytest.mark.django_db

SETUP_PHASES = [Phase.DRAFT, Phase.SUBMISSION]
LOCKED_PHASES = [Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED]


def juror_role(role: str, campaign):
    """A user for the matrix: the site-wide roles, plus a juror and the chair of this campaign."""
    if role in ("juror", "chair"):
        user = UserFactory()
        Juror.objects.create(campaign=campaign, user=user, is_chair=role == "chair")
        return user
    return user_with_role(role)


def every_setup_call(campaign, user):
    criterion = Criterion.objects.create(campaign=campaign, name="Existing", position=9)
    award = Award.objects.create(campaign=campaign, name="Existing", position=9)
    juror = Juror.objects.create(campaign=campaign, user=UserFactory())
    return [
        lambda: services.update_jury(campaign=campaign, by=user, public_weight=Decimal("0.3")),
        lambda: services.add_juror(campaign=campaign, by=user, who=UserFactory().username),
        lambda: services.remove_juror(juror=juror, by=user),
        lambda: services.set_chair(campaign=campaign, by=user, juror=juror),
        lambda: services.add_criterion(campaign=campaign, by=user, name="Impact"),
        lambda: services.update_criterion(criterion=criterion, by=user, weight=3),
        lambda: services.delete_criterion(criterion=criterion, by=user),
        lambda: services.reorder_criteria(campaign=campaign, by=user, ids=[criterion.pk]),
        lambda: services.add_award(campaign=campaign, by=user, name="Grand prize"),
        lambda: services.update_award(award=award, by=user, prize="A trip"),
        lambda: services.delete_award(award=award, by=user),
        lambda: services.reorder_awards(campaign=campaign, by=user, ids=[award.pk]),
    ]


@pytest.mark.parametrize("role", ["unverified", "participant", "employee", "moderator", "juror", "chair"])
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_only_managers_set_up_a_jury(role, audience):
    campaign = CampaignFactory(phase=Phase.SUBMISSION, audience=audience)
    user = juror_role(role, campaign)
    for call in every_setup_call(campaign, user):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "permission_denied"
    assert not Criterion.objects.exclude(name="Existing").exists()


def test_a_visitor_cannot_set_up_a_jury():
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with pytest.raises(DomainError) as error:
        services.add_criterion(campaign=campaign, by=None, name="Impact")
    assert error.value.code == "permission_denied"


@pytest.mark.parametrize("phase", SETUP_PHASES)
def test_a_manager_sets_up_everything_before_voting(phase):
    campaign = CampaignFactory(phase=phase)
    manager = manager_user()
    jury = services.update_jury(
        campaign=campaign,
        by=manager,
        public_weight=Decimal("0.40"),
        blind_review=True,
        disagreement_threshold=Decimal("2"),
        allow_multiple_awards=True,
        shortlist_size=5,
    )
    assert (jury.public_weight, jury.jury_weight, jury.blind_review, jury.allow_multiple_awards) == (
        Decimal("0.40"),
        Decimal("0.60"),
        True,
        True,
    )
    campaign.refresh_from_db()
    assert campaign.shortlist_size == 5
    innovation = services.add_criterion(campaign=campaign, by=manager, name="Innovation", weight=3)
    feasibility = services.add_criterion(campaign=campaign, by=manager, name="Feasibility", description="Can we?")
    assert (innovation.position, feasibility.position) == (0, 1)
    services.reorder_criteria(campaign=campaign, by=manager, ids=[feasibility.pk, innovation.pk])
    assert list(Criterion.objects.filter(campaign=campaign).values_list("name", flat=True)) == [
        "Feasibility",
        "Innovation",
    ]
    services.update_criterion(criterion=innovation, by=manager, name="Novelty", weight=100)
    grand = services.add_award(campaign=campaign, by=manager, name="Grand prize", prize="€5,000")
    public = services.add_award(campaign=campaign, by=manager, name="Public's choice", basis=AwardBasis.PUBLIC)
    services.reorder_awards(campaign=campaign, by=manager, ids=[public.pk, grand.pk])
    assert list(Award.objects.filter(campaign=campaign).values_list("name", flat=True)) == [
        "Public's choice",
        "Grand prize",
    ]
    services.update_award(award=grand, by=manager, basis=AwardBasis.JURY, prize="€6,000")
    services.delete_award(award=public, by=manager)
    services.delete_criterion(criterion=feasibility, by=manager)
    assert list(Criterion.objects.filter(campaign=campaign).values_list("name", "weight")) == [("Novelty", 100)]
    assert list(Award.objects.filter(campaign=campaign).values_list("name", "prize")) == [("Grand prize", "€6,000")]


@pytest.mark.parametrize("phase", LOCKED_PHASES)
def test_criteria_awards_and_weights_are_locked_once_voting_opens(phase):
    campaign = CampaignFactory(phase=phase)
    manager = manager_user()
    criterion = Criterion.objects.create(campaign=campaign, name="Impact")
    award = Award.objects.create(campaign=campaign, name="Grand prize")
    calls = [
        lambda: services.update_jury(campaign=campaign, by=manager, public_weight=Decimal("0.1")),
        lambda: services.update_jury(campaign=campaign, by=manager, shortlist_size=3),
        lambda: services.update_jury(campaign=campaign, by=manager, blind_review=True),
        lambda: services.add_criterion(campaign=campaign, by=manager, name="Other"),
        lambda: services.update_criterion(criterion=criterion, by=manager, weight=5),
        lambda: services.delete_criterion(criterion=criterion, by=manager),
        lambda: services.reorder_criteria(campaign=campaign, by=manager, ids=[criterion.pk]),
        lambda: services.add_award(campaign=campaign, by=manager, name="Other"),
        lambda: services.update_award(award=award, by=manager, name="Renamed"),
        lambda: services.delete_award(award=award, by=manager),
        lambda: services.reorder_awards(campaign=campaign, by=manager, ids=[award.pk]),
    ]
    for call in calls:
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "jury_locked"
        assert error.value.status == 409
    assert Criterion.objects.get().weight == 1
    assert Award.objects.get().name == "Grand prize"
    campaign.refresh_from_db()
    assert campaign.shortlist_size == 10


def test_the_disagreement_threshold_may_change_in_deliberation():
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    jury = services.update_jury(campaign=campaign, by=manager_user(), disagreement_threshold=Decimal("0.75"))
    assert jury.disagreement_threshold == Decimal("0.75")


def test_saving_unchanged_settings_after_voting_opened_is_accepted():
    campaign = CampaignFactory(phase=Phase.VOTING)
    Jury.objects.create(campaign=campaign, public_weight=Decimal("0.30"))
    jury = services.update_jury(campaign=campaign, by=manager_user(), public_weight=Decimal("0.3"), shortlist_size=10)
    assert jury.public_weight == Decimal("0.3")
    campaign.refresh_from_db()
    assert campaign.shortlist_size == 10


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("public_weight", Decimal("1.01")),
        ("public_weight", Decimal("-0.1")),
        ("public_weight", "abc"),
        ("public_weight", Decimal("0.333")),
        ("disagreement_threshold", Decimal("5.5")),
        ("shortlist_size", 0),
        ("shortlist_size", "3"),
    ],
)
def test_settings_out_of_range_are_invalid(name, value):
    campaign = CampaignFactory(phase=Phase.DRAFT)
    with pytest.raises(DomainError) as error:
        services.update_jury(campaign=campaign, by=manager_user(), **{name: value})
    assert error.value.code == "invalid"
    assert name in error.value.fields


@pytest.mark.parametrize(("weight", "ok"), [(1, True), (100, True), (0, False), (101, False), ("5", False)])
def test_a_criterion_weighs_1_to_100(weight, ok):
    campaign = CampaignFactory(phase=Phase.DRAFT)
    if ok:
        assert (
            services.add_criterion(campaign=campaign, by=manager_user(), name="Impact", weight=weight).weight == weight
        )
    else:
        with pytest.raises(DomainError) as error:
            services.add_criterion(campaign=campaign, by=manager_user(), name="Impact", weight=weight)
        assert error.value.code == "invalid"
        assert list(error.value.fields) == ["weight"]


def test_names_are_required_and_unique_per_campaign():
    campaign = CampaignFactory(phase=Phase.DRAFT)
    manager = manager_user()
    services.add_criterion(campaign=campaign, by=manager, name="Impact")
    services.add_award(campaign=campaign, by=manager, name="Grand prize")
    for call in (
        lambda: services.add_criterion(campaign=campaign, by=manager, name="Impact"),
        lambda: services.add_criterion(campaign=campaign, by=manager, name="   "),
        lambda: services.add_award(campaign=campaign, by=manager, name="Grand prize"),
        lambda: services.add_award(campaign=campaign, by=manager, name="Other", basis="chair"),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "invalid"
    other = CampaignFactory(phase=Phase.DRAFT)
    services.add_criterion(campaign=other, by=manager, name="Impact")


def test_a_reorder_must_name_each_item_once():
    campaign = CampaignFactory(phase=Phase.DRAFT)
    manager = manager_user()
    a = services.add_criterion(campaign=campaign, by=manager, name="A")
    b = services.add_criterion(campaign=campaign, by=manager, name="B")
    for ids in ([a.pk], [a.pk, a.pk], [a.pk, b.pk, 999999]):
        with pytest.raises(DomainError) as error:
            services.reorder_criteria(campaign=campaign, by=manager, ids=ids)
        assert error.value.code == "invalid"


# --- jurors ---------------------------------------------------------------------------------


def test_a_juror_is_added_by_username_or_email():
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    manager = manager_user()
    alice, bob = UserFactory(username="alice"), employee(username="bob")
    services.add_juror(campaign=campaign, by=manager, who="ALICE")
    services.add_juror(campaign=campaign, by=manager, who=" Bob@ideabox.example ", chair=True)
    seats = {j.user: j.is_chair for j in Juror.objects.filter(campaign=campaign)}
    assert seats == {alice: False, bob: True}


@pytest.mark.parametrize("who", ["nobody", "nobody@example.org", "", "unverified", "inactive"])
def test_a_juror_must_be_a_registered_verified_user(who):
    UserFactory(username="unverified", verified=False)
    UserFactory(username="inactive", is_active=False)
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    with pytest.raises(DomainError) as error:
        services.add_juror(campaign=campaign, by=manager_user(), who=who)
    assert error.value.code == "invalid"
    assert "who" in error.value.fields
    assert not Juror.objects.exists()


def test_a_juror_is_seated_once():
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    manager = manager_user()
    UserFactory(username="alice")
    services.add_juror(campaign=campaign, by=manager, who="alice")
    with pytest.raises(DomainError) as error:
        services.add_juror(campaign=campaign, by=manager, who="alice")
    assert error.value.code == "invalid"


def test_making_a_new_chair_steps_the_old_one_down():
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=Phase.DELIBERATION, jurors=3)
    manager = manager_user()
    services.set_chair(campaign=campaign, by=manager, juror=jurors[2])
    assert list(Juror.objects.filter(campaign=campaign, is_chair=True)) == [jurors[2]]
    services.set_chair(campaign=campaign, by=manager, juror=None)
    assert not Juror.objects.filter(campaign=campaign, is_chair=True).exists()


def test_a_juror_of_another_campaign_cannot_be_made_chair():
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    _other, _i, other_jurors, _c = jury_campaign()
    with pytest.raises(DomainError) as error:
        services.set_chair(campaign=campaign, by=manager_user(), juror=other_jurors[1])
    assert error.value.code == "invalid"


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
def test_jurors_change_until_the_results_are_published(phase):
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=phase)
    manager = manager_user()
    UserFactory(username="latecomer")
    services.add_juror(campaign=campaign, by=manager, who="latecomer")
    services.remove_juror(juror=jurors[1], by=manager)
    services.set_chair(campaign=campaign, by=manager, juror=jurors[0])
    Jury.objects.filter(campaign=campaign).update(published_at=timezone.now())
    UserFactory(username="toolate")
    for call in (
        lambda: services.add_juror(campaign=campaign, by=manager, who="toolate"),
        lambda: services.remove_juror(juror=jurors[0], by=manager),
        lambda: services.set_chair(campaign=campaign, by=manager, juror=None),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "jury_locked"
    assert Juror.objects.filter(campaign=campaign).count() == 2


def test_the_idea_box_has_no_jury():
    box = the_box()
    manager = manager_user()
    for call in (
        lambda: services.jury_of(box),
        lambda: services.update_jury(campaign=box, by=manager, blind_review=True),
        lambda: services.add_criterion(campaign=box, by=manager, name="Impact"),
        lambda: services.add_award(campaign=box, by=manager, name="Prize"),
        lambda: services.add_juror(campaign=box, by=manager, who=manager.username),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "not_found"
    assert not Jury.objects.filter(campaign=box).exists()


# --- blind review: one predicate, asked by every page and endpoint ------------------------


@pytest.mark.parametrize("blind", [False, True])
@pytest.mark.parametrize("who", ["manager", "chair", "juror", "participant", "visitor"])
def test_blind_review_hides_the_votes_from_everyone_but_managers(blind, who):
    campaign, _ideas, jurors, _criteria = jury_campaign()
    Jury.objects.update_or_create(campaign=campaign, defaults={"blind_review": blind})
    user = {"manager": manager_user(), "chair": jurors[0].user, "juror": jurors[1].user}.get(who)
    if who == "participant":
        user = UserFactory()
    if who == "visitor":
        user = AnonymousUser()
    assert selectors.settings_of(campaign).hides_votes_from(user) == (blind and who != "manager")


def test_the_unsaved_default_settings_hide_nothing():
    campaign, _ideas, jurors, _criteria = jury_campaign()
    Jury.objects.filter(campaign=campaign).delete()
    settings = selectors.settings_of(campaign)
    assert settings.pk is None and not settings.hides_votes_from(jurors[1].user)
    assert not Jury.objects.filter(campaign=campaign).exists()  # reading writes nothing
