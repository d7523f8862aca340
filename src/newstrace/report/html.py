"""One self-contained HTML page per report: inline CSS and SVG, no external resources.

Rendering goes through a Jinja2 template with autoescaping on, so every string taken
from an article (titles, texts, outlets, reasons) is HTML-escaped. A Content-Security-
Policy allows only the page's own one-line script (opening collapsed sections for print).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from newstrace.model import Article, Report
from newstrace.report.view import (
    SCHEMA_VERSION,
    AlignedPassage,
    DerivedView,
    ReportView,
    Source,
    StoryView,
    build_view,
    citation_note,
    describe,
    shorten,
    store_line,
    story_facts,
)

PASSAGE_COLOURS = 8  #: highlight colours cycle through ``.c0`` … ``.c7`` in the stylesheet
_PRINT_SCRIPT = 'addEventListener("beforeprint",()=>document.querySelectorAll("details").forEach(d=>d.open=true));'

# Provenance graph geometry (SVG user units = CSS pixels).
_NODE_W, _NODE_H = 252, 56
_COLUMN_GAP, _ROW_GAP, _MARGIN = 150, 16, 8
_LABEL_CHARS, _DETAIL_CHARS = 26, 34
_PASSAGE_CHARS = 160  #: a cited passage shown in its citation's tooltip


@dataclass(frozen=True)
class Segment:
    """A stretch of text with one set of covering passages (flat, never nested)."""

    text: str
    numbers: tuple[int, ...]  #: passages covering it; the first picks the colour
    starts: tuple[int, ...]  #: passages beginning here (they get a number badge)
    title: str

    @property
    def colour(self) -> int:
        return (self.numbers[0] - 1) % PASSAGE_COLOURS


@dataclass(frozen=True)
class GraphNode:
    article_id: str
    x: int
    y: int
    label: str
    detail: str
    title: str
    root: bool
    href: str


@dataclass(frozen=True)
class GraphEdge:
    path: str
    label_x: int
    label_y: int
    kind: str
    label: str  #: drawn on the edge: its kind and direction confidence
    title: str  #: its name: source → copy, kind, confidence and reasons
    href: str


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    node_w: int = _NODE_W
    node_h: int = _NODE_H

    def anchor(self, article_id: str) -> str:
        """Where the graph's node for ``article_id`` leads (the page's top for one it lacks)."""
        return next((node.href for node in self.nodes if node.article_id == article_id), "#")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    from newstrace import __version__

    view = build_view(report)
    texts = {article.id: article.text for article in report.articles}

    def cited_passage(source: Source) -> str | None:
        """The words a citation points at, on one line and cut short."""
        if source.start is None or source.article_id not in texts:
            return None
        return shorten(texts[source.article_id][source.start : source.end], _PASSAGE_CHARS)

    return _environment().get_template("report.html.j2").render(
        view=view,
        store=store_line(report),
        version=__version__,
        schema=SCHEMA_VERSION,
        graphs=[provenance_graph(story, number, view) for number, story in enumerate(view.stories, 1)],
        highlight=highlight_segments,
        describe=describe,
        story_facts=story_facts,
        citation_note=citation_note,
        shorten=shorten,
        cited_passage=cited_passage,
        passage_colours=PASSAGE_COLOURS,
        script=Markup(_PRINT_SCRIPT),
        script_hash=_script_hash(),
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("newstrace", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _script_hash() -> str:
    digest = hashlib.sha256(_PRINT_SCRIPT.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def highlight_segments(text: str, passages: list[AlignedPassage], side: str) -> list[Segment]:
    """Cut ``text`` at every passage boundary of ``side`` (``"source"`` or ``"copy"``).

    Overlapping, unsorted or out-of-range spans are fine: spans are clipped to the text
    and each stretch lists every passage covering it, so the markup never nests.
    """
    length = len(text)
    spans = []
    for passage in passages:
        start, end = (
            (passage.source_start, passage.source_end) if side == "source" else (passage.copy_start, passage.copy_end)
        )
        start, end = max(0, min(start, length)), max(0, min(end, length))
        if start < end:
            spans.append((start, end, passage))
    bounds = sorted({0, length, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments = []
    for low, high in zip(bounds, bounds[1:]):
        covering = [(s, p) for s, e, p in spans if s <= low and high <= e]
        segments.append(
            Segment(
                text=text[low:high],
                numbers=tuple(p.number for _, p in covering),
                starts=tuple(p.number for s, p in covering if s == low),
                title="; ".join(f"passage {p.number} · {p.kind} · similarity {p.similarity:.2f}" for _, p in covering),
            )
        )
    return segments


def provenance_graph(
    story: StoryView,
    number: int,
    view: ReportView,
    node_href: Callable[[Article], str] | None = None,
    edge_href: Callable[[DerivedView], str] | None = None,
) -> Graph:
    """A layered layout: independent reports in the first column, each copy one column
    right of its parent, on the first free row at or below its parent's row.

    Nodes and edges link to the report's own sections unless ``node_href`` (an article)
    and ``edge_href`` (a derivation) say where else (the web app's pages)."""
    next_free: dict[int, int] = {}
    rows: dict[str, tuple[int, int]] = {}
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []

    def place(article_id: str, column: int, at_least: int) -> tuple[int, int]:
        row = max(at_least, next_free.get(column, 0))
        next_free[column] = row + 1
        rows[article_id] = (column, row)
        return _position(column, row)

    def node(article: Article, position: tuple[int, int], root: bool, anchor: str) -> GraphNode:
        title = " — ".join(part for part in (view.label(article.id), describe(article), article.title) if part)
        return GraphNode(
            article_id=article.id,
            x=position[0],
            y=position[1],
            label=shorten(view.label(article.id), _LABEL_CHARS),
            detail=shorten(describe(article), _DETAIL_CHARS),
            title=title,
            root=root,
            href=node_href(article) if node_href else anchor,
        )

    for root_number, root in enumerate(story.roots, 1):
        band = max(next_free.values(), default=0)
        nodes.append(node(root.article, place(root.article.id, 0, band), True, f"#s{number}-r{root_number}"))
        for derived_number, derived in enumerate(root.derived, 1):
            parent_column, parent_row = rows.get(derived.parent.id, (0, band))
            position = place(derived.article.id, parent_column + 1, parent_row)
            anchor = f"#s{number}-r{root_number}-d{derived_number}"
            nodes.append(node(derived.article, position, False, anchor))
            href = edge_href(derived) if edge_href else anchor
            edges.append(_edge(_position(parent_column, parent_row), position, derived, view, href))
    band = max(next_free.values(), default=0)
    for article in story.unattributed:
        nodes.append(node(article, place(article.id, 0, band), False, f"#story-{number}"))
    columns = max((column for column, _ in rows.values()), default=0) + 1
    height_rows = max(next_free.values(), default=1)
    return Graph(
        width=2 * _MARGIN + columns * _NODE_W + (columns - 1) * _COLUMN_GAP,
        height=2 * _MARGIN + height_rows * _NODE_H + (height_rows - 1) * _ROW_GAP,
        nodes=nodes,
        edges=edges,
    )


def _position(column: int, row: int) -> tuple[int, int]:
    return _MARGIN + column * (_NODE_W + _COLUMN_GAP), _MARGIN + row * (_NODE_H + _ROW_GAP)


def _edge(
    source: tuple[int, int], copy: tuple[int, int], derived: DerivedView, view: ReportView, href: str
) -> GraphEdge:
    x1, y1 = source[0] + _NODE_W, source[1] + _NODE_H // 2
    x2, y2 = copy[0] - 4, copy[1] + _NODE_H // 2
    middle = (x1 + x2) // 2
    relation = derived.relation
    confidence = f" {relation.confidence:.2f}" if relation else ""
    title = f"{derived.kind}: {view.label(derived.parent.id)} → {view.label(derived.article.id)}"
    if relation:
        title += f" (direction confidence {relation.confidence:.2f})"
        title += "".join(f"; {reason}" for reason in relation.reasons)
    return GraphEdge(
        path=f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}",
        label_x=middle,
        label_y=(y1 + y2) // 2 - 5,
        kind=derived.kind,
        label=f"{derived.kind}{confidence}",
        title=title,
        href=href,
    )
