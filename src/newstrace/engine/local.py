"""The collection pipeline: ingest → fingerprint → copies → rewrites → provenance → stories.

Every stage works on the articles that are new to the store, against everything already
stored, and writes its results in one transaction per batch; what a previous run computed
is read back, never recomputed. A store's lead and sentence vectors all come from one
encoder (``minilm``, or the faster ``static``), named in the store by its first run.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from newstrace.match.align import Overlap
from newstrace.match.boilerplate import (
    BoilerplateIndex,
    Runs,
    listed_boilerplate,
    pair_arrays,
    pair_batch,
    passage_runs,
    recurring_passages,
    removed_passages,
)
from newstrace.match.fingerprint import ShingleBatch
from newstrace.encode.runtime import (
    DEFAULT_ENCODER,
    ENCODER_NAMES,
    EncoderChoice,
    EncoderName,
    TextEncoder,
    default_encoder,
    encoder_name,
    shared_encoders,
)
from newstrace.engine.memory import collector_paused, release_free_memory
from newstrace.engine.parallel import Mapper, available_cores, ordered_map
from newstrace.engine.stages import (
    DIGEST_PREFIX,
    DIGEST_VERSION,
    REWRITE_CANDIDATE_SIMILARITY,
    REWRITE_MIN_SHARED_NAMES,
    REWRITE_NEIGHBOURS,
    CopyResult,
    Fingerprints,
    Pair,
    copy_relations,
    digest_key,
    fingerprint,
    ordered_pair,
    place_stories,
    plan_rewrite_checks,
    read_slice_fingerprinted,
    remeasured_partial_pairs,
    rewrite_candidates,
    rewrite_verdicts,
    story_roots,
    unique_ids,
)
from newstrace.ingest.readers import ExternalIds, Slice, plan_slices
from newstrace.match.lsh import LSHIndex
from newstrace.model import (
    REPORT_SCOPES,
    Article,
    BoilerplatePassage,
    Digest,
    InputError,
    Relation,
    Report,
    ReportScope,
    Story,
)
from newstrace.relate import ProvenanceGraph, derivation_component, through_common_sources
from newstrace.encode.sentence_store import stored_sentence_vectors
from newstrace.store import Store, StoreError
from newstrace.stories import STATE_VERSION as STORY_STATE_VERSION
from newstrace.stories import TABLE_STATE_VERSION as STORY_TABLE_VERSION
from newstrace.stories import StoryClusterer, encode_leads

if TYPE_CHECKING:  # pragma: no cover
    from newstrace.digests.facts import ArticleFacts

__all__ = ["DIGEST_VERSION", "REWRITE_CANDIDATE_SIMILARITY", "REWRITE_MIN_SHARED_NAMES", "REWRITE_NEIGHBOURS",
           "Analyzer", "EncoderMismatch", "analyze", "digest", "remove"]

BATCH = 2000
#: Bytes of input per slice read and fingerprinted by a worker process while ingesting.
SLICE_BYTES = 1_000_000
#: Articles whose facts a ``digest`` run extracts together, on the worker processes.
DIGEST_ARTICLES = 512
#: Fingerprint kinds in the store; a new hashing scheme gets a new kind, and stored
#: articles without one are fingerprinted again.
SIGNATURES = "minhash-v3"
#: Hashes of each article's consecutive sentences, counted for boilerplate (:mod:`newstrace.match.boilerplate`).
SENTENCE_PAIRS = "sentence-pairs-v1"
LEADS = "lead"
#: Fingerprint kind of each encoder's lead vectors (MiniLM's keeps the name it always had).
LEAD_KINDS = {"minilm": LEADS, "static": "lead-static"}
#: Store state naming the encoder of the store's vectors (a store from before it: MiniLM).
ENCODER_STATE = "encoder"
#: Run state: the boilerplate runs the last report found, per article (see :meth:`Analyzer.boilerplate`).
PASSAGE_RUNS_STATE = "boilerplate-runs-v1"

Progress = Callable[[str, int, int], None]
PathLike = str | os.PathLike
#: The encoder of a run: a name (``"minilm"``, ``"static"``) or an encoder object.
EncoderArg = EncoderName | TextEncoder


class EncoderMismatch(StoreError):
    """A run asked for another encoder than the one the store's vectors come from."""


@dataclass
class Analyzer:
    """Runs the pipeline against one store: gathers each stage's inputs from the store,
    calls the pure stage (:mod:`newstrace.engine.stages`) and stores what it returns.
    ``analyze`` and ``digest`` are built on it.

    The per-article work (read, clean, fingerprint) runs on ``workers`` processes
    (default: the available cores; 1: all in this process), with the same results.
    ``encoder`` makes the lead and sentence vectors (default: the one the store was made
    with, else MiniLM); :class:`EncoderMismatch` when the store was made with another.

    >>> with Store(":memory:") as store:                      # doctest: +SKIP
    ...     report = Analyzer(store).run(["examples/"])
    """

    store: Store
    encoder: EncoderArg | None = None
    progress: Progress | None = None
    batch_size: int = BATCH  #: articles stored per transaction while ingesting
    prune_missing: bool = False  #: first remove stored articles whose input files are gone
    workers: int | None = None  #: processes for the per-article stages (default: available cores)
    mapper: Mapper | None = None  #: maps the per-slice stage elsewhere instead (e.g. a Dask engine's ``map``)
    slice_bytes: int = SLICE_BYTES  #: input bytes per slice handed to a worker
    skipped: list[InputError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    graph: ProvenanceGraph | None = None
    #: what a report covers: every stored article (``"store"``), or only the stories the
    #: run made or changed, with their articles and the relations between them (``"run"``)
    scope: ReportScope = "store"
    #: the ids of the stories the last run made or changed (written to the store)
    changed_stories: list[str] = field(default_factory=list)
    #: boilerplate counts over the store, built by :meth:`find_copies` (see :meth:`_recurring`)
    _boilerplate: BoilerplateIndex | None = field(default=None, repr=False)
    #: fingerprints computed while ingesting, by article id, until :meth:`find_copies` stores them
    _fingerprints: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    #: the encoders of the store's vectors (see :meth:`_encoders`)
    _vectors: EncoderChoice | None = field(default=None, repr=False)

    # -- stages ---------------------------------------------------------------------
    def ingest(self, inputs: Iterable[PathLike], *, searchable: bool = True) -> list[Article]:
        """Load ``inputs`` and store the articles not stored yet; return those. Reading,
        cleaning and fingerprinting run on the worker processes. With ``searchable`` false
        the new articles are left for :meth:`~newstrace.store.Store.index_for_search`."""
        fresh: list[Article] = []
        batch: list[Article] = []
        prints: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        seen = 0
        for article, printed in self._read(inputs):
            batch.append(article)
            prints[article.id] = printed
            seen += 1
            if len(batch) >= self.batch_size:
                fresh += self._store_batch(batch, prints, searchable)
                batch, prints = [], {}
                self._tick("ingest", seen, 0)
        fresh += self._store_batch(batch, prints, searchable)
        self.stats.update(inputs_read=seen, articles_new=len(fresh), inputs_skipped=len(self.skipped),
                          articles_replaced=sum(a.supersedes is not None for a in fresh))
        return fresh

    def _store_batch(self, batch: list[Article], prints: dict[str, tuple[np.ndarray, np.ndarray]],
                     searchable: bool = True) -> list[Article]:
        """Store ``batch``; keep the fingerprints of the articles that were new."""
        added = self.store.add_articles(batch, searchable=searchable)
        self._fingerprints.update((a.id, prints[a.id]) for a in added if a.id in prints)
        return added

    def _read(self, inputs: Iterable[PathLike]) -> Iterator[tuple[Article, tuple[np.ndarray, np.ndarray]]]:
        """The articles of ``inputs`` in input order, each with its signature and sentence
        pairs, read in slices on the worker processes; skipped inputs go to ``skipped``
        in input order, as :func:`newstrace.ingest.readers.iter_articles` reports them."""
        before: deque[list[InputError]] = deque()  # inputs skipped while planning, per slice
        seen_ids = ExternalIds()
        mapper = self.mapper or partial(ordered_map, processes=self._processes())
        for read in mapper(read_slice_fingerprinted, self._planned(inputs, before)):
            self.skipped += before.popleft()
            # the fingerprints of the slice's articles, in order (those refused for their id too)
            prints = iter(zip(read.fingerprints.signatures, pair_arrays(read.fingerprints.sentence_pairs)))
            for item, checked in zip(read.items, unique_ids(read.items, seen_ids)):
                printed = next(prints) if isinstance(item, Article) else None
                if isinstance(checked, Article):
                    yield checked, printed
                else:
                    self.skipped.append(checked)
        while before:
            self.skipped += before.popleft()

    def _planned(self, inputs: Iterable[PathLike], before: deque[list[InputError]]) -> Iterator[Slice]:
        """Slices of the inputs; the inputs skipped before each slice (and after the last)
        are put in ``before``, in order."""
        errors: list[InputError] = []
        for piece in plan_slices(inputs, slice_bytes=self.slice_bytes, on_skip=errors.append):
            before.append(errors[:])
            errors.clear()
            yield piece
        before.append(errors[:])

    def _processes(self) -> int:
        workers = self.workers if self.workers is not None else available_cores()
        return workers if workers > 1 else 0

    def remove_missing(self) -> list[str]:
        """Remove the stored articles whose input files no longer exist; return their ids."""
        gone = self.store.missing_files()
        self.store.remove_articles(gone)
        self.stats["articles_removed"] = len(gone)
        return gone

    def find_copies(self, fresh: Sequence[Article]) -> CopyResult:
        """Near copies (duplicate/copy) of new articles among all stored ones.

        Pairs that reuse only some passages are judged with the rewrite check as well
        (see :func:`newstrace.match.compare.judge`): they come back in ``partial_pairs`` for
        :meth:`find_rewrites`. The signatures and the verdicts (partial pairs too, so a
        run stopped before the rewrite check leaves them for the next) are stored
        together; a pair that already has a verdict (articles a stopped run left) keeps it."""
        if not fresh:
            return CopyResult()
        stored, signatures = self.store.get_matrix(SIGNATURES)  # earlier articles' (the new are stored below)
        prints = self._fingerprints_of(fresh)
        index = LSHIndex()
        if stored:  # asked about the new articles alone
            index.add(stored, signatures, only_keys_of=prints.signatures)
        self._boilerplate = self._boilerplate_index(fresh, prints)
        found = copy_relations(fresh, prints.signatures, index=index, boilerplate=self._boilerplate,
                               article_of=self._article_reader(fresh), judged=_StoredPairs(self.store))
        with self.store.transaction():
            self.store.put_arrays(SIGNATURES, [a.id for a in fresh], list(prints.signatures))
            self.store.put_arrays(SENTENCE_PAIRS, [a.id for a in fresh], pair_arrays(prints.sentence_pairs))
            self.store.put_relations(found.relations, replace=False)
        self.stats["copies_found"] = len(found.relations)
        return found

    def _fingerprints_of(self, articles: Sequence[Article]) -> Fingerprints:
        """The fingerprints of ``articles``: those computed while ingesting, the others
        (articles a stopped run left) computed now."""
        missing = [a for a in articles if a.id not in self._fingerprints]
        if missing:
            computed = fingerprint([a.text for a in missing])
            self._fingerprints.update(
                (a.id, row) for a, row in zip(missing, zip(computed.signatures, pair_arrays(computed.sentence_pairs))))
        rows = [self._fingerprints.pop(a.id) for a in articles]
        return Fingerprints(np.stack([signature for signature, _ in rows]), pair_batch([pairs for _, pairs in rows]))

    def _articles_by_id(self, ids: Sequence[str], known: Sequence[Article]) -> dict[str, Article]:
        """The articles with ``ids``: those among ``known`` as they are (no second copy of
        their texts in memory), the others read from the store."""
        by_id = {a.id: a for a in known}
        found = {key: by_id[key] for key in ids if key in by_id}
        found.update((a.id, a) for a in self.store.articles([key for key in ids if key not in by_id]))
        return found

    def _article_reader(self, known: Sequence[Article]) -> Callable[[str], Article]:
        """Articles by id: ``known`` ones, else read from the store (once each)."""
        by_id = {a.id: a for a in known}

        def article_of(key: str) -> Article:
            if key not in by_id:
                by_id[key] = self.store.articles([key])[0]
            return by_id[key]

        return article_of

    def _boilerplate_index(self, fresh: Sequence[Article] = (), prints: Fingerprints | None = None) -> BoilerplateIndex:
        """Sentence-pair document frequencies over the stored articles and ``fresh`` (whose
        sentence pairs are ``prints``')."""
        index = BoilerplateIndex()
        known = {a.id for a in fresh}
        stored, pairs = self._stored_pairs()
        if known & set(stored):
            rows = [row for row, key in enumerate(stored) if key not in known]
            stored, pairs = [stored[row] for row in rows], pairs.subset(rows)
        if stored:
            outlets = self.store.outlets_of()
            index.add(stored, pairs, outlets=[outlets.get(k) for k in stored])
        if prints is not None:
            index.add([a.id for a in fresh], prints.sentence_pairs, outlets=[a.outlet for a in fresh])
        return index

    def _stored_pairs(self) -> tuple[list[str], ShingleBatch]:
        """Every stored article's sentence-pair hashes (ids, and the hashes as one batch)."""
        stored, hashes, offsets = self.store.get_joined(SENTENCE_PAIRS)
        return stored, ShingleBatch(hashes.astype(np.uint64, copy=False), offsets)

    def _recurring(self) -> BoilerplateIndex:
        """The boilerplate counts over the whole store (built once per run)."""
        if self._boilerplate is None:
            self._boilerplate = self._boilerplate_index()
        return self._boilerplate

    def boilerplate(self, articles: Sequence[Article]) -> list[BoilerplatePassage]:
        """The recurring boilerplate of ``articles``, counted over the whole store, and the
        blocks cleaning removed from several of them. Only the articles that hold a
        boilerplate sentence pair (found from their pairs as the counts hold them) are read
        again for its passages, and of those only the ones whose flagged pairs changed since
        the last report (their runs are kept in the store)."""
        index = self._recurring()
        holders = set(index.holders_among([a.id for a in articles if a.id in index]))
        wanted = [a for a in articles if a.id in holders or a.id not in index]
        known = self._known_passage_runs()
        runs = passage_runs(wanted, index, known)
        self._keep_passage_runs(runs, known)
        recurring = recurring_passages(wanted, index, runs=runs)
        return listed_boilerplate(recurring, removed_passages(articles))

    def _known_passage_runs(self) -> dict[str, tuple[int | None, Runs]]:
        """The boilerplate runs the last report found, by article, under their flags' digests
        (:func:`~newstrace.match.boilerplate.passage_runs`): an article whose flags did not
        change since is not tokenised again."""
        saved = self.store.get_state(PASSAGE_RUNS_STATE) or {}
        return {key: (digest, [(start, end, tuple(sentences)) for start, end, sentences in found])
                for key, (digest, found) in saved.items()}

    def _keep_passage_runs(self, runs: dict[str, tuple[int | None, Runs]],
                           known: dict[str, tuple[int | None, Runs]]) -> None:
        """Store the runs of the articles the index holds, when they differ from ``known``."""
        kept = {key: entry for key, entry in runs.items() if entry[0] is not None}
        if kept != known:
            self.store.put_state(PASSAGE_RUNS_STATE, {
                key: [digest, [[start, end, list(sentences)] for start, end, sentences in found]]
                for key, (digest, found) in kept.items()})

    def find_rewrites(self, fresh: Sequence[Article], partial_pairs: dict[Pair, Overlap] | None = None) -> list[Relation]:
        """Rewrites (paraphrase) and same-event pairs: nearest neighbours by lead vector,
        plus the partial-reuse pairs the near-copy stage left (``partial_pairs``, and any
        stored ones whose rewrite check never ran)."""
        if not fresh:
            return []
        partial = dict(partial_pairs or {})
        partial.update(self._stored_partial_pairs(fresh, partial))
        leads = encode_leads(fresh, encoder=self._encoders().leads)
        stored, stored_leads = self.store.get_matrix(self._lead_kind())
        candidates = rewrite_candidates([a.id for a in fresh], leads, stored, stored_leads,
                                        judged=self.store.compared_pairs(), partial_pairs=partial)
        articles = self._articles_by_id(sorted({x for pair in candidates for x in pair}), fresh)
        plan = plan_rewrite_checks(candidates, articles, partial_pairs=partial, boilerplate=self._recurring())
        vectors = self._sentence_vectors([articles[i] for i in plan.needs_vectors]) if plan.pairs else {}
        relations = rewrite_verdicts(plan, articles, vectors, encoder=self._encoders().sentences,
                                     boilerplate=self._recurring(),
                                     progress=self._stage_progress("rewrites"))
        with self.store.transaction():
            self.store.put_arrays(self._lead_kind(), [a.id for a in fresh], list(leads))
            self.store.put_relations(relations)
        self.stats["rewrite_pairs_checked"] = len(plan.pairs)
        self.stats["rewrite_pairs_skipped"] = plan.skipped
        return relations

    def _stored_partial_pairs(self, fresh: Sequence[Article], known: Container[Pair]) -> dict[Pair, Overlap]:
        """Partial-reuse pairs stored for articles whose rewrite check never ran (a run
        stopped between the two stages) and not in ``known``, with their overlap measured
        again (recurring text left out, as the near-copy stage measured it)."""
        waiting = {a.id for a in fresh}
        pairs = [ordered_pair(r.a, r.b) for r in self.store.relations(kind="partial")
                 if (r.a in waiting or r.b in waiting) and ordered_pair(r.a, r.b) not in known]
        if not pairs:
            return {}
        articles = {a.id: a for a in self.store.articles(sorted({x for pair in pairs for x in pair}))}
        return remeasured_partial_pairs(pairs, articles, boilerplate=self._recurring())

    def _sentence_vectors(self, articles: Sequence[Article]) -> dict[str, np.ndarray]:
        """Sentence vectors per article, read from the store by sentence content or encoded
        now (and stored): each distinct sentence is encoded once per store. Both are the
        stored float16 values, so a resumed run judges exactly as an unbroken one."""
        found = stored_sentence_vectors(self.store, [a.text for a in articles], self._encoders().sentences)
        return {a.id: v for a, v in zip(articles, found)}

    def settle_common_sources(self, relations: list[Relation], articles: Sequence[Article]) -> list[Relation]:
        """``relations`` with the pairs of copies of one original made sourceless
        (:func:`~newstrace.relate.through_common_sources`), stored so."""
        settled = through_common_sources(relations, {a.id: a for a in articles})
        if not settled:
            return relations
        self.store.put_relations(settled)
        by_pair = {(r.a, r.b): r for r in settled}
        return [by_pair.get((r.a, r.b), r) for r in relations]

    def build_stories(self, fresh: Sequence[Article], relations: Sequence[Relation],
                      articles: Sequence[Article] | None = None, *,
                      judged: Collection[str] | None = None) -> tuple[list[Story], ProvenanceGraph]:
        """Assign new articles to stories (incrementally; a store that fits one group of the
        clusterer is grouped again whole: :meth:`~newstrace.stories.StoryClusterer.regroups_whole`)
        and attribute copies to their roots (:func:`~newstrace.engine.stages.place_stories`)
        over ``articles`` (every stored one, read from the store unless given). Stored
        stories keep the digest a ``digest`` run made for them while their members and roots
        stay the same. ``judged``: when given, every article whose pairs were judged since
        the stories were last stored, beside ``fresh`` (the others' relations are as they
        were); only the stories that could have changed are then compared with the stored ones."""
        articles = self.store.articles() if articles is None else articles
        whole = StoryClusterer()
        if fresh and len(fresh) < len(articles) and whole.regroups_whole(len(articles)):
            # a collection small enough to group again whole: its stories do not depend on
            # how its articles arrived (the stored stories are not even read)
            clusterer, fresh = whole, list(articles)
        else:
            clusterer = self._story_clusterer()
            if clusterer is None:  # another version's stories: built again
                clusterer, fresh = whole, list(articles)
        leads = np.zeros((0, 0), np.float32)
        if fresh:
            stored = self.store.get_arrays(self._lead_kind(), [a.id for a in fresh])
            leads = np.stack([stored[a.id] for a in fresh])
            del stored  # a small array per article: freed before the clusterer grows
        placed = place_stories(clusterer, fresh, leads, relations, articles)
        may_differ = None if judged is None else self._stories_that_may_differ(
            clusterer, relations, {*judged, *(a.id for a in fresh)})
        with self.store.transaction():
            if fresh:
                rows, emptied, replace_all = clusterer.table_changes()
                self.store.put_story_state(clusterer.table_header(), rows, emptied, replace=replace_all)
                clusterer.table_saved()
            self.changed_stories = self.store.update_stories(self._with_kept_digests(placed.stories), only=may_differ)
        return placed.stories, placed.graph

    def _stories_that_may_differ(self, clusterer: StoryClusterer, relations: Sequence[Relation],
                                 judged: Collection[str]) -> set[str] | None:
        """The ids of the stories that can differ from their stored form after a run that
        judged the pairs of ``judged`` articles (``None``: any of them): those whose members
        the clusterer changed, and those holding an article joined to a judged one by
        derived relations (its parent or root may have changed). Any of them when the
        clusterer was not restored from the stored stories or an article replaced another.
        (A store of 100,000 articles and 95,000 stories took 0.8 s to write every story
        as JSON and compare it with the stored one, for the few dozen a run changes.)"""
        changed = clusterer.changed_story_ids()
        if changed is None or self.stats.get("articles_replaced"):
            return None
        reached = derivation_component(relations, judged)
        return changed | {clusterer.story_of(a) for a in reached if clusterer.has_article(a)}

    def _story_clusterer(self) -> StoryClusterer | None:
        """The story clusterer as the store left it: restored from its story table (the
        stories' vector sums read as the run needs them), from a whole state of the
        version before the table, or new when there is none; ``None`` for a state of
        another version."""
        header, rows = self.store.story_state()
        if header is None:
            return StoryClusterer()
        if header.get("version") == STORY_TABLE_VERSION:
            return StoryClusterer.from_table(header, rows, self.store.story_bags)
        if header.get("version") == STORY_STATE_VERSION:
            return StoryClusterer.from_state(header)
        return None

    def _with_kept_digests(self, stories: Sequence[Story]) -> list[Story]:
        """``stories`` (copies where a digest is attached) with the digest cached for their
        members and roots (:func:`~newstrace.engine.stages.digest_key`), if any: a story this
        run did not change keeps its digest; a changed one has none until the next ``digest``."""
        if not self.store.has_state_under(DIGEST_PREFIX):  # no digest made yet: no key to compute
            return list(stories)
        keys = [digest_key(story) for story in stories]
        cached = self.store.get_states(keys)
        return [replace(story, digest=Digest.from_dict(cached[key])) if key in cached else story
                for story, key in zip(stories, keys)]

    def unassigned(self, new_ids: Sequence[str], stored: Sequence[Article]) -> list[Article]:
        """Any stored article that no story holds yet (a run stopped before the story
        stage), then the new articles (``new_ids``, in insertion order), all as their
        objects among ``stored`` (every stored article, as the run read them: no second
        read, no second copy of a text)."""
        new = set(new_ids)
        outside = set(self.store.ids_outside_stories())
        by_id = {a.id: a for a in stored}
        return ([a for a in stored if a.id in outside and a.id not in new]
                + [by_id[article_id] for article_id in new_ids if article_id in by_id])

    def pending(self, kind: str, fresh: Sequence[Article]) -> list[Article]:
        """``fresh`` and any stored article without a fingerprint of ``kind`` (a run
        stopped before that stage, or a store from an older version), oldest first."""
        return self._with_stored(fresh, self.store.ids_without(kind))

    def _with_stored(self, fresh: Sequence[Article], ids: Sequence[str]) -> list[Article]:
        """Stored articles among ``ids`` (not in ``fresh``) then ``fresh``; how many were stored
        ones is counted in ``stats["articles_resumed"]``."""
        known = {a.id for a in fresh}
        earlier = self.store.articles([i for i in ids if i not in known])
        if earlier:
            self.stats["articles_resumed"] = max(self.stats.get("articles_resumed", 0), len(earlier))
        return earlier + list(fresh)

    # -- whole runs -----------------------------------------------------------------
    def run(self, inputs: Iterable[PathLike]) -> Report:
        """Analyse ``inputs`` against the store; the report covers the whole store (every
        article it holds, the latest version of each), ``stats`` say what this run added.
        Python's cyclic garbage collector is paused meanwhile (:func:`collector_paused`)."""
        with collector_paused():
            return self._run(inputs)

    def _run(self, inputs: Iterable[PathLike]) -> Report:
        started = time.perf_counter()
        self.stats["encoder"] = self._encoders().name
        if self.prune_missing:
            self.remove_missing()
        with self._timed("ingest"):
            fresh = self.ingest(inputs, searchable=False)  # indexed for search beside the story stage
        with self._timed("copies"):
            pending = self.pending(SIGNATURES, fresh)
            copies = self.find_copies(pending)
            self._tick("copies", len(pending), len(pending))
        with self._timed("rewrites"):
            waiting = self.pending(self._lead_kind(), fresh)
            self.find_rewrites(waiting, copies.partial_pairs)
        with self._timed("stories"), self._indexing_for_search() as searchable:
            new_ids = [a.id for a in fresh]
            judged = {a.id for a in pending} | {a.id for a in waiting}  # every new relation holds one
            del fresh, pending, waiting  # the stored articles stand in for the new ones, freed before those are read
            release_free_memory()  # and their pages given back: the clusterer's arrays would not reuse them
            articles = self.store.articles()  # read once: the stories describe them, the report lists them
            relations = self.settle_common_sources(self.store.relations(), articles)
            unassigned = self.unassigned(new_ids, articles)
            stories, self.graph = self.build_stories(unassigned, relations, articles, judged=judged)
            self._tick("stories", len(unassigned), len(unassigned))
            searchable.result()  # its error, if any, is this run's
        self.stats["seconds"] = round(time.perf_counter() - started, 3)
        self.stats.update(store_articles=len(articles), store_stories=len(stories), report_scope=self.scope)
        if self.scope == "run":
            stories, articles, relations = stories_in_scope(stories, articles, relations, self.changed_stories)
        return Report(
            articles=articles, relations=relations, stories=stories,
            skipped=list(self.skipped), stats=dict(self.stats),
            boilerplate=self.boilerplate(articles),
        )

    @contextmanager
    def _indexing_for_search(self) -> Iterator[Future[int]]:
        """The stored articles not yet indexed for full-text search are indexed on another
        thread meanwhile (:meth:`~newstrace.store.Store.index_for_search`; SQLite works
        without Python's lock, so on another core: the story stage keeps one busy). At
        100,000 articles the index took 15 of the ingest stage's 30 s. Stopped early if the
        block fails; what is left is indexed by the next run."""
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            try:
                yield pool.submit(self.store.index_for_search, stop=stop)
            except BaseException:
                stop.set()
                raise

    def add_digests(self, report: Report) -> None:
        """Attach a digest to every story (cached in the store under its
        :func:`~newstrace.engine.stages.digest_key`). The facts of the stories without one
        are extracted on the worker processes, about :data:`DIGEST_ARTICLES` articles at a
        time (the same facts as in one process)."""
        from newstrace.digests.build import build_digest

        by_id = {a.id: a for a in report.articles}
        missing = []
        for story in report.stories:
            cached = self.store.get_state(digest_key(story))
            if cached is None:
                missing.append(story)
            else:
                story.digest = Digest.from_dict(cached)
        done = len(report.stories) - len(missing)
        for group in stories_by_articles(missing, DIGEST_ARTICLES):
            facts = self._facts_of([by_id[m] for story in group for m in story.article_ids])
            for story in group:
                story.digest = build_digest([by_id[m] for m in story.article_ids], story_roots(story),
                                            encoder=self._claims_encoder(),
                                            facts=[facts[m] for m in story.article_ids])
                self.store.put_state(digest_key(story), story.digest.to_dict())
                done += 1
                self._tick("digest", done, len(report.stories))
        self.store.replace_stories(report.stories)

    def _facts_of(self, articles: Sequence[Article]) -> dict[str, ArticleFacts]:
        """The facts of ``articles`` by article id, parsed on the worker processes."""
        from newstrace.digests.facts import extract_facts

        return {f.article_id: f for f in extract_facts(articles, n_process=max(1, self._processes()))}

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        """Record the stage's wall time in ``stats["stage_seconds"]``, then fold the store's
        write-ahead log into the database (see :meth:`Store.checkpoint`)."""
        started = time.perf_counter()
        yield
        self.store.checkpoint()
        self.stats.setdefault("stage_seconds", {})[stage] = round(time.perf_counter() - started, 3)

    def _encoders(self) -> EncoderChoice:
        """The encoders of the store's lead and sentence vectors: the ones asked for, else
        those the store was made with, else MiniLM; the store records the choice on first use."""
        if self._vectors is None:
            name = self._settled_encoder_name()
            asked = self.encoder
            self._vectors = EncoderChoice.of(asked) if asked is not None and not isinstance(asked, str) \
                else shared_encoders(name)
        return self._vectors

    def _settled_encoder_name(self) -> str:
        """The name of the encoder this run uses, recorded in the store; :class:`EncoderMismatch`
        when the store's vectors come from another."""
        asked = self.encoder if isinstance(self.encoder, str) or self.encoder is None else encoder_name(self.encoder)
        if asked is not None and asked not in ENCODER_NAMES:
            raise ValueError(f"unknown encoder {asked!r}: choose one of {', '.join(ENCODER_NAMES)}")
        recorded = self.store.get_state(ENCODER_STATE)
        made_with = recorded["name"] if recorded else (DEFAULT_ENCODER if len(self.store) else None)
        if asked is not None and made_with is not None and asked != made_with:
            raise EncoderMismatch(
                f"{self.store.path} holds vectors of the {made_with} encoder, not {asked} (one store never "
                f"mixes two encoders' vectors): analyse it with --encoder {made_with}, or add --fresh to start "
                f"over with --encoder {asked}")
        name = asked or made_with or DEFAULT_ENCODER
        if recorded is None:
            self.store.put_state(ENCODER_STATE, {"name": name})
        return name

    def _lead_kind(self) -> str:
        return LEAD_KINDS[self._encoders().name]

    def _claims_encoder(self) -> TextEncoder:
        """The encoder digests group claims with: MiniLM, whatever the store's vectors (the
        same-claim model is fitted on its similarities)."""
        chosen = self._encoders()
        return chosen.sentences if chosen.name == "minilm" else default_encoder()

    def _stage_progress(self, stage: str) -> Callable[[int, int], None]:
        return lambda done, total: self._tick(stage, done, total)

    def _tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


def stories_in_scope(stories: Sequence[Story], articles: Sequence[Article], relations: Sequence[Relation],
                     story_ids: Collection[str]) -> tuple[list[Story], list[Article], list[Relation]]:
    """The stories among ``story_ids``, their articles and the relations between two of
    those articles, each in the order given."""
    wanted = set(story_ids)
    kept = [story for story in stories if story.id in wanted]
    members = {article_id for story in kept for article_id in story.article_ids}
    return (kept, [a for a in articles if a.id in members],
            [r for r in relations if r.a in members and r.b in members])


def stories_by_articles(stories: Sequence[Story], articles: int) -> Iterator[list[Story]]:
    """``stories`` in order, in groups that close once they hold ``articles`` articles."""
    group: list[Story] = []
    held = 0
    for story in stories:
        group.append(story)
        held += len(story.article_ids)
        if held >= articles:
            yield group
            group, held = [], 0
    if group:
        yield group


class _StoredPairs:
    """The pairs that have a verdict in the store, as a container (one lookup per question)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and self.store.has_pair(*pair)


def _as_paths(inputs: PathLike | Iterable[PathLike]) -> list[PathLike]:
    if isinstance(inputs, (str, os.PathLike)):
        return [inputs]
    return list(inputs)


def analyze(
    inputs: PathLike | Iterable[PathLike],
    db: str | Path | None = None,
    *,
    encoder: EncoderArg | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    fresh: bool = False,
    prune_missing: bool = False,
    workers: int | None = None,
    mapper: Mapper | None = None,
    scope: ReportScope = "store",
) -> Report:
    """Analyse files or folders of articles: copies, rewrites, stories and independent reports.

    With ``db`` the results persist in that SQLite file and a later call only compares the
    new articles (and finishes the work of a run that was stopped); without it the store
    lives in memory. Ingest stores ``batch_size`` articles per transaction. ``fresh``
    empties the store first; ``prune_missing`` removes the stored articles whose input
    files are gone. Reading, cleaning and fingerprinting run on ``workers`` processes
    (default: the available cores; 1: this process only), or are mapped by ``mapper``
    (:class:`newstrace.engine.dask.DaskEngine`'s ``map``), with the same results. The run
    holds the store's writer lock: :class:`~newstrace.store.StoreBusy` when another process
    is writing to ``db``.

    ``encoder`` makes the lead and sentence vectors: ``"minilm"`` (the default for a new
    store), ``"static"`` (a token table distilled from MiniLM: analyse many times faster, find
    somewhat fewer stories right; figures in the README) or an encoder object. A store keeps
    the encoder it was made with: by default a later run uses it, and asking for another
    raises :class:`EncoderMismatch` (``fresh`` starts over).

    The report covers every article the store holds (``scope="store"``), or only the
    stories this run made or changed (``scope="run"``: a new article joined them, a new
    relation or a regrouping changed them), with their articles and the relations between
    them: what a run into a large store brought. ``stats`` say how many articles and
    stories the store holds either way (``store_articles``, ``store_stories``).
    """
    return _analyze(inputs, db, encoder, progress, batch_size, with_digests=False, fresh=fresh,
                    prune_missing=prune_missing, workers=workers, mapper=mapper, scope=scope)


def digest(
    inputs: PathLike | Iterable[PathLike],
    db: str | Path | None = None,
    *,
    encoder: EncoderArg | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    fresh: bool = False,
    prune_missing: bool = False,
    workers: int | None = None,
    mapper: Mapper | None = None,
    scope: ReportScope = "store",
) -> Report:
    """:func:`analyze`, plus a digest per story (``Story.digest``) of the report: corroborated
    claims, quotes by speaker, timeline, single-source claims and conflicts."""
    return _analyze(inputs, db, encoder, progress, batch_size, with_digests=True, fresh=fresh,
                    prune_missing=prune_missing, workers=workers, mapper=mapper, scope=scope)


def remove(refs: Iterable[str], db: str | Path, *, encoder: EncoderArg | None = None) -> tuple[list[str], list[str]]:
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


def _analyze(inputs: PathLike | Iterable[PathLike], db: str | Path | None, encoder: EncoderArg | None,
             progress: Progress | None, batch_size: int, *, with_digests: bool, fresh: bool = False,
             prune_missing: bool = False, workers: int | None = None, mapper: Mapper | None = None,
             scope: ReportScope = "store") -> Report:
    if scope not in REPORT_SCOPES:
        raise ValueError(f"unknown report scope {scope!r}: choose one of {', '.join(REPORT_SCOPES)}")
    with Store(db if db is not None else ":memory:", lock=True, fresh=fresh) as store:
        analyzer = Analyzer(store, encoder=encoder, progress=progress, batch_size=batch_size,
                            prune_missing=prune_missing, workers=workers, mapper=mapper, scope=scope)
        report = analyzer.run(_as_paths(inputs))
        if with_digests:
            with analyzer._timed("digests"):
                analyzer.add_digests(report)
            report.stats = dict(analyzer.stats)
        return report
