"""From scored pairs to persons: connected components and stable, non-identifying ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass
class Edges:
    """Accepted pairs of record positions (``left[i]`` – ``right[i]``) with their score."""

    left: np.ndarray
    right: np.ndarray
    score: np.ndarray

    @classmethod
    def empty(cls) -> Edges:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.copy(), np.zeros(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.left)

    def above(self, threshold: float) -> Edges:
        keep = self.score >= threshold
        return Edges(self.left[keep], self.right[keep], self.score[keep])


def components(n: int, edges: Edges) -> np.ndarray:
    """Label of the connected component of each of ``n`` records."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (edges.left, edges.right)), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def person_ids(keys: Sequence[tuple[str, str]], labels: np.ndarray) -> dict[tuple[str, str], str]:
    """Number clusters P000001, P000002 … in the order of their smallest (bron, registratie_id).

    The id depends only on the clustering and the sort order of keys, never on names, so it
    is stable for the same input and reveals nothing about the person.
    """
    n = len(keys)
    if n == 0:
        return {}
    order = sorted(range(n), key=keys.__getitem__)
    number: dict[int, int] = {}
    for i in order:
        lab = int(labels[i])
        if lab not in number:
            number[lab] = len(number) + 1
    width = max(6, len(str(len(number))))
    return {keys[i]: f"P{number[int(labels[i])]:0{width}d}" for i in range(n)}


def mutual_best_links(edges: Edges, source: np.ndarray) -> Edges:
    """Keep a pair only if each record is the other's best match within the other's source.

    This stops chaining through look-alikes: a record links to at most one record of every
    partner (its own partner included, for a person registered twice there), so a cluster
    cannot grow along a path of ever-less-similar records.  Ties keep all tied pairs.
    """
    if len(edges) == 0:
        return edges
    # Best score per (record, source of the other record), over both sides of every pair.
    n_sources = int(source.max()) + 1
    src_l, src_r = source[edges.left], source[edges.right]
    key_l = edges.left * n_sources + src_r  # the left record's best match in the right's source
    key_r = edges.right * n_sources + src_l
    keys, slot = np.unique(np.concatenate([key_l, key_r]), return_inverse=True)
    best = np.full(len(keys), -np.inf)
    np.maximum.at(best, slot, np.concatenate([edges.score, edges.score]))
    m = len(edges)
    keep = (edges.score >= best[slot[:m]]) & (edges.score >= best[slot[m:]])
    return Edges(edges.left[keep].astype(np.int64), edges.right[keep].astype(np.int64), edges.score[keep].astype(np.float64))
