"""The design system's colours meet WCAG AA (issue 10, a finished look): each
text/background pair the stylesheet uses reaches 4.5:1, each border of an
input or a button and the focus ring 3:1, computed from the :root custom
properties of static/css/site.css."""

import re
from pathlib import Path

import pytest

from ideabox.settings.base import BASE_DIR
from tests.contrast import contrast

CSS = Path(BASE_DIR) / "static" / "css" / "site.css"

# (foreground, background): text, 4.5:1.
TEXT = [
    ("ink", "paper"),  # body text
    ("ink", "tint"),  # the header, the footer, table heads, badges
    ("muted", "paper"),  # hints, meta
    ("muted", "tint"),  # the footer, disabled buttons
    ("brand", "paper"),  # links, secondary buttons
    ("brand", "tint"),  # links in the header
    ("brand-dark", "paper"),  # links on hover
    ("brand-dark", "brand-tint"),  # secondary buttons on hover
    ("paper", "brand"),  # primary buttons
    ("paper", "brand-dark"),  # primary buttons on hover
    ("paper", "error"),  # danger buttons
    ("paper", "error-dark"),  # danger buttons on hover
    ("paper", "ink"),  # the skip link
    ("ink", "brand-tint"),  # info messages
    ("ink", "ok-tint"),  # success messages
    ("ink", "warn-tint"),  # warning messages
    ("ink", "error-tint"),  # error messages
    ("ok", "paper"),
    ("ok", "ok-tint"),  # ok badges
    ("warn", "paper"),
    ("warn", "warn-tint"),  # warn badges
    ("error", "paper"),  # field errors
    ("error", "error-tint"),  # error messages and badges
    # The role badges beside staff names, in comments (paper) and cards (tint)
    *(
        (f"role-{role}", background)
        for role in ("administrator", "moderator", "manager")
        for background in ("paper", "tint")
    ),
    # Links and hints inside messages
    *((colour, tint) for colour in ("brand", "muted") for tint in ("brand-tint", "ok-tint", "warn-tint", "error-tint")),
]
# (edge, background): the borders of inputs, fieldsets and buttons, and the focus ring, 3:1.
EDGES = [
    ("border", "paper"),  # inputs, fieldsets, secondary buttons
    ("border", "tint"),  # the language switch in the header
    ("brand", "paper"),  # primary buttons
    ("error", "paper"),  # danger buttons, fields in error
    ("muted", "paper"),  # disabled buttons
    ("ok", "paper"),  # the pressed support button
    ("focus", "paper"),
    ("focus", "tint"),
    ("focus", "brand-tint"),
]
# Background-only and decorative colours: never text, never the edge of a control.
DECORATIVE = {"line"}


def root_colours() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(), re.S).group(1)
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\b", root))


def test_colours_are_written_once_in_the_tokens():
    """Outside :root, a colour is a var(--token): the tokens are the whole palette the test checks."""
    rules = re.sub(r"/\*.*?\*/|:root\s*{.*?}", "", CSS.read_text(), flags=re.S)
    written = re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", rules)
    assert not written, f"colours outside the tokens (add a --token in :root and its pairs here): {written}"


def test_the_contrast_formula_gives_wcag_s_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("rgb(118, 118, 118)", "#ffffff") == contrast("#767676", "#ffffff")


@pytest.mark.parametrize(("text", "background"), TEXT)
def test_text_colours_reach_4_5_to_1(text, background):
    colours = root_colours()
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"


@pytest.mark.parametrize(("edge", "background"), EDGES)
def test_borders_of_controls_and_the_focus_ring_reach_3_to_1(edge, background):
    colours = root_colours()
    ratio = contrast(colours[edge], colours[background])
    assert ratio >= 3, f"--{edge} on --{background}: {ratio:.2f}:1"


def test_every_colour_of_the_design_system_is_checked():
    checked = {name for pair in TEXT + EDGES for name in pair} | DECORATIVE
    colours = root_colours()
    assert len(colours) >= 15
    assert set(colours) <= checked, f"colours in no checked pair: {sorted(set(colours) - checked)}"


def test_the_scales_are_custom_properties():
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(), re.S).group(1)
    for name in ("space-1", "space-4", "space-7", "text-sm", "text-base", "text-3xl", "radius", "focus-ring"):
        assert f"--{name}:" in root
