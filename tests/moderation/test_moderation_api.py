"""The moderation and review API: answers, refusal codes, permissions, query counts."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from campaigns.models import Audience
from ideas import tasks
from ideas.models import Comment, Idea, ModerationAction, Report, Status
from moderation import services as moderation
from tests.factories import (
    CampaignFactory,
    CommentFactory,
    IdeaFactory,
    UserFactory,
    company_employee,
    company_leaver,
    employee,
    the_box,
)

pytestmark = pytest.mark.django_db

ROLES = {
    "unverified": lambda: UserFactory(verified=False),
    "participant": lambda: UserFactory(),
    "employee": lambda: employee(),
    "manager": lambda: UserFactory(groups=["campaign managers"]),
    "moderator": lambda: UserFactory(groups=["moderators"]),
    "company employee": company_employee,
    "company leaver": company_leaver,
}


def as_role(api_client, role):
    if role is not None:
        user = ROLES[role]()
        api_client.force_authenticate(user)
        return user
    return None


def test_the_api_addresses_are_the_documented_ones():
    assert reverse("api:moderation-idea-report", args=[1]) == "/api/v1/ideas/1/report/"
    assert reverse("api:moderation-comment-report", args=[1]) == "/api/v1/comments/1/report/"
    assert reverse("api:moderation-queue") == "/api/v1/moderation/queue/"
    for action in ("hide", "restore", "approve", "merge", "review"):
        assert reverse(f"api:moderation-idea-{action}", args=[1]) == f"/api/v1/ideas/1/{action}/"
    for action in ("hide", "restore"):
        assert reverse(f"api:moderation-comment-{action}", args=[1]) == f"/api/v1/comments/1/{action}/"
    assert reverse("api:moderation-report-dismiss", args=[1]) == "/api/v1/reports/1/dismiss/"


# --- reports -------------------------------------------------------------------------------


def test_reporting_an_idea_answers_201_with_the_report(api_client, participant):
    idea = IdeaFactory()
    api_client.force_authenticate(participant)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/report/", {"reason": "Advert"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["idea"], body["comment"], body["reason"]) == (idea.pk, None, "Advert")


def test_a_second_report_is_a_409_conflict(api_client, participant):
    idea = IdeaFactory()
    api_client.force_authenticate(participant)
    api_client.post(f"/api/v1/ideas/{idea.pk}/report/", {"reason": "Advert"}, format="json")
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/report/", {"reason": "Advert"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "conflict", "detail": "You already reported this."}


def test_a_report_without_reason_is_a_400_naming_the_field(api_client, participant):
    api_client.force_authenticate(participant)
    response = api_client.post(f"/api/v1/ideas/{IdeaFactory().pk}/report/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["fields"]


def test_reporting_a_comment(api_client, participant):
    comment = CommentFactory()
    api_client.force_authenticate(participant)
    response = api_client.post(f"/api/v1/comments/{comment.pk}/report/", {"reason": "Rude"}, format="json")
    assert response.status_code == 201
    assert response.json()["comment"] == comment.pk


@pytest.mark.parametrize(
    ("role", "audience", "status", "code"),
    [
        (None, Audience.PUBLIC, 401, "not_authenticated"),
        ("unverified", Audience.PUBLIC, 403, "not_allowed"),
        ("participant", Audience.PUBLIC, 201, None),
        ("participant", Audience.INTERNAL, 404, "not_found"),
        ("employee", Audience.INTERNAL, 201, None),
        ("moderator", Audience.INTERNAL, 201, None),
        ("company employee", Audience.INTERNAL, 201, None),
        ("company leaver", Audience.INTERNAL, 404, "not_found"),
    ],
)
@pytest.mark.parametrize("target", ["ideas", "comments"])
def test_who_may_report_through_the_api(api_client, role, audience, status, code, target):
    as_role(api_client, role)
    idea = IdeaFactory(campaign=CampaignFactory(audience=audience))
    reported = idea if target == "ideas" else CommentFactory(idea=idea)
    response = api_client.post(f"/api/v1/{target}/{reported.pk}/report/", {"reason": "Advert"}, format="json")
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
        assert not Report.objects.exists()


# --- moderation actions -----------------------------------------------------------------------


def test_hiding_and_restoring_an_idea(api_client, moderator):
    idea = IdeaFactory(status=Status.SHORTLISTED)
    api_client.force_authenticate(moderator)
    hidden = api_client.post(f"/api/v1/ideas/{idea.pk}/hide/", {"reason": "Spam"}, format="json")
    assert hidden.status_code == 200
    assert hidden.json() == {
        "id": idea.pk,
        "status": "shortlisted",
        "approved": True,
        "hidden": True,
        "hidden_reason": "Spam",
        "merged_into": None,
        "comment_count": 0,
        "follower_count": 0,
    }
    restored = api_client.post(f"/api/v1/ideas/{idea.pk}/restore/", {}, format="json")
    assert restored.status_code == 200
    assert (restored.json()["hidden"], restored.json()["status"]) == (False, "shortlisted")


def test_hiding_without_reason_is_a_400(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/ideas/{IdeaFactory().pk}/hide/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"reason": ["Give a reason."]}


def test_hiding_twice_is_a_409(api_client, moderator):
    idea = IdeaFactory()
    api_client.force_authenticate(moderator)
    api_client.post(f"/api/v1/ideas/{idea.pk}/hide/", {"reason": "Spam"}, format="json")
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/hide/", {"reason": "Spam"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "conflict")


def test_approving(api_client, moderator):
    idea = IdeaFactory(approved=False)
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/approve/", format="json")
    assert (response.status_code, response.json()["approved"]) == (200, True)


def test_merging(api_client, moderator):
    campaign = CampaignFactory()
    source, target = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    api_client.force_authenticate(moderator)
    response = api_client.post(
        f"/api/v1/ideas/{source.pk}/merge/", {"target": target.pk, "reason": "Same"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["merged_into"]) == ("merged", target.pk)
    again = api_client.post(f"/api/v1/ideas/{source.pk}/merge/", {"target": target.pk, "reason": "Same"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


@pytest.mark.parametrize("target", [None, "abc", 0, 999999])
def test_merging_into_a_bad_target_is_a_400(api_client, moderator, target):
    api_client.force_authenticate(moderator)
    data = {"reason": "Same"} if target is None else {"target": target, "reason": "Same"}
    response = api_client.post(f"/api/v1/ideas/{IdeaFactory().pk}/merge/", data, format="json")
    assert response.status_code == 400
    assert "target" in response.json()["fields"]


def test_merging_across_campaigns_is_a_400(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        f"/api/v1/ideas/{IdeaFactory().pk}/merge/", {"target": IdeaFactory().pk, "reason": "Same"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_hiding_and_restoring_a_comment(api_client, moderator):
    comment = CommentFactory()
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/comments/{comment.pk}/hide/", {"reason": "Rude"}, format="json")
    assert response.json() == {"id": comment.pk, "idea": comment.idea_id, "hidden": True, "hidden_reason": "Rude"}
    response = api_client.post(f"/api/v1/comments/{comment.pk}/restore/", {}, format="json")
    assert response.json()["hidden"] is False


def test_dismissing_a_report(api_client, moderator):
    report = Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="x")
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/reports/{report.pk}/dismiss/", {"reason": "Fine"}, format="json")
    assert response.status_code == 200
    assert response.json()["resolution"] == "dismissed"
    again = api_client.post(f"/api/v1/reports/{report.pk}/dismiss/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


HIDDEN = {"participant": 404, "employee": 404, "manager": 404, "unverified": 404}
VISIBLE = {"participant": 403, "employee": 403, "manager": 403, "unverified": 403}
CASES = [
    ("ideas/{pk}/hide/", {"reason": "Spam"}, lambda: IdeaFactory(), VISIBLE),
    ("ideas/{pk}/restore/", {}, lambda: IdeaFactory(hidden=True, hidden_reason="x"), HIDDEN),
    ("ideas/{pk}/approve/", {}, lambda: IdeaFactory(approved=False), HIDDEN),
    ("ideas/{pk}/merge/", {"reason": "Same"}, lambda: IdeaFactory(), VISIBLE),
    (
        "ideas/{pk}/review/",
        {"status": "accepted"},
        lambda: IdeaFactory(campaign=the_box()),
        {"participant": 404, "unverified": 404, "employee": 403, "manager": 403},
    ),
    ("comments/{pk}/hide/", {"reason": "Rude"}, lambda: CommentFactory(), VISIBLE),
    ("comments/{pk}/restore/", {}, lambda: CommentFactory(hidden=True, hidden_reason="x"), HIDDEN),
    (
        "reports/{pk}/dismiss/",
        {},
        lambda: Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="x"),
        VISIBLE,
    ),
]


@pytest.mark.parametrize(("path", "data", "make", "refusals"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("role", [None, "unverified", "participant", "employee", "manager", "moderator"])
def test_the_permission_matrix_of_moderation_endpoints(api_client, path, data, make, refusals, role):
    as_role(api_client, role)
    obj = make()
    if "merge" in path:
        data = {**data, "target": IdeaFactory(campaign=obj.campaign).pk}
    response = api_client.post("/api/v1/" + path.format(pk=obj.pk), data, format="json")
    if role is None:
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    elif role == "moderator":
        assert response.status_code == 200
    else:
        expected = refusals[role]
        assert response.status_code == expected
        assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[expected]
        assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("path", [c[0] for c in CASES] + ["ideas/{pk}/report/", "comments/{pk}/report/"])
def test_an_unknown_object_is_a_404(api_client, moderator, path):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        "/api/v1/" + path.format(pk=999999), {"reason": "x", "status": "accepted"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("path", ["ideas/1/hide/", "moderation/queue/"])
def test_wrong_methods_are_405(api_client, moderator, path):
    api_client.force_authenticate(moderator)
    method = api_client.post if path.endswith("queue/") else api_client.get
    assert method("/api/v1/" + path).status_code == 405


# --- review -------------------------------------------------------------------------------------


def test_reviewing_answers_with_the_new_status(api_client, moderator):
    idea = IdeaFactory(campaign=the_box())
    api_client.force_authenticate(moderator)
    with mock.patch.object(tasks.idea_status_changed, "delay"):
        response = api_client.post(
            f"/api/v1/ideas/{idea.pk}/review/", {"status": "rejected", "reason": "No budget"}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["reason"]) == (idea.pk, "rejected", "No budget")
    assert body["first_answer_at"] is not None


def test_a_wrong_move_is_a_409_invalid_transition(api_client, moderator):
    idea = IdeaFactory(campaign=the_box())
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/review/", {"status": "implemented"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


def test_a_rejection_without_reason_is_a_400(api_client, moderator):
    idea = IdeaFactory(campaign=the_box())
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/review/", {"status": "rejected"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "reason" in response.json()["fields"]


@pytest.mark.parametrize("status", ["published", "merged", "nonsense", ""])
def test_a_status_outside_the_box_lifecycle_is_a_400(api_client, moderator, status):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        f"/api/v1/ideas/{IdeaFactory(campaign=the_box()).pk}/review/", {"status": status}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_reviewing_a_challenge_idea_is_a_409(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/ideas/{IdeaFactory().pk}/review/", {"status": "accepted"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


# --- the queue ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("unverified", 403), ("participant", 403), ("employee", 403), ("manager", 403), ("moderator", 200)],
)
def test_only_moderators_read_the_queue(api_client, role, status):
    as_role(api_client, role)
    assert api_client.get("/api/v1/moderation/queue/").status_code == status


def test_the_queue_lists_open_reports_paginated(api_client, moderator):
    idea = IdeaFactory(title="Spammy")
    Report.objects.create(reporter=UserFactory(username="rita"), idea=idea, reason="Advert")
    comment = CommentFactory(body="Rude words")
    Report.objects.create(reporter=UserFactory(), comment=comment, reason="Rude")
    api_client.force_authenticate(moderator)
    body = api_client.get("/api/v1/moderation/queue/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["target_type"], first["idea"], first["excerpt"], first["reporter"]["username"]) == (
        "idea",
        idea.pk,
        "Spammy",
        "rita",
    )
    assert (second["target_type"], second["comment"], second["idea"], second["excerpt"]) == (
        "comment",
        comment.pk,
        comment.idea_id,
        "Rude words",
    )


def test_the_queue_lists_ideas_awaiting_approval_and_hidden_items(api_client, moderator):
    waiting = IdeaFactory(approved=False)
    hidden = IdeaFactory()
    moderation.hide_idea(idea=hidden, by=moderator, reason="Spam")
    comment = CommentFactory()
    moderation.hide_comment(comment=comment, by=moderator, reason="Rude")
    api_client.force_authenticate(moderator)
    assert [i["id"] for i in api_client.get("/api/v1/moderation/queue/?kind=approval").json()["results"]] == [
        waiting.pk
    ]
    assert [i["id"] for i in api_client.get("/api/v1/moderation/queue/?kind=hidden_ideas").json()["results"]] == [
        hidden.pk
    ]
    assert [c["id"] for c in api_client.get("/api/v1/moderation/queue/?kind=hidden_comments").json()["results"]] == [
        comment.pk
    ]


def test_an_unknown_queue_kind_is_a_400(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.get("/api/v1/moderation/queue/?kind=everything")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize("kind", ["reports", "approval", "hidden_ideas", "hidden_comments"])
def test_the_queue_costs_the_same_queries_with_3_or_30_items(api_client, moderator, kind):
    def add(n):
        for _ in range(n):
            idea = IdeaFactory()
            Report.objects.create(reporter=UserFactory(), idea=idea, reason="x")
            Report.objects.create(reporter=UserFactory(), comment=CommentFactory(idea=idea), reason="x")
            IdeaFactory(approved=False)
            Idea.objects.filter(pk=IdeaFactory().pk).update(hidden=True, hidden_reason="x")
            ModerationAction.objects.create(action="hide", idea=Idea.objects.filter(hidden=True).last(), reason="x")
            hidden = CommentFactory(hidden=True, hidden_reason="x")
            ModerationAction.objects.create(action="hide", idea=hidden.idea, comment=hidden, reason="x")

    def count():
        api_client.force_authenticate(type(moderator).objects.get(pk=moderator.pk))
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(f"/api/v1/moderation/queue/?kind={kind}&page_size=100").status_code == 200
        return len(captured)

    add(3)
    few = count()
    add(27)
    assert count() == few
    assert Comment.objects.filter(hidden=True).count() == 30
