"""A Markdown rendering of a report (GitHub-flavoured tables).

Article content is escaped: HTML-special characters become entities and Markdown
punctuation is backslash-escaped, so hostile text is shown, never interpreted.
"""

from __future__ import annotations

import html
import re

from newstrace.model import Article, Report
from newstrace.report.view import (
    DerivedView,
    DigestView,
    ReportView,
    StoryView,
    build_view,
    citation_note,
    describe,
    passage_counts,
    shorten,
    store_line,
    story_facts,
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~])")
_SNIPPET = 160


def render_markdown(report: Report) -> str:
    """The report as a Markdown document."""
    view = build_view(report)
    lines = ["# newstrace report", "", *_counts_table(view), ""]
    store = store_line(report)
    if store:
        lines += [store, ""]
    for number, story in enumerate(view.stories, start=1):
        lines += _story(story, number, view)
    if view.loose_articles:
        lines += ["## Articles in no story", ""]
        lines += [f"- **{md(view.label(a.id))}** {md(describe(a))}" for a in view.loose_articles]
        lines.append("")
    if report.skipped:
        lines += ["## Skipped inputs", "", "| Path | Reason |", "| --- | --- |"]
        lines += [f"| {md(error.path)} | {md(error.reason)} |" for error in report.skipped]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def md(text: str) -> str:
    """``text`` escaped for Markdown, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def _counts_table(view: ReportView) -> list[str]:
    c = view.counts
    return [
        "| Articles | Stories | Independent reports | Derived copies | Skipped inputs |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {c.articles} | {c.stories} | {c.independent} | {c.derived} | {c.skipped} |",
    ]


def _story(story: StoryView, number: int, view: ReportView) -> list[str]:
    lines = [f"## Story {number}: {md(story.story.title)}", ""]
    lines += [" · ".join(md(fact) for fact in story_facts(story)), ""]
    if story.digest:
        lines += _digest(story.digest)
    lines += ["### Independent reports", ""]
    for root in story.roots:
        a = root.article
        title = f" — *{md(a.title)}*" if a.title else ""
        lines.append(f"- **{md(view.label(a.id))}**{_described(a)}{title}")
        note = citation_note(root, view.label)
        if note is not None:
            lines.append(f"  - {md(note)}")
        lines += [f"{'  ' * d.depth}- {_derived_line(d, view)}" for d in root.derived]
    lines += [f"- {md(view.label(a.id))} (unattributed)" for a in story.unattributed]
    lines.append("")
    for root in story.roots:
        for derived in root.derived:
            lines += _evidence(derived, view)
    if story.other_relations:
        lines += ["### Other relations", "", "| A | Relation | B | Score |", "| --- | --- | --- | ---: |"]
        lines += [
            f"| {md(view.label(r.a))} | {r.relation} | {md(view.label(r.b))} | {r.score:.2f} |"
            for r in story.other_relations
        ]
        lines.append("")
    return lines


def _derived_line(derived: DerivedView, view: ReportView) -> str:
    confidence = f", direction confidence {derived.relation.confidence:.2f}" if derived.relation else ""
    return (
        f"**{derived.kind}**: {md(view.label(derived.parent.id))} → "
        f"**{md(view.label(derived.article.id))}**{_described(derived.article)}{confidence}"
    )


def _described(article: Article) -> str:
    """`` (outlet · date · credit AP)``, or nothing when none is known."""
    known = describe(article)
    return f" ({md(known)})" if known else ""


def _evidence(derived: DerivedView, view: ReportView) -> list[str]:
    source, copy = md(view.label(derived.parent.id)), md(view.label(derived.article.id))
    lines = [f"#### {derived.kind.capitalize()}: {source} → {copy}", ""]
    relation = derived.relation
    if relation is None:
        return [*lines, "No relation was recorded between these two articles.", ""]
    lines += [
        f"Direction confidence {relation.confidence:.2f} · score {relation.score:.2f} · "
        f"Jaccard {relation.jaccard:.2f} · copy in source {derived.copy_in_source:.0%} · "
        f"source in copy {derived.source_in_copy:.0%} · {passage_counts(derived.passages)}",
        "",
    ]
    lines += [f"- {md(reason)}" for reason in relation.reasons]
    if relation.reasons:
        lines.append("")
    if derived.passages:
        lines += [f"| # | Kind | Similarity | {source} | {copy} |", "| ---: | --- | ---: | --- | --- |"]
        lines += [
            f"| {p.number} | {p.kind} | {p.similarity:.2f} | "
            f"{md(shorten(p.source_text, _SNIPPET))} | {md(shorten(p.copy_text, _SNIPPET))} |"
            for p in derived.passages
        ]
        lines.append("")
    return lines


def _digest(digest: DigestView) -> list[str]:
    lines = ["### Digest", ""]
    if digest.headline:
        lines += [f"**{md(digest.headline)}**", ""]
    if digest.summary:
        lines += [" ".join(md(line.text) + _cite(line.labels) for line in digest.summary), ""]
    if digest.timeline:
        lines += ["**Timeline**", ""]
        lines += [f"- {md(line.date or '')} — {md(line.text)}{_cite(line.labels)}" for line in digest.timeline]
        lines.append("")
    if digest.quotes:
        lines += ["**Quotes**", ""]
        lines += [
            f"- **{md(q.speaker or 'unattributed')}**: “{md(q.text)}”{_independent(q.n_independent)}"
            for q in digest.quotes
        ]
        lines.append("")
    if digest.claims:
        lines += ["**Claims**", "", "| Claim | Independent reports | Cited |", "| --- | ---: | --- |"]
        lines += [
            f"| {md(c.text)} | {c.n_independent}{' ⚠ single source' if c.single_source else ''} | "
            f"{md(', '.join(c.labels))} |"
            for c in digest.claims
        ]
        lines.append("")
    for conflict in digest.conflicts:
        lines += [f"**Conflict ({md(conflict.kind)}): {md(conflict.topic)}**", ""]
        lines += [
            f"- **{md(v.value)}** {md(v.text)}{_cite(v.labels)}{_independent(v.n_independent)}"
            for v in conflict.versions
        ]
        lines.append("")
    return lines


def _cite(labels: list[str]) -> str:
    return f" \\[{md(', '.join(labels))}\\]" if labels else ""


def _independent(count: int | None) -> str:
    return "" if count is None else f" ({count} independent)"
