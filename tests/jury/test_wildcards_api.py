"""Wildcards and juror reminders through the API (managers, during deliberation)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from campaigns.models import Audience, Phase
from ideas.models import Idea, Status
from jury import services
from jury.models import Wildcard
from tests.factories import IdeaFactory, user_with_role
from tests.jury.test_scoring import full_scores, jury_campaign, manager_user

pytestmark = pytest.mark.django_db


def wildcards_url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.slug}/jury/wildcards/"


def remind_url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.slug}/jury/reminders/"


def test_a_manager_adds_lists_and_removes_a_wildcard(api_client):
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    idea = IdeaFactory(campaign=campaign, status=Status.PUBLISHED, title="Night buses")
    api_client.force_authenticate(manager_user())
    response = api_client.post(wildcards_url(campaign), {"idea": idea.pk, "reason": "Bold"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["idea"], body["title"], body["reason"]) == (idea.pk, "Night buses", "Bold")
    assert Idea.objects.get(pk=idea.pk).status == Status.SHORTLISTED
    assert [w["id"] for w in api_client.get(wildcards_url(campaign)).json()] == [body["id"]]
    assert api_client.delete(f"{wildcards_url(campaign)}{body['id']}/").status_code == 204
    assert Idea.objects.get(pk=idea.pk).status == Status.PUBLISHED
    assert not Wildcard.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"idea": "x"}, {"idea": 10**30}, {"idea": -1}, {"idea": None}])
def test_a_wildcard_without_a_proper_idea_is_refused_with_fields(api_client, payload):
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    api_client.force_authenticate(manager_user())
    response = api_client.post(wildcards_url(campaign), payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "idea" in response.json()["fields"]
    assert not Wildcard.objects.exists()


def test_an_idea_of_another_campaign_or_not_published_is_refused(api_client):
    campaign, ideas, _jurors, _criteria = jury_campaign()
    elsewhere = IdeaFactory(status=Status.PUBLISHED)
    api_client.force_authenticate(manager_user())
    assert api_client.post(wildcards_url(campaign), {"idea": elsewhere.pk}, format="json").status_code == 400
    response = api_client.post(wildcards_url(campaign), {"idea": ideas[0].pk}, format="json")  # already shortlisted
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.RESULTS])
def test_wildcards_are_for_deliberation_only(api_client, phase):
    campaign, _ideas, _jurors, _criteria = jury_campaign(phase=phase)
    idea = IdeaFactory(campaign=campaign, status=Status.PUBLISHED)
    api_client.force_authenticate(manager_user())
    response = api_client.post(wildcards_url(campaign), {"idea": idea.pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert Idea.objects.get(pk=idea.pk).status == Status.PUBLISHED


def test_a_scored_wildcard_stays(api_client):
    campaign, _ideas, jurors, criteria = jury_campaign()
    manager = manager_user()
    wildcard = services.add_wildcard(campaign=campaign, by=manager, idea=IdeaFactory(campaign=campaign).pk)
    services.save_evaluation(
        campaign=campaign, user=jurors[1].user, idea=wildcard.idea, scores=full_scores(criteria), comment=""
    )
    api_client.force_authenticate(manager)
    response = api_client.delete(f"{wildcards_url(campaign)}{wildcard.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert Wildcard.objects.filter(pk=wildcard.pk).exists()


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("visitor", 401),
        ("unverified", 404),
        ("participant", 404),
        ("employee", 404),
        ("moderator", 404),
        ("juror", 403),
        ("chair", 403),
    ],
)
def test_only_managers_use_wildcards_and_reminders(api_client, audience, role, status):
    campaign, _ideas, jurors, _criteria = jury_campaign(audience=audience)
    idea = IdeaFactory(campaign=campaign, status=Status.PUBLISHED)
    wildcard = services.add_wildcard(campaign=campaign, by=manager_user(), idea=IdeaFactory(campaign=campaign).pk)
    user = {"juror": jurors[1].user, "chair": jurors[0].user}.get(role) or user_with_role(role)
    if user is not None:
        api_client.force_authenticate(user)
    answers = [
        api_client.get(wildcards_url(campaign)),
        api_client.post(wildcards_url(campaign), {"idea": idea.pk}, format="json"),
        api_client.delete(f"{wildcards_url(campaign)}{wildcard.pk}/"),
        api_client.post(remind_url(campaign), {}, format="json"),
    ]
    assert [a.status_code for a in answers] == [status] * 4
    assert Idea.objects.get(pk=idea.pk).status == Status.PUBLISHED
    assert Wildcard.objects.filter(pk=wildcard.pk).exists()


def test_a_manager_reminds_the_unfinished_jurors(api_client, mailoutbox, django_capture_on_commit_callbacks):
    campaign, ideas, jurors, criteria = jury_campaign(ideas=1, jurors=3)
    services.save_evaluation(
        campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria), comment=""
    )
    api_client.force_authenticate(manager_user())
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(remind_url(campaign), {"jurors": [jurors[1].pk]}, format="json")
    assert (response.status_code, response.json()) == (202, {"unfinished": 1})
    assert [m.to for m in mailoutbox] == [[jurors[1].user.email]]


def test_reminders_are_refused_once_scoring_is_closed(api_client):
    campaign, _ideas, _jurors, _criteria = jury_campaign(phase=Phase.RESULTS)
    api_client.force_authenticate(manager_user())
    response = api_client.post(remind_url(campaign), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "jury_closed")


@pytest.mark.parametrize("payload", [{"jurors": "all"}, {"jurors": ["x"]}, {"jurors": [10**30]}])
def test_a_malformed_reminder_is_a_400(api_client, payload):
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    api_client.force_authenticate(manager_user())
    response = api_client.post(remind_url(campaign), payload, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_the_wildcard_list_stays_flat(api_client):
    counts = []
    manager = manager_user()
    api_client.force_authenticate(manager)
    for n in (3, 30):
        campaign, _ideas, _jurors, _criteria = jury_campaign()
        for _ in range(n):
            services.add_wildcard(campaign=campaign, by=manager, idea=IdeaFactory(campaign=campaign).pk)
        api_client.get(wildcards_url(campaign))
        with CaptureQueriesContext(connection) as captured:
            assert len(api_client.get(wildcards_url(campaign)).json()) == n
        counts.append(len(captured))
    assert counts[0] == counts[1]
