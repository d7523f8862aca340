"""MinHash fingerprints of word 5-shingles, built for batches (:mod:`newstrace.lsh` indexes them).

Tokens are runs of letters and digits, lower-cased (punctuation is dropped). Every token
is hashed with a stable 64-bit polynomial hash computed for a whole batch at once in
numpy, shingles are rolling combinations of ``ngram`` token hashes, and the MinHash is
rensa's R-MinHash over those shingle hashes: ``num_perm`` independent permutations, so
the slots of one LSH band are independent (one-permutation hashing with densification,
tried first, makes borrowed slots agree together and turned common phrases into large
candidate cliques; it was no faster once the digests are read back into numpy).

Each signature row also carries ``anchors`` bottom-k values (the text's smallest hashes of
the shingles that cross a sentence break), which :class:`~newstrace.lsh.LSHIndex` uses to
find shared passages between texts of very different lengths (containment), where Jaccard
is low. Anchors cross sentence breaks so that two texts sharing one sentence (a common line
many articles carry) share none, while texts sharing a run of sentences share several. Signatures are ``uint32`` arrays
of shape ``(n, num_perm + anchors)``; ``signatures[i].tobytes()`` stores one and
``np.frombuffer(blob, np.uint32)`` reads it back.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rensa

from newstrace.engine.parallel import ordered_map

_U64 = np.uint64
#: The value of a slot or anchor a text has none for (too few shingles).
EMPTY = np.uint32(0xFFFFFFFF)
_SHINGLE_MUL = _U64(0x9E3779B97F4A7C15)


def mix64(x: np.ndarray) -> np.ndarray:
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
#: Characters that end a sentence (or a line of site furniture) where they separate two
#: tokens (a line break only when a blank line follows); a full stop ends one only before a
#: space and an upper-case token (so "U.S. officials", "Va., last week", "$1.4" and
#: "$2. 6-million" are not broken), and not after a short capitalised word ("Mr. Trump").
SENTENCE_ENDS = "!?\n|。！？"
_ENDS_SENTENCE = np.zeros(0x10000, dtype=bool)
_ENDS_SENTENCE[[ord(c) for c in SENTENCE_ENDS]] = True
_SPACE = np.array([c.isspace() for c in map(chr, range(0x10000))], dtype=bool)
_CLOSER = np.zeros(0x10000, dtype=bool)
_CLOSER[[ord(c) for c in "\"'”’»)]"]] = True
_MAY_END = _ENDS_SENTENCE.copy()
_MAY_END[ord(".")] = True
#: Per BMP code point: its lower-case form if a letter or digit, else 0. ``uint16`` (every
#: BMP letter lowers to one inside the BMP), read with ``take``: several times faster than
#: fancy indexing on the long code arrays.
_LOWER_WORD = np.where(_WORD, _LOWER, 0).astype(np.uint16)
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
    hashes of the lower-cased tokens; ``breaks`` marks the tokens that start a sentence
    (the first of each text, and any after one of :data:`SENTENCE_ENDS`)."""

    hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    offsets: np.ndarray
    breaks: np.ndarray

    def of(self, i: int) -> slice:
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))


def run_bounds(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every run of equal values in a sorted array."""
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])[: len(ordered)])
    return starts, np.diff(np.append(starts, len(ordered)))


def sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how often each occurs (a sort, where
    ``np.unique`` hashes first, which is slower on mostly distinct integers)."""
    ordered = np.sort(values)
    starts, lengths = run_bounds(ordered)
    return ordered[starts], lengths


def text_starts(texts: Sequence[str]) -> np.ndarray:
    """Where each text starts once the texts are joined by newlines, and (last) where a
    next one would start."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.concatenate([[0], np.cumsum(lengths + 1)])


def join_texts(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    """The texts joined by newlines, and their :func:`text_starts`."""
    return "\n".join(texts), text_starts(texts)


def code_points(text: str) -> np.ndarray:
    """The code points of ``text``: ``uint16`` when all lie in the Basic Multilingual
    Plane (one UTF-16 unit each, the common case), else ``uint32``."""
    codes = np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)
    if len(codes) == len(text):  # no surrogate pairs
        return codes
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


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
        breaks=np.concatenate([g.breaks for g in groups]),
    )


def _lowered_word_codes(codes: np.ndarray) -> np.ndarray:
    """Per character: its lower-case code point if it is a letter or digit, else 0 (of
    the dtype of ``codes``). Characters beyond the Basic Multilingual Plane count as letters."""
    if codes.dtype == np.uint16:
        return _LOWER_WORD.take(codes)
    return np.where(codes > 0xFFFF, codes, _LOWER_WORD.take(np.minimum(codes, 0xFFFF)))


def _sentence_breaks(codes: np.ndarray, values: np.ndarray, starts: np.ndarray,
                     ends: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Per token: whether a sentence end separates it from the token before, and for the
    first token of each text (``firsts``). ``values`` are the lower-cased word codes.
    Ends are ``!``, ``?``, ``|``, CJK stops and blank lines (a single line break is
    wrapping); a full stop ends a sentence before a space and an upper-case token unless it
    follows a short capitalised word ("Mr.", "J.", "U.S."). Only the few punctuation marks
    are looked at: a mark is never inside a token."""
    bmp = codes if codes.dtype == np.uint16 else np.minimum(codes, 0xFFFF)
    breaks = np.zeros(len(starts), dtype=bool)
    breaks[firsts[firsts < len(starts)]] = True
    marks = np.flatnonzero(_MAY_END.take(bmp))
    following = np.searchsorted(starts, marks)  # the token after each mark
    inside = (following < len(starts)) & (following > 0)
    marks, following = marks[inside], following[inside]
    last = len(bmp) - 1
    mark = bmp[marks]
    after, second = bmp[np.minimum(marks + 1, last)], bmp[np.minimum(marks + 2, last)]
    spaced = _SPACE[after] | (_CLOSER[after] & _SPACE[second])
    first, before = starts[following], following - 1
    upper = codes[first] != values[first]  # lower-case letters and digits lower to themselves
    word_start = starts[before]
    short_name = ((ends[before] - word_start) <= 3) & (codes[word_start] != values[word_start])
    line = mark == ord("\n")
    blank = line & ((after == ord("\n")) | (_SPACE[after] & (second == ord("\n"))))
    full_stop = (mark == ord(".")) & spaced & upper & ~short_name
    breaks[following[(_ENDS_SENTENCE[mark] & ~line) | blank | full_stop]] = True
    return breaks


def _tokenize_group(texts: Sequence[str]) -> Tokens:
    """:func:`tokenize` for texts of moderate total length.

    The texts are joined and lower-cased as one array of code points; token boundaries
    are where the letter-or-digit flag changes. With ``v[j] = code[j] * B**j`` and ``P``
    its prefix sums, the token spanning ``[s, e)`` hashes to
    ``(P[e] - P[s]) * B**-s = sum(code[s + k] * B**k)``, independent of where it stands.
    """
    joined, bases = join_texts(texts)
    codes = code_points(joined)
    values = _lowered_word_codes(codes)
    word = np.zeros(len(values) + 2, dtype=bool)  # padded, so every run has both ends
    np.not_equal(values, 0, out=word[1:-1])
    changes = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = changes[::2], changes[1::2]
    prefix = np.empty(len(values) + 1, dtype=_U64)
    prefix[0] = 0
    np.multiply(values, _POWERS(len(values)), out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    sums = (prefix.take(ends) - prefix.take(starts)) * _INVERSE_POWERS(len(values) + 1).take(starts)
    hashes = mix64(sums + (ends - starts).astype(_U64))
    offsets = np.searchsorted(starts, bases)
    offsets[-1] = len(starts)
    base = np.repeat(bases[:-1], np.diff(offsets))
    return Tokens(hashes=hashes, starts=starts - base, ends=ends - base, offsets=offsets,
                  breaks=_sentence_breaks(codes, values, starts, ends, offsets[:-1]))


def shingle_hashes(token_hashes: np.ndarray, ngram: int = 5) -> np.ndarray:
    """Hashes of the ``ngram``-token windows of one token sequence (empty if too short)."""
    count = len(token_hashes) - ngram + 1
    if count <= 0:
        return np.zeros(0, dtype=_U64)
    combined = token_hashes[:count].copy()
    for offset in range(1, ngram):
        combined = combined * _SHINGLE_MUL + token_hashes[offset : offset + count]
    return mix64(combined)


@dataclass
class ShingleBatch:
    """The shingle hashes of many texts: ``hashes[offsets[i]:offsets[i+1]]`` are text i's;
    ``crossing`` (when known) marks the shingles that span a sentence break."""

    hashes: np.ndarray
    offsets: np.ndarray
    crossing: np.ndarray | None = None

    def of(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]

    def subset(self, rows: Sequence[int]) -> ShingleBatch:
        """Only texts ``rows``, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, counts = self.offsets[rows], np.diff(self.offsets)[rows]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        taken = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
        crossing = None if self.crossing is None else self.crossing[taken]
        return ShingleBatch(self.hashes[taken], offsets, crossing)


def concatenate_batches(batches: Sequence[ShingleBatch]) -> ShingleBatch:
    """One batch holding the texts of ``batches`` in order (``crossing`` dropped)."""
    firsts = np.cumsum([0] + [int(b.offsets[-1]) for b in batches])
    return ShingleBatch(
        np.concatenate([b.hashes for b in batches]),
        np.concatenate([batches[0].offsets[:1]]
                       + [b.offsets[1:] + first for b, first in zip(batches, firsts)]))


def shingle_batch(texts: Sequence[str], ngram: int = 5, tokens: Tokens | None = None) -> ShingleBatch:
    """Word ``ngram``-shingle hashes of every text, computed together (from ``tokens``
    when already at hand)."""
    tokens = tokenize(texts) if tokens is None else tokens
    windows = shingle_hashes(tokens.hashes, ngram)
    # The window starting at token t belongs to its text iff it ends inside that text.
    text_ends = np.repeat(tokens.offsets[1:], np.diff(tokens.offsets))[: len(windows)]
    inside = np.arange(len(windows)) + ngram <= text_ends
    counts = np.maximum(np.diff(tokens.offsets) - ngram + 1, 0)
    breaks = np.concatenate([[0], np.cumsum(tokens.breaks, dtype=np.int64)])
    # Window t crosses a break when a break starts one of its tokens after the first.
    crossing = breaks[ngram : ngram + len(windows)] > breaks[1 : 1 + len(windows)]
    return ShingleBatch(hashes=windows[inside], offsets=np.concatenate([[0], np.cumsum(counts)]),
                        crossing=crossing[inside])


#: Stand-ins for "no sentence" before the first and after the last sentence of a text.
_START, _END = mix64(np.array([0x5EED5EED, 0xE11DE11D], dtype=_U64))


@dataclass
class Sentences:
    """The sentences of a batch of tokenised texts: token t lies in sentence
    ``of_token[t]``, which starts at token ``starts[s]``; text i owns sentences
    ``offsets[i]:offsets[i+1]``; ``hashes`` identify a sentence by its words (in order,
    case and punctuation aside)."""

    of_token: np.ndarray
    starts: np.ndarray
    hashes: np.ndarray
    offsets: np.ndarray


def sentences_of(tokens: Tokens) -> Sentences:
    """The sentences of tokenised texts (split at :attr:`Tokens.breaks`)."""
    starts = np.flatnonzero(tokens.breaks)
    of_token = np.cumsum(tokens.breaks, dtype=np.int64) - 1
    if not len(starts):
        hashes = np.zeros(0, dtype=_U64)
    else:
        position = (np.arange(len(of_token)) - starts[of_token]).astype(_U64)
        hashes = mix64(np.add.reduceat(mix64(tokens.hashes ^ mix64(position + _U64(1))), starts))
    return Sentences(of_token, starts, hashes, np.searchsorted(starts, tokens.offsets))


def sentence_pairs(sentences: Sentences) -> ShingleBatch:
    """Hashes of every two consecutive sentences of each text, the first and last sentence
    paired with a text edge too: a text of n sentences has n + 1 pairs, pair k joining
    sentences k - 1 and k (none for a text without a sentence)."""
    counts = np.diff(sentences.offsets)
    pair_counts = np.where(counts > 0, counts + 1, 0)
    offsets = np.concatenate([[0], np.cumsum(pair_counts)]).astype(np.int64)
    left = np.full(offsets[-1], _START, dtype=_U64)
    right = np.full(offsets[-1], _END, dtype=_U64)
    text = np.repeat(np.arange(len(counts)), counts)
    at = offsets[text] + np.arange(len(sentences.hashes)) - sentences.offsets[text]
    left[at + 1] = sentences.hashes
    right[at] = sentences.hashes
    return ShingleBatch(mix64(left * _SHINGLE_MUL + right), offsets)


def sentence_pair_batch(texts: Sequence[str]) -> ShingleBatch:
    """:func:`sentence_pairs` of ``texts``."""
    return sentence_pairs(sentences_of(tokenize(texts)))


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
        parts = list(ordered_map(self._batch_signatures, batches, processes=workers if workers > 1 else 0))
        if not parts:
            return np.zeros((0, self.num_perm + self.anchors), np.uint32)
        return np.concatenate(parts)

    def sketch(self, texts: Sequence[str], batch_size: int = 256) -> tuple[np.ndarray, ShingleBatch]:
        """:meth:`signatures` and :func:`sentence_pairs` of ``texts`` from one tokenisation
        (``batch_size`` texts at a time: small arrays stay in cache)."""
        signatures, pairs = [], []
        for first in range(0, len(texts), batch_size):
            batch = texts[first : first + batch_size]
            tokens = tokenize(batch)
            signatures.append(self.signatures_of(shingle_batch(batch, self.ngram, tokens=tokens)))
            pairs.append(sentence_pairs(sentences_of(tokens)))
        if not signatures:
            return (np.zeros((0, self.num_perm + self.anchors), np.uint32),
                    ShingleBatch(np.zeros(0, dtype=_U64), np.zeros(1, dtype=np.int64)))
        return np.concatenate(signatures), concatenate_batches(pairs)

    def _batch_signatures(self, texts: Sequence[str]) -> np.ndarray:
        return self.signatures_of(shingle_batch(texts, self.ngram))

    def signatures_of(self, batch: ShingleBatch) -> np.ndarray:
        """Signatures of already computed shingle hashes (anchors from the shingles that
        cross a sentence break when ``batch.crossing`` is known)."""
        n = len(batch.offsets) - 1
        digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            batch.hashes, batch.offsets.astype(_U64), self.num_perm, self.seed)
        minhashes = np.fromiter(itertools.chain.from_iterable(digests.to_rows()),
                                dtype=np.uint32, count=n * self.num_perm)
        return np.hstack([minhashes.reshape(n, self.num_perm),
                          self._bottom_k(anchor_shingles(batch))])

    def _bottom_k(self, batch: ShingleBatch) -> np.ndarray:
        """The ``anchors`` smallest distinct (high 32 bits of) shingle hashes of each text.

        Only values under a per-text cut expected to keep twice ``anchors`` of them are
        sorted; a text then misses the k-th smallest with negligible probability."""
        n = len(batch.offsets) - 1
        sizes = np.diff(batch.offsets)
        cut = np.minimum(2.0**32 * 2 * self.anchors / np.maximum(sizes, 1), 2.0**32 - 1)
        kept = np.flatnonzero(batch.hashes < np.repeat(cut.astype(_U64) << _U64(32), sizes))
        docs = (np.searchsorted(batch.offsets, kept, side="right") - 1).astype(_U64)
        ordered, _ = sorted_unique((docs << _U64(32)) | (batch.hashes[kept] >> _U64(32)))
        doc = (ordered >> _U64(32)).astype(np.int64)
        rank = np.arange(len(ordered)) - np.searchsorted(doc, np.arange(n))[doc]
        first = rank < self.anchors
        anchors = np.full((n, self.anchors), EMPTY, dtype=np.uint32)
        anchors[doc[first], rank[first]] = (ordered[first] & _U64(0xFFFFFFFF)).astype(np.uint32)
        return anchors


#: A text with fewer shingles crossing a sentence break takes its anchors from all its shingles.
MIN_CROSSING = 8


def anchor_shingles(batch: ShingleBatch) -> ShingleBatch:
    """The shingles anchors are drawn from: those crossing a sentence break, or all of a
    text's shingles when it has fewer than :data:`MIN_CROSSING` such (no punctuation)."""
    if batch.crossing is None:
        return batch
    sizes = np.diff(batch.offsets)
    seen = np.concatenate([[0], np.cumsum(batch.crossing, dtype=np.int64)])
    crossing = seen[batch.offsets[1:]] - seen[batch.offsets[:-1]]
    kept = batch.crossing | np.repeat(crossing < MIN_CROSSING, sizes)
    counts = np.where(crossing < MIN_CROSSING, sizes, crossing)
    return ShingleBatch(batch.hashes[kept], np.concatenate([[0], np.cumsum(counts)]))


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """Which signatures belong to texts too short to have a single shingle."""
    return (signatures == EMPTY).all(axis=1)
