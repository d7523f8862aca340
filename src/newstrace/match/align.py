"""Lexical passage alignment: which stretches of two texts share their wording, with
character offsets into both, leaving quotations out of the evidence.

Shared word n-grams seed the alignment; seeds on the same diagonal chain into runs, and
runs close to each other in both texts merge into one passage, so a copied paragraph with
a few edited words stays one passage with a lower similarity. Text inside quotation marks
is not evidence of copying (independent reports quote the same statement): n-grams that
touch a quotation never seed a passage and are left out of the shingle sets. A block
quotation, the paragraph that a line ending "... said:" introduces
(:func:`~newstrace.text.quotes.block_quote_spans`), is a quotation too. Nor is boilerplate
evidence: sentences a :class:`~newstrace.match.boilerplate.BoilerplateIndex` finds recurring
across the collection (editor's notes, promos, site furniture) are masked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from newstrace.match.fingerprint import (
    sentence_pairs,
    sentences_of,
    shingle_hashes,
    sorted_unique,
    tokenize,
)
from newstrace.model import Passage
from newstrace.text.names import names, numbers
from newstrace.text.batch import text_starts
from newstrace.text.quotes import block_quote_spans, quote_marks, quote_spans

VERBATIM = 0.98  #: passages at least this similar are "verbatim", the rest "edited"

class Boilerplate(Protocol):
    """What :func:`profiles` asks of a boilerplate detector
    (:class:`~newstrace.match.boilerplate.BoilerplateIndex`)."""

    def flag(self, pair_hashes: np.ndarray) -> np.ndarray:
        """Per sentence-pair hash (:func:`~newstrace.match.fingerprint.sentence_pairs`):
        whether it is recurring boilerplate."""
        ...


@dataclass
class TextProfile:
    """A text's tokens (with character offsets), its n-gram hashes and which of them touch
    a quotation or boilerplate; :func:`profiles` builds them for a batch."""

    text: str
    ngram: int
    token_hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    quoted: np.ndarray  #: per token: inside a quotation or boilerplate (never evidence)
    windows: np.ndarray  #: n-gram hash starting at each token
    window_quoted: np.ndarray  #: per n-gram: touches a quotation or boilerplate
    breaks: np.ndarray | None = None  #: per token: starts a sentence
    boilerplate: np.ndarray | None = None  #: per token: inside recurring boilerplate

    @property
    def shingles(self) -> np.ndarray:
        """The distinct n-gram hashes free of quotations and boilerplate, sorted."""
        return sorted_unique(self.windows[~self.window_quoted])[0]

    def sentences_in(self, start: int, end: int) -> int:
        """How many sentences tokens ``start:end`` span, counting a sentence break only
        with at least ``ngram`` tokens on both sides (so a chance match of a word or two
        past a shared sentence does not count)."""
        if self.breaks is None:
            return 1
        inner = self.breaks[start + self.ngram : end - self.ngram + 1]
        return 1 + int(inner.sum())


def profiles(texts: Sequence[str], ngram: int = 5, batch_size: int = 256, *,
             boilerplate: Boilerplate | None = None) -> list[TextProfile]:
    """Profiles of many texts, tokenised and hashed ``batch_size`` at a time; sentences
    ``boilerplate`` flags are masked like quotations."""
    built = []
    for first in range(0, len(texts), batch_size):
        built += _batch_profiles(texts[first : first + batch_size], ngram, boilerplate)
    return built


def _batch_profiles(texts: Sequence[str], ngram: int,
                    boilerplate: Boilerplate | None = None) -> list[TextProfile]:
    """Profiles of a batch, computed on the batch's tokens all at once and cut per text."""
    tokens = tokenize(texts)
    counts = np.diff(tokens.offsets)
    starts = text_starts(texts)
    at = tokens.starts + np.repeat(starts[:-1], counts)  # token starts in the joined texts
    spans = [(start + base, end + base)
             for text, marks, base in zip(texts, quote_marks(texts), starts.tolist())
             for start, end in joined_spans(sorted((quote_spans(text, marks) if marks else [])
                                                    + block_quote_spans(text)))]
    quoted = _quoted_tokens(at, spans)
    recurring = (np.zeros(len(quoted), dtype=bool) if boilerplate is None
                 else _boilerplate_tokens(tokens, boilerplate))
    masked = quoted | recurring
    windows = shingle_hashes(tokens.hashes, ngram)
    inside = np.concatenate([[0], np.cumsum(masked)])
    touched = inside[ngram : ngram + len(windows)] - inside[: len(windows)] > 0
    built = []
    for i, text in enumerate(texts):
        first, last = int(tokens.offsets[i]), int(tokens.offsets[i + 1])
        end = first + max(last - first - ngram + 1, 0)  # the windows inside this text
        built.append(TextProfile(text, ngram, tokens.hashes[first:last], tokens.starts[first:last],
                                 tokens.ends[first:last], masked[first:last], windows[first:end],
                                 touched[first:end], tokens.breaks[first:last],
                                 recurring[first:last]))
    return built


def _boilerplate_tokens(tokens, boilerplate: Boilerplate) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Per token: inside a sentence that a flagged sentence pair holds."""
    sentences = sentences_of(tokens)
    pairs = sentence_pairs(sentences)
    flagged = np.asarray(boilerplate.flag(pairs.hashes), dtype=bool)
    if not flagged.any():
        return np.zeros(len(tokens.hashes), dtype=bool)
    counts = np.diff(sentences.offsets)
    text = np.repeat(np.arange(len(counts)), counts)
    pair = pairs.offsets[text] + np.arange(len(sentences.hashes)) - sentences.offsets[text]
    sentence_flagged = flagged[pair] | flagged[pair + 1]  # pairs k and k + 1 hold sentence k
    return sentence_flagged[sentences.of_token]


def joined_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with those that overlap joined (a quotation inside a block quotation)."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _quoted_tokens(starts: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    if not spans:
        return np.zeros(len(starts), dtype=bool)
    span_starts = np.array([s for s, _ in spans])
    span_ends = np.array([e for _, e in spans])
    nearest = np.searchsorted(span_starts, starts, side="right") - 1
    return (nearest >= 0) & (starts < span_ends[np.maximum(nearest, 0)])


@dataclass
class _Run:
    """Consecutive matching tokens on one diagonal: ``a[a0:a1]`` equals ``b[b0:b1]``."""

    a0: int
    a1: int
    b0: int
    b1: int
    evidence: bool  #: has at least one quotation-free matching n-gram


@dataclass
class _Draft:
    """A passage being built from runs: ``a[a0:a1]`` against ``b[b0:b1]``."""

    a0: int
    a1: int
    b0: int
    b1: int
    evidence: bool = False


def align_passages(a: str, b: str, *, ngram: int = 5, max_gap: int = 12,
                   min_words: int = 8) -> list[Passage]:
    """Passages of ``a`` and ``b`` that share their wording, in ``a``'s order.

    ``max_gap`` is the most unmatched tokens (in either text) bridged inside one passage;
    passages with fewer than ``min_words`` matched quotation-free words, or made only of
    quoted text, are dropped.
    """
    pa, pb = profiles([a, b], ngram)
    return align_profiles(pa, pb, max_gap=max_gap, min_words=min_words)[0]


def align_profiles(pa: TextProfile, pb: TextProfile, *, max_gap: int = 12,
                   min_words: int = 8) -> tuple[list[Passage], list[int]]:
    """:func:`align_passages` on profiles; also returns each passage's count of matched
    quotation-free words (in ``a``). :func:`aligned` also gives the sentences each spans."""
    passages, words, _ = aligned(pa, pb, max_gap=max_gap, min_words=min_words)
    return passages, words


def aligned(pa: TextProfile, pb: TextProfile, *, max_gap: int = 12,
            min_words: int = 8) -> tuple[list[Passage], list[int], list[int]]:
    """:func:`align_profiles`, plus how many sentences of ``a`` each passage spans
    (:meth:`TextProfile.sentences_in`)."""
    runs = _runs(pa, pb)
    drafts = _one_to_one(_merge(runs, max_gap, pa.ngram))
    covered_a = _coverage(len(pa.token_hashes), [(r.a0, r.a1) for r in runs])
    covered_b = _coverage(len(pb.token_hashes), [(r.b0, r.b1) for r in runs])
    passages, words, sentences = [], [], []
    for draft in sorted(drafts, key=lambda d: d.a0):
        _extend(draft, pa, pb, covered_a, covered_b)
        free_words = int((covered_a[draft.a0 : draft.a1] & ~pa.quoted[draft.a0 : draft.a1]).sum())
        if not draft.evidence or free_words < min_words:
            continue
        matched = covered_a[draft.a0 : draft.a1].sum() + covered_b[draft.b0 : draft.b1].sum()
        similarity = float(matched / ((draft.a1 - draft.a0) + (draft.b1 - draft.b0)))
        a_end, b_end = _through_punctuation(pa.text, int(pa.ends[draft.a1 - 1]),
                                            pb.text, int(pb.ends[draft.b1 - 1]))
        passages.append(Passage(
            a_start=int(pa.starts[draft.a0]), a_end=a_end,
            b_start=int(pb.starts[draft.b0]), b_end=b_end,
            similarity=round(similarity, 4),
            kind="verbatim" if similarity >= VERBATIM else "edited",
        ))
        words.append(free_words)
        sentences.append(pa.sentences_in(draft.a0, draft.a1))
    return passages, words, sentences


def _runs(pa: TextProfile, pb: TextProfile, max_repeats: int = 4) -> list[_Run]:
    """Matching n-grams chained along diagonals into runs of equal tokens."""
    order = np.argsort(pb.windows, kind="stable")
    sorted_b = pb.windows[order]
    lo = np.searchsorted(sorted_b, pa.windows, side="left")
    hi = np.searchsorted(sorted_b, pa.windows, side="right")
    counts = hi - lo
    counts[counts > max_repeats] = 0  # n-grams repeated many times pin nothing down
    i = np.repeat(np.arange(len(pa.windows)), counts)
    j = order[np.repeat(lo, counts) + np.arange(counts.sum())
               - np.repeat(np.cumsum(counts) - counts, counts)]
    if not len(i):
        return []
    free = ~pa.window_quoted[i] & ~pb.window_quoted[j]
    diagonal = j - i
    by_diagonal = np.lexsort((i, diagonal))
    i, diagonal, free = i[by_diagonal], diagonal[by_diagonal], free[by_diagonal]
    breaks = np.flatnonzero((np.diff(diagonal) != 0) | (np.diff(i) != 1)) + 1
    bounds = np.concatenate([[0], breaks, [len(i)]])
    ngram = pa.ngram
    return [
        _Run(int(i[s]), int(i[e - 1]) + ngram, int(i[s] + diagonal[s]),
             int(i[e - 1] + diagonal[s]) + ngram, bool(free[s:e].any()))
        for s, e in zip(bounds[:-1], bounds[1:])
    ]


def _merge(runs: list[_Run], max_gap: int, ngram: int) -> list[_Draft]:
    """Merge runs into drafts: a run joins an open draft it follows closely in both texts."""
    drafts: list[_Draft] = []
    for run in sorted(runs, key=lambda r: (r.a0, r.b0)):
        for draft in reversed(drafts[-8:]):
            gap_a, gap_b = run.a0 - draft.a1, run.b0 - draft.b1
            if -ngram <= gap_a <= max_gap and -ngram <= gap_b <= max_gap:
                draft.a1, draft.b1 = max(draft.a1, run.a1), max(draft.b1, run.b1)
                draft.evidence |= run.evidence
                break
        else:
            drafts.append(_Draft(run.a0, run.a1, run.b0, run.b1, run.evidence))
    return drafts


def _one_to_one(drafts: list[_Draft]) -> list[_Draft]:
    """Keep the longest drafts and drop those overlapping a kept one in either text."""
    kept: list[_Draft] = []
    for draft in sorted(drafts, key=lambda d: d.a1 - d.a0, reverse=True):
        if not any(draft.a0 < k.a1 and k.a0 < draft.a1 or draft.b0 < k.b1 and k.b0 < draft.b1
                   for k in kept):
            kept.append(draft)
    return kept


def _coverage(size: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """A boolean mask of the tokens inside any span."""
    delta = np.zeros(size + 1, dtype=np.int32)
    for start, end in spans:
        delta[start] += 1
        delta[end] -= 1
    return np.cumsum(delta[:-1]) > 0


def _extend(draft: _Draft, pa: TextProfile, pb: TextProfile, covered_a: np.ndarray,
            covered_b: np.ndarray) -> None:
    """Grow a draft over equal tokens on both sides (shorter than an n-gram, so unseeded)."""
    ha, hb = pa.token_hashes, pb.token_hashes
    while draft.a0 > 0 and draft.b0 > 0 and ha[draft.a0 - 1] == hb[draft.b0 - 1]:
        draft.a0 -= 1
        draft.b0 -= 1
        covered_a[draft.a0] = covered_b[draft.b0] = True
    while draft.a1 < len(ha) and draft.b1 < len(hb) and ha[draft.a1] == hb[draft.b1]:
        covered_a[draft.a1] = covered_b[draft.b1] = True
        draft.a1 += 1
        draft.b1 += 1


def _through_punctuation(a: str, a_end: int, b: str, b_end: int) -> tuple[int, int]:
    """Move both ends past the punctuation that follows them in both texts alike."""
    while (a_end < len(a) and b_end < len(b) and a[a_end] == b[b_end]
           and not a[a_end].isspace() and not a[a_end].isalnum()):
        a_end += 1
        b_end += 1
    return a_end, b_end


@dataclass
class Overlap:
    """Shared wording between two texts ``a`` and ``b``.

    ``containment_a`` is the share of ``a``'s quotation-free word shingles found in ``b``;
    ``covered_a`` the share of ``a``'s characters inside passages (likewise for ``b``).
    """

    jaccard: float
    containment_a: float
    containment_b: float
    passages: list[Passage]
    covered_a: float
    covered_b: float
    passage_words: list[int] = field(default_factory=list)  #: matched quote-free words per passage
    passage_sentences: list[int] = field(default_factory=list)  #: sentences of ``a`` per passage
    shingles_a: int = 0
    shingles_b: int = 0
    shared: int = 0
    figures: int = 0  #: distinct figures in the passages of the side that states fewer
    figures_kept: int = 0  #: how many of those the other side's passages state too
    #: the passages make one block both texts close with (or open with), about neither rest,
    #: and the rests tell other stories: an outlet's note (:func:`edge_note`)
    edge_note: bool = False

    def swapped(self) -> Overlap:
        """The same overlap seen from ``b``: ``a`` and ``b`` trade places."""
        passages = [replace(p, a_start=p.b_start, a_end=p.b_end, b_start=p.a_start, b_end=p.a_end)
                    for p in self.passages]
        order = sorted(range(len(passages)), key=lambda k: passages[k].a_start)
        return replace(
            self, containment_a=self.containment_b, containment_b=self.containment_a,
            covered_a=self.covered_b, covered_b=self.covered_a,
            passages=[passages[k] for k in order],
            passage_words=[self.passage_words[k] for k in order] if self.passage_words else [],
            passage_sentences=([self.passage_sentences[k] for k in order]
                               if self.passage_sentences else []),
            shingles_a=self.shingles_b, shingles_b=self.shingles_a,
        )


def shingle_overlap(shingles_a: np.ndarray,
                    shingles_b: np.ndarray) -> tuple[int, float, float, float]:
    """``(shared, jaccard, containment_a, containment_b)`` of two sorted unique hash arrays."""
    shared = len(np.intersect1d(shingles_a, shingles_b, assume_unique=True))
    union = len(shingles_a) + len(shingles_b) - shared
    return (shared, shared / union if union else 0.0,
            shared / len(shingles_a) if len(shingles_a) else 0.0,
            shared / len(shingles_b) if len(shingles_b) else 0.0)


def overlap_of(pa: TextProfile, pb: TextProfile, shingles_a: np.ndarray | None = None,
               shingles_b: np.ndarray | None = None) -> Overlap:
    """The :class:`Overlap` of two profiled texts (pass their ``shingles`` if at hand)."""
    sa = pa.shingles if shingles_a is None else shingles_a
    sb = pb.shingles if shingles_b is None else shingles_b
    shared, jaccard, containment_a, containment_b = shingle_overlap(sa, sb)
    passages, words, sentences = aligned(pa, pb) if shared else ([], [], [])
    return Overlap(
        jaccard=jaccard, containment_a=containment_a, containment_b=containment_b,
        passages=passages,
        covered_a=_covered_share(len(pa.text), [(p.a_start, p.a_end) for p in passages]),
        covered_b=_covered_share(len(pb.text), [(p.b_start, p.b_end) for p in passages]),
        passage_words=words, passage_sentences=sentences, shingles_a=len(sa),
        shingles_b=len(sb), shared=shared, **passage_figures(pa.text, pb.text, passages),
        edge_note=edge_note(pa, pb, passages),
    )


#: An outlet's note is at most as long as what each text says besides it, and this many words.
NOTE_REST_WORDS = 40
#: ... and at most this many words itself (a series or funding note, a bio, an editor's note).
NOTE_MAX_WORDS = 120
#: The rests of two texts carrying one note are other stories: they share at most this many
#: names (a weekday, a country). The note is about neither: it shares with each rest at most
#: one name, or a third of its own names.
NOTE_SHARED_NAMES = 2
#: Characters a closing block may start into its paragraph ("This story" against "This article").
_NOTE_LEAD_CHARS = 40
#: What a note says of the outlet, the article or its author, one of which it holds: "we",
#: "our", "this story", a series, a newsletter, "follow", an address, "contributed", "is a
#: reporter", "supported by", a grant, a disclosure, a correction, "all rights reserved".
_NOTE_CUE = re.compile(
    r"\b(?:[Ww]e|[Oo]ur|us)\b|@|(?i:\b(?:this (?:story|article|report|piece|series|project|coverage|content)"
    r"|series|newsletter|subscribe|sign up|follow|e-?mail|contact|reach (?:him|her|them)|contributed"
    r"|covers|(?:is|are) an? (?:\w+ )?(?:reporter|writer|editor|correspondent|columnist|contributor|journalist"
    r"|producer|fellow)|editor'?s note|supported by|funded by|grant|partnership|disclos\w*|correction"
    r"|rights reserved)\b)")
_TRAILING = " \t\n.!?\"'”’)]"


def edge_note(pa: TextProfile, pb: TextProfile, passages: Sequence[Passage]) -> bool:
    """Whether the shared wording is a note both texts close (or open) with and nothing
    else: a series or funding note, an author's bio, an editor's note, that one outlet puts
    on its articles. The passages reach the end (or start) of both texts from a paragraph's
    start, at most ``NOTE_MAX_WORDS`` words, speaking of the outlet, the article or its
    author (:data:`_NOTE_CUE`); each text says at least as much besides them
    (``NOTE_REST_WORDS`` words or more); the rests share at most ``NOTE_SHARED_NAMES``
    names, so they tell other stories, and the note hardly any with either, so it is about
    neither. A copy keeps the names of its story; an excerpt says nothing besides what it
    shares; a lede lifted to open a roundup names what the rest of its own article does."""
    if not passages:
        return False
    a0, a1 = min(p.a_start for p in passages), max(p.a_end for p in passages)
    b0, b1 = min(p.b_start for p in passages), max(p.b_end for p in passages)
    closing = not pa.text[a1:].strip(_TRAILING) and not pb.text[b1:].strip(_TRAILING)
    opening = not pa.text[:a0].strip() and not pb.text[:b0].strip()
    if closing == opening:
        return False
    if closing and not (_opens_paragraph(pa.text, a0) and _opens_paragraph(pb.text, b0)):
        return False
    if _NOTE_CUE.search(pa.text, a0, a1) is None:  # says nothing of an outlet or an author
        return False
    rests = []
    for profile, start, end in ((pa, a0, a1), (pb, b0, b1)):
        inside = int(np.searchsorted(profile.starts, end) - np.searchsorted(profile.starts, start))
        rest = len(profile.starts) - inside
        if inside > NOTE_MAX_WORDS or rest < max(NOTE_REST_WORDS, inside):
            return False
        rests.append(names(profile.text[:start] if closing else profile.text[end:]))
    note = names(pa.text[a0:a1])
    about = max(1, len(note) // 3)  #: names the note may share with a rest
    return (len(rests[0] & rests[1]) <= NOTE_SHARED_NAMES
            and len(note & rests[0]) <= about and len(note & rests[1]) <= about)


def _opens_paragraph(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    return line_start > 0 and at - line_start <= _NOTE_LEAD_CHARS


def passage_figures(a: str, b: str, passages: Sequence[Passage]) -> dict[str, int]:
    """``figures`` and ``figures_kept`` of an :class:`Overlap`: the distinct figures
    (:func:`~newstrace.text.names.numbers`) that the passages state in ``a`` and in ``b``,
    counted on the side that states fewer, and how many of them both sides state."""
    if not passages:
        return {"figures": 0, "figures_kept": 0}
    in_a = set().union(*(numbers(a[p.a_start : p.a_end]) for p in passages))
    in_b = set().union(*(numbers(b[p.b_start : p.b_end]) for p in passages))
    return {"figures": min(len(in_a), len(in_b)), "figures_kept": len(in_a & in_b)}


def identical_overlap(profile: TextProfile, *, min_words: int = 8) -> Overlap:
    """The :class:`Overlap` of a text with an identical copy of itself, without aligning:
    one verbatim passage over all its words (none if it has fewer than ``min_words``).
    Quotations and boilerplate count here, unlike between different texts: two
    publications of one whole text are one text, even one that only pastes a statement or
    lists results."""
    shingles = sorted_unique(profile.windows)[0]
    share = 1.0 if len(shingles) else 0.0
    words = len(profile.token_hashes)
    passages, passage_words, sentences = [], [], []
    if len(shingles) and words >= min_words:
        end, _ = _through_punctuation(profile.text, int(profile.ends[-1]), profile.text,
                                      int(profile.ends[-1]))
        start = int(profile.starts[0])
        passages = [Passage(a_start=start, a_end=end, b_start=start, b_end=end, similarity=1.0)]
        passage_words = [words]
        sentences = [profile.sentences_in(0, words)]
    covered = _covered_share(len(profile.text), [(p.a_start, p.a_end) for p in passages])
    return Overlap(jaccard=share, containment_a=share, containment_b=share, passages=passages,
                   covered_a=covered, covered_b=covered, passage_words=passage_words,
                   passage_sentences=sentences, shingles_a=len(shingles), shingles_b=len(shingles),
                   shared=len(shingles))


def lexical_overlap(a: str, b: str, *, ngram: int = 5,
                    boilerplate: Boilerplate | None = None) -> Overlap:
    """Shingle Jaccard and containments (quotations and ``boilerplate`` left out) and
    aligned passages; for two identical texts, :func:`identical_overlap`."""
    pa, pb = profiles([a, b], ngram, boilerplate=boilerplate)
    return identical_overlap(pa) if a == b else overlap_of(pa, pb)


def _covered_share(length: int, spans: list[tuple[int, int]]) -> float:
    return sum(end - start for start, end in spans) / length if length else 0.0
