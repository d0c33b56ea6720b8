"""French is complete, Wolof is complete on every public page, and the catalogs hold every
string of the code (no string was added without being extracted)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# Templates that the public sees, without login. Their strings must exist in Wolof.
PUBLIC_SOURCES = (
    "teranga/templates/base.html",
    "teranga/templates/404.html",
    "teranga/templates/includes/",
    "teranga/templates/public/",
    "teranga/reception/templates/reception/kiosk.html",
    "teranga/reception/templates/reception/display.html",
    "teranga/reception/templates/reception/ticket.html",
    "teranga/listening/templates/listening/public/",
    "teranga/listening/ussd.py",
    "teranga/listening/forms.py",
    "teranga/listening/templates/listening/tablet/",
    "teranga/listening/posters.py",
    "teranga/cases/templates/cases/public/",
    "teranga/steering/public.py",
    "teranga/indicators/catalogue.py",
)


def catalog(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


def is_public(entry: polib.POEntry) -> bool:
    return any(path.startswith(PUBLIC_SOURCES) for path, _ in entry.occurrences)


def missing(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


def test_french_catalog_is_complete():
    untranslated = [e.msgid for e in catalog("fr") if not e.obsolete and missing(e)]
    assert untranslated == []


def test_every_public_string_exists_in_wolof():
    entries = [e for e in catalog("wo") if not e.obsolete and is_public(e)]
    assert len(entries) > 30  # the public pages really are covered by this check
    assert [e.msgid for e in entries if missing(e)] == []


def test_wolof_has_a_single_plural_form():
    assert catalog("wo").metadata["Plural-Forms"].startswith("nplurals=1;")
    for entry in catalog("wo"):
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt gettext)")
def test_catalogs_hold_every_string_of_the_code(tmp_path):
    """Extract the strings again in a copy of the project and compare the message ids."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "media", "*.sqlite3*", "__pycache__", "tests", "bench"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    env = {**os.environ, "TERANGA_ENV": "dev", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--ignore",
            ".venv/*",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
        if not e.obsolete
    }
    committed = {(e.msgctxt, e.msgid) for e in catalog("fr") if not e.obsolete}
    assert sorted(fresh - committed, key=str) == [], "run `make messages` and translate"
    assert sorted(committed - fresh, key=str) == [], "run `make messages` to drop old strings"
