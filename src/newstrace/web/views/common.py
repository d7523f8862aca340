"""What every page shares: marking spans of a text, safe links, paging and the JSON shape
of articles and relations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newstrace.model import Article, Relation
from newstrace.report.view import describe


@dataclass(frozen=True)
class Mark:
    """A span of a text to mark: ``kind`` is a CSS class (``passage``, ``quote``,
    ``credit``, ``cited``); a passage has its ``number``."""

    start: int
    end: int
    kind: str
    number: int = 0


@dataclass(frozen=True)
class Piece:
    """A stretch of text under one set of marks (flat, never nested)."""

    text: str
    kinds: tuple[str, ...]
    numbers: tuple[int, ...]  #: passages covering it
    starts: tuple[int, ...] = ()  #: passages beginning here
    cited_start: bool = False  #: the cited passage begins here (the page's ``#cited`` anchor)

    @property
    def css(self) -> str:
        return " ".join(dict.fromkeys(self.kinds))


def pieces(text: str, marks: list[Mark]) -> list[Piece]:
    """``text`` cut at every mark's ends into flat pieces, each with the marks covering it."""
    size = len(text)
    marks = [Mark(max(0, m.start), min(size, m.end), m.kind, m.number) for m in marks if m.end > m.start]
    cuts = sorted({0, size, *(m.start for m in marks), *(m.end for m in marks)})
    result = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [m for m in marks if m.start <= start and m.end >= end]
        numbers = tuple(sorted(m.number for m in covering if m.kind == "passage"))
        starts = tuple(sorted(m.number for m in covering if m.kind == "passage" and m.start == start))
        cited = any(m.kind == "cited" and m.start == start for m in covering)
        result.append(Piece(text[start:end], tuple(m.kind for m in covering), numbers, starts, cited))
    return result


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link with a host, else ``None`` (never rendered)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class Paging:
    """A page of a list: ``page`` counts from 1."""

    page: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def to_json(self) -> dict[str, int]:
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages}


@dataclass(frozen=True)
class Filters:
    """The outlet and date range a list is narrowed to (ISO days, inclusive)."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    q: str | None = None  #: words the story list is narrowed to (the search page has its own)

    def query(self, **more: Any) -> dict[str, Any]:
        """The filters (and ``more``) as query parameters, the unset ones left out."""
        params = {**more, "q": self.q, "outlet": self.outlet, "since": self.since, "until": self.until}
        params.update({key: value for key, value in more.items() if key in params and value})
        return {key: value for key, value in params.items() if value not in (None, "")}


def compare_href(a: str, b: str) -> str:
    """The compare page of two articles (``a`` the source, where there is one)."""
    return f"/compare?a={a}&b={b}"


def article_json(article: Article, label: str | None = None) -> dict[str, Any]:
    """An article's fields as the API gives them (its text on the article endpoint only)."""
    return {
        "id": article.id, "label": label or article.label, "title": article.title, "outlet": article.outlet,
        "date": article.date, "url": safe_url(article.url), "byline": article.byline,
        "credits": list(article.credits), "describe": describe(article), "href": f"/articles/{article.id}",
    }


def relation_json(relation: Relation) -> dict[str, Any]:
    """A stored verdict as the API gives it: the pair, the kind, which is the source, the
    scores and reasons, and the compare page of the pair."""
    return {
        "a": relation.a, "b": relation.b, "relation": relation.relation, "source": relation.source,
        "copy": relation.copy_id, "score": round(relation.score, 4), "confidence": round(relation.confidence, 4),
        "containment_a": round(relation.containment_a, 4), "containment_b": round(relation.containment_b, 4),
        "reasons": list(relation.reasons), "passages": len(relation.passages),
        "href": compare_href(relation.source or relation.a, relation.copy_id or relation.b),
    }

