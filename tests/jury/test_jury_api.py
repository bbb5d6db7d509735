"""The jury API: the contract, who may call what, and the refusal codes."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from freezegun import freeze_time

from campaigns.models import Audience, Phase
from ideas.models import Status
from jury import services
from jury.models import Award, Conflict, Criterion, Juror, Jury, Score
from tests.factories import COMPANY_ROLES, CampaignFactory, IdeaFactory, UserFactory, answers_as, user_with_role
from tests.jury.test_scoring import full_scores, jury_campaign, manager_user

pytestmark = pytest.mark.django_db

OTHERS = ["visitor", "unverified", "participant", "employee", "moderator", *COMPANY_ROLES]


def as_user(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


# --- jurors' endpoints -----------------------------------------------------------------------


def test_the_jury_ideas_list_has_the_documented_fields(api_client):
    campaign, ideas, jurors, criteria = jury_campaign(ideas=2)
    me = jurors[1]
    ideas[1].coauthors.add(me.user)
    services.save_evaluation(campaign=campaign, user=me.user, idea=ideas[0], scores={criteria[0].pk: 4}, comment="Hm")
    response = as_user(api_client, me.user).get(f"/api/v1/campaigns/{campaign.slug}/jury/ideas/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    items = {item["id"]: item for item in body["results"]}
    first = items[ideas[0].pk]
    assert set(first) == {
        "id", "title", "summary", "status", "author", "votes", "scores", "comment",
        "conflict", "own", "can_score", "marks", "disputed",
    }  # fmt: skip
    assert first["scores"] == {str(criteria[0].pk): 4}
    assert first["comment"] == "Hm"
    assert first["author"] == {"username": ideas[0].author.username, "display_name": ideas[0].author.public_name}
    assert (first["status"], first["votes"], first["marks"], first["can_score"]) == ("shortlisted", 0, 1, True)
    assert (first["own"], first["conflict"], first["disputed"]) == (False, False, False)
    assert items[ideas[1].pk]["own"] is True and items[ideas[1].pk]["can_score"] is False


def test_blind_review_nulls_author_and_votes(api_client):
    campaign, _ideas, jurors, _criteria = jury_campaign(blind_review=True)
    body = as_user(api_client, jurors[0].user).get(f"/api/v1/campaigns/{campaign.slug}/jury/ideas/").json()
    assert all(item["author"] is None and item["votes"] is None for item in body["results"])
    api_client.force_authenticate(manager_user())
    body = api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury/ideas/").json()
    assert all(item["author"] is not None for item in body["results"])


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_the_jury_endpoints_are_not_found_for_everyone_else(api_client, role, audience):
    campaign, ideas, _jurors, criteria = jury_campaign(audience=audience)
    as_user(api_client, user_with_role(role))
    base = f"/api/v1/campaigns/{campaign.slug}/jury/"
    expected = 401 if role == "visitor" else 404
    assert api_client.get(base + "ideas/").status_code == 404
    assert api_client.get(base + "progress/").status_code == 404
    response = api_client.put(base + f"scores/{ideas[0].pk}/", {"scores": {str(criteria[0].pk): 3}}, format="json")
    assert response.status_code == expected
    assert response.json()["code"] == ("not_authenticated" if role == "visitor" else "not_found")
    assert api_client.post(base + f"conflicts/{ideas[0].pk}/", {}, format="json").status_code == expected
    assert not Score.objects.exists()


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_a_juror_scores_through_the_api(api_client, audience):
    campaign, ideas, jurors, criteria = jury_campaign(audience=audience)
    as_user(api_client, jurors[1].user)
    url = f"/api/v1/campaigns/{campaign.slug}/jury/scores/{ideas[0].pk}/"
    response = api_client.put(url, {"scores": {str(criteria[0].pk): 2}, "comment": "Nice"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["idea"] == ideas[0].pk and body["scores"] == {str(criteria[0].pk): 2} and body["comment"] == "Nice"
    assert "updated_at" in body
    response = api_client.put(url, {"scores": {str(criteria[1].pk): 5, str(criteria[0].pk): None}}, format="json")
    assert response.json()["scores"] == {str(criteria[1].pk): 5}
    assert response.json()["comment"] == "Nice"


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"X": 3}, "X"),
        ({"999999": 3}, "999999"),
        ("first", None),
        ({"C0": 6}, "C0"),
        ({"C0": "3.5"}, "C0"),
        ({"C0": 2.5}, "C0"),
    ],
)
def test_bad_scores_are_invalid_with_fields(api_client, scores, field):
    campaign, ideas, jurors, criteria = jury_campaign()
    if isinstance(scores, dict) and "C0" in scores:
        scores = {str(criteria[0].pk): scores["C0"]}
        field = str(criteria[0].pk)
    as_user(api_client, jurors[0].user)
    response = api_client.put(
        f"/api/v1/campaigns/{campaign.slug}/jury/scores/{ideas[0].pk}/", {"scores": scores}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field is None or field in body["fields"]


def test_the_refusal_codes_of_scoring(api_client):
    campaign, ideas, jurors, criteria = jury_campaign()
    user = jurors[0].user
    own = IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, author=user)
    published = IdeaFactory(campaign=campaign)
    Conflict.objects.create(juror=jurors[0], idea=ideas[1])
    as_user(api_client, user)
    scores = {"scores": {str(criteria[0].pk): 3}}

    def put(idea_id):
        return api_client.put(f"/api/v1/campaigns/{campaign.slug}/jury/scores/{idea_id}/", scores, format="json")

    assert (put(own.pk).status_code, put(own.pk).json()["code"]) == (403, "own_idea")
    assert (put(published.pk).status_code, put(published.pk).json()["code"]) == (404, "not_found")
    assert (put(999999).status_code, put(999999).json()["code"]) == (404, "not_found")
    assert (put(ideas[1].pk).status_code, put(ideas[1].pk).json()["code"]) == (409, "conflict_declared")
    with freeze_time(campaign.deliberation_ends + datetime.timedelta(seconds=1)):
        assert (put(ideas[0].pk).status_code, put(ideas[0].pk).json()["code"]) == (409, "jury_closed")
    response = api_client.post(f"/api/v1/campaigns/{campaign.slug}/jury/conflicts/{ideas[1].pk}/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "conflict_declared")
    assert api_client.delete(f"/api/v1/campaigns/{campaign.slug}/jury/conflicts/{ideas[1].pk}/").status_code == 405
    assert not Score.objects.exists()


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.RESULTS])
def test_scoring_outside_deliberation_is_jury_closed(api_client, phase):
    campaign, ideas, jurors, criteria = jury_campaign(phase=phase)
    response = as_user(api_client, jurors[0].user).put(
        f"/api/v1/campaigns/{campaign.slug}/jury/scores/{ideas[0].pk}/", {"scores": {}}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "jury_closed")


def test_a_juror_declares_a_conflict_through_the_api(api_client):
    campaign, ideas, jurors, criteria = jury_campaign()
    services.save_evaluation(
        campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria), comment=""
    )
    response = as_user(api_client, jurors[0].user).post(
        f"/api/v1/campaigns/{campaign.slug}/jury/conflicts/{ideas[0].pk}/", {"reason": "Family"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["idea"] == ideas[0].pk and response.json()["reason"] == "Family"
    assert not Score.objects.exists()


def test_the_jury_ideas_queries_stay_flat(api_client):
    def count(n):
        campaign, ideas, jurors, criteria = jury_campaign(ideas=n, jurors=3)
        for idea in ideas:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=idea, scores=full_scores(criteria), comment=""
            )
            idea.coauthors.add(UserFactory())
        api_client.force_authenticate(jurors[0].user)
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury/ideas/?page_size=100")
        assert response.status_code == 200 and response.json()["count"] == n
        return len(ctx.captured_queries)

    count(3)
    assert count(3) == count(30)


def test_the_ideas_list_is_paginated(api_client):
    campaign, _ideas, jurors, _criteria = jury_campaign(ideas=5)
    body = as_user(api_client, jurors[0].user).get(f"/api/v1/campaigns/{campaign.slug}/jury/ideas/?page_size=2").json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury/ideas/?page=99").status_code == 404


# --- progress -------------------------------------------------------------------------------


def test_managers_and_the_chair_read_the_progress(api_client):
    campaign, ideas, jurors, criteria = jury_campaign()
    services.save_evaluation(
        campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria), comment=""
    )
    for user in (manager_user(), jurors[0].user):
        api_client.force_authenticate(user)
        response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury/progress/")
        assert response.status_code == 200
        body = response.json()
        assert (body["given"], body["expected"], body["scoring_open"]) == (2, 12, True)
        rows = {row["id"]: row for row in body["jurors"]}
        assert rows[jurors[1].pk] | {"display_name": None} == {
            "id": jurors[1].pk, "display_name": None, "is_chair": False, "given": 2, "expected": 6, "finished": False,
        }  # fmt: skip
        assert {row["id"] for row in body["ideas"]} == {idea.pk for idea in ideas}
    api_client.force_authenticate(jurors[1].user)
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury/progress/").status_code == 404


# --- setup --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "participant", "employee"])
def test_anyone_who_sees_the_campaign_reads_its_jury_setup(api_client, role):
    campaign, _ideas, jurors, criteria = jury_campaign(phase=Phase.SUBMISSION, ideas=0)
    Award.objects.create(campaign=campaign, name="Grand prize", prize="A trip")
    response = as_user(api_client, user_with_role(role)).get(f"/api/v1/campaigns/{campaign.slug}/jury-setup/")
    assert response.status_code == 200
    body = response.json()
    assert (body["public_weight"], body["jury_weight"], body["shortlist_size"], body["blind_review"]) == (
        "0.50",
        "0.50",
        10,
        False,
    )
    assert [j["is_chair"] for j in body["jurors"]] == [True, False]
    assert set(body["jurors"][0]) == {"id", "display_name", "is_chair"}
    assert [c["name"] for c in body["criteria"]] == [c.name for c in criteria]
    assert body["awards"] == [
        {"id": Award.objects.get().pk, "name": "Grand prize", "prize": "A trip", "basis": "jury", "position": 0}
    ]


@pytest.mark.parametrize("role", ["visitor", "participant", "company leaver"])
def test_an_internal_campaigns_jury_setup_is_not_found_for_outsiders(api_client, role):
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=Phase.SUBMISSION, audience=Audience.INTERNAL)
    as_user(api_client, user_with_role(role))
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury-setup/").status_code == 404
    api_client.force_authenticate(jurors[1].user)  # an outside juror sees it
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury-setup/").status_code == 200


SETUP_CALLS = {
    "add-juror": ("post", "jurors/", lambda c: {"who": "alice"}, 201),
    "set-chair": ("patch", "jurors/{juror}/", lambda c: {"is_chair": True}, 200),
    "remove-juror": ("delete", "jurors/{juror}/", lambda c: None, 204),
    "add-criterion": ("post", "criteria/", lambda c: {"name": "Reach"}, 201),
    "update-criterion": ("patch", "criteria/{criterion}/", lambda c: {"name": "Reach"}, 200),
    "delete-criterion": ("delete", "criteria/{criterion}/", lambda c: None, 204),
    "order-criteria": ("put", "criteria/order/", lambda c: {"ids": c["criteria"][::-1]}, 200),
    "add-award": ("post", "awards/", lambda c: {"name": "Grand prize"}, 201),
    "update-award": ("patch", "awards/{award}/", lambda c: {"name": "Big prize"}, 200),
    "delete-award": ("delete", "awards/{award}/", lambda c: None, 204),
    "order-awards": ("put", "awards/order/", lambda c: {"ids": c["awards"][::-1]}, 200),
}


def _setup_state(campaign) -> tuple:
    return (
        list(Juror.objects.filter(campaign=campaign).values_list("pk", "user_id", "is_chair").order_by("pk")),
        list(Criterion.objects.filter(campaign=campaign).values_list("pk", "name", "position").order_by("pk")),
        list(Award.objects.filter(campaign=campaign).values_list("pk", "name", "position").order_by("pk")),
    )


@pytest.mark.parametrize("call", SETUP_CALLS)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("role", [*OTHERS, "juror", "chair", "manager"])
def test_the_jury_setup_api_writes_are_for_managers_only(api_client, role, audience, call):
    campaign, _ideas, jurors, criteria = jury_campaign(phase=Phase.SUBMISSION, audience=audience, ideas=0)
    UserFactory(username="alice")
    awards = [Award.objects.create(campaign=campaign, name=f"Award {i}", position=i) for i in range(2)]
    user = {"juror": jurors[1].user, "chair": jurors[0].user, "manager": manager_user()}.get(role)
    as_user(api_client, user or user_with_role(role))
    method, path, data, success = SETUP_CALLS[call]
    ids = {"criteria": [c.pk for c in criteria], "awards": [a.pk for a in awards]}
    url = f"/api/v1/campaigns/{campaign.slug}/jury-setup/" + path.format(
        juror=jurors[1].pk, criterion=criteria[0].pk, award=awards[0].pk
    )
    before = _setup_state(campaign)
    response = getattr(api_client, method)(url, data(ids), format="json")
    if role == "manager":
        assert response.status_code == success
        assert _setup_state(campaign) != before
        return
    sees = audience == Audience.PUBLIC or answers_as(role) in {"employee", "moderator", "juror", "chair"}
    if role == "visitor":
        status, code = 401, "not_authenticated"
    elif not sees:
        status, code = 404, "not_found"
    else:
        status, code = 403, "permission_denied"
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert _setup_state(campaign) == before


def test_a_draft_campaigns_jury_setup_is_not_found_for_the_public(api_client):
    campaign = CampaignFactory(phase=Phase.DRAFT)
    assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury-setup/").status_code == 404


def test_a_manager_sets_up_the_jury_through_the_api(api_client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    UserFactory(username="alice")
    api_client.force_authenticate(manager_user())
    base = f"/api/v1/campaigns/{campaign.slug}/jury-setup/"
    response = api_client.put(base, {"public_weight": "0.3", "shortlist_size": 5, "blind_review": True}, format="json")
    assert response.status_code == 200
    assert (response.json()["jury_weight"], response.json()["shortlist_size"]) == ("0.70", 5)
    response = api_client.post(base + "jurors/", {"who": "alice", "chair": True}, format="json")
    assert response.status_code == 201 and response.json()["is_chair"] is True
    juror_id = response.json()["id"]
    response = api_client.patch(base + f"jurors/{juror_id}/", {"is_chair": False}, format="json")
    assert response.status_code == 200 and not Juror.objects.get().is_chair
    a = api_client.post(base + "criteria/", {"name": "Impact", "weight": 3}, format="json")
    b = api_client.post(base + "criteria/", {"name": "Cost"}, format="json")
    assert (a.status_code, b.status_code) == (201, 201)
    assert b.json() == {"id": b.json()["id"], "name": "Cost", "description": "", "weight": 1, "position": 1}
    response = api_client.put(base + "criteria/order/", {"ids": [b.json()["id"], a.json()["id"]]}, format="json")
    assert [c["name"] for c in response.json()] == ["Cost", "Impact"]
    response = api_client.patch(base + f"criteria/{a.json()['id']}/", {"weight": 9}, format="json")
    assert response.json()["weight"] == 9
    award = api_client.post(
        base + "awards/", {"name": "Public's choice", "basis": "public", "prize": "Mug"}, format="json"
    )
    assert award.status_code == 201 and award.json()["basis"] == "public"
    assert (
        api_client.patch(base + f"awards/{award.json()['id']}/", {"prize": "Cup"}, format="json").json()["prize"]
        == "Cup"
    )
    assert api_client.put(base + "awards/order/", {"ids": [award.json()["id"]]}, format="json").status_code == 200
    assert api_client.delete(base + f"awards/{award.json()['id']}/").status_code == 204
    assert api_client.delete(base + f"criteria/{b.json()['id']}/").status_code == 204
    assert api_client.delete(base + f"jurors/{juror_id}/").status_code == 204
    assert (Criterion.objects.count(), Award.objects.count(), Juror.objects.count()) == (1, 0, 0)


def test_setup_writes_refusals(api_client):
    campaign = CampaignFactory(phase=Phase.VOTING)
    criterion = Criterion.objects.create(campaign=campaign, name="Impact")
    base = f"/api/v1/campaigns/{campaign.slug}/jury-setup/"
    assert api_client.post(base + "criteria/", {"name": "X"}, format="json").status_code == 401
    api_client.force_authenticate(UserFactory())
    response = api_client.post(base + "criteria/", {"name": "X"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    api_client.force_authenticate(manager_user())
    response = api_client.post(base + "criteria/", {"name": "X"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "jury_locked")
    response = api_client.put(base, {"public_weight": "0.1"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "jury_locked")
    assert api_client.delete(base + f"criteria/{criterion.pk}/").json()["code"] == "jury_locked"
    assert api_client.delete(base + "criteria/999999/").status_code == 404
    response = api_client.post(base + "jurors/", {"who": "nobody"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "who" in response.json()["fields"]
    response = api_client.put(base, {"public_weight": "abc"}, format="json")
    assert response.status_code == 400
    assert api_client.get("/api/v1/campaigns/nope/jury-setup/").status_code == 404
    assert Jury.objects.filter(campaign=campaign, public_weight=0.1).count() == 0


def test_blind_review_hides_the_votes_from_the_chair_in_the_progress(api_client):
    campaign, _ideas, jurors, _criteria = jury_campaign(blind_review=True)
    body = as_user(api_client, jurors[0].user).get(f"/api/v1/campaigns/{campaign.slug}/jury/progress/").json()
    assert {row["votes"] for row in body["ideas"]} == {None}
    api_client.force_authenticate(manager_user())
    body = api_client.get(f"/api/v1/campaigns/{campaign.slug}/jury/progress/").json()
    assert {row["votes"] for row in body["ideas"]} == {0}
