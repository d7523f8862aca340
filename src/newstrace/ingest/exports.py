"""Plain-text exports of news databases (LexisNexis, Factiva) as records, one per document.

Media researchers collect news from LexisNexis and Factiva, whose text exports hold many
articles in one file, each with its outlet, date, title and metadata around the body:

* LexisNexis Academic: documents open with a line ``3 of 100 DOCUMENTS``; the outlet, the
  date (and an edition) and the title come first, then ``BYLINE:``, ``SECTION:``,
  ``LENGTH:``, ``DATELINE:``, the body, and ``LOAD-DATE:``, ``LANGUAGE:``, a copyright line;
* Nexis Uni: documents close with a line ``End of Document``; the title, the outlet and the
  date come first, then a copyright line, ``Section:``, ``Length:``, ``Byline:``, a line
  ``Body``, the body, and ``Load-Date:``;
* Factiva, "Full Article/Report plus Indexing": each field under a code opening its line
  (``HD`` headline, ``BY`` byline, ``WC`` words, ``PD`` date, ``ET`` time, ``SN`` source,
  ``LA`` language, ``CY`` copyright, ``LP`` and ``TD`` the text, ``NS``/``RE``/``CO``/``IN``
  its indexing), closed by ``AN Document <id>``;
* Factiva, "Article": the headline (and byline), ``N words``, the date (and time), the
  source's name and code, the language, a copyright line, the body, then ``Document <id>``.

:func:`export_records` gives each document as a record with the field names
:mod:`newstrace.ingest.readers` reads JSON records by (``title``, ``outlet``, ``date``,
``byline``, ``url``, ``text``; the other labels, lower-cased, go to the article's ``meta``),
or ``None`` for a text that is no such export (then it is one article).
"""

from __future__ import annotations

import re
from typing import Any

from newstrace.ingest.clean import split_byline
from newstrace.ingest.pagemeta import read_date

__all__ = ["export_records"]

#: The line that opens a LexisNexis Academic document.
_ACADEMIC_START = re.compile(r"^[ \t]*\d+ of \d+ DOCUMENTS?[ \t]*$", re.MULTILINE | re.IGNORECASE)
#: The line that closes a Nexis Uni document.
_UNI_END = re.compile(r"^[ \t]*End of Document[ \t]*$", re.MULTILINE)
#: The line that closes a Factiva document, labelled ("AN Document ...") or not.
_FACTIVA_END = re.compile(r"^[ \t]*(?P<label>AN[ \t]+)?Document[ \t]+(?P<id>[A-Za-z0-9]{12,40})[ \t]*$", re.MULTILINE)
#: A Factiva field code opening a line ("HD", "LP", "IPD"), then its value.
_FACTIVA_FIELD = re.compile(r"^(?P<code>[A-Z]{2,3})(?:[ \t]+(?P<value>.*))?$")
#: What each Factiva field code is read as; the codes named ``None`` hold the text.
_FACTIVA_CODES = {
    "HD": "title", "BY": "byline", "CR": "credit", "WC": "length", "PD": "date", "ET": "time", "SN": "outlet",
    "SC": "source_code", "ED": "edition", "PG": "page", "LA": "language", "CY": "copyright", "LP": None,
    "TD": None, "CT": "contact", "RF": "reference", "CO": "companies", "IN": "industries", "NS": "subjects",
    "RE": "regions", "IPC": "codes", "IPD": "descriptors", "PUB": "publisher", "SE": "section",
    "CLM": "column", "HLP": "lead_headline", "ART": "art", "VOL": "volume", "AN": "document",
}
#: The "N words" line of a Factiva article's head.
_WORDS_LINE = re.compile(r"^[ \t]*[\d,]+ words[ \t]*$", re.IGNORECASE | re.MULTILINE)
_TIME_LINE = re.compile(r"^\d{1,2}:\d{2}(?: GMT)?$")
#: A labelled metadata line: "BYLINE: By Ann Lee", "Load-Date: September 14, 2023".
_LABEL = re.compile(r"^[ \t]*(?P<label>[A-Za-z]+(?:-[A-Za-z]+)*):[ \t]*(?P<value>.*)$")
#: The labels of the metadata LexisNexis writes around a body.
_LABELS = frozenset({
    "byline", "section", "length", "dateline", "highlight", "load-date", "language", "graphic",
    "publication-type", "journal-code", "document-type", "correction-date", "url", "subject",
    "organization", "person", "geographic", "company", "industry", "ticker", "notes", "type",
    "series", "edition", "distribution", "column", "classification", "country", "city", "state",
})
#: Labels after which the body is over.
_CLOSING = frozenset({"load-date", "language", "graphic", "publication-type", "journal-code",
                      "document-type", "correction-date", "url", "subject", "classification"})
#: An edition line of the head ("Late Edition - Final", "FIRST EDITION").
_EDITION = re.compile(r"\bEdition\b", re.IGNORECASE)
#: The head's date line: "September 14, 2023 Thursday", "14 September 2023".
_DATE_LINE = re.compile(r"\s*(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})\b")
_COPYRIGHT = re.compile(r"^\s*(?:Copyright|©|\(c\))", re.IGNORECASE)


def export_records(text: str) -> list[dict[str, Any]] | None:
    """The documents of a LexisNexis or Factiva text export as records, or ``None`` when
    ``text`` is not one (no document marker)."""
    if _ACADEMIC_START.search(text):
        documents = _ACADEMIC_START.split(text)[1:]
        title_first = False
    elif _UNI_END.search(text):
        documents = _UNI_END.split(text)
        documents = documents[:-1] if not documents[-1].strip() else documents
        title_first = True
    elif (ends := list(_FACTIVA_END.finditer(text))) and _is_factiva(text, ends[0]):
        return _factiva_records(text, ends)
    else:
        return None
    return [record for document in documents if (record := _document(document, title_first))]


def _document(document: str, title_first: bool) -> dict[str, Any]:
    """One document's record: its head (the lines before the first label, copyright line
    or ``Body`` line), the labelled metadata before and after its body, and its body (from
    its first other line to the first closing label)."""
    lines = document.strip("\n").split("\n")
    at = 0
    while at < len(lines) and not _opens_metadata(lines[at]):
        at += 1
    head = [line.strip() for line in lines[:at] if line.strip()]
    meta: dict[str, str] = {}
    body: list[str] = []
    for at in range(at, len(lines)):
        line, label = lines[at], _is_label(lines[at])
        if body and label in _CLOSING:
            break
        if not body:
            if label is not None:
                meta[label] = _LABEL.match(line)["value"].strip()
                continue
            if not line.strip() or line.strip() == "Body" or _COPYRIGHT.match(line):
                continue
        body.append(line)
    else:
        at = len(lines)
    for line in lines[at:]:
        if (label := _is_label(line)) is not None:
            meta.setdefault(label, _LABEL.match(line)["value"].strip())
    record = _head_fields(head, title_first)
    record.update(text="\n".join(body).strip(), byline=split_byline(meta.pop("byline", ""))[0],
                  url=meta.pop("url", "") or None)
    record.update((label, value) for label, value in meta.items() if value)
    return {name: value for name, value in record.items() if value}


def _opens_metadata(line: str) -> bool:
    return _is_label(line) is not None or bool(_COPYRIGHT.match(line)) or line.strip() == "Body"


def _is_label(line: str) -> str | None:
    match = _LABEL.match(line)
    if match is None:
        return None
    label = match["label"].lower()
    return label if label in _LABELS else None


def _head_fields(head: list[str], title_first: bool) -> dict[str, Any]:
    """Title, outlet and date from a document's head: the date is the line that reads as
    one, editions are passed over; the title comes first in Nexis Uni, last in Academic."""
    date = None
    rest = []
    for line in head:
        found = read_date(line) if date is None and _DATE_LINE.match(line) else None
        if found is not None:
            date = found.isoformat()
        elif not _EDITION.search(line):
            rest.append(line)
    if not rest:
        return {"date": date}
    if title_first:
        title, outlet = rest[0], (rest[1] if len(rest) > 1 else None)
    else:
        outlet, title = rest[0], (rest[-1] if len(rest) > 1 else None)
    return {"title": title, "outlet": outlet, "date": date}


def _is_factiva(text: str, first_end: re.Match[str]) -> bool:
    """Whether a text whose line ``first_end`` reads as a Factiva document's last is an
    export: that line is labelled ("AN Document ..."), or an "N words" line comes before it."""
    return bool(first_end["label"]) or _WORDS_LINE.search(text, 0, first_end.start()) is not None


def _factiva_records(text: str, ends: list[re.Match[str]]) -> list[dict[str, Any]]:
    """The records of a Factiva export whose documents close at ``ends``."""
    records, start = [], 0
    for end in ends:
        document = text[start:end.start()]
        start = end.end()
        record = _factiva_fields(document) if end["label"] else _factiva_article(document)
        if record.get("text"):
            records.append({**record, "id": end["id"]})
    return records


def _factiva_fields(document: str) -> dict[str, Any]:
    """A labelled Factiva document: each code's lines (a value goes on in the lines after
    it until the next code), the lead paragraph and the text joined as the body."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in document.split("\n"):
        match = _FACTIVA_FIELD.match(line.rstrip())
        if match is not None and match["code"] in _FACTIVA_CODES:
            current = fields.setdefault(match["code"], [])
            if current and match["code"] in ("LP", "TD"):
                current.append("")
            current.append(match["value"] or "")
        elif current is not None:
            current.append(line.strip())
    values = {code: "\n".join(lines).strip() for code, lines in fields.items()}
    body = "\n\n".join(values[code] for code in ("LP", "TD") if values.get(code))
    record = {name: " ".join(values[code].split()) for code, name in _FACTIVA_CODES.items()
              if name and values.get(code)}
    return _factiva_record(record, re.sub(r"\n{3,}", "\n\n", body))


def _factiva_article(document: str) -> dict[str, Any]:
    """A Factiva document in the "Article" layout: the lines before ``N words`` are the
    headline and byline; after it come the date, a time, the source's name and code, the
    language and a copyright line (each where it is found), then the body."""
    lines = document.strip("\n").split("\n")
    words = next((at for at, line in enumerate(lines[:12]) if _WORDS_LINE.match(line)), None)
    if words is None:
        return {}
    head = [line.strip() for line in lines[:words] if line.strip()]
    record: dict[str, Any] = {"length": lines[words].strip()}
    if head:
        record["title"] = head[0]
        bylines = [line for line in head[1:] if line.lower().startswith("by ")]
        record["byline"] = bylines[0] if bylines else None
    at, names = words + 1, []
    while at < len(lines) and len(names) < 4:
        line = lines[at].strip()
        if not line:
            if names or "date" in record:
                break
        elif "date" not in record and read_date(line) is not None and _DATE_LINE.match(line):
            record["date"] = line
        elif _TIME_LINE.match(line):
            record["time"] = line
        elif _COPYRIGHT.match(line):
            record["copyright"] = line
            at += 1
            break
        else:
            names.append(line)
        at += 1
    record.update(zip(("outlet", "source_code", "language"), names))
    return _factiva_record(record, "\n".join(lines[at:]).strip())


def _factiva_record(record: dict[str, Any], body: str) -> dict[str, Any]:
    """A Factiva record with its ``body`` as text, its byline's names, its date (with the
    time when given) as ``YYYY-MM-DD[THH:MM]``."""
    day = read_date(record.pop("date", "") or "")
    time = record.pop("time", None)
    if day is not None:
        record["date"] = day.isoformat() + (f"T{time[:5].zfill(5)}" if time and _TIME_LINE.match(time) else "")
    if record.get("byline"):
        record["byline"] = split_byline(record["byline"])[0]
    record["text"] = body
    return {name: value for name, value in record.items() if value}
