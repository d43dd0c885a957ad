"""No module in `src/` over 800 lines, no function over 80 lines (migrations excluded).

A module nearing the limit becomes a package by topic; a long function is split where it does
two things. The guard can fail: it is checked against a planted long function too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ketenzicht

SRC = Path(ketenzicht.__file__).parent
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80
# Over the limit in the two modules the disclosure lane is rewriting now (the monitor's
# disclosure control and its selectors). The test fails for any other, and when one of these
# is fixed (so the entry must go). Nothing else may be added here: split the code instead.
KNOWN_OVER = {
    "domain/disclosure.py:_suppress": "disclosure lane",
    "domain/disclosure.py:protect_linked": "disclosure lane",
    "monitor/selectors.py:_compute": "disclosure/persons lanes",
}
ALLOWED_FILES = {"domain/disclosure.py", "monitor/selectors.py"}


def _modules() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if "migrations" not in p.parts]


def _long_functions(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno} {node.name}() has {length} lines")
    return found


def test_no_module_over_800_lines() -> None:
    long = {p.relative_to(SRC).as_posix() for p in _modules() if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES}
    assert long == {k for k in KNOWN_OVER if ":" not in k}


def test_no_function_over_80_lines() -> None:
    long = {f.split(":")[0] + ":" + f.split(" ")[1].removesuffix("()")
            for p in _modules() for f in _long_functions(p.read_text(encoding="utf-8"), p.relative_to(SRC).as_posix())}
    assert long == {k for k in KNOWN_OVER if ":" in k}


def test_only_the_disclosure_lanes_modules_are_excused() -> None:
    assert {k.split(":")[0] for k in KNOWN_OVER} <= ALLOWED_FILES


def test_the_guard_finds_a_long_function() -> None:
    planted = "def long():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    assert _long_functions(planted, "planted.py") == ["planted.py:1 long() has 81 lines"]
