"""The results chart (jury.results.bar_chart): inline SVG, bar widths
proportional to the scores on a 0-to-1 scale, split into the public and
the jury parts, with every text escaped."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.utils import translation

import pytest

from jury.results import CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"
PLOT = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]


def widths(group: ET.Element) -> tuple[float, float]:
    rects = {rect.get("class"): float(rect.get("width")) for rect in group.iter(f"{SVG}rect")}
    return rects["public"], rects["jury"]


def chart(*items: tuple[str, str, str]) -> ET.Element:
    return parse(
        bar_chart(
            [Bar(label=label, public=Decimal(public), jury=Decimal(jury)) for label, public, jury in items],
            title="Final scores",
            description="The scores.",
        )
    )


def test_the_chart_is_an_accessible_image_that_scales():
    root = chart(("A", "0.4", "0.5"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 640 ")
    assert root.get("width") == "100%"
    assert root.find(f"{SVG}title").text == "Final scores"
    assert root.find(f"{SVG}desc").text == "The scores."
    assert root.get("aria-labelledby") == "results-chart-title results-chart-desc"


def test_one_bar_per_idea_with_widths_proportional_to_the_scores():
    root = chart(("First", "0.4", "0.4"), ("Second", "0.2", "0.2"), ("Third", "0.1", "0"))

    groups = bars(root)

    assert len(groups) == 3
    first, second, third = (widths(g) for g in groups)
    assert first == pytest.approx((0.4 * PLOT, 0.4 * PLOT), abs=0.01)
    assert sum(first) == pytest.approx(2 * sum(second), abs=0.02)
    assert third == pytest.approx((0.1 * PLOT, 0), abs=0.01)
    # The jury part starts where the public part ends.
    rects = {r.get("class"): r for r in groups[0].iter(f"{SVG}rect")}
    assert float(rects["jury"].get("x")) == pytest.approx(LABEL_WIDTH + 0.4 * PLOT, abs=0.01)


def test_the_numbers_are_written_beside_each_bar_and_in_each_part_title():
    root = chart(("First", "0.4", "0.5125"))

    group = bars(root)[0]

    value = next(t for t in group.iter(f"{SVG}text") if t.get("class") == "value")
    assert value.text == "0.9125"
    titles = [t.text for t in group.iter(f"{SVG}title")]
    assert "First: public vote 0.4000" in titles
    assert "First: jury 0.5125" in titles


def test_numbers_follow_the_language():
    with translation.override("fr"):
        root = chart(("Première", "0.4", "0.5125"))
    value = next(t for t in bars(root)[0].iter(f"{SVG}text") if t.get("class") == "value")
    assert value.text == "0,9125"


def test_a_zero_score_has_empty_bars_and_still_a_label():
    root = chart(("Top", "0.4", "0.6"), ("Nothing", "0", "0"))

    zero = bars(root)[1]

    assert widths(zero) == (0, 0)
    labels = [t for t in zero.iter(f"{SVG}text") if t.get("class") != "value"]
    assert "Nothing" in "".join(labels[0].itertext())


def test_all_zero_scores_draw_no_bar_and_do_not_divide_by_zero():
    root = chart(("A", "0", "0"), ("B", "0", "0"))
    assert [widths(g) for g in bars(root)] == [(0, 0), (0, 0)]


def test_a_single_idea_with_the_highest_score_fills_the_plot():
    root = chart(("Only", "0.4", "0.6"))
    assert sum(widths(bars(root)[0])) == pytest.approx(PLOT, abs=0.01)


def test_no_bar_leaves_the_plot_even_with_rounding():
    root = chart(("Over", "0.5", "0.5001"))
    public, jury = widths(bars(root)[0])
    assert public + jury <= PLOT + 1e-6


def test_an_empty_chart_is_still_valid_svg():
    root = chart()
    assert bars(root) == []
    assert root.get("role") == "img"


def test_labels_are_escaped():
    svg = bar_chart(
        [Bar(label="<script>alert('x')</script> & co", public=Decimal("0.1"), jury=Decimal("0.1"))],
        title="<b>Scores</b>",
        description='"quoted" & <tagged>',
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "<b>Scores</b>"
    texts = ["".join(t.itertext()) for t in bars(root)[0].iter(f"{SVG}text")]
    assert any("<script>alert('x')</script> & co" in text for text in texts)


def test_long_labels_are_shortened_on_the_bar_but_whole_in_the_title():
    label = "An idea with a very long title that would run over the bars of the chart"
    root = chart((label, "0.1", "0.1"))

    text = next(t for t in bars(root)[0].iter(f"{SVG}text") if t.get("class") != "value")

    assert text.find(f"{SVG}title").text == label
    shown = text.find(f"{SVG}title").tail
    assert shown.endswith("…")
    assert len(shown) <= 32


def test_the_svg_has_no_script_and_no_event_handler():
    svg = bar_chart([Bar(label="A", public=Decimal("0.3"), jury=Decimal("0.3"))], title="T")
    assert "<script" not in svg
    assert not re.search(r"\son[a-z]+=", svg)
