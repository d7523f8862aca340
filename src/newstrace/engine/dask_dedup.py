"""``dedup`` on a Dask cluster: candidates by shuffling LSH keys, verification on the workers.

The local finder (:class:`newstrace.engine.streamed.CopyFinder`) matches every slice against one
in-memory index in this process. Here the matching is spread over the cluster as well:

1. **read** (per partition, on the workers): one slice of the inputs read, cleaned and
   fingerprinted by the local stage (:func:`newstrace.engine.stages.read_slice_fingerprinted`),
   written to a Parquet file of a scratch folder (texts, signatures, sentence pairs), never
   kept in a worker's memory: each later stage reads back only the columns and rows it uses;
2. **plan** (client): the first record of each content id and input id is kept, as the
   local finder keeps it, numbered in input order after the articles an earlier run kept;
   recurring text is counted over the whole collection
   (:class:`~newstrace.match.boilerplate.BoilerplateIndex`) and sent to every worker;
3. **candidates** (shuffles): each partition cuts its signatures into the local engine's
   band and anchor keys (:meth:`newstrace.match.lsh.Banding.prepare`) and writes them to
   ``shuffle_buckets`` key-bucket files of the scratch folder (a shuffle through the disk),
   so that each key's articles meet in one task (holding one bucket of one kind), with the
   same key's articles of earlier runs (read from the saved keys,
   :mod:`newstrace.engine.dedup_state`). Inside a band bucket the
   articles sorted by stable id are **chained** (n-1 pairs, not n²); a bucket of more
   than ``max_bucket`` articles is recurring text, recorded and never expanded. Anchor
   buckets (up to the local index's ``max_anchor_docs``) give every pair, and a second
   shuffle sums the anchors each pair shares: pairs with the local index's
   ``min_shared_anchors`` are candidates, as locally. Each key's contribution is counted
   with and without the new articles, so a second run changes exactly what a one-shot run
   over all inputs would have (a new article between two old ones in a chain splits their
   edge; a bucket that grows past a cap stops counting);
4. **verify** (on the workers): the new candidates (and old ones whose articles hold a
   sentence pair whose boilerplate verdict the new articles changed), in blocks of at most
   ``VERIFY_PAIRS``, two a worker or more (each partition read once for the texts of its
   blocks), are verified with the local engine's functions
   (:func:`newstrace.match.nearcopy.verify_candidates` and
   :func:`newstrace.match.compare.lexical_verdict`), before any clustering, so one shared
   band cannot chain unrelated articles;
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
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
#: Candidate pairs a verification task gets at least, when there are fewer than two tasks'
#: worth a worker (below, one task's fixed costs outweigh what a second worker saves).
VERIFY_MIN_PAIRS = 500
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

    def save(self, path: str, *, with_signatures: bool = False) -> int:
        """Write the articles (signatures only ``with_signatures``) as one Parquet file, in
        the layout of the state's articles files; their count."""
        import pyarrow as pa

        pairs = pa.ListArray.from_arrays(pa.array(self.sentence_pairs.offsets.astype(np.int32)),
                                         pa.array(self.sentence_pairs.hashes, type=pa.uint64()))
        strings = {name: pa.array(getattr(self, attribute), type=pa.string()) for name, attribute in
                   (("key", "keys"), ("id", "ids"), ("where", "wheres"), ("date", "dates"), ("outlet", "outlets"),
                    ("text", "texts"))}
        signatures = {"signature": pa.FixedSizeListArray.from_arrays(
            pa.array(self.signatures.ravel(), type=pa.uint32()), self.signatures.shape[1])} if with_signatures else {}
        write_columns(path, {"number": np.arange(self.first, self.first + len(self.keys), dtype=np.int64),
                             **strings, "pairs": pairs, **signatures})
        return len(self.keys)

    @classmethod
    def read(cls, path: str, first: int = 0, rows: Sequence[int] | None = None, *, texts: bool = False,
             signatures: bool = False) -> Part:
        """Rows ``rows`` (all by default) of a file :meth:`save` wrote, numbered from
        ``first``: texts and signatures only when asked, so a stage reads what it uses."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = ["key", "id", "where", "date", "outlet", "pairs"] + ["text"] * texts + ["signature"] * signatures
        table = pq.read_table(path, columns=columns)
        if rows is not None:
            table = table.take(pa.array(rows, type=pa.int64()))
        values = {name: table.column(name).to_pylist() for name in ("key", "id", "where", "date", "outlet")}
        pairs = table.column("pairs").combine_chunks()
        offsets = pairs.offsets.to_numpy().astype(np.int64)
        batch = ShingleBatch(pairs.flatten().to_numpy().astype(np.uint64), offsets - offsets[0])
        signed = table.column("signature").combine_chunks() if signatures else None
        matrix = (signed.flatten().to_numpy().reshape(len(signed), signed.type.list_size) if signed is not None
                  else np.zeros((table.num_rows, 0), dtype=np.uint32))
        return cls(values["key"], values["id"], values["where"], values["date"], values["outlet"],
                   table.column("text").to_pylist() if texts else [], matrix, batch, [], first)


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


def spill_part(piece: Slice, path: str) -> Part:
    """Read one slice (:func:`read_part`) into a file of the scratch folder, and return its
    header: a worker keeps no partition in memory between stages."""
    part = read_part(piece)
    part.save(path, with_signatures=True)
    return part.header()


@dataclass(frozen=True)
class Spilled:
    """A partition on disk: the articles file ``path``, of which rows ``rows`` (all when
    ``None``) are the articles kept, numbered from ``first``."""

    path: str
    rows: tuple[int, ...] | None
    first: int

    def part(self, *, texts: bool = False, signatures: bool = False) -> Part:
        return Part.read(self.path, self.first, self.rows, texts=texts, signatures=signatures)

    def articles(self, numbers: np.ndarray) -> dict[int, tuple[str, str]]:
        """The key and text of the articles ``numbers`` (all held here)."""
        import pyarrow.parquet as pq

        rows = numbers - self.first
        rows = rows if self.rows is None else np.asarray(self.rows, dtype=np.int64)[rows]
        table = pq.read_table(self.path, columns=["key", "text"]).take(rows)
        return dict(zip(numbers.tolist(), zip(table.column("key").to_pylist(), table.column("text").to_pylist())))


def save_kept(spilled: Spilled, path: str) -> int:
    """The kept articles of a spilled partition written as an articles file of the state."""
    return spilled.part(texts=True).save(path)


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


def spill_keys(spilled: Spilled, name: str, *, banding: Any, buckets: int, folder: str) -> None:
    """A partition's band and anchor keys written to ``folder/KIND/BUCKET/name``, one file
    per key bucket: the shuffle goes through the disk, so a bucket task holds one bucket's
    keys of one kind, and nothing else."""
    part = spilled.part(signatures=True)
    for kind in ("bands", "anchors"):
        for bucket, keyed in keyed_items(part, banding, kind, buckets):
            keyed.save(str(Path(folder) / kind / f"{bucket:05d}" / name))


def shuffled_keys(folder: str, kind: str, bucket: int) -> Keyed:
    """The ``kind`` keys of every partition in key bucket ``bucket`` (:func:`spill_keys`)."""
    files = sorted((Path(folder) / kind / f"{bucket:05d}").glob("part-*.parquet"))
    return Keyed.concat([Keyed(*(columns[n] for n in ("key", "sid", "number")))
                         for columns in map(read_columns, files) if columns is not None])


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

    def split(self, buckets: int) -> list[Support]:
        """Split by the shuffle bucket each pair goes to (item ``b`` for bucket ``b``)."""
        bucket = (self.codes ^ (self.codes >> 31)) % buckets
        return [self.take(bucket == b) for b in range(buckets)]

    def candidates(self, minimum: int) -> Support:
        """The pairs chained in a band bucket or sharing ``minimum`` anchors."""
        return self.take((self.bands > 0) | (self.anchors >= minimum))


def band_changes(bucket: int, new: Keyed, folders: Sequence[str], new_folder: str | None,
                 max_bucket: int) -> tuple[Support, list[Recurring]]:
    """Key bucket ``bucket``'s new band keys: the chained pairs they add and take away (a
    chain with the earlier runs' articles of the same keys, against the chain without the
    new ones), and its buckets over the cap. The new keys are saved in ``new_folder``."""
    if not len(new.keys):
        return Support.of(np.zeros(0, np.int64)), []
    old = Keyed.stored(folders, "bands", bucket, np.unique(new.keys))
    if new_folder is not None:
        new.save(str(Path(new_folder) / "bands" / key_file(bucket)))
    after, recurring = chain_edges(Keyed.concat([old, new]), max_bucket)
    before, _ = chain_edges(old, max_bucket)
    codes = np.concatenate([pair_codes(after), pair_codes(before)])
    signs = np.concatenate([np.ones(len(after), np.int64), -np.ones(len(before), np.int64)])
    return Support.summed([Support.of(codes, bands=signs)]), recurring


def anchor_changes(bucket: int, new: Keyed, folders: Sequence[str], new_folder: str | None,
                   max_docs: int) -> Support:
    """Key bucket ``bucket``'s new anchor keys: the shared-anchor counts they add and take
    away (a bucket growing past ``max_docs`` no longer counts). The new keys are saved."""
    if not len(new.keys):
        return Support.of(np.zeros(0, np.int64))
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


def held_articles(spilled: Spilled, wanted: Sequence[np.ndarray]) -> list[dict[int, tuple[str, str]]]:
    """For each block of pairs, the key and text of its articles ``wanted[i]`` held by
    ``spilled``: one read of the partition's texts serves every block."""
    found = spilled.articles(np.unique(np.concatenate(wanted)))
    return [{n: found[n] for n in numbers.tolist()} for numbers in wanted]


def verify_block_size(pairs: int, workers: int, smallest: int = VERIFY_MIN_PAIRS) -> int:
    """Candidate pairs per verification task: two tasks a worker or more, so that every
    worker verifies, of ``smallest`` to :data:`VERIFY_PAIRS` pairs."""
    return max(smallest, min(VERIFY_PAIRS, -(-pairs // (2 * workers))))


def verify_block(held: Sequence[dict[int, tuple[str, str]]], pairs: np.ndarray, boilerplate: BoilerplateIndex,
                 with_texts: bool) -> list[Verified]:
    """Verify candidate ``pairs`` (``(earlier, later)`` numbers) whose articles' keys and
    texts ``held`` gives, with the local engine's verification and verdict."""
    texts, keys = {}, {}
    for articles in held:
        for number, (key, text) in articles.items():
            keys[number], texts[number] = key, text
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
    ``shuffle_buckets`` the shuffles (and the files of saved keys), ``verify_min_pairs`` the
    smallest verification task (:func:`verify_block_size`). ``with_texts`` adds each
    passage's text on both sides to the pair records. After :meth:`run`, ``stats`` holds
    counts and the seconds of each stage."""

    engine: DaskEngine
    slice_bytes: int = 16_000_000
    max_bucket: int = MAX_BUCKET
    shuffle_buckets: int = KEY_BUCKETS
    verify_min_pairs: int = VERIFY_MIN_PAIRS
    with_texts: bool = False
    cluster_relations: tuple[str, ...] = CLUSTER_RELATIONS
    on_skip: Callable[[InputError], None] | None = None
    index: LSHIndex = field(default_factory=LSHIndex)  #: the local index's bands and anchor rules
    scratch: str | os.PathLike[str] | None = None  #: where partitions spill between stages (shared by the workers)
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
        state = state or DedupState.open(None, self.settings)
        paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        client, clock = self.engine.client, _Clock(self.stats)
        self.stats.update(skipped=0, new_articles=0, verify_tasks=0)
        stored, tables = state.stored_articles(), Tables.load(state)
        slices = list(plan_slices(paths, slice_bytes=self.slice_bytes, on_skip=self._skip))
        with self._scratch_folder(state) as scratch:
            headers, files = self._read(slices, scratch)
            clock("read")

            kept = first_records(headers, self._skip, stored)
            firsts = len(stored) + np.cumsum([0] + [len(rows) for rows in kept])
            meta = _Meta.of(stored, headers, kept)
            self.stats.update(articles=len(meta.keys), partitions=len(slices), candidates=0)
            if firsts[-1] == len(stored):  # nothing new: the collection's tables as they are
                return self._result(tables, meta, clock)
            new = [Spilled(path, tuple(rows), int(first)) for path, rows, first in zip(files, kept, firsts[:-1])]
            before = stored_boilerplate(stored)
            after = boilerplate_of(headers, kept, copy.deepcopy(before))
            reverify_holders = changed_verdict_holders(before, after, stored, [
                h.sentence_pairs.subset(rows) for h, rows in zip(headers, kept)])
            del headers
            partial = state.begin()
            counts = self._save_articles(new, partial)
            clock("plan")

            changes, recurring = self._candidates(new, state, partial, len(stored), scratch)
            candidates = Support.summed([tables.candidates, changes]).candidates(self.index.min_shared_anchors)
            added = np.setdiff1d(candidates.codes, tables.candidates.codes)
            kept_old = np.setdiff1d(candidates.codes, added)
            pairs_of_kept = code_pairs(kept_old)
            reverify = kept_old[np.isin(pairs_of_kept, reverify_holders).any(axis=1)]
            clock("candidates")

            # scattered for the one stage that reads it, after the shuffle (a worker lost there
            # cannot take a replica with it); a key of this run's own: a same-content copy of an
            # earlier run on this client, released meanwhile, could otherwise take replicas of this one
            boilerplate = client.scatter(after, broadcast=True, hash=False)
            verified = self._verify(new, np.union1d(added, reverify), state, boilerplate)
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

    @contextmanager
    def _scratch_folder(self, state: DedupState) -> Iterator[Path]:
        """A folder for the partitions and keys spilled between stages, removed when the run
        ends: in ``scratch`` if set, else in the state's folder (where the next run clears
        what a killed run left), else in the system's temporary folder."""
        parent = self.scratch or state.folder
        if parent is not None:
            Path(parent).mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".scratch-", dir=parent))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _read(self, slices: list[Slice], scratch: Path) -> tuple[list[Part], list[str]]:
        """Every slice read on the workers into a file of ``scratch``; the headers of its
        parts, and the files."""
        files = [str(scratch / "read" / key_file(i)) for i in range(len(slices))]
        headers = fetched(self.engine.client.map(spill_part, slices, files))
        for header in headers:
            for error in header.skipped:
                self._skip(error)
        return headers, files

    def _save_articles(self, new: list[Spilled], partial: Path | None) -> list[int]:
        """Each new partition's kept articles written into the new generation, by a worker."""
        if partial is None:
            return []
        names = [str(partial / "articles" / key_file(i)) for i in range(len(new))]
        return fetched(self.engine.client.map(save_kept, new, names))

    def _candidates(self, new: list[Spilled], state: DedupState, partial: Path | None, first_new: int,
                    scratch: Path) -> tuple[Support, list[Recurring]]:
        """What the new articles change in the pairs' support, and the band buckets over
        the cap that they touch (see :func:`band_changes`, :func:`anchor_changes`): the keys
        are shuffled through ``scratch`` (:func:`spill_keys`), one task per key bucket and kind."""
        import dask

        buckets, cap = self.shuffle_buckets, self.max_bucket
        max_docs, minimum = self.index.max_anchor_docs, self.index.min_shared_anchors
        folders, new_folder = state.key_folders(), None if partial is None else str(partial)
        shuffle = str(scratch / "keys")
        client = self.engine.client
        fetched(client.map(spill_keys, new, [key_file(i) for i in range(len(new))],
                           banding=self.index.banding, buckets=buckets, folder=shuffle))

        def keys(kind: str, bucket: int) -> Any:
            return dask.delayed(shuffled_keys)(shuffle, kind, bucket)

        bands = [dask.delayed(band_changes, nout=2)(b, keys("bands", b), folders, new_folder, cap)
                 for b in range(buckets)]
        anchors = [dask.delayed(anchor_changes)(b, keys("anchors", b), folders, new_folder, max_docs)
                   for b in range(buckets)]
        pieces = [dask.delayed(Support.split, nout=buckets)(support, buckets)
                  for support in [support for support, _ in bands] + anchors]
        summed = [dask.delayed(relevant_changes)([piece[b] for piece in pieces], first_new, minimum)
                  for b in range(buckets)]
        changes, recurring = client.compute([summed, [found for _, found in bands]], sync=True)
        self.stats.update(changed_pairs=sum(len(c.codes) for c in changes))
        return Support.summed(changes), sorted((r for found in recurring for r in found), key=lambda r: r.key)

    def _verify(self, new: list[Spilled], codes: np.ndarray, state: DedupState, boilerplate: Any) -> list[Verified]:
        """Pairs ``codes`` verified on the workers in blocks of :func:`verify_block_size`
        (grouped by the partitions holding their articles); each partition (new, or an
        articles file of the state) is read once, for the texts its blocks need."""
        import dask

        holders = [Spilled(path, None, first) for path, first, _ in state.article_files()] + new
        starts = np.array([h.first for h in holders], dtype=np.int64)
        candidates = code_pairs(codes)
        holder = np.searchsorted(starts, candidates, side="right") - 1
        order = np.lexsort((holder[:, 1], holder[:, 0]))  # stable: by the pair of holders
        candidates = candidates[order]
        size = verify_block_size(len(candidates), self.engine.workers, self.verify_min_pairs)
        blocks = [candidates[start: start + size] for start in range(0, len(candidates), size)]
        self.stats["verify_tasks"] = len(blocks)
        wanted: dict[int, list[tuple[int, np.ndarray]]] = {}  # holder -> (block, its numbers held there)
        for index, block in enumerate(blocks):
            numbers = np.unique(block)
            owner = np.searchsorted(starts, numbers, side="right") - 1
            for x in np.unique(owner).tolist():
                wanted.setdefault(x, []).append((index, numbers[owner == x]))
        held: list[list[Any]] = [[] for _ in blocks]
        for x, needs in wanted.items():
            articles = dask.delayed(held_articles, nout=len(needs))(holders[x], [numbers for _, numbers in needs])
            for slot, (index, _) in enumerate(needs):
                held[index].append(articles[slot])
        tasks = [dask.delayed(verify_block)(pieces, block, boilerplate, self.with_texts)
                 for pieces, block in zip(held, blocks)]
        return [v for found in fetched(self.engine.client.compute(tasks)) for v in found]

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


def fetched(futures: list[Any]) -> list[Any]:
    """The results of ``futures``, in their order, each fetched as soon as it is done and
    then released, so that the workers never hold finished results (a partition's header;
    a verification block of a dense run, such as a 100,000-node chain of near copies: 580,000
    pairs and their passages) until the last one is done."""
    from distributed import as_completed

    order = [future.key for future in futures]
    pending = as_completed(futures, with_results=True)
    del futures
    results = {}
    for future, result in pending:
        results[future.key] = result
        del future  # the client's last reference: the worker forgets the result
    return [results[key] for key in order]


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
