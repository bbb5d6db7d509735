"""Journey 4: a moderator handles the queue. From the home page, logged in,
Moderation in the navigation: dismisses a report, approves an idea of a
pre-moderated campaign, hides a reported comment and restores it, merges a
reported duplicate. After each htmx action, without a reload, the item has
left its list (or moved to the recently hidden), the counts in the headings
went down, the live region says what was done and focus is on the heading of
the list the item was in; a visitor sees the result. Then, without
JavaScript (plain POST and redirect), the moderator turns down an idea
awaiting approval, restores it and approves it. Clicks and typing only;
every page is checked (tests/e2e/journeys.py)."""

import re

import pytest

from campaigns.models import Audience, Moderation, Phase
from ideas.models import Report
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory

TITLE = "A quieter office"
REPORTED = "Noise-cancelling booths"
RUDE = "Booths are for managers, as usual. Typical."
TARGET = "Quiet hours every morning"
DUPLICATE = "Quiet mornings for everyone"
WAITING = ("Carpet in the open space", "Plants as sound barriers")


@pytest.fixture(scope="module")
def queue(seeded):
    def make():
        UserFactory(username="mona-moderator", groups=["moderators"])
        author, reporter = UserFactory(username="quiet-author"), UserFactory(username="quiet-reporter")
        campaign = CampaignFactory(
            title=TITLE,
            slug="a-quieter-office",
            phase=Phase.SUBMISSION,
            audience=Audience.PUBLIC,
            moderation=Moderation.PRE,
        )
        reported = IdeaFactory(campaign=campaign, author=author, title=REPORTED)
        Report.objects.create(reporter=reporter, idea=reported, reason="This reads like an advert.")
        comment = CommentFactory(idea=reported, author=UserFactory(username="quiet-grumbler"), body=RUDE)
        Report.objects.create(reporter=reporter, comment=comment, reason="Insulting.")
        target = IdeaFactory(campaign=campaign, author=author, title=TARGET)
        duplicate = IdeaFactory(campaign=campaign, author=reporter, title=DUPLICATE)
        Report.objects.create(reporter=author, idea=duplicate, reason=f"The same as idea no. {target.pk}.")
        for title in WAITING:
            IdeaFactory(campaign=campaign, author=author, title=title, approved=False)
        return {"target": target.pk}

    return seeded(make)


def reports(n: int) -> str:
    return f"{n} open report" if n == 1 else f"{n} open reports"


def approvals(n: int) -> str:
    return f"{n} idea awaiting approval" if n == 1 else f"{n} ideas awaiting approval"


def counts(page) -> tuple[int, int]:
    """The queue's counts as its headings say them (other journeys' data may add to ours)."""
    return tuple(int(page.locator(f"#{kind}-count").inner_text().split()[0]) for kind in ("reports", "approvals"))


def item(page, section: str, text: str):
    return page.locator(f"#{section} li.panel").filter(has_text=text)


def log_in_and_open_the_queue(journey) -> None:
    from playwright.sync_api import expect

    journey.log_in("mona-moderator")
    page = journey.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")


def open_idea_as_visitor(visitor, title: str) -> None:
    """The visitor's way to an idea: Campaigns, the campaign, the idea."""
    from playwright.sync_api import expect

    page = visitor.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    if title:
        page.get_by_role("link", name=title).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)


def assert_the_queue_followed(journey, *, said: str, gone, count: str, focus: str, shot: str) -> None:
    """After an htmx action, without a reload: the live region says it, the
    item is gone, the heading's count says `count`, the list's heading
    (`focus`) has the focus."""
    from playwright.sync_api import expect

    page = journey.page
    expect(page.locator("#queue-status")).to_have_text(said)
    expect(gone).to_have_count(0)
    expect(page.locator("#reports-count, #approvals-count").filter(has_text=re.compile(f"^{count}$"))).to_have_count(1)
    expect(page.locator(f"#{focus}")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == focus
    assert page.evaluate("window.queueNotReloaded === true"), "the queue page was reloaded"
    journey.check(shot)


def test_a_moderator_handles_the_queue_and_it_follows_each_action(journey, new_journey, queue):
    from playwright.sync_api import expect

    page = journey.page
    log_in_and_open_the_queue(journey)
    open_reports, waiting = counts(page)
    assert (open_reports, waiting) >= (3, 2)
    expect(item(page, "reports", REPORTED).first).to_be_visible()
    expect(item(page, "approvals", WAITING[0])).to_be_visible()
    expect(item(page, "hidden", RUDE)).to_have_count(0)
    journey.check("queue")
    page.evaluate("window.queueNotReloaded = true")

    # A visitor beside, on the reported idea: the comment is there.
    visitor = new_journey("visitor")
    visitor.page.goto("/")
    open_idea_as_visitor(visitor, REPORTED)
    expect(visitor.page.get_by_text(RUDE)).to_be_visible()
    visitor.check("idea-with-the-comment")

    # 1. Dismiss the report on the idea: it leaves, the count goes down,
    # focus goes to the reports' heading and the live region says so.
    advert = item(page, "reports", "This reads like an advert.")
    advert.get_by_label("Note (optional)").fill("Not an advert: a proposal.")
    advert.get_by_role("button", name="Dismiss the report").click()
    open_reports -= 1
    assert_the_queue_followed(
        journey,
        said="The report is dismissed.",
        gone=advert,
        count=reports(open_reports),
        focus="reports-title",
        shot="report-dismissed",
    )

    # 2. Approve an idea awaiting approval: it leaves the list, and a visitor
    # finds it on the campaign's page.
    open_idea_as_visitor(visitor, "")
    expect(visitor.page.get_by_role("heading", name=WAITING[0])).to_have_count(0)
    item(page, "approvals", WAITING[0]).get_by_role("button", name="Approve and publish").click()
    waiting -= 1
    assert_the_queue_followed(
        journey,
        said="The idea is approved and published.",
        gone=item(page, "approvals", WAITING[0]),
        count=approvals(waiting),
        focus="approvals-title",
        shot="idea-approved",
    )
    visitor.page.reload()
    expect(visitor.page.get_by_role("heading", name=WAITING[0])).to_be_visible()
    visitor.check("approved-idea-listed")

    # 3. Hide the reported comment: its report leaves, it arrives in the
    # recently hidden; the visitor no longer sees it.
    rude = item(page, "reports", "Insulting.")
    rude.get_by_label("Reason for hiding").fill("Insults a group of colleagues.")
    rude.get_by_role("button", name="Hide the comment").click()
    open_reports -= 1
    hidden = item(page, "hidden", RUDE)
    expect(hidden).to_contain_text("Insults a group of colleagues.")
    assert_the_queue_followed(
        journey,
        said="The comment is hidden.",
        gone=rude,
        count=reports(open_reports),
        focus="reports-title",
        shot="comment-hidden",
    )
    open_idea_as_visitor(visitor, REPORTED)
    expect(visitor.page.get_by_text(RUDE)).to_have_count(0)
    visitor.check("idea-without-the-comment")

    # 4. Restore it from the recently hidden, without a reload: it leaves the
    # list, focus goes to its heading; the visitor sees it again.
    hidden.get_by_role("button", name="Restore the comment").click()
    assert_the_queue_followed(
        journey,
        said="The comment is visible again.",
        gone=hidden,
        count=reports(open_reports),
        focus="hidden-title",
        shot="comment-restored",
    )
    visitor.page.reload()
    expect(visitor.page.get_by_text(RUDE)).to_be_visible()

    # 5. Merge the reported duplicate into the idea its report names.
    duplicate = item(page, "reports", f"The same as idea no. {queue['target']}.")
    duplicate.get_by_text("Merge into another idea").click()
    duplicate.get_by_label("Number of the idea to merge into").fill(str(queue["target"]))
    duplicate.get_by_label(re.compile(r"^Reason\W*$")).fill("Both ask for quiet mornings.")
    journey.check("merge-form")
    duplicate.get_by_role("button", name="Merge").click()
    open_reports -= 1
    assert_the_queue_followed(
        journey,
        said="The idea is merged: its comments, followers and votes moved.",
        gone=duplicate,
        count=reports(open_reports),
        focus="reports-title",
        shot="duplicate-merged",
    )
    open_idea_as_visitor(visitor, "")
    expect(visitor.page.get_by_role("heading", name=TARGET)).to_be_visible()
    expect(visitor.page.get_by_role("heading", name=DUPLICATE)).to_have_count(0)
    visitor.check("campaign-after-the-merge")

    # The queue as the server draws it now agrees with what the page showed.
    page.reload()
    assert counts(page) == (open_reports, waiting)
    journey.check()
    journey.finish()
    visitor.finish()


def test_without_javascript_the_queue_follows_each_plain_post(new_journey, queue):
    from playwright.sync_api import expect

    journey = new_journey("no-js", java_script_enabled=False)
    page = journey.page
    log_in_and_open_the_queue(journey)
    open_reports, waiting = counts(page)
    waiting_item = item(page, "approvals", WAITING[1])
    expect(waiting_item).to_be_visible()
    journey.check("queue-no-js")

    # Turn the idea down (hide it): back on the queue, it is in the recently hidden.
    waiting_item.get_by_label("Reason for hiding").fill("Off topic for this campaign.")
    waiting_item.get_by_role("button", name="Hide the idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    expect(page.locator(".messages")).to_have_text("The idea is hidden.")
    expect(waiting_item).to_have_count(0)
    expect(page.locator("#approvals-count")).to_have_text(approvals(waiting - 1))
    hidden = item(page, "hidden", WAITING[1])
    expect(hidden).to_contain_text("Awaiting approval")
    journey.check("idea-turned-down-no-js")

    # Restore it: it waits for approval again.
    hidden.get_by_role("button", name=re.compile("^Restore")).click()
    expect(page.locator(".messages")).to_have_text("The idea is visible again.")
    expect(hidden).to_have_count(0)
    expect(page.locator("#approvals-count")).to_have_text(approvals(waiting))
    expect(waiting_item).to_be_visible()

    # Approve it: it leaves, the count goes down.
    waiting_item.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messages")).to_have_text("The idea is approved and published.")
    expect(waiting_item).to_have_count(0)
    expect(page.locator("#approvals-count")).to_have_text(approvals(waiting - 1))
    expect(page.locator("#reports-count")).to_have_text(reports(open_reports))
    journey.check("idea-approved-no-js")
    journey.finish()
