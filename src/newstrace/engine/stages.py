"""Pure stages: each a function from a batch to its results, with no store access.

A driver gathers the inputs (from a store, from worker processes), calls the stage, and
persists or streams what it returns; so every driver finds the same pairs the same way.
The local conductor (:class:`newstrace.engine.local.Analyzer`) runs them in this order:

1. :func:`read_slice_fingerprinted` (per article, on worker processes): read, clean and
   fingerprint one slice of the inputs (:func:`fingerprint` for articles met otherwise);
2. :func:`copy_relations`: near copies of new articles among themselves and the stored
   ones (:func:`near_copy_verdicts`, shared with the streaming ``dedup`` finder), and the
   partial-reuse pairs it leaves to the rewrite check;
3. :func:`rewrite_candidates`, :func:`plan_rewrite_checks`, :func:`rewrite_verdicts`:
   rewrites and same-event pairs among lead-vector neighbours and those partial pairs;
4. :func:`place_stories`: stories and the provenance graph;
5. :func:`digest_key`: what a story's digest depends on (its members and their roots).

Models (the sentence encoder, the story clusterer's state) are inputs too; stages that
need the heavy model modules import them when called, so ``dedup`` never loads them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from newstrace.match.align import Overlap, lexical_overlap
from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.match.fingerprint import MinHasher, ShingleBatch
from newstrace.ingest.readers import ExternalIds, Slice, read_slice
from newstrace.match.lsh import LSHIndex, Prepared
from newstrace.match.compare import directed, judge, lexical_verdict, needs_rewrite_check
from newstrace.model import Article, Comparison, Derivation, InputError, Relation, Story, content_id
from newstrace.match.nearcopy import NearCopy, find_near_copies
from newstrace.relate import ProvenanceGraph, provenance_graph
from newstrace.text.titles import headline, story_title

if TYPE_CHECKING:
    from newstrace.encode.runtime import TextEncoder
    from newstrace.stories import StoryClusterer

Pair = tuple[str, str]

#: Lead-vector similarity from which a pair sharing no wording is checked for a rewrite
#: (benchmarks/bench_encoders.py candidates at 0.55: MiniLM recall 0.937, 2.95 other pairs per
#: lead; the centred static leads 0.931, 3.56).
REWRITE_CANDIDATE_SIMILARITY = 0.55
#: Share of the names and numbers of the smaller article that the other must carry too.
REWRITE_MIN_SHARED_NAMES = 0.3
#: How many nearest neighbours of each new article are checked for a rewrite.
REWRITE_NEIGHBOURS = 8
#: New articles whose lead neighbours are found exactly (:func:`nearest_leads`); a larger batch
#: searches an HNSW index (approximate: on 10,000 random 256-d unit vectors it returned 80 %
#: of the exact 9 nearest). The two cost the same at about 26,000 new articles (loaded
#: 2-core machine: exact 3.2 s per 10^8 similarities, the index 0.84 ms per vector added).
EXACT_SEARCH_QUERIES = 20_000
#: Digests carry this version; a new way of building them gets a new one.
DIGEST_VERSION = 4  #: 4: a claim of one outlet's reports is single-source
#: What every key of a digest of this version starts with (see :func:`digest_key`).
DIGEST_PREFIX = f"digest-v{DIGEST_VERSION}:"


def ordered_pair(x: str, y: str) -> Pair:
    """A pair as verdicts are kept: its ids in sorted order."""
    return (x, y) if x <= y else (y, x)


# -- 1. per article: read, clean, fingerprint -----------------------------------------------
@dataclass
class Fingerprints:
    """A batch's MinHash signatures (one row per text) and sentence-pair hashes (for
    boilerplate counts), from one tokenisation."""

    signatures: np.ndarray
    sentence_pairs: ShingleBatch


def fingerprint(texts: Sequence[str], hasher: MinHasher | None = None) -> Fingerprints:
    """The fingerprints of ``texts`` (:meth:`~newstrace.match.fingerprint.MinHasher.sketch`)."""
    signatures, pairs = (hasher or MinHasher()).sketch(texts)
    return Fingerprints(signatures, pairs)


@dataclass
class SliceRead:
    """One slice of the inputs read and fingerprinted: its articles and the inputs it
    skipped, in input order (``items``), and the fingerprints of its articles."""

    items: list[Article | InputError]
    fingerprints: Fingerprints

    @property
    def articles(self) -> list[Article]:
        return [item for item in self.items if isinstance(item, Article)]


def read_slice_fingerprinted(piece: Slice) -> SliceRead:
    """Read, clean and fingerprint one slice (:func:`newstrace.ingest.readers.plan_slices`): what a
    worker process does for ``analyze``; an article not in English is marked with its
    language (:meth:`~newstrace.model.Article.mark_language`). Duplicate input ids are left to the caller
    (:func:`unique_ids`), who sees every slice."""
    items: list[Article | InputError] = []
    items.extend(read_slice(piece, on_skip=items.append))
    articles = [item for item in items if isinstance(item, Article)]
    for article in articles:
        article.mark_language()
    return SliceRead(items, fingerprint([article.text for article in articles]))


def unique_ids(items: Sequence[Article | InputError], seen: ExternalIds) -> list[Article | InputError]:
    """``items`` with each article whose input id came before with other content turned
    into the error that reports it (as :func:`newstrace.ingest.readers.iter_articles` does)."""
    checked: list[Article | InputError] = []
    for item in items:
        if isinstance(item, Article):
            result = seen.check(item)
            item = result.to_input_error() if not isinstance(result, Article) else result
        checked.append(item)
    return checked


# -- 2. near copies --------------------------------------------------------------------------
@dataclass
class CopyVerdict:
    """A pair that shares wording, with its lexical verdict (``a_key`` the earlier text)."""

    near: NearCopy
    comparison: Comparison


def near_copy_verdicts(texts: Sequence[str], keys: Sequence[str], *, index: LSHIndex,
                       signatures: np.ndarray | Prepared, texts_of: Callable[[str], str],
                       boilerplate: BoilerplateIndex) -> list[CopyVerdict]:
    """The near copies (``duplicate``, ``copy``, ``partial``) of a batch of new texts among
    themselves and the earlier ones ``index`` holds (read by ``texts_of``), each with its
    verdict; pairs whose only shared wording is quotation or ``boilerplate`` are left out.
    ``index`` takes in the batch's signatures."""
    found = find_near_copies(texts, keys, index=index, signatures=signatures, texts_of=texts_of,
                             boilerplate=boilerplate)
    verdicts = [CopyVerdict(near, lexical_verdict(near.overlap)) for near in found]
    return [verdict for verdict in verdicts if verdict.comparison is not None]


@dataclass
class CopyResult:
    """What the near-copy stage found: directed relations (``duplicate``, ``copy`` and
    ``partial``), and the partial-reuse pairs (seen from the pair's first id) that the
    rewrite check judges again."""

    relations: list[Relation] = field(default_factory=list)
    partial_pairs: dict[Pair, Overlap] = field(default_factory=dict)


def copy_relations(articles: Sequence[Article], signatures: np.ndarray, *, index: LSHIndex,
                   boilerplate: BoilerplateIndex, article_of: Callable[[str], Article],
                   judged: Container[Pair]) -> CopyResult:
    """Near copies of new ``articles`` among themselves and the earlier ones ``index``
    holds (``article_of`` reads those by id). A partial pair that already has a verdict
    (``judged``: articles a stopped run left) keeps it."""
    result = CopyResult()
    found = near_copy_verdicts([a.text for a in articles], [a.id for a in articles], index=index,
                               signatures=signatures, texts_of=lambda key: article_of(key).text,
                               boilerplate=boilerplate)
    for verdict in found:
        near, comparison = verdict.near, verdict.comparison
        if comparison.relation == "partial":
            pair = ordered_pair(near.a_key, near.b_key)
            if pair in judged:
                continue
            result.partial_pairs[pair] = (near.overlap if pair == (near.a_key, near.b_key)
                                          else near.overlap.swapped())
        a, b = article_of(near.a_key), article_of(near.b_key)
        result.relations.append(Relation(a.id, b.id, directed(comparison, a, b, names=(a.label, b.label))))
    return result


def remeasured_partial_pairs(pairs: Sequence[Pair], articles: Mapping[str, Article], *,
                             boilerplate: BoilerplateIndex) -> dict[Pair, Overlap]:
    """The overlap of partial-reuse pairs stored by a run that stopped before their
    rewrite check, measured again as the near-copy stage measured it (``boilerplate``: the
    recurring text, which is no evidence)."""
    return {pair: lexical_overlap(articles[pair[0]].text, articles[pair[1]].text, boilerplate=boilerplate)
            for pair in pairs}


# -- 3. rewrites -------------------------------------------------------------------------------
def rewrite_candidates(fresh: Sequence[str], leads: np.ndarray, stored: Sequence[str], stored_leads: np.ndarray, *,
                       judged: Container[Pair], partial_pairs: Collection[Pair]) -> set[Pair]:
    """Pairs to check for a rewrite: each new article (ids ``fresh``, lead vectors
    ``leads``) with its :data:`REWRITE_NEIGHBOURS` nearest leads among the ``stored``
    articles' (``stored_leads``, a row each) and the batch (:func:`nearest_leads`), from
    :data:`REWRITE_CANDIDATE_SIMILARITY`, unless ``judged`` already; and ``partial_pairs``."""
    new = set(fresh)
    rows = [row for row, key in enumerate(stored) if key not in new]
    keys = [stored[row] for row in rows] + list(fresh)
    if len(rows) < len(stored):
        stored_leads = stored_leads[rows]
    vectors = np.concatenate([stored_leads, leads]) if rows else leads
    neighbours, sims = nearest_leads(leads, vectors, REWRITE_NEIGHBOURS + 1, floor=REWRITE_CANDIDATE_SIMILARITY,
                                     scratch=vectors is not leads)
    pairs: set[Pair] = set(partial_pairs)
    for article_id, row, row_sims in zip(fresh, neighbours, sims):
        for key, sim in zip(row.tolist(), row_sims.tolist()):
            if key >= 0 and sim >= REWRITE_CANDIDATE_SIMILARITY and keys[key] != article_id:
                pair = ordered_pair(article_id, keys[key])
                if pair not in judged:
                    pairs.add(pair)
    return pairs


def nearest_leads(queries: np.ndarray, vectors: np.ndarray, k: int, *,
                  floor: float | None = None, scratch: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` nearest each query row, with their similarities: an exact
    search for up to :data:`EXACT_SEARCH_QUERIES` queries (its cost grows with queries x
    vectors: a few new articles against a large store cost a fraction of a second; from
    ``floor`` up only, when given), HNSW graphs over every vector for more
    (:func:`~newstrace.encode.index.approximate_neighbours`: their cost grows with the vectors).
    ``scratch``: ``vectors`` is the caller's own copy, which the exact search may scale in place."""
    from newstrace.encode.index import approximate_neighbours, exact_neighbours

    if len(queries) <= EXACT_SEARCH_QUERIES:
        return exact_neighbours(queries, vectors, k, floor=floor, in_place=scratch)
    return approximate_neighbours(queries, vectors, k)


@dataclass
class RewritePlan:
    """The candidate pairs worth a verdict (sorted), their shared wording, the articles
    whose sentence vectors the verdicts need, and how many candidates were left out."""

    pairs: list[Pair]
    overlaps: list[Overlap]
    needs_vectors: list[str]
    skipped: int


def plan_rewrite_checks(candidates: Collection[Pair], articles: Mapping[str, Article], *,
                        partial_pairs: Mapping[Pair, Overlap], boilerplate: BoilerplateIndex) -> RewritePlan:
    """Keep the partial pairs and the candidates that share enough names and numbers
    (:func:`share_names`), with their shared wording (boilerplate is no evidence)."""
    from newstrace.text.names import extract_entities_batch

    keys = sorted({x for p in candidates for x in p})
    names: dict[str, set[str]] = {}
    for first in range(0, len(keys), 4096):  # a batch at a time: its lists are let go as sets
        batch = keys[first : first + 4096]
        names.update(zip(batch, map(set, extract_entities_batch([articles[key].text for key in batch]))))
    pairs = [pair for pair in sorted(candidates)
             if pair in partial_pairs or share_names(names[pair[0]], names[pair[1]])]
    overlaps = [partial_pairs.get((x, y)) or lexical_overlap(articles[x].text, articles[y].text,
                                                            boilerplate=boilerplate)
                for x, y in pairs]
    needed = sorted({x for pair, overlap in zip(pairs, overlaps)
                     if needs_rewrite_check(overlap) and reads_english(articles, pair) for x in pair})
    return RewritePlan(pairs, overlaps, needed, len(candidates) - len(pairs))


def reads_english(articles: Mapping[str, Article], pair: Pair) -> bool:
    """Whether both articles of ``pair`` are in English, which the rewrite check reads."""
    return all(articles[key].language is None for key in pair)


def rewrite_verdicts(plan: RewritePlan, articles: Mapping[str, Article], vectors: Mapping[str, np.ndarray], *,
                     encoder: TextEncoder, boilerplate: BoilerplateIndex,
                     progress: Callable[[int, int], None] | None = None) -> list[Relation]:
    """Directed verdicts on the planned pairs (the rewrite check with the sentence
    ``vectors`` of the articles that need them); ``progress(done, total)`` after each."""
    relations = []
    for done, ((x, y), overlap) in enumerate(zip(plan.pairs, plan.overlaps), 1):
        a, b = articles[x], articles[y]
        comparison = judge(a.text, b.text, overlap=overlap, boilerplate=boilerplate, encoder=encoder,
                           vecs_a=vectors.get(x), vecs_b=vectors.get(y), english=reads_english(articles, (x, y)))
        relations.append(Relation(a.id, b.id, directed(comparison, a, b, names=(a.label, b.label))))
        if progress is not None:
            progress(done, len(plan.pairs))
    return relations


def share_names(names_a: set[str], names_b: set[str]) -> bool:
    """Whether two articles' names and numbers overlap enough to be worth a sentence-level
    rewrite check: a rewrite keeps nearly all of its source's (seen: 0.8–0.95 of the
    smaller set), independent reports of one event about half, unrelated texts a few."""
    smaller = min(len(names_a), len(names_b))
    return smaller == 0 or len(names_a & names_b) / smaller >= REWRITE_MIN_SHARED_NAMES


# -- 4. stories ----------------------------------------------------------------------------------
@dataclass
class StoryResult:
    """Every story (largest first) and the provenance graph over all articles."""

    stories: list[Story]
    graph: ProvenanceGraph


def place_stories(clusterer: StoryClusterer, fresh: Sequence[Article], leads: np.ndarray,
                  relations: Sequence[Relation], articles: Sequence[Article]) -> StoryResult:
    """Assign the ``fresh`` articles (with their ``leads``) to the ``clusterer``'s stories
    (updated in place; derived pairs keep their articles together), and describe every
    story over ``articles`` (all of them, in store order). Stories are titled by
    :func:`newstrace.text.titles.story_title`, falling back on the clusterer's choice."""
    graph = provenance_graph([a.id for a in articles], relations)
    if fresh:
        clusterer.assign(fresh, leads, story_ties(relations))
    by_id = {a.id: a for a in articles}
    derivations = graph.derivations()  # once: per story it cost stories x articles
    position = {d.article_id: i for i, d in enumerate(derivations)}
    stories = []
    for story_id, members in clusterer.stories().items():
        if len(members) == 1 and members[0] not in position:  # most stories of a large store
            stories.append(_story_of_one(story_id, members, clusterer.title_of(story_id), by_id[members[0]]))
            continue
        found = [position[m] for m in members if m in position]
        stories.append(story_of(story_id, members, clusterer.title_of(story_id), graph, by_id,
                                [derivations[i] for i in sorted(set(found))] if found else []))
    _sort_stories(stories)
    return StoryResult(stories, graph)


def _sort_stories(stories: list[Story]) -> None:
    """Sort ``stories`` in the report's order, in place: largest first, then by first date
    (undated first) and id. Sorted a key at a time from the last (Python's sort is stable,
    and one of strings or of integers is compared without building a tuple per story: at
    95,000 stories a third of the time)."""
    stories.sort(key=lambda s: s.id)
    stories.sort(key=lambda s: s.first_date or "")
    stories.sort(key=lambda s: -len(s.article_ids))


def _story_of_one(story_id: str, members: list[str], title: str, only: Article) -> Story:
    """:func:`story_of` a story of one independent article, made directly (a second run into
    a store of 95,000 stories describes them all: 0.7 s, most of it for stories of one)."""
    day = only.date[:10] if only.date else None
    return Story(id=story_id, title=headline(only) or title, article_ids=members, independent_ids=members[:],
                 outlets=[only.outlet] if only.outlet else [], first_date=day, last_date=day)


def story_ties(relations: Sequence[Relation]) -> list[tuple[str, str]]:
    """The pairs that must share a story: every derived pair except those of a compilation
    with what it excerpts. An article that holds passages of two or more articles that share
    nothing with each other (a morning briefing of several events, a roundup, a live page
    pasting reports of different events, a page scraped with the next article run on) is
    not about each of them: those passages tie it to none, so it joins a story by its own
    lead, as the clusterer judges, and the articles it excerpts keep their own stories, even
    the one that makes most of it. Where those articles are one event after all (a report
    lifting from two agencies), the clusterer puts them together by their likeness. A
    rewrite is never an excerpt: it restates the whole of its source."""
    derived = [r for r in relations if r.derived]
    related = {frozenset((r.a, r.b)) for r in derived}
    held: dict[str, list[str]] = {}  #: article -> the articles whose wording it holds
    for r in derived:
        if r.relation != "paraphrase":
            held.setdefault(r.a, []).append(r.b)
            held.setdefault(r.b, []).append(r.a)
    compiled = {(article, other) for article, others in held.items()
                if any(frozenset((p, q)) not in related for k, p in enumerate(others) for q in others[k + 1:])
                for other in others}
    return [(r.a, r.b) for r in derived if (r.a, r.b) not in compiled and (r.b, r.a) not in compiled]


def story_of(story_id: str, members: list[str], title: str, graph: ProvenanceGraph,
             articles: Mapping[str, Article], derived: list[Derivation]) -> Story:
    """A story of ``members``; ``derived``: the graph's derivations of its members, in order."""
    stated = [articles[m] for m in members]
    if len(stated) == 1:  # most stories of a large store: no sorting (a second run describes them all)
        only = stated[0]
        dates = [only.date[:10]] if only.date else []
        outlets = [only.outlet] if only.outlet else []
    else:
        dates = sorted(a.date[:10] for a in stated if a.date)
        outlets = sorted({a.outlet for a in stated if a.outlet})
    return Story(
        id=story_id,
        title=story_title(stated, lambda: title),
        article_ids=members,
        independent_ids=[m for m in members if graph.root_of(m) == m],
        derived=derived,
        outlets=outlets,
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
    )


# -- 5. digests ----------------------------------------------------------------------------------
def story_roots(story: Story) -> dict[str, str]:
    """Each member of ``story`` with the independent report it derives from (itself when independent)."""
    roots = {d.article_id: d.root_id for d in story.derived}
    roots.update({m: roots.get(m, m) for m in story.article_ids})
    return roots


def digest_key(story: Story) -> str:
    """What a story's digest depends on: its members and their roots, and
    :data:`DIGEST_VERSION`. A story whose members or roots change gets another key."""
    return DIGEST_PREFIX + content_id(json.dumps(sorted(story_roots(story).items())))
