"""A terminal summary of a report, drawn with rich (tables and provenance trees).

Article content is always wrapped in :class:`rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from newstrace.model import Article, Comparison, Report
from newstrace.report.view import (
    AlignedPassage,
    DerivedView,
    DigestView,
    ReportView,
    StoryView,
    build_view,
    citation_note,
    describe,
    passage_counts,
    plural,
    shorten,
    store_line,
    story_facts,
)

KIND_STYLES = {
    "duplicate": "bold red",
    "copy": "bold dark_orange",
    "partial": "bold yellow",
    "paraphrase": "bold magenta",
    "same_story": "cyan",
}
_PASSAGES_SHOWN = 3  #: longest passages quoted per derivation
_DIGEST_ITEMS = 8  #: timeline entries, quotes and claims listed per story
_DIGEST_CHARS = 160
_CITED_LABELS = 3


class StdoutConsole(Console):
    """A console on standard output whose reader may stop early (``newstrace ... | head``):
    that raises :class:`BrokenPipeError` for the caller to handle, where rich's own console
    would end the program with exit code 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(32, "standard output was closed by its reader")


def render_text(report: Report, console: Console | None = None) -> None:
    """Print a readable summary of the report to ``console`` (stdout by default)."""
    console = console or StdoutConsole()
    view = build_view(report)
    console.print(_header(view))
    for number, story in enumerate(view.stories, start=1):
        console.print(_story(story, number, view))
    if view.loose_articles:
        console.print(Rule(Text("Articles in no story"), align="left"))
        for article in view.loose_articles:
            console.print(Text.assemble("  ", (view.label(article.id), "bold"), "  ", describe(article)))
    if report.skipped:
        console.print(_skipped(report))


def render_comparison(comparison: Comparison, a: Article, b: Article, console: Console | None = None) -> None:
    """Print the verdict on one pair: relation, direction, scores, reasons and passages."""
    console = console or StdoutConsole()
    verdict = Text.assemble(
        (a.label, "bold"), " vs ", (b.label, "bold"), ": ",
        (comparison.relation, KIND_STYLES.get(comparison.relation, "bold")),
    )
    if comparison.source:
        original, copy = (a, b) if comparison.source == "a" else (b, a)
        verdict.append(f"  {original.label} → {copy.label} (direction confidence {comparison.confidence:.2f})")
    console.print(verdict)
    for article in (a, b):
        if describe(article):
            console.print(Text.assemble("  ", (article.label, "bold"), f"  {describe(article)}"))
    console.print(
        Text(
            f"score {comparison.score:.2f} · jaccard {comparison.jaccard:.2f} · "
            f"{a.label} in {b.label} {comparison.containment_a:.0%} · "
            f"{b.label} in {a.label} {comparison.containment_b:.0%}",
            style="dim",
        )
    )
    for reason in comparison.reasons:
        console.print(Text(f"why: {reason}"))
    if comparison.passages:
        table = Table(show_edge=False)
        for column, justify in (("#", "right"), ("kind", "left"), ("sim", "right"), (a.label, "left"), (b.label, "left")):
            table.add_column(column, justify=justify)
        for number, passage in enumerate(comparison.passages, start=1):
            table.add_row(
                str(number),
                passage.kind,
                f"{passage.similarity:.2f}",
                Text(shorten(a.text[passage.a_start : passage.a_end], 70)),
                Text(shorten(b.text[passage.b_start : passage.b_end], 70)),
            )
        console.print(table)


def _header(view: ReportView) -> RenderableType:
    counts = view.counts
    line = Text.assemble(
        ("newstrace report", "bold"),
        f"  {plural(counts.articles, 'article')} · {plural(counts.stories, 'story', 'stories')} · ",
        (plural(counts.independent, "independent report"), "bold green"),
        f" · {plural(counts.derived, 'derived copy', 'derived copies')} · {plural(counts.skipped, 'skipped input')}",
    )
    store = store_line(view.report)
    if store:
        line = Text.assemble(line, "\n", (store, "dim"))
    return Padding(line, (1, 0, 0, 0))


def _story(story: StoryView, number: int, view: ReportView) -> RenderableType:
    title = Text(f"Story {number}: ", style="bold") + Text(story.story.title, style="bold")
    meta = Text(" · ".join(story_facts(story)), style="dim")
    parts: list[RenderableType] = [Rule(title, align="left"), meta]
    parts.append(_provenance(story, view))
    if story.digest:
        parts.append(_digest(story.digest))
    if story.other_relations:
        parts.append(_other_relations(story, view))
    return Group(*parts, Text())


def _provenance(story: StoryView, view: ReportView) -> RenderableType:
    tree = Tree(Text("Provenance", style="bold"), guide_style="dim")
    for root in story.roots:
        article = root.article
        node = tree.add(
            Text.assemble(
                ("● independent  ", "bold green"),
                (view.label(article.id), "bold"),
                f"  {describe(article)}  ",
                (shorten(article.title or "", 70), "italic"),
            )
        )
        note = citation_note(root, view.label)
        if note is not None:
            node.add(Text(note, style="yellow"))
        branches = {article.id: node}
        for derived in root.derived:
            parent_node = branches.get(derived.parent.id, node)
            branches[derived.article.id] = _add_derived(parent_node, derived, view)
    for article in story.unattributed:
        tree.add(
            Text.assemble(("○ unattributed  ", "bold"), (view.label(article.id), "bold"), f"  {describe(article)}")
        )
    return tree


def _add_derived(parent: Tree, derived: DerivedView, view: ReportView) -> Tree:
    article = derived.article
    node = parent.add(
        Text.assemble(
            (f"{derived.kind} ", KIND_STYLES.get(derived.kind, "bold")),
            "of ",
            view.label(derived.parent.id),
            " → ",
            (view.label(article.id), "bold"),
            f"  {describe(article)}",
        )
    )
    node.add(Text(_evidence_line(derived), style="dim"))
    relation = derived.relation
    for reason in relation.reasons if relation else []:
        node.add(Text(f"why: {reason}"))
    shown = longest_passages(derived.passages, _PASSAGES_SHOWN)
    for passage in shown:
        node.add(
            Text.assemble(
                (f"#{passage.number} {passage.kind} {passage.similarity:.2f}  ", "cyan"),
                f"“{shorten(passage.copy_text, 90)}”",
            )
        )
    hidden = len(derived.passages) - len(shown)
    if hidden:
        node.add(Text(f"… the {len(shown)} longest of {len(derived.passages)} passages, in text order; "
                      f"{hidden} more in the HTML and JSON reports", style="dim"))
    return node


def longest_passages(passages: list[AlignedPassage], count: int) -> list[AlignedPassage]:
    """The ``count`` longest passages (in the copy), back in text order."""
    longest = sorted(passages, key=lambda p: p.copy_end - p.copy_start, reverse=True)[:count]
    return sorted(longest, key=lambda p: p.number)


def _evidence_line(derived: DerivedView) -> str:
    relation = derived.relation
    if relation is None:
        return "no relation recorded between these two articles"
    return (
        f"direction confidence {relation.confidence:.2f} · score {relation.score:.2f} · "
        f"jaccard {relation.jaccard:.2f} · copy in source {derived.copy_in_source:.0%} · "
        f"source in copy {derived.source_in_copy:.0%} · {passage_counts(derived.passages)}"
    )


def _other_relations(story: StoryView, view: ReportView) -> RenderableType:
    table = Table(title="Other relations", title_justify="left", box=None, pad_edge=False)
    for column in ("A", "relation", "B", "score"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for relation in story.other_relations:
        table.add_row(
            view.label(relation.a),
            Text(relation.relation, style=KIND_STYLES.get(relation.relation, "")),
            view.label(relation.b),
            f"{relation.score:.2f}",
        )
    return table


def _digest(digest: DigestView) -> RenderableType:
    parts: list[RenderableType] = []
    if digest.headline:
        parts.append(Text(digest.headline, style="bold"))
    parts += [_line(line.text, line.labels) for line in digest.summary]
    if digest.timeline:
        parts.append(Text("Timeline", style="bold underline"))
        parts += [_line(line.text, line.labels, lead=line.date) for line in digest.timeline[:_DIGEST_ITEMS]]
        parts += _more(digest.timeline)
    if digest.quotes:
        parts.append(Text("Quotes", style="bold underline"))
        parts += [
            _line(f"“{quote.text}”", quote.labels, lead=f"{quote.speaker or 'unattributed'}:")
            for quote in digest.quotes[:_DIGEST_ITEMS]
        ]
        parts += _more(digest.quotes)
    if digest.claims:
        parts.append(_claims(digest))
    for conflict in digest.conflicts:
        parts.append(Text.assemble(("Conflict ", "bold red"), f"({conflict.kind}) ", (conflict.topic, "bold")))
        parts += [_line(version.text, version.labels, lead=version.value) for version in conflict.versions]
    return Padding(Group(*parts), (1, 0, 1, 2))


def _line(text: str, labels: list[str], lead: str | None = None) -> RenderableType:
    """One digest line, cut short, with its citations; wrapped lines stay indented."""
    line = Text.assemble((f"{lead} ", "bold cyan") if lead else "", shorten(text, _DIGEST_CHARS), (_cite(labels), "dim"))
    return Padding(line, (0, 0, 0, 2))


def _more(items: list) -> list[RenderableType]:
    hidden = len(items) - _DIGEST_ITEMS
    return [Padding(Text(f"… {hidden} more in the JSON and HTML reports", style="dim"), (0, 0, 0, 2))] if hidden > 0 else []


def _claims(digest: DigestView) -> RenderableType:
    shown = digest.claims[:_DIGEST_ITEMS]
    table = Table(
        title=f"Claims ({len(digest.claims)}; {len(digest.single_source)} rest on a single source)",
        title_justify="left",
        show_edge=False,
        caption=f"… {len(digest.claims) - len(shown)} more in the JSON and HTML reports"
        if len(shown) < len(digest.claims)
        else None,
        caption_justify="left",
    )
    table.add_column("claim", ratio=1)
    table.add_column("independent", justify="right", no_wrap=True)
    for claim in shown:
        count = Text(str(claim.n_independent), style="bold red" if claim.single_source else "bold green")
        if claim.single_source:
            count.append(" single source", style="red")
        table.add_row(Text(shorten(claim.text, _DIGEST_CHARS)), count)
    return table


def _cite(labels: list[str]) -> str:
    if not labels:
        return ""
    shown = ", ".join(labels[:_CITED_LABELS])
    extra = f" +{len(labels) - _CITED_LABELS}" if len(labels) > _CITED_LABELS else ""
    return f"  [{shown}{extra}]"


def _skipped(report: Report) -> RenderableType:
    table = Table(title="Skipped inputs", title_justify="left", show_edge=False)
    table.add_column("path")
    table.add_column("reason")
    for error in report.skipped:
        table.add_row(Text(error.path), Text(error.reason))
    return table
