"""A worker killed whole in the middle of a tally loses nothing for more than
5 minutes (PRODUCT.md, "Reliability"; issue 9, item 3).

The tally is made to wait on a row lock held by the test, so that the
worker is killed while it really runs it; then the scheduler's sweep, run as
if 6 minutes had passed (no real sleep), queues it again for a fresh worker.
"""

import datetime
from collections import Counter

from django.utils import timezone

import pytest

from campaigns import lifecycle
from campaigns.models import Campaign, Phase
from campaigns.services import advance_due_campaigns
from ideas.models import Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from votes import services as votes
from votes.models import Tally, TallyRow, Vote
from votes.tally import python_receipts_digest

from .harness import backend_alive, wait_for, waiting_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE = datetime.timedelta(minutes=1)


def a_closed_vote() -> tuple[Campaign, datetime.datetime]:
    """A challenge with votes on five ideas whose voting closes in a minute,
    and the moment just after."""
    now = timezone.now()
    campaign = CampaignFactory(phase=Phase.VOTING, voting_closes=now + MINUTE, votes_per_voter=3)
    ideas = IdeaFactory.create_batch(5, campaign=campaign)
    for n, voter in enumerate(UserFactory.create_batch(6)):
        for idea in ideas[n % 3 : n % 3 + 3]:
            votes.cast_vote(voter=voter, idea=idea.pk)
    return campaign, campaign.voting_closes + datetime.timedelta(seconds=1)


def test_a_tally_killed_with_its_worker_is_redone_by_the_sweep_exactly_once(workers, side_connection):
    holder, observer = side_connection(), side_connection()
    campaign, closed = a_closed_vote()

    # The campaign leaves voting: the tally is queued in Redis (no worker yet).
    assert [t.to_phase for t in advance_due_campaigns(now=closed)] == [Phase.DELIBERATION]

    # Hold the campaign row that the tally locks first, then let a worker take the task.
    table = Campaign._meta.db_table
    holder.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [campaign.pk])
    worker = workers.start()
    blocked = wait_for(lambda: waiting_on_a_lock(observer, table), 30)
    assert blocked, "the worker's tally never waited for the campaign row"
    worker.kill()
    assert not Tally.objects.filter(campaign=campaign).exists()

    # The lock is released; the killed worker's transaction ends with nothing committed.
    holder.rollback()
    assert wait_for(lambda: not backend_alive(observer, blocked), 30)
    assert not Tally.objects.filter(campaign=campaign).exists()

    # Six minutes later: the sweep finds the campaign past voting without a
    # tally, its lease expired, and queues the tally again for a fresh worker.
    workers.start()
    report = lifecycle.sweep(now=closed + 6 * MINUTE)
    assert report.requeued[lifecycle.Work.AFTER_VOTING] == [campaign.slug]
    tally = wait_for(lambda: Tally.objects.filter(campaign=campaign).first(), 60)
    assert tally is not None, "the re-queued tally did not run"

    # Complete and correct: every vote row counted, the digest recomputed.
    per_idea = Counter(Vote.objects.filter(campaign=campaign).values_list("idea_id", flat=True))
    rows = {row.idea_id: row.votes for row in TallyRow.objects.filter(campaign=campaign)}
    assert rows == {idea.pk: per_idea[idea.pk] for idea in Idea.objects.filter(campaign=campaign)}
    assert tally.total_votes == Vote.objects.filter(campaign=campaign).count() == 18
    assert tally.ballot_count == 6
    assert tally.digest == python_receipts_digest(campaign.pk)[0]

    # Exactly once: nothing is due any more, and a later sweep queues nothing.
    assert Tally.objects.filter(campaign=campaign).count() == 1
    again = lifecycle.sweep(now=closed + 12 * MINUTE)
    assert again.requeued[lifecycle.Work.AFTER_VOTING] == []
