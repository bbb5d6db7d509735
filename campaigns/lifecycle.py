"""What happens when a campaign leaves a phase and enters the next.

The one module of campaigns/ that calls into the apps ranked above it
(ideas, votes, jury): the phase machine in services.py calls
`phase_changed` inside the transaction of a move that really happened
(its compare-and-swap changed exactly one row), and everything here that
reaches outside the database waits for the commit.
"""

from functools import partial

from django.db import transaction

from ideas import coauthorship, notifications
from jury import awards
from jury import tasks as jury_tasks
from votes import tasks as vote_tasks

from .models import Campaign, Phase, PhaseTransition


def phase_changed(*, campaign: Campaign, transition: PhaseTransition) -> None:
    entered = transition.to_phase

    # Co-authors are fixed once voting opens: invitations not answered by
    # then lapse (accepting also checks the clock, so a late move changes nothing).
    if entered == Phase.VOTING:
        coauthorship.lapse_invitations(campaign=campaign, now=transition.at)

    if entered == Phase.VOTING and campaign.accepts_votes(transition.at):
        # Followers hear that the vote opened; a scheduler catching up past
        # the whole vote does not announce a vote that has already closed.
        transaction.on_commit(partial(notifications.campaign_phase_changed.delay, campaign.pk, Phase.VOTING.value))

    # Leaving voting (voting -> deliberation) is the hand-over point for the
    # tally: the votes are frozen (accepts_votes() refuses any vote after
    # voting_closes, whether or not the scheduler has run) and a worker counts
    # the rows, stores the results with the receipt list's digest, and
    # shortlists, once this move has committed.
    if transition.from_phase == Phase.VOTING:
        transaction.on_commit(partial(vote_tasks.tally_campaign.delay, campaign.pk))

    # Leaving deliberation (deliberation -> results) requires every award to
    # be decided: public awards are decided here, and an undecided jury award
    # refuses the move (409 `awards_undecided`), which rolls it back. The
    # move's compare-and-swap holds the campaign row, which every award
    # decision locks too, so no decision slips between this check and the
    # commit. Once committed, a worker publishes the results.
    if transition.from_phase == Phase.DELIBERATION:
        awards.check_all_decided(campaign=campaign)
        transaction.on_commit(partial(jury_tasks.publish_results.delay, campaign.pk))
