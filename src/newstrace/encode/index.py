"""Nearest neighbours by cosine similarity: an approximate index (usearch HNSW), a search
over such graphs built side by side (:func:`approximate_neighbours`) and an exact search
(:func:`exact_neighbours`, matrix products in blocks of queries).

Used to find candidate pairs that share no wording, such as spun rewrites, whose
document or sentence vectors are still close.

>>> import numpy as np
>>> index = VectorIndex(ndim=3)
>>> index.add([10, 11], np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
>>> keys, sims = index.search(np.array([[0.9, 0.1, 0]], dtype=np.float32), k=1)
>>> int(keys[0, 0]), round(float(sims[0, 0]), 2)
(10, 0.99)
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, Sequence

import numpy as np

# Deliberately first: newstrace.encode.runtime loads onnxruntime, which must be loaded before usearch
# (see newstrace.encode.runtime.check_load_order). This is the only module that imports usearch.
from newstrace.encode.runtime import DIM
from usearch.index import BatchMatches, Index

from newstrace.engine.parallel import available_cores

__all__ = ["BatchMatches", "DIM", "GRAPH_SHARDS", "Index", "NO_KEY", "VectorIndex", "approximate_neighbours", "graph_dtype",
           "exact_neighbours", "top_columns"]

#: Key returned in the padding of a result row that has fewer than ``k`` neighbours.
NO_KEY = -1
#: Similarities held at once by :func:`exact_neighbours` (queries x vectors per block: 16 MB,
#: and 32 MB of positions while the best are picked out).
EXACT_BLOCK_CELLS = 4_000_000
#: Vectors a block of :func:`exact_neighbours` from a floor scores at most: a few queries
#: against every vector would read all the vectors again for each block.
EXACT_TILE_VECTORS = 8192


def exact_neighbours(queries: np.ndarray, vectors: np.ndarray, k: int = 10, *,
                     floor: float | None = None, in_place: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` most similar to each query row (cosine), best first
    (equal similarities: the lower row first), as :meth:`VectorIndex.search` returns them
    (rows padded with :data:`NO_KEY` and ``-inf``); keys are row numbers. The similarities
    are computed for blocks of queries at a time (at most :data:`EXACT_BLOCK_CELLS`). With
    a ``floor``, only rows at least that similar are wanted: the best are then picked among
    those alone (a few a query), not out of every similarity (``argpartition`` over them all
    took half of a search of 1,000 queries among 100,000 vectors). With ``in_place``,
    ``vectors`` (the caller's own, float32) is scaled to unit length where it lies: no
    second copy of them all (:func:`unit_rows`)."""
    queries, vectors = unit_rows(queries), unit_rows(vectors, in_place=in_place)
    keys = np.full((len(queries), k), NO_KEY, dtype=np.int64)
    sims = np.full((len(queries), k), -np.inf, dtype=np.float32)
    found = min(k, len(vectors))
    if not found or not len(queries):
        return keys, sims
    if floor is not None:
        _best_above(queries, vectors, floor, keys, sims)
        return keys, sims
    step = max(1, EXACT_BLOCK_CELLS // len(vectors))
    for start in range(0, len(queries), step):
        block = queries[start : start + step] @ vectors.T
        top = top_columns(block, found)
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)
        keys[start : start + step, :found] = np.take_along_axis(top, order, axis=1)
        sims[start : start + step, :found] = np.take_along_axis(top_sims, order, axis=1)
    return keys, sims


def _best_above(queries: np.ndarray, vectors: np.ndarray, floor: float, keys: np.ndarray,
                sims: np.ndarray) -> None:
    """Into ``keys`` and ``sims`` (one row per query, already padded): each query's best
    rows of ``vectors`` from ``floor`` up, best first, ties by row. Scored in tiles of up to
    :data:`EXACT_TILE_VECTORS` vectors against as many queries as :data:`EXACT_BLOCK_CELLS`
    allows, each tile read once per block of queries (1,000 queries among 100,000 vectors in
    blocks of 39 whole rows read every vector 26 times: 0.60 s of products, tiled 0.30 s); a
    block's best so far meet each tile's hits, so no more than a tile's hits are held."""
    count = keys.shape[1]
    tiles = -(-len(vectors) // EXACT_TILE_VECTORS)
    width = -(-len(vectors) // tiles)  # tiles of even widths
    step = max(1, EXACT_BLOCK_CELLS // width)
    for start in range(0, len(queries), step):
        part = queries[start : start + step]
        best = (np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, np.float32))
        for first in range(0, len(vectors), width):
            block = part @ vectors[first : first + width].T
            hits = np.flatnonzero(block >= floor)
            rows, columns = np.divmod(hits, block.shape[1])
            best = _best_of(np.concatenate([best[0], rows]), np.concatenate([best[1], columns + first]),
                            np.concatenate([best[2], block.ravel()[hits]]), count)
        rows, columns, values = best
        rank = _ranks(rows)
        keys[start + rows, rank] = columns
        sims[start + rows, rank] = values


def _best_of(rows: np.ndarray, columns: np.ndarray, values: np.ndarray,
             count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``count`` best ``columns`` of each of ``rows`` by ``values`` (ties: the lower
    column), ordered by row, then best first."""
    order = np.lexsort((columns, -values, rows))
    rows, columns, values = rows[order], columns[order], values[order]
    kept = _ranks(rows) < count
    return rows[kept], columns[kept], values[kept]


def _ranks(rows: np.ndarray) -> np.ndarray:
    """Each entry's place among those of its row (``rows`` sorted)."""
    return np.arange(len(rows)) - np.searchsorted(rows, rows)


#: How many graphs :func:`approximate_neighbours` splits the vectors into: a fixed number, so
#: that the same input gives the same graphs (each built on one thread) on any machine.
GRAPH_SHARDS = 2
#: Queries :func:`approximate_neighbours` rescores at a time (their found rows gathered: 38 MB).
RESCORE_ROWS = 2048


@functools.cache
def graph_dtype() -> Literal["bf16", "f16"]:
    """How :func:`approximate_neighbours` holds its graphs' vectors: bfloat16 where usearch
    has vector kernels for it on this CPU, else IEEE half floats. On a 2-core AMD EPYC
    (Zen 4, AVX-512 BF16: usearch's ``genoa`` kernels against ``skylake`` for f16), the
    100,000 lead vectors of ``corpus_100k`` in one process, twice each: 28.5 / 31.4 s
    (55.3 / 61.1 CPU-s) against 40.9 / 43.4 s (77.8 / 83.4), with as many of the pairs
    from 0.55 among each lead's 8 nearest found (0.889 against 0.888, rescored)."""
    try:
        probe = Index(ndim=DIM, metric="ip", dtype="bf16")
    except (KeyError, ValueError):  # a usearch without bfloat16
        return "f16"
    return "bf16" if getattr(probe, "hardware_acceleration", "serial") != "serial" else "f16"


def approximate_neighbours(queries: np.ndarray, vectors: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`exact_neighbours` returns, found in :data:`GRAPH_SHARDS` HNSW graphs over
    consecutive parts of ``vectors``, built at once on the cores and each searched for the
    ``k`` best: the best ``k`` of all by their exact similarities (:func:`rescored`; ties to
    the lower row). Building a graph costs far more than searching it, and each is built on
    one thread: for the 100,000 lead vectors of ``corpus_100k`` (static encoder, every one a
    query) two graphs took 45.8 s where one took 66.0 s (2 cores), and found more of the
    exact neighbours from 0.55 (0.877 against 0.838)."""
    parts = np.array_split(np.arange(len(vectors)), max(min(GRAPH_SHARDS, len(vectors)), 1))
    graphs = [VectorIndex(ndim=vectors.shape[1], dtype=graph_dtype()) for _ in parts]
    with ThreadPoolExecutor(max(min(len(parts), available_cores()), 1)) as pool:
        list(pool.map(lambda graph, rows: graph.add(rows, vectors[rows]), graphs, parts))  # usearch frees the GIL
    scaled = unit_rows(queries)  # once for every graph (100,000 leads: 0.7 s, mostly fresh memory)
    found = np.concatenate([graph.search(scaled, k, unit=True)[0] for graph in graphs], axis=1)
    del scaled  # freed before the rescoring
    return rescored(queries, vectors, found, k)


def rescored(queries: np.ndarray, vectors: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Of the rows of ``vectors`` each query found (``keys``, padded with :data:`NO_KEY`), the
    ``k`` most similar by cosine computed in 32-bit floats (a graph's 16-bit estimates are off
    by up to 0.002 for bfloat16), best first, ties to the lower row; padded as
    :func:`exact_neighbours` pads. The found rows are gathered :data:`RESCORE_ROWS` queries at
    a time: no scaled copy of ``vectors``."""
    query_norms, norms = row_norms(queries), row_norms(vectors)
    sims = np.full(keys.shape, -np.inf, dtype=np.float32)
    for start in range(0, len(keys), RESCORE_ROWS):
        block = keys[start : start + RESCORE_ROWS]
        padding = block == NO_KEY
        rows = np.where(padding, 0, block)
        values = np.einsum("qd,qkd->qk", np.asarray(queries[start : start + RESCORE_ROWS], dtype=np.float32),
                           np.asarray(vectors[rows], dtype=np.float32))
        values /= query_norms[start : start + RESCORE_ROWS, None] * norms[rows]
        sims[start : start + RESCORE_ROWS] = np.where(padding, -np.inf, values)
    best = np.lexsort((keys, -sims), axis=1)[:, :k]
    keys, sims = np.take_along_axis(keys, best, axis=1), np.take_along_axis(sims, best, axis=1)
    if keys.shape[1] < k:
        keys = np.pad(keys, ((0, 0), (0, k - keys.shape[1])), constant_values=NO_KEY)
        sims = np.pad(sims, ((0, 0), (0, k - sims.shape[1])), constant_values=-np.inf)
    return keys, sims


def top_columns(scores: np.ndarray, count: int) -> np.ndarray:
    """Per row of ``scores``, the columns of its ``count`` highest values, in no order: the
    set ``np.argpartition(scores, m - count, axis=1)[:, m - count:]`` gives for ``m``
    columns, the same unless values tie at the cut.

    Each row's columns are dealt into blocks of ``w`` (column ``c`` to block ``c mod b``);
    the ``count`` blocks with the highest maxima hold every value above the ``count``-th
    highest maximum, and so all of the row's ``count`` highest. Partitioning the ``b``
    block maxima and then those blocks' ``count * w`` values is two small partitions
    instead of one over every column: 1.1 against 8.1 ms for 256 rows of 4,096 columns and
    ``count`` 16, where ``w`` near ``sqrt(m / count)`` balances the two."""
    rows, columns = scores.shape
    if count <= 0:
        return np.empty((rows, 0), dtype=np.intp)
    if count >= columns:
        return np.broadcast_to(np.arange(columns), (rows, columns)).copy()
    width = int(round((columns / count) ** 0.5))
    blocks = columns // width
    if width < 2 or blocks < count:
        return np.argpartition(scores, columns - count, axis=1)[:, columns - count :]
    dealt = blocks * width
    maxima = scores[:, :dealt].reshape(rows, width, blocks).max(axis=1)
    best_blocks = np.argpartition(maxima, blocks - count, axis=1)[:, blocks - count :]
    candidates = (best_blocks[:, :, None] + np.arange(0, dealt, blocks)).reshape(rows, count * width)
    if dealt < columns:  # the columns left over from whole blocks are candidates too
        candidates = np.concatenate(
            [candidates, np.broadcast_to(np.arange(dealt, columns), (rows, columns - dealt))], axis=1)
    values = np.take_along_axis(scores, candidates, axis=1)
    kept = candidates.shape[1] - count
    return np.take_along_axis(candidates, np.argpartition(values, kept, axis=1)[:, kept:], axis=1)


def row_norms(rows: np.ndarray) -> np.ndarray:
    """The length of each row of ``rows`` (float32, at least 1e-12), as
    ``np.linalg.norm(rows, axis=1)`` computes it, with the squares of :data:`UNIT_ROWS` rows
    at a time in one reused block: fresh memory costs more than the arithmetic (the squares
    of 100,000 leads at once, a temporary of 100 MB, took half a second)."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.empty(len(rows), dtype=np.float32)
    squares = np.empty((min(UNIT_ROWS, len(rows)), *rows.shape[1:]), dtype=np.float32)
    for first in range(0, len(rows), UNIT_ROWS):
        part = rows[first : first + UNIT_ROWS]
        count = len(part)
        np.multiply(part, part, out=squares[:count])
        np.add.reduce(squares[:count], axis=1, out=norms[first : first + count])
    np.sqrt(norms, out=norms)
    return np.maximum(norms, np.float32(1e-12), out=norms)


def unit_rows(rows: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """``rows`` scaled to unit length (float32), as ``rows / np.linalg.norm(rows, axis=1)``
    computes them (the same values; :func:`row_norms`). With ``in_place``, a float32
    ``rows`` that is the caller's own to change is scaled where it lies. One vector (1-d) is
    scaled as a row of one."""
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        return unit_rows(rows[None], in_place=in_place)[0]
    unit = rows if in_place and rows.flags.writeable and rows.flags.c_contiguous else np.empty_like(rows)
    return np.divide(rows, row_norms(rows)[:, None], out=unit)


#: Rows :func:`row_norms` squares at a time.
UNIT_ROWS = 4096


class VectorIndex:
    """Cosine-similarity index keyed by non-negative integers: an inner-product graph over
    the rows scaled to unit length, held as 16-bit floats (``dtype="f16"``, the default;
    similarities within about 0.001 of the exact ones). At 30,000 lead vectors of
    ``benchmarks/data/corpus_100k.jsonl`` (static encoder) it is built and searched in half the
    time of a 32-bit cosine graph and finds as many of the exact neighbours (0.947 against
    0.946 of those from 0.55); ``dtype="i8"`` is smaller still but finds fewer (0.878).
    """

    def __init__(self, ndim: int = DIM, *, dtype: Literal["f32", "f16", "bf16", "i8"] = "f16") -> None:
        self.ndim = ndim
        self.dtype = dtype
        self._index = Index(ndim=ndim, metric="ip", dtype=dtype)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: int) -> bool:
        return key in self._index

    def add(self, keys: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add one vector per key (a key added twice replaces nothing: use fresh keys). Added
        on one thread: a graph built by several threads depends on their timing, and so would
        the neighbours found in it (the same input must give the same report)."""
        keys = np.asarray(keys, dtype=np.uint64)
        vectors = unit_rows(np.reshape(vectors, (len(keys), self.ndim)))
        if len(keys):
            self._index.add(keys, vectors, threads=1)

    def search(self, vectors: np.ndarray, k: int = 10, *, unit: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest keys of each query row and their cosine similarities (``unit``:
        the rows are :func:`unit_rows` already, as when several graphs are searched).

        Returns ``(keys, sims)``, both of shape ``(n_queries, k)``, best first; rows with
        fewer than ``k`` neighbours are padded with key ``NO_KEY`` and similarity ``-inf``.
        """
        queries = np.reshape(vectors, (-1, self.ndim))
        if not unit:
            queries = unit_rows(queries)
        keys = np.full((len(queries), k), NO_KEY, dtype=np.int64)
        sims = np.full((len(queries), k), -np.inf, dtype=np.float32)
        if not len(self._index) or not len(queries) or k < 1:
            return keys, sims
        matches = self._index.search(queries, k)
        if len(queries) == 1:  # usearch answers a single query with unpadded 1-d arrays
            found = len(matches.keys)
            keys[0, :found] = matches.keys
            sims[0, :found] = 1.0 - matches.distances
            return keys, sims
        found = np.arange(k)[None, :] < matches.counts[:, None]
        keys[found] = matches.keys[found].astype(np.int64)
        sims[found] = 1.0 - matches.distances[found]
        return keys, sims

    def to_bytes(self) -> bytes:
        """The index serialised (restore with :meth:`from_bytes`)."""
        return bytes(self._index.save())

    @classmethod
    def from_bytes(cls, data: bytes, *, ndim: int = DIM, dtype: Literal["f32", "f16", "bf16", "i8"] = "f16") -> VectorIndex:
        index = cls(ndim, dtype=dtype)
        if data:
            index._index.load(bytearray(data))
        return index
