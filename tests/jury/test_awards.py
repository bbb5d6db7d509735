"""Award decisions (jury/services.py): who decides, when, the justification
needed to depart from the ranking, at most one award per idea, public
awards decided from the tally (more in test_public_awards.py), and two
deciders at once on PostgreSQL."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

import pytest

from campaigns.models import Phase
from ideabox.exceptions import DomainError
from ideas.models import Status
from jury import award_services
from jury.models import Award, AwardBasis
from tests.concurrency import at_once
from tests.factories import IdeaFactory, UserFactory, schedule_for, user_with_role
from tests.jury.test_ranking import (
    T0,
    award,
    criterion,
    deliberating,
    juror,
    ranked_campaign,
    score,
    shortlisted,
)
from votes.models import Tally

pytestmark = pytest.mark.django_db


def tallied(campaign) -> None:
    """The tally stored (its rows are the helpers' `shortlisted` ones)."""
    Tally.objects.create(campaign=campaign, computed_at=T0, total_votes=0, ballot_count=0, digest="0" * 64)


def refused(code: str, call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


# --- deciding a jury award ------------------------------------------------------------


def test_the_chair_confirms_the_top_ranked_idea_without_a_justification():
    campaign, (first, _second, _third) = ranked_campaign()
    chair = juror(campaign, chair=True).user
    grand = award(campaign)
    now = timezone.now()

    decided = award_services.decide_award(award=grand, by=chair, winner=first, now=now)

    assert (decided.winner_id, decided.decided_by_id, decided.decided_at, decided.justification) == (
        first.pk,
        chair.pk,
        now,
        "",
    )
    assert Award.objects.get(pk=grand.pk).winner_id == first.pk


def test_a_manager_decides_too(manager):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)

    assert award_services.decide_award(award=grand, by=manager, winner=first).winner_id == first.pk


def test_departing_from_the_ranking_needs_a_justification():
    campaign, (_first, second, _third) = ranked_campaign()
    chair = juror(campaign, chair=True).user
    grand = award(campaign)

    error = refused("invalid", award_services.decide_award, award=grand, by=chair, winner=second)
    assert "justification" in error.fields
    error = refused("invalid", award_services.decide_award, award=grand, by=chair, winner=second, justification="   ")
    assert "justification" in error.fields
    assert Award.objects.get(pk=grand.pk).winner_id is None

    decided = award_services.decide_award(award=grand, by=chair, winner=second, justification="  Ready to build now. ")
    assert (decided.winner_id, decided.justification) == (second.pk, "Ready to build now.")


def test_the_ranking_is_the_final_score_not_the_votes():
    campaign = deliberating(public_weight="0.20")
    innovation = criterion(campaign)
    popular = shortlisted(campaign, votes=10)
    brilliant = shortlisted(campaign, votes=6)
    seat = juror(campaign)
    score(seat, popular, {innovation: 1})  # 0.2 + 0.8 × 0.2 = 0.36
    score(seat, brilliant, {innovation: 5})  # 0.12 + 0.8 = 0.92
    chair = juror(campaign, chair=True).user
    grand = award(campaign)

    refused("invalid", award_services.decide_award, award=grand, by=chair, winner=popular)
    assert award_services.decide_award(award=grand, by=chair, winner=brilliant).winner_id == brilliant.pk


def test_the_top_eligible_idea_skips_one_that_won_another_award():
    campaign, (first, second, third) = ranked_campaign()
    chair = juror(campaign, chair=True).user
    grand, special = award(campaign, "Grand prize"), award(campaign, "Special mention")
    award_services.decide_award(award=grand, by=chair, winner=first)

    # the second-ranked idea is the top one that may still win: no justification needed
    assert award_services.decide_award(award=special, by=chair, winner=second).justification == ""
    assert award_services.overview(campaign).suggestions[special.pk] == second.pk
    refused("invalid", award_services.decide_award, award=special, by=chair, winner=third)


def test_an_idea_wins_at_most_one_award():
    campaign, (first, *_rest) = ranked_campaign()
    chair = juror(campaign, chair=True).user
    grand, special = award(campaign, "Grand prize"), award(campaign, "Special mention")
    award_services.decide_award(award=grand, by=chair, winner=first)

    refused(
        "already_awarded", award_services.decide_award, award=special, by=chair, winner=first, justification="Both."
    )
    assert Award.objects.get(pk=special.pk).winner_id is None


def test_an_idea_may_win_several_awards_when_the_campaign_allows_it():
    campaign, (first, second, _third) = ranked_campaign(allow_multiple=True)
    chair = juror(campaign, chair=True).user
    grand, special = award(campaign, "Grand prize"), award(campaign, "Special mention")
    award_services.decide_award(award=grand, by=chair, winner=first)

    # the top-ranked idea is still the top one for the second award
    assert award_services.decide_award(award=special, by=chair, winner=first).winner_id == first.pk
    refused("invalid", award_services.decide_award, award=grand, by=chair, winner=second)


def test_re_deciding_the_same_award_may_keep_or_change_its_winner():
    campaign, (first, second, _third) = ranked_campaign()
    chair = juror(campaign, chair=True).user
    grand = award(campaign)
    award_services.decide_award(award=grand, by=chair, winner=first)

    assert award_services.decide_award(award=grand, by=chair, winner=first).winner_id == first.pk
    changed = award_services.decide_award(award=grand, by=chair, winner=second, justification="Changed our minds.")
    assert (changed.winner_id, changed.justification) == (second.pk, "Changed our minds.")
    back = award_services.decide_award(award=grand, by=chair, winner=first)
    assert (back.winner_id, back.justification) == (first.pk, "")


def test_undeciding_clears_the_decision(manager):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    award_services.decide_award(award=grand, by=manager, winner=first)

    cleared = award_services.undecide_award(award=grand, by=manager)

    assert (cleared.winner_id, cleared.decided_by_id, cleared.decided_at, cleared.justification) == (
        None,
        None,
        None,
        "",
    )


@pytest.mark.parametrize("where", ["published", "hidden", "other_campaign", "unapproved"])
def test_the_winner_must_be_on_the_shortlist(where, manager):
    campaign, _ideas = ranked_campaign()
    grand = award(campaign)
    outsider = {
        "published": lambda: IdeaFactory(campaign=campaign, status=Status.PUBLISHED),
        "hidden": lambda: shortlisted(campaign, 100, hidden=True, hidden_reason="Spam."),
        "other_campaign": lambda: shortlisted(deliberating(), 100),
        "unapproved": lambda: shortlisted(campaign, 100, approved=False),
    }[where]()

    error = refused(
        "invalid", award_services.decide_award, award=grand, by=manager, winner=outsider, justification="Why not"
    )
    assert "winner" in error.fields


def test_a_public_award_is_not_decided_by_hand(manager):
    campaign, (first, *_rest) = ranked_campaign()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)

    error = refused("invalid", award_services.decide_award, award=public, by=manager, winner=first)
    assert "winner" in error.fields


# --- who and when -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "unverified", "participant", "employee", "moderator"])
def test_anyone_off_the_jury_is_told_the_award_does_not_exist(role):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    user = user_with_role(role) or AnonymousUser()

    refused("not_found", award_services.decide_award, award=grand, by=user, winner=first)
    refused("not_found", award_services.undecide_award, award=grand, by=user)


def test_a_juror_who_is_not_the_chair_is_refused_with_permission_denied():
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    member = juror(campaign).user
    juror(deliberating(), chair=True, user=member)  # chairing another campaign changes nothing here

    refused("permission_denied", award_services.decide_award, award=grand, by=member, winner=first)
    refused("permission_denied", award_services.undecide_award, award=grand, by=member)


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.RESULTS, Phase.ARCHIVED])
def test_awards_are_decided_only_while_deliberating(phase, manager):
    campaign, (first, *_rest) = ranked_campaign(phase=phase)
    grand = award(campaign)
    Award.objects.filter(pk=grand.pk).update(winner=first, decided_at=timezone.now())

    refused("awards_closed", award_services.decide_award, award=grand, by=manager, winner=first)
    refused("awards_closed", award_services.undecide_award, award=grand, by=manager)
    assert Award.objects.get(pk=grand.pk).winner_id == first.pk


def test_deciding_goes_on_after_deliberation_ends_while_the_campaign_waits(manager):
    campaign, (first, *_rest) = ranked_campaign(**schedule_for(Phase.RESULTS))  # deliberation_ends passed
    assert campaign.deliberation_ends < timezone.now()
    grand = award(campaign)

    assert award_services.decide_award(award=grand, by=manager, winner=first).winner_id == first.pk


def test_an_award_of_another_campaign_is_not_found(manager):
    campaign, (first, *_rest) = ranked_campaign()
    elsewhere = award(deliberating(), "Elsewhere")
    elsewhere.campaign_id = campaign.pk  # a stale or forged object: the stored award decides

    refused("not_found", award_services.decide_award, award=elsewhere, by=manager, winner=first)


# --- public awards --------------------------------------------------------------------------


def test_a_public_award_goes_to_the_most_voted_idea_even_against_the_ranking():
    campaign = deliberating(public_weight="0")
    innovation = criterion(campaign)
    popular = shortlisted(campaign, votes=30)
    jury_favourite = shortlisted(campaign, votes=3)
    score(juror(campaign), jury_favourite, {innovation: 5})
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)

    decided = award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)

    assert [a.pk for a in decided] == [public.pk]
    stored = Award.objects.get(pk=public.pk)
    assert (stored.winner_id, stored.justification, stored.decided_by_id) == (popular.pk, "", None)
    assert stored.decided_at is not None


def test_public_awards_break_ties_by_the_earlier_submission_then_the_lower_id():
    campaign = deliberating()
    later = shortlisted(campaign, votes=5, at=T0 + datetime.timedelta(hours=1))
    first_of_two = shortlisted(campaign, votes=5, at=T0)
    second_of_two = shortlisted(campaign, votes=5, at=T0)
    one, two, three = (award(campaign, name, basis=AwardBasis.PUBLIC) for name in ("One", "Two", "Three"))
    tallied(campaign)

    award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)

    winners = dict(Award.objects.filter(campaign=campaign).values_list("pk", "winner_id"))
    assert (winners[one.pk], winners[two.pk], winners[three.pk]) == (first_of_two.pk, second_of_two.pk, later.pk)


def test_a_decided_public_award_is_left_as_it_is():
    campaign, (first, second, _third) = ranked_campaign()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    Award.objects.filter(pk=public.pk).update(winner=second, decided_at=T0)
    tallied(campaign)

    assert award_services.decide_public_awards_from_tally(campaign_id=campaign.pk) == []
    assert Award.objects.get(pk=public.pk).winner_id == second.pk


def test_public_awards_wait_for_the_tally():
    campaign, _ideas = ranked_campaign()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)

    assert award_services.decide_public_awards_from_tally(campaign_id=campaign.pk) == []
    assert not Award.objects.get(pk=public.pk).is_decided
    assert [a.pk for a in award_services.overview(campaign).blocking] == [public.pk]


def test_a_public_award_with_an_empty_shortlist_is_decided_with_no_winner():
    campaign = deliberating()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)

    assert [a.pk for a in award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)] == [public.pk]
    stored = Award.objects.get(pk=public.pk)
    assert stored.winner_id is None and stored.is_decided
    assert award_services.overview(campaign).may_leave_deliberation


# --- the overview ---------------------------------------------------------------------------


def test_the_overview_says_whether_the_campaign_may_leave_deliberation(manager):
    campaign, (first, second, _third) = ranked_campaign()
    grand = award(campaign)
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)

    view = award_services.overview(campaign)
    # the public award was decided from the stored tally as the page was read
    assert Award.objects.get(pk=public.pk).winner_id == first.pk
    assert [a.pk for a in view.undecided_jury] == [grand.pk]
    assert not view.may_leave_deliberation

    award_services.decide_award(award=grand, by=manager, winner=second)
    assert award_services.overview(campaign).may_leave_deliberation


def test_a_campaign_without_awards_may_leave_deliberation():
    campaign, _ideas = ranked_campaign()
    assert award_services.overview(campaign).may_leave_deliberation


# --- two deciders at once ---------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_deciders_at_once_cannot_give_one_idea_two_awards():
    for _attempt in range(3):
        one_race_of_two_deciders()


def one_race_of_two_deciders() -> None:
    campaign, (first, *_rest) = ranked_campaign()
    chair = juror(campaign, chair=True).user
    # A transactional test may run after another flushed the role groups'
    # permissions (serialized rollback restores rows, not the permission ids):
    # a superuser is a manager whatever the groups hold.
    manager = UserFactory(is_superuser=True)
    grand, special = award(campaign, "Grand prize"), award(campaign, "Special mention")

    codes = sorted(
        at_once(
            lambda: award_services.decide_award(award=grand, by=chair, winner=first, justification="Chair's pick."),
            lambda: award_services.decide_award(
                award=special, by=manager, winner=first, justification="Manager's pick."
            ),
            ok="decided",
        )
    )
    assert codes == ["already_awarded", "decided"]
    assert Award.objects.filter(campaign=campaign, winner=first).count() == 1
