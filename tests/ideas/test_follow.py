"""Following an idea: idempotent, counted, for those who can see it."""

from django.db import connection

import pytest

from campaigns.models import Audience
from ideabox.exceptions import DomainError
from ideas import services
from ideas.models import Idea, IdeaFollower
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def followers(idea) -> int:
    return Idea.objects.get(pk=idea.pk).follower_count


def test_following_twice_follows_once(participant):
    idea = IdeaFactory()
    assert services.follow_idea(idea=idea, user=participant) is True
    assert services.follow_idea(idea=idea, user=participant) is False
    assert IdeaFollower.objects.filter(idea=idea).count() == 1
    assert followers(idea) == 1


def test_unfollowing_twice_unfollows_once(participant):
    idea = IdeaFactory()
    services.follow_idea(idea=idea, user=participant)
    services.follow_idea(idea=idea, user=UserFactory())
    assert services.unfollow_idea(idea=idea, user=participant) is True
    assert services.unfollow_idea(idea=idea, user=participant) is False
    assert followers(idea) == 1


def test_an_invisible_idea_cannot_be_followed(participant):
    idea = IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL))
    with pytest.raises(DomainError) as caught:
        services.follow_idea(idea=idea, user=participant)
    assert caught.value.code == "not_found"


def test_an_unverified_user_cannot_follow():
    with pytest.raises(DomainError) as caught:
        services.follow_idea(idea=IdeaFactory(), user=UserFactory(verified=False))
    assert caught.value.code == "not_allowed"


def test_the_button_follows_and_unfollows(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Follow this idea" in html
    response = client.post(f"/ideas/{idea.pk}/follow/", {"action": "follow"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="follow"' in html
    assert 'aria-pressed="true"' in html
    assert "1 follower" in html
    response = client.post(f"/ideas/{idea.pk}/follow/", {"action": "unfollow"})
    assert response.status_code == 302
    assert followers(idea) == 0
    assert client.get(f"/ideas/{idea.pk}/follow/").status_code == 405


def test_a_visitor_is_sent_to_log_in(client):
    idea = IdeaFactory()
    response = client.post(f"/ideas/{idea.pk}/follow/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_following_an_invisible_idea_is_a_404(client, participant):
    idea = IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL))
    client.force_login(participant)
    assert client.post(f"/ideas/{idea.pk}/follow/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_count_once():
    idea = IdeaFactory()
    user = UserFactory()

    def follow():
        services.follow_idea(idea=idea, user=user)

    errors = [outcome for outcome in at_once(*[follow] * 4, ok="ok") if outcome != "ok"]
    assert errors == []
    assert IdeaFollower.objects.filter(idea=idea, user=user).count() == 1
    assert followers(idea) == 1
