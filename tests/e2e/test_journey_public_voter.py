"""Journey 1: a member of the public signs up, verifies the address from the
e-mail, logs in, votes in a campaign up to the limit, withdraws a vote,
votes for another idea, and checks the receipt once the scheduler has closed
voting and the tally is published. Clicks and typing only, from the home
page; every page is checked (tests/e2e/journeys.py)."""

import re
from datetime import timedelta

from django.utils import timezone

import pytest

from campaigns.models import Audience, Campaign, Phase
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.faults.harness import wait_for

TITLE = "Greener streets"
IDEAS = ("Trees on every corner", "Bike lanes to the station", "Water fountains in parks")
REASON = "No votes left: withdraw a support to give it to another idea."


@pytest.fixture(scope="module")
def campaign(seeded):
    def make():
        author = UserFactory(username="author")
        campaign = CampaignFactory(
            title=TITLE, slug="greener-streets", phase=Phase.VOTING, audience=Audience.PUBLIC, votes_per_voter=2
        )
        for title in IDEAS:
            IdeaFactory(campaign=campaign, author=author, title=title)
        return campaign

    return seeded(make)


def card(page, title):
    """The idea's card in a campaign's list."""
    return page.locator("li.idea-card").filter(has=page.get_by_role("heading", name=title))


def test_a_member_of_the_public_signs_up_votes_to_the_limit_and_checks_the_receipt(journey, campaign, seeded):
    from playwright.sync_api import expect

    page = journey.page
    page.goto("/")
    journey.check("home")

    # Sign up as a member of the public (an address outside the employees' domains).
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("sign up", re.I))
    journey.check("sign-up")
    page.get_by_label(re.compile("^Email")).fill("robin@public.example")
    page.get_by_label(re.compile("^Username")).fill("robin")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a long pass phrase 42")
    page.get_by_label(re.compile(r"^Password \(again\)")).fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("^sign up$", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("verify your e-?mail", re.I))
    journey.check("verify-your-email")

    # The verification link from the e-mail the worker sent.
    link = journey.mail_link("robin@public.example", r"https?://\S+/accounts/confirm-email/\S+")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("confirm", re.I))
    journey.check("confirm-email")
    page.get_by_role("button", name=re.compile("^confirm$", re.I)).click()
    # Confirming in the browser that signed up logs in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    expect(page.get_by_text("You have confirmed robin@public.example.")).to_be_visible()
    journey.check("verified")

    # Log out, then log in with the new account.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("sign in|log in", re.I))
    journey.check("log-in")
    page.get_by_label(re.compile("^(Username or email|Login)", re.I)).fill("robin")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("^(sign|log) in$", re.I)).click()
    expect(page.get_by_role("link", name="My votes")).to_be_visible()
    journey.check()

    # The campaign in voting, from the list of campaigns.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    journey.check("campaigns")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for title in IDEAS:
        expect(card(page, title)).to_be_visible()
    expect(card(page, IDEAS[0]).get_by_text("2 votes left")).to_be_visible()
    journey.check("campaign-in-voting")

    # Vote up to the limit (2): htmx swaps the card, and every card's count.
    first, second, third = (card(page, title) for title in IDEAS)
    first.get_by_role("button", name="Support this idea").click()
    expect(first.get_by_text("Thank you: you support this idea.")).to_be_visible()
    expect(third.get_by_text("1 vote left")).to_be_visible()
    second.get_by_role("button", name="Support this idea").click()
    expect(second.get_by_text("Thank you: you support this idea.")).to_be_visible()
    for each in (first, second, third):
        expect(each.get_by_text("0 votes left")).to_be_visible()
    journey.check("votes-at-the-limit")

    # At 0 votes left the third idea's button is unavailable, with its reason
    # (issue 10, item 5); the supported ones offer to withdraw, pressed.
    unavailable = third.get_by_role("button", name="Support this idea")
    expect(unavailable).to_be_disabled()
    expect(unavailable).to_have_accessible_description(REASON)
    expect(third.get_by_text(REASON)).to_be_visible()
    expect(third.get_by_text("0 votes", exact=True)).to_be_visible()
    journey.check("unavailable-at-0-votes-left")

    # Withdraw one: the other buttons are available again.
    pressed = first.get_by_role("button", name="Withdraw my support")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    pressed.click()
    expect(first.get_by_role("status")).to_be_visible()
    expect(first.get_by_text("0 votes", exact=True)).to_be_visible()
    for each in (first, second, third):
        expect(each.get_by_text("1 vote left")).to_be_visible()
    expect(third.get_by_role("button", name="Support this idea")).to_be_enabled()
    expect(third.get_by_text(REASON)).to_be_hidden()
    journey.check("withdrawn")

    # Vote for another, from its own page.
    third.get_by_role("link", name=IDEAS[2]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(IDEAS[2])
    journey.check("idea")
    page.get_by_role("button", name="Support this idea").click()
    expect(page.get_by_text("Thank you: you support this idea.")).to_be_visible()
    expect(page.get_by_text("0 votes left")).to_be_visible()
    journey.check("voted-for-another")

    # The receipts: two, to be checked once voting has closed.
    page.get_by_role("link", name="My votes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My vote receipts")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text=IDEAS[1])).to_contain_text("Published when voting closes")
    expect(rows.filter(has_text=IDEAS[2])).to_contain_text("Published when voting closes")
    expect(rows.filter(has_text=IDEAS[0])).to_have_count(0)
    receipt = rows.filter(has_text=IDEAS[2]).locator("code.digest").inner_text().strip()
    journey.check("my-receipts")

    # Voting closes: the scheduler (celery beat, every few seconds here)
    # moves the campaign on, the worker counts the votes and publishes the receipts.
    seeded(lambda: Campaign.objects.filter(pk=campaign.pk).update(voting_closes=timezone.now() - timedelta(seconds=1)))
    check_link = rows.filter(has_text=IDEAS[2]).get_by_role("link", name="Check my vote")

    def published():
        page.reload()
        return check_link.count() == 1

    assert wait_for(published, 90, every=1), f"the receipts were not published within 90 s:\n{site_log(journey)}"
    journey.check("my-receipts-published")
    check_link.click()
    expect(page.get_by_role("status")).to_contain_text(f"Found: the receipt {receipt} is in the published list")
    expect(page.get_by_role("status")).to_contain_text(IDEAS[2])
    journey.check("check-my-vote")
    journey.finish()


def site_log(journey) -> str:
    return journey.site.log.read_text(errors="replace")[-6000:]
