"""Two schedulers at once (a second `celery beat` started by mistake, or two
machines each running one): every minute both move the campaigns due and
sweep, at the same moment. Each phase transition happens once, the campaign
is tallied once and published once, and each person gets each e-mail once.
"""

import datetime
import time
from collections import Counter

from django.utils import timezone

import pytest

from campaigns import lifecycle
from campaigns.models import Phase, PhaseTransition
from campaigns.services import advance_due_campaigns
from jury.models import Jury, ResultRow
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from votes import services as votes
from votes.models import Tally

from .harness import sent_mail, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE = datetime.timedelta(minutes=1)


def two_schedulers_at_once(now: datetime.datetime) -> list[str]:
    """What each scheduler's minute does (the beat entries advance-campaigns
    and sweep), in two threads released together; the errors, if any."""

    def minute():
        advance_due_campaigns(now=now)
        lifecycle.sweep(now=now)

    return [outcome for outcome in at_once(minute, minute, ok="ok") if outcome != "ok"]


def published(campaign) -> bool:
    return Jury.objects.filter(campaign=campaign, published_at__isnull=False).exists()


def test_two_sweeps_at_once_move_tally_publish_and_mail_once(workers, mail_dir):
    workers.start()
    now = timezone.now()
    campaign = CampaignFactory(
        phase=Phase.VOTING, voting_closes=now + MINUTE, deliberation_ends=now + 2 * MINUTE, votes_per_voter=2
    )
    authors = UserFactory.create_batch(3)
    ideas = [IdeaFactory(campaign=campaign, author=author) for author in authors]
    for n, voter in enumerate(UserFactory.create_batch(4)):
        votes.cast_vote(voter=voter, idea=ideas[n % 3].pk)

    # Both boundaries have passed when the two schedulers wake up.
    minute = campaign.deliberation_ends + datetime.timedelta(seconds=1)
    assert two_schedulers_at_once(minute) == []
    # A campaign may wait in deliberation for its tally (public awards are
    # decided from it): the next minutes, again two at once, move it on.
    for _ in range(10):
        if wait_for(lambda: published(campaign), 6):
            break
        minute += MINUTE
        assert two_schedulers_at_once(minute) == []
    assert published(campaign), "the results were not published"

    moves = Counter(PhaseTransition.objects.filter(campaign=campaign).values_list("from_phase", "to_phase"))
    assert moves == Counter({(Phase.VOTING, Phase.DELIBERATION): 1, (Phase.DELIBERATION, Phase.RESULTS): 1})
    assert Tally.objects.filter(campaign=campaign).count() == 1
    assert ResultRow.objects.filter(campaign=campaign).count() == len(ideas)

    # One results e-mail per author, and no e-mail twice to anyone.
    def results_mail():
        return sorted(m["To"] for m in sent_mail(mail_dir) if campaign.title in str(m["Subject"]))

    assert wait_for(lambda: len(results_mail()) >= len(authors), 60), [
        (m["To"], m["Subject"]) for m in sent_mail(mail_dir)
    ]
    later = minute + MINUTE
    assert two_schedulers_at_once(later) == []  # nothing left to do
    time.sleep(2)  # time for a duplicate to arrive, were one sent
    assert results_mail() == sorted(author.email for author in authors)
    every = Counter((m["To"], m["Subject"]) for m in sent_mail(mail_dir))
    assert [pair for pair, times in every.items() if times > 1] == []
    assert Counter(PhaseTransition.objects.filter(campaign=campaign).values_list("to_phase", flat=True)) == Counter(
        {Phase.DELIBERATION: 1, Phase.RESULTS: 1}
    )
