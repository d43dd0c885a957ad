"""Encoder: deterministic per key, unrelated across keys, balanced; key-mixing refused."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from ketenzicht.domain.linkage import (
    Encoder,
    EncodingKey,
    LinkageInputError,
    Registration,
    read_encoded,
    write_encoded_csv,
)
from ketenzicht.domain.linkage.bloom import ENCODED_BITS, FILTER_BITS

K1 = EncodingKey(b"k1-0123456789abcdef-secret")
K2 = EncodingKey(b"k2-0123456789abcdef-secret")


def _reg(
    i: int, v: str = "Jan", a: str = "van der Berg", d: dt.date | None = dt.date(1990, 3, 4)
) -> Registration:
    return Registration("p", str(i), v, a, d, "M", "NLD", "GM0363")


def _dice(x: np.ndarray, y: np.ndarray) -> float:
    bx, by = np.unpackbits(x), np.unpackbits(y)
    return float(2 * (bx & by).sum() / (bx.sum() + by.sum()))


def test_same_input_same_key_same_encoding() -> None:
    a = Encoder(K1).encode([_reg(1)])
    b = Encoder(EncodingKey(b"k1-0123456789abcdef-secret")).encode([_reg(2)])
    assert np.array_equal(a, b)


def test_balanced_weight_is_constant() -> None:
    enc = Encoder(K1).encode([_reg(1), _reg(2, "Ab", "Li", None), _reg(3, "", "", None)])
    weights = np.unpackbits(enc, axis=1).sum(axis=1)
    assert enc.shape[1] * 8 == ENCODED_BITS
    assert set(weights.tolist()) == {FILTER_BITS}


def test_different_key_gives_unrelated_encoding() -> None:
    regs = [
        _reg(i, v, a)
        for i, (v, a) in enumerate([("Jan", "Berg"), ("Anna", "Nowak"), ("Ion", "Popescu")])
    ]
    e1, e2 = Encoder(K1).encode(regs), Encoder(K2).encode(regs)
    same_person_other_key = [_dice(e1[i], e2[i]) for i in range(3)]
    other_person_same_key = [_dice(e1[0], e1[1]), _dice(e1[0], e1[2]), _dice(e1[1], e1[2])]
    # Balanced filters of unrelated records agree on about half their ones: Dice ≈ 0.5.
    assert max(abs(d - 0.5) for d in same_person_other_key) < 0.1
    assert min(other_person_same_key) > 0.5


def test_similarity_tracks_typos_and_is_swap_invariant() -> None:
    enc = Encoder(K1).encode([_reg(1), _reg(2, "Jan", "van der Bergh"), _reg(3, "Berg", "Jan"),
                              _reg(4, "Piet", "Jansen", dt.date(1970, 1, 1))])  # fmt: skip
    assert _dice(enc[0], enc[1]) > 0.93
    assert np.array_equal(enc[0], enc[2])  # first/last name swapped
    assert _dice(enc[0], enc[3]) < 0.8


def test_particle_variants_encode_identically() -> None:
    enc = Encoder(K1).encode(
        [_reg(1, a="van der Berg"), _reg(2, a="Berg, van der"), _reg(3, a="vd Berg")]
    )
    assert np.array_equal(enc[0], enc[1]) and np.array_equal(enc[0], enc[2])


def test_fingerprint_identifies_but_does_not_contain_key() -> None:
    assert K1.fingerprint != K2.fingerprint
    assert K1.fingerprint == EncodingKey(b"k1-0123456789abcdef-secret").fingerprint
    assert b"k1" not in K1.fingerprint.encode()


def test_short_key_refused(tmp_path: Path) -> None:
    f = tmp_path / "key"
    f.write_text("short\n")
    with pytest.raises(LinkageInputError, match="te kort") as e:
        EncodingKey.from_file(f)
    assert e.value.file == str(f)


def test_mixing_keys_refused_naming_both_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.enc.csv", tmp_path / "b.enc.csv"
    write_encoded_csv([_reg(1)], K1, a)
    write_encoded_csv([Registration("q", "1", "Jan", "Berg")], K2, b)
    header = a.read_text().splitlines()[0]
    assert header == "bron,registratie_id,sleutel_id,schema,clk"
    assert "Berg" not in a.read_text() and "1990" not in a.read_text()
    with pytest.raises(LinkageInputError, match="andere sleutel") as e:
        read_encoded([a, b])
    assert e.value.file == str(b) and str(a) in str(e.value) and e.value.column == "sleutel_id"


def test_encoded_csv_validation(tmp_path: Path) -> None:
    a = tmp_path / "a.enc.csv"
    write_encoded_csv([_reg(1), _reg(2)], K1, a)
    lines = a.read_text().splitlines()
    bad = tmp_path / "bad.enc.csv"
    bad.write_text("\n".join([lines[0], lines[1], lines[1]]) + "\n")
    with pytest.raises(LinkageInputError, match="dubbele") as e:
        read_encoded([bad])
    assert e.value.row == 3
    bad.write_text(lines[0] + "\n" + lines[1].rsplit(",", 1)[0] + ",AAAA\n")
    with pytest.raises(LinkageInputError, match="ongeldige codering") as e:
        read_encoded([bad])
    assert (e.value.row, e.value.column) == (2, "clk")
    bad.write_text("bron,registratie_id,clk\n")
    with pytest.raises(LinkageInputError, match="ontbrekende kolom"):
        read_encoded([bad])


def test_batch_encoder_matches_the_documented_tokens() -> None:
    """The cached, vectorised path sets exactly the bits of ``tokens()`` hashed one by one."""
    from ketenzicht.domain.linkage.bloom import tokens

    regs = [_reg(1), _reg(2, "Wojciech", "Zieliński", dt.date(1979, 2, 3)),
            _reg(3, "", "", None), Registration("q", "4", "Ana", None, None, "V", None, "1234")]  # fmt: skip
    enc = Encoder(K1)
    got = enc.bits(regs)
    for row, reg in zip(got, regs, strict=True):
        want = np.zeros(FILTER_BITS, dtype=bool)
        for field, token, k in tokens(reg):
            want[enc._positions(field, token, k)] = True
        assert np.array_equal(row, want)
    assert not got[2].any() or got[2].sum() < got[0].sum()  # no names/date: few bits only


def test_constant_municipality_prefix_carries_no_weight() -> None:
    a = Registration("p", "1", "Jan", "Berg", dt.date(1990, 3, 4), None, None, "GM0363")
    b = Registration("p", "2", "Jan", "Berg", dt.date(1990, 3, 4), None, None, "0363")
    enc = Encoder(K1).encode([a, b])
    assert np.array_equal(enc[0], enc[1])


def test_encoding_is_batch_independent() -> None:
    regs = [_reg(i, v) for i, v in enumerate(["Jan", "Anna", "Ion", "Piet"])]
    enc = Encoder(K1)
    whole = enc.encode(regs)
    one_by_one = np.vstack([Encoder(K1).encode([r]) for r in reversed(regs)])[::-1]
    assert np.array_equal(whole, one_by_one)


def _flipped(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A balanced encoding whose unbalanced filter differs from ``base`` in ``n`` bits."""
    b = base.copy()
    b[rng.choice(FILTER_BITS, size=n, replace=False)] ^= True
    return np.packbits(np.concatenate([b, ~b]))


def test_same_partner_needs_stronger_evidence_than_two_partners() -> None:
    """Dice ≈ 0.87: enough for records of two partners, not for two of the same partner."""
    from ketenzicht.domain.linkage import EncodedSet, link_encoded

    rng = np.random.default_rng(5)
    base = rng.random(FILTER_BITS) < 0.35
    # 130 of 1024 bits differ: Dice = 1 - 130/1024 ≈ 0.873, between 0.82 and 0.90
    packed = np.vstack([_flipped(base, 0, rng), _flipped(base, 130, rng)])
    for other, linked in (("q", True), ("p", False)):
        keys = [("p", "1"), (other, "2")]
        clusters = link_encoded(EncodedSet(keys, packed, "fp"))
        assert (clusters[keys[0]] == clusters[keys[1]]) is linked
    keys = [("p", "1"), ("p", "2")]
    assert len(set(link_encoded(EncodedSet(keys, packed, "fp"), same_source_threshold=0.85).values())) == 1


def test_lsh_bucket_pairs_are_all_pairs_sharing_a_bucket() -> None:
    from ketenzicht.domain.linkage import pprl

    rng = np.random.default_rng(1)
    bucket = rng.integers(0, 40, size=300).astype(np.uint64)
    bucket[:3] = 999  # and a bucket of three
    got = set(pprl._pairs_in_buckets(bucket).tolist())
    n = len(bucket)
    want = {i * n + j for i in range(n) for j in range(i + 1, n) if bucket[i] == bucket[j]}
    assert got == want
