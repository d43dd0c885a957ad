"""Meaning and graph checks of a parsed map; a defective map never reaches the engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ketenzicht.domain.routekaart.model import (
    _SLUG_RE,
    ADVIES_SOORTEN,
    JA,
    LIJST_SLEUTEL,
    NEE,
    ROUTES,
    UITBUITINGSVORMEN,
    VRAAG_SLEUTELS,
    Node,
    RouteMap,
    fail,
)

# --- validation (meaning and graph) ---------------------------------------------------


def validate(route_map: RouteMap) -> None:
    """Check a parsed map; raise :class:`RoutekaartError` naming file and node.

    Run by :func:`load_map`, so a defective map never reaches the engine.
    """
    path = Path(route_map.bestand or route_map.regio)
    if not _SLUG_RE.match(route_map.regio):
        raise fail(path, f"regio '{route_map.regio}' is geen kebab-case slug")
    if route_map.bestand and Path(route_map.bestand).stem != route_map.regio:
        raise fail(path, f"regio '{route_map.regio}' past niet bij de bestandsnaam")

    for partner in route_map.partners.values():
        if partner.soort not in ADVIES_SOORTEN:
            raise fail(path, f"partner '{partner.id}': onbekende soort '{partner.soort}'")
        # A partner without a phone must say where to look instead (contract: every
        # outcome has a phone or a note).
        if not partner.telefoon and not partner.notities:
            raise fail(path, f"partner '{partner.id}': geen telefoon en geen notitie")

    missing_routes = [r for r in ROUTES if r not in route_map.routes]
    if missing_routes:
        raise fail(path, f"onvolledig: route ontbreekt: {', '.join(missing_routes)}")
    extra_routes = sorted(set(route_map.routes) - set(ROUTES))
    if extra_routes:
        raise fail(path, f"onbekende route: {', '.join(extra_routes)}")
    for route in route_map.routes.values():
        if route.start not in route_map.knopen:
            raise fail(path, f"route '{route.naam}' start bij onbekende knoop", route.start)

    for node in route_map.knopen.values():
        _validate_node(route_map, node, path)

    # Graph checks: depth-first from each route start, colouring nodes to find cycles.
    reached: set[str] = set()
    for route in route_map.routes.values():
        _check_acyclic(route_map, route.start, path, reached)
    unreachable = [nid for nid in route_map.knopen if nid not in reached]
    if unreachable:
        raise fail(path, "onbereikbaar vanuit een route-start", unreachable[0])


def _validate_node(route_map: RouteMap, node: Node, path: Path) -> None:
    if node.is_vraag:
        if node.sleutel not in VRAAG_SLEUTELS:
            raise fail(
                path,
                f"onbekende sleutel '{node.sleutel}' (toegestaan: {', '.join(VRAAG_SLEUTELS)})",
                node.id,
            )
        if node.sleutel == LIJST_SLEUTEL:
            if not node.bevat_een_van:
                raise fail(path, "vraag over uitbuitingsvormen zonder 'bevat_een_van'", node.id)
            onbekend = [v for v in node.bevat_een_van if v not in UITBUITINGSVORMEN]
            if onbekend:
                raise fail(path, f"onbekende uitbuitingsvorm: {', '.join(onbekend)}", node.id)
        elif node.bevat_een_van:
            raise fail(
                path, "'bevat_een_van' hoort alleen bij sleutel 'uitbuitingsvormen'", node.id
            )
        extra = sorted(set(node.antwoorden) - {JA, NEE})
        if extra:
            raise fail(
                path, f"onbekend antwoord: {', '.join(extra)} (alleen 'ja' en 'nee')", node.id
            )
        ontbrekend = [a for a in (JA, NEE) if a not in node.antwoorden]
        if ontbrekend:
            raise fail(path, f"onvolledig: antwoord '{ontbrekend[0]}' ontbreekt", node.id)
        for antwoord, doel in node.antwoorden.items():
            if doel not in route_map.knopen:
                raise fail(
                    path, f"antwoord '{antwoord}' verwijst naar onbekende knoop '{doel}'", node.id
                )
        return

    if not node.advies:
        # An outcome without advice gives the user nothing; with no 'daarna' it is a
        # dead end, with one it is a pointless detour. Either way a defect.
        raise fail(path, "doodlopend: uitkomst zonder advies", node.id)
    for item in node.advies:
        if item.partner not in route_map.partners:
            raise fail(path, f"verwijst naar onbekende partner '{item.partner}'", node.id)
    if node.daarna is not None and node.daarna not in route_map.knopen:
        raise fail(path, f"'daarna' verwijst naar onbekende knoop '{node.daarna}'", node.id)


def _check_acyclic(route_map: RouteMap, start: str, path: Path, reached: set[str]) -> None:
    # Iterative DFS (maps are small, but recursion depth should not depend on data).
    on_stack: set[str] = set()
    stack: list[tuple[str, Iterator[str]]] = []

    def push(nid: str) -> None:
        on_stack.add(nid)
        reached.add(nid)
        stack.append((nid, iter(route_map.knopen[nid].volgende())))

    if start in reached:
        return
    push(start)
    while stack:
        nid, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_stack.discard(nid)
        elif child in on_stack:
            raise fail(path, f"cyclus: leidt terug naar '{child}'", nid)
        elif child not in reached:
            push(child)


