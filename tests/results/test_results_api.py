"""GET /api/v1/campaigns/{slug}/results/: the contract of its body, anonymous
authors, and a flat query count. Who gets it (404 for a campaign the caller
may not see, 409 `results_not_published` before publication) is one matrix
with the page's: tests/results/test_results_page.py."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from campaigns.models import Phase
from jury.models import Award, Juror, ResultRow
from tests.factories import CampaignFactory, UserFactory, employee, user_with_role
from tests.results.test_results_page import DIGEST, published

pytestmark = pytest.mark.django_db

API = "/api/v1/campaigns/{slug}/results/"


def api_as(role, campaign=None) -> APIClient:
    api = APIClient()
    if role == "juror":
        user = UserFactory()
    elif role == "employee juror":
        user = employee()
    else:
        user = user_with_role(role)
    if role in ("juror", "employee juror"):
        Juror.objects.create(campaign=campaign, user=user)
    if user is not None:
        api.force_authenticate(user)
    return api


def test_an_unknown_or_draft_campaign_is_not_found():
    draft = CampaignFactory(phase=Phase.DRAFT)
    api = APIClient()
    for slug in ("no-such-campaign", draft.slug):
        response = api.get(API.format(slug=slug))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_results_are_read_only():
    campaign = published()
    response = APIClient().post(API.format(slug=campaign.slug), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_the_body_has_the_awards_the_ranking_and_the_tally():
    campaign = published(ideas=3)
    rows = list(ResultRow.objects.filter(campaign=campaign).select_related("idea__author").order_by("rank"))

    body = APIClient().get(API.format(slug=campaign.slug)).json()

    assert set(body) == {
        "campaign",
        "published_at",
        "public_weight",
        "jury_weight",
        "awards",
        "ranking",
        "tally",
    }
    assert body["public_weight"] == 0.4
    assert body["jury_weight"] == 0.6
    assert body["published_at"]
    assert body["awards"] == [
        {
            "name": "Grand prize",
            "prize": "A trip to Lisbon",
            "basis": "jury",
            "position": 0,
            "winner": {"id": rows[0].idea_id, "title": "Idea ranked 1"},
            "justification": "",
        },
        {
            "name": "Public's choice",
            "prize": "",
            "basis": "public",
            "position": 1,
            "winner": {"id": rows[1].idea_id, "title": "Idea ranked 2"},
            "justification": "Its pilot already runs in two shops.",
        },
    ]
    assert [entry["rank"] for entry in body["ranking"]] == [1, 2, 3]
    first = body["ranking"][0]
    assert first == {
        "rank": 1,
        "idea": {
            "id": rows[0].idea_id,
            "title": "Idea ranked 1",
            "author": {"username": rows[0].idea.author.username, "display_name": rows[0].idea.author.public_name},
        },
        "votes": 30,
        "jury_average": 4.5,
        "unscored": False,
        "final_score": float(rows[0].final_score),
        "award": "Grand prize",
        "awards": ["Grand prize"],
    }
    last = body["ranking"][2]
    assert (last["jury_average"], last["unscored"], last["award"], last["awards"]) == (None, True, None, [])
    assert body["tally"] == {
        "total_votes": 30,
        "voters": 7,
        "digest": DIGEST,
        "receipts_url": f"http://testserver/campaigns/{campaign.slug}/tally/receipts.csv",
    }


def test_an_idea_with_several_awards_lists_them_all():
    campaign = published(ideas=2)
    first = ResultRow.objects.get(campaign=campaign, rank=1).idea
    Award.objects.filter(campaign=campaign, name="Public's choice").update(winner=first, justification="")

    ranking = APIClient().get(API.format(slug=campaign.slug)).json()["ranking"]

    assert ranking[0]["award"] == "Grand prize"
    assert ranking[0]["awards"] == ["Grand prize", "Public's choice"]
    assert ranking[1]["awards"] == []


@pytest.mark.parametrize("role", ["visitor", "participant", "employee", "moderator", "manager"])
def test_an_anonymous_author_is_null_whoever_reads(role):
    # The results are the same for every reader (tests/jury/test_anonymous_authors.py).
    campaign = published(anonymous={0})

    body = api_as(role).get(API.format(slug=campaign.slug)).json()

    assert body["ranking"][0]["idea"]["author"] is None
    assert body["ranking"][1]["idea"]["author"] is not None


def test_the_author_of_an_anonymous_idea_finds_no_name_either():
    campaign = published(anonymous={0})
    author = ResultRow.objects.get(campaign=campaign, rank=1).idea.author
    api = APIClient()
    api.force_authenticate(author)

    body = api.get(API.format(slug=campaign.slug)).json()

    assert body["ranking"][0]["idea"]["author"] is None


def test_without_a_stored_tally_the_tally_is_null():
    campaign = published()
    campaign.tally.delete()

    body = APIClient().get(API.format(slug=campaign.slug)).json()

    assert body["tally"] is None
    assert len(body["ranking"]) == 3


def test_the_weights_come_from_the_jury_settings():
    campaign = published()
    campaign.jury.public_weight = Decimal("0.25")
    campaign.jury.save(update_fields=["public_weight"])

    body = APIClient().get(API.format(slug=campaign.slug)).json()

    assert (body["public_weight"], body["jury_weight"]) == (0.25, 0.75)


@pytest.mark.parametrize("role", ["visitor", "manager"])
def test_the_api_runs_the_same_queries_for_3_and_30_ideas(role, django_assert_max_num_queries):
    api = api_as(role)
    counts = []
    for size in (3, 30):
        campaign = published(ideas=size, anonymous={0, 1})
        for row in ResultRow.objects.filter(campaign=campaign)[:3]:
            row.idea.coauthors.add(UserFactory())
        # The forced user keeps its permission cache between requests: warm it once.
        api.get(API.format(slug=campaign.slug))
        with CaptureQueriesContext(connection) as queries:
            response = api.get(API.format(slug=campaign.slug))
        assert response.status_code == 200
        assert len(response.json()["ranking"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        api.get(API.format(slug=campaign.slug))


def test_the_schema_documents_the_results_endpoint():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/campaigns/{slug}/results/"]["get"]
    assert set(operation["responses"]) == {"200", "404", "409"}
