"""``dedup`` on a Dask cluster: candidates by shuffling LSH keys, verification on the workers.

The local finder (:class:`newstrace.engine.streamed.CopyFinder`) matches every slice against one
in-memory index in this process. Here the matching is spread over the cluster as well:

1. **read** (per partition, on the workers): one slice of the inputs read, cleaned and
   fingerprinted by the local stage (:func:`newstrace.engine.stages.read_slice_fingerprinted`),
   kept on the worker that made it;
2. **plan** (client): the first record of each content id and input id is kept, as the
   local finder keeps it, numbered in input order after the articles an earlier run kept;
   recurring text is counted over the whole collection
   (:class:`~newstrace.match.boilerplate.BoilerplateIndex`) and sent to every worker;
3. **candidates** (shuffles): each partition cuts its signatures into the local engine's
   band and anchor keys (:meth:`newstrace.match.lsh.Banding.prepare`); the keys are shuffled
   (``dask.bag`` groupby, task-based) into ``shuffle_buckets`` key buckets, so that each
   key's articles meet in one task, with the same key's articles of earlier runs (read
   from the saved keys, :mod:`newstrace.engine.dedup_state`). Inside a band bucket the
   articles sorted by stable id are **chained** (n-1 pairs, not n²); a bucket of more
   than ``max_bucket`` articles is recurring text, recorded and never expanded. Anchor
   buckets (up to the local index's ``max_anchor_docs``) give every pair, and a second
   shuffle sums the anchors each pair shares: pairs with the local index's
   ``min_shared_anchors`` are candidates, as locally. Each key's contribution is counted
   with and without the new articles, so a second run changes exactly what a one-shot run
   over all inputs would have (a new article between two old ones in a chain splits their
   edge; a bucket that grows past a cap stops counting);
4. **verify** (on the workers): the new candidates (and old ones whose articles hold a
   sentence pair whose boilerplate verdict the new articles changed), grouped by the
   partitions holding their texts, are verified with the local engine's function
   (:func:`newstrace.match.nearcopy.verify_candidates` and :func:`newstrace.match.compare.lexical_verdict`),
   before any clustering, so one shared band cannot chain unrelated articles;
5. **clusters** (client): connected components of the verified ``duplicate`` and ``copy``
   pairs (:func:`newstrace.engine.components.connected_clusters`).

:meth:`DaskDedup.update` keeps the state under ``DIR/state/`` and writes ``pairs/``,
``clusters/`` and ``recurring/`` Parquet datasets (:mod:`newstrace.engine.datasets`) that
are byte-identical whatever the number of workers and partitions, and whether the inputs
came in one run or several.

>>> with DaskEngine.start(workers=4) as engine:                    # doctest: +SKIP
...     DaskDedup(engine).update(["monday.jsonl"], "out/")
...     DaskDedup(engine).update(["tuesday.jsonl"], "out/")      # adds tuesday's articles

Not done yet: the boilerplate index and the candidate and verified pairs are gathered in
the client (a distributed document-frequency count, a distributed large-star/small-star
pass and writers on the workers come next).
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.engine.streamed import article_key, new_records
from newstrace.engine.components import Cluster, connected_clusters, stable_id
from newstrace.engine.dask import DaskEngine
from newstrace.engine.datasets import FILES, PAIR_COLUMNS, write_dataset
from newstrace.engine.dedup_state import DedupState, StoredArticles, read_columns, write_columns
from newstrace.engine.stages import read_slice_fingerprinted
from newstrace.match.fingerprint import ShingleBatch, run_bounds, sorted_unique
from newstrace.ingest.readers import ExternalIds, PathLike, Slice, plan_slices, where_from
from newstrace.match.lsh import DOC_MASK, KEY_MASK, LSHIndex, pairs_within
from newstrace.match.compare import lexical_verdict
from newstrace.model import InputError, Relation
from newstrace.match.nearcopy import verify_candidates

__all__ = ["DaskDedup", "DedupResult", "KEY_BUCKETS", "MAX_BUCKET", "Part", "chain_edges"]

#: A band bucket holding more articles than this is recurring text, never expanded.
MAX_BUCKET = 1000
#: Relations that join articles into one cluster (``partial`` reuse of a passage does not).
CLUSTER_RELATIONS = ("duplicate", "copy")
#: Sample of articles listed for each recurring bucket.
RECURRING_SAMPLE = 10
#: Candidate pairs verified by one task at most (a dense block, such as a long chain of
#: near copies, is cut: each task profiles only the texts of its pairs).
VERIFY_PAIRS = 20_000
#: Key buckets of the shuffles, and files of the saved keys: fixed, as the state's layout.
KEY_BUCKETS = 16
_KEY_SHIFT = np.uint64(26)  # packed keys keep their top 38 bits (see newstrace.match.lsh)
_LOW31 = (1 << 31) - 1

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

    def save(self, path: str) -> int:
        """Write the articles (all but signatures) as one articles file of the state; their count."""
        import pyarrow as pa

        pairs = pa.ListArray.from_arrays(pa.array(self.sentence_pairs.offsets.astype(np.int32)),
                                         pa.array(self.sentence_pairs.hashes, type=pa.uint64()))
        strings = {name: pa.array(getattr(self, attribute), type=pa.string()) for name, attribute in
                   (("key", "keys"), ("id", "ids"), ("where", "wheres"), ("date", "dates"), ("outlet", "outlets"),
                    ("text", "texts"))}
        write_columns(path, {"number": np.arange(self.first, self.first + len(self.keys), dtype=np.int64),
                             **strings, "pairs": pairs})
        return len(self.keys)

    @classmethod
    def load(cls, path: str, first: int) -> list[Part]:
        """An articles file of the state, as a bag partition (a list of one part) for verification."""
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["key", "id", "where", "date", "outlet", "text", "pairs"])
        columns = table.to_pydict()
        pairs = table.column("pairs").combine_chunks()
        batch = ShingleBatch(pairs.values.to_numpy().astype(np.uint64), pairs.offsets.to_numpy().astype(np.int64))
        return [cls(columns["key"], columns["id"], columns["where"], columns["date"], columns["outlet"],
                    columns["text"], np.zeros((0, 0), dtype=np.uint32), batch, [], first)]


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
def first_records(headers: Sequence[Part], on_skip: Callable[[InputError], None],
                  stored: StoredArticles | None = None) -> list[list[int]]:
    """Per partition, the rows the local finder keeps: the first record of each article id
    (the same record read again, or one ``stored`` already, is dropped), and no input id
    that came before with other content (reported to ``on_skip`` as a duplicate id)."""
    stored = stored or StoredArticles()
    seen: set[str] = set(stored.ids)
    keys = ExternalIds()
    for key, content, where in zip(stored.keys, stored.ids, stored.wheres):
        keys.seen_before(key, content, where)
    return [new_records(header.keys, header.ids, header.wheres, seen, keys, on_skip) for header in headers]


def boilerplate_of(headers: Sequence[Part], kept: Sequence[Sequence[int]],
                   index: BoilerplateIndex | None = None) -> BoilerplateIndex:
    """Recurring text counted over every kept article, added in input order (to ``index``)."""
    index = BoilerplateIndex() if index is None else index
    for header, rows in zip(headers, kept):
        if rows:
            index.add([header.keys[r] for r in rows], header.sentence_pairs.subset(rows),
                      outlets=[header.outlets[r] for r in rows])
    return index




def stored_boilerplate(stored: StoredArticles) -> BoilerplateIndex:
    """Recurring text counted over the articles of earlier runs."""
    index = BoilerplateIndex()
    if len(stored):
        index.add(stored.keys, ShingleBatch(stored.pair_hashes, stored.pair_offsets), outlets=stored.outlets)
    return index


def changed_verdict_holders(before: BoilerplateIndex, after: BoilerplateIndex, stored: StoredArticles,
                            new_pairs: Sequence[ShingleBatch]) -> np.ndarray:
    """The stored articles (numbers) holding a sentence pair that the new articles (their
    ``new_pairs``) turn into boilerplate or out of it: their pairs need verifying again."""
    if not len(stored) or not new_pairs:
        return np.zeros(0, dtype=np.int64)
    keys = sorted_unique(np.concatenate([batch.hashes for batch in new_pairs]) & KEY_MASK)[0]
    keys = keys[before.document_frequency(keys) > 0]
    changed = keys[before.flag(keys) != after.flag(keys)]
    holder = np.repeat(np.arange(len(stored), dtype=np.int64), np.diff(stored.pair_offsets))
    return np.unique(holder[np.isin(stored.pair_hashes & KEY_MASK, changed)])


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
        chunks = [*chunks, cls.empty()]
        return cls(*(np.concatenate([getattr(c, name) for c in chunks]) for name in ("keys", "ids", "numbers")))

    @classmethod
    def empty(cls) -> Keyed:
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.uint64), np.zeros(0, np.int64))

    def save(self, path: str) -> None:
        write_columns(path, {"key": self.keys, "sid": self.ids, "number": self.numbers})

    @classmethod
    def stored(cls, folders: Sequence[str], kind: str, bucket: int, keys: np.ndarray) -> Keyed:
        """The rows of earlier runs' saved ``kind`` keys in ``bucket`` whose key is among ``keys``."""
        found = []
        for folder in folders:
            columns = read_columns(Path(folder) / kind / key_file(bucket))
            if columns is not None:
                keyed = cls(columns["key"], columns["sid"], columns["number"])
                found.append(keyed.take(np.isin(keyed.keys, keys)))
        return cls.concat(found)


def key_file(bucket: int) -> str:
    return f"part-{bucket:05d}.parquet"


def keyed_items(part: Part, banding: Any, kind: str, buckets: int) -> list[tuple[int, Keyed]]:
    """A partition's ``kind`` keys (``"bands"`` or ``"anchors"``, as the local index
    computes them), split by the key bucket each key goes to."""
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
    (the local index's rule, :func:`newstrace.match.lsh.pairs_within`), as sorted pair codes
    (:func:`pair_codes`) with how many anchors each pair shares here."""
    numbers, doc = np.unique(keyed.numbers, return_inverse=True)
    pairs = pairs_within(np.sort(keyed.keys | doc.astype(np.uint64)), max_docs)
    return sorted_unique(pair_codes(numbers[pairs]))


def pair_codes(pairs: np.ndarray) -> np.ndarray:
    """One int64 per ``(earlier, later)`` pair of numbers (both below 2**31)."""
    return (pairs[:, 0].astype(np.int64) << 31) | pairs[:, 1]


def code_pairs(codes: np.ndarray) -> np.ndarray:
    return np.stack([codes >> 31, codes & _LOW31], axis=1)


@dataclass
class Support:
    """Pairs (as codes) with how many band buckets chain them and how many anchors they
    share; as changes, what a run adds to (or takes from) those counts."""

    codes: np.ndarray
    bands: np.ndarray
    anchors: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray, bands: np.ndarray | None = None, anchors: np.ndarray | None = None) -> Support:
        zeros = np.zeros(len(codes), dtype=np.int64)
        return cls(codes.astype(np.int64), zeros if bands is None else bands.astype(np.int64),
                   zeros if anchors is None else anchors.astype(np.int64))

    @classmethod
    def summed(cls, chunks: Sequence[Support]) -> Support:
        """One row per distinct code, its counts summed over ``chunks``."""
        codes, bands, anchors = (np.concatenate([getattr(c, n) for c in chunks] + [np.zeros(0, np.int64)])
                                 for n in ("codes", "bands", "anchors"))
        order = np.argsort(codes, kind="stable")
        codes, bands, anchors = codes[order], bands[order], anchors[order]
        starts, _ = run_bounds(codes)
        if not len(starts):
            return cls.of(codes)
        return cls(codes[starts], np.add.reduceat(bands, starts), np.add.reduceat(anchors, starts))

    def take(self, mask: np.ndarray) -> Support:
        return Support(self.codes[mask], self.bands[mask], self.anchors[mask])

    def split(self, buckets: int) -> list[tuple[int, Support]]:
        """Split by the shuffle bucket each pair goes to."""
        bucket = (self.codes ^ (self.codes >> 31)) % buckets
        return [(int(b), self.take(bucket == b)) for b in np.unique(bucket).tolist()]

    def candidates(self, minimum: int) -> Support:
        """The pairs chained in a band bucket or sharing ``minimum`` anchors."""
        return self.take((self.bands > 0) | (self.anchors >= minimum))


def band_changes(group: tuple[int, list], folders: Sequence[str], new_folder: str | None,
                 max_bucket: int) -> tuple[Support, list[Recurring]]:
    """One key bucket's band keys: the chained pairs its new keys add and take away (a
    chain with the earlier runs' articles of the same keys, against the chain without the
    new ones), and its buckets over the cap. The new keys are saved in ``new_folder``."""
    bucket, new = group[0], Keyed.concat([chunk for _, chunk in group[1]])
    old = Keyed.stored(folders, "bands", bucket, np.unique(new.keys))
    if new_folder is not None:
        new.save(str(Path(new_folder) / "bands" / key_file(bucket)))
    after, recurring = chain_edges(Keyed.concat([old, new]), max_bucket)
    before, _ = chain_edges(old, max_bucket)
    codes = np.concatenate([pair_codes(after), pair_codes(before)])
    signs = np.concatenate([np.ones(len(after), np.int64), -np.ones(len(before), np.int64)])
    return Support.summed([Support.of(codes, bands=signs)]), recurring


def anchor_changes(group: tuple[int, list], folders: Sequence[str], new_folder: str | None,
                   max_docs: int) -> Support:
    """One key bucket's anchor keys: the shared-anchor counts its new keys add and take
    away (a bucket growing past ``max_docs`` no longer counts). The new keys are saved."""
    bucket, new = group[0], Keyed.concat([chunk for _, chunk in group[1]])
    old = Keyed.stored(folders, "anchors", bucket, np.unique(new.keys))
    if new_folder is not None:
        new.save(str(Path(new_folder) / "anchors" / key_file(bucket)))
    after, before = anchor_pair_counts(Keyed.concat([old, new]), max_docs), anchor_pair_counts(old, max_docs)
    return Support.summed([Support.of(after[0], anchors=after[1]), Support.of(before[0], anchors=-before[1])])


def relevant_changes(chunks: Sequence[Support], first_new: int, minimum: int) -> Support:
    """Changes summed per pair, keeping those that can matter: a pair with a new article
    (numbered from ``first_new``) that is a candidate, an old pair whose counts changed."""
    summed = Support.summed(chunks)
    new = (summed.codes & _LOW31) >= first_new
    candidate = (summed.bands > 0) | (summed.anchors >= minimum)
    changed = (summed.bands != 0) | (summed.anchors != 0)
    return summed.take(np.where(new, candidate, changed))


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


# -- the collection's tables, as a run leaves them ---------------------------------------------------
@dataclass
class Tables:
    """Candidate pairs with their support, verified pairs and recurring band buckets."""

    candidates: Support
    verified: list[Verified]
    recurring: dict[int, Recurring]

    @classmethod
    def load(cls, state: DedupState) -> Tables:
        """The latest snapshot of ``state`` (empty tables when there is none)."""
        candidates, pairs, recurring = (state.snapshot(name) for name in ("candidates", "pairs", "recurring"))
        if candidates is None:
            return cls(Support.of(np.zeros(0, np.int64)), [], {})
        return cls(
            Support(*(np.array(candidates[n], dtype=np.int64) for n in ("code", "bands", "anchors"))),
            [Verified(a, b, rel, json.loads(record))
             for a, b, rel, record in zip(pairs["a"], pairs["b"], pairs["relation"], pairs["record"])],
            {key: Recurring(key, np.array(sample, dtype=np.int64), documents)
             for key, documents, sample in zip(recurring["key"], recurring["documents"], recurring["sample"])})

    def codes(self) -> np.ndarray:
        """The pair codes of the verified pairs, in their order."""
        return pair_codes(np.array([(v.a, v.b) for v in self.verified], dtype=np.int64).reshape(-1, 2))

    def save(self, folder: Path) -> None:
        import pyarrow as pa

        write_columns(folder / "candidates.parquet", {"code": self.candidates.codes, "bands": self.candidates.bands,
                                                      "anchors": self.candidates.anchors})
        write_columns(folder / "pairs.parquet", {
            "a": np.array([v.a for v in self.verified], dtype=np.int64),
            "b": np.array([v.b for v in self.verified], dtype=np.int64),
            "relation": [v.relation for v in self.verified],
            "record": [json.dumps(v.record, ensure_ascii=False) for v in self.verified]})
        buckets = sorted(self.recurring.values(), key=lambda r: r.key)
        write_columns(folder / "recurring.parquet", {
            "key": np.array([r.key for r in buckets], dtype=np.uint64),
            "documents": np.array([r.documents for r in buckets], dtype=np.int64),
            "sample": pa.array([r.numbers.tolist() for r in buckets], type=pa.list_(pa.int64()))})


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

    ``slice_bytes`` sizes the input partitions (:func:`newstrace.ingest.readers.plan_slices`),
    ``shuffle_buckets`` the shuffles (and the files of saved keys). ``with_texts`` adds
    each passage's text on both sides to the pair records. After :meth:`run`, ``stats``
    holds counts and the seconds of each stage."""

    engine: DaskEngine
    slice_bytes: int = 16_000_000
    max_bucket: int = MAX_BUCKET
    shuffle_buckets: int = KEY_BUCKETS
    with_texts: bool = False
    cluster_relations: tuple[str, ...] = CLUSTER_RELATIONS
    on_skip: Callable[[InputError], None] | None = None
    index: LSHIndex = field(default_factory=LSHIndex)  #: the local index's bands and anchor rules
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> dict[str, Any]:
        """What a state kept for later runs depends on (a later run must use the same)."""
        banding = self.index.banding
        return {"max_bucket": self.max_bucket, "shuffle_buckets": self.shuffle_buckets,
                "with_texts": self.with_texts, "cluster_relations": list(self.cluster_relations),
                "bands": banding.bands, "rows": banding.rows, "anchors": banding.anchors,
                "max_anchor_docs": self.index.max_anchor_docs, "min_shared_anchors": self.index.min_shared_anchors}

    def update(self, inputs: PathLike | Iterable[PathLike], out: str | os.PathLike[str]) -> DedupResult:
        """Add ``inputs`` to the collection kept in ``out/state/`` (a new one if none) and
        write ``out/pairs/``, ``clusters/`` and ``recurring/`` for the whole collection: the
        files a one-shot run over every input so far writes. Inputs already kept are skipped."""
        result = self.run(inputs, DedupState.open(Path(out) / "state", self.settings))
        result.write(out)
        return result

    def run(self, inputs: PathLike | Iterable[PathLike], state: DedupState | None = None) -> DedupResult:
        """Near copies among ``inputs`` and the articles ``state`` holds (none by default);
        the new generation is committed to ``state`` before returning."""
        import dask.bag as db

        state = state or DedupState.open(None, self.settings)
        paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        client, clock = self.engine.client, _Clock(self.stats)
        self.stats.update(skipped=0, new_articles=0)
        stored, tables = state.stored_articles(), Tables.load(state)
        slices = list(plan_slices(paths, slice_bytes=self.slice_bytes, on_skip=self._skip))
        headers, read = self._read(slices)
        clock("read")

        kept = first_records(headers, self._skip, stored)
        firsts = len(stored) + np.cumsum([0] + [len(rows) for rows in kept])
        meta = _Meta.of(stored, headers, kept)
        self.stats.update(articles=len(meta.keys), partitions=len(slices), candidates=0)
        if firsts[-1] == len(stored):  # nothing new: the collection's tables as they are
            return self._result(tables, meta, clock)
        parts = client.persist(db.map(Part.keep, read, db.from_sequence(kept, npartitions=len(kept)),
                                      db.from_sequence(firsts[:-1].tolist(), npartitions=len(kept))))
        del read
        before = stored_boilerplate(stored)
        after = boilerplate_of(headers, kept, copy.deepcopy(before))
        reverify_holders = changed_verdict_holders(before, after, stored, [
            h.sentence_pairs.subset(rows) for h, rows in zip(headers, kept)])
        boilerplate = client.scatter(after, broadcast=True)
        partial = state.begin()
        counts = self._save_articles(parts, partial, len(kept))
        clock("plan")

        changes, recurring = self._candidates(parts, state, partial, len(stored))
        candidates = Support.summed([tables.candidates, changes]).candidates(self.index.min_shared_anchors)
        added = np.setdiff1d(candidates.codes, tables.candidates.codes)
        kept_old = np.setdiff1d(candidates.codes, added)
        pairs_of_kept = code_pairs(kept_old)
        reverify = kept_old[np.isin(pairs_of_kept, reverify_holders).any(axis=1)]
        clock("candidates")

        verified = self._verify(parts, np.union1d(added, reverify), firsts, state, boilerplate)
        still = np.isin(tables.codes(), np.setdiff1d(kept_old, reverify))
        tables = Tables(candidates, [v for v, keep in zip(tables.verified, still.tolist()) if keep] + verified,
                        {**tables.recurring, **{r.key: r for r in recurring}})
        if partial is not None:
            tables.save(partial)
        state.commit(partial, counts)
        clock("verify")
        self.stats.update(new_articles=int(firsts[-1] - len(stored)), candidates=len(candidates.codes),
                          new_candidates=len(added), reverified=len(reverify))
        return self._result(tables, meta, clock)

    def _read(self, slices: list[Slice]) -> tuple[list[Part], Any]:
        """Every slice read on the workers (kept there), and the headers of its parts."""
        import dask.bag as db

        if not slices:
            return [], None
        read = self.engine.client.persist(db.from_sequence(slices, npartitions=len(slices)).map(read_part))
        headers = self.engine.client.compute(read.map(Part.header)).result()
        for header in headers:
            for error in header.skipped:
                self._skip(error)
        return headers, read

    def _save_articles(self, parts: Any, partial: Path | None, count: int) -> list[int]:
        """Each new partition's articles written into the new generation, by its worker."""
        import dask.bag as db

        if partial is None:
            return []
        names = [str(partial / "articles" / key_file(i)) for i in range(count)]
        return self.engine.client.compute(db.map(Part.save, parts, db.from_sequence(names, npartitions=count)),
                                          sync=True)

    def _candidates(self, parts: Any, state: DedupState, partial: Path | None,
                    first_new: int) -> tuple[Support, list[Recurring]]:
        """What the new articles change in the pairs' support, and the band buckets over
        the cap that they touch (see :func:`band_changes`, :func:`anchor_changes`)."""
        buckets, banding, cap = self.shuffle_buckets, self.index.banding, self.max_bucket
        max_docs, minimum = self.index.max_anchor_docs, self.index.min_shared_anchors
        folders, new_folder = state.key_folders(), None if partial is None else str(partial)

        def shuffled(kind: str) -> Any:
            return (parts.map(keyed_items, banding, kind, buckets).flatten()
                    .groupby(itemgetter(0), npartitions=buckets, shuffle="tasks"))

        bands = shuffled("bands").map(band_changes, folders, new_folder, cap)
        anchors = shuffled("anchors").map(anchor_changes, folders, new_folder, max_docs)
        summed = (db_concat([bands.map(itemgetter(0)), anchors])
                  .map(lambda support: support.split(buckets)).flatten()
                  .groupby(itemgetter(0), npartitions=buckets, shuffle="tasks")
                  .map(lambda group: relevant_changes([chunk for _, chunk in group[1]], first_new, minimum)))
        changes, recurring = self.engine.client.compute([summed, bands.map(itemgetter(1))], sync=True)
        self.stats.update(changed_pairs=sum(len(c.codes) for c in changes))
        return Support.summed(changes), sorted((r for found in recurring for r in found), key=lambda r: r.key)

    def _verify(self, parts: Any, codes: np.ndarray, firsts: np.ndarray, state: DedupState,
                boilerplate: Any) -> list[Verified]:
        """Pairs ``codes`` verified on the workers, one task per pair of partitions holding
        their texts (the new partitions, and the state's articles files read there)."""
        import dask

        candidates = code_pairs(codes)
        stored = state.article_files()
        holders = [dask.delayed(Part.load)(path, first) for path, first, _ in stored] + list(parts.to_delayed())
        starts = np.array([first for _, first, _ in stored] + firsts[:-1].tolist(), dtype=np.int64)
        holder = np.searchsorted(starts, candidates, side="right") - 1
        tasks = []
        for x, y in np.unique(holder, axis=0).tolist():
            pairs = candidates[(holder[:, 0] == x) & (holder[:, 1] == y)]
            held = [holders[x]] if x == y else [holders[x], holders[y]]
            for start in range(0, len(pairs), VERIFY_PAIRS):  # bounded tasks, however dense the block
                tasks.append(dask.delayed(verify_block)(held, pairs[start: start + VERIFY_PAIRS], boilerplate,
                                                        self.with_texts))
        return gathered(self.engine.client.compute(tasks))

    def _result(self, tables: Tables, meta: _Meta, clock: _Clock) -> DedupResult:
        """Table rows of the collection: pair records, clusters (computed here) and recurring buckets."""
        edges = np.array([(v.a, v.b) for v in tables.verified if v.relation in self.cluster_relations],
                         dtype=np.int64)
        clusters = connected_clusters(edges, meta.stable_ids, meta.dates)
        clock("clusters")
        self.stats.update(pairs=len(tables.verified), clusters=len(clusters), recurring_buckets=len(tables.recurring),
                          shuffle_buckets=self.shuffle_buckets)
        return DedupResult(
            pairs=sorted((v.record for v in tables.verified), key=itemgetter("a", "b")),
            clusters=[row for cluster in clusters for row in meta.cluster_rows(cluster)],
            recurring=sorted((meta.recurring_row(r) for r in tables.recurring.values()), key=itemgetter("key")),
            stats=self.stats,
        )

    def _skip(self, error: InputError) -> None:
        self.stats["skipped"] = self.stats.get("skipped", 0) + 1
        if self.on_skip is not None:
            self.on_skip(error)


def gathered(futures: list[Any]) -> list[Verified]:
    """The verified pairs of ``futures`` (verification tasks), in task order, each task's
    result fetched as soon as it is done and then released, so that the workers never
    hold the finished blocks of a dense run (a 100,000-node chain of near copies: 580,000
    pairs and their passages) until the last one is done."""
    from distributed import as_completed

    order = [future.key for future in futures]
    pending = as_completed(futures, with_results=True)
    del futures
    blocks = {}
    for future, block in pending:
        blocks[future.key] = block
        del future  # the client's last reference: the worker forgets the result
    return [v for key in order for v in blocks[key]]


def db_concat(bags: Sequence[Any]) -> Any:
    import dask.bag as db

    return db.concat(list(bags))


@dataclass
class _Meta:
    """What the client keeps of every article of the collection, by number: for cluster rows."""

    keys: list[str]
    ids: list[str]
    dates: list[str | None]
    stable_ids: np.ndarray

    @classmethod
    def of(cls, stored: StoredArticles, headers: Sequence[Part], kept: Sequence[Sequence[int]]) -> _Meta:
        keys = stored.keys + [h.keys[r] for h, rows in zip(headers, kept) for r in rows]
        ids = stored.ids + [h.ids[r] for h, rows in zip(headers, kept) for r in rows]
        dates = stored.dates + [h.dates[r] for h, rows in zip(headers, kept) for r in rows]
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
