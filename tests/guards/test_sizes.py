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
# No exceptions: a long function is split where it does two things, a long module becomes a
# package by topic. (The disclosure lane's entries went when its functions were split.)
KNOWN_OVER: dict[str, str] = {}


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


def test_nothing_is_excused() -> None:
    assert KNOWN_OVER == {}


def test_the_guard_finds_a_long_function() -> None:
    planted = "def long():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    assert _long_functions(planted, "planted.py") == ["planted.py:1 long() has 81 lines"]
