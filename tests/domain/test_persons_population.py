"""Acceptance of issue 15: on a synthetic population of known size, each source capturing
people independently, the estimate's 95 % interval covers the true size and the number of
distinct persons found by the encoded linkage is within 3 % of the people actually seen.

The whole chain as the product runs it: partner rows with names and the usual errors →
encoded in the delivery format (no names past this point) → linked by the Fellegi–Sunter
model on the encodings → persons per source combination → method auto with the linkage
uncertainty resampled in every bootstrap replicate.
"""

from __future__ import annotations

import numpy as np

from ketenzicht.domain import persons
from ketenzicht.domain.linkage import EncodedSet, EncodingKey
from ketenzicht.domain.linkage import synthetic as S
from ketenzicht.domain.linkage.api import linkage_encoded
from ketenzicht.domain.linkage.bloom import from_text
from ketenzicht.domain.linkage.delivery import encode_file, format_csv, parse_csv

TRUE_SIZE = 1500
CAPTURE = {"politie": 0.35, "zorg": 0.3, "gemeente": 0.25, "comensha": 0.2}
KEY = EncodingKey(b"sleutel-voor-de-populatietoets")


def _encoded(rows: list[dict[str, str]]) -> list[np.ndarray]:
    header = ["bron", "registratie_id", *S.IDENTITY_FIELDS]
    text = format_csv([header] + [[r[h] for h in header] for r in rows], ",")
    out = parse_csv(encode_file("p.csv", text.encode(), KEY).decode(), ",", file="p.csv")
    assert out[0][1] == ["bron", "registratie_id", "sleutel_id", "schema", "clk"]
    return [from_text(cells[4]) for _, cells in out[1:]]


def test_interval_covers_the_true_size_and_persons_are_within_3_percent() -> None:
    population = S.population(TRUE_SIZE, seed=2026)
    rows, truth = S.capture(population, CAPTURE, seed=2026)
    keys, packed, source = [], [], []
    for i, (slug, partner_rows) in enumerate(rows.items()):
        packed += _encoded(partner_rows)
        keys += [(slug, r["registratie_id"]) for r in partner_rows]
        source += [i] * len(partner_rows)
    linked = linkage_encoded(EncodedSet(keys, np.vstack(packed), KEY.fingerprint))
    region = persons.LinkedRegion(
        sources=tuple(CAPTURE), source=np.array(source), year=np.full(len(keys), 2025),
        area=np.full(len(keys), -1), person=linked.labels, edges=linked.edges,
    )  # fmt: skip
    found = persons.figures(region, 2025, bootstrap=200, seed=7)
    seen = len(set(truth.values()))
    assert abs(found["uniekePersonen"] - seen) <= 0.03 * seen, (found["uniekePersonen"], seen)
    low, high = found["schatting"]["interval"]
    assert low <= TRUE_SIZE <= high, (found["schatting"], TRUE_SIZE)
    assert found["schatting"]["model"][:4] == list(CAPTURE)  # main effects at least
    assert seen < low  # and the estimate says there are people nobody saw


def test_a_worse_linkage_gives_a_wider_interval() -> None:
    """The same table, once with certain links and once with the same links made uncertain."""
    from ketenzicht.domain.linkage.clustering import Edges

    population = S.population(400, seed=11)
    rows, truth = S.capture(population, {"a": 0.4, "b": 0.35, "c": 0.3}, seed=11)
    keys = [k for k in truth]
    person = np.array([int(truth[k][1:]) for k in keys])
    source = np.array(["abc".index(k[0]) for k in keys])
    pairs = [(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys)) if person[i] == person[j]]
    left, right = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])

    def width(probability: float) -> float:
        edges = Edges(left, right, np.full(len(pairs), probability))
        region = persons.LinkedRegion(("a", "b", "c"), source, np.full(len(keys), 2025), np.full(len(keys), -1), person, edges)
        low, high = persons.figures(region, 2025, bootstrap=100, seed=3)["schatting"]["interval"]
        return high - low

    assert width(0.6) > 1.2 * width(0.999)
