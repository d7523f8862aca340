"""The embedded store: one SQLite file (WAL mode, versioned schema, a transaction per batch).

It holds articles, their fingerprints (MinHash signatures, embedding vectors), every pair
verdict already computed (so a second run re-computes nothing known) and the stories.

Each stored article is one publication, named by its :attr:`~newstrace.model.Article.key`
(input id, URL or file). The store keeps the latest version of each: an article whose key
is stored with other content replaces that earlier version, whose fingerprints and
verdicts are dropped and whose id is listed in the ``versions`` table. Removing articles
(or replacing one) drops the stories too; the next run rebuilds them from the articles left.

One process writes at a time: :class:`Store` opened with ``lock=True`` holds an exclusive
lock on ``<db>.lock`` until it is closed (the system releases it when a process dies, so a
crashed run never blocks the next); a second writer gets :class:`StoreBusy`. Readers are
never blocked (WAL).

Inside a process one :class:`Store` can serve many threads (a web server's requests while
a run writes): all writes go through a single writer connection, one
:meth:`~Store.transaction` at a time (a thread waits for another's transaction to end; a
transaction opened inside one of the same thread is part of it); reads use a connection of
the reading thread's own, in autocommit (each query sees the latest committed state), or
one consistent state for a whole :meth:`~Store.snapshot`. The thread inside a transaction
reads through the writer, so it sees its own uncommitted writes. An in-memory store
(``":memory:"``) has the writer alone, taken in turn.

The write-ahead log is checkpointed by SQLite every ``WAL_AUTOCHECKPOINT_PAGES`` pages; a
passive checkpoint cannot get past a reader that still reads an older state, so a run
ends with :meth:`~Store.checkpoint` (it waits for those readers, copies the whole log into
the database and truncates it), and ``journal_size_limit`` keeps a reset log from staying
large on disk.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from newstrace.model import DERIVED_RELATIONS, Article, Relation, Story, input_file

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: no writer lock there
    fcntl = None  # type: ignore[assignment]

#: 3: run state in its own table (``state``), stories kept in the order put, indexes for
#: the per-article and per-outlet queries. 4: full-text search over titles and texts
#: (``articles_fts``, kept in sync as articles come and go) and a story index for the web app
#: (``story_index``, ``story_articles``); a version 3 store is upgraded when opened.
SCHEMA_VERSION = 4
#: Schema versions upgraded in place to :data:`SCHEMA_VERSION` when opened.
_UPGRADABLE = {3}
DEFAULT_DB = "newstrace.db"
#: How long a statement waits for another connection's write to finish, in milliseconds.
BUSY_TIMEOUT_MS = 30_000
#: How long :meth:`Store.checkpoint` waits for readers of an older state, in milliseconds.
CHECKPOINT_WAIT_MS = 1_000
#: Pages written to the write-ahead log between SQLite's own (passive) checkpoints.
WAL_AUTOCHECKPOINT_PAGES = 1000
#: The size a write-ahead log is cut back to after a checkpoint, in bytes.
WAL_SIZE_LIMIT = 16 * 1024 * 1024
#: The story clusterer's saved state (see :class:`~newstrace.stories.StoryClusterer`).
_STORY_STATE = "stories"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    external_id TEXT, path TEXT, title TEXT, text TEXT NOT NULL, date TEXT, outlet TEXT,
    url TEXT, byline TEXT, credits TEXT NOT NULL, boilerplate TEXT NOT NULL, meta TEXT NOT NULL,
    key TEXT, supersedes TEXT, file TEXT
);
CREATE INDEX IF NOT EXISTS articles_key ON articles (key);
-- The articles' ids and outlets in insertion order, apart from their texts: a run's listings
-- (the ids still without a fingerprint or a story, every outlet) read this instead of every
-- article row (at 100,000 articles 0.05-0.09 s a listing against 0.18 s).
CREATE INDEX IF NOT EXISTS articles_listing ON articles (seq, id, outlet);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY, key TEXT NOT NULL, file TEXT, replaced_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fingerprints (
    article_id TEXT NOT NULL, kind TEXT NOT NULL, data BLOB NOT NULL, dtype TEXT NOT NULL,
    shape TEXT NOT NULL, PRIMARY KEY (article_id, kind)
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (outlet);
CREATE TABLE IF NOT EXISTS pairs (
    a TEXT NOT NULL, b TEXT NOT NULL, relation TEXT NOT NULL, source TEXT, score REAL NOT NULL,
    evidence TEXT NOT NULL, PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS pairs_b ON pairs (b);
CREATE TABLE IF NOT EXISTS stories (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_state (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, articles TEXT NOT NULL, title TEXT NOT NULL,
    title_score REAL NOT NULL, title_id TEXT NOT NULL, first_day INTEGER NOT NULL, last_day INTEGER NOT NULL,
    floor REAL NOT NULL, embedding BLOB NOT NULL, bag_index BLOB NOT NULL, bag_sum BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS story_index (
    story_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, first_date TEXT, last_date TEXT,
    last_seq INTEGER, articles INTEGER NOT NULL, outlets INTEGER NOT NULL, independent INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS story_index_activity ON story_index (last_date DESC, last_seq DESC);
CREATE TABLE IF NOT EXISTS story_articles (
    article_id TEXT NOT NULL, story_id TEXT NOT NULL, PRIMARY KEY (article_id, story_id)
);
CREATE INDEX IF NOT EXISTS story_articles_story ON story_articles (story_id);
"""

#: Full-text search over titles and texts: an external-content FTS5 table over ``articles``,
#: kept in sync by :meth:`Store.add_articles` (each batch indexed in one statement, in its
#: transaction, or later by :meth:`Store.index_for_search`) and by a trigger on delete
#: (statements hold ``;``, so apart). A trigger on insert, as stores before this one had,
#: indexed row by row: FTS5 writes its pending terms out at the end of every trigger
#: program, which took twice the time of indexing the batch at once (4.3 s against 1.9 s of
#: CPU for 10,000 articles of 3,300 characters). Rows are indexed in ``seq`` order, so the
#: index holds every row up to the highest it holds (:data:`_SEARCHABLE_UPTO`) and none
#: after: the trigger forgets only rows up to there (an external-content index must never be
#: told to forget a row it does not hold).
_SEARCH_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, content='articles',"
    " content_rowid='seq', tokenize='unicode61 remove_diacritics 2')",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    # Merge index segments 8 at a time, not 4: fewer passes over the postings while articles
    # are added (50,000 articles in batches of 2,000: 9.2 -> 8.0 s of CPU), the same matches.
    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8)",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles"
    " WHEN old.seq <= (SELECT coalesce(max(id), 0) FROM articles_fts_docsize) BEGIN"
    " INSERT INTO articles_fts (articles_fts, rowid, title, text)"
    " VALUES ('delete', old.seq, coalesce(old.title, ''), old.text); END",
)
#: The highest article row the search index holds (FTS5 keeps one ``docsize`` row per row indexed).
_SEARCHABLE_UPTO = "SELECT coalesce(max(id), 0) FROM articles_fts_docsize"
#: Article rows :meth:`Store.index_for_search` indexes per transaction (so that other writers wait little).
SEARCH_INDEX_ROWS = 2000


_TABLES = ("articles_fts", "articles", "versions", "fingerprints", "pairs", "stories", "state", "story_state",
           "story_index", "story_articles", "meta")


class StoreError(RuntimeError):
    """The database cannot be used (wrong schema version, not a newstrace store)."""


class StoreBusy(StoreError):
    """Another process is writing to the store."""


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class Store:
    """A newstrace database, safe to share between threads. Use as a context manager, or
    call :meth:`close`.

    >>> with Store(":memory:") as store:
    ...     store.add_articles([Article.from_text("Some text.")])
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, lock: bool = False, fresh: bool = False) -> None:
        """Open (or create) the store at ``path``. With ``lock``, hold the writer lock
        until :meth:`close` (:class:`StoreBusy` if another process holds it); with
        ``fresh``, empty a newstrace store first (start over)."""
        self.path = str(path)
        self._lock_fd: int | None = None
        self._write_lock = threading.RLock()  #: held for a whole transaction
        self._writing_thread: int | None = None  #: the thread inside a transaction, if any
        self._local = threading.local()  #: each thread's reader connection
        self._readers: list[sqlite3.Connection] = []  #: every reader opened, closed with the store
        self._readers_lock = threading.Lock()
        self._outlets: tuple[tuple, list[tuple[str, int]]] | None = None  #: :meth:`outlets` as last counted
        if lock and self.path != ":memory:":
            self._lock_fd = _acquire_lock(self.path + ".lock", self.path)
        try:
            self._writer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            self._release_lock()
            raise StoreError(f"{self.path}: cannot open the database ({exc})") from exc
        try:
            self._writer.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._refuse_foreign()
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._writer.execute("PRAGMA synchronous=NORMAL")
            self._writer.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            self._writer.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            if fresh:
                self._drop_all()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"{self.path}: not a newstrace database ({exc})") from exc
        except StoreError:
            self.close()
            raise

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection (the threads' readers too) and release the writer lock."""
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            reader.close()
        self._writer.close()
        self._release_lock()

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together, or not at all. One thread's transaction at a
        time (others wait for it); a transaction opened inside one of the same thread is
        part of it."""
        with self._write_lock:
            if self._writer.in_transaction:  # this thread's own, opened further out
                yield self._writer
                return
            self._writer.execute("BEGIN IMMEDIATE")
            self._writing_thread = threading.get_ident()
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            finally:
                self._writing_thread = None
            self._writer.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside (by this thread) sees the same committed state, whatever is
        written meanwhile."""
        with self._reading() as db:
            if db is self._writer or db.in_transaction:  # a transaction, or a snapshot further out
                yield
                return
            db.execute("BEGIN")
            try:
                yield
            finally:
                db.execute("COMMIT")

    def checkpoint(self, wait_ms: int = CHECKPOINT_WAIT_MS) -> bool:
        """Copy the whole write-ahead log into the database and truncate it, waiting up to
        ``wait_ms`` for readers of an older state to finish; whether it got through (a
        reader that holds an old state longer leaves the log to the next checkpoint)."""
        if self.path == ":memory:":
            return True
        with self._write_lock:
            self._writer.execute(f"PRAGMA busy_timeout={wait_ms}")
            try:
                busy, _, _ = self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                self._writer.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return not busy

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection this thread reads through: the writer inside its own transaction
        (or, for an in-memory store, in turn with the other threads), else its own reader."""
        if self._writing_thread == threading.get_ident():
            yield self._writer
        elif self.path == ":memory:":
            with self._write_lock:
                yield self._writer
        else:
            yield self._reader()

    def _reader(self) -> sqlite3.Connection:
        """This thread's read-only connection (opened on its first read). It is only ever
        used by this thread; ``check_same_thread`` is off so that :meth:`close` can close it."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            reader.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            reader.execute("PRAGMA query_only=ON")
            with self._readers_lock:
                self._readers.append(reader)
            self._local.reader = reader
        return reader

    def _rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        """All rows of a read-only query."""
        with self._reading() as db:
            return db.execute(query, params).fetchall()

    def _refuse_foreign(self) -> None:
        """Refuse a SQLite database of something else (tables, but no newstrace schema
        version), before anything is written to it: not even its journal mode changes."""
        tables = sorted(name for (name,) in self._writer.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))
        if not tables:
            return
        if "meta" in tables and self._writer.execute("SELECT 1 FROM meta WHERE key='schema_version'").fetchone():
            return
        listed = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        raise StoreError(f"{self.path}: not a newstrace database: a SQLite database of something else "
                         f"(tables {listed}), left as it is; give another --db")

    def _migrate(self) -> None:
        """Create the tables of a new store; refuse a store of another schema version."""
        with self.transaction() as db:
            db.execute(_SCHEMA.split(";")[0])  # meta
            row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = None if row is None else int(row[0])
            if version is not None and version != SCHEMA_VERSION and version not in _UPGRADABLE:
                raise StoreError(f"{self.path}: schema version {row[0]}, this newstrace reads "
                                 f"{SCHEMA_VERSION}; start over with --fresh (or use another --db)")
            for statement in (*filter(str.strip, _SCHEMA.split(";")), *_SEARCH_SCHEMA):
                db.execute(statement)
            if version in _UPGRADABLE:
                self._upgrade(db)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    @staticmethod
    def _upgrade(db: sqlite3.Connection) -> None:
        """Fill what version 4 added from a version 3 store's rows: the search index and
        the story index."""
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        stories = [Story.from_dict(_loads(data)) for (data,) in db.execute("SELECT data FROM stories ORDER BY seq")]
        _index_stories(db, stories)

    def _drop_all(self) -> None:
        """Empty the store, if it is a newstrace store (anything else is left alone)."""
        tables = {name for (name,) in self._writer.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and not ("meta" in tables and self._writer.execute(
                "SELECT 1 FROM meta WHERE key='schema_version'").fetchone()):
            raise StoreError(f"{self.path}: not a newstrace database; --fresh empties only newstrace stores")
        with self.transaction() as db:
            for table in _TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")

    # -- articles ------------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article], *, searchable: bool = True) -> list[Article]:
        """Store the articles not yet stored (by id), in one transaction; return those.

        An article whose ``key`` is stored under another id (an edited file, a record
        with new content) replaces that earlier version: ``supersedes`` names it, and it
        is removed as by :meth:`remove_articles` and listed in ``versions``. With
        ``searchable`` false the articles are not yet indexed for full-text search: a later
        :meth:`index_for_search` (or ``add_articles``) indexes every row left so."""
        fresh: list[Article] = []
        seen: set[str] = set()
        with self.transaction() as db:
            for article in articles:
                if article.id in seen:
                    continue
                seen.add(article.id)
                if db.execute("SELECT 1 FROM articles WHERE id=?", (article.id,)).fetchone():
                    continue
                if article.key is not None:
                    self._replace_versions(article)
                db.execute(
                    "INSERT INTO articles (id, external_id, path, title, text, date, outlet, url, byline,"
                    " credits, boilerplate, meta, key, supersedes, file) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    _article_row(article),
                )
                fresh.append(article)
            if searchable:
                _index_for_search(db)
        return fresh

    def index_for_search(self, rows: int = SEARCH_INDEX_ROWS, *, stop: threading.Event | None = None) -> int:
        """Index for full-text search the articles stored without it (``searchable=False``,
        or by a run that stopped before), ``rows`` per transaction, until none is left or
        ``stop`` is set; how many were indexed. Safe to run on another thread while this
        one reads: the writes wait their turn."""
        indexed = 0
        while stop is None or not stop.is_set():
            with self.transaction() as db:
                count = _index_for_search(db, rows)
            indexed += count
            if count < rows:
                break
        return indexed

    def _replace_versions(self, article: Article) -> None:
        """Retire the stored versions of ``article`` (same key, other id). The rows not yet
        indexed for search are indexed first, as the search index can only forget a row it
        holds, and holds every row up to the highest it holds."""
        with self.transaction() as db:
            rows = db.execute("SELECT id, file FROM articles WHERE key=? ORDER BY seq", (article.key,)).fetchall()
            if not rows:
                return
            _index_for_search(db)
            article.supersedes = rows[-1][0]
            db.executemany("INSERT OR REPLACE INTO versions VALUES (?,?,?,?)",
                           [(old, article.key, file, article.id) for old, file in rows])
            self.remove_articles([old for old, _ in rows])

    def remove_articles(self, ids: Sequence[str]) -> int:
        """Remove articles with their fingerprints and verdicts, in one transaction; the
        stories are dropped, to be rebuilt from the articles left. Returns how many were stored."""
        removed = 0
        with self.transaction() as db:
            for chunk in _chunks(list(ids), 300):
                marks = ",".join("?" * len(chunk))
                removed += db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk).rowcount
                db.execute(f"DELETE FROM fingerprints WHERE article_id IN ({marks})", chunk)
                db.execute(f"DELETE FROM pairs WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk)
            if removed:
                _clear_stories(db)
                db.execute("DELETE FROM state WHERE key=?", (_STORY_STATE,))
                db.execute("DELETE FROM story_state")
        return removed

    def find(self, ref: str) -> list[str]:
        """Ids of the stored articles ``ref`` names: an article id, an input id, a URL, or
        a file or folder they were read from."""
        where = os.path.abspath(ref)
        under = where.rstrip(os.sep) + os.sep
        with self.snapshot():
            ids = [row[0] for row in self._rows(
                "SELECT id FROM articles WHERE id=? OR external_id=? OR url=? ORDER BY seq", (ref, ref, ref))]
            ids += [row[0] for row in self._rows(
                "SELECT id FROM articles WHERE file=? OR substr(file, 1, ?)=? ORDER BY seq",
                (where, len(under), under))]
        return list(dict.fromkeys(ids))

    def missing_files(self) -> list[str]:
        """Ids of the stored articles read from files that no longer exist."""
        rows = self._rows("SELECT id, file FROM articles WHERE file IS NOT NULL ORDER BY seq")
        exists: dict[str, bool] = {}
        return [i for i, file in rows if not exists.setdefault(file, os.path.exists(file))]

    def versions(self) -> dict[str, str]:
        """Earlier versions of stored articles: retired id -> the id that replaced it."""
        return dict(self._rows("SELECT id, replaced_by FROM versions"))

    def counts(self) -> dict[str, int]:
        """How many articles the store holds, and how many of them are in a story yet."""
        with self.snapshot():
            articles = len(self)
            in_stories = sum(len(story.article_ids) for story in self.stories())
        return {"articles": articles, "in_stories": in_stories}

    def articles(self, ids: Sequence[str] | None = None) -> list[Article]:
        """Stored articles in insertion order (all, or those with the given ids)."""
        if ids is None:
            return [_row_article(row) for row in self._rows(f"{_ARTICLE_QUERY} ORDER BY seq")]
        rows = []
        with self.snapshot():
            for chunk in _chunks(list(ids), 900):
                marks = ",".join("?" * len(chunk))
                rows += self._rows(f"{_ARTICLE_QUERY} WHERE id IN ({marks}) ORDER BY seq", chunk)
        return [_row_article(row) for row in rows]

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, if any."""
        rows = self._rows(f"{_ARTICLE_QUERY} WHERE id=?", (article_id,))
        return _row_article(rows[0]) if rows else None

    def articles_of_outlet(self, outlet: str, limit: int | None = None, offset: int = 0) -> list[Article]:
        """The stored articles of one outlet, in insertion order (``limit`` of them from
        ``offset`` when given)."""
        return [_row_article(row) for row in self._rows(
            f"{_ARTICLE_QUERY} WHERE outlet=? ORDER BY seq LIMIT ? OFFSET ?",
            (outlet, -1 if limit is None else limit, offset))]

    def article_ids(self) -> list[str]:
        return [row[0] for row in self._rows("SELECT id FROM articles ORDER BY seq")]

    def ids_outside_stories(self) -> list[str]:
        """Ids of the stored articles that no stored story holds, in insertion order."""
        return [row[0] for row in self._rows(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM story_articles) ORDER BY seq")]

    def outlets_of(self) -> dict[str, str | None]:
        """Every stored article's outlet (``None`` where unknown), by id."""
        return dict(self._rows("SELECT id, outlet FROM articles"))

    def __len__(self) -> int:
        return self._rows("SELECT COUNT(*) FROM articles")[0][0]

    # -- fingerprints (MinHash signatures, vectors) ------------------------------------
    def put_arrays(self, kind: str, ids: Sequence[str], arrays: Sequence[np.ndarray]) -> None:
        """Store one array per article under ``kind`` (e.g. ``"minhash"``, ``"doc_vector"``)."""
        rows = [
            (article_id, kind, np.ascontiguousarray(a).tobytes(), a.dtype.str, json.dumps(a.shape))
            for article_id, a in zip(ids, arrays)
        ]
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO fingerprints VALUES (?,?,?,?,?)", rows)

    def ids_without(self, kind: str) -> list[str]:
        """Ids of the stored articles with no array of ``kind``, in insertion order."""
        query = ("SELECT id FROM articles WHERE id NOT IN "
                 "(SELECT article_id FROM fingerprints WHERE kind=?) ORDER BY seq")
        return [row[0] for row in self._rows(query, (kind,))]

    def get_arrays(self, kind: str, ids: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Arrays of ``kind`` by article id (all stored ones, or those among ``ids``)."""
        return {article_id: np.frombuffer(data, dtype=_dtype(dtype)).reshape(_shape(shape))
                for article_id, data, dtype, shape in self._array_rows(kind, ids)}

    def get_joined(self, kind: str, ids: Sequence[str] | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Arrays of ``kind`` (all stored ones, or those among ``ids``) in the order of
        :meth:`get_arrays`, read as one: their article ids, their values flattened and
        joined in one array, and where each one starts (``offsets``, one more than the
        ids). One array from the joined bytes instead of one per article (the signatures
        of 100,000 articles, stacked from those, took half a second); the bytes are appended
        a chunk of rows at a time as they are read, so they are never all held twice."""
        ids_read: list[str] = []
        dtypes: list[str] = []
        lengths: list[int] = []
        joined = bytearray()
        for chunk in self._array_row_chunks(kind, ids):
            chunk_ids, blobs, chunk_dtypes, _ = zip(*chunk)
            ids_read += chunk_ids
            dtypes += chunk_dtypes
            lengths += map(len, blobs)
            joined += b"".join(blobs)
        if not ids_read:
            return [], np.zeros(0), np.zeros(1, dtype=np.int64)
        kinds = {_dtype(dtype) for dtype in set(dtypes)}
        if len(kinds) == 1:
            (only,) = kinds
            values = np.frombuffer(joined, dtype=only)
            sizes = np.array(lengths, dtype=np.int64) // only.itemsize
        else:  # not written by this version, but readable
            ends = np.cumsum(lengths).tolist()
            parts = [np.frombuffer(joined[end - length : end], dtype=_dtype(dtype))
                     for end, length, dtype in zip(ends, lengths, dtypes)]
            values = np.concatenate(parts)
            sizes = np.array([len(part) for part in parts], dtype=np.int64)
        return ids_read, values, np.concatenate([[0], np.cumsum(sizes)])

    def get_matrix(self, kind: str) -> tuple[list[str], np.ndarray]:
        """Every stored array of ``kind`` (all of one size) as a row of one matrix, with
        their article ids (:meth:`get_joined`; no rows: a ``(0, 0)`` matrix)."""
        ids, values, _ = self.get_joined(kind)
        return ids, values.reshape(len(ids), -1) if ids else values.reshape(0, 0)

    def _array_rows(self, kind: str, ids: Sequence[str] | None) -> list[tuple]:
        return [row for chunk in self._array_row_chunks(kind, ids) for row in chunk]

    def _array_row_chunks(self, kind: str, ids: Sequence[str] | None) -> Iterator[list[tuple]]:
        """The rows (id, data, dtype, shape) of the arrays of ``kind`` (all stored ones, or
        those among ``ids``), a chunk of rows at a time as read, from one snapshot."""
        query = "SELECT article_id, data, dtype, shape FROM fingerprints WHERE kind=?"
        with self.snapshot(), self._reading() as db:
            if ids is None:
                cursor = db.execute(query, (kind,))
                while chunk := cursor.fetchmany(ROWS_READ):
                    yield chunk
                return
            for part in _chunks(list(ids), 900):
                marks = ",".join("?" * len(part))
                chunk = db.execute(f"{query} AND article_id IN ({marks})", (kind, *part)).fetchall()
                if chunk:
                    yield chunk

    # -- pair verdicts -----------------------------------------------------------------
    def put_relations(self, relations: Iterable[Relation], *, replace: bool = True) -> None:
        """Store pair verdicts (``unrelated`` ones too, so they are not computed again);
        with ``replace=False`` a pair that already has a verdict keeps it."""
        rows = [(*_ordered(r.a, r.b), r.relation, r.source, r.score, json.dumps(r.to_dict())) for r in relations]
        with self.transaction() as db:
            db.executemany(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO pairs VALUES (?,?,?,?,?,?)", rows)

    def relations(self, *, include_unrelated: bool = False, kind: str | None = None) -> list[Relation]:
        """Stored verdicts (those of one ``kind`` of relation, when given)."""
        query, params = "SELECT relation, source, score, evidence FROM pairs", ()
        if kind is not None:
            query, params = query + " WHERE relation = ?", (kind,)
        elif not include_unrelated:
            query += " WHERE relation != 'unrelated'"
        return [_row_relation(*row) for row in self._rows(query + " ORDER BY a, b", params)]

    def relations_of(self, article_id: str, *, include_unrelated: bool = False) -> list[Relation]:
        """The stored verdicts on pairs that hold ``article_id``."""
        query = "SELECT relation, source, score, evidence FROM pairs WHERE (a=? OR b=?)"
        if not include_unrelated:
            query += " AND relation != 'unrelated'"
        return [_row_relation(*row) for row in self._rows(query + " ORDER BY a, b", (article_id, article_id))]

    def compared_pairs(self) -> set[tuple[str, str]]:
        """Every pair (in sorted order) that already has a verdict."""
        return {(a, b) for a, b in self._rows("SELECT a, b FROM pairs")}

    def has_pair(self, a: str, b: str) -> bool:
        return bool(self._rows("SELECT 1 FROM pairs WHERE a=? AND b=?", _ordered(a, b)))

    # -- stories and state ------------------------------------------------------------
    def put_stories(self, stories: Sequence[Story]) -> None:
        """Replace the stored stories with ``stories``."""
        with self.transaction() as db:
            _clear_stories(db)
            _insert_stories(db, stories)

    def replace_stories(self, stories: Sequence[Story]) -> None:
        """Store each of ``stories`` in place of the stored story with its id (as a digest
        run attaches digests to the stories of its report); the other stories are kept."""
        with self.transaction() as db:
            _drop_stories(db, [story.id for story in stories])
            _insert_stories(db, stories)

    def update_stories(self, stories: Sequence[Story], *, only: Collection[str] | None = None) -> list[str]:
        """Make the stored stories ``stories``, as :meth:`put_stories` does, writing only
        those that are new or changed (and removing the others): a run that adds a few
        articles to a large store changes a few of its stories. ``only``: the ids of the
        stories that may differ from their stored form, when the caller knows them; the
        other stored ones are kept without being compared (at 95,000 stories, writing each
        as JSON to compare it took most of a second). Returns the ids of those written."""
        current = {story.id for story in stories}
        with self.transaction() as db:
            if only is None:
                stored = dict(db.execute("SELECT id, data FROM stories"))
                stored_ids: Collection[str] = stored.keys()
            else:
                stored_ids = {story_id for (story_id,) in db.execute("SELECT id FROM stories")}
                stories = [story for story in stories if story.id in only or story.id not in stored_ids]
                stored = dict(db.execute("SELECT id, data FROM stories WHERE id IN (SELECT value FROM json_each(?))",
                                         (json.dumps([story.id for story in stories if story.id in stored_ids]),)))
            texts = {story.id: story_json(story) for story in stories}
            changed = [story for story in stories if _changed(stored.get(story.id), texts[story.id])]
            _drop_stories(db, [story_id for story_id in stored_ids if story_id not in current]
                          + [story.id for story in changed if story.id in stored])
            _insert_stories(db, changed, texts)
        return [story.id for story in changed]

    def stories(self, limit: int | None = None, offset: int = 0) -> list[Story]:
        """The stored stories in the report's order (largest first, then by first date and
        id), ``limit`` of them from ``offset`` when given."""
        rows = self._rows("SELECT s.data FROM stories s LEFT JOIN story_index i ON i.story_id = s.id"
                          " ORDER BY i.articles DESC, COALESCE(i.first_date, ''), s.id LIMIT ? OFFSET ?",
                          (-1 if limit is None else limit, offset))
        return [Story.from_dict(_loads(data)) for (data,) in rows]

    def story(self, story_id: str) -> Story | None:
        """The stored story with this id, if any."""
        rows = self._rows("SELECT data FROM stories WHERE id=?", (story_id,))
        return Story.from_dict(_loads(rows[0][0])) if rows else None

    # -- reads for the web app: stories by activity, an article's story, search ---------
    def stories_by_activity(self, limit: int, offset: int = 0, *, outlet: str | None = None,
                            since: str | None = None, until: str | None = None,
                            match: str | None = None) -> tuple[list[Story], int]:
        """A page of stories, latest activity first (last article date, then the latest
        stored), with how many match: those with an article of ``outlet``, with dates
        overlapping ``since``..``until`` (ISO days, both inclusive), with an article whose
        title or text matches the FTS5 query ``match``, when given."""
        where, params = _story_filters(outlet, since, until, match)
        with self.snapshot():
            total = self._rows(f"SELECT COUNT(*) FROM story_index{where}", params)[0][0]
            ids = [story_id for (story_id,) in self._rows(  # undated last: NULL sorts lowest
                f"SELECT story_id FROM story_index{where} ORDER BY last_date DESC, last_seq DESC LIMIT ? OFFSET ?",
                (*params, limit, offset))]
            data = dict(self._rows("SELECT id, data FROM stories WHERE id IN (SELECT value FROM json_each(?))",
                                   (json.dumps(ids),)))
        return [Story.from_dict(_loads(data[story_id])) for story_id in ids if story_id in data], total

    def story_of(self, article_id: str) -> Story | None:
        """The stored story that holds this article, if any."""
        rows = self._rows("SELECT s.data FROM story_articles m JOIN stories s ON s.id = m.story_id"
                          " WHERE m.article_id=? LIMIT 1", (article_id,))
        return Story.from_dict(_loads(rows[0][0])) if rows else None

    def relation(self, a: str, b: str) -> Relation | None:
        """The stored verdict on the pair ``a``, ``b`` (either order), if any."""
        rows = self._rows("SELECT relation, source, score, evidence FROM pairs WHERE a=? AND b=?", _ordered(a, b))
        return _row_relation(*rows[0]) if rows else None

    def relations_among(self, ids: Sequence[str]) -> list[Relation]:
        """The stored verdicts (other than ``unrelated``) on pairs of two of ``ids``."""
        members = json.dumps(list(ids))
        return [_row_relation(*row) for row in self._rows(
            "SELECT relation, source, score, evidence FROM pairs WHERE relation != 'unrelated'"
            " AND a IN (SELECT value FROM json_each(?)) AND b IN (SELECT value FROM json_each(?)) ORDER BY a, b",
            (members, members))]

    def outlets(self) -> list[tuple[str, int]]:
        """Every outlet with its number of stored articles, most articles first (counted
        again only when the articles changed: the latest ``seq`` or the count differ)."""
        with self.snapshot():
            version = tuple(self._rows("SELECT MAX(seq), COUNT(*) FROM articles")[0])
            cached = self._outlets
            if cached is not None and cached[0] == version:
                return list(cached[1])
            counts = [(name, count) for name, count in self._rows(
                "SELECT outlet, COUNT(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet"
                " ORDER BY COUNT(*) DESC, outlet")]
        self._outlets = (version, counts)
        return list(counts)

    def outlet_roles(self, outlet: str) -> dict[str, int]:
        """How many stored articles of ``outlet`` there are, and how many derivations
        have one of them as the source, and as the copy."""
        derived = ",".join(f"'{kind}'" for kind in sorted(DERIVED_RELATIONS))
        pairs = (f"SELECT p.source AS source, CASE WHEN p.source = p.a THEN p.b ELSE p.a END AS copy"
                 f" FROM pairs p WHERE p.source IS NOT NULL AND p.relation IN ({derived})")
        with self.snapshot():
            articles = self._rows("SELECT COUNT(*) FROM articles WHERE outlet=?", (outlet,))[0][0]
            source, copy = self._rows(
                f"SELECT COALESCE(SUM(s.outlet = ?), 0), COALESCE(SUM(c.outlet = ?), 0) FROM ({pairs}) d"
                " JOIN articles s ON s.id = d.source JOIN articles c ON c.id = d.copy"
                " WHERE s.outlet = ? OR c.outlet = ?", (outlet, outlet, outlet, outlet))[0]
        return {"articles": articles, "source": int(source), "copy": int(copy)}

    def search(self, query: str, limit: int = 20, offset: int = 0, *, outlet: str | None = None,
               since: str | None = None, until: str | None = None) -> SearchResult:
        """Articles whose title or text match ``query`` (FTS5 syntax: see :func:`fts_query`
        for turning a user's words into it), best first, with a snippet each and the
        matches counted by outlet and by month (facets, before the outlet and date filters
        are applied to the page). Past :data:`SEARCH_SCOPE` matches, the latest that many
        are ranked and counted (``scope`` says so)."""
        filters, params = _article_filters(outlet, since, until)
        with self.snapshot():
            matches = self._rows("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,))[0][0]
            latest = self._rows("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC"
                                " LIMIT 1 OFFSET ?", (query, SEARCH_SCOPE - 1)) if matches > SEARCH_SCOPE else []
            match = ("FROM articles_fts f JOIN articles a ON a.seq = f.rowid WHERE articles_fts MATCH ?"
                     f" AND f.rowid >= {int(latest[0][0]) if latest else 0}")
            groups = self._rows(f"SELECT a.outlet, substr(a.date, 1, 7), COUNT(*) {match} GROUP BY 1, 2", (query,))
            total = self._rows(f"SELECT COUNT(*) {match}{filters}", (query, *params))[0][0] if filters else \
                sum(count for _, _, count in groups)
            rows = self._rows(
                f"SELECT a.id, a.title, a.outlet, a.date, snippet(articles_fts, 1, ?, ?, '…', 16)"
                f" {match}{filters} ORDER BY rank LIMIT ? OFFSET ?",
                (SNIPPET_START, SNIPPET_END, query, *params, limit, offset))
        outlets: Counter[str] = Counter()
        months: Counter[str] = Counter()
        for outlet_name, month, count in groups:
            outlets[outlet_name] += count if outlet_name is not None else 0
            months[month] += count if month is not None else 0
        return SearchResult(
            [SearchHit(*row) for row in rows], total,
            sorted(((o, n) for o, n in outlets.items() if n), key=lambda item: (-item[1], item[0]))[:FACETS],
            sorted(((m, n) for m, n in months.items() if n), reverse=True)[:FACETS],
            matches, SEARCH_SCOPE if latest else None)

    def get_state(self, key: str) -> Any:
        """Run state saved under ``key`` (the story clusterer's, cached digests), if any."""
        rows = self._rows("SELECT value FROM state WHERE key=?", (key,))
        return _loads(rows[0][0]) if rows else None

    def get_states(self, keys: Sequence[str]) -> dict[str, Any]:
        """The run state saved under those of ``keys`` that have some, in one read."""
        rows = self._rows("SELECT key, value FROM state WHERE key IN (SELECT value FROM json_each(?))",
                          (json.dumps(list(keys)),))
        return {key: _loads(value) for key, value in rows}

    def story_state(self) -> tuple[Any, StoryRows]:
        """The story clusterer's saved state (:meth:`~newstrace.stories.StoryClusterer.table_header`,
        or a whole state of an earlier version) and its story table in ``seq`` order, up to
        the embedding sums (the bag sums are read by :meth:`story_bags`)."""
        table = StoryRows()
        with self.snapshot(), self._reading() as db:
            header = self.get_state(_STORY_STATE)
            cursor = db.execute("SELECT seq, id, articles, title, title_score, title_id, first_day, last_day, floor,"
                                " embedding FROM story_state ORDER BY seq")
            while chunk := cursor.fetchmany(ROWS_READ):
                table.extend(chunk)
        return header, table

    def story_bags(self, seqs: Sequence[int]) -> list[tuple[bytes, bytes]]:
        """The bag indexes and sums of the story table's rows ``seqs``, in that order."""
        found: dict[int, tuple[bytes, bytes]] = {}
        with self.snapshot():
            for chunk in _chunks(list(seqs), 900):
                found.update((seq, (index, values)) for seq, index, values in self._rows(
                    f"SELECT seq, bag_index, bag_sum FROM story_state WHERE seq IN ({','.join('?' * len(chunk))})",
                    chunk))
        return [found[seq] for seq in seqs]

    def put_story_state(self, header: Any, rows: Sequence[tuple], emptied: Sequence[int], *,
                        replace: bool) -> None:
        """Save the story clusterer's state: ``header`` and the story table's changed
        ``rows`` (:meth:`~newstrace.stories.StoryClusterer.table_changes`), without the
        stories ``emptied``; with ``replace``, the table holds ``rows`` alone."""
        with self.transaction() as db:
            if replace:
                db.execute("DELETE FROM story_state")
            else:
                db.executemany("DELETE FROM story_state WHERE seq=?", [(seq,) for seq in emptied])
            db.executemany("INSERT OR REPLACE INTO story_state VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (_STORY_STATE, json.dumps(header)))

    def has_state_under(self, prefix: str) -> bool:
        """Whether any run state is saved under a key that starts with ``prefix`` (one
        look-up in the key order)."""
        return bool(self._rows("SELECT 1 FROM state WHERE key >= ? AND key < ? LIMIT 1",
                               (prefix, prefix + "\U0010ffff")))

    def put_state(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, json.dumps(value)))


#: A search matching more articles ranks and counts the latest this many (ranking every
#: match of a word found in most articles takes the better part of a second at 100,000).
SEARCH_SCOPE = 1000
#: Values listed per search facet (outlets with most hits, latest months).
FACETS = 50
#: What :meth:`Store.search` puts around the matched words in a snippet (private-use
#: characters, never in a text, so a renderer can escape the snippet and then mark them).
SNIPPET_START, SNIPPET_END = "\ue000", "\ue001"


#: Rows read at a time where a whole table's blobs are joined as they are read
#: (:meth:`Store.get_joined`, :meth:`Store.story_state`).
ROWS_READ = 4096


@dataclass
class StoryRows:
    """The story table as :meth:`Store.story_state` reads it: one list per column, in ``seq``
    order, and the stories' embedding sums joined, appended a chunk of rows at a time as
    they are read (at 95,000 stories, 97 MB: read into one place, not held twice)."""

    seqs: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)  #: each story's member ids, as JSON
    titles: list[str] = field(default_factory=list)
    title_scores: list[float] = field(default_factory=list)
    title_ids: list[str | None] = field(default_factory=list)
    first_days: list[int] = field(default_factory=list)
    last_days: list[int] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)
    embeddings: bytearray = field(default_factory=bytearray)

    def __len__(self) -> int:
        return len(self.seqs)

    def extend(self, rows: Sequence[tuple]) -> None:
        """Add rows (seq, id, articles, title, title score, title id, first day, last day,
        floor, embedding sum)."""
        columns = list(zip(*rows))
        for values, column in zip(columns[:9], (self.seqs, self.ids, self.articles, self.titles, self.title_scores,
                                                self.title_ids, self.first_days, self.last_days, self.floors)):
            column.extend(values)
        self.embeddings += b"".join(columns[9])


@dataclass(frozen=True)
class SearchHit:
    """One article that matches a search, with a snippet of its text around the match."""

    id: str
    title: str | None
    outlet: str | None
    date: str | None
    snippet: str


@dataclass
class SearchResult:
    """A page of search hits, how many there are in all, and the matches per outlet and month."""

    hits: list[SearchHit]
    total: int  #: hits in the searched scope (after the outlet and date filters)
    outlets: list[tuple[str, int]]
    months: list[tuple[str, int]]
    matches: int = 0  #: articles matching the words, before any filter or scope
    scope: int | None = None  #: when set, only the latest ``scope`` matches were ranked and counted


def fts_query(words: str) -> str:
    """A user's search as an FTS5 query: every word (and every "quoted phrase") must
    match, as plain text (FTS5 operators and punctuation are taken literally); empty
    when it has no word."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|([^\s"]+)', words):
        tokens = re.findall(r"\w+", phrase or word)
        if tokens:
            terms.append('"' + " ".join(tokens) + '"')
    return " ".join(terms)


def _story_filters(outlet: str | None, since: str | None, until: str | None,
                   match: str | None = None) -> tuple[str, tuple]:
    """The ``WHERE`` clause (over ``story_index``) that keeps stories with an article of
    ``outlet``, dates overlapping ``since``..``until`` and an article matching ``match``."""
    clauses: list[str] = []
    params: list[Any] = []
    if match is not None:
        clauses.append("story_id IN (SELECT m.story_id FROM articles_fts f JOIN articles a ON a.seq = f.rowid"
                       " JOIN story_articles m ON m.article_id = a.id WHERE articles_fts MATCH ?)")
        params.append(match)
    if outlet is not None:
        clauses.append("story_id IN (SELECT m.story_id FROM story_articles m JOIN articles a"
                       " ON a.id = m.article_id WHERE a.outlet = ?)")
        params.append(outlet)
    if since is not None:
        clauses.append("substr(last_date, 1, 10) >= ?")
        params.append(since)
    if until is not None:
        clauses.append("substr(first_date, 1, 10) <= ?")
        params.append(until)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def _article_filters(outlet: str | None, since: str | None, until: str | None) -> tuple[str, tuple]:
    """``AND`` clauses (over ``articles a``) for an outlet and a date range."""
    clauses, params = "", []
    for clause, value in (("a.outlet = ?", outlet), ("substr(a.date, 1, 10) >= ?", since),
                          ("substr(a.date, 1, 10) <= ?", until)):
        if value is not None:
            clauses += f" AND {clause}"
            params.append(value)
    return clauses, tuple(params)


def _clear_stories(db: sqlite3.Connection) -> None:
    for table in ("stories", "story_index", "story_articles"):
        db.execute(f"DELETE FROM {table}")


def _insert_stories(db: sqlite3.Connection, stories: Sequence[Story], texts: dict[str, str] | None = None) -> None:
    """Store ``stories`` (as JSON: ``texts`` by id where written already) and index them."""
    db.executemany("INSERT INTO stories (id, data) VALUES (?, ?)",
                   [(s.id, texts[s.id] if texts is not None else story_json(s)) for s in stories])
    _index_stories(db, stories)


def _drop_stories(db: sqlite3.Connection, story_ids: Sequence[str]) -> None:
    """Delete the stored stories ``story_ids`` with their index rows."""
    ids = json.dumps(list(story_ids))
    for table, column in (("stories", "id"), ("story_index", "story_id"), ("story_articles", "story_id")):
        db.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))", (ids,))


def _index_stories(db: sqlite3.Connection, stories: Sequence[Story]) -> None:
    """Fill the story index (dates, counts, members, latest member stored) for ``stories``."""
    db.executemany("INSERT OR IGNORE INTO story_articles VALUES (?, ?)",
                   [(article_id, s.id) for s in stories for article_id in s.article_ids])
    db.executemany(
        "INSERT OR REPLACE INTO story_index (story_id, seq, first_date, last_date, articles, outlets, independent,"
        " last_seq) VALUES (?,?,?,?,?,?,?,?)",
        [(s.id, seq, s.first_date, s.last_date, len(s.article_ids), len(s.outlets), len(s.independent_ids), last)
         for seq, (s, last) in enumerate(zip(stories, _latest_seqs(db, stories)))])


def _latest_seqs(db: sqlite3.Connection, stories: Sequence[Story]) -> list[int | None]:
    """The ``seq`` of the latest stored member of each of ``stories`` (``None`` when none is stored)."""
    seqs = dict(db.execute("SELECT id, seq FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                           (json.dumps([a for s in stories for a in s.article_ids]),)))
    return [max((seqs[a] for a in s.article_ids if a in seqs), default=None) for s in stories]


def story_json(story: Story) -> str:
    """``story.to_dict()`` as JSON text, written by orjson (a third of the time of
    ``json.dumps`` over 100,000 stories). A story with a digest (numbers, scores) is written
    by ``json.dumps``, which keeps a ``NaN`` that orjson would write as ``null``."""
    data = story.to_dict()
    return json.dumps(data) if story.digest is not None else _dumps(data)


def _changed(stored: str | None, text: str) -> bool:
    """Whether JSON ``text`` says something other than the ``stored`` text (``None``: none
    stored). Texts that differ are compared as values: a story another writer stored
    (``json.dumps`` spaces its separators) is not written again for its spelling."""
    return stored != text and (stored is None or _loads(stored) != _loads(text))


def _dumps(value: Any) -> str:
    """``value`` as JSON text (orjson; ``json`` for what orjson does not take)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def _loads(text: str) -> Any:
    """The value of JSON ``text`` (orjson, twice as fast as ``json`` on stored stories;
    ``json`` for what it refuses, such as the ``NaN`` that ``json.dumps`` writes)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


_ARTICLE_QUERY = ("SELECT id, external_id, path, title, text, date, outlet, url, byline, credits, boilerplate,"
                  " meta, key, supersedes FROM articles")


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _index_for_search(db: sqlite3.Connection, rows: int | None = None) -> int:
    """Add to the full-text search index the articles stored after the last row it holds
    (the first ``rows`` of them, or all), in one statement (see :data:`_SEARCH_SCHEMA`);
    how many were added."""
    after = db.execute(_SEARCHABLE_UPTO).fetchone()[0]
    limit = -1 if rows is None else rows
    return db.execute("INSERT INTO articles_fts (rowid, title, text) SELECT seq, coalesce(title, ''), text"
                      " FROM articles WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)).rowcount


def _article_row(a: Article) -> tuple:
    return (
        a.id, a.external_id, a.path, a.title, a.text, a.date, a.outlet, a.url, a.byline,
        json.dumps(a.credits), json.dumps(a.boilerplate), json.dumps(a.meta), a.key, a.supersedes,
        os.path.abspath(input_file(a.path)) if a.path else None,
    )


def _row_article(row: tuple) -> Article:
    (id_, external_id, path, title, text, date, outlet, url, byline, credits, boilerplate, meta, key,
     supersedes) = row
    return Article(
        id=id_, text=text, title=title, date=date, outlet=outlet, url=url, byline=byline,
        credits=_json_value(credits), external_id=external_id, path=path,
        boilerplate=_json_value(boilerplate), meta=_json_value(meta), key=key, supersedes=supersedes,
    )


def _json_value(text: str) -> Any:
    """:func:`_loads` of ``text``, with the empty list and object (most articles' credits,
    boilerplate and meta) made without parsing."""
    if text == "[]":
        return []
    if text == "{}":
        return {}
    return _loads(text)


@functools.lru_cache(maxsize=256)
def _shape(text: str) -> tuple[int, ...]:
    """A stored array's shape (a few distinct ones: parsed once each)."""
    return tuple(json.loads(text))


@functools.lru_cache(maxsize=64)
def _dtype(text: str) -> np.dtype:
    return np.dtype(text)


def _acquire_lock(lock_path: str, db_path: str) -> int | None:
    """Hold an exclusive lock on ``lock_path`` (the descriptor), or raise :class:`StoreBusy`
    naming the process that holds it. The lock dies with its process."""
    if fcntl is None:  # pragma: no cover
        return None
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{db_path}: cannot create the lock file {lock_path} ({exc.strerror})") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise StoreBusy(f"{db_path} is in use by another newstrace run (pid {holder}); "
                        "wait for it to finish, or use another --db") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    return fd


def _row_relation(relation: str, source: str | None, score: float, evidence: str) -> Relation:
    return Relation.from_dict({**_loads(evidence), "relation": relation, "source": source, "score": score})

