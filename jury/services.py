"""Every write to a campaign's jury goes through here: its setup by the
campaign managers (settings, jurors and chair, criteria, award categories),
wildcards, the jurors' scores and conflicts of interest, and reminders.
Also the reads the jury pages and the API share (progress, the juror's cards).

Setup rules: criteria, awards and the weights are fixed once voting opens
(participants must know them before they vote): only in draft or submission.
Jurors and the chair may change until the results are published (a juror
dropping out mid-deliberation happens). Scoring is open only in deliberation
and before `deliberation_ends` (the campaign may stay in deliberation past
it while awards are decided, but the scores are closed then).

The award decision fields (winner, justification, decided_*) belong to
jury/awards.py.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from campaigns import services as campaign_services
from campaigns.models import Campaign, Phase
from campaigns.services import require_manager
from ideabox import outbox
from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi
from ideas.models import Idea, Status, StatusChange

from . import ranking
from .access import seat
from .models import SCALE_MAX, Award, AwardBasis, Conflict, Criterion, Evaluation, Juror, Jury, Score, Wildcard

SETUP_PHASES = (Phase.DRAFT, Phase.SUBMISSION)


# --- shared checks ----------------------------------------------------------------------


def _require_challenge(campaign: Campaign) -> None:
    if campaign.is_box:
        raise DomainError("not_found", _("The idea box has no jury."))


def _require_setup_open(campaign: Campaign) -> None:
    if campaign.phase not in SETUP_PHASES:
        raise DomainError(
            "jury_locked",
            _("Criteria, awards and weights are fixed once voting opens: participants must know them before."),
        )


def _require_unpublished(campaign: Campaign) -> None:
    if Jury.objects.filter(campaign=campaign, published_at__isnull=False).exists():
        raise DomainError("jury_locked", _("The results are published: the jury can no longer change."))


def setup_is_open(campaign: Campaign) -> bool:
    return campaign.phase in SETUP_PHASES


def scoring_open(campaign: Campaign, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        campaign.phase == Phase.DELIBERATION
        and campaign.deliberation_ends is not None
        and now < campaign.deliberation_ends
    )


def _invalid(name: str, message: str) -> DomainError:
    return DomainError("invalid", message, fields={name: [message]})


# --- settings -------------------------------------------------------------------------


def jury_of(campaign: Campaign) -> Jury:
    """The campaign's jury settings, made with the defaults on first use."""
    _require_challenge(campaign)
    found, _created = Jury.objects.get_or_create(campaign=campaign)
    return found


def _decimal(name: str, value, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid(name, _("Enter a number.")) from None
    if not number.is_finite() or number < low or number > high or number != number.quantize(Decimal("0.01")):
        raise _invalid(
            name, _("Enter a number from %(low)s to %(high)s, with at most two decimals.") % {"low": low, "high": high}
        )
    return number


def update_jury(
    *,
    campaign: Campaign,
    by,
    public_weight: Decimal | None = None,
    blind_review: bool | None = None,
    disagreement_threshold: Decimal | None = None,
    allow_multiple_awards: bool | None = None,
    shortlist_size: int | None = None,
) -> Jury:
    """Change the jury's settings (arguments left at None keep their value).

    The weights, the shortlist size, blind review and multiple awards are
    fixed once voting opens; the disagreement threshold only flags ideas for
    discussion and may change until the results are published.
    """
    require_manager(by)
    _require_challenge(campaign)
    changes = {}
    if public_weight is not None:
        changes["public_weight"] = _decimal("public_weight", public_weight, Decimal("0"), Decimal("1"))
    if disagreement_threshold is not None:
        changes["disagreement_threshold"] = _decimal(
            "disagreement_threshold", disagreement_threshold, Decimal("0"), Decimal(SCALE_MAX)
        )
    if blind_review is not None:
        changes["blind_review"] = bool(blind_review)
    if allow_multiple_awards is not None:
        changes["allow_multiple_awards"] = bool(allow_multiple_awards)
    if shortlist_size is not None and (isinstance(shortlist_size, bool) or not isinstance(shortlist_size, int)):
        raise _invalid("shortlist_size", _("Enter a whole number."))
    if shortlist_size is not None and not 1 <= shortlist_size <= 1000:
        raise _invalid("shortlist_size", _("Enter a number from 1 to 1000."))

    with transaction.atomic():
        jury, _created = Jury.objects.select_for_update().get_or_create(campaign=campaign)
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if jury.published_at is not None:
            _require_unpublished(campaign)
        fixed = {name for name, value in changes.items() if getattr(jury, name) != value}
        fixed.discard("disagreement_threshold")
        if shortlist_size is not None and shortlist_size != locked.shortlist_size:
            fixed.add("shortlist_size")
        if fixed:
            _require_setup_open(locked)
        for name, value in changes.items():
            setattr(jury, name, value)
        if changes:
            jury.save(update_fields=list(changes))
        if shortlist_size is not None and shortlist_size != locked.shortlist_size:
            campaign_services.update_campaign(campaign=locked, by=by, shortlist_size=shortlist_size)
            campaign.shortlist_size = shortlist_size
    return jury


# --- jurors -------------------------------------------------------------------------------


def find_person(who: str) -> User | None:
    """A registered, active user with a verified e-mail, by username or e-mail."""
    who = (who or "").strip()
    if not who:
        return None
    if "@" in who:
        user = User.objects.filter(is_active=True, emailaddress__email__iexact=who, emailaddress__verified=True).first()
    else:
        user = User.objects.filter(is_active=True, username__iexact=who).first()
    if user is None or not roles.is_participant(user):
        return None
    return user


def add_juror(*, campaign: Campaign, by, who: str, chair: bool = False) -> Juror:
    """Seat a registered user with a verified e-mail, named by username or e-mail."""
    require_manager(by)
    _require_challenge(campaign)
    _require_unpublished(campaign)
    user = find_person(who)
    if user is None:
        raise _invalid("who", _("There is no registered user with a verified e-mail address by this name or e-mail."))
    try:
        with transaction.atomic():
            juror = Juror.objects.create(campaign=campaign, user=user)
    except IntegrityError:
        raise _invalid("who", _("%(name)s is already on this jury.") % {"name": user.public_name}) from None
    Jury.objects.get_or_create(campaign=campaign)
    if chair:
        juror = set_chair(campaign=campaign, by=by, juror=juror)
    return juror


def remove_juror(*, juror: Juror, by) -> None:
    """Unseat a juror; their scores and conflicts go with them."""
    require_manager(by)
    _require_unpublished(juror.campaign)
    Juror.objects.filter(pk=juror.pk).delete()


def set_chair(*, campaign: Campaign, by, juror: Juror | None) -> Juror | None:
    """Make this juror the chair (None: no chair). The database allows one
    chair per campaign, so the old one steps down first, in one transaction."""
    require_manager(by)
    _require_challenge(campaign)
    _require_unpublished(campaign)
    if juror is not None and juror.campaign_id != campaign.pk:
        raise _invalid("juror", _("This person is not on this jury."))
    with transaction.atomic():
        seats = list(Juror.objects.select_for_update().filter(campaign=campaign).order_by("pk"))
        if juror is not None and juror.pk not in {s.pk for s in seats}:
            raise _invalid("juror", _("This person is not on this jury."))
        Juror.objects.filter(campaign=campaign, is_chair=True).exclude(pk=getattr(juror, "pk", None)).update(
            is_chair=False
        )
        if juror is not None:
            Juror.objects.filter(pk=juror.pk).update(is_chair=True)
            juror.is_chair = True
    return juror


# --- criteria and awards ----------------------------------------------------------------


def _check_name(name: str) -> str:
    name = strip_bidi(name or "").strip()
    if not name:
        raise _invalid("name", _("Enter a name."))
    if len(name) > 100:
        raise _invalid("name", _("At most 100 characters."))
    return name


def _check_weight(weight) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
        raise _invalid("weight", _("Enter a whole number from 1 to 100."))
    return weight


def _check_basis(basis: str) -> str:
    if basis not in AwardBasis.values:
        raise _invalid("basis", _("Choose who decides this award."))
    return basis


def _save_named(obj, *, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            obj.save(update_fields=fields) if fields else obj.save()
    except IntegrityError:
        raise _invalid("name", _("This campaign already has one by this name.")) from None


def _next_position(model, campaign: Campaign) -> int:
    top = model.objects.filter(campaign=campaign).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def add_criterion(*, campaign: Campaign, by, name: str, description: str = "", weight: int = 1) -> Criterion:
    require_manager(by)
    _require_challenge(campaign)
    _require_setup_open(campaign)
    criterion = Criterion(
        campaign=campaign,
        name=_check_name(name),
        description=(description or "").strip(),
        weight=_check_weight(weight),
        position=_next_position(Criterion, campaign),
    )
    _save_named(criterion)
    return criterion


def update_criterion(
    *, criterion: Criterion, by, name: str | None = None, description: str | None = None, weight: int | None = None
) -> Criterion:
    require_manager(by)
    _require_setup_open(criterion.campaign)
    if name is not None:
        criterion.name = _check_name(name)
    if description is not None:
        criterion.description = description.strip()
    if weight is not None:
        criterion.weight = _check_weight(weight)
    _save_named(criterion, fields=["name", "description", "weight"])
    return criterion


def delete_criterion(*, criterion: Criterion, by) -> None:
    require_manager(by)
    _require_setup_open(criterion.campaign)
    criterion.delete()


def _reorder(model, *, campaign: Campaign, ids: list[int]):
    with transaction.atomic():
        rows = {row.pk: row for row in model.objects.select_for_update().filter(campaign=campaign)}
        if sorted(ids) != sorted(rows) or len(set(ids)) != len(ids):
            raise _invalid("order", _("Give each of this campaign's items once."))
        for position, pk in enumerate(ids):
            rows[pk].position = position
        model.objects.bulk_update(rows.values(), ["position"])
    return [rows[pk] for pk in ids]


def reorder_criteria(*, campaign: Campaign, by, ids: list[int]) -> list[Criterion]:
    require_manager(by)
    _require_setup_open(campaign)
    return _reorder(Criterion, campaign=campaign, ids=ids)


def add_award(*, campaign: Campaign, by, name: str, prize: str = "", basis: str = AwardBasis.JURY) -> Award:
    require_manager(by)
    _require_challenge(campaign)
    _require_setup_open(campaign)
    award = Award(
        campaign=campaign,
        name=_check_name(name),
        prize=(prize or "").strip(),
        basis=_check_basis(basis),
        position=_next_position(Award, campaign),
    )
    _save_named(award)
    return award


def update_award(
    *, award: Award, by, name: str | None = None, prize: str | None = None, basis: str | None = None
) -> Award:
    require_manager(by)
    _require_setup_open(award.campaign)
    if name is not None:
        award.name = _check_name(name)
    if prize is not None:
        award.prize = prize.strip()
    if basis is not None:
        award.basis = _check_basis(basis)
    _save_named(award, fields=["name", "prize", "basis"])
    return award


def delete_award(*, award: Award, by) -> None:
    require_manager(by)
    _require_setup_open(award.campaign)
    award.delete()


def reorder_awards(*, campaign: Campaign, by, ids: list[int]) -> list[Award]:
    require_manager(by)
    _require_setup_open(campaign)
    return _reorder(Award, campaign=campaign, ids=ids)


# --- wildcards ----------------------------------------------------------------------------


def _require_deliberation(campaign: Campaign) -> None:
    if campaign.phase != Phase.DELIBERATION:
        raise DomainError("invalid_transition", _("Wildcards are added and removed during deliberation only."))


def add_wildcard(
    *, campaign: Campaign, by, idea: Idea | int, reason: str = "", now: datetime.datetime | None = None
) -> Wildcard:
    """Add a published idea of the campaign to the shortlist."""
    require_manager(by)
    _require_challenge(campaign)
    _require_deliberation(campaign)
    _require_unpublished(campaign)
    now = now or timezone.now()
    idea_id = idea.pk if isinstance(idea, Idea) else idea
    with transaction.atomic():
        found = Idea.objects.select_for_update().filter(pk=idea_id, campaign=campaign).listed().first()
        if found is None:
            raise _invalid("idea", _("There is no listed idea with this number in this campaign."))
        if found.status != Status.PUBLISHED:
            raise DomainError("invalid_transition", _("Only a published idea can be added to the shortlist."))
        moved = Idea.objects.filter(pk=found.pk, status=Status.PUBLISHED).update(
            status=Status.SHORTLISTED, status_changed_at=now
        )
        if moved != 1:
            raise DomainError("invalid_transition", _("Only a published idea can be added to the shortlist."))
        wildcard = Wildcard.objects.create(campaign=campaign, idea=found, reason=(reason or "").strip(), by=by, at=now)
        change = StatusChange.objects.create(
            idea=found,
            from_status=Status.PUBLISHED,
            to_status=Status.SHORTLISTED,
            by=by,
            reason=wildcard.reason,
            at=now,
        )
        outbox.enqueue("ideas.notifications.idea_status_changed", change.pk)
    return wildcard


def remove_wildcard(*, wildcard: Wildcard, by, now: datetime.datetime | None = None) -> None:
    """Take a wildcard back out of the shortlist, while nobody has scored it."""
    require_manager(by)
    _require_deliberation(wildcard.campaign)
    _require_unpublished(wildcard.campaign)
    now = now or timezone.now()
    with transaction.atomic():
        # Locking the idea waits for a juror's save in progress (save_evaluation locks it too).
        idea = Idea.objects.select_for_update().get(pk=wildcard.idea_id)
        if Score.objects.filter(evaluation__idea=idea).exists():
            raise DomainError("invalid_transition", _("A juror has scored this idea: it stays on the shortlist."))
        moved = Idea.objects.filter(pk=idea.pk, status=Status.SHORTLISTED).update(
            status=Status.PUBLISHED, status_changed_at=now
        )
        if moved != 1:
            raise DomainError("invalid_transition", _("This idea is no longer shortlisted."))
        Evaluation.objects.filter(idea=idea).delete()  # comments only: nobody scored it
        Wildcard.objects.filter(pk=wildcard.pk).delete()
        StatusChange.objects.create(
            idea=idea, from_status=Status.SHORTLISTED, to_status=Status.PUBLISHED, by=by, at=now
        )


# --- scoring --------------------------------------------------------------------------------


def is_own(idea: Idea, user) -> bool:
    """Authored or co-authored: an accepted co-author; a pending invitation
    does not count (Idea.has_author; uses the preloaded co-authors)."""
    return idea.has_author(user)


def _scoring_target(*, campaign: Campaign, user, idea: Idea | int, now: datetime.datetime) -> tuple[Juror, Idea]:
    juror = seat(campaign, user)
    if juror is None:
        raise DomainError("not_found")
    idea_id = idea.pk if isinstance(idea, Idea) else idea
    try:
        idea_id = int(idea_id)
    except (TypeError, ValueError):
        raise DomainError("not_found") from None
    found = ranking.shortlist(campaign).filter(pk=idea_id).first()
    if found is None:
        raise DomainError("not_found", _("This idea is not on the shortlist."))
    if is_own(found, user):
        raise DomainError("own_idea", _("You cannot score an idea you wrote or co-wrote."))
    if Conflict.objects.filter(juror=juror, idea=found).exists():
        raise DomainError("conflict_declared", _("You declared a conflict of interest on this idea."))
    if not scoring_open(campaign, now):
        raise DomainError("jury_closed", _("Scoring is closed."))
    return juror, found


def _score_value(value):
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCALE_MAX:
        raise ValueError
    return value


def _clean_scores(campaign: Campaign, scores: dict) -> dict[int, int | None]:
    criteria = set(Criterion.objects.filter(campaign=campaign).values_list("pk", flat=True))
    clean: dict[int, int | None] = {}
    errors: dict[str, list[str]] = {}
    for key, value in (scores or {}).items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = None
        if isinstance(key, bool) or pk not in criteria:
            errors[str(key)] = [_("There is no such criterion in this campaign.")]
            continue
        try:
            clean[pk] = _score_value(value)
        except ValueError:
            errors[str(key)] = [_("A score is a whole number from 0 to %(max)d.") % {"max": SCALE_MAX}]
    if errors:
        raise DomainError("invalid", _("Some scores are not valid."), fields=errors)
    return clean


def save_evaluation(
    *,
    campaign: Campaign,
    user,
    idea: Idea | int,
    scores: dict,
    comment: str | None,
    now: datetime.datetime | None = None,
) -> Evaluation:
    """Save some or all of a juror's scores of an idea (None clears one) and
    their comment (None keeps it). Scores of criteria not named are kept."""
    now = now or timezone.now()
    juror, found = _scoring_target(campaign=campaign, user=user, idea=idea, now=now)
    clean = _clean_scores(campaign, scores)
    try:
        with transaction.atomic():
            # One save per juror at a time (the same grid saved twice at once),
            # and the idea's row so a wildcard is not removed under the save.
            Juror.objects.select_for_update().get(pk=juror.pk)
            Idea.objects.select_for_update().filter(pk=found.pk).first()
            if Conflict.objects.filter(juror=juror, idea=found).exists():
                raise DomainError("conflict_declared", _("You declared a conflict of interest on this idea."))
            if not ranking.shortlist(campaign).filter(pk=found.pk).exists():
                raise DomainError("not_found", _("This idea is not on the shortlist."))
            evaluation, _created = Evaluation.objects.get_or_create(
                juror=juror, idea=found, defaults={"updated_at": now}
            )
            cleared = [pk for pk, value in clean.items() if value is None]
            if cleared:
                Score.objects.filter(evaluation=evaluation, criterion_id__in=cleared).delete()
            for pk, value in clean.items():
                if value is not None:
                    Score.objects.update_or_create(evaluation=evaluation, criterion_id=pk, defaults={"value": value})
            if comment is not None:
                evaluation.comment = comment.strip()
            evaluation.updated_at = now
            evaluation.save(update_fields=["comment", "updated_at"])
    except IntegrityError:
        raise DomainError("conflict", _("Your scores changed meanwhile: please try again.")) from None
    return Evaluation.objects.prefetch_related("scores").get(pk=evaluation.pk)


def declare_conflict(
    *, campaign: Campaign, user, idea: Idea | int, reason: str = "", now: datetime.datetime | None = None
) -> Conflict:
    """Declare a conflict of interest: the juror's evaluation of the idea is
    removed and they no longer score it. A declaration cannot be withdrawn."""
    now = now or timezone.now()
    juror, found = _scoring_target(campaign=campaign, user=user, idea=idea, now=now)
    try:
        with transaction.atomic():
            Juror.objects.select_for_update().get(pk=juror.pk)
            conflict = Conflict.objects.create(juror=juror, idea=found, reason=(reason or "").strip(), declared_at=now)
            Evaluation.objects.filter(juror=juror, idea=found).delete()
    except IntegrityError:
        raise DomainError("conflict_declared", _("You declared a conflict of interest on this idea.")) from None
    return conflict


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


# --- reminders ------------------------------------------------------------------------------


def remind_jurors(*, campaign: Campaign, by, juror_ids: list[int] | None = None) -> int:
    """Queue an e-mail to the jurors (all, or those named) who have not
    finished scoring; each hears at most once a day. Returns how many are
    unfinished among them."""
    require_manager(by)
    _require_challenge(campaign)
    if not scoring_open(campaign):
        raise DomainError("jury_closed", _("Scoring is closed: there is nothing to remind jurors of."))
    unfinished = [p.juror.pk for p in progress(campaign).unfinished]
    if juror_ids is not None:
        wanted = {int(pk) for pk in juror_ids}
        unfinished = [pk for pk in unfinished if pk in wanted]
    if unfinished:
        outbox.enqueue("jury.tasks.remind_unfinished_jurors", campaign.pk, list(unfinished))
    return len(unfinished)
