"""The audit trail's hash chain and signed tombstones: pure functions, no framework.

Every audit entry, once sealed, carries a sequence number, the hash of its predecessor and its
own hash: HMAC-SHA256 under the audit key over the predecessor's hash and a canonical encoding
of the entry's content. Changing, removing or reordering any sealed entry breaks the chain at
that entry; without the key nobody can compute a chain that verifies.

Entries are removed only by the retention purge, and only as a prefix of the chain (the
oldest entries first). The purge first writes a tombstone naming the last sequence number it
covers and that entry's hash, signed with the same key; the chain then starts from the newest
tombstone. A forged tombstone does not verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The content of an entry that the chain protects, in this order (the names of the columns).
ENTRY_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "fields",
    "reason",
)


def canonical(values: Mapping[str, Any], names: Iterable[str]) -> bytes:
    """A stable byte encoding: JSON with sorted keys, no whitespace, UTF-8."""
    return json.dumps({name: values[name] for name in names}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def entry_hash(key: bytes, *, seq: int, prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of one sealed entry: keyed over its place, its predecessor and its content."""
    message = f"{seq}|{prev_hash}|".encode() + canonical(entry, ENTRY_FIELDS)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


TOMBSTONE_FIELDS = ("up_to_seq", "last_hash", "count", "rule", "at")


def tombstone_signature(key: bytes, tombstone: Mapping[str, Any]) -> str:
    return hmac.new(key, b"tombstone|" + canonical(tombstone, TOMBSTONE_FIELDS), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    entry_id: object
    seq: int | None
    reason: str

    def describe(self) -> str:
        where = f"auditregel {self.entry_id}" if self.entry_id is not None else "tombstone"
        if self.seq is not None:
            where += f" (volgnummer {self.seq})"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Anchor:
    """Where the chain starts: the genesis, or the newest valid tombstone."""

    seq: int
    hash: str


def check_tombstones(key: bytes, tombstones: Iterable[Mapping[str, Any]]) -> tuple[Anchor, Break | None]:
    """Verify every tombstone (oldest first); the anchor is the newest one's end of the chain."""
    anchor = Anchor(0, GENESIS)
    for stone in tombstones:
        if not hmac.compare_digest(str(stone["signature"]), tombstone_signature(key, stone)):
            return anchor, Break(None, int(stone["up_to_seq"]), f"tombstone {stone.get('id')} draagt geen geldige handtekening")
        if int(stone["up_to_seq"]) < anchor.seq:
            return anchor, Break(None, int(stone["up_to_seq"]), f"tombstone {stone.get('id')} gaat terug in de keten")
        anchor = Anchor(int(stone["up_to_seq"]), str(stone["last_hash"]))
    return anchor, None


def check_entries(key: bytes, anchor: Anchor, entries: Iterable[Mapping[str, Any]]) -> tuple[int, Break | None]:
    """Walk sealed entries in sequence order from `anchor`; (entries checked, first break)."""
    expected_seq, expected_prev, checked = anchor.seq + 1, anchor.hash, 0
    for entry in entries:
        seq = int(entry["seq"])
        if seq != expected_seq:
            missing = "ontbreekt" if seq > expected_seq else "staat dubbel of buiten volgorde"
            return checked, Break(entry["id"], seq, f"volgnummer {expected_seq} {missing}")
        if entry["prev_hash"] != expected_prev:
            return checked, Break(entry["id"], seq, "de hash van de voorganger klopt niet (een eerdere regel is gewijzigd of verwijderd)")
        if not hmac.compare_digest(str(entry["entry_hash"]), entry_hash(key, seq=seq, prev_hash=expected_prev, entry=entry)):
            return checked, Break(entry["id"], seq, "de inhoud past niet bij de hash (de regel is gewijzigd)")
        expected_seq, expected_prev, checked = seq + 1, str(entry["entry_hash"]), checked + 1
    return checked, None
