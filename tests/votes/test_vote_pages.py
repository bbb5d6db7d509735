"""The vote button on pages: plain forms without JavaScript, htmx swaps,
refusals, visitors, the permission matrix and flat query counts."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import pytest

from campaigns.models import Audience, Phase
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, the_box, user_with_role
from tests.votes.test_cast import voting_campaign
from votes import services
from votes.models import Vote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def vote_url(idea) -> str:
    return f"/ideas/{idea.pk}/vote/"


def unvote_url(idea) -> str:
    return f"/ideas/{idea.pk}/unvote/"


@pytest.fixture
def voter(client):
    user = UserFactory()
    client.force_login(user)
    return user


# --- without JavaScript ------------------------------------------------------------


def test_a_plain_post_votes_and_redirects_back_with_a_message(client, voter):
    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    response = client.post(vote_url(idea), {"next": f"/campaigns/{campaign.slug}/?page=1"})
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.slug}/?page=1"
    assert Vote.objects.filter(voter=voter, idea=idea).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: you support this idea." in page
    assert "You support this idea" in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_an_unsafe_or_missing_next_goes_to_the_idea(client, voter, next_url):
    idea = IdeaFactory(campaign=voting_campaign())
    response = client.post(vote_url(idea), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()


def test_a_plain_post_withdraws(client, voter):
    idea = IdeaFactory(campaign=voting_campaign())
    services.cast_vote(voter=voter, idea=idea)
    response = client.post(unvote_url(idea))
    assert response.status_code == 302
    assert not Vote.objects.exists()
    assert "Your support is withdrawn." in client.get(response["Location"]).content.decode()


def test_a_refusal_without_javascript_is_a_page_with_the_refusals_status(client, voter):
    idea = IdeaFactory(campaign=voting_campaign())
    services.cast_vote(voter=voter, idea=idea)
    response = client.post(vote_url(idea))
    assert response.status_code == 409
    html = response.content.decode()
    assert "You already support this idea." in html
    assert "<html" in html


def test_own_idea_without_javascript_is_403(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(), author=voter)
    response = client.post(vote_url(idea))
    assert response.status_code == 403
    assert "You cannot support your own idea." in response.content.decode()
    assert not Vote.objects.exists()


def test_withdrawing_without_a_vote_is_404_with_a_message(client, voter):
    idea = IdeaFactory(campaign=voting_campaign())
    response = client.post(unvote_url(idea))
    assert response.status_code == 404
    assert "You do not support this idea." in response.content.decode()


def test_a_visitor_is_sent_to_log_in(client):
    idea = IdeaFactory(campaign=voting_campaign())
    response = client.post(vote_url(idea), {"next": idea.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Vote.objects.exists()


@pytest.mark.parametrize("path", ["/ideas/999999/vote/", "/ideas/999999/unvote/"])
def test_a_missing_idea_is_404(client, voter, path):
    assert client.post(path).status_code == 404
    assert client.post(path, **HTMX).status_code == 404


@pytest.mark.parametrize("path", ["vote", "unvote"])
def test_get_is_not_allowed(client, voter, path):
    idea = IdeaFactory(campaign=voting_campaign())
    assert client.get(f"/ideas/{idea.pk}/{path}/").status_code == 405


# --- with htmx ---------------------------------------------------------------------


def test_htmx_gets_the_button_back_pressed_with_the_new_count(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=3), vote_count=4)
    response = client.post(vote_url(idea), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="vote-{idea.pk}"' in html
    assert 'aria-live="polite"' in html
    assert 'aria-pressed="true"' in html
    assert "You support this idea" in html
    assert "5 votes" in html
    assert "2 votes left" in html
    assert f'hx-post="/ideas/{idea.pk}/unvote/"' in html
    # The other cards of the campaign get the new number out of band.
    assert f'hx-swap-oob="innerHTML:.votes-left-{idea.campaign_id}">2 votes left</span>' in html


def test_without_a_limit_nothing_is_swapped_out_of_band(client, voter):
    idea = IdeaFactory(campaign=voting_campaign())
    html = client.post(vote_url(idea), **HTMX).content.decode()
    assert "hx-swap-oob" not in html and "votes left" not in html


def test_htmx_withdrawal_gives_the_button_back_unpressed(client, voter):
    idea = IdeaFactory(campaign=voting_campaign())
    services.cast_vote(voter=voter, idea=idea)
    html = client.post(unvote_url(idea), **HTMX).content.decode()
    assert 'aria-pressed="false"' in html
    assert "You support this idea" not in html
    assert "0 votes" in html


def test_an_htmx_refusal_is_a_message_in_the_button_with_200(client, voter):
    campaign = voting_campaign(votes_per_voter=1)
    first, second = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    services.cast_vote(voter=voter, idea=first)
    response = client.post(vote_url(second), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "You have no votes left in this campaign." in html
    assert "0 votes left" in html
    assert not Vote.objects.filter(idea=second).exists()


def test_an_htmx_visitor_is_told_to_log_in(client):
    idea = IdeaFactory(campaign=voting_campaign())
    response = client.post(vote_url(idea), **HTMX)
    assert response.status_code == 200
    assert "Log in to support this idea" in response.content.decode()


@override_settings(VOTE_RATE_PER_USER="1/m", VOTE_RATE_PER_IP="1000/m")
def test_too_many_votes_on_pages_are_refused(client, voter):
    campaign = voting_campaign()
    a, b, c = IdeaFactory.create_batch(3, campaign=campaign)
    assert client.post(vote_url(a)).status_code == 302
    response = client.post(vote_url(b))
    assert response.status_code == 429
    assert "Too many votes" in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    htmx = client.post(vote_url(c), **HTMX)
    assert htmx.status_code == 200 and "Too many votes" in htmx.content.decode()
    assert Vote.objects.count() == 1


# --- the button on the idea page and in lists ----------------------------------------


def test_the_idea_page_offers_the_button_to_a_voter(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=2))
    html = client.get(idea.get_absolute_url()).content.decode()
    assert f'action="/ideas/{idea.pk}/vote/"' in html
    assert 'aria-pressed="false"' in html
    assert "2 votes left" in html
    assert f'name="next" value="/ideas/{idea.pk}/"' in html


def test_the_idea_page_tells_a_visitor_to_log_in(client):
    idea = IdeaFactory(campaign=voting_campaign())
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Log in to support this idea" in html
    assert "/vote/" not in html


def test_the_author_sees_no_button_on_their_idea(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(), author=voter)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "/vote/" not in html
    assert "You cannot support your own idea." in html


def test_a_coauthor_sees_no_button_in_the_list(client, voter):
    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    idea.coauthors.add(voter)
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert f"/ideas/{idea.pk}/vote/" not in html


def test_no_button_outside_voting_but_the_count(client, voter):
    idea = IdeaFactory(campaign=CampaignFactory(phase=Phase.DELIBERATION), vote_count=7)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "/vote/" not in html and "Log in to support" not in html
    assert "7 votes" in html


def test_hidden_counts_are_not_shown_in_the_button(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(hide_counts_while_voting=True), vote_count=12)
    services.cast_vote(voter=voter, idea=idea)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "13 votes" not in html and ">13<" not in html
    assert "You support this idea" in html
    response = client.post(unvote_url(idea), **HTMX)
    assert "12 votes" not in response.content.decode()


def test_the_list_shows_which_ideas_the_voter_supports(client, voter):
    campaign = voting_campaign()
    supported, other = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    services.cast_vote(voter=voter, idea=supported)
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert f'hx-post="/ideas/{supported.pk}/unvote/"' in html
    assert f'hx-post="/ideas/{other.pk}/vote/"' in html
    assert html.count("You support this idea") == 1


def test_the_box_list_offers_the_button_to_employees(client):
    client.force_login(employee())
    idea = IdeaFactory(campaign=the_box())
    html = client.get("/box/").content.decode()
    assert f'hx-post="/ideas/{idea.pk}/vote/"' in html


# --- permission matrix (HTML) -------------------------------------------------------

VOTE_PAGE_MATRIX = {
    "visitor": {Audience.PUBLIC: 302, Audience.INTERNAL: 302},
    "unverified": {Audience.PUBLIC: 403, Audience.INTERNAL: 404},
    "participant": {Audience.PUBLIC: 302, Audience.INTERNAL: 404},
    "employee": {Audience.PUBLIC: 302, Audience.INTERNAL: 302},
    "moderator": {Audience.PUBLIC: 302, Audience.INTERNAL: 403},
    "manager": {Audience.PUBLIC: 302, Audience.INTERNAL: 403},
    "company employee": {Audience.PUBLIC: 302, Audience.INTERNAL: 302},
    "company leaver": {Audience.PUBLIC: 302, Audience.INTERNAL: 404},
}


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("role", list(VOTE_PAGE_MATRIX))
def test_who_may_vote_and_withdraw_on_pages(client, role, audience):
    user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    idea = IdeaFactory(campaign=voting_campaign(audience=audience))
    response = client.post(vote_url(idea))
    assert response.status_code == VOTE_PAGE_MATRIX[role][audience]
    voted = user is not None and response.status_code == 302
    assert Vote.objects.count() == (1 if voted else 0)
    withdrawn = client.post(unvote_url(idea))
    if user is None:
        assert withdrawn.status_code == 302 and withdrawn["Location"].startswith("/accounts/login/")
    elif voted:
        assert withdrawn.status_code == 302
    else:
        assert withdrawn.status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
@pytest.mark.parametrize("role", ["participant", "employee", "moderator", "manager"])
def test_nobody_votes_on_pages_outside_voting(client, role, phase):
    client.force_login(user_with_role(role))
    idea = IdeaFactory(campaign=CampaignFactory(phase=phase))
    assert client.post(vote_url(idea)).status_code == 409
    assert client.post(unvote_url(idea)).status_code == 409
    assert not Vote.objects.exists()


# --- query counts ---------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("limit", [None, 5])
def test_the_campaign_page_stays_flat_for_a_voter(client, voter, limit):
    small, large = voting_campaign(votes_per_voter=limit), voting_campaign(votes_per_voter=limit)
    for campaign, n in ((small, 3), (large, 30)):
        ideas = IdeaFactory.create_batch(n, campaign=campaign)
        for idea in ideas[:2]:
            services.cast_vote(voter=voter, idea=idea)
        ideas[2].coauthors.add(voter)
    _queries(client, f"/campaigns/{small.slug}/")  # the session's random seed is stored once
    assert _queries(client, f"/campaigns/{small.slug}/") == _queries(client, f"/campaigns/{large.slug}/")


def test_the_ideas_api_list_stays_flat_for_a_voter(api_client):
    voter = UserFactory()
    api_client.force_authenticate(voter)
    small, large = voting_campaign(), voting_campaign()
    for campaign, n in ((small, 3), (large, 30)):
        ideas = IdeaFactory.create_batch(n, campaign=campaign)
        for idea in ideas[:2]:
            services.cast_vote(voter=voter, idea=idea)
    # force_authenticate hands every request the same user object, which
    # caches its permissions: warm it once so both requests start alike.
    api_client.get(f"/api/v1/campaigns/{small.slug}/ideas/")
    counts = []
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_button_adds_one_query_for_a_page_of_ideas(client, voter):
    """The voted and co-authored lookup is a single query for the whole page."""
    campaign = voting_campaign()
    IdeaFactory.create_batch(10, campaign=campaign)
    path = f"/campaigns/{campaign.slug}/"
    _queries(client, path)  # warm the session's random seed
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    vote_queries = [q["sql"] for q in captured if "votes_vote" in q["sql"]]
    assert len(vote_queries) == 1
    assert "UNION" in vote_queries[0].upper()


def test_a_visitor_page_makes_no_vote_query(client):
    campaign = voting_campaign()
    IdeaFactory.create_batch(5, campaign=campaign)
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/campaigns/{campaign.slug}/")
    assert not [q for q in captured if "votes_vote" in q["sql"] or "votes_ballot" in q["sql"]]


# --- the admin (read-only) -------------------------------------------------------------


def test_staff_read_votes_and_ballots_in_the_admin_but_cannot_change_them(client, administrator):
    idea = IdeaFactory(campaign=voting_campaign())
    vote = services.cast_vote(voter=UserFactory(), idea=idea)[0]
    client.force_login(administrator)
    assert client.get("/admin/votes/vote/").status_code == 200
    assert client.get("/admin/votes/ballot/").status_code == 200
    assert client.get(f"/admin/votes/vote/{vote.pk}/change/").status_code == 200
    assert client.get("/admin/votes/vote/add/").status_code == 403
    assert client.post(f"/admin/votes/vote/{vote.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Vote.objects.filter(pk=vote.pk).exists()


def test_the_admin_is_closed_to_participants(client, voter):
    assert client.get("/admin/votes/vote/").status_code == 302
