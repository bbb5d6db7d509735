"""Every write to campaigns goes through here: the phase machine, the
scheduler, the schedule, categories and followers.

Views, API endpoints, admin actions, the Celery task and the management
command all call these functions, so a rule holds on every path.
"""

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import roles
from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi

from . import lifecycle
from .models import (
    NEXT_PHASE,
    SCHEDULE_FIELDS,
    Audience,
    Campaign,
    CampaignFollower,
    Category,
    Kind,
    Moderation,
    Phase,
    PhaseTransition,
)

log = logging.getLogger(__name__)

# When the scheduler moves a campaign out of each phase: the boundary that
# ends it. results -> archived is never automatic, and a draft waits for a
# manager.
SCHEDULED_END = {
    Phase.SUBMISSION: "voting_opens",
    Phase.VOTING: "voting_closes",
    Phase.DELIBERATION: "deliberation_ends",
}

# The deadline a manager may extend in each phase, and the boundary it may
# not pass (None: no limit).
EXTENSIBLE_END = {
    Phase.SUBMISSION: ("submission_closes", "voting_opens"),
    Phase.VOTING: ("voting_closes", "deliberation_ends"),
    Phase.DELIBERATION: ("deliberation_ends", None),
}

# Addresses the campaign pages use for themselves: /campaigns/new/.
RESERVED_SLUGS = frozenset({"new"})

# What create_campaign and update_campaign accept besides the schedule.
SETTINGS_FIELDS = (
    "title",
    "slug",
    "theme",
    "cover",
    "audience",
    "votes_per_voter",
    "hide_counts_while_voting",
    "shortlist_size",
    "moderation",
    "allow_anonymous",
    "review_days",
)
EDITABLE_FIELDS = SETTINGS_FIELDS + SCHEDULE_FIELDS

COVER_MAX_BYTES = 5 * 1024 * 1024


def require_manager(user) -> None:
    """Refuse (403 `permission_denied`) anyone who is not a campaign manager."""
    if user is None or not roles.is_manager(user):
        raise DomainError("permission_denied", _("Only campaign managers may do this."))


def _phase_label(phase: str) -> str:
    return str(Phase(phase).label)


# --- the phase machine --------------------------------------------------------


def schedule_errors(values: dict[str, datetime.datetime | None], *, complete: bool) -> dict[str, list[str]]:
    """What is wrong with a schedule, by field: missing dates (when it must
    be complete) and dates out of order. Empty when it is fine."""
    errors: dict[str, list[str]] = {}
    if complete:
        for name in SCHEDULE_FIELDS:
            if values.get(name) is None:
                errors.setdefault(name, []).append(_("This date is required to leave the draft."))
    checks = [
        ("submission_opens", "submission_closes", True, _("Submission must close after it opens.")),
        ("submission_closes", "voting_opens", False, _("Voting cannot open before submission closes.")),
        ("voting_opens", "voting_closes", True, _("Voting must close after it opens.")),
        ("voting_closes", "deliberation_ends", False, _("Deliberation cannot end before voting closes.")),
    ]
    for earlier, later, strict, message in checks:
        first, second = values.get(earlier), values.get(later)
        if first is None or second is None:
            continue
        if first > second or (strict and first == second):
            errors.setdefault(later, []).append(message)
    return errors


def _schedule_of(campaign: Campaign) -> dict[str, datetime.datetime | None]:
    return {name: getattr(campaign, name) for name in SCHEDULE_FIELDS}


def _move(*, campaign: Campaign, to: str, by, now: datetime.datetime) -> PhaseTransition | None:
    """Compare-and-swap the campaign from its current phase to `to`.

    Returns the recorded transition, or None when another process moved the
    campaign first (then nothing is recorded and nothing happens).
    """
    old = campaign.phase
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, phase=old).update(phase=to, updated_at=now)
        if changed != 1:
            return None
        try:
            with transaction.atomic():
                transition = PhaseTransition.objects.create(
                    campaign=campaign, from_phase=old, to_phase=to, by=by, by_scheduler=by is None, at=now
                )
        except IntegrityError as exc:
            # The campaign entered this phase once already: its history is
            # not what the phase says. Refuse rather than record twice.
            raise DomainError(
                "invalid_transition",
                _("This campaign has already been in the %(phase)s phase.") % {"phase": _phase_label(to)},
            ) from exc
        campaign.phase = to
        lifecycle.phase_changed(campaign=campaign, transition=transition)
    return transition


def transition_campaign(
    *, campaign: Campaign, to: str, by=None, now: datetime.datetime | None = None
) -> PhaseTransition:
    """Move a campaign to its next phase, by a manager (`by`) or by the scheduler (`by=None`).

    Only the next phase is allowed: backward or skipping moves, any move of
    the idea box, and a move another process made first are refused with
    `invalid_transition`.
    """
    now = now or timezone.now()
    if by is not None:
        require_manager(by)
    if to not in Phase.values:
        raise DomainError("invalid", _("Unknown phase."), fields={"to": [_("Unknown phase: %(to)s.") % {"to": to}]})
    if campaign.is_box:
        raise DomainError("invalid_transition", _("The idea box is always open: it has no phases to move through."))
    expected = NEXT_PHASE.get(campaign.phase)
    if to != expected:
        if expected is None:
            detail = _("This campaign is %(phase)s: it cannot move any further.") % {
                "phase": _phase_label(campaign.phase)
            }
        else:
            detail = _("This campaign is in the %(phase)s phase: it can only move to %(next)s.") % {
                "phase": _phase_label(campaign.phase),
                "next": _phase_label(expected),
            }
        raise DomainError("invalid_transition", detail)
    if campaign.phase == Phase.DRAFT:
        errors = schedule_errors(_schedule_of(campaign), complete=True)
        if errors:
            raise DomainError(
                "invalid", _("The schedule must be complete and in order to leave the draft."), fields=errors
            )

    transition = _move(campaign=campaign, to=to, by=by, now=now)
    if transition is None:
        current = Campaign.objects.filter(pk=campaign.pk).values_list("phase", flat=True).first()
        if current is not None:
            campaign.phase = current
        raise DomainError(
            "invalid_transition",
            _("This campaign was moved meanwhile: it is now in the %(phase)s phase.")
            % {"phase": _phase_label(current or campaign.phase)},
        )
    return transition


def due_campaigns(*, now: datetime.datetime):
    """Campaigns the scheduler should move now: out of draft, not the box,
    with the boundary ending their phase passed."""
    due = Q()
    for phase, boundary in SCHEDULED_END.items():
        due |= Q(phase=phase, **{f"{boundary}__lte": now})
    return Campaign.objects.challenges().filter(due).order_by("pk")


def advance_due_campaigns(*, now: datetime.datetime | None = None) -> list[PhaseTransition]:
    """Move every campaign whose boundary has passed, phase by phase.

    After downtime a campaign catches up through every boundary it missed,
    each move recorded on its own. Two runs at once never move a campaign
    twice: the loser of the compare-and-swap records nothing and stops
    there for that campaign.
    """
    now = now or timezone.now()
    moved: list[PhaseTransition] = []
    for campaign in due_campaigns(now=now):
        while True:
            boundary = SCHEDULED_END.get(campaign.phase)
            if boundary is None or getattr(campaign, boundary) is None or getattr(campaign, boundary) > now:
                break
            try:
                transition = _move(campaign=campaign, to=NEXT_PHASE[campaign.phase], by=None, now=now)
            except DomainError as refusal:
                if refusal.code == "awards_undecided":
                    # Expected: the campaign waits in deliberation until its
                    # awards are decided (the chair and managers are reminded
                    # daily); a later run moves it.
                    log.info("campaign %s stays in deliberation: %s", campaign.slug, refusal.detail)
                    break
                # A history at odds with the phase (set by hand in the
                # database): this campaign needs a person, the others still move.
                log.error("campaign %s not moved: %s", campaign.slug, refusal)
                break
            if transition is None:
                break  # another run moved it; that run carries on from here
            moved.append(transition)
    return moved


@transaction.atomic
def extend_deadline(*, campaign: Campaign, by, new_end: datetime.datetime) -> Campaign:
    """Push back the end of the campaign's current phase."""
    require_manager(by)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.phase not in EXTENSIBLE_END:
        raise DomainError(
            "invalid",
            _("A campaign in the %(phase)s phase has no deadline to extend.") % {"phase": _phase_label(locked.phase)},
            fields={"phase_end": [_("Only submission, voting and deliberation have a deadline.")]},
        )
    field, limit_field = EXTENSIBLE_END[locked.phase]
    current = getattr(locked, field)
    limit = getattr(locked, limit_field) if limit_field else None
    if new_end is None or (current is not None and new_end <= current):
        raise DomainError(
            "invalid",
            _("The new deadline must be later than the current one."),
            fields={"phase_end": [_("The new deadline must be later than the current one.")]},
        )
    if limit is not None and new_end > limit:
        message = _("The new deadline cannot be after %(limit)s (%(boundary)s).") % {
            "limit": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M %Z"),
            "boundary": Campaign._meta.get_field(limit_field).verbose_name,
        }
        raise DomainError("invalid", message, fields={"phase_end": [message]})
    Campaign.objects.filter(pk=locked.pk, phase=locked.phase).update(**{field: new_end, "updated_at": timezone.now()})
    setattr(campaign, field, new_end)
    campaign.phase = locked.phase
    return campaign


# --- creating and editing ----------------------------------------------------------


def _check_cover(cover) -> None:
    if isinstance(cover, UploadedFile) and cover.size > COVER_MAX_BYTES:
        message = _("The cover image may be at most 5 MB.")
        raise DomainError("invalid", message, fields={"cover": [message]})


def _check_slug(slug: str) -> None:
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise DomainError("invalid", exc.messages[0], fields={"slug": exc.messages}) from exc
    if slug in RESERVED_SLUGS:
        message = _("This address is reserved: choose another one.")
        raise DomainError("invalid", message, fields={"slug": [message]})


def _check_numbers(values: dict[str, Any]) -> None:
    errors = {}
    if values.get("votes_per_voter") is not None and values["votes_per_voter"] < 1:
        errors["votes_per_voter"] = [_("At least one vote per voter, or empty for no limit.")]
    if "shortlist_size" in values and (values["shortlist_size"] is None or values["shortlist_size"] < 1):
        errors["shortlist_size"] = [_("The shortlist holds at least one idea.")]
    if "review_days" in values and (values["review_days"] is None or values["review_days"] < 1):
        errors["review_days"] = [_("Reviewers need at least one day.")]
    if errors:
        raise DomainError("invalid", _("Some fields are not valid."), fields=errors)


def _slug_taken() -> DomainError:
    message = _("A campaign with this address already exists.")
    return DomainError("invalid", message, fields={"slug": [message]})


SLUG_MAX_LENGTH = Campaign._meta.get_field("slug").max_length
# The longest ending a clash adds ("-999"): what the title's address keeps room for.
SLUG_ENDING_ROOM = 4
# A slug made from the title that another creation takes in between is made again, this many times.
SLUG_ATTEMPTS = 3


def slug_from_title(title: str) -> str:
    """A free address made from the title: "greener-streets", then
    "greener-streets-2", "-3"... when taken (or reserved)."""
    base = slugify(title)[:SLUG_MAX_LENGTH].strip("-_")
    if not base:
        message = _("No address can be made from this title: type one (letters, numbers, hyphens).")
        raise DomainError("invalid", message, fields={"slug": [message]})
    stem = base[: SLUG_MAX_LENGTH - SLUG_ENDING_ROOM]
    taken = set(Campaign.objects.filter(slug__startswith=stem).values_list("slug", flat=True)) | RESERVED_SLUGS
    slug, number = base, 1
    while slug in taken:
        number += 1
        ending = f"-{number}"
        slug = base[: SLUG_MAX_LENGTH - len(ending)].rstrip("-_") + ending
    return slug


def create_campaign(
    *,
    by,
    title: str,
    slug: str = "",
    theme: str = "",
    cover=None,
    audience: str = Audience.PUBLIC,
    votes_per_voter: int | None = None,
    hide_counts_while_voting: bool = False,
    shortlist_size: int = 10,
    moderation: str = Moderation.POST,
    allow_anonymous: bool = False,
    review_days: int = 14,
    submission_opens: datetime.datetime | None = None,
    submission_closes: datetime.datetime | None = None,
    voting_opens: datetime.datetime | None = None,
    voting_closes: datetime.datetime | None = None,
    deliberation_ends: datetime.datetime | None = None,
) -> Campaign:
    """A new campaign, in draft: it leaves the draft when a manager moves it.
    Without a slug, its address is made from the title (`slug_from_title`)."""
    require_manager(by)
    title = strip_bidi(title)
    made_from_title = not slug
    if not made_from_title:
        _check_slug(slug)
    _check_cover(cover)
    _check_numbers({"votes_per_voter": votes_per_voter, "shortlist_size": shortlist_size, "review_days": review_days})
    schedule = {
        "submission_opens": submission_opens,
        "submission_closes": submission_closes,
        "voting_opens": voting_opens,
        "voting_closes": voting_closes,
        "deliberation_ends": deliberation_ends,
    }
    errors = schedule_errors(schedule, complete=False)
    if errors:
        raise DomainError("invalid", _("The schedule is not in order."), fields=errors)
    campaign = Campaign(
        title=title,
        slug=slug,
        theme=theme,
        audience=audience,
        kind=Kind.CHALLENGE,
        phase=Phase.DRAFT,
        votes_per_voter=votes_per_voter,
        hide_counts_while_voting=hide_counts_while_voting,
        shortlist_size=shortlist_size,
        moderation=moderation,
        allow_anonymous=allow_anonymous,
        review_days=review_days,
        created_by=by,
        **schedule,
    )
    if cover:
        campaign.cover = cover
    attempt = 1
    while True:
        if made_from_title:
            campaign.slug = slug_from_title(title)
        try:
            with transaction.atomic():
                campaign.save()
            return campaign
        except IntegrityError as exc:
            if not Campaign.objects.filter(slug=campaign.slug).exists():
                raise
            if not made_from_title or attempt == SLUG_ATTEMPTS:
                raise _slug_taken() from exc
            attempt += 1  # another creation took the address made from the title in between


# Beside each fixed rule, on the edit page before and in the refusal after.
LOCKED_RULE_MESSAGE = gettext_lazy("Fixed since voting opened: voters rely on it.")


def refuse_locked_rules(*, campaign: Campaign, changes: dict[str, Any], now: datetime.datetime | None = None) -> None:
    """Refuse (409 `rules_locked`) a change of a rule voters rely on once
    voting has opened (`Campaign.locked_rules`). Sending the current value
    again is not a change: an edit form sends every field."""
    changed = [
        name for name in campaign.locked_rules(now) if name in changes and changes[name] != getattr(campaign, name)
    ]
    if changed:
        names = ", ".join(str(Campaign._meta.get_field(name).verbose_name) for name in changed)
        raise DomainError(
            "rules_locked",
            _("Once voting opens, the rules voters rely on can no longer change (%(names)s).") % {"names": names},
            fields={name: [str(LOCKED_RULE_MESSAGE)] for name in changed},
        )


def update_campaign(*, campaign: Campaign, by, **changes: Any) -> Campaign:
    """Change a campaign's settings and schedule.

    Out of draft the schedule drives the campaign, so only boundaries still
    ahead may move, and not into the past (managers open a phase early with
    a transition). Once voting opens the voter rules are fixed
    (`refuse_locked_rules`). The idea box keeps its kind, phase and audience
    and has no schedule.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_campaign() got unexpected fields: {sorted(unknown)}")
    require_manager(by)
    if "title" in changes:
        changes["title"] = strip_bidi(changes["title"])
    if "slug" in changes and changes["slug"] != campaign.slug:
        _check_slug(changes["slug"])
    if "cover" in changes:
        _check_cover(changes["cover"])
    _check_numbers(changes)
    now = timezone.now()

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        # On the locked row: a move to voting waits for this edit, or this
        # edit sees the campaign in voting.
        refuse_locked_rules(campaign=locked, changes=changes, now=now)
        errors: dict[str, list[str]] = {}
        if locked.is_box:
            if "audience" in changes and changes["audience"] != locked.audience:
                errors["audience"] = [_("The idea box is always internal.")]
            for name in SCHEDULE_FIELDS:
                if changes.get(name) is not None:
                    errors[name] = [_("The idea box has no schedule.")]
        else:
            schedule = _schedule_of(locked)
            for name in SCHEDULE_FIELDS:
                if name not in changes or changes[name] == schedule[name]:
                    continue
                if locked.phase != Phase.DRAFT:
                    old, new = schedule[name], changes[name]
                    if old is not None and old <= now:
                        errors.setdefault(name, []).append(_("This date has passed: it can no longer change."))
                    elif new is None or new <= now:
                        errors.setdefault(name, []).append(_("Out of draft, a date can only move to the future."))
                schedule[name] = changes[name]
            for name, messages in schedule_errors(schedule, complete=locked.phase != Phase.DRAFT).items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise DomainError("invalid", _("Some fields are not valid."), fields=errors)

        for name, value in changes.items():
            if locked.is_box and name in SCHEDULE_FIELDS:
                continue
            if name == "cover":
                if value is None:
                    continue  # no new file: keep the current cover
                if value is False:
                    value = ""  # the form's "clear" box: no cover any more
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            if Campaign.objects.filter(slug=locked.slug).exclude(pk=locked.pk).exists():
                raise _slug_taken() from exc
            raise
    return locked


# --- categories ------------------------------------------------------------------


def _category_clash(exc: IntegrityError, *, campaign: Campaign, name: str, slug: str, exclude_pk=None) -> DomainError:
    others = Category.objects.filter(campaign=campaign).exclude(pk=exclude_pk)
    fields: dict[str, list[str]] = {}
    if others.filter(name=name).exists():
        fields["name"] = [_("This campaign already has a category with this name.")]
    if others.filter(slug=slug).exists():
        fields["slug"] = [_("This campaign already has a category with this address.")]
    if not fields:
        raise exc
    return DomainError("invalid", _("Some fields are not valid."), fields=fields)


def add_category(*, campaign: Campaign, by, name: str, slug: str = "") -> Category:
    require_manager(by)
    name = strip_bidi(name).strip()
    if not name:
        raise DomainError("invalid", _("A category needs a name."), fields={"name": [_("This field is required.")]})
    slug = slug or slugify(name)[:100]
    if not slug:
        message = _("Give this category an address made of letters, numbers, hyphens or underscores.")
        raise DomainError("invalid", message, fields={"slug": [message]})
    _check_category_slug(slug)
    try:
        with transaction.atomic():
            position = (Category.objects.filter(campaign=campaign).aggregate(top=Max("position"))["top"] or 0) + 1
            return Category.objects.create(campaign=campaign, name=name, slug=slug, position=position)
    except IntegrityError as exc:
        raise _category_clash(exc, campaign=campaign, name=name, slug=slug) from exc


def _check_category_slug(slug: str) -> None:
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise DomainError("invalid", exc.messages[0], fields={"slug": exc.messages}) from exc


def rename_category(*, category: Category, by, name: str) -> Category:
    """A new name; the address stays, so links and filters keep working."""
    require_manager(by)
    name = strip_bidi(name).strip()
    if not name:
        raise DomainError("invalid", _("A category needs a name."), fields={"name": [_("This field is required.")]})
    try:
        with transaction.atomic():
            Category.objects.filter(pk=category.pk).update(name=name)
    except IntegrityError as exc:
        raise _category_clash(
            exc, campaign=category.campaign, name=name, slug=category.slug, exclude_pk=category.pk
        ) from exc
    category.name = name
    return category


@transaction.atomic
def delete_category(*, category: Category, by) -> None:
    """Its ideas stay, uncategorised (the foreign key is SET_NULL)."""
    require_manager(by)
    Category.objects.filter(pk=category.pk).delete()


@transaction.atomic
def reorder_categories(*, campaign: Campaign, by, slugs: list[str]) -> list[Category]:
    """Put the campaign's categories in this order; every one must be named once."""
    require_manager(by)
    categories = {c.slug: c for c in Category.objects.select_for_update().filter(campaign=campaign)}
    if sorted(slugs) != sorted(categories):
        message = _("Give every category of this campaign exactly once.")
        raise DomainError("invalid", message, fields={"order": [message]})
    for position, slug in enumerate(slugs, start=1):
        category = categories[slug]
        if category.position != position:
            category.position = position
            category.save(update_fields=["position"])
    return [categories[slug] for slug in slugs]


# --- followers --------------------------------------------------------------------


def _require_participant(user) -> None:
    if not user.is_authenticated:
        raise DomainError("not_authenticated")
    if not roles.is_participant(user):
        raise DomainError("not_allowed", _("Verify your e-mail address to follow a campaign."))


def follow_campaign(*, campaign: Campaign, user) -> CampaignFollower:
    """Idempotent: following twice is following."""
    _require_participant(user)
    try:
        with transaction.atomic():
            follower, _created = CampaignFollower.objects.get_or_create(campaign=campaign, user=user)
    except IntegrityError:
        # A concurrent request created it between the lookup and the insert.
        follower = CampaignFollower.objects.get(campaign=campaign, user=user)
    return follower


@transaction.atomic
def unfollow_campaign(*, campaign: Campaign, user) -> None:
    """Idempotent: unfollowing a campaign one does not follow changes nothing."""
    if not user.is_authenticated:
        raise DomainError("not_authenticated")
    CampaignFollower.objects.filter(campaign=campaign, user=user).delete()
