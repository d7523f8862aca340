"""A record's fields, as JSON records, CSV and TSV rows, Parquet rows, feed entries and
export documents name and write them, read into an article's fields.

Fields go under other names (:data:`COLUMN_NAMES`: news-please's ``maintext``, NewsAPI's
``publishedAt``, trafilatura's ``hostname``, GDELT's ``seendate``, ...) and inside nested
objects (an Elasticsearch hit's ``_source``, the Guardian API's ``fields``); dates come in
ISO 8601, RFC 822, Unix time or numbers alone (:func:`record_date`); a web address may stand
as the source, and the host names the outlet when the record names none. What is not read
into an article's fields goes to its ``meta``, except other copies of the body.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterator
from typing import Any

from newstrace.ingest.clean import iso_date
from newstrace.ingest.pagemeta import host_outlet, read_date

__all__ = ["COLUMN_NAMES", "RECORD_FIELDS", "date_field", "extra_fields", "labelled_record", "named_fields",
           "record_date", "record_fields", "record_list", "record_text", "SUMMARY_NAMES", "summary_text"]

#: Other names of record fields (lower case), as CSV headers, Parquet columns and JSON keys
#: give them (news-please's ``maintext``, ``date_publish``, ``source_domain`` and NewsAPI's
#: ``publishedAt``, ``source`` among them); others stay as they are.
COLUMN_NAMES = {
    "body": "text", "content": "text", "article": "text", "story": "text", "article_text": "text",
    "maintext": "text", "full_text": "text", "fulltext": "text", "bodytext": "text", "raw_text": "text",
    "headline": "title", "heading": "title", "webtitle": "title",
    "source": "outlet", "publisher": "outlet", "site": "outlet", "site_name": "outlet",
    "publication": "outlet", "media": "outlet", "source_domain": "outlet", "media_name": "outlet",
    "source_name": "outlet", "outlet_name": "outlet", "sitename": "outlet", "source-hostname": "outlet",
    "hostname": "outlet", "domain": "outlet", "newspaper": "outlet",
    "link": "url", "uri": "url", "weburl": "url", "_id": "id", "meta_site_name": "outlet",
    "published_at": "date", "pubdate": "date", "datetime": "date", "date_publish": "date",
    "date_published": "date", "published_date": "date", "publish_date": "date", "pub_date": "date",
    "publishedat": "date", "seendate": "date", "webpublicationdate": "date",
    "authors": "author",
    # Firecrawl's scrape results (the page as Markdown, its metadata in a nested object)
    "markdown": "text", "sourceurl": "url", "ogsitename": "outlet", "publishedtime": "date",
    # the New York Times Article Search API (the lead paragraph is all the text it gives)
    "lead_paragraph": "text", "web_url": "url",
}

#: Record fields read into Article fields; everything else goes to ``meta``.
RECORD_FIELDS = frozenset(
    {"id", "url", "title", "text", "html", "date", "published", "outlet", "author", "byline"}
)
#: An ISO 8601 date, extended ("2023-09-13") or basic ("20230913", "20230913T140500Z" as GDELT writes it).
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}(?:T\d|$)")


def named_fields(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the fields of a nested article object beside its own
    (:func:`_unnested`), and a field under another name (:data:`COLUMN_NAMES`, any case)
    under its own name instead, when the record has none by that name, or an empty one."""
    record = _unnested(record)
    renamed = {}
    for name, value in record.items():
        own = COLUMN_NAMES.get(name.lower(), name.lower()) if name not in RECORD_FIELDS else name
        if (own != name and own in RECORD_FIELDS and not _empty(value) and _empty(record.get(own))
                and own not in renamed.values()):
            renamed[name] = own
    if not renamed:
        return record
    kept = {name: value for name, value in record.items() if name not in renamed.values()}
    return {renamed.get(name, name): value for name, value in kept.items()}


def record_fields(record: dict[str, Any], mdy: bool | None = None) -> dict[str, Any]:
    """The article fields of a :func:`named_fields` record but its text: ``external_id``,
    ``url``, ``title``, ``date`` (``mdy``: whether numeric dates in its file are
    month-first, when the file says: :func:`record_date`), ``outlet`` and ``byline``."""
    url, outlet = _record_site(record)
    return {
        "external_id": _text_field(record.get("id")),
        "url": url,
        "title": _text_field(record.get("title")),
        "date": record_date(date_field(record), mdy),
        "outlet": outlet,
        "byline": _text_field(record.get("byline") or record.get("author")),
    }


def extra_fields(record: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The fields of a :func:`named_fields` record not read into an article's own, for its
    ``meta``; another copy of the body (trafilatura's ``raw_text`` beside its ``text``, a
    CMS's ``content`` beside its ``body``) is left out, where it would store the text twice."""
    return ((name, value) for name, value in record.items()
            if name not in RECORD_FIELDS and COLUMN_NAMES.get(name.lower()) not in ("text", "html"))


def record_list(value: Any) -> list[Any] | None:
    """The records of a JSON value that holds many articles: a list, or a news API's or a
    search index's response holding one (:data:`_RECORD_LISTS`: NewsAPI's and GNews'
    ``articles``, the Guardian's ``response.results``, the New York Times' ``response.docs``,
    Event Registry's ``articles.results``, Elasticsearch's ``hits.hits``, ...); ``None`` for
    a value that is one record (it has a text, an HTML body or a title of its own)."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict) or any(not _empty(named_fields(value).get(name)) for name in ("text", "html", "title")):
        return None
    for names in _RECORD_LISTS:
        found: Any = value
        for name in names:
            found = found.get(name) if isinstance(found, dict) else None
        if isinstance(found, list) and all(isinstance(item, dict) for item in found):
            return found
    return None


#: Where news APIs' and search indexes' responses hold their list of articles, most common first.
_RECORD_LISTS = (("articles",), ("results",), ("response", "docs"), ("response", "results"),
                 ("articles", "results"), ("hits", "hits"), ("data",), ("items",), ("entries",), ("news",),
                 ("value",), ("posts",), ("documents",), ("docs",), ("stories",), ("records",))


def summary_text(record: dict[str, Any]) -> str | None:
    """The summary a record gives (:data:`SUMMARY_NAMES`: a description, an abstract, a
    teaser, as news datasets and APIs without the body give them), to stand as its text when
    it has no text or HTML of its own; ``None`` when it gives none."""
    for name, value in record.items():
        if name.lower() in SUMMARY_NAMES and isinstance(value, str) and value.strip():
            return value
    return None


#: Record fields holding an article's summary (lower case): what :func:`summary_text` reads.
SUMMARY_NAMES = frozenset({"description", "summary", "abstract", "short_description", "snippet", "teaser",
                           "standfirst", "lede", "excerpt", "trailtext", "dek"})


def record_text(text: Any) -> Any:
    """A record's ``text`` as one string: a list of paragraphs joined; the mark NewsAPI ends
    a cut ``content`` with ("... [+2345 chars]") left out."""
    if isinstance(text, list) and all(isinstance(part, str) for part in text):
        return "\n\n".join(part for part in text if part.strip())
    if isinstance(text, str) and text.endswith("chars]"):
        return _CUT_MARK.sub("", text)
    return text


_CUT_MARK = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\Z")


def labelled_record(text: str) -> dict[str, str] | None:
    """The record a text file holds when it opens with labelled lines, as plain-text news
    exports, scrapers and hand-made collections write them ("Title: ...", "Date: ...",
    "Source: Reuters", "URL: ...", "Author: ..."): each label read as a record's field of
    that name (:data:`COLUMN_NAMES`, and a head's own: ``By``, ``Subject``, ``Published
    Time``), the rest of the file its ``text``. A head is two such lines or more, or a title
    line alone; a line with an unknown label, a date label whose value is no date, or a value
    too long for a heading ends it. ``None`` without a head."""
    fields: dict[str, str] = {}
    labels = 0
    at = len(text) - len(text.lstrip())
    while (line := _HEAD_LINE.match(text, at)) is not None:
        name = _head_name(line["label"])
        value = line["value"]
        if name is None or not _fits_label(name, value):
            break
        if name not in fields:
            fields[name] = value
        elif name in ("author", "byline"):  # one line per author
            fields[name] += f", {value}"
        labels += 1
        at = line.end()
        if text.startswith("\n", at):  # a blank line: the head may go on after it
            at += len(text[at:]) - len(text[at:].lstrip("\n"))
    body = text[at:]
    alone_title = labels == 1 and _own_name(next(iter(fields), "")) == "title"
    if not body.strip() or (labels < 2 and not alone_title):
        return None
    return {**fields, "text": body}


#: A labelled line of a text file's head: a label of a few words, a colon, a value on the line.
_HEAD_LINE = re.compile(r"[ \t]*(?P<label>[A-Za-z][A-Za-z ._-]{0,30}?)[ \t]*:[ \t]*(?P<value>\S[^\n]*?)[ \t]*(?:\n|\Z)")
#: Labels a file's head gives that records do not (as a record's names, lower case, "_" for spaces).
_HEAD_NAMES = {"by": "byline", "subject": "title", "published_time": "date", "publication_date": "date",
               "date_published": "date", "posted": "date", "url_source": "url", "source_url": "url",
               "writer": "author", "article_id": "id", "doc_id": "id", "document_id": "id"}
#: Labels of a file's head kept in the article's ``meta``.
_HEAD_META = frozenset({"section", "category", "categories", "tags", "keywords", "language", "lang", "description",
                        "summary", "updated", "modified", "location", "country", "topic", "topics", "type",
                        "word_count", "words", "length", "edition", "page", "copyright", "rights", "license"})
#: The longest value a head gives a title, an outlet or a byline: a longer line is the body's.
_HEAD_VALUE_CHARS = 300


def _head_name(label: str) -> str | None:
    """A head label's field name (``None``: a label a head does not give)."""
    name = re.sub(r"[ .-]+", "_", label.strip().lower())
    name = _HEAD_NAMES.get(name, name)
    own = _own_name(name)
    return name if (own in RECORD_FIELDS and own not in ("text", "html")) or name in _HEAD_META else None


def _own_name(name: str) -> str:
    return COLUMN_NAMES.get(name, name)


def _fits_label(name: str, value: str) -> bool:
    """Whether ``value`` is what a head gives under ``name``: a date that reads as one (and
    names no byline: "Date: 2023-09-13 By ..." is the head line the cleaner reads), a
    heading-sized value otherwise."""
    if _own_name(name) in ("date", "published"):
        return len(value) <= 60 and not _BY.search(value) and record_date(value) is not None
    return name in _HEAD_META or len(value) <= _HEAD_VALUE_CHARS


_BY = re.compile(r"\bby\b", re.IGNORECASE)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list)) and not value)


def _text_field(value: Any) -> str | None:
    if type(value) is str:  # the usual case, first
        return value or None
    if isinstance(value, dict):  # NewsAPI's {"id": ..., "name": "CNN"}, the NYT API's {"main": ...}
        value = value.get("name") or value.get("title") or value.get("main") or value.get("original")
    if isinstance(value, list):  # several authors: names, or Event Registry's {"name": ...} objects
        names = [item.get("name") if isinstance(item, dict) else item for item in value]
        value = ", ".join(str(name) for name in names if name)
    if value is None or value == "":
        return None
    return str(value)


def record_date(value: Any, mdy: bool | None = None) -> str | None:
    """A record's date as ``YYYY-MM-DD``, or ``YYYY-MM-DDTHH:MM:SS`` with its offset when
    it gives a time (ISO 8601 in any of its spellings, an RFC 822 feed date, a Unix time
    in seconds or milliseconds, a datetime object, numbers alone as a spreadsheet writes
    them: :func:`_numeric_date`); a time of exactly midnight is read as the day alone (what
    a system writes that knows only the day)."""
    if isinstance(value, dt.datetime):
        return _iso_moment(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _unix_time(value)
    text = _text_field(value)
    if text is None:
        return None
    text = text.strip()
    if _UNIX_TIME.fullmatch(text):
        return _unix_time(int(text))
    if _ISO_DAY.match(text):
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return text[:10] if text[4] == "-" else None
        return _iso_moment(when) if len(text) > 10 or "T" in text else when.date().isoformat()
    if _FEED_DATE.match(text):
        try:
            return _iso_moment(email.utils.parsedate_to_datetime(text))
        except (TypeError, ValueError):
            pass
    if _TWITTER_DATE.fullmatch(text):
        return _iso_moment(dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y"))
    numeric = _NUMERIC_DATE.fullmatch(_WEEKDAY.sub("", text, count=1))
    if numeric is not None:
        return _numeric_date(numeric, mdy)
    return iso_date(text)


#: The date the Twitter (X) API writes ("Wed Sep 13 14:05:00 +0000 2023").
_TWITTER_DATE = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [0-3]\d [0-2]\d:[0-5]\d:[0-6]\d [+-]\d{4} \d{4}")
#: A day's name before a date of numbers alone, in any language ("Mi, 13.09.2023", "Wed 13/09/2023").
_WEEKDAY = re.compile(r"\A[^\W\d_]{2,12}\.?,?\s+(?=\d)")


#: A date of numbers alone, with or without a time of day: "13/09/2023", "9/13/23 2:05 PM",
#: "13.09.2023 14:05", "2023/09/13".
_NUMERIC_DATE = re.compile(r"(?P<day>\d{1,4}([/.-])\d{1,2}\2\d{2,4}),?(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})"
                           r"(?::(?P<second>\d{2}))?\s*(?P<half>[ap]\.?m\.?)?)?", re.IGNORECASE)


def _numeric_date(match: re.Match[str], mdy: bool | None) -> str | None:
    """The date (and time) of a :data:`_NUMERIC_DATE`: day and month read the only way
    they can be (``13/09/2023``, ``09/13/2023``), else month-first when ``mdy``, day-first
    when it is ``False`` (the convention of the record's file: :func:`~newstrace.ingest.pagemeta.month_first_in`),
    and not at all when it is ``None`` (``09/12/2023`` alone says neither)."""
    day = read_date(match["day"], mdy=mdy)
    if day is None or match["hour"] is None:
        return day.isoformat() if day is not None else None
    hour = int(match["hour"])
    if match["half"]:
        hour = hour % 12 + (12 if match["half"][0] in "pP" else 0)
    try:
        return _iso_moment(dt.datetime.combine(day, dt.time(hour, int(match["minute"]), int(match["second"] or 0))))
    except ValueError:
        return day.isoformat()


def _unnested(record: dict[str, Any]) -> dict[str, Any]:
    """A record whose article sits in a nested object, with that object's fields beside its
    own: an Elasticsearch hit's ``_source`` (its ``_id`` read as ``id``), the Guardian
    API's ``fields`` (``bodyText``, ``byline`` beside ``webTitle``, ``webUrl``), Firecrawl's
    ``metadata`` (``title``, ``sourceURL``, ``publishedTime`` beside ``markdown``). A field
    the record has itself is kept."""
    for name in _NESTED:
        inner = record.get(name)
        if isinstance(inner, dict):
            record = {**{key: value for key, value in record.items() if key != name},
                      **{key: value for key, value in inner.items() if _empty(record.get(key))}}
    return record


#: The nested objects :func:`_unnested` reads fields from (Firecrawl's ``metadata`` too).
_NESTED = ("_source", "fields", "metadata")


def _record_site(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """A record's address and outlet. A web address given as its source (trafilatura's JSON
    names the page's address ``source``) is its address; with no outlet named, the outlet is
    the host the page was served from, as for a web page (:func:`~newstrace.ingest.pagemeta.host_outlet`)."""
    url, outlet, source = (_text_field(record.get(name)) for name in ("url", "outlet", "source"))
    if outlet is not None and _WEB_ADDRESS.match(outlet):
        url, outlet = url or outlet.strip(), None
    if source is not None and _WEB_ADDRESS.match(source):
        url = url or source.strip()
    return url, outlet or host_outlet(url)


_WEB_ADDRESS = re.compile(r"\s*https?://", re.IGNORECASE)


def date_field(record: dict[str, Any]) -> Any:
    return record.get("date") or record.get("published")


#: A Unix time as digits (seconds from 2001 on, or milliseconds).
_UNIX_TIME = re.compile(r"1\d{9}(?:\d{3})?")
#: An RFC 822 date with its time, as RSS gives it ("Tue, 12 Sep 2023 14:03:00 GMT").
_FEED_DATE = re.compile(r"(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}")


def _unix_time(value: float) -> str | None:
    seconds = value / 1000 if value >= 1e11 else value
    if not 1e9 <= seconds < 1e10:  # 2001 to 2286: anything else is no time of publication
        return None
    return _iso_moment(dt.datetime.fromtimestamp(seconds, dt.timezone.utc))


def _iso_moment(when: dt.datetime) -> str:
    if when.time() == dt.time(0, 0):
        return when.date().isoformat()
    return when.isoformat(timespec="seconds")
