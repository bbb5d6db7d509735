"""Deciding a campaign's awards, during deliberation.

The chair of the campaign's jury or a campaign manager confirms the winner
of each jury award (`decide_award`); choosing another idea than the
top-ranked eligible one needs a written justification, kept and published.
Awards decided by the public go to the most voted eligible idea of the
shortlist (`decide_public_awards`), with no justification.

Who: `jury.access.may_decide_awards`. A juror who is not the chair sees the
awards (read-only) and is refused a decision with 403 `permission_denied`;
anyone else gets 404 `not_found`.

Every decision locks the campaign row first (SELECT ... FOR UPDATE): two
deciders at once are served one after the other, so one idea cannot win two
awards, and the move out of deliberation (whose compare-and-swap UPDATE
takes the same row lock) cannot slip between a check and a write.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea
from votes.models import TallyRow

from . import access, ranking
from .models import Award, AwardBasis, Jury

# Decisions are taken, changed and taken back while deliberating, also after
# deliberation_ends: the campaign waits in deliberation for undecided awards.
DECIDING_PHASE = Phase.DELIBERATION


@dataclass(frozen=True)
class Overview:
    """A campaign's awards, their decisions and the live ranking, as the
    award page and the API show them."""

    campaign: Campaign
    jury: Jury | None
    awards: list[Award]
    standings: list[ranking.Standing]
    suggestions: dict[int, int | None]  # award id -> the idea the ranking (or the vote) points to

    @property
    def undecided(self) -> list[Award]:
        return [award for award in self.awards if award.winner_id is None]

    @property
    def undecided_jury(self) -> list[Award]:
        return [award for award in self.undecided if award.basis == AwardBasis.JURY]

    @property
    def undecided_public(self) -> list[Award]:
        return [award for award in self.undecided if award.basis == AwardBasis.PUBLIC]

    @property
    def blocking(self) -> list[Award]:
        """What holds the campaign in deliberation: undecided jury awards, and
        undecided public awards no shortlisted idea may win."""
        return [a for a in self.undecided if a.basis == AwardBasis.JURY or not self.suggestions.get(a.pk)]

    @property
    def may_leave_deliberation(self) -> bool:
        """No jury award waits, and every public award has an idea to go to."""
        return not self.blocking


def _allows_several(campaign: Campaign) -> bool:
    return Jury.objects.filter(campaign=campaign, allow_multiple_awards=True).exists()


def _taken(awards: list[Award], award: Award, several: bool) -> set[int]:
    """Ideas that may not win `award` because they won another one."""
    if several:
        return set()
    return {other.winner_id for other in awards if other.winner_id and other.pk != award.pk}


def top_eligible(award: Award, *, awards: list[Award], standings: list[ranking.Standing], several: bool):
    """The first idea of the ranking that may still win this jury award."""
    taken = _taken(awards, award, several)
    return next((s.idea for s in standings if s.idea.pk not in taken), None)


def most_voted_eligible(
    award: Award, *, awards: list[Award], candidates: list[tuple[int, int, datetime.datetime]], several: bool
):
    """The id of the most voted idea that may still win this public award.

    `candidates` are (votes, idea id, submitted at) of the shortlist; ties
    break as the ranking's: more votes, the earlier submission, the lower id.
    """
    taken = _taken(awards, award, several)
    ordered = sorted(candidates, key=lambda c: (-c[0], c[2], c[1]))
    return next((pk for _votes, pk, _at in ordered if pk not in taken), None)


def _public_candidates(campaign: Campaign) -> list[tuple[int, int, datetime.datetime]]:
    ideas = list(ranking.shortlist(campaign).values_list("pk", "created_at"))
    votes = dict(
        TallyRow.objects.filter(campaign=campaign, idea_id__in=[pk for pk, _at in ideas]).values_list(
            "idea_id", "votes"
        )
    )
    return [(votes.get(pk, 0), pk, at) for pk, at in ideas]


def awards_of(campaign: Campaign):
    return Award.objects.filter(campaign=campaign).select_related("winner", "decided_by").order_by("position", "pk")


def overview(campaign: Campaign) -> Overview:
    """Everything the award page shows, in a fixed number of queries."""
    jury = Jury.objects.filter(campaign=campaign).first()
    several = bool(jury and jury.allow_multiple_awards)
    awards = list(awards_of(campaign))
    standings = ranking.standings(campaign)
    candidates = [(s.votes, s.idea.pk, s.idea.created_at) for s in standings]
    suggestions: dict[int, int | None] = {}
    for award in awards:
        if award.basis == AwardBasis.PUBLIC:
            suggestions[award.pk] = most_voted_eligible(award, awards=awards, candidates=candidates, several=several)
        else:
            top = top_eligible(award, awards=awards, standings=standings, several=several)
            suggestions[award.pk] = top.pk if top else None
    return Overview(campaign=campaign, jury=jury, awards=awards, standings=standings, suggestions=suggestions)


# --- deciding -----------------------------------------------------------------------


def _locked(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise DomainError("not_found")
    return campaign


def _check_decider(campaign: Campaign, by) -> None:
    if access.may_decide_awards(campaign, by):
        return
    if access.seat(campaign, by) is not None:
        raise DomainError(
            "permission_denied", _("Only the chair of the jury or a campaign manager decides the awards.")
        )
    raise DomainError("not_found")


def _check_deliberating(campaign: Campaign) -> None:
    if campaign.phase != DECIDING_PHASE:
        raise DomainError(
            "awards_closed",
            _("Awards are decided while the campaign deliberates; this one is in the %(phase)s phase.")
            % {"phase": Phase(campaign.phase).label},
        )


def _locked_award(campaign: Campaign, award: Award) -> Award:
    found = Award.objects.select_for_update().filter(pk=award.pk, campaign=campaign).first()
    if found is None:
        raise DomainError("not_found")
    return found


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid", message, fields={field: [message]})


def decide_award(
    *,
    award: Award,
    by,
    winner: Idea,
    justification: str = "",
    now: datetime.datetime | None = None,
) -> Award:
    """Give a jury award to a shortlisted idea, or give it to another one.

    Refusals: 404 for who may not see the jury, 403 `permission_denied` for a
    juror who is not the chair, 409 `awards_closed` outside deliberation,
    400 `invalid` for an idea off the shortlist, for a public award (decided
    by the vote) and for a departure from the ranking without a
    justification, 409 `already_awarded` when the idea won another award and
    the campaign does not allow several.
    """
    now = now or timezone.now()
    justification = (justification or "").strip()
    with transaction.atomic():
        campaign = _locked(award.campaign_id)
        _check_decider(campaign, by)
        _check_deliberating(campaign)
        current = _locked_award(campaign, award)
        if current.basis == AwardBasis.PUBLIC:
            raise _invalid("winner", _("This award goes to the most voted idea: it is decided automatically."))
        if winner is None or not ranking.shortlist(campaign).filter(pk=winner.pk).exists():
            raise _invalid("winner", _("Choose an idea of the shortlist."))
        several = _allows_several(campaign)
        awards = list(Award.objects.filter(campaign=campaign))
        if not several and any(a.winner_id == winner.pk and a.pk != current.pk for a in awards):
            raise DomainError(
                "already_awarded",
                _("“%(idea)s” already won another award, and this campaign gives an idea at most one.")
                % {"idea": winner.title},
            )
        top = top_eligible(current, awards=awards, standings=ranking.standings(campaign), several=several)
        if (top is None or top.pk != winner.pk) and not justification:
            raise _invalid(
                "justification",
                _("“%(idea)s” is not the top-ranked idea that may win this award: explain the choice.")
                % {"idea": winner.title},
            )
        Award.objects.filter(pk=current.pk).update(
            winner=winner, justification=justification, decided_by=by, decided_at=now
        )
    return awards_of(campaign).get(pk=award.pk)


def undecide_award(*, award: Award, by) -> Award:
    """Take a decision back (jury or public award), while deliberating."""
    with transaction.atomic():
        campaign = _locked(award.campaign_id)
        _check_decider(campaign, by)
        _check_deliberating(campaign)
        current = _locked_award(campaign, award)
        Award.objects.filter(pk=current.pk).update(winner=None, justification="", decided_by=None, decided_at=None)
    return awards_of(campaign).get(pk=award.pk)


def decide_public_awards(*, campaign: Campaign, by=None, now: datetime.datetime | None = None) -> list[Award]:
    """Give each undecided public award to the most voted eligible idea of
    the shortlist, in the awards' order. Returns the awards decided now.

    By a person (`by`): the same rules as `decide_award` (chair or manager,
    while deliberating). By the system (`by=None`): when the campaign leaves
    deliberation (campaigns/lifecycle.py, inside the move) and when the
    results are published. An award with no idea left stays undecided.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(campaign.pk)
        if by is not None:
            _check_decider(locked, by)
            _check_deliberating(locked)
        awards = list(Award.objects.select_for_update().filter(campaign=locked).order_by("position", "pk"))
        pending = [a for a in awards if a.basis == AwardBasis.PUBLIC and a.winner_id is None]
        if not pending:
            return []
        several = _allows_several(locked)
        candidates = _public_candidates(locked)
        decided = []
        for award in pending:
            winner_id = most_voted_eligible(award, awards=awards, candidates=candidates, several=several)
            if winner_id is None:
                continue
            Award.objects.filter(pk=award.pk).update(
                winner_id=winner_id, justification="", decided_by=by, decided_at=now
            )
            award.winner_id, award.decided_at = winner_id, now
            decided.append(award)
    return decided


def check_all_decided(*, campaign: Campaign) -> None:
    """Refuse (409 `awards_undecided`) while an award has no winner, after
    deciding the public awards. Called inside the move out of deliberation,
    with the campaign row locked, so the check and the move are one."""
    decide_public_awards(campaign=campaign)
    undecided = list(Award.objects.filter(campaign=campaign, winner__isnull=True).order_by("position", "pk"))
    if undecided:
        raise DomainError(
            "awards_undecided",
            _("Decide every award before the results: %(awards)s.")
            % {"awards": ", ".join(f"“{award.name}”" for award in undecided)},
        )
