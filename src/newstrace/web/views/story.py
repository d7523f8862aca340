"""The story page: the digest with numbered citations, the provenance graph and edges, the
articles.

Everything comes from :func:`newstrace.report.view.build_view` over a report of the one
story (its articles, the verdicts among them, the story), as the other renderers use; the
graph is the HTML report's layout (:func:`newstrace.report.html.provenance_graph`) with
links to the app's article and compare pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newstrace.model import Article, Relation, Report, Story
from newstrace.report.html import Graph, provenance_graph
from newstrace.report.view import (
    CitingLine,
    DerivedView,
    DigestView,
    ReportView,
    Source,
    StoryView,
    build_view,
    describe,
    story_facts,
)
from newstrace.store import Store
from newstrace.web.views.common import article_json, compare_href, relation_json


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
    """A digest line's citation numbered by its article's reference: the source
    (:class:`~newstrace.report.view.Source`) with the passage stating the line, if found."""

    n: int
    source: Source

    @property
    def href(self) -> str:
        """The article page, opened at the cited passage when it is known."""
        source = self.source
        if source.start is None:
            return f"/articles/{source.article_id}"
        return f"/articles/{source.article_id}?at={source.start}-{source.end}#cited"

    @property
    def label(self) -> str:
        return self.source.label

    def to_json(self) -> dict[str, Any]:
        source = self.source
        return {"n": self.n, "article_id": source.article_id, "label": source.label, "start": source.start,
                "end": source.end, "href": self.href}


@dataclass(frozen=True)
class Edge:
    """A provenance edge source → copy (a derivation of the tree)."""

    derived: DerivedView
    source_ref: Reference
    copy_ref: Reference

    @property
    def href(self) -> str:
        return compare_href(self.derived.parent.id, self.derived.article.id)


@dataclass(frozen=True)
class StoryPage:
    story: Story
    view: StoryView
    facts: list[str]
    references: list[Reference]
    edges: list[Edge]
    other_relations: list[Relation]
    graph: Graph

    @property
    def digest(self) -> DigestView | None:
        return self.view.digest

    def ref(self, article_id: str) -> Reference | None:
        return next((r for r in self.references if r.article.id == article_id), None)

    def citations(self, line: CitingLine) -> list[Citation]:
        """The line's citations numbered by reference, in that order."""
        numbers = {r.article.id: r.n for r in self.references}
        return sorted((Citation(numbers[s.article_id], s) for s in line.sources if s.article_id in numbers),
                      key=lambda citation: citation.n)


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
    edges = [Edge(d, by_id[d.parent.id], by_id[d.article.id]) for root in view.roots for d in root.derived
             if d.parent.id in by_id and d.article.id in by_id]
    graph = provenance_graph(view, 1, report_view, node_href=lambda article: f"/articles/{article.id}",
                             edge_href=lambda derived: compare_href(derived.parent.id, derived.article.id))
    return StoryPage(story, view, story_facts(view), references, edges, view.other_relations, graph)


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


def line_json(page: StoryPage, line: CitingLine) -> dict[str, Any]:
    """A digest line as the API gives it: its text, numbered citations and whichever of
    its fields (independent reports, date, speaker, claim id, value) it has."""
    record = {"text": line.text, "citations": [c.to_json() for c in page.citations(line)],
              "n_independent": getattr(line, "n_independent", None), "date": getattr(line, "date", None),
              "speaker": getattr(line, "speaker", None), "id": getattr(line, "id", None),
              "single_source": getattr(line, "single_source", False), "value": getattr(line, "value", None)}
    return {key: value for key, value in record.items() if value is not None}


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
            **{name: [line_json(page, line) for line in getattr(digest, name)]
               for name in ("summary", "timeline", "quotes", "claims")},
            "conflicts": [{"kind": c.kind, "topic": c.topic, "versions": [line_json(page, v) for v in c.versions]}
                          for c in digest.conflicts],
        },
        "edges": [{"source": e.derived.parent.id, "copy": e.derived.article.id, "kind": e.derived.kind,
                   "depth": e.derived.depth, "source_n": e.source_ref.n, "copy_n": e.copy_ref.n,
                   "relation": relation_json(e.derived.relation) if e.derived.relation else None,
                   "href": e.href} for e in page.edges],
        "other_relations": [relation_json(r) for r in page.other_relations],
        "href": f"/stories/{story.id}",
    }
