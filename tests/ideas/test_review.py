"""The idea box's review lifecycle: allowed moves, reasons, history, notification."""

import datetime as dt
from unittest import mock

from django.utils import timezone

import pytest
from freezegun import freeze_time

from ideabox.exceptions import DomainError
from ideas import review, tasks
from ideas.models import Idea, Status, StatusChange
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, the_box

pytestmark = pytest.mark.django_db

ALL = [Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED]
ALLOWED = {
    (Status.UNDER_REVIEW, Status.ACCEPTED),
    (Status.UNDER_REVIEW, Status.REJECTED),
    (Status.ACCEPTED, Status.IMPLEMENTED),
    (Status.ACCEPTED, Status.REJECTED),
    (Status.REJECTED, Status.UNDER_REVIEW),
}


def box_idea(**kwargs) -> Idea:
    if kwargs.get("status") == Status.REJECTED:
        kwargs.setdefault("rejection_reason", "Too expensive")
    return IdeaFactory(campaign=the_box(), **kwargs)


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_every_move_is_allowed_or_refused_as_documented(moderator, old, new):
    idea = box_idea(status=old)
    if (old, new) in ALLOWED:
        change = review.change_status(idea=idea, to=new, by=moderator, reason="Because")
        idea.refresh_from_db()
        assert idea.status == new
        assert (change.from_status, change.to_status) == (old, new)
    else:
        with pytest.raises(DomainError) as error:
            review.change_status(idea=idea, to=new, by=moderator, reason="Because")
        assert error.value.code == "invalid_transition"
        idea.refresh_from_db()
        assert idea.status == old
        assert not StatusChange.objects.exists()


def test_the_whole_path_to_implemented_is_recorded(moderator):
    idea = box_idea()
    review.change_status(idea=idea, to=Status.ACCEPTED, by=moderator)
    review.change_status(idea=idea, to=Status.IMPLEMENTED, by=moderator, reason="Done in May")
    history = list(StatusChange.objects.filter(idea=idea).values_list("from_status", "to_status", "by", "reason"))
    assert history == [
        (Status.UNDER_REVIEW, Status.ACCEPTED, moderator.pk, ""),
        (Status.ACCEPTED, Status.IMPLEMENTED, moderator.pk, "Done in May"),
    ]


@pytest.mark.parametrize("old", [Status.UNDER_REVIEW, Status.ACCEPTED])
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason(moderator, old, reason):
    idea = box_idea(status=old)
    with pytest.raises(DomainError) as error:
        review.change_status(idea=idea, to=Status.REJECTED, by=moderator, reason=reason)
    assert error.value.code == "invalid"
    assert "reason" in error.value.fields
    idea.refresh_from_db()
    assert idea.status == old


def test_the_author_sees_the_reason_of_a_rejection(moderator):
    idea = box_idea()
    review.change_status(idea=idea, to=Status.REJECTED, by=moderator, reason="Already done by IT")
    idea.refresh_from_db()
    assert (idea.status, idea.rejection_reason) == (Status.REJECTED, "Already done by IT")


def test_a_reason_longer_than_2000_characters_is_refused(moderator):
    with pytest.raises(DomainError) as error:
        review.change_status(idea=box_idea(), to=Status.REJECTED, by=moderator, reason="x" * 2001)
    assert error.value.code == "invalid"


def test_the_first_answer_is_dated_once(moderator):
    idea = box_idea()
    with freeze_time("2025-03-01 10:00:00Z"):
        review.change_status(idea=idea, to=Status.REJECTED, by=moderator, reason="No budget")
    with freeze_time("2025-03-05 10:00:00Z"):
        review.change_status(idea=idea, to=Status.UNDER_REVIEW, by=moderator)
    with freeze_time("2025-03-09 10:00:00Z"):
        review.change_status(idea=idea, to=Status.ACCEPTED, by=moderator)
    idea.refresh_from_db()
    assert idea.first_answer_at == dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)
    assert idea.status_changed_at == dt.datetime(2025, 3, 9, 10, tzinfo=dt.UTC)


def test_reopening_clears_the_rejection_and_restarts_the_answer_clock(moderator):
    idea = box_idea(status=Status.REJECTED, reminded_at=timezone.now())
    with freeze_time("2025-03-05 10:00:00Z"):
        review.change_status(idea=idea, to=Status.UNDER_REVIEW, by=moderator, reason="New facts")
    idea.refresh_from_db()
    assert idea.rejection_reason == ""
    assert idea.answer_due == dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC) + dt.timedelta(days=the_box().review_days)
    assert idea.reminded_at is None


def test_a_stale_status_loses_the_compare_and_swap(moderator):
    idea = box_idea()
    stale = Idea.objects.get(pk=idea.pk)
    review.change_status(idea=idea, to=Status.ACCEPTED, by=moderator)
    # The service reads the current status, so the stale copy cannot move it twice.
    with pytest.raises(DomainError) as error:
        review.change_status(idea=stale, to=Status.ACCEPTED, by=moderator)
    assert error.value.code == "invalid_transition"
    assert StatusChange.objects.count() == 1


def test_the_notification_is_queued_after_commit_only(moderator, django_capture_on_commit_callbacks):
    idea = box_idea()
    with mock.patch.object(tasks.idea_status_changed, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            change = review.change_status(idea=idea, to=Status.ACCEPTED, by=moderator)
        delay.assert_not_called()
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(change.pk)


def test_a_refused_move_queues_nothing(moderator, django_capture_on_commit_callbacks):
    idea = box_idea()
    with (
        mock.patch.object(tasks.idea_status_changed, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError),
    ):
        review.change_status(idea=idea, to=Status.IMPLEMENTED, by=moderator)
    delay.assert_not_called()


def test_ideas_outside_the_box_are_not_reviewed(moderator):
    idea = IdeaFactory(campaign=CampaignFactory())
    with pytest.raises(DomainError) as error:
        review.change_status(idea=idea, to=Status.ACCEPTED, by=moderator)
    assert error.value.code == "invalid_transition"


def test_a_merged_box_idea_is_not_reviewed(moderator):
    target = box_idea()
    idea = box_idea(status=Status.MERGED, merged_into=target)
    with pytest.raises(DomainError) as error:
        review.change_status(idea=idea, to=Status.ACCEPTED, by=moderator)
    assert error.value.code == "invalid_transition"


@pytest.mark.parametrize(
    "who",
    [lambda: employee(), lambda: UserFactory(groups=["campaign managers"]), lambda: UserFactory()],
    ids=["employee", "manager", "participant"],
)
def test_only_reviewers_change_a_status(who):
    idea = box_idea()
    with pytest.raises(DomainError) as error:
        review.change_status(idea=idea, to=Status.ACCEPTED, by=who())
    assert error.value.code == "permission_denied"


def test_the_author_cannot_answer_their_own_idea():
    author = employee()
    idea = box_idea(author=author)
    with pytest.raises(DomainError) as error:
        review.change_status(idea=idea, to=Status.ACCEPTED, by=author)
    assert error.value.code == "permission_denied"


def test_the_reviewers_list_puts_the_most_urgent_first_and_leaves_out_answered_ideas(moderator):
    now = timezone.now()
    later = box_idea(answer_due=now + dt.timedelta(days=5))
    sooner = box_idea(answer_due=now - dt.timedelta(days=1))
    undated = box_idea()
    box_idea(status=Status.ACCEPTED)
    box_idea(hidden=True, hidden_reason="x")
    IdeaFactory(campaign=CampaignFactory())
    assert list(review.awaiting_review(user=moderator)) == [sooner, later, undated]
