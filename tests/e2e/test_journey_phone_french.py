"""Journey 5: journey 1 on a 390×844 phone and in French (Accept-Language
fr-FR), every page without scrolling sideways; the published results read on
that phone (issue 10, item 6); the header on one row at 1,280 px in French
for the person with the most roles, after switching the language with the
header's selector (item 7). Clicks and typing only, from the home page."""

from django.utils import translation
from django.utils.translation import gettext

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.results.test_results_page import published

from .conftest import PHONE
from .test_journey_public_voter import ENGLISH, Words, public_voter_journey, voting_campaign

TITLE = "Des rues plus vertes"
IDEAS = ("Des arbres à chaque coin de rue", "Des pistes cyclables vers la gare", "Des fontaines dans les parcs")
FRENCH = Words.of("fr")
PHONE_WIDTH = PHONE["viewport"]["width"]


def french(message: str) -> str:
    with translation.override("fr"):
        return gettext(message)


def assert_no_sideways_scrolling(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide on a {PHONE_WIDTH} px screen"


@pytest.fixture(scope="module")
def campaign(seeded):
    return voting_campaign(seeded, title=TITLE, slug="rues-plus-vertes", ideas=IDEAS, author="autrice")


def test_the_journey_speaks_french_where_the_catalog_does():
    """The journey below reads the French catalog: these words prove it is
    French (were the catalog missing, the journey would pass in English)."""
    assert FRENCH.sign_up == "S'inscrire"
    assert FRENCH.log_in == "Se connecter"
    assert FRENCH.support == "Soutenir cette idée"
    assert FRENCH.withdraw == "Retirer mon soutien"
    assert FRENCH.votes_left(2) == "2 soutiens restants"
    assert FRENCH.votes_left(0) == "0 soutien restant"
    assert FRENCH.receipts_heading == "Mes reçus de soutien"
    assert FRENCH.email_subject == "Confirmez votre adresse e-mail"


def test_a_member_of_the_public_votes_on_a_phone_in_french(new_journey, campaign, seeded):
    journey = new_journey("phone-fr", locale="fr-FR", **PHONE)
    page = journey.page

    public_voter_journey(
        journey,
        campaign,
        seeded,
        words=FRENCH,
        username="camille",
        email="camille@public.example",
        ideas=IDEAS,
        each_page=lambda: assert_no_sideways_scrolling(page),
    )

    # The sign-up e-mail was in French too, its body as well as its subject.
    message = next(m for m in reversed(journey.site.mail()) if "camille@public.example" in m["To"])
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert french("To confirm this is correct, go to %(activate_url)s").split("%(")[0] in body


@pytest.fixture(scope="module")
def results(seeded):
    return seeded(lambda: published(ideas=4, titles=[f"Une idée au titre assez long numéro {n}" for n in range(1, 5)]))


def test_the_results_read_on_a_phone(new_journey, results):
    """Issue 10, item 6: at 390 px the chart's labels and numbers keep the
    page's text size and the chart the screen's width; every column of the
    ranking shows on screen, beside its name."""
    from playwright.sync_api import expect

    journey = new_journey("phone-fr", locale="fr-FR", **PHONE)
    page = journey.page
    page.goto("/")
    journey.check()
    page.get_by_role("navigation", name=FRENCH.main_menu).get_by_role("link", name=FRENCH.campaigns).click()
    page.get_by_role("link", name=results.title).first.click()
    page.get_by_role("link", name=french("See the results: winners, ranking and scores")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(french("Results of %(title)s") % {"title": results.title})
    journey.check("results")
    assert_no_sideways_scrolling(page)

    chart = page.locator("ol.results-chart")
    expect(chart.locator("li.chart-bar")).to_have_count(4)
    assert chart.bounding_box()["width"] >= 300
    for selector in (".chart-label", ".chart-value", ".chart-parts", ".chart-legend li"):
        for element in page.locator(selector).all():
            size = float(element.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
            assert size >= 12, f"{selector} is {size} px"
            box = element.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, f"{selector} leaves the screen: {box}"
    for track in page.locator(".chart-track").all():
        assert track.bounding_box()["width"] >= 150
    expect(chart.locator(".chart-label").first).to_have_text("1. Une idée au titre assez long numéro 1")

    table = page.locator("table.results-table")
    names = [french(name) for name in ("Rank", "Idea", "Votes", "Jury average (out of 5)", "Final score", "Award")]
    cells = table.locator("tbody td").all()
    assert len(cells) == 4 * len(names)
    for index, cell in enumerate(cells):
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, f"cell {index} is cut off: {box}"
        # Each cell says its column, on a phone where the header row is hidden.
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert label == f'"{names[index % len(names)]}"', label
    journey.finish()


@pytest.fixture(scope="module")
def most_roles(seeded):
    """An employee who moderates, manages campaigns and administers, with a long name."""
    return seeded(
        lambda: UserFactory(
            username="dominique",
            display_name="Dominique Delacroix-Martin",
            domain="ideabox.example",
            groups=["moderators", "campaign managers"],
            is_staff=True,
        )
    )


def test_the_header_is_one_row_at_1280_px_in_french_with_the_most_roles(new_journey, most_roles):
    from playwright.sync_api import expect

    journey = new_journey("desktop-fr")
    page = journey.page
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label(ENGLISH.label(ENGLISH.login)).fill("dominique")
    page.get_by_label(ENGLISH.label(ENGLISH.password)).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    # The header's language selector, from the page the person is on.
    page.get_by_role("form", name="Language").get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    header = page.locator("header.site-header")
    for name in ("Modération", "Administration", "Boîte à idées", FRENCH.my_votes):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(header.get_by_role("button", name=FRENCH.log_out)).to_be_visible()
    journey.check("header-fr-most-roles")

    # One row: every item of the header sits on the brand's line.
    brand = header.locator(".brand").bounding_box()
    middle = brand["y"] + brand["height"] / 2
    items = header.locator(".brand, nav a, nav button, .language-switch button").all()
    assert len(items) == 11  # the brand, 6 menu links, 3 account items, 1 language
    for item in items:
        box = item.bounding_box()
        assert box["y"] <= middle <= box["y"] + box["height"], f"{item.inner_text() or item} wraps: {box}"
    assert header.bounding_box()["height"] <= 80
    journey.finish()
