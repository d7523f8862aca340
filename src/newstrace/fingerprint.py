"""MinHash fingerprints of word 5-shingles and an LSH index over them, built for batches.

Tokens are runs of letters and digits, lower-cased (punctuation is dropped). Every token
is hashed with a stable position-weighted 64-bit hash computed for a whole batch at once in
numpy, shingles are rolling combinations of ``ngram`` token hashes, and the MinHash is
*one-permutation hashing with optimal densification* (Shrivastava, ICML 2017): each
shingle hash is dropped into one of ``num_perm`` bins and each bin keeps its minimum;
empty bins borrow from a bin picked by a fixed hash sequence. Its collision probability
per slot is the Jaccard similarity, like ``num_perm`` independent permutations, for one
hash per shingle instead of ``num_perm``.

Each signature row also carries ``anchors`` bottom-k values (the text's smallest shingle
hashes), which :class:`LSHIndex` uses to find shared passages between texts of very
different lengths (containment), where Jaccard is low. Signatures are ``uint32`` arrays
of shape ``(n, num_perm + anchors)``; ``signatures[i].tobytes()`` stores one and
``np.frombuffer(blob, np.uint32)`` reads it back.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

_U64 = np.uint64
_EMPTY = np.uint32(0xFFFFFFFF)
_SHINGLE_MUL = _U64(0x9E3779B97F4A7C15)


def _mix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, element-wise on a ``uint64`` array (wraps modulo 2**64)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _character_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every code point of the Basic Multilingual Plane: is it a letter or digit, and
    its lower-case form."""
    chars = [chr(code) for code in range(0x10000)]
    word = np.fromiter((c.isalnum() for c in chars), dtype=bool, count=0x10000)
    lower = np.fromiter((ord(c.lower()[0]) if c.lower() else ord(c) for c in chars),
                        dtype=np.uint32, count=0x10000)
    return word, lower


_WORD, _LOWER = _character_tables()
# One odd multiplier per character position inside a token (the last serves long tails).
_POSITION_MUL = _mix64(np.arange(1, 65, dtype=_U64)) | _U64(1)


@dataclass
class Tokens:
    """The word tokens of a batch of texts. Text i owns tokens ``offsets[i]:offsets[i+1]``;
    ``starts``/``ends`` are character offsets into that text; ``hashes`` are stable 64-bit
    hashes of the lower-cased tokens."""

    hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    offsets: np.ndarray

    def of(self, i: int) -> slice:
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))


def sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how often each occurs (a sort, where
    ``np.unique`` hashes first, which is slower on mostly distinct integers)."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])[: len(ordered)])
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def tokenize(texts: Sequence[str]) -> Tokens:
    """Tokenise and hash a batch of texts in one vectorised pass.

    A token is a maximal run of letters and digits (``str.isalnum``), compared
    case-insensitively; everything else, apostrophes included, separates tokens.
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_starts = np.concatenate([[0], np.cumsum(lengths + 1)])[:-1]
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32)
    astral = len(codes) and codes.max() > 0xFFFF
    if astral:  # letters beyond the BMP are rare: treat them all as word characters
        word = np.where(codes > 0xFFFF, True, _WORD[np.minimum(codes, 0xFFFF)])
    else:
        word = _WORD[codes]
    padded = np.concatenate([[False], word, [False]])
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = changes[::2], changes[1::2]
    token_lengths = ends - starts
    first_char = np.cumsum(token_lengths) - token_lengths
    chars = codes[word]
    position = np.arange(len(chars)) - np.repeat(first_char, token_lengths)
    lowered = _LOWER[np.minimum(chars, 0xFFFF)] if astral else _LOWER[chars]
    if astral:
        lowered = np.where(chars > 0xFFFF, chars, lowered)
    weighted = lowered.astype(_U64) * _POSITION_MUL[np.minimum(position, 63)]
    sums = np.add.reduceat(weighted, first_char) if len(starts) else np.zeros(0, dtype=_U64)
    hashes = _mix64(sums + token_lengths.astype(_U64))
    text_of_token = np.searchsorted(text_starts, starts, side="right") - 1
    offsets = np.searchsorted(text_of_token, np.arange(len(texts) + 1), side="left")
    base = text_starts[text_of_token]
    return Tokens(hashes=hashes, starts=starts - base, ends=ends - base, offsets=offsets)


def shingle_hashes(token_hashes: np.ndarray, ngram: int = 5) -> np.ndarray:
    """Hashes of the ``ngram``-token windows of one token sequence (empty if too short)."""
    count = len(token_hashes) - ngram + 1
    if count <= 0:
        return np.zeros(0, dtype=_U64)
    combined = token_hashes[:count].copy()
    for offset in range(1, ngram):
        combined = combined * _SHINGLE_MUL + token_hashes[offset : offset + count]
    return _mix64(combined)


@dataclass
class ShingleBatch:
    """The shingle hashes of many texts: ``hashes[offsets[i]:offsets[i+1]]`` are text i's."""

    hashes: np.ndarray
    offsets: np.ndarray

    def of(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


def shingle_batch(texts: Sequence[str], ngram: int = 5) -> ShingleBatch:
    """Word ``ngram``-shingle hashes of every text, computed together."""
    tokens = tokenize(texts)
    windows = shingle_hashes(tokens.hashes, ngram)
    # The window starting at token t belongs to its text iff it ends inside that text.
    text_ends = np.repeat(tokens.offsets[1:], np.diff(tokens.offsets))[: len(windows)]
    inside = np.arange(len(windows)) + ngram <= text_ends
    counts = np.maximum(np.diff(tokens.offsets) - ngram + 1, 0)
    return ShingleBatch(hashes=windows[inside], offsets=np.concatenate([[0], np.cumsum(counts)]))


@dataclass(eq=False)
class MinHasher:
    """MinHash signatures (one-permutation hashing, optimally densified) of word shingles.

    Each signature row holds ``num_perm`` MinHash values followed by ``anchors`` anchor
    values: the text's smallest distinct shingle hashes (a bottom-k sample, in ascending
    order, padded with ``0xFFFFFFFF``). Texts sharing a passage share anchors whatever
    their lengths, which catches partial reuse that a low Jaccard hides from the bands.
    """

    num_perm: int = 256
    ngram: int = 5
    seed: int = 1
    anchors: int = 64
    _borrow: np.ndarray = field(init=False, repr=False)
    _salt: np.uint64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        # Row t: the bin each bin borrows from at densification attempt t.
        self._borrow = rng.integers(0, self.num_perm, size=(64, self.num_perm), dtype=np.int32)
        self._salt = _U64(rng.integers(1, 2**63))

    def signatures(self, texts: Sequence[str], *, workers: int = 1,
                   batch_size: int = 256) -> np.ndarray:
        """``(len(texts), num_perm + anchors)`` uint32 signatures, hashed ``batch_size`` texts at a
        time, on ``workers`` processes when more than one. Texts without a shingle get all
        ``0xFFFFFFFF`` (see :func:`is_empty`)."""
        batches = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
        if workers > 1 and len(batches) > 1:
            with ProcessPoolExecutor(workers) as pool:
                parts = list(pool.map(self._batch_signatures, batches))
        else:
            parts = [self._batch_signatures(batch) for batch in batches]
        if not parts:
            return np.zeros((0, self.num_perm + self.anchors), np.uint32)
        return np.concatenate(parts)

    def _batch_signatures(self, texts: Sequence[str]) -> np.ndarray:
        return self.signatures_of(shingle_batch(texts, self.ngram))

    def signatures_of(self, batch: ShingleBatch) -> np.ndarray:
        """Signatures of already computed shingle hashes."""
        n = len(batch.offsets) - 1
        mixed = _mix64(batch.hashes ^ self._salt)
        bins = ((mixed >> _U64(32)) * _U64(self.num_perm)) >> _U64(32)
        docs = np.repeat(np.arange(n, dtype=_U64), np.diff(batch.offsets).astype(np.int64))
        flat = np.full(n * self.num_perm, _EMPTY, dtype=np.uint32)
        np.minimum.at(flat, (docs * _U64(self.num_perm) + bins).astype(np.int64),
                      (mixed & _U64(0xFFFFFFFF)).astype(np.uint32))
        minhashes = self._densify(flat.reshape(n, self.num_perm))
        return np.hstack([minhashes, self._bottom_k(batch, docs)])

    def _bottom_k(self, batch: ShingleBatch, docs: np.ndarray) -> np.ndarray:
        """The ``anchors`` smallest distinct (high 32 bits of) shingle hashes of each text.

        Only values under a per-text cut expected to keep twice ``anchors`` of them are
        sorted; a text then misses the k-th smallest with negligible probability."""
        n = len(batch.offsets) - 1
        values = batch.hashes >> _U64(32)
        sizes = np.diff(batch.offsets)
        cut = np.minimum(2.0**32 * 2 * self.anchors / np.maximum(sizes, 1), 2.0**32)
        keep = values < cut.astype(_U64)[docs.astype(np.int64)]
        ordered = np.sort((docs[keep] << _U64(32)) | values[keep])
        ordered = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]
        doc = (ordered >> _U64(32)).astype(np.int64)
        rank = np.arange(len(ordered)) - np.searchsorted(doc, np.arange(n))[doc]
        first = rank < self.anchors
        anchors = np.full((n, self.anchors), _EMPTY, dtype=np.uint32)
        anchors[doc[first], rank[first]] = (ordered[first] & _U64(0xFFFFFFFF)).astype(np.uint32)
        return anchors

    def _densify(self, sig: np.ndarray) -> np.ndarray:
        """Fill empty bins from the first non-empty bin in each bin's borrow sequence."""
        empty = sig == _EMPTY
        has_any = ~empty.all(axis=1)
        todo = empty & has_any[:, None]
        dense = sig.copy()
        for borrow in self._borrow:
            if not todo.any():
                break
            donor = sig[:, borrow]
            take = todo & (donor != _EMPTY)
            dense[take] = donor[take]
            todo &= ~take
        if todo.any():  # astronomically rare: fall back to the smallest value present
            dense[todo] = np.broadcast_to(sig.min(axis=1, keepdims=True), sig.shape)[todo]
        return dense


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """Which signatures belong to texts too short to have a single shingle."""
    return (signatures == _EMPTY).all(axis=1)


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


_DOC_BITS = 26  #: an index holds up to 2**26 documents; keys keep their top 38 bits
_DOC_MASK = _U64((1 << _DOC_BITS) - 1)
_KEY_MASK = ~_DOC_MASK


@dataclass
class _Segment:
    """Keys (their top 38 bits) sorted ascending, with the (index-internal) document number
    of each. Sorting keys and numbers packed into one ``uint64`` is 3x faster than argsort."""

    keys: np.ndarray
    docs: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, docs: np.ndarray) -> _Segment:
        if len(docs) and docs.max() > int(_DOC_MASK):
            raise ValueError(f"an LSH index holds at most {int(_DOC_MASK) + 1:,} documents")
        return cls.unpack(np.sort((keys & _KEY_MASK) | docs.astype(_U64)))

    @classmethod
    def unpack(cls, packed: np.ndarray) -> _Segment:
        return cls(packed & _KEY_MASK, (packed & _DOC_MASK).astype(np.int64))

    def packed(self) -> np.ndarray:
        return self.keys | self.docs.astype(_U64)


class _KeyTable:
    """Document keys held as sorted segments of decreasing size: a new segment merges
    with the last while it is at least as big (a binary counter), so there are O(log n)
    segments and each key is re-sorted O(log n) times (merging two sorted runs is a
    linear timsort).
    A bitmap of the keys' top bits lets a query skip the binary searches for almost
    every key the table does not hold."""

    _BITMAP_BITS = 28  # 32 MiB; about 5% of lookups pass falsely at 15 million keys

    def __init__(self) -> None:
        self.segments: list[_Segment] = []
        self._bitmap = np.zeros(1 << (self._BITMAP_BITS - 3), dtype=np.uint8)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return (keys >> _U64(64 - self._BITMAP_BITS)).astype(np.int64)

    def _may_hold(self, keys: np.ndarray) -> np.ndarray:
        slots = self._slots(keys)
        return (self._bitmap[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 == 1

    def add(self, segment: _Segment) -> None:
        if not len(segment.keys):
            return
        slots = self._slots(segment.keys)  # sorted, as the keys are
        cells = slots >> 3
        starts = np.flatnonzero(np.concatenate([[True], cells[1:] != cells[:-1]]))
        bits = (1 << (slots & 7)).astype(np.uint8)
        self._bitmap[cells[starts]] |= np.bitwise_or.reduceat(bits, starts)
        self.segments.append(segment)
        while (len(self.segments) > 1
               and len(self.segments[-1].keys) >= len(self.segments[-2].keys)):
            newer, older = self.segments.pop(), self.segments.pop()
            merged = np.sort(np.concatenate([older.packed(), newer.packed()]), kind="stable")
            self.segments.append(_Segment.unpack(merged))

    def pairs(self, batch: _Segment, max_run: int | None = None) -> np.ndarray:
        """Pairs sharing a key: within ``batch`` and between it and the table; keys held
        by more than ``max_run`` documents (in one segment) are skipped."""
        found = [_pairs_within(batch, max_run)]
        if self.segments:
            maybe = self._may_hold(batch.keys)
            probe = _Segment(batch.keys[maybe], batch.docs[maybe])
            found += [_pairs_across(segment, probe, max_run) for segment in self.segments]
        return np.concatenate(found)


class LSHIndex:
    """LSH over MinHash signatures, held as sorted numpy arrays (no per-key dicts).

    Two documents are candidates when they agree on a whole band (``bands`` bands of
    ``rows`` values cut from the MinHash part) or share at least ``min_shared_anchors``
    of their anchors (the bottom-k part of :class:`MinHasher` signatures; ``anchors=0``
    turns this off). The default bands (85 of 3 rows over 256 values) make a pair at
    Jaccard 0.4 a candidate with probability 0.996, at 0.3 with 0.90 and at 0.1 with 0.08;
    anchors add pairs with a shared passage whatever the texts' lengths (containment).
    Anchors held by more than ``max_anchor_docs`` documents are common phrases and skipped.
    """

    def __init__(self, bands: int = 85, rows: int = 3, anchors: int = 64,
                 min_shared_anchors: int = 3, max_anchor_docs: int = 50) -> None:
        self.bands = bands
        self.rows = rows
        self.anchors = anchors
        self.min_shared_anchors = min_shared_anchors
        self.max_anchor_docs = max_anchor_docs
        self.keys: list[str] = []
        self._bands = _KeyTable()
        self._anchors = _KeyTable()
        self._band_salts = _mix64(np.arange(1, bands + 1, dtype=_U64))

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
        needed = self.bands * self.rows + self.anchors
        if signatures.shape[1] < needed:
            raise ValueError(f"{self.bands}x{self.rows} bands and {self.anchors} anchors "
                             f"need {needed} values per signature, got {signatures.shape[1]}")
        values = signatures[:, : self.bands * self.rows].astype(_U64)
        values = values.reshape(len(signatures), self.bands, self.rows)
        combined = np.broadcast_to(self._band_salts, values.shape[:2]).copy()
        for row in range(self.rows):
            combined = _mix64(combined ^ values[:, :, row])
        return combined

    def add(self, keys: Sequence[str], signatures: np.ndarray) -> None:
        """Index ``signatures`` under ``keys`` (texts without shingles are kept out)."""
        self._store(keys, *self._segments(signatures, first_doc=len(self.keys)))

    def candidates(self, signatures: np.ndarray, keys: Sequence[str]) -> list[tuple[str, str]]:
        """Candidate pairs among the new batch and between it and the index, each once,
        as ``(indexed or earlier key, later key)``. The index is not changed."""
        pairs = self.candidate_indices(signatures)
        names = list(self.keys) + list(keys)
        return [(names[i], names[j]) for i, j in pairs.tolist()]

    def candidate_indices(self, signatures: np.ndarray) -> np.ndarray:
        """Like :meth:`candidates` as a sorted ``(m, 2)`` int64 array of positions, where
        the batch's documents are numbered after the indexed ones."""
        bands, anchors = self._segments(signatures, first_doc=len(self.keys))
        return self._pairs(bands, anchors, total=len(self.keys) + len(signatures))

    def insert(self, keys: Sequence[str], signatures: np.ndarray) -> np.ndarray:
        """:meth:`candidate_indices` then :meth:`add`, hashing the bands once."""
        bands, anchors = self._segments(signatures, first_doc=len(self.keys))
        pairs = self._pairs(bands, anchors, total=len(self.keys) + len(signatures))
        self._store(keys, bands, anchors)
        return pairs

    def _store(self, keys: Sequence[str], bands: _Segment, anchors: _Segment) -> None:
        self.keys.extend(keys)
        self._bands.add(bands)
        self._anchors.add(anchors)

    def _pairs(self, bands: _Segment, anchors: _Segment, total: int) -> np.ndarray:
        banded = _codes(self._bands.pairs(bands), total)
        anchored, shared = sorted_unique(
            _codes(self._anchors.pairs(anchors, self.max_anchor_docs), total))
        codes, _ = sorted_unique(
            np.concatenate([banded, anchored[shared >= self.min_shared_anchors]]))
        return np.stack([codes // total, codes % total], axis=1)

    def _segments(self, signatures: np.ndarray, first_doc: int) -> tuple[_Segment, _Segment]:
        band_keys = self.band_keys(signatures)
        docs = np.arange(first_doc, first_doc + len(signatures))
        present = ~is_empty(signatures)
        bands = _Segment.of(band_keys[present].ravel(), np.repeat(docs[present], self.bands))
        anchor_values = signatures[:, signatures.shape[1] - self.anchors :]
        real = anchor_values != _EMPTY
        anchors = _Segment.of(_mix64(anchor_values[real].astype(_U64)),
                              np.broadcast_to(docs[:, None], real.shape)[real])
        return bands, anchors


def _codes(pairs: np.ndarray, total: int) -> np.ndarray:
    """One int64 per (smaller, larger) pair of document numbers."""
    return pairs[:, 0].astype(np.int64) * total + pairs[:, 1]


def _run_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every run of equal keys in a sorted array."""
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return starts, np.diff(np.concatenate([starts, [len(keys)]]))


def _pairs_within(segment: _Segment, max_run: int | None) -> np.ndarray:
    """All pairs of documents sharing a key inside one sorted segment."""
    if len(segment.keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    starts, lengths = _run_bounds(segment.keys)
    keep = (lengths > 1) & (lengths <= (max_run or len(segment.keys)))
    return _expand_runs(segment.docs, starts[keep], lengths[keep])


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


def _pairs_across(indexed: _Segment, batch: _Segment, max_run: int | None) -> np.ndarray:
    """All (indexed doc, batch doc) pairs sharing a key."""
    lo = np.searchsorted(indexed.keys, batch.keys, side="left")
    hi = np.searchsorted(indexed.keys, batch.keys, side="right")
    counts = hi - lo
    if max_run:
        counts[counts > max_run] = 0
    old = indexed.docs[_ranges(lo, counts)]
    return np.stack([old, np.repeat(batch.docs, counts)], axis=1)


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
