"""Check the translation catalogues (`make check-messages`); exit 1 when one is wrong.

It fails when `make messages` would change a catalogue (a string of the code
or templates is missing from it, or it holds one they no longer have:
makemessages runs in a temporary copy, the working tree is never written),
when `msgfmt --check` rejects one (syntax, header, the placeholders of
python-format strings, which blocktranslate variables become), when a
translated catalogue has an untranslated or fuzzy entry, or when a committed
.mo file does not hold what its .po says. English is the source language: its
entries stay empty. Needs gettext and polib. Most fixes: `make messages`,
translate what is empty or fuzzy, `make messages` again.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
MAKEMESSAGES = ["makemessages", "--all", "--no-location", "--no-obsolete", "--ignore=.venv", "--ignore=var"]
SOURCE_LANGUAGE = "en"


def compiled(entries) -> dict:
    """What msgfmt puts in a .mo: translations by (context, text, plural text)."""
    return {
        (e.msgctxt or "", e.msgid, e.msgid_plural or ""): (
            tuple(e.msgstr_plural[n] for n in sorted(e.msgstr_plural)) if e.msgid_plural else e.msgstr
        )
        for e in entries
        if e.msgid
    }


def main() -> int:
    if shutil.which("msgfmt") is None:
        sys.exit("check-messages: gettext is not installed (no msgfmt).")
    problems = []
    catalogues = [po.relative_to(ROOT) for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))]
    with tempfile.TemporaryDirectory(prefix="ideabox-messages-") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "var", "__pycache__"))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ideabox.settings.dev", "IDEABOX_VAR_DIR": f"{tmp}/var"}
        subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, env=env, check=True)
        for po in catalogues:
            # Only the extraction date may differ; the diff shows the rest.
            diff = ["git", "diff", "--no-index", "--exit-code", "-I", '^"POT-Creation-Date: ', po, copy / po]
            if subprocess.run(diff, cwd=ROOT).returncode:
                problems.append(f"{po}: not what `make messages` makes (the diff above)")
    for po in catalogues:
        if subprocess.run(["msgfmt", "--check", "--output-file", os.devnull, po], cwd=ROOT).returncode:
            problems.append(f"{po}: rejected by msgfmt --check (above)")
        catalogue = polib.pofile(str(ROOT / po))
        if po.parts[1] != SOURCE_LANGUAGE:
            problems += [f"{po}: the header is fuzzy"] if catalogue.metadata_is_fuzzy else []
            problems += [f"{po}: untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()]
            problems += [f"{po}: fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()]
        mo = polib.mofile(str(ROOT / po.with_suffix(".mo")))
        plural_forms = catalogue.metadata.get("Plural-Forms") == mo.metadata.get("Plural-Forms")
        if compiled(catalogue.translated_entries()) != compiled(mo) or not plural_forms:
            problems.append(f"{po.with_suffix('.mo')}: out of date with its .po (run `make messages`)")
    print("\n".join(problems) or "check-messages: OK", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
