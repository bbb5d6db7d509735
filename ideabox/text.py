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


# The same characters as a regular expression class, for finding the rows
# that hold one (PostgreSQL's and SQLite's regex lookups both take it).
BIDI_REGEX = "[" + "".join(sorted(BIDI_CONTROLS)) + "]"
REPLACEMENT = "\ufffd"


def strip_bidi_from_rows(model, field: str, *, unique_with: tuple[str, ...] | None = None) -> int:
    """For data migrations: remove bidirectional controls from `field` in
    every row of `model` that holds one, as input has done since they are
    refused. Returns how many rows changed.

    `unique_with` names the other fields of a unique constraint on `field`
    (`()` when `field` is unique alone). A row whose cleaned value another row
    already has (or that would be left empty) gets each control replaced by
    U+FFFD instead: it keeps a name of its own, visibly marked, and nothing is
    reordered any more.
    """
    changed = 0
    columns = ["pk", field, *(unique_with or ())]
    for row in model.objects.filter(**{f"{field}__regex": BIDI_REGEX}).only(*columns).order_by("pk"):
        value = getattr(row, field)
        clean = strip_bidi(value).strip()
        taken = unique_with is not None and (
            model.objects.filter(**{name: getattr(row, name) for name in unique_with}, **{field: clean})
            .exclude(pk=row.pk)
            .exists()
        )
        if not clean or taken:
            clean = "".join(REPLACEMENT if char in BIDI_CONTROLS else char for char in value)
        model.objects.filter(pk=row.pk).update(**{field: clean})
        changed += 1
    return changed
