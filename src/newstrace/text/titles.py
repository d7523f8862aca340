"""The one rule that titles a story, used by the pipeline, the digest and the clusterer.

A story is titled by the headline of its first member that has one (members in story
order: the report's), else by what the caller falls back on (the clusterer: the first
sentence of its most central member; the digest: a headline-like first line, else its
best-confirmed claim).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from newstrace.model import Article

#: Characters of a first sentence kept when an article has no headline.
FIRST_SENTENCE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")


def headline(article: Article) -> str | None:
    """The article's title as written; ``None`` when it has none (or a blank one)."""
    title = article.title or ""
    return title if title.strip() else None


def headline_or_lead(article: Article) -> str:
    """The article's headline (stripped), else its first sentence (at most
    ``FIRST_SENTENCE_CHARS``)."""
    title = headline(article)
    if title is not None:
        return title.strip()
    return _SENTENCE_END.split(article.text.strip(), maxsplit=1)[0][:FIRST_SENTENCE_CHARS]


def story_title(members: Sequence[Article], fallback: Callable[[], str]) -> str:
    """The title of a story with these ``members`` (in story order): the headline of the
    first that has one, else ``fallback()``."""
    for member in members:
        title = headline(member)
        if title is not None:
            return title
    return fallback()
