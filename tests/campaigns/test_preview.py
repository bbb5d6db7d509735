"""A campaign's social preview (issue 10, a finished look): Open Graph and
Twitter card tags on its page, and a 1200×630 PNG at a stable address, only
for what the anonymous public may see."""

import io
import re

from django.core.cache import cache

import pytest
from PIL import Image

from campaigns import preview
from campaigns.models import Audience, Campaign, Phase
from tests.factories import ROLES_WITH_COMPANY, CampaignFactory, the_box

pytestmark = pytest.mark.django_db

SHOWN_PHASES = [Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED]


def meta(html: str) -> dict[str, str]:
    """The page's <meta property|name=... content=...> tags."""
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html))


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://ideas.example.org"
    settings.SITE_NAME = "Acme ideas"


def test_a_public_campaign_page_carries_its_preview_tags(client):
    campaign = CampaignFactory(
        title="Greener streets", slug="greener-streets", theme="Ideas for **shade** & [trees](https://x.example)."
    )
    tags = meta(client.get("/campaigns/greener-streets/").content.decode())
    assert tags["og:title"] == "Greener streets"
    assert tags["og:site_name"] == "Acme ideas"
    assert tags["og:description"] == "Ideas for shade &amp; trees."  # plain text, escaped once for HTML
    assert tags["description"] == tags["og:description"] == tags["twitter:description"]
    assert tags["og:url"] == "https://ideas.example.org/campaigns/greener-streets/"
    assert tags["og:image"] == "https://ideas.example.org/campaigns/greener-streets/preview.png"
    assert tags["twitter:image"] == tags["og:image"]
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"
    assert campaign.title in tags["og:image:alt"]


def test_a_long_theme_is_cut_at_a_word_and_an_empty_one_says_what_the_page_is():
    long = CampaignFactory(theme="A theme, " + "longer " * 40)
    text = preview.description(long)
    assert len(text) <= preview.DESCRIPTION_CHARS
    assert text.endswith(" longer…")
    assert preview.description(CampaignFactory(theme="")) == "An ideation campaign on Acme ideas."


def test_an_internal_campaign_page_names_no_preview_image(client, an_employee):
    CampaignFactory(slug="internal-one", audience=Audience.INTERNAL)
    client.force_login(an_employee)
    tags = meta(client.get("/campaigns/internal-one/").content.decode())
    assert "og:image" not in tags and "twitter:image" not in tags
    assert tags["twitter:card"] == "summary"
    assert tags["og:url"] == "https://ideas.example.org/campaigns/internal-one/"


def test_the_preview_is_a_1200_by_630_png_cached_by_browsers_and_shared_caches(client):
    CampaignFactory(slug="greener-streets")
    response = client.get("/campaigns/greener-streets/preview.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert response["ETag"].startswith('"')
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_an_unchanged_preview_is_not_sent_again(client):
    CampaignFactory(slug="greener-streets")
    etag = client.get("/campaigns/greener-streets/preview.png")["ETag"]
    again = client.get("/campaigns/greener-streets/preview.png", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_the_preview_changes_with_the_phase_and_the_title(client):
    campaign = CampaignFactory(slug="greener-streets", phase=Phase.SUBMISSION)
    first = client.get("/campaigns/greener-streets/preview.png")
    # A phase move updates `phase` alone (compare-and-swap), not updated_at.
    Campaign.objects.filter(pk=campaign.pk).update(phase=Phase.VOTING)
    moved = client.get("/campaigns/greener-streets/preview.png", HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert moved["ETag"] != first["ETag"] and moved.content != first.content
    campaign.refresh_from_db()
    campaign.title = "Another title"
    campaign.save()
    retitled = client.get("/campaigns/greener-streets/preview.png")
    assert retitled["ETag"] != moved["ETag"]


@pytest.mark.parametrize("role", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("phase", [*SHOWN_PHASES, Phase.DRAFT])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_only_what_the_public_may_see_has_a_preview_whoever_asks(client_as, role, phase, audience):
    CampaignFactory(slug="c", phase=phase, audience=audience)
    response = client_as(role).get("/campaigns/c/preview.png")
    public = audience == Audience.PUBLIC and phase != Phase.DRAFT
    assert response.status_code == (200 if public else 404)
    if not public:
        assert "public" not in response.get("Cache-Control", "")


def test_the_box_has_no_preview(client, an_employee):
    client.force_login(an_employee)
    assert client.get(f"/campaigns/{the_box().slug}/preview.png").status_code == 404


@pytest.mark.parametrize("slug", ["no-such-campaign", "x" * 500, "%00", "caf%C3%A9", "..", "a.b"])
def test_any_other_address_is_a_404_not_a_500(client, slug):
    assert client.get(f"/campaigns/{slug}/preview.png").status_code == 404


def test_the_preview_is_read_only(client):
    CampaignFactory(slug="c")
    assert client.post("/campaigns/c/preview.png").status_code == 405
    assert client.head("/campaigns/c/preview.png").status_code == 200


@pytest.mark.parametrize("phase", SHOWN_PHASES)
def test_the_image_says_the_phase_and_its_dates(phase):
    campaign = CampaignFactory(phase=phase)
    line = preview.when_line(campaign)
    assert line.startswith(f"{campaign.get_phase_display()} · ")
    assert " – " in line


def test_the_image_is_drawn_in_the_reader_s_language(client):
    CampaignFactory(slug="c", phase=Phase.VOTING)
    english = client.get("/campaigns/c/preview.png")
    french = client.get("/campaigns/c/preview.png", HTTP_ACCEPT_LANGUAGE="fr")
    assert english["ETag"] != french["ETag"]
    assert "Accept-Language" in french["Vary"] and "Cookie" in french["Vary"]
    client.cookies["ideabox_language"] = "fr"
    assert client.get("/campaigns/c/preview.png")["ETag"] == french["ETag"]


def test_a_long_title_wraps_in_at_most_four_lines_within_the_margins():
    width = preview.WIDTH - 2 * preview.MARGIN
    size, lines = preview.title_lines("Supercalifragilisticexpialidocious" * 3 + " and a very long title" * 8)
    assert size == 60 and len(lines) == 4
    assert all(preview._font(size, bold=True).getlength(line) <= width for line in lines)
    assert lines[-1].endswith("…")
    assert preview.title_lines("Greener streets") == (76, ["Greener streets"])
    size, lines = preview.title_lines("Greener streets: trees, shade and water fountains for a cooler city centre")
    assert size == 60 and len(lines) in (3, 4) and not lines[-1].endswith("…")


def test_text_is_folded_to_ascii_only_for_a_font_without_accents():
    builtin = preview.ImageFont.load_default(size=20)
    assert preview._drawable("Idées – déc.", builtin) == "Idees - dec."
    dejavu = preview._font(20)
    if dejavu.getname()[0] != preview.ASCII_ONLY_FONT:
        assert preview._drawable("Idées – déc.", dejavu) == "Idées – déc."


def test_a_title_of_any_script_is_drawn(client):
    cache.clear()
    CampaignFactory(slug="c", title="Idées 💡 for 東京 — «vite» " + "ù" * 170)
    assert client.get("/campaigns/c/preview.png").status_code == 200
