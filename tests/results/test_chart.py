"""The results chart (results.selectors.results_chart and
templates/results/_chart.html): one item per ranked idea, its label
above its bar and its numbers as text, bar widths in percent of the track
(0 to 1), split into the public and the jury parts, every text escaped, and
the table of the ranking as cards on a phone (issue 10, item 6)."""

import re
from decimal import Decimal
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils import translation

import pytest

from results.selectors import Bar


def render(*items: tuple[str, str, str], language: str = "en") -> str:
    bars = [
        Bar(rank=rank, label=label, public=Decimal(public), jury=Decimal(jury))
        for rank, (label, public, jury) in enumerate(items, start=1)
    ]
    with translation.override(language):
        return render_to_string("results/_chart.html", {"bars": bars})


class Items(HTMLParser):
    """Each chart item's texts by class, and its rects' attributes by class."""

    def __init__(self):
        super().__init__()
        self.items: list[dict] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and attrs.get("class") == "chart-bar":
            self.items.append({"texts": {}, "rects": {}, "svg": None})
        if not self.items:
            return
        item = self.items[-1]
        if tag == "svg":
            item["svg"] = attrs
        if tag == "rect":
            item["rects"][attrs.get("class")] = attrs
        if tag == "p":
            self.stack.append(attrs.get("class", ""))

    def handle_endtag(self, tag):
        if tag == "p" and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.items and self.stack:
            texts = self.items[-1]["texts"]
            texts[self.stack[-1]] = texts.get(self.stack[-1], "") + data


def items(html: str) -> list[dict]:
    parser = Items()
    parser.feed(html)
    return parser.items


def text(item: dict, name: str) -> str:
    return " ".join(item["texts"][name].split())


def widths(item: dict) -> tuple[float, float]:
    rects = item["rects"]
    return float(rects["public"]["width"].rstrip("%")), float(rects["jury"]["width"].rstrip("%"))


def test_one_item_per_idea_with_its_label_above_its_bar_and_its_score_beside_it():
    html = render(("First", "0.4", "0.5125"), ("Second", "0.2", "0.1"))

    first, second = items(html)

    assert text(first, "chart-label") == "1. First"
    assert text(first, "chart-value") == "Final score 0.9125"
    assert text(first, "chart-parts") == "public vote 0.4000 + jury 0.5125"
    assert text(second, "chart-label") == "2. Second"
    # The label comes first, then the bar, then the numbers.
    assert html.index("First") < html.index('class="chart-track"') < html.index("0.9125")


def test_the_bars_are_decoration_the_numbers_are_text():
    item = items(render(("First", "0.4", "0.5")))[0]

    # Screen readers read the label and the numbers; the SVG is hidden from them.
    assert item["svg"]["aria-hidden"] == "true"
    assert item["svg"]["width"] == "100%"
    assert "viewbox" not in item["svg"]  # no scaling: the text keeps the page's size


def test_widths_are_proportional_to_the_scores_on_a_0_to_1_scale():
    first, second, third = (
        widths(item) for item in items(render(("A", "0.4", "0.4"), ("B", "0.2", "0.2"), ("C", "0.1", "0")))
    )

    assert first == (40, 40)
    assert sum(first) == pytest.approx(2 * sum(second))
    assert third == (10, 0)


def test_the_jury_part_starts_where_the_public_part_ends():
    rects = items(render(("A", "0.4125", "0.3")))[0]["rects"]

    assert rects["public"]["width"] == "41.25%"
    assert rects["jury"]["x"] == "41.25%"


def test_numbers_follow_the_language_but_the_widths_do_not():
    item = items(render(("Première", "0.4125", "0.5"), language="fr"))[0]

    assert text(item, "chart-value").endswith("0,9125")
    assert item["rects"]["public"]["width"] == "41.25%"


def test_a_zero_score_has_empty_bars_and_still_a_label():
    zero = items(render(("Top", "0.4", "0.6"), ("Nothing", "0", "0")))[1]

    assert widths(zero) == (0, 0)
    assert text(zero, "chart-label") == "2. Nothing"


def test_a_single_idea_with_the_highest_score_fills_the_track():
    assert sum(widths(items(render(("Only", "0.4", "0.6")))[0])) == 100


def test_no_bar_leaves_the_track_even_with_rounding():
    public, jury = widths(items(render(("Over", "0.5", "0.5001")))[0])
    assert public + jury <= 100


def test_an_empty_chart_has_no_item():
    assert items(render()) == []


def test_labels_are_escaped():
    html = render(("<script>alert('x')</script> & co", "0.1", "0.1"))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert text(items(html)[0], "chart-label") == "1. <script>alert('x')</script> & co"


def test_long_labels_are_whole():
    label = "An idea with a very long title that would run over the bars of the chart"
    assert text(items(render((label, "0.1", "0.1")))[0], "chart-label") == f"1. {label}"


def test_the_chart_has_no_script_no_event_handler_and_no_inline_style():
    html = render(("A", "0.3", "0.3"))
    assert "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html  # the Content-Security-Policy allows none
