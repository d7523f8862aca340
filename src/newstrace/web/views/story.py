"""The story page: the digest with numbered citations, the provenance edges, the articles.

Everything comes from :func:`newstrace.report.view.build_view` over a report of the one
story (its articles, the verdicts among them, the story), as the other renderers use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newstrace.model import Article, Relation, Report, Story
from newstrace.report.view import Cited, DerivedView, ReportView, StoryView, build_view, describe, story_facts
from newstrace.store import Store
from newstrace.web.views.common import article_json, locate, relation_json


@dataclass(frozen=True)
class Reference:
    """A story article numbered for citation: ``role`` is ``independent``, ``derived`` or
    ``unattributed``."""

    n: int
    article: Article
    label: str
    role: str


@dataclass(frozen=True)
class Citation:
    """A numbered citation of one article, at the passage that states the cited line
    (``start``/``end`` into its text) when it was found there."""

    n: int
    article_id: str
    label: str
    start: int | None = None
    end: int | None = None

    @property
    def href(self) -> str:
        if self.start is None:
            return f"/articles/{self.article_id}"
        return f"/articles/{self.article_id}?at={self.start}-{self.end}#cited"

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "article_id": self.article_id, "label": self.label, "start": self.start,
                "end": self.end, "href": self.href}


@dataclass(frozen=True)
class CitedLine:
    """A digest line (summary, timeline, quote, claim or conflict version) with its citations."""

    text: str
    citations: list[Citation]
    n_independent: int | None = None
    date: str | None = None
    speaker: str | None = None
    claim_id: str | None = None
    single_source: bool = False
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        record = {"text": self.text, "citations": [c.to_json() for c in self.citations],
                  "n_independent": self.n_independent, "date": self.date, "speaker": self.speaker,
                  "id": self.claim_id, "single_source": self.single_source, "value": self.value}
        return {key: value for key, value in record.items() if value is not None}


@dataclass(frozen=True)
class ConflictLines:
    kind: str
    topic: str
    versions: list[CitedLine]


@dataclass(frozen=True)
class DigestLines:
    """The story's digest (:class:`~newstrace.report.view.DigestView`) with citations numbered."""

    headline: str | None
    summary: list[CitedLine]
    timeline: list[CitedLine]
    quotes: list[CitedLine]
    claims: list[CitedLine]
    conflicts: list[ConflictLines]


@dataclass(frozen=True)
class Edge:
    """A provenance edge source → copy (a derivation of the tree)."""

    derived: DerivedView
    source_ref: Reference
    copy_ref: Reference

    @property
    def href(self) -> str:
        return f"/compare?a={self.derived.parent.id}&b={self.derived.article.id}"


@dataclass(frozen=True)
class StoryPage:
    story: Story
    view: StoryView
    facts: list[str]
    references: list[Reference]
    digest: DigestLines | None
    edges: list[Edge]
    other_relations: list[Relation]

    def ref(self, article_id: str) -> Reference | None:
        return next((r for r in self.references if r.article.id == article_id), None)


def story_report_view(store: Store, story: Story) -> ReportView:
    """The report view of one stored story: its articles, the verdicts among them, itself."""
    with store.snapshot():
        articles = store.articles(story.article_ids)
        relations = store.relations_among(story.article_ids)
    return build_view(Report(articles=articles, relations=relations, stories=[story]))


def build(store: Store, story_id: str) -> StoryPage | None:
    """The page of the stored story ``story_id``; ``None`` when there is none."""
    story = store.story(story_id)
    if story is None:
        return None
    report_view = story_report_view(store, story)
    view = report_view.stories[0]
    references = _references(view, report_view)
    by_id = {r.article.id: r for r in references}
    digest = _digest_lines(view, report_view, by_id) if view.digest else None
    edges = [Edge(d, by_id[d.parent.id], by_id[d.article.id]) for root in view.roots for d in root.derived
             if d.parent.id in by_id and d.article.id in by_id]
    return StoryPage(story, view, story_facts(view), references, digest, edges, view.other_relations)


def _references(view: StoryView, report_view: ReportView) -> list[Reference]:
    """The story's articles numbered: each independent report then what derives from it,
    then the articles on no tree."""
    ordered: list[tuple[Article, str]] = []
    for root in view.roots:
        ordered.append((root.article, "independent"))
        ordered += [(d.article, "derived") for d in root.derived]
    ordered += [(article, "unattributed") for article in view.unattributed]
    return [Reference(n, article, report_view.label(article.id), role)
            for n, (article, role) in enumerate(ordered, start=1)]


def _digest_lines(view: StoryView, report_view: ReportView, refs: dict[str, Reference]) -> DigestLines:
    ids_by_label = {label: article_id for article_id, label in report_view.labels.items()}

    def cite(text: str, labels: list[str]) -> list[Citation]:
        citations = []
        for label in labels:
            ref = refs.get(ids_by_label.get(label, ""))
            if ref is None:
                continue
            span = locate(ref.article.text, text)
            citations.append(Citation(ref.n, ref.article.id, ref.label, *(span or (None, None))))
        return sorted(citations, key=lambda c: c.n)

    def line(item: Cited) -> CitedLine:
        return CitedLine(item.text, cite(item.text, item.labels), item.n_independent, item.date, item.speaker)

    digest = view.digest
    assert digest is not None
    claims = [CitedLine(c.text, cite(c.text, c.labels), c.n_independent, claim_id=c.id, single_source=c.single_source)
              for c in digest.claims]
    conflicts = [ConflictLines(c.kind, c.topic, [CitedLine(v.text, cite(v.text, v.labels), v.n_independent,
                                                           value=v.value) for v in c.versions])
                 for c in digest.conflicts]
    return DigestLines(digest.headline, [line(s) for s in digest.summary], [line(t) for t in digest.timeline],
                       [line(q) for q in digest.quotes], claims, conflicts)


def to_json(page: StoryPage) -> dict[str, Any]:
    """The story page as the API gives it."""
    story = page.story
    digest = page.digest
    return {
        "id": story.id, "title": story.title, "first_date": story.first_date, "last_date": story.last_date,
        "outlets": list(story.outlets), "facts": page.facts,
        "counts": {"articles": len(story.article_ids), "independent": len(page.view.roots),
                   "derived": page.view.derived_count},
        "articles": [{**article_json(r.article, r.label), "n": r.n, "role": r.role, "describe": describe(r.article)}
                     for r in page.references],
        "digest": None if digest is None else {
            "headline": digest.headline,
            **{name: [line.to_json() for line in getattr(digest, name)]
               for name in ("summary", "timeline", "quotes", "claims")},
            "conflicts": [{"kind": c.kind, "topic": c.topic, "versions": [v.to_json() for v in c.versions]}
                          for c in digest.conflicts],
        },
        "edges": [{"source": e.derived.parent.id, "copy": e.derived.article.id, "kind": e.derived.kind,
                   "depth": e.derived.depth, "source_n": e.source_ref.n, "copy_n": e.copy_ref.n,
                   "relation": relation_json(e.derived.relation) if e.derived.relation else None,
                   "href": e.href} for e in page.edges],
        "other_relations": [relation_json(r) for r in page.other_relations],
        "href": f"/stories/{story.id}",
    }
