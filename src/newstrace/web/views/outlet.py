"""The outlet page: its articles, and how often it is a source and how often a copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newstrace.model import Article
from newstrace.store import Store
from newstrace.web.views.common import Paging, article_json


@dataclass(frozen=True)
class OutletPage:
    name: str
    articles: list[Article]
    paging: Paging
    as_source: int  #: derivations with an article of this outlet as the source
    as_copy: int


def build(store: Store, name: str, page: int, per_page: int) -> OutletPage | None:
    """A page of the outlet's articles, ``None`` when no stored article has this outlet."""
    with store.snapshot():
        roles = store.outlet_roles(name)
        if not roles["articles"]:
            return None
        articles = store.articles_of_outlet(name, limit=per_page, offset=(page - 1) * per_page)
    return OutletPage(name, articles, Paging(page, per_page, roles["articles"]), roles["source"], roles["copy"])


def to_json(page: OutletPage) -> dict[str, Any]:
    return {"outlet": page.name, "as_source": page.as_source, "as_copy": page.as_copy,
            "articles": [article_json(a) for a in page.articles], **page.paging.to_json()}
