"""The jury's reads: the juror's cards, the scoring progress, the wildcard
candidates, and the questions pages and services both ask (is scoring open,
may the setup still change, did this juror write this idea).

Writes are in jury/services.py.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Campaign, Phase
from ideas.models import Idea, Status

from . import ranking
from .models import (
    Award,
    AwardBasis,
    Conflict,
    Criterion,
    Evaluation,
    Juror,
    Jury,
    PublicAwardDecision,
    Score,
    Wildcard,
)

# Criteria, awards and the weights may change only before voting opens.
SETUP_PHASES = (Phase.DRAFT, Phase.SUBMISSION)


def settings_of(campaign: Campaign) -> Jury:
    """The campaign's jury settings, or the unsaved defaults before a first
    change: reading a page writes nothing."""
    return Jury.objects.filter(campaign=campaign).first() or Jury(campaign=campaign)


def setup_is_open(campaign: Campaign) -> bool:
    return campaign.phase in SETUP_PHASES


def scoring_open(campaign: Campaign, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        campaign.phase == Phase.DELIBERATION
        and campaign.deliberation_ends is not None
        and now < campaign.deliberation_ends
    )


def is_own(idea: Idea, user) -> bool:
    """Authored or co-authored: an accepted co-author; a pending invitation
    does not count (Idea.has_author; uses the preloaded co-authors)."""
    return idea.has_author(user)


# --- reading: the juror's cards and the progress ----------------------------------------


@dataclass
class Card:
    """One shortlisted idea as a juror (or a manager) sees it on the jury page."""

    idea: Idea
    votes: int
    scores: dict[int, int] = field(default_factory=dict)
    comment: str = ""
    conflict: bool = False
    own: bool = False
    can_score: bool = False
    marks: int = 0
    disputed: bool = False
    jury_average: Decimal | None = None
    spread: Decimal | None = None

    @property
    def given(self) -> int:
        return len(self.scores)


def shortlist_for_jury(campaign: Campaign):
    return ranking.shortlist(campaign).select_related("author").prefetch_related("coauthors").order_by("title", "pk")


def criteria_of(campaign: Campaign) -> list[Criterion]:
    return list(Criterion.objects.filter(campaign=campaign).order_by("position", "pk"))


def cards(*, campaign: Campaign, juror: Juror | None, ideas, now: datetime.datetime | None = None) -> list[Card]:
    """The cards of these ideas (in their order) for this juror (None: a
    manager who is not on the jury). Constant number of queries."""
    ideas = list(ideas)
    open_now = scoring_open(campaign, now)
    standings = {s.idea.pk: s for s in ranking.standings(campaign, ideas=ideas)}
    mine: dict[int, Evaluation] = {}
    conflicted: set[int] = set()
    if juror is not None:
        ids = [idea.pk for idea in ideas]
        mine = {
            e.idea_id: e for e in Evaluation.objects.filter(juror=juror, idea_id__in=ids).prefetch_related("scores")
        }
        conflicted = set(Conflict.objects.filter(juror=juror, idea_id__in=ids).values_list("idea_id", flat=True))
    found = []
    for idea in ideas:
        standing = standings[idea.pk]
        evaluation = mine.get(idea.pk)
        own = juror is not None and is_own(idea, juror.user)
        conflict = idea.pk in conflicted
        found.append(
            Card(
                idea=idea,
                votes=standing.votes,
                scores={s.criterion_id: s.value for s in evaluation.scores.all()} if evaluation else {},
                comment=evaluation.comment if evaluation else "",
                conflict=conflict,
                own=own,
                can_score=juror is not None and open_now and not own and not conflict,
                marks=standing.marks,
                disputed=standing.disputed,
                jury_average=standing.jury_average,
                spread=standing.spread,
            )
        )
    return found


@dataclass
class JurorProgress:
    juror: Juror
    given: int
    expected: int

    @property
    def finished(self) -> bool:
        return self.given >= self.expected


@dataclass
class IdeaProgress:
    idea: Idea
    votes: int
    marks: int
    jury_average: Decimal | None
    spread: Decimal | None
    disputed: bool
    finished: int  # jurors who scored every criterion
    eligible: int  # jurors who may score it
    wildcard: Wildcard | None


@dataclass
class Progress:
    jurors: list[JurorProgress]
    ideas: list[IdeaProgress]
    criteria: int

    @property
    def given(self) -> int:
        return sum(p.given for p in self.jurors)

    @property
    def expected(self) -> int:
        return sum(p.expected for p in self.jurors)

    @property
    def unfinished(self) -> list[JurorProgress]:
        return [p for p in self.jurors if not p.finished]


def progress(campaign: Campaign) -> Progress:
    """Scores given / expected per juror, and per idea how many jurors have
    finished it. Expected: the shortlisted ideas a juror may score (not
    their own, no conflict) × the number of criteria. Constant queries."""
    jurors = list(
        Juror.objects.filter(campaign=campaign).select_related("user").order_by("-is_chair", "added_at", "pk")
    )
    ideas = list(shortlist_for_jury(campaign).select_related("wildcard"))
    n_criteria = Criterion.objects.filter(campaign=campaign).count()
    ids = [idea.pk for idea in ideas]
    conflicted = set(
        Conflict.objects.filter(juror__campaign=campaign, idea_id__in=ids).values_list("juror_id", "idea_id")
    )
    counts = {
        (row["evaluation__juror_id"], row["evaluation__idea_id"]): row["n"]
        for row in Score.objects.filter(evaluation__juror__campaign=campaign, evaluation__idea_id__in=ids)
        .values("evaluation__juror_id", "evaluation__idea_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    standings = {s.idea.pk: s for s in ranking.standings(campaign, ideas=ideas)}

    def eligible(juror: Juror, idea: Idea) -> bool:
        return (juror.pk, idea.pk) not in conflicted and not is_own(idea, juror.user)

    per_juror = []
    for juror in jurors:
        mine = [idea for idea in ideas if eligible(juror, idea)]
        given = sum(counts.get((juror.pk, idea.pk), 0) for idea in mine)
        per_juror.append(JurorProgress(juror=juror, given=given, expected=len(mine) * n_criteria))
    per_idea = []
    for idea in ideas:
        seated = [juror for juror in jurors if eligible(juror, idea)]
        standing = standings[idea.pk]
        per_idea.append(
            IdeaProgress(
                idea=idea,
                votes=standing.votes,
                marks=standing.marks,
                jury_average=standing.jury_average,
                spread=standing.spread,
                disputed=standing.disputed,
                finished=sum(1 for j in seated if n_criteria and counts.get((j.pk, idea.pk), 0) >= n_criteria),
                eligible=len(seated),
                wildcard=getattr(idea, "wildcard", None),
            )
        )
    per_idea.sort(key=lambda row: standings[row.idea.pk].rank)
    return Progress(jurors=per_juror, ideas=per_idea, criteria=n_criteria)


def wildcard_candidates(campaign: Campaign, search: str = ""):
    """Published, listed ideas of the campaign a manager may add as wildcards."""
    found = Idea.objects.filter(campaign=campaign, status=Status.PUBLISHED).listed().order_by("-vote_count", "pk")
    search = (search or "").strip()
    if search:
        query = Q(title__icontains=search)
        if search.lstrip("#").isdigit():
            query |= Q(pk=int(search.lstrip("#")))
        found = found.filter(query)
    return found


# --- the awards ------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """A campaign's awards, their decisions and the live ranking, as the
    award page and the API show them."""

    campaign: Campaign
    jury: Jury  # the unsaved defaults before any setup
    awards: list[Award]
    standings: list[ranking.Standing]
    # award id -> for a jury award, the top-ranked idea that may still win
    # it (never one that won another award, unless several are allowed);
    # for a public award, its winner (the votes decided it).
    suggestions: dict[int, int | None]
    votes: dict[int, int]  # idea id -> its votes in the tally, for the shortlist
    history: dict[int, list[PublicAwardDecision]]  # public award id -> its decisions, oldest first

    @property
    def undecided(self) -> list[Award]:
        return [award for award in self.awards if not award.is_decided]

    @property
    def undecided_jury(self) -> list[Award]:
        return [award for award in self.undecided if award.basis == AwardBasis.JURY]

    @property
    def hidden_winners(self) -> list[Award]:
        """Jury awards whose winner left the shortlist (hidden by moderation,
        say) after the decision: kept as decided, shown so the jury may
        decide again."""
        listed = {s.idea.pk for s in self.standings}
        return [a for a in self.awards if a.basis == AwardBasis.JURY and a.winner_id and a.winner_id not in listed]

    @property
    def blocking(self) -> list[Award]:
        """What holds the campaign in deliberation: undecided jury awards, and
        public awards while the tally is not stored. A public award decided
        with no winner (nobody voted for an idea that may win it) blocks nothing."""
        return self.undecided

    @property
    def may_leave_deliberation(self) -> bool:
        """Every jury award is decided, and the public awards are decided from the tally."""
        return not self.blocking


def awards_of(campaign: Campaign):
    return Award.objects.filter(campaign=campaign).select_related("winner", "decided_by").order_by("position", "pk")
