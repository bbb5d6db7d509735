"""Deciding a campaign's awards: every write to the award decisions
(winner, justification, decided_*) and to the public award decisions.

The rest of the jury's writes are in jury/services.py. These are apart
because campaigns.lifecycle calls them (the move out of deliberation checks
every award is decided) and jury/services.py calls campaigns.services (the
shortlist size is a campaign setting): one module would close an import
cycle campaigns.services -> lifecycle -> jury -> campaigns.services.

The chair of the campaign's jury or a campaign manager confirms the winner
of each jury award (`decide_award`); choosing another idea than the
top-ranked eligible one needs a written justification, kept and published.

Public awards depend on the votes alone (PRODUCT.md, "Jury and awards").
They are decided by the system from the stored tally, in the transaction
that stores it, when the campaign leaves voting
(`tally_and_decide_public_awards`, the task campaigns.lifecycle queues), so
before any jury decision: the jury then finds that idea taken. Nobody
decides or takes them back by hand. A winner hidden before publication
means the award is decided again from the tally without it
(`decide_public_awards_from_tally`, run before every read of the awards,
every jury decision, the move out of deliberation and the publication),
each decision recorded as a PublicAwardDecision.

Who: `jury.access.may_decide_awards`. A juror who is not the chair sees the
awards (read-only) and is refused a decision with 403 `permission_denied`;
anyone else gets 404 `not_found`.

Every decision locks the campaign row first (SELECT ... FOR UPDATE): two
deciders at once are served one after the other, so one idea cannot win two
awards, and the move out of deliberation (whose compare-and-swap UPDATE
takes the same row lock) cannot slip between a check and a write.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea
from votes import tally
from votes.models import Tally, TallyRow

from . import access, ranking
from .models import Award, AwardBasis, Jury, PublicAwardDecision
from .selectors import Overview, awards_of, settings_of

# Decisions are taken, changed and taken back while deliberating, also after
# deliberation_ends: the campaign waits in deliberation for undecided awards.
DECIDING_PHASE = Phase.DELIBERATION


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
) -> tuple[int, int] | None:
    """(idea id, votes) of the most voted idea that may still win this
    public award, None when no idea with a vote may.

    `candidates` are (votes, idea id, submitted at) of the shortlist; ties
    break as the ranking's: more votes, the earlier submission, the lower id.
    An idea nobody voted for wins no public award.
    """
    taken = _taken(awards, award, several)
    ordered = sorted(candidates, key=lambda c: (-c[0], c[2], c[1]))
    return next(((pk, votes) for votes, pk, _at in ordered if votes > 0 and pk not in taken), None)


def _public_candidates(campaign: Campaign) -> list[tuple[int, int, datetime.datetime]]:
    """(votes in the stored tally, idea id, submitted at) of the shortlist
    as it is now: an idea hidden since the tally is no candidate."""
    ideas = list(ranking.shortlist(campaign).values_list("pk", "created_at"))
    votes = dict(
        TallyRow.objects.filter(campaign=campaign, idea_id__in=[pk for pk, _at in ideas]).values_list(
            "idea_id", "votes"
        )
    )
    return [(votes.get(pk, 0), pk, at) for pk, at in ideas]


def public_awards_due(awards: list[Award], listed: set[int]) -> list[Award]:
    """The public awards the system decides (again) from the tally: those
    not decided yet, and those whose winner is no longer in the shortlist
    (`listed`: its idea ids), hidden by moderation, say."""
    return [
        a
        for a in awards
        if a.basis == AwardBasis.PUBLIC and (not a.is_decided or (a.winner_id and a.winner_id not in listed))
    ]


def overview(campaign: Campaign) -> Overview:
    """Everything the award page shows, in a fixed number of queries.

    A public award whose winner left the shortlist since (hidden), or still
    undecided while a tally is stored (a campaign tallied before public
    awards were decided with the tally), is decided from the tally first,
    so what is shown is what the jury's next decision will find.
    """
    jury = settings_of(campaign)
    awards = list(awards_of(campaign))
    standings = ranking.standings(campaign)
    unpublished = not jury.published_at
    if (
        unpublished
        and public_awards_due(awards, {s.idea.pk for s in standings})
        # While the tally runs (it holds the campaign row), a reader does not wait for it.
        and Tally.objects.filter(campaign=campaign).exists()
        and decide_public_awards_from_tally(campaign_id=campaign.pk)
    ):
        awards = list(awards_of(campaign))
    several = jury.allow_multiple_awards
    suggestions: dict[int, int | None] = {}
    for award in awards:
        if award.basis == AwardBasis.PUBLIC:
            suggestions[award.pk] = award.winner_id
        else:
            top = top_eligible(award, awards=awards, standings=standings, several=several)
            suggestions[award.pk] = top.pk if top else None
    history: dict[int, list[PublicAwardDecision]] = {a.pk: [] for a in awards if a.basis == AwardBasis.PUBLIC}
    if history:
        for decision in PublicAwardDecision.objects.filter(award__in=list(history)).select_related(
            "previous_winner", "winner"
        ):
            history[decision.award_id].append(decision)
    return Overview(
        campaign=campaign,
        jury=jury,
        awards=awards,
        standings=standings,
        suggestions=suggestions,
        votes={s.idea.pk: s.votes for s in standings},
        history=history,
    )


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid", message, fields={field: [message]})


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


def _check_public_awards_decided(campaign: Campaign) -> None:
    """Public awards come first: no jury decision before they are decided from the tally."""
    if Award.objects.filter(campaign=campaign, basis=AwardBasis.PUBLIC, decided_at__isnull=True).exists():
        raise DomainError(
            "awards_closed",
            _("The votes are still being counted: the jury decides once the public awards are decided from the tally."),
        )


def _locked_award(campaign: Campaign, award: Award) -> Award:
    found = Award.objects.select_for_update().filter(pk=award.pk, campaign=campaign).first()
    if found is None:
        raise DomainError("not_found")
    return found


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
    by the votes) and for a departure from the ranking without a
    justification, 409 `already_awarded` when the idea won another award
    (a public one too) and the campaign does not allow several, 409
    `awards_closed` while the public awards wait for the tally.
    """
    now = now or timezone.now()
    justification = (justification or "").strip()
    with transaction.atomic():
        campaign = _locked(award.campaign_id)
        _check_decider(campaign, by)
        _check_deliberating(campaign)
        current = _locked_award(campaign, award)
        if current.basis == AwardBasis.PUBLIC:
            raise _invalid("winner", _("This award is decided by the votes, from the tally: not by hand."))
        # A public winner hidden since is replaced first, so the idea the
        # award now goes to is seen as taken (a refusal below undoes it with
        # the rest: the next read of the awards decides it again).
        decide_public_awards_from_tally(campaign_id=campaign.pk, now=now)
        _check_public_awards_decided(campaign)
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
    """Take a jury award's decision back, while deliberating. A public
    award's is the votes': 400 `invalid`."""
    with transaction.atomic():
        campaign = _locked(award.campaign_id)
        _check_decider(campaign, by)
        _check_deliberating(campaign)
        current = _locked_award(campaign, award)
        if current.basis == AwardBasis.PUBLIC:
            raise _invalid("winner", _("This award is decided by the votes, from the tally: not by hand."))
        Award.objects.filter(pk=current.pk).update(winner=None, justification="", decided_by=None, decided_at=None)
    return awards_of(campaign).get(pk=award.pk)


# --- public awards, from the tally ------------------------------------------------------


def decide_public_awards_from_tally(*, campaign_id: int, now: datetime.datetime | None = None) -> list[Award]:
    """Give each public award still to decide, in the awards' order, to the
    most voted idea that may win it, by the stored tally. Returns the awards
    decided now; each decision is recorded (PublicAwardDecision).

    To decide: a public award not decided yet, and one whose winner left
    the shortlist (hidden by moderation, say) before publication, decided
    again without it. Eligible: the shortlist as it is now (listed ideas),
    with at least one vote; ties break as the ranking's (more votes, the
    earlier submission, the lower id); an idea that holds another award is
    taken unless the campaign allows several (at the close of the vote no
    jury award is decided yet; a decision already made is kept). No
    eligible idea: the award is decided with no winner, and blocks nothing.

    By the system only. Nothing happens without a stored tally, nor once the
    results are published. Idempotent: a second run finds nothing to decide.
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign_id)
        jury = Jury.objects.filter(campaign=campaign).first()
        if (jury and jury.published_at) or not Tally.objects.filter(campaign=campaign).exists():
            return []
        awards = list(Award.objects.select_for_update().filter(campaign=campaign).order_by("position", "pk"))
        candidates = _public_candidates(campaign)
        listed = {pk for _votes, pk, _at in candidates}
        due = public_awards_due(awards, listed)
        if not due:
            return []
        several = bool(jury and jury.allow_multiple_awards)
        for award in due:
            previous = award.winner_id
            pick = most_voted_eligible(award, awards=awards, candidates=candidates, several=several)
            winner_id, votes = pick if pick else (None, None)
            Award.objects.filter(pk=award.pk).update(
                winner_id=winner_id, justification="", decided_by=None, decided_at=now
            )
            PublicAwardDecision.objects.create(
                award=award,
                reason=PublicAwardDecision.Reason.WINNER_HIDDEN if previous else PublicAwardDecision.Reason.TALLY,
                previous_winner_id=previous,
                winner_id=winner_id,
                votes=votes,
                at=now,
            )
            award.winner_id, award.decided_at = winner_id, now
    return due


def tally_and_decide_public_awards(*, campaign_id: int, now: datetime.datetime | None = None) -> list[Award]:
    """What follows the close of the vote: tally it (votes.tally) then decide
    the public awards from that tally, in one transaction. A worker killed
    in between leaves no tally, so "a tally is stored" always means "its
    public awards are decided", and the sweep, which re-queues this for a
    campaign past voting without a tally, repairs the rest.

    A tally already stored is kept (the jury may be scoring its shortlist):
    only the public awards are then decided, should one still wait.
    Refusals are the tally's: 404 `not_found`, 409 `invalid_transition`
    while the campaign has not left voting.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The tally locks the campaign row too: one run at a time per campaign.
        _locked(campaign_id)
        if not Tally.objects.filter(campaign_id=campaign_id).exists():
            tally.tally_campaign(campaign_id=campaign_id, now=now)
        return decide_public_awards_from_tally(campaign_id=campaign_id, now=now)


def check_all_decided(*, campaign: Campaign) -> None:
    """Refuse (409 `awards_undecided`) while a jury award is undecided or the
    public awards wait for the tally. Called inside the move out of
    deliberation, with the campaign row locked, so the check and the move
    are one. A public winner hidden since is replaced first (and the public
    awards of a campaign tallied before they were decided with the tally
    are decided here): decisions of the system, not of the order of the
    jury's."""
    decide_public_awards_from_tally(campaign_id=campaign.pk)
    undecided = list(Award.objects.filter(campaign=campaign, decided_at__isnull=True).order_by("position", "pk"))
    if not undecided:
        return
    names = {basis: ", ".join(f"“{award.name}”" for award in undecided if award.basis == basis) for basis in AwardBasis}
    reasons = []
    if names[AwardBasis.JURY]:
        reasons.append(_("Decide every award before the results: %(awards)s.") % {"awards": names[AwardBasis.JURY]})
    if names[AwardBasis.PUBLIC]:
        reasons.append(
            _("The votes are still being counted: %(awards)s will be decided from the tally.")
            % {"awards": names[AwardBasis.PUBLIC]}
        )
    raise DomainError("awards_undecided", " ".join(reasons))
