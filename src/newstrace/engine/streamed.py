"""Near copies across a whole corpus, streamed over worker processes (``newstrace dedup``).

The inputs are cut into slices (:func:`newstrace.ingest.readers.plan_slices`). Worker processes
read, clean and fingerprint slices while this process matches each finished slice, in
input order, against everything before it (:func:`newstrace.match.nearcopy.find_near_copies`:
LSH candidates, exact verification, aligned passages) and yields the pairs it finds.
Sentence pairs recurring across otherwise unrelated articles are boilerplate
(:class:`~newstrace.match.boilerplate.BoilerplateIndex`, counted over everything read so far,
this slice included) and never evidence.

Nothing is stored and no direction is inferred: this is the de-duplication pass for
corpora. :func:`newstrace.analyze` runs the whole pipeline with a store, direction,
rewrites and stories.

>>> for relation in find_copies(["corpus.jsonl"], workers=4):   # doctest: +SKIP
...     print(relation.a, relation.b, relation.relation, relation.jaccard)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.match.fingerprint import MinHasher, ShingleBatch, sentence_pair_batch
from newstrace.match.lsh import Banding, LSHIndex, Prepared
from newstrace.ingest.readers import ExternalIds, PathLike, Slice, plan_slices, read_slice, where_from
from newstrace.model import Article, InputError, Relation
from newstrace.engine.parallel import Mapper, available_cores, ordered_map
from newstrace.engine.stages import fingerprint, near_copy_verdicts

Progress = Callable[[str, int, int], None]


@dataclass
class Fingerprinted:
    """One slice read, cleaned and fingerprinted by a worker."""

    keys: list[str]  #: the input's id, else ``path:line`` or the path
    wheres: list[str]  #: ``path:line`` or the path
    ids: list[str]  #: content ids
    texts: list[str]
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
        ids=[a.id for a in articles], texts=texts, signatures=signatures, sentence_pairs=pairs,
        outlets=[a.outlet for a in articles], skipped=skipped,
        size=piece.size,
        cpu_seconds={"read": read - started, "fingerprint": time.process_time() - read},
    )


@dataclass
class CopyFinder:
    """Finds near copies (``duplicate``, ``copy``, ``partial``) among many inputs.

    ``workers`` processes (default: the available cores) read and fingerprint slices of
    about ``slice_bytes`` (:func:`newstrace.engine.parallel.ordered_map`: at most
    ``2 * workers`` slices in flight, which bounds memory); ``workers=0``, or a single
    slice, does everything in this process. ``index`` (default: an
    :class:`~newstrace.match.lsh.LSHIndex` for ``hasher``'s signatures) may already hold
    earlier articles, then ``texts_of`` must read their texts by key; ``boilerplate``
    (default: a new :class:`~newstrace.match.boilerplate.BoilerplateIndex`) counts recurring
    text. After :meth:`run`, ``stats`` holds counts, seconds and the CPU seconds of each step.
    """

    workers: int | None = None
    slice_bytes: int = 16_000_000
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
        ``a`` the earlier input, ``source`` ``None``, and the aligned passages."""
        paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        started = time.perf_counter()
        if self.index is None:
            self.index = LSHIndex(anchors=self.hasher.anchors)
        if self.boilerplate is None:
            self.boilerplate = BoilerplateIndex()
        matcher = self._matcher = _Matcher(self.index, self.boilerplate, self.texts_of, self._skip)
        slices = plan_slices(paths, slice_bytes=self.slice_bytes, on_skip=self._skip)
        read_bytes = 0
        for done in self._fingerprinted(slices, getattr(self.index, "banding", None)):
            for error in done.skipped:
                self._skip(error)
            yield from matcher.add(done)
            read_bytes += done.size
            if self.progress is not None:
                self.progress("articles", matcher.articles, 0)
        seconds = time.perf_counter() - started
        self.stats.update(
            articles=matcher.articles, pairs=matcher.pairs, bytes=read_bytes,
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

    def _fingerprinted(self, slices: Iterator[Slice],
                       banding: Banding | None) -> Iterator[Fingerprinted]:
        """Fingerprinted slices in input order, computed ahead on the worker processes."""
        stage = partial(fingerprint_slice, hasher=self.hasher, banding=banding)
        if self.mapper is not None:
            return self.mapper(stage, slices)
        workers = self.workers if self.workers is not None else available_cores()
        return ordered_map(stage, slices, processes=workers)


class _Matcher:
    """The matching side: an LSH index over everything so far and the texts to verify."""

    def __init__(self, index: LSHIndex, boilerplate: BoilerplateIndex,
                 texts_of: Callable[[str], str] | None,
                 skip: Callable[[InputError], None]) -> None:
        self.index = index
        self.boilerplate = boilerplate
        self.texts: dict[str, str] = {}
        self.earlier = texts_of
        self.ids = ExternalIds()  # keys seen, with their article ids
        self.articles_seen: set[str] = set()  # article ids (identity and content)
        self.skip = skip
        self.articles = self.pairs = 0
        self.cpu = {"read": 0.0, "fingerprint": 0.0, "match": 0.0}

    def add(self, done: Fingerprinted) -> list[Relation]:
        started = time.process_time()
        rows, keys, texts = self._new_rows(done)
        if not keys:
            return []
        signatures = done.signatures
        signatures = signatures.subset(rows) if isinstance(signatures, Prepared) else signatures[rows]
        self.boilerplate.add(keys, done.sentence_pairs.subset(rows), outlets=[done.outlets[row] for row in rows])
        found = near_copy_verdicts(texts, keys, index=self.index, signatures=signatures,
                                   texts_of=self._text_of, boilerplate=self.boilerplate)
        self.texts.update(zip(keys, texts))
        relations = [Relation(v.near.a_key, v.near.b_key, v.comparison) for v in found]
        self.articles += len(keys)
        self.pairs += len(relations)
        for step, seconds in done.cpu_seconds.items():
            self.cpu[step] += seconds
        self.cpu["match"] += time.process_time() - started
        return relations

    def _text_of(self, key: str) -> str:
        text = self.texts.get(key)
        if text is None and self.earlier is not None:
            text = self.earlier(key)
        if text is None:
            raise KeyError(key)
        return text

    def _new_rows(self, done: Fingerprinted) -> tuple[list[int], list[str], list[str]]:
        """The slice's articles not seen before: an article id seen already is the same
        record again (same identity, same content: see :func:`newstrace.model.article_id`),
        as ``analyze`` stores it once; a key coming back with other content is skipped as
        a duplicate id."""
        rows = new_records(done.keys, done.ids, done.wheres, self.articles_seen, self.ids, self.skip)
        return rows, [done.keys[row] for row in rows], [done.texts[row] for row in rows]


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
            on_skip(InputError(where, f"duplicate id {key!r} with other content (first seen in {first[1]})"))
    return rows


def find_copies(inputs: PathLike | Iterable[PathLike], *, workers: int | None = None,
                on_skip: Callable[[InputError], None] | None = None,
                progress: Progress | None = None) -> Iterator[Relation]:
    """Near copies among ``inputs`` (files or folders), streamed; see :class:`CopyFinder`."""
    return CopyFinder(workers=workers, on_skip=on_skip, progress=progress).run(inputs)
