"""Who may do what to ideas, role by role: submitting, the box, similar
ideas, following, commenting, editing and the attachments.

Seeing comes first (Campaign.objects.visible_to: a 404 otherwise); then
taking part (ideas.services.may_take_part: a verified address, an
employee's for internal campaigns and the box); pages behind a log-in send
a visitor to it.
"""

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from campaigns.models import Audience, Phase
from ideas.models import Attachment, Comment, Idea, IdeaFollower
from tests.factories import ROLES, ROLES_WITH_COMPANY, CampaignFactory, IdeaFactory, answers_as, the_box, user_with_role

pytestmark = pytest.mark.django_db

AUDIENCES = (Audience.PUBLIC, Audience.INTERNAL)


def sees(role: str, audience: str) -> bool:
    # An idea's author (a test's extra role) is an employee in internal campaigns.
    role = answers_as(role)
    return audience == Audience.PUBLIC or role in ("employee", "moderator", "manager", "author")


def takes_part(role: str, audience: str) -> bool:
    role = answers_as(role)
    if audience == Audience.INTERNAL:
        return role == "employee"
    return role in ("participant", "employee", "moderator", "manager")


def logged_in(client, role: str):
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    return user


def api_for(role: str) -> tuple[APIClient, object]:
    api = APIClient()
    user = user_with_role(role)
    if user is not None:
        api.force_authenticate(user)
    return api, user


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- submitting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize(
    ("where", "phase"),
    [
        ("public challenge", Phase.SUBMISSION),
        ("internal challenge", Phase.SUBMISSION),
        ("public challenge", Phase.DRAFT),
        ("public challenge", Phase.VOTING),
        ("box", None),
    ],
)
def test_who_opens_the_submit_page(client, role, where, phase):
    if where == "box":
        campaign, audience, url = the_box(), Audience.INTERNAL, reverse("ideas:box_submit")
    else:
        audience = Audience.PUBLIC if where.startswith("public") else Audience.INTERNAL
        campaign = CampaignFactory(audience=audience, phase=phase)
        url = reverse("ideas:submit", args=[campaign.slug])
    visible = sees(role, audience) and (phase != Phase.DRAFT or role == "manager")
    open_ = phase in (None, Phase.SUBMISSION)
    logged_in(client, role)
    response = client.get(url)
    if role == "visitor":
        assert to_login(response)
    elif not visible:
        assert response.status_code == 404
    elif not (takes_part(role, audience) and open_):
        # Refused with a message, back to the campaign's page.
        assert response.status_code == 302
        assert response["Location"] == campaign.get_absolute_url()
    else:
        assert response.status_code == 200


# --- the box and similar ideas (open to whoever sees the campaign) -------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
def test_who_sees_the_box(client, role):
    logged_in(client, role)
    response = client.get(reverse("ideas:box"))
    assert response.status_code == (200 if sees(role, Audience.INTERNAL) else 404)


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_who_sees_similar_ideas(client, role, audience):
    campaign = CampaignFactory(audience=audience)
    IdeaFactory(campaign=campaign, title="Solar panels on the roof")
    logged_in(client, role)
    page = client.get(reverse("ideas:similar", args=[campaign.slug]), {"title": "Solar panels"})
    api, _user = api_for(role)
    answer = api.get(reverse("api:ideas-similar", args=[campaign.slug]), {"q": "Solar panels"})
    if sees(role, audience):
        assert page.status_code == 200
        assert "Solar panels on the roof" in page.content.decode()
        assert answer.status_code == 200
        assert [idea["title"] for idea in answer.json()] == ["Solar panels on the roof"]
    else:
        assert page.status_code == 404
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"


# --- following --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_who_may_follow_an_idea(client, role, audience):
    """Following asks for a verified address, whatever the campaign's audience."""
    idea = IdeaFactory(campaign=CampaignFactory(audience=audience))
    user = logged_in(client, role)
    page = client.post(reverse("ideas:follow", args=[idea.pk]))
    api, api_user = api_for(role)
    answer = api.post(reverse("api:ideas-follow", args=[idea.pk]))
    may = sees(role, audience) and role != "unverified" and role != "visitor"
    if role == "visitor":
        assert to_login(page)
    elif not sees(role, audience):
        assert page.status_code == 404
    else:
        # Followed or refused with a message: back to the idea either way.
        assert page.status_code == 302
        assert page["Location"] == idea.get_absolute_url()
    if may:
        assert answer.status_code == 200
        assert answer.json()["following"] is True
        assert IdeaFollower.objects.filter(idea=idea, user=user).exists()
        assert IdeaFollower.objects.filter(idea=idea, user=api_user).exists()
    else:
        if role == "visitor":
            assert answer.status_code == 401
        else:
            assert answer.status_code == (403 if sees(role, audience) else 404)
            assert answer.json()["code"] == ("not_allowed" if sees(role, audience) else "not_found")
        assert not IdeaFollower.objects.filter(idea=idea).exists()
        assert Idea.objects.get(pk=idea.pk).follower_count == 0


# --- commenting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_who_may_comment_on_an_idea(client, role, audience):
    idea = IdeaFactory(campaign=CampaignFactory(audience=audience))
    logged_in(client, role)
    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Worth a try."})
    api, _user = api_for(role)
    answer = api.post(reverse("api:ideas-comments", args=[idea.pk]), {"body": "Worth a try."}, format="json")
    if role == "visitor":
        assert to_login(response)
        assert answer.status_code == 401
    elif not sees(role, audience):
        assert response.status_code == 404
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    elif not takes_part(role, audience):
        assert response.status_code == 403
        assert answer.status_code == 403
        assert answer.json()["code"] == "not_allowed"
    else:
        assert response.status_code == 302
        assert answer.status_code == 201
        assert Comment.objects.filter(idea=idea).count() == 2
        return
    assert not Comment.objects.filter(idea=idea).exists()


# --- editing and the attachments (the authors' alone) ---------------------------------------------


@pytest.mark.parametrize("role", (*ROLES, "author"))
@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING])
def test_only_the_authors_edit_an_idea_and_its_attachments(client, role, audience, phase):
    """The authors, while submission is open; refused with a message, back to the idea, otherwise."""
    campaign = CampaignFactory(audience=audience, phase=phase)
    author = user_with_role("employee" if audience == Audience.INTERNAL else "participant")
    idea = IdeaFactory(campaign=campaign, author=author, title="Solar panels")
    attachment = Attachment.objects.create(
        idea=idea, name="roof.png", content_type="image/png", size=10, file="roof.png"
    )
    if role == "author":
        client.force_login(author)
    else:
        logged_in(client, role)
    urls = [
        ("get", reverse("ideas:edit", args=[idea.pk]), {}),
        ("post", reverse("ideas:edit", args=[idea.pk]), {"title": "Wind turbines", "summary": "Another."}),
        ("post", reverse("ideas:attachment_describe", args=[idea.pk, attachment.pk]), {"description": "A roof"}),
        ("post", reverse("ideas:attachment_delete", args=[idea.pk, attachment.pk]), {}),
    ]
    if role == "author" and phase == Phase.SUBMISSION:
        assert client.get(urls[0][1]).status_code == 200
        response = client.post(urls[2][1], urls[2][2])
        assert response.status_code == 302
        assert Attachment.objects.get(pk=attachment.pk).description == "A roof"
        assert client.post(urls[3][1]).status_code == 302
        assert not Attachment.objects.filter(pk=attachment.pk).exists()
        return
    for method, url, data in urls:
        response = getattr(client, method)(url, data)
        if role == "visitor":
            assert to_login(response), url
        elif not sees(role, audience):
            assert response.status_code == 404, url
        else:
            assert response.status_code == 302, url
            assert response["Location"] == idea.get_absolute_url(), url
    assert Idea.objects.get(pk=idea.pk).title == "Solar panels"
    assert Attachment.objects.get(pk=attachment.pk).description == ""
