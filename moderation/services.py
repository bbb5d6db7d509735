"""Moderation: reports, hiding and restoring, approval, merging duplicates.

Every decision is recorded as a ModerationAction. Only moderators act
(`permission_denied`), and only on what they can see (`not_found`).
Reporting is for participants who can see the idea or comment.

Counters: an idea's `comment_count` counts its comments that are not hidden,
so lists and "most discussed" never reward a thread of hidden spam. Hiding a
comment takes one off, restoring puts it back, merging moves the visible
ones (all with F(), so concurrent writers never lose an update).

For a comment, a ModerationAction holds both the comment and its idea, so an
idea's moderation history and the log's campaign filter include its comments.

Merging moves a duplicate's comments, followers and supporters (votes) to the
idea it duplicates, in one transaction; this app ranks above `votes` for that.
Its status moves through ideas.services.move_status, the one writer of
Idea.status. Every decision is written to the audit log too (accounts).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import AuditAction
from accounts.services import audit
from campaigns.models import Campaign
from ideabox import outbox
from ideabox.exceptions import DomainError
from ideas.models import Comment, Idea, IdeaFollower, ModerationAction, Report, Status
from ideas.services import move_status
from votes.models import Ballot, Vote

REASON_MAX_LENGTH = 2000
RECENTLY_HIDDEN_DAYS = 7

# Report.resolution values.
RESOLVED_HIDDEN = "hidden"
RESOLVED_DISMISSED = "dismissed"
RESOLVED_MERGED = "merged"

Action = ModerationAction.Action


# --- checks -------------------------------------------------------------------


def clean_reason(reason: str | None, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        message = _("Give a reason.")
        raise DomainError("invalid", str(message), fields={"reason": [str(message)]})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Keep the reason to at most %(max)d characters.") % {"max": REASON_MAX_LENGTH}
        raise DomainError("invalid", str(message), fields={"reason": [str(message)]})
    return reason


def _require_moderator(user) -> None:
    if not roles.is_moderator(user):
        raise DomainError("permission_denied", str(_("Only moderators can do this.")))


def _visible_idea(user, pk: int) -> Idea:
    idea = Idea.objects.visible_to(user).select_related("campaign").filter(pk=pk).first()
    if idea is None:
        raise DomainError("not_found")
    return idea


def visible_comments(user) -> QuerySet[Comment]:
    """Comments this person may see: on an idea they may open, not hidden
    unless they moderate or wrote it."""
    qs = Comment.objects.filter(idea__in=Idea.objects.visible_to(user))
    if roles.is_moderator(user):
        return qs
    shown = Q(hidden=False)
    if user.is_authenticated:
        shown |= Q(author=user)
    return qs.filter(shown)


def _visible_comment(user, pk: int) -> Comment:
    comment = visible_comments(user).select_related("idea").filter(pk=pk).first()
    if comment is None:
        raise DomainError("not_found")
    return comment


def _resolve_open_reports(reports: QuerySet[Report], *, by, now: datetime, resolution: str) -> int:
    return reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=by, resolution=resolution)


# --- reports --------------------------------------------------------------------


def _create_report(**fields) -> Report:
    try:
        # A savepoint: the partial unique constraint (one open report per
        # person and target) is what decides under concurrent requests.
        with transaction.atomic():
            return Report.objects.create(**fields)
    except IntegrityError:
        raise DomainError("conflict", str(_("You already reported this."))) from None


def report_idea(*, reporter, target: Idea, reason: str) -> Report:
    idea = _visible_idea(reporter, target.pk)
    if not roles.is_participant(reporter):
        raise DomainError("not_allowed")
    if idea.author_id == reporter.pk:
        raise DomainError("invalid", str(_("You cannot report your own idea.")))
    reason = clean_reason(reason)
    return _create_report(reporter=reporter, idea=idea, reason=reason)


def report_comment(*, reporter, target: Comment, reason: str) -> Report:
    comment = _visible_comment(reporter, target.pk)
    if not roles.is_participant(reporter):
        raise DomainError("not_allowed")
    if comment.author_id == reporter.pk:
        raise DomainError("invalid", str(_("You cannot report your own comment.")))
    reason = clean_reason(reason)
    return _create_report(reporter=reporter, comment=comment, reason=reason)


@transaction.atomic
def dismiss_report(*, report: Report, by, reason: str = "") -> Report:
    _require_moderator(by)
    reason = clean_reason(reason, required=False)
    current = open_reports(user=by).filter(pk=report.pk).first()
    if current is None:
        if reports_visible_to(by).filter(pk=report.pk, resolved_at__isnull=False).exists():
            raise DomainError("conflict", str(_("This report was already handled.")))
        raise DomainError("not_found")
    now = timezone.now()
    if not _resolve_open_reports(Report.objects.filter(pk=current.pk), by=by, now=now, resolution=RESOLVED_DISMISSED):
        raise DomainError("conflict", str(_("This report was already handled.")))
    idea_id = current.idea_id if current.idea_id else current.comment.idea_id
    ModerationAction.objects.create(
        actor=by, action=Action.DISMISS_REPORT, idea_id=idea_id, comment_id=current.comment_id, reason=reason, at=now
    )
    audit(actor=by, action=AuditAction.REPORT_DISMISS, obj=current)
    current.refresh_from_db()
    return current


# --- hiding and restoring ---------------------------------------------------------


@transaction.atomic
def hide_idea(*, idea: Idea, by, reason: str) -> Idea:
    """Hide beside the status: the status is untouched, so restoring brings it back."""
    _require_moderator(by)
    reason = clean_reason(reason)
    current = _visible_idea(by, idea.pk)
    if not Idea.objects.filter(pk=current.pk, hidden=False).update(hidden=True, hidden_reason=reason):
        raise DomainError("conflict", str(_("This idea is already hidden.")))
    now = timezone.now()
    _resolve_open_reports(Report.objects.filter(idea=current), by=by, now=now, resolution=RESOLVED_HIDDEN)
    ModerationAction.objects.create(actor=by, action=Action.HIDE, idea=current, reason=reason, at=now)
    audit(actor=by, action=AuditAction.IDEA_HIDE, obj=current)
    current.refresh_from_db()
    return current


@transaction.atomic
def restore_idea(*, idea: Idea, by, reason: str = "") -> Idea:
    _require_moderator(by)
    reason = clean_reason(reason, required=False)
    current = _visible_idea(by, idea.pk)
    if not Idea.objects.filter(pk=current.pk, hidden=True).update(hidden=False, hidden_reason=""):
        raise DomainError("conflict", str(_("This idea is not hidden.")))
    ModerationAction.objects.create(actor=by, action=Action.RESTORE, idea=current, reason=reason)
    audit(actor=by, action=AuditAction.IDEA_RESTORE, obj=current)
    current.refresh_from_db()
    return current


@transaction.atomic
def hide_comment(*, comment: Comment, by, reason: str) -> Comment:
    _require_moderator(by)
    reason = clean_reason(reason)
    current = _visible_comment(by, comment.pk)
    if not Comment.objects.filter(pk=current.pk, hidden=False).update(hidden=True, hidden_reason=reason):
        raise DomainError("conflict", str(_("This comment is already hidden.")))
    Idea.objects.filter(pk=current.idea_id).update(comment_count=Greatest(F("comment_count") - 1, 0))
    now = timezone.now()
    _resolve_open_reports(Report.objects.filter(comment=current), by=by, now=now, resolution=RESOLVED_HIDDEN)
    ModerationAction.objects.create(
        actor=by, action=Action.HIDE, idea_id=current.idea_id, comment=current, reason=reason, at=now
    )
    audit(actor=by, action=AuditAction.COMMENT_HIDE, obj=current)
    current.refresh_from_db()
    return current


@transaction.atomic
def restore_comment(*, comment: Comment, by, reason: str = "") -> Comment:
    _require_moderator(by)
    reason = clean_reason(reason, required=False)
    current = _visible_comment(by, comment.pk)
    if not Comment.objects.filter(pk=current.pk, hidden=True).update(hidden=False, hidden_reason=""):
        raise DomainError("conflict", str(_("This comment is not hidden.")))
    Idea.objects.filter(pk=current.idea_id).update(comment_count=F("comment_count") + 1)
    ModerationAction.objects.create(
        actor=by, action=Action.RESTORE, idea_id=current.idea_id, comment=current, reason=reason
    )
    audit(actor=by, action=AuditAction.COMMENT_RESTORE, obj=current)
    current.refresh_from_db()
    return current


# --- pre-moderation -----------------------------------------------------------------


@transaction.atomic
def approve_idea(*, idea: Idea, by, reason: str = "") -> Idea:
    _require_moderator(by)
    reason = clean_reason(reason, required=False)
    current = _visible_idea(by, idea.pk)
    if not Idea.objects.filter(pk=current.pk, approved=False).update(approved=True):
        raise DomainError("conflict", str(_("This idea is already approved.")))
    ModerationAction.objects.create(actor=by, action=Action.APPROVE, idea=current, reason=reason)
    audit(actor=by, action=AuditAction.IDEA_APPROVE, obj=current)
    # Nobody hears of an idea awaiting approval: its invitees are told now.
    outbox.enqueue("ideas.tasks.coauthors_invited", current.pk)
    current.refresh_from_db()
    return current


# --- merging duplicates ---------------------------------------------------------------


@transaction.atomic
def merge_idea(*, source: Idea, target: Idea, by, reason: str) -> Idea:
    """Merge `source` into `target`: the source becomes `merged`, its
    comments, followers and supporters move to the target (_move_votes).
    Returns the source."""
    _require_moderator(by)
    reason = clean_reason(reason)
    if source.pk == target.pk:
        raise DomainError(
            "invalid",
            str(_("An idea cannot be merged into itself.")),
            fields={"target": [str(_("Choose another idea."))]},
        )
    # The supporters' ballots are locked before the ideas, the order
    # cast_vote takes them in, so a merge and a vote never wait on each
    # other crosswise.
    list(
        Ballot.objects.select_for_update()
        .filter(campaign_id=source.campaign_id, voter_id__in=Vote.objects.filter(idea_id=source.pk).values("voter_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Both rows locked in a stable order, so two crossed merges cannot deadlock.
    locked = {
        idea.pk: idea
        for idea in Idea.objects.visible_to(by).select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
    }
    if source.pk not in locked or target.pk not in locked:
        raise DomainError("not_found")
    src, tgt = locked[source.pk], locked[target.pk]
    if src.status == Status.MERGED:
        raise DomainError("conflict", str(_("This idea is already merged.")))
    if src.campaign_id != tgt.campaign_id:
        message = str(_("Only ideas of the same campaign can be merged."))
        raise DomainError("invalid", message, fields={"target": [message]})
    if tgt.status == Status.MERGED:
        message = str(_("The target idea is itself merged: merge into the idea it was merged into."))
        raise DomainError("invalid", message, fields={"target": [message]})
    if src.hidden or tgt.hidden:
        message = str(_("A hidden idea cannot be merged: restore it first."))
        raise DomainError("invalid", message)

    now = timezone.now()
    # The history row, the status audit event and the authors' and
    # followers' e-mail come with the move.
    if move_status(idea=src, to=Status.MERGED, actor=by, reason=reason, now=now, merged_into=tgt) is None:
        raise DomainError("conflict", str(_("This idea is already merged.")))

    # Comments move whole threads (replies keep their parent), so the
    # one-level rule still holds on the target.
    moved_comments = Comment.objects.filter(idea=src, hidden=False).count()
    Comment.objects.filter(idea=src).update(idea=tgt)

    # Followers: a person following both stays once (idea_follow_once).
    already_following = IdeaFollower.objects.filter(idea=tgt).values("user_id")
    moved_followers = IdeaFollower.objects.filter(idea=src).exclude(user_id__in=already_following).update(idea=tgt)
    dropped_followers, _deleted = IdeaFollower.objects.filter(idea=src).delete()

    _move_votes(src, tgt)

    Idea.objects.filter(pk=tgt.pk).update(
        comment_count=F("comment_count") + moved_comments,
        follower_count=F("follower_count") + moved_followers,
    )
    Idea.objects.filter(pk=src.pk).update(
        comment_count=Greatest(F("comment_count") - moved_comments, 0),
        follower_count=Greatest(F("follower_count") - moved_followers - dropped_followers, 0),
    )
    _resolve_open_reports(Report.objects.filter(idea=src), by=by, now=now, resolution=RESOLVED_MERGED)
    ModerationAction.objects.create(actor=by, action=Action.MERGE, idea=src, target=tgt, reason=reason, at=now)
    audit(actor=by, action=AuditAction.IDEA_MERGE, obj=src, detail={"into": tgt.pk})
    src.refresh_from_db()
    return src


def _count_votes():
    rows = Vote.objects.filter(idea=OuterRef("pk")).order_by().values("idea").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), Value(0))


def _move_votes(src: Idea, tgt: Idea) -> None:
    """The supporters of a merged idea, in merge_idea's transaction:
    - a voter who supported only the source now supports the target: the row
      moves (idea_id is updated) and keeps its receipt;
    - a voter who supported both keeps their vote on the target; the source
      row is deleted and their ballot gets the freed vote back;
    - a voter who wrote or co-wrote the target cannot support it: their
      source vote is deleted and given back as well;
    - both ideas' vote_count is recomputed from the rows."""
    authors = {tgt.author_id} | set(
        Idea.coauthors.through.objects.filter(idea_id=tgt.pk).values_list("user_id", flat=True)
    )
    authors.discard(None)
    freed = Vote.objects.filter(idea_id=src.pk).filter(
        Q(voter_id__in=Vote.objects.filter(idea_id=tgt.pk).values("voter_id")) | Q(voter_id__in=authors)
    )
    freed_voters = list(freed.values_list("voter_id", flat=True))
    if freed_voters:
        Vote.objects.filter(idea_id=src.pk, voter_id__in=freed_voters).delete()
        Ballot.objects.filter(campaign_id=src.campaign_id, voter_id__in=freed_voters).update(
            used=Greatest(F("used") - 1, Value(0))
        )
    Vote.objects.filter(idea_id=src.pk).update(idea_id=tgt.pk)
    Idea.objects.filter(pk__in=[src.pk, tgt.pk]).update(vote_count=_count_votes())


def merge_target(*, user, pk: int) -> Idea:
    """The idea a moderator names to merge into (by its number), among those they can see."""
    target = Idea.objects.visible_to(user).filter(pk=pk).first()
    if target is None:
        message = str(_("There is no idea with this number that you can see."))
        raise DomainError("invalid", message, fields={"target": [message]})
    return target


# --- what moderators read ----------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports on ideas and comments of campaigns this person can see."""
    campaigns = Campaign.objects.visible_to(user)
    return Report.objects.filter(Q(idea__campaign__in=campaigns) | Q(comment__idea__campaign__in=campaigns))


def open_reports(*, user) -> QuerySet[Report]:
    """Open reports, oldest first, with what the queue shows preloaded."""
    return (
        reports_visible_to(user)
        .filter(resolved_at__isnull=True)
        .select_related(
            "reporter",
            "idea__campaign",
            "idea__author",
            "comment__author",
            "comment__idea__campaign",
        )
        .order_by("created_at", "pk")
    )


def awaiting_approval(*, user) -> QuerySet[Idea]:
    """Ideas of pre-moderated campaigns not yet approved, oldest first. A
    hidden one is not waiting: hiding is how a moderator turns it down, and
    restoring it puts it back here."""
    return (
        Idea.objects.visible_to(user)
        .filter(approved=False, hidden=False)
        .exclude(status=Status.MERGED)
        .select_related("campaign", "author")
        .order_by("created_at", "pk")
    )


def _last_hide(**outer) -> Subquery:
    return Subquery(
        ModerationAction.objects.filter(action=Action.HIDE, **outer).order_by("-at", "-pk").values("at")[:1]
    )


def recently_hidden_ideas(*, user, now: datetime | None = None) -> QuerySet[Idea]:
    """Ideas still hidden that were hidden in the last days, newest first."""
    since = (now or timezone.now()) - timedelta(days=RECENTLY_HIDDEN_DAYS)
    recent = ModerationAction.objects.filter(
        action=Action.HIDE, idea=OuterRef("pk"), comment__isnull=True, at__gte=since
    )
    return (
        Idea.objects.visible_to(user)
        .filter(hidden=True)
        .filter(Exists(recent))
        .annotate(hidden_at=_last_hide(idea=OuterRef("pk"), comment__isnull=True))
        .select_related("campaign", "author")
        .order_by("-hidden_at", "-pk")
    )


def recently_hidden_comments(*, user, now: datetime | None = None) -> QuerySet[Comment]:
    since = (now or timezone.now()) - timedelta(days=RECENTLY_HIDDEN_DAYS)
    recent = ModerationAction.objects.filter(action=Action.HIDE, comment=OuterRef("pk"), at__gte=since)
    return (
        visible_comments(user)
        .filter(hidden=True)
        .filter(Exists(recent))
        .annotate(hidden_at=_last_hide(comment=OuterRef("pk")))
        .select_related("idea__campaign", "author")
        .order_by("-hidden_at", "-pk")
    )


def moderation_log(*, user, action: str = "") -> QuerySet[ModerationAction]:
    """Every moderation action on what this moderator can see, newest first."""
    qs = ModerationAction.objects.filter(idea__campaign__in=Campaign.objects.visible_to(user))
    if action:
        qs = qs.filter(action=action)
    return qs.select_related("actor", "idea", "comment", "target").order_by("-at", "-pk")
