"""The SQLite store: idempotent ingest, persistence across runs, transactions, crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import newstrace
from newstrace import Article, Passage, Relation
from newstrace.store import SCHEMA_VERSION, Store, StoreBusy, StoreError

TEXT = "The harbour authority in Port Vell closed the north quay on Monday after a crane collapsed."


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        first = store.add_articles([Article.from_text(TEXT), Article.from_text(TEXT)])
        again = store.add_articles([Article.from_text(TEXT + "  ")])  # same after normalising spaces
        assert len(first) == 1 and again == [] and len(store) == 1


def test_articles_relations_and_arrays_persist(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    article = Article.from_text(TEXT, title="Crane collapse", credits=["AP"], date="2024-05-06")
    relation = Relation.of("x", "y", "copy", "x", 0.8, [Passage(0, 10, 5, 15, 0.9, "edited")], jaccard=0.6)
    with Store(path) as store:
        store.add_articles([article])
        store.put_relations([relation])
        store.put_arrays("minhash", [article.id], [np.arange(8, dtype=np.uint32)])
    with Store(path) as store:
        assert store.articles() == [article]
        assert store.relations() == [relation]
        assert store.get_arrays("minhash")[article.id].tolist() == list(range(8))


def test_arrays_read_joined_or_as_a_matrix_are_the_arrays_read_one_by_one(tmp_path: Path) -> None:
    articles = [Article.from_text(f"{TEXT} Report {i}.") for i in range(4)]
    arrays = [np.arange(i, 3 * i + 1, dtype=np.uint64) for i in range(4)]  # 1, 3, 5 and 7 values
    with Store(tmp_path / "s.db") as store:
        store.add_articles(articles)
        store.put_arrays("pairs", [a.id for a in articles], arrays)
        one_by_one = store.get_arrays("pairs")
        ids, values, offsets = store.get_joined("pairs")
        assert ids == list(one_by_one) and sorted(ids) == sorted(a.id for a in articles)
        assert values.dtype == np.uint64 and offsets.tolist() == [0, *np.cumsum([len(one_by_one[i]) for i in ids])]
        assert all(values[offsets[k]: offsets[k + 1]].tolist() == one_by_one[i].tolist() for k, i in enumerate(ids))
        some, _, some_offsets = store.get_joined("pairs", [articles[2].id, "missing"])
        assert some == [articles[2].id] and some_offsets.tolist() == [0, 5]
        assert store.get_joined("other")[0] == []
        store.put_arrays("leads", [a.id for a in articles], [np.full(3, i, dtype=np.float32) for i in range(4)])
        lead_ids, matrix = store.get_matrix("leads")
        assert lead_ids == list(store.get_arrays("leads")) and matrix.shape == (4, 3)
        by_id = store.get_arrays("leads")
        assert all(matrix[k].tolist() == by_id[i].tolist() for k, i in enumerate(lead_ids))
        assert store.get_matrix("other")[1].shape == (0, 0)


def test_failed_transaction_leaves_store_as_it_was(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.add_articles([Article.from_text(TEXT)])
        with pytest.raises(RuntimeError):
            with store.transaction() as db:
                db.execute("DELETE FROM articles")
                raise RuntimeError("crash in the middle of a batch")
        assert len(store) == 1


def test_writes_grouped_in_one_transaction_fail_together(tmp_path: Path) -> None:
    article = Article.from_text(TEXT)
    with Store(tmp_path / "s.db") as store:
        store.add_articles([article])
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.put_arrays("minhash-v2", [article.id], [np.arange(4, dtype=np.uint32)])
                store.put_relations([Relation.of(a=article.id, b="other", relation="copy", source=None,
                                              score=0.9)])
                raise RuntimeError("killed between the two writes")
        assert store.get_arrays("minhash-v2") == {} and store.relations() == []
        assert store.ids_without("minhash-v2") == [article.id]
        with store.transaction():  # the store is usable again
            store.put_arrays("minhash-v2", [article.id], [np.arange(4, dtype=np.uint32)])
        assert store.ids_without("minhash-v2") == []


def test_wrong_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="schema version"):
        Store(path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(path)


_WORDS = ("harbour council budget river bridge mayor vote school teachers strike storm airport "
          "minister police court ruling farmers drought prices market election candidate rally "
          "hospital nurses union factory workers museum festival ferry tunnel rail fares library "
          "port orchestra glacier volcano satellite vaccine bakery cathedral reservoir pipeline "
          "telescope canyon meadow lighthouse chess marathon opera parliament treaty embassy "
          "refinery vineyard quarry monastery submarine tornado avalanche wildfire harvest").split()


def _write_corpus(folder: Path, n: int) -> None:
    """``n`` unrelated invented reports, every 50th (from the 8th) a republished copy of the
    one before it, so a run has copies to find."""
    folder.mkdir()
    with (folder / "many.jsonl").open("w") as out:
        for i in range(n):
            source = i - 1 if i % 50 == 7 else i
            words = np.random.default_rng(source).choice(_WORDS, size=120)
            text = " ".join(words).capitalize() + "." + (" Updated later." if source != i else "")
            out.write(json.dumps({"id": f"doc{i}", "text": text}) + "\n")


def test_killed_run_leaves_a_consistent_store_and_a_rerun_completes(tmp_path: Path) -> None:
    corpus, db = tmp_path / "corpus", tmp_path / "s.db"
    _write_corpus(corpus, 200)
    cmd = [sys.executable, "-m", "newstrace", "analyze", str(corpus), "--db", str(db), "--batch", "50",
           "-f", "json", "-o", os.devnull]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            with sqlite3.connect(db) as probe:
                try:
                    if probe.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 0:
                        break
                except sqlite3.OperationalError:
                    pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as probe:
        assert probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = probe.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert stored in (0, 50, 100, 150, 200)  # whole batches only
    resumed = newstrace.analyze([corpus], db=db)
    clean = newstrace.analyze([corpus])  # in memory, uninterrupted
    assert len(resumed.articles) == 200 and len(clean.relations) >= 4
    assert _outcome(resumed) == _outcome(clean)  # the stopped run's articles were finished
    if 0 < stored < 200:
        assert resumed.stats["articles_resumed"] == stored


def _outcome(report: newstrace.Report) -> tuple:
    return ({(r.a, r.b, r.relation, r.source) for r in report.relations},
            sorted(sorted(s.article_ids) for s in report.stories))


def test_an_article_whose_key_comes_back_with_other_content_replaces_its_version(tmp_path: Path) -> None:
    old = Article.from_text(TEXT, key="id:w-1")
    other = Article.from_text(TEXT, key="id:w-2")  # the same text under another id: its own article
    with Store(tmp_path / "s.db") as store:
        store.add_articles([old, other])
        store.put_arrays("minhash-v2", [old.id], [np.arange(4, dtype=np.uint32)])
        store.put_relations([Relation.of(old.id, other.id, "duplicate", old.id, 1.0)])
        store.put_stories([newstrace.Story("s1", "Crane", [old.id, other.id], [old.id])])
        new = Article.from_text(TEXT + " The quay reopened on Friday.", key="id:w-1")
        assert store.add_articles([new]) == [new]
        assert new.supersedes == old.id and [a.id for a in store.articles()] == [other.id, new.id]
        assert store.versions() == {old.id: new.id}
        assert store.relations() == [] and store.get_arrays("minhash-v2") == {} and store.stories() == []
        assert store.add_articles([new]) == []  # the same record again


def test_search_finds_the_current_version_of_each_article_only(tmp_path: Path) -> None:
    first = Article.from_text(TEXT + " Divers searched the basin.", key="id:w-1")
    second = Article.from_text(TEXT + " The quay reopened on Friday.", key="id:w-1")
    third = Article.from_text(TEXT + " Inspectors blamed a worn cable.", key="id:w-1")  # in second's batch
    with Store(tmp_path / "s.db") as store:
        store.add_articles([first, Article.from_text("A ferry strike ended in Ostry.")])
        assert store.add_articles([second, third]) == [second, third]
        assert [a.id for a in store.articles()][1:] == [third.id] and store.versions()[second.id] == third.id
        found = {word: [hit.id for hit in store.search(word).hits]
                 for word in ("harbour", "divers", "reopened", "inspectors", "ferry")}
        assert found["harbour"] == found["inspectors"] == [third.id] and found["ferry"] != []
        assert found["divers"] == found["reopened"] == []
        store.remove_articles([third.id])
        assert store.search("harbour").total == 0
    with sqlite3.connect(tmp_path / "s.db") as probe:  # the index agrees with the rows it covers
        probe.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def test_articles_left_out_of_the_search_index_are_indexed_later_and_never_forgotten_unheld(
        tmp_path: Path) -> None:
    """Articles stored without their full-text index (what ``analyze`` leaves for the index
    built beside its story stage, and a run that stops there leaves behind) are found by
    search once indexed; removing one before that leaves the index whole, and a version
    replaced meanwhile is indexed first so that the index can forget it."""
    kept = [Article.from_text(f"{TEXT} Tug number {n} stood by.", key=f"id:t-{n}") for n in range(5)]
    edited = Article.from_text(TEXT + " The crane was forty years old.", key="id:t-0")
    with Store(tmp_path / "s.db") as store:
        store.add_articles(kept[:2])
        store.add_articles(kept[2:], searchable=False)
        assert store.search("tug").total == 2
        store.remove_articles([kept[4].id])  # never indexed
        store.add_articles([edited], searchable=False)  # replaces kept[0]: the rows before it indexed first
        assert sorted(hit.id for hit in store.search("tug").hits) == sorted(a.id for a in kept[1:4])
        assert store.search("forty").total == 0
        assert store.index_for_search(rows=1) == 1
        assert [hit.id for hit in store.search("forty").hits] == [edited.id]
        assert store.index_for_search() == 0
    with sqlite3.connect(tmp_path / "s.db") as probe:
        probe.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    report = newstrace.analyze([], db=tmp_path / "s.db")  # a run finds the index whole
    assert len(report.articles) == 4


def test_find_and_remove_articles_by_id_input_id_url_file_or_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paths = [str(folder / "a.txt"), str(folder / "sub" / "b.txt"), str(tmp_path / "c.jsonl")]
    articles = [Article.from_text(f"{TEXT} {n}", key=f"path:{p}", path=p) for n, p in enumerate(paths)]
    articles[2].external_id, articles[2].url = "rec-7", "https://example.org/7"
    with Store(tmp_path / "s.db") as store:
        store.add_articles(articles)
        ids = [a.id for a in articles]
        assert store.find(str(folder)) == ids[:2] and store.find(paths[1]) == [ids[1]]
        assert store.find("rec-7") == store.find("https://example.org/7") == store.find(ids[2]) == [ids[2]]
        assert store.find(str(tmp_path / "i")) == []  # a prefix of a folder name is not the folder
        assert store.missing_files() == ids  # none of these files exist
        assert store.remove_articles(store.find(str(folder))) == 2 and store.article_ids() == [ids[2]]


def test_older_schema_is_refused_with_the_way_out_and_fresh_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.add_articles([Article.from_text(TEXT)])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="start over with --fresh"):
        Store(path)
    with Store(path, fresh=True) as store:
        assert len(store) == 0
    with Store(path) as store:
        assert len(store) == 0


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path, lock=True):
        with pytest.raises(StoreBusy, match=f"in use by another newstrace run \\(pid {os.getpid()}\\)"):
            Store(path, lock=True)
        with Store(path) as reader:  # readers take no lock
            assert len(reader) == 0
    with Store(path, lock=True):  # released on close
        pass


# -- a store shared by threads (a server's requests while a run writes) -------------------------

def _consistent(store: Store) -> list[str]:
    """What is wrong with one snapshot of the store: verdicts or story members that name
    articles it does not hold, per-article queries that disagree with the whole tables."""
    problems = []
    with store.snapshot():
        ids = store.article_ids()
        relations = store.relations()
        stories = store.stories()
        held = set(ids)
        problems += [f"relation {r.a}-{r.b} of a missing article" for r in relations if not {r.a, r.b} <= held]
        problems += [f"story {s.id} holds a missing article" for s in stories if not set(s.article_ids) <= held]
        for article_id in ids[:3]:
            article = store.article(article_id)
            if article is None or article.id != article_id:
                problems.append(f"article({article_id}) is {article}")
            mine = [r for r in relations if article_id in (r.a, r.b)]
            if store.relations_of(article_id) != mine:
                problems.append(f"relations_of({article_id}) disagrees with relations()")
            if article is not None and article.outlet and article not in store.articles_of_outlet(article.outlet):
                problems.append(f"articles_of_outlet({article.outlet}) misses {article_id}")
        for story in stories[:2]:
            if store.story(story.id) != story:
                problems.append(f"story({story.id}) disagrees with stories()")
        if store.stories(limit=1, offset=len(stories) - 1) != stories[-1:]:
            problems.append("stories(limit, offset) is not a page of stories()")
    return problems


def _verdicts(report: newstrace.Report) -> list[tuple]:
    return sorted((r.a, r.b, r.relation, r.source) for r in report.relations)


def test_eight_readers_query_while_analyze_writes(tmp_path: Path, seeds: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    from newstrace.engine.local import Analyzer

    reference = newstrace.analyze(seeds)
    path = tmp_path / "shared.db"
    done, problems, queries, wal_sizes = Event(), [], [0] * 8, [0]

    def read(reader: int) -> None:
        while not done.is_set():
            problems.extend(_consistent(store))
            queries[reader] += 1
            wal_sizes[0] = max(wal_sizes[0], (tmp_path / "shared.db-wal").stat().st_size)

    def write_and_fail() -> int:  # another thread's transactions, all rolled back
        failed = 0
        while not done.is_set():
            try:
                with store.transaction():
                    store.put_state("probe", failed)
                    raise RuntimeError("rolled back")
            except RuntimeError:
                failed += 1
        return failed

    with Store(path, lock=True) as store, ThreadPoolExecutor(9) as pool:
        readers = [pool.submit(read, n) for n in range(8)]
        prober = pool.submit(write_and_fail)
        try:
            runs = [Analyzer(store).run([seeds]) for _ in range(3)]  # the first writes, the others read
        finally:
            done.set()
        for reader in readers:
            reader.result()  # no reader raised
        assert prober.result() > 0
        sizes = [path.stat().st_size, (tmp_path / "shared.db-wal").stat().st_size]
        assert store.get_state("probe") is None  # the failed transactions left nothing
    assert problems == []
    assert min(queries) > 0  # every reader queried while the runs wrote
    assert all(_verdicts(run) == _verdicts(reference) for run in runs)  # nothing of the runs rolled back
    assert [len(run.stories) for run in runs] == [len(reference.stories)] * 3
    assert sizes[1] == 0  # the log was folded in and truncated after the run
    assert wal_sizes[0] <= 4 * 1024 * 1024  # never past SQLite's checkpoint threshold (1000 pages)
    assert sizes[0] <= 2 * 1024 * 1024  # five articles with their fingerprints and verdicts


def test_a_thread_inside_a_transaction_reads_its_own_writes_and_others_do_not(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    article = Article.from_text(TEXT)
    with Store(tmp_path / "s.db") as store, ThreadPoolExecutor(1) as other:
        with store.transaction():
            store.add_articles([article])
            assert store.article_ids() == [article.id]
            assert other.submit(store.article_ids).result() == []  # not committed yet
        assert other.submit(store.article_ids).result() == [article.id]


def test_a_story_stored_in_another_spelling_of_the_same_json_is_not_written_again(tmp_path: Path) -> None:
    """update_stories compares stored stories by value: one that json.dumps wrote (a store of
    an earlier version) and that did not change is kept; one that changed is written."""
    from newstrace.model import Story

    articles = [Article.from_text(f"{TEXT} Report {i}.") for i in range(3)]
    ids = [a.id for a in articles]
    kept = Story("a", "Crane", ids[:2], ids[:2], [], ["Port Vell Daily"], "2024-05-01", "2024-05-02")
    moved = Story("b", "Crane falls", ids[2:], ids[2:], [], [], None, None)
    with Store(tmp_path / "s.db") as store:
        store.add_articles(articles)
        store.put_stories([kept, moved])
        with store.transaction() as db:  # as an earlier version wrote them
            db.executemany("UPDATE stories SET data = ? WHERE id = ?",
                           [(json.dumps(s.to_dict()), s.id) for s in (kept, moved)])
        changed = Story(**{**moved.__dict__, "title": "Crane falls on pier"})
        assert store.update_stories([kept, changed]) == [changed.id]
        assert [s.title for s in store.stories()] == ["Crane", "Crane falls on pier"]


def test_stories_updated_in_place_are_stored_as_if_put_anew(tmp_path: Path) -> None:
    """update_stories writes only the stories that changed, and leaves the store as put_stories
    would: the same stories, story index and members, read back in the report's order."""
    from newstrace.model import Derivation, Story
    from newstrace.store import story_json

    articles = [Article.from_text(f"{TEXT} Report {i}.", date=f"2024-05-{1 + i % 9:02d}") for i in range(12)]
    ids = [a.id for a in articles]

    def story(name: str, members: list[int], title: str = "Crane") -> Story:
        member_ids = [ids[i] for i in members]
        derived = [Derivation(member_ids[1], member_ids[0], member_ids[0], "copy")] if len(members) > 1 else []
        return Story(name, title, member_ids, member_ids[:1], derived, ["Port Vell Daily"],
                     f"2024-05-{1 + members[0] % 9:02d}", f"2024-05-{1 + members[-1] % 9:02d}")

    first = [story("a", [0, 1, 2]), story("b", [3]), story("c", [4, 5]), story("d", [6])]
    later = [story("a", [0, 1, 2]), story("b", [3, 7], "Crane falls"), story("d", [6]), story("e", [8, 9]),
             story("f", [10]), story("g", [11])]

    def tables(store: Store) -> list:
        db = sqlite3.connect(store.path)
        try:
            return [sorted(db.execute("SELECT id, data FROM stories")),
                    sorted(db.execute("SELECT story_id, first_date, last_date, last_seq, articles, outlets,"
                                      " independent FROM story_index")),
                    sorted(db.execute("SELECT article_id, story_id FROM story_articles"))]
        finally:
            db.close()

    from newstrace.model import Digest

    with_digest = Story(**{**later[0].__dict__, "digest": Digest("Crane falls", single_source=["c1"])})
    assert all(json.loads(story_json(s)) == s.to_dict() for s in [*first, *later, with_digest])
    with Store(tmp_path / "updated.db") as updated, Store(tmp_path / "put.db") as put:
        for store in (updated, put):
            store.add_articles(articles)
        assert len(updated.update_stories(first)) == 4
        assert sorted(updated.update_stories(later)) == ["b", "e", "f", "g"]  # a and d kept; c gone
        put.put_stories(later)
        assert tables(updated) == tables(put)
        in_order = sorted(later, key=lambda s: (-len(s.article_ids), s.first_date or "", s.id))
        for store in (updated, put):
            assert [story_json(s) for s in store.stories()] == [story_json(s) for s in in_order]
            assert [s.id for s in store.stories(limit=2, offset=1)] == [s.id for s in in_order[1:3]]

    with Store(tmp_path / "told.db") as told:  # told which stories may differ: b alone
        told.add_articles(articles)
        told.update_stories(first)
        assert sorted(told.update_stories(later, only={"b"})) == ["b", "e", "f", "g"]  # b compared; c gone
        assert tables(told) == tables(put)
        renamed = [Story(**{**s.__dict__, "title": "Renamed"}) for s in later]
        assert told.update_stories(renamed, only={"e"}) == ["e"]  # the others taken as stored
        assert {s.id: s.title for s in told.stories()} == {**{s.id: s.title for s in later}, "e": "Renamed"}
