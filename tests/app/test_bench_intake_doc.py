"""bench/intake_doc.py writes `make bench`'s intake runs into docs/benchmarks.md as measured:
date, machine, load, every round, and a target not met shown as not met (issue 19)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

SPEC = importlib.util.spec_from_file_location("intake_doc", Path(__file__).resolve().parents[2] / "bench" / "intake_doc.py")
assert SPEC is not None and SPEC.loader is not None
intake_doc: Any = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(intake_doc)


def _run(products: list[tuple[float, float, float | None, float]], *, bare: float = 2000.0, what: str = "cases with an intake key") -> str:
    """A runner's output as ../shared/bench/intake/run.sh prints it (p95 only where the load script reports it)."""
    lines = ["db=postgres workers=4 conns=50 dur=15s load=0.50 0.40 0.30"]
    ratios = []
    for n, (rate, p50, p95, p99) in enumerate(products, start=1):
        tail = f" p95={p95}ms" if p95 is not None else ""
        lines.append(f"round {n} bare:    RESULT req/s={bare} p50=20.0ms p90=25.0ms p99=30.0ms non2xx=0 timeouts=0 sockerr=0 total=30000")
        lines.append(f"round {n} product: RESULT req/s={rate} p50={p50}ms p90=90.0ms{tail} p99={p99}ms non2xx=0 timeouts=0 sockerr=0 total=9000")
        ratios.append(round(rate / bare, 3))
        lines.append(f"round {n} ratio product/bare: {ratios[-1]}")
    lines.append(f"{what} after the run: 12345 (load=1.00 0.80 0.60)")
    median = sorted(ratios)[len(ratios) // 2]
    lines.append(f"intake ratio product/bare (postgres, median of {len(ratios)}): {median}")
    return "\n".join(lines) + "\n"


def _write(out: Path, name: str, text: str) -> None:
    (out / name).write_text(text, encoding="utf-8")


def test_the_table_has_every_run_with_its_rounds_load_and_verdict(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _write(out, "intake-postgres.txt", _run([(600, 80, None, 120), (640, 75, None, 110), (580, 85, None, 130)]))
    _write(out, "intake-public-postgres.txt", _run([(560, 100, 140, 160), (540, 110, 150, 170), (600, 95, 130, 150)], what="public reports stored"))
    # Under the target on SQLite's API: shown as not met, not left out.
    _write(out, "intake-sqlite.txt", _run([(300, 120, None, 200), (320, 118, None, 210), (310, 119, None, 205)], bare=1500))
    # A p99 over 300 ms where the runner reports no p95: not claimed either way.
    _write(out, "intake-public-sqlite.txt", _run([(400, 100, None, 350), (410, 100, None, 320), (405, 100, None, 330)], bare=1500))
    table = intake_doc.block(out)
    rows = [line for line in table.splitlines() if line.startswith("| postgres") or line.startswith("| sqlite")]
    assert len(rows) == 4
    assert "0.300, 0.320, 0.290" in rows[0] and "**0.300**" in rows[0] and rows[0].endswith("| yes |")
    assert "95–110 / 130–150 / 150–170" in rows[1] and "**0.280**" in rows[1] and "0.50 0.40 0.30 → 1.00 0.80 0.60" in rows[1] and rows[1].endswith("| yes |")
    assert "**0.207**" in rows[2] and rows[2].endswith("| **no** |")
    assert rows[3].endswith("| unknown (p95 not reported) |")
    assert "cores" in table and "UTC" in table


def test_the_block_replaces_the_last_one_and_leaves_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _write(out, "intake-postgres.txt", _run([(600, 80, None, 120)]))
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nIntro. {intake_doc.ANCHOR} more.\n\nSessions follow.\n", encoding="utf-8")
    intake_doc.write(doc, intake_doc.block(out))
    first = doc.read_text()
    assert first.index("Intro.") < first.index(intake_doc.START) < first.index("Sessions follow.")
    _write(out, "intake-postgres.txt", _run([(700, 80, None, 120)]))
    intake_doc.write(doc, intake_doc.block(out))
    second = doc.read_text()
    assert second.count(intake_doc.START) == 1 and "**0.350**" in second and "**0.300**" not in second
    assert second.endswith("Sessions follow.\n")


@pytest.mark.parametrize("text", ["", "round 1 bare: RESULT req/s=1\n", "db=postgres load=1 2 3\nno median here\n"])
def test_an_unfinished_run_is_left_out(tmp_path: Path, text: str) -> None:
    (tmp_path / "intake-postgres.txt").write_text(text)
    assert intake_doc.block(tmp_path) is None
