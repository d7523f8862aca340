"""The embedded store: one SQLite file (WAL mode, versioned schema, a transaction per batch).

It holds articles, their fingerprints (MinHash signatures, embedding vectors), every pair
verdict already computed (so a second run re-computes nothing known) and the stories.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.model import Article, Passage, Relation, Story, Derivation

SCHEMA_VERSION = 1
DEFAULT_DB = "newstrace.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    external_id TEXT, path TEXT, title TEXT, text TEXT NOT NULL, date TEXT, outlet TEXT,
    url TEXT, byline TEXT, credits TEXT NOT NULL, boilerplate TEXT NOT NULL, meta TEXT NOT NULL
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


class StoreError(RuntimeError):
    """The database cannot be used (wrong schema version, not a newstrace store)."""


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class Store:
    """A newstrace database. Use as a context manager, or call :meth:`close`.

    >>> with Store(":memory:") as store:
    ...     store.add_articles([Article.from_text("Some text.")])
    """

    def __init__(self, path: str | Path = DEFAULT_DB) -> None:
        self.path = str(path)
        self._depth = 0
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a newstrace database ({exc})") from exc

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

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
                raise StoreError(f"{self.path}: schema version {row[0]}, this newstrace reads {SCHEMA_VERSION}")

    # -- articles ------------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article]) -> list[Article]:
        """Store the articles not yet stored (by content id), in one transaction; return those."""
        fresh: list[Article] = []
        seen: set[str] = set()
        with self.transaction() as db:
            for article in articles:
                if article.id in seen:
                    continue
                seen.add(article.id)
                cursor = db.execute(
                    "INSERT OR IGNORE INTO articles (id, external_id, path, title, text, date, outlet,"
                    " url, byline, credits, boilerplate, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    _article_row(article),
                )
                if cursor.rowcount:
                    fresh.append(article)
        return fresh

    def articles(self, ids: Sequence[str] | None = None) -> list[Article]:
        """Stored articles in insertion order (all, or those with the given ids)."""
        query = "SELECT id, external_id, path, title, text, date, outlet, url, byline, credits, boilerplate, meta FROM articles"
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
        json.dumps(a.credits), json.dumps(a.boilerplate), json.dumps(a.meta),
    )


def _row_article(row: tuple) -> Article:
    (id_, external_id, path, title, text, date, outlet, url, byline, credits, boilerplate, meta) = row
    return Article(
        id=id_, text=text, title=title, date=date, outlet=outlet, url=url, byline=byline,
        credits=json.loads(credits), external_id=external_id, path=path,
        boilerplate=json.loads(boilerplate), meta=json.loads(meta),
    )


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
