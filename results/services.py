"""Every write of the results: publishing a campaign's results, telling
people, and moving awarded ideas of an internal campaign into the idea box.

`publish_results` runs (as results.tasks.publish_results) once the campaign has
left deliberation: in one transaction, with the campaign row locked, it
stores the final ranking as ResultRow, sets the statuses (`awarded`,
`not_selected`) and `Jury.published_at`; a second run, or a run after one
that crashed half-way (nothing committed), gives the same stored result.
After the commit, `announce_results` (queued as results.tasks.announce_results)
e-mails winners, authors and the campaign's followers, once per person (the
Notification log).
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import notifications as mail
from accounts import roles
from accounts.models import NotificationKind
from campaigns.models import Campaign, CampaignFollower, Kind, Phase
from ideabox import outbox
from ideabox.exceptions import DomainError
from ideas import notifications
from ideas import services as idea_services
from ideas.models import Attachment, Comment, Idea, IdeaFollower, Status
from jury import award_services, ranking
from jury.models import Award, BoxTransfer, Jury, ResultRow

log = logging.getLogger(__name__)

PUBLISHED_PHASES = (Phase.RESULTS, Phase.ARCHIVED)


def results_path(campaign: Campaign) -> str:
    """The results page's stable address (PRODUCT.md, "Interfaces")."""
    return f"/campaigns/{campaign.slug}/results/"


def published_at(campaign: Campaign) -> datetime.datetime | None:
    return Jury.objects.filter(campaign=campaign).values_list("published_at", flat=True).first()


# --- publication ---------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    jury: Jury
    rows: list[ResultRow]
    published_now: bool  # False: it was published already, nothing changed


def publish_results(*, campaign_id: int, now: datetime.datetime | None = None) -> Publication:
    """Store the final ranking once the campaign has left deliberation.

    Refused with 404 `not_found` for a campaign that does not exist and 409
    `invalid_transition` before the results phase. Already published: the
    stored result is returned untouched. The tally, and the public awards
    decided from it, come first should the tally not be stored yet (the
    task queued when voting closed may run after this one; both count the
    same frozen rows); a public award whose winner was hidden since is
    decided again from the tally without it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id, kind=Kind.CHALLENGE).first()
        if campaign is None:
            raise DomainError("not_found")
        if campaign.phase not in PUBLISHED_PHASES:
            raise DomainError("invalid_transition", _("Results are published once the campaign leaves deliberation."))
        jury, _created = Jury.objects.select_for_update().get_or_create(campaign=campaign)
        if jury.published_at is not None:
            return Publication(jury=jury, rows=list(ResultRow.objects.filter(campaign=campaign)), published_now=False)

        award_services.tally_and_decide_public_awards(campaign_id=campaign.pk, now=now)

        standings = ranking.standings(campaign)
        ResultRow.objects.filter(campaign=campaign).delete()
        rows = ResultRow.objects.bulk_create(
            [
                ResultRow(
                    campaign=campaign,
                    idea=standing.idea,
                    rank=standing.rank,
                    votes=standing.votes,
                    jury_average=standing.jury_average,
                    final_score=standing.final_score,
                )
                for standing in standings
            ]
        )
        winners = set(Award.objects.filter(campaign=campaign, winner__isnull=False).values_list("winner_id", flat=True))
        ranked = {standing.idea.pk for standing in standings}
        # shortlisted -> awarded / not_selected, by the system (no actor); the
        # news is the results e-mail (announce_results), not one per idea.
        for to, ids in ((Status.AWARDED, ranked & winners), (Status.NOT_SELECTED, ranked - winners)):
            shortlisted = Idea.objects.filter(pk__in=ids, status=Status.SHORTLISTED)
            idea_services.move_statuses(ideas=shortlisted, to=to, now=now)
        jury.published_at = now
        jury.save(update_fields=["published_at"])
        outbox.enqueue("results.tasks.announce_results", campaign.pk)
    log.info("campaign %s: results published, %s ideas ranked, %s awarded", campaign.slug, len(rows), len(winners))
    return Publication(jury=jury, rows=rows, published_now=True)


# --- e-mails -------------------------------------------------------------------------


def results_key(campaign: Campaign) -> str:
    return f"results:campaign:{campaign.pk}"


def announce_results(*, campaign_id: int) -> int:
    """E-mail the published results: to the authors of the shortlist (what
    their ideas won, or that they were not selected) and to the campaign's
    followers. One e-mail per person and campaign. Returns how many were queued."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or published_at(campaign) is None:
        return 0
    rows = list(
        ResultRow.objects.filter(campaign=campaign, idea__hidden=False)
        .select_related("idea")
        .prefetch_related("idea__coauthors")
        .order_by("rank")
    )
    won: dict[int, list[Award]] = defaultdict(list)
    for award in Award.objects.filter(campaign=campaign, winner__isnull=False).order_by("position", "pk"):
        won[award.winner_id].append(award)
    mine: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        entry = {"idea": row.idea, "row": row, "awards": won.get(row.idea_id, [])}
        for person in {row.idea.author_id, *(c.pk for c in row.idea.coauthors.all())} - {None}:
            mine[person].append(entry)

    results_url = mail.absolute_url(results_path(campaign))
    sent = 0
    authors = list(mail.recipients(notifications.may_hear_of(campaign, mine), NotificationKind.IDEA_STATUS_CHANGED))
    for user in authors:
        entries = mine[user.pk]
        sent += mail.send_once(
            user=user,
            kind=NotificationKind.IDEA_STATUS_CHANGED,
            key=results_key(campaign),
            template="results/email/author",
            context={
                "campaign": campaign,
                "won": [e for e in entries if e["awards"]],
                "not_selected": [e for e in entries if not e["awards"]],
                "results_url": results_url,
            },
        )
    followers = set(CampaignFollower.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    told = {user.pk for user in authors}
    for user in mail.recipients(
        notifications.may_hear_of(campaign, followers - told), NotificationKind.FOLLOWED_CAMPAIGN_PHASE
    ):
        sent += mail.send_once(
            user=user,
            kind=NotificationKind.FOLLOWED_CAMPAIGN_PHASE,
            key=results_key(campaign),
            template="results/email/follower",
            context={
                "campaign": campaign,
                "winners": [{"award": award, "idea": row.idea} for row in rows for award in won.get(row.idea_id, [])],
                "results_url": results_url,
            },
        )
    return sent


# --- moving an awarded idea into the idea box ------------------------------------------


def _footer(campaign: Campaign) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Awarded in the campaign “%(title)s”: [see its results](%(url)s).") % {
            "title": campaign.title,
            "url": results_path(campaign),
        }


def move_to_box(*, idea: Idea, by, now: datetime.datetime | None = None) -> BoxTransfer:
    """Copy an awarded idea of an internal campaign into the idea box, to be
    reviewed there: its text, authors, tags, attachments and comments, and a
    link back to the campaign's results. The campaign's idea, votes,
    receipts, tally and results stay as they are. Managers only; once per
    idea (409 `already_moved`).
    """
    stored: list[str] = []
    try:
        return _move_to_box(idea=idea, by=by, now=now or timezone.now(), stored=stored)
    except BaseException:
        # The copied files of a move that did not happen.
        for name in stored:
            default_storage.delete(name)
        raise


def _copy_attachments(*, source: Idea, target: Idea, stored: list[str]) -> None:
    """Each attachment copied into a file of its own: the box idea's authors
    may remove theirs without touching the campaign's."""
    for attachment in source.attachments.all():
        suffix = PurePosixPath(attachment.file.name).suffix
        copy = Attachment(
            idea=target,
            name=attachment.name,
            description=attachment.description,
            content_type=attachment.content_type,
            size=attachment.size,
            created_at=attachment.created_at,
        )
        with attachment.file.open("rb") as content:
            copy.file.save(f"{uuid.uuid4().hex}{suffix}", File(content), save=False)
        stored.append(copy.file.name)
        copy.save()


def _move_to_box(*, idea: Idea, by, now: datetime.datetime, stored: list[str]) -> BoxTransfer:
    if by is None or not roles.may_move_to_box(by):
        raise DomainError("not_found")
    with transaction.atomic():
        current = (
            Idea.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(pk=idea.pk, campaign__kind=Kind.CHALLENGE)
            .first()
        )
        if current is None:
            raise DomainError("not_found")
        campaign = current.campaign
        if not campaign.is_internal:
            raise DomainError("invalid_transition", _("Only awarded ideas of an internal campaign go to the idea box."))
        if published_at(campaign) is None:
            raise DomainError("invalid_transition", _("The results of this campaign are not published yet."))
        if current.status != Status.AWARDED or current.hidden:
            raise DomainError("invalid_transition", _("Only an awarded idea goes to the idea box."))
        if BoxTransfer.objects.filter(idea=current).exists():
            raise _already_moved()
        box = Campaign.objects.get(kind=Kind.BOX)
        body = current.body.rstrip()
        body = f"{body}\n\n---\n\n{_footer(campaign)}" if body else _footer(campaign)
        copy = Idea.objects.create(
            campaign=box,
            author=current.author,
            entity_id=current.entity_id,  # where it came from when it was submitted
            title=current.title,
            summary=current.summary,
            body=body,
            category=None,
            anonymous=current.anonymous,
            status=Status.UNDER_REVIEW,
            approved=True,
            answer_due=now + datetime.timedelta(days=box.review_days),
            follower_count=1 if current.author_id else 0,
            status_changed_at=now,
            created_at=now,
        )
        if current.author_id:
            # As on submission, the author follows their idea in the box.
            IdeaFollower.objects.create(idea=copy, user_id=current.author_id, created_at=now)
        copy.coauthors.set(current.coauthors.all())
        copy.tags.set(current.tags.all())
        _copy_comments(source=current, target=copy)
        _copy_attachments(source=current, target=copy, stored=stored)
        try:
            with transaction.atomic():
                transfer = BoxTransfer.objects.create(idea=current, box_idea=copy, by=by, at=now)
        except IntegrityError as exc:
            raise _already_moved() from exc
    return transfer


def _already_moved() -> DomainError:
    return DomainError("already_moved", _("This idea is already in the idea box."))


def _copy_comments(*, source: Idea, target: Idea) -> None:
    """Comments keep their author, text, date and thread (one level of
    replies); hidden ones stay hidden, with their reason."""
    originals = list(Comment.objects.filter(idea=source))
    new_ids: dict[int, int] = {}
    # Threads first, then the replies, so that each reply finds its parent's copy.
    for comment in sorted(originals, key=lambda c: (c.parent_id is not None, c.created_at, c.pk)):
        copy = Comment.objects.create(
            idea=target,
            author_id=comment.author_id,
            parent_id=new_ids.get(comment.parent_id) if comment.parent_id else None,
            body=comment.body,
            hidden=comment.hidden,
            hidden_reason=comment.hidden_reason,
            created_at=comment.created_at,
        )
        new_ids[comment.pk] = copy.pk
    Idea.objects.filter(pk=target.pk).update(comment_count=sum(1 for c in originals if not c.hidden))
