"""Privacy-preserving encodings: hardened cryptographic long-term keys (CLK, Schnell et al.).

Each partner encodes its registrations *locally* with a secret key shared among partners
(never with the monitor's operator) and uploads only ``bron``, ``registratie_id``, a keyed
fingerprint of the key and the encoding.  Scheme ``clk-rh-bal-v1``:

* q-grams/tokens of every field are hashed with **HMAC-SHA256** under a per-field subkey
  derived from the shared key (no key → no dictionary attack by the operator);
* **random hashing** (Schnell & Borgs 2016): the k bit positions of a token are read from
  its HMAC digest, independent of each other, instead of double hashing ``h1 + i·h2`` whose
  structure the Niedermeyer et al. (2014) attack exploits;
* given and family name share one subkey, so the bigram *set* of a person's names does not
  depend on which field a name was written in: a swap leaves the encoding unchanged;
* **balancing** (Berger & Schnell 2016): the filter is concatenated with its complement and
  the result permuted with a keyed permutation, so every encoding has exactly half its bits
  set — the Hamming weight no longer reveals name length or frequency, and frequent bit
  patterns cannot be aligned with frequent q-grams by weight.

See docs/linkage.md for the threat model and the limits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import LinkageInputError
from .names import normalise_given_name, split_surname
from .records import Registration

SCHEME = "clk-rh-bal-v2"
FILTER_BITS = 1024  # before balancing; the uploaded encoding has 2 × FILTER_BITS bits
ENCODED_BITS = 2 * FILTER_BITS
MIN_KEY_BYTES = 16

# Bits per token, per field: the weight a field gets in the similarity (Durham et al. 2012:
# attribute weighting by number of hash functions).  Set a priori, not fitted on any test set:
# k of a field ∝ its Fellegi–Sunter weight span log2(m/u) − log2((1−m)/(1−u)), with u from how
# many values the field can take (year ≈ 1/60, month 1/12, day 1/30, sex 1/2, nationality
# ≈ 1/5, municipality ≈ 1/300, a name ≈ 1/10,000 spread over about ten bigrams) and m ≈ 0.95;
# about 6 bits per bit of evidence.  v1 gave names and municipality five times the weight of
# the date per bit of evidence, so namesakes with other birth dates looked alike.
K_NAME = 12  # per bigram
K_BIRTH = {"y": 50, "m": 35, "d": 35}
K_SEX = 15
K_NATIONALITY = 20
K_MUNICIPALITY = 16  # per bigram of the code without its constant "GM" prefix


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
            data = Path(path).read_bytes().strip()
        except OSError as exc:
            raise LinkageInputError(f"sleutel niet leesbaar: {exc.strerror}", file=str(path)) from exc
        try:
            return cls(data)
        except LinkageInputError as exc:
            raise LinkageInputError(exc.message, file=str(path)) from None

    def subkey(self, purpose: str) -> bytes:
        return hmac.new(self._secret, f"{SCHEME}|{purpose}".encode(), hashlib.sha256).digest()

    @property
    def fingerprint(self) -> str:
        """Identifies the key (to refuse mixing) without revealing it: HMAC of a constant."""
        return hmac.new(self._secret, b"ketenzicht-key-fingerprint", hashlib.sha256).hexdigest()[
            :16
        ]


def bigrams(text: str) -> list[str]:
    """Padded character bigrams of every word ("jan" → _j ja an n_)."""
    out: list[str] = []
    for word in text.split():
        padded = f"_{word}_"
        out.extend(padded[i : i + 2] for i in range(len(padded) - 1))
    return out


def _municipality_text(code: str) -> str:
    code = code.lower()
    # Dutch CBS codes all start with "GM": two bigrams every record shares carry no evidence.
    return code[2:] if code.startswith("gm") and len(code) > 2 else code


def tokens(reg: Registration) -> list[tuple[str, str, int]]:
    """(field, token, k) triples of one registration; empty fields give no tokens."""
    out: list[tuple[str, str, int]] = []
    names = f"{normalise_given_name(reg.voornaam)} {split_surname(reg.achternaam).core}"
    out.extend(("naam", g, K_NAME) for g in sorted(set(bigrams(names))))
    if reg.geboortedatum:
        d = reg.geboortedatum
        out.append(("geb", f"y{d.year}", K_BIRTH["y"]))
        out.append(("geb", f"m{d.month}", K_BIRTH["m"]))
        out.append(("geb", f"d{d.day}", K_BIRTH["d"]))
    if reg.geslacht:
        out.append(("sex", reg.geslacht, K_SEX))
    if reg.nationaliteit:
        out.append(("nat", reg.nationaliteit, K_NATIONALITY))
    if reg.gemeente_code:
        gem = _municipality_text(reg.gemeente_code)
        out.extend(("gem", g, K_MUNICIPALITY) for g in sorted(set(bigrams(gem))))
    return out


_KMAX = max(K_NAME, *K_BIRTH.values(), K_SEX, K_NATIONALITY, K_MUNICIPALITY)


class Encoder:
    """Encodes registrations into balanced CLKs.

    Speed without weakening the scheme: every distinct token is hashed once (HMAC per token,
    cached as a row of bit positions); a record becomes a list of token numbers, and a whole
    batch is filled with one numpy scatter instead of per-record array work.
    """

    def __init__(self, key: EncodingKey) -> None:
        self.key = key
        self._field_keys: dict[str, bytes] = {}
        self._token_no: dict[tuple[str, str, int], int] = {}
        # positions of token i in row i; unused slots point at a spare column FILTER_BITS
        self._pos = np.full((256, _KMAX), FILTER_BITS, dtype=np.int32)
        self._name_tokens: dict[str, list[int]] = {}
        self._gem_tokens: dict[str, list[int]] = {}
        self._date_tokens: dict[object, list[int]] = {}
        rng = np.random.default_rng(
            np.frombuffer(key.subkey("permutation"), dtype=np.uint32).tolist()
        )
        self._perm = rng.permutation(ENCODED_BITS)

    def _positions(self, field: str, token: str, k: int) -> np.ndarray:
        """k bit positions of a token: 16-bit words of HMAC(field subkey, counter|token)."""
        fk = self._field_keys.get(field)
        if fk is None:
            fk = self._field_keys[field] = self.key.subkey(f"field:{field}")
        raw = b""
        counter = 0
        while len(raw) < 2 * k:  # 16 bits per position, FILTER_BITS divides 2**16
            raw += hmac.new(fk, f"{counter}|{token}".encode(), hashlib.sha256).digest()
            counter += 1
        return np.frombuffer(raw[: 2 * k], dtype="<u2").astype(np.int32) % FILTER_BITS

    def _token(self, field: str, token: str, k: int) -> int:
        ck = (field, token, k)
        no = self._token_no.get(ck)
        if no is None:
            no = self._token_no[ck] = len(self._token_no)
            if no >= len(self._pos):
                grown = np.full((2 * len(self._pos), _KMAX), FILTER_BITS, dtype=np.int32)
                grown[: len(self._pos)] = self._pos
                self._pos = grown
            self._pos[no, :k] = self._positions(field, token, k)
        return no

    def _record_tokens(self, reg: Registration) -> list[int]:
        """Token numbers of one record; the same as ``tokens(reg)``, with the parts cached."""
        key = f"{reg.voornaam or ''}\x00{reg.achternaam or ''}"
        out = self._name_tokens.get(key)
        if out is None:
            names = f"{normalise_given_name(reg.voornaam)} {split_surname(reg.achternaam).core}"
            out = [self._token("naam", g, K_NAME) for g in sorted(set(bigrams(names)))]
            if len(self._name_tokens) < 1_000_000:
                self._name_tokens[key] = out
        out = list(out)
        d = reg.geboortedatum
        if d:
            dt_ = self._date_tokens.get(d)
            if dt_ is None:
                dt_ = self._date_tokens[d] = [
                    self._token("geb", f"y{d.year}", K_BIRTH["y"]),
                    self._token("geb", f"m{d.month}", K_BIRTH["m"]),
                    self._token("geb", f"d{d.day}", K_BIRTH["d"]),
                ]
            out.extend(dt_)
        if reg.geslacht:
            out.append(self._token("sex", reg.geslacht, K_SEX))
        if reg.nationaliteit:
            out.append(self._token("nat", reg.nationaliteit, K_NATIONALITY))
        if reg.gemeente_code:
            gt = self._gem_tokens.get(reg.gemeente_code)
            if gt is None:
                gem = _municipality_text(reg.gemeente_code)
                gt = self._gem_tokens[reg.gemeente_code] = [
                    self._token("gem", g, K_MUNICIPALITY) for g in sorted(set(bigrams(gem)))
                ]
            out.extend(gt)
        return out

    def bits(self, records: Sequence[Registration]) -> np.ndarray:
        """Unbalanced filters, one row of FILTER_BITS booleans per record."""
        per_record = [self._record_tokens(r) for r in records]
        counts = np.fromiter((len(t) for t in per_record), dtype=np.int64, count=len(records))
        flat = np.fromiter(
            (t for ts in per_record for t in ts), dtype=np.int64, count=int(counts.sum())
        )
        rows = np.repeat(np.arange(len(records), dtype=np.int64), counts)
        out = np.zeros((len(records), FILTER_BITS + 1), dtype=bool)
        cols = self._pos[flat]  # (tokens, _KMAX)
        out[rows[:, None], cols] = True
        return out[:, :FILTER_BITS]

    def encode(self, records: Sequence[Registration]) -> np.ndarray:
        """Balanced, keyed-permuted encodings, packed: one row of ENCODED_BITS/8 bytes."""
        b = self.bits(records)
        balanced = np.concatenate([b, ~b], axis=1)[:, self._perm]
        return np.packbits(balanced, axis=1)


def to_text(packed_row: np.ndarray) -> str:
    return base64.b64encode(packed_row.tobytes()).decode("ascii")


def from_text(text: str) -> np.ndarray:
    """Decode one base64 encoding; raises ``ValueError`` on anything malformed."""
    raw = base64.b64decode(text.strip(), validate=True)
    if len(raw) != ENCODED_BITS // 8:
        raise ValueError(f"encoding has {len(raw)} bytes, expected {ENCODED_BITS // 8}")
    return np.frombuffer(raw, dtype=np.uint8)


@dataclass
class EncodedSet:
    """Encodings of several files, ready for linkage (no names anywhere)."""

    keys: list[tuple[str, str]]
    packed: np.ndarray  # (n, ENCODED_BITS/8) uint8
    key_fingerprint: str | None


def dice_balanced(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dice similarity of balanced encodings given as uint64 words; rows paired up."""
    inter = np.bitwise_count(a & b).sum(axis=1, dtype=np.int64)
    return inter / float(FILTER_BITS)  # every balanced encoding has FILTER_BITS ones


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
    """Base64 of every row; one encode call for the batch (rows are 256 bytes: no padding
    inside a row, as 256 is not a multiple of 3, so the batch is split on row boundaries)."""
    width = packed.shape[1]
    return [base64.b64encode(row).decode("ascii") for row in map(bytes, packed.reshape(-1, width))]
