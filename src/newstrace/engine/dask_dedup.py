"""``dedup`` on a Dask cluster: candidates by shuffling LSH keys, verification on the workers.

The local finder (:class:`newstrace.corpus.CopyFinder`) matches every slice against one
in-memory index in this process. Here the matching is spread over the cluster as well:

1. **read** (per partition, on the workers): one slice of the inputs read, cleaned and
   fingerprinted by the local stage (:func:`newstrace.engine.stages.read_slice_fingerprinted`),
   kept on the worker that made it;
2. **plan** (client): the first record of each content id and input id is kept, as the
   local finder keeps it, numbered in input order; recurring text is counted over the
   whole corpus (:class:`~newstrace.boilerplate.BoilerplateIndex`) and sent to every worker;
3. **candidates** (shuffles): each partition cuts its signatures into the local engine's
   band and anchor keys (:meth:`newstrace.lsh.Banding.prepare`); the keys are shuffled
   (``dask.bag`` groupby, task-based) so that each key's articles meet in one task.
   Inside a band bucket the articles sorted by stable id are **chained** (n-1 pairs, not
   n²); a bucket of more than ``max_bucket`` articles is recurring text, recorded and
   never expanded. Anchor buckets (up to the local index's ``max_anchor_docs``) give
   every pair, and a second shuffle counts the anchors each pair shares: pairs with the
   local index's ``min_shared_anchors`` are candidates, as locally;
4. **verify** (on the workers): the candidates, grouped by the partitions holding their
   texts, are verified with the local engine's function
   (:func:`newstrace.nearcopy.verify_candidates` and :func:`newstrace.match.lexical_verdict`),
   before any clustering, so one shared band cannot chain unrelated articles;
5. **clusters** (client): connected components of the verified ``duplicate`` and ``copy``
   pairs (:func:`newstrace.engine.components.connected_clusters`).

:meth:`DaskDedup.write` writes ``pairs/``, ``clusters/`` and ``recurring/`` Parquet
datasets (:mod:`newstrace.engine.datasets`) that are byte-identical whatever the number
of workers and partitions.

>>> with DaskEngine.start(workers=4) as engine:                    # doctest: +SKIP
...     result = DaskDedup(engine).run(["corpus.jsonl"])
...     result.write("out/")

Not done yet: the boilerplate index and the candidate and verified pairs are gathered in
the client (a distributed document-frequency count, a distributed large-star/small-star
pass and writers on the workers come next); no incremental runs over an earlier ``--out``;
no resuming of finished stages.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.boilerplate import BoilerplateIndex
from newstrace.corpus import article_key
from newstrace.engine.components import Cluster, connected_clusters, stable_id
from newstrace.engine.dask import DaskEngine
from newstrace.engine.datasets import FILES, PAIR_COLUMNS, write_dataset
from newstrace.engine.stages import read_slice_fingerprinted
from newstrace.fingerprint import ShingleBatch, run_bounds, sorted_unique
from newstrace.ingest import ExternalIds, PathLike, Slice, plan_slices, where_from
from newstrace.lsh import DOC_MASK, KEY_MASK, LSHIndex, _pairs_within
from newstrace.match import lexical_verdict
from newstrace.model import InputError, Relation
from newstrace.nearcopy import verify_candidates

__all__ = ["DaskDedup", "DedupResult", "MAX_BUCKET", "Part", "chain_edges"]

#: A band bucket holding more articles than this is recurring text, never expanded.
MAX_BUCKET = 1000
#: Relations that join articles into one cluster (``partial`` reuse of a passage does not).
CLUSTER_RELATIONS = ("duplicate", "copy")
#: Sample of articles listed for each recurring bucket.
RECURRING_SAMPLE = 10
_KEY_SHIFT = np.uint64(26)  # packed keys keep their top 38 bits (see newstrace.lsh)

CLUSTER_COLUMNS = {"cluster": "str", "id": "str", "article": "str", "date": "str",
                   "representative": "str", "size": "int"}
RECURRING_COLUMNS = {"key": "str", "documents": "int", "ids": "strs", "articles": "strs"}


# -- 1. read (on the workers) ---------------------------------------------------------------
@dataclass
class Part:
    """One partition: a slice's articles read, cleaned and fingerprinted (kept on a worker).
    After planning, only the articles kept, numbered in input order from ``first``."""

    keys: list[str]  #: the input's id, else ``path:line`` or the path
    ids: list[str]  #: article ids (16 hex digits)
    wheres: list[str]
    dates: list[str | None]
    outlets: list[str | None]
    texts: list[str]
    signatures: np.ndarray
    sentence_pairs: ShingleBatch
    skipped: list[InputError] = field(default_factory=list)
    first: int = 0  #: the input-order number of the first article

    @property
    def stable_ids(self) -> np.ndarray:
        return np.array([stable_id(i) for i in self.ids], dtype=np.uint64)

    def header(self) -> Part:
        """What the client plans with: no texts, no signatures."""
        return replace(self, texts=[], signatures=self.signatures[:0])

    def keep(self, rows: Sequence[int], first: int) -> Part:
        """Only articles ``rows`` (ascending), numbered from ``first``."""
        def pick(values: list) -> list:
            return [values[row] for row in rows]

        return Part(pick(self.keys), pick(self.ids), pick(self.wheres), pick(self.dates), pick(self.outlets),
                    pick(self.texts), self.signatures[list(rows)], self.sentence_pairs.subset(rows), [], first)


def read_part(piece: Slice) -> Part:
    """Read, clean and fingerprint one slice with the local engine's stage."""
    done = read_slice_fingerprinted(piece)
    articles = done.articles
    return Part(
        keys=[article_key(a) for a in articles], ids=[a.id for a in articles],
        wheres=[where_from(a) for a in articles], dates=[a.date for a in articles],
        outlets=[a.outlet for a in articles], texts=[a.text for a in articles],
        signatures=done.fingerprints.signatures, sentence_pairs=done.fingerprints.sentence_pairs,
        skipped=[item for item in done.items if isinstance(item, InputError)],
    )


# -- 2. plan (client) -------------------------------------------------------------------------
def first_records(headers: Sequence[Part], on_skip: Callable[[InputError], None]) -> list[list[int]]:
    """Per partition, the rows the local finder keeps: the first record of each article id
    (the same record read again is dropped), and no input id that came before with other
    content (reported to ``on_skip`` as a duplicate id)."""
    seen: set[str] = set()
    keys = ExternalIds()
    kept = []
    for header in headers:
        rows = []
        for row, (key, content, where) in enumerate(zip(header.keys, header.ids, header.wheres)):
            if content in seen:
                continue
            seen.add(content)
            first = keys.seen_before(key, content, where)
            if first is None:
                rows.append(row)
            elif first[0] != content:
                on_skip(InputError(where, f"duplicate id {key!r} with other content (first seen in {first[1]})"))
        kept.append(rows)
    return kept


def boilerplate_of(headers: Sequence[Part], kept: Sequence[Sequence[int]]) -> BoilerplateIndex:
    """Recurring text counted over every kept article, added in input order."""
    index = BoilerplateIndex()
    for header, rows in zip(headers, kept):
        if rows:
            index.add([header.keys[r] for r in rows], header.sentence_pairs.subset(rows),
                      outlets=[header.outlets[r] for r in rows])
    return index


# -- 3. candidates (shuffles) -------------------------------------------------------------------
@dataclass
class Keyed:
    """LSH keys of some articles (one row a key) with their stable ids and numbers."""

    keys: np.ndarray  #: uint64, the top 38 bits of the local index's keys
    ids: np.ndarray  #: uint64 stable ids
    numbers: np.ndarray  #: int64 input-order numbers

    def take(self, mask: np.ndarray) -> Keyed:
        return Keyed(self.keys[mask], self.ids[mask], self.numbers[mask])

    @classmethod
    def concat(cls, chunks: Sequence[Keyed]) -> Keyed:
        return cls(*(np.concatenate([getattr(c, name) for c in chunks]) for name in ("keys", "ids", "numbers")))


def keyed_items(part: Part, banding: Any, kind: str, buckets: int) -> list[tuple[int, Keyed]]:
    """A partition's ``kind`` keys (``"bands"`` or ``"anchors"``, as the local index
    computes them), split by the shuffle bucket each key goes to."""
    packed = getattr(banding.prepare(part.signatures), kind)
    docs = (packed & DOC_MASK).astype(np.int64)
    keyed = Keyed(packed & KEY_MASK, part.stable_ids[docs], part.first + docs)
    bucket = ((keyed.keys >> _KEY_SHIFT) % np.uint64(buckets)).astype(np.int64)
    return [(int(b), keyed.take(bucket == b)) for b in np.unique(bucket).tolist()]


@dataclass
class Recurring:
    """A band bucket over the size cap: recurring text, recorded instead of expanded."""

    key: int
    numbers: np.ndarray  #: its articles' numbers, the first ``RECURRING_SAMPLE`` by stable id
    documents: int


def chain_edges(keyed: Keyed, max_bucket: int) -> tuple[np.ndarray, list[Recurring]]:
    """Per band bucket (articles sharing a key), its articles sorted by stable id joined
    in a chain, each pair ``(earlier, later)`` by number; buckets of more than
    ``max_bucket`` articles are returned as :class:`Recurring` instead."""
    order = np.lexsort((keyed.ids, keyed.keys))
    keys, numbers = keyed.keys[order], keyed.numbers[order]
    starts, lengths = run_bounds(keys)
    recurring = [Recurring(int(keys[s]), numbers[s: s + min(n, RECURRING_SAMPLE)], int(n))
                 for s, n in zip(starts[lengths > max_bucket].tolist(), lengths[lengths > max_bucket].tolist())]
    small = np.repeat(lengths <= max_bucket, lengths)
    link = (keys[1:] == keys[:-1]) & small[1:]
    edges = np.sort(np.stack([numbers[:-1][link], numbers[1:][link]], axis=1), axis=1)
    return edges[edges[:, 0] != edges[:, 1]], recurring


def anchor_pair_counts(keyed: Keyed, max_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of articles sharing an anchor key held by at most ``max_docs`` articles
    (the local index's rule, :func:`newstrace.lsh._pairs_within`), as sorted pair codes
    (:func:`pair_codes`) with how many anchors each pair shares here."""
    numbers, doc = np.unique(keyed.numbers, return_inverse=True)
    pairs = _pairs_within(np.sort(keyed.keys | doc.astype(np.uint64)), max_docs)
    return sorted_unique(pair_codes(numbers[pairs]))


def pair_codes(pairs: np.ndarray) -> np.ndarray:
    """One int64 per ``(earlier, later)`` pair of numbers (both below 2**31)."""
    return (pairs[:, 0].astype(np.int64) << 31) | pairs[:, 1]


def code_pairs(codes: np.ndarray) -> np.ndarray:
    return np.stack([codes >> 31, codes & ((1 << 31) - 1)], axis=1)


def summed_counts(chunks: Sequence[tuple[np.ndarray, np.ndarray]], minimum: int) -> np.ndarray:
    """The codes whose counts, summed over ``chunks``, reach ``minimum``."""
    codes = np.concatenate([c for c, _ in chunks] or [np.zeros(0, np.int64)])
    counts = np.concatenate([n for _, n in chunks] or [np.zeros(0, np.int64)])
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    starts, _ = run_bounds(codes)
    if not len(starts):
        return codes
    return codes[starts][np.add.reduceat(counts, starts) >= minimum]


def split_codes(codes: np.ndarray, counts: np.ndarray, buckets: int) -> list[tuple[int, tuple[np.ndarray, np.ndarray]]]:
    """Pair codes with counts, split by the shuffle bucket each pair goes to."""
    bucket = (codes ^ (codes >> 31)) % buckets
    return [(int(b), (codes[bucket == b], counts[bucket == b])) for b in np.unique(bucket).tolist()]


# -- 4. verify (on the workers) -------------------------------------------------------------------
@dataclass
class Verified:
    """A verified pair: the numbers of its articles (earlier first) and its record."""

    a: int
    b: int
    relation: str
    record: dict[str, Any]


def verify_block(parts: Sequence[Sequence[Part]], pairs: np.ndarray, boilerplate: BoilerplateIndex,
                 with_texts: bool) -> list[Verified]:
    """Verify candidate ``pairs`` (``(earlier, later)`` numbers) whose articles the
    partitions ``parts`` hold, with the local engine's verification and verdict."""
    texts, keys = {}, {}
    for part in (p for group in parts for p in group):
        for row, number in enumerate(range(part.first, part.first + len(part.keys))):
            keys[number], texts[number] = part.keys[row], part.texts[row]
    involved = np.unique(pairs)
    position = {int(n): i for i, n in enumerate(involved.tolist())}
    local = np.vectorize(position.__getitem__, otypes=[np.int64])(pairs) if len(pairs) else pairs
    names = [keys[n] for n in involved.tolist()]
    number_of = dict(zip(names, involved.tolist()))
    found = verify_candidates(local, names, {i: texts[n] for i, n in enumerate(involved.tolist())},
                              boilerplate=boilerplate)
    verified = []
    for near in found:
        comparison = lexical_verdict(near.overlap)
        if comparison is None:
            continue
        a, b = number_of[near.a_key], number_of[near.b_key]
        relation = Relation(near.a_key, near.b_key, comparison)
        verified.append(Verified(a, b, comparison.relation,
                                 relation.to_dict((texts[a], texts[b]) if with_texts else None)))
    return verified


# -- the driver ------------------------------------------------------------------------------------
@dataclass
class DedupResult:
    """What :meth:`DaskDedup.run` found: pair records, clusters and recurring buckets as
    table rows, and the run's figures."""

    pairs: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    recurring: list[dict[str, Any]]
    stats: dict[str, Any]

    def write(self, directory: str | os.PathLike[str], *, files: int = FILES) -> list[Path]:
        """``directory/pairs/``, ``clusters/`` and ``recurring/`` as Parquet datasets of
        ``files`` files each, byte-identical for the same rows."""
        directory = Path(directory)
        return [
            *write_dataset(self.pairs, directory / "pairs", PAIR_COLUMNS, files=files,
                           key=lambda r: f"{r['a']}\t{r['b']}", order=itemgetter("a", "b")),
            *write_dataset(self.clusters, directory / "clusters", CLUSTER_COLUMNS, files=files,
                           key=itemgetter("cluster"), order=itemgetter("cluster", "id")),
            *write_dataset(self.recurring, directory / "recurring", RECURRING_COLUMNS, files=files,
                           key=itemgetter("key"), order=itemgetter("key")),
        ]


@dataclass
class DaskDedup:
    """Near copies among many inputs on a Dask cluster (see the module docstring).

    ``slice_bytes`` sizes the input partitions (:func:`newstrace.ingest.plan_slices`),
    ``shuffle_buckets`` the shuffles (default: four per worker). ``with_texts`` adds each
    passage's text on both sides to the pair records. After :meth:`run`, ``stats`` holds
    counts and the seconds of each stage."""

    engine: DaskEngine
    slice_bytes: int = 16_000_000
    max_bucket: int = MAX_BUCKET
    shuffle_buckets: int | None = None
    with_texts: bool = False
    cluster_relations: tuple[str, ...] = CLUSTER_RELATIONS
    on_skip: Callable[[InputError], None] | None = None
    index: LSHIndex = field(default_factory=LSHIndex)  #: the local index's bands and anchor rules
    stats: dict[str, Any] = field(default_factory=dict)

    def run(self, inputs: PathLike | Iterable[PathLike]) -> DedupResult:
        import dask.bag as db

        paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        client, clock = self.engine.client, _Clock(self.stats)
        self.stats.update(skipped=0)
        slices = list(plan_slices(paths, slice_bytes=self.slice_bytes, on_skip=self._skip))
        if not slices:
            return DedupResult([], [], [], self.stats)
        read = client.persist(db.from_sequence(slices, npartitions=max(1, len(slices))).map(read_part))
        headers = client.compute(read.map(Part.header)).result()
        clock("read")

        for header in headers:
            for error in header.skipped:
                self._skip(error)
        kept = first_records(headers, self._skip)
        firsts = np.cumsum([0] + [len(rows) for rows in kept])
        parts = client.persist(db.map(Part.keep, read, db.from_sequence(kept, npartitions=len(kept)),
                                      db.from_sequence(firsts[:-1].tolist(), npartitions=len(kept))))
        del read
        boilerplate = client.scatter(boilerplate_of(headers, kept), broadcast=True)
        meta = _Meta.of(headers, kept)
        clock("plan")

        candidates, recurring = self._candidates(parts)
        clock("candidates")
        verified = self._verify(parts, candidates, firsts, boilerplate)
        clock("verify")
        clusters = connected_clusters(
            np.array([(v.a, v.b) for v in verified if v.relation in self.cluster_relations], dtype=np.int64),
            meta.stable_ids, meta.dates)
        clock("clusters")
        self.stats.update(articles=int(firsts[-1]), partitions=len(slices), shuffle_buckets=self._buckets(), candidates=len(candidates),
                          pairs=len(verified), clusters=len(clusters), recurring_buckets=len(recurring))
        return DedupResult(
            pairs=sorted((v.record for v in verified), key=itemgetter("a", "b")),
            clusters=[row for cluster in clusters for row in meta.cluster_rows(cluster)],
            recurring=sorted((meta.recurring_row(r) for r in recurring), key=itemgetter("key")),
            stats=self.stats,
        )

    def _buckets(self) -> int:
        return self.shuffle_buckets or 4 * self.engine.workers

    def _candidates(self, parts: Any) -> tuple[np.ndarray, list[Recurring]]:
        """Chained band edges and anchor pairs, as sorted unique ``(earlier, later)`` numbers."""
        buckets, banding, cap = self._buckets(), self.index.banding, self.max_bucket
        max_docs, minimum = self.index.max_anchor_docs, self.index.min_shared_anchors

        def shuffled(kind: str) -> Any:
            return (parts.map(keyed_items, banding, kind, buckets).flatten()
                    .groupby(itemgetter(0), npartitions=buckets, shuffle="tasks")
                    .map(lambda group: Keyed.concat([chunk for _, chunk in group[1]])))

        bands = shuffled("bands").map(chain_edges, cap)
        anchors = (shuffled("anchors").map(anchor_pair_counts, max_docs)
                   .map(lambda counted: split_codes(*counted, buckets)).flatten()
                   .groupby(itemgetter(0), npartitions=buckets, shuffle="tasks")
                   .map(lambda group: summed_counts([chunk for _, chunk in group[1]], minimum)))
        banded, anchored = self.engine.client.compute([bands, anchors], sync=True)
        edges = [edges for edges, _ in banded]
        recurring = [r for _, found in banded for r in found]
        self.stats.update(band_edges=sum(len(e) for e in edges), anchor_pairs=sum(len(c) for c in anchored))
        codes = np.concatenate([pair_codes(e) for e in edges] + anchored + [np.zeros(0, np.int64)])
        return code_pairs(np.unique(codes)), sorted(recurring, key=lambda r: r.key)

    def _verify(self, parts: Any, candidates: np.ndarray, firsts: np.ndarray, boilerplate: Any) -> list[Verified]:
        """Candidates verified on the workers, one task per pair of partitions holding them."""
        import dask

        partitions = parts.to_delayed()
        holder = np.searchsorted(firsts, candidates, side="right") - 1
        blocks = np.unique(holder, axis=0)
        tasks = []
        for x, y in blocks.tolist():
            pairs = candidates[(holder[:, 0] == x) & (holder[:, 1] == y)]
            held = [partitions[x]] if x == y else [partitions[x], partitions[y]]
            tasks.append(dask.delayed(verify_block)(held, pairs, boilerplate, self.with_texts))
        done = self.engine.client.compute(tasks, sync=True)
        return [v for block in done for v in block]

    def _skip(self, error: InputError) -> None:
        self.stats["skipped"] = self.stats.get("skipped", 0) + 1
        if self.on_skip is not None:
            self.on_skip(error)


@dataclass
class _Meta:
    """What the client keeps of every kept article, by number: for cluster rows."""

    keys: list[str]
    ids: list[str]
    dates: list[str | None]
    stable_ids: np.ndarray

    @classmethod
    def of(cls, headers: Sequence[Part], kept: Sequence[Sequence[int]]) -> _Meta:
        keys = [h.keys[r] for h, rows in zip(headers, kept) for r in rows]
        ids = [h.ids[r] for h, rows in zip(headers, kept) for r in rows]
        dates = [h.dates[r] for h, rows in zip(headers, kept) for r in rows]
        return cls(keys, ids, dates, np.array([stable_id(i) for i in ids], dtype=np.uint64))

    def cluster_rows(self, cluster: Cluster) -> list[dict[str, Any]]:
        label = f"{cluster.label:016x}"
        return [{"cluster": label, "id": self.ids[m], "article": self.keys[m], "date": self.dates[m],
                 "representative": self.keys[cluster.representative], "size": len(cluster.members)}
                for m in cluster.members]

    def recurring_row(self, bucket: Recurring) -> dict[str, Any]:
        return {"key": f"{bucket.key:016x}", "documents": bucket.documents,
                "ids": [self.ids[n] for n in bucket.numbers.tolist()],
                "articles": [self.keys[n] for n in bucket.numbers.tolist()]}


class _Clock:
    """Wall seconds of each stage, into ``stats["seconds"]``."""

    def __init__(self, stats: dict[str, Any]) -> None:
        self.stats, self.last = stats, time.perf_counter()
        stats["seconds"] = {}

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.stats["seconds"][stage] = round(now - self.last, 3)
        self.last = now
