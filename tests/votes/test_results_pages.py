"""The published tally: its page, the receipt list, the receipt check, a
voter's receipts page, and GET /api/v1/campaigns/{slug}/tally/: who sees
what, before and after the tally, and flat query counts."""

import datetime
import hashlib
import re
import secrets

from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from campaigns.models import Audience, Phase
from ideas.models import Idea
from tests.factories import ROLES_WITH_COMPANY, CampaignFactory, UserFactory, answers_as, user_with_role
from tests.votes.test_tally import cast, cast_many, closed_campaign, idea_in, voters
from votes import tally
from votes.models import Vote

pytestmark = pytest.mark.django_db

PAGES = ("/campaigns/{slug}/tally/", "/campaigns/{slug}/tally/receipts.csv", "/campaigns/{slug}/tally/check/")
API = "/api/v1/campaigns/{slug}/tally/"
# Who sees an internal campaign (Campaign.visible_to).
SEES_INTERNAL = {"employee", "moderator", "manager"}


def login(client, role):
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    return user


def tallied(**kwargs):
    campaign = closed_campaign(**kwargs)
    idea = idea_in(campaign)
    cast_many(idea, voters(2))
    tally.tally_campaign(campaign_id=campaign.pk)
    return campaign


# --- permission matrix ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("published", [False, True])
def test_who_sees_the_tally_pages(client, role, audience, published):
    campaign = tallied(audience=audience) if published else closed_campaign(audience=audience)
    login(client, role)
    visible = audience == Audience.PUBLIC or answers_as(role) in SEES_INTERNAL

    for page in PAGES:
        response = client.get(page.format(slug=campaign.slug))
        assert response.status_code == (200 if visible and published else 404), page
        if visible and not published:
            assert b"not been tallied yet" in response.content


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("published", [False, True])
def test_who_sees_the_tally_in_the_api(role, audience, published):
    campaign = tallied(audience=audience) if published else closed_campaign(audience=audience)
    api = APIClient()
    user = user_with_role(role)
    if user is not None:
        api.force_authenticate(user)
    visible = audience == Audience.PUBLIC or answers_as(role) in SEES_INTERNAL

    response = api.get(API.format(slug=campaign.slug))

    if not visible:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    elif not published:
        assert (response.status_code, response.json()["code"]) == (409, "results_not_published")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ["visitor", "participant", "employee"])
def test_a_draft_and_the_box_have_no_tally_page(client, role):
    draft = CampaignFactory(phase=Phase.DRAFT)
    login(client, role)
    assert client.get(f"/campaigns/{draft.slug}/tally/").status_code == 404
    assert client.get("/campaigns/idea-box/tally/").status_code == 404


def test_an_unknown_campaign_is_a_404_everywhere(client):
    for page in (*PAGES, API):
        assert client.get(page.format(slug="no-such-campaign")).status_code == 404


def test_the_pages_refuse_writes(client):
    campaign = tallied()
    for page in PAGES:
        assert client.post(page.format(slug=campaign.slug)).status_code == 405
    response = client.post("/accounts/receipts/")  # a visitor is first asked to log in
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.post("/accounts/receipts/").status_code == 405


# --- the download -----------------------------------------------------------------------


def test_the_downloads_sha256_is_the_published_digest(client):
    campaign = closed_campaign()
    for idea in (idea_in(campaign), idea_in(campaign)):
        cast_many(idea, voters(3))
    stored = tally.tally_campaign(campaign_id=campaign.pk).tally

    response = client.get(f"/campaigns/{campaign.slug}/tally/receipts.csv")

    body = b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert hashlib.sha256(body).hexdigest() == stored.digest == response["X-Tally-Digest"]
    assert body.count(b"\n") == 6
    receipts = [line.split(b",")[0] for line in body.splitlines()]
    assert receipts == sorted(receipts)


def test_the_download_names_no_voter(client):
    campaign = closed_campaign()
    voter = UserFactory(username="alice-voter")
    cast(idea_in(campaign), voter)
    tally.tally_campaign(campaign_id=campaign.pk)
    body = b"".join(client.get(f"/campaigns/{campaign.slug}/tally/receipts.csv").streaming_content)
    receipt, idea = body.decode().strip().split(",")
    assert len(receipt) == 64 and idea.isdigit()
    assert receipt == Vote.objects.get(voter=voter).receipt  # only the receipt and the idea: two fields
    assert b"alice" not in body and voter.email.encode() not in body


def test_the_verifier_can_be_downloaded(client):
    response = client.get("/tally/verify.py")
    assert response.status_code == 200
    assert b"def recount" in b"".join(response.streaming_content)


# --- the tally page ---------------------------------------------------------------------


def test_the_tally_page_shows_ranking_digest_download_and_how_to_check(client):
    campaign = closed_campaign(shortlist_size=1)
    first, second = idea_in(campaign, title="Solar roofs"), idea_in(campaign, title="Rain gardens")
    cast_many(first, voters(2))
    cast(second)
    stored = tally.tally_campaign(campaign_id=campaign.pk).tally

    page = client.get(f"/campaigns/{campaign.slug}/tally/").content.decode()

    assert page.index("Solar roofs") < page.index("Rain gardens")
    assert stored.digest in page
    assert f"/campaigns/{campaign.slug}/tally/receipts.csv" in page
    assert "sha256sum" in page and "/tally/verify.py" in page
    assert "Shortlisted" in page


def test_on_a_phone_each_cell_of_the_tally_ranking_says_its_column(client):
    """The stylesheet shows each row as a card on a narrow screen (issue 10,
    item 6), each cell under its column's name, taken from data-label."""
    campaign = tallied()

    page = client.get(f"/campaigns/{campaign.slug}/tally/").content.decode()

    table = page[page.index('<table class="results-table">') : page.index("</table>")]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert headers == ["Rank", "Idea", "Votes", "Status"]
    assert re.findall(r'<td data-label="([^"]+)">', table) == headers


def test_hidden_ideas_are_reported_apart_without_their_title_for_the_public(client, moderator):
    campaign = closed_campaign()
    idea_in(campaign, title="Visible idea")
    hidden = idea_in(campaign, title="Secret hidden idea")
    cast_many(hidden, voters(3))
    Idea.objects.filter(pk=hidden.pk).update(hidden=True, hidden_reason="Abuse.")
    tally.tally_campaign(campaign_id=campaign.pk)

    public = client.get(f"/campaigns/{campaign.slug}/tally/").content.decode()
    assert "Votes reported apart" in public and f"#{hidden.pk}" in public
    assert "Secret hidden idea" not in public

    client.force_login(moderator)
    assert "Secret hidden idea" in client.get(f"/campaigns/{campaign.slug}/tally/").content.decode()


def test_the_api_gives_digest_totals_rows_and_the_receipts_url(api_client):
    campaign = closed_campaign()
    a, b = idea_in(campaign), idea_in(campaign)
    hidden = idea_in(campaign, hidden=True, hidden_reason="Spam.")
    cast_many(b, voters(2))
    cast(hidden)
    stored = tally.tally_campaign(campaign_id=campaign.pk).tally

    body = api_client.get(API.format(slug=campaign.slug)).json()

    assert body["digest"] == stored.digest
    assert body["total_votes"] == 3 and body["voters"] == 3
    # In UTC, written with a "Z" whatever the site's time zone.
    assert body["computed_at"] == stored.computed_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    assert body["rows"] == [
        {"idea": b.pk, "votes": 2, "rank": 1, "hidden": False},
        {"idea": a.pk, "votes": 0, "rank": 2, "hidden": False},
        {"idea": hidden.pk, "votes": 1, "rank": None, "hidden": True},
    ]
    assert body["receipts_url"] == f"http://testserver/campaigns/{campaign.slug}/tally/receipts.csv"


def test_the_api_is_described_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/campaigns/{slug}/tally/" in schema
    assert "results_not_published" in schema


# --- checking a receipt -------------------------------------------------------------------


def test_the_check_page_finds_a_receipt_and_its_idea(client):
    campaign = closed_campaign()
    idea = idea_in(campaign, title="Shared bikes")
    vote = cast(idea)
    tally.tally_campaign(campaign_id=campaign.pk)

    response = client.get(f"/campaigns/{campaign.slug}/tally/check/", {"receipt": vote.receipt.upper() + "  "})

    assert response.status_code == 200
    assert "Found" in response.content.decode() and "Shared bikes" in response.content.decode()


def test_the_check_page_says_an_unknown_receipt_is_not_in_the_list(client):
    campaign = tallied()
    other_campaign_vote = cast(idea_in(closed_campaign()))
    for receipt in (secrets.token_hex(32), other_campaign_vote.receipt):
        response = client.get(f"/campaigns/{campaign.slug}/tally/check/", {"receipt": receipt})
        assert response.status_code == 404
        assert "Not found" in response.content.decode()


@pytest.mark.parametrize("receipt", ["", "xyz", "g" * 64, "a" * 63, "a" * 300, "<script>"])
def test_the_check_page_explains_a_malformed_receipt(client, receipt):
    campaign = tallied()
    response = client.get(f"/campaigns/{campaign.slug}/tally/check/", {"receipt": receipt})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
    assert 'class="field-errors"' in response.content.decode()


def test_the_check_page_of_a_hidden_idea_gives_no_title(client):
    campaign = closed_campaign()
    hidden = idea_in(campaign, title="Withdrawn title")
    vote = cast(hidden)
    Idea.objects.filter(pk=hidden.pk).update(hidden=True, hidden_reason="Abuse.")
    tally.tally_campaign(campaign_id=campaign.pk)
    page = client.get(f"/campaigns/{campaign.slug}/tally/check/", {"receipt": vote.receipt}).content.decode()
    assert "reported apart" in page and "Withdrawn title" not in page


# --- my receipts ----------------------------------------------------------------------------


def test_my_receipts_needs_an_account(client):
    response = client.get("/accounts/receipts/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_receipts_shows_only_my_own_with_a_check_link_once_tallied(client, participant):
    closed, voting = closed_campaign(title="Closed one"), CampaignFactory(phase=Phase.VOTING, title="Open one")
    mine_closed = cast(idea_in(closed, title="My pick"), participant)
    mine_open = cast(idea_in(voting), participant)
    someone_elses = cast(idea_in(closed))
    tally.tally_campaign(campaign_id=closed.pk)
    client.force_login(participant)

    page = client.get("/accounts/receipts/").content.decode()

    assert mine_closed.receipt in page and mine_open.receipt in page
    assert someone_elses.receipt not in page
    assert "My pick" in page and "Closed one" in page and "Open one" in page
    assert f"/campaigns/{closed.slug}/tally/check/?receipt={mine_closed.receipt}" in page
    assert f"/campaigns/{voting.slug}/tally/check/" not in page
    assert "Published when voting closes" in page


def test_my_receipts_without_votes(client, participant):
    client.force_login(participant)
    assert "You have not voted yet." in client.get("/accounts/receipts/").content.decode()


# --- query counts -----------------------------------------------------------------------------


def _campaign_with(n_ideas: int, slug: str):
    campaign = closed_campaign(slug=slug)
    people = voters(2)
    for i in range(n_ideas):
        idea = idea_in(campaign)
        cast(idea, people[i % 2])
    tally.tally_campaign(campaign_id=campaign.pk)
    return campaign


def _queries(fetch) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured.captured_queries)


@pytest.mark.parametrize("kind", ["page", "api"])
def test_tally_queries_stay_flat_as_ideas_grow(client, api_client, kind):
    small, large = _campaign_with(3, "small"), _campaign_with(30, "large")

    def fetch(slug):
        if kind == "page":
            response = client.get(f"/campaigns/{slug}/tally/")
        else:
            response = api_client.get(API.format(slug=slug))
        assert response.status_code == 200

    fetch("small")  # warm up (session, caches)
    assert _queries(lambda: fetch(small.slug)) == _queries(lambda: fetch(large.slug))


def test_my_receipts_queries_stay_flat_as_votes_grow(client):
    few, many = UserFactory(), UserFactory()
    campaigns = [closed_campaign(), CampaignFactory(phase=Phase.VOTING)]
    for i in range(3):
        cast(idea_in(campaigns[i % 2]), few)
    for i in range(30):
        cast(idea_in(campaigns[i % 2]), many)
    tally.tally_campaign(campaign_id=campaigns[0].pk)

    def count(user):
        client.force_login(user)
        client.get("/accounts/receipts/")  # warm up
        n = _queries(lambda: client.get("/accounts/receipts/"))
        client.logout()
        return n

    assert count(few) == count(many)
    assert Vote.objects.filter(voter=many).count() == 30
