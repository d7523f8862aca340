"""Where a sentence ends: the one rule, with its word lists, that every stage splits by.

A sentence ends

* at a run of ``.``, ``!`` or ``?`` (and any closing quotes or brackets after it) followed
  by white space and, after any opening quotes or brackets, a capital (``A``-``Z``,
  ``À``-``Ý``) or a digit; but a lone ``.`` after an abbreviation ends none: a word of
  :data:`ABBREVIATIONS` (``Gov.``, ``No. 5``), a single letter (``J. Smith``) or a dotted
  abbreviation (``U.S.``, ``a.m.``) unless the next word is one of :data:`SENTENCE_STARTERS`
  ("... in the U.S. The ...");
* at a CJK full stop, exclamation or question mark and at ``|`` (site furniture);
* at every line break;

and a punctuation end (not a line break) inside a double-quoted quotation that opens and
closes within its paragraph (:func:`newstrace.text.quotes.quote_spans`) ends none, so a
quoted sentence stays whole in the sentence that quotes it.

Two implementations follow it: :func:`split_sentences` (one text,
character spans, for the stages that read sentences) and the batched, vectorised
:func:`newstrace.match.fingerprint.tokenize` (a sentence-start flag per word token, for
fingerprints, boilerplate and alignment); ``tests/test_text.py`` checks that they agree.

>>> text = 'Gen. J. Smith arrived at 9 a.m. Friday. "We are ready," he said.'
>>> [text[s.start:s.end] for s in split_sentences(text)]
['Gen. J. Smith arrived at 9 a.m. Friday.', '"We are ready," he said.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.text.quotes import is_single_quoted, quote_spans
from newstrace.text.words import WORD

#: Abbreviations (lower case, without the final period) after which no sentence ends.
ABBREVIATIONS: frozenset[str] = frozenset(
    """mr mrs ms dr prof gen col lt maj capt sgt cmdr adm gov sen rep rev st jr sr
    pres supt insp det hon messrs mme mlle inc corp co ltd bros dept univ assn
    no nos vol fig approx est vs ft mt
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)

#: Words that start a new sentence even after a dotted abbreviation ("... in the U.S. The ...").
SENTENCE_STARTERS: frozenset[str] = frozenset(
    "The A An He She It They We I You But And Yet So This That These Those There His Her Its Their Our".split()
)

#: Marks that end a sentence when white space and a capital follow.
FULL_STOPS = ".!?"
#: Marks that end a sentence wherever they stand.
HARD_STOPS = "|。！？"
#: Closing quotes and brackets that belong to the sentence they follow.
CLOSERS = "\"'”’»)]"
#: Opening quotes and brackets that belong to the sentence they open.
OPENERS = "\"'“‘«(["
#: What a sentence after a full stop starts with (inclusive code point ranges): ASCII
#: capitals, digits, Latin-1 capitals.
CAPITALS: tuple[tuple[str, str], ...] = (("A", "Z"), ("0", "9"), ("À", "Ý"))
#: How far before a full stop the abbreviation check looks for the word it closes.
ABBREVIATION_REACH = 20
#: The marks of a double-quoted quotation; a text with none of these has no quotation that
#: keeps a sentence whole.
QUOTATION_MARKS = "\"“”«»"

__all__ = ["ABBREVIATIONS", "ABBREVIATION_REACH", "CAPITALS", "CLOSERS", "FULL_STOPS", "HARD_STOPS",
           "OPENERS", "QUOTATION_MARKS", "SENTENCE_STARTERS", "Span", "closed_quotations", "sentence_texts",
           "split_sentences"]


def _one_of(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


_CAPITAL = "[" + "".join(f"{re.escape(a)}-{re.escape(b)}" for a, b in CAPITALS) + "]"
_BOUNDARY = re.compile(rf"{_one_of(FULL_STOPS)}+{_one_of(CLOSERS)}*(?=\s+{_one_of(OPENERS)}*{_CAPITAL})"
                       rf"|{_one_of(HARD_STOPS)}|\n")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]$")
_NEXT_WORD = re.compile(rf"\s+{_one_of(OPENERS)}*(\w+)")


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is one sentence (trimmed of surrounding white space)."""

    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the period at ``text[end - 1]`` closes an abbreviation, not a sentence."""
    match = _WORD_BEFORE.search(text, max(0, end - ABBREVIATION_REACH), end)
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 or word.lower() in ABBREVIATIONS:
        return True
    if _DOTTED.fullmatch(word):
        following = _NEXT_WORD.match(text, end)
        return following is None or following.group(1) not in SENTENCE_STARTERS
    return False


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def closed_quotations(text: str) -> list[tuple[int, int]]:
    """Spans of double-quoted text that opens and closes within one paragraph, marks
    included: a sentence end inside one ends no sentence."""
    return [(s, e) for s, e in quote_spans(text)
            if not is_single_quoted(text, (s, e)) and "\n" not in text[s:e]]


def _inside_quotation(quotations: list[tuple[int, int]], end: int) -> bool:
    """Whether a sentence end at ``end`` falls inside a quotation (before its closing mark)."""
    return any(start < end < stop for start, stop in quotations)


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences; spans are trimmed and never empty."""
    spans: list[Span] = []
    start = 0
    quotations = closed_quotations(text) if any(m in text for m in QUOTATION_MARKS) else []
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group() == "\n":
            end -= 1
        elif match.group() == "." and _is_abbreviation(text, end):
            continue
        elif quotations and _inside_quotation(quotations, end):
            continue
        span = _trimmed(text, start, end)
        if span is not None:
            spans.append(span)
        start = match.end()
    last = _trimmed(text, start, len(text))
    if last is not None:
        spans.append(last)
    return spans


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [span.text(text) for span in split_sentences(text)]


#: A line that ends without sentence punctuation and has at most this many words is a
#: heading or a list entry (tour dates, results, a related-stories link), not a claim:
#: independent reports list the same schedule from one announcement.
MAX_HEADING_WORDS = 15
_CLAIM_END = re.compile(r"[.!?…][\"'”’)\]»]*\s*$")


def is_claim_sentence(sentence: str) -> bool:
    """Whether ``sentence`` is prose that states something, not a heading or a list entry:
    it ends like a sentence, or is longer than ``MAX_HEADING_WORDS`` words. The one rule
    for both the rewrite evidence (:mod:`newstrace.match.paraphrase`) and the digest's
    claims (:func:`newstrace.digests.claims.is_factual`)."""
    return bool(_CLAIM_END.search(sentence)) or len(WORD.findall(sentence)) > MAX_HEADING_WORDS
