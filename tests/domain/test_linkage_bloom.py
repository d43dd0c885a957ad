"""Encoder (scheme fbf-rh-bal-v3): deterministic per key, unrelated across keys, balanced per
field, comparable field by field (names also crosswise); key-mixing refused."""

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
from ketenzicht.domain.linkage.bloom import (
    ENCODED_BYTES,
    OFFSETS,
    SCHEME,
    SEGMENTS,
    permutation,
    tokens,
)

K1 = EncodingKey(b"k1-0123456789abcdef-secret")
K2 = EncodingKey(b"k2-0123456789abcdef-secret")


def _reg(
    i: int, v: str | None = "Jan", a: str | None = "van der Berg", d: dt.date | None = dt.date(1990, 3, 4)
) -> Registration:
    return Registration("p", str(i), v, a, d, "M", "NLD", "GM0363")


def _segment(enc: np.ndarray, name: str) -> np.ndarray:
    a, b = OFFSETS[name]
    return np.unpackbits(enc[..., a:b], axis=-1)


def _distance(x: np.ndarray, y: np.ndarray, name: str, other: str | None = None) -> int:
    """Hamming distance of the unbalanced filters (half that of the balanced segments)."""
    return int((_segment(x, name) != _segment(y, other or name)).sum()) // 2


def test_same_input_same_key_same_encoding() -> None:
    a = Encoder(K1).encode([_reg(1)])
    b = Encoder(EncodingKey(b"k1-0123456789abcdef-secret")).encode([_reg(2)])
    assert np.array_equal(a, b)
    assert a.shape == (1, ENCODED_BYTES) and SCHEME == "fbf-rh-bal-v3"


def test_every_field_is_balanced_and_an_empty_field_is_all_zeros() -> None:
    enc = Encoder(K1).encode([_reg(1), _reg(2, "Ab", "Li", None), Registration("p", "3", None, None, None, None, None, None)])
    for seg in SEGMENTS:
        weights = _segment(enc, seg.name).sum(axis=1)
        assert weights[0] == seg.bits
        assert weights[2] == 0
    assert _segment(enc, "geboortedatum")[1].sum() == 0
    assert _segment(enc, "voornaam")[1].sum() == SEGMENTS[0].bits


def test_different_key_gives_unrelated_encoding() -> None:
    regs = [_reg(i, v, a) for i, (v, a) in enumerate([("Jan", "Berg"), ("Anna", "Nowak"), ("Ion", "Popescu")])]
    e1, e2 = Encoder(K1).encode(regs), Encoder(K2).encode(regs)
    # Balanced filters of unrelated values agree on about half their bits.
    for i in range(3):
        same_person_other_key = _distance(e1[i], e2[i], "achternaam")
        assert 80 < same_person_other_key < 180  # of 256: about half
    assert _distance(e1[0], e1[0], "achternaam") == 0


def test_fields_are_compared_one_by_one_and_names_crosswise() -> None:
    enc = Encoder(K1).encode([
        _reg(1), _reg(2, "Jan", "van der Bergh"), _reg(3, "Berg", "Jan"),
        _reg(4, "Jan", "van der Berg", dt.date(1990, 3, 5)), _reg(5, "Jan", "van der Berg", dt.date(1971, 11, 30)),
    ])  # fmt: skip
    # a typo in the surname: close in that field only
    assert 0 < _distance(enc[0], enc[1], "achternaam") < 40
    assert _distance(enc[0], enc[1], "voornaam") == 0
    # swapped given name and surname: equal crosswise
    assert _distance(enc[0], enc[2], "voornaam", "achternaam") == 0
    assert _distance(enc[0], enc[2], "achternaam", "voornaam") == 0
    # a namesake: names identical, birth date one day off vs. another date altogether
    assert _distance(enc[0], enc[3], "voornaam") == 0 and _distance(enc[0], enc[3], "achternaam") == 0
    assert 0 < _distance(enc[0], enc[3], "geboortedatum") < _distance(enc[0], enc[4], "geboortedatum")


def test_particle_variants_encode_identically() -> None:
    enc = Encoder(K1).encode([_reg(1, a="van der Berg"), _reg(2, a="Berg, van der"), _reg(3, a="vd Berg")])
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


def test_key_file_whitespace_is_ignored(tmp_path: Path) -> None:
    f = tmp_path / "key"
    f.write_bytes(b"  k1-0123456789abcdef-secret\r\n")
    assert EncodingKey.from_file(f).fingerprint == K1.fingerprint


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
    bad.write_text(lines[0] + "\n" + lines[1].replace(SCHEME, "clk-rh-bal-v2") + "\n")
    with pytest.raises(LinkageInputError, match="coderingsschema") as e:
        read_encoded([bad])
    assert e.value.column == "schema"
    bad.write_text("bron,registratie_id,clk\n")
    with pytest.raises(LinkageInputError, match="ontbrekende kolom"):
        read_encoded([bad])


def test_batch_encoder_matches_the_documented_tokens() -> None:
    """The cached, vectorised path sets exactly the bits of ``tokens()`` hashed one by one."""
    regs = [_reg(1), _reg(2, "Wojciech", "Zieliński", dt.date(1979, 2, 3)),
            _reg(3, "", "", None), Registration("q", "4", "Ana", None, None, "V", None, "1234")]  # fmt: skip
    enc = Encoder(K1)
    got = enc.raw_bits(regs)
    for i, reg in enumerate(regs):
        for seg in SEGMENTS:
            want = np.zeros(seg.bits, dtype=bool)
            for token, k in tokens(reg)[seg.name]:
                want[enc.positions(seg.field, token, k, seg.bits)] = True
            assert np.array_equal(got[seg.name][i], want), (i, seg.name)


def test_constant_municipality_prefix_carries_no_weight() -> None:
    a = Registration("p", "1", "Jan", "Berg", dt.date(1990, 3, 4), None, None, "GM0363")
    b = Registration("p", "2", "Jan", "Berg", dt.date(1990, 3, 4), None, None, "0363")
    enc = Encoder(K1).encode([a, b])
    assert np.array_equal(enc[0], enc[1])


def test_encoding_is_batch_independent() -> None:
    regs = [_reg(i, v) for i, v in enumerate(["Jan", "Anna", "Ion", "Piet"])]
    whole = Encoder(K1).encode(regs)
    one_by_one = np.vstack([Encoder(K1).encode([r]) for r in reversed(regs)])[::-1]
    assert np.array_equal(whole, one_by_one)


def test_permutation_is_keyed_and_complete() -> None:
    p1, p2 = permutation(K1, "naam", 512), permutation(K2, "naam", 512)
    assert sorted(p1.tolist()) == list(range(512))
    assert not np.array_equal(p1, p2)
    assert np.array_equal(p1, permutation(EncodingKey(b"k1-0123456789abcdef-secret"), "naam", 512))


def test_lsh_bucket_pairs_are_all_pairs_sharing_a_bucket() -> None:
    from ketenzicht.domain.linkage import pprl

    rng = np.random.default_rng(1)
    bucket = rng.integers(0, 40, size=300).astype(np.uint64)
    bucket[:3] = 999  # and a bucket of three
    got = set(pprl.pairs_in_buckets(bucket).tolist())
    n = len(bucket)
    want = {i * n + j for i in range(n) for j in range(i + 1, n) if bucket[i] == bucket[j]}
    assert got == want
