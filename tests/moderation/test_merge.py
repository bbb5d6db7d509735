"""Merging a duplicate: comments and followers move, counts follow, once."""

from unittest import mock

import pytest

from ideabox.exceptions import DomainError
from ideas import tasks
from ideas.models import Comment, IdeaFollower, ModerationAction, Report, Status, StatusChange
from moderation import services as moderation
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory, the_box

pytestmark = pytest.mark.django_db


def _follow(idea, user):
    IdeaFollower.objects.create(idea=idea, user=user)
    idea.follower_count += 1
    idea.save(update_fields=["follower_count"])


@pytest.fixture
def pair():
    campaign = CampaignFactory()
    return IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)


def test_merging_marks_the_source_merged_into_the_target(moderator, pair):
    source, target = pair
    merged = moderation.merge_idea(source=source, target=target, by=moderator, reason="Same idea")
    assert (merged.status, merged.merged_into) == (Status.MERGED, target)
    target.refresh_from_db()
    assert target.status == Status.PUBLISHED
    action = ModerationAction.objects.get()
    assert (action.action, action.idea, action.target, action.reason, action.actor) == (
        ModerationAction.Action.MERGE,
        source,
        target,
        "Same idea",
        moderator,
    )


def test_comments_move_to_the_target_with_their_replies_and_counts(moderator, pair):
    source, target = pair
    first = CommentFactory(idea=source)
    reply = CommentFactory(idea=source, parent=first)
    hidden = CommentFactory(idea=source, hidden=True, hidden_reason="Rude")
    existing = CommentFactory(idea=target)
    source.__class__.objects.filter(pk=source.pk).update(comment_count=2)  # the hidden one is not counted
    source.__class__.objects.filter(pk=target.pk).update(comment_count=1)
    moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert set(Comment.objects.filter(idea=target)) == {first, reply, hidden, existing}
    assert not Comment.objects.filter(idea=source).exists()
    reply.refresh_from_db()
    assert reply.parent == first
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.comment_count, target.comment_count) == (0, 3)


def test_followers_move_and_a_follower_of_both_stays_once(moderator, pair):
    source, target = pair
    both, only_source, only_target = UserFactory(), UserFactory(), UserFactory()
    for user in (both, only_source):
        _follow(source, user)
    for user in (both, only_target):
        _follow(target, user)
    moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert set(IdeaFollower.objects.filter(idea=target).values_list("user", flat=True)) == {
        both.pk,
        only_source.pk,
        only_target.pk,
    }
    assert not IdeaFollower.objects.filter(idea=source).exists()
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.follower_count, target.follower_count) == (0, 3)


def test_merging_an_already_merged_idea_is_a_conflict_and_changes_nothing(moderator, pair):
    source, target = pair
    moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    third = IdeaFactory(campaign=source.campaign)
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=source, target=third, by=moderator, reason="Again")
    assert error.value.code == "conflict"
    source.refresh_from_db()
    assert source.merged_into == target
    assert ModerationAction.objects.count() == 1


def test_ideas_of_two_campaigns_are_not_merged(moderator):
    source, target = IdeaFactory(), IdeaFactory()
    CommentFactory(idea=source)
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert error.value.code == "invalid"
    assert "target" in error.value.fields
    source.refresh_from_db()
    assert source.status == Status.PUBLISHED
    assert Comment.objects.get().idea == source


def test_an_idea_is_not_merged_into_itself(moderator):
    idea = IdeaFactory()
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=idea, target=idea, by=moderator, reason="Same")
    assert error.value.code == "invalid"


def test_nothing_is_merged_into_a_merged_idea(moderator):
    campaign = CampaignFactory()
    a, b, c = (IdeaFactory(campaign=campaign) for _ in range(3))
    moderation.merge_idea(source=b, target=c, by=moderator, reason="Same")
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=a, target=b, by=moderator, reason="Same")
    assert error.value.code == "invalid"
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED


@pytest.mark.parametrize("hidden_side", ["source", "target"])
def test_a_hidden_idea_is_not_merged(moderator, pair, hidden_side):
    source, target = pair
    moderation.hide_idea(idea=source if hidden_side == "source" else target, by=moderator, reason="Spam")
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert error.value.code == "invalid"


def test_merging_needs_a_reason(moderator, pair):
    source, target = pair
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=source, target=target, by=moderator, reason="")
    assert error.value.code == "invalid"


def test_merging_resolves_the_open_reports_of_the_source(moderator, pair):
    source, target = pair
    report = Report.objects.create(reporter=UserFactory(), idea=source, reason="Duplicate")
    moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    report.refresh_from_db()
    assert report.resolution == "merged"


def test_merging_records_the_status_change_and_notifies_after_commit(moderator, django_capture_on_commit_callbacks):
    box = the_box()
    source, target = IdeaFactory(campaign=box), IdeaFactory(campaign=box)
    with mock.patch.object(tasks.idea_status_changed, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    change = StatusChange.objects.get(idea=source)
    assert (change.from_status, change.to_status, change.by) == (Status.UNDER_REVIEW, Status.MERGED, moderator)
    delay.assert_called_once_with(change.pk)


def test_a_participant_cannot_merge(participant, pair):
    source, target = pair
    with pytest.raises(DomainError) as error:
        moderation.merge_idea(source=source, target=target, by=participant, reason="Same")
    assert error.value.code == "permission_denied"
