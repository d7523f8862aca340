"""What ``dedup --engine dask --out DIR`` keeps under ``DIR/state/`` to add inputs later.

A run adds one **generation**: the articles it kept (metadata, text and sentence-pair
hashes, one Parquet file per input partition) and their LSH keys (``bands/`` and
``anchors/``, one file per key bucket, written by the workers that shuffled them); and a
**snapshot** of the whole collection's small tables: the candidate pairs with their
support (band chain edges, shared anchors), the verified pair records and the recurring
band buckets. A later run reads the earlier generations' keys of the buckets its new keys
fall in, so new articles meet old ones through the saved keys, and reads back old texts
only to verify pairs they are part of; nothing old is fingerprinted or re-shuffled again.

Every generation is written into ``.gNNNNN.partial/``, renamed when complete, and only
then named in ``manifest.json`` (replaced atomically): a run killed at any point leaves
the previous state, and the next run removes what it left half-written, its scratch
folder included (:meth:`DedupState.open`).

Layout::

    DIR/state/manifest.json               settings, generations (articles per file)
    DIR/state/g00000/articles/part-*.parquet   number, key, id, where, date, outlet, text, pairs
    DIR/state/g00000/bands/part-*.parquet      key, sid, number (one file per key bucket)
    DIR/state/g00000/anchors/part-*.parquet
    DIR/state/g00000/candidates.parquet        code, bands, anchors (snapshot)
    DIR/state/g00000/pairs.parquet             a, b, relation, record (JSON) (snapshot)
    DIR/state/g00000/recurring.parquet         key, documents, sample (snapshot)
    DIR/state/.scratch-*/                      a running run's spilled partitions and keys
                                               (:mod:`newstrace.engine.dask_dedup`; removed at its end)
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DedupState", "Generation", "SettingsMismatch", "StoredArticles"]

MANIFEST = "manifest.json"
VERSION = 1


class SettingsMismatch(ValueError):
    """The state was written with other settings than this run's."""


@dataclass(frozen=True)
class Generation:
    """One run's additions: articles numbered ``first`` … ``first + sum(counts) - 1``,
    ``counts[i]`` of them in ``articles/part-{i:05d}.parquet``."""

    name: str
    first: int
    counts: tuple[int, ...]

    @property
    def articles(self) -> int:
        return sum(self.counts)

    def files(self) -> list[tuple[str, int, int]]:
        """``(file name, first number, count)`` of each articles file."""
        firsts = self.first + np.cumsum([0, *self.counts])[:-1]
        return [(f"part-{i:05d}.parquet", int(f), c) for i, (f, c) in enumerate(zip(firsts, self.counts))]


@dataclass
class StoredArticles:
    """The client's view of the stored articles, in number order (no texts)."""

    keys: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    wheres: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)
    outlets: list[str | None] = field(default_factory=list)
    pair_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    pair_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class DedupState:
    """The state under ``folder`` (``None``: a run that keeps nothing)."""

    folder: Path | None
    settings: dict[str, Any]
    generations: list[Generation] = field(default_factory=list)

    @classmethod
    def open(cls, folder: str | os.PathLike[str] | None, settings: dict[str, Any]) -> DedupState:
        """The state in ``folder`` (empty when there is none yet), cleared of what an
        interrupted run left; :class:`SettingsMismatch` when it was kept with other ``settings``."""
        if folder is None:
            return cls(None, settings)
        folder = Path(folder)
        manifest = folder / MANIFEST
        state = cls(folder, settings)
        if manifest.is_file():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if data["settings"] != settings:
                raise SettingsMismatch(f"{folder} was written with other settings ({data['settings']}); "
                                       f"use the same ones, or another --out")
            state.generations = [Generation(g["name"], g["first"], tuple(g["counts"])) for g in data["generations"]]
        state._remove_leftovers()
        return state

    @property
    def articles(self) -> int:
        return sum(g.articles for g in self.generations)

    @property
    def latest(self) -> Path | None:
        return None if self.folder is None or not self.generations else self.folder / self.generations[-1].name

    def key_folders(self) -> list[str]:
        """The generation folders holding ``bands/`` and ``anchors/`` files."""
        return [str(self.folder / g.name) for g in self.generations] if self.folder else []

    def article_files(self) -> list[tuple[str, int, int]]:
        """``(path, first number, count)`` of every stored articles file, in number order."""
        return [(str(self.folder / g.name / "articles" / name), first, count)
                for g in self.generations for name, first, count in g.files()] if self.folder else []

    def next_name(self) -> str:
        return f"g{len(self.generations):05d}"

    def begin(self) -> Path | None:
        """An empty folder for the next generation (``None`` when nothing is kept)."""
        if self.folder is None:
            return None
        partial = self.folder / f".{self.next_name()}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        return partial

    def commit(self, partial: Path | None, counts: list[int]) -> None:
        """Make the generation written in ``partial`` part of the state."""
        if self.folder is None or partial is None:
            return
        generation = Generation(self.next_name(), self.articles, tuple(counts))
        os.replace(partial, self.folder / generation.name)
        self.generations.append(generation)
        data = {"version": VERSION, "settings": self.settings, "generations": [asdict(g) for g in self.generations]}
        temporary = self.folder / f".{MANIFEST}.partial"
        temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, self.folder / MANIFEST)
        for older in self.generations[:-1]:  # snapshots are read from the latest generation only
            for name in SNAPSHOTS:
                (self.folder / older.name / f"{name}.parquet").unlink(missing_ok=True)

    def stored_articles(self) -> StoredArticles:
        """Every stored article's metadata and sentence-pair hashes (read in the client)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        stored = StoredArticles()
        files = self.article_files()
        if not files:
            return stored
        table = pa.concat_tables([pq.read_table(path, columns=ARTICLE_META) for path, _, _ in files])
        columns = table.to_pydict()
        stored.keys, stored.ids, stored.wheres = columns["key"], columns["id"], columns["where"]
        stored.dates, stored.outlets = columns["date"], columns["outlet"]
        pairs = table.column("pairs").combine_chunks()
        stored.pair_hashes = pairs.values.to_numpy().astype(np.uint64)
        stored.pair_offsets = pairs.offsets.to_numpy().astype(np.int64)
        return stored

    def snapshot(self, name: str) -> dict[str, Any] | None:
        """The latest generation's snapshot table ``name`` as columns (``None`` when none)."""
        import pyarrow.parquet as pq

        if self.latest is None:
            return None
        return pq.read_table(self.latest / f"{name}.parquet").to_pydict()

    def _remove_leftovers(self) -> None:
        """Partial generations and generations no manifest names (a run killed before its end)."""
        if not self.folder.is_dir():
            return
        named = {g.name for g in self.generations}
        for path in self.folder.iterdir():
            if path.is_dir() and path.name not in named:
                shutil.rmtree(path)


#: Snapshot tables, rewritten by every run (only the latest generation's are kept).
SNAPSHOTS = ("candidates", "pairs", "recurring")
#: Columns of an articles file read by the client (all but the text).
ARTICLE_META = ["number", "key", "id", "where", "date", "outlet", "pairs"]


def write_columns(path: str | os.PathLike[str], columns: dict[str, Any]) -> None:
    """One Parquet file of ``columns`` (name -> numpy array or list), written to a
    temporary name and renamed (a retried task rewrites it whole)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    pq.write_table(pa.table(columns), temporary, compression="zstd")
    os.replace(temporary, path)


def read_columns(path: str | os.PathLike[str], columns: list[str] | None = None) -> dict[str, np.ndarray] | None:
    """The numeric ``columns`` of a Parquet file as numpy arrays (``None`` when it is absent)."""
    import pyarrow.parquet as pq

    if not Path(path).is_file():
        return None
    table = pq.read_table(path, columns=columns)
    return {name: table.column(name).to_numpy() for name in table.column_names}
