"""The ideas API: fields, filters, submit and change, comments, following, similar ideas."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from freezegun import freeze_time
from PIL import Image

from campaigns.models import Audience, Phase
from ideas import tasks
from ideas.models import Comment, Idea, IdeaFollower, Status, Tag
from tests.factories import (
    ROLES_WITH_COMPANY,
    CampaignFactory,
    CategoryFactory,
    CommentFactory,
    IdeaFactory,
    UserFactory,
    answers_as,
    user_with_role,
)
from tests.ideas.test_entity import a_department

pytestmark = pytest.mark.django_db

IDEA_FIELDS = {
    "id", "campaign", "title", "summary", "body", "category", "tags", "status", "votes", "author",
    "co_authors", "anonymous", "entity", "comment_count", "created_at", "url", "attachments",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _quiet_notifications(monkeypatch):
    monkeypatch.setattr(tasks.idea_commented, "delay", lambda comment_id: None)


def make_user(who):
    return user_with_role(who)


def as_user(api_client, who):
    user = make_user(who) if isinstance(who, str) else who
    if user:
        api_client.force_authenticate(user)
    return user


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- list ------------------------------------------------------------------------------


def test_the_list_is_paginated_with_the_product_fields(api_client):
    campaign = CampaignFactory()
    category = CategoryFactory(campaign=campaign, slug="energy")
    author = UserFactory(username="camille", display_name="Camille")
    idea = IdeaFactory(campaign=campaign, author=author, category=category, vote_count=3)
    idea.tags.add(Tag.objects.create(name="solar"))
    body = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    item = body["results"][0]
    assert set(item) == IDEA_FIELDS
    assert item["campaign"] == campaign.slug
    assert item["category"] == "energy"
    assert item["tags"] == ["solar"]
    assert item["status"] == "published"
    assert item["votes"] == 3
    assert item["author"] == {"username": "camille", "display_name": "Camille"}
    assert item["url"] == f"http://testserver/ideas/{idea.pk}/"


def test_the_list_filters_and_sorts(api_client):
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    a = IdeaFactory(campaign=campaign, title="Solar roofs", vote_count=1, status=Status.SHORTLISTED)
    b = IdeaFactory(campaign=campaign, title="Bike lanes", vote_count=5, comment_count=9)
    a.tags.add(Tag.objects.create(name="energy"))
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    def ids(**params):
        response = api_client.get(url, params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(status="shortlisted") == [a.pk]
    assert ids(tag="energy") == [a.pk]
    assert ids(search="solar") == [a.pk]
    assert ids(ordering="most_supported") == [b.pk, a.pk]
    assert ids(ordering="most_discussed") == [b.pk, a.pk]
    assert ids(ordering="random", seed=5) == ids(ordering="random", seed=5)
    assert ids(page_size=1) == [b.pk] or ids(page_size=1) == [a.pk]


def test_bad_list_parameters_are_400_or_404(api_client):
    campaign = CampaignFactory()
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"
    response = api_client.get(url, {"status": "exploded"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "status" in response.json()["fields"]
    assert api_client.get(url, {"ordering": "sideways"}).status_code == 400
    assert api_client.get(url, {"page": "9999"}).json()["code"] == "not_found"
    assert api_client.get(url, {"page_size": "100000"}).status_code == 200


def test_hidden_counts_give_null_votes_and_no_sort_by_votes(api_client):
    campaign = CampaignFactory(phase=Phase.VOTING, hide_counts_while_voting=True)
    IdeaFactory.create_batch(3, campaign=campaign, vote_count=4)
    results = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/", {"ordering": "most_supported"}).json()
    assert [r["votes"] for r in results["results"]] == [None, None, None]


def test_an_anonymous_idea_has_a_null_author_for_the_public(api_client):
    author = UserFactory()
    coauthor = UserFactory()
    idea = IdeaFactory(campaign=CampaignFactory(allow_anonymous=True), author=author, anonymous=True)
    idea.coauthors.add(coauthor)
    url = f"/api/v1/ideas/{idea.pk}/"
    body = api_client.get(url).json()
    assert body["author"] is None
    assert body["co_authors"] == []
    assert body["anonymous"] is True
    as_user(api_client, "participant")
    assert api_client.get(url).json()["author"] is None
    for viewer in (author, coauthor, make_user("moderator")):
        api_client.force_authenticate(viewer)
        assert api_client.get(url).json()["author"]["username"] == author.username


# --- submit ------------------------------------------------------------------------------


def test_a_participant_submits_in_json(api_client):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, slug="energy")
    colleague = UserFactory(username="colleague")
    as_user(api_client, "participant")
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {
            "title": "Solar roofs",
            "summary": "Panels.",
            "body": "Long *text*.",
            "category": "energy",
            "tags": ["Energy", " Roofs "],
            "co_authors": ["colleague"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == IDEA_FIELDS
    assert body["category"] == "energy"
    assert sorted(body["tags"]) == ["energy", "roofs"]
    # Named co-authors are invited: listed once they accept (tests/ideas/test_coauthorship_api.py).
    assert body["co_authors"] == []
    assert Idea.objects.get(pk=body["id"]).coauthorships.get().user == colleague
    assert body["votes"] == 0
    assert Idea.objects.get().status == Status.PUBLISHED


def test_a_submission_in_multipart_takes_attachments(api_client):
    campaign = CampaignFactory()
    as_user(api_client, "participant")
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {
            "title": "With a picture",
            "summary": "See it.",
            "tags": ["a", "b"],
            "attachments": [SimpleUploadedFile("p.png", png(), "image/png")],
            "attachment_descriptions": ["A red square"],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    [attachment] = response.json()["attachments"]
    assert attachment["name"] == "p.png"
    assert attachment["description"] == "A red square"
    assert attachment["content_type"] == "image/png"
    assert attachment["url"].startswith("http://testserver/")
    assert sorted(response.json()["tags"]) == ["a", "b"]


def test_a_disguised_attachment_is_a_400(api_client):
    campaign = CampaignFactory()
    as_user(api_client, "participant")
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        {"title": "X", "summary": "Y", "attachments": [SimpleUploadedFile("p.png", b"<script>", "image/png")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "attachments" in response.json()["fields"]
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"category": "nope"}, "category"),
        ({"co_authors": ["ghost"]}, "co_authors"),
        ({"anonymous": True}, "anonymous"),
        ({"tags": ["x" * 41]}, "tags"),
        ({"tags": "not-a-list"}, "tags"),
    ],
)
def test_invalid_submissions_name_their_field(api_client, payload, field):
    campaign = CampaignFactory()
    as_user(api_client, "participant")
    data = {"title": "T", "summary": "S", **payload}
    response = api_client.post(f"/api/v1/campaigns/{campaign.slug}/ideas/", data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_a_late_submission_is_a_409_before_the_scheduler_runs(api_client):
    campaign = CampaignFactory()
    as_user(api_client, "participant")
    with freeze_time(campaign.submission_closes + dt.timedelta(seconds=1)):
        response = api_client.post(
            f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "T", "summary": "S"}, format="json"
        )
    assert response.status_code == 409
    assert response.json()["code"] == "submission_closed"


SUBMIT_MATRIX = [
    ("visitor", Audience.PUBLIC, Phase.SUBMISSION, 401, "not_authenticated"),
    ("unverified", Audience.PUBLIC, Phase.SUBMISSION, 403, "not_allowed"),
    ("participant", Audience.PUBLIC, Phase.SUBMISSION, 201, None),
    ("participant", Audience.PUBLIC, Phase.VOTING, 409, "submission_closed"),
    ("participant", Audience.PUBLIC, Phase.DRAFT, 404, "not_found"),
    ("participant", Audience.INTERNAL, Phase.SUBMISSION, 404, "not_found"),
    ("employee", Audience.INTERNAL, Phase.SUBMISSION, 201, None),
    ("employee", Audience.INTERNAL, Phase.ARCHIVED, 409, "submission_closed"),
    ("moderator", Audience.INTERNAL, Phase.SUBMISSION, 403, "not_allowed"),
    ("moderator", Audience.PUBLIC, Phase.SUBMISSION, 201, None),
    ("manager", Audience.PUBLIC, Phase.DRAFT, 409, "submission_closed"),
    ("company employee", Audience.INTERNAL, Phase.SUBMISSION, 201, None),
    ("company leaver", Audience.INTERNAL, Phase.SUBMISSION, 404, "not_found"),
    ("company leaver", Audience.PUBLIC, Phase.SUBMISSION, 201, None),
]


@pytest.mark.parametrize(("who", "audience", "phase", "status", "code"), SUBMIT_MATRIX)
def test_submit_permissions(api_client, who, audience, phase, status, code):
    campaign = CampaignFactory(audience=audience, phase=phase)
    as_user(api_client, who)
    response = api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "T", "summary": "S"}, format="json"
    )
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
        assert not Idea.objects.exists()


@pytest.mark.parametrize("who", ["employee", "company employee"])
def test_the_box_takes_ideas_from_employees(api_client, who):
    from tests.factories import the_box

    as_user(api_client, who)
    response = api_client.post(
        f"/api/v1/campaigns/{the_box().slug}/ideas/", {"title": "T", "summary": "S"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "under_review"
    as_user(api_client, "participant")
    assert api_client.get(f"/api/v1/campaigns/{the_box().slug}/ideas/").status_code == 404


# --- read and change one idea --------------------------------------------------------------


def test_the_author_patches_only_what_is_sent(api_client, participant):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, slug="energy")
    idea = IdeaFactory(campaign=campaign, author=participant, summary="Keep me")
    api_client.force_authenticate(participant)
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "New", "category": "energy"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "New"
    assert response.json()["summary"] == "Keep me"
    assert response.json()["category"] == "energy"


def test_someone_elses_patch_is_a_403_and_a_late_one_a_409(api_client, participant):
    campaign = CampaignFactory()
    idea = IdeaFactory(campaign=campaign, author=participant, title="Original")
    as_user(api_client, "participant")
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    api_client.force_authenticate(participant)
    with freeze_time(campaign.submission_closes):
        response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Late"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "submission_closed"
    assert Idea.objects.get(pk=idea.pk).title == "Original"
    api_client.force_authenticate(None)
    assert api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "x"}, format="json").status_code == 401


def test_read_only_fields_are_ignored_in_a_patch(api_client, participant):
    idea = IdeaFactory(campaign=CampaignFactory(), author=participant)
    api_client.force_authenticate(participant)
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"status": "awarded", "votes": 99}, format="json")
    assert response.status_code == 200
    idea.refresh_from_db()
    assert idea.status == Status.PUBLISHED
    assert idea.vote_count == 0


@pytest.mark.parametrize("who", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING, Phase.RESULTS])
def test_read_permissions(api_client, who, audience, phase):
    campaign = CampaignFactory(audience=audience, phase=phase)
    idea = IdeaFactory(campaign=campaign)
    as_user(api_client, who)
    who = answers_as(who)
    if phase == Phase.DRAFT:
        sees = who == "manager"
    elif audience == Audience.INTERNAL:
        sees = who in {"employee", "moderator", "manager"}
    else:
        sees = True
    expected = 200 if sees else 404
    urls = [
        f"/api/v1/campaigns/{campaign.slug}/ideas/",
        f"/api/v1/ideas/{idea.pk}/",
        f"/api/v1/ideas/{idea.pk}/comments/",
        f"/api/v1/campaigns/{campaign.slug}/ideas/similar/?q=idea",
    ]
    for url in urls:
        response = api_client.get(url)
        assert response.status_code == expected, url
        if expected == 404:
            assert response.json()["code"] == "not_found"


def test_hidden_ideas_are_404_for_the_public(api_client):
    author = UserFactory()
    idea = IdeaFactory(author=author, hidden=True, hidden_reason="spam")
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
    api_client.force_authenticate(author)
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").status_code == 200
    assert api_client.get("/api/v1/ideas/123456789/").status_code == 404


# --- comments, follow, similar ------------------------------------------------------------


def test_comments_list_and_post(api_client, participant):
    idea = IdeaFactory()
    top = CommentFactory(idea=idea, body="First")
    CommentFactory(idea=idea, body="Rude", hidden=True, hidden_reason="rude")
    url = f"/api/v1/ideas/{idea.pk}/comments/"
    body = api_client.get(url).json()
    assert body["count"] == 2
    assert body["results"][0]["body"] == "First"
    assert body["results"][1]["body"] == ""
    assert api_client.post(url, {"body": "Hi"}, format="json").status_code == 401
    api_client.force_authenticate(participant)
    response = api_client.post(url, {"body": "Reply", "parent": top.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["parent"] == top.pk
    assert response.json()["author"]["username"] == participant.username
    assert api_client.post(url, {"body": ""}, format="json").status_code == 400
    response = api_client.post(url, {"body": "x", "parent": 999999}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]
    assert Idea.objects.get(pk=idea.pk).comment_count == 1


def test_comments_on_a_hidden_idea_are_refused(api_client):
    author = UserFactory()
    idea = IdeaFactory(author=author, hidden=True, hidden_reason="spam")
    as_user(api_client, "participant")
    assert api_client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "x"}, format="json").status_code == 404
    api_client.force_authenticate(author)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "x"}, format="json")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_follow_and_unfollow_are_idempotent(api_client, participant):
    idea = IdeaFactory()
    url = f"/api/v1/ideas/{idea.pk}/follow/"
    assert api_client.post(url).status_code == 401
    api_client.force_authenticate(participant)
    assert api_client.post(url).json() == {"following": True, "followers": 1}
    assert api_client.post(url).json() == {"following": True, "followers": 1}
    assert api_client.delete(url).status_code == 204
    assert api_client.delete(url).status_code == 204
    assert not IdeaFollower.objects.exists()
    assert Idea.objects.get(pk=idea.pk).follower_count == 0


def test_similar_ideas(api_client):
    campaign = CampaignFactory()
    roofs = IdeaFactory(campaign=campaign, title="Solar roofs for depots")
    IdeaFactory(campaign=campaign, title="Bike lanes")
    body = api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/similar/", {"q": "solar roof"}).json()
    assert [i["id"] for i in body] == [roofs.pk]
    assert set(body[0]) == {"id", "title", "summary", "url"}
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/similar/").json() == []


# --- query counts ---------------------------------------------------------------------------


def count(api_client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(url)
    assert response.status_code == 200
    return len(captured)


def make_ideas(campaign, number):
    tags = [Tag.objects.get_or_create(name=f"t{i}")[0] for i in range(2)]
    category = CategoryFactory(campaign=campaign)
    for n in range(number):
        # Each from its own department, half of them anonymous (shown up to the division).
        idea = IdeaFactory(
            campaign=campaign, author=UserFactory(), category=category, entity=a_department(), anonymous=n % 2 == 0
        )
        idea.tags.set(tags)
        idea.coauthors.set([UserFactory()])


@pytest.mark.parametrize("who", ["visitor", "participant", "moderator"])
def test_the_list_query_count_stays_flat(api_client, who):
    campaign = CampaignFactory()
    as_user(api_client, who)
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/?ordering=random&seed=3"
    make_ideas(campaign, 3)
    api_client.get(url)  # force_authenticate keeps one user object: its role caches fill here
    three = count(api_client, url)
    make_ideas(campaign, 27)
    assert count(api_client, url) == three


def test_the_detail_and_comments_query_counts_stay_flat(api_client):
    idea = IdeaFactory()
    as_user(api_client, "participant")

    def grow(number):
        idea.tags.add(*[Tag.objects.create(name=f"tag-{Tag.objects.count()}-{i}") for i in range(number)])
        idea.coauthors.add(*[UserFactory() for _ in range(number)])
        for _ in range(number):
            CommentFactory(idea=idea, author=UserFactory())

    grow(3)
    api_client.get(f"/api/v1/ideas/{idea.pk}/")  # the user's role caches fill here
    detail, comments = (
        count(api_client, f"/api/v1/ideas/{idea.pk}/"),
        count(api_client, f"/api/v1/ideas/{idea.pk}/comments/"),
    )
    grow(27)
    assert count(api_client, f"/api/v1/ideas/{idea.pk}/") == detail
    assert count(api_client, f"/api/v1/ideas/{idea.pk}/comments/") == comments


def test_the_schema_documents_the_endpoints(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in [
        "/api/v1/campaigns/{slug}/ideas/",
        "/api/v1/ideas/{id}/",
        "/api/v1/ideas/{id}/comments/",
        "/api/v1/ideas/{id}/follow/",
        "/api/v1/campaigns/{slug}/ideas/similar/",
    ]:
        assert path in schema, path


def test_a_token_client_gets_a_stable_random_order_without_a_session(api_client):
    from django.contrib.sessions.models import Session

    from rest_framework.authtoken.models import Token

    campaign = CampaignFactory()
    IdeaFactory.create_batch(25, campaign=campaign)
    token = Token.objects.create(user=UserFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/?ordering=random"
    first = [r["id"] for r in api_client.get(url).json()["results"]]
    second = [r["id"] for r in api_client.get(url + "&page=2").json()["results"]]
    assert first == [r["id"] for r in api_client.get(url).json()["results"]]
    assert len(set(first + second)) == 25
    assert not Session.objects.exists()
