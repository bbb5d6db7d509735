"""The final score and ranking (jury/ranking.py) on hand-computed examples:
weights, partial scores, unscored ideas, a shortlist without votes, the
public weight at 0 and 1, conflicts, the tie-breaks and the disputed flag.

The helpers at the top build jury data directly with the models; the other
award and publication test files import them."""

import datetime
from decimal import Decimal

from django.utils import timezone

import pytest

from campaigns.models import Phase
from ideas.models import Idea, Status
from jury import ranking
from jury.models import Award, AwardBasis, Conflict, Criterion, Evaluation, Juror, Jury, Score
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee
from votes.models import TallyRow

pytestmark = pytest.mark.django_db

T0 = timezone.now() - datetime.timedelta(days=30)


# --- helpers shared by the other jury test files ------------------------------------


def deliberating(*, public_weight="0.50", threshold="1.50", allow_multiple=False, **kwargs):
    """A campaign in deliberation with its jury settings."""
    kwargs.setdefault("phase", Phase.DELIBERATION)
    campaign = CampaignFactory(**kwargs)
    Jury.objects.create(
        campaign=campaign,
        public_weight=Decimal(public_weight),
        disagreement_threshold=Decimal(threshold),
        allow_multiple_awards=allow_multiple,
    )
    return campaign


def shortlisted(campaign, votes: int = 0, *, at: datetime.datetime | None = None, **kwargs) -> Idea:
    """A shortlisted idea with its row in the tally (`votes`)."""
    idea = IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, created_at=at or T0, **kwargs)
    rank = TallyRow.objects.filter(campaign=campaign).count() + 1
    TallyRow.objects.create(campaign=campaign, idea=idea, votes=votes, rank=rank)
    return idea


def juror(campaign, *, chair: bool = False, user=None) -> Juror:
    return Juror.objects.create(campaign=campaign, user=user or employee(), is_chair=chair)


def criterion(campaign, name: str = "Innovation", weight: int = 1) -> Criterion:
    position = Criterion.objects.filter(campaign=campaign).count()
    return Criterion.objects.create(campaign=campaign, name=name, weight=weight, position=position)


def score(seat: Juror, idea: Idea, values: dict[Criterion, int]) -> Evaluation:
    evaluation, _created = Evaluation.objects.get_or_create(juror=seat, idea=idea)
    for crit, value in values.items():
        Score.objects.update_or_create(evaluation=evaluation, criterion=crit, defaults={"value": value})
    return evaluation


def award(campaign, name: str = "Grand prize", *, basis: str = AwardBasis.JURY, prize: str = "A trip") -> Award:
    position = Award.objects.filter(campaign=campaign).count()
    return Award.objects.create(campaign=campaign, name=name, basis=basis, prize=prize, position=position)


def ranked_campaign(n: int = 3, **kwargs) -> tuple:
    """A deliberating campaign whose ranking is its votes (public weight 1):
    returns the campaign and its n shortlisted ideas, first-ranked first."""
    kwargs.setdefault("public_weight", "1")
    campaign = deliberating(**kwargs)
    ideas = [shortlisted(campaign, votes=10 * (n - i), at=T0 + datetime.timedelta(minutes=i)) for i in range(n)]
    return campaign, ideas


def by_idea(campaign) -> dict[int, ranking.Standing]:
    return {standing.idea.pk: standing for standing in ranking.standings(campaign)}


# --- the formula --------------------------------------------------------------------


def test_the_final_score_weighs_normalised_votes_and_the_jury_average():
    campaign = deliberating(public_weight="0.50")
    innovation = criterion(campaign)
    first, second = juror(campaign), juror(campaign)
    popular = shortlisted(campaign, votes=10)
    liked = shortlisted(campaign, votes=5)
    score(first, popular, {innovation: 4})
    score(second, popular, {innovation: 2})
    score(first, liked, {innovation: 5})
    score(second, liked, {innovation: 5})

    standings = by_idea(campaign)

    # 0.5 × 10/10 + 0.5 × 3/5 = 0.8
    assert standings[popular.pk].jury_average == Decimal("3.000")
    assert standings[popular.pk].final_score == Decimal("0.8000")
    # 0.5 × 5/10 + 0.5 × 5/5 = 0.75
    assert standings[liked.pk].final_score == Decimal("0.7500")
    assert [s.idea.pk for s in ranking.standings(campaign)] == [popular.pk, liked.pk]
    assert [s.rank for s in ranking.standings(campaign)] == [1, 2]


def test_a_jurors_mark_is_the_weighted_mean_of_the_criteria_they_scored():
    campaign = deliberating(public_weight="0.30")
    innovation = criterion(campaign, "Innovation", weight=3)
    feasibility = criterion(campaign, "Feasibility", weight=1)
    a, b, c = juror(campaign), juror(campaign), juror(campaign)
    idea = shortlisted(campaign, votes=4)
    shortlisted(campaign, votes=8)
    score(a, idea, {innovation: 5, feasibility: 1})  # (15 + 1) / 4 = 4
    score(b, idea, {innovation: 2, feasibility: 2})  # 2
    score(c, idea, {feasibility: 5})  # partial: only feasibility, so 5

    standing = by_idea(campaign)[idea.pk]

    # average (4 + 2 + 5) / 3 = 11/3; final 0.3 × 4/8 + 0.7 × (11/3)/5 = 0.15 + 0.51333…
    assert standing.marks == 3
    assert standing.jury_average == Decimal("3.667")
    assert standing.final_score == Decimal("0.6633")


def test_an_idea_nobody_scored_is_unscored_and_gets_nothing_for_the_jury_part():
    campaign = deliberating(public_weight="0.40")
    innovation = criterion(campaign)
    seat = juror(campaign)
    unscored = shortlisted(campaign, votes=6)
    scored = shortlisted(campaign, votes=3)
    score(seat, scored, {innovation: 5})

    standings = by_idea(campaign)

    assert standings[unscored.pk].unscored and standings[unscored.pk].jury_average is None
    assert standings[unscored.pk].marks == 0
    assert standings[unscored.pk].final_score == Decimal("0.4000")  # 0.4 × 6/6 + 0
    assert not standings[scored.pk].unscored
    assert standings[scored.pk].final_score == Decimal("0.8000")  # 0.4 × 3/6 + 0.6 × 5/5


def test_an_evaluation_without_any_score_leaves_the_idea_unscored():
    campaign = deliberating()
    criterion(campaign)
    idea = shortlisted(campaign, votes=1)
    Evaluation.objects.create(juror=juror(campaign), idea=idea, comment="Later.")

    assert by_idea(campaign)[idea.pk].unscored


def test_a_shortlist_nobody_voted_for_gets_nothing_for_the_public_part():
    campaign = deliberating(public_weight="0.50")
    innovation = criterion(campaign)
    seat = juror(campaign)
    idea = shortlisted(campaign, votes=0)
    other = shortlisted(campaign, votes=0)
    score(seat, idea, {innovation: 5})

    standings = by_idea(campaign)

    assert standings[idea.pk].final_score == Decimal("0.5000")
    assert standings[other.pk].final_score == Decimal("0.0000")


def test_an_idea_without_a_tally_row_counts_no_votes():
    campaign = deliberating(public_weight="1")
    counted = shortlisted(campaign, votes=2)
    wildcard = IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, created_at=T0)

    standings = by_idea(campaign)

    assert standings[wildcard.pk].votes == 0
    assert standings[wildcard.pk].final_score == Decimal("0.0000")
    assert standings[counted.pk].final_score == Decimal("1.0000")


@pytest.mark.parametrize(
    ("public_weight", "expected"),
    [
        # votes 3 of 6, jury 4/5
        ("0", Decimal("0.8000")),
        ("1", Decimal("0.5000")),
        ("0.25", Decimal("0.7250")),  # 0.25 × 0.5 + 0.75 × 0.8
    ],
)
def test_the_public_weight_at_its_bounds_and_between(public_weight, expected):
    campaign = deliberating(public_weight=public_weight)
    innovation = criterion(campaign)
    idea = shortlisted(campaign, votes=3)
    shortlisted(campaign, votes=6)
    score(juror(campaign), idea, {innovation: 4})

    assert by_idea(campaign)[idea.pk].final_score == expected


def test_without_jury_settings_the_defaults_apply():
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    innovation = criterion(campaign)
    idea = shortlisted(campaign, votes=2)
    score(juror(campaign), idea, {innovation: 5})

    # default public weight 0.5: 0.5 × 1 + 0.5 × 1
    assert by_idea(campaign)[idea.pk].final_score == Decimal("1.0000")


def test_scores_of_a_juror_with_a_declared_conflict_are_left_out():
    campaign = deliberating(public_weight="0")
    innovation = criterion(campaign)
    fair, conflicted = juror(campaign), juror(campaign)
    idea = shortlisted(campaign, votes=1)
    score(fair, idea, {innovation: 2})
    score(conflicted, idea, {innovation: 5})  # given before the declaration
    Conflict.objects.create(juror=conflicted, idea=idea, reason="My brother's idea.")

    standing = by_idea(campaign)[idea.pk]

    assert standing.marks == 1
    assert standing.jury_average == Decimal("2.000")
    assert standing.final_score == Decimal("0.4000")


def test_the_conflict_counts_only_for_its_idea():
    campaign = deliberating(public_weight="0")
    innovation = criterion(campaign)
    seat = juror(campaign)
    conflicted_idea = shortlisted(campaign)
    other = shortlisted(campaign)
    score(seat, conflicted_idea, {innovation: 5})
    score(seat, other, {innovation: 5})
    Conflict.objects.create(juror=seat, idea=conflicted_idea)

    standings = by_idea(campaign)

    assert standings[conflicted_idea.pk].unscored
    assert standings[other.pk].jury_average == Decimal("5.000")


def test_scores_from_another_campaigns_jury_do_not_count():
    campaign = deliberating(public_weight="0")
    other_campaign = deliberating()
    idea = shortlisted(campaign)
    stranger = juror(other_campaign)
    score(stranger, idea, {criterion(other_campaign): 5})

    assert by_idea(campaign)[idea.pk].unscored


# --- what is ranked -------------------------------------------------------------------


def test_the_shortlist_leaves_out_hidden_unapproved_and_unshortlisted_ideas():
    campaign = deliberating()
    kept = shortlisted(campaign, votes=3)
    awarded = IdeaFactory(campaign=campaign, status=Status.AWARDED)
    not_selected = IdeaFactory(campaign=campaign, status=Status.NOT_SELECTED)
    shortlisted(campaign, votes=9, hidden=True, hidden_reason="Spam.")
    shortlisted(campaign, votes=9, approved=False)
    IdeaFactory(campaign=campaign, status=Status.PUBLISHED)
    IdeaFactory(campaign=deliberating(), status=Status.SHORTLISTED)

    assert set(ranking.shortlist(campaign).values_list("pk", flat=True)) == {kept.pk, awarded.pk, not_selected.pk}
    assert {s.idea.pk for s in ranking.standings(campaign)} == {kept.pk, awarded.pk, not_selected.pk}


def test_the_most_votes_are_those_of_the_shortlist():
    campaign = deliberating(public_weight="1")
    idea = shortlisted(campaign, votes=5)
    hidden = shortlisted(campaign, votes=50, hidden=True, hidden_reason="Spam.")

    standings = by_idea(campaign)

    assert hidden.pk not in standings
    assert standings[idea.pk].final_score == Decimal("1.0000")


# --- tie-breaks -----------------------------------------------------------------------


def test_an_equal_final_score_is_broken_by_more_votes():
    campaign = deliberating(public_weight="0.50")
    innovation = criterion(campaign)
    seat = juror(campaign)
    # submitted first, fewer votes: 0.5 × 5/10 + 0.5 × 2.5/5 = 0.5 (two marks 2 and 3)
    fewer = shortlisted(campaign, votes=5, at=T0)
    # later, more votes: 0.5 × 10/10 + 0 = 0.5
    more = shortlisted(campaign, votes=10, at=T0 + datetime.timedelta(hours=1))
    score(seat, fewer, {innovation: 2})
    score(juror(campaign), fewer, {innovation: 3})
    score(seat, more, {innovation: 0})

    standings = ranking.standings(campaign)

    assert [s.final_score for s in standings] == [Decimal("0.5000"), Decimal("0.5000")]
    assert [s.idea.pk for s in standings] == [more.pk, fewer.pk]


def test_equal_score_and_votes_are_broken_by_the_earlier_submission():
    campaign = deliberating()
    later = shortlisted(campaign, votes=4, at=T0 + datetime.timedelta(minutes=5))
    earlier = shortlisted(campaign, votes=4, at=T0)

    assert [s.idea.pk for s in ranking.standings(campaign)] == [earlier.pk, later.pk]


def test_then_by_the_lower_id():
    campaign = deliberating()
    first = shortlisted(campaign, votes=4, at=T0)
    second = shortlisted(campaign, votes=4, at=T0)

    assert first.pk < second.pk
    assert [s.idea.pk for s in ranking.standings(campaign)] == [first.pk, second.pk]


def test_scores_that_round_alike_are_not_treated_as_equal():
    # 1/3 and 0.3333 print the same at four places; the order uses exact fractions.
    campaign = deliberating(public_weight="0")
    innovation = criterion(campaign, weight=3)
    clarity = criterion(campaign, "Clarity", weight=2)
    seat = juror(campaign)
    higher = shortlisted(campaign, votes=0, at=T0 + datetime.timedelta(hours=2))
    lower = shortlisted(campaign, votes=9, at=T0)
    score(seat, higher, {innovation: 2, clarity: 3})  # 12/5 = 2.4 → 0.48
    score(seat, lower, {innovation: 3, clarity: 1})  # 11/5 = 2.2 → 0.44

    assert [s.idea.pk for s in ranking.standings(campaign)] == [higher.pk, lower.pk]


# --- disagreement ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "threshold", "disputed", "spread"),
    [
        ((1, 4), "1.50", True, Decimal("3.000")),
        ((2, 3), "1.50", False, Decimal("1.000")),
        ((1, 3), "2.00", False, Decimal("2.000")),  # equal to the threshold: not above it
        ((1, 3), "1.99", True, Decimal("2.000")),
        ((5, 0, 3), "4.00", True, Decimal("5.000")),
    ],
)
def test_an_idea_is_disputed_when_the_marks_spread_more_than_the_threshold(marks, threshold, disputed, spread):
    campaign = deliberating(threshold=threshold)
    innovation = criterion(campaign)
    idea = shortlisted(campaign, votes=1)
    for mark in marks:
        score(juror(campaign), idea, {innovation: mark})

    standing = by_idea(campaign)[idea.pk]

    assert standing.spread == spread
    assert standing.disputed is disputed


def test_one_mark_has_no_spread_and_is_never_disputed():
    campaign = deliberating(threshold="0")
    innovation = criterion(campaign)
    idea = shortlisted(campaign)
    score(juror(campaign), idea, {innovation: 5})

    standing = by_idea(campaign)[idea.pk]

    assert standing.spread is None
    assert not standing.disputed


def test_standings_take_five_queries_whatever_the_size(django_assert_num_queries):
    campaign = deliberating()
    innovation = criterion(campaign)
    seats = [juror(campaign) for _ in range(3)]
    for n in range(30):
        idea = shortlisted(campaign, votes=n)
        for seat in seats:
            score(seat, idea, {innovation: n % 6})

    with django_assert_num_queries(5):
        assert len(ranking.standings(campaign)) == 30


def test_the_authors_are_loaded_with_the_standings(django_assert_num_queries):
    campaign = deliberating()
    author = UserFactory()
    shortlisted(campaign, author=author)
    standings = ranking.standings(campaign)

    with django_assert_num_queries(0):
        assert standings[0].idea.author.username == author.username
