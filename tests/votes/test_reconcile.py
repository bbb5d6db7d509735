"""The periodic reconciliation of the live vote counters with the rows."""

import logging

from django.db.models import F

import pytest

from ideabox.celery import app
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, the_box
from tests.votes.test_tally import cast, cast_many, voters
from votes import tally, tasks

pytestmark = pytest.mark.django_db


def counts(*ideas) -> list[int]:
    return [Idea.objects.get(pk=idea.pk).vote_count for idea in ideas]


def test_it_corrects_drifted_counters_and_reports_them(caplog):
    campaign = CampaignFactory(phase="voting")
    high, low, zero, right = (IdeaFactory(campaign=campaign) for _ in range(4))
    cast_many(high, voters(3))
    cast(low)
    cast_many(right, voters(2))
    Idea.objects.filter(pk=high.pk).update(vote_count=1)
    Idea.objects.filter(pk=low.pk).update(vote_count=5)
    Idea.objects.filter(pk=zero.pk).update(vote_count=2)

    with caplog.at_level(logging.WARNING, logger="votes.tally"):
        corrected = tally.reconcile_vote_counts()

    assert sorted((d.idea_id, d.was, d.now) for d in corrected) == sorted(
        [(high.pk, 1, 3), (low.pk, 5, 1), (zero.pk, 2, 0)]
    )
    assert counts(high, low, zero, right) == [3, 1, 0, 2]
    assert str(high.pk) in caplog.text


def test_it_leaves_right_counters_alone():
    campaign = CampaignFactory(phase="voting")
    idea = IdeaFactory(campaign=campaign)
    cast_many(idea, voters(2))
    IdeaFactory(campaign=campaign)
    assert tally.reconcile_vote_counts() == []
    assert counts(idea) == [2]


def test_it_covers_the_idea_box_and_every_campaign():
    box_idea = IdeaFactory(campaign=the_box())
    other = IdeaFactory(campaign=CampaignFactory(phase="deliberation"))
    cast(box_idea, count=False)
    cast(other, count=False)
    assert {d.idea_id for d in tally.reconcile_vote_counts()} == {box_idea.pk, other.pk}


def test_it_finds_drift_in_one_aggregate_query(django_assert_num_queries):
    campaign = CampaignFactory(phase="voting")
    for _ in range(5):
        cast(IdeaFactory(campaign=campaign))
    with django_assert_num_queries(1):
        assert tally.reconcile_vote_counts() == []


def test_a_counter_moved_by_a_vote_meanwhile_is_left_to_the_next_run(monkeypatch):
    idea = IdeaFactory(campaign=CampaignFactory(phase="voting"))
    cast(idea, count=False)  # drift: the counter says 0, the rows 1
    real_filter = Idea.objects.filter

    def vote_lands_first(*args, **kwargs):
        # A vote commits between the aggregate and the correction: its own
        # transaction moved the counter, so the compare-and-swap must miss.
        if kwargs.get("vote_count") == 0:
            cast(idea)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Idea.objects, "filter", vote_lands_first)
    assert tally.reconcile_vote_counts() == []
    monkeypatch.undo()
    assert counts(idea) == [1]  # 0 + the new vote's increment; the rows say 2
    assert [(d.was, d.now) for d in tally.reconcile_vote_counts()] == [(1, 2)]


def test_the_task_returns_what_it_corrected():
    idea = IdeaFactory(campaign=CampaignFactory(phase="voting"))
    cast(idea)
    Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 4)
    assert tasks.reconcile_vote_counts.delay().get() == [{"idea": idea.pk, "was": 5, "now": 1}]


def test_it_runs_every_fifteen_minutes():
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "votes.tasks.reconcile_vote_counts")
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert "votes.tasks.reconcile_vote_counts" in app.tasks
