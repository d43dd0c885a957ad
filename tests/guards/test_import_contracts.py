"""The import contracts cover every app, so a new app cannot slip past them.

`lint-imports` (in make test) checks the contracts in `.importlinter`; this test checks that
the contracts are complete: the domain is forbidden every app, every app outside the kernel
has its layer, every app has its "only through services, selectors and models" contract with
every other app (and core) as a source, and every exception to it says why.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import ketenzicht

SRC = Path(ketenzicht.__file__).parent
CONFIG = SRC.parents[1] / ".importlinter"
PUBLIC = ("services", "selectors", "models")


def _apps() -> set[str]:
    return {p.parent.name for p in SRC.glob("*/apps.py")} - {"core"}


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return parser


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.strip().splitlines() if line.strip()]


def test_the_domain_may_import_no_app() -> None:
    forbidden = set(_lines(_contracts()["importlinter:contract:domain-is-pure"]["forbidden_modules"]))
    assert {f"ketenzicht.{app}" for app in _apps()} | {"ketenzicht.core", "django"} <= forbidden


KERNEL = {"accounts", "audit"}  # with core: used by every layer, in no layer of its own


def test_every_app_has_its_layer() -> None:
    layers = _lines(_contracts()["importlinter:contract:layers"]["layers"])
    placed = {name.removeprefix("ketenzicht.") for layer in layers for name in (n.strip() for n in layer.split("|"))}
    assert placed == (_apps() - KERNEL) | {"domain"}


def test_every_app_is_used_only_through_its_public_modules() -> None:
    contracts = _contracts()
    apps = _apps()
    for app in sorted(apps):
        contract = contracts[f"importlinter:contract:{app}-public"]
        assert contract["type"] == "forbidden"
        assert _lines(contract["forbidden_modules"]) == [f"ketenzicht.{app}.*"]
        sources = set(_lines(contract["source_modules"]))
        assert sources == {f"ketenzicht.{other}" for other in apps - {app}} | {"ketenzicht.core"}, app
        assert contract["allow_indirect_imports"] == "True"  # each direct import is checked on its own
        ignored = _lines(contract["ignore_imports"])
        for public in PUBLIC:
            if (SRC / app / f"{public}.py").exists() or (SRC / app / public).is_dir():
                assert f"ketenzicht.** -> ketenzicht.{app}.{public}" in ignored, f"{app}.{public}"


def test_every_exception_says_why() -> None:
    """An ignored import beyond services/selectors/models needs a comment line right above it."""
    text = CONFIG.read_text(encoding="utf-8")
    generic = re.compile(r"ketenzicht\.\*\* -> ketenzicht\.\w+\.(services|selectors|models)$")
    blocks = re.findall(r"^ignore_imports =\n((?:[ \t]+.*\n?)+)", text, flags=re.M)
    assert len(blocks) >= len(_apps())  # the scan reads the contracts at all
    unexplained = []
    for block in blocks:
        previous = ""
        for line in (raw.strip() for raw in block.splitlines()):
            if "->" in line and not generic.match(line) and not previous.startswith("#"):
                unexplained.append(line)
            previous = line
    assert unexplained == []
