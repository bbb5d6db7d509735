"""Clean-up of what people type, shared by every app.

Unicode bidirectional controls reorder the text around them: a right-to-left
override (U+202E) in a title makes "Solar roofs\u202eTXT.EXE" read as
"Solar roofsEXE.TXT", and its effect spills over what follows it on a page
or in a spreadsheet cell. Titles, tags, category, criterion and award names
and display names are single lines where nobody needs them (right-to-left
scripts are laid out by the characters themselves), so they are removed at
input, and once more from exports as a second guard.
"""

# The embeddings and overrides (LRE, RLE, PDF, LRO, RLO), the isolates (LRI,
# RLI, FSI, PDI), the marks (LRM, RLM) and the Arabic letter mark (ALM).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(value: str) -> str:
    """`value` without Unicode bidirectional control characters."""
    return value.translate(_REMOVE)
