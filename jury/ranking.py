"""The final score and ranking of a campaign's shortlist.

    final = public weight × (votes ÷ the shortlist's most votes)
          + jury weight × (jury average ÷ SCALE_MAX)

- votes: the idea's row in the stored tally (votes/tally.py), 0 without one;
  a shortlist where nobody voted gives every idea 0 for the public part.
- a juror's mark for an idea: the weighted mean of the criteria they scored,
  Σ weight × score ÷ Σ weight; the jury average is the plain mean of the
  jurors' marks. An idea no juror scored is `unscored`: 0 for the jury part.
- spread: the highest juror mark minus the lowest; above the jury's
  `disagreement_threshold` (with at least two marks) the idea is `disputed`.
- ties: more votes, then the earlier submission, then the lower id.

Computed with exact fractions so that equal scores compare equal; shown and
stored as Decimals. Pure reading: publication (results/services.py) stores
this ranking once as ResultRow, pages before that compute it live.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from campaigns.models import Campaign
from ideas.models import Idea, Status
from votes.models import TallyRow

from .models import SCALE_MAX, Conflict, Jury, Score

SHORTLIST_STATUSES = (Status.SHORTLISTED, Status.AWARDED, Status.NOT_SELECTED)


@dataclass(frozen=True)
class Standing:
    idea: Idea
    rank: int
    votes: int
    jury_average: Decimal | None  # None: unscored
    marks: int  # how many jurors scored it
    spread: Decimal | None  # None: fewer than two marks
    disputed: bool
    final_score: Decimal

    @property
    def unscored(self) -> bool:
        return self.jury_average is None


def as_decimal(value: Fraction, places: int) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(exponent, rounding=ROUND_HALF_EVEN)


def shortlist(campaign: Campaign):
    """The ideas the jury scores: shortlisted (by the tally or as wildcards),
    listed (not hidden, merged or awaiting approval). After publication they
    are `awarded` or `not_selected`, and still the shortlist."""
    return Idea.objects.filter(campaign=campaign, status__in=SHORTLIST_STATUSES).listed()


def juror_marks(campaign: Campaign, idea_ids) -> dict[int, dict[int, Fraction]]:
    """{idea id: {juror id: weighted mean of the criteria they scored}}.

    Scores of a juror with a declared conflict on the idea are left out even
    if some remain from before the declaration.
    """
    conflicted = set(
        Conflict.objects.filter(juror__campaign=campaign, idea_id__in=idea_ids).values_list("idea_id", "juror_id")
    )
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    rows = Score.objects.filter(evaluation__juror__campaign=campaign, evaluation__idea_id__in=idea_ids).values_list(
        "evaluation__idea_id", "evaluation__juror_id", "criterion__weight", "value"
    )
    for idea_id, juror_id, weight, value in rows:
        if (idea_id, juror_id) in conflicted:
            continue
        acc = sums[(idea_id, juror_id)]
        acc[0] += weight * value
        acc[1] += weight
    marks: dict[int, dict[int, Fraction]] = defaultdict(dict)
    for (idea_id, juror_id), (weighted, weights) in sums.items():
        if weights:
            marks[idea_id][juror_id] = Fraction(weighted, weights)
    return marks


def final_score(*, public_weight: Fraction, votes: int, most_votes: int, jury_average: Fraction | None) -> Fraction:
    public = Fraction(votes, most_votes) if most_votes else Fraction(0)
    jury = jury_average / SCALE_MAX if jury_average is not None else Fraction(0)
    return public_weight * public + (1 - public_weight) * jury


def standings(campaign: Campaign, ideas=None) -> list[Standing]:
    """The shortlist ranked by final score (the ideas given, or the shortlist).

    Five queries whatever the size: settings, ideas, tally rows, conflicts, scores.
    """
    jury = Jury.objects.filter(campaign=campaign).first()
    public_weight = Fraction(jury.public_weight if jury else Jury._meta.get_field("public_weight").default)
    threshold = Fraction(
        jury.disagreement_threshold if jury else Jury._meta.get_field("disagreement_threshold").default
    )
    ideas = list(ideas if ideas is not None else shortlist(campaign).select_related("author"))
    ids = [idea.pk for idea in ideas]
    votes = dict(TallyRow.objects.filter(campaign=campaign, idea_id__in=ids).values_list("idea_id", "votes"))
    most_votes = max((votes.get(pk, 0) for pk in ids), default=0)
    marks = juror_marks(campaign, ids)

    scored = []
    for idea in ideas:
        given = list(marks.get(idea.pk, {}).values())
        average = sum(given, Fraction(0)) / len(given) if given else None
        spread = max(given) - min(given) if len(given) >= 2 else None
        score = final_score(
            public_weight=public_weight, votes=votes.get(idea.pk, 0), most_votes=most_votes, jury_average=average
        )
        scored.append((idea, votes.get(idea.pk, 0), average, len(given), spread, score))

    scored.sort(key=lambda row: (-row[5], -row[1], row[0].created_at, row[0].pk))
    return [
        Standing(
            idea=idea,
            rank=position,
            votes=n_votes,
            jury_average=as_decimal(average, 3) if average is not None else None,
            marks=n_marks,
            spread=as_decimal(spread, 3) if spread is not None else None,
            disputed=spread is not None and spread > threshold,
            final_score=as_decimal(score, 4),
        )
        for position, (idea, n_votes, average, n_marks, spread, score) in enumerate(scored, start=1)
    ]
