"""The article page: its text with quotations, credits and a cited passage marked, what
cleaning removed as boilerplate, its relations and the story it is in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from newstrace.model import Article, Relation, Story
from newstrace.store import Store
from newstrace.text.quotes import quote_spans
from newstrace.web.views.common import Mark, Piece, article_json, pieces, relation_json

#: Occurrences of each credit marked in a text (a wire name can recur in every paragraph).
CREDIT_MARKS = 20


@dataclass(frozen=True)
class RelationRow:
    """A verdict on a pair holding this article, seen from it: the other article and
    whether this one is the source, the copy, or neither (no direction)."""

    relation: Relation
    other: Article | None
    other_id: str
    role: str

    @property
    def href(self) -> str:
        return relation_json(self.relation)["href"]


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    pieces: list[Piece]
    relations: list[RelationRow]
    story: Story | None
    cited: tuple[int, int] | None


def text_marks(article: Article) -> list[Mark]:
    """Quotations and the credits (wire names) found in the article's text."""
    marks = [Mark(start, end, "quote") for start, end in quote_spans(article.text)]
    for credit in article.credits:
        found = re.finditer(rf"(?<!\w){re.escape(credit)}(?!\w)", article.text)
        marks += [Mark(m.start(), m.end(), "credit") for _, m in zip(range(CREDIT_MARKS), found)]
    return marks


def build(store: Store, article_id: str, cited: tuple[int, int] | None = None) -> ArticlePage | None:
    """The page of a stored article (``cited``: a span of its text to mark), or ``None``."""
    with store.snapshot():
        article = store.article(article_id)
        if article is None:
            return None
        relations = store.relations_of(article_id)
        others = {a.id: a for a in store.articles([r.b if r.a == article_id else r.a for r in relations])}
        story = store.story_of(article_id)
    marks = text_marks(article)
    if cited is not None:
        cited = (min(cited[0], len(article.text)), min(cited[1], len(article.text)))
        marks.append(Mark(*cited, "cited"))
    rows = []
    for relation in relations:
        other_id = relation.b if relation.a == article_id else relation.a
        role = "source" if relation.source == article_id else "copy" if relation.copy_id == article_id else "related"
        rows.append(RelationRow(relation, others.get(other_id), other_id, role))
    return ArticlePage(article, pieces(article.text, marks), rows, story, cited)


def to_json(page: ArticlePage) -> dict[str, Any]:
    a = page.article
    return {
        **article_json(a), "text": a.text, "boilerplate": list(a.boilerplate),
        "quotes": [[m.start, m.end] for m in text_marks(a) if m.kind == "quote"],
        "story": None if page.story is None else {"id": page.story.id, "title": page.story.title,
                                                  "href": f"/stories/{page.story.id}"},
        "relations": [{**relation_json(row.relation), "other": row.other_id, "role": row.role}
                      for row in page.relations],
        "cited": list(page.cited) if page.cited else None,
    }
