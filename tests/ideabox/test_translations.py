"""The French catalogue: complete, compiled, faithful to its placeholders, and used by the site.

scripts/check_messages.py (`make check-messages`) also checks that no string
of the code is missing from the catalogue; that needs gettext, these do not.
"""

import re
from pathlib import Path

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

import polib
import pytest

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
FRENCH_PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))

# A printf-style conversion as Python's % operator reads it; blocktranslate
# variables reach the catalogue as %(name)s.
PYTHON_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)
NAMED_PLACEHOLDER = re.compile(r"%\(([^)]*)\)")
# In text gettext did not flag, "%" may be a plain percent sign ("50% off"):
# only a conversion glued to it counts.
GLUED_PLACEHOLDER = re.compile(r"%%|%[sdifr]")


def french_entries():
    return [entry for entry in polib.pofile(str(FRENCH_PO)) if not entry.obsolete]


def translations_of(entry):
    """(source, translation) pairs; the last plural form answers to msgid_plural."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [(entry.msgid_plural if index == len(forms) - 1 else entry.msgid, form) for index, form in enumerate(forms)]


def placeholders(text, flags):
    if "python-format" in flags:
        matches = [match for match in PYTHON_FORMAT.finditer(text) if match.group("conversion") != "%"]
        named = {
            (match.group("name"), match.group("conversion")) for match in matches if match.group("name") is not None
        }
        positional = [match.group(0) for match in matches if match.group("name") is None]
        return named, positional
    glued = [found for found in GLUED_PLACEHOLDER.findall(text) if found != "%%"]
    return set(NAMED_PLACEHOLDER.findall(text)), glued


def compiled(entry):
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def test_the_french_catalogue_and_its_compiled_file_exist():
    assert FRENCH_PO.is_file()
    assert FRENCH_PO.with_suffix(".mo").is_file()
    assert french_entries()


def test_the_french_header_declares_the_language_and_its_plural_rule():
    po = polib.pofile(str(FRENCH_PO))
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_french_entry_is_translated():
    untranslated = [
        entry.msgid for entry in french_entries() if not all(text for _source, text in translations_of(entry))
    ]
    assert untranslated == []


def test_no_french_entry_is_fuzzy():
    fuzzy = [entry.msgid for entry in french_entries() if "fuzzy" in entry.flags]
    assert fuzzy == []


def test_french_translations_keep_the_placeholders_of_their_source():
    differing = []
    for entry in french_entries():
        if "no-python-format" in entry.flags:
            continue
        source, text = translations_of(entry)[-1]
        if text and placeholders(source, entry.flags) != placeholders(text, entry.flags):
            differing.append((entry.msgid, text))
    assert differing == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_each_compiled_catalogue_holds_what_its_source_says(po_path):
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    # msgfmt compiles the translated entries only: never empty, fuzzy or obsolete ones.
    wanted = {(entry.msgctxt, entry.msgid): compiled(entry) for entry in po.translated_entries()}
    found = {(entry.msgctxt, entry.msgid): compiled(entry) for entry in mo if entry.msgid}
    assert found == wanted, "the .mo is out of date: run `make messages`"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


@pytest.mark.parametrize(
    ("english", "french"),
    [("Log in", "Se connecter"), ("Sign up", "S'inscrire"), ("The idea box", "La boîte à idées")],
)
def test_our_strings_are_french_when_french_is_active(english, french):
    with translation.override("fr"):
        assert translation.gettext(english) == french
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_blocktranslate_variables_are_filled_in_the_french_sentence():
    template = Template("{% load i18n %}{% blocktranslate with name=who %}Welcome, {{ name }}{% endblocktranslate %}")
    with translation.override("fr"):
        assert template.render(Context({"who": "Zoé"})) == "Bienvenue, Zoé"


def test_the_page_layout_renders_in_french():
    with translation.override("fr"):
        html = render_to_string("base.html")
    assert '<html lang="fr">' in html
    for french in ("Aller au contenu", "Se connecter", "S'inscrire", "Documentation de l'API"):
        assert french in html
    for english in ("Skip to content", "Log in", "Sign up"):
        assert english not in html
