"""Hashed bags of a story lead's names and words, the features :mod:`newstrace.stories`
weighs beside the lead's embedding: token counts hashed into a fixed number of columns (the
columns of scikit-learn's ``HashingVectorizer``, without importing scikit-learn), and their
sublinear tf × IDF unit rows.

:class:`TokenHasher` counts the tokens any analyser gives, text by text or a batch at once
(the names of :func:`newstrace.text.names.extract_entities_batch`); :class:`WordHasher`
counts the words of :func:`words` for a whole batch at once.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import runpy
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from murmurhash.mrmr import hash_bytes as _murmurhash3_32
from scipy import sparse

from newstrace.match.fingerprint import Tokens, tokenize
from newstrace.match.templates import Frames, sentence_frames

#: scikit-learn's token pattern ``(?u)\b\w\w+\b`` less its word-boundary tests: a greedy
#: run of word characters found from the left starts and ends at a boundary anyway (the
#: same matches, a fifth faster).
_WORD = re.compile(r"\w\w+")


def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, read from its ``feature_extraction/_stop_words.py``
    without importing scikit-learn (whose import, through SciPy's statistics, takes seconds
    of every run)."""
    spec = importlib.util.find_spec("sklearn")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("scikit-learn is needed for its English stop words")
    path = Path(next(iter(spec.submodule_search_locations))) / "feature_extraction" / "_stop_words.py"
    return frozenset(runpy.run_path(str(path))["ENGLISH_STOP_WORDS"])


STOP_WORDS = english_stop_words()


def words(text: str) -> list[str]:
    """The words of ``text`` as scikit-learn's ``HashingVectorizer(stop_words="english")``
    analyses it: lowercased, tokens of two or more word characters, stop words left out."""
    return [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


def hashed_column(token: str, n_features: int) -> int:
    """A token's column: ``abs(murmurhash3_32(utf-8 bytes, seed 0)) % n_features``."""
    return abs(_murmurhash3_32(token.encode("utf-8"))) % n_features


class HashedTokens(dict):
    """Token -> column (:func:`hashed_column`), each distinct token hashed once."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.n_features = n_features

    def __missing__(self, token: str) -> int:
        column = self[token] = hashed_column(token, self.n_features)
        return column


class TokenHasher:
    """Hashed token counts of texts: the matrix scikit-learn's ``HashingVectorizer(analyzer,
    n_features, alternate_sign=False, norm=None).transform`` returns (the same MurmurHash3
    columns, float64 counts with sorted indices, a ``csr_matrix``), without scikit-learn.

    ``batch_analyzer``, where given, reads all the texts of a transform at once (a list of
    texts to their lists of tokens, the same as ``analyzer`` gives one by one), as
    :func:`~newstrace.text.names.extract_entities_batch` does for
    :func:`~newstrace.text.names.extract_entities`."""

    def __init__(self, analyzer: Any, n_features: int, *,
                 batch_analyzer: Callable[[list[str]], list[list[str]]] | None = None) -> None:
        self.analyzer = analyzer
        self.batch_analyzer = batch_analyzer
        self.n_features = n_features
        self._columns = HashedTokens(n_features)

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        column = self._columns.__getitem__
        indices: list[int] = []
        indptr = [0]
        tokens = map(self.analyzer, texts) if self.batch_analyzer is None else self.batch_analyzer(list(texts))
        for found in tokens:
            indices.extend(map(column, found))
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float64), np.array(indices, dtype=np.int32),
             np.array(indptr, dtype=np.int32 if len(indices) <= np.iinfo(np.int32).max else np.int64)),
            dtype=np.float64, shape=(len(indptr) - 1, self.n_features))
        counts.sum_duplicates()  # also sorts the indices
        return counts


#: Texts :meth:`WordHasher.transform` tokenises at a time (bounds its per-token arrays).
WORD_BATCH = 2048
#: The one character of the Basic Multilingual Plane whose ``str.lower`` is two characters.
_DOTTED_CAPITAL_I = "\u0130"


def read_by_regex(text: str) -> bool:
    """Whether :func:`words` may split ``text`` otherwise than
    :func:`~newstrace.match.fingerprint.tokenize`: it holds an underscore (a word character
    to ``\\w``), the one letter that lowers to two characters, or a character beyond the
    Basic Multilingual Plane (a letter to the tokeniser, where an emoji is none to ``\\w``)."""
    return "_" in text or (not text.isascii() and (_DOTTED_CAPITAL_I in text or _beyond_bmp(text)))


def _beyond_bmp(text: str) -> bool:
    """Whether ``text`` holds a character beyond the Basic Multilingual Plane: its UTF-16 form
    then has more units than it has characters (one encoding: 1.6 µs for a 3,000-character
    lead, where a regular expression's scan for such a character took 9.6 µs)."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


class HashSet:
    """Membership of 64-bit hashes in a small fixed set, for long arrays of them: 16 bits of
    each hash (at a shift chosen so that no two members share them) index a table of
    members, and a hash is a member when the member found there is the hash itself. The
    stop words among the 940,991 tokens of 2,048 leads: 4.3 ms, where a binary search
    (:func:`~newstrace.match.fingerprint.among`) took 46.6 ms."""

    def __init__(self, members: np.ndarray) -> None:
        self.members = np.unique(members)
        for shift in range(0, 49):
            slots = (self.members >> np.uint64(shift)) & np.uint64(0xFFFF)
            if len(np.unique(slots)) == len(slots):
                break
        else:
            raise ValueError("no collision-free slots for these hashes")
        self.shift = np.uint64(shift)
        self.table = np.full(0x10000, len(self.members), dtype=np.int64)  # past the end: no member
        self.table[slots.astype(np.int64)] = np.arange(len(self.members))
        self._padded = np.append(self.members, np.uint64(0))

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        slot = self.table.take(((hashes >> self.shift) & np.uint64(0xFFFF)).astype(np.int64))
        return (self._padded.take(slot) == hashes) & (slot < len(self.members))


@functools.cache
def stop_word_hashes() -> HashSet:
    """The token hashes (:func:`~newstrace.match.fingerprint.tokenize`) of the stop words."""
    tokens = tokenize(sorted(STOP_WORDS), breaks=False)
    single = np.diff(tokens.offsets) == 1  # a stop word of two tokens is never one word of \\w+
    return HashSet(tokens.hashes[tokens.offsets[:-1][single]])


class WordHasher(TokenHasher):
    """:class:`TokenHasher` of :func:`words` for a whole batch in vectorised passes: texts
    are tokenised together (:func:`~newstrace.match.fingerprint.tokenize`), stop words and
    one-character tokens dropped by hash, and each token's column found by its hash among
    those seen before (sorted arrays), a new token's computed from its text. Texts whose
    words the tokeniser could read otherwise (:func:`read_by_regex`) go through
    :func:`words` one by one. The same matrix as the text-by-text transform."""

    def __init__(self, n_features: int) -> None:
        super().__init__(words, n_features)
        self._known = np.zeros(0, dtype=np.uint64)  #: token hashes seen, sorted
        self._known_columns = np.zeros(0, dtype=np.int32)

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        return self.transform_framed(texts, frames=False)[0]

    def transform_framed(self, texts: Iterable[str], *, frames: bool = True) -> tuple[sparse.csr_matrix, Frames | None]:
        """:meth:`transform`, and (with ``frames``) the texts' sentence frames from the same
        tokens (:func:`~newstrace.match.templates.sentence_frames`; a text read by regex has none)."""
        texts = list(texts)
        parts = [self._counts(texts[i : i + WORD_BATCH], frames) for i in range(0, len(texts), WORD_BATCH)]
        found = Frames.concatenate([framed for _, framed in parts]) if frames else None
        if not parts:
            return sparse.csr_matrix((0, self.n_features), dtype=np.float64), found
        counts = [part for part, _ in parts]
        return (counts[0] if len(counts) == 1 else sparse.vstack(counts, format="csr")), found

    def _counts(self, texts: list[str], frames: bool = False) -> tuple[sparse.csr_matrix, Frames | None]:
        by_regex = np.fromiter(map(read_by_regex, texts), dtype=bool, count=len(texts))
        plain = np.flatnonzero(~by_regex)
        tokens = tokenize([texts[i] for i in plain.tolist()], breaks=frames, cased=frames)
        framed = sentence_frames(tokens).renumbered(plain, len(texts)) if frames else None
        text_of = plain[np.repeat(np.arange(len(plain)), np.diff(tokens.offsets))]
        kept = np.flatnonzero(tokens.ends - tokens.starts >= 2)
        kept = kept[~stop_word_hashes().contains(tokens.hashes[kept])]
        row, indices = text_of[kept], self._columns_of(tokens.hashes[kept], kept, tokens, texts, text_of)
        read_alone = {i: np.fromiter(map(self._columns.__getitem__, words(texts[i])), dtype=np.int32)
                      for i in np.flatnonzero(by_regex).tolist()}
        sizes = np.bincount(row, minlength=len(texts))
        for i, columns in read_alone.items():
            sizes[i] = len(columns)
        indptr = np.concatenate([[0], np.cumsum(sizes)])
        if read_alone:  # a text is read one way or the other: its words go where its row starts
            placed = np.empty(indptr[-1], dtype=np.int32)
            placed_before = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(texts)))])
            placed[indptr[row] + np.arange(len(row)) - placed_before[row]] = indices
            for i, columns in read_alone.items():
                placed[indptr[i] : indptr[i + 1]] = columns
            indices = placed
        counts = sparse.csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr),
                                   dtype=np.float64, shape=(len(texts), self.n_features))
        counts.sum_duplicates()  # also sorts the indices
        return counts, framed

    def _columns_of(self, hashes: np.ndarray, at: np.ndarray, tokens: Tokens, texts: list[str],
                    text_of: np.ndarray) -> np.ndarray:
        """The column of each token hash (``at``: the tokens' positions in ``tokens``), the
        distinct ones looked up in sorted order among those seen before."""
        distinct, inverse = np.unique(hashes, return_inverse=True)
        found = np.searchsorted(self._known, distinct)
        new = found == len(self._known)
        new[~new] = self._known.take(found[~new]) != distinct[~new]
        if new.any():
            seen_at = np.empty(len(distinct), dtype=np.int64)
            seen_at[inverse.ravel()] = at  # a token of each distinct hash, to read its text
            where = seen_at[new]
            columns = [hashed_column(texts[i][s:e].lower(), self.n_features) for i, s, e in zip(
                text_of[where].tolist(), tokens.starts[where].tolist(), tokens.ends[where].tolist())]  # kept by hash
            known = np.concatenate([self._known, distinct[new]])
            order = np.argsort(known, kind="stable")
            self._known = known[order]
            self._known_columns = np.concatenate([self._known_columns, np.array(columns, dtype=np.int32)])[order]
            found = np.searchsorted(self._known, distinct)
        return self._known_columns.take(found).take(inverse.ravel())


def idf_unit_rows(counts: sparse.csr_matrix, df: np.ndarray, n_docs: int) -> sparse.csr_matrix:
    """Hashed token counts as unit rows of sublinear tf × IDF (``df``: the document
    frequencies, these rows counted), worked in float64 whatever the counts' type."""
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    counts.data = 1.0 + np.log(counts.data)  # a word said five times is not five times the evidence
    weighted = sparse.csr_matrix(counts.multiply(np.log((1 + n_docs) / (1 + df)) + 1.0), dtype=np.float32)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ weighted, dtype=np.float32)
