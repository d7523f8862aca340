"""The store's life across runs: identity of publications, versions, remove, prune, fresh,
the writer lock, and runs stopped (SIGINT, SIGKILL) at several points then resumed."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import newstrace
from newstrace.cli import app
from newstrace.engine.streamed import article_key
from newstrace.encode.runtime import default_encoder
from newstrace.engine.local import LEADS, SIGNATURES
from newstrace.report import render_html, render_markdown
from newstrace.store import Store, StoreBusy, StoreError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WIRE = (EXAMPLES / "corran-flood" / "01_meridian_press.txt").read_text(encoding="utf-8")
OTHER = (EXAMPLES / "corran-flood" / "03_valley_courier.json").read_text(encoding="utf-8")


def _analyze(inputs: list[Path], db: Path | None, **options) -> newstrace.Report:
    return newstrace.analyze(inputs, db=db, encoder=default_encoder(), **options)


def _derived(report: newstrace.Report) -> list[tuple[str, str, str]]:
    """(relation, source label, copy label) of each derived relation."""
    labels = {a.id: a.label for a in report.articles}
    return sorted((r.relation, labels.get(r.source, "?"), labels.get(r.copy_id, "?"))
                  for r in report.relations if r.derived)


# -- every input record is a publication ------------------------------------------------------


def test_two_records_with_the_same_text_are_two_articles_and_a_duplicate(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    records = [{"id": "wire-1", "outlet": "Wire", "date": "2025-01-01", "text": WIRE},
               {"id": "blog-9", "outlet": "Blog", "date": "2025-01-02", "text": WIRE}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = _analyze([feed], tmp_path / "s.db")
    assert sorted(a.label for a in report.articles) == ["blog-9", "wire-1"] and not report.skipped
    assert _derived(report) == [("duplicate", "wire-1", "blog-9")]
    (story,) = report.stories
    assert [report.article(i).label for i in story.independent_ids] == ["wire-1"]


def test_analyze_and_dedup_agree_on_what_is_one_publication(tmp_path: Path) -> None:
    """Two ids with one text are two articles in both; a record whose URL comes again with
    the same text is the same record in both."""
    feed = tmp_path / "feed.jsonl"
    url = "https://example.org/flood"
    records = [{"id": "wire-1", "text": WIRE}, {"id": "blog-9", "text": WIRE}, {"url": url, "text": WIRE},
               {"url": url, "text": WIRE}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    dedup = {frozenset((r.a, r.b)): r.relation for r in newstrace.find_copies([feed], workers=0)}
    report = _analyze([feed], None)
    name = {a.id: article_key(a) for a in report.articles}
    analyzed = {frozenset((name[r.a], name[r.b])): r.relation for r in report.relations if r.derived}
    assert len(report.articles) == 3 and analyzed == dedup
    assert sorted(sorted(pair) for pair in dedup) == [[f"{feed}:3", "blog-9"], [f"{feed}:3", "wire-1"],
                                                      ["blog-9", "wire-1"]]


def test_two_files_with_the_same_text_are_two_articles_and_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wire.txt").write_text(WIRE, encoding="utf-8")
    (folder / "mirror.txt").write_text(WIRE, encoding="utf-8")
    report = _analyze([folder], tmp_path / "s.db")
    assert len(report.articles) == 2
    (relation,) = [r for r in report.relations if r.derived]
    assert relation.relation == "duplicate" and relation.passages


def test_the_same_file_read_twice_is_one_article(tmp_path: Path) -> None:
    wire = tmp_path / "wire.txt"
    wire.write_text(WIRE, encoding="utf-8")
    db = tmp_path / "s.db"
    first = _analyze([wire, tmp_path], db)  # named twice in one run
    second = _analyze([wire], db)  # and again in the next
    assert len(first.articles) == 1 and first.stats["articles_new"] == 1
    assert second.stats["articles_new"] == 0 and [a.id for a in second.articles] == [a.id for a in first.articles]
    assert second.stats["store_articles"] == 1 and second.stats["report_scope"] == "store"


def test_an_edited_file_is_a_new_version_not_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    wire, other = folder / "wire.txt", folder / "other.json"
    wire.write_text(WIRE, encoding="utf-8")
    other.write_text(OTHER, encoding="utf-8")
    db = tmp_path / "s.db"
    before = _analyze([folder], db)
    old_id = next(a.id for a in before.articles if a.label == "wire.txt")
    wire.write_text(WIRE.replace("2,400 residents", "2,600 residents"), encoding="utf-8")
    after = _analyze([folder], db)
    new = next(a for a in after.articles if a.label == "wire.txt")
    assert new.id != old_id and new.supersedes == old_id
    assert old_id not in {a.id for a in after.articles} and len(after.articles) == 2
    assert not any(old_id in (r.a, r.b) for r in after.relations)
    assert after.stats["articles_new"] == 1 and after.stats["articles_replaced"] == 1
    header = "The store holds 2 articles; this run added 1 (1 new version). The report covers the whole store."
    assert header in render_markdown(after) and header in render_html(after)
    assert sorted(m for s in after.stories for m in s.article_ids) == sorted(a.id for a in after.articles)
    with Store(db) as store:
        assert store.versions() == {old_id: new.id}


def test_an_input_id_coming_back_with_other_content_is_a_new_version(tmp_path: Path) -> None:
    feed, db = tmp_path / "feed.jsonl", tmp_path / "s.db"
    feed.write_text(json.dumps({"id": "w-1", "text": WIRE}) + "\n", encoding="utf-8")
    first = _analyze([feed], db)
    feed.write_text(json.dumps({"id": "w-1", "text": WIRE + "\n\nThis story was updated."}) + "\n", encoding="utf-8")
    second = _analyze([feed], db)
    assert len(second.articles) == 1 and second.articles[0].supersedes == first.articles[0].id
    assert not [r for r in second.relations if r.derived]


# -- remove, --prune-missing, --fresh ----------------------------------------------------------

runner = CliRunner()


def _cli(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of a ``newstrace`` command."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _three_files(folder: Path) -> list[Path]:
    folder.mkdir()
    shutil.copytree(EXAMPLES / "corran-flood", folder, dirs_exist_ok=True)
    return sorted(folder.iterdir())


def test_remove_by_path_and_id_then_stories_are_rebuilt(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    files = _three_files(folder)
    report = _analyze([folder], db)
    spun = next(a for a in report.articles if a.label == "04_spun_copy.txt")
    code, _, errors = _cli("remove", str(files[0]), spun.id, "no-such-article", "--db", str(db))
    assert code == 1, errors  # one name matched nothing
    assert "not found: no-such-article" in errors and "removed 2 articles" in errors
    with Store(db) as store:
        left = store.articles()
        stories = store.stories()
    assert {a.label for a in left} == {a.label for a in report.articles} - {"01_meridian_press.txt", "04_spun_copy.txt"}
    assert sorted(m for s in stories for m in s.article_ids) == sorted(a.id for a in left)
    again = _analyze([folder / "02_riverside_blog.html"], db)  # nothing new: the store as remove left it
    assert again.stats["articles_new"] == 0 and len(again.articles) == len(left)
    assert all(spun.id not in (r.a, r.b) for r in again.relations)


def test_prune_missing_drops_articles_whose_files_are_gone(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    files = _three_files(folder)
    _analyze([folder], db)
    files[3].unlink()  # 04_spun_copy.txt
    code, output, errors = _cli("analyze", str(folder), "--db", str(db), "--prune-missing", "-f", "json")
    assert code == 0, errors
    report = json.loads(output)
    assert "04_spun_copy.txt" not in {a["label"] for a in report["articles"]}
    code, output, _ = _cli("analyze", str(folder), "--db", str(db))
    assert code == 0 and f"The store holds {len(report['articles'])} articles; this run added 0." in output
    assert report["stats"]["articles_removed"] == 1 and report["stats"]["store_articles"] == len(report["articles"])
    assert not any(r["relation"] == "paraphrase" for r in report["relations"])


def test_a_report_of_the_run_covers_the_stories_it_made_or_changed(tmp_path: Path) -> None:
    """``scope="run"`` (``--scope run``): what a run into a store brought, the stories it made
    or changed with all their articles (those stored before too), nothing else; the store
    keeps every story, a digest run's included."""
    folder, db = tmp_path / "in", tmp_path / "s.db"
    files = {f.name: f for f in _three_files(folder)}
    first = _analyze([files["01_meridian_press.txt"], files["03_valley_courier.json"], files["05_feed.jsonl"]], db)
    flood = next(s for s in first.stories if len(s.article_ids) == 3)  # and the feed's lantern festival
    others = {s.id for s in first.stories} - {flood.id}
    assert len(first.stories) == 2 and first.stats["report_scope"] == "store"

    second = _analyze([files["04_spun_copy.txt"]], db, scope="run")
    (story,) = second.stories
    assert set(flood.article_ids) < set(story.article_ids) and len(story.article_ids) == 4
    assert sorted(a.id for a in second.articles) == sorted(story.article_ids)
    assert second.relations and all({r.a, r.b} <= set(story.article_ids) for r in second.relations)
    assert second.stats["report_scope"] == "run" and second.stats["articles_new"] == 1
    assert second.stats["store_articles"] == 5 and second.stats["store_stories"] == 2

    nothing = _analyze([], db, scope="run")
    assert not nothing.stories and not nothing.articles and nothing.stats["store_stories"] == 2

    third = newstrace.digest([files["02_riverside_blog.html"]], db=db, encoder=default_encoder(), scope="run")
    (story,) = third.stories
    assert story.digest is not None and len(story.article_ids) == 5
    with Store(db) as store:
        stored = {s.id: s for s in store.stories()}
    assert set(stored) == {story.id, *others} and stored[story.id].digest == story.digest

    code, output, errors = _cli("analyze", str(folder), "--db", str(db), "--scope", "run")
    assert code == 0, errors
    assert ("The store holds 6 articles in 2 stories; this run added 0. "
            "The report covers the 0 stories this run made or changed.") in " ".join(output.split())
    code, _, errors = _cli("analyze", str(folder), "--db", str(db), "--scope", "new")
    assert code == 2 and "new" in errors
    with pytest.raises(ValueError, match="unknown report scope"):
        newstrace.analyze([], db=db, scope="new")  # type: ignore[arg-type]


def test_fresh_starts_the_store_over(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "s.db"
    files = _three_files(folder)
    _analyze([folder], db)
    code, output, errors = _cli("analyze", str(files[0]), "--db", str(db), "--fresh", "-f", "json")
    assert code == 0, errors
    report = json.loads(output)
    assert [a["label"] for a in report["articles"]] == ["01_meridian_press.txt"]
    assert report["stats"]["articles_new"] == 1 and report["stats"]["store_articles"] == 1


def test_fresh_refuses_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (line TEXT)")
    with pytest.raises(StoreError, match="not a newstrace database"):
        Store(other, fresh=True)
    with sqlite3.connect(other) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


# -- one writer at a time ------------------------------------------------------------------------


def _newstrace(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "newstrace", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def test_a_second_writer_is_refused_and_readers_do_not_block(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _analyze([EXAMPLES / "corran-flood" / "01_meridian_press.txt"], db)
    with Store(db, lock=True):  # this process is writing
        busy = _newstrace("analyze", str(EXAMPLES), "--db", str(db), "-o", str(tmp_path / "r.txt"))
        _, errors = busy.communicate(timeout=120)
    assert busy.returncode == 2
    assert errors.count("\n") == 1 and "in use by another newstrace run" in errors, errors
    with pytest.raises(StoreBusy):  # the lock is per store, not per process
        with Store(db, lock=True):
            Store(db, lock=True)
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1  # a read held open
    done = _newstrace("analyze", str(EXAMPLES), "--db", str(db), "-o", str(tmp_path / "r.txt"))
    _, errors = done.communicate(timeout=300)
    reader.execute("ROLLBACK")
    assert done.returncode == 0, errors
    assert reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 6


def test_a_killed_writer_does_not_block_the_next(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from newstrace.store import Store; "
         "s = Store(sys.argv[1], lock=True); print('locked', flush=True); time.sleep(120)", str(db)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(StoreBusy, match=f"pid {holder.pid}"):
        Store(db, lock=True)
    holder.kill()
    holder.wait()
    with Store(db, lock=True) as store:
        assert len(store) == 0


# -- stopped runs resume to the same result --------------------------------------------------------


def _outcome(report: newstrace.Report) -> tuple:
    """Everything a report concludes: articles, relations with their evidence, stories."""
    return ([a.id for a in report.articles], [r.to_dict() for r in report.relations],
            [{**s.to_dict(), "digest": None} for s in report.stories])


def _stage(db: Path) -> tuple[int, int, int, int]:
    """(articles, signatures, lead vectors, stories) in the store, read as another process."""
    if not db.exists():
        return (0, 0, 0, 0)
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as probe:
            count = lambda sql: probe.execute(sql).fetchone()[0]  # noqa: E731
            return (count("SELECT COUNT(*) FROM articles"),
                    count(f"SELECT COUNT(*) FROM fingerprints WHERE kind='{SIGNATURES}'"),
                    count(f"SELECT COUNT(*) FROM fingerprints WHERE kind='{LEADS}'"),
                    count("SELECT COUNT(*) FROM stories"))
    except sqlite3.OperationalError:  # tables not made yet
        return (0, 0, 0, 0)


#: When to stop the run, judged from outside by what the store holds (or the lock file).
POINTS: dict[str, Callable[[Path], bool]] = {
    "before the first batch": lambda db: Path(f"{db}.lock").exists(),
    "mid-ingest": lambda db: _stage(db)[0] > 0,
    "between copies and rewrites": lambda db: _stage(db)[1] > 0,
}


_OWN = ["Week in the valley: council budgets, a new ferry and the lantern festival",
        "The Haddon town council approved its budget for the coming year on Monday night, setting aside "
        "money for two new school buses, repairs to the library roof and a feasibility study for a cycle "
        "path along the old railway line. Councillors voted eleven to four in favour after a long debate.",
        "A new passenger ferry entered service on the lake on Thursday, replacing a vessel that had carried "
        "commuters between Westmere and Caldbeck for thirty-one years. The operator said the boat uses "
        "electric motors for most of the crossing and would cut journey times by ten minutes.",
        "Further down the valley, the news was grimmer this week."]
_SPORT = ("In sport, the Caldbeck rowing club won three of the five races at the spring regatta, and the "
          "valley chess league crowned a fourteen-year-old champion for the first time in its history.")
#: A block that recurs in four unrelated articles (the roundup and three notes): boilerplate,
#: which the overlap of the roundup's reuse leaves out, before and after a stop alike.
_WEATHER = ("Weather for the week ahead: showers on Tuesday, then sunshine from Thursday. River levels "
            "stay below the flood mark at every gauge in the valley.")
_NOTES = {
    "market.txt": "The farmers' market moves to the station car park for the summer, with twenty stalls selling "
                  "cheese, bread and plants every Saturday morning. Traders asked for the move after the square "
                  "was dug up for new drains, and the council agreed to waive the parking charge until October. "
                  "A brass band will play at the first market on the fourth of June.",
    "library.txt": "The mobile library adds a stop at Fellside school from next month and will carry large-print "
                   "books and audio books on request. Its driver of twenty years retires in the spring, and the "
                   "county is recruiting a replacement who must hold a lorry licence. Readers can reserve titles "
                   "by telephone and collect them at any stop on the route.",
    "quarry.txt": "Plans to reopen the disused quarry above Westmere drew two hundred objections in the first week "
                  "of consultation. Residents fear heavy lorries on the lake road, while the company promises "
                  "twelve jobs and a new footpath around the rim. The planning committee will visit the site "
                  "before it decides in July.",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus and a weekly roundup that lifts three paragraphs of its wire report
    under a lead of its own: a partial-reuse pair that only the near-copy stage finds; the
    roundup ends with a weather block that three local notes carry too (boilerplate)."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(EXAMPLES, folder, dirs_exist_ok=True)
    lifted = WIRE.split("\n\n")[5:8]
    (folder / "roundup.txt").write_text("\n\n".join(_OWN + lifted + [_SPORT, _WEATHER]), encoding="utf-8")
    for name, note in _NOTES.items():
        (folder / name).write_text(f"{note}\n\n{_WEATHER}", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def unbroken(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> newstrace.Report:
    return _analyze([corpus], tmp_path_factory.mktemp("unbroken") / "s.db")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("point", list(POINTS))
def test_a_stopped_run_resumes_to_the_unbroken_result(point: str, sig: signal.Signals, tmp_path: Path,
                                                      corpus: Path, unbroken: newstrace.Report) -> None:
    db = tmp_path / "s.db"
    run = _newstrace("analyze", str(corpus), "--db", str(db), "--batch", "1", "-o", str(tmp_path / "report.txt"))
    deadline = time.time() + 240
    while run.poll() is None and not POINTS[point](db) and time.time() < deadline:
        time.sleep(0.005)
    assert run.poll() is None, f"the run ended before {point}"
    run.send_signal(sig)
    _, errors = run.communicate(timeout=120)
    kept = _stage(db)
    assert kept[3] == 0, "stopped after the last stage"
    if sig == signal.SIGINT:
        assert run.returncode == 130, errors
        (line,) = errors.strip().splitlines()
        assert line.startswith("interrupted: ") and "run the same command again" in line
        kept_line = f"keeps {kept[0]} article{'s' * (kept[0] != 1)} ("
        assert (kept_line in line) if kept[0] else ("nothing was stored" in line)
    else:
        assert run.returncode == -signal.SIGKILL
    with sqlite3.connect(db) as probe:
        assert probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    resumed = _analyze([corpus], db)
    assert _outcome(resumed) == _outcome(unbroken)
    assert any(r.relation != "same_story" and "roundup.txt" in {resumed.article(r.a).label, resumed.article(r.b).label}
               for r in resumed.relations), "the roundup's reuse was found"
