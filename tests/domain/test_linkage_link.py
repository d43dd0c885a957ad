"""Linkage on known small cases embedded in a FEBRL4 sample (which gives EM data to train on)."""

import datetime as dt
from pathlib import Path

import pytest

from ketenzicht.domain.linkage import (
    EncodingKey,
    Registration,
    link_encoded,
    link_records,
    overlap_table,
    read_encoded,
    read_registrations,
    write_encoded_csv,
)

SAMPLE = Path(__file__).parents[1] / "fixtures" / "linkage" / "febrl4_sample.csv"
D = dt.date

# (bron, id, voornaam, achternaam, geboortedatum, gemeente) — pairs that must link …
SAME = [
    (
        ("X", "typo"),
        ("Y", "typo"),
        ("Marieke", "Dijkstra", D(1985, 6, 1)),
        ("Mareike", "Dijkstra", D(1985, 6, 1)),
    ),
    (
        ("X", "swap"),
        ("Y", "swap"),
        ("Wojciech", "Zielinski", D(1979, 2, 3)),
        ("Zieliński", "Wojciech", D(1979, 2, 3)),
    ),
    (
        ("X", "nodob"),
        ("Y", "nodob"),
        ("Ioana", "Munteanu", D(1991, 9, 9)),
        ("Ioana", "Munteanu", None),
    ),
    (
        ("X", "part"),
        ("Y", "part"),
        ("Hendrik", "van der Heijden", D(1966, 4, 5)),
        ("Hendrik", "Heijden, van der", D(1966, 4, 5)),
    ),
    (
        ("X", "vd"),
        ("Z", "vd"),
        ("Hendrik", "van der Heijden", D(1966, 4, 5)),
        ("Hendrik", "vd Heijden", D(1966, 4, 5)),
    ),
]
# … and different people with a common name but other birth dates: must not link.
# A common name is common in the data: six John Smiths, each with another birth date.
_SMITH_DOBS = [
    D(1950, 1, 1),
    D(1988, 7, 23),
    D(1962, 11, 30),
    D(1975, 3, 14),
    D(1999, 5, 5),
    D(1943, 8, 19),
]
DIFFERENT = [
    (
        ("XYZ"[i % 3], f"smith{i}"),
        ("XYZ"[(i + 1) % 3], f"smith{i + 1}"),
        ("John", "Smith", _SMITH_DOBS[i]),
        ("John", "Smith", _SMITH_DOBS[i + 1]),
    )
    for i in range(len(_SMITH_DOBS) - 1)
]


def _records() -> list[Registration]:
    recs = read_registrations([SAMPLE])
    for k1, k2, p1, p2 in SAME + DIFFERENT:
        for (bron, rid), (v, a, d) in ((k1, p1), (k2, p2)):
            if (bron, rid) in {r.key for r in recs}:
                continue
            recs.append(Registration(bron, rid, v, a, d, None, None, str(3000 + len(recs) % 7)))
    return recs


def _f1(clusters: dict[tuple[str, str], str]) -> float:
    """Pairwise F1 on the FEBRL part: truth is the N in rec-N-org / rec-N-dup-0."""
    febrl = {k: v for k, v in clusters.items() if k[0] in ("A", "B")}
    truth = {k: k[1].split("-")[1] for k in febrl}
    pred_pairs = {(a, b) for a in febrl for b in febrl if a < b and febrl[a] == febrl[b]}
    true_pairs = {(a, b) for a in truth for b in truth if a < b and truth[a] == truth[b]}
    tp = len(pred_pairs & true_pairs)
    return 2 * tp / (len(pred_pairs) + len(true_pairs))


@pytest.fixture(scope="module")
def plain() -> dict[tuple[str, str], str]:
    return link_records(_records())


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    tmp = tmp_path_factory.mktemp("enc")
    key = EncodingKey(b"test-key-0123456789abcdef")
    recs = _records()
    files = []
    for bron in sorted({r.bron for r in recs}):
        f = tmp / f"{bron}.enc.csv"
        write_encoded_csv([r for r in recs if r.bron == bron], key, f)
        files.append(f)
    return link_encoded(read_encoded(files))


@pytest.mark.parametrize("case", SAME, ids=[c[0][1] for c in SAME])
def test_plain_links_known_variants(plain: dict, case: tuple) -> None:
    assert plain[case[0]] == plain[case[1]]


@pytest.mark.parametrize("case", DIFFERENT, ids=[c[0][1] for c in DIFFERENT])
def test_plain_keeps_namesakes_apart(plain: dict, case: tuple) -> None:
    assert plain[case[0]] != plain[case[1]]


def test_plain_f1_on_febrl_sample(plain: dict) -> None:
    assert _f1(plain) >= 0.95


def test_person_ids_stable_and_non_identifying(plain: dict) -> None:
    ids = sorted(set(plain.values()))
    assert ids[0] == "P000001"
    assert all(len(i) == 7 and i[0] == "P" and i[1:].isdigit() for i in ids)
    assert plain[("A", sorted(k[1] for k in plain if k[0] == "A")[0])] == "P000001"


@pytest.mark.parametrize("case", SAME, ids=[c[0][1] for c in SAME])
def test_encoded_links_known_variants(encoded: dict, case: tuple) -> None:
    assert encoded[case[0]] == encoded[case[1]]


@pytest.mark.parametrize("case", DIFFERENT, ids=[c[0][1] for c in DIFFERENT])
def test_encoded_keeps_namesakes_apart(encoded: dict, case: tuple) -> None:
    assert encoded[case[0]] != encoded[case[1]]


def test_encoded_f1_on_febrl_sample(encoded: dict) -> None:
    assert _f1(encoded) >= 0.93


def test_overlap_table_capture_histories() -> None:
    clusters = {("a", "1"): "P1", ("b", "7"): "P1", ("a", "2"): "P2", ("a", "3"): "P2",
                ("c", "1"): "P3", ("b", "1"): "P4", ("c", "2"): "P4", ("a", "9"): "P5"}  # fmt: skip
    rows = overlap_table(clusters, ["a", "b", "c"])
    as_dict = {(r["a"], r["b"], r["c"]): r["count"] for r in rows}
    assert as_dict == {(1, 1, 0): 1, (1, 0, 0): 2, (0, 0, 1): 1, (0, 1, 1): 1}
    assert list(rows[0]) == ["a", "b", "c", "count"]
    assert sum(as_dict.values()) == len(set(clusters.values()))
    # a source left out: persons only it saw disappear, the others keep their 0/1 pattern
    rows_ab = overlap_table(clusters, ["a", "b"])
    assert sum(r["count"] for r in rows_ab) == 4
