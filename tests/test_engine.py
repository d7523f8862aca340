"""The engine seam: pure stages called without a store, one process-spreading helper, and
the per-article stages of ``analyze``/``digest`` spread over processes with the results
of one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import newstrace
from newstrace.match.boilerplate import BoilerplateIndex
from newstrace.engine.parallel import ordered_map
from newstrace.engine.stages import (
    copy_relations,
    fingerprint,
    plan_rewrite_checks,
    read_slice_fingerprinted,
)
from newstrace.ingest.readers import plan_slices
from newstrace.match.lsh import LSHIndex
from newstrace.engine.local import SIGNATURES
from newstrace.report import render_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_ordered_map_keeps_input_order_across_worker_processes() -> None:
    results = list(ordered_map(_square_and_pid, range(40), processes=2))
    assert [value for value, _ in results] == [x * x for x in range(40)]
    assert os.getpid() not in {pid for _, pid in results}


def test_ordered_map_stays_in_this_process_without_workers_or_for_one_batch() -> None:
    assert {pid for _, pid in ordered_map(_square_and_pid, range(5), processes=0)} == {os.getpid()}
    assert [pid for _, pid in ordered_map(_square_and_pid, [3], processes=2)] == [os.getpid()]


#: Maps batches that come slowly (the workers wait for them) on workers started from the
#: fork server (a native thread pool noted here); says when Ctrl-C reaches this process.
_INTERRUPTED_MAP = """
import signal, time
from newstrace.engine.parallel import note_thread_pool, ordered_map
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if started where Ctrl-C is ignored
def slowly():
    for batch in range(400):
        time.sleep(0.05)
        yield batch
note_thread_pool("test")
try:
    for _ in ordered_map(abs, slowly(), processes=2):
        print("batch", flush=True)
except KeyboardInterrupt:
    print("stopped", flush=True)
"""


def test_ctrl_c_to_every_process_leaves_it_to_the_parent() -> None:
    """Ctrl-C from a terminal reaches the workers too, forked or from the fork server:
    they leave it to the process that started them, which stops; none prints a traceback."""
    import signal

    run = subprocess.Popen([sys.executable, "-c", _INTERRUPTED_MAP], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert run.stdout is not None
    assert run.stdout.readline() == "batch\n"
    os.killpg(run.pid, signal.SIGINT)  # as the terminal does: to every process of the run
    out, errors = run.communicate(timeout=60)
    assert out.splitlines()[-1] == "stopped" and "Traceback" not in errors, errors


#: Fingerprints 600 texts in this process (batches of 256: rensa starts its thread pool),
#: then again on two worker processes; prints whether both agree.
_THREADS_THEN_WORKERS = """
import numpy as np
from newstrace.match.fingerprint import MinHasher
words = [f"w{i}" for i in range(2000)]
rng = np.random.default_rng(7)
texts = [" ".join(rng.choice(words, 60)) + "." for _ in range(600)]
hasher = MinHasher()
alone = hasher.signatures(texts)
print(bool((hasher.signatures(texts, workers=2) == alone).all()))
"""


def test_worker_processes_start_after_rensa_started_its_threads() -> None:
    """A forked child of a process running rensa's threads waited forever for pool threads
    it does not have; run in a fresh interpreter with a time limit, so a hang fails."""
    env = dict(os.environ, RAYON_NUM_THREADS="2")  # a thread pool even on one core
    try:
        done = subprocess.run([sys.executable, "-c", _THREADS_THEN_WORKERS], capture_output=True,
                              text=True, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("worker processes started after rensa's threads hung")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


#: A thread holds logging's module lock while worker processes run a function that takes
#: it (``logging.addLevelName``): a forked child would inherit the lock held, forever.
_LOCK_HELD_BY_A_THREAD = """
import functools, logging, threading
from newstrace.engine.parallel import ordered_map
held, release = threading.Event(), threading.Event()
def hold():
    with logging._lock:
        held.set()
        release.wait()
threading.Thread(target=hold, daemon=True).start()
held.wait()
print(list(ordered_map(functools.partial(logging.addLevelName, 5), ["a", "b", "c", "d"], processes=2)))
release.set()
"""


def test_worker_processes_start_while_another_thread_holds_a_lock() -> None:
    """A Dask client's event loop, a server's ingest thread or a notebook's threads may hold
    a lock at the moment workers start: they must not be forked from this process then."""
    try:
        done = subprocess.run([sys.executable, "-c", _LOCK_HELD_BY_A_THREAD], capture_output=True,
                              text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("worker processes forked while a thread held a lock hung")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[None, None, None, None]"


def _stable_json(report: newstrace.Report) -> dict:
    """The JSON report without its timings."""
    data = json.loads(render_json(report))
    data["stats"].pop("seconds", None)
    data["stats"].pop("stage_seconds", None)
    return data


def _analysed(inputs: list[Path], workers: int) -> dict:
    """The JSON report of ``inputs``, every file its own slice so that each worker gets some."""
    with newstrace.Store(":memory:") as store:
        return _stable_json(newstrace.Analyzer(store, workers=workers, slice_bytes=1).run(inputs))


def _with_bad_inputs(folder: Path) -> Path:
    """The demo corpus with an empty file, malformed JSON and an id that comes back with
    other content (skips that must be reported in input order)."""
    shutil.copytree(EXAMPLES, folder)
    (folder / "aa_empty.txt").write_text("", encoding="utf-8")
    (folder / "zz_broken.json").write_text("{not json", encoding="utf-8")
    lines = [json.dumps({"id": "w1", "text": "The council met on Monday to discuss the new bridge over the river."}),
             json.dumps({"id": "w1", "text": "A different text that reuses the same identifier for no reason."})]
    (folder / "mm_wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_analyze_on_two_processes_writes_the_report_of_one(seeds: Path, tmp_path: Path) -> None:
    inputs = [_with_bad_inputs(tmp_path / "corpus"), seeds, tmp_path / "missing"]
    one, two = _analysed(inputs, workers=1), _analysed(inputs, workers=2)
    assert one == two
    assert len(one["skipped"]) == 4 and len(one["relations"]) >= 4


def test_an_input_refused_for_its_id_leaves_the_next_article_its_own_fingerprint(tmp_path: Path) -> None:
    """A record whose id came before with other content is skipped inside a slice; the
    record after it (a republished wire report) is still found as the copy it is."""
    wire = EXAMPLES / "corran-flood" / "01_meridian_press.txt"
    records = [{"id": "w1", "text": "The council met on Monday to discuss the new bridge over the river."},
               {"id": "w1", "text": "A different text that reuses the same identifier for no reason."},
               {"id": "w2", "text": wire.read_text(encoding="utf-8") + "\n\nThis story was updated at noon."}]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = newstrace.analyze([wire, feed], db=tmp_path / "store.db", workers=1)
    ids = {a.external_id or Path(a.path).name: a.id for a in report.articles}
    assert len(report.skipped) == 1 and "duplicate id" in report.skipped[0].reason
    with newstrace.Store(tmp_path / "store.db") as store:
        stored = store.get_arrays(SIGNATURES)
    for article in report.articles:
        assert (stored[article.id] == fingerprint([article.text]).signatures[0]).all(), article.external_id
    pair = {ids["w2"], ids[wire.name]}
    assert any({r.a, r.b} == pair and r.relation in {"duplicate", "copy"} for r in report.relations)
    assert report.stats["copies_found"] == 1  # by the near-copy stage itself


def test_public_analyze_takes_workers(tmp_path: Path) -> None:
    report = newstrace.analyze([EXAMPLES], workers=2)
    assert _stable_json(report) == _stable_json(newstrace.analyze([EXAMPLES], workers=1))


def test_stages_run_without_a_store(seeds: Path) -> None:
    """Read and fingerprint a slice, then find its near copies and plan the rewrite
    checks, from nothing but the batch: the copy of seed 000 is found, and the partial
    pairs flow from the near-copy stage into the rewrite plan."""
    reads = [read_slice_fingerprinted(piece) for piece in plan_slices([seeds])]
    articles = [a for read in reads for a in read.articles]
    by_id = {a.id: a for a in articles}
    printed = fingerprint([a.text for a in articles])
    found = copy_relations(articles, printed.signatures, index=LSHIndex(), boilerplate=BoilerplateIndex(),
                           article_of=by_id.__getitem__, judged=set())
    names = {a.id: Path(a.path).name[:3] for a in articles}
    kinds = {frozenset((names[r.a], names[r.b])): r.relation for r in found.relations}
    assert kinds.get(frozenset(("000", "001"))) == "copy"
    plan = plan_rewrite_checks(set(found.partial_pairs), by_id, partial_pairs=found.partial_pairs,
                               boilerplate=BoilerplateIndex())
    assert plan.pairs == sorted(found.partial_pairs) and plan.skipped == 0


def test_analyze_keeps_the_digests_of_stories_it_does_not_change(tmp_path: Path) -> None:
    """``digest`` then plain ``analyze`` over the same store: the stored stories keep their
    digests; a story that gains an article has none until the next ``digest`` makes it."""
    corpus, db = tmp_path / "corpus", tmp_path / "store.db"
    shutil.copytree(EXAMPLES, corpus)
    digested = newstrace.digest([corpus], db=db)
    assert all(story.digest is not None for story in digested.stories)
    newstrace.analyze([corpus], db=db)
    with newstrace.Store(db) as store:
        kept = {story.id: story.digest for story in store.stories()}
    assert kept == {story.id: story.digest for story in digested.stories}

    flood = max(digested.stories, key=lambda s: len(s.article_ids))
    wire = next(Path(a.path) for a in digested.articles if a.id == flood.article_ids[0])
    (corpus / "zz_copy.txt").write_text(wire.read_text(encoding="utf-8") + "\n\nUpdated at noon.",
                                        encoding="utf-8")
    grown = newstrace.analyze([corpus], db=db)
    changed = next(s for s in grown.stories if set(flood.article_ids) < set(s.article_ids))
    with newstrace.Store(db) as store:
        stored = {frozenset(story.article_ids): story for story in store.stories()}
    assert stored[frozenset(changed.article_ids)].digest is None
    unchanged = [s for s in digested.stories if not set(s.article_ids) & set(changed.article_ids)]
    assert unchanged and all(stored[frozenset(s.article_ids)].digest == s.digest for s in unchanged)
    again = newstrace.digest([corpus], db=db)
    assert all(story.digest is not None for story in again.stories)


def test_freed_article_sized_strings_are_given_back_to_the_system() -> None:
    """release_free_memory returns the pages of freed objects (here 300 MB of article-sized
    strings, one in twenty kept, so that the freed ones are holes the C allocator would keep
    resident) to the system: run in a fresh interpreter, whose resident size is read from /proc."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the resident size from /proc (Linux)")
    script = """
from newstrace.engine.memory import release_free_memory
def resident():
    return next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmRSS')) // 1024
before = resident()
held = ["x" * 3000 + str(i) for i in range(100_000)]
grown = resident()
kept_texts = held[::20]
del held
kept = resident()
asked = release_free_memory()
print(before, grown, kept, resident(), asked)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    before, grown, kept, after, asked = done.stdout.split()
    if asked != "True":
        pytest.skip("this C library has no malloc_trim (not glibc)")
    assert int(grown) - int(before) > 200  # MB
    assert int(after) < int(kept) - 150 and int(after) < int(before) + 100


_IDLE_BLAS = """
import time
import newstrace
import numpy as np
matrix = np.random.default_rng(0).random((800, 800))
for _ in range(3):
    matrix @ matrix
started = time.process_time()
time.sleep(0.2)
print(time.process_time() - started)
"""


def test_blas_threads_do_not_spin_once_a_product_is_done() -> None:
    """OpenBLAS's worker threads, left to their default, spin for about 0.1 s after each
    product; imported first, newstrace has them sleep, so an idle process uses no CPU."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("OpenBLAS runs one thread on one core: nothing spins")
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_THREAD_TIMEOUT"}
    done = subprocess.run([sys.executable, "-c", _IDLE_BLAS], capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 0.03  # CPU seconds in 0.2 s of sleep


_WORKER_THREADS = """
import numpy


def threads(_):
    from threadpoolctl import threadpool_info

    with open("/proc/self/status") as status:
        count = next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
    return count, max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
"""

_SINGLE_THREADED_WORKERS = """
import json, os
import newstrace
import numpy as np
from threadpoolctl import threadpool_info
from newstrace.engine.parallel import ordered_map
from probe import threads

here = max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
workers = sorted(set(ordered_map(threads, range(4), processes=2, single_threaded=True)))
print(json.dumps({"here": here, "workers": workers, "set": "OPENBLAS_NUM_THREADS" in os.environ}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_single_threaded_workers_run_one_thread_and_one_blas_thread(tmp_path: Path) -> None:
    """The facts' workers come from the fork server with one BLAS thread, where no second
    thread ever ran (a parse is 13% slower in a process that had one), while this process
    keeps BLAS's threads for its own products and its environment as it was."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("OpenBLAS runs one thread on one core anyway")
    (tmp_path / "probe.py").write_text(_WORKER_THREADS)
    # OpenBLAS also reads GOTO_ and OMP_NUM_THREADS; a Dask LocalCluster started earlier in
    # this test run leaves OMP_, MKL_ and OPENBLAS_NUM_THREADS=1 in this process's environment
    chosen = {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}
    env = {key: value for key, value in os.environ.items() if key not in chosen}
    done = subprocess.run([sys.executable, "-c", _SINGLE_THREADED_WORKERS], capture_output=True, text=True,
                          timeout=120, env={**env, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(tmp_path)])},
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen == {"here": seen["here"], "workers": [[1, 1]], "set": False} and seen["here"] >= 2
