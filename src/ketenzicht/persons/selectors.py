"""Reads of the persons app: the published persons figures and the state of the linkage.

Every figure that leaves here goes through disclosure control (``domain/disclosure.py``, the
same threshold as the monitor): the overlap cells and the distinct-person count are protected
together as one breakdown with its total; a suppressed cell is published as ``None`` (shown as
"x"), and without a publishable person count there is no estimate either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from ketenzicht.accounts.models import District, Region
from ketenzicht.domain import disclosure
from ketenzicht.monitor.models import Source
from ketenzicht.persons import linkage
from ketenzicht.persons.models import LinkageRun, PersonsFigure, RunStatus

NO_DATA = "Er zijn voor deze regio en dit jaar (nog) geen gecodeerde registraties gekoppeld."
TOO_FEW = "Te weinig personen om te publiceren: kleine aantallen kunnen personen herkenbaar maken."


def threshold() -> int:
    return int(getattr(settings, "MONITOR_DISCLOSURE_THRESHOLD", 5))


@dataclass(frozen=True)
class Published:
    """The figures of one region-year (or district-year) as they may be shown."""

    payload: dict[str, Any]  # exactly the API contract
    extra: dict[str, Any]  # further published figures (repeat registrations), protected
    run: LinkageRun | None
    pending: LinkageRun | None


def _figure(run: LinkageRun | None, year: int, district: District | None) -> dict[str, Any] | None:
    if run is None:
        return None
    found = PersonsFigure.objects.filter(run=run, year=year, district=district).first()
    return found.data if found is not None else None


def _protect(data: dict[str, Any]) -> tuple[int | None, list[dict[str, Any]], int | None]:
    cells = {"|".join(c["bronnen"]): c["aantal"] for c in data["overlap"]}
    series = disclosure.protect_series(cells, threshold=threshold(), labels=list(cells), dimension="bronnen")
    overlap = [
        {"bronnen": list(c["bronnen"]), "aantal": None if isinstance(series.values[k], disclosure.Suppressed) else c["aantal"]}
        for c, k in zip(data["overlap"], cells, strict=True)
    ]
    total = None if isinstance(series.total, disclosure.Suppressed) else data["uniekePersonen"]
    registrations = None if disclosure.is_sensitive(data["registraties"], threshold()) else data["registraties"]
    return registrations, overlap, total


def published(region: Region, year: int, district: District | None = None) -> Published:
    """The contract JSON for a region (or district) and year, through disclosure control."""
    run = linkage.latest(region)
    pending = linkage.pending(region)
    data = _figure(run, year, district)
    payload: dict[str, Any] = {"regio": region.slug, "jaar": year}
    if district is not None:
        payload["district"] = district.slug
    if data is None:
        payload.update({"bronnen": [], "registraties": 0, "uniekePersonen": 0, "overlap": [], "schatting": None, "weigering": NO_DATA})
        return Published(payload, {}, run, pending)
    registrations, overlap, persons = _protect(data)
    estimate = data["schatting"]
    refusal = data["weigering"]
    if persons is None:
        estimate, refusal = None, TOO_FEW
    payload.update(
        {
            "bronnen": data["bronnen"],
            "registraties": registrations,
            "uniekePersonen": persons,
            "overlap": overlap,
            "schatting": None
            if estimate is None
            else {k: estimate[k] for k in ("waarde", "interval", "methode", "model")},
            "weigering": refusal,
        }
    )
    extra = {
        key: (None if disclosure.is_sensitive(data[key], threshold()) or persons is None else data[key])
        for key in ("laterOpnieuw", "eerderGezien")
    }
    extra["selectie"] = estimate.get("selectie") if estimate else None
    return Published(payload, extra, run, pending)


def years(region: Region) -> list[int]:
    run = linkage.latest(region)
    if run is None:
        return []
    return sorted(PersonsFigure.objects.filter(run=run, district=None).values_list("year", flat=True), reverse=True)


def source_names() -> dict[str, str]:
    return dict(Source.objects.values_list("slug", "name"))


def status(region: Region) -> dict[str, Any]:
    """The linkage state of a region for the imports page (no figures)."""
    latest = linkage.latest(region)
    failed = LinkageRun.objects.filter(region=region, status=RunStatus.MISLUKT).order_by("-requested_at").first()
    failed_last = failed is not None and (latest is None or failed.requested_at > latest.requested_at)
    return {"latest": latest, "pending": linkage.pending(region), "failed_last": failed_last}
