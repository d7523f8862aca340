"""A format-neutral view of a :class:`~newstrace.model.Report`, shared by every renderer.

It answers the questions each format asks: which articles are the independent reports
of a story, which copies hang under each of them (and through which parent), which
relation is the evidence for each derivation, oriented source → copy, and what the
optional digest says, with citations resolved to article labels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from newstrace.model import Article, Derivation, Digest, DigestQuote, Relation, Report, Story, TimelineEntry
from newstrace.text.outlets import attributes_reporting_to, outlet_key, reporting_outlet

SCHEMA_VERSION = 1  #: version of the JSON report format (docs/report-format.md)
#: How much of two sentences' words must be shared for one to stand for the other when a
#: cited line is not found verbatim in an article.
LOCATE_MIN_OVERLAP = 0.5
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*[\"'”’]?")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AlignedPassage:
    """A passage oriented source → copy: ``source.text[source_start:source_end]``
    corresponds to ``copy.text[copy_start:copy_end]``. ``number`` counts from 1."""

    number: int
    source_start: int
    source_end: int
    copy_start: int
    copy_end: int
    similarity: float
    kind: str
    source_text: str
    copy_text: str


@dataclass
class DerivedView:
    """One derived article, the article it was made from, and the relation between them."""

    article: Article
    parent: Article
    derivation: Derivation
    relation: Relation | None
    depth: int  #: 1 for a copy of the root, 2 for a copy of a copy, ...
    passages: list[AlignedPassage] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.derivation.relation

    @property
    def copy_in_source(self) -> float | None:
        """Share of the copy's shingles found in the source."""
        return self._containment(of=self.article.id)

    @property
    def source_in_copy(self) -> float | None:
        """Share of the source's shingles found in the copy."""
        return self._containment(of=self.parent.id)

    def _containment(self, of: str) -> float | None:
        if self.relation is None:
            return None
        return self.relation.containment_a if self.relation.a == of else self.relation.containment_b


@dataclass(frozen=True)
class CitedReport:
    """Another independent report of the story whose outlet's report this one cites, and
    the citing report's words that cite it."""

    article: Article
    words: str


@dataclass
class RootView:
    """An independent report and everything derived from it, parents before children;
    ``cites``: another of the story's independent reports whose outlet's report it says it
    retells ("Continental Press reported"), if any: a report that relays another is no
    separate confirmation of it, though no shared wording makes it a copy."""

    article: Article
    derived: list[DerivedView]
    cites: CitedReport | None = None


@dataclass(frozen=True)
class Source:
    """An article a digest line cites, and where its text states the line:
    ``text[start:end]`` (both ``None`` where no such passage was found)."""

    article_id: str
    label: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class CitingLine:
    """A line of the digest and the articles it cites, each at its passage."""

    text: str
    sources: list[Source]

    @property
    def labels(self) -> list[str]:
        return [source.label for source in self.sources]


@dataclass(frozen=True)
class Cited(CitingLine):
    """A summary line, timeline entry or quote of the digest."""

    date: str | None = None
    speaker: str | None = None
    n_independent: int | None = None


@dataclass(frozen=True)
class ClaimView(CitingLine):
    """A claim of the digest: ``id``, how many independent reports state it."""

    id: str = ""
    n_independent: int = 0
    single_source: bool = False


@dataclass(frozen=True)
class VersionView(CitingLine):
    """One side of a conflict: the value an account gives and the sentence giving it."""

    value: str = ""
    n_independent: int | None = None


@dataclass(frozen=True)
class ConflictView:
    """A conflict of the digest, each version with its citations as labels."""

    kind: str
    topic: str
    versions: list[VersionView]


@dataclass
class DigestView:
    headline: str | None
    summary: list[Cited]
    timeline: list[Cited]
    quotes: list[Cited]
    claims: list[ClaimView]
    conflicts: list[ConflictView]

    @property
    def single_source(self) -> list[ClaimView]:
        return [claim for claim in self.claims if claim.single_source]


@dataclass
class StoryView:
    story: Story
    roots: list[RootView]
    unattributed: list[Article]  #: in the story, but neither a root nor derived
    other_relations: list[Relation]  #: same-story links and derivations not on the tree
    digest: DigestView | None

    @property
    def derived_count(self) -> int:
        return sum(len(root.derived) for root in self.roots)


@dataclass(frozen=True)
class Counts:
    articles: int
    stories: int
    independent: int
    derived: int
    skipped: int


@dataclass
class ReportView:
    report: Report
    labels: dict[str, str]
    stories: list[StoryView]
    loose_articles: list[Article]  #: articles in no story
    counts: Counts

    def label(self, article_id: str) -> str:
        return self.labels.get(article_id, article_id[:12])


def build_view(report: Report) -> ReportView:
    """Resolve ids, orient evidence and group derivations for rendering."""
    articles = {article.id: article for article in report.articles}
    labels = article_labels(report.articles)
    relations_of = _relations_by_article(report.relations)
    stories = [_story_view(story, articles, labels, _relations_within(story, relations_of))
               for story in report.stories]
    in_stories = {article_id for story in report.stories for article_id in story.article_ids}
    counts = Counts(
        articles=len(report.articles),
        stories=len(report.stories),
        independent=sum(len(story.independent_ids) for story in report.stories),
        derived=sum(len(story.derived) for story in report.stories),
        skipped=len(report.skipped),
    )
    loose = [article for article in report.articles if article.id not in in_stories]
    return ReportView(report, labels, stories, loose, counts)


def article_labels(articles: list[Article]) -> dict[str, str]:
    """``Article.label`` per id, with a short id suffix where two labels collide."""
    seen = Counter(article.label for article in articles)
    return {
        article.id: article.label if seen[article.label] == 1 else f"{article.label}#{article.id[:6]}"
        for article in articles
    }


def describe(article: Article) -> str:
    """``outlet · date · credit AP · republished from Live Science · in de`` (whichever are
    known; the language only when not English); a credit that only repeats the outlet is
    not said twice."""
    origin = f"republished from {article.republished_from}" if article.republished_from else None
    language = f"in {article.language}" if article.language else None
    return " · ".join(part for part in (article.outlet, _day(article.date), credit_line(article), origin, language)
                      if part)


def credit_line(article: Article) -> str | None:
    """``"credit AP, AFP"``: the wire credits an article carries, other than its own outlet."""
    credits = [credit for credit in article.credits if credit != (article.outlet or "").strip()]
    return f"credit {', '.join(credits)}" if credits else None


def store_line(report: Report) -> str | None:
    """What the store holds and what this run added, e.g. ``"The store holds 10 articles;
    this run added 5 (1 new version). The report covers the whole store."``; ``None``
    when the report does not say (built without a store run)."""
    stats = report.stats
    if "store_articles" not in stats:
        return None
    changes = [plural(stats[key], noun) for key, noun in
               (("articles_replaced", "new version"), ("articles_removed", "removed article"))
               if stats.get(key)]
    added = f"this run added {stats.get('articles_new', 0):,}" + (f" ({', '.join(changes)})" if changes else "")
    if stats.get("report_scope") == "run":
        covered = plural(len(report.stories), "story", "stories")
        return (f"The store holds {plural(stats['store_articles'], 'article')} in "
                f"{plural(stats.get('store_stories', 0), 'story', 'stories')}; {added}. "
                f"The report covers the {covered} this run made or changed.")
    return (f"The store holds {plural(stats['store_articles'], 'article')}; {added}. "
            "The report covers the whole store.")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``"1 article"``, ``"2 articles"``, ``"94,772 stories"`` (``nouns`` for irregular plurals)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def story_facts(story: StoryView) -> list[str]:
    """The one-line facts about a story: dates, outlets and counts."""
    s = story.story
    dates = " → ".join(dict.fromkeys(date[:10] for date in (s.first_date, s.last_date) if date))
    counts = [plural(len(s.article_ids), "article"), independent_count(story), f"{story.derived_count} derived"]
    citing = sum(root.cites is not None for root in story.roots)
    if citing:
        counts.append(f"{citing} of them {'cites' if citing == 1 else 'cite'} another's report")
    return [part for part in (dates, ", ".join(s.outlets), *counts) if part]


def citation_note(root: RootView, label: Callable[[str], str]) -> str | None:
    """``'cites the report of Continental Press (w.txt): "Continental Press reported"'`` for
    an independent report that cites another's (``label`` names articles), else ``None``."""
    if root.cites is None:
        return None
    cited = root.cites.article
    return f'cites the report of {cited.outlet} ({label(cited.id)}): "{root.cites.words}"'


def independent_count(story: StoryView) -> str:
    """``"3 independent"``, or ``"3 independent from 2 outlets"`` where some of them come from
    one outlet: one newsroom's two reports are two reports, not two confirmations. An
    article whose outlet is unknown counts as an outlet of its own."""
    outlets = {reporting_outlet(root.article.outlet, root.article.id) for root in story.roots}
    count = f"{len(story.roots)} independent"
    return count if len(outlets) == len(story.roots) else f"{count} from {plural(len(outlets), 'outlet')}"


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def passage_counts(passages: list[AlignedPassage]) -> str:
    """E.g. ``"12 passages (10 verbatim, 2 edited)"``."""
    if not passages:
        return "no aligned passages"
    kinds = Counter(passage.kind for passage in passages)
    noun = "passage" if len(passages) == 1 else "passages"
    detail = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
    return f"{len(passages)} {noun} ({detail})"


def _day(date: str | None) -> str | None:
    return date[:10] if date else None


def _placeholder(article_id: str) -> Article:
    """Stands in for an id the report lists without its article."""
    return Article(id=article_id, text="", external_id=article_id[:12])


def _relations_by_article(relations: list[Relation]) -> dict[str, list[tuple[int, Relation]]]:
    """Each relation, with its place in ``relations``, under both its articles."""
    by_article: dict[str, list[tuple[int, Relation]]] = {}
    for place, relation in enumerate(relations):
        by_article.setdefault(relation.a, []).append((place, relation))
        by_article.setdefault(relation.b, []).append((place, relation))
    return by_article


def _relations_within(story: Story, relations_of: dict[str, list[tuple[int, Relation]]]) -> list[Relation]:
    """The relations between two of ``story``'s articles, in the report's order (found
    through each member's relations: one pass over all relations per story made the text
    report of 95,000 stories take half a minute more)."""
    members = set(story.article_ids)
    found = {place: r for member in members for place, r in relations_of.get(member, ())
             if r.a in members and r.b in members}
    return [found[place] for place in sorted(found)]


def _note_citations(roots: list[RootView]) -> None:
    """Note, on each independent report, another of ``roots`` from another outlet whose
    report it cites (:func:`~newstrace.text.outlets.attributes_reporting_to`)."""
    by_outlet: dict[str, Article] = {}
    for root in roots:
        key = outlet_key(root.article.outlet)
        if key is not None:
            by_outlet.setdefault(key, root.article)
    if len(by_outlet) < 2:  # no report of another outlet to cite
        return
    for root in roots:
        own = outlet_key(root.article.outlet)
        found = attributes_reporting_to(root.article.text, by_outlet.keys() - {own})
        if found is None:
            continue
        name, start, end = found  # a name that folds to one of the keys searched
        root.cites = CitedReport(by_outlet[outlet_key(name) or ""], root.article.text[start:end])


def _story_view(
    story: Story, articles: dict[str, Article], labels: dict[str, str], story_relations: list[Relation]
) -> StoryView:
    by_pair = {frozenset((r.a, r.b)): r for r in story_relations}

    def article(article_id: str) -> Article:
        return articles.get(article_id) or _placeholder(article_id)

    children: dict[str, list[Derivation]] = {}
    for derivation in story.derived:
        children.setdefault(derivation.parent_id, []).append(derivation)

    def descend(parent_id: str, depth: int, visited: set[str]) -> list[DerivedView]:
        views = []
        for derivation in children.get(parent_id, []):
            if derivation.article_id in visited:
                continue
            visited.add(derivation.article_id)
            relation = by_pair.get(frozenset((derivation.parent_id, derivation.article_id)))
            parent, copy = article(derivation.parent_id), article(derivation.article_id)
            passages = aligned_passages(relation, parent, copy) if relation else []
            views.append(DerivedView(copy, parent, derivation, relation, depth, passages))
            views.extend(descend(derivation.article_id, depth + 1, visited))
        return views

    visited = set(story.independent_ids)
    roots = [RootView(article(root_id), descend(root_id, 1, visited)) for root_id in story.independent_ids]
    _note_citations(roots)
    placed = visited | {d.article_id for d in story.derived}
    unattributed = [article(article_id) for article_id in story.article_ids if article_id not in placed]
    tree_pairs = {frozenset((d.parent_id, d.article_id)) for d in story.derived}
    other = [
        r
        for r in story_relations
        if r.relation != "unrelated" and frozenset((r.a, r.b)) not in tree_pairs
    ]
    digest = digest_view(story.digest, labels, articles) if story.digest else None
    return StoryView(story, roots, unattributed, other, digest)


def aligned_passages(relation: Relation, source: Article, copy: Article) -> list[AlignedPassage]:
    """The relation's passages oriented source → copy, numbered in source order."""
    flipped = relation.a != source.id
    spans = []
    for passage in relation.passages:
        a_span, b_span = (passage.a_start, passage.a_end), (passage.b_start, passage.b_end)
        source_span, copy_span = (b_span, a_span) if flipped else (a_span, b_span)
        spans.append((source_span, copy_span, passage))
    spans.sort(key=lambda item: (item[0], item[1]))
    return [
        AlignedPassage(
            number=number,
            source_start=source_span[0],
            source_end=source_span[1],
            copy_start=copy_span[0],
            copy_end=copy_span[1],
            similarity=float(passage.similarity),
            kind=passage.kind,
            source_text=source.text[source_span[0] : source_span[1]],
            copy_text=copy.text[copy_span[0] : copy_span[1]],
        )
        for number, (source_span, copy_span, passage) in enumerate(spans, start=1)
    ]


def digest_view(digest: Digest, labels: dict[str, str], articles: dict[str, Article] | None = None) -> DigestView:
    """The digest with each citation resolved to its article's label and, with ``articles``,
    to the passage stating the line: a quote's occurrence, a claim's wording in that
    article, else the sentence :func:`locate` finds."""
    texts = {article_id: article.text for article_id, article in (articles or {}).items()}
    wordings: dict[tuple[str, str], tuple[int, int]] = {}
    claim_texts: dict[str, str] = {}  #: a wording -> its claim's text (a timeline entry may show a member's)
    for claim in digest.claims:
        for wording in claim.versions:
            wordings.setdefault((claim.text, wording.article_id), (wording.start, wording.end))
            claim_texts.setdefault(wording.text, claim.text)

    def cite(text: str, ids: list[str], spans: dict[str, tuple[int, int]] | None = None) -> list[Source]:
        sources = []
        for article_id in ids:
            span = ((spans or {}).get(article_id) or wordings.get((text, article_id))
                    or wordings.get((claim_texts.get(text, text), article_id)))
            if span is None and article_id in texts:
                span = locate(texts[article_id], text)
            sources.append(Source(article_id, labels.get(article_id, article_id[:12]), *(span or (None, None))))
        return sources

    def quote_spans(quote: DigestQuote) -> dict[str, tuple[int, int]]:
        spans: dict[str, tuple[int, int]] = {}
        for occurrence in quote.occurrences:
            spans.setdefault(occurrence.article_id, (occurrence.start, occurrence.end))
        return spans

    single = set(digest.single_source)
    return DigestView(
        headline=digest.headline or None,
        summary=[Cited(line.text, cite(line.text, line.article_ids), n_independent=len(line.independent_ids))
                 for line in digest.summary],
        timeline=[Cited(entry.text, cite(entry.text, entry.article_ids), date=_when(entry))
                  for entry in digest.timeline],
        quotes=[Cited(quote.text, cite(quote.text, quote.article_ids, quote_spans(quote)), speaker=quote.speaker,
                      n_independent=len(quote.independent_ids)) for quote in digest.quotes],
        claims=[ClaimView(claim.text, cite(claim.text, claim.article_ids), id=claim.id,
                          n_independent=claim.n_independent, single_source=claim.id in single)
                for claim in digest.claims],
        conflicts=[
            ConflictView(conflict.kind, conflict.topic, [
                VersionView(version.text, cite(version.text, version.article_ids), value=version.value,
                            n_independent=len(version.independent_ids))
                for version in conflict.versions
            ])
            for conflict in digest.conflicts
        ],
    )


def locate(text: str, sentence: str) -> tuple[int, int] | None:
    """Where ``sentence`` (a digest line) is in ``text``: verbatim, else the sentence of
    ``text`` sharing most of its words (at least :data:`LOCATE_MIN_OVERLAP`), else ``None``."""
    sentence = sentence.strip()
    if not sentence:
        return None
    at = text.find(sentence)
    if at >= 0:
        return at, at + len(sentence)
    wanted = {w.lower() for w in _WORD.findall(sentence)}
    best, best_share = None, LOCATE_MIN_OVERLAP
    for match in _SENTENCE.finditer(text):
        words = {w.lower() for w in _WORD.findall(match.group())}
        share = len(wanted & words) / max(len(wanted | words), 1)
        if share >= best_share:
            best, best_share = (match.start(), match.end()), share
    return best


def _when(entry: TimelineEntry) -> str:
    """A timeline entry's date (``YYYY-MM`` at month precision) and time, if any."""
    date = entry.date[:7] if entry.precision == "month" else entry.date
    return f"{date} {entry.time}" if entry.time else date
