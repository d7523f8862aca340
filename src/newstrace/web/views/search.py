"""Full-text search over titles and texts (the store's FTS5 index), with facets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from newstrace.store import SNIPPET_END, SNIPPET_START, SearchResult, Store, fts_query
from newstrace.web.views.common import Filters, Paging


@dataclass(frozen=True)
class SearchPage:
    q: str
    result: SearchResult
    paging: Paging
    filters: Filters


class EmptyQuery(ValueError):
    """A search with no word in it."""


def build(store: Store, q: str, page: int, per_page: int, filters: Filters) -> SearchPage:
    """A page of hits for the user's words ``q`` (:class:`EmptyQuery` when it has none)."""
    query = fts_query(q)
    if not query:
        raise EmptyQuery("q: give at least one word to search for")
    result = store.search(query, per_page, (page - 1) * per_page, outlet=filters.outlet,
                          since=filters.since, until=filters.until)
    return SearchPage(q, result, Paging(page, per_page, result.total), filters)


#: A matched stretch of a snippet, between the store's two markers.
MATCHED = re.compile(f"{SNIPPET_START}([^{SNIPPET_START}{SNIPPET_END}]*){SNIPPET_END}")


def snippet_html(snippet: str) -> Markup:
    """A hit's snippet escaped, its matched words in ``<mark>`` (a marker character that an
    article's own text carries, unpaired, is dropped: the marks always close)."""
    parts, at = [], 0
    for match in MATCHED.finditer(snippet):
        parts += [escape(plain_snippet(snippet[at : match.start()])), Markup("<mark>%s</mark>") % match.group(1)]
        at = match.end()
    parts.append(escape(plain_snippet(snippet[at:])))
    return Markup("").join(parts)


def plain_snippet(snippet: str) -> str:
    return snippet.replace(SNIPPET_START, "").replace(SNIPPET_END, "")


def to_json(page: SearchPage) -> dict[str, Any]:
    return {
        "q": page.q, "filters": page.filters.query(), **page.paging.to_json(),
        "matches": page.result.matches, "scope": page.result.scope,
        "hits": [{"id": h.id, "title": h.title, "outlet": h.outlet, "date": h.date,
                  "snippet": plain_snippet(h.snippet), "href": f"/articles/{h.id}"} for h in page.result.hits],
        "facets": {"outlet": [{"value": o, "count": n} for o, n in page.result.outlets],
                   "month": [{"value": m, "count": n} for m, n in page.result.months]},
    }
