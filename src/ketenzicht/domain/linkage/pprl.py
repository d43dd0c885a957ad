"""Linking encodings without names: Hamming-LSH candidates, Dice scores, best links."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .bloom import ENCODED_BITS, SCHEME, EncodedSet, dice_balanced, from_text
from .clustering import Edges
from .errors import LinkageInputError
from .records import check_header

ENCODED_COLUMNS: tuple[str, ...] = ("bron", "registratie_id", "sleutel_id", "schema", "clk")

# LSH: BANDS groups of BAND_BITS sampled bit positions; two encodings become candidates when
# they agree on all sampled bits of at least one band.  With balanced encodings a true match
# (about 40 of 1024 filter bits different) agrees per position with p ≈ 0.96, a non-match
# with p ≈ 0.6: p^20 ≈ 0.44 vs 4e-5 per band; 80 bands find 98 % of FEBRL4's true pairs.
BAND_BITS = 20
BANDS = 80
MAX_BUCKET = 500  # a bucket this large is uninformative (e.g. empty names); skipped
# Decision rule (fixed defaults, documented in docs/linkage.md with the figures they give on
# FEBRL4 and on the synthetic set — a compromise between the two, not the optimum of either):
# two partners' records link at Dice ≥ 0.82; two records of the *same* partner need ≥ 0.90,
# because a partner registering one person twice is much rarer than two partners each
# registering them, while every record has look-alikes in its own file too.
DEFAULT_DICE_THRESHOLD = 0.82
DEFAULT_SAME_SOURCE_DICE = 0.90


def read_encoded(paths: Sequence[str | Path]) -> EncodedSet:
    """Read encoded CSVs; refuse different keys or schemes, naming the files involved."""
    keys: list[tuple[str, str]] = []
    rows: list[np.ndarray] = []
    first: dict[tuple[str, str], str] = {}
    fingerprint: str | None = None
    fp_file: str | None = None
    for path in paths:
        file = str(path)
        try:
            handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise LinkageInputError(f"kan niet worden geopend: {exc.strerror}", file=file) from exc
        with handle:
            reader = csv.DictReader(handle)
            check_header(reader.fieldnames, ENCODED_COLUMNS, file)
            reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
            for row in reader:
                n = reader.line_num
                bron = (row.get("bron") or "").strip()
                rid = (row.get("registratie_id") or "").strip()
                for col, val in (("bron", bron), ("registratie_id", rid)):
                    if not val:
                        raise LinkageInputError("lege waarde", file=file, row=n, column=col)
                if (bron, rid) in first:
                    raise LinkageInputError(
                        f"dubbele (bron, registratie_id) = ({bron}, {rid}), "
                        f"eerder gezien in {first[(bron, rid)]}",
                        file=file, row=n, column="registratie_id",
                    )  # fmt: skip
                first[(bron, rid)] = file
                scheme = (row.get("schema") or "").strip()
                if scheme != SCHEME:
                    raise LinkageInputError(
                        f"coderingsschema {scheme!r} is niet {SCHEME!r}",
                        file=file, row=n, column="schema",
                    )  # fmt: skip
                fp = (row.get("sleutel_id") or "").strip()
                if fingerprint is None:
                    fingerprint, fp_file = fp, file
                elif fp != fingerprint:
                    raise LinkageInputError(
                        f"gecodeerd met een andere sleutel (sleutel_id {fp}) dan {fp_file} "
                        f"(sleutel_id {fingerprint}); alle partners moeten dezelfde sleutel gebruiken, "
                        "coderingen met verschillende sleutels zijn niet te vergelijken",
                        file=file, row=n, column="sleutel_id",
                    )  # fmt: skip
                try:
                    rows.append(from_text(row.get("clk") or ""))
                except ValueError as exc:
                    raise LinkageInputError(
                        f"ongeldige codering: {exc}", file=file, row=n, column="clk"
                    ) from None
                keys.append((bron, rid))
    packed = np.vstack(rows) if rows else np.zeros((0, ENCODED_BITS // 8), dtype=np.uint8)
    return EncodedSet(keys=keys, packed=packed, key_fingerprint=fingerprint)


def _pairs_in_buckets(bucket: np.ndarray) -> np.ndarray:
    """All pairs (i < j) of row numbers sharing a bucket value, as int64 codes i * n + j.

    Buckets of equal size are handled together (one index matrix per size), so the work is
    proportional to the number of pairs, not to bucket size × number of records.
    """
    n = len(bucket)
    order = np.argsort(bucket, kind="stable")
    sb = bucket[order]
    starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
    sizes = np.diff(np.r_[starts, n])
    valid = (sizes >= 2) & (sizes <= MAX_BUCKET)
    out: list[np.ndarray] = []
    for size in np.unique(sizes[valid]):
        first = starts[valid & (sizes == size)]
        members = order[first[:, None] + np.arange(size)]  # one row per bucket
        i, j = np.triu_indices(int(size), 1)
        a, b = members[:, i].ravel(), members[:, j].ravel()
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def candidate_pairs(
    packed: np.ndarray, *, bands: int = BANDS, band_bits: int = BAND_BITS, seed: int = 20240601
) -> tuple[np.ndarray, np.ndarray]:
    """Hamming-LSH by bit sampling: pairs that agree on every sampled bit of some band.

    The sampled positions are public (a seed): they need no secret, the encodings do.
    """
    n = len(packed)
    if n < 2:
        z = np.zeros(0, dtype=np.int64)
        return z, z.copy()
    bits = np.unpackbits(packed, axis=1)
    rng = np.random.default_rng(seed)
    codes: list[np.ndarray] = []
    weights = (1 << np.arange(band_bits, dtype=np.uint64)).astype(np.uint64)
    for _ in range(bands):
        pos = rng.choice(bits.shape[1], size=band_bits, replace=False)
        bucket = bits[:, pos].astype(np.uint64) @ weights
        codes.append(_pairs_in_buckets(bucket))
    allc = np.unique(np.concatenate(codes))
    return allc // n, allc % n


def score_encoded(
    packed: np.ndarray,
    *,
    threshold: float = DEFAULT_DICE_THRESHOLD,
    chunk: int = 1_000_000,
    bands: int = BANDS,
    band_bits: int = BAND_BITS,
) -> tuple[Edges, int]:
    """Pairs with Dice ≥ ``threshold`` and the number of candidate pairs compared."""
    left, right = candidate_pairs(packed, bands=bands, band_bits=band_bits)
    words = np.ascontiguousarray(packed).view(np.uint64)
    keep_l: list[np.ndarray] = []
    keep_r: list[np.ndarray] = []
    keep_s: list[np.ndarray] = []
    for s in range(0, len(left), chunk):
        a = left[s : s + chunk]
        b = right[s : s + chunk]
        d = dice_balanced(words[a], words[b])
        m = d >= threshold
        keep_l.append(a[m])
        keep_r.append(b[m])
        keep_s.append(d[m])
    if not keep_l:
        return Edges.empty(), 0
    return (
        Edges(np.concatenate(keep_l), np.concatenate(keep_r), np.concatenate(keep_s)),
        len(left),
    )


def sources_of(keys: Iterable[tuple[str, str]]) -> np.ndarray:
    """Integer code of the partner (bron) of every record."""
    codes: dict[str, int] = {}
    return np.array([codes.setdefault(b, len(codes)) for b, _ in keys], dtype=np.int64)
