"""Near-copy detection for a batch: MinHash + LSH candidates, exact verification, alignment.

Candidates come from :class:`~newstrace.match.lsh.LSHIndex`; each is verified with the
exact quotation-free shingle overlap (Jaccard and containment both ways), and only pairs
that share enough wording are aligned into passages and given a verdict by
:func:`classify_overlap`. With a :class:`~newstrace.match.boilerplate.BoilerplateIndex`, text
recurring across the collection is masked from the evidence like quotations, so articles
sharing only an editor's note or site furniture are not near copies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from newstrace.match.align import (
    Boilerplate,
    Overlap,
    identical_overlap,
    overlap_of,
    profiles,
    shingle_overlap,
)
from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.match.fingerprint import MinHasher, sorted_unique
from newstrace.match.lsh import LSHIndex, Prepared

#: Both containments at least this: the same text ("duplicate").
DUPLICATE_CONTAINMENT = 0.9
#: A reproduction with edits ("copy"): the larger containment or the share of the shorter
#: text inside passages reaches ``COPY_SHARE``, and both reach ``COPY_FLOOR`` (edited
#: paragraphs lose shingles but stay inside passages).
COPY_SHARE = 0.5
COPY_FLOOR = 0.3
#: Any lexical verdict needs at least this many shared word 5-grams (14 words in order,
#: quotations aside): two short texts that are the same (a six-word headline, a formula
#: such as "The company did not immediately respond to a request for comment.") can be
#: written apart; a sentence of 14 words or more rarely is.
COPY_MIN_SHARED = 10
#: Partial reuse needs substantial shared text, not one sentence that many articles carry:
#: a passage of this many quotation-free words spanning at least three sentences (two
#: common sentences can meet by chance; a lifted paragraph or more is reuse),
PARTIAL_PASSAGE_WORDS = 25
PARTIAL_PASSAGE_SENTENCES = 3
#: or one passage this long (longer than nearly every single sentence),
PARTIAL_LONG_PASSAGE_WORDS = 80
#: or this share of one text's shingles found in the other, counting at least
#: ``PARTIAL_MIN_SHARED`` shingles.
PARTIAL_CONTAINMENT = 0.25
PARTIAL_MIN_SHARED = 20
#: Shared wording that states other figures is a template, not reuse: when the passages
#: state at least ``TEMPLATE_FIGURES`` distinct figures on each side and fewer than
#: ``TEMPLATE_FIGURES_KEPT`` of them are the same on both (automated earnings and sports
#: reports, daily rate and market tables: one outlet's frame filled with other facts). A copy
#: keeps its source's figures, an update most of them: every figure of the passages of
#: PolNeAR's seven republications and of the seeds' CNN copy is kept.
TEMPLATE_FIGURES = 5
TEMPLATE_FIGURES_KEPT = 0.5
#: Verified pairs sharing fewer shingles than this are not aligned (no 25-word passage
#: can hide in fewer).
ALIGN_MIN_SHARED = 10


@dataclass
class NearCopy:
    """Two texts that share wording, ``relation`` being :func:`classify_overlap`'s verdict."""

    a_key: str
    b_key: str
    overlap: Overlap
    relation: str


def classify_overlap(overlap: Overlap) -> str | None:
    """``"duplicate"``, ``"copy"``, ``"partial"`` or ``None`` (no lexical reuse)."""
    low, high = sorted((overlap.containment_a, overlap.containment_b))
    if overlap.shared < COPY_MIN_SHARED:
        return None
    if low >= DUPLICATE_CONTAINMENT:
        return "duplicate"
    if filled_template(overlap) or overlap.edge_note:
        return None
    shorter_covered = (overlap.covered_a if overlap.shingles_a <= overlap.shingles_b
                       else overlap.covered_b)
    if (max(high, shorter_covered) >= COPY_SHARE
            and min(high, shorter_covered) >= COPY_FLOOR):
        return "copy"
    if substantial_passage(overlap):
        return "partial"
    if high >= PARTIAL_CONTAINMENT and overlap.shared >= PARTIAL_MIN_SHARED:
        return "partial"
    return None


def filled_template(overlap: Overlap) -> bool:
    """Whether the shared wording is a frame filled with other facts: the passages state
    ``TEMPLATE_FIGURES`` or more figures on each side, and fewer than ``TEMPLATE_FIGURES_KEPT``
    of them agree."""
    return (overlap.figures >= TEMPLATE_FIGURES
            and overlap.figures_kept < TEMPLATE_FIGURES_KEPT * overlap.figures)


def substantial_passage(overlap: Overlap) -> bool:
    """Whether a passage is reuse on its own: at least ``PARTIAL_PASSAGE_WORDS`` words over
    ``PARTIAL_PASSAGE_SENTENCES`` sentences or more, or ``PARTIAL_LONG_PASSAGE_WORDS`` words."""
    sentences = overlap.passage_sentences or [PARTIAL_PASSAGE_SENTENCES] * len(overlap.passage_words)
    return any(words >= PARTIAL_LONG_PASSAGE_WORDS
               or (words >= PARTIAL_PASSAGE_WORDS and spanned >= PARTIAL_PASSAGE_SENTENCES)
               for words, spanned in zip(overlap.passage_words, sentences))


def find_near_copies(
    texts: Sequence[str],
    keys: Sequence[str] | None = None,
    *,
    index: LSHIndex | None = None,
    signatures: np.ndarray | Prepared | None = None,
    texts_of: Callable[[str], str] | None = None,
    hasher: MinHasher | None = None,
    boilerplate: Boilerplate | None = None,
) -> list[NearCopy]:
    """Pairs sharing wording among ``texts`` and between them and ``index``.

    ``signatures`` are the texts' MinHash signatures (computed with ``hasher`` when not
    given), or the index's :class:`~newstrace.match.lsh.Prepared` keys for them. With a
    non-empty ``index``, ``texts_of(key)`` must read indexed texts. The batch is added to
    ``index`` afterwards, so successive calls find pairs across batches. In each pair ``a_key`` is the indexed or earlier text; pairs come in the
    order of their later text, then of their earlier one, however the texts are batched.
    Sentences ``boilerplate`` flags are not evidence (see :func:`verify_candidates`).
    """
    keys = [str(i) for i in range(len(texts))] if keys is None else list(keys)
    if len(keys) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(keys)} keys")
    index = LSHIndex() if index is None else index
    if signatures is None:
        signatures = (hasher or MinHasher()).signatures(texts)
    known = len(index)
    if texts_of is None and known:
        raise ValueError("an index already holding texts needs texts_of to read them")
    pairs = index.insert(keys, signatures)
    pairs = pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]
    names = index.keys
    lookup = {i: texts[i - known] for i in range(known, len(names))}
    for i in sorted_unique(pairs[:, 0])[0].tolist():
        if i < known:
            lookup[i] = texts_of(names[i])  # type: ignore[misc]
    return verify_candidates(pairs, names, lookup, boilerplate=boilerplate)


def verify_candidates(pairs: np.ndarray | Sequence[tuple[int, int]], keys: Sequence[str],
                      texts: Sequence[str] | dict[int, str], *,
                      boilerplate: Boilerplate | None = None) -> list[NearCopy]:
    """Near copies among candidate ``pairs`` of positions into ``keys`` and ``texts``:
    exact shingle overlap (quotations and ``boilerplate`` left out) first, then alignment
    and :func:`classify_overlap` for pairs sharing at least ``ALIGN_MIN_SHARED`` shingles.
    With a :class:`~newstrace.match.boilerplate.BoilerplateIndex` holding the texts (by key),
    pairs that share no run of two sentences outside boilerplate are dropped first
    (:meth:`~newstrace.match.boilerplate.BoilerplateIndex.share_free_text`)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if isinstance(boilerplate, BoilerplateIndex) and len(pairs):
        pairs = pairs[boilerplate.share_free_text([(keys[i], keys[j]) for i, j in pairs.tolist()])]
    involved = sorted_unique(pairs.ravel())[0].tolist()
    profiled = dict(zip(involved, profiles([texts[i] for i in involved],
                                           boilerplate=boilerplate)))
    shingles = {i: p.shingles for i, p in profiled.items()}
    found = []
    for i, j in pairs.tolist():
        if profiled[i].text == profiled[j].text:
            overlap = identical_overlap(profiled[i])
        else:
            shared, *_ = shingle_overlap(shingles[i], shingles[j])
            if shared < ALIGN_MIN_SHARED:
                continue
            overlap = overlap_of(profiled[i], profiled[j], shingles[i], shingles[j])
        relation = classify_overlap(overlap)
        if relation is not None:
            found.append(NearCopy(keys[i], keys[j], overlap, relation))
    return found
