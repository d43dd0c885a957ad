"""Privacy-preserving encodings: field-level Bloom filters, keyed, random-hashed and balanced.

Each partner encodes its registrations *locally* (``ketenzicht encode`` or the encoding page,
in the browser) with a secret key shared among the partners (never with the monitor's
operator) and uploads only the encodings. Scheme ``fbf-rh-bal-v3``:

* every identity field gets **its own filter** (given name, surname, birth date, "kenmerken" =
  sex and nationality together, municipality), so linkage can weigh each field as a Fellegi–Sunter
  comparison (a namesake with another birth date differs in exactly one field);
* tokens (name bigrams, date parts, codes) are hashed with **HMAC-SHA256** under a per-field
  subkey derived from the shared key: no key, no dictionary attack by the operator;
* **random hashing** (Schnell & Borgs 2016): the k bit positions of a token are read from its
  HMAC digest, independent of each other (no double hashing ``h1 + i·h2``);
* given name and surname share their subkey and their permutation, so the linker can compare
  them crosswise: a swapped given name and surname is recognised;
* **balancing** (Berger & Schnell 2016): each filter is concatenated with its complement and
  permuted with a keyed permutation (Fisher–Yates driven by an HMAC stream), so every
  non-empty segment has exactly half its bits set; an empty field is all zeros.

Everything here is specified so that a browser reproduces it byte for byte with Web Crypto
(``static/js/encode.js``): HMAC-SHA256, 16-bit little-endian positions, 32-bit little-endian
draws with rejection for the permutation, bits packed most significant first, base64.

See docs/linkage.md for the threat model and the limits.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import LinkageInputError
from .names import normalise_given_name, split_surname
from .records import Registration

SCHEME = "fbf-rh-bal-v3"
MIN_KEY_BYTES = 16


@dataclass(frozen=True)
class Segment:
    """One field's filter: ``bits`` before balancing; hashed under ``field``, permuted by ``perm``."""

    name: str
    field: str
    bits: int
    perm: str

    @property
    def nbytes(self) -> int:
        return 2 * self.bits // 8


# Given name and surname share subkey and permutation: the linker compares them crosswise.
SEGMENTS: tuple[Segment, ...] = (
    Segment("voornaam", "naam", 256, "naam"),
    Segment("achternaam", "naam", 256, "naam"),
    Segment("geboortedatum", "geboortedatum", 128, "geboortedatum"),
    Segment("kenmerken", "kenmerken", 64, "kenmerken"),
    Segment("gemeente", "gemeente", 64, "gemeente"),
)
ENCODED_BYTES = sum(s.nbytes for s in SEGMENTS)
ENCODED_BITS = 8 * ENCODED_BYTES
# Byte offset of each segment in the encoding.
OFFSETS: dict[str, tuple[int, int]] = {}
_at = 0
for _s in SEGMENTS:
    OFFSETS[_s.name] = (_at, _at + _s.nbytes)
    _at += _s.nbytes

# Bits per token: the weight a token gets within its field's filter.
K_NAME = 10  # per bigram
K_YEAR, K_MONTH, K_DAY = 20, 16, 16
K_SEX, K_NATIONALITY = 12, 12  # together in one filter ("kenmerken")
K_MUNICIPALITY = 6  # per bigram of the code without its constant "GM" prefix


class EncodingKey:
    """The shared secret. Only a keyed fingerprint of it leaves the partner."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_KEY_BYTES:
            raise LinkageInputError(
                f"sleutel te kort: {len(secret)} bytes, minimaal {MIN_KEY_BYTES} nodig"
            )
        self._secret = secret

    @classmethod
    def from_file(cls, path: str | Path) -> EncodingKey:
        """Read a key file: its bytes, with surrounding whitespace removed."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise LinkageInputError(f"sleutel niet leesbaar: {exc.strerror}", file=str(path)) from exc
        return cls.from_bytes(data, file=str(path))

    @classmethod
    def from_bytes(cls, data: bytes, *, file: str | None = None) -> EncodingKey:
        try:
            return cls(data.strip())
        except LinkageInputError as exc:
            raise LinkageInputError(exc.message, file=file) from None

    def subkey(self, purpose: str) -> bytes:
        return hmac.new(self._secret, f"{SCHEME}|{purpose}".encode(), hashlib.sha256).digest()

    @property
    def fingerprint(self) -> str:
        """Identifies the key (to refuse mixing) without revealing it: HMAC of a constant."""
        digest = hmac.new(self._secret, b"ketenzicht-key-fingerprint", hashlib.sha256)
        return digest.hexdigest()[:16]


def bigrams(text: str) -> list[str]:
    """Padded character bigrams of every word ("jan" → _j ja an n_)."""
    out: list[str] = []
    for word in text.split():
        padded = f"_{word}_"
        out.extend(padded[i : i + 2] for i in range(len(padded) - 1))
    return out


def municipality_text(code: str) -> str:
    code = code.lower()
    # Dutch CBS codes all start with "GM": two bigrams every record shares carry no evidence.
    return code[2:] if code.startswith("gm") and len(code) > 2 else code


def tokens(reg: Registration) -> dict[str, list[tuple[str, int]]]:
    """(token, k) per segment of one registration; an empty field gives no tokens."""
    date: dt.date | None = reg.geboortedatum
    birth = [(f"j{date.year}", K_YEAR), (f"m{date.month}", K_MONTH), (f"d{date.day}", K_DAY)] if date else []
    kenmerken: list[tuple[str, int]] = []
    if reg.geslacht:
        kenmerken.append((f"g{reg.geslacht}", K_SEX))
    if reg.nationaliteit:
        kenmerken.append((f"n{reg.nationaliteit}", K_NATIONALITY))
    gem = municipality_text(reg.gemeente_code) if reg.gemeente_code else ""
    return {
        "voornaam": [(g, K_NAME) for g in sorted(set(bigrams(normalise_given_name(reg.voornaam))))],
        "achternaam": [(g, K_NAME) for g in sorted(set(bigrams(split_surname(reg.achternaam).core)))],
        "geboortedatum": birth,
        "kenmerken": kenmerken,
        "gemeente": [(g, K_MUNICIPALITY) for g in sorted(set(bigrams(gem)))],
    }


def permutation(key: EncodingKey, purpose: str, n: int) -> np.ndarray:
    """Keyed Fisher–Yates shuffle of range(n), driven by HMAC(subkey, counter) as 32-bit words.

    Draws are unbiased (rejection of the top ``2**32 mod bound`` values).
    """
    subkey = key.subkey(f"perm:{purpose}")
    words: list[int] = []
    counter = 0
    perm = list(range(n))
    for i in range(n - 1, 0, -1):
        bound = i + 1
        limit = 2**32 - (2**32 % bound)
        while True:
            if not words:
                digest = hmac.new(subkey, str(counter).encode(), hashlib.sha256).digest()
                words = list(np.frombuffer(digest, dtype="<u4")[::-1])
                counter += 1
            w = int(words.pop())
            if w < limit:
                break
        j = w % bound
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, dtype=np.int64)


class Encoder:
    """Encodes registrations into field-level balanced filters.

    Speed without weakening the scheme: every distinct token is hashed once (HMAC per token,
    cached as a row of bit positions), every distinct field value is tokenised once, and a
    whole batch of one segment is filled with one numpy scatter. The result is exactly that
    of ``tokens()`` hashed one by one (a test checks it bit for bit).
    """

    def __init__(self, key: EncodingKey) -> None:
        self.key = key
        self._field_keys: dict[str, bytes] = {}
        self._positions_cache: dict[tuple[str, str, int], np.ndarray] = {}
        self._perms = {s.perm: permutation(key, s.perm, 2 * s.bits) for s in SEGMENTS}
        kmax = max(K_NAME, K_YEAR, K_MONTH, K_DAY, K_SEX, K_NATIONALITY, K_MUNICIPALITY)
        # per segment: token number → its positions (unused slots point at a spare column)
        self._table: dict[str, list[np.ndarray]] = {s.name: [] for s in SEGMENTS}
        self._numbers: dict[str, dict[tuple[str, int], int]] = {s.name: {} for s in SEGMENTS}
        self._values: dict[str, dict[object, list[int]]] = {s.name: {} for s in SEGMENTS}
        self._kmax = kmax

    def positions(self, field: str, token: str, k: int, bits: int) -> np.ndarray:
        """k bit positions of a token: 16-bit words of HMAC(field subkey, counter|token)."""
        cache_key = (field, token, k)
        found = self._positions_cache.get(cache_key)
        if found is not None:
            return found
        fk = self._field_keys.get(field)
        if fk is None:
            fk = self._field_keys[field] = self.key.subkey(f"field:{field}")
        raw = b""
        counter = 0
        while len(raw) < 2 * k:  # 16 bits per position; every filter size divides 2**16
            raw += hmac.new(fk, f"{counter}|{token}".encode(), hashlib.sha256).digest()
            counter += 1
        found = np.frombuffer(raw[: 2 * k], dtype="<u2").astype(np.int64) % bits
        self._positions_cache[cache_key] = found
        return found

    def _numbers_of(self, seg: Segment, value: object, toks: list[tuple[str, int]]) -> list[int]:
        numbers = self._numbers[seg.name]
        out = []
        for token, k in toks:
            no = numbers.get((token, k))
            if no is None:
                no = numbers[(token, k)] = len(numbers)
                row = np.full(self._kmax, seg.bits, dtype=np.int64)
                row[:k] = self.positions(seg.field, token, k, seg.bits)
                self._table[seg.name].append(row)
            out.append(no)
        cache = self._values[seg.name]
        if len(cache) < 1_000_000:
            cache[value] = out
        return out

    def _record_numbers(self, reg: Registration) -> dict[str, list[int]]:
        values: dict[str, object] = {
            "voornaam": reg.voornaam or "",
            "achternaam": reg.achternaam or "",
            "geboortedatum": reg.geboortedatum,
            "kenmerken": (reg.geslacht, reg.nationaliteit),
            "gemeente": reg.gemeente_code or "",
        }
        out: dict[str, list[int]] = {}
        toks: dict[str, list[tuple[str, int]]] | None = None
        for seg in SEGMENTS:
            found = self._values[seg.name].get(values[seg.name])
            if found is None:
                toks = toks or tokens(reg)
                found = self._numbers_of(seg, values[seg.name], toks[seg.name])
            out[seg.name] = found
        return out

    def raw_bits(self, records: Sequence[Registration]) -> dict[str, np.ndarray]:
        """Unbalanced filters per segment: ``{segment: (n, bits) bool}``."""
        per_record = [self._record_numbers(r) for r in records]
        out: dict[str, np.ndarray] = {}
        for seg in SEGMENTS:
            lists = [r[seg.name] for r in per_record]
            counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
            flat = np.fromiter((t for ts in lists for t in ts), dtype=np.int64, count=int(counts.sum()))
            filt = np.zeros((len(records), seg.bits + 1), dtype=bool)
            if len(flat):
                table = np.vstack(self._table[seg.name])
                rows = np.repeat(np.arange(len(records), dtype=np.int64), counts)
                filt[rows[:, None], table[flat]] = True
            out[seg.name] = filt[:, : seg.bits]
        return out

    def encode(self, records: Sequence[Registration]) -> np.ndarray:
        """Packed encodings, one row of ``ENCODED_BYTES`` per record."""
        raw = self.raw_bits(records)
        parts = []
        for seg in SEGMENTS:
            b = raw[seg.name]
            balanced = np.concatenate([b, ~b], axis=1)[:, self._perms[seg.perm]]
            packed = np.packbits(balanced, axis=1)
            packed[~b.any(axis=1)] = 0  # an empty field is visible as such: all zeros
            parts.append(packed)
        if not parts:
            return np.zeros((0, ENCODED_BYTES), np.uint8)
        return np.concatenate(parts, axis=1)


def to_text(packed_row: np.ndarray) -> str:
    return base64.b64encode(packed_row.tobytes()).decode("ascii")


def from_text(text: str) -> np.ndarray:
    """Decode one base64 encoding; raises ``ValueError`` on anything malformed."""
    raw = base64.b64decode(text.strip(), validate=True)
    if len(raw) != ENCODED_BYTES:
        raise ValueError(f"codering heeft {len(raw)} bytes, verwacht {ENCODED_BYTES}")
    return np.frombuffer(raw, dtype=np.uint8)


@dataclass
class EncodedSet:
    """Encodings of several files, ready for linkage (no names anywhere)."""

    keys: list[tuple[str, str]]
    packed: np.ndarray  # (n, ENCODED_BYTES) uint8
    key_fingerprint: str | None


def encode_registrations(
    records: Iterable[Registration], key: EncodingKey, batch: int = 50_000
) -> Iterable[tuple[Registration, str]]:
    """Yield (registration, base64 encoding), in batches to bound memory."""
    enc = Encoder(key)
    buf: list[Registration] = []
    for r in records:
        buf.append(r)
        if len(buf) >= batch:
            yield from zip(buf, _texts(enc.encode(buf)), strict=True)
            buf = []
    if buf:
        yield from zip(buf, _texts(enc.encode(buf)), strict=True)


def _texts(packed: np.ndarray) -> list[str]:
    return [base64.b64encode(bytes(row)).decode("ascii") for row in packed]
