"""Load article files into :class:`~newstrace.model.Article` objects.

Formats, chosen by extension (each optionally gzipped, ``.gz``):

* ``.txt`` / ``.text``: one plain-text article, cleaned by :func:`~newstrace.ingest.clean.clean_text`;
* ``.html`` / ``.htm`` / ``.xhtml``: one web page; trafilatura extracts the body and metadata;
* ``.json``: one object; ``.jsonl`` / ``.ndjson``: one object per line. Records carry ``text``
  or ``html`` and optionally ``id``, ``url``, ``title``, ``date`` (or ``published``),
  ``outlet``, ``byline`` (or ``author``); other fields go to ``Article.meta``. A ``text``
  (or a plain-text file) holding HTML elements or escaped characters, as CMS exports and
  feeds give them, is read as plain text first (:func:`plain_text`). A record with
  a title but no text or html (a feed item, a headline-only roundup entry) is a title-only
  article: its text is its title;
* ``.csv`` / ``.tsv``: one record per row, named by a header row; common column names are
  mapped (``body`` or ``content`` -> ``text``, ``headline`` -> ``title``, ``source`` ->
  ``outlet``, ...), see :data:`~newstrace.ingest.records.COLUMN_NAMES`;
* ``.parquet``: one record per row, columns named as in a CSV header (a folder of Parquet
  files is a dataset); read a batch of rows at a time, and split by row groups into slices;
* ``.warc`` (web archives as crawled, e.g. CC-NEWS; records optionally gzipped, ``.warc.gz``):
  each successful HTML response is a web page, its URL and crawl date from the record;
* a LexisNexis or Factiva text export (``.txt``, documents marked ``N of M DOCUMENTS``, ``End of
  Document`` or ``Document <id>``): one record per document
  (:func:`newstrace.ingest.exports.export_records`);
* ``.rss`` / ``.atom`` / ``.xml``: a news feed (RSS 2.0, RSS 1.0 or Atom), one record per
  item (:func:`newstrace.ingest.feeds.feed_records`): its full content or summary as text,
  the feed's title as outlet;
* ``.xml`` / ``.nitf`` / ``.newsml``: news agencies' XML (NITF, as the New York Times
  Annotated Corpus holds it; NewsML-G2 items and messages; NewsML 1; the Reuters Corpus),
  one record per text item (:func:`newstrace.ingest.newsml.news_xml_records`);
* ``.zip`` / ``.tar`` / ``.tar.gz`` / ``.tgz``: an archive of such files, as news corpora ship
  them, read without unpacking: each file as it would be on its own, named ``ARCHIVE!/FILE``
  (tables, Parquet, web archives and nested archives inside it are refused: unpack it).

A file named on its own with any other extension is sniffed: markup is read as HTML,
anything else as plain text, and binary files are skipped. Inside a folder, such files
(``notes.md``, ``photo.jpg``) are skipped with a reason; files with no extension at all
are sniffed. Bad inputs never stop a run: each becomes one
:class:`~newstrace.model.InputError` handed to ``on_skip``.
"""

from __future__ import annotations

import codecs
import csv
import functools
import datetime as dt
import gzip
import html as html_entities
import io
import os
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import trafilatura
from lxml import etree
from lxml import html as lxml_html

from newstrace.ingest.clean import Cleaned, clean_text, credits_in, split_byline
from newstrace.ingest.exports import export_records
from newstrace.ingest.feeds import FeedError, feed_records
from newstrace.ingest.newsml import NewsXMLError, news_xml_records
from newstrace.ingest.pagemeta import (clean_outlet, clean_title, host_outlet, is_junk_title, month_first_in,
                                       page_meta, same_site)
from newstrace.ingest.records import (COLUMN_NAMES, date_field, extra_fields, labelled_record, named_fields, record_date,
                                      record_fields, record_list, record_text, summary_text)
from newstrace.model import ARCHIVE_MARK, REPUBLISHED_FROM, Article, InputError

try:
    from orjson import JSONDecodeError
    from orjson import loads as json_loads
except ImportError:  # pragma: no cover - orjson is an optional speed-up
    from json import JSONDecodeError
    from json import loads as json_loads

__all__ = ["IngestError", "LoadResult", "Slice", "input_files", "iter_articles", "load", "load_many",
           "plain_text", "plan_slices", "read_slice"]

PathLike = str | os.PathLike[str]
TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
TABLE_SUFFIXES = frozenset({".csv", ".tsv"})
PARQUET_SUFFIXES = frozenset({".parquet"})
WARC_SUFFIXES = frozenset({".warc"})
#: Archives of article files, as news corpora ship them (``.tar.gz`` is ``.tar``, gzipped)
ARCHIVE_SUFFIXES = frozenset({".zip", ".tar", ".tgz"})
#: XML: news feeds, and the news agencies' formats (:mod:`newstrace.ingest.newsml`)
XML_SUFFIXES = frozenset({".rss", ".atom", ".xml", ".nitf", ".newsml"})
ARTICLE_SUFFIXES = (TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | TABLE_SUFFIXES
                    | PARQUET_SUFFIXES | WARC_SUFFIXES | XML_SUFFIXES | ARCHIVE_SUFFIXES)
DEFAULT_MAX_BYTES = 20_000_000

_MARKUP = re.compile(rb"<(?:!doctype|html|head|body|article|p|div)[\s>]", re.IGNORECASE)


class IngestError(Exception):
    """An input that cannot be read as an article."""

    def __init__(self, path: PathLike, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def to_input_error(self) -> InputError:
        return InputError(self.path, self.reason)


@dataclass
class LoadResult:
    """The articles read from some paths, and the inputs skipped on the way."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[InputError] = field(default_factory=list)


# --- bytes -----------------------------------------------------------------------------


def _format_of(path: Path) -> tuple[str, bool]:
    """The lower-case suffix that names the format, and whether the file is gzipped."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes.pop()
    return (suffixes[-1] if suffixes else ""), gzipped


def _read_bytes(path: Path, gzipped: bool, max_bytes: int) -> bytes:
    """The file's (decompressed) bytes, refusing files over ``max_bytes``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(path, size, max_bytes)
        if not gzipped:
            return path.read_bytes()
        with gzip.open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise IngestError(path, f"truncated or corrupt gzip file ({error})") from None
    except OSError as error:
        raise IngestError(path, f"cannot read file ({error.strerror or error})") from None
    if len(data) > max_bytes:
        raise IngestError(path, f"decompresses to over the {max_bytes:,}-byte limit")
    return data


#: Byte-order marks of the wide Unicode encodings, UTF-32's first (its little-endian mark
#: begins with UTF-16's).
_UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                 (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _decode(path: PathLike, data: bytes) -> tuple[str, str]:
    """Text from bytes and its encoding: UTF-16 or UTF-32 when a byte-order mark says so
    (Notepad's "Unicode", Excel's "Unicode Text"), UTF-8 (with or without BOM), else the
    charset detected by charset_normalizer, where ties between equally clean single-byte
    code pages go to windows-1252 (as browsers do for undeclared Western pages)."""
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise IngestError(path, f"undecodable text: starts with a {encoding} byte-order mark, "
                                        f"but is not {encoding} ({error.reason} at byte {error.start + len(bom)})") from None
    if b"\x00" in data:
        raise IngestError(path, "binary file (holds NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise IngestError(path, "undecodable text: not UTF-8 and no charset detected")
    if any(m.chaos <= best.chaos and "cp1252" in m.could_be_from_charset for m in matches):
        return data.decode("cp1252"), "cp1252"
    return str(best), best.encoding


# --- articles from text, HTML and records -----------------------------------------------


def _article(cleaned: Cleaned, path: PathLike, key: str | None = None, **fields: Any) -> Article:
    """The article of a cleaned body; ``key`` is its identity (:func:`identity_key`)."""
    if not cleaned.text:
        raise IngestError(path, "no article text left after cleaning")
    values = {
        "title": cleaned.title,
        "date": cleaned.date,
        "outlet": cleaned.outlet,
        "byline": cleaned.byline,
    }
    values.update({key: value for key, value in fields.items() if value is not None})
    named = f"{values['byline'] or ''}, {values['outlet'] or ''}"
    meta = {REPUBLISHED_FROM: cleaned.republished_from} if cleaned.republished_from else {}
    return Article.from_text(
        cleaned.text,
        key,
        credits=list(dict.fromkeys(cleaned.credits + credits_in(named))),
        boilerplate=cleaned.boilerplate,
        path=str(path),
        meta=meta,
        **values,
    )


def _from_text(path: PathLike, text: str, key: str | None = None, **fields: Any) -> Article:
    if not text.strip():
        raise IngestError(path, "empty file")
    head, text = _reader_head(text)
    if head:  # a page as Jina Reader writes it: its head's fields, unless the input gave them, then Markdown
        head["date"] = record_date(head.get("date"))
        fields = {**fields, **{name: value for name, value in head.items() if value and not fields.get(name)}}
        return _article(clean_text(_markdown_text(text), title=fields.get("title")), path, key, **fields)
    return _article(clean_text(plain_text(text), title=fields.get("title")), path, key, **fields)


#: Block tags that mark a text as HTML laid out in elements: a record's ``text`` as a CMS
#: export or a feed's ``content:encoded`` gives it ("<p>...</p><p>...</p>"), not a web page.
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|h[1-6]|blockquote|figure|table|tr|section|article)\b[^<>]*>",
                        re.IGNORECASE)
_TAGS_IN_MARKUP = 2  #: tags found that make a text markup (one may be prose about HTML)
#: Inline tags, which a plain text may carry around a link or an emphasis and nothing else.
_INLINE_TAG = re.compile(r"</?(?:a|span|em|strong|b|i|u|font|sup|sub)\b[^<>]*>", re.IGNORECASE)
#: A character reference or a named entity ("&#8220;", "&quot;"), as feeds escape their text.
_ENTITY = re.compile(r"&(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,30});")
#: Markdown, as the scrapers that feed language models write pages (Jina Reader, Firecrawl,
#: crawl4ai): an inline link or image ("[text](https://...)", "![alt](/img.jpg)"), a heading
#: line ("## Heading") or a line opening in bold ("**Read more:**"). A text with a link and
#: ``_MARKDOWN_SIGNS`` signs is Markdown: none of the shared datasets' texts (PolNeAR, ECB+,
#: AllSides, the generated corpora) has even one.
_MARKDOWN_SIGN = re.compile(r"!?\[[^\]\n]{0,300}\]\((?:https?://|/|#|\./)[^)\s]{0,2000}\)"
                            r"|^#{1,6}[ \t]+\S|^[ \t]*\*\*[^\W_][^*\n]*\*\*", re.MULTILINE)
_MARKDOWN_SIGNS = 2
#: The page head Jina Reader writes before a page's Markdown ("Title: ...", "URL Source: ...",
#: "Published Time: ...", then "Markdown Content:").
_READER_HEAD = re.compile(r"\s*Title:[ \t]*(?P<title>[^\n]*)\n+URL Source:[ \t]*(?P<url>\S*)\n+"
                          r"(?:Published Time:[ \t]*(?P<date>[^\n]*)\n+)?(?:[A-Z][\w ]{0,30}:[^\n]*\n+){0,5}"
                          r"Markdown Content:[ \t]*\n")
#: Elements whose text stands as paragraphs of its own; elements dropped with their text.
_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 blockquote figure figcaption table tr section "
                        "article header footer ul ol pre aside dd dt".split())
_DROPPED_TAGS = ("script", "style", "noscript", "iframe", "template")


def plain_text(text: str) -> str:
    """A text field as plain text: Markdown rendered (markdown-it-py) and read as its HTML
    (links as their words, images left out); HTML laid out in block elements read as a
    browser lays it out (each block a paragraph, white space collapsed; scripts and styles
    dropped); inline tags around links and emphasis in a plain text removed, its lines
    kept; and character references decoded ("&#8217;" -> "’", "&amp;" -> "&", escaped once
    or twice). A plain text is returned as it is."""
    # Markdown without a link reads as plain text does (its marks hold no word); "]" is searched
    # first, a single character being the quicker search through a text that has none
    if "]" in text and "](" in text and _is_markdown(text):
        return _markdown_text(text)
    if "<" in text:
        if len(_BLOCK_TAG.findall(text, 0, 20_000)) >= _TAGS_IN_MARKUP:
            laid_out = _text_of_markup(text)
            if laid_out is not None:
                return laid_out
        if len(_INLINE_TAG.findall(text, 0, 20_000)) >= _TAGS_IN_MARKUP:
            text = _INLINE_TAG.sub("", text)
    if "&" in text and _ENTITY.search(text):
        for _ in range(2):  # "&amp;#8217;" was escaped twice
            text = html_entities.unescape(text)
            if not _ENTITY.search(text):
                break
    return text


def _is_markdown(text: str) -> bool:
    return len(_MARKDOWN_SIGN.findall(text, 0, 20_000)) >= _MARKDOWN_SIGNS


def _markdown_text(text: str) -> str:
    """Markdown (CommonMark, with tables) read as the HTML it renders to: links as their
    words, images left out, each block a paragraph."""
    laid_out = _text_of_markup(_markdown_renderer().render(text))
    return text if laid_out is None else laid_out


@functools.lru_cache(maxsize=1)
def _markdown_renderer() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _reader_head(text: str) -> tuple[dict[str, str], str]:
    """The title, address and date of the page head Jina Reader writes before a page's
    Markdown, and the Markdown after it; no fields and ``text`` itself without that head."""
    head = _READER_HEAD.match(text)
    if head is None:
        return {}, text
    fields = {name: value.strip() for name, value in head.groupdict().items() if value and value.strip()}
    return fields, text[head.end():]


def _text_of_markup(markup: str) -> str | None:
    """The text of an HTML fragment laid out in paragraphs, or None where lxml cannot read it."""
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    for element in list(root.iter(*_DROPPED_TAGS)):
        element.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        preformatted = element.tag == "pre"
        if element.text and not preformatted:
            element.text = " ".join(element.text.split()) + (" " if element.text[-1:].isspace() else "")
        if element.tail:
            element.tail = (" " if element.tail[:1].isspace() else "") + " ".join(element.tail.split()) + (
                " " if element.tail[-1:].isspace() and element.tail.strip() else "")
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "").lstrip(" ")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "").lstrip(" ")
    lines = [line.strip() for line in root.text_content().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _from_title(path: PathLike, key: str | None = None, **fields: Any) -> Article:
    """A title-only article (a record with a title and no body): its text is its title, not
    cleaned (cleaning drops a leading line that repeats the title)."""
    title = " ".join(fields["title"].split())
    return _article(Cleaned(text=title), path, key, **{**fields, "title": title})


def _from_html(path: PathLike, html: str, crawled: dt.date | None = None, key: str | None = None,
               **fields: Any) -> Article:
    """An article from a web page: trafilatura's body, the page's own title, date and
    outlet (:func:`~newstrace.ingest.pagemeta.page_meta`), then :func:`clean_text`. ``crawled``
    is when the page was saved (default: its file's time)."""
    if not html.strip():
        raise IngestError(path, "empty file")
    document = trafilatura.bare_extraction(
        html, url=fields.get("url"), with_metadata=True, include_comments=False,
        date_extraction_params=_TRAFILATURA_DATES,
    )
    if document is None or not (document.text or "").strip():
        raise IngestError(path, "no article text found in the HTML")
    words = len(document.text.split())
    if words < MIN_PAGE_WORDS:
        raise IngestError(path, f"no article text found in the HTML (only {words} word"
                                f"{'s' if words > 1 else ''} left: navigation or an empty page)")
    page = page_meta(html, fields.get("url"), crawled=crawled or _crawl_day(path))
    served = fields.get("url") or page.own_url  # where it was: fetched from, or as it says beside its canonical
    url = served or page.url or document.url
    title = fields.pop("title", None) or page.title or clean_title(document.title, [document.sitename or ""])
    cleaned = clean_text(document.text.replace("\n", "\n\n"), title=title)
    byline, byline_outlet = split_byline(document.author) if document.author else (None, None)
    if byline and is_junk_title(byline):  # a copyright line or a date is no author
        byline = None
    extracted = {
        "title": title,
        "date": page.date,
        "url": url,
        "byline": byline,
        "outlet": page.outlet or host_outlet(url) or clean_outlet(byline_outlet)
        or clean_outlet(document.sitename),
    }
    extracted.update({key: value for key, value in fields.items() if value is not None})
    article = _article(cleaned, path, key, **extracted)
    if page.date_source and article.date == page.date:
        article.meta["date_source"] = page.date_source  # where on the page the date was read
    if page.url and served and host_outlet(served) and not same_site(page.url, served):
        # on one site, its canonical link names another's page as the original
        article.meta["canonical_url"] = page.url
        article.meta.setdefault(REPUBLISHED_FROM, host_outlet(page.url))
    return article


#: A web page whose extracted body has fewer words is no article (a menu, a cookie wall, a
#: "page not found"); the shortest news brief among the extraction benchmark's 181 pages has 18.
MIN_PAGE_WORDS = 10

#: trafilatura's own date is not used: a cheap, restrained reading (no image paths).
_TRAFILATURA_DATES = {"extensive_search": False, "original_date": True}


def _crawl_day(path: PathLike) -> dt.date:
    """When a page was saved (its file's time), else today: it cannot be dated later."""
    try:
        return dt.date.fromtimestamp(os.stat(path).st_mtime)
    except (OSError, ValueError):
        return dt.date.today()


def _from_record(path: PathLike, record: Any, line: int | None = None, *, mdy: bool | None = None) -> Article:
    """An article from a JSON object with ``text`` or ``html``, else a summary, else a title
    (its fields as :mod:`newstrace.ingest.records` reads them; ``mdy``: whether numeric dates
    in its file are month-first, when the file says: :func:`~newstrace.ingest.records.record_date`)."""
    where = f"{path}:{line}" if line is not None else path
    if not isinstance(record, dict):
        raise IngestError(where, f"JSON value is a {type(record).__name__}, not an object")
    record = named_fields(record)
    fields = record_fields(record, mdy)
    text, html = record_text(record.get("text")), record.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        text = summary_text(record)  # a dataset that gives headlines and their summaries
    key = identity_key(path, fields["external_id"], fields["url"], line)
    try:
        if isinstance(text, str) and text.strip():
            article = _from_text(path, text, key, **fields)
        elif isinstance(html, str) and html.strip():
            article = _from_html(path, html, key=key, **fields)
        elif fields["title"] and fields["title"].strip():
            article = _from_title(path, key, **fields)
        else:
            raise IngestError(where, "record has no text, html or title")
    except IngestError as error:
        raise IngestError(where, error.reason) from None
    article.meta.update(extra_fields(record))
    if line is not None:
        article.meta["line"] = line
    return article


def _csv_delimiter(text: str) -> str:
    """The delimiter of a ``.csv`` file: the one of ``,``, ``;``, tab and ``|`` that splits
    its header row into the most columns (``,`` first among equals): a spreadsheet set to a
    European locale writes ``;``."""
    header = text.lstrip("\ufeff").partition("\n")[0]
    return max(",;\t|", key=lambda delimiter: len(next(csv.reader([header], delimiter=delimiter), [])))


def _table_records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV/TSV with a header, as records keyed by field name, with the line
    each row starts on. Raises :class:`IngestError` when no column holds the text."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = _record_columns(path, reader.fieldnames or [])
    line = reader.line_num + 1
    for row in reader:
        yield line, {columns[name]: value for name, value in row.items() if name in columns and value}
        line = reader.line_num + 1


def _record_columns(path: Path, names: Iterable[str]) -> dict[str, str]:
    """The record field each column of a table is read as (:data:`COLUMN_NAMES`; others
    lower-cased). Raises :class:`IngestError` when no column holds the text."""
    names = list(names)
    columns = {name: COLUMN_NAMES.get(name.strip().lower(), name.strip().lower()) for name in names if name}
    if "text" not in columns.values() and "html" not in columns.values():
        found = ", ".join(names) or "none"
        raise IngestError(path, f"no text column in the header (columns: {found}); name the column "
                                "holding the article 'text' (or body, content) or 'html'")
    return columns


def _iter_table(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    """Articles from a CSV or TSV file with a header row; bad rows come as errors. Numeric
    dates that could be read either way (``09/12/2023``) are read as the file's others
    that cannot are written (:func:`~newstrace.ingest.pagemeta.month_first_in`)."""
    suffix, gzipped = _format_of(path)
    try:
        text, _ = _decode(path, _read_bytes(path, gzipped, max_bytes))
        rows = list(_table_records(path, text, "\t" if suffix == ".tsv" else _csv_delimiter(text)))
        yield from _record_articles(path, rows, mdy=month_first_in(date_field(record) for _, record in rows))
    except (IngestError, csv.Error) as error:
        yield error if isinstance(error, IngestError) else IngestError(path, f"malformed table ({error})")


def _iter_parquet(path: Path, row_groups: tuple[int, ...] | None = None,
                  batch_rows: int = 2048) -> Iterator[Article | IngestError]:
    """Articles from the rows of a Parquet file (of its ``row_groups`` only, when given),
    read ``batch_rows`` at a time; each row is numbered from 1 in the whole file, so a row
    has the same identity whichever slice reads it. Bad rows come as errors."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        columns = _record_columns(path, table.schema_arrow.names)
        groups = list(range(table.num_row_groups)) if row_groups is None else list(row_groups)
        row = sum(table.metadata.row_group(g).num_rows for g in range(groups[0])) if groups else 0
        for batch in table.iter_batches(batch_size=batch_rows, row_groups=groups,
                                        columns=list(columns)):
            for values in batch.to_pylist():
                row += 1
                record = {columns[name]: _plain_value(value) for name, value in values.items()
                          if value is not None}
                try:
                    yield _from_record(path, record, row)
                except IngestError as error:
                    yield error
    except IngestError as error:
        yield error
    except (OSError, pa.ArrowException) as error:
        yield IngestError(path, f"not a readable Parquet file ({error})")


def _plain_value(value: Any) -> Any:
    """A Parquet cell as a JSON record would hold it: dates and times in ISO 8601."""
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


def _iter_warc(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    """Web pages from the HTML responses (status 200) of a web archive, read as a stream
    with warcio; requests, metadata and other content types are passed over. A page is
    named ``FILE:N`` (its record number) in errors, and is the publication of its URL."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = pages = 0
    try:
        with path.open("rb") as stream:
            for number, record in enumerate(ArchiveIterator(stream), 1):
                records += record.format.startswith("warc")
                if _is_html_page(record):
                    pages += 1
                    yield from _warc_page(path, number, record, max_bytes)
        if not records:
            yield IngestError(path, "not a readable WARC file (no WARC records in it)")
        elif not pages:
            yield IngestError(path, f"no HTML pages among its {records:,} WARC records")
    except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as error:
        yield IngestError(path, f"not a readable WARC file ({error})")
    except OSError as error:
        yield IngestError(path, f"cannot read file ({error.strerror or error})")


def _iter_xml(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    """Articles from a news agency's XML (NITF, NewsML, RCV1: :mod:`newstrace.ingest.newsml`)
    or from the items of a news feed. A file of many items names each ``FILE:N`` (its place
    in the file) in errors, the publication of its id, guid or link; bad items come as errors."""
    try:
        data = _read_bytes(path, _format_of(path)[1], max_bytes)
    except IngestError as error:
        yield error
        return
    yield from _xml_items(path, data)


def _xml_items(path: Path, data: bytes) -> Iterator[Article | IngestError]:
    """:func:`_iter_xml` of a file's bytes."""
    try:
        items = news_xml_records(data)
        if items is None:
            records: list[tuple[int | None, Any]] = list(enumerate(feed_records(data), 1))
            if not records:
                raise IngestError(path, "the feed has no items")
        elif not items:
            raise IngestError(path, "no news item with a text in it")
        else:  # an NITF document or a NewsML item alone: the file is the article
            records = [(None, items[0])] if len(items) == 1 else list(enumerate(items, 1))
    except IngestError as error:
        yield error
        return
    except (FeedError, NewsXMLError) as error:
        yield IngestError(path, str(error))
        return
    yield from _record_articles(path, records)


def _iter_archive(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    """Articles from the files of a zip or tar archive, as news corpora ship them (the
    Reuters Corpus a zip of XML files a day, the New York Times Annotated Corpus a ``.tgz``
    of NITF files a month), read in memory without unpacking: each file as it would be read
    on its own, named ``ARCHIVE!/MEMBER`` (:data:`~newstrace.model.ARCHIVE_MARK`). Tables,
    Parquet, web archives and archives inside it are errors (unpack it to read those)."""
    members = 0
    try:
        for name, data in _archive_files(path, max_bytes):
            members += 1
            where = Path(f"{path}{ARCHIVE_MARK}{name}")
            if isinstance(data, IngestError):
                yield IngestError(where, data.reason)
            else:
                yield from _member_items(where, data, max_bytes)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, tarfile.TarError) as error:
        yield IngestError(path, f"not a readable {_format_of(path)[0]} archive ({error})")
        return
    if not members:
        yield IngestError(path, "the archive holds no article file")


def _archive_files(path: Path, max_bytes: int) -> Iterator[tuple[str, bytes | IngestError]]:
    """The name and bytes of each file of an archive (in the archive's order; folders,
    links, hidden files and macOS resource forks passed over), an error for one over
    ``max_bytes``."""
    def kept(name: str) -> bool:
        return not any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))

    if _format_of(path)[0] == ".zip":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or not kept(info.filename):
                    continue
                if info.file_size > max_bytes:
                    yield info.filename, _too_large(path, info.file_size, max_bytes)
                    continue
                with archive.open(info) as member:
                    yield info.filename, member.read(max_bytes + 1)
        return
    with tarfile.open(path, "r:*") as archive:
        for info in archive:
            if not info.isfile() or not kept(info.name):
                continue
            if info.size > max_bytes:
                yield info.name, _too_large(path, info.size, max_bytes)
                continue
            member = archive.extractfile(info)
            if member is not None:
                yield info.name, member.read(max_bytes + 1)


def _too_large(path: Path, size: int, max_bytes: int) -> IngestError:
    return IngestError(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")


def _member_items(where: Path, data: bytes, max_bytes: int) -> Iterator[Article | IngestError]:
    """The articles of one file of an archive, read as that file on its own would be."""
    suffix, gzipped = _format_of(where)
    try:
        if gzipped:
            data = gzip.decompress(data)
        if len(data) > max_bytes:
            raise IngestError(where, f"decompresses to over the {max_bytes:,}-byte limit")
        if suffix and suffix not in ARTICLE_SUFFIXES and not (suffix in MARKDOWN_SUFFIXES and _is_scraped_page(data)):
            raise IngestError(where, f"not an article format ({suffix})")
        if suffix in TABLE_SUFFIXES | PARQUET_SUFFIXES | WARC_SUFFIXES | ARCHIVE_SUFFIXES:
            raise IngestError(where, f"a {suffix} file inside an archive is not read: unpack it to read it")
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        yield IngestError(where, f"truncated or corrupt gzip file ({error})")
        return
    except IngestError as error:
        yield error
        return
    if suffix in XML_SUFFIXES:
        yield from _xml_items(where, data)
    elif suffix in JSONL_SUFFIXES:
        yield from _jsonl_records(where, io.BytesIO(data), 1, max_bytes)
    else:
        try:
            yield from _document_items(where, suffix, data)
        except IngestError as error:
            yield error


def _is_html_page(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return record.http_headers.get_statuscode() == "200" and "html" in content_type.lower()


def _warc_page(path: Path, number: int, record: Any, max_bytes: int) -> Iterator[Article | IngestError]:
    url = record.rec_headers.get_header("WARC-Target-URI")
    where = f"{path}:{number}"
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        yield IngestError(where, f"page {url} is over the {max_bytes:,}-byte limit")
        return
    crawled = record_date(record.rec_headers.get_header("WARC-Date"))
    try:
        html, _ = _decode(where, body)
        article = _from_html(where, html, crawled=dt.date.fromisoformat(crawled[:10]) if crawled else None,
                             url=url)
    except IngestError as error:
        yield IngestError(where, f"{error.reason} ({url})")
        return
    article.path = str(path)
    article.meta.update(line=number, crawled=crawled)
    article.identify(identity_key(path, None, url, number))
    yield article


def _parquet_slices(path: Path, slice_bytes: int) -> Iterator[Slice]:
    """Runs of whole row groups of a Parquet file, about ``slice_bytes`` of data each
    (uncompressed sizes from the file's footer); one slice of the whole file when its
    footer cannot be read (the reader then reports the error)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException):
        yield Slice((str(path),), size=_size(path))
        return
    group: list[int] = []
    size = 0
    for index in range(metadata.num_row_groups):
        group.append(index)
        size += metadata.row_group(index).total_byte_size
        if size >= slice_bytes:
            yield Slice((str(path),), size=size, row_groups=tuple(group))
            group, size = [], 0
    if group:
        yield Slice((str(path),), size=size, row_groups=tuple(group))


def _is_json_lines(text: str) -> bool:
    """Whether a ``.json`` file's text is JSON Lines: one object on its first line, and more
    after it (so the whole is no JSON value)."""
    first, _, rest = text.lstrip("\ufeff \t\r\n").partition("\n")
    if not first.startswith("{") or not rest.strip():
        return False
    try:
        json_loads(first)
    except JSONDecodeError:
        return False
    try:
        json_loads(text)
    except JSONDecodeError:
        return True
    return False


def _parse_json(where: PathLike, data: bytes | str) -> Any:
    try:
        return json_loads(data)
    except JSONDecodeError as error:
        raise IngestError(where, f"malformed JSON ({error})") from None


# --- files -------------------------------------------------------------------------------


#: A report newstrace wrote (``analyze -o DIR/report.html``, ``.json``, ``.txt`` or ``.md``),
#: found among the inputs: never read as an article. HTML carries a generator tag; a text
#: or Markdown report opens with its title and the article count.
_OWN_HTML_REPORT = re.compile(rb'<meta name="generator" content="newstrace[ "]')
_OWN_TEXT_REPORT = re.compile(rb"\A\s*(?:newstrace report  [\d,]+ articles? \xc2\xb7 "
                              rb"|# newstrace report\n\n\| Articles \|)")
_OWN_REPORT = "a newstrace report, not an article (write reports outside the input folders)"


def _load_file(path: Path, max_bytes: int) -> Article:
    """One article from a single-article file (text, HTML, JSON or sniffed, or an XML file
    of one news item: an NITF document, a NewsML item)."""
    xml = _format_of(path)[0] in XML_SUFFIXES
    items = list(_iter_xml(path, max_bytes)) if xml else _file_items(path, max_bytes)
    if len(items) > 1:
        raise IngestError(path, f"the file holds many articles ({len(items)}): read it with iter_articles()")
    if isinstance(items[0], IngestError):
        raise items[0]
    return items[0]


def _file_items(path: Path, max_bytes: int) -> list[Article | IngestError]:
    """The article of a file (text, HTML, JSON or sniffed), or the articles of a file that
    holds several (a LexisNexis or Factiva text export: :func:`~newstrace.ingest.exports.export_records`;
    a JSON list or a news API's response: :func:`~newstrace.ingest.records.record_list`; JSON
    Lines named ``.json``), each named ``FILE:N`` by its place, with an error for each one
    that cannot be read."""
    suffix, gzipped = _format_of(path)
    if suffix in _MANY_ARTICLE_READERS:
        raise IngestError(path, f"a {suffix} file holds many articles: read it with iter_articles()")
    return _document_items(path, suffix, _read_bytes(path, gzipped, max_bytes))


def _document_items(path: Path, suffix: str, data: bytes) -> list[Article | IngestError]:
    """:func:`_file_items` of a file's bytes (``suffix``: its format's)."""
    if not data.strip():
        raise IngestError(path, "empty file")
    text, encoding = _decode(path, data)
    if suffix in JSON_SUFFIXES:
        if _is_json_lines(text):  # JSON Lines named .json, as many datasets name theirs
            return list(_jsonl_records(path, data.splitlines(keepends=True), 1, len(data)))
        record = _parse_json(path, text)
        if _is_report_record(record):
            raise IngestError(path, _OWN_REPORT)
        if (listed := record_list(record)) is not None:  # a list of articles, or a news API's response
            if listed and not any(isinstance(item, dict) for item in listed):
                raise IngestError(path, f"JSON value is a list of {type(listed[0]).__name__}s, not of article objects")
            return _listed_items(path, listed, encoding, "JSON list holds no article")
        article = _from_record(path, record)
    elif _is_report_page(data):
        raise IngestError(path, _OWN_REPORT)
    elif suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and _MARKUP.search(data[:4096])):
        article = _from_html(path, text, key=identity_key(path))
    elif (records := export_records(text)) is not None:
        return _listed_items(path, records, encoding, "a LexisNexis export with no readable document")
    elif not _READER_HEAD.match(text) and (record := labelled_record(text)) is not None:
        article = _from_record(path, record)  # a text file opening with "Title: ...", "Date: ..." lines
    else:
        article = _from_text(path, text, identity_key(path))
    if encoding != "utf-8":
        article.meta["encoding"] = encoding
    return [article]


def _listed_items(path: Path, records: list[Any], encoding: str, none_reason: str) -> list[Article | IngestError]:
    """The articles of the records one file holds (an export's documents, a JSON list), each
    named ``FILE:N`` by its place; ``none_reason`` when it holds none."""
    if not records:
        return [IngestError(path, none_reason)]
    items = list(_record_articles(path, enumerate(records, 1)))
    for item in items:
        if isinstance(item, Article) and encoding != "utf-8":
            item.meta["encoding"] = encoding
    return items


def _record_articles(path: Path, numbered: Iterable[tuple[int | None, Any]], *,
                     mdy: bool | None = None) -> Iterator[Article | IngestError]:
    """The article of each record of a file (``numbered``: each with its line, row or place
    in the file; ``None`` for the file's only record), or the error that keeps it out."""
    for number, record in numbered:
        try:
            yield _from_record(path, record, number, mdy=mdy)
        except IngestError as error:
            yield error


def _is_report_record(record: Any) -> bool:
    """Whether a JSON value is a newstrace JSON report (``report.render_json``)."""
    return isinstance(record, dict) and {"newstrace", "schema", "articles"} <= record.keys()


def _is_report_page(data: bytes) -> bool:
    """Whether a file's bytes open as a newstrace HTML report (its generator meta tag), or
    as its text or Markdown report."""
    return _OWN_HTML_REPORT.search(data[:4096]) is not None or _OWN_TEXT_REPORT.match(data) is not None


def is_newstrace_report(path: PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Whether ``path`` holds a report newstrace wrote (JSON or HTML), which is never read
    as an article; ``False`` for anything else, readable or not."""
    path = Path(path)
    suffix, gzipped = _format_of(path)
    try:
        data = _read_bytes(path, gzipped, max_bytes)
        if suffix in JSON_SUFFIXES:
            return _is_report_record(_parse_json(path, _decode(path, data)[0]))
    except (IngestError, OSError):
        return False
    return _is_report_page(data)


def load(path: PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read one article from a ``.txt``, ``.html``/``.htm`` or ``.json`` file (optionally
    ``.gz``). Raises :class:`IngestError` when the file cannot be read as an article."""
    return _load_file(Path(path), max_bytes)


def _iter_jsonl(path: Path, max_bytes: int, start: int = 0, stop: int | None = None,
                first_line: int = 1) -> Iterator[Article | IngestError]:
    """Articles from a JSON Lines file, read as a stream; bad lines come as errors. With
    ``start``/``stop`` (uncompressed files only), the lines in that byte range, the first
    being line ``first_line``."""
    _, gzipped = _format_of(path)
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as stream:
            if start:
                stream.seek(start)
            lines: Iterable[bytes] = stream if stop is None else io.BytesIO(stream.read(stop - start))
            yield from _jsonl_records(path, lines, first_line, max_bytes)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        yield IngestError(path, f"truncated or corrupt gzip file ({error})")
    except OSError as error:
        yield IngestError(path, f"cannot read file ({error.strerror or error})")


def _jsonl_records(path: Path, lines: Iterable[bytes], first_line: int,
                   max_bytes: int) -> Iterator[Article | IngestError]:
    """An article, or an error, for each non-blank line, numbered from ``first_line``. The
    file's first line may open with a UTF-8 byte order mark (as Windows tools write it); a
    file in UTF-16 is one error."""
    for number, line in enumerate(lines, first_line):
        if number == 1:
            if line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8):]
            elif line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield IngestError(path, "JSON Lines file is in UTF-16; save it as UTF-8")
                return
        yield from _jsonl_line(path, number, line, max_bytes)


def _jsonl_line(path: Path, number: int, line: bytes, max_bytes: int) -> Iterator[Article | IngestError]:
    if len(line) > max_bytes:
        yield IngestError(f"{path}:{number}", f"line is over the {max_bytes:,}-byte limit")
    elif line and not line.isspace():  # line.strip(), without copying the line
        try:
            record = json_loads(line)
        except JSONDecodeError as error:
            yield IngestError(f"{path}:{number}", f"malformed JSON ({error})")
            return
        try:
            yield _from_record(path, record, number)
        except IngestError as error:
            yield error


#: The readers of the formats whose files hold many articles, by suffix.
_MANY_ARTICLE_READERS: dict[str, Callable[[Path, int], Iterator[Article | IngestError]]] = {
    **dict.fromkeys(JSONL_SUFFIXES, _iter_jsonl),
    **dict.fromkeys(TABLE_SUFFIXES, _iter_table),
    **dict.fromkeys(PARQUET_SUFFIXES, lambda path, _max_bytes: _iter_parquet(path)),
    **dict.fromkeys(WARC_SUFFIXES, _iter_warc),
    **dict.fromkeys(XML_SUFFIXES, _iter_xml),
    **dict.fromkeys(ARCHIVE_SUFFIXES, _iter_archive),
}


def holds_many_articles(path: PathLike) -> bool:
    """Whether ``path``'s format is one of many articles a file (JSON Lines, CSV/TSV,
    Parquet, WARC, an archive); an XML file may hold one news item or many."""
    suffix = _format_of(Path(path))[0]
    return suffix in _MANY_ARTICLE_READERS and suffix not in XML_SUFFIXES


def _iter_file(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    reader = _MANY_ARTICLE_READERS.get(_format_of(path)[0])
    if reader is not None:
        yield from reader(path, max_bytes)
        return
    try:
        yield from _file_items(path, max_bytes)
    except IngestError as error:
        yield error


def input_files(paths: Iterable[PathLike]) -> Iterator[Path | IngestError]:
    """Files named or found under folders (recursive, sorted, hidden ones skipped), and an
    error for each missing path and each file in a folder that is not an article format,
    except a database and its companions (a store kept beside the articles), passed over."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
                if found.is_file() and not hidden:
                    unknown = _unknown_format(found)
                    if unknown is None:
                        yield found
                    elif not _is_database_file(found):
                        yield unknown
        elif path.is_file():
            yield path
        else:
            yield IngestError(path, "no such file or folder")


#: The files SQLite keeps beside a database, and a newstrace store's writer lock.
_DATABASE_COMPANIONS = ("-wal", "-shm", "-journal", ".lock")
_SQLITE_HEADER = b"SQLite format 3\x00"


def _is_database_file(path: Path) -> bool:
    """Whether a file is a SQLite database (a newstrace store, as ``cd DIR && newstrace
    analyze .`` leaves one among the articles, or another tool's) or one of its companion
    files: never an article, and no input to report as skipped."""
    for end in _DATABASE_COMPANIONS:
        if path.name.endswith(end) and _is_sqlite(path.with_name(path.name[: -len(end)])):
            return True
    return _is_sqlite(path)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def is_article_file(path: PathLike) -> bool:
    """Whether a file found in a folder would be read for articles (its extension names an
    article format, or it has none and is sniffed)."""
    suffix = _format_of(Path(path))[0]
    return not suffix or suffix in ARTICLE_SUFFIXES


def _unknown_format(path: Path) -> IngestError | None:
    """An error for a file found in a folder whose extension names no article format
    (files without an extension are sniffed); name such a file on its own to read it."""
    suffix = _format_of(path)[0]
    if not suffix or suffix in ARTICLE_SUFFIXES or (suffix in MARKDOWN_SUFFIXES and _is_scraped_page(_head_of(path))):
        return None
    return IngestError(path, f"not an article format ({suffix}); newstrace reads .txt, .html, .json, "
                             ".jsonl, .csv, .tsv, .rss, .atom, .xml, .nitf, .newsml (optionally .gz), "
                             ".parquet, .warc(.gz) and .zip/.tar(.gz) archives of them: name the file on its "
                             "own to read it anyway")


#: Markdown files: notes beside the articles (a README), unless a scraper wrote them (a
#: Jina Reader page opens with its head: :func:`_reader_head`).
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


def _is_scraped_page(data: bytes) -> bool:
    """Whether a Markdown file's bytes open with Jina Reader's page head."""
    return _READER_HEAD.match(data[:4096].decode("utf-8", "replace")) is not None


def _head_of(path: Path) -> bytes:
    """A file's first 4 KiB (nothing when it cannot be read)."""
    try:
        with path.open("rb") as file:
            return file.read(4096)
    except OSError:
        return b""


def iter_articles(
    paths: Iterable[PathLike],
    *,
    on_skip: Callable[[InputError], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article]:
    """Articles from files and folders, in order. Each bad input (unreadable, empty, too
    big, malformed, a duplicate external id with other content) is skipped and reported
    once to ``on_skip``; ``max_bytes`` caps a file, or a line of a JSONL file."""
    seen_ids = ExternalIds()
    for item in input_files(paths):
        results = [item] if isinstance(item, IngestError) else _iter_file(item, max_bytes)
        for result in results:
            if isinstance(result, Article):
                result = seen_ids.check(result)
            if isinstance(result, IngestError):
                if on_skip is not None:
                    on_skip(result.to_input_error())
                continue
            yield result


def identity_key(path: PathLike, external_id: str | None = None, url: str | None = None,
                 line: int | None = None) -> str:
    """What makes an input one publication (:attr:`Article.key`): the record's own id,
    else the URL the record gives, else the file (absolute path, with the line for a line
    of a JSON Lines file). A URL a web page names itself is not used: sites give one
    canonical URL to many pages."""
    if external_id is not None:
        return f"id:{external_id}"
    if url is not None:
        return f"url:{url}"
    where = os.path.abspath(path)
    return f"path:{where}" if line is None else f"path:{where}:{line}"


def where_from(article: Article) -> str:
    """The file (and line, for JSON Lines) an article was read from."""
    if "line" in article.meta:
        return f"{article.path}:{article.meta['line']}"
    return str(article.path)


class ExternalIds:
    """The inputs' own ids seen so far, to refuse an id that comes back with other content."""

    def __init__(self) -> None:
        self._first_seen: dict[str, tuple[str, str]] = {}  # external id -> (article id, where)

    def seen_before(self, external_id: str, article_id: str, where: str) -> tuple[str, str] | None:
        """The content id and place ``external_id`` came with before, or ``None`` the first
        time (when it is recorded with these)."""
        entry = (article_id, where)
        first = self._first_seen.setdefault(external_id, entry)
        return None if first is entry else first

    def check(self, article: Article) -> Article | IngestError:
        """The article, or an error when its external id came before with other content."""
        if article.external_id is None:
            return article
        where = where_from(article)
        first = self.seen_before(article.external_id, article.id, where)
        if first is not None and first[0] != article.id:
            return IngestError(where, duplicate_id_reason(article.external_id, first[1]))
        return article


def duplicate_id_reason(external_id: str, first_seen: str) -> str:
    """Why an input is skipped whose id came before (at ``first_seen``) with other content."""
    return f"duplicate id {external_id!r} with other content (first seen in {first_seen})"


# --- slices, for reading on many processes ------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """A share of the inputs for one worker: whole files; or lines of one JSON Lines file,
    the first being ``first_line``: those starting in bytes ``[start, stop)`` of an
    uncompressed file, or ``lines`` already read (from a gzipped one); or ``row_groups`` of
    one Parquet file."""

    paths: tuple[str, ...]
    start: int = 0
    stop: int | None = None
    first_line: int = 1
    size: int = 0  #: bytes of input
    lines: bytes | None = None
    row_groups: tuple[int, ...] | None = None


def plan_slices(paths: Iterable[PathLike], *, slice_bytes: int = 8_000_000,
                on_skip: Callable[[InputError], None] | None = None) -> Iterator[Slice]:
    """Cut the inputs into slices of about ``slice_bytes`` (in input order): small files
    are grouped, large JSON Lines files are split at line ends (gzipped ones are read
    here, and their lines handed over). Missing paths and corrupt gzip streams are
    reported to ``on_skip``."""
    group: list[str] = []
    group_size = 0
    for item in input_files(paths):
        if isinstance(item, IngestError):
            if on_skip is not None:
                on_skip(item.to_input_error())
            continue
        size = _size(item)
        suffix, gzipped = _format_of(item)
        if suffix in JSONL_SUFFIXES and (size > slice_bytes or gzipped):
            if group:
                yield Slice(tuple(group), size=group_size)
                group, group_size = [], 0
            if gzipped:
                yield from _read_gzipped_jsonl(item, slice_bytes, on_skip)
            else:
                yield from _split_jsonl(item, slice_bytes)
            continue
        if suffix in PARQUET_SUFFIXES and size > slice_bytes:
            if group:
                yield Slice(tuple(group), size=group_size)
                group, group_size = [], 0
            yield from _parquet_slices(item, slice_bytes)
            continue
        group.append(str(item))
        group_size += size
        if group_size >= slice_bytes:
            yield Slice(tuple(group), size=group_size)
            group, group_size = [], 0
    if group:
        yield Slice(tuple(group), size=group_size)


def slice_size(paths: Iterable[PathLike], processes: int, *, most: int = 16_000_000,
               least: int = 1_000_000, per_process: int = 4) -> int:
    """Bytes per slice (:func:`plan_slices`) that cut the inputs into about ``per_process``
    slices for each of ``processes`` workers, so that none is left waiting while another
    reads a last large slice; between ``least`` and ``most`` (``most`` for one process)."""
    if processes <= 1:
        return most
    total = sum(_size(item) for item in input_files(paths) if isinstance(item, Path))
    return int(min(most, max(least, total // (per_process * processes))))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _split_jsonl(path: Path, slice_bytes: int) -> Iterator[Slice]:
    """Byte ranges of about ``slice_bytes`` ending at line ends, with their first line."""
    start, line = 0, 1
    with path.open("rb") as stream:
        while True:
            block = stream.read(slice_bytes)
            if not block:
                return
            block += stream.readline()  # finish the line the block cut
            stop = start + len(block)
            yield Slice((str(path),), start=start, stop=stop, first_line=line, size=len(block))
            start, line = stop, line + block.count(b"\n")


def _read_gzipped_jsonl(path: Path, slice_bytes: int,
                        on_skip: Callable[[InputError], None] | None) -> Iterator[Slice]:
    """The decompressed lines of a gzipped JSON Lines file, in slices of about
    ``slice_bytes``; a corrupt or truncated stream ends the file with one error."""
    block: list[bytes] = []
    size, first, line = 0, 1, 0
    try:
        with gzip.open(path, "rb") as stream:
            for line, text in enumerate(stream, 1):
                block.append(text)
                size += len(text)
                if size >= slice_bytes:
                    yield Slice((str(path),), first_line=first, size=size, lines=b"".join(block))
                    block, size, first = [], 0, line + 1
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        if on_skip is not None:
            on_skip(InputError(str(path), f"truncated or corrupt gzip file ({error})"))
    except OSError as error:
        if on_skip is not None:
            on_skip(InputError(str(path), f"cannot read file ({error.strerror or error})"))
    if block:
        yield Slice((str(path),), first_line=first, size=size, lines=b"".join(block))


def read_slice(piece: Slice, *, on_skip: Callable[[InputError], None] | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article]:
    """The articles of one slice (see :func:`plan_slices`); bad inputs go to ``on_skip``.
    Duplicate ids are left to the caller, who sees every slice (:class:`ExternalIds`)."""
    if piece.row_groups is not None:
        results: Iterable[Article | IngestError] = _iter_parquet(Path(piece.paths[0]), piece.row_groups)
    elif piece.lines is not None:
        results = _jsonl_records(
            Path(piece.paths[0]), io.BytesIO(piece.lines), piece.first_line, max_bytes)
    elif piece.stop is not None:
        results = _iter_jsonl(Path(piece.paths[0]), max_bytes, piece.start, piece.stop,
                              piece.first_line)
    else:
        results = (result for path in piece.paths for result in _iter_file(Path(path), max_bytes))
    for result in results:
        if isinstance(result, IngestError):
            if on_skip is not None:
                on_skip(result.to_input_error())
            continue
        yield result


def load_many(paths: Iterable[PathLike], **options: Any) -> LoadResult:
    """All articles from ``paths`` (see :func:`iter_articles`) and the inputs skipped."""
    result = LoadResult()
    result.articles = list(iter_articles(paths, on_skip=result.skipped.append, **options))
    return result
