"""The vote's rules have a form checked before the write and a form the
write checks again under its locks (votes.services.RULES): both must say
the same. Here an idea changes state between the two, for every state."""

import itertools

import pytest

from ideabox.exceptions import DomainError
from ideas.models import Idea, Status
from tests.factories import IdeaFactory, UserFactory
from votes import services
from votes.models import Ballot, Vote

from .test_cast import _meanwhile, voting_campaign

pytestmark = pytest.mark.django_db

STATES = [
    {"approved": approved, "hidden": hidden, "status": status}
    for approved, hidden, status in itertools.product(
        (True, False), (False, True), (Status.PUBLISHED, Status.SHORTLISTED, Status.MERGED)
    )
]


@pytest.mark.parametrize("changed", STATES, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))
def test_an_idea_that_changes_before_the_write_is_supported_only_if_still_listed(monkeypatch, changed):
    campaign = voting_campaign(votes_per_voter=2)
    idea = IdeaFactory(campaign=campaign)
    target = IdeaFactory(campaign=campaign)
    fields = {**changed, "hidden_reason": "spam" if changed["hidden"] else ""}
    if changed["status"] == Status.MERGED:
        fields["merged_into"] = target
    probe = IdeaFactory(campaign=campaign)
    Idea.objects.filter(pk=probe.pk).update(**fields)
    listed = Idea.objects.listed().filter(pk=probe.pk).exists()  # what the idea will be
    _meanwhile(monkeypatch, lambda: Idea.objects.filter(pk=idea.pk).update(**fields))
    voter = UserFactory()
    if listed:
        _vote, count, left = services.cast_vote(voter=voter, idea=idea.pk)
        assert (count, left) == (1, 1)
    else:
        with pytest.raises(DomainError) as caught:
            services.cast_vote(voter=voter, idea=idea.pk)
        assert caught.value.code == "not_allowed"
        assert not Vote.objects.exists() and not Ballot.objects.filter(used__gt=0).exists()
    idea.refresh_from_db()
    assert idea.vote_count == int(listed) and idea.is_listed == listed
