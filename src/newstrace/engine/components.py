"""Clusters of near copies: connected components of verified pairs, labelled stably.

Articles are nodes named by a stable 64-bit id (:func:`stable_id`: the article's content id
read as a number, never Python's ``hash()``). The verified pairs are gathered and solved
with SciPy's ``connected_components``; a cluster is labelled by its smallest id, and its
representative is its earliest-dated article (undated ones last), then the smallest id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def stable_id(article_id: str) -> int:
    """The 64-bit id of an article: its id (16 hex digits of a SHA-256, see
    :func:`newstrace.model.article_id`) as an unsigned number, so ids sort as numbers
    in the order their hex strings sort."""
    return int(article_id, 16)


@dataclass(frozen=True)
class Cluster:
    """Articles (node numbers, by ascending stable id) joined by verified pairs."""

    label: int  #: the smallest stable id among the members
    representative: int  #: the member node kept when de-duplicating
    members: tuple[int, ...]


def connected_clusters(edges: np.ndarray, ids: np.ndarray, dates: Sequence[str | None]) -> list[Cluster]:
    """The clusters of two or more nodes that ``edges`` (``(m, 2)`` node numbers into
    ``ids`` and ``dates``) connect, ordered by label."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if not len(edges):
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes, local = np.unique(edges, return_inverse=True)
    local = local.reshape(-1, 2)
    graph = coo_matrix((np.ones(len(local), dtype=np.int8), (local[:, 0], local[:, 1])),
                       shape=(len(nodes), len(nodes))).tocsr()
    _, component = connected_components(graph, directed=False)
    order = np.lexsort((ids[nodes], component))  # by component, then by stable id
    starts = np.flatnonzero(np.concatenate([[True], component[order][1:] != component[order][:-1]]))
    clusters = []
    for members in np.split(nodes[order], starts[1:]):
        members = members.tolist()
        representative = min(members, key=lambda node: (dates[node] is None, dates[node] or "", int(ids[node])))
        clusters.append(Cluster(int(ids[members[0]]), representative, tuple(members)))
    return sorted(clusters, key=lambda cluster: cluster.label)
