"""Capture histories from linked records, and from links resampled by their match probability.

Multiple-systems estimation counts persons per combination of sources. Those persons come
from linkage, which makes mistakes: a link with match probability 0.7 is wrong three times in
ten. ``LinkedRecords.sample`` draws one plausible linkage — every scored link is present with
its probability, then the same decision rule as the point linkage (mutual best links,
connected components) — so that a bootstrap that resamples the linkage in every replicate
carries the linkage errors into the interval: the worse the linkage, the wider.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ketenzicht.domain.mse import CaptureTable

from .clustering import Edges, components, mutual_best_links


@dataclass(frozen=True)
class LinkedRecords:
    """Records of one population (e.g. a region-year) with their scored candidate links.

    ``source``: list number of every record (index into ``lists``); ``labels``: the person of
    every record in the point linkage; ``edges``: candidate links between these records
    (positions) with their match probability.
    """

    lists: tuple[str, ...]
    source: np.ndarray
    labels: np.ndarray
    edges: Edges

    def table(self, labels: np.ndarray | None = None) -> CaptureTable:
        """Persons per capture history (which lists registered them)."""
        return capture_table(self.lists, self.source, self.labels if labels is None else labels)

    def sample(self, rng: np.random.Generator) -> CaptureTable:
        """One linkage drawn from the match probabilities, with the point decision rule."""
        keep = rng.random(len(self.edges)) < self.edges.score
        drawn = Edges(self.edges.left[keep], self.edges.right[keep], self.edges.score[keep])
        drawn = mutual_best_links(drawn, self.source)
        return self.table(components(len(self.source), drawn))


def capture_table(lists: tuple[str, ...], source: np.ndarray, labels: np.ndarray) -> CaptureTable:
    """Count persons (labels) per set of lists that registered them."""
    if len(labels) == 0:
        return CaptureTable(lists, (), ())
    _, person = np.unique(labels, return_inverse=True)
    bits = np.zeros(person.max() + 1, dtype=np.int64)
    np.bitwise_or.at(bits, person, np.left_shift(1, source.astype(np.int64)))
    patterns, counts = np.unique(bits, return_counts=True)
    histories = tuple(tuple(int(p >> i & 1) for i in range(len(lists))) for p in patterns.tolist())
    return CaptureTable(lists, histories, tuple(int(c) for c in counts))


def subset(records: LinkedRecords, mask: np.ndarray) -> LinkedRecords:
    """The records selected by ``mask`` with the links among them (positions renumbered)."""
    index = np.full(len(mask), -1, dtype=np.int64)
    index[mask] = np.arange(int(mask.sum()))
    e = records.edges
    inside = mask[e.left] & mask[e.right]
    edges = Edges(index[e.left[inside]], index[e.right[inside]], e.score[inside])
    return LinkedRecords(records.lists, records.source[mask], records.labels[mask], edges)
