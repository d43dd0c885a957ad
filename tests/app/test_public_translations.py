"""The translation catalogues: every text on the public path in all seven languages, the staff
UI in English, compiled .mo files that match the .po files, and placeholders kept intact. The
catalogues are also checked against the source itself (makemessages over a copy), so a text added
without running `make messages` fails here too."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "ketenzicht" / "locale"
PUBLIC_LANGUAGES = ["en", "pl", "bg", "ro", "uk", "ru"]
# Files whose texts a public reporter reads (the public templates, forms, mails and shared chrome).
PUBLIC_SOURCES = re.compile(
    r"templates/intake/public/(?!unrouted)|intake/public_forms\.py|intake/public_services\.py|intake/public_views\.py"
    r"|templates/base\.html|templates/core/_field\.html|templates/core/_form_errors\.html|core/uploads\.py|templates/errors/"
)
STAFF_ONLY = {"Kies een aangesloten gemeente om %(ref)s naar door te sturen.", "%(ref)s is doorgestuurd naar %(name)s."}


def _entries(language: str, locale: Path = LOCALE) -> list[dict[str, object]]:
    text = (locale / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        refs = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries.append({"refs": refs, "fuzzy": "fuzzy" in block.split("msgid")[0], **fields})
    return entries


def _translations(entry: dict[str, object]) -> list[str]:
    return [str(v) for k, v in entry.items() if str(k).startswith("msgstr")]


@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_every_public_text_is_translated(language: str) -> None:
    public = [e for e in _entries(language) if PUBLIC_SOURCES.search(str(e["refs"])) and e["msgid"] not in STAFF_ONLY]
    assert len(public) > 100
    missing = [e["msgid"] for e in public if not all(_translations(e))]
    assert missing == []


def test_english_covers_the_whole_staff_ui() -> None:
    missing = [e["msgid"] for e in _entries("en") if not all(_translations(e))]
    assert missing == []


@pytest.mark.parametrize("language", [*PUBLIC_LANGUAGES, "nl"])
def test_no_fuzzy_guesses_and_placeholders_kept(language: str) -> None:
    for entry in _entries(language):
        assert not entry["fuzzy"], entry["msgid"]
        wanted = sorted(re.findall(r"%\(\w+\)\w", str(entry["msgid"])))
        for translation in _translations(entry):
            if translation:
                assert sorted(re.findall(r"%\(\w+\)\w", translation)) == wanted, (language, entry["msgid"])


@pytest.mark.parametrize("language", PUBLIC_LANGUAGES)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _entries(language):
        if "msgid_plural" in entry or not entry.get("msgstr"):
            continue
        msgid = str(entry["msgid"]).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        msgstr = str(entry["msgstr"]).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        found = compiled.pgettext(str(entry["msgctxt"]), msgid) if "msgctxt" in entry else compiled.gettext(msgid)
        assert found == msgstr, (language, entry.get("msgctxt"), msgid)


def test_conventional_terms_are_used() -> None:
    expected = {"pl": "handel ludźmi", "uk": "торгівлю людьми", "ru": "торговле людьми", "bg": "трафик на хора", "ro": "traficul de persoane"}
    for language, term in expected.items():
        entry = next(e for e in _entries(language) if e["msgid"] == "Mensenhandel melden")
        assert term in str(entry["msgstr"]), language


def test_catalogues_hold_every_text_of_the_source(tmp_path: Path) -> None:
    """`make messages` run now would add nothing untranslated: English complete, public path in all
    six languages, no fuzzy guesses (needs GNU gettext, as `make messages` does)."""
    assert shutil.which("xgettext") and shutil.which("msgmerge"), "GNU gettext is needed (apt install gettext)"
    copy = tmp_path / "ketenzicht"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    command = [str(Path(sys.executable).parent / "ketenzicht"), "makemessages", "--no-obsolete"]
    command += [arg for language in PUBLIC_LANGUAGES for arg in ("-l", language)]
    subprocess.run(command, cwd=copy, env=os.environ.copy(), check=True, capture_output=True, timeout=120)
    english = _entries("en", copy / "locale")
    assert len(english) > 1500
    assert [e["msgid"] for e in english if e["fuzzy"] or not all(_translations(e))] == []
    for language in PUBLIC_LANGUAGES:
        entries = _entries(language, copy / "locale")
        assert [e["msgid"] for e in entries if e["fuzzy"]] == [], language
        public = [e for e in entries if PUBLIC_SOURCES.search(str(e["refs"])) and e["msgid"] not in STAFF_ONLY]
        assert [e["msgid"] for e in public if not all(_translations(e))] == [], language
