"""Who may answer an invitation to co-author, role by role: the invitee
alone; to anyone else the invitation does not exist (404), whatever they
may see of the idea."""

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from campaigns.models import Audience
from ideas import services
from ideas.models import Coauthorship
from tests.factories import ROLES, CampaignFactory, UserFactory, employee, user_with_role

pytestmark = pytest.mark.django_db

State = Coauthorship.State


def invited(audience: str):
    campaign = CampaignFactory(audience=audience)
    make = employee if campaign.is_internal else UserFactory
    author, invitee = make(), make()
    idea = services.submit_idea(
        campaign=campaign, author=author, title="Night buses", summary="After midnight.", coauthors=[invitee.username]
    )
    return idea, invitee


@pytest.mark.parametrize("role", (*ROLES, "invitee"))
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_invitee_answers_an_invitation_to_co_author(client, role, audience, action):
    idea, invitee = invited(audience)
    user = invitee if role == "invitee" else user_with_role(role)
    api = APIClient()
    if user is not None:
        client.force_login(user)
        api.force_authenticate(user)
    url = reverse("api:ideas-coauthorship", args=[idea.pk])
    if role == "invitee":
        answer = api.post(url) if action == "accept" else api.delete(url)
        assert answer.status_code == (201 if action == "accept" else 204)
        assert Coauthorship.objects.get(idea=idea, user=invitee).state == (
            State.ACCEPTED if action == "accept" else State.DECLINED
        )
        other, _invitee = invited(audience)
        Coauthorship.objects.filter(idea=other).update(user=invitee)
        page = client.post(reverse("votes:coauthorship", args=[other.pk]), {"action": action})
        assert page.status_code == 302
        assert page["Location"] == reverse("ideas:detail", args=[other.pk])
        assert Coauthorship.objects.get(idea=other, user=invitee).state == (
            State.ACCEPTED if action == "accept" else State.DECLINED
        )
        return
    page = client.post(reverse("votes:coauthorship", args=[idea.pk]), {"action": action})
    answer = api.post(url) if action == "accept" else api.delete(url)
    if user is None:
        assert page.status_code == 302
        assert page["Location"].startswith("/accounts/login/")
        assert answer.status_code == 401
        assert answer.json()["code"] == "not_authenticated"
    else:
        assert page.status_code == 404
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    assert list(Coauthorship.objects.filter(idea=idea).values_list("user", "state")) == [(invitee.pk, State.INVITED)]
