"""The story list: latest activity first, paged, narrowed by outlet and dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newstrace.model import Story
from newstrace.report.view import plural
from newstrace.store import Store, fts_query
from newstrace.web.views.common import Filters, Paging


@dataclass(frozen=True)
class StoryRow:
    story: Story

    @property
    def articles(self) -> int:
        return len(self.story.article_ids)

    @property
    def independent(self) -> int:
        return len(self.story.independent_ids)

    @property
    def derived(self) -> int:
        return len(self.story.derived)

    @property
    def summary(self) -> str:
        """E.g. ``"5 articles, 3 outlets, 2 independent"``."""
        return ", ".join((plural(self.articles, "article"), plural(len(self.story.outlets), "outlet"),
                          f"{self.independent} independent"))

    def to_json(self) -> dict[str, Any]:
        s = self.story
        return {"id": s.id, "title": s.title, "articles": self.articles, "outlets": list(s.outlets),
                "independent": self.independent, "derived": self.derived, "first_date": s.first_date,
                "last_date": s.last_date, "href": f"/stories/{s.id}"}


@dataclass(frozen=True)
class StoryList:
    rows: list[StoryRow]
    paging: Paging
    filters: Filters
    outlets: list[tuple[str, int]]  #: every outlet with its article count (the filter's choices)


def build(store: Store, page: int, per_page: int, filters: Filters) -> StoryList:
    """A page of the story list."""
    match = fts_query(filters.q) if filters.q else None
    with store.snapshot():
        stories, total = store.stories_by_activity(per_page, (page - 1) * per_page, outlet=filters.outlet,
                                                   since=filters.since, until=filters.until, match=match or None)
        outlets = store.outlets()
    return StoryList([StoryRow(s) for s in stories], Paging(page, per_page, total), filters, outlets)


def to_json(page: StoryList) -> dict[str, Any]:
    return {"stories": [row.to_json() for row in page.rows], **page.paging.to_json(),
            "filters": page.filters.query()}
