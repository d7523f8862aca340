"""Template frames learned from the collection: sentences that recur filled with other names and figures.

Automated and templated news (quarterly results snapshots, game recaps, stock-holding
notices, weather bulletins) fills one frame of sentences with another company's name and
figures each time: "Harbor Freightlines (HFL) on Tuesday reported a profit of $431.9 million
in its fourth quarter." Two such articles share most of their wording and the frame's rare
names (the data supplier, "Wall Street"), and they read alike to an embedding, yet each is
about its own company. Recurring boilerplate (:mod:`newstrace.match.boilerplate`) is the
same sentence word for word; a frame recurs with other words in its slots.

A sentence's *frame* is its words with every word that opens with a capital or a digit (a
name's or a figure's) taken for a slot. A frame with at least :data:`MIN_LITERAL` other
words and a slot, held by at least :data:`MIN_DOCS` articles and filled in at least
:data:`MIN_FILLS` different ways, is a *template frame*; an article at least half of whose
words lie in template frames, at least :data:`MIN_FRAMED` of them, is *templated*: what
tells it from its siblings is only what fills the slots (:func:`fillers`). On the shared
development data no article is templated (ECB+, PolNeAR, the NeuS-AllSides leads, the first
20,000 of the generated ``corpus_100k``, whose sentences recur word for word), while
automated results reports are.

The frames are counted over one batch of texts (:func:`templated`): the story clusterer
counts them over the articles it places together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newstrace.match.fingerprint import Tokens, mix64, sentences_of, sorted_unique, tokenize

__all__ = ["MIN_DOCS", "MIN_FILLS", "MIN_FRAMED", "MIN_LITERAL", "Frames", "fillers", "sentence_frames",
           "template_frames", "templated"]

MIN_LITERAL = 5  #: words of a template frame besides its slots
MIN_DOCS = 3  #: articles that hold a template frame
MIN_FILLS = 3  #: ways a template frame is filled in
MIN_FRAMED = 3  #: template-frame sentences of a templated article

_U64 = np.uint64
_SLOT = _U64(0x51ED270B0A3C9E4D)  #: the hash a slot's word takes in a frame


@dataclass
class Frames:
    """The sentences of a batch of texts that could hold a template frame (at least
    :data:`MIN_LITERAL` words besides a slot): per sentence, its text's number (``doc``), its
    frame's hash, its own hash (``filled``: the frame with its slots filled in) and its
    words (``length``); and per text, how many words it has in all (``words``)."""

    doc: np.ndarray
    frame: np.ndarray
    filled: np.ndarray
    length: np.ndarray
    words: np.ndarray

    def renumbered(self, numbers: np.ndarray, texts: int) -> Frames:
        """These frames of a subset of ``texts`` texts, text ``k`` of which is text ``numbers[k]``."""
        words = np.zeros(texts, dtype=np.int64)
        words[numbers] = self.words
        return Frames(np.asarray(numbers, dtype=np.int64)[self.doc], self.frame, self.filled, self.length, words)

    @classmethod
    def concatenate(cls, parts: list[Frames]) -> Frames:
        """One batch of ``parts``, their texts numbered on."""
        firsts = np.cumsum([0] + [len(part.words) for part in parts])
        return cls(np.concatenate([np.zeros(0, np.int64)] + [p.doc + f for p, f in zip(parts, firsts)]),
                   *(np.concatenate([np.zeros(0, dtype)] + [getattr(part, name) for part in parts])
                     for name, dtype in (("frame", _U64), ("filled", _U64), ("length", np.int64), ("words", np.int64))))


def _framed_sentences(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per sentence of texts tokenised with ``breaks`` and ``cased``: its text's number, its
    frame's hash, its own hash, whether it could hold a template frame, and its words."""
    if tokens.breaks is None or tokens.slots is None:
        raise ValueError("sentence frames need tokens with breaks and slots")
    sentences = sentences_of(tokens)
    framed = Tokens(np.where(tokens.slots, _SLOT, tokens.hashes), tokens.starts, tokens.ends, tokens.offsets,
                    tokens.breaks)
    starts = sentences.starts
    doc = np.repeat(np.arange(len(tokens.offsets) - 1), np.diff(sentences.offsets))
    if not len(starts):
        return doc, sentences.hashes, sentences.hashes, np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    slots = np.add.reduceat(tokens.slots.astype(np.int64), starts)
    lengths = np.diff(starts, append=len(tokens.hashes))
    literal = lengths - slots
    return doc, sentences_of(framed).hashes, sentences.hashes, (literal >= MIN_LITERAL) & (slots > 0), lengths


def sentence_frames(tokens: Tokens) -> Frames:
    """The :class:`Frames` of texts tokenised with ``breaks`` and ``cased``."""
    doc, frame, filled, eligible, lengths = _framed_sentences(tokens)
    return Frames(doc[eligible], frame[eligible], filled[eligible], lengths[eligible], np.diff(tokens.offsets))


def _distinct_per_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` (sorted) and how many distinct ``values`` each comes with."""
    pairs = np.unique(keys ^ mix64(values.astype(_U64) + _U64(1)), return_index=True)[1]
    return sorted_unique(keys[pairs])


def template_frames(frames: Frames) -> np.ndarray:
    """The hashes of the template frames among ``frames`` (sorted)."""
    held, docs = _distinct_per_key(frames.frame, frames.doc)
    filled, fills = _distinct_per_key(frames.frame, frames.filled)
    return held[(docs >= MIN_DOCS) & (fills >= MIN_FILLS)]


def templated(frames: Frames) -> tuple[np.ndarray, np.ndarray]:
    """Which texts of ``frames`` are templated, and the template frames' hashes."""
    recurring = template_frames(frames)
    framed = np.isin(frames.frame, recurring)
    counted = np.bincount(frames.doc[framed], minlength=len(frames.words))
    words = np.bincount(frames.doc[framed], weights=frames.length[framed], minlength=len(frames.words))
    return (counted >= MIN_FRAMED) & (2 * words >= frames.words), recurring


def fillers(texts: Sequence[str]) -> list[str]:
    """Each of ``texts`` (the templated ones of a batch) reduced to what sets it apart from
    the others: its words held by fewer than :data:`MIN_DOCS` of them (the names and
    figures that fill the frames, and any wording of its own), in order, each run of
    consecutive kept words a phrase. What they share is the template: its frames, its
    headline pattern, its constant names (a data supplier, "Wall Street")."""
    tokens = tokenize(list(texts), breaks=False)
    doc = np.repeat(np.arange(len(texts)), np.diff(tokens.offsets))
    held, docs = _distinct_per_key(tokens.hashes, doc)
    kept = np.flatnonzero(~np.isin(tokens.hashes, held[docs >= MIN_DOCS]))
    words = [texts[d][s:e] for d, s, e in zip(doc[kept].tolist(), tokens.starts[kept].tolist(),
                                                tokens.ends[kept].tolist())]
    # a phrase ends where a dropped word or another text comes between two kept words
    breaks = (np.flatnonzero((np.diff(kept) != 1) | (np.diff(doc[kept]) != 0)) + 1).tolist()
    bounds = list(zip([0, *breaks], [*breaks, len(kept)]))
    phrases: list[list[str]] = [[] for _ in texts]
    for start, end in bounds if len(kept) else ():
        phrases[int(doc[kept[start]])].append(" ".join(words[start:end]))
    return [", ".join(found) for found in phrases]
