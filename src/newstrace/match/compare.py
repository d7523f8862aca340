"""The verdict on a pair of texts: shared wording first, then rewrites, then same event.

:func:`compare` is the one-pair entry point of the public API; the collection pipeline
(:mod:`newstrace.engine.local`) finds candidate pairs in batches (:mod:`newstrace.match.nearcopy`,
:mod:`newstrace.encode.index`) and reaches the same verdicts through :func:`judge` and
:func:`directed`.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from newstrace.match.align import Boilerplate, Overlap, lexical_overlap
from newstrace.encode.runtime import Encoder
from newstrace.model import Article, Comparison
from newstrace.match.nearcopy import ALIGN_MIN_SHARED, DUPLICATE_CONTAINMENT, classify_overlap, filled_template
from newstrace.match.paraphrase import align_sentences, kept_profiles, kept_wording, paraphrase_verdict
from newstrace.relate import infer_direction
from newstrace.text.language import language_of

#: Whole-text similarity (mean sentence vectors) from which two texts are one story.
SAME_STORY_SIMILARITY = 0.6

Text = Union[Article, str]


def as_article(text: Text) -> Article:
    """An :class:`Article` as is, or a plain string wrapped as one (offsets index the string)."""
    return text if isinstance(text, Article) else Article.from_text(text)


def lexical_relation(overlap: Overlap) -> str | None:
    """:func:`~newstrace.match.nearcopy.classify_overlap`'s verdict, held to the evidence the
    near-copy stage asks of every pair it verifies: a ``copy`` or ``partial`` shares at least
    ``ALIGN_MIN_SHARED`` word shingles (a run of some 14 words), however short the texts,
    unless one text is (nearly: ``DUPLICATE_CONTAINMENT``) all inside the other, as a short
    excerpt is. Two leads of one event that share the seven words naming what the event is
    about are not a copy for being 18 words long."""
    relation = classify_overlap(overlap)
    if (relation not in (None, "duplicate") and overlap.shared < ALIGN_MIN_SHARED
            and max(overlap.containment_a, overlap.containment_b) < DUPLICATE_CONTAINMENT):
        return None
    return relation


def lexical_verdict(overlap: Overlap) -> Comparison | None:
    """A ``duplicate``/``copy``/``partial`` comparison from shared wording
    (:func:`lexical_relation`), or ``None``."""
    relation = lexical_relation(overlap)
    if relation is None:
        return None
    score = max(overlap.containment_a, overlap.containment_b, overlap.jaccard)
    return Comparison(
        relation=relation, source=None, score=round(score, 4), jaccard=round(overlap.jaccard, 4),
        containment_a=round(overlap.containment_a, 4), containment_b=round(overlap.containment_b, 4),
        passages=overlap.passages,
        signals={"jaccard": overlap.jaccard, "containment_a": overlap.containment_a,
                 "containment_b": overlap.containment_b, "covered_a": overlap.covered_a,
                 "covered_b": overlap.covered_b},
    )


def template_verdict(overlap: Overlap) -> Comparison:
    """``unrelated``, with the evidence, for two texts whose shared wording is one frame filled
    with other facts (:func:`~newstrace.match.nearcopy.filled_template`): two companies'
    automated results, two games' recaps. They are not one report, nor one event."""
    return _unrelated(overlap, f"the shared wording is a frame filled with other facts: {overlap.figures_kept} of "
                               f"{overlap.figures} figures in the shared passages agree",
                      passages=overlap.passages,
                      signals={"figures": overlap.figures, "figures_kept": overlap.figures_kept})


def note_verdict(overlap: Overlap) -> Comparison:
    """``unrelated``, with the evidence, for two texts that share only a note both close (or
    open) with, and otherwise tell other stories (:func:`~newstrace.match.align.edge_note`):
    an outlet's series or funding note, an author's bio. They are not one report."""
    return _unrelated(overlap, "the only shared wording is a note both texts carry at one end; what each says "
                               "besides it names hardly anything the other does",
                      passages=overlap.passages, signals={"edge_note": 1.0})


def unread_verdict(overlap: Overlap) -> Comparison:
    """``unrelated``, with the reason, for a pair without shared wording of which a text is
    not in English: the sentence models read English only (:mod:`newstrace.text.language`),
    so neither a rewrite nor one event is judged from them."""
    return _unrelated(overlap, "a text not in English: judged by its shared wording only")


def _unrelated(overlap: Overlap, reason: str, **evidence: Any) -> Comparison:
    """An ``unrelated`` comparison with the ``overlap``'s shingle figures, a ``reason`` and
    any other ``evidence`` (``passages``, ``signals``)."""
    return Comparison(
        relation="unrelated", source=None, score=0.0, jaccard=round(overlap.jaccard, 4),
        containment_a=round(overlap.containment_a, 4), containment_b=round(overlap.containment_b, 4),
        passages=evidence.pop("passages", []), reasons=[reason], **evidence,
    )


def needs_rewrite_check(overlap: Overlap) -> bool:
    """Whether :func:`judge` needs the sentence alignment (and so sentence vectors) for a pair
    with this ``overlap``: shared wording decides ``duplicate`` and ``copy`` on its own."""
    return lexical_relation(overlap) in (None, "partial")


def rewrite_verdict(
    a: str, b: str, overlap: Overlap, *, encoder: Encoder | None = None,
    vecs_a: np.ndarray | None = None, vecs_b: np.ndarray | None = None,
    boilerplate: Boilerplate | None = None,
) -> Comparison:
    """``paraphrase``, ``same_story`` or ``unrelated`` for a pair with no (or only partial)
    lexical reuse: the sentence alignment (``boilerplate`` sentences no evidence) and the
    wording kept outside quotations and ``boilerplate`` decide
    (:func:`newstrace.match.paraphrase.paraphrase_verdict`)."""
    profiled = kept_profiles(a, b, boilerplate=boilerplate)
    alignment = align_sentences(a, b, encoder=encoder, vecs_a=vecs_a, vecs_b=vecs_b, profiled=profiled)
    verdict = paraphrase_verdict(alignment, kept_wording(a, b, overlap, profiled=profiled))
    similarity = float(alignment.text_similarity)
    if verdict.is_paraphrase:
        relation, score, passages = "paraphrase", verdict.score, alignment.passages
    elif similarity >= SAME_STORY_SIMILARITY:
        relation, score, passages = "same_story", similarity, []
    else:
        relation, score, passages = "unrelated", similarity, []
    signals = {"text_similarity": round(similarity, 4), "paraphrase_score": round(verdict.score, 4)}
    signals.update({k: round(float(v), 4) for k, v in verdict.features.items()})
    return Comparison(
        relation=relation, source=None, score=round(float(score), 4), jaccard=round(overlap.jaccard, 4),
        containment_a=round(overlap.containment_a, 4), containment_b=round(overlap.containment_b, 4),
        passages=passages, signals=signals,
    )


def directed(comparison: Comparison, a: Article, b: Article, *, names: tuple[str, str] = ("a", "b")) -> Comparison:
    """Fill in ``source``, ``confidence`` and ``reasons`` of a derived comparison
    (``names``: how the reasons call ``a`` and ``b``)."""
    if not comparison.derived:
        return comparison
    direction = infer_direction(
        a, b, comparison.relation,
        containment_a=comparison.containment_a, containment_b=comparison.containment_b,
        names=names,
    )
    comparison.source = direction.source
    comparison.confidence = direction.confidence
    comparison.reasons = direction.reasons
    return comparison


def compare(a: Text, b: Text, *, encoder: Encoder | None = None) -> Comparison:
    """Compare two articles (or plain strings) and say how they relate, with the evidence.

    >>> compare("Kim met Putin on Wednesday.", "A storm hit Lisbon.").relation
    'unrelated'
    """
    names = (a.label, b.label) if isinstance(a, Article) and isinstance(b, Article) else ("a", "b")
    a, b = as_article(a), as_article(b)
    english = a.language is None and b.language is None  # a plain string's found from its text
    return directed(judge(a.text, b.text, encoder=encoder, english=english), a, b, names=names)


#: A pair that reuses passages is a rewrite only when at least this much more of one text
#: restates the other's claims than its verbatim passages cover: reworded sentences beyond
#: the reuse.
REWORDED_BEYOND_REUSE = 0.25


def _rewords_beyond(lexical: Comparison, rewrite: Comparison) -> bool:
    """Whether the claim-by-claim following (``claim_a`` / ``claim_b`` of
    :func:`newstrace.match.paraphrase.paraphrase_verdict`) reaches past the passages both texts
    share word for word, on either side (else the pair is the ``partial`` reuse it looks
    like). Loose sentence similarity does not count: an independent report that lifts a
    paragraph shares the event's other facts in its own words ("no damage was reported")."""
    beyond = (rewrite.signals.get(f"claim_{side}", 0.0) - lexical.signals.get(f"covered_{side}", 0.0)
              for side in ("a", "b"))
    return max(beyond) >= REWORDED_BEYOND_REUSE


def judge(
    a: str, b: str, *, overlap: Overlap | None = None, encoder: Encoder | None = None,
    vecs_a: np.ndarray | None = None, vecs_b: np.ndarray | None = None,
    boilerplate: Boilerplate | None = None, english: bool | None = None,
) -> Comparison:
    """The undirected verdict on two texts.

    Shared wording decides first; a pair that reuses only some passages (``partial``) is also
    checked for a sentence-by-sentence rewrite, since spinners leave some phrases intact; it
    becomes a ``paraphrase`` only when the following reaches past the reused passages.
    Sentences ``boilerplate`` flags as recurring are evidence of neither, and a frame filled
    with other figures is evidence of nothing (:func:`template_verdict`). The rewrite check
    reads English only: a pair of which a text is in another language (``english`` false,
    or :func:`~newstrace.text.language.language_of` says so when it is not given) is judged
    by its shared wording alone (:func:`unread_verdict`).
    """
    overlap = overlap if overlap is not None else lexical_overlap(a, b, boilerplate=boilerplate)
    lexical = lexical_verdict(overlap)
    if lexical is None and filled_template(overlap):  # (no lexical verdict is given to one)
        return template_verdict(overlap)
    if lexical is None and overlap.edge_note:  # likewise
        return note_verdict(overlap)
    if not needs_rewrite_check(overlap):
        return lexical
    if not (english if english is not None else language_of(a) is None and language_of(b) is None):
        return lexical if lexical is not None else unread_verdict(overlap)
    rewrite = rewrite_verdict(a, b, overlap, encoder=encoder, vecs_a=vecs_a, vecs_b=vecs_b,
                              boilerplate=boilerplate)
    if lexical is not None and rewrite.relation == "paraphrase" and not _rewords_beyond(lexical, rewrite):
        rewrite.relation = "same_story"  # the following is the reused passages themselves
    if lexical is None or rewrite.relation == "paraphrase":
        if lexical is not None:
            rewrite.signals.update(lexical.signals)
        return rewrite
    lexical.signals.update(rewrite.signals)
    return lexical
