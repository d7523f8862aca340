"""The data model: plain dataclasses shared by every stage of the pipeline.

The field names here are the stable contract read by downstream tools (the JSON
report is built from them): add fields freely, rename none.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

RelationKind = Literal["duplicate", "copy", "partial", "paraphrase", "same_story", "unrelated"]
#: Relations that mean one article was made from the other.
DERIVED_RELATIONS: frozenset[str] = frozenset({"duplicate", "copy", "partial", "paraphrase"})
#: What a report covers: every article the store holds, or the stories a run made or changed.
ReportScope = Literal["store", "run"]
REPORT_SCOPES: tuple[str, ...] = ("store", "run")
#: Relations found from shared wording (shingles), as opposed to rewrites.
LEXICAL_RELATIONS: frozenset[str] = frozenset({"duplicate", "copy", "partial"})

def content_id(text: str) -> str:
    """A stable id for an article body: the first 16 hex digits of the SHA-256 of its text
    with surrounding whitespace stripped. Cleaning (:mod:`newstrace.ingest.clean`) has already
    normalised line ends, trailing spaces and blank lines, so the same content always gets
    the same id; texts that differ in any other way get different ids (and are then found
    as ``duplicate`` pairs by the near-copy stage)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def article_id(text: str, key: str | None = None) -> str:
    """The id of one publication: :func:`content_id` of ``text`` when the article has no
    identity ``key``, else the first 16 hex digits of the SHA-256 of the key and the text.

    So the same record seen again (same key, same content) keeps its id, the same text
    published under two keys (a wire story and its republication) gets two ids, and an
    edited file (same key, new content) gets a new id: a new version of that article."""
    if key is None:
        return content_id(text)
    digest = hashlib.sha256(f"{key}\n".encode("utf-8"))
    digest.update(text.strip().encode("utf-8"))  # the text is not copied into one string with the key
    return digest.hexdigest()[:16]


#: The ``meta`` key of :attr:`Article.republished_from`.
REPUBLISHED_FROM = "republished_from"
#: The ``meta`` key of :attr:`Article.language`.
LANGUAGE = "language"
#: What joins an archive's path and the name of a file inside it: ``corpus.zip!/1996/2286.xml``
#: is the article path of a file of ``corpus.zip``.
ARCHIVE_MARK = "!/"
_ARCHIVE_ENDS = (".zip", ".tar", ".tgz", ".tar.gz")


def input_file(path: str) -> str:
    """The file an article was read from: the archive that holds it for a file inside one
    (:data:`ARCHIVE_MARK`), else ``path`` itself."""
    archive, mark, _ = path.partition(ARCHIVE_MARK)
    return archive if mark and archive.lower().endswith(_ARCHIVE_ENDS) else path


@dataclass
class Article:
    """One news article after ingest and cleaning.

    ``text`` is the cleaned body: every character offset the tool reports indexes into it.
    What cleaning removed (footers, copyright lines, captions) is kept in ``boilerplate``.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None  #: ISO 8601 date (``YYYY-MM-DD``) or date-time
    outlet: str | None = None
    url: str | None = None
    byline: str | None = None
    credits: list[str] = field(default_factory=list)  #: wire/agency credits: "AP", "AFP", ...
    external_id: str | None = None  #: the input's own id, if it had one
    path: str | None = None  #: the file it came from
    boilerplate: list[str] = field(default_factory=list)  #: removed from ``text``, kept here
    meta: dict[str, Any] = field(default_factory=dict)  #: anything else the input carried
    #: What makes this publication itself: ``id:<input id>``, ``url:<url>`` or
    #: ``path:<absolute path>[:<line>]``; ``None`` for a bare text (then the id is its content hash)
    key: str | None = None
    #: The id of the earlier version of this article (same ``key``, other content) it replaced
    supersedes: str | None = None

    @classmethod
    def from_text(cls, text: str, key: str | None = None, **fields: Any) -> Article:
        """An article from an already clean body; its id is :func:`article_id` of the
        text and ``key`` (the content hash when there is no key)."""
        return cls(id=article_id(text, key), text=text, key=key, **fields)

    def identify(self, key: str) -> None:
        """Give the article its identity ``key`` (and the id that goes with it)."""
        self.key = key
        self.id = article_id(self.text, key)

    @property
    def republished_from(self) -> str | None:
        """Where the article says it was first published: the outlet its attribution line
        names ("Originally published on Live Science."), or an input's own
        ``republished_from`` field; ``None`` when it says nothing (``meta[REPUBLISHED_FROM]``)."""
        value = self.meta.get(REPUBLISHED_FROM)
        return value.strip() if isinstance(value, str) and value.strip() else None

    @functools.cached_property
    def language(self) -> str | None:
        """The language the article is in when it is not English: an ISO 639-1 code, an
        input's own ``language`` field or the one ``analyze`` found at ingest
        (``meta[LANGUAGE]``), else found now from the text
        (:func:`newstrace.text.language.language_of`, once per article); ``None`` for English."""
        value = self.meta.get(LANGUAGE)
        if not isinstance(value, str) or not value.strip():
            from newstrace.text.language import language_of

            return language_of(self.text)
        code = value.strip().lower().replace("_", "-").split("-")[0]
        return None if code in ("en", "eng", "english") else code

    def mark_language(self) -> None:
        """Write the article's language into ``meta`` when it is not English (so that the
        store keeps it and reports show it)."""
        if self.language is not None:
            self.meta.setdefault(LANGUAGE, self.language)

    @property
    def label(self) -> str:
        """A short human label: the input id of a record, else the file name (with the
        line, for a line of a JSON Lines file), else the id."""
        if self.path and "line" in self.meta:
            name = self.path.replace("\\", "/").rsplit("/", 1)[-1]
            return self.external_id or f"{name}:{self.meta['line']}"
        if self.path:
            return self.path.replace("\\", "/").rsplit("/", 1)[-1]
        return self.external_id or self.id

    def to_dict(self) -> dict[str, Any]:
        return record_of(self)


@dataclass
class Passage:
    """An aligned stretch of text: ``a[a_start:a_end]`` corresponds to ``b[b_start:b_end]``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float  #: 1.0 for verbatim; lower for edited or reworded passages
    kind: Literal["verbatim", "edited", "paraphrase"] = "verbatim"

    def to_dict(self, texts: tuple[str, str] | None = None) -> dict[str, Any]:
        """The passage as a record; with the pair's ``texts``, its text on both sides too."""
        record = record_of(self)
        if texts is not None:
            record.update(a_text=texts[0][self.a_start : self.a_end], b_text=texts[1][self.b_start : self.b_end])
        return record


@dataclass
class Comparison:
    """The verdict on one pair of texts, with its evidence.

    ``containment_a`` is the share of ``a``'s (quotation-free) shingles found in ``b``;
    ``containment_b`` the share of ``b``'s found in ``a``.
    ``source`` says which text is the original (``"a"`` or ``"b"``) when one was derived
    from the other, else ``None``.
    """

    relation: RelationKind
    source: Literal["a", "b"] | None
    score: float
    jaccard: float
    containment_a: float
    containment_b: float
    passages: list[Passage] = field(default_factory=list)
    confidence: float = 0.0  #: confidence in ``source``
    reasons: list[str] = field(default_factory=list)  #: why ``source`` was chosen (or the pair is not derived)
    signals: dict[str, float] = field(default_factory=dict)  #: every score behind the verdict

    @property
    def derived(self) -> bool:
        return self.relation in DERIVED_RELATIONS

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: The evidence fields of a :class:`Comparison`, in the order the serialised record lists them.
_EVIDENCE = ("jaccard", "containment_a", "containment_b", "confidence", "reasons", "signals")


@dataclass
class Relation:
    """A relation between two stored articles (ids): the pair and the :class:`Comparison`
    of ``a`` with ``b``. Its verdict and evidence read through (``relation.score``, ...);
    ``source`` is the id of the original.

    >>> r = Relation.of("x", "y", "copy", source="x", score=0.8)
    >>> r.source, r.copy_id, r.comparison.source
    ('x', 'y', 'a')
    """

    a: str
    b: str
    comparison: Comparison

    @classmethod
    def of(cls, a: str, b: str, relation: RelationKind, source: str | None = None, score: float = 0.0,
           passages: list[Passage] | None = None, **evidence: Any) -> Relation:
        """A relation from its fields (``source`` an id of the pair, or ``None``); the
        other evidence (``jaccard``, ``confidence``, ...) defaults to none."""
        comparison = Comparison(relation=relation, source=_side(a, b, source), score=score,
                                jaccard=0.0, containment_a=0.0, containment_b=0.0, passages=passages or [])
        for key, value in evidence.items():
            if key not in _EVIDENCE:
                raise TypeError(f"Relation has no field {key!r}")
            setattr(comparison, key, value)
        return cls(a, b, comparison)

    def with_source(self, source: str | None) -> Relation:
        """The same relation with ``source`` (an id of the pair) as its original."""
        return Relation(self.a, self.b, dataclasses.replace(self.comparison, source=_side(self.a, self.b, source)))

    relation = property(lambda self: self.comparison.relation)
    score = property(lambda self: self.comparison.score)
    passages = property(lambda self: self.comparison.passages)
    jaccard = property(lambda self: self.comparison.jaccard)
    containment_a = property(lambda self: self.comparison.containment_a)
    containment_b = property(lambda self: self.comparison.containment_b)
    confidence = property(lambda self: self.comparison.confidence)
    reasons = property(lambda self: self.comparison.reasons)
    signals = property(lambda self: self.comparison.signals)

    @property
    def source(self) -> str | None:
        """The id of the original, when the direction is known."""
        return {"a": self.a, "b": self.b}.get(self.comparison.source or "")

    @property
    def derived(self) -> bool:
        return self.comparison.derived

    @property
    def copy_id(self) -> str | None:
        """The id of the derived article, when the source is known."""
        if self.source is None:
            return None
        return self.b if self.source == self.a else self.a

    def to_dict(self, texts: tuple[str, str] | None = None) -> dict[str, Any]:
        """The relation as a flat record (the JSON report's Relation object, see
        ``docs/report-format.md``); with the pair's ``texts``, each passage carries its
        text on both sides (``a_text``, ``b_text``). Read back by :meth:`from_dict`."""
        c = self.comparison
        return {
            "a": self.a, "b": self.b, "relation": c.relation, "source": self.source, "score": c.score,
            **{key: _plain_copy(getattr(c, key)) for key in _EVIDENCE},
            "passages": [p.to_dict(texts) for p in c.passages],
        }

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Relation:
        """The relation a :meth:`to_dict` record describes (passage texts are left out)."""
        passages = [Passage(**{k: v for k, v in p.items() if k not in ("a_text", "b_text")})
                    for p in record["passages"]]
        return cls.of(record["a"], record["b"], record["relation"], record["source"], record["score"],
                      passages, **{key: record[key] for key in _EVIDENCE})


def _side(a: str, b: str, source: str | None) -> Literal["a", "b"] | None:
    """Which side of the pair ``(a, b)`` the id ``source`` is (``None`` for none)."""
    if source is None:
        return None
    if source not in (a, b):
        raise ValueError(f"source {source!r} is not in the pair ({a!r}, {b!r})")
    return "a" if source == a else "b"


def _plain_copy(value: Any) -> Any:
    """A shallow copy of a list or dict field, so a record never shares it with the relation."""
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def record_of(item: Any) -> dict[str, Any]:
    """A dataclass of plain values (an :class:`Article`, a :class:`Passage`, a
    :class:`Derivation`) as a record: its fields in order, list and dict fields copied one
    level deep (:func:`_plain_copy`). The same record as ``dataclasses.asdict`` for such a
    class, without its recursive deep copy (a report of 100,000 articles spent 13 s there)."""
    return {name: _plain_copy(getattr(item, name)) for name in _field_names(type(item))}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@dataclass
class Derivation:
    """A derived article attributed to the independent report it comes from."""

    article_id: str
    root_id: str
    parent_id: str  #: the article it was made from directly
    relation: RelationKind


@dataclass
class SummaryLine:
    """A sentence of a story's extractive summary and the articles stating it."""

    text: str
    article_ids: list[str]
    independent_ids: list[str]


@dataclass
class TimelineEntry:
    """A dated event: ``precision`` is ``day`` or ``month`` (then ``date`` is the 1st);
    ``time`` is ``HH:MM`` or ``None``."""

    date: str
    precision: str
    time: str | None
    text: str
    article_ids: list[str]


@dataclass
class Wording:
    """How one article words a claim: ``text`` is ``article.text[start:end]``."""

    article_id: str
    text: str
    start: int
    end: int


@dataclass
class Amount:
    """A value in another unit that a number was given with ("5 miles (8 km)")."""

    value: float
    unit: str | None


@dataclass
class NumberFact:
    """A number a claim states: its words, value, unit or what it counts."""

    text: str
    value: float
    unit: str | None
    counts: str | None
    approx: bool
    equivalents: list[Amount] = field(default_factory=list)


@dataclass
class Claim:
    """A statement made in a story, grouped across the articles making it.
    ``independent_ids`` name one article per independent family that states it."""

    id: str
    text: str
    article_ids: list[str]
    independent_ids: list[str]
    n_independent: int
    single_source: bool
    entities: list[str] = field(default_factory=list)
    numbers: list[NumberFact] = field(default_factory=list)
    versions: list[Wording] = field(default_factory=list)


@dataclass
class QuoteOccurrence:
    """Where one article gives a quote, and the speaker as that article words it ("he")."""

    article_id: str
    start: int
    end: int
    speaker: str | None


@dataclass
class DigestQuote:
    """The same words from the same speaker across a story's articles: one record.
    ``speaker_kind`` is ``person``, ``organisation`` or ``anonymous``."""

    text: str
    speaker: str | None
    speaker_kind: str | None
    cue: str | None
    article_ids: list[str]
    independent_ids: list[str]
    occurrences: list[QuoteOccurrence] = field(default_factory=list)


@dataclass
class ConflictVersion:
    """One account in a conflict: the value it gives, the sentence giving it, who carries it."""

    value: str
    text: str
    article_ids: list[str]
    independent_ids: list[str]


@dataclass
class Conflict:
    """Independent reports disagreeing on one point (``kind``: ``number``, ``date``,
    ``time``, ``place`` or ``speaker``); ``claim_id`` names the claim it concerns."""

    kind: str
    topic: str
    claim_id: str | None
    versions: list[ConflictVersion]


@dataclass
class Digest:
    """What a story's independent reports say (``docs/report-format.md``, Digest): every
    item cites articles by id."""

    headline: str
    summary: list[SummaryLine] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    quotes: list[DigestQuote] = field(default_factory=list)
    single_source: list[str] = field(default_factory=list)  #: ids of claims one report states
    conflicts: list[Conflict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Digest:
        """The digest :meth:`to_dict` wrote (as the store caches it)."""
        return cls(
            headline=data.get("headline") or "",
            summary=[SummaryLine(**item) for item in data.get("summary", [])],
            timeline=[TimelineEntry(**item) for item in data.get("timeline", [])],
            claims=[_claim_from_dict(item) for item in data.get("claims", [])],
            quotes=[_quote_from_dict(item) for item in data.get("quotes", [])],
            single_source=list(data.get("single_source", [])),
            conflicts=[_conflict_from_dict(item) for item in data.get("conflicts", [])],
        )

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)


def _claim_from_dict(data: dict[str, Any]) -> Claim:
    numbers = [NumberFact(**{**n, "equivalents": [Amount(**e) for e in n.get("equivalents", [])]})
               for n in data.get("numbers", [])]
    return Claim(**{**data, "numbers": numbers, "versions": [Wording(**v) for v in data.get("versions", [])]})


def _quote_from_dict(data: dict[str, Any]) -> DigestQuote:
    return DigestQuote(**{**data, "occurrences": [QuoteOccurrence(**o) for o in data.get("occurrences", [])]})


def _conflict_from_dict(data: dict[str, Any]) -> Conflict:
    return Conflict(**{**data, "versions": [ConflictVersion(**v) for v in data.get("versions", [])]})


@dataclass
class Story:
    """Articles about one event. ``independent_ids`` are the roots of the provenance graph."""

    id: str
    title: str
    article_ids: list[str]
    independent_ids: list[str]
    derived: list[Derivation] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
    digest: Digest | None = None  #: with ``newstrace digest``

    def to_dict(self) -> dict[str, Any]:
        record = record_of(self)
        record["derived"] = [record_of(derivation) for derivation in self.derived]
        record["digest"] = None if self.digest is None else self.digest.to_dict()
        return record

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        """The story :meth:`to_dict` wrote."""
        digest = data.get("digest")
        return cls(**{**data, "derived": [Derivation(**d) for d in data.get("derived", [])],
                      "digest": Digest.from_dict(digest) if digest else None})


@dataclass
class InputError:
    """An input that was skipped, and why (one line)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class BoilerplatePassage:
    """Text that recurs across otherwise unrelated articles (an editor's note, a promo, site
    furniture): never evidence of copying. ``document_frequency`` is how many articles carry
    it; ``outlets`` counts them per outlet; ``article_ids`` lists them (the first ones)."""

    text: str
    document_frequency: int = 0
    outlets: dict[str, int] = field(default_factory=dict)
    article_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Report:
    """What :func:`newstrace.analyze` found in a collection."""

    articles: list[Article]
    relations: list[Relation]
    stories: list[Story]
    skipped: list[InputError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    boilerplate: list[BoilerplatePassage] = field(default_factory=list)  #: recurring text found

    def article(self, article_id: str) -> Article:
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)

    def relations_of(self, article_id: str) -> list[Relation]:
        return [r for r in self.relations if article_id in (r.a, r.b)]
