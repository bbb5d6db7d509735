"""Journey 6: a manager logs in from the home page, creates a campaign (the
address follows the title as it is typed, until edited by hand), sets up its
jury (jurors, the chair, a criterion, an award), opens submission early from
the campaign's management page, and sees the actual date of the move on the
campaign's page, beside the planned one; the campaign is then live on the
home page, and its empty list invites the first idea. Without JavaScript, a
blank address is made from the title. Clicks and typing only, from the home
page; every page is checked (tests/e2e/journeys.py)."""

import re
from datetime import timedelta

from django.utils import formats, timezone, translation

import pytest

from tests.factories import UserFactory

TITLE = "Cleaner rivers"
SLUG = "cleaner-rivers"
MANAGER, CHAIR, MEMBER = "mona_manager", "rhea_juror", "sam_juror"


@pytest.fixture(scope="module")
def people(seeded):
    def make():
        UserFactory(username=MANAGER, groups=["campaign managers"])
        UserFactory(username=CHAIR)
        UserFactory(username=MEMBER)

    seeded(make)


def local(moment) -> str:
    """How the browser's form takes a date and time (the site's time zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown_date(moment) -> str:
    """A day as the pages print it (DATE_FORMAT, English), e.g. "Dec. 7, 2026"."""
    with translation.override("en"):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def fill_schedule(page, opens) -> dict:
    """A schedule starting at `opens`, a week per phase; returns it."""
    schedule = {
        "Submission opens": opens,
        "Submission closes": opens + timedelta(days=7),
        "Voting opens": opens + timedelta(days=7),
        "Voting closes": opens + timedelta(days=14),
        "Deliberation ends": opens + timedelta(days=21),
    }
    for label, moment in schedule.items():
        page.get_by_label(label, exact=True).fill(local(moment))
    return schedule


def test_a_manager_creates_a_campaign_sets_up_its_jury_and_opens_submission_early(journey, new_journey, people):
    from playwright.sync_api import expect

    page = journey.page
    journey.log_in(MANAGER)
    expect(page.get_by_role("heading", name=f"Welcome, {MANAGER}")).to_be_visible()
    journey.check("home-manager")

    # A new campaign, from the list of campaigns.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
    journey.check("new-campaign")

    # The address follows the title as it is typed...
    title = page.get_by_label("Title")
    address = page.get_by_label("Address")
    title.press_sequentially(TITLE)
    expect(address).to_have_value(SLUG)
    # ...stops following once edited by hand...
    address.fill("rivers")
    title.fill(f"{TITLE} and lakes")
    expect(address).to_have_value("rivers")
    # ...and follows again once emptied.
    address.fill("")
    title.fill(TITLE)
    expect(address).to_have_value(SLUG)

    page.get_by_label("Theme").fill("Ideas to bring **swimming** back to our rivers.")
    page.get_by_label("Votes per voter").fill("3")
    planned = fill_schedule(page, opens=timezone.now() + timedelta(days=3))
    journey.check("new-campaign-filled")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_text("The campaign was created as a draft.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Manage {TITLE}")
    journey.check("manage-draft")

    # Its jury: two jurors, the second made chair, a criterion and an award.
    page.get_by_role("link", name="Jury, criteria and awards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Jury of {TITLE}")
    journey.check("jury-setup")
    add_juror = page.get_by_role("group", name="Add a juror")
    for username in (MEMBER, CHAIR):
        add_juror.get_by_label("Username or e-mail").fill(username)
        add_juror.get_by_role("button", name="Add").click()
        expect(page.get_by_text(f"{username} joined the jury.")).to_be_visible()
    jurors = page.get_by_role("table", name="The members of the jury")
    jurors.get_by_role("button", name=f"Make {CHAIR} the chair").click()
    expect(jurors.get_by_role("row").filter(has_text=CHAIR)).to_contain_text("Chair")
    expect(jurors.get_by_role("row").filter(has_text=MEMBER)).to_contain_text("Member")

    add_criterion = page.get_by_role("group", name="Add a criterion")
    add_criterion.get_by_label("Name").fill("Feasibility")
    add_criterion.get_by_label("Weight").fill("2")
    add_criterion.get_by_role("button", name="Add").click()
    expect(page.get_by_role("group", name="Criterion “Feasibility”")).to_be_visible()

    add_award = page.get_by_role("group", name="Add an award")
    add_award.get_by_label("Name").fill("Grand prize")
    add_award.get_by_label("Prize").fill("A day on the river with the mayor")
    add_award.get_by_role("button", name="Add").click()
    expect(page.get_by_role("group", name="Award “Grand prize”")).to_be_visible()
    journey.check("jury-set-up")

    # Open submission now, three days before the plan.
    page.get_by_role("link", name="Back to managing the campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Manage {TITLE}")
    page.get_by_label("Yes, move this campaign now.").check()
    page.get_by_role("button", name="Move to Submission").click()
    expect(page.get_by_text("The campaign moved to the Submission phase.")).to_be_visible()
    history = page.get_by_role("table", name=re.compile("Every phase change"))
    expect(history.get_by_role("row").filter(has_text="Submission")).to_contain_text(MANAGER)
    journey.check("manage-submission-opened")

    # The campaign's page shows when submission actually opened: today, and the plan beside it.
    page.get_by_role("link", name="See the campaign's page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    schedule = page.get_by_role("region", name="Schedule")
    submission = schedule.locator("dt:has-text('Submission') + dd")
    today, planned_day = shown_date(timezone.now()), shown_date(planned["Submission opens"])
    assert today != planned_day
    expect(submission.locator("time").first).to_contain_text(today)
    expect(submission).to_contain_text(f"(planned {planned_day}")
    expect(submission.locator("time").first).to_have_attribute(
        "datetime", re.compile("^" + timezone.localdate().isoformat())
    )
    # No idea yet: the page invites the first one rather than saying none matches.
    expect(page.get_by_text("No idea yet: yours can be the first.")).to_be_visible()
    expect(page.get_by_role("link", name="Submit the first idea")).to_be_visible()
    expect(page.get_by_text("No idea matches")).to_have_count(0)
    journey.check("campaign-opened-early")

    # Live now on the home page, with its phase.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    live = page.get_by_role("region", name="Live now")
    card = live.get_by_role("listitem").filter(has=page.get_by_role("link", name=TITLE))
    expect(card).to_contain_text("Submission")
    expect(card).to_contain_text("Submission closes in")
    journey.check("home-live")
    journey.finish()

    # Without JavaScript the address is left blank, and made from the title (the first is taken).
    no_js = new_journey("no-js", java_script_enabled=False)
    plain = no_js.page
    no_js.log_in(MANAGER)
    plain.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    plain.get_by_role("link", name="New campaign").click()
    no_js.check()
    plain.get_by_label("Title").fill(TITLE)
    expect(plain.get_by_label("Address")).to_have_value("")
    fill_schedule(plain, opens=timezone.now() + timedelta(days=3))
    plain.get_by_role("button", name="Create the draft").click()
    expect(plain.get_by_text("The campaign was created as a draft.")).to_be_visible()
    expect(plain).to_have_url(re.compile(f"/campaigns/{SLUG}-2/manage/$"))
    no_js.check("no-js-created")
    no_js.finish()
