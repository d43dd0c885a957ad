"""`ketenzicht monitor personen`: the persons figures of a region-year, computed now from every
accepted import after any pending linkage, protected by the Cell Key Method (``selectors.live``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError

from ketenzicht.accounts.models import District, Region
from ketenzicht.persons import linkage, selectors


def persons_command(region_slug: str, year: int, district_slug: str, *, as_json: bool, err: Any, later: bool = False) -> str:
    """The JSON (or a Dutch summary) of the figures; waits for (or runs) a pending linkage."""
    region = Region.objects.filter(slug=region_slug).first()
    if region is None:
        known = ", ".join(Region.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"Onbekende regio '{region_slug}'. Bekend: {known}.")
    district = None
    if district_slug:
        district = District.objects.filter(region=region, slug=district_slug).first()
        if district is None:
            raise CommandError(f"District '{district_slug}' hoort niet bij regio '{region_slug}'.")
    if linkage.pending(region) is not None:
        err.write("Er loopt een koppeling voor deze regio; de cijfers volgen zodra die klaar is …")
    try:
        linkage.ensure_current(region)
    except TimeoutError as exc:
        raise CommandError("De koppeling is na 30 minuten nog niet klaar; probeer het later opnieuw.") from exc
    found = selectors.live(region, year, district, later=later or not as_json)
    if as_json:
        return json.dumps(found.payload, ensure_ascii=False)
    return summary(found.payload)


def summary(payload: dict[str, Any]) -> str:
    def n(value: Any) -> str:
        return "x" if value is None else f"{value:,}".replace(",", ".")

    lines = [
        f"{payload['regio']} {payload['jaar']}: {n(payload['registraties'])} registraties, "
        f"{n(payload['uniekePersonen'])} unieke personen, bronnen: {', '.join(payload['bronnen']) or 'geen'}."
    ]
    for cell in payload["overlap"]:
        lines.append(f"  {' + '.join(cell['bronnen'])}: {n(cell['aantal'])}")
    estimate = payload["schatting"]
    if estimate:
        low, high = estimate["interval"] or (None, None)
        lines.append(f"Geschatte omvang: {n(estimate['waarde'])} (95%-interval {n(low)}–{n(high)}), model: {', '.join(estimate['model'])}.")
    lines.append("Actuele cijfers uit alle geaccepteerde aanleveringen; elk aantal is licht verstoord ter afscherming.")
    if "laterOpnieuw" in payload:
        lines.append(f"Later opnieuw geregistreerd (in een volgend jaar): {n(payload['laterOpnieuw'])}.")
    if payload["weigering"]:
        lines.append(payload["weigering"])
    return "\n".join(lines)
