"""Direction of a derivation (which article is the original) and the provenance graph.

Direction is decided only from signs a person can check, each weighed by how often it
points the right way: an earlier date, a copy that credits or cites the other article's
outlet (or says it was first published there), a wire credit the other lacks, blog
boilerplate added by a republisher, and quotations kept by the original but reworded by
a rewrite. Each sign carries log-odds
``log(p / (1 - p))`` for the share ``p`` of derived pairs on which it alone names the
original; the signs add up, and the confidence is the logistic of their sum. With no sign,
``source`` is ``None``: which text is more fully contained in the other is not a sign, since
wire stories are cut down by their republishers as often as they are extended.

Two copies of one original share its text with each other too, and their dates (or
credits) then only say which of them was published first, not that one copied the other:
:func:`through_common_sources` finds the pairs whose shared text both took from a third
article that is the source of each, and leaves them without a source.

Across a collection the derived relations form a directed graph; an article with no source
inside the collection is an *independent report*, and every derived article is attributed to
the root it descends from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

from newstrace.text.quotes import quoted_words
from newstrace.ingest.clean import credit_name
from newstrace.ingest.pagemeta import host_outlet
from newstrace.match.align import joined_spans
from newstrace.model import Article, Derivation, Relation
from newstrace.text.outlets import attributes_reporting_to, outlet_key

#: Boilerplate a republishing blog or scraper adds around a copied article. An attribution
#: line ("Originally published on ...") is not among them: it names where its own text came
#: from (:attr:`~newstrace.model.Article.republished_from`, read by :func:`_cites`), which
#: says nothing of which of two copies from that place came first.
_REPUBLISHER_MARKS = re.compile(
    r"leave a (reply|comment)|required fields are marked|your email address will not be published"
    r"|post navigation|related posts|share this:|like this:|source link",
    re.IGNORECASE,
)

#: Notes an outlet puts on a later edition of its own article: a correction or clarification
#: ("Correction (Sept. 14): ..."), an update note opening a paragraph ("UPDATE: Police have
#: since ..."), or a line saying that an earlier version said otherwise or that the article
#: was updated or corrected (in the text, or among the lines cleaning set aside).
_REVISION_NOTE = re.compile(
    r"(?:^|\n)[ \t]*[*_(\[]*(?:(?:Correction|CORRECTION|Clarification|CLARIFICATION)(?:[ \t]*\([^)\n]{1,30}\))?[ \t]*[:—–]"
    r"|(?:UPDATE|Update)(?:[ \t]*\([^)\n]{1,30}\))?[ \t]*:[ \t]*(?=[A-Z][a-z]))"
    r"|\b[Aa]n? (?:earlier|previous|prior) version of this (?:article|story|report|post|piece)"
    r"|\bThis (?:article|story|report|post|piece) (?:has been|was) (?:updated|corrected|amended)"
)

#: A word every :data:`_REVISION_NOTE` holds one of: the note is looked for only in the lines
#: that hold one (a substring search; the pattern over a whole text took 175 µs, these 21).
_REVISION_WORDS = ("rrect", "RRECT", "larif", "LARIF", "pdate", "PDATE", "version of this", "amended")
#: The most characters of a correction or update note a reason quotes.
_NOTE_SHOWN = 80

#: Log-odds of each sign: ``log(p / (1 - p))`` with ``p`` the share of derived pairs on
#: which the sign alone names the original (see ``benchmarks/bench_direction.py``).
DATE_WEIGHT = 2.9  #: p = 0.95: publication dates are the strongest sign there is
CITES_WEIGHT = 2.2  #: p = 0.9: one text credits or cites the other's outlet
REPUBLISHER_WEIGHT = 2.2  #: p = 0.9: comment forms, "source link" footers
REVISION_WEIGHT = 2.2  #: p = 0.9 (not fitted: no derived pair of the benchmarks carries one): a correction or update note
QUOTES_WEIGHT = 1.4  #: p = 0.8: a rewrite rewords the quotations its source kept
CREDIT_WEIGHT = 0.85  #: p = 0.7: a wire credit or byline the other lacks
MAX_CONFIDENCE = 0.99

#: Ranking used to pick the main parent of an article derived from several.
_RELATION_RANK = {"duplicate": 4, "copy": 3, "paraphrase": 2, "partial": 1}


@dataclass
class Direction:
    """Which of two articles is the original, how sure, and why."""

    source: Literal["a", "b"] | None
    confidence: float
    reasons: list[str] = field(default_factory=list)


Votes = list[tuple[float, str]]


def _vote(votes: Votes, weight: float, reason: str) -> None:
    """Record a sign: a positive weight points to ``a`` as the source, negative to ``b``."""
    votes.append((weight, reason))


def _named(reason: str, names: tuple[str, str]) -> str:
    """A reason with the sides ``{a}``/``{b}`` replaced by the articles' names."""
    return reason.format(a=names[0], b=names[1])


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _date_sign(a: Article, b: Article, votes: Votes) -> None:
    if not (a.date and b.date):
        return
    # Compare the moments when both give a time and both or neither give its offset
    # ("23:30-05:00" is after "02:00Z" the next day), else the days as they are dated.
    ta, tb = _moment(a.date), _moment(b.date)
    if ta is not None and tb is not None and (ta.tzinfo is None) == (tb.tzinfo is None):
        order, dates = (ta > tb) - (ta < tb), {"a": a.date, "b": b.date}
    else:
        dates = {"a": a.date[:10], "b": b.date[:10]}
        order = (dates["a"] > dates["b"]) - (dates["a"] < dates["b"])
    if order:
        first, later = ("a", "b") if order < 0 else ("b", "a")
        _vote(votes, DATE_WEIGHT if first == "a" else -DATE_WEIGHT,
              f"{{{first}}} is dated {dates[first]}, before {{{later}}} ({dates[later]})")


def _moment(date: str) -> dt.datetime | None:
    """The time an article's date gives (with its offset when it has one), None for a day."""
    if len(date) <= 10:
        return None
    try:
        return dt.datetime.fromisoformat(date)
    except ValueError:
        return None


def _outlet_names(article: Article) -> set[str]:
    """How the article's outlet is named in credits (agency short names and the outlet as is)."""
    if not article.outlet:
        return set()
    outlet = article.outlet.strip()
    return {name for name in (outlet, credit_name(outlet)) if name}


def _names_outlet(origin: str, names: set[str]) -> bool:
    """Whether an attribution's ``origin`` names one of the outlet ``names``."""
    short = credit_name(origin)
    keys = {outlet_key(name) for name in names} - {None}
    return (outlet_key(origin) in keys or (short is not None and short in names)
            or any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", origin) for name in names))


def _hosts(article: Article) -> set[str]:
    """The host the article was served from, if its URL is known (an outlet's other name)."""
    host = host_outlet(article.url)
    return {host} if host else set()


def _texts_of(article: Article) -> tuple[str, ...]:
    """The article's text, then the blocks cleaning set aside from it (where the lines that
    name a source or a correction often go)."""
    return (article.text, *article.boilerplate)


def _cites(article: Article, other: Article) -> str | None:
    """How ``article`` credits ``other``'s outlet, if it does: its attribution line says it
    was first published there, a credit or byline names it, or its text relays that
    outlet's report (:func:`~newstrace.text.outlets.attributes_reporting_to`) (a reason's words)."""
    names = _outlet_names(other)
    if article.outlet and article.outlet.strip() in names:
        return None
    origin = article.republished_from
    if origin is not None and _names_outlet(origin, names | _hosts(other)):
        return f"says it was first published by {_escaped(origin)}"
    credited = set(article.credits) | ({article.byline} if article.byline else set())
    for name in sorted(names):
        if name in credited or any(name in credit for credit in credited):
            return f"credits {_escaped(name)}"
    keys = {outlet_key(name) for name in names | _hosts(other)} - {None}
    for text in _texts_of(article):  # a copyright or "contributed" line cleaning set aside too
        cited = attributes_reporting_to(text, keys)
        if cited is not None:
            written, start, end = cited
            return f"cites the report of {_escaped((other.outlet or written).strip())} (\"{_escaped(text[start:end])}\")"
    return None


def _credit_sign(a: Article, b: Article, votes: Votes) -> None:
    """A text that credits the other's outlet, or says it was first published there, was
    taken from it; otherwise a wire credit or byline that only one carries weakly marks
    that one as the original, unless the other says it was first published elsewhere or
    the credit is a republisher's (:func:`_republisher_credit`). An
    attribution line alone is no sign: it says where its own text came from, which tells
    nothing of another copy from the same place."""
    cited_by_b, cited_by_a = _cites(b, a), _cites(a, b)
    if bool(cited_by_b) != bool(cited_by_a):
        source, copy, how = ("a", "b", cited_by_b) if cited_by_b else ("b", "a", cited_by_a)
        _vote(votes, CITES_WEIGHT if source == "a" else -CITES_WEIGHT,
              f"{{{copy}}} {how}, the outlet of {{{source}}}")
        return
    a_credit = bool(a.credits or a.byline)
    b_credit = bool(b.credits or b.byline)
    if a_credit != b_credit:
        side = "a" if a_credit else "b"
        article, other = (a, b) if a_credit else (b, a)
        if other.republished_from is not None:  # the other says it came from elsewhere
            return
        if _republisher_credit(article):  # it says it came from elsewhere itself
            return
        what = _escaped(", ".join(article.credits) or f"byline {article.byline!r}")
        _vote(votes, CREDIT_WEIGHT if a_credit else -CREDIT_WEIGHT,
              f"{{{side}}} carries the credit ({what}) the other lacks")


def _republisher_credit(article: Article) -> bool:
    """Whether ``article`` carries only wire credits that name another outlet than its own
    (a local paper's "(AP) —"): the credit says where its own text came from, as an
    attribution line does, so it is no sign that a copy without it was taken from this one
    rather than from the wire. An article with a byline, or whose outlet is unknown (the
    wire's own page reads the same), keeps the sign."""
    own = _outlet_names(article)
    return bool(own) and not article.byline and bool(article.credits) and not own & set(article.credits)


def _boilerplate_sign(a: Article, b: Article, votes: Votes) -> None:
    a_blog = any(_REPUBLISHER_MARKS.search(text) for text in a.boilerplate)
    b_blog = any(_REPUBLISHER_MARKS.search(text) for text in b.boilerplate)
    if a_blog != b_blog:
        copy = "a" if a_blog else "b"
        _vote(votes, -REPUBLISHER_WEIGHT if a_blog else REPUBLISHER_WEIGHT,
              f"{{{copy}}} carries republisher boilerplate (comment form, share links)")


def _revision_note(article: Article) -> str | None:
    """The opening words of the correction or update note the article carries
    (:data:`_REVISION_NOTE`), if any: from the note's start to the end of its line, at
    most ``_NOTE_SHOWN`` characters."""
    for text in _texts_of(article):
        found = _note_in(text)
        if found is not None:
            start = found.start() + len(found.group()) - len(found.group().lstrip())
            end = text.find("\n", start)
            line = text[start : len(text) if end < 0 else end].strip()
            return line if len(line) <= _NOTE_SHOWN else line[: _NOTE_SHOWN - 1].rstrip() + "…"
    return None


def _note_in(text: str) -> re.Match[str] | None:
    """A :data:`_REVISION_NOTE` in ``text``, searched in the lines holding one of
    :data:`_REVISION_WORDS` (from the newline before each, which the pattern may open with)."""
    for word in _REVISION_WORDS:
        at = text.find(word)
        while at >= 0:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            found = _REVISION_NOTE.search(text, max(text.rfind("\n", 0, at), 0), end)
            if found is not None:
                return found
            at = text.find(word, end)
    return None


def _revision_sign(a: Article, b: Article, votes: Votes) -> None:
    """A text that carries a correction or update note that the other lacks is the later
    edition: an outlet corrects or updates its own article, so the pair is two editions of
    it, unless both name outlets and they differ (one outlet's copy of another's corrected
    article says nothing of which came first)."""
    keys = {outlet_key(a.outlet), outlet_key(b.outlet)}
    if None not in keys and len(keys) == 2:
        return
    note_a, note_b = _revision_note(a), _revision_note(b)
    if (note_a is None) == (note_b is None):
        return
    later, note = ("a", note_a) if note_a is not None else ("b", note_b)
    _vote(votes, -REVISION_WEIGHT if later == "a" else REVISION_WEIGHT,
          f"{{{later}}} carries a note of a later edition (\"{_escaped(note)}\")")


def _quote_sign(a: Article, b: Article, relation: str, votes: Votes) -> None:
    if relation != "paraphrase":
        return
    qa, qb = quoted_words(a.text), quoted_words(b.text)
    if max(qa, qb) >= 8 and min(qa, qb) <= 0.6 * max(qa, qb):
        keeper = "a" if qa > qb else "b"
        _vote(votes, QUOTES_WEIGHT if qa > qb else -QUOTES_WEIGHT,
              f"{{{keeper}}} keeps its quotations ({max(qa, qb)} quoted words) that the other rewords ({min(qa, qb)})")


def infer_direction(
    a: Article,
    b: Article,
    relation: str,
    *,
    containment_a: float = 0.0,
    containment_b: float = 0.0,
    names: tuple[str, str] = ("a", "b"),
) -> Direction:
    """Decide which of ``a`` and ``b`` is the source of a derived relation, or that no
    sign says (``source`` ``None``).

    ``names`` are how the reasons call the two articles (e.g. their file names).
    ``containment_a``/``containment_b`` are accepted for callers that have them; they are
    not a sign of direction."""
    votes: Votes = []
    _date_sign(a, b, votes)
    _credit_sign(a, b, votes)
    _boilerplate_sign(a, b, votes)
    _revision_sign(a, b, votes)
    _quote_sign(a, b, relation, votes)
    total = sum(weight for weight, _ in votes)
    if not votes or abs(total) < 1e-9:
        reason = "no sign of which came first" if not votes else "the signs of which came first disagree"
        return Direction(None, 0.0, [reason])
    source: Literal["a", "b"] = "a" if total > 0 else "b"
    agreeing = [_named(reason, names) for weight, reason in votes if (weight > 0) == (total > 0)]
    confidence = round(min(MAX_CONFIDENCE, 1.0 / (1.0 + math.exp(-abs(total)))), 2)
    return Direction(source, confidence, agreeing)


#: Two copies share their text through a third article when at least this share of what one
#: of them shares with the other (in its characters) it also shares with the third.
COMMON_SOURCE_SHARE = 0.8


def through_common_sources(relations: Sequence[Relation], articles: Mapping[str, Article]) -> list[Relation]:
    """The derived pairs with a source whose shared text both took from a third article,
    each made sourceless, with the reason (``articles`` by id: their labels name them).

    A wire story, a press release or a network's report republished by several outlets
    makes every two of its republications a derived pair, and a date or a credit would make
    one of them the other's source. Where a third article is the source of both, and what
    the copy shares with its partner it shares with the third too (at least
    :data:`COMMON_SOURCE_SHARE` of it, in the copy's characters), those signs only say which
    republication came first: the pair keeps its verdict and evidence, without a source.
    A copy that also took text its partner added (a local paragraph, a rewritten lead) stays
    its partner's copy."""
    derived = [r for r in relations if r.derived]
    by_pair = {frozenset((r.a, r.b)): r for r in derived}
    sources_of: dict[str, set[str]] = defaultdict(set)
    for relation in derived:
        if relation.source is not None:
            sources_of[relation.copy_id].add(relation.source)
    settled = []
    for relation in derived:
        if relation.source is None or not relation.passages:
            continue
        copy, source = relation.copy_id, relation.source
        for third in sorted(sources_of[copy] & sources_of[source]):
            share = _shared_through(relation, copy, by_pair[frozenset((copy, third))])
            if share >= COMMON_SOURCE_SHARE:
                names = (articles[copy].label, articles[source].label, articles[third].label)
                settled.append(_through(relation, names, share))
                break
    return settled


def _spans_of(relation: Relation, article_id: str) -> list[tuple[int, int]]:
    """The character spans of ``article_id`` in the passages of ``relation``, joined."""
    side_a = relation.a == article_id
    return joined_spans(sorted((p.a_start, p.a_end) if side_a else (p.b_start, p.b_end) for p in relation.passages))


def _shared_through(relation: Relation, copy: str, via: Relation) -> float:
    """The share of ``copy``'s characters in ``relation``'s passages that lie in ``via``'s too."""
    shared, through = _spans_of(relation, copy), _spans_of(via, copy)
    total = sum(end - start for start, end in shared)
    covered = sum(max(0, min(end, other_end) - max(start, other_start))
                  for start, end in shared for other_start, other_end in through)
    return covered / total if total else 0.0


def _through(relation: Relation, names: tuple[str, str, str], share: float) -> Relation:
    copy, source, third = names
    reason = (f"{copy} and {source} both hold text of {third}, the source of each: {share:.0%} of what "
              f"{copy} shares with {source} it shares with {third} too, so which of them came first "
              "says nothing of one copying the other")
    comparison = dataclasses.replace(relation.comparison, source=None, confidence=0.0, reasons=[reason],
                                     signals={**relation.signals, "through_common_source": round(share, 4)})
    return Relation(relation.a, relation.b, comparison)


@dataclass
class ProvenanceGraph:
    """Derived articles and the article each was made from, up to the independent roots."""

    order: list[str]
    parents: dict[str, Relation] = field(default_factory=dict)

    def parent_of(self, article_id: str) -> str | None:
        relation = self.parents.get(article_id)
        return None if relation is None else relation.source

    def root_of(self, article_id: str) -> str:
        if article_id not in self.parents:  # most articles: independent
            return article_id
        seen = {article_id}
        current = article_id
        while (parent := self.parent_of(current)) is not None and parent not in seen:
            seen.add(parent)
            current = parent
        return current

    @property
    def roots(self) -> list[str]:
        """Independent reports: articles with no source in the collection."""
        return [article_id for article_id in self.order if article_id not in self.parents]

    def derivations(self) -> list[Derivation]:
        return [
            Derivation(article_id=copy, root_id=self.root_of(copy), parent_id=rel.source or "",
                       relation=rel.relation)
            for copy, rel in self.parents.items()
        ]


def _oriented(relation: Relation, position: dict[str, int]) -> tuple[str, str]:
    """(source, copy) of a derived relation; undirected pairs go to the earlier-listed article."""
    if relation.source is not None:
        return relation.source, relation.copy_id or relation.b
    a, b = sorted((relation.a, relation.b), key=lambda x: position.get(x, 0))
    return a, b


def provenance_graph(article_ids: Sequence[str], relations: Sequence[Relation]) -> ProvenanceGraph:
    """Build the provenance graph: each derived article keeps its strongest parent; cycles are cut."""
    position = {article_id: i for i, article_id in enumerate(article_ids)}
    graph = ProvenanceGraph(order=list(article_ids))
    derived = [r for r in relations if r.derived and r.a in position and r.b in position]
    derived.sort(key=lambda r: (_RELATION_RANK[r.relation], r.confidence, r.score), reverse=True)
    for relation in derived:
        source, copy = _oriented(relation, position)
        if copy in graph.parents or _would_cycle(graph, source, copy):
            continue
        if relation.source is None:
            relation = relation.with_source(source)
        graph.parents[copy] = relation
    return graph


def derivation_component(relations: Iterable[Relation], seeds: Collection[str]) -> set[str]:
    """The articles joined to any of ``seeds`` by a chain of derived relations (``seeds``
    among them where they have one): those whose parent or root in the
    :func:`provenance_graph` can change when the seeds' relations do."""
    neighbours: dict[str, list[str]] = {}
    for r in relations:
        if r.derived:
            neighbours.setdefault(r.a, []).append(r.b)
            neighbours.setdefault(r.b, []).append(r.a)
    reached = {seed for seed in seeds if seed in neighbours}
    waiting = list(reached)
    while waiting:
        for other in neighbours[waiting.pop()]:
            if other not in reached:
                reached.add(other)
                waiting.append(other)
    return reached


def _would_cycle(graph: ProvenanceGraph, source: str, copy: str) -> bool:
    return graph.root_of(source) == copy or source == copy
