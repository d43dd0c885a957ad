"""Walking a map with complete answers: the next question, and the advice at the end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ketenzicht.domain.routekaart.model import (
    ANTWOORD_SLEUTELS,
    JA,
    LIJST_SLEUTEL,
    NEE,
    ROUTE_KNOOP,
    ROUTE_SLEUTEL,
    ROUTE_VRAAG,
    ROUTES,
    UITBUITINGSVORMEN,
    Advice,
    AdviceItem,
    MissingAnswerError,
    Node,
    Partner,
    PathStep,
    Question,
    RoutekaartInputError,
    RouteMap,
)

# --- input checking -------------------------------------------------------------------


def check_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(answers, Mapping):
        raise RoutekaartInputError("antwoorden moeten een mapping (JSON-object) zijn")
    checked: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in ANTWOORD_SLEUTELS:
            raise RoutekaartInputError(
                f"onbekende antwoordsleutel '{key}' (toegestaan: {', '.join(ANTWOORD_SLEUTELS)})"
            )
        if value is None:
            continue  # "not answered yet", as a form may send it
        if key == ROUTE_SLEUTEL:
            if value not in ROUTES:
                raise RoutekaartInputError(
                    f"ongeldige waarde voor 'route': {value!r} (toegestaan: {', '.join(ROUTES)})"
                )
        elif key == LIJST_SLEUTEL:
            # A bare string is iterable too; insist on a real list.
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise RoutekaartInputError(
                    f"'{key}' moet een lijst zijn, bv. [\"arbeid\"], niet {type(value).__name__}"
                )
            onbekend = [v for v in value if v not in UITBUITINGSVORMEN]
            if onbekend:
                raise RoutekaartInputError(
                    f"onbekende waarde in '{key}': {onbekend!r} (toegestaan: {', '.join(UITBUITINGSVORMEN)})"
                )
            if not value:
                raise RoutekaartInputError(
                    f"'{key}' is leeg: gebruik [\"onbekend\"] als de vorm onbekend is"
                )
            value = frozenset(value)
        elif not isinstance(value, bool):
            # 0/1 or "true" are refused: they usually mean a form or client bug.
            raise RoutekaartInputError(f"'{key}' moet true of false zijn, niet {value!r}")
        checked[key] = value
    return checked


def question_for(node: Node) -> Question:
    if node.sleutel == LIJST_SLEUTEL:
        return Question(
            knoop=node.id,
            sleutel=node.sleutel,
            vraag=node.vraag,
            toelichting=node.toelichting,
            opties=UITBUITINGSVORMEN,
            meerkeuze=True,
        )
    return Question(
        knoop=node.id, sleutel=node.sleutel, vraag=node.vraag, toelichting=node.toelichting
    )


def route_question(route_map: RouteMap) -> Question:
    toelichting = " / ".join(
        f"{r.naam}: {r.omschrijving}" for r in route_map.routes.values() if r.omschrijving
    )
    return Question(
        knoop=ROUTE_KNOOP,
        sleutel=ROUTE_SLEUTEL,
        vraag=ROUTE_VRAAG,
        toelichting=toelichting,
        opties=ROUTES,
    )


# --- the engine -----------------------------------------------------------------------


@dataclass
class _Walk:
    route: str | None
    pad: list[PathStep]
    items: list[tuple[Partner, str]]
    waiting: Question | None


def _walk(route_map: RouteMap, answers: Mapping[str, Any]) -> _Walk:
    checked = check_answers(answers)
    route = checked.get(ROUTE_SLEUTEL)
    if route is None:
        return _Walk(None, [], [], route_question(route_map))
    pad = [PathStep(ROUTE_KNOOP, route)]
    items: list[tuple[Partner, str]] = []
    nid: str | None = route_map.routes[route].start
    while nid is not None:  # validation guarantees termination (acyclic, refs resolved)
        node = route_map.knopen[nid]
        if node.is_vraag:
            if node.sleutel not in checked:
                return _Walk(route, pad, items, question_for(node))
            value = checked[node.sleutel]
            hit = bool(value & set(node.bevat_een_van)) if node.sleutel == LIJST_SLEUTEL else value
            antwoord = JA if hit else NEE
            pad.append(PathStep(node.id, antwoord))
            nid = node.antwoorden[antwoord]
        else:
            if not (node.terugval and items):
                items.extend((route_map.partners[a.partner], a.reden) for a in node.advies)
            nid = node.daarna
    return _Walk(route, pad, items, None)


def next_question(route_map: RouteMap, answers: Mapping[str, Any]) -> Question | None:
    """The first question on the path that ``answers`` does not answer, or ``None``.

    A guided page calls this after every answer; ``None`` means :func:`advise` can run.
    Answers that are given but not on the path are ignored, wrong ones still raise.
    """
    return _walk(route_map, answers).waiting


def merge_items(items: Sequence[tuple[Partner, str]]) -> dict[str, tuple[Partner, list[str]]]:
    """One partner once, at its first position (the earlier one is the more urgent), with the
    reasons of every outcome that named it joined."""
    merged: dict[str, tuple[Partner, list[str]]] = {}
    for partner, reden in items:
        if partner.id in merged:
            if reden not in merged[partner.id][1]:
                merged[partner.id][1].append(reden)
        else:
            merged[partner.id] = (partner, [reden])
    return merged


def advice_items(merged: Mapping[str, tuple[Partner, Sequence[str]]]) -> tuple[AdviceItem, ...]:
    items = [
        AdviceItem(
            soort=partner.soort,
            organisatie=partner.organisatie,
            telefoon=partner.telefoon,
            email=partner.email,
            reden=" ".join(redenen),
            partner=partner,
        )
        for partner, redenen in merged.values()
    ]
    # Acute danger goes first whatever order the map author chose; the rest keeps the
    # order of the walk, which the map author controls (list.sort is stable).
    items.sort(key=lambda item: item.soort != "alarm-112")
    return tuple(items)


def advise(route_map: RouteMap, answers: Mapping[str, Any]) -> Advice:
    """Walk the map with ``answers`` and return the partners to contact, most urgent first.

    Raises :class:`MissingAnswerError` (a :class:`RoutekaartInputError`) naming the first
    missing key, with the question to ask on ``.question``. For incomplete answers that
    should still give advice, use :func:`advise_partial`.
    """
    walk = _walk(route_map, answers)
    if walk.waiting is not None:
        raise MissingAnswerError(walk.waiting)
    assert walk.route is not None
    return Advice(
        regio=route_map.regio,
        versie=route_map.versie,
        route=walk.route,
        items=advice_items(merge_items(walk.items)),
        pad=tuple(walk.pad),
    )
