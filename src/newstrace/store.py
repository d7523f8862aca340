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
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.model import Article, Passage, Relation, Story, Derivation

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: no writer lock there
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 2
DEFAULT_DB = "newstrace.db"
#: How long a statement waits for another connection's write to finish, in milliseconds.
BUSY_TIMEOUT_MS = 30_000
#: The story clusterer's saved state (see :class:`~newstrace.stories.StoryClusterer`).
_STORY_STATE = "state:stories"

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
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY, key TEXT NOT NULL, file TEXT, replaced_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fingerprints (
    article_id TEXT NOT NULL, kind TEXT NOT NULL, data BLOB NOT NULL, dtype TEXT NOT NULL,
    shape TEXT NOT NULL, PRIMARY KEY (article_id, kind)
);
CREATE TABLE IF NOT EXISTS pairs (
    a TEXT NOT NULL, b TEXT NOT NULL, relation TEXT NOT NULL, source TEXT, score REAL NOT NULL,
    evidence TEXT NOT NULL, PRIMARY KEY (a, b)
);
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, data TEXT NOT NULL);
"""


_TABLES = ("articles", "versions", "fingerprints", "pairs", "stories", "meta")


class StoreError(RuntimeError):
    """The database cannot be used (wrong schema version, not a newstrace store)."""


class StoreBusy(StoreError):
    """Another process is writing to the store."""


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class Store:
    """A newstrace database. Use as a context manager, or call :meth:`close`.

    >>> with Store(":memory:") as store:
    ...     store.add_articles([Article.from_text("Some text.")])
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, lock: bool = False, fresh: bool = False) -> None:
        """Open (or create) the store at ``path``. With ``lock``, hold the writer lock
        until :meth:`close` (:class:`StoreBusy` if another process holds it); with
        ``fresh``, empty a newstrace store first (start over)."""
        self.path = str(path)
        self._depth = 0
        self._lock_fd: int | None = None
        if lock and self.path != ":memory:":
            self._lock_fd = _acquire_lock(self.path + ".lock", self.path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            self._release_lock()
            raise StoreError(f"{self.path}: cannot open the database ({exc})") from exc
        try:
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
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
        self._db.close()
        self._release_lock()

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together, or not at all. A transaction opened inside
        another is part of it."""
        if self._depth:
            self._depth += 1
            try:
                yield self._db
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as db:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: schema version {row[0]}, this newstrace reads "
                                 f"{SCHEMA_VERSION}; start over with --fresh (or use another --db)")

    def _drop_all(self) -> None:
        """Empty the store, if it is a newstrace store (anything else is left alone)."""
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and not ("meta" in tables and self._db.execute(
                "SELECT 1 FROM meta WHERE key='schema_version'").fetchone()):
            raise StoreError(f"{self.path}: not a newstrace database; --fresh empties only newstrace stores")
        with self.transaction() as db:
            for table in _TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")

    # -- articles ------------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article]) -> list[Article]:
        """Store the articles not yet stored (by id), in one transaction; return those.

        An article whose ``key`` is stored under another id (an edited file, a record
        with new content) replaces that earlier version: ``supersedes`` names it, and it
        is removed as by :meth:`remove_articles` and listed in ``versions``."""
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
        return fresh

    def _replace_versions(self, article: Article) -> None:
        """Retire the stored versions of ``article`` (same key, other id)."""
        rows = self._db.execute("SELECT id, file FROM articles WHERE key=? ORDER BY seq", (article.key,)).fetchall()
        if not rows:
            return
        article.supersedes = rows[-1][0]
        self._db.executemany("INSERT OR REPLACE INTO versions VALUES (?,?,?,?)",
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
                db.execute("DELETE FROM stories")
                db.execute("DELETE FROM meta WHERE key=?", (_STORY_STATE,))
        return removed

    def find(self, ref: str) -> list[str]:
        """Ids of the stored articles ``ref`` names: an article id, an input id, a URL, or
        a file or folder they were read from."""
        ids = [row[0] for row in self._db.execute(
            "SELECT id FROM articles WHERE id=? OR external_id=? OR url=? ORDER BY seq", (ref, ref, ref))]
        where = os.path.abspath(ref)
        under = where.rstrip(os.sep) + os.sep
        ids += [row[0] for row in self._db.execute(
            "SELECT id FROM articles WHERE file=? OR substr(file, 1, ?)=? ORDER BY seq",
            (where, len(under), under))]
        return list(dict.fromkeys(ids))

    def missing_files(self) -> list[str]:
        """Ids of the stored articles read from files that no longer exist."""
        rows = self._db.execute("SELECT id, file FROM articles WHERE file IS NOT NULL ORDER BY seq").fetchall()
        exists: dict[str, bool] = {}
        return [i for i, file in rows if not exists.setdefault(file, os.path.exists(file))]

    def versions(self) -> dict[str, str]:
        """Earlier versions of stored articles: retired id -> the id that replaced it."""
        return dict(self._db.execute("SELECT id, replaced_by FROM versions"))

    def counts(self) -> dict[str, int]:
        """How many articles the store holds, and how many of them are in a story yet."""
        articles = len(self)
        in_stories = sum(len(story.article_ids) for story in self.stories())
        return {"articles": articles, "in_stories": in_stories}

    def articles(self, ids: Sequence[str] | None = None) -> list[Article]:
        """Stored articles in insertion order (all, or those with the given ids)."""
        query = ("SELECT id, external_id, path, title, text, date, outlet, url, byline, credits, boilerplate,"
                 " meta, key, supersedes FROM articles")
        if ids is None:
            rows = self._db.execute(query + " ORDER BY seq").fetchall()
        else:
            rows = []
            for chunk in _chunks(list(ids), 900):
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(f"{query} WHERE id IN ({marks}) ORDER BY seq", chunk).fetchall()
        return [_row_article(row) for row in rows]

    def article_ids(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT id FROM articles ORDER BY seq")]

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

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
        return [row[0] for row in self._db.execute(query, (kind,))]

    def get_arrays(self, kind: str, ids: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Arrays of ``kind`` by article id (all stored ones, or those among ``ids``)."""
        query = "SELECT article_id, data, dtype, shape FROM fingerprints WHERE kind=?"
        if ids is None:
            rows = self._db.execute(query, (kind,)).fetchall()
        else:
            rows = []
            for chunk in _chunks(list(ids), 900):
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(f"{query} AND article_id IN ({marks})", (kind, *chunk)).fetchall()
        return {
            article_id: np.frombuffer(data, dtype=np.dtype(dtype)).reshape(json.loads(shape))
            for article_id, data, dtype, shape in rows
        }

    # -- pair verdicts -----------------------------------------------------------------
    def put_relations(self, relations: Iterable[Relation], *, replace: bool = True) -> None:
        """Store pair verdicts (``unrelated`` ones too, so they are not computed again);
        with ``replace=False`` a pair that already has a verdict keeps it."""
        rows = []
        for r in relations:
            a, b = _ordered(r.a, r.b)
            evidence = {
                "a": r.a, "b": r.b, "jaccard": r.jaccard, "containment_a": r.containment_a,
                "containment_b": r.containment_b, "confidence": r.confidence, "reasons": r.reasons,
                "signals": r.signals, "passages": [p.to_dict() for p in r.passages],
            }
            rows.append((a, b, r.relation, r.source, r.score, json.dumps(evidence)))
        with self.transaction() as db:
            db.executemany(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO pairs VALUES (?,?,?,?,?,?)", rows)

    def relations(self, *, include_unrelated: bool = False, kind: str | None = None) -> list[Relation]:
        """Stored verdicts (those of one ``kind`` of relation, when given)."""
        query, params = "SELECT relation, source, score, evidence FROM pairs", ()
        if kind is not None:
            query, params = query + " WHERE relation = ?", (kind,)
        elif not include_unrelated:
            query += " WHERE relation != 'unrelated'"
        return [_row_relation(*row) for row in self._db.execute(query + " ORDER BY a, b", params)]

    def compared_pairs(self) -> set[tuple[str, str]]:
        """Every pair (in sorted order) that already has a verdict."""
        return {(a, b) for a, b in self._db.execute("SELECT a, b FROM pairs")}

    def has_pair(self, a: str, b: str) -> bool:
        return self._db.execute("SELECT 1 FROM pairs WHERE a=? AND b=?", _ordered(a, b)).fetchone() is not None

    # -- stories and state ------------------------------------------------------------
    def put_stories(self, stories: Sequence[Story]) -> None:
        """Replace the stored stories with ``stories``."""
        with self.transaction() as db:
            db.execute("DELETE FROM stories")
            db.executemany(
                "INSERT INTO stories VALUES (?, ?)", [(s.id, json.dumps(s.to_dict())) for s in stories]
            )

    def stories(self) -> list[Story]:
        return [_story(json.loads(data)) for (data,) in self._db.execute("SELECT data FROM stories ORDER BY id")]

    def get_state(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (f"state:{key}",)).fetchone()
        return None if row is None else json.loads(row[0])

    def put_state(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"state:{key}", json.dumps(value)))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _article_row(a: Article) -> tuple:
    return (
        a.id, a.external_id, a.path, a.title, a.text, a.date, a.outlet, a.url, a.byline,
        json.dumps(a.credits), json.dumps(a.boilerplate), json.dumps(a.meta), a.key, a.supersedes,
        os.path.abspath(a.path) if a.path else None,
    )


def _row_article(row: tuple) -> Article:
    (id_, external_id, path, title, text, date, outlet, url, byline, credits, boilerplate, meta, key,
     supersedes) = row
    return Article(
        id=id_, text=text, title=title, date=date, outlet=outlet, url=url, byline=byline,
        credits=json.loads(credits), external_id=external_id, path=path,
        boilerplate=json.loads(boilerplate), meta=json.loads(meta), key=key, supersedes=supersedes,
    )


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
    e = json.loads(evidence)
    return Relation(
        a=e["a"], b=e["b"], relation=relation, source=source, score=score,  # type: ignore[arg-type]
        passages=[Passage(**p) for p in e["passages"]], jaccard=e["jaccard"],
        containment_a=e["containment_a"], containment_b=e["containment_b"],
        confidence=e["confidence"], reasons=e["reasons"], signals=e["signals"],
    )


def _story(data: dict) -> Story:
    data = dict(data)
    data["derived"] = [Derivation(**d) for d in data.get("derived", [])]
    return Story(**data)
