"""A finished look (issue 10, item 10): on the submit, manage, jury scoring
and awards pages at 1,280 px, no button touches a heading, a legend or the
edge of a panel (8 px apart at least), and every fieldset shows its border
and its legend. A manager who chairs a jury goes through them from the home
page; each page is checked and kept as a screenshot."""

import re

import pytest

from campaigns.models import Audience, Phase
from ideas.models import Status
from tests.contrast import contrast
from tests.factories import CampaignFactory, IdeaFactory, UserFactory

OPEN, DELIBERATING = "Quieter streets", "Brighter evenings"
CHAIR = "lena_look"
GAP = 8  # px between a button and a heading, a legend or a panel's edge

# Measured in the page: every visible button's box against every heading's
# and legend's box (apart by GAP along one axis at least), and against the
# panels, cards and fieldsets around it (GAP inside their edges) or beside it.
LAYOUT = """(gap) => {
  // checkVisibility: not inside a closed <details> either.
  const shown = (el) => el.checkVisibility({checkVisibilityCSS: true}) && el.getBoundingClientRect().width > 0;
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${el.textContent.trim().slice(0, 40)}"`;
  const buttons = [...document.querySelectorAll("main button, main .button, main input[type=submit]")].filter(shown);
  const headings = [...document.querySelectorAll("main :is(h1, h2, h3, h4, legend)")].filter(shown);
  const boxes = [...document.querySelectorAll("main :is(.panel, .card, fieldset)")].filter(
    (el) => shown(el) && parseFloat(getComputedStyle(el).borderTopWidth) > 0
  );
  const problems = [];
  for (const button of buttons) {
    const b = button.getBoundingClientRect();
    for (const heading of headings) {
      const h = heading.getBoundingClientRect();
      const apart = Math.max(h.left - b.right, b.left - h.right, h.top - b.bottom, b.top - h.bottom);
      if (apart < gap) problems.push(`${name(button)} is ${apart.toFixed(1)} px from ${name(heading)}`);
    }
    for (const box of boxes) {
      const p = box.getBoundingClientRect();
      const inside = box.contains(button)
        ? Math.min(b.left - p.left, p.right - b.right, b.top - p.top, p.bottom - b.bottom)
        : Math.max(p.left - b.right, b.left - p.right, p.top - b.bottom, b.top - p.bottom);
      if (inside < gap) problems.push(`${name(button)} is ${inside.toFixed(1)} px from the edge of ${name(box)}`);
    }
  }
  return {buttons: buttons.length, headings: headings.length, problems};
}"""

FIELDSETS = """() => [...document.querySelectorAll("main fieldset")]
  .filter((el) => el.checkVisibility() && !el.parentElement.closest("fieldset"))
  .map((el) => {
    const style = getComputedStyle(el);
    const legend = el.querySelector(":scope > legend");
    let back = el, background = "rgba(0, 0, 0, 0)";
    while (back && (background === "rgba(0, 0, 0, 0)" || background === "transparent")) {
      background = getComputedStyle(back).backgroundColor;
      back = back.parentElement;
    }
    return {
      legend: legend ? legend.textContent.trim() : null,
      legendWeight: legend ? parseInt(getComputedStyle(legend).fontWeight, 10) : 0,
      style: style.borderTopStyle,
      width: parseFloat(style.borderTopWidth),
      colour: style.borderTopColor,
      background: background,
    };
  })"""


def assert_finished_look(page, *, fieldsets: int) -> None:
    """No button touches a heading or a panel; the fieldsets (at least `fieldsets`) show a border and a legend."""
    layout = page.evaluate(LAYOUT, GAP)
    assert layout["buttons"] and layout["headings"], layout
    assert not layout["problems"], f"{page.url}:\n" + "\n".join(layout["problems"])
    found = page.evaluate(FIELDSETS)
    assert len(found) >= fieldsets, found
    for fieldset in found:
        assert fieldset["legend"], f"a fieldset without a legend on {page.url}"
        assert fieldset["legendWeight"] >= 600, fieldset
        assert fieldset["style"] == "solid" and fieldset["width"] >= 1, fieldset
        assert contrast(fieldset["colour"], fieldset["background"]) >= 3, fieldset


@pytest.fixture(scope="module")
def campaigns(seeded):
    def make():
        from jury.models import Award, Criterion, Juror, Jury

        chair = UserFactory(username=CHAIR, groups=["campaign managers"])
        from campaigns.models import PhaseTransition

        open_one = CampaignFactory(title=OPEN, slug="quieter-streets", phase=Phase.SUBMISSION, audience=Audience.PUBLIC)
        # A history, so that the manage page shows its table (4 columns: wider than a phone).
        PhaseTransition.objects.create(campaign=open_one, from_phase=Phase.DRAFT, to_phase=Phase.SUBMISSION, by=chair)
        deliberating = CampaignFactory(
            title=DELIBERATING, slug="brighter-evenings", phase=Phase.DELIBERATION, audience=Audience.PUBLIC
        )
        for title in ("Lamps on the riverside path", "Lit bus shelters"):
            IdeaFactory(campaign=deliberating, title=title, status=Status.SHORTLISTED)
        Jury.objects.create(campaign=deliberating)
        Juror.objects.create(campaign=deliberating, user=chair, is_chair=True)
        Criterion.objects.create(campaign=deliberating, name="Impact", weight=2, position=0)
        Award.objects.create(campaign=deliberating, name="Jury prize", prize="A lamp", position=0)

    seeded(make)


def walk_the_pages(journey, look) -> None:
    """From the home page, as the chair: the submit, manage, jury scoring and
    awards pages, each checked, kept as a screenshot and given to `look(page, name)`."""
    from playwright.sync_api import expect

    page = journey.page
    journey.log_in(CHAIR)

    # The submit page: the idea's fields and the attachments, each in its fieldset.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=OPEN).first.click()
    page.get_by_role("link", name="Submit an idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an idea")
    journey.check("submit")
    look(page, "submit")

    # The manage page: panels with forms, the phase move's fieldset, the history's table.
    page.get_by_role("link", name=f"← {OPEN}").click()
    page.get_by_role("link", name="Manage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Manage {OPEN}")
    journey.check("manage")
    look(page, "manage")

    # The jury's scoring page: a card per shortlisted idea, its scores in a fieldset.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=DELIBERATING).first.click()
    page.get_by_role("link", name="Score the shortlisted ideas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Jury of {DELIBERATING}")
    journey.check("jury-scoring")
    look(page, "jury-scoring")

    # The awards page: each award a panel, the winner chosen in a fieldset, the ranking's table.
    page.get_by_role("link", name="Decide the awards").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Awards of {DELIBERATING}")
    journey.check("awards")
    look(page, "awards")
    journey.finish()


# The fewest fieldsets each page shows (the submit page: the idea and its attachments; a card per idea to score).
FIELDSETS_AT_LEAST = {"submit": 2, "manage": 1, "jury-scoring": 2, "awards": 1}


def test_buttons_stand_clear_of_headings_and_panels_and_fieldsets_show_their_border(journey, campaigns):
    walk_the_pages(journey, lambda page, name: assert_finished_look(page, fieldsets=FIELDSETS_AT_LEAST[name]))


def test_on_a_phone_the_same_pages_fit_the_screen_their_tables_scroll(new_journey, campaigns):
    from tests.e2e.conftest import PHONE

    def fits(page, name):
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{name} is {widths[0]} px wide on a {widths[1]} px screen"
        assert_finished_look(page, fieldsets=FIELDSETS_AT_LEAST[name])

    walk_the_pages(new_journey("phone", **PHONE), fits)


def test_a_shared_campaign_link_shows_its_preview(journey, campaigns):
    """What another site reads from the campaign's page: its Open Graph tags
    and the preview image they point to."""
    import io

    from PIL import Image
    from playwright.sync_api import expect

    page = journey.page
    page.goto("/")
    journey.check()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=OPEN).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN)
    journey.check("campaign")
    meta = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("meta[property^='og:']")]
            .map((m) => [m.getAttribute("property"), m.content]))"""
    )
    assert meta["og:title"] == OPEN
    assert meta["og:url"] == page.url
    assert meta["og:image"] == f"{journey.site.url}/campaigns/quieter-streets/preview.png"
    # Fetched as a crawler would: without the visitor's cookies.
    image = page.context.request.get(meta["og:image"], headers={"Cookie": ""})
    assert image.status == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.body())).size == (1200, 630)
    journey.finish()


@pytest.mark.parametrize(("language", "heading"), [("en-GB", "Page not found"), ("fr-FR", "Page introuvable")])
def test_the_page_not_found_passes_the_checks_in_both_languages(new_journey, campaigns, language, heading):
    """A stale link: the error page in the site's look, in the browser's language, on a phone."""
    from playwright.sync_api import expect

    from tests.e2e.conftest import PHONE

    journey = new_journey(f"not-found-{language}", locale=language, **PHONE)
    page = journey.page
    response = page.goto("/campaigns/no-longer-here/")
    assert response.status == 404
    # Chromium logs the page's own 404 as a console error: that one alone is expected.
    own = [error for error in journey.errors if "status of 404" in error]
    assert len(own) == 1, journey.errors
    journey.errors.remove(own[0])
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    journey.check("not-found")
    page.get_by_role("link", name=re.compile("^(Back to the home page|Retour à la page d'accueil)$")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    journey.finish()
