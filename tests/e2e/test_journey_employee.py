"""Journey 2: an employee logs in, submits an idea to an internal campaign
with Markdown and a described image, sees the similar ideas while typing
the title, comments (in Markdown) on the similar idea and follows it, drops
an idea in the idea box; a moderator accepts it from the box's review page;
the employee sees the new status on the idea's page and gets the e-mail.
Clicks and typing only, from the home page; every page is checked
(tests/e2e/journeys.py)."""

import re

import pytest
from PIL import Image

from campaigns.models import Audience, Phase
from tests.factories import CampaignFactory, IdeaFactory, UserFactory

CAMPAIGN = "Quieter offices"
SIMILAR = "Quiet rooms for phone calls"
TITLE = "Quiet rooms for video calls"
IMAGE_DESCRIPTION = "A floor plan with two quiet rooms beside the kitchen"
BOX_TITLE = "A water fountain on every floor"
EMPLOYEE = "emma"
EMPLOYEE_EMAIL = "emma@ideabox.example"  # the employees' domain (EMPLOYEE_EMAIL_DOMAINS)
MODERATOR = "mo"
REFUSED = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


@pytest.fixture(scope="module")
def people(seeded):
    def make():
        UserFactory(username=EMPLOYEE, domain="ideabox.example", display_name="Emma Employee")
        UserFactory(username=MODERATOR, domain="ideabox.example", groups=["moderators"])
        campaign = CampaignFactory(
            title=CAMPAIGN, slug="quieter-offices", phase=Phase.SUBMISSION, audience=Audience.INTERNAL
        )
        colleague = UserFactory(username="colleague", domain="ideabox.example")
        IdeaFactory(campaign=campaign, author=colleague, title=SIMILAR, summary="Booths where a call disturbs nobody.")

    seeded(make)


@pytest.fixture
def floor_plan(tmp_path):
    """A small PNG made for the upload."""
    path = tmp_path / "floor-plan.png"
    Image.new("RGB", (120, 80), (40, 110, 160)).save(path, format="PNG")
    return path


def test_an_employee_submits_comments_follows_and_hears_the_box_answer(journey, new_journey, people, floor_plan):
    from playwright.sync_api import expect

    page = journey.page
    journey.log_in(EMPLOYEE)
    journey.check()

    # The internal campaign, from the list of campaigns.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=CAMPAIGN).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CAMPAIGN)
    journey.check("campaign")
    page.get_by_role("link", name="Submit an idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an idea")
    journey.check("submit")

    # Typing the title: the similar idea is suggested right under it, announced.
    title = page.get_by_label("Title")
    title.press_sequentially(TITLE, delay=20)
    hint = page.locator("#similar-ideas")
    expect(hint.get_by_role("heading", name="Similar ideas already submitted")).to_be_visible()
    expect(hint.get_by_role("link", name=SIMILAR)).to_be_visible()
    expect(hint).to_have_attribute("aria-live", "polite")
    expect(title).to_have_attribute("aria-describedby", re.compile(r"\bsimilar-ideas\b"))
    field, shown = title.bounding_box(), hint.bounding_box()
    assert 0 <= shown["y"] - (field["y"] + field["height"]) < 60, (field, shown)
    journey.check("similar-ideas-while-typing")

    page.get_by_label("Summary").fill("Two small rooms where a video call disturbs nobody.")
    page.get_by_label("Description", exact=True).fill(
        "Open space is **noisy** during calls. We need:\n\n- two soundproof rooms\n- a booking screen at the door"
    )
    first = page.get_by_role("group", name="Attachment 1")
    first.get_by_label("File").set_input_files(floor_plan)

    # Without a description the image is refused, on its slot, saying why.
    page.get_by_role("button", name="Submit the idea").click()
    expect(page.get_by_text("Describe the image “floor-plan.png” in a few words")).to_be_visible()
    # The refused form is a 400 page, which Chromium logs: that one error is expected.
    assert journey.errors == [f"{page.url}: console error: {REFUSED}"], journey.errors
    journey.errors.clear()
    journey.check("image-without-description")
    first = page.get_by_role("group", name="Attachment 1")
    first.get_by_label("File").set_input_files(floor_plan)
    first.get_by_label("Description (required for an image)").fill(IMAGE_DESCRIPTION)
    page.get_by_role("button", name="Submit the idea").click()

    # The idea's page: the Markdown rendered, the image described.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Your idea is published. Thank you!")).to_be_visible()
    body = page.locator(".idea-body")
    expect(body.locator("strong")).to_have_text("noisy")
    expect(body.get_by_role("listitem")).to_have_text(["two soundproof rooms", "a booking screen at the door"])
    expect(page.get_by_text("**noisy**")).to_have_count(0)
    image = page.get_by_role("img", name=IMAGE_DESCRIPTION)
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    image.evaluate("img => img.decode()")  # loaded, or the promise fails
    assert image.evaluate("img => img.naturalWidth") == 120
    expect(page.locator("figure.attachment figcaption").get_by_role("link", name="floor-plan.png")).to_be_visible()
    # The author follows their own idea from the start.
    expect(page.get_by_role("button", name="Following · stop following")).to_have_attribute("aria-pressed", "true")
    journey.check("idea-with-markdown-and-image")

    # The edit page lists the image with its description, to change.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the idea")
    expect(page.get_by_label("Description of floor-plan.png")).to_have_value(IMAGE_DESCRIPTION)
    journey.check("edit")
    page.get_by_role("link", name=f"← {TITLE}").click()

    # The similar idea: comment in Markdown, then follow it.
    page.get_by_role("link", name=f"← {CAMPAIGN}").click()
    page.get_by_role("link", name=SIMILAR).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SIMILAR)
    journey.check("similar-idea")
    page.get_by_label("Your comment").fill(
        "I **agree**, and two places would do:\n\n1. the library\n2. the old canteen"
    )
    page.get_by_role("button", name="Post the comment").click()
    comments = page.locator("#comments")
    expect(comments.get_by_role("status")).to_have_text("Your comment is posted.")
    posted = comments.locator("li.comment").filter(has_text="the old canteen")
    expect(posted.locator(".comment-body strong")).to_have_text("agree")
    expect(posted.locator(".comment-body ol > li")).to_have_text(["the library", "the old canteen"])
    expect(comments.get_by_text("**agree**")).to_have_count(0)
    expect(comments.get_by_role("heading", level=2)).to_have_text("1 comment")
    follow = page.get_by_role("button", name="Follow this idea")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    following = page.get_by_role("button", name="Following · stop following")
    expect(following).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#follow").get_by_text("1 follower")).to_be_visible()
    journey.check("commented-and-following")

    # An idea dropped in the box.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Idea box").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.check("box")
    page.get_by_role("link", name="Submit an idea").click()
    page.get_by_label("Title").fill(BOX_TITLE)
    page.get_by_label("Summary").fill("Fresh water near every desk, and fewer plastic bottles.")
    page.get_by_role("button", name="Submit the idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BOX_TITLE)
    expect(page.get_by_text("Status: Under review")).to_be_visible()
    journey.check("box-idea-under-review")
    box_idea_url = page.url

    # A moderator accepts it from the box's review page.
    moderator = new_journey("moderator")
    moderator.log_in(MODERATOR)
    moderator.check()
    mod = moderator.page
    mod.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
    mod.get_by_role("navigation", name="Moderation").get_by_role("link", name="Idea box reviews").click()
    expect(mod.get_by_role("heading", level=1)).to_have_text("Idea box reviews")
    waiting = mod.locator("li.panel").filter(has=mod.get_by_role("link", name=BOX_TITLE))
    expect(waiting.get_by_text("by Emma Employee")).to_be_visible()
    moderator.check("box-reviews")
    waiting.get_by_role("button", name=f"Accept {BOX_TITLE}").click()
    expect(mod.get_by_role("link", name=BOX_TITLE)).to_have_count(0)
    moderator.check("box-reviews-after-accepting")
    moderator.finish()

    # The employee sees the new status, and the e-mail says it too.
    page.reload()
    expect(page.get_by_text("Status: Accepted")).to_be_visible()
    expect(page.locator(".status-history")).to_contain_text("Under review → Accepted")
    journey.check("box-idea-accepted")
    link = journey.mail_link(EMPLOYEE_EMAIL, r"https?://\S+/ideas/\d+/", seconds=90)
    assert link == box_idea_url, (link, box_idea_url)
    [mail] = [m for m in journey.site.mail() if EMPLOYEE_EMAIL in m["To"] and BOX_TITLE in m["Subject"]]
    assert "Your idea was answered" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "New status: Accepted" in text
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(BOX_TITLE)
    expect(page.get_by_text("Status: Accepted")).to_be_visible()
    journey.check()
    journey.finish()
