"""What happens when a campaign leaves a phase and enters the next.

The one module of campaigns/ that calls into the apps ranked above it
(ideas, votes, jury, results): the phase machine in services.py calls
`phase_changed` inside the transaction of a move that really happened
(its compare-and-swap changed exactly one row), and everything here that
reaches outside the database waits for the commit.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, DateTimeField, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ideabox import outbox
from ideas import coauthorship
from jury import award_services
from results.services import PUBLISHED_PHASES
from votes.tally import TALLIED_PHASES

from .models import Campaign, Phase, PhaseTransition, Work, WorkLease

log = logging.getLogger(__name__)

# Queued (campaign id) when a campaign leaves voting, and re-queued by the
# sweep for a campaign past voting without a tally: it tallies the vote and
# decides the public awards from that tally, in one transaction (jury.award_services).
AFTER_VOTING_TASK = "jury.tasks.tally_and_decide_public_awards"
# Queued (campaign id) when a campaign leaves deliberation, and re-queued by
# the sweep for a campaign past deliberation without published results.
AFTER_DELIBERATION_TASK = "results.tasks.publish_results"

# How long the work queued for a campaign is left to the worker that has it
# before the sweep queues it again. A tally takes about a second per million
# votes (bench/tally.py) and a publication less, so three minutes is a long
# wait in the queue plus the run; the sweep runs every minute, so work lost
# at any moment is queued again at most 3 + 1 minutes after it was queued:
# within the 5 minutes PRODUCT.md promises, with a minute left to run it. Work still running when its
# lease ends is queued a second time, which is safe: the tally and the
# publication lock the campaign row, then store the same result again or
# find it published.
LEASE = datetime.timedelta(minutes=3)

WORK_TASKS = {Work.AFTER_VOTING: AFTER_VOTING_TASK, Work.AFTER_DELIBERATION: AFTER_DELIBERATION_TASK}


def phase_changed(*, campaign: Campaign, transition: PhaseTransition) -> None:
    entered = transition.to_phase

    # Co-authors are fixed once voting opens: invitations not answered by
    # then lapse (accepting also checks the clock, so a late move changes nothing).
    if entered == Phase.VOTING:
        coauthorship.lapse_invitations(campaign=campaign, now=transition.at)

    if entered == Phase.VOTING and campaign.accepts_votes(transition.at):
        # Followers hear that the vote opened; a scheduler catching up past
        # the whole vote does not announce a vote that has already closed.
        outbox.enqueue("ideas.tasks.campaign_phase_changed", campaign.pk, Phase.VOTING.value)

    # Leaving voting (voting -> deliberation) is the hand-over point for the
    # tally: the votes are frozen (accepts_votes() refuses any vote after
    # voting_closes, whether or not the scheduler has run) and a worker counts
    # the rows, stores the results with the receipt list's digest, shortlists
    # and decides the public awards from that tally (before any jury
    # decision), once this move has committed.
    if transition.from_phase == Phase.VOTING:
        _queue(campaign.pk, Work.AFTER_VOTING, now=transition.at)

    # Leaving deliberation (deliberation -> results) requires every award to
    # be decided: a jury award undecided, or public awards still waiting for
    # the tally, refuse the move (409 `awards_undecided`), which rolls it back. The
    # move's compare-and-swap holds the campaign row, which every award
    # decision locks too, so no decision slips between this check and the
    # commit. Once committed, a worker publishes the results.
    if transition.from_phase == Phase.DELIBERATION:
        award_services.check_all_decided(campaign=campaign)
        _queue(campaign.pk, Work.AFTER_DELIBERATION, now=transition.at)


def _queue(campaign_id: int, work: str, *, now: datetime.datetime) -> None:
    # The move queues its work and takes the lease with it, so the sweep
    # leaves that work to the queue for LEASE before it queues it again.
    WorkLease.claim(campaign_id=campaign_id, work=work, now=now, until=now + LEASE)
    outbox.enqueue(WORK_TASKS[work], campaign_id)


# --- the sweep: lost work comes back ------------------------------------------------


def awaiting_tally(*, now: datetime.datetime) -> QuerySet[Campaign]:
    """Challenges past voting whose vote is not tallied, annotated with
    `due_since`: when voting ended (the move out of voting; `voting_closes`
    for one the scheduler has not moved yet)."""
    left_voting = PhaseTransition.objects.filter(campaign=OuterRef("pk"), from_phase=Phase.VOTING).values("at")[:1]
    return (
        Campaign.objects.challenges()
        .filter(Q(phase__in=TALLIED_PHASES) | Q(phase=Phase.VOTING, voting_closes__lte=now), tally__isnull=True)
        .annotate(due_since=Coalesce(Subquery(left_voting, output_field=DateTimeField()), F("voting_closes")))
    )


def awaiting_publication() -> QuerySet[Campaign]:
    """Challenges past deliberation whose results are not published,
    annotated with `due_since`: when they left deliberation."""
    left_deliberation = PhaseTransition.objects.filter(campaign=OuterRef("pk"), from_phase=Phase.DELIBERATION).values(
        "at"
    )[:1]
    return (
        Campaign.objects.challenges()
        .filter(phase__in=PUBLISHED_PHASES, jury__published_at__isnull=True)
        .annotate(due_since=Subquery(left_deliberation, output_field=DateTimeField()))
    )


def _overdue(campaigns: QuerySet[Campaign], *, now: datetime.datetime, after: datetime.timedelta) -> dict:
    found = campaigns.filter(due_since__lte=now - after).aggregate(oldest=Min("due_since"), count=Count("pk"))
    oldest = found["oldest"]
    return {"overdue": found["count"], "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else None}


def overdue_work(*, now: datetime.datetime, after: datetime.timedelta) -> dict:
    """Tallies and publications due for longer than `after` (for /healthz)."""
    return {
        "tallies": _overdue(awaiting_tally(now=now), now=now, after=after),
        "publications": _overdue(awaiting_publication(), now=now, after=after),
    }


@dataclass
class SweepReport:
    sent: int = 0  # outbox messages the broker took
    refused: bool = False  # the broker refused: nothing else was queued
    requeued: dict[str, list[str]] = field(default_factory=lambda: {work: [] for work in Work.values})


def sweep(*, now: datetime.datetime | None = None) -> SweepReport:
    """Every minute (campaigns.tasks.sweep; `manage.py sweep` by hand): send
    what the broker did not take (ideabox.outbox), then queue again the tally
    of every campaign past voting without one and the publication of every
    campaign past deliberation without published results, each whose lease
    is free (its queued work was lost, or none was queued). Safe to run
    twice or at once: each lease is claimed by one sweep."""
    now = now or timezone.now()
    sent = outbox.send_pending(now=now)
    report = SweepReport(sent=sent.sent, refused=sent.refused)
    if sent.refused:
        # Queued now, the work would only wait in the outbox beside what is
        # already there; the next sweep finds it still due.
        log.warning("sweep: the broker refused a message; %d sent, lost work not queued again", sent.sent)
        return report
    due = (
        (Work.AFTER_VOTING, awaiting_tally(now=now).filter(phase__in=TALLIED_PHASES)),
        (Work.AFTER_DELIBERATION, awaiting_publication()),
    )
    for work, campaigns in due:
        for campaign_id, slug in campaigns.order_by("pk").values_list("pk", "slug"):
            with transaction.atomic():
                if WorkLease.claim(campaign_id=campaign_id, work=work, now=now, until=now + LEASE):
                    outbox.enqueue(WORK_TASKS[work], campaign_id)
                    report.requeued[work].append(slug)
                    log.warning("sweep: %s of campaign %s was lost or never queued: queued again", work, slug)
    return report
