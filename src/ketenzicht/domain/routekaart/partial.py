"""Advice from incomplete answers: what holds already, and which questions are still open.

A guide gives advice as soon as it can. With ``acuutGevaar`` true and nothing else known, 112
is the advice on every way the walk can still go, so it is given now; the answers that are
missing are not an error but the list of questions still to ask.

How: the walk follows every branch an open question leaves possible (depth first, ``ja``
before ``nee``). A bool key assumed on one branch keeps that value further down the same
branch; for ``uitbuitingsvormen`` a branch is kept only when some non-empty set of forms
satisfies every test made on it. The advice is what every such branch gives (same partner;
the reasons all branches share, else the first branch's); the path is the steps every branch
takes; the open questions are those met on any branch, in the order a walk asks them (by
their longest distance from the route start, which respects the order on every branch).
With complete answers there is one branch, so the result equals :func:`engine.advise`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ketenzicht.domain.routekaart.engine import (
    advice_items,
    check_answers,
    merge_items,
    question_for,
    route_question,
)
from ketenzicht.domain.routekaart.model import (
    BOOL_SLEUTELS,
    JA,
    LIJST_SLEUTEL,
    NEE,
    ROUTE_KNOOP,
    ROUTE_SLEUTEL,
    ROUTES,
    UITBUITINGSVORMEN,
    Advice,
    Node,
    Partner,
    PathStep,
    Question,
    RouteMap,
)

# A test on uitbuitingsvormen assumed on a branch: (the forms tested, whether one is present).
_Constraint = tuple[frozenset[str], bool]


@dataclass(frozen=True)
class _Branch:
    node: str | None
    pad: tuple[PathStep, ...]
    items: tuple[tuple[Partner, str], ...]
    asked: tuple[tuple[Node, Question], ...]
    assumed: tuple[tuple[str, bool], ...]
    constraints: tuple[_Constraint, ...]


def _feasible(constraints: tuple[_Constraint, ...]) -> bool:
    """Is there a non-empty set of forms that passes every assumed test?"""
    allowed = set(UITBUITINGSVORMEN)
    for forms, hit in constraints:
        if not hit:
            allowed -= forms
    return bool(allowed) and all(forms & allowed for forms, hit in constraints if hit)


def _step(route_map: RouteMap, branch: _Branch, checked: Mapping[str, Any]) -> list[_Branch]:
    """Advance one node; a question without a known answer splits the branch in two."""
    assert branch.node is not None
    node = route_map.knopen[branch.node]
    if not node.is_vraag:
        items = branch.items
        if not (node.terugval and items):
            items = (*items, *((route_map.partners[a.partner], a.reden) for a in node.advies))
        return [_Branch(node.daarna, branch.pad, items, branch.asked, branch.assumed, branch.constraints)]

    key = node.sleutel
    assumed = dict(branch.assumed)
    if key in checked:
        value = checked[key]
        hit = bool(value & set(node.bevat_een_van)) if key == LIJST_SLEUTEL else bool(value)
        return [_follow(node, branch, hit)]
    if key in BOOL_SLEUTELS and key in assumed:
        return [_follow(node, branch, assumed[key])]

    asked = branch.asked
    if all(q.sleutel != key for _, q in asked):
        asked = (*asked, (node, question_for(node)))
    result = []
    for hit in (True, False):
        if key == LIJST_SLEUTEL:
            constraints = (*branch.constraints, (frozenset(node.bevat_een_van), hit))
            if not _feasible(constraints):
                continue
            new = _Branch(branch.node, branch.pad, branch.items, asked, branch.assumed, constraints)
        else:
            new = _Branch(branch.node, branch.pad, branch.items, asked, (*branch.assumed, (key, hit)), branch.constraints)
        result.append(_follow(node, new, hit))
    return result


def _follow(node: Node, branch: _Branch, hit: bool) -> _Branch:
    antwoord = JA if hit else NEE
    return _Branch(
        node.antwoorden[antwoord],
        (*branch.pad, PathStep(node.id, antwoord)),
        branch.items,
        branch.asked,
        branch.assumed,
        branch.constraints,
    )


def _branches(route_map: RouteMap, route: str, checked: Mapping[str, Any]) -> list[_Branch]:
    start = _Branch(route_map.routes[route].start, (PathStep(ROUTE_KNOOP, route),), (), (), (), ())
    done: list[_Branch] = []
    stack = [start]
    while stack:  # validation guarantees termination (acyclic, references resolved)
        branch = stack.pop()
        if branch.node is None:
            done.append(branch)
            continue
        # Reversed onto the stack, so the 'ja' branch is walked (and listed) first.
        stack.extend(reversed(_step(route_map, branch, checked)))
    return done


def _ranks(route_map: RouteMap, start: str) -> dict[str, int]:
    """Longest distance of every node from ``start``: a topological rank of the graph."""
    order: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[str, bool]] = [(start, False)]
    while stack:
        nid, expanded = stack.pop()
        if expanded:
            order.append(nid)
            continue
        if nid in seen:
            continue
        seen.add(nid)
        stack.append((nid, True))
        stack.extend((child, False) for child in route_map.knopen[nid].volgende() if child not in seen)
    rank = dict.fromkeys(order, 0)
    for nid in reversed(order):  # reversed post-order: every parent before its children
        for child in route_map.knopen[nid].volgende():
            rank[child] = max(rank[child], rank[nid] + 1)
    return rank


def _open_questions(route_map: RouteMap, routes: list[str], per_route: dict[str, list[_Branch]], route_open: bool) -> tuple[Question, ...]:
    node_order = {nid: i for i, nid in enumerate(route_map.knopen)}
    best: dict[str, tuple[tuple[int, int, int], Question]] = {}
    for route_index, route in enumerate(routes):
        ranks = _ranks(route_map, route_map.routes[route].start)
        for branch in per_route[route]:
            for node, question in branch.asked:
                key = (ranks[node.id], route_index, node_order[node.id])
                if question.sleutel not in best or key < best[question.sleutel][0]:
                    best[question.sleutel] = (key, question)
    ordered = [question for _, question in sorted(best.values(), key=lambda entry: entry[0])]
    return (route_question(route_map), *ordered) if route_open else tuple(ordered)


def advise_partial(route_map: RouteMap, answers: Mapping[str, Any]) -> Advice:
    """The advice that holds whatever the missing answers turn out to be, and the open questions.

    Wrong keys or values still raise :class:`RoutekaartInputError` naming them; a missing
    answer never does. ``Advice.open_vragen`` is empty exactly when the answers are complete.
    """
    checked = check_answers(answers)
    route = checked.get(ROUTE_SLEUTEL)
    routes = [route] if route is not None else list(ROUTES)
    per_route = {r: _branches(route_map, r, checked) for r in routes}
    branches = [branch for r in routes for branch in per_route[r]]

    merged = [merge_items(branch.items) for branch in branches]
    everywhere = set.intersection(*(set(m) for m in merged))
    certain = {}
    for pid, (partner, reasons) in merged[0].items():
        if pid in everywhere:
            shared = [r for r in reasons if all(r in m[pid][1] for m in merged)]
            certain[pid] = (partner, shared or reasons)

    first_pad = branches[0].pad
    pad = tuple(step for step in first_pad if all(step in branch.pad for branch in branches))
    return Advice(
        regio=route_map.regio,
        versie=route_map.versie,
        route=route or "",
        items=advice_items(certain),
        pad=pad,
        open_vragen=_open_questions(route_map, routes, per_route, route is None),
    )
