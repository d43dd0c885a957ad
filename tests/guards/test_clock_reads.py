"""Forms never read the clock: the view reads it once and passes `now` (issue 18).

A form that reads `date.today()` itself disagrees with the service about "today" around
midnight, and cannot be tested at a chosen moment. The scan fails on a clock read in any
forms module; the behaviour tests show the forms judge by the `now` they are given.
"""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import ketenzicht

SRC = Path(ketenzicht.__file__).parent
CLOCK = {("timezone", "now"), ("timezone", "localdate"), ("timezone", "localtime"), ("date", "today"), ("datetime", "now"),
         ("datetime", "today"), ("datetime", "utcnow"), ("time", "time")}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _clock_reads(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            called = (node.func.value.id, node.func.attr)
            # timezone.localdate(now) converts a given moment; only a bare call reads the clock.
            if called in CLOCK and not (called[1] in {"localdate", "localtime"} and node.args):
                lines.append(node.lineno)
    return lines


def _forms_modules() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p.name == "forms.py" or p.name.endswith("_forms.py")]


def test_no_form_reads_the_clock() -> None:
    reads = {p.relative_to(SRC).as_posix(): lines for p in _forms_modules() if (lines := _clock_reads(p.read_text(encoding="utf-8")))}
    assert reads == {}
    assert len(_forms_modules()) >= 8  # the scan finds the forms at all


def test_the_scan_finds_a_planted_clock_read() -> None:
    planted = "def clean_on(self):\n    if self.value > date.today() or x > timezone.now():\n        pass\n    timezone.localdate(self.now)\n"
    assert _clock_reads(planted) == [2, 2]


def test_forms_judge_dates_by_the_now_they_are_given() -> None:
    from ketenzicht.programme.forms import CompleteForm
    from ketenzicht.routing.forms import RecordSendForm

    new_year = datetime(2026, 1, 1, 0, 30, tzinfo=AMSTERDAM)
    assert CompleteForm({"done_on": "2026-01-01"}, now=new_year).is_valid()
    late = CompleteForm({"done_on": "2026-01-01"}, now=new_year.replace(year=2025, month=12, day=31, hour=23))
    assert not late.is_valid() and "Deze datum ligt in de toekomst." in late.errors["done_on"]
    sent = {"method": "post", "sent_on": "01-01-2026 00:15"}
    assert RecordSendForm(sent, now=new_year).is_valid()
    early = RecordSendForm(sent, now=new_year.replace(minute=10))
    assert not early.is_valid() and "toekomst" in early.errors["sent_on"][0]
