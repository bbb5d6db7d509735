"""The awards API: GET /api/v1/campaigns/{slug}/jury/awards/, PUT and DELETE
.../awards/{award_id}/: who reads and who writes (role × audience × phase),
the refusals' codes, the body, blind review and flat query counts. Public
awards are decided from the tally, never through the API."""

import pytest
from rest_framework.test import APIClient

from campaigns.models import Audience, Phase
from jury import award_services
from jury.models import Award, AwardBasis, Jury
from tests.factories import ROLES, user_with_role
from tests.jury.test_award_pages import build, queries_of
from tests.jury.test_awards import tallied
from tests.jury.test_ranking import award, criterion, deliberating, juror, ranked_campaign, score, shortlisted

pytestmark = pytest.mark.django_db

ALL_ROLES = (*ROLES, "juror", "chair")
SEES = {"manager", "juror", "chair"}
DECIDES = {"manager", "chair"}


def url(campaign, award_id=None) -> str:
    base = f"/api/v1/campaigns/{campaign.slug}/jury/awards/"
    return f"{base}{award_id}/" if award_id else base


def api_as(campaign, role) -> APIClient:
    api = APIClient()
    if role in ("juror", "chair"):
        user = juror(campaign, chair=role == "chair").user
    else:
        user = user_with_role(role)
    if user is not None:
        api.force_authenticate(user)
    api.user = user
    return api


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
def test_who_reads_and_who_decides(role, audience, phase):
    campaign, (first, *_rest) = ranked_campaign(audience=audience, phase=phase)
    grand = award(campaign)
    api = api_as(campaign, role)

    read = api.get(url(campaign))
    put = api.put(url(campaign, grand.pk), {"winner": first.pk}, format="json")

    if role not in SEES:
        assert (read.status_code, read.json()["code"]) == (404, "not_found")
        assert (put.status_code, put.json()["code"]) == (404, "not_found")
        return
    assert read.status_code == 200
    assert read.json()["may_decide"] == (role in DECIDES)
    if role not in DECIDES:
        assert (put.status_code, put.json()["code"]) == (403, "permission_denied")
    elif phase != Phase.DELIBERATION:
        assert (put.status_code, put.json()["code"]) == (409, "awards_closed")
    else:
        assert put.status_code == 200
    assert Award.objects.get(pk=grand.pk).winner_id == (
        first.pk if role in DECIDES and phase == Phase.DELIBERATION else None
    )


def test_the_overview_body(manager):
    campaign, (first, second, _third) = ranked_campaign()
    innovation = criterion(campaign)
    score(juror(campaign), second, {innovation: 4})
    grand = award(campaign, "Grand prize", prize="A trip")
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)
    award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)
    award_services.decide_award(award=grand, by=manager, winner=second)
    api = APIClient()
    api.force_authenticate(manager)

    body = api.get(url(campaign)).json()

    assert body["phase"] == "deliberation" and body["may_leave_deliberation"] and body["published_at"] is None
    decided, by_votes = body["awards"]
    assert decided == {
        "id": grand.pk,
        "name": "Grand prize",
        "position": 0,
        "prize": "A trip",
        "basis": "jury",
        "winner": {"id": second.pk, "title": second.title},
        "justification": "",
        "decided_by": {"username": manager.username, "display_name": manager.public_name},
        "decided_at": decided["decided_at"],
        "suggested": second.pk,
        "votes": None,
        "history": [],
    }
    assert by_votes == {
        "id": public.pk,
        "name": "Public's choice",
        "position": 1,
        "prize": "A trip",
        "basis": "public",
        "winner": {"id": first.pk, "title": first.title},
        "justification": "",
        "decided_by": None,
        "decided_at": by_votes["decided_at"],
        "suggested": first.pk,
        "votes": 30,
        "history": [{"at": by_votes["decided_at"], "reason": "tally", "previous_winner": None, "winner": first.pk}],
    }
    top = body["ranking"][0]
    assert top == {
        "rank": 1,
        "idea": {"id": first.pk, "title": first.title},
        "votes": 30,
        "jury_average": None,
        "marks": 0,
        "final_score": "1.0000",
        "unscored": True,
        "disputed": False,
    }
    assert body["ranking"][1]["jury_average"] == "4.000"


def test_a_departure_needs_a_justification_in_the_api(manager):
    campaign, (_first, second, _third) = ranked_campaign()
    grand = award(campaign)
    api = APIClient()
    api.force_authenticate(manager)

    refused = api.put(url(campaign, grand.pk), {"winner": second.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and "justification" in refused.json()["fields"]

    decided = api.put(url(campaign, grand.pk), {"winner": second.pk, "justification": "Sound plan."}, format="json")
    assert decided.status_code == 200
    assert decided.json()["justification"] == "Sound plan."
    assert decided.json()["winner"]["id"] == second.pk


def test_an_idea_that_already_won_is_a_409_already_awarded(manager):
    campaign, (first, *_rest) = ranked_campaign()
    grand, special = award(campaign, "Grand prize"), award(campaign, "Special mention")
    award_services.decide_award(award=grand, by=manager, winner=first)
    api = APIClient()
    api.force_authenticate(manager)

    response = api.put(url(campaign, special.pk), {"winner": first.pk, "justification": "x"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "already_awarded")


@pytest.mark.parametrize(
    "payload",
    [{}, {"winner": "abc"}, {"winner": None}, {"winner": 999999}, {"winner": 1.5}, {"winner": [1]}, "not json"],
)
def test_bad_input_is_a_400(manager, payload):
    campaign, _ideas = ranked_campaign()
    grand = award(campaign)
    api = APIClient()
    api.force_authenticate(manager)

    if payload == "not json":
        response = api.generic("PUT", url(campaign, grand.pk), "{not json", content_type="application/json")
    else:
        response = api.put(url(campaign, grand.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_idea_of_another_campaign_is_refused_as_off_the_shortlist(manager):
    campaign, _ideas = ranked_campaign()
    grand = award(campaign)
    elsewhere = shortlisted(deliberating(), votes=100)
    api = APIClient()
    api.force_authenticate(manager)

    response = api.put(url(campaign, grand.pk), {"winner": elsewhere.pk, "justification": "x"}, format="json")

    assert response.status_code == 400
    assert "winner" in response.json()["fields"]


def test_an_unknown_award_or_one_of_another_campaign_is_404(manager):
    campaign, (first, *_rest) = ranked_campaign()
    elsewhere = award(deliberating())
    api = APIClient()
    api.force_authenticate(manager)

    assert api.put(url(campaign, elsewhere.pk), {"winner": first.pk}, format="json").status_code == 404
    assert api.delete(url(campaign, 999999)).status_code == 404
    assert api.get("/api/v1/campaigns/nope/jury/awards/").status_code == 404


def test_delete_takes_the_decision_back(manager):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    award_services.decide_award(award=grand, by=manager, winner=first)
    api = APIClient()
    api.force_authenticate(manager)

    response = api.delete(url(campaign, grand.pk))

    assert response.status_code == 204
    assert Award.objects.get(pk=grand.pk).winner_id is None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_may_delete(role):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    Award.objects.filter(pk=grand.pk).update(winner=first, decided_at="2026-01-01T00:00Z")
    api = api_as(campaign, role)

    deleted = api.delete(url(campaign, grand.pk))

    expected = 404 if role not in SEES else 403 if role not in DECIDES else 204
    assert deleted.status_code == expected
    assert Award.objects.get(pk=grand.pk).winner_id == (None if expected == 204 else first.pk)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_nobody_decides_the_public_awards_through_the_api(role):
    campaign, _ideas = ranked_campaign()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    api = api_as(campaign, role)

    response = api.post(f"{url(campaign)}decide-public/")

    # the path is no endpoint any more: the JSON 404 of unknown API paths
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Award.objects.get(pk=public.pk).is_decided


def test_put_and_delete_are_refused_for_a_public_award(manager):
    campaign, (first, second, _third) = ranked_campaign()
    public = award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)
    award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)
    api = APIClient()
    api.force_authenticate(manager)

    put = api.put(url(campaign, public.pk), {"winner": second.pk, "justification": "Ours."}, format="json")
    deleted = api.delete(url(campaign, public.pk))

    assert (put.status_code, put.json()["code"]) == (400, "invalid")
    assert (deleted.status_code, deleted.json()["code"]) == (400, "invalid")
    assert Award.objects.get(pk=public.pk).winner_id == first.pk


@pytest.mark.parametrize(("role", "sees_votes"), [("manager", True), ("chair", False), ("juror", False)])
def test_blind_review_hides_the_public_winners_votes_from_jurors(role, sees_votes):
    campaign, _ideas = ranked_campaign()
    Jury.objects.filter(campaign=campaign).update(blind_review=True)
    award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)

    (public,) = api_as(campaign, role).get(url(campaign)).json()["awards"]

    assert public["votes"] == (30 if sees_votes else None)


@pytest.mark.parametrize(("role", "sees_votes"), [("manager", True), ("chair", False), ("juror", False)])
def test_blind_review_hides_the_votes_from_jurors_in_the_api(role, sees_votes):
    campaign, _ideas = ranked_campaign()
    Jury.objects.filter(campaign=campaign).update(blind_review=True)

    body = api_as(campaign, role).get(url(campaign)).json()

    assert (body["ranking"][0]["votes"] is not None) == sees_votes


@pytest.mark.parametrize("role", ["manager", "chair"])
def test_the_overview_takes_as_many_queries_for_3_as_for_30_ideas(django_assert_num_queries, role):
    small, small_ideas, small_award = build(3)
    api = api_as(small, role)
    award_services.decide_award(award=small_award, by=user_with_role("manager"), winner=small_ideas[1])
    api.get(url(small))
    expected = queries_of(lambda: api.get(url(small)))
    assert expected > 5

    large, large_ideas, large_award = build(30)
    api = api_as(large, role)
    award_services.decide_award(award=large_award, by=user_with_role("manager"), winner=large_ideas[1])
    api.get(url(large))
    with django_assert_num_queries(expected):
        assert api.get(url(large)).status_code == 200
