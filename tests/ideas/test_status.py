"""The one writer of Idea.status: the table of allowed moves, compare-and-swap,
the history, the audit event and the notification, once per move."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from accounts.models import AuditAction, AuditEvent
from ideabox.exceptions import DomainError
from ideabox.models import OutboxMessage
from ideas import services
from ideas.models import ALLOWED_MOVES, Idea, Status, StatusChange
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, the_box

pytestmark = pytest.mark.django_db

MOVES = sorted((old, new) for old in Status.values for new in Status.values if new in ALLOWED_MOVES[old])
REFUSED = sorted((old, new) for old in Status.values for new in Status.values if new not in ALLOWED_MOVES[old])


def idea_in(status: str, **kwargs) -> Idea:
    campaign = (
        the_box()
        if status in (Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED)
        else CampaignFactory()
    )
    if status == Status.REJECTED:
        kwargs.setdefault("rejection_reason", "Too expensive")
    if status == Status.MERGED:
        kwargs.setdefault("merged_into", IdeaFactory(campaign=campaign))
    return IdeaFactory(campaign=campaign, status=status, **kwargs)


def extra_fields(idea: Idea, to: str) -> dict:
    return {"merged_into": IdeaFactory(campaign=idea.campaign)} if to == Status.MERGED else {}


def queued() -> list[tuple[str, list]]:
    return list(OutboxMessage.objects.values_list("task", "args"))


def test_the_table_names_every_status_once():
    assert set(ALLOWED_MOVES) == set(Status.values)
    assert all(moves <= set(Status.values) for moves in ALLOWED_MOVES.values())
    assert ALLOWED_MOVES[Status.MERGED] == frozenset()  # final


@pytest.mark.parametrize(("old", "new"), MOVES)
def test_every_allowed_move_is_made_recorded_audited_and_told_once(moderator, old, new):
    idea = idea_in(old)
    change = services.move_status(idea=idea, to=new, actor=moderator, reason="Because", **extra_fields(idea, new))
    idea.refresh_from_db()
    assert idea.status == new
    assert (change.from_status, change.to_status, change.by_id, change.reason) == (old, new, moderator.pk, "Because")
    assert StatusChange.objects.filter(idea=idea).count() == 1
    [event] = AuditEvent.objects.all()
    assert (event.actor_id, event.action, event.object_type, event.object_id, event.detail) == (
        moderator.pk,
        AuditAction.IDEA_STATUS,
        "ideas.idea",
        idea.pk,
        {"from": old, "to": new},
    )
    told = [] if new in services.TOLD_BY_THE_RESULTS else [(services.STATUS_CHANGED_TASK, [change.pk])]
    assert queued() == told


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(moderator, old, new):
    idea = idea_in(old)
    with pytest.raises(DomainError) as error:
        services.move_status(idea=idea, to=new, actor=moderator, reason="Because")
    assert error.value.code == "invalid_transition"
    idea.refresh_from_db()
    assert idea.status == old
    assert not StatusChange.objects.filter(idea=idea).exists()
    assert not AuditEvent.objects.exists()


def test_each_move_queues_one_notification_but_the_publications():
    told = idea_in(Status.PUBLISHED)
    change = services.move_status(idea=told, to=Status.SHORTLISTED)
    assert queued() == [(services.STATUS_CHANGED_TASK, [change.pk])]
    OutboxMessage.objects.all().delete()
    for to in (Status.AWARDED, Status.NOT_SELECTED):
        services.move_status(idea=idea_in(Status.SHORTLISTED), to=to)
    assert queued() == []  # the results e-mail tells them (one per person and campaign)


def test_taking_a_wildcard_back_is_told_too():
    # Before: remove_wildcard sent nothing, while adding it did.
    idea = idea_in(Status.SHORTLISTED)
    change = services.move_status(idea=idea, to=Status.PUBLISHED)
    assert queued() == [(services.STATUS_CHANGED_TASK, [change.pk])]


def test_a_stale_status_swaps_nothing_and_returns_none():
    idea = idea_in(Status.PUBLISHED)
    Idea.objects.filter(pk=idea.pk).update(status=Status.SHORTLISTED)  # someone else, meanwhile
    assert services.move_status(idea=idea, to=Status.SHORTLISTED) is None
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.exists()
    assert queued() == []


def test_expected_names_the_status_to_swap_from():
    idea = idea_in(Status.PUBLISHED)
    assert services.move_status(idea=idea, to=Status.AWARDED, expected=Status.SHORTLISTED) is None
    with pytest.raises(DomainError):
        services.move_status(idea=idea, to=Status.AWARDED)  # published -> awarded is no move


def test_a_rejection_needs_a_reason_and_leaving_it_clears_the_reason(moderator):
    idea = idea_in(Status.UNDER_REVIEW)
    with pytest.raises(DomainError) as error:
        services.move_status(idea=idea, to=Status.REJECTED, actor=moderator, reason="  ")
    assert (error.value.code, list(error.value.fields)) == ("invalid", ["reason"])
    services.move_status(idea=idea, to=Status.REJECTED, actor=moderator, reason="Too expensive")
    idea.refresh_from_db()
    assert idea.rejection_reason == "Too expensive"
    services.move_status(idea=idea, to=Status.UNDER_REVIEW, actor=moderator)
    idea.refresh_from_db()
    assert idea.rejection_reason == ""


def test_the_system_is_an_actor_of_no_one():
    idea = idea_in(Status.PUBLISHED)
    change = services.move_status(idea=idea, to=Status.SHORTLISTED)
    assert change.by_id is None
    assert AuditEvent.objects.get().actor_id is None


def test_a_move_rolled_back_leaves_no_trace():
    idea = idea_in(Status.PUBLISHED)
    with pytest.raises(RuntimeError), mock.patch("ideas.services.audit", side_effect=RuntimeError):
        services.move_status(idea=idea, to=Status.SHORTLISTED)
    idea.refresh_from_db()
    assert idea.status == Status.PUBLISHED
    assert not StatusChange.objects.exists()
    assert queued() == []


# --- many at once ---------------------------------------------------------------------------


def test_many_move_at_once_and_those_that_cannot_are_left(moderator):
    campaign = CampaignFactory()
    published = [IdeaFactory(campaign=campaign) for _ in range(3)]
    awarded = IdeaFactory(campaign=campaign, status=Status.AWARDED)
    moved = services.move_statuses(ideas=Idea.objects.filter(campaign=campaign), to=Status.SHORTLISTED)
    assert moved == [idea.pk for idea in published]
    assert set(Idea.objects.filter(campaign=campaign).values_list("pk", "status")) == {
        *((idea.pk, Status.SHORTLISTED) for idea in published),
        (awarded.pk, Status.AWARDED),
    }
    changes = StatusChange.objects.order_by("idea_id")
    assert [(c.idea_id, c.from_status, c.to_status) for c in changes] == [
        (idea.pk, Status.PUBLISHED, Status.SHORTLISTED) for idea in published
    ]
    assert sorted(AuditEvent.objects.values_list("object_id", flat=True)) == moved
    assert sorted(args for _task, args in queued()) == sorted([c.pk] for c in changes)
    assert services.move_statuses(ideas=Idea.objects.filter(campaign=campaign), to=Status.SHORTLISTED) == []


def test_many_from_different_statuses_each_record_where_they_came_from():
    campaign = the_box()
    ideas = [idea_in(Status.UNDER_REVIEW), idea_in(Status.ACCEPTED)]
    moved = services.move_statuses(
        ideas=Idea.objects.filter(pk__in=[i.pk for i in ideas]), to=Status.REJECTED, reason="Out of scope"
    )
    assert moved == [i.pk for i in ideas]
    assert sorted(AuditEvent.objects.values_list("object_id", "detail")) == [
        (ideas[0].pk, {"from": Status.UNDER_REVIEW, "to": Status.REJECTED}),
        (ideas[1].pk, {"from": Status.ACCEPTED, "to": Status.REJECTED}),
    ]
    assert set(Idea.objects.filter(campaign=campaign).values_list("rejection_reason", flat=True)) == {"Out of scope"}


def test_many_take_as_many_queries_for_ten_ideas_as_for_two():
    def queries_for(count: int) -> int:
        campaign = CampaignFactory()
        for _ in range(count):
            IdeaFactory(campaign=campaign, status=Status.SHORTLISTED)
        with CaptureQueriesContext(connection) as captured:
            services.move_statuses(ideas=Idea.objects.filter(campaign=campaign), to=Status.AWARDED)
        return len(captured)

    assert queries_for(10) == queries_for(2)


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_moves_at_once_make_one_change():
    idea = idea_in(Status.PUBLISHED)  # not the box: a transactional test may run after a flush

    def shortlist():
        # Both read it published: the race is the swap's.
        return services.move_status(idea=Idea(pk=idea.pk), to=Status.SHORTLISTED, expected=Status.PUBLISHED)

    results = at_once(shortlist, shortlist)
    assert sorted(result is None for result in results) == [False, True], results
    assert StatusChange.objects.filter(idea=idea).count() == 1
    assert AuditEvent.objects.filter(object_id=idea.pk).count() == 1
