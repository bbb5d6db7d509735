"""One rule, two forms: Idea.is_listed (one idea in hand) says exactly what
IdeaQuerySet.listed() (lists, rankings, counts) says, for every status,
hidden or not, approved or not."""

import itertools

import pytest

from ideas.models import Idea, Status
from tests.factories import CampaignFactory, IdeaFactory

pytestmark = pytest.mark.django_db

COMBINATIONS = list(itertools.product(Status.values, [False, True], [False, True]))


def test_is_listed_agrees_with_listed_for_every_status_hidden_and_approval():
    campaign = CampaignFactory()
    target = IdeaFactory(campaign=campaign)
    made = {}
    for status, hidden, approved in COMBINATIONS:
        idea = IdeaFactory(
            campaign=campaign,
            status=status,
            hidden=hidden,
            hidden_reason="Spam." if hidden else "",
            approved=approved,
            merged_into=target if status == Status.MERGED else None,
            rejection_reason="Out of scope." if status == Status.REJECTED else "",
        )
        made[idea.pk] = (status, hidden, approved)
    listed = set(Idea.objects.filter(pk__in=made).listed().values_list("pk", flat=True))
    for idea in Idea.objects.filter(pk__in=made):
        assert idea.is_listed is (idea.pk in listed), made[idea.pk]
    # What the rule is, stated once more by hand so that a change shows here.
    assert {made[pk] for pk in listed} == {(s, False, True) for s in Status.values if s != Status.MERGED}
