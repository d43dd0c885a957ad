"""The linkage API the monitor calls: records → persons → capture histories."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .bloom import SCHEME, EncodedSet, EncodingKey, encode_registrations
from .clustering import Edges, components, mutual_best_links, person_ids
from .encoded import DEFAULT_THRESHOLD as ENCODED_THRESHOLD
from .encoded import Progress, score_encoded
from .errors import LinkageInputError
from .model import DEFAULT_THRESHOLD, registrations_frame, score_pairs
from .pprl import sources_of
from .records import Registration

Key = tuple[str, str]
Clusters = dict[Key, str]
CLUSTER_COLUMNS: tuple[str, ...] = ("bron", "registratie_id", "persoon_id")


def _check_unique(keys: Sequence[Key]) -> None:
    seen: set[Key] = set()
    for i, k in enumerate(keys):
        if not k[0] or not k[1]:
            raise LinkageInputError(
                f"record {i + 1}: bron en registratie_id zijn verplicht",
                column="bron" if not k[0] else "registratie_id",
            )
        if k in seen:
            raise LinkageInputError(
                f"dubbele (bron, registratie_id) = {k}", column="registratie_id"
            )
        seen.add(k)


def link_records(
    records: Iterable[Registration],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    best_links: bool = True,
    seed: int = 42,
    spark: Any = None,
) -> Clusters:
    """Link registrations of all partners into persons: {(bron, registratie_id): persoon_id}.

    ``spark``: a Spark session to score the pairs on (national scale); default DuckDB.

    Fellegi–Sunter (splink, DuckDB) scores blocked pairs; pairs with match probability ≥
    ``threshold`` are kept, then (``best_links``) only mutual best links between partners,
    then connected components.
    """
    recs = list(records)
    keys = [r.key for r in recs]
    _check_unique(keys)
    df = registrations_frame(recs)
    edges = score_pairs(df, threshold=threshold, seed=seed, spark=spark)
    if best_links:
        edges = mutual_best_links(edges, sources_of(keys))
    return person_ids(keys, components(len(recs), edges))


def link_encoded(
    encoded: EncodedSet,
    *,
    threshold: float = ENCODED_THRESHOLD,
    best_links: bool = True,
) -> Clusters:
    """Link privacy-preserving encodings (no names) into persons; same output as above.

    A Fellegi–Sunter model on the field-level encodings (``encoded.py``) gives every
    candidate pair a match probability; pairs at or above ``threshold`` are kept, then
    (``best_links``) only mutual best links, then connected components.
    """
    return linkage_encoded(encoded, threshold=threshold, best_links=best_links).clusters


@dataclass
class LinkageResult:
    """Persons and the uncertain links behind them (for estimates that carry link errors).

    ``edges``: every scored pair with match probability ≥ the floor (positions in ``keys``);
    ``labels``: the person (component) of every record after the decision rule.
    """

    keys: list[Key]
    labels: np.ndarray
    edges: Edges
    threshold: float

    @property
    def clusters(self) -> Clusters:
        return person_ids(self.keys, self.labels)


def linkage_encoded(
    encoded: EncodedSet,
    *,
    threshold: float = ENCODED_THRESHOLD,
    best_links: bool = True,
    progress: Progress | None = None,
) -> LinkageResult:
    """``link_encoded`` with the scored pairs kept: see ``LinkageResult``.

    ``progress(share, step)`` is told how far the linkage is (for a progress bar).
    """
    _check_unique(encoded.keys)
    source = sources_of(encoded.keys)
    report = progress or (lambda share, step: None)
    edges, _model = score_encoded(encoded.packed, source, progress=report)
    report(0.9, "personen vormen")
    kept = edges.above(threshold)
    if best_links:
        kept = mutual_best_links(kept, source)
    labels = components(len(encoded.keys), kept)
    report(1.0, "klaar")
    return LinkageResult(list(encoded.keys), labels, edges, threshold)


def overlap_table(
    clusters: Mapping[Key, str], sources: Sequence[str] | None = None
) -> list[dict[str, int]]:
    """Capture histories for multiple-systems estimation.

    One row per observed pattern: a 0/1 column per source (1 = that source registered the
    person at least once) and ``count`` = number of persons with that pattern.  ``sources``
    fixes the columns and their order (default: all sources, sorted); persons seen only by
    sources outside ``sources`` are left out, since their history would be all zeros.
    """
    cols = list(sources) if sources is not None else sorted({b for b, _ in clusters})
    if len(set(cols)) != len(cols):
        raise ValueError("sources contains duplicates")
    if "count" in cols:
        raise ValueError("a source may not be called 'count'")
    index = {s: i for i, s in enumerate(cols)}
    seen: dict[str, set[int]] = {}
    for (bron, _), pid in clusters.items():
        if bron in index:
            seen.setdefault(pid, set()).add(index[bron])
        else:
            seen.setdefault(pid, set())
    patterns = Counter(tuple(int(i in s) for i in range(len(cols))) for s in seen.values() if s)
    rows = []
    for pattern in sorted(patterns, reverse=True):
        row = dict(zip(cols, pattern, strict=True))
        row["count"] = patterns[pattern]
        rows.append(row)
    return rows


def write_overlap_csv(rows: Sequence[Mapping[str, int]], path: str | Path) -> None:
    if not rows:
        Path(path).write_text("count\n", encoding="utf-8")
        return
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def write_clusters_csv(clusters: Mapping[Key, str], path: str | Path) -> int:
    """Write ``bron,registratie_id,persoon_id`` sorted by key; returns the number of rows."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CLUSTER_COLUMNS)
        for (bron, rid), pid in sorted(clusters.items()):
            w.writerow((bron, rid, pid))
    return len(clusters)


ENCODED_HEADER: tuple[str, ...] = ("bron", "registratie_id", "sleutel_id", "schema", "clk")


def write_encoded_csv(records: Iterable[Registration], key: EncodingKey, path: str | Path) -> int:
    """Encode locally and write only non-identifying columns plus the encoding."""
    n = 0
    fp = key.fingerprint
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ENCODED_HEADER)
        for reg, text in encode_registrations(records, key):
            w.writerow((reg.bron, reg.registratie_id, fp, SCHEME, text))
            n += 1
    return n


def n_persons(clusters: Mapping[Key, str]) -> int:
    return len(set(clusters.values()))


def cluster_sizes(clusters: Mapping[Key, str]) -> dict[int, int]:
    sizes = Counter(Counter(clusters.values()).values())
    return dict(sorted(sizes.items()))


__all__ = [
    "CLUSTER_COLUMNS",
    "Clusters",
    "cluster_sizes",
    "link_encoded",
    "link_records",
    "n_persons",
    "overlap_table",
    "write_clusters_csv",
    "write_encoded_csv",
    "write_overlap_csv",
]
