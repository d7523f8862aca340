"""The digest of one story: what independent reports agree on, who said what, and where they differ."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from newstrace.digests.claims import (
    ClaimGroup,
    QuoteGroup,
    Statement,
    article_claims,
    dates_a_toll_change,
    find_conflicts,
    group_claims,
    group_quotes,
    speaker_conflicts,
)
from newstrace.digests.facts import PLACE_LABELS, ArticleFacts, Entity, Measure, extract_facts
from newstrace.model import (
    Amount,
    Article,
    Claim,
    Digest,
    DigestQuote,
    NumberFact,
    QuoteOccurrence,
    SummaryLine,
    TimelineEntry,
    Wording,
)
from newstrace.digests.nlp import load_nlp
from newstrace.digests.quotation import aside_spans, full_names, within_spans
from newstrace.text.outlets import reporting_outlet
from newstrace.text.titles import story_title

if TYPE_CHECKING:
    from spacy.language import Language

SUMMARY_SENTENCES = 5
SUMMARY_REDUNDANCY = 0.8  #: a summary sentence this similar to a chosen one is left out
HEADLINE_WORDS = 25


def build_digest(articles: list[Article], roots: dict[str, str], *, encoder=None,
                 nlp: Language | None = None, facts: list[ArticleFacts] | None = None) -> Digest:
    """The digest of ONE story (headline, summary, timeline, claims, quotes, single-source
    claims, conflicts), every item cited by article and independent ids. ``facts`` are the
    articles' facts when extracted already (in the same order; e.g. on worker processes),
    else they are extracted with ``nlp``."""
    if encoder is None:
        from newstrace.encode.runtime import default_encoder

        encoder = default_encoder()
    if facts is None:
        facts = extract_facts(articles, nlp=nlp or load_nlp())
    texts = {a.id: a.text for a in articles}
    _unify_people(facts, texts)
    statements = [s for f in facts for s in article_claims(f, texts[f.article_id])]
    groups = group_claims(statements, roots, encoder=encoder)
    quote_groups = group_quotes((q for f in facts for q in f.quotes), roots)
    conflicts = find_conflicts(groups, roots, places_together=_places_together(facts))
    conflicts += speaker_conflicts(quote_groups, roots)
    claim_ids = {g.id: f"c{n + 1}" for n, g in enumerate(groups)}
    outlets = outlets_of_roots(articles, roots)
    single = {g.id for g in groups if len({outlets[member] for member in g.independent_ids}) == 1}
    return Digest(
        headline=_headline(articles, roots, groups),
        summary=_summary(groups, encoder),
        timeline=_timeline(groups),
        claims=[_claim(claim_ids[g.id], g, g.id in single) for g in groups],
        quotes=[_quote(g) for g in quote_groups],
        single_source=[claim_ids[g.id] for g in groups if g.id in single],
        conflicts=[replace(c, claim_id=claim_ids.get(c.claim_id or "")) for c in conflicts],
    )


def _unify_people(facts: list[ArticleFacts], texts: dict[str, str]) -> None:
    """Give each person one name across the story ("Putin" -> "Vladimir Putin"), preferring
    the names the writers' own sentences use to those in quotations and headings."""
    names = [e.name for f in facts for e in f.entities if e.label == "PERSON"]
    speakers = [q.speaker for f in facts for q in f.quotes if q.speaker]
    preferred = [e.name for f in facts for e in _plain_people(f, texts.get(f.article_id, ""))]
    canonical = full_names(names + speakers, preferred=preferred + speakers)
    for f in facts:
        kept = _kept_short(f)
        for entity in f.entities:
            if entity.label == "PERSON" and entity.name not in kept:
                entity.name = canonical.get(entity.name, entity.name)
        for quote in f.quotes:
            if quote.speaker and quote.speaker not in kept:
                quote.speaker = canonical.get(quote.speaker, quote.speaker)


def _kept_short(facts: ArticleFacts) -> set[str]:
    """Names an article keeps short though it names a longer person containing them: its own
    reading found them ambiguous (*Mr. Obama* beside *Michelle Obama*)."""
    people = {e.name for e in facts.entities if e.label == "PERSON"}
    return {n for n in people if any(n != m and set(n.lower().split()) <= set(m.lower().split()) for m in people)}


def _plain_people(facts: ArticleFacts, text: str) -> list[Entity]:
    """The people an article names outside quotations and heading-like lines."""
    asides = aside_spans(text)
    return [e for e in facts.entities if e.label == "PERSON" and not within_spans(e.start, asides)]


def _places_together(facts: list[ArticleFacts]) -> set[frozenset[str]]:
    """Pairs of places mentioned in one article (taken as compatible, e.g. a site and its region)."""
    pairs: set[frozenset[str]] = set()
    for f in facts:
        places = sorted({e.name for e in f.entities if e.label in PLACE_LABELS})
        pairs |= {frozenset({a, b}) for n, a in enumerate(places) for b in places[n + 1 :]}
    return pairs


def _headline(articles: list[Article], roots: dict[str, str], groups: list[ClaimGroup]) -> str:
    """The story's title (:func:`newstrace.text.titles.story_title`), else a first line that reads
    as a headline (independent reports first), else the best-confirmed claim."""
    return story_title(articles, lambda: _untitled_headline(articles, roots, groups))


def _untitled_headline(articles: list[Article], roots: dict[str, str], groups: list[ClaimGroup]) -> str:
    for article in sorted(articles, key=lambda a: roots.get(a.id) != a.id):
        first_line = article.text.strip().split("\n", 1)[0].strip()
        if 3 <= len(first_line.split()) <= HEADLINE_WORDS and first_line[-1:] not in {".", ":"}:
            return first_line
    return groups[0].text if groups else ""


def _summary(groups: list[ClaimGroup], encoder) -> list[SummaryLine]:
    """Extractive: the claims confirmed by most independent reports, without repeats."""
    ranked = sorted(groups, key=lambda g: (-g.n_independent, -len(g.article_ids), min(c.position for c in g.claims)))
    candidates = ranked[: SUMMARY_SENTENCES * 4]
    if not candidates:
        return []
    vectors = encoder.encode([g.text for g in candidates])
    chosen: list[int] = []
    for i in range(len(candidates)):
        if len(chosen) == SUMMARY_SENTENCES:
            break
        if not chosen or float(np.max(vectors[chosen] @ vectors[i])) < SUMMARY_REDUNDANCY:
            chosen.append(i)
    return [SummaryLine(candidates[i].text, candidates[i].article_ids, candidates[i].independent_ids)
            for i in chosen]


def _timeline(groups: list[ClaimGroup]) -> list[TimelineEntry]:
    """Claims that carry a resolved date, in date and time order; the day a toll rose is not
    the day of what it counts (*Twelve people died … on Wednesday* keeps Wednesday beside *the
    toll rose to 14 on Friday*)."""
    entries = []
    for group in groups:
        dated = [(t, c) for c in group.claims for t in c.times if t.date and t.precision in {"day", "month"}
                 and not dates_a_toll_change(t, c)]
        if not dated:
            continue
        day = Counter(t.date for t, _ in dated).most_common(1)[0][0]
        precision = next(t.precision for t, _ in dated if t.date == day)
        clock = sorted(t.time for c in group.claims for t in c.times if t.time)
        entries.append(TimelineEntry(
            date=day if precision == "day" else f"{day}-01", precision=precision,
            time=clock[0] if clock else None, text=_wording_of_day(group, [c for t, c in dated if t.date == day]),
            article_ids=group.article_ids,
        ))
    return sorted(entries, key=lambda e: (e.date, e.time or ""))


def _wording_of_day(group: ClaimGroup, telling: list[Statement]) -> str:
    """The wording a timeline entry shows: the group's own, unless it names another day than the
    entry's (the reports that say *Thursday night* outnumber the one that says *Wednesday
    night*), then the first that names the entry's day (``telling``)."""
    return group.text if any(c.text == group.text for c in telling) else telling[0].text


def outlets_of_roots(articles: Sequence[Article], roots: Mapping[str, str]) -> dict[str, str]:
    """Each article's independent report's outlet (its root's, by ``roots``:
    :func:`~newstrace.text.outlets.reporting_outlet`). A claim whose independent reports all
    come from one outlet rests on a single source: one report, or one newsroom's several."""
    folded = {a.id: reporting_outlet(a.outlet, a.id) for a in articles}
    return {a.id: folded[roots.get(a.id, a.id)] for a in articles}


def _claim(claim_id: str, group: ClaimGroup, single_source: bool) -> Claim:
    entities = sorted({e.name for c in group.claims for e in c.entities})
    numbers = {_number_text(m): _number_fact(m) for c in group.claims for m in c.numbers}
    return Claim(
        id=claim_id, text=group.text, article_ids=group.article_ids,
        independent_ids=group.independent_ids, n_independent=group.n_independent,
        single_source=single_source, entities=entities, numbers=list(numbers.values()),
        versions=[Wording(c.article_id, c.text, c.start, c.end) for c in group.claims],
    )


def _number_text(m: Measure) -> str:
    return f"{m.value:g} {m.unit or m.counts or ''}".strip()


def _number_fact(m: Measure) -> NumberFact:
    return NumberFact(text=m.text, value=m.value, unit=m.unit, counts=m.counts, approx=m.approx,
                      equivalents=[Amount(e.value, e.unit) for e in m.equivalents])


def _quote(group: QuoteGroup) -> DigestQuote:
    return DigestQuote(
        text=group.text, speaker=group.speaker, speaker_kind=group.speaker_kind, cue=group.cue,
        article_ids=sorted({q.article_id for q in group.quotes}), independent_ids=group.independent_ids,
        occurrences=[QuoteOccurrence(q.article_id, q.start, q.end, q.speaker_mention) for q in group.quotes],
    )
