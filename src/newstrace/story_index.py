"""What the story clusterer (:mod:`newstrace.stories`) holds per story and how it finds
candidate stories: :class:`StorySums`, the per-story arrays (sizes, date ranges, floors) and
vector sums, held only for the stories a run touches; :class:`StoryIndex`, the usearch graphs
of the stories' mean embeddings, one per time bucket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Sequence

import numpy as np

from newstrace.encode.index import BatchMatches, Index, top_columns, unit_rows  # the one module that loads usearch (after onnxruntime)
from newstrace.engine.parallel import available_cores

#: The day of an undated article or story (days count from 0001-01-01).
UNDATED = int(np.iinfo(np.int32).min)
#: Story means indexed at once from which the time buckets are built in parallel threads.
PARALLEL_INDEX_VECTORS = 4096
#: A time bucket of at most this many means is searched exactly, without a graph. Adding a
#: mean to a graph took 30-70 µs, an inner product with it 0.007-0.02 µs, and a graph search
#: 26-57 µs against 4-12 µs exact (256 dimensions, buckets of 200-1,800 means, one thread):
#: exact search stays the faster up to several thousand means.
EXACT_KEYS = 4096
#: Queries a larger restored time bucket answers by exact search before its graph is built:
#: this many exact searches cost less than the graph they put off.
BUILD_AFTER_QUERIES = 4096


class StorySums:
    """Per-story arrays, grown by doubling: sizes, date ranges, floors, and the vector sums.

    The vector sums (2,305 floats a story with the static encoder) are held only for the
    stories a run touches: each story row has a slot in ``_sums`` once it is loaded, by
    ``loader`` (a :class:`StoredSums`) for stories restored from a store, or when it is
    opened. Every row changed since the last save is in ``changed``."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.count = 0
        self.sizes = np.zeros(16, dtype=np.int64)
        self.first_day = np.full(16, UNDATED, dtype=np.int32)
        self.last_day = np.full(16, UNDATED, dtype=np.int32)
        self.floors = np.zeros(16, dtype=np.float32)  #: the highest floor of a story's members (see StoryClusterer._floors)
        self._slot = np.full(16, -1, dtype=np.int64)  #: each row's slot in ``_sums``; -1: not loaded
        self._sums = np.zeros((16, dim), dtype=np.float32)
        self._used = 0  #: slots taken
        self.loader: StoredSums | None = None
        self.changed: set[int] = set()

    def allocate(self, rows: int) -> None:
        """Room for ``rows`` story rows (none loaded), for a restore, and slots for all of
        their sums: allocated zeroed, so the system maps only the pages of the slots a run
        takes, and loading stories one batch after another copies nothing (doubling from a
        few slots took a tenth of a second of a second run into a 10,000-article store)."""
        self.sizes = np.zeros(rows, dtype=np.int64)
        self.first_day = np.full(rows, UNDATED, dtype=np.int32)
        self.last_day = np.full(rows, UNDATED, dtype=np.int32)
        self.floors = np.zeros(rows, dtype=np.float32)
        self._slot = np.full(rows, -1, dtype=np.int64)
        self._sums = np.zeros((rows, self.dim), dtype=np.float32)
        self._used = 0

    def new(self) -> int:
        if self.count == len(self.sizes):
            grow = len(self.sizes)
            self.sizes = np.concatenate([self.sizes, np.zeros(grow, dtype=np.int64)])
            self.first_day = np.concatenate([self.first_day, np.full(grow, UNDATED, dtype=np.int32)])
            self.last_day = np.concatenate([self.last_day, np.full(grow, UNDATED, dtype=np.int32)])
            self.floors = np.concatenate([self.floors, np.zeros(grow, dtype=np.float32)])
            self._slot = np.concatenate([self._slot, np.full(grow, -1, dtype=np.int64)])
        self.count += 1
        row = self.count - 1
        self._slot[row] = self._take_slots(1)[0]
        self.changed.add(row)
        return row

    def reserve(self, stories: int) -> None:
        """Room for ``stories`` more slots at once (one for each article of a batch: the
        most stories it can open), so that no doubling copies the sums while the batch is
        placed (at 100,000 articles, 600 MB copied into a second array of twice the size).
        The room is allocated zeroed: the system maps its pages only as stories are written."""
        if self._used + stories > len(self._sums):
            self._grow(self._used + stories)

    def _take_slots(self, count: int) -> np.ndarray:
        """``count`` fresh zero slots of ``_sums``."""
        if self._used + count > len(self._sums):
            self._grow(max(2 * len(self._sums), self._used + count))
        self._used += count
        return np.arange(self._used - count, self._used)

    def _grow(self, slots: int) -> None:
        self._sums = _with_room(self._sums, self._used, slots)

    def load_all(self, sums: np.ndarray, count: int) -> None:
        """Hold ``sums`` (rows 0..``count``, then free slots) as the sums of story rows
        0..``count`` (a restore with every story's sums)."""
        self._sums = sums
        self._used = count
        self._slot[:count] = np.arange(count)

    def ensure(self, rows: np.ndarray) -> None:
        """Load the sums of those of ``rows`` not held yet."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        missing = rows[self._slot[rows] < 0]
        if len(missing):
            missing = np.unique(missing)
            slots = self._take_slots(len(missing))  # consecutive: written in place, no copy
            self._stored().write(missing, self._sums[slots[0] : slots[-1] + 1])
            self._slot[missing] = slots

    def sums_of(self, rows: np.ndarray) -> np.ndarray:
        """The vector sums of ``rows`` (a copy, as ``sums[rows]``). Rows not held are read
        for this copy only, not given a slot: a second run reads some 30 candidate stories
        for each new article and changes a few, and writing every candidate's 9 KB of sums
        into fresh slots cost more than the products (+100 articles into 10,000: 1.12-1.42
        against 0.93-0.97 CPU-s for the whole run)."""
        rows = np.asarray(rows, dtype=np.int64)
        slots = self._slot[rows]
        held = slots >= 0
        if held.all():
            return self._sums[slots]
        sums = np.zeros((len(rows), self.dim), dtype=np.float32)
        sums[held] = self._sums[slots[held]]
        missing = np.flatnonzero(~held)
        wanted, copies = np.unique(rows[missing], return_inverse=True)
        loaded = np.zeros((len(wanted), self.dim), dtype=np.float32)
        self._stored().write(wanted, loaded)
        sums[missing] = loaded[copies.reshape(-1)]
        return sums

    def embedding_sums(self, rows: np.ndarray, dim: int) -> np.ndarray:
        """The first ``dim`` columns of the sums of ``rows`` (a copy, as ``sums[rows, :dim]``)."""
        rows = np.asarray(rows, dtype=np.int64)
        slots = self._slot[rows]
        if (slots >= 0).all():
            return self._sums[slots, :dim]
        return self.sums_of(rows)[:, :dim]

    def row(self, row: int) -> np.ndarray:
        """The sums of one row, as a view to change in place (valid until another row is loaded)."""
        slot = self._slot[row]
        if slot < 0:  # (checked here first: once or twice per article placed)
            self.ensure(np.array([row]))
            slot = self._slot[row]
        return self._sums[slot]

    def add(self, row: int, vector: np.ndarray, day: int, floor: float = 0.0) -> None:
        self.row(row)[:] += vector
        self.floors[row] = max(self.floors[row], floor)
        self.sizes[row] += 1
        self.first_day[row] = earliest(self.first_day[row], day)
        self.last_day[row] = latest(self.last_day[row], day)
        self.changed.add(row)

    def remove(self, row: int, vector: np.ndarray) -> None:
        """Take one member's vector out (its date range is kept)."""
        sums = self.row(row)
        sums -= vector
        self.sizes[row] -= 1
        if not self.sizes[row]:
            sums[:] = 0.0
            self.floors[row] = 0.0
        self.changed.add(row)

    def absorb(self, keep: int, drop: int) -> None:
        """Add story ``drop``'s sums, size and dates to ``keep``'s; ``drop`` is left empty."""
        self.ensure(np.array([keep, drop]))
        kept, dropped = self._sums[self._slot[keep]], self._sums[self._slot[drop]]
        kept += dropped
        self.sizes[keep] += self.sizes[drop]
        self.first_day[keep] = earliest(self.first_day[keep], self.first_day[drop])
        self.last_day[keep] = latest(self.last_day[keep], self.last_day[drop])
        dropped[:] = 0.0
        self.sizes[drop] = 0
        self.changed.update((keep, drop))

    def mean_products(self, rows: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The mean vector of each of ``rows`` (distinct) times ``weights``, and its last
        column (each story's mean hubness): the sums' product in float64, then divided by the
        sizes, which costs half of dividing every sum first. Rows not held are scored from
        their stored sums as they are (:meth:`StoredSums.products`), with no dense copy: a
        second run scores some 30 stored stories for each new article."""
        rows = np.asarray(rows, dtype=np.int64)
        sizes = np.maximum(self.sizes[rows], 1)
        slots = self._slot[rows]
        held = slots >= 0
        weights = weights.astype(np.float64)
        if held.all():
            sums = self._sums[slots].astype(np.float64)
            return (sums @ weights) / sizes, sums[:, -1] / sizes
        products, last = np.empty(len(rows)), np.empty(len(rows))
        if held.any():
            sums = self._sums[slots[held]].astype(np.float64)
            products[held], last[held] = sums @ weights, sums[:, -1]
        missing = ~held
        products[missing], last[missing] = self._stored().products(rows[missing], weights)
        return products / sizes, last / sizes

    def _stored(self) -> StoredSums:
        if self.loader is None:
            raise LookupError("a story's sums are neither held nor stored")
        return self.loader


class StoredSums:
    """The sums of the stories of a store's story table that a restored clusterer does not
    hold: their embedding sums (all read with the table) and their bag sums (indexes and
    values of the nonzero columns after the embedding's), read by ``bags`` (a list of story
    ``seqs`` in, their ``(indexes, values)`` bytes out) the first time a story is wanted."""

    def __init__(self, embeddings: np.ndarray, seqs: np.ndarray,
                 bags: Callable[[list[int]], Sequence[tuple[bytes, bytes]]]) -> None:
        self.embeddings = embeddings
        self.seqs = seqs
        self._bags = bags
        self._read: dict[int, tuple[bytes, bytes]] = {}  # by seq, read once (a story's are a few hundred bytes)

    def write(self, rows: np.ndarray, sums: np.ndarray) -> None:
        """The dense sums of story ``rows``, into the zero rows ``sums``."""
        dim = self.embeddings.shape[1]
        sums[:, :dim] = self.embeddings[rows]
        positions, columns, values = self._bag_entries(rows)
        sums[positions, dim + columns] = values

    def products(self, rows: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each of story ``rows``' sums times ``weights`` (float64) and its last column,
        as the dense sums' product gives them, from the nonzero columns alone."""
        dim = self.embeddings.shape[1]
        positions, columns, values = self._bag_entries(rows)
        values = values.astype(np.float64)
        products = self.embeddings[rows].astype(np.float64) @ weights[:dim]
        products += np.bincount(positions, weights=values * weights[dim + columns], minlength=len(rows))
        last = np.zeros(len(rows))
        at_last = columns == len(weights) - dim - 1
        last[positions[at_last]] = values[at_last]
        return products, last

    def _bag_entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nonzero bag columns of story ``rows``: each entry's position among ``rows``,
        its column (counted from the first after the embedding) and its value."""
        wanted = self.seqs[rows].tolist()
        unread = [seq for seq in wanted if seq not in self._read]
        if unread:
            self._read.update(zip(unread, self._bags(unread)))
        found = [self._read[seq] for seq in wanted]
        counts = [len(indexes) // 4 for indexes, _ in found]
        positions = np.repeat(np.arange(len(found)), counts)
        columns = np.frombuffer(b"".join(indexes for indexes, _ in found), dtype=np.int32)
        values = np.frombuffer(b"".join(values for _, values in found), dtype=np.float32)
        return positions, columns, values


class StoryIndex:
    """Add-only inner-product indexes of story mean embeddings, one per time bucket.

    When a story changes, its new mean is added under a new key rather than replacing the old
    one (usearch removals leave tombstones that slow every later search); stale keys still
    point at the right story, whose exact affinity is computed afterwards anyway. Articles
    search only the buckets that overlap their time window (plus the undated one), so the
    searched indexes stay the size of a window's news, not of the whole history.

    A bucket of at most ``EXACT_KEYS`` means is searched exactly (a matrix product,
    :meth:`_Means.nearest`): below that size an exact search is
    faster than a usearch graph's, and no graph is built. A larger bucket gets a graph
    holding its means in the order they came, except a bucket restored from a store, which is
    searched exactly until ``BUILD_AFTER_QUERIES`` queries have reached it: a second run
    spread over the whole history then builds no graph (at 100,000 stories, all of them took
    5 s), and a long one builds those its queries keep coming back to.
    """

    def __init__(self, dim: int, bucket_days: int) -> None:
        self.dim = dim
        self.bucket_days = max(bucket_days, 1)
        self._indexes: dict[int | None, Index] = {}
        self._held: dict[int | None, _Means] = {}  # means not in a graph (yet)
        self._sizes: dict[int | None, int] = {}  # keys per bucket, held ones included
        self._restored: dict[int | None, int] = {}  # restored buckets held: queries answered so far
        self._rows = np.empty(0, dtype=np.int64)  # story row by key

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, rows: np.ndarray, sums: np.ndarray, days: np.ndarray, *, later: bool = False) -> None:
        """Index the means of story ``rows`` under the bucket of ``days``, from their embedding
        ``sums`` (each held scaled to unit length; ``sums`` is left as it is);
        ``later``: a restore (see the class)."""
        first_key = len(self._rows)
        self._rows = np.concatenate([self._rows, rows.astype(np.int64)])
        keys = np.arange(first_key, len(self._rows), dtype=np.uint64)
        buckets = self._buckets(days)
        order = np.argsort(buckets, kind="stable")  # each bucket's means in the order they came
        values, starts, counts = np.unique(buckets[order], return_index=True, return_counts=True)
        grown = []
        for bucket, start, count in zip(values.tolist(), starts.tolist(), counts.tolist()):
            chosen = order[start : start + count]
            name = self._bucket_name(bucket)
            if name not in self._held:
                self._held[name] = _Means(self.dim)
            self._held[name].append(keys[chosen], sums, chosen)
            self._sizes[name] = self._sizes.get(name, 0) + count
            if later and name not in self._indexes:
                self._restored.setdefault(name, 0)
            grown.append(name)
        self._build(name for name in grown if not self._searched_exactly(name))

    def _searched_exactly(self, name: int | None, queries: int = 0) -> bool:
        """Whether bucket ``name`` answers ``queries`` more queries by exact search (counted
        for a restored bucket), rather than by its graph."""
        if name in self._indexes:
            return False
        if self._sizes[name] <= EXACT_KEYS:
            return True
        if name not in self._restored or self._restored[name] + queries > BUILD_AFTER_QUERIES:
            return False
        self._restored[name] += queries
        return True

    def _build(self, names: Iterable[int | None]) -> None:
        """Add the held means of the buckets ``names`` to their graphs, in the order they
        came. Each bucket's graph is built on one thread (the same graph every run); many
        means (a restored state's) are built side by side, on the cores (usearch releases the GIL)."""
        work = []
        for name in names:
            self._restored.pop(name, None)
            held = self._held.pop(name, None)
            if held is None:
                continue
            index = self._indexes.get(name)
            if index is None:  # (a new usearch index costs 0.1 ms: made only when its bucket is new)
                index = self._indexes[name] = Index(ndim=self.dim, metric="ip", dtype="f16")
            work.append((index, held))
        threads = min(len(work), available_cores()) if sum(held.count for _, held in work) >= PARALLEL_INDEX_VECTORS else 1
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda job: _add_held(*job), work))
        else:
            for index, held in work:
                _add_held(index, held)

    def search(self, vectors: np.ndarray, days: np.ndarray, count: int) -> list[np.ndarray]:
        """Story rows near each vector among the buckets in reach of its day: one batch call
        per bucket, with every query that reaches it."""
        found: list[list[np.ndarray]] = [[] for _ in range(len(vectors))]
        reaching: dict[int | None, list[int]] = {}
        for position, bucket in enumerate(self._buckets(days).tolist()):
            for name in self._reachable(self._bucket_name(bucket)):
                reaching.setdefault(name, []).append(position)
        exact = {name for name, members in reaching.items() if self._searched_exactly(name, len(members))}
        self._build(name for name in reaching if name not in exact)
        for name, members in reaching.items():
            if name in exact:
                for member, rows in zip(members, self._rows[self._held[name].nearest(vectors[members], count)]):
                    found[member].append(rows)
                continue
            index = self._indexes[name]
            matches = index.search(vectors[members], min(count, len(index)), threads=1)
            keys = np.atleast_2d(matches.keys)
            counts = matches.counts if isinstance(matches, BatchMatches) else [len(matches.keys)]
            rows = self._rows[np.where(keys < len(self._rows), keys, 0).astype(np.int64)]
            for position, member in enumerate(members):
                found[member].append(rows[position, : counts[position]])
        return [np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64) for parts in found]

    def redirect(self, old_row: int, new_row: int) -> None:
        """Keys of a story merged into another now point at the other."""
        self._rows[self._rows == old_row] = new_row

    def _buckets(self, days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        return np.where(days == UNDATED, UNDATED, days // self.bucket_days)

    @staticmethod
    def _bucket_name(bucket: int) -> int | None:
        return None if bucket == UNDATED else int(bucket)

    def _reachable(self, bucket: int | None) -> list[int | None]:
        """Undated articles reach every bucket; dated ones their neighbours and the undated one."""
        names = list(self._sizes) if bucket is None else (bucket - 1, bucket, bucket + 1, None)
        return [name for name in names if self._sizes.get(name, 0)]


#: Queries :meth:`_Means.nearest` scores at a time: 2,048 queries against 4,096 means made a
#: 32 MB score matrix and a 64 MB partition in fresh memory at each search.
NEAREST_ROWS = 256


class _Means:
    """A bucket's means not in a graph, with their keys, in the order they came: arrays
    grown by doubling, so that a bucket added to between searches is not copied whole each time."""

    def __init__(self, dim: int) -> None:
        self.count = 0
        self._keys = np.empty(0, dtype=np.uint64)
        self._vectors = np.empty((0, dim), dtype=np.float32)

    def append(self, keys: np.ndarray, sums: np.ndarray, rows: np.ndarray) -> None:
        """Hold the means of ``sums[rows]`` under ``keys``: taken into the held array and
        scaled there (at 95,000 restored stories, each copy of 97 MB into fresh memory cost
        a tenth of a second or more)."""
        end = self.count + len(keys)
        if end > len(self._keys):  # room for as many again: zeroed pages cost nothing until written
            size = 2 * end
            self._keys = _with_room(self._keys, self.count, size)
            self._vectors = _with_room(self._vectors, self.count, size)
        self._keys[self.count : end] = keys
        held = self._vectors[self.count : end]
        np.take(np.asarray(sums, dtype=np.float32), rows, axis=0, out=held)
        unit_rows(held, in_place=True)
        self.count = end

    def nearest(self, queries: np.ndarray, count: int) -> np.ndarray:
        """The keys (as ``int64``) of the ``count`` means of largest inner product with each
        query, one row per query, in no particular order: a search of at most ``EXACT_KEYS``
        means, made often, where sorting the best
        (:func:`~newstrace.encode.index.exact_neighbours`) cost more than the product."""
        keys = self.keys.astype(np.int64)
        if count >= self.count:
            return keys[np.broadcast_to(np.arange(self.count), (len(queries), self.count))]
        top = np.empty((len(queries), count), dtype=np.intp)
        for first in range(0, len(queries), NEAREST_ROWS):  # the scores and their partition in reused memory
            scores = queries[first : first + NEAREST_ROWS] @ self.vectors.T
            top[first : first + NEAREST_ROWS] = top_columns(scores, count)
        return keys[top]

    @property
    def keys(self) -> np.ndarray:
        return self._keys[: self.count]

    @property
    def vectors(self) -> np.ndarray:
        return self._vectors[: self.count]


def _with_room(array: np.ndarray, used: int, rows: int) -> np.ndarray:
    """A copy of ``array`` with room for ``rows`` rows: its first ``used`` rows, then zeros
    (allocated zeroed: the system maps their pages only as they are written)."""
    grown = np.zeros((rows, *array.shape[1:]), dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


def _add_held(index: Index, held: _Means) -> None:
    """Add ``held`` means to ``index`` in the order they came, on one thread."""
    index.add(held.keys, held.vectors, threads=1)


def earliest(a: int, b: int) -> int:
    """The earlier of two days, ignoring an undated (``UNDATED``) side."""
    dated = [day for day in (a, b) if day != UNDATED]
    return min(dated) if dated else UNDATED


def latest(a: int, b: int) -> int:
    """The later of two days, ignoring an undated (``UNDATED``) side."""
    dated = [day for day in (a, b) if day != UNDATED]
    return max(dated) if dated else UNDATED
