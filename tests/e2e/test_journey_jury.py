"""Journey 3: a campaign leaves voting (the scheduler moves it), the worker
tallies, three jurors score (one with the mouse and htmx's autosave, one
without JavaScript, one with the keyboard only), the chair decides the jury's
award, the campaign publishes when deliberation ends; an anonymous visitor
reads the results, downloads the receipts and the verifier, and the verifier
agrees with the published tally. Before that, a voter votes with the
keyboard only. Clicks, keys and typing only, from the home page; every page
is checked (tests/e2e/journeys.py)."""

import re
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from campaigns.models import Audience, Campaign, Phase
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from tests.faults.harness import wait_for

from .test_journey_public_voter import site_log

TITLE = "Quieter nights"
SLUG = "quieter-nights"
# Seeded votes: 4, 2 and 1; the keyboard voter adds one to the third (a tie
# goes to the idea submitted first: the shortlist of 2 is the first two).
IDEAS = {"Silent night buses": 4, "Green walls on the ring road": 2, "Car-free Sundays": 1}
NIGHT_BUSES, GREEN_WALLS, CAR_FREE = IDEAS
CHAIR, JUROR_NO_JS, JUROR_KEYBOARD, VOTER = "cleo_chair", "jules_juror", "kai_juror", "vera_voter"
PUBLIC_AWARD, JURY_AWARD = "Public's choice", "Jury prize"


@pytest.fixture(scope="module")
def campaign(seeded):
    def make():
        from jury.models import Award, AwardBasis, Criterion, Juror, Jury
        from votes import services as votes

        campaign = CampaignFactory(
            title=TITLE,
            slug=SLUG,
            phase=Phase.VOTING,
            audience=Audience.PUBLIC,
            votes_per_voter=2,
            shortlist_size=2,
        )
        author = UserFactory(username="quiet_author")
        ideas = {title: IdeaFactory(campaign=campaign, author=author, title=title) for title in IDEAS}
        # Through the service, so that every vote has its receipt.
        for i, (title, count) in enumerate(IDEAS.items()):
            for n in range(count):
                votes.cast_vote(voter=UserFactory(username=f"quiet_voter_{i}_{n}"), idea=ideas[title])
        UserFactory(username=VOTER)
        Jury.objects.create(campaign=campaign, public_weight=Decimal("0.5"))
        for username in (CHAIR, JUROR_NO_JS, JUROR_KEYBOARD):
            Juror.objects.create(campaign=campaign, user=UserFactory(username=username), is_chair=username == CHAIR)
        Criterion.objects.create(campaign=campaign, name="Impact", weight=2, position=0)
        Criterion.objects.create(campaign=campaign, name="Cost", weight=1, position=1)
        Award.objects.create(campaign=campaign, name=PUBLIC_AWARD, basis=AwardBasis.PUBLIC, position=0)
        Award.objects.create(campaign=campaign, name=JURY_AWARD, prize="A year of night buses", position=1)
        return campaign, {title: idea.pk for title, idea in ideas.items()}

    return seeded(make)


def open_campaign(journey) -> None:
    from playwright.sync_api import expect

    page = journey.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def reload_until(journey, locator, failure: str, seconds: float = 60) -> None:
    """Reload the page until `locator` is on it: the scheduler and the worker
    act every few seconds, not at once."""

    def there():
        if locator.count():
            return True
        journey.page.reload()
        return False

    assert wait_for(there, seconds, every=1), f"{failure} within {seconds} s:\n{site_log(journey)}"


def jury_card(page, title):
    """An idea's card on the jury's page."""
    return page.locator("article.jury-card").filter(has=page.get_by_role("heading", name=re.compile(re.escape(title))))


def focused(page) -> dict:
    """What has the keyboard focus, and whether that is visible (an outline or a box shadow)."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                tag: element.tagName.toLowerCase(),
                id: element.id,
                type: element.type || "",
                name: element.name || "",
                value: element.value || "",
                text: (element.innerText || "").trim(),
                pressed: element.getAttribute("aria-pressed"),
                visible: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                    || style.boxShadow !== "none",
            };
        }"""
    )


def tab_to(page, matches, *, most: int = 80, back: bool = False) -> dict:
    """Press Tab (Shift+Tab) until the focused element matches."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"no element like that within {most} presses of Tab; the focus is on {focused(page)}")


def press_and_swap(journey, key: str, card_id: str) -> None:
    """Press a key that saves the card (htmx), and wait until the card is
    swapped: the next key must go to the element that has the focus then."""
    page = journey.page
    page.evaluate("id => { document.getElementById(id).dataset.stale = 'yes' }", card_id)
    before = focused(page)
    page.keyboard.press(key)
    try:
        page.wait_for_function(
            "id => { const card = document.getElementById(id); return card && !card.dataset.stale }", arg=card_id
        )
    except Exception as error:
        saves = [line for line in site_log(journey).splitlines() if "/scores/" in line]
        raise AssertionError(
            f"{key} on {before} did not save the card; now on {focused(page)}; {saves[-5:]}"
        ) from error


def test_the_jury_scores_decides_and_the_public_verifies_the_results(journey, new_journey, campaign, seeded, tmp_path):
    from playwright.sync_api import expect

    campaign_obj, idea_ids = campaign

    # --- A voter votes with the keyboard only, while voting is open. -------------------
    voter = journey
    page = voter.page
    voter.log_in(VOTER)
    open_campaign(voter)
    expect(page.get_by_text("2 votes left").first).to_be_visible()
    voter.check("keyboard-voter-campaign")
    button = tab_to(page, lambda f: f["id"] == f"vote-{idea_ids[CAR_FREE]}-button")
    assert button["text"] == "Support this idea", button
    assert button["visible"], f"the focus is not visible on {button}"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you: you support this idea.")).to_be_visible()
    expect(page.get_by_text("1 vote left").first).to_be_visible()
    expect(page.get_by_text("2 votes left")).to_have_count(0)
    # The focus stays on the button, which now withdraws (the swap keeps its id).
    after = focused(page)
    assert after["id"] == button["id"] and after["text"] == "Withdraw my support" and after["pressed"] == "true", after
    assert after["visible"], f"the focus is not visible on {after}"
    voter.check("keyboard-voted")
    voter.finish()

    # --- Voting closes in a few seconds: the scheduler moves the campaign, the worker tallies.
    seeded(
        lambda: Campaign.objects.filter(pk=campaign_obj.pk).update(voting_closes=timezone.now() + timedelta(seconds=3))
    )

    chair = new_journey("chair")
    page = chair.page
    chair.log_in(CHAIR)
    open_campaign(chair)
    score_link = page.get_by_role("link", name="Score the shortlisted ideas")
    reload_until(chair, score_link, "voting was not closed")
    chair.check("campaign-in-deliberation")
    score_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Jury of {TITLE}")
    reload_until(chair, jury_card(page, GREEN_WALLS), "the vote was not tallied")
    expect(jury_card(page, NIGHT_BUSES)).to_be_visible()
    expect(jury_card(page, CAR_FREE)).to_have_count(0)  # third: not shortlisted
    expect(page.get_by_text("0 of 4 scores given")).to_be_visible()
    chair.check("jury-page")

    # --- The chair scores with the mouse: htmx saves each choice as it is made.
    for title, impact, cost in ((NIGHT_BUSES, "1", "0"), (GREEN_WALLS, "5", "5")):
        card = jury_card(page, title)
        card.get_by_role("group", name="Impact", exact=True).get_by_label(impact, exact=True).click()
        expect(card.get_by_role("status")).to_have_text("Saved.")
        card.get_by_role("group", name="Cost", exact=True).get_by_label(cost, exact=True).click()
        expect(card.get_by_role("group", name="Cost", exact=True).get_by_label(cost, exact=True)).to_be_checked()
    expect(page.get_by_text("4 of 4 scores given")).to_be_visible()
    page.reload()  # saved, not only shown
    expect(
        jury_card(page, GREEN_WALLS).get_by_role("group", name="Impact", exact=True).get_by_label("5", exact=True)
    ).to_be_checked()
    chair.check("chair-scored")

    # --- A juror without JavaScript: a plain POST, back to the card with its message in view.
    no_js = new_journey("no-js", java_script_enabled=False)
    page = no_js.page
    no_js.log_in(JUROR_NO_JS)
    open_campaign(no_js)
    page.get_by_role("link", name="Score the shortlisted ideas").click()
    card = jury_card(page, GREEN_WALLS)
    card.get_by_role("group", name="Impact", exact=True).get_by_label("4", exact=True).check()
    card.get_by_role("group", name="Cost", exact=True).get_by_label("4", exact=True).check()
    card.get_by_label("Comment (optional)").fill("Cheap to try on one street first.")
    card.get_by_role("button", name="Save my scores").click()
    expect(page).to_have_url(re.compile(rf"/jury/#idea-{idea_ids[GREEN_WALLS]}$"))
    saved = jury_card(page, GREEN_WALLS).get_by_role("status")
    expect(saved).to_have_text("Your scores were saved.")
    expect(saved).to_be_in_viewport()
    assert focused(page)["id"] == f"idea-{idea_ids[GREEN_WALLS]}"  # the card has the focus
    expect(page.get_by_text("2 of 4 scores given")).to_be_visible()
    no_js.check("scored-without-javascript")
    no_js.finish()

    # --- A juror with the keyboard only: Tab, Shift+Tab, arrows, Space.
    keyboard = new_journey("keyboard")
    page = keyboard.page
    keyboard.log_in(JUROR_KEYBOARD)
    open_campaign(keyboard)
    page.get_by_role("link", name="Score the shortlisted ideas").click()
    expect(jury_card(page, NIGHT_BUSES)).to_be_visible()
    keyboard.check()
    first = f"idea-{idea_ids[NIGHT_BUSES]}"
    # Past the other card's choices (one stop per criterion) to the night buses' first criterion.
    radio = tab_to(page, lambda f: f["type"] == "radio" and f["name"].startswith(f"idea{idea_ids[NIGHT_BUSES]}-"))
    assert radio["value"] == "", radio  # Impact: "No score"
    assert radio["visible"], f"the focus is not visible on {radio}"
    for _ in range(4):  # 0, 1, 2, 3: each saved as it is chosen
        press_and_swap(keyboard, "ArrowRight", first)
    impact = focused(page)
    assert impact["type"] == "radio" and impact["value"] == "3" and impact["visible"], impact
    page.keyboard.press("Tab")  # to the next criterion
    cost = focused(page)
    assert cost["type"] == "radio" and cost["name"] != impact["name"] and cost["visible"], cost
    for _ in range(2):  # 0, 1
        press_and_swap(keyboard, "ArrowRight", first)
    page.keyboard.press("Shift+Tab")  # back to Impact, one point more
    assert focused(page)["name"] == impact["name"]
    # ... and straight on to the comment: the save answers only once the
    # juror is typing (held here), and its swap keeps what they typed.
    held = []
    page.route("**/scores/", lambda route: held.append(route))
    page.keyboard.press("ArrowRight")
    comment = tab_to(page, lambda f: f["tag"] == "textarea")
    assert comment["id"].startswith(f"id_idea{idea_ids[NIGHT_BUSES]}-") and comment["visible"], comment
    page.keyboard.type("Quiet buses ")
    assert wait_for(lambda: page.wait_for_timeout(50) or held, 10), f"not sent: {focused(page)} {keyboard.errors}"
    held[0].continue_()
    page.unroute("**/scores/")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.keyboard.type("cost more.")
    card = jury_card(page, NIGHT_BUSES)
    expect(card.get_by_role("group", name="Impact", exact=True).get_by_label("4", exact=True)).to_be_checked()
    expect(card.get_by_role("group", name="Cost", exact=True).get_by_label("1", exact=True)).to_be_checked()
    expect(card.get_by_label("Comment (optional)")).to_have_value("Quiet buses cost more.")
    assert focused(page)["id"] == comment["id"]
    press_and_swap(keyboard, "Tab", first)  # leaving the comment saves it too
    save = focused(page)
    assert save["text"] == "Save my scores" and save["visible"], save
    press_and_swap(keyboard, "Space", first)
    expect(card.get_by_role("status")).to_have_text("Saved.")
    expect(card.get_by_label("Comment (optional)")).to_have_value("Quiet buses cost more.")
    expect(page.get_by_text("2 of 4 scores given")).to_be_visible()
    assert focused(page)["id"] == save["id"]
    keyboard.check("scored-with-the-keyboard")
    keyboard.finish()

    # --- The chair decides the jury's award; the public one came from the tally.
    page = chair.page
    page.get_by_role("link", name="Decide the awards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Awards of {TITLE}")
    public = page.locator("article").filter(has=page.get_by_role("heading", name=PUBLIC_AWARD))
    expect(public).to_contain_text(NIGHT_BUSES)
    expect(public).to_contain_text("Decided by the votes")
    prize = page.locator("article").filter(has=page.get_by_role("heading", name=JURY_AWARD))
    expect(prize).to_contain_text("Undecided")
    chair.check("awards-to-decide")
    # The ranking points to the green walls (the night buses won the public's award).
    expect(prize.get_by_label("Winner")).to_have_value(str(idea_ids[GREEN_WALLS]))
    prize.get_by_role("button", name="Confirm the winner").click()
    expect(page.get_by_text(f"“{JURY_AWARD}” goes to “{GREEN_WALLS}”.")).to_be_visible()
    expect(page.get_by_text("Every award is decided")).to_be_visible()
    chair.check("awards-decided")
    chair.finish()

    # --- Deliberation ends: the scheduler moves the campaign, the worker publishes.
    seeded(
        lambda: Campaign.objects.filter(pk=campaign_obj.pk).update(
            deliberation_ends=timezone.now() - timedelta(seconds=1)
        )
    )
    visitor = new_journey("visitor")
    page = visitor.page
    page.goto("/")
    visitor.check()
    open_campaign(visitor)
    results_link = page.get_by_role("link", name="See the results: winners, ranking and scores")
    reload_until(visitor, results_link, "the results were not published")
    visitor.check("campaign-published")
    results_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results of {TITLE}")
    winners = page.get_by_role("region", name="Winners")
    for award, title in ((PUBLIC_AWARD, NIGHT_BUSES), (JURY_AWARD, GREEN_WALLS)):
        expect(winners.locator("li").filter(has=page.get_by_role("heading", name=award))).to_contain_text(title)
    ranking = page.locator("section[aria-labelledby=ranking-title] tbody tr")
    expect(ranking).to_have_count(2)
    # Half the votes but the jury's favourite: (2/4 × 0.5 + 4.5/5 × 0.5) against (4/4 × 0.5 + 1.83/5 × 0.5).
    expect(ranking.nth(0)).to_contain_text(GREEN_WALLS)
    expect(ranking.nth(1)).to_contain_text(NIGHT_BUSES)
    visitor.check("results")

    # The receipts, from the results page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the list of receipts (CSV)").click()
    receipts = tmp_path / "receipts.csv"
    download.value.save_as(receipts)

    # The tally: its digest and votes per idea, and the verifier to download.
    page.get_by_role("link", name="The full tally, and how to check it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tally of {TITLE}")
    visitor.check("tally")
    digest = page.locator("code.digest").inner_text().strip()
    published_votes = {}
    for row in page.locator("section[aria-labelledby=ranking-title] tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        idea_id = int(re.search(r"#(\d+)", cells[1]).group(1))
        published_votes[idea_id] = int(cells[2])
    with page.expect_download() as download:
        page.get_by_role("link", name="the verifier").click()
    verifier = tmp_path / "verify.py"
    download.value.save_as(verifier)
    visitor.finish()

    # docs/verify.md: `python verify.py receipts.csv --digest <the published digest>`.
    run = subprocess.run(
        [sys.executable, str(verifier), str(receipts), "--digest", digest],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK: the list is canonical and matches the digest." in run.stdout
    recounted = {int(idea): int(votes) for idea, votes in re.findall(r"^\s+(\d+)\s+(\d+)$", run.stdout, re.M)}
    assert recounted == published_votes
    # The seeded votes and the keyboard voter's.
    assert recounted == {idea_ids[title]: count + (title == CAR_FREE) for title, count in IDEAS.items()}
