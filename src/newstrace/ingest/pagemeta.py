"""A web page's own publication date, headline and outlet, read from its metadata first.

Dates come from the most explicit place the page offers, in this order: ``<meta>`` tags
(``article:published_time``, ``datePublished``, Dublin Core, ...), JSON-LD
``datePublished``, ``<time datetime>``, a date in the page's own URL (never an image's or
another asset's path), a labelled date in the visible text ("Posted 01/06/2008"), and last
htmldate without its extensive search (which reads image paths and free text). A numeric
date that reads both ways (``01/06/2008``) is read month-first on US pages and day-first
elsewhere (:func:`month_first`); a date after the crawl (the file's time, or now) or before
1990 is rejected and the next source is tried.

Titles come from ``og:title``, JSON-LD ``headline``, the first ``<h1>`` or ``<title>``,
with site names and separators cut off; a title that is only separators, a date, the site
name or a word like "home" is refused. The outlet comes from ``og:site_name``, the JSON-LD
publisher, or the host name, never from a copyright line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from lxml import html as lxml_html

__all__ = ["EARLIEST", "PageMeta", "clean_outlet", "clean_title", "host_outlet", "is_junk_title", "month_first", "month_first_in", "page_meta", "read_date",
           "url_date"]

EARLIEST = dt.date(1990, 1, 1)  #: dates before this are taken for misreadings
_SLACK = dt.timedelta(days=1)  #: a page may be dated a day after the crawl (time zones)

#: ``<meta>`` names and properties that carry the first publication date, best first.
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "date_published",
    "publishdate", "publish-date", "publish_date", "pubdate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
    "dc.date", "date", "originalpublicationdate", "article.published", "cxenseparse:recs:publishtime",
)
_TITLE_META = ("og:title", "twitter:title")
_SITE_META = ("og:site_name", "application-name", "al:ios:app_name", "twitter:app:name:iphone")


@dataclass
class PageMeta:
    """What a page says about itself; ``date_source`` names where the date was read."""

    title: str | None = None
    date: str | None = None  #: ``YYYY-MM-DD``
    date_source: str | None = None  #: "meta", "json-ld", "time", "url", "text", "htmldate"
    outlet: str | None = None
    url: str | None = None  #: the page's canonical URL, if it names one
    #: The page's own address where it names one on another site than its canonical link
    #: (``og:url``): a syndicated copy's, whose canonical link names the original
    own_url: str | None = None


# --- reading dates ------------------------------------------------------------------------

#: The months as their names begin (a name's first three letters, lower case, index 0 = January).
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: A month's name, in full or abbreviated (``Sept.``): every date reader of newstrace's ingest uses it.
MONTH_NAME = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
              r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_WORD = r"\b(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\b\.?"
_WEEKDAY = _WEEKDAY_WORD + r",?\s+"
_DATE_TEXT = re.compile(
    rf"(?P<weekday>{_WEEKDAY})?(?:"
    r"(?P<iy>\d{4})(?P<isep>[/.-])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})(?!\d)"
    r"|(?<![\d/.])(?P<n1>\d{1,2})(?P<sep>[/.-])(?P<n2>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d{2})(?![\d/.])"
    rf"|(?P<md_month>{MONTH_NAME})\s+(?P<md_day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<md_year>\d{{4}})"
    rf"|(?P<dm_day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<dm_month>{MONTH_NAME}),?\s+(?P<dm_year>\d{{4}})"
    r")",
    re.IGNORECASE,
)
#: A date the page labels as its own: "Posted 01/06/2008", "Article Launched: ...".
_LABELLED = re.compile(
    r"\b(?:Published|Posted|Launched|Created|First published|Publication date|Date)(?:\s+(?:on|at))?"
    r"\s*:?\s*(?=[\dA-Z])",
    re.IGNORECASE,
)
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
    r"|/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/([12]\d|3[01]|0?[1-9])/"
)
_ASSET = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|mp[34]|mov|pdf|css|js|ico)(?:[?#]|$)",
                    re.IGNORECASE)
_DAY_FIRST_TLDS = frozenset({
    "uk", "ie", "au", "nz", "in", "za", "pk", "ng", "ke", "sg", "my", "hk", "ph",
    "fr", "de", "es", "it", "pt", "br", "ru", "nl", "be", "ch", "at", "pl", "se", "no", "dk",
    "fi", "gr", "tr", "ar", "mx", "cl", "co", "pe", "id", "il", "eu", "ca", "jp", "kr", "cn",
})


def month_first(lang: str | None, url: str | None) -> bool:
    """Whether an ambiguous numeric date (``01/06/2008``) on this page is month-first.

    ``en-US`` says yes; any other regional English or another language says no;
    plain ``en`` or no language goes by the host: generic
    and US top-level domains (``.com``, ``.org``, ``.net``, ``.gov``, ``.us``) are read as
    US sites, since English-language outlets outside the US mostly publish under their
    country's domain (``.co.uk``, ``.com.au``, ``.ie``, ``.ca``) while the US ones use
    ``.com``; a country domain reads day-first.
    """
    region = re.split(r"[-_]", lang.strip().lower()) if lang and lang.strip() else []
    if region and region[0] != "en":
        return False
    if len(region) > 1:
        return region[1] == "us"
    host = urlsplit(url).hostname if url and "//" in url else None
    if not host:
        return True
    return host.rsplit(".", 1)[-1] not in _DAY_FIRST_TLDS


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def month_first_in(values: Iterable[object]) -> bool | None:
    """Whether a collection's numeric dates (``01/06/2008``, one per record) are written
    month-first: ``True`` or ``False`` when some of ``values`` read one way only
    (``09/13/2023``, ``13/09/2023``) and none reads only the other, else ``None``."""
    month, day = False, False
    for value in values:
        match = _DATE_TEXT.match(value.strip()) if isinstance(value, str) else None
        if match is not None and match["n1"]:
            first, second = int(match["n1"]), int(match["n2"])
            month |= first <= 12 < second
            day |= second <= 12 < first
    return month if month != day else None


def _numeric(first: int, second: int, year: int, mdy: bool | None, weekday: str | None) -> dt.date | None:
    """A numeric date read the only way it can be, else by the weekday it names, else by
    the page's convention (none: ``mdy`` ``None``)."""
    us, world = _day(year, first, second), _day(year, second, first)
    if us is None or world is None or us == world:
        return us or world
    if weekday:
        named = _WEEKDAYS.index(weekday.strip()[:3].lower())
        matching = [d for d in (us, world) if d.weekday() == named]
        if len(matching) == 1:
            return matching[0]
    return None if mdy is None else us if mdy else world


def read_date(text: str, *, mdy: bool | None = True) -> dt.date | None:
    """The first calendar date written in ``text``: ISO or year first (``2008/01/06``),
    numeric (``01/06/2008``, read month-first when ``mdy`` and both readings are valid, not
    read when ``mdy`` is ``None`` unless dotted: ``01.06.2008`` is day-first), or with a month name
    (``January 6, 2008``, ``Tuesday 15th of January 2008``). A weekday alone is no date."""
    for match in _DATE_TEXT.finditer(text):
        found = _from_match(match, mdy)
        if found is not None:
            return found
    return None


def _from_match(match: re.Match[str], mdy: bool | None) -> dt.date | None:
    g = match.groupdict()
    if g["iy"]:
        return _day(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["n1"]:
        year = int(g["ny"])
        year += 2000 if year < 70 and len(g["ny"]) == 2 else 1900 if len(g["ny"]) == 2 else 0
        if mdy is None and g["sep"] == ".":  # dots join day, month and year in that order
            mdy = False
        return _numeric(int(g["n1"]), int(g["n2"]), year, mdy, g["weekday"])
    name = g["md_month"] or g["dm_month"]
    day, year = int(g["md_day"] or g["dm_day"]), int(g["md_year"] or g["dm_year"])
    return _day(year, MONTHS.index(name[:3].lower()) + 1, day)


def _iso_day(value: str) -> dt.date | None:
    """The calendar date an ISO timestamp was written for (its own time zone kept)."""
    match = re.match(r"\s*(\d{4})-?(\d{2})-?(\d{2})", value)
    return _day(*map(int, match.groups())) if match else None


def url_date(url: str | None) -> dt.date | None:
    """A date written as a path segment of a page URL (``/2008/01/06/``, ``/20080106/``);
    never from an image or other asset."""
    if not url or _ASSET.search(url):
        return None
    path = urlsplit(url).path if "//" in url else url
    match = _URL_DATE.search(path)
    if match is None:
        return None
    parts = [int(part) for part in match.groups() if part is not None]
    return _day(*parts)


# --- the page ------------------------------------------------------------------------------


def _parse(html: str | bytes) -> lxml_html.HtmlElement | None:
    try:
        if isinstance(html, str):
            html = html.encode("utf-8", "replace")
        return lxml_html.document_fromstring(html, parser=lxml_html.HTMLParser(encoding="utf-8"))
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None


def _metas(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-case name, property or itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or meta.get("datetime") or "").strip()
        if not content:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            if meta.get(key):
                found.setdefault(meta.get(key).strip().lower(), []).append(content)
    return found


def _json_ld(tree: lxml_html.HtmlElement) -> list[dict]:
    """Every JSON-LD object on the page (``@graph`` members and nested lists flattened)."""
    objects: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            objects.append(node)
            walk(node.get("@graph"))

    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            try:
                walk(json.loads(script.text))
            except ValueError:
                continue
    return objects


def _ld_text(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _canonical_url(tree: lxml_html.HtmlElement, metas: dict[str, list[str]]) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            return link.get("href").strip()
    return (metas.get("og:url") or [None])[0]


_HEADLINE_REACH = 300  #: a date this close after the headline is the page's dateline
_INVISIBLE = "ancestor::script or ancestor::style or ancestor::noscript or ancestor::template"


@dataclass
class _Page:
    tree: lxml_html.HtmlElement
    metas: dict[str, list[str]]
    ld: list[dict]
    url: str | None
    month_first: bool

    @cached_property
    def text(self) -> str:
        """The body's text as a reader sees it: no scripts or styles, spaces collapsed."""
        return " ".join(" ".join(self.tree.xpath(f"//body//text()[not({_INVISIBLE})]")).split())


def _date_candidates(page: _Page) -> Iterator[tuple[str, dt.date | None]]:
    """Dates the page gives, most explicit first, with where each was read."""
    for name in _DATE_META:
        for value in page.metas.get(name, []):
            yield "meta", _iso_day(value) or read_date(value, mdy=page.month_first)
    for item in page.ld:
        if isinstance(item.get("datePublished"), str):
            yield "json-ld", _iso_day(item["datePublished"])
    for time in page.tree.iter("time"):
        if time.get("datetime"):
            yield "time", _iso_day(time.get("datetime"))
    yield "url", url_date(page.url)
    text = page.text
    for label in _LABELLED.finditer(text):
        yield "text", _date_at(text, label.end(), page.month_first)
    headline = next((" ".join(h1.text_content().split()) for h1 in page.tree.iter("h1")), "")
    at = text.find(headline) if headline else -1
    if at >= 0:
        near = text[at + len(headline) : at + len(headline) + _HEADLINE_REACH]
        yield "text", read_date(near, mdy=page.month_first)


def _date_at(text: str, start: int, mdy: bool) -> dt.date | None:
    """A date written right at ``start`` (after spaces or a weekday), else ``None``."""
    match = _DATE_TEXT.match(text, start)
    return _from_match(match, mdy) if match else None


def _local_day(day: dt.date, page: _Page, source: str) -> dt.date:
    """The page's own URL date where a metadata timestamp falls on the next day: a UTC
    time stamp of an evening story is already the next day in UTC."""
    if source in ("meta", "json-ld", "time"):
        in_url = url_date(page.url)
        if in_url is not None and in_url == day - dt.timedelta(days=1):
            return in_url
    return day


def _plausible(day: dt.date | None, latest: dt.date) -> bool:
    return day is not None and EARLIEST <= day <= latest + _SLACK


def _page_date(page: _Page, html: str | bytes, latest: dt.date) -> tuple[str | None, str | None]:
    for source, day in _date_candidates(page):
        if _plausible(day, latest):
            return _local_day(day, page, source).isoformat(), source
    day = _htmldate(page, html, latest)
    return (day.isoformat(), "htmldate") if day else (None, None)


def _htmldate(page: _Page, html: str | bytes, latest: dt.date) -> dt.date | None:
    """htmldate's reading without its extensive search, kept only when the page's visible
    text writes that date (in either day-month order; it is then read by the page's
    convention): a date found only in markup (a script, a link, an asset path) is not one
    the page states."""
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=False, original_date=True,
                          min_date=EARLIEST.isoformat(), max_date=(latest + _SLACK).isoformat())
    except (ValueError, TypeError):
        return None
    day = _iso_day(found) if found else None
    if day is None:
        return None
    for match in _DATE_TEXT.finditer(page.text):
        readings = {_from_match(match, True), _from_match(match, False)}
        if day in readings:
            written = _from_match(match, page.month_first)
            return written if _plausible(written, latest) else None
    return None


# --- titles and outlets ------------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s+(?:[|•·»«:~]|::|[-–—]{1,2})\s+")
_ONLY_PUNCTUATION = re.compile(r"^[\W_]*$")
_GENERIC_TITLES = frozenset({"home", "homepage", "home page", "index", "untitled", "news", "article",
                             "welcome", "page not found", "404", "main page", "front page"})
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold().removeprefix("www."))


_DATE_FILLER = re.compile(
    rf"{_WEEKDAY_WORD}|\b(?:of|the|on|at|updated|posted|published|today)\b"
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]\.?M\.?)?(?:\s+[A-Z]{2,4}\b)?",
    re.IGNORECASE,
)


def _is_date(text: str) -> bool:
    """Whether ``text`` says nothing but a date (with weekday, time and words like "on")."""
    rest = _DATE_FILLER.sub(" ", _DATE_TEXT.sub(" ", text))
    return rest != text and not rest.strip(" ,.|-–—:/")


_SITE_REACH = 12  #: a segment names the site if it is the site's name and at most this much more


def _names_site(segment: str, sites: Iterable[str]) -> bool:
    """Whether ``segment`` is a site's name, or its name and a short section name
    ("CNN Politics")."""
    key = _key(segment)
    return bool(key) and any(site == key or (site in key and len(key) <= len(site) + _SITE_REACH)
                             for site in map(_key, sites) if site)


def clean_title(title: str | None, sites: Iterable[str] = ()) -> str | None:
    """``title`` without the site names, dates and separators at either end (``"Storm hits
    coast | The Herald"`` -> ``"Storm hits coast"``); ``None`` when nothing is left that is
    more than separators, a date, the site name or a word like "home"."""
    if not title:
        return None
    title = " ".join(title.split())
    sites = [site for site in sites if site]
    segments = [s.strip() for s in _SEPARATORS.split(f" {title} ") if s.strip()]
    while segments and _refused(segments[-1], sites):
        segments.pop()
    while segments and _refused(segments[0], sites):
        segments.pop(0)
    if not segments:
        return None
    title = _rejoin(title, segments)
    return None if _refused(title, sites) else title


def _rejoin(title: str, kept: list[str]) -> str:
    """The stretch of ``title`` from the first kept segment to the last (its own separators)."""
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end] if 0 <= start < end else " ".join(kept)


def is_junk_title(text: str, sites: Iterable[str] = ()) -> bool:
    """Whether ``text`` is no headline: only separators, a date, a site's name, a copyright
    line or a word like "home"."""
    return _refused(text, list(sites))


def _refused(text: str, sites: list[str]) -> bool:
    text = text.strip()
    lowered = text.casefold()
    if _ONLY_PUNCTUATION.match(text) is not None or lowered in _GENERIC_TITLES:
        return True
    if "©" in text or "copyright" in lowered or "rights reserved" in lowered:
        return True
    if any(character.isdigit() for character in text) and _is_date(text):  # every date has a digit
        return True
    return bool(sites) and _names_site(text, sites)


def clean_outlet(name: str | None) -> str | None:
    """An outlet name, or ``None`` for a copyright line, a date or a bare separator;
    dates and separators hanging off a name are cut (``"Ledger-Enquirer.com | 01/07/2008"``
    -> ``"Ledger-Enquirer.com"``)."""
    if not name or _COPYRIGHT.search(name):
        return None
    if re.match(r"https?://", name.strip()):
        return host_outlet(name.strip())
    segments = [s.strip() for s in _SEPARATORS.split(f" {' '.join(name.split())} ") if s.strip()]
    kept = [s for s in segments if not _ONLY_PUNCTUATION.match(s) and not _is_date(s)]
    return kept[0] if kept and len(kept[0]) <= 80 else None


def host_outlet(url: str | None) -> str | None:
    """The host a page was served from, without ``www.``: ``"ledger-enquirer.com"``."""
    host = urlsplit(url).hostname if url and "//" in url else None
    return host.removeprefix("www.") if host else None


def _registered(host: str) -> str:
    """A host's registered domain (``amp.theguardian.com`` -> ``theguardian.com``;
    ``news.bbc.co.uk`` -> ``bbc.co.uk``)."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are pages of one site: the same registered domain, or the same name
    under another country's domain (``businessinsider.com``, ``businessinsider.de``), or one
    host naming the other's site (``jaraguadosul.com.br``, ``jaraguadosul.sc.gov.br``);
    ``False`` when either has no host."""
    host, other_host = host_outlet(url), host_outlet(other)
    if host is None or other_host is None:
        return False
    name, other_name = _registered(host).split(".")[0], _registered(other_host).split(".")[0]
    return name == other_name or name in other_host.split(".") or other_name in host.split(".")


#: Second-level labels under which a country's domains are registered (``co.uk``, ``com.au``).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})


def _site_names(page: _Page) -> list[str]:
    names = [value for key in _SITE_META for value in page.metas.get(key, [])]
    for item in page.ld:
        if item.get("@type") in ("WebSite", "Organization", "NewsMediaOrganization"):
            names.append(_ld_text(item.get("name")) or "")
        names.append(_ld_text(item.get("publisher")) or "")
    host = host_outlet(page.url)
    if host:
        names += [host, host.split(".")[0]]
    return [name for name in names if name]


def _outlet(page: _Page) -> str | None:
    candidates = [value for key in _SITE_META[:1] for value in page.metas.get(key, [])]
    candidates += [_ld_text(item.get("publisher")) or "" for item in page.ld]
    for candidate in candidates:
        outlet = clean_outlet(candidate)
        if outlet:
            return outlet
    return None


def _title(page: _Page, sites: list[str]) -> str | None:
    candidates = [value for key in _TITLE_META for value in page.metas.get(key, [])]
    candidates += [_ld_text(item.get("headline")) or "" for item in page.ld]
    candidates += [h1.text_content() for h1 in page.tree.iter("h1")][:1]
    candidates += [title.text_content() for title in page.tree.iter("title")][:1]
    for candidate in candidates:
        title = clean_title(candidate, sites)
        if title:
            return title
    return None


def page_meta(html: str | bytes, url: str | None = None, *, crawled: dt.date | None = None) -> PageMeta:
    """Title, publication date and outlet of a web page (see the module's docstring).
    ``url`` is where the page was fetched from, if known; ``crawled`` the day it was
    fetched (default today): later dates are misreadings."""
    tree = _parse(html)
    if tree is None:
        return PageMeta()
    metas = _metas(tree)
    canonical = _canonical_url(tree, metas)
    page_url = url or canonical
    lang = tree.get("lang") or (metas.get("og:locale") or metas.get("content-language") or [None])[0]
    page = _Page(tree, metas, _json_ld(tree), page_url, month_first(lang, page_url))
    date, source = _page_date(page, html, crawled or dt.date.today())
    sites = _site_names(page)
    return PageMeta(title=_title(page, sites), date=date, date_source=source,
                    outlet=_outlet(page), url=canonical, own_url=_own_url(metas, canonical))


def _own_url(metas: dict[str, list[str]], canonical: str | None) -> str | None:
    """The page's ``og:url`` where its canonical link names a page of another site."""
    own = (metas.get("og:url") or [""])[0].strip()
    if not own or not canonical or own == canonical or same_site(own, canonical):
        return None
    return own
