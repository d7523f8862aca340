"""MinHash fingerprints of word 5-shingles and an LSH index over them, built for batches.

Tokens are runs of letters and digits, lower-cased (punctuation is dropped). Every token
is hashed with a stable 64-bit polynomial hash computed for a whole batch at once in
numpy, shingles are rolling combinations of ``ngram`` token hashes, and the MinHash is
rensa's R-MinHash over those shingle hashes: ``num_perm`` independent permutations, so
the slots of one LSH band are independent (one-permutation hashing with densification,
tried first, makes borrowed slots agree together and turned common phrases into large
candidate cliques; it was no faster once the digests are read back into numpy).

Each signature row also carries ``anchors`` bottom-k values (the text's smallest shingle
hashes), which :class:`LSHIndex` uses to find shared passages between texts of very
different lengths (containment), where Jaccard is low. Signatures are ``uint32`` arrays
of shape ``(n, num_perm + anchors)``; ``signatures[i].tobytes()`` stores one and
``np.frombuffer(blob, np.uint32)`` reads it back.
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rensa

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
_LOWER_WORD = np.where(_WORD, _LOWER, 0).astype(np.uint32)
#: Token hashes are polynomials in this odd multiplier (modulo 2**64), so a token's hash is
#: a difference of two prefix sums, scaled by an inverse power: no per-token loop.
_BASE = _U64(0x9E3779B97F4A7C15)
_BASE_INVERSE = _U64(pow(int(_BASE), -1, 2**64))
#: Texts are tokenised in groups of about this many characters (bounds the power tables).
_GROUP_CHARS = 1 << 16


class _Powers:
    """``base**0 … base**(n-1)`` modulo 2**64, grown on demand and kept."""

    def __init__(self, base: np.uint64) -> None:
        self.base = base
        self.table = np.ones(1, dtype=_U64)

    def __call__(self, n: int) -> np.ndarray:
        if len(self.table) < n:
            table = np.empty(max(n, 2 * len(self.table)), dtype=_U64)
            table[0] = 1
            filled = 1
            while filled < len(table):  # doubling: table[k:2k] = table[:k] * base**k
                step = min(filled, len(table) - filled)
                table[filled : filled + step] = table[:step] * _U64(pow(int(self.base), filled, 2**64))
                filled += step
            self.table = table
        return self.table[:n]


_POWERS = _Powers(_BASE)
_INVERSE_POWERS = _Powers(_BASE_INVERSE)


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
    """Tokenise and hash a batch of texts in vectorised passes.

    A token is a maximal run of letters and digits (``str.isalnum``), compared
    case-insensitively; everything else, apostrophes included, separates tokens.
    """
    groups, size, start = [], 0, 0
    for end, text in enumerate(texts, 1):
        size += len(text) + 1
        if size >= _GROUP_CHARS:
            groups.append(_tokenize_group(texts[start:end]))
            size, start = 0, end
    if start < len(texts) or not groups:
        groups.append(_tokenize_group(texts[start:]))
    if len(groups) == 1:
        return groups[0]
    firsts = np.cumsum([0] + [len(g.hashes) for g in groups])
    return Tokens(
        hashes=np.concatenate([g.hashes for g in groups]),
        starts=np.concatenate([g.starts for g in groups]),
        ends=np.concatenate([g.ends for g in groups]),
        offsets=np.concatenate([groups[0].offsets[:1]]
                               + [g.offsets[1:] + first for g, first in zip(groups, firsts)]),
    )


def _lowered_word_codes(text: str) -> np.ndarray:
    """Per character: its lower-case code point if it is a letter or digit, else 0
    (``uint32``). Characters beyond the Basic Multilingual Plane count as letters."""
    codes = np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)
    if len(codes) == len(text):  # no surrogate pairs: one code unit per character
        return _LOWER_WORD[codes]
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.where(codes > 0xFFFF, codes, _LOWER_WORD[np.minimum(codes, 0xFFFF)])


def _tokenize_group(texts: Sequence[str]) -> Tokens:
    """:func:`tokenize` for texts of moderate total length.

    The texts are joined and lower-cased as one array of code points; token boundaries
    are where the letter-or-digit flag changes. With ``v[j] = code[j] * B**j`` and ``P``
    its prefix sums, the token spanning ``[s, e)`` hashes to
    ``(P[e] - P[s]) * B**-s = sum(code[s + k] * B**k)``, independent of where it stands.
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_starts = np.concatenate([[0], np.cumsum(lengths + 1)])
    values = _lowered_word_codes("\n".join(texts))
    word = np.zeros(len(values) + 2, dtype=bool)  # padded, so every run has both ends
    np.not_equal(values, 0, out=word[1:-1])
    changes = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = changes[::2], changes[1::2]
    prefix = np.empty(len(values) + 1, dtype=_U64)
    prefix[0] = 0
    np.multiply(values, _POWERS(len(values)), out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    sums = (prefix[ends] - prefix[starts]) * _INVERSE_POWERS(len(values) + 1)[starts]
    hashes = _mix64(sums + (ends - starts).astype(_U64))
    offsets = np.searchsorted(starts, text_starts)
    offsets[-1] = len(starts)
    base = np.repeat(text_starts[:-1], np.diff(offsets))
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
    """MinHash signatures of word shingles: rensa's R-MinHash (``num_perm`` independent
    permutations) over the shingle hashes, plus bottom-k anchors.

    Each signature row holds ``num_perm`` MinHash values followed by ``anchors`` anchor
    values: the text's smallest distinct shingle hashes (a bottom-k sample, in ascending
    order, padded with ``0xFFFFFFFF``). Texts sharing a passage share anchors whatever
    their lengths, which catches partial reuse that a low Jaccard hides from the bands.
    """

    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    anchors: int = 64

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
        digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            batch.hashes, batch.offsets.astype(_U64), self.num_perm, self.seed)
        minhashes = np.fromiter(itertools.chain.from_iterable(digests.to_rows()),
                                dtype=np.uint32, count=n * self.num_perm)
        return np.hstack([minhashes.reshape(n, self.num_perm), self._bottom_k(batch)])

    def _bottom_k(self, batch: ShingleBatch) -> np.ndarray:
        """The ``anchors`` smallest distinct (high 32 bits of) shingle hashes of each text.

        Only values under a per-text cut expected to keep twice ``anchors`` of them are
        sorted; a text then misses the k-th smallest with negligible probability."""
        n = len(batch.offsets) - 1
        sizes = np.diff(batch.offsets)
        cut = np.minimum(2.0**32 * 2 * self.anchors / np.maximum(sizes, 1), 2.0**32 - 1)
        kept = np.flatnonzero(batch.hashes < np.repeat(cut.astype(_U64) << _U64(32), sizes))
        docs = (np.searchsorted(batch.offsets, kept, side="right") - 1).astype(_U64)
        ordered = np.sort((docs << _U64(32)) | (batch.hashes[kept] >> _U64(32)))
        ordered = ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]
        doc = (ordered >> _U64(32)).astype(np.int64)
        rank = np.arange(len(ordered)) - np.searchsorted(doc, np.arange(n))[doc]
        first = rank < self.anchors
        anchors = np.full((n, self.anchors), _EMPTY, dtype=np.uint32)
        anchors[doc[first], rank[first]] = (ordered[first] & _U64(0xFFFFFFFF)).astype(np.uint32)
        return anchors


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """Which signatures belong to texts too short to have a single shingle."""
    return (signatures == _EMPTY).all(axis=1)


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


_DOC_BITS = 26  #: an index holds up to 2**26 documents; keys keep their top 38 bits
_DOC_MASK = _U64((1 << _DOC_BITS) - 1)
_KEY_MASK = ~_DOC_MASK


def _pack(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Keys (their top 38 bits) and document numbers packed into one sorted ``uint64``
    array: sorting the packed values is 3x faster than an argsort, and a key's documents
    are the values between ``key`` and ``key | _DOC_MASK``."""
    return np.sort((keys & _KEY_MASK) | docs.astype(_U64))


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
    new = number[(packed & _DOC_MASK).astype(np.int64)]
    kept = new >= 0
    return (packed[kept] & _KEY_MASK) | new[kept].astype(_U64)


@dataclass(frozen=True)
class Banding:
    """How signatures become LSH keys: ``bands`` bands of ``rows`` MinHash values, and
    the last ``anchors`` values of each signature as anchor keys."""

    bands: int = 42
    rows: int = 3
    anchors: int = 64

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """``(n, bands)`` uint64 keys, one per band, distinct across bands."""
        needed = self.bands * self.rows + self.anchors
        if signatures.shape[1] < needed:
            raise ValueError(f"{self.bands}x{self.rows} bands and {self.anchors} anchors "
                             f"need {needed} values per signature, got {signatures.shape[1]}")
        values = signatures[:, : self.bands * self.rows].astype(_U64)
        values = values.reshape(len(signatures), self.bands, self.rows)
        salts = _mix64(np.arange(1, self.bands + 1, dtype=_U64))
        combined = np.broadcast_to(salts, values.shape[:2]).copy()
        for row in range(self.rows):
            combined = _mix64(combined ^ values[:, :, row])
        return combined

    def prepare(self, signatures: np.ndarray) -> Prepared:
        """The batch's keys, ready for :meth:`LSHIndex.insert` (can run on a worker)."""
        if len(signatures) > int(_DOC_MASK):
            raise ValueError(f"an LSH index holds at most {int(_DOC_MASK) + 1:,} documents")
        docs = np.arange(len(signatures))
        present = ~is_empty(signatures)
        band_keys = self.band_keys(signatures)[present]
        bands = _pack(band_keys.ravel(), np.repeat(docs[present], self.bands))
        anchor_values = signatures[:, signatures.shape[1] - self.anchors :]
        real = anchor_values != _EMPTY
        anchors = _pack(_mix64(anchor_values[real].astype(_U64)),
                        np.broadcast_to(docs[:, None], real.shape)[real])
        return Prepared(len(signatures), bands, anchors)


class _KeyTable:
    """Packed keys held as sorted segments of decreasing size: a new segment merges
    with the last while it is at least as big (a binary counter), so there are O(log n)
    segments and each key is re-sorted O(log n) times (merging two sorted runs is a
    linear timsort).
    A bitmap of the keys' top bits lets a query skip the binary searches for almost
    every key the table does not hold."""

    _BITMAP_BITS = 28  # 32 MiB; about 5% of lookups pass falsely at 15 million keys

    def __init__(self) -> None:
        self.segments: list[np.ndarray] = []
        self._bitmap = np.zeros(1 << (self._BITMAP_BITS - 3), dtype=np.uint8)

    def _slots(self, packed: np.ndarray) -> np.ndarray:
        return (packed >> _U64(64 - self._BITMAP_BITS)).astype(np.int64)

    def _may_hold(self, packed: np.ndarray) -> np.ndarray:
        slots = self._slots(packed)
        return (self._bitmap[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 == 1

    def add(self, packed: np.ndarray) -> None:
        if not len(packed):
            return
        slots = self._slots(packed)  # sorted, as the keys are
        cells = slots >> 3
        starts = np.flatnonzero(np.concatenate([[True], cells[1:] != cells[:-1]]))
        bits = (1 << (slots & 7)).astype(np.uint8)
        self._bitmap[cells[starts]] |= np.bitwise_or.reduceat(bits, starts)
        self.segments.append(packed)
        while len(self.segments) > 1 and len(self.segments[-1]) >= len(self.segments[-2]):
            newer, older = self.segments.pop(), self.segments.pop()
            self.segments.append(np.sort(np.concatenate([older, newer]), kind="stable"))

    def pairs(self, batch: np.ndarray, max_run: int | None = None) -> np.ndarray:
        """Pairs sharing a key: within ``batch`` and between it and the table; keys held
        by more than ``max_run`` documents (in one segment) are skipped."""
        found = [_pairs_within(batch, max_run)]
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
        self._bands = _KeyTable()
        self._anchors = _KeyTable()

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

    def add(self, keys: Sequence[str], signatures: np.ndarray | Prepared) -> None:
        """Index ``signatures`` under ``keys`` (texts without shingles are kept out)."""
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
        if first + prepared.size > int(_DOC_MASK) + 1:
            raise ValueError(f"an LSH index holds at most {int(_DOC_MASK) + 1:,} documents")
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


def _run_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every run of equal keys in a sorted array."""
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return starts, np.diff(np.concatenate([starts, [len(keys)]]))


def _docs(packed: np.ndarray) -> np.ndarray:
    return (packed & _DOC_MASK).astype(np.int64)


def _pairs_within(packed: np.ndarray, max_run: int | None) -> np.ndarray:
    """All pairs of documents sharing a key inside one sorted packed array."""
    if len(packed) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    starts, lengths = _run_bounds(packed & _KEY_MASK)
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
    keys = batch & _KEY_MASK
    lo = np.searchsorted(indexed, keys, side="left")
    hi = np.searchsorted(indexed, keys | _DOC_MASK, side="right")
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
