"""Journey 1: a member of the public signs up, verifies the address from the
e-mail, logs in, votes in a campaign up to the limit, withdraws a vote,
votes for another idea, and checks the receipt once the scheduler has closed
voting and the tally is published. Clicks and typing only, from the home
page; every page is checked (tests/e2e/journeys.py).

The steps (`public_voter_journey`) read what the site says in the
journey's language (`Words`): journey 5 (test_journey_phone_french.py) runs
them in French on a phone."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

import pytest

from accounts.forms import LoginForm, SignupForm
from campaigns.models import Audience, Campaign, Phase
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.faults.harness import wait_for

TITLE = "Greener streets"
IDEAS = ("Trees on every corner", "Bike lanes to the station", "Water fountains in parks")


def voting_campaign(seeded, *, title: str, slug: str, ideas: tuple[str, ...], author: str) -> Campaign:
    """A public campaign in voting, two votes per voter, with `ideas` by `author`."""

    def make():
        someone = UserFactory(username=author)
        campaign = CampaignFactory(
            title=title, slug=slug, phase=Phase.VOTING, audience=Audience.PUBLIC, votes_per_voter=2
        )
        for idea in ideas:
            IdeaFactory(campaign=campaign, author=someone, title=idea)
        return campaign

    return seeded(make)


@pytest.fixture(scope="module")
def campaign(seeded):
    return voting_campaign(seeded, title=TITLE, slug="greener-streets", ideas=IDEAS, author="author")


def _text(html: str) -> str:
    """A translated message's text as the page shows it (its markup left out)."""
    return re.sub(r"<[^>]+>", "", html)


@dataclass(frozen=True)
class Words:
    """What journey 1 clicks and reads, as the site says it in one language:
    from the site's own catalogs and allauth's (the forms' labels from the
    forms), so the same steps read English or French."""

    language: str
    sign_up: str
    email: str
    username: str
    password: str
    password_again: str
    verify_heading: str
    confirm_heading: str
    confirm: str
    confirmed: str  # %(email)s
    log_in: str
    log_out: str
    login: str
    main_menu: str
    campaigns: str
    my_votes: str
    support: str
    thanks: str
    withdraw: str
    no_votes_left: str
    receipts_heading: str
    published_when_voting_closes: str
    check_my_vote: str
    found: str  # %(receipt)s, %(url)s, %(title)s, %(number)s
    email_subject: str

    @classmethod
    def of(cls, language: str) -> "Words":
        with translation.override(language):
            signup, login = SignupForm().fields, LoginForm().fields
            return cls(
                language=language,
                sign_up=gettext("Sign up"),
                email=str(signup["email"].label),
                username=str(signup["username"].label),
                password=str(signup["password1"].label),
                password_again=str(signup["password2"].label),
                verify_heading=gettext("Verify your e-mail address"),
                confirm_heading=gettext("Confirm your e-mail address"),
                confirm=gettext("Confirm"),
                confirmed=gettext("You have confirmed %(email)s."),
                log_in=gettext("Log in"),
                log_out=gettext("Log out"),
                login=str(login["login"].label),
                main_menu=gettext("Main"),
                campaigns=gettext("Campaigns"),
                my_votes=gettext("My votes"),
                support=gettext("Support this idea"),
                thanks=gettext("Thank you: you support this idea."),
                withdraw=gettext("Withdraw my support"),
                no_votes_left=gettext("No votes left: withdraw a support to give it to another idea."),
                receipts_heading=gettext("My vote receipts"),
                published_when_voting_closes=gettext("Published when voting closes"),
                check_my_vote=gettext("Check my vote"),
                found=gettext(
                    "Found: the receipt <code>%(receipt)s</code> is in the published list, counted for the idea "
                    '<a href="%(url)s">%(title)s</a> (#%(number)s).'
                ),
                email_subject=pgettext("e-mail subject", "Confirm your e-mail address"),
            )

    def votes_left(self, count: int) -> str:
        with translation.override(self.language):
            return ngettext("%(counter)s vote left", "%(counter)s votes left", count) % {"counter": count}

    def votes(self, count: int) -> str:
        with translation.override(self.language):
            return ngettext("%(counter)s vote", "%(counter)s votes", count) % {"counter": count}

    def label(self, text: str) -> re.Pattern:
        """A form field's label, as the form shows it (perhaps with a colon, which French spaces)."""
        return re.compile(rf"^{re.escape(text)}\s*:?$")


ENGLISH = Words.of("en")


def card(page, title):
    """The idea's card in a campaign's list."""
    return page.locator("li.idea-card").filter(has=page.get_by_role("heading", name=title))


def public_voter_journey(
    journey,
    campaign: Campaign,
    seeded,
    *,
    words: Words,
    username: str,
    email: str,
    ideas: tuple[str, str, str],
    each_page: Callable[[], None] = lambda: None,
) -> None:
    """Journey 1's steps, from the home page, in `words`' language; `each_page`
    runs after every page's checks (e.g. no scrolling sideways on a phone)."""
    from playwright.sync_api import expect

    page = journey.page

    def check(name: str | None = None) -> None:
        expect(page.locator("html")).to_have_attribute("lang", words.language)
        journey.check(name)
        each_page()

    password = "a long pass phrase 42"
    page.goto("/")
    check("home")

    # Sign up as a member of the public (an address outside the employees' domains).
    page.get_by_role("link", name=words.sign_up).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.sign_up)
    check("sign-up")
    page.get_by_label(words.label(words.email)).fill(email)
    page.get_by_label(words.label(words.username)).fill(username)
    page.get_by_label(words.label(words.password)).fill(password)
    page.get_by_label(words.label(words.password_again)).fill(password)
    page.get_by_role("button", name=words.sign_up, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.verify_heading)
    check("verify-your-email")

    # The verification link from the e-mail the worker sent, in the language of the sign-up.
    link = journey.mail_link(email, r"https?://\S+/accounts/confirm-email/\S+")
    message = next(m for m in reversed(journey.site.mail()) if email in m["To"])
    assert words.email_subject in message["Subject"], message["Subject"]
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(words.confirm_heading)
    check("confirm-email")
    page.get_by_role("button", name=words.confirm, exact=True).click()
    # Confirming in the browser that signed up logs in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    expect(page.get_by_text(words.confirmed % {"email": email})).to_be_visible()
    check("verified")

    # Log out, then log in with the new account.
    page.get_by_role("button", name=words.log_out).click()
    page.get_by_role("link", name=words.log_in).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.log_in)
    check("log-in")
    page.get_by_label(words.label(words.login)).fill(username)
    page.get_by_label(words.label(words.password)).fill(password)
    page.get_by_role("button", name=words.log_in, exact=True).click()
    expect(page.get_by_role("link", name=words.my_votes, exact=True)).to_be_visible()
    check()

    # The campaign in voting, from the list of campaigns.
    page.get_by_role("navigation", name=words.main_menu).get_by_role("link", name=words.campaigns).click()
    check("campaigns")
    page.get_by_role("link", name=campaign.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(campaign.title)
    for title in ideas:
        expect(card(page, title)).to_be_visible()
    expect(card(page, ideas[0]).get_by_text(words.votes_left(2))).to_be_visible()
    check("campaign-in-voting")

    # Vote up to the limit (2): htmx swaps the card, and every card's count.
    first, second, third = (card(page, title) for title in ideas)
    first.get_by_role("button", name=words.support).click()
    expect(first.get_by_text(words.thanks)).to_be_visible()
    expect(third.get_by_text(words.votes_left(1))).to_be_visible()
    second.get_by_role("button", name=words.support).click()
    expect(second.get_by_text(words.thanks)).to_be_visible()
    for each in (first, second, third):
        expect(each.get_by_text(words.votes_left(0))).to_be_visible()
    check("votes-at-the-limit")

    # At 0 votes left the third idea's button is unavailable, with its reason
    # (issue 10, item 5); the supported ones offer to withdraw, pressed.
    unavailable = third.get_by_role("button", name=words.support)
    expect(unavailable).to_be_disabled()
    expect(unavailable).to_have_accessible_description(words.no_votes_left)
    expect(third.get_by_text(words.no_votes_left)).to_be_visible()
    expect(third.get_by_text(words.votes(0), exact=True)).to_be_visible()
    check("unavailable-at-0-votes-left")

    # Withdraw one: the other buttons are available again.
    pressed = first.get_by_role("button", name=words.withdraw)
    expect(pressed).to_have_attribute("aria-pressed", "true")
    pressed.click()
    expect(first.get_by_role("status")).to_be_visible()
    expect(first.get_by_text(words.votes(0), exact=True)).to_be_visible()
    for each in (first, second, third):
        expect(each.get_by_text(words.votes_left(1))).to_be_visible()
    expect(third.get_by_role("button", name=words.support)).to_be_enabled()
    expect(third.get_by_text(words.no_votes_left)).to_be_hidden()
    check("withdrawn")

    # Vote for another, from its own page.
    third.get_by_role("link", name=ideas[2]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ideas[2])
    check("idea")
    page.get_by_role("button", name=words.support).click()
    expect(page.get_by_text(words.thanks)).to_be_visible()
    expect(page.get_by_text(words.votes_left(0))).to_be_visible()
    check("voted-for-another")

    # The receipts: two, to be checked once voting has closed.
    page.get_by_role("link", name=words.my_votes, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.receipts_heading)
    rows = page.get_by_role("row")
    expect(rows.filter(has_text=ideas[1])).to_contain_text(words.published_when_voting_closes)
    expect(rows.filter(has_text=ideas[2])).to_contain_text(words.published_when_voting_closes)
    expect(rows.filter(has_text=ideas[0])).to_have_count(0)
    receipt = rows.filter(has_text=ideas[2]).locator("code.digest").inner_text().strip()
    check("my-receipts")

    # Voting closes: the scheduler (celery beat, every few seconds here)
    # moves the campaign on, the worker counts the votes and publishes the receipts.
    seeded(lambda: Campaign.objects.filter(pk=campaign.pk).update(voting_closes=timezone.now() - timedelta(seconds=1)))
    check_link = rows.filter(has_text=ideas[2]).get_by_role("link", name=words.check_my_vote)

    def published():
        page.reload()
        return check_link.count() == 1

    assert wait_for(published, 90, every=1), f"the receipts were not published within 90 s:\n{site_log(journey)}"
    check("my-receipts-published")
    check_link.click()
    found = _text(words.found % {"receipt": receipt, "url": "", "title": ideas[2], "number": ""})
    # Up to the idea's number, which the page knows and the journey does not.
    expect(page.get_by_role("status")).to_contain_text(found[: found.index(ideas[2]) + len(ideas[2])])
    check("check-my-vote")
    journey.finish()


def test_a_member_of_the_public_signs_up_votes_to_the_limit_and_checks_the_receipt(journey, campaign, seeded):
    public_voter_journey(
        journey, campaign, seeded, words=ENGLISH, username="robin", email="robin@public.example", ideas=IDEAS
    )


def site_log(journey) -> str:
    return journey.site.log.read_text(errors="replace")[-6000:]
