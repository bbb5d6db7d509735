"""WCAG 2 contrast ratio between two colours, for the design system's tests
(tests/ideabox/test_design_system.py on the stylesheet's tokens,
tests/e2e/test_look.py on the colours a browser computes)."""

import re


def rgb(colour: str) -> tuple[int, int, int]:
    """`#1b1f24` or `rgb(27, 31, 36)` as (27, 31, 36)."""
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(n) for n in re.findall(r"\d+", colour)[:3])


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
