"""The command line met as a careful user meets it: Ctrl-C at awkward moments, reports
piped into ``head``, odd input files, messages that stay on one line."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _words_corpus(path: Path, articles: int, seed: int = 7) -> Path:
    """``articles`` made-up articles (JSON Lines) of about 2 KB each, none alike."""
    rng = random.Random(seed)
    vocabulary = [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('lmnrst')}"
                  f"{rng.choice('aeiou')}{n}" for n in range(3000)]
    with path.open("w", encoding="utf-8") as out:
        for n in range(articles):
            sentences = [" ".join(rng.choices(vocabulary, k=14)).capitalize() + "." for _ in range(24)]
            out.write(json.dumps({"id": f"a{n}", "text": " ".join(sentences)}) + "\n")
    return path


def _stored_articles(db: Path) -> int:
    """How many articles the store holds now (0 before it has its tables)."""
    if not db.exists():
        return 0
    try:
        probe = sqlite3.connect(db, timeout=5)
        try:
            return probe.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            probe.close()
    except sqlite3.Error:
        return 0


def test_ctrl_c_to_the_whole_run_prints_one_line_and_no_worker_traceback(tmp_path: Path) -> None:
    """Ctrl-C in a terminal reaches the worker processes as well as newstrace itself: the
    user sees the one ``interrupted:`` line, not a KeyboardInterrupt traceback per worker."""
    corpus = _words_corpus(tmp_path / "corpus.jsonl", 6000)
    db = tmp_path / "s.db"
    run = subprocess.Popen(
        [sys.executable, "-m", "newstrace", "analyze", str(corpus), "--db", str(db), "--batch", "200",
         "--workers", "2", "--encoder", "static", "-o", str(tmp_path / "report.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while run.poll() is None and _stored_articles(db) == 0 and time.time() < deadline:
        time.sleep(0.01)
    assert run.poll() is None and _stored_articles(db) < 6000, "the run ended before its reading"
    os.killpg(run.pid, signal.SIGINT)  # as the terminal does: to every process of the run
    _, errors = run.communicate(timeout=120)
    assert run.returncode == 130, errors
    (line,) = errors.strip().splitlines()
    assert line.startswith(f"interrupted: {db} keeps ") and "run the same command again" in line


_INTERRUPTED_SEARCH = """
import os, signal, sys, threading
import numpy as np
import newstrace.encode.index  # loads onnxruntime before usearch, as newstrace does
import newstrace.story_index
from usearch.index import Index
from newstrace.cli import app

newstrace.story_index.EXACT_KEYS = 0  # every story bucket in a graph (a small one is searched without)

real_search = Index.search
data = np.random.default_rng(0).random((3000, 32), dtype=np.float32)
busy = Index(ndim=32, metric="cos")
busy.add(np.arange(len(data)), data, threads=1)


def search_until_interrupted(self, *args, **kwargs):
    # Ctrl-C arrives while usearch is busy searching (a long real search stands in for a
    # large store's): usearch then raises its own RuntimeError, not KeyboardInterrupt.
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    while True:
        real_search(busy, data, 10, threads=1)


Index.search = search_until_interrupted
sys.argv = ["newstrace", *sys.argv[1:]]
app()
"""


def test_ctrl_c_inside_a_vector_search_is_an_interruption_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED_SEARCH, "analyze", str(EXAMPLES), "--db", str(db),
                           "--encoder", "static", "-o", str(tmp_path / "report.txt")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 130, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"interrupted: {db} keeps ") and "run the same command again" in line
    resumed = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(EXAMPLES), "--db", str(db),
                              "-f", "json"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["stats"]["store_articles"] == len(report["articles"]) == 6 and report["stories"]


@pytest.mark.parametrize("loaded", ["typer", "onnxruntime"])
def test_ctrl_c_while_the_command_line_loads_is_one_line_not_a_traceback(loaded: str, tmp_path: Path) -> None:
    """Ctrl-C in the first second (the command line and its stages still importing) printed
    a KeyboardInterrupt traceback, or Typer's framed ``ImportError: initialization failed``
    when it stopped an extension module loading. Here it arrives as soon as ``loaded`` has
    been imported (``-X importtime`` says when): while the command line loads (after
    ``typer``), or while ``analyze`` loads its stages (after ``onnxruntime``)."""
    run = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "newstrace", "analyze", str(EXAMPLES), "--db",
         str(tmp_path / "s.db"), "-o", str(tmp_path / "report.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = []
    for line in run.stderr:
        said.append(line)
        if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == loaded:
            run.send_signal(signal.SIGINT)
            break
    said += run.stderr.readlines()
    assert run.wait(timeout=120) == 130
    lines = [line for line in said if not line.startswith("import time:")]
    assert len(lines) <= 1 and not any("Traceback" in line or "Error" in line for line in lines), "".join(lines)
    assert not lines or lines[0].startswith("interrupted: ")


def _with_stdout_closed(*args: str) -> subprocess.CompletedProcess:
    """``newstrace ARGS | head`` where ``head`` has stopped reading: standard output is a
    pipe whose reading end is closed."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        return subprocess.run([sys.executable, "-m", "newstrace", *args], stdout=writing, stderr=subprocess.PIPE,
                              text=True, timeout=300)
    finally:
        os.close(writing)


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html"])
def test_a_report_piped_into_head_keeps_the_runs_exit_code(fmt: str, tmp_path: Path) -> None:
    """``--help`` says exit 1 means inputs were skipped: a reader that stops early is no
    skipped input, and prints nothing of its own."""
    db = tmp_path / "s.db"
    done = _with_stdout_closed("analyze", str(EXAMPLES), "--db", str(db), "-f", fmt)
    assert (done.returncode, done.stderr) == (0, "")
    (tmp_path / "blank.txt").write_text("  \n", encoding="utf-8")
    done = _with_stdout_closed("analyze", str(EXAMPLES), str(tmp_path / "blank.txt"), "--db", str(db), "-f", fmt)
    assert done.returncode == 1 and done.stderr.splitlines() == [f"skipped {tmp_path / 'blank.txt'}: empty file"]


@pytest.mark.parametrize("args", [[], ["--json"]], ids=["text", "json"])
def test_compare_piped_into_head_exits_0(args: list[str]) -> None:
    folder = EXAMPLES / "corran-flood"
    done = _with_stdout_closed("compare", str(folder / "01_meridian_press.txt"), str(folder / "02_riverside_blog.html"),
                               *args)
    assert (done.returncode, done.stderr) == (0, "")


def test_dedup_piped_into_head_exits_0(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    text = (EXAMPLES / "corran-flood" / "01_meridian_press.txt").read_text(encoding="utf-8")
    feed.write_text("".join(json.dumps({"id": f"r{n}", "text": text}) + "\n" for n in range(3)), encoding="utf-8")
    done = _with_stdout_closed("dedup", str(feed), "--workers", "0")
    assert (done.returncode, done.stderr) == (0, "")


def test_utf16_files_with_a_byte_order_mark_are_read_as_text(tmp_path: Path) -> None:
    """Notepad's "Unicode" .txt and Excel's "Unicode Text" (a UTF-16 .tsv) were skipped as
    'binary file (holds NUL bytes)'."""
    wire = (EXAMPLES / "corran-flood" / "01_meridian_press.txt").read_text(encoding="utf-8")
    other = json.loads((EXAMPLES / "corran-flood" / "03_valley_courier.json").read_text(encoding="utf-8"))["text"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notepad.txt").write_bytes(wire.replace("\n", "\r\n").encode("utf-16"))
    row = " ".join(other.split())
    (folder / "excel.tsv").write_bytes(f"id\ttext\r\ncourier-1\t{row}\r\n".encode("utf-16"))
    done = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(folder), "--db", str(tmp_path / "s.db"),
                           "--encoder", "static", "-f", "json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    articles = {Path(a["path"]).name: a for a in json.loads(done.stdout)["articles"]}
    assert articles["excel.tsv"]["external_id"] == "courier-1" and articles["excel.tsv"]["text"] in row
    assert articles["notepad.txt"]["meta"]["encoding"] == "utf-16-le"
    assert "Corran River burst its banks" in articles["notepad.txt"]["text"]


def test_messages_name_bracketed_paths_as_they_are(tmp_path: Path) -> None:
    """Paths went through rich markup: ``x[draft].txt`` was named ``x.txt`` and
    ``-o out[red].json`` was reported as written to ``out.json``."""
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "corran-flood", folder)
    (folder / "notes[draft].txt").write_text(" \n", encoding="utf-8")
    report = tmp_path / "out[red].json"
    done = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(folder), "--db", str(tmp_path / "s.db"),
                           "--encoder", "static", "-o", str(report)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and report.is_file()
    assert done.stderr.splitlines() == [f"skipped {folder / 'notes[draft].txt'}: empty file", f"wrote {report}"]
    pairs = tmp_path / "pairs[all].jsonl"  # dedup's summary too (it also said "1 pairs")
    done = subprocess.run([sys.executable, "-m", "newstrace", "dedup", str(folder / "01_meridian_press.txt"),
                           str(folder / "02_riverside_blog.html"), "-o", str(pairs)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and len(pairs.read_text(encoding="utf-8").splitlines()) == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("2 articles, 1 pair in ") and line.endswith(f"; wrote {pairs}")


def test_compare_refuses_a_file_of_many_articles_in_one_line(tmp_path: Path) -> None:
    """The error wrapped at 80 columns and told a command-line user to call iter_articles()."""
    deep = tmp_path / ("a-folder-with-a-rather-long-name-" * 3)
    deep.mkdir()
    feed = deep / "feed.jsonl"
    shutil.copy(EXAMPLES / "corran-flood" / "05_feed.jsonl", feed)
    done = subprocess.run([sys.executable, "-m", "newstrace", "compare", str(feed),
                           str(EXAMPLES / "corran-flood" / "01_meridian_press.txt")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: {feed}: a .jsonl file holds many articles") and "iter_articles" not in line


def test_a_sqlite_database_of_something_else_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    """``--db`` naming another program's SQLite file added newstrace's tables to it and
    switched it to WAL mode."""
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
        other.execute("INSERT INTO customers VALUES (1, 'Ada')")
    other.close()
    before = db.read_bytes()
    for extra in ([], ["--fresh"]):
        done = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(EXAMPLES), "--db", str(db),
                               "--encoder", "static", *extra], capture_output=True, text=True, timeout=300)
        assert done.returncode == 2 and done.stdout == ""
        (line,) = done.stderr.splitlines()
        assert line.startswith(f"error: {db}: not a newstrace database") and "customers" in line
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


@pytest.mark.parametrize("name", ["report.html", "report.json", "report.txt"])
def test_a_report_written_into_the_input_folder_is_not_read_back_as_an_article(name: str, tmp_path: Path) -> None:
    """``analyze DIR -o DIR/report.html`` then ``analyze DIR``: the HTML report became an
    article of the store, with its own story (the text report too)."""
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "corran-flood", folder)
    db = tmp_path / "s.db"
    first = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(folder), "--db", str(db),
                            "--encoder", "static", "-o", str(folder / name)], capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(folder), "--db", str(db), "-f", "json"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [f"skipped {folder / name}: a newstrace report, not an article "
                                         "(write reports outside the input folders)"]
    report = json.loads(again.stdout)
    assert report["stats"]["articles_new"] == 0 and len(report["articles"]) == 6
    assert all(Path(a["path"]).name != name for a in report["articles"])


def test_a_store_kept_among_the_articles_is_no_skipped_input(tmp_path: Path) -> None:
    """``cd DIR && newstrace analyze .`` makes its store ``DIR/newstrace.db``; every run then
    reported the store, its WAL, shared-memory and lock files as four skipped inputs and
    exited 1."""
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "corran-flood", folder)
    for run in range(2):
        done = subprocess.run([sys.executable, "-m", "newstrace", "analyze", ".", "--encoder", "static", "-f", "json"],
                              cwd=folder, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        report = json.loads(done.stdout)
        assert report["stats"]["articles_new"] == (6 if run == 0 else 0) and len(report["articles"]) == 6
        assert report["stats"]["inputs_skipped"] == 0
    assert (folder / "newstrace.db").exists()
    other = folder / "notes.db"  # another tool's database is no article either
    sqlite3.connect(other).execute("CREATE TABLE notes (body TEXT)").connection.commit()
    done = subprocess.run([sys.executable, "-m", "newstrace", "analyze", ".", "--encoder", "static", "-f", "json"],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_the_report_never_overwrites_the_store_or_an_input(tmp_path: Path) -> None:
    """``-o`` naming the ``--db`` file replaced the store with the text report (exit 0);
    ``-o`` naming an input article replaced the article; ``dedup IN -o IN`` emptied its input."""
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "corran-flood", folder)
    db = tmp_path / "s.db"

    def newstrace_(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "newstrace", *args], capture_output=True, text=True, timeout=300)

    assert newstrace_("analyze", str(folder), "--db", str(db), "--encoder", "static", "-o", str(tmp_path / "r.txt")
                      ).returncode == 0
    stored = db.read_bytes()
    article = folder / "01_meridian_press.txt"
    wire = article.read_bytes()
    feed = folder / "05_feed.jsonl"
    records = feed.read_bytes()
    for output, args in [(db, ("analyze", str(folder), "--db", str(db))),
                         (article, ("analyze", str(folder), "--db", str(db))),
                         (article, ("digest", str(article), "--db", str(db))),
                         (feed, ("dedup", str(feed)))]:
        done = newstrace_(*args, "-o", str(output))
        assert done.returncode == 2 and done.stdout == "", (args, done.stderr)
        (line,) = done.stderr.splitlines()
        assert line.startswith(f"error: cannot write the ") and f" to {output}: it is " in line
    assert (db.read_bytes(), article.read_bytes(), feed.read_bytes()) == (stored, wire, records)
    with sqlite3.connect(db) as probe:
        assert probe.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
    probe.close()
    # a report of an earlier run in the input folder is written again
    assert newstrace_("analyze", str(folder), "--db", str(db), "-o", str(folder / "report.html")).returncode == 0
    assert newstrace_("analyze", str(folder), "--db", str(db), "-o", str(folder / "report.html")).returncode == 1


def test_tables_are_not_exported_into_an_input_folder(tmp_path: Path) -> None:
    """``analyze DIR --export DIR/tables`` then ``analyze DIR``: the next run read the
    exported articles table back as six more articles (the store doubled) and skipped the
    other tables with four messages."""
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "corran-flood", folder)
    db = tmp_path / "s.db"
    for args in (["analyze", str(folder), "--db", str(db), "--encoder", "static"], ["dedup", str(folder)]):
        done = subprocess.run([sys.executable, "-m", "newstrace", *args, "--export", str(folder / "tables")],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2 and done.stdout == "" and not (folder / "tables").exists()
        (line,) = done.stderr.splitlines()
        assert line.startswith(f"error: cannot export tables to {folder / 'tables'}: it is inside the input folder")
    assert not db.exists()


def test_a_json_array_of_articles_is_read_article_by_article(tmp_path: Path) -> None:
    """A .json file holding a list of article objects was skipped whole ('JSON value is a
    list, not an object'); each object is an article, named by its place in the list."""
    wire = (EXAMPLES / "corran-flood" / "01_meridian_press.txt").read_text(encoding="utf-8")
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"id": "a", "text": wire}, {"id": "b", "text": wire}]), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(feed), "--db", str(tmp_path / "s.db"),
                           "--format", "json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(a["external_id"] for a in report["articles"]) == ["a", "b"] and not report["skipped"]
    assert [r["relation"] for r in report["relations"]] == ["duplicate"]


def test_serve_refuses_a_file_that_is_no_store_before_saying_it_serves(tmp_path: Path) -> None:
    """``serve --db notes.db`` printed 'serving notes.db at http://...' and then the error."""
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newstrace", "serve", "--db", str(notes), "--port", "8799"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: {notes}: not a newstrace database (file is not a database)"]


def test_serve_on_a_port_in_use_is_one_error_before_saying_it_serves(tmp_path: Path) -> None:
    """``serve --port P`` with P taken said 'serving … at http://127.0.0.1:P/', then Uvicorn's
    own ERROR lines, and exited 3."""
    import socket

    from newstrace import Store

    db = tmp_path / "s.db"
    Store(db).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "newstrace", "serve", "--db", str(db), "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: cannot serve on 127.0.0.1:{port}: address already in use "
                                        "(choose another --port or --host)"]
