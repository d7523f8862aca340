"""The compare page: two articles side by side, their aligned passages marked and linked
to each other, the shares of each in the other, and a word-level differences view."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from newstrace.match.align import lexical_overlap
from newstrace.match.compare import directed, lexical_verdict
from newstrace.model import Article, Comparison, Relation
from newstrace.report.view import AlignedPassage, aligned_passages, passage_counts
from newstrace.store import Store
from newstrace.web.views.article import text_marks
from newstrace.web.views.common import Mark, Piece, article_json, pieces, relation_json

#: Texts longer than this many words get no differences view (the diff is quadratic).
DIFF_MAX_WORDS = 20_000
_TOKEN = re.compile(r"\S+\s*")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DiffPart:
    """A run of words both texts share (``same``), only A has (``del``) or only B (``ins``)."""

    kind: str
    text: str


@dataclass(frozen=True)
class ComparePage:
    a: Article
    b: Article
    relation: Relation
    stored: bool  #: the verdict is the store's (else computed for this page)
    passages: list[AlignedPassage]  #: oriented A → B
    a_pieces: list[Piece]
    b_pieces: list[Piece]
    diff: list[DiffPart] | None  #: ``None`` when the texts are too long to diff

    @property
    def a_in_b(self) -> float:
        """Share of A's wording found in B."""
        return self.relation.containment_a if self.relation.a == self.a.id else self.relation.containment_b

    @property
    def b_in_a(self) -> float:
        return self.relation.containment_b if self.relation.a == self.a.id else self.relation.containment_a

    @property
    def words_in_common(self) -> int:
        """Words of A inside the passages aligned with B."""
        return sum(len(_WORD.findall(p.source_text)) for p in self.passages)

    @property
    def passage_summary(self) -> str:
        return passage_counts(self.passages)


def build(store: Store, a_id: str, b_id: str) -> ComparePage | None:
    """The compare page of two stored articles (``None`` when either is missing): the
    stored verdict on the pair, else :func:`wording_only` computed now."""
    with store.snapshot():
        a, b = store.article(a_id), store.article(b_id)
        relation = store.relation(a_id, b_id)
    if a is None or b is None:
        return None
    stored = relation is not None
    if relation is None:
        relation = Relation(a.id, b.id, wording_only(a, b))
    passages = aligned_passages(relation, a, b) if a.id != b.id else []
    a_marks = [Mark(p.source_start, p.source_end, "passage", p.number) for p in passages] + text_marks(a)
    b_marks = [Mark(p.copy_start, p.copy_end, "passage", p.number) for p in passages] + text_marks(b)
    return ComparePage(a, b, relation, stored, passages, pieces(a.text, a_marks), pieces(b.text, b_marks),
                       differences(a.text, b.text))


def wording_only(a: Article, b: Article) -> Comparison:
    """The verdict of shared wording alone, directed (no sentence-vector rewrite check, which
    takes seconds): for a pair the store holds no verdict on, ``analyze`` found no reason to
    compare them."""
    overlap = lexical_overlap(a.text, b.text)
    verdict = lexical_verdict(overlap) or Comparison(
        relation="unrelated", source=None, score=0.0, jaccard=round(overlap.jaccard, 4),
        containment_a=round(overlap.containment_a, 4), containment_b=round(overlap.containment_b, 4),
        passages=overlap.passages)
    return directed(verdict, a, b, names=(a.label, b.label))


def differences(a: str, b: str) -> list[DiffPart] | None:
    """Word-level differences from ``a`` to ``b`` (``None`` past :data:`DIFF_MAX_WORDS`)."""
    a_tokens, b_tokens = _TOKEN.findall(a), _TOKEN.findall(b)
    if max(len(a_tokens), len(b_tokens)) > DIFF_MAX_WORDS:
        return None
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(None, a_tokens, b_tokens, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart("same", "".join(a_tokens[a0:a1])))
            continue
        if a1 > a0:
            parts.append(DiffPart("del", "".join(a_tokens[a0:a1])))
        if b1 > b0:
            parts.append(DiffPart("ins", "".join(b_tokens[b0:b1])))
    return parts


def to_json(page: ComparePage) -> dict[str, Any]:
    return {
        "a": article_json(page.a), "b": article_json(page.b),
        "relation": relation_json(page.relation), "stored": page.stored,
        "a_in_b": round(page.a_in_b, 4), "b_in_a": round(page.b_in_a, 4), "words_in_common": page.words_in_common,
        "passages": [{"n": p.number, "a_start": p.source_start, "a_end": p.source_end, "b_start": p.copy_start,
                      "b_end": p.copy_end, "kind": p.kind, "similarity": round(p.similarity, 4)}
                     for p in page.passages],
        "quotes": {side: [[m.start, m.end] for m in text_marks(article) if m.kind == "quote"]
                   for side, article in (("a", page.a), ("b", page.b))},
        "boilerplate": {"a": list(page.a.boilerplate), "b": list(page.b.boilerplate)},
        "differences": None if page.diff is None else [{"kind": d.kind, "text": d.text} for d in page.diff],
    }
