"""Hiding, restoring, approving, dismissing: moderators only, recorded, compare-and-swap."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from campaigns.models import Audience, Moderation, Phase
from ideabox.exceptions import DomainError
from ideas.models import Comment, Idea, ModerationAction, Report, Status
from moderation import services as moderation
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory, employee, the_box

pytestmark = pytest.mark.django_db

Action = ModerationAction.Action


def _report(idea=None, comment=None, **kwargs) -> Report:
    return Report.objects.create(
        reporter=kwargs.pop("reporter", None) or UserFactory(), idea=idea, comment=comment, reason="spam"
    )


# --- hiding ideas -----------------------------------------------------------------


def test_hiding_an_idea_keeps_its_status_and_records_the_action(moderator):
    idea = IdeaFactory(status=Status.SHORTLISTED)
    moderation.hide_idea(idea=idea, by=moderator, reason="Insulting")
    idea.refresh_from_db()
    assert idea.hidden is True
    assert idea.hidden_reason == "Insulting"
    assert idea.status == Status.SHORTLISTED
    action = ModerationAction.objects.get()
    assert (action.actor, action.action, action.idea, action.comment, action.reason) == (
        moderator,
        Action.HIDE,
        idea,
        None,
        "Insulting",
    )


def test_restoring_an_idea_brings_back_the_same_status(moderator):
    idea = IdeaFactory(campaign=the_box(), status=Status.ACCEPTED)
    moderation.hide_idea(idea=idea, by=moderator, reason="Off topic")
    moderation.restore_idea(idea=idea, by=moderator, reason="On second thought")
    idea.refresh_from_db()
    assert (idea.hidden, idea.hidden_reason, idea.status) == (False, "", Status.ACCEPTED)
    assert list(ModerationAction.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.HIDE,
        Action.RESTORE,
    ]


def test_a_hidden_idea_leaves_the_lists(moderator):
    idea = IdeaFactory()
    moderation.hide_idea(idea=idea, by=moderator, reason="Spam")
    assert not Idea.objects.listed().filter(pk=idea.pk).exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_hiding_needs_a_reason_of_at_most_2000_characters(moderator, reason):
    idea = IdeaFactory()
    with pytest.raises(DomainError) as error:
        moderation.hide_idea(idea=idea, by=moderator, reason=reason)
    assert error.value.code == "invalid"
    assert "reason" in error.value.fields
    idea.refresh_from_db()
    assert idea.hidden is False
    assert not ModerationAction.objects.exists()


def test_hiding_twice_is_a_conflict_and_records_once(moderator):
    idea = IdeaFactory()
    moderation.hide_idea(idea=idea, by=moderator, reason="Spam")
    with pytest.raises(DomainError) as error:
        moderation.hide_idea(idea=idea, by=moderator, reason="Spam again")
    assert error.value.code == "conflict"
    assert ModerationAction.objects.count() == 1
    idea.refresh_from_db()
    assert idea.hidden_reason == "Spam"


def test_restoring_a_visible_idea_is_a_conflict(moderator):
    with pytest.raises(DomainError) as error:
        moderation.restore_idea(idea=IdeaFactory(), by=moderator)
    assert error.value.code == "conflict"


def test_hiding_resolves_the_open_reports_of_that_idea_only(moderator):
    idea, other = IdeaFactory(), IdeaFactory()
    first, second, elsewhere = _report(idea=idea), _report(idea=idea), _report(idea=other)
    moderation.hide_idea(idea=idea, by=moderator, reason="Spam")
    for report in (first, second):
        report.refresh_from_db()
        assert report.resolved_at is not None
        assert report.resolved_by == moderator
        assert report.resolution == "hidden"
    elsewhere.refresh_from_db()
    assert elsewhere.resolved_at is None


@pytest.mark.parametrize(
    "who",
    [
        lambda: UserFactory(),
        lambda: employee(),
        lambda: UserFactory(groups=["campaign managers"]),
        lambda: UserFactory(verified=False),
    ],
    ids=["participant", "employee", "manager", "unverified"],
)
@pytest.mark.parametrize(
    "act",
    [
        lambda idea, user: moderation.hide_idea(idea=idea, by=user, reason="x"),
        lambda idea, user: moderation.restore_idea(idea=idea, by=user),
        lambda idea, user: moderation.approve_idea(idea=idea, by=user),
        lambda idea, user: moderation.hide_comment(comment=CommentFactory(idea=idea), by=user, reason="x"),
        lambda idea, user: moderation.restore_comment(
            comment=CommentFactory(idea=idea, hidden=True, hidden_reason="x"), by=user
        ),
        lambda idea, user: moderation.merge_idea(
            source=idea, target=IdeaFactory(campaign=idea.campaign), by=user, reason="x"
        ),
        lambda idea, user: moderation.dismiss_report(report=_report(idea=idea), by=user),
    ],
    ids=["hide", "restore", "approve", "hide_comment", "restore_comment", "merge", "dismiss"],
)
def test_only_moderators_moderate(who, act):
    idea = IdeaFactory(hidden=True, hidden_reason="x", approved=False)
    with pytest.raises(DomainError) as error:
        act(idea, who())
    assert error.value.code == "permission_denied"
    assert not ModerationAction.objects.exists()


def test_a_moderator_cannot_act_on_a_draft_campaign_they_cannot_see(moderator):
    idea = IdeaFactory(campaign=CampaignFactory(phase=Phase.DRAFT))
    with pytest.raises(DomainError) as error:
        moderation.hide_idea(idea=idea, by=moderator, reason="x")
    assert error.value.code == "not_found"


def test_a_moderator_moderates_internal_campaigns(moderator):
    idea = IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL))
    moderation.hide_idea(idea=idea, by=moderator, reason="x")
    idea.refresh_from_db()
    assert idea.hidden


# --- comments ---------------------------------------------------------------------


def test_hiding_a_comment_takes_it_off_the_count_and_restoring_puts_it_back(moderator):
    idea = IdeaFactory(comment_count=2)
    comment = CommentFactory(idea=idea)
    CommentFactory(idea=idea)
    moderation.hide_comment(comment=comment, by=moderator, reason="Rude")
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert (comment.hidden, comment.hidden_reason, idea.comment_count) == (True, "Rude", 1)
    moderation.restore_comment(comment=comment, by=moderator)
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert (comment.hidden, comment.hidden_reason, idea.comment_count) == (False, "", 2)


def test_a_comment_action_records_the_comment_and_its_idea(moderator):
    comment = CommentFactory()
    moderation.hide_comment(comment=comment, by=moderator, reason="Rude")
    action = ModerationAction.objects.get()
    assert (action.action, action.comment, action.idea) == (Action.HIDE, comment, comment.idea)


def test_hiding_a_comment_resolves_its_reports(moderator):
    comment = CommentFactory()
    report = _report(comment=comment)
    moderation.hide_comment(comment=comment, by=moderator, reason="Rude")
    report.refresh_from_db()
    assert report.resolution == "hidden"


def test_hiding_a_comment_twice_is_a_conflict_and_counts_once(moderator):
    idea = IdeaFactory(comment_count=1)
    comment = CommentFactory(idea=idea)
    moderation.hide_comment(comment=comment, by=moderator, reason="Rude")
    with pytest.raises(DomainError) as error:
        moderation.hide_comment(comment=comment, by=moderator, reason="Rude")
    assert error.value.code == "conflict"
    idea.refresh_from_db()
    assert idea.comment_count == 0


def test_a_comment_needs_a_reason_to_be_hidden(moderator):
    comment = CommentFactory()
    with pytest.raises(DomainError) as error:
        moderation.hide_comment(comment=comment, by=moderator, reason="")
    assert error.value.code == "invalid"
    assert not Comment.objects.filter(hidden=True).exists()


# --- approval ------------------------------------------------------------------------


def test_approving_publishes_an_idea_once(moderator):
    idea = IdeaFactory(campaign=CampaignFactory(moderation=Moderation.PRE), approved=False)
    moderation.approve_idea(idea=idea, by=moderator)
    idea.refresh_from_db()
    assert idea.approved is True
    assert ModerationAction.objects.get().action == Action.APPROVE
    with pytest.raises(DomainError) as error:
        moderation.approve_idea(idea=idea, by=moderator)
    assert error.value.code == "conflict"
    assert ModerationAction.objects.count() == 1


# --- dismissing reports ------------------------------------------------------------------


def test_dismissing_a_report_closes_it_and_leaves_the_idea(moderator):
    idea = IdeaFactory()
    report = _report(idea=idea)
    moderation.dismiss_report(report=report, by=moderator, reason="Fair criticism")
    report.refresh_from_db()
    idea.refresh_from_db()
    assert (report.resolution, report.resolved_by) == ("dismissed", moderator)
    assert idea.hidden is False
    action = ModerationAction.objects.get()
    assert (action.action, action.idea, action.reason) == (Action.DISMISS_REPORT, idea, "Fair criticism")


def test_dismissing_a_comment_report_records_the_comment(moderator):
    comment = CommentFactory()
    moderation.dismiss_report(report=_report(comment=comment), by=moderator)
    action = ModerationAction.objects.get()
    assert (action.comment, action.idea) == (comment, comment.idea)


def test_dismissing_twice_is_a_conflict(moderator):
    report = _report(idea=IdeaFactory())
    moderation.dismiss_report(report=report, by=moderator)
    with pytest.raises(DomainError) as error:
        moderation.dismiss_report(report=report, by=moderator)
    assert error.value.code == "conflict"
    assert ModerationAction.objects.count() == 1


# --- what the queue reads ------------------------------------------------------------------


def test_the_queue_lists_open_reports_oldest_first(moderator):
    idea = IdeaFactory()
    newer = _report(idea=idea)
    older = _report(idea=idea)
    Report.objects.filter(pk=older.pk).update(created_at=newer.created_at - dt.timedelta(hours=1))
    closed = _report(idea=IdeaFactory())
    Report.objects.filter(pk=closed.pk).update(resolved_at=closed.created_at, resolution="dismissed")
    assert list(moderation.open_reports(user=moderator)) == [older, newer]


def test_the_queue_lists_ideas_awaiting_approval_and_recently_hidden_items(moderator):
    waiting = IdeaFactory(approved=False)
    IdeaFactory()
    hidden = IdeaFactory()
    moderation.hide_idea(idea=hidden, by=moderator, reason="x")
    comment = CommentFactory()
    moderation.hide_comment(comment=comment, by=moderator, reason="x")
    restored = IdeaFactory()
    moderation.hide_idea(idea=restored, by=moderator, reason="x")
    moderation.restore_idea(idea=restored, by=moderator)
    assert list(moderation.awaiting_approval(user=moderator)) == [waiting]
    assert list(moderation.recently_hidden_ideas(user=moderator)) == [hidden]
    assert list(moderation.recently_hidden_comments(user=moderator)) == [comment]


def test_an_idea_hidden_while_awaiting_approval_waits_no_more_until_restored(moderator):
    idea = IdeaFactory(approved=False)
    moderation.hide_idea(idea=idea, by=moderator, reason="Off topic")
    assert list(moderation.awaiting_approval(user=moderator)) == []
    assert list(moderation.recently_hidden_ideas(user=moderator)) == [idea]
    moderation.restore_idea(idea=idea, by=moderator)
    assert list(moderation.awaiting_approval(user=moderator)) == [idea]


def test_an_item_hidden_long_ago_is_no_longer_recent(moderator):
    idea = IdeaFactory()
    moderation.hide_idea(idea=idea, by=moderator, reason="x")
    ModerationAction.objects.update(at=ModerationAction.objects.get().at - dt.timedelta(days=8))
    assert list(moderation.recently_hidden_ideas(user=moderator)) == []


def _queue_queries(user) -> int:
    user = type(user).objects.get(pk=user.pk)  # roles computed afresh each time
    seen = []
    with CaptureQueriesContext(connection) as captured:
        for report in moderation.open_reports(user=user):
            target = report.comment.idea if report.comment_id else report.idea
            author = report.comment.author if report.comment_id else report.idea.author
            seen.append((target.title, target.campaign.title, report.reporter.public_name, author.public_name))
        for idea in moderation.awaiting_approval(user=user):
            seen.append((idea.title, idea.campaign.title, "", idea.author.public_name))
    assert seen
    return len(captured)


def test_the_queue_queries_stay_flat_as_reports_grow(moderator):
    def add(n):
        for _ in range(n):
            idea = IdeaFactory()
            _report(idea=idea)
            _report(comment=CommentFactory(idea=idea))
            IdeaFactory(approved=False)

    add(3)
    few = _queue_queries(moderator)
    add(27)
    assert _queue_queries(moderator) == few
