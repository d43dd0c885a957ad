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
