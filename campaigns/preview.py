"""A campaign's social preview: the Open Graph and Twitter card tags of its
page (campaigns/templatetags/social.py) and the 1200×630 PNG they point to,
drawn here with Pillow (the system's DejaVu, or Pillow's built-in font: no font file to ship).

Only a campaign the anonymous public may see has an image: a preview is
fetched by other sites' crawlers, without a session, and shared caches keep
it; an internal campaign's page names no image and its PNG is a 404 to
everyone.
"""

import hashlib
import html
import io
import unicodedata
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache as shared_cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from PIL import Image, ImageDraw, ImageFont

from accounts.notifications import absolute_url
from ideabox import markdown

from .models import Campaign, Phase

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
# The design system's colours (static/css/site.css): white on the brand blue, ink and muted on paper.
BRAND, INK, MUTED, PAPER, TINT = "#0b5cad", "#1b1f24", "#4a5561", "#ffffff", "#f3f5f8"
# The title at the first size whose lines it fits in (the last one cuts it): 3 lines of 76 px or 4 of 60.
TITLE_SIZES = ((76, 3), (60, 4))
# Drawn again when this changes (the ETag and the cache key carry it).
DESIGN = "1"
MAX_AGE = 3600  # an hour in browsers and shared caches: a phase move shows within it
DESCRIPTION_CHARS = 200


def public_campaigns():
    """The campaigns whose preview anyone may fetch: what the anonymous public sees."""
    return Campaign.objects.visible_to(AnonymousUser()).challenges()


def description(campaign: Campaign) -> str:
    """The campaign's theme as one line of plain text, cut at a word."""
    text = " ".join(html.unescape(strip_tags(markdown.render(campaign.theme))).split())
    if not text:
        return _("An ideation campaign on %(site)s.") % {"site": settings.SITE_NAME}
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def image_url(campaign: Campaign) -> str:
    return absolute_url(reverse("campaigns:preview", args=[campaign.slug]))


def page_url(campaign: Campaign) -> str:
    return absolute_url(campaign.get_absolute_url())


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


def when_line(campaign: Campaign) -> str:
    """The phase and the dates that matter in it, e.g. "Voting · 3 March 2027 – 17 March 2027"."""
    dates = {name: date.when for name, date in campaign.schedule_dates().items()}
    spans = {
        Phase.SUBMISSION: (dates["submission_opens"], dates["submission_closes"]),
        Phase.VOTING: (dates["voting_opens"], dates["voting_closes"]),
        Phase.DELIBERATION: (dates["voting_closes"], dates["deliberation_ends"]),
        Phase.RESULTS: (dates["submission_opens"], dates["deliberation_ends"]),
        Phase.ARCHIVED: (dates["submission_opens"], dates["deliberation_ends"]),
    }
    start, end = spans.get(campaign.phase, (None, None))
    span = " – ".join(part for part in (_date(start), _date(end)) if part)
    return f"{campaign.get_phase_display()} · {span}" if span else str(campaign.get_phase_display())


# Debian's DejaVu (fonts-dejavu-core, which Chromium and most systems bring)
# has accented and most non-Latin letters; Pillow's built-in font, the
# fallback, has ASCII only, so text drawn with it is folded to ASCII first.
SYSTEM_FONT, SYSTEM_BOLD_FONT = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
ASCII_ONLY_FONT = "Aileron"


@cache
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(SYSTEM_BOLD_FONT if bold else SYSTEM_FONT, size)
    except OSError:
        return ImageFont.load_default(size=size)


def _drawable(text: str, font) -> str:
    """`text` as `font` can draw it: "Idées – déc." stays, or becomes "Idees - dec."."""
    if font.getname()[0] != ASCII_ONLY_FONT:
        return text
    text = text.replace("–", "-").replace("—", "-")
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _wrap(text: str, font, width: int, lines: int) -> list[str]:
    """`text` in at most `lines` lines no wider than `width`, the last one
    ending with an ellipsis when some is left over."""
    words = []
    for word in text.split():
        while font.getlength(word) > width:  # a word wider than a line is cut
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    wrapped, line = [], ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if line and font.getlength(candidate) > width:
            wrapped.append(line)
            line = word
        else:
            line = candidate
    if line:
        wrapped.append(line)
    if len(wrapped) > lines:
        last = wrapped[lines - 1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        wrapped = [*wrapped[: lines - 1], last.rstrip() + "…"]
    return wrapped


def title_lines(title: str) -> tuple[int, list[str]]:
    """The title's font size and lines on the image."""
    for size, most in TITLE_SIZES:
        font = _font(size, bold=True)
        lines = _wrap(_drawable(title, font), font, WIDTH - 2 * MARGIN, most)
        if not lines[-1].endswith("…"):  # all of it fits at this size
            break
    return size, lines


def render_png(campaign: Campaign) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 120), fill=BRAND)
    site_font, when_font = _font(44, bold=True), _font(38)
    draw.text((MARGIN, 60), _drawable(settings.SITE_NAME, site_font), font=site_font, fill=PAPER, anchor="lm")
    size, lines = title_lines(campaign.title)
    y = 170
    for line in lines:
        draw.text((MARGIN, y), line, font=_font(size, bold=True), fill=INK)
        y += round(size * 1.2)
    draw.rectangle((0, HEIGHT - 110, WIDTH, HEIGHT), fill=TINT)
    draw.line((0, HEIGHT - 110, WIDTH, HEIGHT - 110), fill=BRAND, width=4)
    draw.text((MARGIN, HEIGHT - 55), _drawable(when_line(campaign), when_font), font=when_font, fill=MUTED, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _etag(campaign: Campaign) -> str:
    # A phase move is an UPDATE of `phase` alone (updated_at stays): both are in.
    parts = (DESIGN, campaign.pk, campaign.title, campaign.phase, campaign.updated_at.isoformat(), get_language())
    digest = hashlib.sha256(repr((*parts, settings.SITE_NAME, when_line(campaign))).encode()).hexdigest()
    return f'"{digest[:32]}"'


@require_safe
@cache_control(public=True, max_age=MAX_AGE)
def preview_image(request, slug: str):
    """/campaigns/<slug>/preview.png: the picture other sites show beside a link to the campaign."""
    campaign = get_object_or_404(public_campaigns().prefetch_related("transitions"), slug=slug)
    etag = _etag(campaign)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified.headers["ETag"] = etag
        return not_modified
    png = shared_cache.get_or_set(f"campaign-preview:{etag}", lambda: render_png(campaign), MAX_AGE)
    response = HttpResponse(png, content_type="image/png")
    response.headers["ETag"] = etag
    # Drawn in the reader's language, which the language cookie chooses as well as Accept-Language.
    patch_vary_headers(response, ["Cookie"])
    return response
