"""Merging a duplicate moves its supporters (moderation.services.merge_idea), in the
service, on the moderation page and through the API."""

import pytest

from ideabox.exceptions import DomainError
from ideas.models import Comment, Idea, Status
from moderation.services import merge_idea
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from tests.votes.test_cast import counters_match_rows, voting_campaign
from votes import services
from votes.models import Ballot, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return UserFactory(groups=["moderators"])


def duplicate_pair(**campaign_kwargs):
    campaign = voting_campaign(**campaign_kwargs)
    return IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)


def test_voters_of_the_source_only_now_support_the_target(moderator):
    source, target = duplicate_pair()
    voters = UserFactory.create_batch(3)
    receipts = {services.cast_vote(voter=v, idea=source)[0].receipt for v in voters}
    merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert set(Vote.objects.filter(idea=target).values_list("voter_id", flat=True)) == {v.pk for v in voters}
    assert set(Vote.objects.filter(idea=target).values_list("receipt", flat=True)) == receipts
    assert not Vote.objects.filter(idea=source).exists()
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.vote_count, target.vote_count) == (0, 3)
    assert all(b.used == 1 for b in Ballot.objects.all())


def test_a_voter_of_both_keeps_one_vote_and_gets_the_other_back(moderator):
    source, target = duplicate_pair(votes_per_voter=2)
    both = UserFactory()
    services.cast_vote(voter=both, idea=source)
    services.cast_vote(voter=both, idea=target)
    assert services.votes_left(voter=both, campaign=source.campaign) == 0
    merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert list(Vote.objects.filter(voter=both).values_list("idea_id", flat=True)) == [target.pk]
    assert Ballot.objects.get(voter=both).used == 1
    assert services.votes_left(voter=both, campaign=source.campaign) == 1
    target.refresh_from_db()
    assert target.vote_count == 1


def test_a_mix_of_voters_counts_each_once(moderator):
    source, target = duplicate_pair()
    only_source, only_target, both = UserFactory.create_batch(3)
    services.cast_vote(voter=only_source, idea=source)
    services.cast_vote(voter=only_target, idea=target)
    services.cast_vote(voter=both, idea=source)
    services.cast_vote(voter=both, idea=target)
    merged = merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert merged.status == Status.MERGED and merged.vote_count == 0
    target.refresh_from_db()
    assert target.vote_count == 3 == target.votes.count()
    assert counters_match_rows()
    assert {b.voter_id: b.used for b in Ballot.objects.all()} == {only_source.pk: 1, only_target.pk: 1, both.pk: 1}


def test_the_targets_author_gets_their_vote_back_instead_of_supporting_their_own_idea(moderator):
    source, target = duplicate_pair()
    services.cast_vote(voter=target.author, idea=source)
    coauthor = UserFactory()
    target.coauthors.add(coauthor)
    services.cast_vote(voter=coauthor, idea=source)
    merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert not Vote.objects.exists()
    assert all(b.used == 0 for b in Ballot.objects.all())
    assert counters_match_rows()


def test_counts_are_recomputed_from_the_rows_even_after_drift(moderator):
    source, target = duplicate_pair()
    services.cast_vote(voter=UserFactory(), idea=source)
    Idea.objects.filter(pk=target.pk).update(vote_count=42)  # a counter that drifted
    merge_idea(source=source, target=target, by=moderator, reason="Same")
    target.refresh_from_db()
    assert target.vote_count == 1


def test_a_refused_merge_moves_no_vote(moderator):
    source = IdeaFactory(campaign=voting_campaign())
    elsewhere = IdeaFactory(campaign=voting_campaign())
    services.cast_vote(voter=UserFactory(), idea=source)
    with pytest.raises(DomainError):
        merge_idea(source=source, target=elsewhere, by=moderator, reason="Same")
    assert Vote.objects.get().idea_id == source.pk
    source.refresh_from_db()
    assert source.vote_count == 1 and source.status == Status.PUBLISHED


def test_only_moderators_merge():
    source, target = duplicate_pair()
    services.cast_vote(voter=UserFactory(), idea=source)
    with pytest.raises(DomainError) as caught:
        merge_idea(source=source, target=target, by=UserFactory(), reason="Same")
    assert caught.value.code == "permission_denied"
    assert Vote.objects.get().idea_id == source.pk


def test_the_moderation_page_merges_with_the_votes(client, moderator):
    source, target = duplicate_pair()
    services.cast_vote(voter=UserFactory(), idea=source)
    CommentFactory(idea=source)
    client.force_login(moderator)
    response = client.post(f"/moderation/ideas/{source.pk}/merge/", {"target": target.pk, "reason": "Same"})
    assert response.status_code == 302
    assert Vote.objects.get().idea_id == target.pk
    assert Comment.objects.get().idea_id == target.pk
    target.refresh_from_db()
    assert target.vote_count == 1


def test_the_moderation_page_shows_its_form_on_get(client, moderator):
    source, _target = duplicate_pair()
    client.force_login(moderator)
    response = client.get(f"/moderation/ideas/{source.pk}/merge/")
    assert response.status_code == 200
    assert 'name="target"' in response.content.decode()


def test_the_api_merges_with_the_votes(api_client, moderator):
    source, target = duplicate_pair()
    both = UserFactory()
    services.cast_vote(voter=both, idea=source)
    services.cast_vote(voter=both, idea=target)
    api_client.force_authenticate(moderator)
    response = api_client.post(
        f"/api/v1/ideas/{source.pk}/merge/", {"target": target.pk, "reason": "Same"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["merged_into"] == target.pk
    assert Vote.objects.get().idea_id == target.pk
    assert Ballot.objects.get().used == 1


def test_the_api_merge_refuses_an_unknown_target(api_client, moderator):
    source, _target = duplicate_pair()
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/ideas/{source.pk}/merge/", {"target": 999999, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_merge_keeps_its_addresses_and_api_name():
    from django.urls import reverse

    assert reverse("moderation:merge", args=[3]) == "/moderation/ideas/3/merge/"
    assert reverse("api:moderation-idea-merge", args=[3]) == "/api/v1/ideas/3/merge/"
