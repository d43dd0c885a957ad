"""The sources every region starts with: the national ones here, the regional ones (its care
coordinator) from the region's norms file (`data/norms/<slug>.yaml`, `monitor.standaardbronnen`).

Migration 0002 seeded the national sources and, before issue 18, SHOP (eenheid Den Haag's care
coordinator) for every region; SHOP now comes from the Den Haag norms only.
"""

from __future__ import annotations

from typing import Any

from ketenzicht.monitor.models import Source

DEFAULT_SOURCES = [
    ("eigen-signalen", "Eigen signalen (Ketenzicht)", "signaal",
     "Signalen die gemeenten in Ketenzicht ontvingen (interne meldroute, openbaar formulier, ketenpartners)."),
    ("politie", "Politie (AVIM)", "melding", "Meldingen en registraties van de politie (AVIM/Team Mensenhandel)."),
    ("zorgcoordinator-overig", "Andere zorgcoördinator", "zorgtraject", "Zorgtrajecten bij andere zorgcoördinatoren."),
    ("nla", "Nederlandse Arbeidsinspectie", "controle", "Controles en meldingen van de Arbeidsinspectie."),
    ("comensha", "CoMensha", "slachtoffer", "Mogelijke slachtoffers gemeld bij CoMensha."),
    ("overig", "Overige bron", "melding", "Andere bronnen; beschrijf bij de import wat er geteld wordt."),
]


def ensure_default_sources() -> None:
    """Create the national sources and those of every region's norms when missing."""
    from ketenzicht.domain.deadlines import default_norms_path
    from ketenzicht.norms.selectors import norms_for_region

    if Source.objects.filter(slug="eigen-signalen").exists():
        return
    for position, (slug, name, unit, description) in enumerate(DEFAULT_SOURCES):
        Source.objects.update_or_create(
            slug=slug, defaults={"name": name, "default_unit": unit, "description": description, "position": position}
        )
    for path in sorted(default_norms_path("x").parent.glob("*.yaml")):
        ensure_region_sources(norms_for_region(path.stem))


def region_source_slugs() -> dict[str, set[str]]:
    """Per region (slug), the sources its norms name; a source no region names is national."""
    from ketenzicht.domain.deadlines import default_norms_path
    from ketenzicht.norms.selectors import norms_for_region

    return {path.stem: {s.slug for s in norms_for_region(path.stem).sources} for path in default_norms_path("x").parent.glob("*.yaml")}


def sources_for_region(region_slug: str | None) -> Any:
    """The sources a region works with: the national ones and its own (not another region's)."""
    per_region = region_source_slugs()
    others = set().union(*(slugs for slug, slugs in per_region.items() if slug != region_slug)) - per_region.get(region_slug or "", set())
    return Source.objects.exclude(slug__in=others)


def ensure_region_sources(norms: Any) -> int:
    """Create the sources a region's norms name (idempotent); returns how many were new."""
    created = 0
    for spec in norms.sources:
        if Source.objects.filter(slug=spec.slug).exists():
            continue
        position = len(DEFAULT_SOURCES) + Source.objects.count()
        Source.objects.create(slug=spec.slug, name=spec.naam, default_unit=spec.eenheid, description=spec.omschrijving, position=position)
        created += 1
    return created
