"""Writes about ideas: submit, edit, attachments, comments, following.

Every function takes keyword-only arguments, runs in a transaction and
refuses with a DomainError whose code the API and the pages share.
Moderation (approve, hide, merge) and the idea box's review live in
moderation/ and ideas/review.py; whatever moves an idea's status calls
`move_status` / `move_statuses` here, its one writer (STYLE.md habit 11).
"""

import re
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import AuditAction
from accounts.services import actor_id, audit, audit_many
from campaigns.models import Campaign, Category, Moderation
from ideabox import outbox
from ideabox.exceptions import DomainError
from ideabox.text import strip_bidi

from . import coauthorship, selectors, uploads
from .models import ALLOWED_MOVES, Attachment, Comment, Idea, IdeaFollower, Status, StatusChange, Tag

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_COAUTHORS = 10
MAX_BODY_LENGTH = 20_000
MAX_COMMENT_LENGTH = 5000


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


# edit_idea's default: "leave this field as it is" (None is a value: no category).
UNCHANGED = _Unchanged()


# --- who may do what ----------------------------------------------------------


def may_take_part(user, campaign: Campaign) -> bool:
    """A participant of the campaign's audience: a verified e-mail, and an
    employee's for internal campaigns and the idea box."""
    if not user.is_authenticated:
        return False
    if campaign.is_internal:
        return roles.is_employee(user)
    return roles.is_participant(user)


def _ensure_sees_campaign(user, campaign: Campaign) -> None:
    if not Campaign.objects.visible_to(user).filter(pk=campaign.pk).exists():
        raise DomainError("not_found")


def check_may_submit(*, user, campaign: Campaign, now=None) -> None:
    """Raise the refusal submit_idea would give before looking at the fields."""
    now = now or timezone.now()
    _ensure_sees_campaign(user, campaign)
    if not may_take_part(user, campaign):
        raise DomainError("not_allowed")
    if not campaign.accepts_ideas(now):
        raise DomainError("submission_closed", _("This campaign does not take new ideas now."))


def may_submit(user, campaign: Campaign, now=None) -> bool:
    """For pages: whether to offer the "Submit an idea" link (the campaign is already visible)."""
    return may_take_part(user, campaign) and campaign.accepts_ideas(now or timezone.now())


def is_author(user, idea: Idea) -> bool:
    return idea.has_author(user)


def check_may_edit(*, user, idea: Idea, now=None) -> None:
    now = now or timezone.now()
    if not is_author(user, idea):
        raise DomainError("permission_denied", _("Only the authors of an idea may change it."))
    if idea.campaign.is_box:
        if idea.status != Status.UNDER_REVIEW:
            raise DomainError("submission_closed", _("This idea has been answered: it can no longer be changed."))
        return
    if idea.status != Status.PUBLISHED or not idea.campaign.accepts_ideas(now):
        raise DomainError("submission_closed", _("Submission is closed: this idea can no longer be changed."))


def may_edit(user, idea: Idea, now=None) -> bool:
    try:
        check_may_edit(user=user, idea=idea, now=now)
    except DomainError:
        return False
    return True


# --- field checks ---------------------------------------------------------------


def _text(errors: dict, name: str, value, *, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > max_length:
        errors.setdefault(name, []).append(
            _("At most %(max)d characters (this has %(length)d).") % {"max": max_length, "length": len(value)}
        )
    return value


def normalise_tags(tags: Iterable[str] | str) -> list[str]:
    """Lower-case, trimmed, inner spaces collapsed, bidirectional controls
    removed, duplicates dropped, order kept."""
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: list[str] = []
    for tag in tags:
        name = re.sub(r"\s+", " ", strip_bidi(str(tag))).strip().lower()
        if name and name not in seen:
            seen.append(name)
    return seen


def _tags(errors: dict, tags) -> list[str]:
    names = normalise_tags(tags)
    if len(names) > MAX_TAGS:
        errors.setdefault("tags", []).append(_("At most %(max)d tags.") % {"max": MAX_TAGS})
    too_long = [n for n in names if len(n) > MAX_TAG_LENGTH]
    if too_long:
        errors.setdefault("tags", []).append(
            _("A tag has at most %(max)d characters: %(tags)s.") % {"max": MAX_TAG_LENGTH, "tags": ", ".join(too_long)}
        )
    return names


def _category(errors: dict, campaign: Campaign, category) -> Category | None:
    if category in (None, ""):
        return None
    if isinstance(category, Category):
        if category.campaign_id == campaign.pk:
            return category
    else:
        found = Category.objects.filter(campaign=campaign, slug=str(category)).first()
        if found is not None:
            return found
    errors.setdefault("category", []).append(_("Choose one of this campaign's categories."))
    return None


def _coauthors(errors: dict, campaign: Campaign, usernames, author, idea: Idea | None = None) -> list:
    """The people named in the co-author field (they are invited: see
    ideas/coauthorship.py): participants of the campaign's audience, not the
    author, not someone who declined or left this idea."""
    if isinstance(usernames, str):
        usernames = usernames.split(",")
    names = []
    for name in usernames:
        name = str(name).strip().lstrip("@")
        if name and name not in names and name != author.get_username():
            names.append(name)
    if len(names) > MAX_COAUTHORS:
        errors.setdefault("coauthors", []).append(_("At most %(max)d co-authors.") % {"max": MAX_COAUTHORS})
        return []
    users = list(get_user_model().objects.filter(username__in=names, is_active=True))
    found = {u.get_username() for u in users}
    refused = [n for n in names if n not in found] + [u.get_username() for u in users if not may_take_part(u, campaign)]
    if refused:
        errors.setdefault("coauthors", []).append(
            _("These people cannot be co-authors of an idea here: %(names)s.") % {"names": ", ".join(refused)}
        )
    unwelcome = coauthorship.unwelcome_names(idea=idea, users=users)
    if unwelcome:
        errors.setdefault("coauthors", []).append(
            _("These people declined or left this idea and are not invited again: %(names)s.")
            % {"names": ", ".join(unwelcome)}
        )
    return users


def _tag_objects(names: list[str]) -> list[Tag]:
    if not names:
        return []
    # ignore_conflicts: two submissions may create the same new tag at once.
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=names))


def _raise_if(errors: dict) -> None:
    if errors:
        raise DomainError("invalid", _("Some fields are not valid."), fields=errors)


# --- attachments ----------------------------------------------------------------


def _store(idea: Idea, checked: uploads.CheckedFile, stored: list[str]) -> Attachment:
    attachment = Attachment(
        idea=idea,
        name=checked.name,
        description=checked.description,
        content_type=checked.content_type,
        size=checked.size,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", checked.file, save=False)
    stored.append(attachment.file.name)
    attachment.save()
    return attachment


def _forget_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _attach(idea: Idea, checked: list[uploads.CheckedFile]) -> list[Attachment]:
    """Store files for an idea locked by the caller; count under the lock."""
    if not checked:
        return []
    if idea.attachments.count() + len(checked) > uploads.MAX_ATTACHMENTS:
        raise uploads.refuse(_("An idea has at most %(max)d attachments.") % {"max": uploads.MAX_ATTACHMENTS})
    stored: list[str] = []
    try:
        return [_store(idea, c, stored) for c in checked]
    except BaseException:
        _forget_files(stored)
        raise


def _locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().select_related("campaign").get(pk=idea.pk)


def add_attachment(*, idea: Idea, by, file, description: str = "", now=None) -> Attachment:
    check_may_edit(user=by, idea=idea, now=now)
    checked = uploads.check(uploads.Upload(file, description))
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(idea)
            check_may_edit(user=by, idea=locked, now=now)
            attachments = _attach(locked, [checked])
            stored = [a.file.name for a in attachments]
    except BaseException:
        _forget_files(stored)
        raise
    return attachments[0]


def describe_attachment(*, attachment: Attachment, by, description: str, now=None) -> Attachment:
    """Change what an attachment shows in words (an image's alternative
    text): for the idea's authors while they may edit it, e.g. an image
    attached before descriptions were asked for."""
    description = uploads.described(description, name=attachment.name, is_image=attachment.is_image)
    with transaction.atomic():
        idea = _locked(attachment.idea)
        check_may_edit(user=by, idea=idea, now=now)
        if not Attachment.objects.filter(pk=attachment.pk, idea=idea).update(description=description):
            raise DomainError("not_found")
    attachment.description = description
    return attachment


def remove_attachment(*, attachment: Attachment, by, now=None) -> None:
    with transaction.atomic():
        idea = _locked(attachment.idea)
        check_may_edit(user=by, idea=idea, now=now)
        deleted, _rows = Attachment.objects.filter(pk=attachment.pk, idea=idea).delete()
        if deleted:
            name = attachment.file.name
            transaction.on_commit(lambda: default_storage.delete(name))


# --- submit and edit ------------------------------------------------------------


def submit_idea(
    *,
    campaign: Campaign,
    author,
    title: str,
    summary: str,
    body: str = "",
    category: Category | str | None = None,
    tags: Iterable[str] | str = (),
    coauthors: Iterable[str] | str = (),
    anonymous: bool = False,
    attachments: Iterable[uploads.Upload] = (),
    now=None,
) -> Idea:
    now = now or timezone.now()
    check_may_submit(user=author, campaign=campaign, now=now)

    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", strip_bidi(title or ""), max_length=200, required=True)
    summary = _text(errors, "summary", summary, max_length=500, required=True)
    body = _text(errors, "body", body, max_length=MAX_BODY_LENGTH, required=False)
    category_obj = _category(errors, campaign, category)
    tag_names = _tags(errors, tags)
    coauthor_users = _coauthors(errors, campaign, coauthors, author)
    if anonymous and not campaign.allow_anonymous:
        errors.setdefault("anonymous", []).append(_("This campaign does not take anonymous ideas."))
    _raise_if(errors)
    checked = uploads.check_all(attachments)

    box = campaign.is_box
    stored: list[str] = []
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                campaign=campaign,
                author=author,
                # Where the author works now, kept when they move (Idea.entity).
                entity_id=author.entity_id,
                title=title,
                summary=summary,
                body=body,
                category=category_obj,
                anonymous=bool(anonymous),
                status=Status.UNDER_REVIEW if box else Status.PUBLISHED,
                approved=campaign.moderation == Moderation.POST,
                answer_due=now + timedelta(days=campaign.review_days) if box else None,
                follower_count=1,  # the author, followed just below
                status_changed_at=now,
                created_at=now,
            )
            idea.tags.set(_tag_objects(tag_names))
            coauthorship.name_coauthors(idea=idea, by=author, users=coauthor_users, now=now)
            IdeaFollower.objects.create(idea=idea, user=author, created_at=now)
            stored = [a.file.name for a in _attach(idea, checked)]
    except BaseException:
        _forget_files(stored)
        raise
    return idea


def edit_idea(
    *,
    idea: Idea,
    by,
    title=UNCHANGED,
    summary=UNCHANGED,
    body=UNCHANGED,
    category=UNCHANGED,
    tags=UNCHANGED,
    coauthors=UNCHANGED,
    anonymous=UNCHANGED,
    attachments: Iterable[uploads.Upload] = (),
    now=None,
) -> Idea:
    """Change what the authors wrote; fields left UNCHANGED stay as they are.
    `attachments` are new files (with their descriptions) added to those already there."""
    now = now or timezone.now()
    check_may_edit(user=by, idea=idea, now=now)
    campaign = idea.campaign

    errors: dict[str, list[str]] = {}
    changes: dict = {}
    if title is not UNCHANGED:
        changes["title"] = _text(errors, "title", strip_bidi(title or ""), max_length=200, required=True)
    if summary is not UNCHANGED:
        changes["summary"] = _text(errors, "summary", summary, max_length=500, required=True)
    if body is not UNCHANGED:
        changes["body"] = _text(errors, "body", body, max_length=MAX_BODY_LENGTH, required=False)
    if category is not UNCHANGED:
        changes["category"] = _category(errors, campaign, category)
    if anonymous is not UNCHANGED:
        if anonymous and not campaign.allow_anonymous:
            errors.setdefault("anonymous", []).append(_("This campaign does not take anonymous ideas."))
        changes["anonymous"] = bool(anonymous)
    tag_names = _tags(errors, tags) if tags is not UNCHANGED else None
    coauthor_users = None
    if coauthors is not UNCHANGED:
        # The first author stays the author, whoever edits.
        coauthor_users = _coauthors(errors, campaign, coauthors, idea.author or by, idea)
    _raise_if(errors)
    checked = uploads.check_all(attachments)

    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(idea)
            check_may_edit(user=by, idea=locked, now=now)
            for name, value in changes.items():
                setattr(locked, name, value)
            locked.save()
            if tag_names is not None:
                locked.tags.set(_tag_objects(tag_names))
            if coauthor_users is not None:
                coauthorship.name_coauthors(idea=locked, by=by, users=coauthor_users, now=now)
            stored = [a.file.name for a in _attach(locked, checked)]
    except BaseException:
        _forget_files(stored)
        raise
    return locked


# --- comments -------------------------------------------------------------------


def add_comment(*, idea: Idea, author, body: str, parent: Comment | None = None) -> Comment:
    if not Idea.objects.visible_to(author).filter(pk=idea.pk).exists():
        raise DomainError("not_found")
    if not may_take_part(author, idea.campaign):
        raise DomainError("not_allowed")
    if not idea.is_listed:
        raise DomainError("permission_denied", _("This idea takes no comments."))
    errors: dict[str, list[str]] = {}
    body = _text(errors, "body", body, max_length=MAX_COMMENT_LENGTH, required=True)
    if parent is not None:
        if parent.idea_id != idea.pk or parent.hidden:
            errors.setdefault("parent", []).append(_("You can only reply to a visible comment of this idea."))
        elif parent.parent_id is not None:
            # One level of replies: a reply to a reply joins the thread of its parent.
            parent = Comment.objects.get(pk=parent.parent_id)
    _raise_if(errors)

    with transaction.atomic():
        comment = Comment.objects.create(idea=idea, author=author, body=body, parent=parent)
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        outbox.enqueue("ideas.tasks.idea_commented", comment.pk)
    return comment


# --- following ------------------------------------------------------------------


def follow_idea(*, idea: Idea, user) -> bool:
    """Follow an idea; True when this call started following (idempotent)."""
    if not Idea.objects.visible_to(user).filter(pk=idea.pk).exists():
        raise DomainError("not_found")
    if not roles.is_participant(user):
        raise DomainError("not_allowed")
    try:
        with transaction.atomic():
            _follower, created = IdeaFollower.objects.get_or_create(idea=idea, user=user)
            if created:
                Idea.objects.filter(pk=idea.pk).update(follower_count=F("follower_count") + 1)
    except IntegrityError:
        return False  # a concurrent request followed first
    return created


def unfollow_idea(*, idea: Idea, user) -> bool:
    """Stop following; True when a follow was removed (idempotent)."""
    if not user.is_authenticated:
        raise DomainError("not_authenticated")
    with transaction.atomic():
        deleted, _rows = IdeaFollower.objects.filter(idea=idea, user=user).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk, follower_count__gt=0).update(follower_count=F("follower_count") - 1)
    return bool(deleted)


# --- similar ideas --------------------------------------------------------------


def similar_ideas(*, campaign: Campaign, text: str, user, limit: int = 5, exclude_id: int | None = None) -> list[Idea]:
    """Listed ideas of the campaign that look like `text`, best first, for
    catching duplicates while someone types a title."""
    return selectors.similar_ideas(campaign=campaign, text=text, user=user, limit=limit, exclude_id=exclude_id)


# --- the status: its one writer ---------------------------------------------------------

# The task that tells an idea's authors and followers of a StatusChange.
STATUS_CHANGED_TASK = "ideas.tasks.idea_status_changed"
# The one notification policy of status moves: every move tells the idea's
# authors and followers (PRODUCT.md: "every change ... notifies authors and
# followers"), except the publication's, whose news is the results e-mail
# (results' announce_results: one e-mail per person and campaign, not one
# per idea).
TOLD_BY_THE_RESULTS = frozenset({Status.AWARDED, Status.NOT_SELECTED})


def status_label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


def invalid_move(*, old: str, to: str) -> DomainError:
    return DomainError(
        "invalid_transition",
        _("An idea cannot go from “%(old)s” to “%(new)s”.") % {"old": status_label(old), "new": status_label(to)},
    )


def check_move(*, old: str, to: str) -> None:
    """Refuse with `invalid_transition` a move ALLOWED_MOVES does not hold."""
    if to not in ALLOWED_MOVES.get(old, ()):
        raise invalid_move(old=old, to=to)


def _status_fields(*, old: str, to: str, reason: str) -> dict:
    """What moves with the status: a rejection's reason (required, as the
    database requires) comes and goes with `rejected`."""
    if to == Status.REJECTED:
        if not reason:
            message = _("Give the author the reason for the rejection.")
            raise DomainError("invalid", message, fields={"reason": [message]})
        return {"rejection_reason": reason}
    if old == Status.REJECTED:
        return {"rejection_reason": ""}
    return {}


@transaction.atomic
def move_status(
    *,
    idea: Idea,
    to: str,
    actor=None,
    reason: str = "",
    expected: str | None = None,
    now=None,
    **fields,
) -> StatusChange | None:
    """Move `idea` from `expected` (by default the status it was read with) to `to`.

    Refuses a move ALLOWED_MOVES does not hold (`invalid_transition`), and a
    rejection without a reason (`invalid`). Compare-and-swap: returns None,
    having changed nothing, when the idea's status is no longer `expected`
    (the caller raises `conflict` or skips it). Otherwise, in the caller's
    transaction: the status and `fields` (other columns that move with it,
    e.g. `merged_into`, the review clock), the StatusChange row, the audit
    event and, after commit, the authors' and followers' e-mail.
    `actor` is a user, or None for the system (the tally, the publication).
    """
    old = expected if expected is not None else idea.status
    check_move(old=old, to=to)
    reason = (reason or "").strip()
    now = now or timezone.now()
    changes = {**_status_fields(old=old, to=to, reason=reason), **fields}
    if not Idea.objects.filter(pk=idea.pk, status=old).update(status=to, status_changed_at=now, **changes):
        return None
    by_id = actor_id(actor)
    change = StatusChange.objects.create(
        idea_id=idea.pk, from_status=old, to_status=to, by_id=by_id, reason=reason, at=now
    )
    audit(actor=by_id, action=AuditAction.IDEA_STATUS, obj=idea, detail={"from": old, "to": to})
    if to not in TOLD_BY_THE_RESULTS:
        outbox.enqueue(STATUS_CHANGED_TASK, change.pk)
    idea.status, idea.status_changed_at = to, now
    return change


@transaction.atomic
def move_statuses(*, ideas: QuerySet[Idea], to: str, actor=None, reason: str = "", now=None) -> list[int]:
    """Move many ideas to `to` at once (the tally's shortlist, the publication):
    what `move_status` does for one, in a number of queries that does not
    grow with the ideas (one UPDATE, one history INSERT and one audit INSERT
    per status they come from; the e-mails are one outbox row each).

    The ideas are locked and read first; those whose status cannot move to
    `to` (moved already by an earlier run, or on to an award) are left as
    they are. Returns the ids moved, in id order.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    by_id = actor_id(actor)
    found: dict[str, list[int]] = {}
    for pk, old in ideas.select_for_update(of=("self",)).order_by("pk").values_list("pk", "status"):
        if to in ALLOWED_MOVES.get(old, ()):
            found.setdefault(old, []).append(pk)
    moved: list[int] = []
    changes: list[StatusChange] = []
    for old, pks in found.items():
        fields = _status_fields(old=old, to=to, reason=reason)
        Idea.objects.filter(pk__in=pks, status=old).update(status=to, status_changed_at=now, **fields)
        changes += [
            StatusChange(idea_id=pk, from_status=old, to_status=to, by_id=by_id, reason=reason, at=now) for pk in pks
        ]
        audit_many(actor=by_id, action=AuditAction.IDEA_STATUS, model=Idea, ids=pks, detail={"from": old, "to": to})
        moved += pks
    changes = StatusChange.objects.bulk_create(changes)
    if to not in TOLD_BY_THE_RESULTS:
        for change in changes:
            outbox.enqueue(STATUS_CHANGED_TASK, change.pk)
    return sorted(moved)
