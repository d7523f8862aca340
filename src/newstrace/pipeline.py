"""The collection pipeline: ingest → fingerprint → copies → rewrites → provenance → stories.

Every stage works on the articles that are new to the store, against everything already
stored, and writes its results in one transaction per batch; what a previous run computed
is read back, never recomputed.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.align import Overlap, lexical_overlap
from newstrace.boilerplate import (
    BoilerplateIndex,
    pair_arrays,
    pair_batch,
    recurring_passages,
    sentence_pair_batch,
)
from newstrace.embed import Encoder, default_encoder
from newstrace.fingerprint import MinHasher, ShingleBatch
from newstrace.lsh import LSHIndex
from newstrace.ingest import iter_articles
from newstrace.match import directed, judge, needs_rewrite_check
from newstrace.model import (
    Article,
    BoilerplatePassage,
    Derivation,
    Digest,
    InputError,
    Relation,
    Report,
    Story,
    content_id,
)
from newstrace.engine.stages import near_copy_verdicts
from newstrace.relate import ProvenanceGraph, provenance_graph
from newstrace.sentence_store import stored_sentence_vectors
from newstrace.store import Store
from newstrace.stories import STATE_VERSION as STORY_STATE_VERSION
from newstrace.stories import StoryClusterer, encode_leads, extract_entities
from newstrace.titles import story_title
from newstrace.vectors import VectorIndex

#: Lead-vector similarity from which a pair sharing no wording is checked for a rewrite.
REWRITE_CANDIDATE_SIMILARITY = 0.55
#: Share of the names and numbers of the smaller article that the other must carry too.
REWRITE_MIN_SHARED_NAMES = 0.3
#: How many nearest neighbours of each new article are checked for a rewrite.
REWRITE_NEIGHBOURS = 8
BATCH = 2000
#: Fingerprint kinds in the store; a new hashing scheme gets a new kind, and stored
#: articles without one are fingerprinted again.
SIGNATURES = "minhash-v3"
#: Hashes of each article's consecutive sentences, counted for boilerplate (:mod:`newstrace.boilerplate`).
SENTENCE_PAIRS = "sentence-pairs-v1"
LEADS = "lead"
#: Digests cached in the store carry this version; a new way of building them gets a new one.
DIGEST_VERSION = 3

Progress = Callable[[str, int, int], None]
PathLike = str | os.PathLike


@dataclass
class Analyzer:
    """Runs the pipeline against one store. ``analyze`` and ``digest`` are built on it.

    >>> with Store(":memory:") as store:                      # doctest: +SKIP
    ...     report = Analyzer(store).run(["examples/"])
    """

    store: Store
    encoder: Encoder | None = None
    progress: Progress | None = None
    batch_size: int = BATCH  #: articles stored per transaction while ingesting
    prune_missing: bool = False  #: first remove stored articles whose input files are gone
    skipped: list[InputError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    graph: ProvenanceGraph | None = None
    #: boilerplate counts over the store, built by :meth:`find_copies` (see :meth:`_recurring`)
    _boilerplate: BoilerplateIndex | None = field(default=None, repr=False)
    #: partial-reuse pairs found by :meth:`find_copies`, judged again by :meth:`find_rewrites`
    _partial_pairs: dict[tuple[str, str], Overlap] = field(default_factory=dict, repr=False)

    # -- stages ---------------------------------------------------------------------
    def ingest(self, inputs: Iterable[PathLike]) -> list[Article]:
        """Load ``inputs`` and store the articles not stored yet; return those."""
        fresh: list[Article] = []
        batch: list[Article] = []
        seen = 0
        for article in iter_articles(inputs, on_skip=self.skipped.append):
            batch.append(article)
            seen += 1
            if len(batch) >= self.batch_size:
                fresh += self.store.add_articles(batch)
                batch = []
                self._tick("ingest", seen, 0)
        fresh += self.store.add_articles(batch)
        self.stats.update(inputs_read=seen, articles_new=len(fresh), inputs_skipped=len(self.skipped),
                          articles_replaced=sum(a.supersedes is not None for a in fresh))
        return fresh

    def remove_missing(self) -> list[str]:
        """Remove the stored articles whose input files no longer exist; return their ids."""
        gone = self.store.missing_files()
        self.store.remove_articles(gone)
        self.stats["articles_removed"] = len(gone)
        return gone

    def find_copies(self, fresh: Sequence[Article]) -> list[Relation]:
        """Near copies (duplicate/copy) of new articles among all stored ones.

        Pairs that reuse only some passages are judged with the rewrite check as well
        (see :func:`newstrace.match.judge`); they are stored by :meth:`find_rewrites`.
        The signatures and the verdicts are stored together; a pair that already has a
        verdict (articles a stopped run left) keeps it."""
        self._partial_pairs = {}
        if not fresh:
            return []
        stored = self.store.get_arrays(SIGNATURES)  # only earlier articles' signatures so far
        signatures = MinHasher().signatures([a.text for a in fresh])
        index = LSHIndex()
        if stored:
            index.add(list(stored), np.stack(list(stored.values())))
        boilerplate, fresh_pairs = self._boilerplate_index(fresh)
        self._boilerplate = boilerplate
        by_id = {a.id: a for a in fresh}

        def stored_article(key: str) -> Article:  # read only the stored articles that are candidates
            if key not in by_id:
                by_id[key] = self.store.articles([key])[0]
            return by_id[key]

        found = near_copy_verdicts(
            [a.text for a in fresh], [a.id for a in fresh], index=index, signatures=signatures,
            texts_of=lambda key: stored_article(key).text, boilerplate=boilerplate,
        )
        relations = []
        for verdict in found:
            near, comparison = verdict.near, verdict.comparison
            if comparison.relation == "partial":  # kept as seen from the pair's first id
                pair = _pair(near.a_key, near.b_key)
                if self.store.has_pair(*pair):
                    continue
                self._partial_pairs[pair] = (near.overlap if pair == (near.a_key, near.b_key)
                                             else near.overlap.swapped())
            # partial pairs are stored too: a run stopped before the rewrite check leaves
            # them for the next one to judge (see _stored_partial_pairs)
            a, b = stored_article(near.a_key), stored_article(near.b_key)
            relations.append(Relation(a.id, b.id, directed(comparison, a, b, names=(a.label, b.label))))
        with self.store.transaction():
            self.store.put_arrays(SIGNATURES, [a.id for a in fresh], list(signatures))
            self.store.put_arrays(SENTENCE_PAIRS, [a.id for a in fresh], pair_arrays(fresh_pairs))
            self.store.put_relations(relations, replace=False)
        self.stats["copies_found"] = len(relations)
        return relations

    def _boilerplate_index(self, fresh: Sequence[Article] = ()) -> tuple[BoilerplateIndex, ShingleBatch]:
        """Sentence-pair document frequencies over the stored articles and ``fresh``, and
        the sentence pairs of ``fresh``."""
        index = BoilerplateIndex()
        known = {a.id for a in fresh}
        stored = {key: pairs for key, pairs in self.store.get_arrays(SENTENCE_PAIRS).items()
                  if key not in known}
        if stored:
            index.add(list(stored), pair_batch(list(stored.values())))
        fresh_pairs = sentence_pair_batch([a.text for a in fresh])
        index.add([a.id for a in fresh], fresh_pairs)
        return index, fresh_pairs

    def _recurring(self) -> BoilerplateIndex:
        """The boilerplate counts over the whole store (built once per run)."""
        if self._boilerplate is None:
            self._boilerplate, _ = self._boilerplate_index()
        return self._boilerplate

    def boilerplate(self, articles: Sequence[Article]) -> list[BoilerplatePassage]:
        """The recurring boilerplate of ``articles``, counted over the whole store."""
        return recurring_passages(articles, self._recurring())

    def find_rewrites(self, fresh: Sequence[Article]) -> list[Relation]:
        """Rewrites (paraphrase) and same-event pairs: nearest neighbours by lead vector,
        plus the partial-reuse pairs left by :meth:`find_copies`."""
        if not fresh:
            return []
        self._partial_pairs.update(self._stored_partial_pairs(fresh))
        leads = encode_leads(fresh, encoder=self._encoder())
        stored = self.store.get_arrays(LEADS)
        stored.update(zip((a.id for a in fresh), leads))
        keys = list(stored)
        index = VectorIndex()
        index.add(np.arange(len(keys)), np.stack([stored[k] for k in keys]))
        neighbours, sims = index.search(leads, k=REWRITE_NEIGHBOURS + 1)
        known = self.store.compared_pairs()
        pairs: set[tuple[str, str]] = set(self._partial_pairs)
        for article, row, row_sims in zip(fresh, neighbours, sims):
            for key, sim in zip(row.tolist(), row_sims.tolist()):
                if key >= 0 and sim >= REWRITE_CANDIDATE_SIMILARITY and keys[key] != article.id:
                    pair = _pair(article.id, keys[key])
                    if pair not in known:
                        pairs.add(pair)
        articles = {a.id: a for a in self.store.articles(sorted({x for pair in pairs for x in pair}))}
        names = {key: set(extract_entities(a.text)) for key, a in articles.items()}
        checked = [pair for pair in sorted(pairs)
                   if pair in self._partial_pairs or _share_names(names[pair[0]], names[pair[1]])]
        relations = self._judge_pairs(checked, articles)
        with self.store.transaction():
            self.store.put_arrays(LEADS, [a.id for a in fresh], list(leads))
            self.store.put_relations(relations)
        self.stats["rewrite_pairs_checked"] = len(checked)
        self.stats["rewrite_pairs_skipped"] = len(pairs) - len(checked)
        return relations

    def _stored_partial_pairs(self, fresh: Sequence[Article]) -> dict[tuple[str, str], Overlap]:
        """Partial-reuse pairs stored for articles whose rewrite check never ran (a run
        stopped between the two stages), with their overlap measured again."""
        waiting = {a.id: a for a in fresh}
        pairs = [_pair(r.a, r.b) for r in self.store.relations(kind="partial")
                 if (r.a in waiting or r.b in waiting) and _pair(r.a, r.b) not in self._partial_pairs]
        if not pairs:
            return {}
        articles = {a.id: a for a in self.store.articles(sorted({x for pair in pairs for x in pair}))}
        return {pair: lexical_overlap(articles[pair[0]].text, articles[pair[1]].text) for pair in pairs}

    def _judge_pairs(self, pairs: Sequence[tuple[str, str]], articles: dict[str, Article]) -> list[Relation]:
        """Verdicts on ``pairs``: shared wording first (boilerplate is no evidence), then the
        rewrite check, with sentence vectors for only the articles of pairs that need it."""
        if not pairs:
            return []
        recurring = self._recurring()
        overlaps = [self._partial_pairs.get((x, y)) or lexical_overlap(articles[x].text, articles[y].text,
                                                                     boilerplate=recurring)
                    for x, y in pairs]
        needed = sorted({x for pair, overlap in zip(pairs, overlaps) if needs_rewrite_check(overlap) for x in pair})
        vectors = self._sentence_vectors([articles[i] for i in needed])
        relations = []
        for done, ((x, y), overlap) in enumerate(zip(pairs, overlaps), 1):
            a, b = articles[x], articles[y]
            comparison = judge(a.text, b.text, overlap=overlap, boilerplate=recurring,
                               encoder=self._encoder(), vecs_a=vectors.get(x), vecs_b=vectors.get(y))
            relations.append(Relation(a.id, b.id, directed(comparison, a, b, names=(a.label, b.label))))
            self._tick("rewrites", done, len(pairs))
        return relations

    def _sentence_vectors(self, articles: Sequence[Article]) -> dict[str, np.ndarray]:
        """Sentence vectors per article, read from the store by sentence content or encoded
        now (and stored): each distinct sentence is encoded once per store. Both are the
        stored float16 values, so a resumed run judges exactly as an unbroken one."""
        found = stored_sentence_vectors(self.store, [a.text for a in articles], self._encoder())
        return {a.id: v for a, v in zip(articles, found)}

    def build_stories(self, fresh: Sequence[Article], relations: Sequence[Relation]) -> tuple[list[Story], ProvenanceGraph]:
        """Assign new articles to stories (incrementally) and attribute copies to their roots.

        Stories are titled by :func:`newstrace.titles.story_title`, falling back on the
        clusterer's choice (the lead of its most central article)."""
        ids = self.store.article_ids()
        graph = provenance_graph(ids, relations)
        state = self.store.get_state("stories")
        if state and state.get("version") != STORY_STATE_VERSION:  # another version's stories: built again
            state, fresh = None, self.store.articles()
        clusterer = StoryClusterer.from_state(state) if state else StoryClusterer()
        if fresh:
            leads = self.store.get_arrays(LEADS, [a.id for a in fresh])
            vectors = np.stack([leads[a.id] for a in fresh])
            links = [(r.a, r.b) for r in relations if r.derived]
            clusterer.assign(fresh, vectors, links)
        articles = {a.id: a for a in self.store.articles()}
        derivations = graph.derivations()  # once: per story it cost stories x articles
        position = {d.article_id: i for i, d in enumerate(derivations)}
        stories = [
            self._story(story_id, members, clusterer.title_of(story_id), graph, articles,
                        [derivations[i] for i in sorted(position[m] for m in set(members) if m in position)])
            for story_id, members in clusterer.stories().items()
        ]
        stories.sort(key=lambda s: (-len(s.article_ids), s.first_date or "", s.id))
        with self.store.transaction():
            if fresh:
                self.store.put_state("stories", clusterer.to_state())
            self.store.put_stories(stories)
        return stories, graph

    def unassigned(self, fresh: Sequence[Article]) -> list[Article]:
        """``fresh`` and any stored article that no story holds yet (a run stopped
        before the story stage), in insertion order."""
        held = {m for story in self.store.stories() for m in story.article_ids}
        return self._with_stored(fresh, [i for i in self.store.article_ids() if i not in held], resumed=False)

    def pending(self, kind: str, fresh: Sequence[Article]) -> list[Article]:
        """``fresh`` and any stored article without a fingerprint of ``kind`` (a run
        stopped before that stage, or a store from an older version), oldest first."""
        return self._with_stored(fresh, self.store.ids_without(kind))

    def _with_stored(self, fresh: Sequence[Article], ids: Sequence[str], *, resumed: bool = True) -> list[Article]:
        """Stored articles among ``ids`` (not in ``fresh``) then ``fresh``; with ``resumed``,
        how many were stored ones is counted in ``stats["articles_resumed"]``."""
        known = {a.id for a in fresh}
        earlier = self.store.articles([i for i in ids if i not in known])
        if earlier and resumed:
            self.stats["articles_resumed"] = max(self.stats.get("articles_resumed", 0), len(earlier))
        return earlier + list(fresh)

    @staticmethod
    def _story(story_id: str, members: list[str], title: str, graph: ProvenanceGraph,
               articles: dict[str, Article], derived: list[Derivation]) -> Story:
        """A story of ``members``; ``derived``: the graph's derivations of its members, in order."""
        dates = sorted(articles[m].date[:10] for m in members if articles[m].date)
        outlets = sorted({articles[m].outlet for m in members if articles[m].outlet})
        return Story(
            id=story_id,
            title=story_title([articles[m] for m in members], lambda: title),
            article_ids=members,
            independent_ids=[m for m in members if graph.root_of(m) == m],
            derived=derived,
            outlets=outlets,
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
        )

    # -- whole runs -----------------------------------------------------------------
    def run(self, inputs: Iterable[PathLike]) -> Report:
        """Analyse ``inputs`` against the store; the report covers the whole store (every
        article it holds, the latest version of each), ``stats`` say what this run added."""
        started = time.perf_counter()
        if self.prune_missing:
            self.remove_missing()
        with self._timed("ingest"):
            fresh = self.ingest(inputs)
        with self._timed("copies"):
            self.find_copies(self.pending(SIGNATURES, fresh))
        with self._timed("rewrites"):
            self.find_rewrites(self.pending(LEADS, fresh))
        with self._timed("stories"):
            relations = self.store.relations()
            stories, self.graph = self.build_stories(self.unassigned(fresh), relations)
        self.stats["seconds"] = round(time.perf_counter() - started, 3)
        articles = self.store.articles()
        self.stats.update(store_articles=len(articles), report_scope="store")
        return Report(
            articles=articles, relations=relations, stories=stories,
            skipped=list(self.skipped), stats=dict(self.stats),
            boilerplate=self.boilerplate(articles),
        )

    def add_digests(self, report: Report) -> None:
        """Attach a digest to every story (cached in the store by story membership and
        :data:`DIGEST_VERSION`)."""
        from newstrace.digests import build_digest

        by_id = {a.id: a for a in report.articles}
        for done, story in enumerate(report.stories, 1):
            roots = {d.article_id: d.root_id for d in story.derived}
            roots.update({m: roots.get(m, m) for m in story.article_ids})
            key = f"digest-v{DIGEST_VERSION}:" + content_id(json.dumps(sorted(roots.items())))
            cached = self.store.get_state(key)
            if cached is not None:
                story.digest = Digest.from_dict(cached)
            else:
                members = [by_id[m] for m in story.article_ids]
                story.digest = build_digest(members, roots, encoder=self._encoder())
                self.store.put_state(key, story.digest.to_dict())
            self._tick("digest", done, len(report.stories))
        self.store.put_stories(report.stories)

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        """Record the stage's wall time in ``stats["stage_seconds"]``, then fold the store's
        write-ahead log into the database (see :meth:`Store.checkpoint`)."""
        started = time.perf_counter()
        yield
        self.store.checkpoint()
        self.stats.setdefault("stage_seconds", {})[stage] = round(time.perf_counter() - started, 3)

    def _encoder(self) -> Encoder:
        if self.encoder is None:
            self.encoder = default_encoder()
        return self.encoder

    def _tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


def _share_names(names_a: set[str], names_b: set[str]) -> bool:
    """Whether two articles' names and numbers overlap enough to be worth a sentence-level
    rewrite check: a rewrite keeps nearly all of its source's (seen: 0.8–0.95 of the
    smaller set), independent reports of one event about half, unrelated texts a few."""
    smaller = min(len(names_a), len(names_b))
    return smaller == 0 or len(names_a & names_b) / smaller >= REWRITE_MIN_SHARED_NAMES


def _pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


def _as_paths(inputs: PathLike | Iterable[PathLike]) -> list[PathLike]:
    if isinstance(inputs, (str, os.PathLike)):
        return [inputs]
    return list(inputs)


def analyze(
    inputs: PathLike | Iterable[PathLike],
    db: str | Path | None = None,
    *,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    fresh: bool = False,
    prune_missing: bool = False,
) -> Report:
    """Analyse files or folders of articles: copies, rewrites, stories and independent reports.

    With ``db`` the results persist in that SQLite file and a later call only compares the
    new articles (and finishes the work of a run that was stopped); without it the store
    lives in memory. Ingest stores ``batch_size`` articles per transaction. ``fresh``
    empties the store first; ``prune_missing`` removes the stored articles whose input
    files are gone. The run holds the store's writer lock: :class:`~newstrace.store.StoreBusy`
    when another process is writing to ``db``.
    """
    return _analyze(inputs, db, encoder, progress, batch_size, with_digests=False, fresh=fresh,
                    prune_missing=prune_missing)


def digest(
    inputs: PathLike | Iterable[PathLike],
    db: str | Path | None = None,
    *,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    fresh: bool = False,
    prune_missing: bool = False,
) -> Report:
    """:func:`analyze`, plus a digest per story (``Story.digest``): corroborated claims,
    quotes by speaker, timeline, single-source claims and conflicts."""
    return _analyze(inputs, db, encoder, progress, batch_size, with_digests=True, fresh=fresh,
                    prune_missing=prune_missing)


def remove(refs: Iterable[str], db: str | Path, *, encoder: Encoder | None = None) -> tuple[list[str], list[str]]:
    """Remove stored articles named by id, input id, URL, file or folder (see
    :meth:`Store.find`), then rebuild the stories from the articles left. Returns the ids
    removed and the refs that named nothing stored."""
    removed: list[str] = []
    unmatched: list[str] = []
    with Store(db, lock=True) as store:
        for ref in refs:
            ids = store.find(ref)
            if not ids:
                unmatched.append(ref)
            removed += [i for i in ids if i not in removed]
        if store.remove_articles(removed):
            Analyzer(store, encoder=encoder).run([])
    return removed, unmatched


def _analyze(inputs: PathLike | Iterable[PathLike], db: str | Path | None, encoder: Encoder | None,
             progress: Progress | None, batch_size: int, *, with_digests: bool, fresh: bool = False,
             prune_missing: bool = False) -> Report:
    with Store(db if db is not None else ":memory:", lock=True, fresh=fresh) as store:
        analyzer = Analyzer(store, encoder=encoder, progress=progress, batch_size=batch_size,
                            prune_missing=prune_missing)
        report = analyzer.run(_as_paths(inputs))
        if with_digests:
            with analyzer._timed("digests"):
                analyzer.add_digests(report)
            report.stats = dict(analyzer.stats)
        return report
