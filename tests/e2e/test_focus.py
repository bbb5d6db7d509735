"""The keyboard alone (issue 10): the skip link leads into the page's main
content, every element the Tab key reaches on the home page, the log-in
form and a campaign in voting shows where the focus is (an outline or a
shadow), and a voter logs in and supports an idea without the mouse."""

import re

import pytest

from campaigns.models import Audience, Phase
from tests.factories import PASSWORD, CampaignFactory, IdeaFactory, UserFactory

TITLE = "Calmer meeting rooms"
IDEAS = ("Phone booths on every floor", "Carpets in the open space")
# What the focused element is, and whether the focus shows on it.
FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const name = element.getAttribute("aria-label") || element.innerText || element.value
        || (element.labels && element.labels[0] && element.labels[0].innerText) || "";
    return {
        element: element.tagName.toLowerCase() + (element.id ? "#" + element.id : ""),
        name: name.trim().replace(/\\s+/g, " ").slice(0, 60),
        ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
            || (style.boxShadow !== "none" && style.boxShadow !== ""),
        onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < window.innerWidth,
        inMain: Boolean(element.closest("main")),
    };
}"""


@pytest.fixture(scope="module")
def campaign(seeded):
    def make():
        UserFactory(username="tab_voter")
        author = UserFactory(username="tab_author")
        campaign = CampaignFactory(
            title=TITLE, slug="calmer-meeting-rooms", phase=Phase.VOTING, audience=Audience.PUBLIC, votes_per_voter=2
        )
        for title in IDEAS:
            IdeaFactory(campaign=campaign, author=author, title=title)
        return campaign

    return seeded(make)


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab(page, times: int = 1) -> dict:
    for _ in range(times):
        page.keyboard.press("Tab")
    return focused(page)


def assert_focus_shows(page, limit: int = 80) -> list[dict]:
    """Tab through a page just loaded, until the focus leaves it: each
    element it reaches shows the focus, on the screen."""
    reached = []
    for _ in range(limit):
        now = tab(page)
        if now["element"] == "body" or (reached and now == reached[0]):
            break
        assert now["ring"], f"{page.url}: no visible focus on {now}"
        assert now["onScreen"], f"{page.url}: the focus is off the screen on {now}"
        reached.append(now)
    assert reached, f"{page.url}: the Tab key reaches nothing"
    return reached


def tab_to(page, name: str, limit: int = 80) -> dict:
    """Press Tab until the focus is on the element named `name` (a regex)."""
    for _ in range(limit):
        now = tab(page)
        if re.search(name, now["name"]):
            assert now["ring"], f"{page.url}: no visible focus on {now}"
            return now
    raise AssertionError(f"{page.url}: Tab never reaches {name!r}")


def test_the_skip_link_leads_into_the_main_content_and_the_focus_shows_on_the_home_page(journey, campaign):
    page = journey.page
    page.goto("/")
    journey.check()

    skip = tab(page)
    assert skip["name"] == "Skip to content", skip
    assert skip["ring"] and skip["onScreen"], f"the skip link is not seen when focused: {skip}"
    page.keyboard.press("Enter")
    assert focused(page)["element"] == "main#main"
    after = tab(page)
    assert after["inMain"], f"after the skip link the next Tab leaves the main content: {after}"

    page.goto("/")  # not a reload: that would keep #main, where the focus would start
    reached = assert_focus_shows(page)
    assert any(each["name"] == "Log in" for each in reached), reached
    journey.finish()


def test_a_voter_logs_in_and_supports_an_idea_with_the_keyboard_only(journey, campaign):
    from playwright.sync_api import expect

    page = journey.page
    page.goto("/")
    tab_to(page, "^Log in$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("log in", re.I))
    journey.check()
    assert_focus_shows(page)

    tab_to(page, "^(Username or email|Login)")
    page.keyboard.type("tab_voter")
    assert tab(page)["element"] == "input#id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    tab_to(page, "^Campaigns$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("campaigns", re.I))
    tab_to(page, f"^{TITLE}$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    journey.check("campaign-in-voting")
    reached = assert_focus_shows(page)
    assert [each["name"] for each in reached].count("Support this idea") == len(IDEAS)

    tab_to(page, "^Support this idea$")
    page.keyboard.press("Enter")
    # The first card's button, whichever idea the list shows first.
    supported = page.locator("li.idea-card").filter(has_text="Thank you: you support this idea.")
    expect(supported).to_have_count(1)
    card = page.locator("li.idea-card").filter(
        has=page.get_by_role("heading", name=supported.get_by_role("heading").inner_text())
    )
    # The focus stays on the card's control after htmx swaps it, not back at the top of the page.
    assert focused(page)["name"] == "Withdraw my support", focused(page)
    page.keyboard.press("Space")
    expect(card.get_by_role("button", name="Support this idea")).to_be_visible()
    journey.check("voted-and-withdrawn-with-the-keyboard")
    journey.finish()
