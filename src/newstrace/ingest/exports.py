"""Plain-text exports of news databases (LexisNexis) as records, one per document.

Media researchers collect news from LexisNexis, whose text exports hold many articles in one
file, each with its outlet, date, title and labelled metadata around the body:

* LexisNexis Academic: documents open with a line ``3 of 100 DOCUMENTS``; the outlet, the
  date (and an edition) and the title come first, then ``BYLINE:``, ``SECTION:``,
  ``LENGTH:``, ``DATELINE:``, the body, and ``LOAD-DATE:``, ``LANGUAGE:``, a copyright line;
* Nexis Uni: documents close with a line ``End of Document``; the title, the outlet and the
  date come first, then a copyright line, ``Section:``, ``Length:``, ``Byline:``, a line
  ``Body``, the body, and ``Load-Date:``.

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
    """The documents of a LexisNexis text export as records, or ``None`` when ``text`` is
    not one (fewer than one document marker)."""
    if _ACADEMIC_START.search(text):
        documents = _ACADEMIC_START.split(text)[1:]
        title_first = False
    elif _UNI_END.search(text):
        documents = _UNI_END.split(text)
        documents = documents[:-1] if not documents[-1].strip() else documents
        title_first = True
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
