"""E-mail notifications about ideas and campaigns: who hears of what.

The Celery tasks of ideas/tasks.py (`ideas.tasks.<name>`) are thin calls to
these functions. Services queue the tasks by name with ids, inside their
transaction (ideabox.outbox sends them once it commits, or the sweep does if
the broker is down then):

    outbox.enqueue("ideas.tasks.idea_commented", comment.pk)

Interface (implemented in this module):
- idea_commented(comment_id): the idea's authors and followers, not the commenter.
- idea_status_changed(status_change_id): the authors ("your idea was
  answered / changed status") and the idea's followers.
- campaign_phase_changed(campaign_id, to_phase): the campaign's followers
  when voting opens.
- campaigns_closing_tomorrow(): daily; followers of campaigns whose
  submission or voting closes within 24 hours.
- weekly_digest(): weekly; people who opted in.
- coauthors_invited(idea_id): each person invited to co-author the idea and
  not yet answering (ideas/coauthorship.py), once per person and idea; sent
  under the "answers to my ideas" setting.

Each e-mail goes to one person, once per key (accounts.notifications.send_once
keeps the log), so a task that runs twice sends nothing twice. Nobody hears of
an internal campaign or the idea box unless they are an employee now, of a
hidden or unapproved idea, or of what they did themselves; an anonymous
author's name never appears.
"""

import datetime

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import notifications as mail
from accounts.models import NotificationKind, NotificationSettings
from campaigns.models import Campaign, CampaignFollower, Phase, PhaseTransition
from ideabox import outbox

from .models import Coauthorship, Comment, Idea, IdeaFollower, Status, StatusChange

# Queue no notification for what happens inside (the demo data, an import):
# people are told about what others do, not about a data load. The switch
# is the outbox's, which every task goes through.
muted = outbox.muted

DIGEST_IDEAS_PER_CAMPAIGN = 10
DIGEST_PERIOD = datetime.timedelta(days=7)
CLOSING_WINDOW = datetime.timedelta(hours=24)


def may_hear_of(campaign: Campaign, user_ids) -> set[int]:
    """Those of these people who may be told about this campaign now."""
    user_ids = {pk for pk in user_ids if pk is not None}
    if campaign.phase == Phase.DRAFT or not user_ids:
        return set()
    if campaign.is_internal:
        return mail.employees_among(user_ids)
    return user_ids


def _can_be_told(idea: Idea) -> bool:
    return not idea.hidden and idea.approved


def _author_ids(idea: Idea) -> set[int]:
    return idea.author_ids()


def _follower_ids(idea: Idea) -> set[int]:
    return set(IdeaFollower.objects.filter(idea=idea).values_list("user_id", flat=True))


def byline(idea: Idea, reader=None):
    """How an e-mail names an idea's author to its reader (None: an e-mail
    sent to many alike, such as the digest): the name of an anonymous one
    only to whoever may learn it (Idea.author_visible_to)."""
    if not idea.author_visible_to(reader):
        return _("an anonymous author")
    if idea.author is None:
        return _("a former member")
    return idea.author.public_name


def idea_commented(comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("author", "idea__campaign", "idea__author")
        .prefetch_related("idea__coauthors")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.hidden or not _can_be_told(comment.idea):
        return
    idea = comment.idea
    authors = _author_ids(idea)
    audience = may_hear_of(idea.campaign, (authors | _follower_ids(idea)) - {comment.author_id})
    for user in mail.recipients(audience, NotificationKind.IDEA_COMMENTED):
        if comment.author_id is None:
            commenter = _("a former member")
        elif not idea.shows_name_of(comment.author, user):
            commenter = _("the idea's author")  # naming them would undo their anonymity
        else:
            commenter = comment.author.public_name
        mail.send_once(
            user=user,
            kind=NotificationKind.IDEA_COMMENTED,
            key=f"comment:{comment.pk}",
            template="idea_commented",
            context={
                "idea": idea,
                "comment": comment,
                "commenter": commenter,
                "is_author": user.pk in authors,
                "idea_url": mail.absolute_url(idea.get_absolute_url()),
            },
        )


def idea_status_changed(status_change_id: int) -> None:
    change = StatusChange.objects.select_related("idea__campaign").filter(pk=status_change_id).first()
    if change is None or not _can_be_told(change.idea):
        return
    idea = change.idea
    authors = may_hear_of(idea.campaign, _author_ids(idea) - {change.by_id})
    followers = may_hear_of(idea.campaign, _follower_ids(idea) - _author_ids(idea) - {change.by_id})
    # The idea box promises an answer: its first move out of review is "the answer".
    first_answer = (
        idea.campaign.is_box
        and change.from_status == Status.UNDER_REVIEW
        and not StatusChange.objects.filter(idea=idea, pk__lt=change.pk).exists()
    )
    reason = (change.reason or idea.rejection_reason) if change.to_status == Status.REJECTED else ""
    context = {
        "idea": idea,
        "change": change,
        "first_answer": first_answer,
        "reason": reason,
        "idea_url": mail.absolute_url(idea.get_absolute_url()),
    }
    for kind, ids, is_author in (
        (NotificationKind.IDEA_STATUS_CHANGED, authors, True),
        (NotificationKind.FOLLOWED_IDEA_CHANGED, followers, False),
    ):
        for user in mail.recipients(ids, kind):
            mail.send_once(
                user=user,
                kind=kind,
                key=f"status:{change.pk}",
                template="idea_status_changed",
                context={**context, "is_author": is_author},
            )


def campaign_phase_changed(campaign_id: int, to_phase: str) -> None:
    if to_phase != Phase.VOTING:
        return  # the only phase change people are told about
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    # Late (the vote already closed, e.g. after downtime): "voting is open" would be wrong.
    if campaign is None or not campaign.accepts_votes(timezone.now()):
        return
    actors = set(PhaseTransition.objects.filter(campaign=campaign, to_phase=to_phase).values_list("by_id", flat=True))
    followers = set(CampaignFollower.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    for user in mail.recipients(may_hear_of(campaign, followers - actors), NotificationKind.FOLLOWED_CAMPAIGN_PHASE):
        mail.send_once(
            user=user,
            kind=NotificationKind.FOLLOWED_CAMPAIGN_PHASE,
            key=f"phase:campaign:{campaign.pk}:{to_phase}",
            template="voting_open",
            context={
                "campaign": campaign,
                "closes": campaign.voting_closes,
                "campaign_url": mail.absolute_url(campaign.get_absolute_url()),
            },
        )


def campaigns_closing_tomorrow() -> None:
    now = timezone.now()
    until = now + CLOSING_WINDOW
    closing = Campaign.objects.filter(
        Q(phase=Phase.SUBMISSION, submission_closes__gt=now, submission_closes__lte=until)
        | Q(phase=Phase.VOTING, voting_closes__gt=now, voting_closes__lte=until)
    ).order_by("pk")
    for campaign in closing:
        what = "submission" if campaign.phase == Phase.SUBMISSION else "voting"
        followers = CampaignFollower.objects.filter(campaign=campaign).values_list("user_id", flat=True)
        for user in mail.recipients(may_hear_of(campaign, followers), NotificationKind.CAMPAIGN_CLOSING):
            mail.send_once(
                user=user,
                kind=NotificationKind.CAMPAIGN_CLOSING,
                key=f"closing:campaign:{campaign.pk}:{what}",
                template="campaign_closing",
                context={
                    "campaign": campaign,
                    "what": what,
                    "closes": campaign.submission_closes if what == "submission" else campaign.voting_closes,
                    "campaign_url": mail.absolute_url(campaign.get_absolute_url()),
                },
            )


def digest_key(now: datetime.datetime) -> str:
    year, week, _weekday = timezone.localdate(now).isocalendar()
    return f"digest:{year}-W{week:02d}"


def _new_ideas_by_campaign(since: datetime.datetime) -> dict[int, list[Idea]]:
    """The week's newest listed ideas, at most DIGEST_IDEAS_PER_CAMPAIGN per campaign, in one query."""
    newest_first = [F("created_at").desc(), F("pk").desc()]
    ideas = (
        Idea.objects.listed()
        .filter(created_at__gte=since)
        .exclude(campaign__phase=Phase.DRAFT)
        .select_related("author")
        .annotate(rank=Window(RowNumber(), partition_by=[F("campaign_id")], order_by=newest_first))
        .filter(rank__lte=DIGEST_IDEAS_PER_CAMPAIGN)
        .order_by("campaign_id", *newest_first)
    )
    found: dict[int, list[Idea]] = {}
    for idea in ideas:
        idea.byline = byline(idea)
        found.setdefault(idea.campaign_id, []).append(idea)
    return found


def _followed_changes(user_ids, since: datetime.datetime) -> dict[int, list[StatusChange]]:
    """Per follower: the latest status change of the week of each idea they follow."""
    changes = (
        StatusChange.objects.filter(
            at__gte=since,
            idea__hidden=False,
            idea__approved=True,
            idea__followers__user_id__in=user_ids,
        )
        .exclude(idea__campaign__phase=Phase.DRAFT)
        .annotate(follower_id=F("idea__followers__user_id"))
        .select_related("idea__campaign")
        .order_by("follower_id", "idea_id", "-at", "-pk")
    )
    found: dict[int, list[StatusChange]] = {}
    seen: set[tuple[int, int]] = set()
    for change in changes:
        if change.by_id == change.follower_id or (change.follower_id, change.idea_id) in seen:
            continue
        seen.add((change.follower_id, change.idea_id))
        found.setdefault(change.follower_id, []).append(change)
    return found


def weekly_digest() -> None:
    now = timezone.now()
    since = now - DIGEST_PERIOD
    key = digest_key(now)
    opted_in = NotificationSettings.objects.filter(weekly_digest=True).values("user_id")
    people = list(mail.recipients(opted_in, NotificationKind.WEEKLY_DIGEST).exclude(notifications__key=key))
    if not people:
        return
    ids = [user.pk for user in people]
    employees = mail.employees_among(ids)
    followed: dict[int, set[int]] = {}
    for user_id, campaign_id in CampaignFollower.objects.filter(user_id__in=ids).values_list("user_id", "campaign_id"):
        followed.setdefault(user_id, set()).add(campaign_id)
    new_ideas = _new_ideas_by_campaign(since)
    campaigns = Campaign.objects.exclude(phase=Phase.DRAFT).in_bulk(new_ideas)
    changes = _followed_changes(ids, since)
    open_phases = {Phase.SUBMISSION, Phase.VOTING}

    for user in people:

        def may_see(campaign: Campaign, user_id: int = user.pk) -> bool:
            return not campaign.is_internal or user_id in employees

        mine = followed.get(user.pk, set())
        sections = [
            {
                "campaign": campaign,
                "campaign_url": mail.absolute_url(campaign.get_absolute_url()),
                "ideas": [
                    {"idea": idea, "url": mail.absolute_url(idea.get_absolute_url())} for idea in new_ideas[campaign.pk]
                ],
            }
            for campaign in sorted(campaigns.values(), key=lambda c: (c.title, c.pk))
            if may_see(campaign) and (campaign.pk in mine or campaign.phase in open_phases)
        ]
        news = [
            {"change": change, "idea": change.idea, "url": mail.absolute_url(change.idea.get_absolute_url())}
            for change in changes.get(user.pk, [])
            if may_see(change.idea.campaign)
        ]
        if not sections and not news:
            continue  # nothing new: no e-mail
        mail.send_once(
            user=user,
            kind=NotificationKind.WEEKLY_DIGEST,
            key=key,
            template="weekly_digest",
            context={"sections": sections, "news": news, "since": since, "now": now},
        )


# An invitation to co-author is about one's own (future) idea: it follows
# the "answers to my ideas" switch.
COAUTHOR_INVITATION_KIND = NotificationKind.IDEA_STATUS_CHANGED


def coauthors_invited(idea_id: int) -> None:
    """Invitations still waiting for an answer, each told once (per person
    and idea, however often the authors edit): queued after the idea is
    submitted or edited, and after a moderator approves it, since nobody is
    told of an idea that is hidden or awaiting approval."""
    idea = Idea.objects.select_related("campaign", "author").prefetch_related("coauthors").filter(pk=idea_id).first()
    if idea is None or not _can_be_told(idea):
        return
    invitations = {
        row.user_id: row for row in Coauthorship.objects.pending().filter(idea=idea).select_related("invited_by")
    }
    audience = may_hear_of(idea.campaign, invitations)
    for user in mail.recipients(audience, COAUTHOR_INVITATION_KIND):
        inviter = invitations[user.pk].invited_by
        mail.send_once(
            user=user,
            kind=COAUTHOR_INVITATION_KIND,
            key=f"coauthor-invitation:{idea.pk}",
            template="coauthor_invited",
            context={
                "idea": idea,
                # An anonymous idea's authors stay unnamed until the invitee joins them.
                "inviter": inviter.public_name if inviter and idea.author_visible_to(user) else None,
                "idea_url": mail.absolute_url(idea.get_absolute_url()),
                "invitations_url": mail.absolute_url(reverse("ideas:invitations")),
            },
        )
