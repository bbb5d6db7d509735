"""The vote button says what it does (issue 10, item 5): a supported idea
offers "Withdraw my support" (pressed); at 0 votes left every other
"Support" button is disabled with its reason, on the page, after a plain
POST and in the htmx answer (which carries the votes left for the other cards)."""

import re

import pytest

from tests.factories import IdeaFactory, UserFactory
from tests.votes.test_cast import voting_campaign
from votes import services

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
REASON = "No votes left: withdraw a support to give it to another idea."


@pytest.fixture
def voter(client):
    user = UserFactory()
    client.force_login(user)
    return user


def button_of(html: str, idea) -> str:
    """The <button> tag of an idea's vote form."""
    form = re.search(rf'<form method="post" action="/ideas/{idea.pk}/(?:un)?vote/".*?</form>', html, re.S)
    assert form, f"no vote form for idea {idea.pk}"
    return re.search(r"<button[^>]*>.*?</button>", form.group(0), re.S).group(0)


def reason_of(html: str, idea) -> str:
    return re.search(rf'<span class="hint vote-unavailable" id="vote-{idea.pk}-unavailable"[^>]*>', html).group(0)


def test_a_supported_idea_offers_to_withdraw_pressed(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=3))
    services.cast_vote(voter=voter, idea=idea)
    button = button_of(client.get(idea.get_absolute_url()).content.decode(), idea)
    assert 'aria-pressed="true"' in button
    assert "Withdraw my support" in button
    assert "Support this idea" not in button


def test_an_idea_not_supported_offers_support_unpressed(client, voter):
    idea = IdeaFactory(campaign=voting_campaign(votes_per_voter=3))
    button = button_of(client.get(idea.get_absolute_url()).content.decode(), idea)
    assert 'aria-pressed="false"' in button and "Support this idea" in button
    assert "disabled" not in button


def test_at_0_votes_left_the_other_buttons_are_disabled_with_their_reason(client, voter):
    campaign = voting_campaign(votes_per_voter=2)
    first, second, third, fourth = IdeaFactory.create_batch(4, campaign=campaign)
    services.cast_vote(voter=voter, idea=first)
    services.cast_vote(voter=voter, idea=second)
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    for supported in (first, second):
        assert "Withdraw my support" in button_of(html, supported)
        assert "disabled" not in button_of(html, supported)
    for other in (third, fourth):
        button = button_of(html, other)
        assert " disabled" in button
        assert f'aria-describedby="vote-{other.pk}-unavailable"' in button
        assert " hidden" not in reason_of(html, other)
    assert html.count(REASON) == 2


def test_with_votes_left_the_reason_is_hidden_and_the_button_enabled(client, voter):
    campaign = voting_campaign(votes_per_voter=2)
    first, second = IdeaFactory.create_batch(2, campaign=campaign)
    services.cast_vote(voter=voter, idea=first)
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "disabled" not in button_of(html, second)
    assert " hidden" in reason_of(html, second)


def test_without_a_limit_no_button_is_ever_disabled(client, voter):
    campaign = voting_campaign(votes_per_voter=None)
    ideas = IdeaFactory.create_batch(3, campaign=campaign)
    for idea in ideas[:2]:
        services.cast_vote(voter=voter, idea=idea)
    html = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "disabled" not in button_of(html, ideas[2])
    assert " hidden" in reason_of(html, ideas[2])


def test_a_plain_post_to_the_last_vote_disables_the_others_on_the_page_it_returns_to(client, voter):
    campaign = voting_campaign(votes_per_voter=1)
    first, second = IdeaFactory.create_batch(2, campaign=campaign)
    response = client.post(f"/ideas/{first.pk}/vote/", {"next": f"/campaigns/{campaign.slug}/"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Withdraw my support" in button_of(html, first)
    assert " disabled" in button_of(html, second)
    assert REASON in html


def test_the_htmx_answer_at_0_left_is_pressed_and_tells_the_page_the_votes_left(client, voter):
    campaign = voting_campaign(votes_per_voter=1)
    idea = IdeaFactory(campaign=campaign)
    IdeaFactory(campaign=campaign)
    html = client.post(f"/ideas/{idea.pk}/vote/", **HTMX).content.decode()
    button = button_of(html, idea)
    assert 'aria-pressed="true"' in button and "Withdraw my support" in button
    # site.js reads these to disable (or enable again) the other cards' buttons.
    assert f'data-campaign="{campaign.pk}" data-votes-left="0"' in html


def test_an_htmx_refusal_at_0_left_shows_the_button_disabled_with_its_reason(client, voter):
    campaign = voting_campaign(votes_per_voter=1)
    first, second = IdeaFactory.create_batch(2, campaign=campaign)
    services.cast_vote(voter=voter, idea=first)
    html = client.post(f"/ideas/{second.pk}/vote/", **HTMX).content.decode()
    assert " disabled" in button_of(html, second)
    assert " hidden" not in reason_of(html, second)


def test_an_htmx_withdrawal_tells_the_page_a_vote_is_free_again(client, voter):
    campaign = voting_campaign(votes_per_voter=1)
    idea = IdeaFactory(campaign=campaign)
    services.cast_vote(voter=voter, idea=idea)
    html = client.post(f"/ideas/{idea.pk}/unvote/", **HTMX).content.decode()
    button = button_of(html, idea)
    assert 'aria-pressed="false"' in button and "Support this idea" in button and "disabled" not in button
    assert f'data-campaign="{campaign.pk}" data-votes-left="1"' in html


def test_the_button_keeps_its_id_through_the_htmx_swap_so_the_keyboard_focus_stays_on_it(client, voter):
    # htmx gives the focus back to the element of the same id after a swap:
    # without one, Enter on "Support" would drop a keyboard user's focus to the page.
    campaign = voting_campaign(votes_per_voter=2)
    idea = IdeaFactory(campaign=campaign)
    same_id = f'id="vote-{idea.pk}-button"'
    assert same_id in button_of(client.get(f"/campaigns/{campaign.slug}/").content.decode(), idea)
    voted = button_of(client.post(f"/ideas/{idea.pk}/vote/", **HTMX).content.decode(), idea)
    assert same_id in voted and "Withdraw my support" in voted
    withdrawn = button_of(client.post(f"/ideas/{idea.pk}/unvote/", **HTMX).content.decode(), idea)
    assert same_id in withdrawn and "Support this idea" in withdrawn
