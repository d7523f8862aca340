"""Quotations in news text: one definition of where quoted words are, for every stage.

Alignment leaves quoted words out of copy evidence, direction counts kept quotations, the
paraphrase check sets quoted stretches aside, the sentence splitter keeps a quoted sentence
whole and quote extraction attributes the quoted words: all of them read the spans found here.

Double quotes (straight, curly, guillemets, low-9) pair up inside a paragraph; a quotation
still open at the end of a paragraph continues when the next paragraph opens with a quote
mark (the multi-paragraph convention), or when the next line closes it with a curly mark
(text set one sentence a line), else it ends with its paragraph. Single quotes count
when they open before a word and close after one, so apostrophes (it’s, Korea’s) are not
quotes; a single-quoted stretch inside a double-quoted one is part of it. A straight double
quote right after a digit is a measure (*22" wide*): it may close a quotation, never open one.

>>> text = 'He said: “We will not be hurried. Korea’s ‘partners’ know it.”'
>>> [text[s:e] for s, e in quote_spans(text)]
['“We will not be hurried. Korea’s ‘partners’ know it.”']
>>> [text[s:e] for s, e in quoted_parts(text, quote_spans(text)[0])]
['We will not be hurried. Korea’s ‘partners’ know it.']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from newstrace.text.batch import code_points, join_texts

Span = tuple[int, int]

_NEXT_TEXT = re.compile(r"\S")
#: Double quotation marks: all, those that open, those that close, the curly closers.
DOUBLE_MARKS = '"“”«»„'
DOUBLE_OPENERS = '"“«„'
DOUBLE_CLOSERS = '"”»'
CURLY_CLOSERS = '”»'
_SINGLE_MARKS = "'‘’‚"
_SINGLE_OPENERS = "'‘‚"
_SINGLE_CLOSERS = "'’"
_DIGITS = "0123456789"
_IS_MARK = np.zeros(0x10000, dtype=bool)
_IS_MARK[[ord(c) for c in DOUBLE_MARKS + _SINGLE_MARKS]] = True


def quote_spans(text: str, marks: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of quotations in ``text``, quote marks included.

    Double quotes (straight, curly, guillemets) pair up inside a paragraph; a quotation
    still open at the end of a paragraph continues when the next paragraph opens with a
    quote mark (the multi-paragraph convention), or when the next line closes it with a curly mark
(text set one sentence a line), else it ends with its paragraph. Single
    quotes count when they open before a word and close after one, so apostrophes
    (it’s, Korea’s) are not quotes. ``marks``, the positions of all quote marks and
    apostrophes, can be passed when already found (see :func:`quote_marks`).
    """
    if marks is None:
        marks = quote_marks([text])[0]
    double = _double_quote_spans(text, [m for m in marks if text[m] in DOUBLE_MARKS])
    single = [span for span in _single_quote_spans(text, [m for m in marks
                                                          if text[m] in _SINGLE_MARKS])
              if not _inside(span, double)]
    return sorted(double + single)


#: A line that introduces a block quotation: it ends with a verb of saying (or "statement",
#: "according to ...", "... in part") and a colon, as "In a statement, the company said:",
#: "The indictment alleges:" or "Hewitt writes:" before a pasted
#: statement, speech or post set as its own paragraph without quote marks. Looked for only
#: before a colon that ends a line (:data:`_COLON_AT_LINE_END`): a scan for a colon is fast,
#: a scan for the verbs at every position is not.
_BLOCK_INTRO = re.compile(
    r"\b(?:said|says|say|wrote|writes|tweeted|tweets|posted|posts|stated|states|added|adds|announced|"
    r"declared|reads|read|statement|told(?: [\w.]+){1,3}|alleges|alleged|noted|warned|warns|argued|"
    r"argues|ruled|explained|explains|continued|continues|testified|responded|replied|"
    r"according to(?: [\w.’'-]+){1,5})(?:,? in part)?,?[ \t]*$", re.IGNORECASE)
_COLON_AT_LINE_END = re.compile(r":[ \t]*\n")
#: Characters before such a colon in which the verb is looked for.
_INTRO_CHARS = 64


#: The signature line under an embedded social-media post, as text extraction leaves it: a
#: tweet's "— Mayor Ellen Price (@MayorPrice) March 4, 2024", an Instagram post's "A post
#: shared by Ellen Price (@ellenprice) on Mar 4, 2024 at 10:15am PST".
_POST_SIGNATURE = re.compile(
    r"^[ \t]*(?:(?:[—–]|--?)[ \t]*[^\n]{1,80}?\(@\w{1,30}\)[ \t]*[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}"
    r"|A post shared by [^\n]{1,80}?\(@[\w.]{1,30}\)[^\n]{0,60})[ \t]*$", re.MULTILINE)
#: The longest post text taken whole before its signature; a longer paragraph gives its last line.
_POST_CHARS = 700


#: A turn of a transcript as news pastes one: a paragraph opening with its speaker's name in
#: capitals and a colon ("HARLOW: ...", "SEN. ELIZABETH WARREN (D-MA): ...", "MODERATOR:
#: ..."). An interviewer's own "Q:" is the outlet's words, not a speaker's: two letters at least.
_SPEAKER_LABEL = re.compile(r"[ \t]*[A-Z][A-Z'’.\-]+(?:[ \t]+[A-Z][A-Z'’.\-]*){0,4}(?:[ \t]*\([^)\n]{1,30}\))?")
#: A colon with text after it, found by a scan for the colon itself (fast); one closes a label
#: when a capital or a closing bracket comes before it, within this many characters of its
#: line's start.
_COLON_BEFORE_TEXT = re.compile(r":[ \t]+(?=\S)")
_LABEL_CHARS = 64
#: Fewer turns are no transcript: a dateline ("NEW DELHI: ...") or a label ("UPDATE: ...").
_TRANSCRIPT_TURNS = 2
#: Capitalised labels that name no speaker: a page's stamps, an advice column's letters.
_NOT_SPEAKERS = re.compile(
    r"[ \t]*(?:DEAR|PUBLISHED|UPDATED|UPDATE|CORRECTION|CLARIFICATION|EDITOR|NOTE|WATCH|READ|RELATED|"
    r"PHOTOS?|VIDEO|LIVE|BREAKING|DISCLAIMER|SOURCE|SOURCES|CREDIT)\b")


#: A row of a data table as text extraction leaves it, one row a line: results, standings,
#: tallies, prices ("1. Samuel Kiprono (Kenya) 2:05:41", "Arsenal 2 Chelsea 1"), or a
#: list of names such as a team sheet ("Corran City: Walsh; Okafor, Brennan, ..."): names
#: and figures, with a number or at least ``_LIST_SEPARATORS`` commas and semicolons, and
#: few words in lower case besides the particles of names (one, or a quarter of a long
#: row's words). Facts an official source gives every outlet.
_TABLE_ROW_CHARS = 240
_TABLE_ROWS = 3  #: rows in a row (blank lines between them aside) that make a table
_LIST_SEPARATORS = 3
_ROW_WORD = re.compile(r"[^\W_]+")
_NAME_PARTICLES = frozenset("of de del der den di da dos du la le van von bin al el vs v and".split())


#: Words of running prose no table row holds twice (names' particles such as "of" and "and" aside).
_PROSE_WORDS = (" the ", " to ", " a ", " in ", " is ", " was ", " that ", " with ")
_NUMBER_WORD = re.compile(r"\b\d")  #: a number: a word that opens with a digit


def _is_table_row(line: str) -> bool:
    """Whether a line of at most ``_TABLE_ROW_CHARS`` characters reads as a table's row."""
    if not line:
        return False
    if line.count(",") + line.count(";") < _LIST_SEPARATORS and _NUMBER_WORD.search(line) is None:
        return False
    if sum(line.count(word) for word in _PROSE_WORDS) >= 2:  # running prose, found cheaply
        return False
    words = _ROW_WORD.findall(line)
    lower = sum(1 for word in words if word[0].islower() and word not in _NAME_PARTICLES)
    return lower <= max(1, len(words) // 4)


def _table_spans(text: str) -> list[Span]:
    """Each row of every run of at least ``_TABLE_ROWS`` table rows (:func:`_is_table_row`)
    in a text written around its tables: none where the rows hold half its characters or
    more (a results page, a price list), whose copies are copies of it."""
    lines = text.split("\n")
    if sum(1 for line in lines if 0 < len(line) <= _TABLE_ROW_CHARS) < _TABLE_ROWS:
        return []  # most news: paragraphs longer than any row
    spans: list[Span] = []
    run: list[Span] = []
    start = 0
    for line in lines:
        end = start + len(line)
        if len(line) <= _TABLE_ROW_CHARS and _is_table_row(line):
            run.append((start, end))
        elif line.strip():
            spans += run if len(run) >= _TABLE_ROWS else []
            run = []
        start = end + 1
    spans += run if len(run) >= _TABLE_ROWS else []
    return spans if 2 * sum(end - start for start, end in spans) < len(text.strip()) else []


def block_quote_spans(text: str) -> list[Span]:
    """Block quotations: each paragraph that follows, on a line of its own, a line ending
    with a verb of saying and a colon (:data:`_BLOCK_INTRO`) and opens with no quote mark
    (quote marks make a quotation of their own, :func:`quote_spans`); and each embedded
    social-media post, its text with the signature line under it (:data:`_POST_SIGNATURE`);
    and the turns of a pasted transcript, each paragraph after its speaker's label
    (:data:`_SPEAKER_LABEL`); and the rows of a data table (:func:`_table_spans`). Text
    extraction drops the indent and the frame that set them apart; independent reports
    paste the same statement, embed the same posts, excerpt the same transcript and list
    the same results, so, like quotations, they are no evidence of copying
    (:mod:`newstrace.match.align`). They are not attributed as quotes: where one ends is
    not marked."""
    spans = _embedded_post_spans(text) if "(@" in text else []
    spans += _transcript_turn_spans(text) + _table_spans(text)
    for colon in _COLON_AT_LINE_END.finditer(text):
        if _BLOCK_INTRO.search(text, max(colon.start() - _INTRO_CHARS, 0), colon.start()) is None:
            continue
        start = _NEXT_TEXT.search(text, colon.end())
        if start is None or text[start.start()] in DOUBLE_MARKS + _SINGLE_MARKS:
            continue
        spans.append((start.start(), _line_end(text, start.start())))
    return spans


def transcript_turns(text: str) -> list[tuple[Span, Span]]:
    """The turns of a transcript pasted in ``text``, each as the span of its speaker's label
    (without the colon) and the span of what the speaker says (to the paragraph's end);
    none when the text has fewer than ``_TRANSCRIPT_TURNS`` of them."""
    turns = []
    for colon in _COLON_BEFORE_TEXT.finditer(text):
        at = colon.start()
        if not ("A" <= text[at - 1] <= "Z" or text[at - 1] == ")"):
            continue
        start = text.rfind("\n", 0, at) + 1
        if (at - start <= _LABEL_CHARS and _SPEAKER_LABEL.fullmatch(text, start, at)
                and not _NOT_SPEAKERS.match(text, start)):
            label = text[start:at].lstrip()
            turns.append(((at - len(label), at), (colon.end(), _line_end(text, colon.end()))))
    return turns if len(turns) >= _TRANSCRIPT_TURNS else []


def _transcript_turn_spans(text: str) -> list[Span]:
    """Each transcript turn, its label and its paragraph (:func:`transcript_turns`)."""
    return [(label[0], said[1]) for label, said in transcript_turns(text)]


def _embedded_post_spans(text: str) -> list[Span]:
    """Each embedded post: the paragraph before its signature line (or its last line, when
    longer than :data:`_POST_CHARS`, or when the text has no paragraphs), through the signature."""
    spans = []
    for signature in _POST_SIGNATURE.finditer(text):
        before = text[: signature.start()].rstrip()
        paragraph = before.rfind("\n\n") + 2 if "\n\n" in before else len(before) + 1
        if len(before) - paragraph > _POST_CHARS or paragraph > len(before):
            paragraph = before.rfind("\n") + 1
        spans.append((paragraph, signature.end()))
    return spans


def quote_marks(texts: Sequence[str]) -> list[list[int]]:
    """The positions of quote marks and apostrophes in each text, found for all at once."""
    joined, bases = join_texts(texts)
    codes = code_points(joined)
    found = np.flatnonzero(_IS_MARK[codes if codes.dtype == np.uint16 else np.minimum(codes, 0xFFFF)])
    bounds = np.searchsorted(found, bases).tolist()
    found = found.tolist()
    starts = bases.tolist()
    return [[at - starts[i] for at in found[bounds[i] : bounds[i + 1]]] for i in range(len(texts))]


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _double_quote_spans(text: str, marks: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(marks):
        start = marks[i]
        if text[start] not in DOUBLE_OPENERS or is_measure_mark(text, start):
            i += 1
            continue
        line_end, j = _line_end(text, start), i + 1
        while True:
            if j < len(marks) and marks[j] < line_end:
                if text[marks[j]] in DOUBLE_CLOSERS:
                    spans.append((start, marks[j] + 1))
                    i = j + 1
                    break
                j += 1  # a second opening mark inside the quotation
                continue
            reopened = _NEXT_TEXT.search(text, line_end)
            if (j < len(marks) and reopened is not None and reopened.start() == marks[j]
                    and text[marks[j]] in DOUBLE_OPENERS):
                line_end, j = _line_end(text, marks[j]), j + 1  # goes on in the next paragraph
                continue
            if (j < len(marks) and reopened is not None and text[marks[j]] in CURLY_CLOSERS
                    and marks[j] < _line_end(text, reopened.start())):
                line_end = _line_end(text, marks[j])  # closed on the next line (one sentence a line)
                continue
            spans.append((start, line_end))
            i = j
            break
    return spans


def is_measure_mark(text: str, at: int) -> bool:
    """Whether the mark at ``at`` is a straight double quote right after an ASCII digit: the
    inches or seconds of a measure (*22" wide*, *5'10"*), which opens no quotation; it may
    still close one (*"... in 2020"*)."""
    return text[at] == '"' and at > 0 and text[at - 1] in _DIGITS


def _single_quote_spans(text: str, marks: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for at in marks:
        before = text[at - 1] if at > 0 else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if open_at is None or "\n" in text[open_at:at]:
            opens = text[at] in _SINGLE_OPENERS and not before.isalnum() and after.isalnum()
            open_at = at if opens else None
        elif text[at] in _SINGLE_CLOSERS and not before.isspace() and not after.isalnum():
            spans.append((open_at, at + 1))
            open_at = None
    return spans


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def is_single_quoted(text: str, span: Span) -> bool:
    """Whether the quotation ``span`` (from :func:`quote_spans`) opens with a single quote mark."""
    return text[span[0]] in _SINGLE_MARKS


def quoted_parts(text: str, span: Span) -> list[Span]:
    """The quoted words of one quotation: its span without the marks, cut at paragraph
    breaks (a quotation that runs over paragraphs has one part per paragraph), each part
    trimmed of white space and of the marks that reopen a paragraph; empty parts dropped."""
    start, end = span
    if text[start] in DOUBLE_OPENERS + _SINGLE_OPENERS:
        start += 1
    if end > start and text[end - 1] in DOUBLE_CLOSERS + _SINGLE_CLOSERS:
        end -= 1
    parts = []
    for piece in re.finditer(r"[^\n]+", text[start:end]):
        a, b = start + piece.start(), start + piece.end()
        while a < b and (text[a].isspace() or (a > start and text[a] in DOUBLE_OPENERS)):
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            parts.append((a, b))
    return parts


def quoted_stretches(text: str, *, min_words: int = 3) -> list[str]:
    """The words of each double-quoted quotation with at least ``min_words`` words."""
    found = []
    for span in quote_spans(text):
        if is_single_quoted(text, span):
            continue
        words = " ".join(text[a:b] for a, b in quoted_parts(text, span))
        if len(words.split()) >= min_words:
            found.append(words)
    return found


def quoted_words(text: str) -> int:
    """How many words stand inside quotation marks."""
    return sum(len(text[start:end].split()) for start, end in quote_spans(text))
