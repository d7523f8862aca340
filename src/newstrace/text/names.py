"""Names and numbers read cheaply (regular expressions, no parser), each reading defined
once, for the stages that compare texts by them:

* :func:`names` and :func:`numbers`, as the rewrite check compares two sentences or texts:
  sets of capitalised words that do not open a sentence, and acronyms (a sentence's first
  word is capitalised whatever it is), and of figures;
* :func:`extract_entities`, as story clustering and the choice of rewrite candidates count
  them: capitalised words wherever they stand (a headline or a lead often opens with its
  subject), less the capitalised words that are no names (:data:`NOT_NAMES`), and numbers,
  in text order, for hashed bags. Its regular expression is the one definition of the rule;
  :func:`extract_entities_batch` reads a batch of texts by the same rule in vectorised
  passes (the same lists, checked against the regular expression in the tests), for the
  thousands of texts story clustering and the rewrite plan read at a time.

Both drop thousands separators from numbers; the parser-based entities and numbers of the
digest are :mod:`newstrace.digests.facts`.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from newstrace.text.batch import code_points, text_groups, text_starts, word_characters
from newstrace.text.words import NOT_NAMES, STOPWORDS

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]*[A-Za-z]|\b[A-Z]{2,}\b")


def numbers(text: str) -> set[str]:
    """The figures of ``text`` (``1,200`` as ``1200``; ``3.5`` and ``10:30`` whole)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words not opening a sentence, and acronyms: a cheap proper-noun proxy."""
    return {n.lower() for n in _NAME.findall(text)} - STOPWORDS


#: A capitalised word, or a number, at a word start: the matches of
#: ``\b[A-Z][A-Za-z'’.&-]*[A-Za-z]|\b\d[\d,.]*\d|\b\d``, written to begin with a character class
#: (the word start checked after its first character) so that the regex engine skips ahead
#: to the next capital or digit instead of trying every position: twice as fast, the same matches.
_NAME_OR_NUMBER = re.compile(r"[A-Z\d](?<!\w[A-Z\d])(?:(?<=[A-Z])[A-Za-z'’.&-]*[A-Za-z]|(?<=\d)(?:[\d,.]*\d)?)")
_POSSESSIVE = re.compile(r"['’]s?$")


def extract_entities(text: str) -> list[str]:
    """Cheap named entities: lowercased capitalised words (not sentence-start function
    words) and numbers (thousands separators dropped), by :data:`_NAME_OR_NUMBER`: the one
    definition of the rule, which :func:`extract_entities_batch` (checked against this
    function) follows for many texts at once.

    >>> extract_entities("Tara Reid, 33, entered Promises in Malibu on Friday. She left.")
    ['tara', 'reid', '33', 'promises', 'malibu', 'friday']
    """
    _bound_cache()
    return [entity for entity in map(_cached_entity, _NAME_OR_NUMBER.findall(text)) if entity is not None]


def _entity(token: str) -> str | None:
    """The entity a token of :data:`_NAME_OR_NUMBER` stands for, if any."""
    if token[0].isdigit():
        return token.replace(",", "").rstrip(".")
    word = _POSSESSIVE.sub("", token).lower()
    return word if len(word) > 1 and word not in NOT_NAMES else None


#: Each distinct token's entity (or ``None``), worked out once: most tokens recur.
_ENTITY_OF: dict[str, str | None] = {}
_ENTITY_CACHE = 1_000_000  #: distinct tokens held at most (then forgotten)
_UNSEEN = object()


# The batch reading of _NAME_OR_NUMBER. A match starts at a capital or digit not after a
# word character; from the character after it, a name runs on over [A-Za-z'’.&-] and a
# number over [\d,.], and the match ends, by backtracking, after the run's last letter (a
# name needs one) or last digit (else the number is its one digit). A start inside an
# earlier match ends where that match does (its run is the rest of that run) or nowhere, so
# findall's matches are the first of each end.

#: What each character is to the rule, as bits of one byte per character.
_NAME_PART, _LETTER, _NUMBER_PART, _DIGIT, _START, _WORD = 1, 2, 4, 8, 64, 128
#: Characters of a run read at a time, from two 64-bit words of the bytes; a longer run is
#: left to the regular expression.
_WINDOW = 16
_BYTE_LOWS = np.uint64(0x0101010101010101)
#: Gathers the low bits of a word's eight bytes into its top byte (no carries).
_GATHER_BITS = np.uint64(0x0102040810204080)


def extract_entities_batch(texts: Sequence[str]) -> list[list[str]]:
    """:func:`extract_entities` of each text, the same lists, read in vectorised passes over
    the texts joined by newlines, a group of about ``GROUP_CHARS`` characters at a time
    (:func:`~newstrace.text.batch.text_groups`, as :mod:`newstrace.match.fingerprint`
    tokenises). The rule has one definition, :data:`_NAME_OR_NUMBER` and :func:`_entity`;
    this reading of it is checked against :func:`extract_entities` in the tests."""
    with _BATCH_LOCK:
        _bound_cache()
        found: list[list[str]] = []
        for first, end in text_groups(texts):
            found.extend(_group_entities(texts[first:end]))
        return found


def _group_entities(texts: Sequence[str]) -> list[list[str]]:
    """:func:`extract_entities` of each of a group of texts. They are joined by newlines,
    with a newline before and a newline-filled window after (no run goes past either)."""
    joined = "\n".join(["", *texts, *[""] * (_WINDOW + 1)])
    try:
        codes = code_points(joined)
    except UnicodeEncodeError:  # a lone surrogate has no UTF-16 form
        return [extract_entities(text) for text in texts]
    starts, ends = _match_spans(joined, _kinds(codes))
    named, kept = _token_entities().look_up(joined, codes, starts, ends)
    kept_before = np.concatenate([[0], np.cumsum(named)])
    bounds = kept_before[np.searchsorted(starts, text_starts(texts) + 1)].tolist()
    return [kept[first:end] for first, end in pairwise(bounds)]


@functools.cache
def _kind_table() -> np.ndarray:
    """The rule's bits of each code point of the Basic Multilingual Plane (``\\w`` as the
    regular expression reads it, ``\\d`` as :meth:`str.isdecimal`)."""
    kinds = np.where(word_characters(), _WORD, 0).astype(np.uint8)
    decimal = np.fromiter((chr(code).isdecimal() for code in range(0x10000)), dtype=bool, count=0x10000)
    kinds[decimal] |= _DIGIT | _NUMBER_PART | _START
    for chars, bits in (("abcdefghijklmnopqrstuvwxyz", _LETTER | _NAME_PART),
                        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _LETTER | _NAME_PART | _START),
                        ("'’&-", _NAME_PART), (".", _NAME_PART | _NUMBER_PART), (",", _NUMBER_PART)):
        kinds[[ord(c) for c in chars]] |= bits
    assert (kinds[(kinds & _START) != 0] & _WORD).all()  # a start is a word character
    return kinds


def _kind(char: str) -> int:
    """The rule's bits of one character (beyond the BMP: a digit, a word character or
    neither, as ``\\d`` and ``\\w`` read it)."""
    if char.isdecimal():
        return _DIGIT | _NUMBER_PART | _START | _WORD
    return _WORD if char.isalnum() else 0


def _kinds(codes: np.ndarray) -> np.ndarray:
    """The rule's bits of each character (``codes``: its code points)."""
    if codes.dtype == np.uint16:
        return _kind_table().take(codes)
    kinds = _kind_table().take(np.minimum(codes, 0xFFFF))
    beyond = np.flatnonzero(codes > 0xFFFF)
    kinds[beyond] = [_kind(chr(code)) for code in codes[beyond].tolist()]
    return kinds


def _match_spans(joined: str, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each match of :data:`_NAME_OR_NUMBER` in ``joined`` (``kinds``: its
    characters' bits) starts and ends, as ``findall`` finds them."""
    starts = np.flatnonzero(kinds >= _START | _WORD)  # every start is a word character
    starts = starts[kinds.take(starts - 1) < _WORD]
    ends = _run_ends(kinds, starts)
    long = np.flatnonzero(ends < 0)
    ends[long] = _matched_ends(joined, starts[long].tolist())
    matched = ends > starts
    starts, ends = starts[matched], ends[matched]
    first = np.ones(len(ends), dtype=bool)
    first[1:] = ends[1:] != ends[:-1]
    return starts[first], ends[first]


def _run_ends(kinds: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Where the match at each start ends, read from the next ``_WINDOW`` characters' bits:
    0 if it has none, -1 if its run goes on past them."""
    words = _word_view(kinds)
    near, far = words[starts + 1], words[starts + 9]
    part = (kinds.take(starts) & _DIGIT).astype(np.uint64) >> np.uint64(2)  # bit of a name's or a number's part
    end = part + np.uint64(1)  # the bit of a character that may end it
    trailing_ones, highest_bit, low_bits = _bit_tables()
    in_run = trailing_ones.take(_bit_mask(near, part) | _bit_mask(far, part) << np.uint64(8))
    enders = _bit_mask(near, end) | _bit_mask(far, end) << np.uint64(8)
    last = highest_bit.take(enders & low_bits.take(in_run))
    ends = starts + 2 + last
    ends[(last < 0) & (part == 0)] = 0  # a name without a second letter
    ends[in_run == _WINDOW] = -1
    return ends


def _word_view(array: np.ndarray) -> np.ndarray:
    """The 64-bit word of ``array``'s bytes from each of its elements on (a view, unaligned:
    read with fancy indexing, which is several times faster than ``take`` on it)."""
    return np.ndarray((len(array) - 8 // array.itemsize + 1,), dtype=np.uint64, buffer=array,
                      strides=(array.itemsize,))


def _bit_mask(words: np.ndarray, bit: np.ndarray) -> np.ndarray:
    """Bit ``bit`` of each of the eight bytes of ``words``, as an 8-bit mask."""
    return ((words >> bit) & _BYTE_LOWS) * _GATHER_BITS >> np.uint64(56)


@functools.cache
def _bit_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every 16-bit mask: its count of trailing ones and its highest set bit (-1 for
    none); and the masks of the lowest 0 to 16 bits."""
    masks = np.arange(1 << _WINDOW)
    trailing, highest = np.zeros(1 << _WINDOW, dtype=np.int8), np.full(1 << _WINDOW, -1, dtype=np.int8)
    for bit in range(_WINDOW):
        trailing += (masks & ((2 << bit) - 1)) == (2 << bit) - 1
        highest[(masks >> bit) > 0] = bit
    return trailing, highest, (1 << np.arange(_WINDOW + 1, dtype=np.uint64)) - np.uint64(1)


def _matched_ends(joined: str, starts: list[int]) -> list[int]:
    """Where the match at each of these starts (in order) ends by the regular expression
    itself, 0 where none does; a start inside the match before it ends with it (unread)."""
    ends, covered = [], 0
    for start in starts:
        if start >= covered:
            match = _NAME_OR_NUMBER.match(joined, start)
            covered = match.end() if match else 0
        ends.append(covered)
    return ends


class _TokenEntities:
    """The entities of tokens of up to ``UNITS`` UTF-16 code units, kept in a table of slots
    for vectorised look-ups. A token is its units packed into three 64-bit words (the units
    past its end zero); a hash of them gives it two slots, and it is stored in the first if
    that is empty, else in the other (displacing the token there). A token is found only
    where its own words are; every other one (new, displaced, longer, or holding a
    character beyond the BMP) is sliced out and read through :data:`_ENTITY_OF`."""

    UNITS = 12
    _MULTIPLIERS = [np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)]

    def __init__(self, slot_bits: int = 17) -> None:
        self.shift = np.uint64(64 - slot_bits)  #: the top bits of a hash give a token's first slot,
        self.next_shift = np.uint64(64 - 2 * slot_bits)  #: the bits below them its other one
        self.mask = np.uint64((1 << slot_bits) - 1)
        #: the words of each slot's token, a column a word (zeros: none; no token starts with U+0000)
        self.words = [np.zeros(1 << slot_bits, dtype=np.uint64) for _ in range(3)]
        self.entities = np.full(1 << slot_bits, None, dtype=object)
        self.named = np.zeros(1 << slot_bits, dtype=bool)  #: whether the entity is not None
        #: by token length, the bits of each of its three words that are its own
        self._masks = [np.array([(1 << 16 * min(max(length - 4 * k, 0), 4)) - 1 for length in range(self.UNITS + 1)],
                                dtype=np.uint64) for k in range(3)]

    def look_up(self, joined: str, codes: np.ndarray, starts: np.ndarray,
                ends: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Whether each token ``joined[starts[i]:ends[i]]`` names an entity, and those
        entities in order (``codes``: the code points of ``joined``, with ``UNITS`` more
        after every token's start)."""
        words, cached = self._packed(codes, starts, ends)
        slots, others = self._slots(words)
        found = self._holds(slots, words, cached)
        elsewhere = np.flatnonzero(~found)
        moved = self._holds(others[elsewhere], [word[elsewhere] for word in words], cached[elsewhere])
        slots[elsewhere[moved]] = others[elsewhere[moved]]
        found[elsewhere[moved]] = True
        named = self.named.take(slots)
        missing = np.flatnonzero(~found)
        fresh = np.array([_cached_entity(joined[start:end]) for start, end in
                          zip(starts[missing].tolist(), ends[missing].tolist())], dtype=object)
        fresh_named = np.not_equal(fresh, None)
        named[missing] = fresh_named
        kept = np.flatnonzero(named)
        entities = self.entities.take(slots[kept])
        entities[np.searchsorted(kept, missing[fresh_named])] = fresh[fresh_named]
        stored = cached[missing]
        self._store(slots[missing[stored]], others[missing[stored]], [word[missing[stored]] for word in words],
                    fresh[stored])
        return named, entities.tolist()

    def _holds(self, slots: np.ndarray, words: list[np.ndarray], cached: np.ndarray) -> np.ndarray:
        """Whether each slot holds its token (``cached``: tokens that may be held)."""
        found = cached.copy()
        for column, word in zip(self.words, words):
            found &= column.take(slots) == word
        return found

    def _packed(self, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Each token's packed words (a column a word), and whether it can be kept
        (``UNITS`` or fewer units, all in the BMP)."""
        lengths = np.minimum(ends - starts, self.UNITS + 1)
        cached = lengths <= self.UNITS
        if codes.dtype != np.uint16:  # characters beyond the BMP stand as U+FFFF: not kept
            beyond = np.flatnonzero(codes > 0xFFFF)
            token = np.searchsorted(starts, beyond, side="right") - 1  # the last to start before
            inside = token >= 0
            inside[inside] = beyond[inside] < ends[token[inside]]
            cached[token[inside]] = False
            codes = np.minimum(codes, 0xFFFF).astype(np.uint16)
        units = _word_view(codes)
        lengths[~cached] = 0
        return [units[starts + 4 * k] & self._masks[k].take(lengths) for k in range(3)], cached

    def _slots(self, words: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The two slots of each packed token, from two parts of one hash."""
        mixed = words[0] * self._MULTIPLIERS[0]
        for word, multiplier in zip(words[1:], self._MULTIPLIERS[1:]):
            mixed ^= word * multiplier
        return ((mixed >> self.shift).astype(np.intp),
                ((mixed >> self.next_shift) & self.mask).astype(np.intp))

    def _store(self, slots: np.ndarray, others: np.ndarray, words: list[np.ndarray], entities: np.ndarray) -> None:
        """Keep these tokens (with their ``entities``): each in its first slot if empty,
        else in its other one; the first of those for each slot."""
        slots = np.where(self.words[0].take(slots) == 0, slots, others)
        slots, first = np.unique(slots, return_index=True)
        for column, word in zip(self.words, words):
            column[slots] = word[first]
        self.entities[slots] = entities[first]
        self.named[slots] = np.not_equal(entities[first], None)


@functools.cache
def _token_entities() -> _TokenEntities:
    """The one table of token entities, made on first use."""
    return _TokenEntities()


_BATCH_LOCK = threading.Lock()  #: the table is read and written a batch at a time


def _bound_cache() -> None:
    """Forget the cached entities once more than :data:`_ENTITY_CACHE` tokens are held."""
    if len(_ENTITY_OF) > _ENTITY_CACHE:
        _ENTITY_OF.clear()


def _cached_entity(token: str) -> str | None:
    """:func:`_entity` of a token through :data:`_ENTITY_OF`."""
    entity = _ENTITY_OF.get(token, _UNSEEN)
    if entity is _UNSEEN:
        entity = _ENTITY_OF[token] = _entity(token)
    return entity
