"""News feeds (RSS and Atom, any version feedparser reads) as records, one per entry.

A feed saved by a feed reader or a scheduled download is a common way to collect news: each
entry gives a title, a link, a date and a summary or the whole text (often as HTML). The
records use the field names :mod:`newstrace.ingest.readers` reads JSON records by: ``id``
(the entry's guid or id), ``url``, ``title``, ``text`` (the full content when the feed
carries it, else the summary), ``date`` (as written), ``author`` and ``outlet`` (the feed's
own title). feedparser reads the bytes given (it fetches nothing, expands no external
entity and strips scripts from the HTML). ``newstrace follow`` reads the feeds it polls
with the same function.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FeedError", "feed_records"]


class FeedError(ValueError):
    """The data is not an RSS or Atom feed that can be read."""


def feed_records(data: bytes) -> list[dict[str, Any]]:
    """The entries of an RSS or Atom feed as records (see the module's docstring), each with
    at least one field. Raises :class:`FeedError` when ``data`` is no feed, or so broken that
    no entry can be read from it."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.version and not parsed.entries:
        reason = f"not well-formed XML ({parsed.bozo_exception})" if parsed.bozo else "not an RSS or Atom feed"
        raise FeedError(reason)
    outlet = parsed.feed.get("title")
    records = [record for entry in parsed.entries if (record := _record(entry, outlet))]
    if parsed.bozo and not records:
        raise FeedError(f"not well-formed XML ({parsed.bozo_exception})")
    return records


def _record(entry: Any, outlet: str | None) -> dict[str, Any]:
    content = [part.get("value") for part in entry.get("content") or () if part.get("value")]
    fields = {
        "id": entry.get("id"),
        "url": entry.get("link"),
        "title": entry.get("title"),
        "text": content[0] if content else entry.get("summary"),
        "date": entry.get("published") or entry.get("updated"),
        "author": ", ".join(a["name"] for a in entry.get("authors") or () if a.get("name")) or entry.get("author"),
    }
    record = {name: value.strip() for name, value in fields.items() if isinstance(value, str) and value.strip()}
    if record and outlet:
        record["outlet"] = outlet
    return record
