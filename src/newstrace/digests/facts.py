"""Checkable facts of an article: named entities, numbers with units, dates and times, quotes.

Everything carries character offsets into ``Article.text``. Numbers are normalised to a base
unit ("1,000 kilometres (620 miles)" is one measure of 1,000,000 m with an equivalent of
620 miles); dates are resolved against the article's date ("Tuesday" in an article dated
Wednesday 2023-09-13 is 2023-09-12). Documents are parsed in batches with ``nlp.pipe``.

Speed: the parse is nearly all the cost (CPU per PolNeAR article, one process: NER ~57 ms,
tok2vec ~32, parser ~17, the rest ~20). The attribute ruler runs by table
(:class:`~newstrace.digests.nlp.TableAttributeRuler`, identical attributes), the extraction
reads token arrays instead of walking every token, and identical copies (same text and
date) are parsed once. ``bench_facts.py --articles 1612`` (every distinct text once; 2
processes, load average ~10): 139 -> 125 ms CPU per article, the same facts found. Every
pipe is needed (tags, lemmas, parse and entities are all read), and a sentence prefilter
(quote mark, cue word, digit or capitalised word) keeps 94% of the words, so the parse of
each distinct text stays.
"""

from __future__ import annotations

import dataclasses
import functools
import pickle
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterable, Literal

import numpy as np

from newstrace.engine.memory import keep_freed_memory
from newstrace.engine.parallel import one_blas_thread, ordered_map
from newstrace.model import Article
from newstrace.digests.nlp import load_nlp
from newstrace.digests.quotation import PersonIndex, Quote, clean_name, doc_ents, doc_text, quotes_from_doc
from newstrace.text.sentences import split_sentences

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "LAW"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
Precision = Literal["day", "week", "month", "year"]

#: unit word -> (symbol, dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, str, float]] = {
    **dict.fromkeys(["km", "kilometre", "kilometer", "kilometres", "kilometers"], ("km", "length", 1000.0)),
    **dict.fromkeys(["mile", "miles", "mi"], ("mi", "length", 1609.344)),
    **dict.fromkeys(["m", "metre", "meter", "metres", "meters"], ("m", "length", 1.0)),
    **dict.fromkeys(["cm", "centimetre", "centimeter", "centimetres", "centimeters"], ("cm", "length", 0.01)),
    **dict.fromkeys(["ft", "foot", "feet"], ("ft", "length", 0.3048)),
    **dict.fromkeys(["yard", "yards"], ("yd", "length", 0.9144)),
    **dict.fromkeys(["inch", "inches"], ("in", "length", 0.0254)),
    **dict.fromkeys(["kg", "kilogram", "kilograms", "kilo", "kilos"], ("kg", "mass", 1.0)),
    **dict.fromkeys(["g", "gram", "grams"], ("g", "mass", 0.001)),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds"], ("lb", "mass", 0.45359237)),
    **dict.fromkeys(["tonne", "tonnes", "ton", "tons"], ("t", "mass", 1000.0)),
    **dict.fromkeys(["second", "seconds", "sec", "secs"], ("s", "duration", 1.0)),
    **dict.fromkeys(["minute", "minutes", "min", "mins"], ("min", "duration", 60.0)),
    **dict.fromkeys(["hour", "hours", "hr", "hrs"], ("h", "duration", 3600.0)),
    **dict.fromkeys(["day", "days"], ("d", "duration", 86400.0)),
    **dict.fromkeys(["week", "weeks"], ("wk", "duration", 604800.0)),
    **dict.fromkeys(["month", "months"], ("mo", "duration", 2629800.0)),
    **dict.fromkeys(["year", "years"], ("yr", "duration", 31557600.0)),
    **dict.fromkeys(["%", "percent", "pct"], ("%", "ratio", 1.0)),
    **dict.fromkeys(["$", "dollar", "dollars", "usd", "us$"], ("USD", "money_usd", 1.0)),
    **dict.fromkeys(["€", "euro", "euros", "eur"], ("EUR", "money_eur", 1.0)),
    **dict.fromkeys(["£", "gbp"], ("GBP", "money_gbp", 1.0)),
    **dict.fromkeys(["°c", "celsius"], ("°C", "temperature", 1.0)),
    **dict.fromkeys(["°f", "fahrenheit"], ("°F", "temperature", 1.0)),
}
SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "dozen": 12.0}
#: Scales written short after a sum of money, as their own token or joined to the digits
#: (*$300M*, *£2.5bn*, *$1.5T*, *$50k*); only after a currency sign, where *m* is no metre.
MONEY_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "b": 1e9, "bn": 1e9, "bln": 1e9,
                "t": 1e12, "tn": 1e12, "trn": 1e12}
_SCALED_SUM = re.compile(r"(\d[\d,]*(?:\.\d+)?)(" + "|".join(sorted(MONEY_SCALES, key=len, reverse=True)) + r")\.?",
                         re.IGNORECASE)  # the tokenizer may leave a sentence's full stop on it (*$40B.*)
_CURRENCY_SIGNS = frozenset({"$", "€", "£", "US$"})
NUMBER_WORDS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())} | {
    "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0, "eighty": 80.0, "ninety": 90.0}
APPROXIMATORS = frozenset(
    "about around some roughly approximately nearly almost over under approx. ~ estimated".split()) | frozenset(
    {"up to", "more than", "less than", "at least", "fewer than", "at most", "close to"})  # not *rose to 14*
MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
MONTHS |= {m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9}
WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_WEEKDAY_WORD = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b", re.I)
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?|\b(\d{1,2}):(\d{2})\b|\b(noon|midnight)\b", re.I)
_ZONE = re.compile(r"^[\s\w.:]{0,30}?\b(local time|GMT|UTC|[ECMP][SD]?T|BST|CET|KST|JST|MSK)\b")
_ISO_DATE = re.compile(r"\b(1[89]|20)\d\d-[01]\d-[0-3]\d\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
#: ``1972’s Toulouse Street``: a year that labels a thing, not the time a sentence tells of.
_POSSESSIVE = re.compile(r"[’']s\b")
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b")
_FUTURE = frozenset({"will", "'ll", "shall", "next", "upcoming", "tomorrow"})
#: Lemmas of words that put a date on an intention or a timetable (*had planned to impose Dec. 15*,
#: *the vote scheduled for Jan. 5*): the event may lie ahead of the article or behind it.
_INTENDED = frozenset({"plan", "schedule", "slate", "due"})


@dataclass
class Entity:
    """A named person, organisation or place; ``name`` is its normalised form."""

    text: str
    label: str
    name: str
    start: int
    end: int


@dataclass
class Measure:
    """A number, what it counts or its unit, and its value in the dimension's base unit."""

    text: str
    start: int
    end: int
    value: float
    unit: str | None = None  #: "km", "mi", "%", "USD", ...
    dimension: str | None = None  #: "length", "mass", "duration", ...; None for a count
    base_value: float | None = None  #: in m, kg, s, °C ...
    counts: str | None = None  #: the thing counted: "ballistic missiles"
    counts_head: str | None = None  #: its head lemma: "missile"
    approx: bool = False
    equivalents: list[Measure] = field(default_factory=list)  #: "(620 miles)" after "1,000 km"

    @property
    def key(self) -> str | None:
        """What the number is about, for comparing numbers across articles."""
        return self.dimension or self.counts_head


@dataclass
class TimeRef:
    """A date and/or clock time; ``date`` is ISO (day precision) or ``YYYY-MM`` / ``YYYY``."""

    text: str
    start: int
    end: int
    date: str | None = None
    precision: Precision | None = None
    time: str | None = None  #: "HH:MM"
    zone: str | None = None  #: "local", "GMT", ...
    weekday: str | None = None


@dataclass
class ArticleFacts:
    """The facts of one article, each with offsets into its text."""

    article_id: str
    entities: list[Entity]
    numbers: list[Measure]
    times: list[TimeRef]
    quotes: list[Quote]
    sentences: list[tuple[int, int]]

    def within(self, start: int, end: int) -> ArticleFacts:
        """The facts lying inside ``[start, end)``."""
        def inside(items: list) -> list:
            return [x for x in items if start <= x.start and x.end <= end]
        return dataclasses.replace(self, entities=inside(self.entities), numbers=inside(self.numbers),
                                   times=inside(self.times), quotes=inside(self.quotes),
                                   sentences=[s for s in self.sentences if start <= s[0] and s[1] <= end])


#: Documents spaCy parses at a time. Its layers' arrays grow with the batch (32 PolNeAR articles
#: made each one tens of MB, fresh memory at every batch): ``bench_facts.py --articles 1612``
#: (2 processes) peaked at 1,160 MiB with 8 against 2,095 with 32, at 90 against 92 ms of CPU
#: per article, the same facts.
PARSE_BATCH = 8


def extract_facts(articles: Iterable[Article], *, nlp: Language | None = None, batch_size: int = PARSE_BATCH,
                  n_process: int = 1) -> list[ArticleFacts]:
    """Facts of many articles, parsed in batches, in input order.

    With ``n_process`` > 1, worker processes (:func:`~newstrace.engine.parallel.ordered_map`)
    each use the default pipeline (``nlp`` is then not used) and return the facts of whole
    chunks of articles: parsing and extraction both run in parallel and no parsed document
    crosses between processes.
    """
    articles = list(articles)
    distinct: dict[tuple[str, str | None], Article] = {}
    for article in articles:
        distinct.setdefault(_copy_key(article), article)
    if len(distinct) < len(articles):  # identical copies (a syndicated report) are parsed once
        found = dict(zip(distinct, extract_facts(distinct.values(), nlp=nlp, batch_size=batch_size,
                                                 n_process=n_process)))
        pickled: dict[tuple[str, str | None], bytes] = {}
        return [found[key] if distinct[key] is a else _copy_for(found[key], a.id, pickled, key)
                for a, key in zip(articles, map(_copy_key, articles))]
    if n_process > 1 and len(articles) > _IN_PROCESS_ARTICLES:
        return _extract_in_workers(articles, batch_size, n_process)
    nlp = nlp or load_nlp()
    with one_blas_thread():
        docs = nlp.pipe((a.text for a in articles), batch_size=batch_size)
        return [facts_from_doc(doc, article) for doc, article in zip(docs, articles)]


def _copy_key(article: Article) -> tuple[str, str | None]:
    """What an article's facts depend on: its text, and its date (relative dates resolve against it)."""
    return article.text, article.date


def _copy_for(facts: ArticleFacts, article_id: str, pickled: dict[tuple[str, str | None], bytes],
              key: tuple[str, str | None]) -> ArticleFacts:
    """The facts of an identical copy, under the copy's own id (its quotes too): a copy of
    their own, made from the original pickled once per ``key`` (``copy.deepcopy`` of 8,388
    copies took 10 s, after the parse, in this process alone)."""
    if key not in pickled:
        pickled[key] = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
    copied = pickle.loads(pickled[key])
    copied.article_id = article_id
    for quote in copied.quotes:
        quote.article_id = article_id
    return copied


#: Articles a worker takes at a time (parsed in batches of ``batch_size``): about 3 s of
#: parsing, so that the workers finish within about that of each other.
_CHUNK_ARTICLES = 32
#: Up to this many articles are parsed in this process: workers would each load the model first.
_IN_PROCESS_ARTICLES = 32


def _extract_in_workers(articles: list[Article], batch_size: int, n_process: int) -> list[ArticleFacts]:
    size = max(_CHUNK_ARTICLES, batch_size)
    chunks = (articles[i : i + size] for i in range(0, len(articles), size))
    done = ordered_map(functools.partial(_facts_of_chunk, batch_size=batch_size), chunks, processes=n_process,
                       single_threaded=True)  # the parse is 13% slower in a process that ever had threads
    return [facts for chunk in done for facts in chunk]


def _facts_of_chunk(articles: list[Article], batch_size: int) -> list[ArticleFacts]:
    keep_freed_memory()  # each parse batch's arrays (a few MB) reuse the last one's pages
    return extract_facts(articles, batch_size=batch_size)


def facts_from_doc(doc: Doc, article: Article) -> ArticleFacts:
    """Facts of one parsed article."""
    people = PersonIndex(doc)
    reference = _reference_date(article.date)
    return ArticleFacts(
        article_id=article.id,
        entities=entities(doc, people),
        numbers=numbers(doc),
        times=times(doc, reference),
        quotes=quotes_from_doc(doc, article_id=article.id, people=people),
        sentences=[(s.start, s.end) for s in split_sentences(doc_text(doc))],
    )


# --- entities ---------------------------------------------------------------------------


def entities(doc: Doc, people: PersonIndex | None = None) -> list[Entity]:
    """Named entities; people under their fullest name in the document."""
    people = people or PersonIndex(doc)
    found = []
    for ent in doc_ents(doc):
        if ent.label_ not in ENTITY_LABELS:
            continue
        label, person = ent.label_, people.surname_of(ent.text)
        if person is not None:  # the tagger often takes a bare surname for an organisation
            label = "PERSON"
        name = people.canonical(ent.text) if label == "PERSON" else _entity_name(ent.text)
        if name:
            found.append(Entity(ent.text, label, name, ent.start_char, ent.end_char))
    return found


def _entity_name(text: str) -> str:
    return re.sub(r"^the\s+", "", clean_name(text), flags=re.I)


# --- numbers ----------------------------------------------------------------------------


def numbers(doc: Doc) -> list[Measure]:
    """Numbers with their unit or counted noun; a bracketed conversion joins its measure."""
    found: list[Measure] = []
    i = 0
    for candidate in _number_like(doc):  # _measure_at finds nothing at any other token
        if candidate < i:
            continue
        measure, i_next = _measure_at(doc, candidate)
        if measure is None:
            continue
        equivalent, after = _bracketed_equivalent(doc, i_next)
        if equivalent is not None:
            measure.equivalents.append(equivalent)
            measure.end = equivalent.end + 1
            measure.text = doc_text(doc)[measure.start : measure.end]
            i_next = after
        found.append(measure)
        i = i_next
    return found


def _number_like(doc: Doc) -> list[int]:
    """Indices of the tokens that look like a number (``like_num``), read in one array, and of
    sums with their scale joined on after a currency sign (*$2.5bn*)."""
    from spacy.attrs import LIKE_NUM

    if not len(doc):
        return []
    found = np.flatnonzero(doc.to_array([LIKE_NUM])).tolist()
    scaled = [t.i + 1 for t in doc[:-1] if t.text in _CURRENCY_SIGNS and _scaled_sum(doc[t.i + 1].text) is not None]
    return sorted(set(found) | set(scaled)) if scaled else found


def _scaled_sum(text: str) -> tuple[float, int] | None:
    """The value of a sum with its scale joined on and how many characters it takes
    (``"2.5bn"`` -> 2.5e9, 5; ``"40B."`` -> 4e10, 3), else None."""
    match = _SCALED_SUM.fullmatch(text)
    if match is None:
        return None
    return float(match.group(1).replace(",", "")) * MONEY_SCALES[match.group(2).lower()], match.end(2)


def parse_number(text: str) -> float | None:
    """``"1,000"`` -> 1000.0, ``"two"`` -> 2.0, ``"1.5"`` -> 1.5; None if not a number."""
    text = text.lower().replace(",", "")
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    try:
        return float(text)
    except ValueError:
        return None


def _measure_at(doc: Doc, i: int) -> tuple[Measure | None, int]:
    token = doc[i]
    currency = _unit_of(doc[i - 1]) if i > 0 and doc[i - 1].text in _CURRENCY_SIGNS else None
    value = parse_number(token.text)
    if value is not None and (not token.like_num or _is_date_or_clock(doc, i) or _is_code(token.text)):
        return None, i + 1
    length = len(token.text)
    if value is None:  # a sum with its scale joined on (*$2.5bn*), or no number
        scaled = _scaled_sum(token.text) if currency is not None else None
        if scaled is None:
            return None, i + 1
        value, length = scaled
    j = i + 1
    units = _units_after_tens(doc, i)
    if units is not None:  # *thirty-one*, *twenty five*: one number, counting what its last word counts
        value += NUMBER_WORDS[doc[units].lower_]
        token, j = doc[units], units + 1
    if (currency is not None and j < len(doc) and doc[j].lower_ in MONEY_SCALES  # *$300 M*, *$1.5T*
            and not (j + 1 < len(doc) and doc[j + 1].text == "-")):  # not *$20 T-shirts*
        value *= MONEY_SCALES[doc[j].lower_]
        j += 1
    while j < len(doc) and (doc[j].lower_ in SCALES or (doc[j].like_num and parse_number(doc[j].text) is None)):
        value *= SCALES.get(doc[j].lower_, 1.0)
        j += 1
    start = i
    if currency is not None:
        start = i - 1
    unit, j = (currency, j) if currency else _unit_after(doc, j)
    end = doc[j - 1].idx + (length if j - 1 == i else len(doc[j - 1].text))
    measure = Measure(text="", start=doc[start].idx, end=end, value=value,
                      approx=_approximated(doc, start))
    if unit is not None:
        symbol, dimension, factor = unit
        measure.unit, measure.dimension = symbol, dimension
        measure.base_value = _to_base(value, symbol, factor)
    else:
        measure.counts, measure.counts_head = _counted(token)
    measure.text = doc_text(doc)[measure.start : measure.end]
    return measure, j


def _is_code(text: str) -> bool:
    """Digits led by a zero count nothing (*007*, a thousands group cut off its number: *31, 000*)."""
    return len(text) > 1 and text[0] == "0" and text.isdigit()


_TENS = frozenset("twenty thirty forty fifty sixty seventy eighty ninety".split())
_UNITS = frozenset("one two three four five six seven eight nine".split())


def _units_after_tens(doc: Doc, i: int) -> int | None:
    """The index of the units word a tens word goes on with (*Thirty-one*, *twenty five*), if any."""
    if doc[i].lower_ not in _TENS or i + 1 >= len(doc):
        return None
    if doc[i + 1].text == "-" and not doc[i].whitespace_ and not doc[i + 1].whitespace_:
        return i + 2 if i + 2 < len(doc) and doc[i + 2].lower_ in _UNITS else None
    return i + 1 if doc[i + 1].lower_ in _UNITS else None


def _unit_of(token: Token) -> tuple[str, str, float] | None:
    return UNITS.get(token.lower_) or UNITS.get(token.lemma_.lower())


def _unit_after(doc: Doc, j: int) -> tuple[tuple[str, str, float] | None, int]:
    k = j + 1 if j < len(doc) and doc[j].text == "-" else j
    if k >= len(doc):
        return None, j
    if doc[k].lower_ in {"degrees", "degree"} and k + 1 < len(doc) and _unit_of(doc[k + 1]):
        return _unit_of(doc[k + 1]), k + 2
    if doc[k].lower_ in {"per", "percent"} and doc[k].lower_ == "per" and k + 1 < len(doc) and doc[k + 1].lower_ == "cent":
        return UNITS["%"], k + 2
    if doc[k].lower_ in {"pounds", "pound"} and doc[k].ent_type_ == "MONEY":
        return UNITS["£"], k + 1
    unit = _unit_of(doc[k])
    return (unit, k + 1) if unit else (None, j)


def _to_base(value: float, symbol: str, factor: float) -> float:
    if symbol == "°F":
        return (value - 32.0) * 5.0 / 9.0
    return value * factor


def _counted(token: Token) -> tuple[str | None, str | None]:
    """The noun a bare number counts: "two short-range ballistic missiles" -> that phrase, "missile"."""
    head = token.head
    if token.dep_ not in {"nummod", "quantmod"} or head.pos_ not in {"NOUN", "PROPN"}:
        return None, None
    left = [t for t in head.lefts if t.dep_ in {"compound", "amod"} and t.i > token.i]
    words = [t.text for t in left] + [head.text]
    return " ".join(words).lower(), head.lemma_.lower()


def _approximated(doc: Doc, start: int) -> bool:
    before = [t.lower_ for t in doc[max(0, start - 2) : start]]
    return bool(before) and (before[-1] in APPROXIMATORS or " ".join(before) in APPROXIMATORS)


def _is_date_or_clock(doc: Doc, i: int) -> bool:
    """Years, days of the month and clock times are dates, not quantities."""
    token = doc[i]
    if ":" in token.text or (i + 1 < len(doc) and doc[i + 1].lower_.rstrip(".") in {"a.m", "p.m", "am", "pm"}):
        return True
    near = {doc[k].lower_.rstrip(".") for k in (i - 1, i + 1) if 0 <= k < len(doc)}
    if near & MONTHS.keys():
        return True
    if token.ent_type_ != "DATE":
        return False
    start = i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return not any(_unit_of(t) and _unit_of(t)[1] == "duration" for t in doc[start:end])


def _bracketed_equivalent(doc: Doc, j: int) -> tuple[Measure | None, int]:
    """``(620 miles)`` right after a measure."""
    if j >= len(doc) or doc[j].text != "(":
        return None, j
    inner, k = _measure_at(doc, j + 1)
    if inner is None or inner.unit is None or k >= len(doc) or doc[k].text != ")":
        return None, j
    return inner, k + 1


def same_quantity(a: Measure, b: Measure, *, tolerance: float = 0.03, approx_tolerance: float = 0.15) -> bool:
    """Whether two measures state the same amount (unit conversions and "about" allowed)."""
    if a.dimension != b.dimension:
        return False
    tol = approx_tolerance if (a.approx or b.approx) else tolerance
    values_a = [m.base_value if m.dimension else m.value for m in [a, *a.equivalents]]
    values_b = [m.base_value if m.dimension else m.value for m in [b, *b.equivalents]]
    return any(_close(x, y, tol) for x in values_a for y in values_b if x is not None and y is not None)


def _close(x: float, y: float, tolerance: float) -> bool:
    return abs(x - y) <= tolerance * max(abs(x), abs(y), 1e-9) or (abs(x - y) <= 1.0 and max(abs(x), abs(y)) >= 50)


# --- dates and times --------------------------------------------------------------------


def times(doc: Doc, reference: date | None = None) -> list[TimeRef]:
    """Dates and clock times of the DATE/TIME entities, resolved against ``reference``.

    A month without its own year takes the year its sentence names, else the one its
    paragraph last named when the sentence tells of the past ("In 1953 … They reached the
    top on May 29" is 1953-05-29): the article's date anchors only what speaks of its own
    time. Relative dates ("Tuesday") are anchored to the article's date.
    """
    found: list[TimeRef] = []
    for ent in doc_ents(doc):
        if ent.label_ == "TIME":
            found.extend(_clock_times(doc, ent))
            if _WEEKDAY_WORD.search(ent.text):  # *on Wednesday night*: the recogniser's TIME names a day too
                ref = _date_ref(ent, reference)
                if ref is not None and ref.date:
                    found.append(ref)
        elif ent.label_ == "DATE":
            ref = _date_ref(ent, reference)
            if ref is not None:
                found.append(ref)
    return _join_weekdays(found, doc_text(doc), reference)


def _join_weekdays(found: list[TimeRef], text: str, reference: date | None) -> list[TimeRef]:
    """A weekday the recogniser split from the date it names (*Friday, Dec. 6*): one date,
    the day of month's, in the year where that day is that weekday (not the last Friday)."""
    joined: list[TimeRef] = []
    for ref in found:
        previous = joined[-1] if joined else None
        if (previous is not None and previous.weekday and previous.text.strip().lower() in WEEKDAYS
                and ref.date and ref.precision == "day" and not ref.weekday
                and re.fullmatch(r",?\s{1,2}", text[previous.end : ref.start])):
            combined = f"{previous.text}, {ref.text}"
            resolved = resolve_date(combined, reference, year=int(ref.date[:4])) or (ref.date, ref.precision)
            joined[-1] = replace(ref, text=combined, start=previous.start, date=resolved[0],
                                 precision=resolved[1], weekday=previous.weekday)
            continue
        joined.append(ref)
    return joined


def _clock_times(doc: Doc, ent: Span) -> list[TimeRef]:
    refs = []
    for m in _CLOCK.finditer(ent.text):
        start, end = ent.start_char + m.start(), ent.start_char + m.end()
        zone = _ZONE.match(doc_text(doc)[end : end + 40])
        name = zone.group(1) if zone else None
        refs.append(TimeRef(text=m.group(), start=start, end=end, time=clock_time(m.group()),
                            zone="local" if name and name.lower() == "local time" else name))
    return refs


def clock_time(text: str) -> str | None:
    """``"11:43 a.m."`` -> ``"11:43"``, ``"3 p.m."`` -> ``"15:00"``, ``"noon"`` -> ``"12:00"``."""
    m = _CLOCK.search(text)
    if m is None:
        return None
    if m.group(6):
        return "12:00" if m.group(6).lower() == "noon" else "00:00"
    if m.group(4):
        return f"{int(m.group(4)):02d}:{m.group(5)}"
    hour, minute = int(m.group(1)) % 12, int(m.group(2) or 0)
    hour += 12 if m.group(3).lower() == "p" else 0
    return f"{hour:02d}:{minute:02d}"


def _date_ref(ent: Span, reference: date | None) -> TimeRef | None:
    future = any(t.lower_ in _FUTURE for t in ent.sent)
    in_sentence, in_paragraph = _context_years(doc_text(ent.doc), ent.start_char, ent.end_char)
    year = in_sentence or (in_paragraph if ent.sent.root.tag_ == "VBD" else None)
    if year is not None and reference is not None and year != reference.year and not _YEAR.search(ent.text):
        resolved = resolve_date(ent.text, reference, future=future, year=year)
    else:
        intended = not future and any(t.lemma_.lower() in _INTENDED for t in ent.sent)
        resolved = resolve_date(ent.text, reference, future=future, upcoming=_told_as_present(ent),
                                nearest=intended)
    weekday = next((w.capitalize() for w in WEEKDAYS if re.search(rf"\b{w}\b", ent.text, re.I)), None)
    if resolved is None and weekday is None:
        return None
    iso, precision = resolved or (None, None)
    return TimeRef(text=ent.text, start=ent.start_char, end=ent.end_char, date=iso, precision=precision,
                   weekday=weekday)


def _told_as_present(ent: Span) -> bool:
    """Whether the verb a date hangs on is in the present or has a modal (*go on sale Dec. 6*,
    *the Nov. 8 election could be pivotal*), not in the past (*began in June*)."""
    token = ent.root
    for _ in range(6):
        if token.pos_ in {"VERB", "AUX"}:
            modal = any(c.tag_ == "MD" for c in token.children)
            perfect = any(c.lemma_ == "have" and c.dep_ == "aux" for c in token.children)
            return (modal or token.tag_ in {"VBZ", "VBP"}) and not perfect
        if token.head is token:
            break
        token = token.head
    return False


def _context_years(text: str, start: int, end: int) -> tuple[int | None, int | None]:
    """Years around the date at ``text[start:end]``: the one its sentence names (else None),
    and the one its paragraph last named before it (else None)."""
    p_start = text.rfind("\n", 0, start) + 1
    p_end = text.find("\n", end)
    p_end = len(text) if p_end < 0 else p_end
    sentence = next((s for s in split_sentences(text[p_start:p_end]) if p_start + s.end >= end), None)
    in_sentence = None
    if sentence is not None:
        lo, hi = p_start + sentence.start, p_start + sentence.end
        years = [m for m in _YEAR.finditer(text, lo, hi)
                 if not (start <= m.start() < end) and not _POSSESSIVE.match(text, m.end())]
        in_sentence = int(years[0].group()) if years else None
    before = [m for m in _YEAR.finditer(text, p_start, start) if not _POSSESSIVE.match(text, m.end())]
    return in_sentence, int(before[-1].group()) if before else None


def resolve_date(text: str, reference: date | None, *, future: bool = False,
                 year: int | None = None, upcoming: bool = False,
                 nearest: bool = False) -> tuple[str, Precision] | None:
    """An absolute date for ``text`` ("Tuesday", "in July", "last week", "Sept. 13, 2023").

    Weekdays resolve to the latest such day on or before ``reference`` (the day after it too,
    as datelines lag time zones), or the next one when the sentence speaks of the future.
    ``year``, the year the context speaks of, places a month without its own year; with
    ``nearest`` (a date of a plan or timetable), a month goes to the year that puts it
    closest to ``reference``.
    """
    iso = _ISO_DATE.search(text)
    if iso:
        return iso.group(), "day"
    words = re.findall(r"[a-z]+", text.lower())
    found_year = _YEAR.search(text)
    month = next((MONTHS[w] for w in words if w in MONTHS and w != "may" or w == "may" and len(words) <= 3), None)
    if month is not None:
        day = _day_of_month(text, found_year)
        if found_year:
            y = int(found_year.group())
        elif year:
            y = year
        elif nearest and reference is not None:
            y = _nearest_year(month, day or 15, reference)
        else:
            y = _year_for_month(month, reference, future, upcoming, dated=day is not None)
        if y is None:
            return None
        weekday = next((WEEKDAYS[w] for w in words if w in WEEKDAYS), None)
        if day and weekday is not None and not found_year:
            y = _year_of_weekday(y, month, day, weekday)
        return (f"{y:04d}-{month:02d}-{day:02d}", "day") if day else (f"{y:04d}-{month:02d}", "month")
    if found_year and len(words) <= 2:
        return found_year.group(), "year"
    if reference is None:
        return None
    return _relative_date(words, reference, future)


def _nearest_year(month: int, day: int, reference: date) -> int:
    """The year, of the one before ``reference``'s, its own and the next, that puts
    ``month``/``day`` closest to ``reference``."""
    def distance(year: int) -> int:
        return abs((date(year, month, min(day, 28)) - reference).days)
    return min((reference.year - 1, reference.year, reference.year + 1), key=distance)


def _year_of_weekday(year: int, month: int, day: int, weekday: int) -> int:
    """The year next to ``year`` (itself first) in which ``month``/``day`` falls on ``weekday``
    (*Friday, December 6* in an article of 19 November 2019 is 2019's, though a past tense
    elsewhere would place it in 2018)."""
    for candidate in (year, year + 1, year - 1):
        try:
            if date(candidate, month, day).weekday() == weekday:
                return candidate
        except ValueError:
            continue
    return year


def _day_of_month(text: str, year: re.Match | None) -> int | None:
    for m in _DAY.finditer(text):
        if (year is None or m.start() != year.start()) and 1 <= int(m.group(1)) <= 31:
            return int(m.group(1))
    return None


def _year_for_month(month: int, reference: date | None, future: bool, upcoming: bool = False,
                    dated: bool = False) -> int | None:
    """The year of a month named without one: the coming one when the sentence speaks of the
    future, else the past one. Told in the present (``upcoming``), a month still ahead is this
    year's (*the Nov. 8 election could be pivotal*, written in September) and a day of a month
    already past is next year's (*the tour stops in Cleveland on July 22*, written in November)."""
    if reference is None:
        return None
    if upcoming and not future and month > reference.month:
        return reference.year
    if upcoming and not future and dated and month < reference.month:
        return reference.year + 1
    if future:
        return reference.year + (month < reference.month)
    return reference.year - (month > reference.month)


def _relative_date(words: list[str], reference: date, future: bool) -> tuple[str, Precision] | None:
    if "today" in words or "tonight" in words:
        return reference.isoformat(), "day"
    if "yesterday" in words:
        return (reference - timedelta(days=1)).isoformat(), "day"
    if "tomorrow" in words:
        return (reference + timedelta(days=1)).isoformat(), "day"
    weekday = next((WEEKDAYS[w] for w in words if w in WEEKDAYS), None)
    if weekday is not None:
        return _weekday_date(weekday, reference, future or "next" in words).isoformat(), "day"
    shift = -1 if "last" in words or "past" in words else 1 if "next" in words else 0 if "this" in words else None
    if shift is None:
        return None
    if "week" in words:
        monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=shift)
        return monday.isoformat(), "week"
    if "month" in words:
        index = reference.year * 12 + reference.month - 1 + shift
        return f"{index // 12:04d}-{index % 12 + 1:02d}", "month"
    if "year" in words:
        return f"{reference.year + shift:04d}", "year"
    return None


def _weekday_date(weekday: int, reference: date, future: bool) -> date:
    ahead = (weekday - reference.weekday()) % 7
    if future:
        return reference + timedelta(days=ahead)
    if ahead == 1:
        return reference + timedelta(days=1)
    return reference - timedelta(days=(7 - ahead) % 7)


def _reference_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
