"""Check the translation catalogues; exit 1 with the list of problems.

Run from anywhere as `.venv/bin/python scripts/check_messages.py` (CI runs it
through `make check-messages`). It needs gettext (xgettext, msgmerge, msguniq,
msgfmt) and polib. It fails when:

- a translatable string of the code or templates is missing from a
  translated catalogue (makemessages is run, with the Makefile's flags, in a
  temporary copy of the repository: the working tree is never written to);
- an entry is untranslated or fuzzy, or the catalogue header is fuzzy;
- the placeholders of a translation differ from its source (%(name)s, %s and
  blocktranslate variables, which gettext sees as %(name)s; {name} for
  python-brace-format), or msgfmt --check rejects the catalogue;
- a compiled .mo file does not hold what its .po file says (contents are
  compared, not bytes).

English is the source language: its catalogue stays empty and only its .mo
is checked against its .po. To fix most problems: `make messages`, translate
what is empty or fuzzy in locale/<lang>/LC_MESSAGES/django.po (and remove the
fuzzy flag), then `make messages` again to compile.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
SOURCE_LANGUAGE = "en"
REQUIRED_LANGUAGES = ["fr"]
DOMAIN = "django"
# The same flags as `make messages`, minus --all: one target language is
# enough to learn which strings the code and templates hold.
MAKEMESSAGES_FLAGS = ["--no-location", "--no-obsolete", "--ignore=.venv", "--ignore=var"]
# Never copied into the temporary tree when git cannot list the files.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "var", "__pycache__", "*.pyc", ".ruff_cache", ".pytest_cache", "node_modules"
)
GETTEXT_TOOLS = ["xgettext", "msgmerge", "msguniq", "msgfmt"]

# A printf-style conversion as Python's % operator reads it.
PYTHON_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)
NAMED_PLACEHOLDER = re.compile(r"%\((?P<name>[^)]*)\)")
# In text gettext did not flag, "%" may be a plain percent sign ("50% off"):
# only a conversion glued to it counts ("%s", "%d").
GLUED_PLACEHOLDER = re.compile(r"%%|%[sdifr]")
BRACE_FIELD = re.compile(r"(?<!\{)\{(?P<field>[^{}]*)\}(?!\})")

Key = tuple[str, str, str]  # msgctxt, msgid, msgid_plural


class ToolError(Exception):
    """Something needed to run the check is missing or failed."""


def entry_key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(key: Key) -> str:
    msgctxt, msgid, _plural = key
    text = msgid if len(msgid) <= 70 else msgid[:67] + "..."
    return f"[{msgctxt}] {text!r}" if msgctxt else repr(text)


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def target_languages() -> list[str]:
    """Every language with a catalogue, plus the required ones, minus English."""
    found = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted((found | set(REQUIRED_LANGUAGES)) - {SOURCE_LANGUAGE})


# --- Strings in the code and templates -------------------------------------


def repository_files() -> list[Path] | None:
    """The files git would commit (tracked or new, not ignored), or None without git."""
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    names = [name for name in result.stdout.decode("utf-8", "surrogateescape").split("\0") if name]
    return [Path(name) for name in names]


def copy_repository(destination: Path) -> None:
    files = repository_files()
    if files is None:
        shutil.copytree(ROOT, destination, ignore=COPY_IGNORE, symlinks=True, dirs_exist_ok=True)
        return
    for relative in files:
        source = ROOT / relative
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree but not yet in the index
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def extracted_strings() -> dict[Key, polib.POEntry]:
    """Run makemessages in a throwaway copy of the repository and read what it found."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        raise ToolError(f"gettext is not installed (missing: {', '.join(missing_tools)}).")
    with tempfile.TemporaryDirectory(prefix="ideabox-messages-") as tmp:
        copy = Path(tmp) / "repo"
        copy.mkdir()
        copy_repository(copy)
        # Start from no catalogue at all, so that what comes out is exactly
        # the extracted strings, untouched by msgmerge.
        probe_language = REQUIRED_LANGUAGES[0]
        probe = copy / catalogue_path(probe_language).relative_to(ROOT)
        probe.unlink(missing_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ideabox.settings.dev",
            "IDEABOX_VAR_DIR": str(Path(tmp) / "var"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "makemessages", "--locale", probe_language, *MAKEMESSAGES_FLAGS],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not probe.exists():
            output = (result.stdout + result.stderr).strip()
            raise ToolError(f"makemessages failed in the temporary copy:\n{output}")
        fresh = polib.pofile(str(probe))
        return {entry_key(entry): entry for entry in fresh if not entry.obsolete}


# --- One translated catalogue ----------------------------------------------


def python_placeholders(text: str) -> tuple[set[tuple[str, str]], list[str]]:
    """Named placeholders as a set of (name, conversion); positional ones in order."""
    named: set[tuple[str, str]] = set()
    positional: list[str] = []
    for match in PYTHON_FORMAT.finditer(text):
        conversion = match.group("conversion")
        if conversion == "%":
            continue
        if match.group("name") is not None:
            named.add((match.group("name"), conversion))
        else:
            positional.append(match.group(0))
    return named, positional


def glued_placeholders(text: str) -> list[str]:
    return [found for found in GLUED_PLACEHOLDER.findall(text) if found != "%%"]


def placeholders(text: str, flags: list[str]) -> tuple:
    """What must survive translation: the same for a source and its translation."""
    if "python-format" in flags:
        found: tuple = python_placeholders(text)
    elif "no-python-format" in flags:
        found = ()
    else:
        # Django's blocktranslate %-formats its text even without variables,
        # so a stray placeholder garbles or breaks the page whatever gettext flagged.
        found = (set(NAMED_PLACEHOLDER.findall(text)), glued_placeholders(text))
    if "python-brace-format" in flags:
        found += (set(BRACE_FIELD.findall(text)),)
    return found


def placeholder_problem(source: str, translation: str, flags: list[str]) -> str | None:
    if placeholders(source, flags) != placeholders(translation, flags):
        return "placeholders differ"
    return None


def translations_of(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs; the last plural form answers to msgid_plural."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [(entry.msgid_plural if index == len(forms) - 1 else entry.msgid, form) for index, form in enumerate(forms)]


def check_entry(entry: polib.POEntry) -> list[str]:
    pairs = translations_of(entry)
    if not pairs or any(not translation for _source, translation in pairs):
        return ["untranslated"]
    problems = ["fuzzy"] if "fuzzy" in entry.flags else []
    if entry.msgid_plural:
        # French uses the singular for 0 and 1: a form may leave out what the
        # English singular lacks, but never invent a placeholder.
        allowed = set(NAMED_PLACEHOLDER.findall(entry.msgid)) | set(NAMED_PLACEHOLDER.findall(entry.msgid_plural))
        for _source, form in pairs[:-1]:
            if not set(NAMED_PLACEHOLDER.findall(form)) <= allowed:
                problems.append("placeholders differ")
        pairs = pairs[-1:]
    for source, translation in pairs:
        problem = placeholder_problem(source, translation, entry.flags)
        if problem:
            problems.append(problem)
    return problems


def msgfmt_problems(po_path: Path) -> list[str]:
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file", os.devnull, str(po_path.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode == 0:
        return []
    return [f"msgfmt --check: {line}" for line in result.stderr.strip().splitlines()]


def check_translated_catalogue(language: str, expected: dict[Key, polib.POEntry]) -> tuple[list[str], list[str]]:
    po_path = catalogue_path(language)
    shown = po_path.relative_to(ROOT)
    if not po_path.exists():
        return [f"{shown}: missing (run `make messages`)"], []
    po = polib.pofile(str(po_path))
    problems: list[str] = []
    warnings: list[str] = []
    if po.metadata_is_fuzzy:
        problems.append(f"{shown}: the header is marked fuzzy")
    if po.metadata.get("Language") != language:
        problems.append(f"{shown}: the header says Language: {po.metadata.get('Language')!r}, not {language!r}")
    entries = {entry_key(entry): entry for entry in po if not entry.obsolete}
    for key in expected:
        if key not in entries:
            problems.append(f"{shown}: missing {describe(key)} (run `make messages`, then translate it)")
    for key in entries:
        if key not in expected:
            warnings.append(f"{shown}: {describe(key)} is no longer in the code (run `make messages`)")
    for key, entry in entries.items():
        for problem in check_entry(entry):
            problems.append(f"{shown}: {problem}: {describe(key)}")
    problems.extend(f"{shown}: {line}" for line in msgfmt_problems(po_path))
    return problems, warnings


# --- Compiled catalogues ---------------------------------------------------


def compiled_form(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def check_compiled(po_path: Path) -> list[str]:
    mo_path = po_path.with_suffix(".mo")
    shown = mo_path.relative_to(ROOT)
    if not mo_path.exists():
        return [f"{shown}: missing (run `make messages`)"]
    po = polib.pofile(str(po_path))
    try:
        mo = polib.mofile(str(mo_path))
    except (OSError, ValueError) as error:
        return [f"{shown}: unreadable ({error})"]
    # What msgfmt compiles: translated entries, never fuzzy or obsolete ones.
    wanted = {entry_key(entry): compiled_form(entry) for entry in po.translated_entries()}
    found = {entry_key(entry): compiled_form(entry) for entry in mo if entry.msgid}
    problems = []
    if wanted != found:
        changed = [key for key in wanted.keys() | found.keys() if wanted.get(key) != found.get(key)]
        names = ", ".join(describe(key) for key in sorted(changed)[:5])
        more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        problems.append(f"{shown}: out of date with its .po ({names}{more}); run `make messages`")
    if po.metadata.get("Plural-Forms") != mo.metadata.get("Plural-Forms"):
        problems.append(f"{shown}: Plural-Forms differs from its .po; run `make messages`")
    return problems


def main() -> int:
    try:
        expected = extracted_strings()
    except ToolError as error:
        print(f"translations: cannot check: {error}", file=sys.stderr)
        return 1
    problems: list[str] = []
    warnings: list[str] = []
    for language in target_languages():
        found, noted = check_translated_catalogue(language, expected)
        problems.extend(found)
        warnings.extend(noted)
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        problems.extend(check_compiled(po_path))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        print(f"translations: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"translations: OK ({len(expected)} strings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
