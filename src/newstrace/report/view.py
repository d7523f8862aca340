"""A format-neutral view of a :class:`~newstrace.model.Report`, shared by every renderer.

It answers the questions each format asks: which articles are the independent reports
of a story, which copies hang under each of them (and through which parent), which
relation is the evidence for each derivation, oriented source → copy, and what the
optional digest says, with citations resolved to article labels.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from newstrace.model import Article, Derivation, Digest, Relation, Report, Story, TimelineEntry

SCHEMA_VERSION = 1  #: version of the JSON report format (docs/report-format.md)


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


@dataclass
class RootView:
    """An independent report and everything derived from it, parents before children."""

    article: Article
    derived: list[DerivedView]


@dataclass(frozen=True)
class Cited:
    """A line of the digest and the labels of the articles it cites."""

    text: str
    labels: list[str]
    date: str | None = None
    speaker: str | None = None
    n_independent: int | None = None


@dataclass(frozen=True)
class ClaimView:
    """A claim of the digest with its citations as labels."""

    id: str
    text: str
    labels: list[str]
    n_independent: int
    single_source: bool


@dataclass(frozen=True)
class VersionView:
    """One side of a conflict: the value an account gives and the sentence giving it."""

    value: str
    text: str
    labels: list[str]
    n_independent: int | None


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
    stories = [_story_view(story, articles, labels, report.relations) for story in report.stories]
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
    """``outlet · date · credit AP`` (whichever are known); a credit that only repeats
    the outlet is not said twice."""
    return " · ".join(part for part in (article.outlet, _day(article.date), credit_line(article)) if part)


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
    return (f"The store holds {plural(stats['store_articles'], 'article')}; {added}. "
            "The report covers the whole store.")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``"1 article"``, ``"2 articles"`` (``nouns`` for irregular plurals)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def story_facts(story: StoryView) -> list[str]:
    """The one-line facts about a story: dates, outlets and counts."""
    s = story.story
    dates = " → ".join(dict.fromkeys(date[:10] for date in (s.first_date, s.last_date) if date))
    counts = [plural(len(s.article_ids), "article"), f"{len(story.roots)} independent", f"{story.derived_count} derived"]
    return [part for part in (dates, ", ".join(s.outlets), *counts) if part]


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


def _story_view(
    story: Story, articles: dict[str, Article], labels: dict[str, str], relations: list[Relation]
) -> StoryView:
    members = set(story.article_ids)
    story_relations = [r for r in relations if r.a in members and r.b in members]
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
    placed = visited | {d.article_id for d in story.derived}
    unattributed = [article(article_id) for article_id in story.article_ids if article_id not in placed]
    tree_pairs = {frozenset((d.parent_id, d.article_id)) for d in story.derived}
    other = [
        r
        for r in story_relations
        if r.relation != "unrelated" and frozenset((r.a, r.b)) not in tree_pairs
    ]
    digest = digest_view(story.digest, labels) if story.digest else None
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


def digest_view(digest: Digest, labels: dict[str, str]) -> DigestView:
    """The digest with its citations resolved to article labels."""

    def cite(ids: list[str]) -> list[str]:
        return [labels.get(i, i[:12]) for i in ids]

    single = set(digest.single_source)
    return DigestView(
        headline=digest.headline or None,
        summary=[Cited(line.text, cite(line.article_ids), n_independent=len(line.independent_ids))
                 for line in digest.summary],
        timeline=[Cited(entry.text, cite(entry.article_ids), date=_when(entry)) for entry in digest.timeline],
        quotes=[Cited(quote.text, cite(quote.article_ids), speaker=quote.speaker,
                      n_independent=len(quote.independent_ids)) for quote in digest.quotes],
        claims=[ClaimView(claim.id, claim.text, cite(claim.article_ids), claim.n_independent,
                          claim.id in single) for claim in digest.claims],
        conflicts=[
            ConflictView(conflict.kind, conflict.topic, [
                VersionView(version.value, version.text, cite(version.article_ids),
                            len(version.independent_ids))
                for version in conflict.versions
            ])
            for conflict in digest.conflicts
        ],
    )


def _when(entry: TimelineEntry) -> str:
    """A timeline entry's date (``YYYY-MM`` at month precision) and time, if any."""
    date = entry.date[:7] if entry.precision == "month" else entry.date
    return f"{date} {entry.time}" if entry.time else date
