"""An LSH index over MinHash signatures, held as sorted numpy arrays, built for batches.

Band keys (``bands`` bands of ``rows`` MinHash values) and anchor keys (the bottom-k part
of :class:`~newstrace.match.fingerprint.MinHasher` signatures) are packed with document numbers
into sorted ``uint64`` arrays (:class:`Banding`, :class:`Prepared`, which can be computed on
worker processes); :class:`LSHIndex` finds the candidate pairs of each new batch among
itself and everything indexed before, then adds it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newstrace.match.fingerprint import EMPTY, among, is_empty, mix64, run_bounds, sorted_unique

_U64 = np.uint64


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


_DOC_BITS = 26  #: an index holds up to 2**26 documents; keys keep their top 38 bits
#: Packed layout shared by the band index and the boilerplate index: document number in the
#: low bits (DOC_MASK), key in the high bits (KEY_MASK).
DOC_MASK = _U64((1 << _DOC_BITS) - 1)
KEY_MASK = ~DOC_MASK


#: Signatures (or their count in values) hashed at a time by :class:`Banding`.
HASH_ROWS = 4096


def _hashed(values: np.ndarray) -> np.ndarray:
    """``mix64`` of 32-bit ``values`` (1-d), :data:`HASH_ROWS` * 64 at a time."""
    hashed = np.empty(len(values), dtype=_U64)
    step = HASH_ROWS * 64
    for first in range(0, len(values), step):
        part = hashed[first : first + step]
        part[:] = values[first : first + step]
        mix64(part, in_place=True)
    return hashed


def _pack(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Keys (their top 38 bits) and document numbers (``uint64``) packed into one sorted
    ``uint64`` array, in place of ``keys`` (no temporary the size of the batch): sorting the
    packed values is 3x faster than an argsort, and a key's documents are the values
    between ``key`` and ``key | DOC_MASK``."""
    np.bitwise_and(keys, KEY_MASK, out=keys)
    np.bitwise_or(keys, docs, out=keys)
    keys.sort()
    return keys


@dataclass(frozen=True)
class Prepared:
    """A batch's band and anchor keys, packed and sorted, its documents numbered from 0
    (see :meth:`Banding.prepare`); small enough to send between processes."""

    size: int
    bands: np.ndarray
    anchors: np.ndarray

    def subset(self, rows: Sequence[int]) -> Prepared:
        """Only the documents ``rows`` (ascending), numbered from 0 again."""
        if len(rows) == self.size:
            return self
        number = np.full(self.size, -1, dtype=np.int64)
        number[np.asarray(rows, dtype=np.int64)] = np.arange(len(rows))
        return Prepared(len(rows), _renumber(self.bands, number), _renumber(self.anchors, number))


def _renumber(packed: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Packed keys with each document ``d`` renamed ``number[d]`` (``-1`` drops it); the
    renaming keeps the order, so the result stays sorted."""
    new = number[(packed & DOC_MASK).astype(np.int64)]
    kept = new >= 0
    return (packed[kept] & KEY_MASK) | new[kept].astype(_U64)


@dataclass(frozen=True)
class Banding:
    """How signatures become LSH keys: ``bands`` bands of ``rows`` MinHash values, and
    the last ``anchors`` values of each signature as anchor keys."""

    bands: int = 42
    rows: int = 3
    anchors: int = 64

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """``(n, bands)`` uint64 keys, one per band, distinct across bands; hashed
        :data:`HASH_ROWS` signatures at a time (the temporaries stay in cache: for 100,000
        signatures at once, a fresh process took 1.7 s, in chunks 0.1 s)."""
        needed = self.bands * self.rows + self.anchors
        if signatures.shape[1] < needed:
            raise ValueError(f"{self.bands}x{self.rows} bands and {self.anchors} anchors "
                             f"need {needed} values per signature, got {signatures.shape[1]}")
        keys = np.empty((len(signatures), self.bands), dtype=_U64)
        salts = mix64(np.arange(1, self.bands + 1, dtype=_U64))
        for first in range(0, len(signatures), HASH_ROWS):
            chunk = signatures[first : first + HASH_ROWS]
            values = chunk[:, : self.bands * self.rows].astype(_U64).reshape(len(chunk), self.bands, self.rows)
            combined = np.broadcast_to(salts, values.shape[:2]).copy()
            for row in range(self.rows):
                combined = mix64(combined ^ values[:, :, row])
            keys[first : first + len(chunk)] = combined
        return keys

    def prepare(self, signatures: np.ndarray, *, only_keys_of: Prepared | None = None) -> Prepared:
        """The batch's keys, ready for :meth:`LSHIndex.insert` (can run on a worker). With
        ``only_keys_of``, only the keys that other batch holds too (see :meth:`LSHIndex.add`)."""
        if len(signatures) > int(DOC_MASK):
            raise ValueError(f"an LSH index holds at most {int(DOC_MASK) + 1:,} documents")
        docs = np.arange(len(signatures), dtype=_U64)
        present = ~is_empty(signatures)
        band_keys = self.band_keys(signatures)
        if not present.all():
            band_keys, docs_banded = band_keys[present], docs[present]
        else:
            docs_banded = docs
        band_keys, band_docs = band_keys.reshape(-1), np.repeat(docs_banded, self.bands)
        anchor_values = signatures[:, signatures.shape[1] - self.anchors :]
        real = anchor_values != EMPTY
        anchor_keys, anchor_docs = _hashed(anchor_values[real]), np.repeat(docs, real.sum(axis=1))
        if only_keys_of is not None:
            band_keys, band_docs = _shared_keys(band_keys, band_docs, only_keys_of.bands)
            anchor_keys, anchor_docs = _shared_keys(anchor_keys, anchor_docs, only_keys_of.anchors)
        return Prepared(len(signatures), _pack(band_keys, band_docs), _pack(anchor_keys, anchor_docs))


#: Bits of the bitmap :func:`_shared_keys` tests keys against first (128 KiB, in cache).
_FILTER_BITS = 20


def _shared_keys(keys: np.ndarray, docs: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``keys`` (with their ``docs``) whose key part the packed, sorted keys ``other``
    hold too: a bitmap of ``other``'s top bits rules out almost all the rest at the cost of
    one look-up each, and a binary search settles those it lets through."""
    held = np.unique(other & KEY_MASK)
    if not len(held):
        return keys[:0].copy(), docs[:0].copy()
    bitmap = np.zeros(1 << _FILTER_BITS, dtype=bool)
    bitmap[(held >> _U64(64 - _FILTER_BITS)).astype(np.int64)] = True
    maybe = np.flatnonzero(bitmap[(keys >> _U64(64 - _FILTER_BITS)).astype(np.int64)])
    kept = maybe[among(keys[maybe] & KEY_MASK, held)]
    return keys[kept], docs[kept]


#: Keys whose bitmap bits :meth:`KeyTable._mark` sets at a time.
_MARK_KEYS = 1 << 18


class KeyTable:
    """Packed keys held as sorted segments of decreasing size: a new segment merges
    with the last while it is at least as big (a binary counter), so there are O(log n)
    segments and each key is re-sorted O(log n) times (merging two sorted runs is a
    linear timsort).
    A bitmap of the keys' top bits lets :meth:`pairs` skip the binary searches for almost
    every key the table does not hold. It grows with the table (about ``_BITS_PER_KEY``
    bits a key, so about 6% of lookups pass falsely, from 128 KiB up to 32 MiB at 15
    million keys): a fresh 32 MiB bitmap costs about 30 ms to clear and fault in, more
    than a small collection's whole lookup. A table only read through ``segments`` goes
    without (``bitmap=False``).
    """

    _MIN_BITMAP_BITS = 20
    _MAX_BITMAP_BITS = 28
    _BITS_PER_KEY = 16

    def __init__(self, bitmap: bool = True) -> None:
        self.segments: list[np.ndarray] = []
        self._keys = 0
        self._bitmap_bits = self._MIN_BITMAP_BITS
        self._bitmap = self._empty_bitmap() if bitmap else None

    def _empty_bitmap(self) -> np.ndarray:
        return np.zeros(1 << (self._bitmap_bits - 3), dtype=np.uint8)

    def _slots(self, packed: np.ndarray) -> np.ndarray:
        return (packed >> _U64(64 - self._bitmap_bits)).astype(np.int64)

    def _may_hold(self, packed: np.ndarray) -> np.ndarray:
        if self._bitmap is None:
            return np.ones(len(packed), dtype=bool)
        slots = self._slots(packed)
        return (self._bitmap[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 == 1

    def _mark(self, packed: np.ndarray) -> None:
        """Set the bitmap bits of sorted keys ``packed``, :data:`_MARK_KEYS` at a time (the
        temporaries of a table's 10 million keys at once took a second)."""
        for first in range(0, len(packed), _MARK_KEYS):
            slots = self._slots(packed[first : first + _MARK_KEYS])  # sorted, as the keys are
            cells = slots >> 3
            starts, _ = run_bounds(cells)
            bits = np.left_shift(np.uint8(1), (slots & 7).astype(np.uint8))  # in bytes from the start
            self._bitmap[cells[starts]] |= np.bitwise_or.reduceat(bits, starts)

    def _grow_bitmap(self) -> bool:
        """A larger bitmap when the table outgrew its own (then marked afresh from every
        segment); whether it grew."""
        wanted = min(max(int(self._keys * self._BITS_PER_KEY).bit_length(), self._MIN_BITMAP_BITS),
                     self._MAX_BITMAP_BITS)
        if wanted <= self._bitmap_bits:
            return False
        self._bitmap_bits = wanted
        self._bitmap = self._empty_bitmap()
        for segment in self.segments:
            self._mark(segment)
        return True

    def add(self, packed: np.ndarray) -> None:
        if not len(packed):
            return
        self.segments.append(packed)
        self._keys += len(packed)
        if self._bitmap is not None and not self._grow_bitmap():
            self._mark(packed)
        while len(self.segments) > 1 and len(self.segments[-1]) >= len(self.segments[-2]):
            newer, older = self.segments.pop(), self.segments.pop()
            merged = np.concatenate([older, newer])
            merged.sort(kind="stable")  # in place: np.sort would copy it first (fresh pages)
            self.segments.append(merged)

    def pairs(self, batch: np.ndarray, max_run: int | None = None) -> np.ndarray:
        """Pairs sharing a key: within ``batch`` and between it and the table; keys held
        by more than ``max_run`` documents (in one segment) are skipped."""
        found = [pairs_within(batch, max_run)]
        if self.segments:
            probe = batch[self._may_hold(batch)]
            found += [_pairs_across(segment, probe, max_run) for segment in self.segments]
        return np.concatenate(found)


class LSHIndex:
    """LSH over MinHash signatures, held as sorted numpy arrays (no per-key dicts).

    Two documents are candidates when they agree on a whole band (``bands`` bands of
    ``rows`` values cut from the MinHash part) or share at least ``min_shared_anchors``
    of their anchors (the bottom-k part of :class:`MinHasher` signatures; ``anchors=0``
    turns this off). Anchors find pairs with a shared passage whatever the texts'
    lengths: two texts share about ``anchors * jaccard`` of them, so pairs from Jaccard
    0.1 up are candidates. The bands (by default 42 of 3 rows over 128 values: a pair at
    Jaccard 0.5 is a candidate with probability 0.996, at 0.4 with 0.94) still find
    copies when anchors are skipped for being too common, as in large syndication runs.
    Anchors held by more than ``max_anchor_docs`` documents are common phrases and skipped.
    """

    def __init__(self, bands: int = 42, rows: int = 3, anchors: int = 64,
                 min_shared_anchors: int = 3, max_anchor_docs: int = 50) -> None:
        self.banding = Banding(bands, rows, anchors)
        self.min_shared_anchors = min_shared_anchors
        self.max_anchor_docs = max_anchor_docs
        self.keys: list[str] = []
        self._bands = KeyTable()
        self._anchors = KeyTable()

    @classmethod
    def from_signatures(cls, keys: Sequence[str], signatures: np.ndarray,
                        **options: int) -> LSHIndex:
        """An index rebuilt from stored signatures (``options`` as for the constructor)."""
        index = cls(**options)
        index.add(keys, signatures)
        return index

    def __len__(self) -> int:
        return len(self.keys)

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """``(n, bands)`` uint64 keys, one per band, distinct across bands."""
        return self.banding.band_keys(signatures)

    def add(self, keys: Sequence[str], signatures: np.ndarray | Prepared, *,
            only_keys_of: np.ndarray | None = None) -> None:
        """Index ``signatures`` under ``keys`` (texts without shingles are kept out).

        ``only_keys_of``: the signatures of the one batch the index will then be asked
        about (:meth:`insert`); only the keys that batch holds are kept. Every document
        holding one of them is, so the index finds exactly that batch's pairs, as a whole
        one would, without sorting every key: a store of 100,000 articles read again for
        1,000 new ones. (Keys that come already prepared are kept whole.)"""
        if only_keys_of is not None and not isinstance(signatures, Prepared):
            signatures = self.banding.prepare(signatures, only_keys_of=self.banding.prepare(only_keys_of))
        self._store(keys, self._numbered(signatures))

    def candidates(self, signatures: np.ndarray, keys: Sequence[str]) -> list[tuple[str, str]]:
        """Candidate pairs among the new batch and between it and the index, each once,
        as ``(indexed or earlier key, later key)``. The index is not changed."""
        pairs = self.candidate_indices(signatures)
        names = list(self.keys) + list(keys)
        return [(names[i], names[j]) for i, j in pairs.tolist()]

    def candidate_indices(self, signatures: np.ndarray | Prepared) -> np.ndarray:
        """Like :meth:`candidates` as a sorted ``(m, 2)`` int64 array of positions, where
        the batch's documents are numbered after the indexed ones."""
        prepared = self._numbered(signatures)
        return self._pairs(prepared, total=len(self.keys) + prepared.size)

    def insert(self, keys: Sequence[str], signatures: np.ndarray | Prepared) -> np.ndarray:
        """:meth:`candidate_indices` then :meth:`add`, hashing the bands once.
        ``signatures`` may come already :meth:`Banding.prepare`-d (on a worker)."""
        prepared = self._numbered(signatures)
        pairs = self._pairs(prepared, total=len(self.keys) + prepared.size)
        self._store(keys, prepared)
        return pairs

    def _numbered(self, batch: np.ndarray | Prepared) -> Prepared:
        """The batch prepared, its documents numbered after the indexed ones."""
        prepared = batch if isinstance(batch, Prepared) else self.banding.prepare(batch)
        first = len(self.keys)
        if first + prepared.size > int(DOC_MASK) + 1:
            raise ValueError(f"an LSH index holds at most {int(DOC_MASK) + 1:,} documents")
        if not first:
            return prepared
        return Prepared(prepared.size, prepared.bands + _U64(first), prepared.anchors + _U64(first))

    def _store(self, keys: Sequence[str], prepared: Prepared) -> None:
        if len(keys) != prepared.size:
            raise ValueError(f"{len(keys)} keys for {prepared.size} signatures")
        self.keys.extend(keys)
        self._bands.add(prepared.bands)
        self._anchors.add(prepared.anchors)

    def _pairs(self, prepared: Prepared, total: int) -> np.ndarray:
        banded = _codes(self._bands.pairs(prepared.bands), total)
        anchored, shared = sorted_unique(
            _codes(self._anchors.pairs(prepared.anchors, self.max_anchor_docs), total))
        codes, _ = sorted_unique(
            np.concatenate([banded, anchored[shared >= self.min_shared_anchors]]))
        return np.stack([codes // total, codes % total], axis=1)


def _codes(pairs: np.ndarray, total: int) -> np.ndarray:
    """One int64 per (smaller, larger) pair of document numbers."""
    return pairs[:, 0].astype(np.int64) * total + pairs[:, 1]


def _docs(packed: np.ndarray) -> np.ndarray:
    return (packed & DOC_MASK).astype(np.int64)


def pairs_within(packed: np.ndarray, max_run: int | None) -> np.ndarray:
    """All pairs of documents sharing a key inside one sorted packed array."""
    if len(packed) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    starts, lengths = run_bounds(packed & KEY_MASK)
    keep = (lengths > 1) & (lengths <= (max_run or len(packed)))
    return _expand_runs(_docs(packed), starts[keep], lengths[keep])


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


def _expand_runs(docs: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Every pair inside each run ``docs[start:start+length]``, smaller document first."""
    pairs = [np.zeros((0, 2), dtype=np.int64)]
    for gap in range(1, int(lengths.max(initial=1))):
        longer = lengths > gap
        first = _ranges(starts[longer], lengths[longer] - gap)
        pairs.append(np.stack([docs[first], docs[first + gap]], axis=1))
    found = np.concatenate(pairs)
    found = found[found[:, 0] != found[:, 1]]  # a document repeating a key pairs with no one
    return np.sort(found, axis=1)


def _pairs_across(indexed: np.ndarray, batch: np.ndarray, max_run: int | None) -> np.ndarray:
    """All (indexed doc, batch doc) pairs sharing a key (both packed and sorted)."""
    keys = batch & KEY_MASK
    lo = np.searchsorted(indexed, keys, side="left")
    hi = np.searchsorted(indexed, keys | DOC_MASK, side="right")
    counts = hi - lo
    if max_run:
        counts[counts > max_run] = 0
    old = _docs(indexed[_ranges(lo, counts)])
    return np.stack([old, np.repeat(_docs(batch), counts)], axis=1)


def choose_bands(num_perm: int, jaccard: float = 0.4, recall: float = 0.99) -> tuple[int, int]:
    """The (bands, rows) with the most rows per band that still makes a pair at
    ``jaccard`` a candidate with probability ``recall`` using at most ``num_perm`` values."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = math.ceil(math.log(1 - recall) / math.log(1 - jaccard**rows))
        if bands * rows > num_perm:
            break
        best = (bands, rows)
    return best
