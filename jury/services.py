"""Every write to a campaign's jury goes through here: its setup by the
campaign managers (settings, jurors and chair, criteria, award categories),
wildcards, the jurors' scores and conflicts of interest, and the
reminders. The award decisions are in jury/award_services.py (it says why
apart); the reads the pages and the API share are in jury/selectors.py.

Setup rules: criteria, awards and the weights are fixed once voting opens
(participants must know them before they vote): only in draft or submission.
Jurors and the chair may change until the results are published (a juror
dropping out mid-deliberation happens). Scoring is open only in deliberation
and before `deliberation_ends` (the campaign may stay in deliberation past
it while awards are decided, but the scores are closed then).
"""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notifications as mail
from accounts import roles
from accounts.models import NotificationKind, User
from campaigns import services as campaign_services
from campaigns.models import Campaign, Phase
from campaigns.services import require_manager
from ideabox import outbox
from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi
from ideas.models import Idea, Status
from ideas.services import move_status

from . import ranking
from .access import seat
from .models import (
    SCALE_MAX,
    Award,
    AwardBasis,
    Conflict,
    Criterion,
    Evaluation,
    Juror,
    Jury,
    Score,
    Wildcard,
)
from .selectors import SETUP_PHASES, is_own, progress, scoring_open

log = logging.getLogger(__name__)


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


def _may_set_up(campaign: Campaign, by) -> None:
    """Criteria and award categories: managers, while the setup is open."""
    require_manager(by)
    _require_challenge(campaign)
    _require_setup_open(campaign)


def _added(item):
    """A new criterion or award, saved last in its campaign's order."""
    top = type(item).objects.filter(campaign=item.campaign).aggregate(top=Max("position"))["top"]
    item.position = 0 if top is None else top + 1
    _save_named(item)
    return item


def _changed(item, *, name: str | None, **values):
    """A criterion or award with the values given (None: kept), saved."""
    if name is not None:
        item.name = _check_name(name)
    for key, value in values.items():
        if value is not None:
            setattr(item, key, value)
    _save_named(item, fields=["name", *values])
    return item


def _save_named(obj, *, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            obj.save(update_fields=fields) if fields else obj.save()
    except IntegrityError:
        raise _invalid("name", _("This campaign already has one by this name.")) from None


def _stripped(text: str | None) -> str | None:
    return None if text is None else text.strip()


def _reorder(model, *, campaign: Campaign, by, ids: list[int]):
    _may_set_up(campaign, by)
    with transaction.atomic():
        rows = {row.pk: row for row in model.objects.select_for_update().filter(campaign=campaign)}
        if sorted(ids) != sorted(rows) or len(set(ids)) != len(ids):
            raise _invalid("order", _("Give each of this campaign's items once."))
        for position, pk in enumerate(ids):
            rows[pk].position = position
        model.objects.bulk_update(rows.values(), ["position"])
    return [rows[pk] for pk in ids]


def add_criterion(*, campaign: Campaign, by, name: str, description: str = "", weight: int = 1) -> Criterion:
    _may_set_up(campaign, by)
    return _added(
        Criterion(
            campaign=campaign,
            name=_check_name(name),
            description=_stripped(description) or "",
            weight=_check_weight(weight),
        )
    )


def update_criterion(
    *, criterion: Criterion, by, name: str | None = None, description: str | None = None, weight: int | None = None
) -> Criterion:
    _may_set_up(criterion.campaign, by)
    weight = None if weight is None else _check_weight(weight)
    return _changed(criterion, name=name, description=_stripped(description), weight=weight)


def delete_criterion(*, criterion: Criterion, by) -> None:
    _may_set_up(criterion.campaign, by)
    criterion.delete()


def reorder_criteria(*, campaign: Campaign, by, ids: list[int]) -> list[Criterion]:
    return _reorder(Criterion, campaign=campaign, by=by, ids=ids)


def add_award(*, campaign: Campaign, by, name: str, prize: str = "", basis: str = AwardBasis.JURY) -> Award:
    _may_set_up(campaign, by)
    return _added(
        Award(campaign=campaign, name=_check_name(name), prize=_stripped(prize) or "", basis=_check_basis(basis))
    )


def update_award(
    *, award: Award, by, name: str | None = None, prize: str | None = None, basis: str | None = None
) -> Award:
    _may_set_up(award.campaign, by)
    basis = None if basis is None else _check_basis(basis)
    return _changed(award, name=name, prize=_stripped(prize), basis=basis)


def delete_award(*, award: Award, by) -> None:
    _may_set_up(award.campaign, by)
    award.delete()


def reorder_awards(*, campaign: Campaign, by, ids: list[int]) -> list[Award]:
    return _reorder(Award, campaign=campaign, by=by, ids=ids)


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
        reason = (reason or "").strip()
        if found.status != Status.PUBLISHED or not move_status(
            idea=found, to=Status.SHORTLISTED, actor=by, reason=reason, expected=Status.PUBLISHED, now=now
        ):
            raise DomainError("invalid_transition", _("Only a published idea can be added to the shortlist."))
        wildcard = Wildcard.objects.create(campaign=campaign, idea=found, reason=reason, by=by, at=now)
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
        if idea.status != Status.SHORTLISTED or not move_status(
            idea=idea, to=Status.PUBLISHED, actor=by, expected=Status.SHORTLISTED, now=now
        ):
            raise DomainError("invalid_transition", _("This idea is no longer shortlisted."))
        Evaluation.objects.filter(idea=idea).delete()  # comments only: nobody scored it
        Wildcard.objects.filter(pk=wildcard.pk).delete()


# --- scoring --------------------------------------------------------------------------------


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


JUROR_REMINDER_KIND = NotificationKind.JURY_REMINDERS


def juror_reminder_key(*, campaign_id: int, juror_id: int, day: datetime.date) -> str:
    return f"jury-reminder:{campaign_id}:{juror_id}:{day.isoformat()}"


def send_juror_reminders(
    *, campaign_id: int, juror_ids: list[int] | None = None, now: datetime.datetime | None = None
) -> int:
    """E-mail each juror of the campaign (or those named) who has not
    finished scoring, at most once a day (the key holds the date). Returns
    how many were e-mailed; nothing once scoring is closed."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    now = now or timezone.now()
    if campaign is None or not scoring_open(campaign, now):
        return 0
    unfinished = progress(campaign).unfinished
    if juror_ids is not None:
        wanted = set(juror_ids)
        unfinished = [p for p in unfinished if p.juror.pk in wanted]
    if not unfinished:
        return 0
    allowed = {user.pk for user in mail.recipients([p.juror.user_id for p in unfinished], JUROR_REMINDER_KIND)}
    jury_url = mail.absolute_url(reverse("jury:score", args=[campaign.slug]))
    day = timezone.localdate(now)
    sent = 0
    for row in unfinished:
        user = row.juror.user
        if user.pk not in allowed:
            continue
        key = juror_reminder_key(campaign_id=campaign.pk, juror_id=row.juror.pk, day=day)
        context = {
            "campaign": campaign,
            "given": row.given,
            "expected": row.expected,
            "left": row.expected - row.given,
            "ends": campaign.deliberation_ends,
            "jury_url": jury_url,
        }
        if mail.send_once(
            user=user, kind=JUROR_REMINDER_KIND, key=key, template="jury/email/juror_reminder", context=context
        ):
            Juror.objects.filter(pk=row.juror.pk).update(reminded_at=now)
            sent += 1
    return sent


def send_all_juror_reminders(*, now: datetime.datetime | None = None) -> int:
    """The daily reminder: every campaign whose scoring is open."""
    now = now or timezone.now()
    open_now = Campaign.objects.filter(phase=Phase.DELIBERATION, deliberation_ends__gt=now)
    return sum(send_juror_reminders(campaign_id=pk, now=now) for pk in open_now.values_list("pk", flat=True))


# --- the daily reminder of undecided awards --------------------------------------------

# The people who run a campaign's deliberation are told daily that it waits
# for its awards. It is a deadline matter: the "last call before a deadline"
# setting covers it (accounts.models has no kind of its own for the jury).
UNDECIDED_AWARDS_REMINDER_KIND = NotificationKind.JURY_REMINDERS


def stuck_campaigns(*, now: datetime.datetime):
    """Campaigns past deliberation_ends still deliberating because a jury award is undecided."""
    undecided = Award.objects.filter(basis=AwardBasis.JURY, winner__isnull=True).values("campaign_id")
    return Campaign.objects.filter(phase=Phase.DELIBERATION, deliberation_ends__lte=now, pk__in=undecided).order_by(
        "deliberation_ends", "pk"
    )


def undecided_awards_reminder_key(day: datetime.date) -> str:
    return f"awards-undecided:{day.isoformat()}"


def remind_undecided_awards(*, now: datetime.datetime | None = None) -> int:
    """E-mail the managers and each stuck campaign's chair the campaigns
    that wait for their awards: one e-mail per person per day (the key holds
    the date), listing their campaigns. Returns how many were queued."""
    now = now or timezone.now()
    campaigns = list(stuck_campaigns(now=now))
    if not campaigns:
        return 0
    pending: dict[int, list[str]] = defaultdict(list)
    for campaign_id, name in (
        Award.objects.filter(campaign__in=campaigns, basis=AwardBasis.JURY, winner__isnull=True)
        .order_by("position", "pk")
        .values_list("campaign_id", "name")
    ):
        pending[campaign_id].append(name)
    entries = {
        c.pk: {
            "campaign": c,
            "awards": pending[c.pk],
            "awards_url": mail.absolute_url(reverse("jury:awards", args=[c.slug])),
        }
        for c in campaigns
    }
    theirs: dict[int, list[int]] = defaultdict(list)
    for manager_id in roles.holders_of(roles.MANAGE_CAMPAIGNS).values_list("pk", flat=True):
        theirs[manager_id] = [c.pk for c in campaigns]
    for campaign_id, user_id in Juror.objects.filter(campaign__in=campaigns, is_chair=True).values_list(
        "campaign_id", "user_id"
    ):
        if campaign_id not in theirs[user_id]:
            theirs[user_id].append(campaign_id)
    sent = 0
    key = undecided_awards_reminder_key(timezone.localdate(now))
    for user in mail.recipients([pk for pk, ids in theirs.items() if ids], UNDECIDED_AWARDS_REMINDER_KIND):
        sent += mail.send_once(
            user=user,
            kind=UNDECIDED_AWARDS_REMINDER_KIND,
            key=key,
            template="jury/email/results_awards_undecided",
            context={"entries": [entries[pk] for pk in theirs[user.pk]]},
        )
    log.info("reminded %s people of %s campaigns waiting for their awards", sent, len(campaigns))
    return sent
