"""Reading encoded files (no names in them) and grouping helpers for candidate pairs."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .bloom import ENCODED_BYTES, SCHEME, EncodedSet, from_text
from .errors import LinkageInputError
from .records import check_header

ENCODED_COLUMNS: tuple[str, ...] = ("bron", "registratie_id", "sleutel_id", "schema", "clk")

MAX_BUCKET = 400  # records sharing one key beyond this are uninformative (e.g. empty fields)


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
    packed = np.vstack(rows) if rows else np.zeros((0, ENCODED_BYTES), dtype=np.uint8)
    return EncodedSet(keys=keys, packed=packed, key_fingerprint=fingerprint)


def pairs_in_buckets(bucket: np.ndarray, max_bucket: int = MAX_BUCKET) -> np.ndarray:
    """All pairs (i < j) of row numbers sharing a bucket value, as int64 codes i * n + j.

    Buckets of equal size are handled together (one index matrix per size), so the work is
    proportional to the number of pairs, not to bucket size × number of records.
    """
    n = len(bucket)
    order = np.argsort(bucket, kind="stable")
    sb = bucket[order]
    starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]])
    sizes = np.diff(np.r_[starts, n])
    valid = (sizes >= 2) & (sizes <= max_bucket)
    out: list[np.ndarray] = []
    for size in np.unique(sizes[valid]):
        first = starts[valid & (sizes == size)]
        members = order[first[:, None] + np.arange(size)]  # one row per bucket
        i, j = np.triu_indices(int(size), 1)
        a, b = members[:, i].ravel(), members[:, j].ravel()
        out.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def sources_of(keys: Iterable[tuple[str, str]]) -> np.ndarray:
    """Integer code of the partner (bron) of every record."""
    codes: dict[str, int] = {}
    return np.array([codes.setdefault(b, len(codes)) for b, _ in keys], dtype=np.int64)
