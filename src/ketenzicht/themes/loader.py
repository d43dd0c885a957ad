"""Loading organisation themes from `data/themes/*.yaml` (format: docs/themes.md).

Every file is read and checked before anything is written, in one transaction: a theme with an
unknown key, a colour that is not `#rrggbb`, a missing logo, or colours whose contrast is below
WCAG 2.1 AA is refused with the file, the key and (for contrast) the failing pair named, and no
theme is loaded. The checks that are plain rules (contrast) live in `domain/contrast.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from ketenzicht.domain.contrast import AA_TEXT, ContrastPair, contrast_failures, parse_hex
from ketenzicht.themes.models import Theme

THEMES_DIR = Path(__file__).resolve().parent.parent / "data" / "themes"
LOGOS_DIR = THEMES_DIR / "logos"
REQUIRED_COLOURS = ("tekst", "achtergrond", "link", "primair", "primair-tekst")
OPTIONAL_COLOURS = ("koppen",)
KEYS = {"organisatie", "naam", "logo", "lettertype", "kleuren"}
# The pairs that end up as text on a background on every page.
PAIRS = (
    ContrastPair("tekst", "achtergrond", AA_TEXT),
    ContrastPair("link", "achtergrond", AA_TEXT),
    ContrastPair("koppen", "achtergrond", AA_TEXT),
    ContrastPair("primair-tekst", "primair", AA_TEXT),  # buttons and the header band
)
FONT = re.compile(r"^[A-Za-z0-9 ,'\"-]{1,200}$")
SLUG = re.compile(r"^[a-z0-9-]{2,50}$")
UNSAFE_SVG = re.compile(r"<script|javascript:|\son[a-z]+\s*=|<foreignObject|xlink:href=\"(?!#)|href=\"(?!#)", re.IGNORECASE)


class ThemeError(ValueError):
    """A theme file that cannot be loaded; the message names the file and the key (Dutch)."""


@dataclass(frozen=True)
class ThemeSpec:
    slug: str
    name: str
    tokens: dict[str, Any]
    logo_svg: str

    @property
    def version(self) -> str:
        content = json.dumps([self.name, self.tokens, self.logo_svg], sort_keys=True)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def _colours(where: str, spec: dict[str, Any]) -> dict[str, str]:
    colours = spec.get("kleuren")
    if not isinstance(colours, dict):
        raise ThemeError(f"{where}: 'kleuren' ontbreekt of is geen lijst van naam: kleur.")
    unknown = sorted(set(colours) - set(REQUIRED_COLOURS) - set(OPTIONAL_COLOURS))
    if unknown:
        raise ThemeError(f"{where}: onbekende kleur 'kleuren.{unknown[0]}' (bekend: {', '.join(REQUIRED_COLOURS + OPTIONAL_COLOURS)}).")
    for name in REQUIRED_COLOURS:
        if name not in colours:
            raise ThemeError(f"{where}: kleur 'kleuren.{name}' ontbreekt.")
    for name, value in colours.items():
        try:
            parse_hex(str(value))
        except ValueError:
            raise ThemeError(f"{where}: 'kleuren.{name}' is geen kleur als #rrggbb: {value!r}.") from None
    colours = {k: str(v).lower() for k, v in colours.items()}
    failures = contrast_failures(colours, PAIRS)
    if failures:
        raise ThemeError(f"{where}: onleesbare kleuren, thema geweigerd: " + "; ".join(f.describe(colours) for f in failures) + ".")
    return colours


def _logo(where: str, name: Any, logos_dir: Path) -> str:
    if not name:
        return ""
    path = (logos_dir / str(name)).resolve()
    if path.parent != logos_dir.resolve() or path.suffix != ".svg" or not path.is_file():
        raise ThemeError(f"{where}: 'logo' noemt geen SVG-bestand in {logos_dir.name}/: {name!r}.")
    svg = path.read_text(encoding="utf-8")
    if "<svg" not in svg or UNSAFE_SVG.search(svg):
        raise ThemeError(f"{where}: 'logo' {name!r} is geen eenvoudige SVG (geen scripts, geen externe verwijzingen).")
    return svg


def parse_theme(path: Path, *, logos_dir: Path | None = None) -> ThemeSpec:
    """One theme file, checked; its logo is read from `logos/` beside it."""
    where = path.name
    logos_dir = logos_dir or path.parent / "logos"
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ThemeError(f"{where}: niet te lezen als YAML ({exc.__class__.__name__}).") from None
    if not isinstance(spec, dict):
        raise ThemeError(f"{where}: verwacht sleutels {', '.join(sorted(KEYS))}.")
    unknown = sorted(set(spec) - KEYS)
    if unknown:
        raise ThemeError(f"{where}: onbekende sleutel '{unknown[0]}'.")
    slug = str(spec.get("organisatie", ""))
    if not SLUG.match(slug):
        raise ThemeError(f"{where}: 'organisatie' moet de slug van een organisatie zijn (kleine letters, cijfers, streepjes).")
    name = str(spec.get("naam", "")).strip()
    if not name:
        raise ThemeError(f"{where}: 'naam' ontbreekt.")
    font = str(spec.get("lettertype", "")).strip()
    if font and not FONT.match(font):
        raise ThemeError(f"{where}: 'lettertype' mag alleen lettertypenamen bevatten, gescheiden door komma's.")
    tokens = {"kleuren": _colours(where, spec), "lettertype": font}
    return ThemeSpec(slug=slug, name=name, tokens=tokens, logo_svg=_logo(where, spec.get("logo"), logos_dir))


def theme_files(directory: Path = THEMES_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def load_themes(paths: list[Path] | None = None) -> list[Theme]:
    """Check every file, then write them all (or nothing). Idempotent."""
    paths = paths if paths is not None else theme_files()
    specs = [parse_theme(path) for path in paths]
    seen: dict[str, str] = {}
    for path, spec in zip(paths, specs, strict=True):
        if spec.slug in seen:
            raise ThemeError(f"{path.name}: organisatie '{spec.slug}' heeft al een thema in {seen[spec.slug]}.")
        seen[spec.slug] = path.name
    with transaction.atomic():
        return [
            Theme.objects.update_or_create(
                organisation_slug=spec.slug,
                defaults={"name": spec.name, "tokens": spec.tokens, "logo_svg": spec.logo_svg, "version": spec.version},
            )[0]
            for spec in specs
        ]


def load_after_migrate(**kwargs: Any) -> None:
    """post_migrate: the shipped themes, in the database that was just migrated."""
    using = kwargs.get("using", "default")
    from django.db import connections

    if Theme._meta.db_table not in connections[using].introspection.table_names():
        return
    load_themes()
