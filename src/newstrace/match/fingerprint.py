"""MinHash fingerprints of word 5-shingles, built for batches (:mod:`newstrace.match.lsh` indexes them).

Tokens are runs of letters and digits, lower-cased (punctuation is dropped). Every token
is hashed with a stable 64-bit polynomial hash computed for a whole batch at once in
numpy, shingles are rolling combinations of ``ngram`` token hashes, and the MinHash is
rensa's R-MinHash over those shingle hashes: ``num_perm`` independent permutations, so
the slots of one LSH band are independent (one-permutation hashing with densification,
tried first, makes borrowed slots agree together and turned common phrases into large
candidate cliques; it was no faster once the digests are read back into numpy).

Each signature row also carries ``anchors`` bottom-k values (the text's smallest hashes of
the shingles that cross a sentence break), which :class:`~newstrace.match.lsh.LSHIndex` uses to
find shared passages between texts of very different lengths (containment), where Jaccard
is low. Anchors cross sentence breaks so that two texts sharing one sentence (a common line
many articles carry) share none, while texts sharing a run of sentences share several. Signatures are ``uint32`` arrays
of shape ``(n, num_perm + anchors)``; ``signatures[i].tobytes()`` stores one and
``np.frombuffer(blob, np.uint32)`` reads it back.
"""

from __future__ import annotations

import array
import functools
import itertools
import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rensa

from newstrace.engine.parallel import note_thread_pool, ordered_map
from newstrace.text.batch import code_points, text_groups, text_starts, word_characters
from newstrace.text.sentences import (
    ABBREVIATION_REACH,
    ABBREVIATIONS,
    CAPITALS,
    CLOSERS,
    FULL_STOPS,
    HARD_STOPS,
    OPENERS,
    QUOTATION_MARKS,
    SENTENCE_STARTERS,
)

_U64 = np.uint64
#: The value of a slot or anchor a text has none for (too few shingles).
EMPTY = np.uint32(0xFFFFFFFF)
_SHINGLE_MUL = _U64(0x9E3779B97F4A7C15)


def mix64(x: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """The splitmix64 finaliser, element-wise on a ``uint64`` array (wraps modulo 2**64): a
    new array, or ``x`` itself overwritten when ``in_place``. Computed in place on one
    temporary: on the long arrays of a batch, fresh arrays cost more than the arithmetic."""
    out = x if in_place else np.empty_like(x)
    shifted = x >> _U64(30)
    np.bitwise_xor(x, shifted, out=out)
    np.multiply(out, _U64(0xBF58476D1CE4E5B9), out=out)
    np.right_shift(out, _U64(27), out=shifted)
    np.bitwise_xor(out, shifted, out=out)
    np.multiply(out, _U64(0x94D049BB133111EB), out=out)
    np.right_shift(out, _U64(31), out=shifted)
    return np.bitwise_xor(out, shifted, out=out)


def _lower_table() -> np.ndarray:
    """For every code point of the Basic Multilingual Plane: its lower-case form."""
    return np.fromiter((ord(c.lower()[0]) if c.lower() else ord(c) for c in map(chr, range(0x10000))),
                       dtype=np.uint32, count=0x10000)


#: Letters and digits (``str.isalnum``): the regular expression's word characters but ``_``.
_WORD = word_characters().copy()
_WORD[ord("_")] = False
_LOWER = _lower_table()


def _table(chars: str) -> np.ndarray:
    """A per-BMP-code-point flag for ``chars``."""
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


# Tables of the sentence rule (newstrace.text.sentences), for the batched sentence starts.
_SPACE = np.array([c.isspace() for c in map(chr, range(0x10000))], dtype=bool)
_CLOSER = _table(CLOSERS)
_OPENER = _table(OPENERS)
_CAPITAL = np.zeros(0x10000, dtype=bool)
for _first, _last in CAPITALS:
    _CAPITAL[ord(_first) : ord(_last) + 1] = True
_LETTER_OR_DOT = _table(string.ascii_letters + ".")
#: ``\w`` of a regular expression: letters, digits and the underscore.
_WORD_CHAR = word_characters()
#: What a character is to the sentence rule (0: nothing), see :func:`_mark_kinds`.
_FULL_STOP, _HARD_STOP, _LINE_BREAK, _DOUBLE_QUOTE = 1, 2, 3, 4
#: Per BMP code point: its lower-case form if a letter or digit, else 0. ``uint16`` (every
#: BMP letter lowers to one inside the BMP), read with ``take``: several times faster than
#: fancy indexing on the long code arrays.
_LOWER_WORD = np.where(_WORD, _LOWER, 0).astype(np.uint16)
#: Token hashes are polynomials in this odd multiplier (modulo 2**64), so a token's hash is
#: a difference of two prefix sums, scaled by an inverse power: no per-token loop.
_BASE = _U64(0x9E3779B97F4A7C15)
_BASE_INVERSE = _U64(pow(int(_BASE), -1, 2**64))


class _Powers:
    """``base**0 … base**(n-1)`` modulo 2**64, grown on demand and kept."""

    def __init__(self, base: np.uint64) -> None:
        self.base = base
        self.table = np.ones(1, dtype=_U64)

    def __call__(self, n: int) -> np.ndarray:
        if len(self.table) < n:
            table = np.empty(max(n, 2 * len(self.table)), dtype=_U64)
            table[0] = 1
            filled = 1
            while filled < len(table):  # doubling: table[k:2k] = table[:k] * base**k
                step = min(filled, len(table) - filled)
                table[filled : filled + step] = table[:step] * _U64(pow(int(self.base), filled, 2**64))
                filled += step
            self.table = table
        return self.table[:n]


_POWERS = _Powers(_BASE)
_INVERSE_POWERS = _Powers(_BASE_INVERSE)


@dataclass
class Tokens:
    """The word tokens of a batch of texts. Text i owns tokens ``offsets[i]:offsets[i+1]``;
    ``starts``/``ends`` are character offsets into that text; ``hashes`` are stable 64-bit
    hashes of the lower-cased tokens; ``breaks`` marks the tokens that start a sentence
    (by the rule of :mod:`newstrace.text.sentences`, as
    :func:`newstrace.text.sentences.split_sentences` splits), ``None`` when not asked for;
    ``slots`` the tokens that open with a capital or a digit (with ``cased``)."""

    hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    offsets: np.ndarray
    breaks: np.ndarray | None
    #: per token: whether it opens with a capital letter or a digit (a name's or a figure's
    #: word), ``None`` when not asked for
    slots: np.ndarray | None = None

    def of(self, i: int) -> slice:
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))


def run_bounds(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every run of equal values in a sorted array."""
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]])[: len(ordered)])
    return starts, np.diff(np.append(starts, len(ordered)))


def sorted_distinct(values: np.ndarray, *, runs: bool = False) -> np.ndarray:
    """The distinct ``values``, sorted: :func:`sorted_unique` without the counts, sorting
    ``values`` in place (fresh memory costs more than the passes: a store's every sentence
    pair at once). With ``runs``, the values come in ascending runs (a text's, in text
    order) that a stable sort (timsort) merges in about half the time of numpy's default."""
    values.sort(kind="stable" if runs else None)
    if len(values) < 2:
        return values
    first = np.empty(len(values), dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and how often each occurs (a sort, where
    ``np.unique`` hashes first, which is slower on mostly distinct integers)."""
    ordered = np.sort(values)
    starts, lengths = run_bounds(ordered)
    return ordered[starts], lengths


def tokenize(texts: Sequence[str], *, breaks: bool = True, cased: bool = False) -> Tokens:
    """Tokenise and hash a batch of texts in vectorised passes (with ``breaks``, also find
    the tokens that start a sentence; with ``cased``, those that open with a capital or a
    digit).

    A token is a maximal run of letters and digits (``str.isalnum``), compared
    case-insensitively; everything else, apostrophes included, separates tokens.
    """
    bases = text_starts(texts)
    firsts = [(first, end, int(bases[first])) for first, end in text_groups(texts)]
    groups = [_tokenize_group(texts[first:end], shift) for first, end, shift in firsts]
    if len(groups) == 1:
        codes, starts, ends, hashes, marks, kinds = groups[0]
        codes = _bmp(codes)
    else:  # the groups' joined texts are themselves joined by newlines (each a line break)
        newline = np.array([ord("\n")], dtype=np.uint16)
        codes = np.concatenate([part for group in groups for part in (_bmp(group[0]), newline)][:-1])
        starts = np.concatenate([group[1] for group in groups])
        ends = np.concatenate([group[2] for group in groups])
        hashes = np.concatenate([group[3] for group in groups])
        newline_kind = np.array([_LINE_BREAK], dtype=np.uint8)
        marks = np.concatenate([part for (*_, shift), group in zip(firsts, groups)
                                for part in (np.array([shift - 1]), group[4])][1:])
        kinds = np.concatenate([part for group in groups for part in (newline_kind, group[5])][1:])
    offsets = np.searchsorted(starts, bases)
    offsets[-1] = len(starts)
    starts_sentence = _sentence_breaks(codes, starts, bases, offsets, marks, kinds) if breaks else None
    slots = None
    if cased:
        slots = _CAPITAL.take(codes.take(starts))  # the sentence rule's capitals: digits among them
    base = np.repeat(bases[:-1], np.diff(offsets))
    if len(groups) == 1:  # strided views of one array: new ones
        starts, ends = starts - base, ends - base
    else:  # concatenated: this function's own
        np.subtract(starts, base, out=starts)
        np.subtract(ends, base, out=ends)
    return Tokens(hashes=hashes, starts=starts, ends=ends, offsets=offsets, breaks=starts_sentence, slots=slots)


def _token_values(codes: np.ndarray, word: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per character of ``codes``, from one table look-up: its value as
    :func:`_token_table` gives it (of the dtype of ``codes``; beyond the Basic Multilingual
    Plane, the code point: a letter), and into ``word`` whether it is a letter or digit;
    and where the marks of the sentence rule are."""
    table = _token_table()
    if codes.dtype == np.uint16:
        values = table.take(codes)
        np.less(values - np.uint16(1), _MARK - 1, out=word)  # 0 wraps round above every value
        return values, np.flatnonzero(values >= _MARK)
    values = np.where(codes > 0xFFFF, codes, table.take(np.minimum(codes, 0xFFFF)))
    mark = (values >= _MARK) & (values <= 0xFFFF)
    np.logical_and(values != 0, ~mark, out=word)
    return values, np.flatnonzero(mark)


def _advance(bmp: np.ndarray, at: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each position moved past the run of characters ``table`` flags that starts there
    (``bmp``: code points as :func:`_bmp` gives them)."""
    at = at.copy()
    if not len(bmp):
        return at
    moving = np.arange(len(at))
    last = len(bmp) - 1
    while len(moving):
        here = at.take(moving)
        step = table.take(bmp.take(np.minimum(here, last)))
        step &= here <= last
        moving = moving[step]
        at[moving] += 1
    return at


def _bmp(codes: np.ndarray) -> np.ndarray:
    """Code points as ``uint16`` indices into the BMP tables (beyond the BMP: U+FFFF, in
    no table)."""
    return codes if codes.dtype == np.uint16 else np.minimum(codes, 0xFFFF).astype(np.uint16)


def among(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in the sorted, non-empty ``table`` (a binary search:
    ``np.isin`` compares with every entry of a short table in turn)."""
    found = np.searchsorted(table, values)
    return table.take(np.minimum(found, len(table) - 1)) == values


def _packed_words(words: Sequence[str], bits: int) -> np.ndarray:
    """ASCII words packed into one integer each, ``bits`` per character."""
    return np.array(sorted(sum(ord(c) << (bits * k) for k, c in enumerate(word)) for word in words),
                    dtype=np.int64)


#: The abbreviations packed 7 bits per lower-case letter (at most 9 letters fit).
_ABBREVIATION_CODES = _packed_words(ABBREVIATIONS, 7)
_ABBREVIATION_LETTERS = max(map(len, ABBREVIATIONS))
_STARTER_CODES = _packed_words(SENTENCE_STARTERS, 7)
_STARTER_LETTERS = max(map(len, SENTENCE_STARTERS))


def _packed_at(codes: np.ndarray, at: np.ndarray, lengths: np.ndarray, letters: int,
               lower: bool) -> np.ndarray:
    """The characters ``codes[at : at + lengths]`` packed as by :func:`_packed_words`
    (``-1`` where longer than ``letters`` or not ASCII), lower-cased when ``lower``."""
    packed = np.zeros(len(at), dtype=np.int64)
    fits = lengths <= letters
    for k in range(min(letters, int(lengths.max(initial=0)))):
        taking = fits & (k < lengths)
        char = codes[np.minimum(at + k, len(codes) - 1)].astype(np.int64)
        fits &= ~taking | (char < 128)
        if lower:
            char = np.where((char >= 65) & (char <= 90), char + 32, char)
        packed |= np.where(taking, (char & 127) << (7 * k), 0)
    return np.where(fits, packed, -1)


_DOT = _table(".")


def _closes_abbreviation(codes: np.ndarray, dots: np.ndarray, text_starts: np.ndarray,
                         next_word: np.ndarray) -> np.ndarray:
    """Whether each lone full stop at ``dots`` closes an abbreviation (the rule of
    :mod:`newstrace.text.sentences`): the word before it (ASCII letters and dots, within
    ``ABBREVIATION_REACH`` characters and its text) is one letter, one of ``ABBREVIATIONS``
    or dotted (``U.S.``) with a next word (at ``next_word``) not among ``SENTENCE_STARTERS``."""
    floor = np.maximum(text_starts, dots + 1 - ABBREVIATION_REACH)
    before = dots[:, None] - np.arange(1, ABBREVIATION_REACH)  # back over letters and dots
    run = (before >= floor[:, None]) & _LETTER_OR_DOT.take(codes[np.maximum(before, 0)])
    word = dots - np.where(run.all(axis=1), run.shape[1], run.argmin(axis=1))
    word = _advance(codes, word, _DOT)  # a word starts with a letter
    word = np.minimum(word, dots)
    length = dots - word
    single = length == 1
    listed = among(_packed_at(codes, word, length, _ABBREVIATION_LETTERS, lower=True),
                    _ABBREVIATION_CODES)
    k = np.arange(1, ABBREVIATION_REACH, 2)  # letter, dot, letter, ..., letter
    dot = codes[np.minimum(word[:, None] + k, len(codes) - 1)] == ord(".")
    letter = codes[np.minimum(word[:, None] + k - 1, len(codes) - 1)] != ord(".")
    dotted = (length >= 3) & (length % 2 == 1) & ((k >= length[:, None]) | (dot & letter)).all(axis=1)
    words = _advance(codes, next_word, _WORD_CHAR)
    has_next = words > next_word
    starter = has_next & among(_packed_at(codes, next_word, words - next_word, _STARTER_LETTERS,
                                           lower=False), _STARTER_CODES)
    return (length > 0) & (single | listed | (dotted & (~has_next | ~starter)))


#: Values of :func:`_token_table` from this one on are marks of the sentence rule (the
#: mark's kind added); no letter or digit lowers to one as high.
_MARK = np.uint16(0xFFF0)


@functools.cache
def _token_table() -> np.ndarray:
    """Per BMP code point, what tokenising reads of it: its lower-case form if a letter or
    digit, ``_MARK`` plus its kind if a mark of the sentence rule (:func:`_mark_kinds`),
    else 0."""
    kinds = _mark_kinds()
    assert _LOWER_WORD.max() < _MARK and not (_WORD & (kinds != 0)).any()
    return np.where(kinds != 0, _MARK + kinds, _LOWER_WORD).astype(np.uint16)


@functools.cache
def _mark_kinds() -> np.ndarray:
    """Per BMP code point, what it is to the sentence rule: a full stop, a hard stop, a
    line break, a double quote mark of :mod:`newstrace.text.quotes` or nothing (0)."""
    kinds = np.zeros(0x10000, dtype=np.uint8)
    kinds[_quotation_tables()[0]] = _DOUBLE_QUOTE
    kinds[[ord(c) for c in FULL_STOPS]] = _FULL_STOP
    kinds[[ord(c) for c in HARD_STOPS]] = _HARD_STOP
    kinds[ord("\n")] = _LINE_BREAK
    return kinds


@functools.cache
def _quotation_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The double quote marks of :mod:`newstrace.text.quotes` as tables: all, opening only,
    closing only, the marks whose presence lets a text hold a quotation that keeps a
    sentence whole, and those that may reopen (openers) or close (curly closers) a
    quotation on the next line. Imported on first use: that module builds on this one."""
    from newstrace.text import quotes

    marks, openers, closers = quotes.DOUBLE_MARKS, quotes.DOUBLE_OPENERS, quotes.DOUBLE_CLOSERS
    only_open = "".join(c for c in openers if c not in closers)
    only_close = "".join(c for c in closers if c not in openers)
    return (_table(marks), _table(only_open), _table(only_close), _table(QUOTATION_MARKS),
            _table(openers), _table(quotes.CURLY_CLOSERS))


def _quoted(bmp: np.ndarray, at: np.ndarray, ends_at: np.ndarray, lines: np.ndarray,
            bases: np.ndarray) -> np.ndarray:
    """For sentence ends whose match ends at ``ends_at`` (``at``: where the double quote
    marks are, ``lines``: the line breaks): whether each lies inside a double-quoted
    quotation that opens and closes within its paragraph (line).

    Marks pair as :func:`~newstrace.text.quotes.quote_spans` pairs them inside a line: an
    opening mark opens, a closing mark closes, a straight one does whichever is due, so
    after each mark the line is inside a quotation when the last mark that only opens or
    only closes was an opening one, flipped once per straight mark since. A quotation left
    open at the end of its line ends there, unless it goes on in the next paragraph
    (:func:`_runs_on`); then it spans a line break and keeps no sentence whole. Going on
    changes no mark's state: the mark that reopens a quotation would have opened one, and
    the curly mark that closes it would have left the line outside one."""
    *_, quoting, _, _ = _quotation_tables()
    if not len(at):
        return np.zeros(len(ends_at), dtype=bool)
    line = np.searchsorted(lines, at, side="right")
    inside = _inside_quotation(bmp[at], line, _after_digit(bmp, at))
    text = np.searchsorted(bases, at, side="right") - 1
    quoting_texts = np.diff(np.searchsorted(at[quoting.take(bmp[at])], bases)) > 0
    last_before = np.searchsorted(at, ends_at, side="left") - 1
    mark = np.maximum(last_before, 0)
    same_line = (last_before >= 0) & (line[mark] == np.searchsorted(lines, ends_at - 1, side="right"))
    quoted = same_line & inside[mark] & quoting_texts[text[mark]]
    return quoted & ~_spans_lines(bmp, at, line, text, inside, lines)[mark]


def _after_digit(bmp: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Whether each position of ``at`` follows an ASCII digit."""
    before = bmp[np.maximum(at - 1, 0)]
    return (at > 0) & (before - np.uint16(ord("0")) < 10)  # unsigned: below "0" wraps round


def _inside_quotation(codes: np.ndarray, line: np.ndarray, after_digit: np.ndarray) -> np.ndarray:
    """Per double quote mark (``codes``, on lines numbered ``line``; ``after_digit``: which
    follow a digit): whether a quotation is open after it (see :func:`_quoted`). A straight
    mark after a digit is a measure that only closes
    (:func:`~newstrace.text.quotes.is_measure_mark`)."""
    _, only_open, only_close, *_ = _quotation_tables()
    kind_open, kind_close = only_open.take(codes), only_close.take(codes)
    kind_close |= after_digit & (codes == ord('"'))
    straight = ~kind_open & ~kind_close
    index = np.arange(len(codes))
    line_first = np.searchsorted(line, line, side="left")
    anchor = np.maximum.accumulate(np.where(straight, -1, index))
    anchored = anchor >= line_first
    flips = np.concatenate([[0], np.cumsum(straight)])
    since = flips[index + 1] - np.where(anchored, flips[np.maximum(anchor, 0) + 1], flips[line_first])
    return np.where(anchored, kind_open[np.maximum(anchor, 0)], False) ^ (since % 2 == 1)


def _spans_lines(bmp: np.ndarray, at: np.ndarray, line: np.ndarray, text: np.ndarray,
                 inside: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Per double quote mark (``at``, on ``line`` of ``text``) inside a quotation: whether
    that quotation runs on from the line before or into the next (see :func:`_runs_on`)."""
    first = np.flatnonzero(np.concatenate([[False], line[1:] != line[:-1]]))  # a line's first mark
    first = first[inside[first - 1] & (text[first] == text[first - 1])]
    reopens, closes = _runs_on(bmp, at[first], lines[line[first - 1]], lines)
    starts_stretch = ~inside
    starts_stretch[np.searchsorted(line, line, side="left")] = True
    stretch = np.cumsum(starts_stretch)  # the marks of one open stretch of a line share a number
    crosses = np.zeros(int(stretch[-1]) + 1, dtype=bool)
    crosses[stretch[first[reopens]]] = True  # goes on from the line before
    crosses[stretch[first[reopens | closes] - 1]] = True  # goes on into the next line
    return inside & crosses[stretch]


def _runs_on(bmp: np.ndarray, next_mark: np.ndarray, line_end: np.ndarray,
             lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For quotations open at the end of a line (``line_end``: its break), the next double
    quote mark of the text being at ``next_mark`` on a later line: whether each goes on by
    the rules of :func:`~newstrace.text.quotes.quote_spans`, because the next paragraph
    opens with a quote mark (reopens), or because the next line closes it with a curly
    mark (closes)."""
    *_, openers, curly = _quotation_tables()
    reopened = _advance(bmp, line_end, _SPACE)  # the next paragraph's first character
    codes = bmp[next_mark]
    reopens = (next_mark == reopened) & openers.take(codes)
    closes = curly.take(codes) & (np.searchsorted(lines, next_mark, side="right")
                                  == np.searchsorted(lines, reopened, side="right"))
    return reopens, closes


def _abbreviations(codes: np.ndarray, bases: np.ndarray, dots: np.ndarray,
                   next_word: np.ndarray) -> np.ndarray:
    """Whether each lone full stop at ``dots`` closes an abbreviation (``codes`` as
    :func:`_bmp` gives them), read from the ASCII letters just before it. Most follow more
    letters than any abbreviation has (none), or a run of fewer after something other
    than a full stop: that run is the word, one letter or one of ``ABBREVIATIONS`` (its
    letters as :data:`_ABBREVIATION_BYTES` holds them). The rest (dotted words such as
    ``U.S.``) are read character by character (:func:`_closes_abbreviation`)."""
    back = dots[:, None] - np.arange(1, _LETTERS_BACK + 1)  # the characters before, nearest first
    before = codes.take(np.maximum(back, 0))
    letter = _is_ascii_letter(before) & (back >= 0)
    run = _TRAILING_ONES.take(np.packbits(letter, axis=1, bitorder="little")[:, 0])
    short = (run > 0) & (run < _LETTERS_BACK)
    after_dot = short & (codes.take(np.maximum(dots - run - 1, 0)) == ord(".")) & (dots > run)
    letters = np.zeros((len(dots), 8), dtype=np.uint8)
    letters[:, :_LETTERS_BACK] = before | 32  # lower case (for letters; the rest is masked out)
    letters &= _PREFIX_MASKS.take(run, axis=0)
    found = short & ~after_dot & ((run == 1) | among(letters.view("<u8")[:, 0], _ABBREVIATION_BYTES))
    text_starts = bases[np.searchsorted(bases, dots[after_dot], side="right") - 1]
    found[after_dot] = _closes_abbreviation(codes, dots[after_dot], text_starts, next_word[after_dot])
    return found


#: How many characters :func:`_abbreviations` reads back from a full stop: more letters
#: than any abbreviation has, and few enough for one byte each in a 64-bit integer.
_LETTERS_BACK = 7
assert _ABBREVIATION_LETTERS < _LETTERS_BACK < 8
#: Per byte of flags (bit k: the character k + 1 before a full stop is a letter): how many
#: letters run back from the full stop.
_TRAILING_ONES = np.array([(~k & (k + 1)).bit_length() - 1 for k in range(256)], dtype=np.int64)
#: Row n: 0xFF over the first n of 8 bytes, so that a row of letters keeps only its word.
_PREFIX_MASKS = np.tril(np.full((8, 8), 0xFF, dtype=np.uint8), -1)
#: :data:`ABBREVIATIONS` as :func:`_abbreviations` reads words: the letters from the last
#: back, one byte each, in a little-endian 64-bit integer.
_ABBREVIATION_BYTES = np.sort(np.array(
    [int.from_bytes(word[::-1].encode("ascii").ljust(8, b"\0"), "little") for word in ABBREVIATIONS],
    dtype=np.uint64))


def _is_ascii_letter(codes: np.ndarray) -> np.ndarray:
    return ((codes | 32) - 97) < 26  # unsigned: codes below "a" wrap round to large values


def _sentence_breaks(bmp: np.ndarray, starts: np.ndarray, bases: np.ndarray,
                     offsets: np.ndarray, marks: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Per token: whether a sentence starts with it, by the rule of
    :mod:`newstrace.text.sentences` (what :func:`newstrace.text.sentences.split_sentences` cuts
    at), for texts joined by newlines (``bmp``: their code points as :func:`_bmp` gives
    them; ``bases``: where each starts; ``offsets``: their first tokens). Only the few
    punctuation marks are looked at (``marks``, of ``kind``, see :func:`_mark_kinds`): a
    mark is never inside a token."""
    breaks = np.zeros(len(starts), dtype=bool)
    breaks[offsets[:-1][offsets[:-1] < len(starts)]] = True
    lines = marks[kind == _LINE_BREAK]
    # Full stops: a run of . ! ? with closers, then white space, openers and a capital.
    stops = marks[kind == _FULL_STOP]
    if len(stops):
        first = np.concatenate([[True], stops[1:] != stops[:-1] + 1])
        last = np.append(stops[1:] != stops[:-1] + 1, True)
        run, run_end = stops[first], stops[last] + 1
    else:
        run = run_end = np.zeros(0, dtype=np.int64)
    match_end = _advance(bmp, run_end, _CLOSER)
    spaced = _advance(bmp, match_end, _SPACE)
    capital_at = _advance(bmp, spaced, _OPENER)
    ends = (spaced > match_end) & (capital_at < len(bmp))
    ends[ends] = _CAPITAL.take(bmp[capital_at[ends]])
    lone = ends & (run_end - run == 1) & (match_end == run_end) & (bmp[run] == ord("."))
    ends[lone] = ~_abbreviations(bmp, bases, run[lone], capital_at[lone])
    hard = marks[kind == _HARD_STOP]
    ends_at = np.sort(np.concatenate([match_end[ends], hard + 1]))
    double = marks[kind == _DOUBLE_QUOTE]
    quoted = _quoted(bmp, double, ends_at, lines, bases)
    for cut in (ends_at[~quoted], lines + 1):  # each sorted: the searches run in order
        following = np.searchsorted(starts, cut)
        breaks[following[following < len(starts)]] = True
    return breaks


def _hashed_tokens(codes: np.ndarray, shift: int = 0) -> tuple[np.ndarray, ...]:
    """Where the tokens of ``codes`` start and end, and their hashes (see
    :func:`_tokenize_group`); and where the marks of the sentence rule are, and their kinds
    (positions plus ``shift``). A token's hash reads only its own characters' values, so
    the marks' do not matter."""
    word = np.zeros(len(codes) + 2, dtype=bool)  # padded, so every run has both ends
    values, marks = _token_values(codes, word[1:-1])
    changes = np.flatnonzero(word[1:] != word[:-1])
    starts, ends = changes[::2], changes[1::2]
    prefix = np.empty(len(values) + 1, dtype=_U64)
    prefix[0] = 0
    np.multiply(values, _POWERS(len(values)), out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    sums = prefix.take(ends)
    np.subtract(sums, prefix.take(starts), out=sums)
    np.multiply(sums, _INVERSE_POWERS(len(values) + 1).take(starts), out=sums)
    np.add(sums, (ends - starts).astype(_U64), out=sums)
    kinds = (values[marks] - _MARK).astype(np.uint8)
    if shift:  # in place, on arrays still in cache (starts and ends are views of changes)
        changes += shift
        marks += shift
    return starts, ends, mix64(sums, in_place=True), marks, kinds


def _tokenize_group(texts: Sequence[str], shift: int = 0) -> tuple[np.ndarray, ...]:
    """The code points of texts of moderate total length, joined by newlines, where
    their tokens start and end in them (plus ``shift``: where the group starts in the
    batch), the tokens' hashes, and where the marks of the sentence rule are (plus
    ``shift``), with their kinds.

    The texts are joined and lower-cased as one array of code points; token boundaries
    are where the letter-or-digit flag changes. With ``v[j] = code[j] * B**j`` and ``P``
    its prefix sums, the token spanning ``[s, e)`` hashes to
    ``(P[e] - P[s]) * B**-s = sum(code[s + k] * B**k)``, independent of where it stands.
    """
    codes = code_points("\n".join(texts))
    return (codes, *_hashed_tokens(codes, shift))


def shingle_hashes(token_hashes: np.ndarray, ngram: int = 5) -> np.ndarray:
    """Hashes of the ``ngram``-token windows of one token sequence (empty if too short)."""
    count = len(token_hashes) - ngram + 1
    if count <= 0:
        return np.zeros(0, dtype=_U64)
    combined = token_hashes[:count].copy()
    for offset in range(1, ngram):
        np.multiply(combined, _SHINGLE_MUL, out=combined)
        np.add(combined, token_hashes[offset : offset + count], out=combined)
    return mix64(combined, in_place=True)


@dataclass
class ShingleBatch:
    """The shingle hashes of many texts: ``hashes[offsets[i]:offsets[i+1]]`` are text i's;
    ``crossing`` (when known) marks the shingles that span a sentence break."""

    hashes: np.ndarray
    offsets: np.ndarray
    crossing: np.ndarray | None = None

    def of(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]

    def subset(self, rows: Sequence[int]) -> ShingleBatch:
        """Only texts ``rows``, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, counts = self.offsets[rows], np.diff(self.offsets)[rows]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        taken = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
        crossing = None if self.crossing is None else self.crossing[taken]
        return ShingleBatch(self.hashes[taken], offsets, crossing)


def concatenate_batches(batches: Sequence[ShingleBatch]) -> ShingleBatch:
    """One batch holding the texts of ``batches`` in order (``crossing`` dropped)."""
    firsts = np.cumsum([0] + [int(b.offsets[-1]) for b in batches])
    return ShingleBatch(
        np.concatenate([b.hashes for b in batches]),
        np.concatenate([batches[0].offsets[:1]]
                       + [b.offsets[1:] + first for b, first in zip(batches, firsts)]))


def shingle_batch(texts: Sequence[str], ngram: int = 5, tokens: Tokens | None = None) -> ShingleBatch:
    """Word ``ngram``-shingle hashes of every text, computed together (from ``tokens``
    when already at hand)."""
    tokens = tokenize(texts) if tokens is None else tokens
    windows = shingle_hashes(tokens.hashes, ngram)
    inside = _windows_inside(tokens.offsets, len(windows), ngram)
    counts = np.maximum(np.diff(tokens.offsets) - ngram + 1, 0)
    # Window t crosses a break when a break starts one of its tokens after the first.
    crossing = np.zeros(len(windows), dtype=bool)
    for offset in range(1, min(ngram, len(tokens.breaks))):
        crossing |= tokens.breaks[offset : offset + len(windows)]
    return ShingleBatch(hashes=windows[inside], offsets=np.concatenate([[0], np.cumsum(counts)]),
                        crossing=crossing[inside])


def _windows_inside(offsets: np.ndarray, windows: int, ngram: int) -> np.ndarray:
    """Which of the ``windows`` ``ngram``-token windows of texts owning tokens
    ``offsets[i]:offsets[i+1]`` end inside the text they start in: all but those starting
    on one of the last ``ngram - 1`` tokens of a text."""
    inside = np.ones(windows, dtype=bool)
    firsts, ends = offsets[:-1], offsets[1:]
    for back in range(1, ngram):
        starts = ends - back
        inside[starts[(starts >= firsts) & (starts < windows)]] = False
    return inside


#: Stand-ins for "no sentence" before the first and after the last sentence of a text.
_START, _END = mix64(np.array([0x5EED5EED, 0xE11DE11D], dtype=_U64))


@dataclass
class Sentences:
    """The sentences of a batch of tokenised texts: token t lies in sentence
    ``of_token[t]``, which starts at token ``starts[s]``; text i owns sentences
    ``offsets[i]:offsets[i+1]``; ``hashes`` identify a sentence by its words (in order,
    case and punctuation aside)."""

    starts: np.ndarray
    hashes: np.ndarray
    offsets: np.ndarray
    breaks: np.ndarray  #: per token: whether a sentence starts with it

    @functools.cached_property
    def of_token(self) -> np.ndarray:
        """Per token: the sentence it lies in (computed when first asked)."""
        return np.cumsum(self.breaks, dtype=np.int64) - 1


class _Salts:
    """``mix64(1) … mix64(n)``: the salt of each position in a sentence, grown on demand and kept."""

    def __init__(self) -> None:
        self.table = np.zeros(0, dtype=_U64)

    def __call__(self, n: int) -> np.ndarray:
        if len(self.table) < n:
            self.table = mix64(np.arange(1, max(n, 2 * len(self.table)) + 1, dtype=_U64))
        return self.table


_POSITION_SALTS = _Salts()


def sentences_of(tokens: Tokens) -> Sentences:
    """The sentences of tokenised texts (split at :attr:`Tokens.breaks`)."""
    starts = np.flatnonzero(tokens.breaks)
    count = len(tokens.breaks)
    if not len(starts):
        hashes = np.zeros(0, dtype=_U64)
    else:
        # a text's first token starts a sentence, so sentence s holds tokens starts[s]:starts[s+1]
        lengths = np.diff(starts, append=count)
        position = np.arange(count) - np.repeat(starts, lengths)
        salted = _POSITION_SALTS(int(lengths.max())).take(position)
        np.bitwise_xor(salted, tokens.hashes, out=salted)
        hashes = mix64(np.add.reduceat(mix64(salted, in_place=True), starts), in_place=True)
    return Sentences(starts, hashes, np.searchsorted(starts, tokens.offsets), tokens.breaks)


def sentence_pairs(sentences: Sentences) -> ShingleBatch:
    """Hashes of every two consecutive sentences of each text, the first and last sentence
    paired with a text edge too: a text of n sentences has n + 1 pairs, pair k joining
    sentences k - 1 and k (none for a text without a sentence)."""
    counts = np.diff(sentences.offsets)
    pair_counts = np.where(counts > 0, counts + 1, 0)
    offsets = np.concatenate([[0], np.cumsum(pair_counts)]).astype(np.int64)
    left = np.full(offsets[-1], _START, dtype=_U64)
    right = np.full(offsets[-1], _END, dtype=_U64)
    text = np.repeat(np.arange(len(counts)), counts)
    at = offsets[text] + np.arange(len(sentences.hashes)) - sentences.offsets[text]
    left[at + 1] = sentences.hashes
    right[at] = sentences.hashes
    np.multiply(left, _SHINGLE_MUL, out=left)
    np.add(left, right, out=left)
    return ShingleBatch(mix64(left, in_place=True), offsets)


def sentence_pair_batch(texts: Sequence[str]) -> ShingleBatch:
    """:func:`sentence_pairs` of ``texts``."""
    return sentence_pairs(sentences_of(tokenize(texts)))


@dataclass(eq=False)
class MinHasher:
    """MinHash signatures of word shingles: rensa's R-MinHash (``num_perm`` independent
    permutations) over the shingle hashes, plus bottom-k anchors.

    Each signature row holds ``num_perm`` MinHash values followed by ``anchors`` anchor
    values: the text's smallest distinct shingle hashes (a bottom-k sample, in ascending
    order, padded with ``0xFFFFFFFF``). Texts sharing a passage share anchors whatever
    their lengths, which catches partial reuse that a low Jaccard hides from the bands.
    """

    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    anchors: int = 64

    def signatures(self, texts: Sequence[str], *, workers: int = 1,
                   batch_size: int = 256) -> np.ndarray:
        """``(len(texts), num_perm + anchors)`` uint32 signatures, hashed ``batch_size`` texts at a
        time, on ``workers`` processes when more than one. Texts without a shingle get all
        ``0xFFFFFFFF`` (see :func:`is_empty`)."""
        batches = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
        parts = list(ordered_map(self._batch_signatures, batches, processes=workers if workers > 1 else 0))
        if not parts:
            return np.zeros((0, self.num_perm + self.anchors), np.uint32)
        return np.concatenate(parts)

    def sketch(self, texts: Sequence[str], batch_size: int = 256) -> tuple[np.ndarray, ShingleBatch]:
        """:meth:`signatures` and :func:`sentence_pairs` of ``texts`` from one tokenisation
        (``batch_size`` texts at a time: small arrays stay in cache)."""
        signatures, pairs = [], []
        for first in range(0, len(texts), batch_size):
            batch = texts[first : first + batch_size]
            tokens = tokenize(batch)
            signatures.append(self.signatures_of(shingle_batch(batch, self.ngram, tokens=tokens)))
            pairs.append(sentence_pairs(sentences_of(tokens)))
        if not signatures:
            return (np.zeros((0, self.num_perm + self.anchors), np.uint32),
                    ShingleBatch(np.zeros(0, dtype=_U64), np.zeros(1, dtype=np.int64)))
        return np.concatenate(signatures), concatenate_batches(pairs)

    def _batch_signatures(self, texts: Sequence[str]) -> np.ndarray:
        return self.signatures_of(shingle_batch(texts, self.ngram))

    def signatures_of(self, batch: ShingleBatch) -> np.ndarray:
        """Signatures of already computed shingle hashes (anchors from the shingles that
        cross a sentence break when ``batch.crossing`` is known)."""
        n = len(batch.offsets) - 1
        digests = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
            batch.hashes, batch.offsets.astype(_U64), self.num_perm, self.seed)
        note_thread_pool("rensa")  # started on large batches: no more forked workers
        return np.hstack([_rows_array(digests.to_rows(), n, self.num_perm),
                          self._bottom_k(anchor_shingles(batch))])

    def _bottom_k(self, batch: ShingleBatch) -> np.ndarray:
        """The ``anchors`` smallest distinct (high 32 bits of) shingle hashes of each text.

        Only values under a per-text cut expected to keep twice ``anchors`` of them are
        sorted; a text then misses the k-th smallest with negligible probability."""
        n = len(batch.offsets) - 1
        sizes = np.diff(batch.offsets)
        cut = np.minimum(2.0**32 * 2 * self.anchors / np.maximum(sizes, 1), 2.0**32 - 1)
        kept = np.flatnonzero(batch.hashes < np.repeat(cut.astype(_U64) << _U64(32), sizes))
        docs = (np.searchsorted(batch.offsets, kept, side="right") - 1).astype(_U64)
        ordered = sorted_distinct((docs << _U64(32)) | (batch.hashes[kept] >> _U64(32)), runs=True)
        doc = (ordered >> _U64(32)).astype(np.int64)
        rank = np.arange(len(ordered)) - np.searchsorted(doc, np.arange(n))[doc]
        first = rank < self.anchors
        anchors = np.full((n, self.anchors), EMPTY, dtype=np.uint32)
        anchors[doc[first], rank[first]] = (ordered[first] & _U64(0xFFFFFFFF)).astype(np.uint32)
        return anchors


#: The typecode of :mod:`array` for unsigned 32-bit integers on this platform.
_UINT32 = next(code for code in "IL" if array.array(code).itemsize == 4)


def _rows_array(rows: list[list[int]], n: int, width: int) -> np.ndarray:
    """rensa's digest rows (lists of 32-bit values) as an ``(n, width)`` ``uint32`` array, a
    typed buffer filled from one iterator over all rows (faster than numpy reading the
    values one by one, or a buffer extended a row at a time)."""
    values = array.array(_UINT32, itertools.chain.from_iterable(rows))
    return np.frombuffer(values, dtype=np.uint32).reshape(n, width)


#: A text with fewer shingles crossing a sentence break takes its anchors from all its shingles.
MIN_CROSSING = 8


def anchor_shingles(batch: ShingleBatch) -> ShingleBatch:
    """The shingles anchors are drawn from: those crossing a sentence break, or all of a
    text's shingles when it has fewer than :data:`MIN_CROSSING` such (no punctuation)."""
    if batch.crossing is None:
        return batch
    sizes = np.diff(batch.offsets)
    crossing = np.diff(np.searchsorted(np.flatnonzero(batch.crossing), batch.offsets))  # per text
    kept = batch.crossing | np.repeat(crossing < MIN_CROSSING, sizes)
    counts = np.where(crossing < MIN_CROSSING, sizes, crossing)
    return ShingleBatch(batch.hashes[kept], np.concatenate([[0], np.cumsum(counts)]))


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """Which signatures belong to texts too short to have a single shingle (all
    ``EMPTY``; only the rows whose first value is checked whole)."""
    if not signatures.shape[1]:
        return np.ones(len(signatures), dtype=bool)
    empty = signatures[:, 0] == EMPTY
    rows = np.flatnonzero(empty)
    empty[rows] = (signatures[rows] == EMPTY).all(axis=1)
    return empty
