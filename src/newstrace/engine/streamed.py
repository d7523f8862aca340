"""Near copies across a whole corpus, streamed over worker processes (``newstrace dedup``).

The inputs are cut into slices (:func:`newstrace.ingest.readers.plan_slices`). Worker processes
read, clean and fingerprint slices while this process, in input order, counts each finished
slice's recurring text and finds its LSH candidates against everything before it. Sentence
pairs recurring across otherwise unrelated articles are boilerplate
(:class:`~newstrace.match.boilerplate.BoilerplateIndex`) and never evidence; since that holds
whatever the order the articles come in, the candidates are verified (exact overlap,
aligned passages: :func:`newstrace.match.nearcopy.verify_candidates`) once every input is
read, against the counts of the whole input, so the pairs are those of the Dask engine
(:mod:`newstrace.engine.dask_dedup`) and do not depend on how the input is sliced. The
verification runs on the worker processes too, in jobs that carry their articles' texts and
recurring sentence pairs (not the whole count), with the same pairs as in one process
(``dedup`` on ``corpus_10k``, 2 workers: ×0.89 wall against verifying in this process).
Until then the texts wait in memory, and beyond ``CopyFinder.text_memory_bytes`` (by
default a sixteenth of the memory the process may use, at most 1 GiB) in a temporary file
(:class:`SpilledTexts`).

Nothing is stored and no direction is inferred: this is the de-duplication pass for
corpora. :func:`newstrace.analyze` runs the whole pipeline with a store, direction,
rewrites and stories.

>>> for relation in find_copies(["corpus.jsonl"], workers=4):   # doctest: +SKIP
...     print(relation.a, relation.b, relation.relation, relation.jaccard)
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

import numpy as np

from newstrace.match.align import Boilerplate
from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.match.compare import lexical_verdict
from newstrace.match.fingerprint import MinHasher, ShingleBatch, sentence_pair_batch, sorted_unique
from newstrace.match.lsh import Banding, LSHIndex, Prepared
from newstrace.match.nearcopy import verify_candidates
from newstrace.ingest.readers import (
    ExternalIds, PathLike, Slice, duplicate_id_reason, plan_slices, read_slice, slice_size, where_from,
)
from newstrace.model import Article, InputError, Relation
from newstrace.engine.memory import memory_limit
from newstrace.engine.parallel import Mapper, WorkerPool, available_cores
from newstrace.engine.stages import fingerprint

Progress = Callable[[str, int, int], None]
#: Candidate pairs verified together (bounds the texts profiled at once).
VERIFY_BATCH = 20_000


@dataclass
class Fingerprinted:
    """One slice read, cleaned and fingerprinted by a worker."""

    keys: list[str]  #: the input's id, else ``path:line`` or the path
    wheres: list[str]  #: ``path:line`` or the path
    ids: list[str]  #: content ids
    #: the cleaned texts in UTF-8: they cross from the worker as bytes (a ``str`` would be
    #: encoded to pickle it and decoded on arrival) and are spilled to disk as they are
    blobs: list[bytes]
    signatures: np.ndarray | Prepared  #: prepared for the index when the worker could
    sentence_pairs: ShingleBatch  #: for boilerplate counts
    outlets: list[str | None]  #: for boilerplate counts per outlet
    skipped: list[InputError]
    cpu_seconds: dict[str, float]
    size: int  #: bytes of input read


def article_key(article: Article) -> str:
    """How :class:`CopyFinder` names an article: its input id, else where it was read from."""
    return article.external_id or where_from(article)


def fingerprint_slice(piece: Slice, hasher: MinHasher | None = None,
                      banding: Banding | None = None) -> Fingerprinted:
    """Read, clean and fingerprint one slice (what a worker does); with ``banding``, the
    signatures come prepared for :meth:`~newstrace.match.lsh.LSHIndex.insert`."""
    started = time.process_time()
    skipped: list[InputError] = []
    articles = list(read_slice(piece, on_skip=skipped.append))
    read = time.process_time()
    texts = [a.text for a in articles]
    blobs = [text.encode("utf-8") for text in texts]
    hasher = hasher or MinHasher()
    signatures: np.ndarray | Prepared
    if isinstance(hasher, MinHasher):
        printed = fingerprint(texts, hasher)
        signatures, pairs = printed.signatures, printed.sentence_pairs
    else:  # another sketch (a benchmark's baseline)
        signatures, pairs = hasher.signatures(texts), sentence_pair_batch(texts)
    if banding is not None:
        signatures = banding.prepare(signatures)
    return Fingerprinted(
        keys=[article_key(a) for a in articles], wheres=[where_from(a) for a in articles],
        ids=[a.id for a in articles], blobs=blobs, signatures=signatures, sentence_pairs=pairs,
        outlets=[a.outlet for a in articles], skipped=skipped,
        size=piece.size,
        cpu_seconds={"read": read - started, "fingerprint": time.process_time() - read},
    )


@dataclass
class CopyFinder:
    """Finds near copies (``duplicate``, ``copy``, ``partial``) among many inputs.

    ``workers`` processes (default: the available cores) read and fingerprint slices of
    about ``slice_bytes`` (default: about four a worker, of 1-16 MB;
    :class:`newstrace.engine.parallel.WorkerPool`: at most ``2 * workers`` slices in
    flight, which bounds memory), then verify the candidate pairs
    when there are at least ``PARALLEL_VERIFY_MIN``; ``workers=0`` does everything in this
    process, as does a single slice (unless workers could be forked for the verification).
    ``index`` (default: an :class:`~newstrace.match.lsh.LSHIndex` for ``hasher``'s
    signatures) may already hold earlier articles, then ``texts_of`` must read their texts
    by key; ``boilerplate`` (default: a new
    :class:`~newstrace.match.boilerplate.BoilerplateIndex`) counts recurring text. After :meth:`run`, ``stats`` holds counts, seconds and the CPU seconds of each step.
    """

    workers: int | None = None
    slice_bytes: int | None = None  #: default: :func:`~newstrace.ingest.readers.slice_size` of the inputs
    #: how much text (UTF-8) waits in memory for the verification before it goes to a
    #: temporary file (:class:`SpilledTexts`); default: :func:`text_memory_default`
    text_memory_bytes: int | None = None
    hasher: MinHasher = field(default_factory=MinHasher)
    index: LSHIndex | None = None
    texts_of: Callable[[str], str] | None = None
    boilerplate: BoilerplateIndex | None = None
    on_skip: Callable[[InputError], None] | None = None
    progress: Progress | None = None
    mapper: Mapper | None = None  #: maps the per-slice stage elsewhere (e.g. a Dask engine's ``map``)
    stats: dict[str, Any] = field(default_factory=dict)
    _matcher: _Matcher | None = field(default=None, init=False, repr=False)

    def run(self, inputs: PathLike | Iterable[PathLike]) -> Iterator[Relation]:
        """Pairs sharing wording, each once, as :class:`~newstrace.model.Relation` with
        ``a`` the earlier input, ``source`` ``None``, and the aligned passages; they come
        once every input is read, in the order of their later input, then their earlier."""
        paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        started = time.perf_counter()
        if self.index is None:
            self.index = LSHIndex(anchors=self.hasher.anchors)
        if self.boilerplate is None:
            self.boilerplate = BoilerplateIndex()
        held = self.text_memory_bytes if self.text_memory_bytes is not None else text_memory_default()
        matcher = self._matcher = _Matcher(self.index, self.boilerplate, self.texts_of, self._skip,
                                           SpilledTexts(held))
        workers = self.workers if self.workers is not None else available_cores()
        slice_bytes = self.slice_bytes or slice_size(paths, workers)
        slices = plan_slices(paths, slice_bytes=slice_bytes, on_skip=self._skip)
        read_bytes = 0
        with WorkerPool(workers) as pool:  # the same workers read, then verify
            mapper = self.mapper or pool.map
            stage = partial(fingerprint_slice, hasher=self.hasher, banding=getattr(self.index, "banding", None))
            for done in mapper(stage, slices):
                for error in done.skipped:
                    self._skip(error)
                matcher.add(done)
                read_bytes += done.size
                if self.progress is not None:
                    self.progress("articles", matcher.articles, 0)
            shipping = self.mapper is not None or pool.started_cheaply(verify_job)
            yield from matcher.verified(self.progress, mapper=mapper, workers=workers if shipping else 1)
        seconds = time.perf_counter() - started
        self.stats.update(
            articles=matcher.articles, pairs=matcher.pairs, bytes=read_bytes,
            verify_processes=matcher.verify_processes,
            seconds=round(seconds, 3),
            articles_per_second=round(matcher.articles / seconds, 1) if seconds else 0.0,
            cpu_seconds={step: round(value, 3) for step, value in matcher.cpu.items()},
        )

    def text(self, key: str) -> str:
        """The cleaned text of an article met by :meth:`run` (passages index into it)."""
        if self._matcher is None:
            raise KeyError(f"{key}: no article read yet (call run() first)")
        return self._matcher._text_of(key)

    def _skip(self, error: InputError) -> None:
        self.stats["skipped"] = self.stats.get("skipped", 0) + 1
        if self.on_skip is not None:
            self.on_skip(error)


#: The bounds of :func:`text_memory_default`.
TEXT_MEMORY_LEAST, TEXT_MEMORY_MOST = 64 << 20, 1 << 30


def text_memory_default() -> int:
    """How much text :class:`CopyFinder` keeps in memory before the rest goes to a temporary
    file: a sixteenth of the memory this process may use (the machine's, or its container's
    limit: :func:`~newstrace.engine.memory.memory_limit`), between 64 MiB and 1 GiB. Writing texts out
    costs the main process about as much as it saves: on 100,000 articles (350 MB of text,
    2 cores), 1 GiB instead of 64 MiB took ``dedup`` from 12.0 to 10.4 s wall and its main
    process from 5.6 to 3.1 CPU-s, for 200 MB more resident memory."""
    usable = memory_limit()
    if usable is None:
        return TEXT_MEMORY_LEAST
    return int(min(TEXT_MEMORY_MOST, max(TEXT_MEMORY_LEAST, usable // 16)))


class SpilledTexts:
    """Texts by key, held in memory up to ``memory_bytes`` (in UTF-8) and beyond that in a
    temporary file: the verification needs the text of any article read (a later article
    may pair with any earlier one), but reads back only those of the candidate pairs, so
    the texts of a large corpus need not stay in memory, and those of a small one are not
    written out."""

    def __init__(self, memory_bytes: int = 64 << 20) -> None:
        self.memory_bytes = memory_bytes
        self._held: dict[str, bytes] = {}
        self._held_bytes = 0
        self._file: IO[bytes] | None = None  # a temporary file, removed when closed or collected
        self._spans: dict[str, tuple[int, int]] = {}
        self._end = 0

    def add(self, keys: Sequence[str], blobs: Sequence[bytes]) -> None:
        """Keep the texts of ``keys``, encoded in UTF-8 (``blobs``)."""
        self._held.update(zip(keys, blobs))
        self._held_bytes += sum(map(len, blobs))
        if self._held_bytes > self.memory_bytes:
            self._spill()

    def _spill(self) -> None:
        """Append the texts held in memory to the file (one write)."""
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        self._file.seek(self._end)
        self._file.write(b"".join(self._held.values()))
        for key, blob in self._held.items():
            self._spans[key] = (self._end, len(blob))
            self._end += len(blob)
        self._held, self._held_bytes = {}, 0

    def get(self, key: str) -> str | None:
        blob = self._held.get(key)
        if blob is not None:
            return blob.decode("utf-8")
        span = self._spans.get(key)
        if span is None or self._file is None:
            return None
        self._file.seek(span[0])
        return self._file.read(span[1]).decode("utf-8")


class _Matcher:
    """The matching side: an LSH index over everything so far, the recurring text counted
    over it, the candidate pairs found, and the texts to verify them (on disk)."""

    def __init__(self, index: LSHIndex, boilerplate: BoilerplateIndex,
                 texts_of: Callable[[str], str] | None,
                 skip: Callable[[InputError], None], texts: SpilledTexts) -> None:
        self.index = index
        self.boilerplate = boilerplate
        self.texts = texts
        self.earlier = texts_of
        self.ids = ExternalIds()  # keys seen, with their article ids
        self.articles_seen: set[str] = set()  # article ids (identity and content)
        self.skip = skip
        self.candidates: list[np.ndarray] = []  # per slice, (earlier, later) index positions
        self.articles = self.pairs = 0
        self.verify_processes = 1  #: the processes that verified the candidates
        self.cpu = {"read": 0.0, "fingerprint": 0.0, "match": 0.0}

    def add(self, done: Fingerprinted) -> None:
        """Count a slice's recurring text and keep its candidate pairs (with everything before)."""
        started = time.process_time()
        rows, keys, blobs = self._new_rows(done)
        if keys:
            signatures = done.signatures
            signatures = signatures.subset(rows) if isinstance(signatures, Prepared) else signatures[rows]
            self.boilerplate.add(keys, done.sentence_pairs.subset(rows), outlets=[done.outlets[row] for row in rows])
            self.candidates.append(self.index.insert(keys, signatures))
            self.texts.add(keys, blobs)
            self.articles += len(keys)
        for step, seconds in done.cpu_seconds.items():
            self.cpu[step] += seconds
        self.cpu["match"] += time.process_time() - started

    def verified(self, progress: Progress | None = None, *, mapper: Mapper | None = None,
                 workers: int = 1) -> Iterator[Relation]:
        """Every candidate pair verified against the recurring text of all slices added, in
        the order of the later article, then the earlier: in batches of ``VERIFY_BATCH``
        here, or, with a ``mapper`` for ``workers`` processes and enough pairs, in smaller
        batches there (:meth:`_shipped_jobs`)."""
        pairs = np.concatenate([*self.candidates, np.zeros((0, 2), dtype=np.int64)])
        pairs = pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]
        self.candidates = []
        involved = [self.index.keys[i] for i in sorted_unique(pairs.ravel())[0].tolist()]
        if (mapper is None or workers < 2 or len(pairs) < PARALLEL_VERIFY_MIN
                or not all(key in self.boilerplate for key in involved)):
            results = map(verify_job, self._jobs(pairs, VERIFY_BATCH, self.boilerplate))
        else:
            results = mapper(verify_job, self._shipped_jobs(pairs, involved, workers))
            self.verify_processes = workers
        done = 0
        for found in results:
            self.pairs += len(found.relations)
            self.cpu["match"] += found.cpu_seconds
            done += found.candidates
            if progress is not None:
                progress("pairs", done, len(pairs))
            yield from found.relations

    def _shipped_jobs(self, pairs: np.ndarray, involved: list[str], workers: int) -> Iterator[VerifyJob]:
        """Jobs for other processes: about four per worker, each with the pairs that share
        text outside boilerplate and, instead of the boilerplate index, the recurring
        sentence pairs of their articles
        (:meth:`~newstrace.match.boilerplate.BoilerplateIndex.recurring_of`). Every sentence
        pair of the ``involved`` articles is judged here first, at once (each judged once,
        the searches into the counts in order); each job reads its pairs' verdicts from that."""
        started = time.process_time()
        judged = self.boilerplate.recurring_of(involved)
        self.cpu["match"] += time.process_time() - started
        names = self.index.keys
        size = min(VERIFY_BATCH, max(PARALLEL_VERIFY_MIN // 4, -(-len(pairs) // (4 * workers))))
        for start in range(0, len(pairs), size):
            started = time.process_time()
            batch = pairs[start: start + size]
            kept = batch[self.boilerplate.share_free_text([(names[i], names[j]) for i, j in batch.tolist()], judged)]
            recurring = self.boilerplate.recurring_of([names[i] for i in sorted_unique(kept.ravel())[0].tolist()], judged)
            self.cpu["match"] += time.process_time() - started
            yield self._job(kept, recurring, candidates=len(batch))

    def _jobs(self, pairs: np.ndarray, size: int, boilerplate: Boilerplate) -> Iterator[VerifyJob]:
        """``pairs`` (index positions) as jobs of ``size`` pairs."""
        for start in range(0, len(pairs), size):
            batch = pairs[start: start + size]
            yield self._job(batch, boilerplate, candidates=len(batch))

    def _job(self, pairs: np.ndarray, boilerplate: Boilerplate, candidates: int) -> VerifyJob:
        """A job verifying ``pairs`` (index positions), with their articles' keys and texts."""
        started = time.process_time()
        involved = sorted_unique(pairs.ravel())[0]
        keys = [self.index.keys[i] for i in involved.tolist()]
        job = VerifyJob(np.searchsorted(involved, pairs), keys, [self._text_of(key) for key in keys],
                        boilerplate, candidates)
        self.cpu["match"] += time.process_time() - started
        return job

    def _text_of(self, key: str) -> str:
        text = self.texts.get(key)
        if text is None and self.earlier is not None:
            text = self.earlier(key)
        if text is None:
            raise KeyError(key)
        return text

    def _new_rows(self, done: Fingerprinted) -> tuple[list[int], list[str], list[bytes]]:
        """The slice's articles not seen before: an article id seen already is the same
        record again (same identity, same content: see :func:`newstrace.model.article_id`),
        as ``analyze`` stores it once; a key coming back with other content is skipped as
        a duplicate id."""
        rows = new_records(done.keys, done.ids, done.wheres, self.articles_seen, self.ids, self.skip)
        return rows, [done.keys[row] for row in rows], [done.blobs[row] for row in rows]


#: Fewest candidate pairs verified on worker processes (fewer: here, where starting the
#: workers would cost more than they save); each of 4 jobs per worker holds at least a quarter.
PARALLEL_VERIFY_MIN = 256


@dataclass
class VerifyJob:
    """Candidate pairs to verify, with all they need: ``pairs`` are positions into
    ``keys`` and ``texts``; ``candidates`` counts the pairs before any was dropped."""

    pairs: np.ndarray
    keys: list[str]
    texts: list[str]
    boilerplate: Boilerplate
    candidates: int


@dataclass
class VerifiedJob:
    """What :func:`verify_job` found, and the CPU seconds it took."""

    relations: list[Relation]
    candidates: int
    cpu_seconds: float


def verify_job(job: VerifyJob) -> VerifiedJob:
    """Verify a job's candidate pairs and give each near copy its lexical verdict (what a
    worker does)."""
    started = time.process_time()
    found = verify_candidates(job.pairs, job.keys, job.texts, boilerplate=job.boilerplate)
    relations = [Relation(near.a_key, near.b_key, comparison) for near in found
                 if (comparison := lexical_verdict(near.overlap)) is not None]
    return VerifiedJob(relations, job.candidates, time.process_time() - started)


def new_records(keys: Sequence[str], ids: Sequence[str], wheres: Sequence[str], seen: set[str],
                external: ExternalIds, on_skip: Callable[[InputError], None]) -> list[int]:
    """The rows of a slice (input ``keys``, article ``ids``, ``wheres``) that are records not
    seen before: an article id in ``seen`` is the same record again and is dropped; an input
    key that ``external`` saw with other content is reported to ``on_skip`` as a duplicate
    id. ``seen`` and ``external`` are updated in place."""
    rows = []
    for row, (key, content, where) in enumerate(zip(keys, ids, wheres)):
        if content in seen:
            continue
        seen.add(content)
        first = external.seen_before(key, content, where)
        if first is None:
            rows.append(row)
        elif first[0] != content:
            on_skip(InputError(where, duplicate_id_reason(key, first[1])))
    return rows


def find_copies(inputs: PathLike | Iterable[PathLike], *, workers: int | None = None,
                on_skip: Callable[[InputError], None] | None = None,
                progress: Progress | None = None) -> Iterator[Relation]:
    """Near copies among ``inputs`` (files or folders), streamed; see :class:`CopyFinder`."""
    return CopyFinder(workers=workers, on_skip=on_skip, progress=progress).run(inputs)
