"""Persons and the estimated total per region and year (or district and year), from a linkage.

Pure: takes the linked registrations of a region (source, year, area, person, scored links)
and returns raw figures — registrations, distinct persons, the overlap between sources (persons
per combination of sources), persons registered again in a later year, and the multiple-systems
estimate with its 95 % interval (method ``auto``, linkage uncertainty carried into the
bootstrap), or the plain-Dutch reason why there is no estimate. Disclosure control happens
where figures are published, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ketenzicht.domain import mse
from ketenzicht.domain.linkage.clustering import Edges
from ketenzicht.domain.linkage.uncertainty import LinkedRecords, subset

MIN_OVERLAP = 10  # persons registered by two or more sources; below this no estimate
MIN_SOURCE_OVERLAP = 5  # persons every source must share with the others (fewer are not even publishable)
METHOD = "auto"


@dataclass(frozen=True)
class LinkedRegion:
    """The encoded registrations of one region after linkage, one entry per registration."""

    sources: tuple[str, ...]  # source names; ``source`` holds indices into it
    source: np.ndarray
    year: np.ndarray
    area: np.ndarray  # e.g. district number; -1 when none
    person: np.ndarray
    edges: Edges

    def __post_init__(self) -> None:
        n = len(self.source)
        if not (len(self.year) == len(self.area) == len(self.person) == n):
            raise ValueError("every registration needs a source, year, area and person")


def one_source_reason(source: str) -> str:
    return (
        f"Geen schatting: in deze periode leverde alleen {source} gecodeerde registraties. "
        "Een schatting van wie niemand ziet vergelijkt minstens twee bronnen die dezelfde personen "
        "kunnen registreren."
    )


def small_overlap_reason(overlap: int) -> str:
    return (
        f"Geen schatting: de overlap tussen de bronnen is te klein ({overlap} personen staan bij meer dan "
        f"één bron; minstens {MIN_OVERLAP} nodig). Met zo weinig overlap hangt de schatting af van "
        "toevallige enkele personen."
    )


def isolated_reason(sources: list[str]) -> str:
    return (
        f"Geen schatting: {', '.join(sources)} deelt (bijna) niemand met de andere bronnen (minder dan "
        f"{MIN_SOURCE_OVERLAP} personen). Het model is dan niet identificeerbaar: de gegevens kunnen een "
        "grote verborgen groep niet onderscheiden van bronnen die elkaars mensen niet zien."
    )


def figures(
    region: LinkedRegion, year: int, *, area: int | None = None, bootstrap: int = 200, seed: int = 2026
) -> dict[str, Any]:
    """Raw figures of one year (and area) — see the module docstring for the keys."""
    mask = region.year == year
    if area is not None:
        mask &= region.area == area
    present = sorted(set(region.source[mask].tolist()))
    names = tuple(region.sources[i] for i in present)
    persons_now = set(region.person[mask].tolist())
    later = set(region.person[(region.year > year)].tolist()) & persons_now
    earlier = set(region.person[(region.year < year)].tolist()) & persons_now
    out: dict[str, Any] = {
        "registraties": int(mask.sum()),
        "bronnen": list(names),
        "uniekePersonen": len(persons_now),
        "overlap": [],
        "laterOpnieuw": len(later),
        "eerderGezien": len(earlier),
        "schatting": None,
        "weigering": None,
    }
    if not mask.any():
        out["weigering"] = "Geen gecodeerde registraties in deze periode."
        return out
    # Lists renumbered to the sources present in this year.
    renumber = np.full(len(region.sources), -1, dtype=np.int64)
    renumber[present] = np.arange(len(present))
    linked = subset(
        LinkedRecords(names, renumber[region.source], region.person, region.edges), mask
    )
    table = linked.table()
    out["overlap"] = [
        {"bronnen": [n for n, on in zip(names, history, strict=True) if on], "aantal": count}
        for history, count in sorted(zip(table.histories, table.counts, strict=True), key=lambda hc: (-sum(hc[0]), hc[0]))
    ]
    shared = sum(c for h, c in zip(table.histories, table.counts, strict=True) if sum(h) > 1)
    if len(names) < 2:
        out["weigering"] = one_source_reason(names[0] if names else "één bron")
        return out
    if shared < MIN_OVERLAP:
        out["weigering"] = small_overlap_reason(shared)
        return out
    isolated = [
        name
        for i, name in enumerate(names)
        if sum(c for h, c in zip(table.histories, table.counts, strict=True) if h[i] and sum(h) > 1) < MIN_SOURCE_OVERLAP
    ]
    if isolated:
        out["weigering"] = isolated_reason(isolated)
        return out
    try:
        found = mse.estimate(table, METHOD, bootstrap=bootstrap, seed=seed, resample_links=linked.sample)
    except mse.NotIdentifiable as exc:
        out["weigering"] = exc.reason
        return out
    out["schatting"] = {
        "waarde": round(found.schatting),
        "interval": [round(found.interval[0]), round(found.interval[1])] if found.interval else None,
        "methode": METHOD,
        "model": list(found.model),
        "selectie": found.selectie,
        "legeOverlappen": list(found.lege_overlappen),
        "bootstrap": bootstrap,
    }
    return out
