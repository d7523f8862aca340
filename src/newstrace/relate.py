"""Direction of a derivation (which article is the original) and the provenance graph.

Direction is decided by weighing independent signs, each with a reason a person can check:
an earlier date, a wire credit or byline the other lacks, blog boilerplate added by a
republisher, quotations kept by the original but mangled by a rewrite, and containment
asymmetry. Across a collection the derived relations form a directed graph; an article with
no source inside the collection is an *independent report*, and every derived article is
attributed to the root it descends from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Sequence

from newstrace.model import Article, Derivation, Relation

#: Boilerplate a republishing blog or scraper adds around a copied article.
_REPUBLISHER_MARKS = re.compile(
    r"leave a (reply|comment)|required fields are marked|your email address will not be published"
    r"|post navigation|related posts|share this:|like this:|source link|originally (published|appeared)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“”]([^\"“”]{12,}?)[\"“”]")

#: Ranking used to pick the main parent of an article derived from several.
_RELATION_RANK = {"duplicate": 4, "copy": 3, "paraphrase": 2, "partial": 1}


@dataclass
class Direction:
    """Which of two articles is the original, how sure, and why."""

    source: Literal["a", "b"] | None
    confidence: float
    reasons: list[str] = field(default_factory=list)


def _vote(votes: list[tuple[float, str]], weight: float, reason: str) -> None:
    """Record a sign: a positive weight points to ``a`` as the source, negative to ``b``."""
    votes.append((weight, reason))


def _named(reason: str, names: tuple[str, str]) -> str:
    """A reason with the sides ``{a}``/``{b}`` replaced by the articles' names."""
    return reason.format(a=names[0], b=names[1])


def _date_sign(a: Article, b: Article, votes: list[tuple[float, str]]) -> None:
    if a.date and b.date and a.date[:10] != b.date[:10]:
        first, later, weight = ("a", "b", 2.0) if a.date < b.date else ("b", "a", -2.0)
        dates = {"a": a.date[:10], "b": b.date[:10]}
        _vote(votes, weight, f"{{{first}}} is dated {dates[first]}, before {{{later}}} ({dates[later]})")


def _credit_sign(a: Article, b: Article, votes: list[tuple[float, str]]) -> None:
    a_credit = bool(a.credits or a.byline)
    b_credit = bool(b.credits or b.byline)
    if a_credit != b_credit:
        side = "a" if a_credit else "b"
        article = a if a_credit else b
        what = (", ".join(article.credits) or f"byline {article.byline!r}").replace("{", "{{").replace("}", "}}")
        _vote(votes, 1.0 if a_credit else -1.0, f"{{{side}}} carries the credit ({what}) the other lacks")


def _boilerplate_sign(a: Article, b: Article, votes: list[tuple[float, str]]) -> None:
    a_blog = any(_REPUBLISHER_MARKS.search(text) for text in a.boilerplate)
    b_blog = any(_REPUBLISHER_MARKS.search(text) for text in b.boilerplate)
    if a_blog != b_blog:
        copy = "a" if a_blog else "b"
        _vote(votes, -1.0 if a_blog else 1.0, f"{{{copy}}} carries republisher boilerplate (comment form, share links)")


def quoted_words(text: str) -> int:
    """How many words stand inside quotation marks."""
    return sum(len(m.group(1).split()) for m in _QUOTED.finditer(text))


def _quote_sign(a: Article, b: Article, relation: str, votes: list[tuple[float, str]]) -> None:
    if relation != "paraphrase":
        return
    qa, qb = quoted_words(a.text), quoted_words(b.text)
    if max(qa, qb) >= 8 and min(qa, qb) <= 0.6 * max(qa, qb):
        keeper = "a" if qa > qb else "b"
        _vote(votes, 1.5 if qa > qb else -1.5,
              f"{{{keeper}}} keeps its quotations ({max(qa, qb)} quoted words) that the other rewords ({min(qa, qb)})")


def _containment_sign(containment_a: float, containment_b: float, votes: list[tuple[float, str]]) -> None:
    # The text that is more fully reproduced inside the other is more likely the original:
    # copies add updates, boilerplate and commentary around what they take.
    if abs(containment_a - containment_b) >= 0.15:
        side = "a" if containment_a > containment_b else "b"
        _vote(votes, 0.5 if side == "a" else -0.5,
              f"{{{side}}} is reproduced more fully inside the other ({max(containment_a, containment_b):.0%}"
              f" vs {min(containment_a, containment_b):.0%})")


def infer_direction(
    a: Article,
    b: Article,
    relation: str,
    *,
    containment_a: float = 0.0,
    containment_b: float = 0.0,
    names: tuple[str, str] = ("a", "b"),
) -> Direction:
    """Decide which of ``a`` and ``b`` is the source of a derived relation.

    ``names`` are how the reasons call the two articles (e.g. their file names)."""
    votes: list[tuple[float, str]] = []
    _date_sign(a, b, votes)
    _credit_sign(a, b, votes)
    _boilerplate_sign(a, b, votes)
    _quote_sign(a, b, relation, votes)
    _containment_sign(containment_a, containment_b, votes)
    total = sum(weight for weight, _ in votes)
    if not votes or total == 0:
        return Direction(None, 0.0, ["no sign of which came first"])
    source: Literal["a", "b"] = "a" if total > 0 else "b"
    agreeing = [_named(reason, names) for weight, reason in votes if (weight > 0) == (total > 0)]
    weight_all = sum(abs(weight) for weight, _ in votes)
    confidence = round(min(0.99, abs(total) / (weight_all + 1.0) + 0.25), 2)
    return Direction(source, confidence, agreeing)


@dataclass
class ProvenanceGraph:
    """Derived articles and the article each was made from, up to the independent roots."""

    order: list[str]
    parents: dict[str, Relation] = field(default_factory=dict)

    def parent_of(self, article_id: str) -> str | None:
        relation = self.parents.get(article_id)
        return None if relation is None else relation.source

    def root_of(self, article_id: str) -> str:
        seen = {article_id}
        current = article_id
        while (parent := self.parent_of(current)) is not None and parent not in seen:
            seen.add(parent)
            current = parent
        return current

    @property
    def roots(self) -> list[str]:
        """Independent reports: articles with no source in the collection."""
        return [article_id for article_id in self.order if article_id not in self.parents]

    def derivations(self) -> list[Derivation]:
        return [
            Derivation(article_id=copy, root_id=self.root_of(copy), parent_id=rel.source or "",
                       relation=rel.relation)
            for copy, rel in self.parents.items()
        ]


def _oriented(relation: Relation, position: dict[str, int]) -> tuple[str, str]:
    """(source, copy) of a derived relation; undirected pairs go to the earlier-listed article."""
    if relation.source is not None:
        return relation.source, relation.copy_id or relation.b
    a, b = sorted((relation.a, relation.b), key=lambda x: position.get(x, 0))
    return a, b


def provenance_graph(article_ids: Sequence[str], relations: Sequence[Relation]) -> ProvenanceGraph:
    """Build the provenance graph: each derived article keeps its strongest parent; cycles are cut."""
    position = {article_id: i for i, article_id in enumerate(article_ids)}
    graph = ProvenanceGraph(order=list(article_ids))
    derived = [r for r in relations if r.derived and r.a in position and r.b in position]
    derived.sort(key=lambda r: (_RELATION_RANK[r.relation], r.confidence, r.score), reverse=True)
    for relation in derived:
        source, copy = _oriented(relation, position)
        if copy in graph.parents or _would_cycle(graph, source, copy):
            continue
        if relation.source is None:
            relation = Relation(**{**relation.__dict__, "source": source})
        graph.parents[copy] = relation
    return graph


def _would_cycle(graph: ProvenanceGraph, source: str, copy: str) -> bool:
    return graph.root_of(source) == copy or source == copy
