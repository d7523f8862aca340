"""How an outlet's name is compared: one folding, wherever two names of outlets meet.

The same outlet reaches newstrace under several spellings: a record's ``outlet`` field, a
page's ``og:site_name``, the host a page was served from, the name an attribution line
gives ("The Conversation", "THE CONVERSATION", "theconversation.com"). :func:`outlet_key`
folds them to one key, so the boilerplate index counts an outlet's recurring text once
(:mod:`newstrace.match.boilerplate`) and a copy that says where it was first published is
matched to the article of that outlet (:mod:`newstrace.relate`).

A text also names outlets whose reporting it relays ("Continental Press reported",
"according to the Associated Press", "told Reuters"): :func:`attributes_reporting_to` finds
where, for outlets given by their keys; direction reads it as a copy's sign of its source,
the reports note it under an independent report.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from newstrace.text.quotes import quote_spans

_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?")
_DOMAIN_END = re.compile(r"\.[a-z]{2,}(?:\.[a-z]{2})?(?:/.*)?$")
_NOT_LETTERS = re.compile(r"[\W_]+")


def outlet_key(name: str | None) -> str | None:
    """An outlet's name folded for comparison: case, spacing and punctuation aside, a web
    host's scheme, ``www.`` and domain left off, and a leading "the" ("The Conversation",
    "theconversation.com" -> ``conversation``); ``None`` when nothing is left."""
    if name is None:
        return None
    folded = _SCHEME.sub("", name.strip().casefold())
    if folded and " " not in folded:
        folded = _DOMAIN_END.sub("", folded)
    key = _NOT_LETTERS.sub("", folded)
    return (key[3:] if key.startswith("the") and len(key) > 3 else key) or None


def reporting_outlet(outlet: str | None, article_id: str) -> str:
    """What an independent report counts under when reports are counted by outlet: its
    outlet folded (:func:`outlet_key`), or the article itself when its outlet is unknown (an
    outlet of its own: two unknown outlets are not taken for one)."""
    return outlet_key(outlet) or "\0" + article_id


#: A name as a text writes an outlet's: capitalised words, "of", "for", "and" between them.
_OUTLET_NAME = r"((?:[Tt]he )?[A-Z][\w&.'’-]*(?: (?:of |for |and |& )?[A-Z][\w&.'’-]*){0,6})"
#: What a text says, outside quotations, when it relays another outlet's reporting: the
#: outlet before a verb of reporting ("Continental Press reported", "AP first reported",
#: "The Harbour Courier contributed to this report"), or after a phrase that credits it
#: ("according to Reuters", "citing the Associated Press", "told AFP": the person spoke to
#: that outlet, whose report this one relays; "a release from the police department": the
#: text retells that release; "Source: Reuters", "via the Courier", "courtesy of",
#: "reprinted with permission of", "produced by", "© 2024 The Courier": the text itself is
#: that outlet's). The cue words are found first (one pass of plain words over the text), the
#: outlet's name then read beside each.
_REPORTING_CUE = re.compile(
    r"(?:according to|According to|citing|Citing|as reported by|reported by|a report by|a report from|a report in"
    r"|release from|release by|release issued by|statement from|statement by|statement issued by"
    r"|told|interview with|statement to|confirmed to|quoted by"
    r"|reported|reports|wrote|writes|revealed|disclosed|broke the news|contributed to this report"
    r"|via|h/t|H/T|courtesy of|Courtesy of|permission from|permission of|produced by|Produced by)\b"
    r"|(?:Source|SOURCE)s?:|(?:©|\([cC]\)|Copyright|COPYRIGHT)(?: \d{4}(?:[-–]\d{2,4})?,?)?")
#: The cues after which an outlet's name comes (the others follow it).
_VERBS_OF_REPORTING = frozenset({"reported", "reports", "wrote", "writes", "revealed", "disclosed", "broke the news",
                                 "contributed to this report"})
#: The outlet just before a verb of reporting: what the stretch before the cue ends with.
_NAME_BEFORE = re.compile(rf"{_OUTLET_NAME}(?:['’]s? (?:report|reporting))?"
                          r"(?:,? (?:first|earlier|previously|also|initially|later))?(?: has| had)? $")
_NAME_AFTER = re.compile(_OUTLET_NAME)
#: How far before a verb of reporting the outlet's name may start.
_NAME_REACH = 90


def attributes_reporting_to(text: str, keys: Collection[str]) -> tuple[str, int, int] | None:
    """Where ``text`` relays the reporting of an outlet whose :func:`~newstrace.text.outlets.outlet_key`
    is among ``keys``, outside quotations: the outlet's name as written and where the words
    that cite it lie (``text[start:end]``: :data:`_REPORTING_CUE` and the name), or ``None``.
    A copy that says whose report it retells was taken from that outlet's article."""
    # a cheap test first: a name that folds to a key leaves the key in the text lowered,
    # spaces and full stops taken out ("The Harbour Courier", "U.S. News")
    squeezed = text.lower().replace(" ", "").replace(".", "")
    if not any(key in squeezed for key in keys):
        return None
    quoted = None
    for cue in _REPORTING_CUE.finditer(text):
        if cue.start() and text[cue.start() - 1].isalnum():  # inside a word ("misreported")
            continue
        found = _outlet_beside(text, cue, keys)
        if found is None:
            continue
        name, start, end = found
        quoted = quote_spans(text) if quoted is None else quoted
        if not any(left <= start < right for left, right in quoted):
            return name, start, end
    return None


#: Words that may stand between an outlet's name and its verb of reporting.
_BETWEEN_NAME_AND_VERB = frozenset({"first", "earlier", "previously", "also", "initially", "later", "has", "had",
                                    "report", "reporting"})


def _capitalised_before(text: str, at: int) -> bool:
    """Whether the word before ``at`` (past :data:`_BETWEEN_NAME_AND_VERB`) is capitalised,
    as the end of an outlet's name is: a cheap test before the name is read."""
    words = text[max(0, at - _NAME_REACH) : at].split()
    while words and words[-1].rstrip(",").lower() in _BETWEEN_NAME_AND_VERB:
        words.pop()
    return bool(words) and words[-1][:1].isupper()


def _outlet_beside(text: str, cue: re.Match[str], keys: Collection[str]) -> tuple[str, int, int] | None:
    """The outlet among ``keys`` that ``cue`` credits, as written (the words nearest the cue
    that fold to a key: just before a verb of reporting, just after a crediting phrase),
    with the span of the name and the cue together."""
    if cue.group() in _VERBS_OF_REPORTING:
        if not _capitalised_before(text, cue.start()):  # "he reported", "officials first wrote"
            return None
        before = _NAME_BEFORE.search(text, max(0, cue.start() - _NAME_REACH), cue.start())
        words = before.group(1).split() if before is not None else []
        name = _first_named(keys, (" ".join(words[first:]) for first in range(len(words))))
        return None if name is None or before is None else (name, before.end(1) - len(name), cue.end())
    after = _NAME_AFTER.match(text, cue.end() + 1) if text[cue.end() : cue.end() + 1] == " " else None
    words = after.group(1).split() if after is not None else []
    # the longest name first, without the full stop after it
    name = _first_named(keys, (" ".join(words[:last]).rstrip(".,") for last in range(len(words), 0, -1)))
    return None if name is None else (name, cue.start(), cue.end() + 1 + len(name))


def _first_named(keys: Collection[str], names: Iterable[str]) -> str | None:
    """The first of ``names`` whose :func:`outlet_key` is among ``keys``."""
    return next((name for name in names if outlet_key(name) in keys), None)
