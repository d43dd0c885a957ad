"""Nothing writes a lifecycle's state field but the one transition service of its entity.

Scans every module of `src/` (AST, migrations excluded) for writes of state fields — an
attribute assignment (`x.state = …`), `setattr(x, "state", …)`, and `state=` in a `create`,
`update`, `update_or_create` or `get_or_create` call — and fails on one outside the places
listed here. A new place that writes state either goes through the transition service or is
added here with the reason it is legitimate (a review will ask).
"""

from __future__ import annotations

import ast
from pathlib import Path

import ketenzicht

SRC = Path(ketenzicht.__file__).parent
# Field names that hold a lifecycle state (or a value only the transition sets with it).
STATE_FIELDS = {"state", "status", "decision", "done_on", "closed_at", "merged_into"}
WRITE_CALLS = {"create", "update", "update_or_create", "get_or_create", "bulk_update"}
# (module relative to src/ketenzicht, function) → why it may write there.
ALLOWED: dict[tuple[str, str], str] = {
    ("cases/services.py", "case_transition"): "the case's transition service",
    ("cases/services.py", "case_create"): "a new case starts in `ontvangen` (the lifecycle's initial state)",
    ("routing/services.py", "referral_transition"): "the referral's transition service",
    ("barriers/services.py", "control_transition"): "the control's transition service",
    ("barriers/services.py", "intervention_transition"): "the intervention's transition service",
    ("barriers/services.py", "bibob_transition"): "the Bibob screening's transition service",
    ("programme/services.py", "action_status_transition"): "the programme action's transition service",
    ("accounts/services.py", "role_request_transition"): "the role request's transition service",
    ("persons/services.py", "linkage_run_transition"): "the linkage run's transition service",
    ("programme/services.py", "occurrence_complete"): "ticks off one occurrence of a recurring action (no lifecycle state)",
    ("programme/services.py", "_apply_when"): "a recurring action has no completion date (a recurrence, not a state)",
    ("monitor/services.py", "import_file"): "a monitor import's outcome (accepted/refused) is recorded when it is made",
    ("monitor/services.py", "import_withdraw"): "withdrawing a monitor import (its own service; not one of issue 18's lifecycles)",
    ("meetings/services.py", "action_item_complete"): "an action item's completion date (not a lifecycle state)",
    ("meetings/services.py", "decision_record"): "the `decision` of an action item is its parent decision (a foreign key)",
    ("core/errors.py", "__init__"): "the HTTP status of a service error, not a model field",
    ("core/ratelimit.py", "allow_request"): "a rate-limit decision, not a model field",
    ("core/registries/__init__.py", "__init__"): "the HTTP status a registry answered with, on its error",
    ("core/benchdata.py", "registrations"): "bench data only (`ketenzicht bench_region`, refused in production): its imports are written as accepted",
}


def _writes(tree: ast.AST) -> list[tuple[str, int, str]]:
    """(function, line, field) for every write of a state field in a module."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                        if isinstance(element, ast.Attribute) and element.attr in STATE_FIELDS:
                            found.append((function, child.lineno, element.attr))
            elif isinstance(child, ast.Call):
                func = child.func
                if isinstance(func, ast.Name) and func.id == "setattr" and len(child.args) >= 2:
                    field = child.args[1]
                    if isinstance(field, ast.Constant) and field.value in STATE_FIELDS:
                        found.append((function, child.lineno, str(field.value)))
                if isinstance(func, ast.Attribute) and func.attr in WRITE_CALLS:
                    for keyword in child.keywords:
                        if keyword.arg in STATE_FIELDS:
                            found.append((function, child.lineno, keyword.arg))
                        if keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                            for key in keyword.value.keys:
                                if isinstance(key, ast.Constant) and key.value in STATE_FIELDS:
                                    found.append((function, child.lineno, str(key.value)))
            visit(child, name)

    visit(tree, "<module>")
    return found


def _scan() -> list[str]:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in f"/{relative}":
            continue
        for function, line, field in _writes(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
            if (relative, function) not in ALLOWED:
                offenders.append(f"{relative}:{line} {function}() writes `{field}`")
    return offenders


def test_state_is_written_only_by_the_transition_services() -> None:
    assert _scan() == []


def test_the_scan_finds_a_planted_write() -> None:
    """The guard can fail: each kind of write outside a transition service is found."""
    planted = ast.parse(
        "def sneaky(case, Case):\n"
        "    case.state = 'afgesloten'\n"
        "    setattr(case, 'status', 'x')\n"
        "    Case.objects.filter(pk=1).update(state='afgesloten')\n"
        "    Case.objects.update_or_create(pk=1, defaults={'decision': 'geweigerd'})\n"
    )
    assert [(f, field) for f, _line, field in _writes(planted)] == [
        ("sneaky", "state"), ("sneaky", "status"), ("sneaky", "state"), ("sneaky", "decision"),
    ]


def test_every_allowed_place_still_exists() -> None:
    """A stale entry would let a new write slip in under an old name."""
    present = set()
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                present.add((relative, node.name))
    assert set(ALLOWED) - present == set()


def _table_decisions(tree: ast.AST) -> list[str]:
    """Functions that make a `TableDecision` (the context of a decision taken at a table)."""
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call) and getattr(child.func, "id", getattr(child.func, "attr", "")) == "TableDecision":
                found.append(function)
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_only_the_tables_decision_service_makes_a_table_decision() -> None:
    """A table outcome (venue-checked) can only come from a decision recorded at that table."""
    makers = {
        (path.relative_to(SRC).as_posix(), function)
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
        for function in _table_decisions(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert makers == {("meetings/services.py", "decision_record")}
    planted = ast.parse("def shortcut(case):\n    return case_transition(case=case, decision=TableDecision(Venue.LOO, ''))\n")
    assert _table_decisions(planted) == ["shortcut"]
