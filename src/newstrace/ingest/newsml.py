"""News agencies' XML formats as records, one per news item.

Wire services and news archives deliver articles as XML: IPTC's NITF (one article a file,
as the New York Times Annotated Corpus and many agency feeds hold them), IPTC's NewsML-G2
(``newsItem`` documents, or many in a ``newsMessage``: AFP, Reuters, dpa, ANSA and others),
NewsML 1 (``NewsML`` envelopes, older agency archives) and the Reuters Corpus (RCV1's
``newsitem`` files). The records use the field names :mod:`newstrace.ingest.records` reads:
``id`` (the document's or item's own identifier: a later version of an item supersedes the
earlier one), ``title``, ``text`` (the body's paragraphs, one a line, apart by a blank
line), ``date`` (as written, ISO 8601 basic or extended), ``byline``, ``outlet`` and
``url``; the subjects and keywords the item is indexed by go to ``keywords``.

Items without a text body (pictures, videos, packages) are passed over. The XML is parsed
with lxml without reading any DTD, expanding external entities or using the network.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from newstrace.ingest.clean import split_byline

__all__ = ["NEWS_XML_ROOTS", "NewsXMLError", "news_xml_records"]

#: The root elements (local names) of the formats read: NITF, NewsML-G2 (a message, or one
#: item), NewsML 1 and the Reuters Corpus.
NEWS_XML_ROOTS = frozenset({"nitf", "newsMessage", "newsItem", "NewsML", "newsitem"})
#: Where a news XML document must open its root element (a cheap test before parsing).
_SNIFF_BYTES = 8192
#: The root element of one of these formats opening the document, after a byte order mark,
#: the XML declaration, comments, processing instructions and a document type declaration.
_ROOT_TAG = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*"
    rb"<(?:[\w.-]+:)?(?:nitf|newsMessage|newsItem|NewsML|newsitem)[\s>/]", re.DOTALL)
_SPACES = re.compile(r"\s+")


class NewsXMLError(ValueError):
    """The data names a news XML format but cannot be read as one."""


def news_xml_records(data: bytes) -> list[dict[str, Any]] | None:
    """The news items of an NITF, NewsML-G2, NewsML 1 or RCV1 document as records (see the
    module's docstring); ``None`` when ``data`` is not one of these (a feed, other XML).
    Raises :class:`NewsXMLError` when it opens as one but is not well-formed XML."""
    if _ROOT_TAG.match(data[:_SNIFF_BYTES]) is None:
        return None
    root = _parsed(data)
    name = etree.QName(root).localname
    if name not in NEWS_XML_ROOTS:
        return None
    _drop_namespaces(root)
    _settle_entities(root)
    reader = _READERS[name]
    return [record for record in reader(root) if record]


def _parsed(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if "Entity" not in str(error):
            raise NewsXMLError(f"not well-formed XML ({error})") from None
    # an entity only the unread DTD defines (NITF's "&mdash;"): recovered, then :func:`_settle_entities`
    lenient = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.fromstring(data, lenient)
    if root is None:
        raise NewsXMLError("not well-formed XML")
    return root


def _settle_entities(root: etree._Element) -> None:
    """Entity references left unexpanded (the DTD is not read) made the characters HTML
    names by them (NITF's DTD defines the same character entities: "&mdash;", "&eacute;");
    any other (an external entity) left out."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is None:
            continue
        rest = html.entities.html5.get(f"{entity.name};", "") + (entity.tail or "")
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + rest
        else:
            parent.text = (parent.text or "") + rest
        parent.remove(entity)


def _drop_namespaces(root: etree._Element) -> None:
    """Every element named by its local name alone (NewsML-G2 and the NITF or XHTML inside it
    come in namespaces; the formats' own names never clash)."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = etree.QName(element).localname


def _text(element: etree._Element | None) -> str | None:
    """An element's text, markup left out, whitespace runs made single spaces."""
    if element is None:
        return None
    text = _SPACES.sub(" ", "".join(element.itertext())).strip()
    return text or None


def _paragraphs(body: etree._Element | None, skip: Iterable[str] = ("media", "table")) -> str | None:
    """The paragraphs (and subheads and list items) of a body, a blank line apart, or its
    text when it has none; what ``skip`` names (captioned pictures, tables) left out."""
    if body is None:
        return None
    etree.strip_elements(body, *skip, with_tail=False)
    blocks = [_text(element) for element in body.iter("p", "hl2", "li", "pre", "h1", "h2", "h3")]
    text = "\n\n".join(block for block in blocks if block)
    return text or _text(body)


def _byline(element: etree._Element | None) -> str | None:
    """A byline's names ("By ANN LEE" names ANN LEE)."""
    text = _text(element)
    return split_byline(text)[0] if text else None


def _attribute(element: etree._Element | None, name: str) -> str | None:
    value = element.get(name) if element is not None else None
    return value.strip() if value and value.strip() else None


def _record(**fields: Any) -> dict[str, Any]:
    """The fields that have a value."""
    return {name: value for name, value in fields.items() if value}


# -- NITF ------------------------------------------------------------------------------
def _nitf(root: etree._Element) -> list[dict[str, Any]]:
    head, body_head = root.find("head"), root.find("body/body.head")
    pubdata = root.find("head/pubdata")
    docdata = root.find("head/docdata")
    url = _attribute(pubdata, "ex-ref")
    return [_record(
        id=_attribute(root.find("head/docdata/doc-id"), "id-string"),
        title=_text(root.find("body/body.head/hedline/hl1")) or _text(root.find("head/title")),
        text=_nitf_text(root.find("body/body.content")),
        date=(_attribute(pubdata, "date.publication") or _attribute(root.find("head/docdata/date.issue"), "norm")
              or _attribute(root.find("head/docdata/date.release"), "norm") or _nyt_date(head)),
        byline=_nitf_byline(body_head),
        outlet=(_attribute(pubdata, "name") or _attribute(root.find("head/docdata/doc.copyright"), "holder")
                or _text(root.find("body/body.head/distributor"))),
        url=url if url and url.startswith(("http://", "https://")) else None,
        keywords=_keywords(docdata),
    )]


def _nitf_text(content: etree._Element | None) -> str | None:
    """The body's paragraphs; where a block holds the full text (the New York Times'
    ``full_text`` beside its ``lead_paragraph``, which repeats the first ones), that block's."""
    if content is None:
        return None
    full = content.find("block[@class='full_text']")
    return _paragraphs(full if full is not None else content)


def _nitf_byline(body_head: etree._Element | None) -> str | None:
    """The first byline as printed (the New York Times adds a ``normalized_byline``,
    "Doe, John", after it)."""
    if body_head is None:
        return None
    for byline in body_head.iter("byline"):
        if byline.get("class") != "normalized_byline" and (names := _byline(byline)):
            return names
    return None


def _nyt_date(head: etree._Element | None) -> str | None:
    """The publication day the New York Times corpus gives as ``meta`` elements."""
    if head is None:
        return None
    meta = {element.get("name"): element.get("content") for element in head.iter("meta")}
    parts = [meta.get(f"publication_{part}") for part in ("year", "month", "day_of_month")]
    if not all(part and part.isdigit() for part in parts):
        return None
    year, month, day = (int(part) for part in parts)  # type: ignore[arg-type]
    return f"{year:04d}-{month:02d}-{day:02d}"


def _keywords(docdata: etree._Element | None) -> list[str]:
    """The keywords and subject terms an NITF document is indexed by, in order, once each."""
    if docdata is None:
        return []
    found = [_attribute(keyword, "key") for keyword in docdata.iter("keyword")]
    found += [_text(classifier) for classifier in docdata.iter("classifier")]
    return list(dict.fromkeys(term for term in found if term))


# -- NewsML-G2 -------------------------------------------------------------------------
def _g2_message(root: etree._Element) -> list[dict[str, Any]]:
    return [record for item in root.iter("newsItem") for record in _g2_item(item)]


def _g2_item(item: etree._Element) -> list[dict[str, Any]]:
    text = _g2_text(item.find("contentSet"))
    if text is None:  # a picture, a video, a graphic: nothing to compare
        return []
    provider = item.find("itemMeta/provider")
    subjects = [_text(subject.find("name")) or _attribute(subject, "qcode")
                for subject in item.iterfind("contentMeta/subject")]
    keywords = [_text(keyword) for keyword in item.iterfind("contentMeta/keyword")]
    return [_record(
        id=_attribute(item, "guid"),
        title=_text(item.find("contentMeta/headline")),
        text=text,
        date=(_text(item.find("contentMeta/contentCreated")) or _text(item.find("itemMeta/firstCreated"))
              or _text(item.find("itemMeta/versionCreated"))),
        byline=_byline(item.find("contentMeta/by")),
        outlet=_text(provider) or _attribute(provider, "literal") or _qcode_name(_attribute(provider, "qcode")),
        url=_attribute(item.find("itemMeta/link[@rel='irel:seeAlso']"), "href"),
        credit=_text(item.find("contentMeta/creditline")),
        version=_attribute(item, "version"),
        keywords=list(dict.fromkeys(term for term in subjects + keywords if term)),
    )]


def _g2_text(content_set: etree._Element | None) -> str | None:
    """The text of an item's first text rendition: inline NITF or XHTML, or inline plain text."""
    if content_set is None:
        return None
    for rendition in content_set:
        if rendition.tag == "inlineXML":
            body = rendition.find(".//body.content")
            if body is None:
                body = rendition.find(".//body")
            text = _nitf_text(body) if body is not None and body.tag == "body.content" else _paragraphs(body)
            if text:
                return text
        elif rendition.tag == "inlineData" and "text" in (rendition.get("contenttype") or "text/plain"):
            text = (rendition.text or "").strip()
            if text:
                return text
    return None


def _qcode_name(qcode: str | None) -> str | None:
    """The code of a NewsML-G2 QCode ("nprov:AFP" names AFP)."""
    return (qcode.split(":", 1)[-1] or None) if qcode else None


# -- NewsML 1 --------------------------------------------------------------------------
def _newsml1(root: etree._Element) -> list[dict[str, Any]]:
    return [record for item in root.iter("NewsItem") for record in _newsml1_item(item)]


def _newsml1_item(item: etree._Element) -> list[dict[str, Any]]:
    text = None
    for data in item.iter("DataContent"):
        body = data.find(".//body.content")
        text = _nitf_text(body) if body is not None else _paragraphs(data)
        if text:
            break
    if not text:
        return []
    identifier = item.find("Identification/NewsIdentifier")
    public = _text(item.find("Identification/NewsIdentifier/PublicIdentifier"))
    return [_record(
        id=public or _text(item.find("Identification/NewsIdentifier/NewsItemId")),
        title=_text(next(item.iter("HeadLine"), None)),
        text=text,
        date=_text(item.find("NewsManagement/FirstCreated")) or _text(item.find("NewsManagement/ThisRevisionCreated")),
        byline=_byline(next(item.iter("ByLine"), None)),
        outlet=_text(identifier.find("ProviderId")) if identifier is not None else None,
    )]


# -- Reuters Corpus (RCV1) ---------------------------------------------------------------
def _rcv1(root: etree._Element) -> list[dict[str, Any]]:
    publisher = next((element.get("value") for element in root.iter("dc")
                      if element.get("element") == "dc.publisher"), None)
    copyright = _text(root.find("copyright")) or ""
    return [_record(
        id=_attribute(root, "itemid"),
        title=_text(root.find("headline")) or _text(root.find("title")),
        text=_paragraphs(root.find("text")),
        date=_attribute(root, "date"),
        byline=_byline(root.find("byline")),
        outlet=publisher or ("Reuters" if "Reuters" in copyright else None),
        keywords=[code.get("code") for codes in root.iter("codes") for code in codes.iter("code") if code.get("code")],
    )]


_READERS: dict[str, Callable[[etree._Element], list[dict[str, Any]]]] = {
    "nitf": _nitf, "newsMessage": _g2_message, "newsItem": _g2_item, "NewsML": _newsml1, "newsitem": _rcv1,
}
