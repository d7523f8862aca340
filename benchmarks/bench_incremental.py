"""Incremental ``analyze``: a first run of N articles, then K more into the same store.

Issue 10 asks that a second ``analyze`` adding 1 % new articles to an analysed store cost at
most 5 % of the first run, and that a 100,000-article run peak under 3 GB. This script runs
``analyze`` on records ``0:N`` of a JSONL corpus (by default the one ``make_corpus.py``
writes) in a fresh store, then on records ``N:N+K`` into the same store, each run in its own
process, and prints per run: wall and CPU seconds, seconds per stage (``stats["stage_seconds"]``),
peak RSS of the whole run and the highest RSS sampled inside each stage ("report": setting up,
and the report over the whole store after the stages), then the ratio of the second run's time to
the first's.

``--base SRC`` runs the same two runs with another revision's code (its ``src`` first on
``PYTHONPATH``) in the same session, one after the other, so both sides meet the same machine
load; ``--one-shot`` also analyses records ``0:N+K`` in one run and prints how the relations of
the incremental store differ from it (a stored pair keeps the verdict of the run that met it;
nearest-neighbour candidates depend on what was stored when).

    git worktree add --detach /tmp/base d71d80a
    python benchmarks/bench_incremental.py --articles 10000 --added 200 --base /tmp/base/src
    python benchmarks/bench_incremental.py --corpus benchmarks/data/corpus_100k.jsonl \\
        --articles 100000 --added 200

``--store DB`` skips the first run: a copy of the analysed store ``DB`` (holding records ``0:N``)
takes the K new records (for a 100,000-article store whose first run was timed before).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_10k.jsonl"
STAGES = ("ingest", "copies", "rewrites", "stories", "report")
#: Seconds between two RSS samples while a run is measured.
SAMPLE_SECONDS = 0.1


def write_records(corpus: Path, out: Path, start: int, stop: int) -> None:
    """Write records ``start:stop`` of the JSONL ``corpus`` to ``out``."""
    with corpus.open() as src, out.open("w") as dst:
        dst.writelines(itertools.islice(src, start, stop))


class StagePeaks:
    """Samples this process's RSS on a thread and keeps the highest value per stage (the
    stage named last by :meth:`enter`)."""

    def __init__(self) -> None:
        self.stage = "setup"
        self.peaks: dict[str, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> StagePeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def enter(self, stage: str) -> None:
        self._record()
        self.stage = stage

    def _record(self) -> None:
        with open("/proc/self/statm") as statm:
            rss_mb = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), rss_mb)

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self._record()


def measured_run(inputs: Path, db: Path, encoder: str | None, relations_out: Path | None) -> dict:
    """One ``analyze`` of ``inputs`` into ``db``, in this process: its figures (and, with
    ``relations_out``, the store's relations written there as sorted JSON lines)."""
    import newstrace
    from newstrace.engine.local import Analyzer

    peaks = StagePeaks()
    timed = Analyzer._timed

    @contextmanager
    def timed_and_sampled(self: Analyzer, stage: str) -> Iterator[None]:
        peaks.enter(stage)
        with timed(self, stage):
            yield
        peaks.enter("report")

    Analyzer._timed = timed_and_sampled  # type: ignore[method-assign]
    options = {"encoder": encoder} if encoder else {}
    with peaks:
        started, cpu = time.perf_counter(), _cpu_seconds()
        report = newstrace.analyze([inputs], db=db, **options)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        peaks.enter("done")
    stage_seconds = dict(report.stats.get("stage_seconds", {}))
    stage_seconds["report"] = round(seconds - sum(stage_seconds.values()), 3)  # and setting up
    if relations_out is not None:
        rows = sorted((r.a, r.b, r.relation, r.source) for r in report.relations)
        relations_out.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return {
        "articles_new": report.stats.get("articles_new", 0),
        "store_articles": len(report.articles),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "stage_seconds": stage_seconds,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stage_peak_rss_mb": {stage: round(mb) for stage, mb in peaks.peaks.items() if stage != "done"},
        "relations": dict(Counter(r.relation for r in report.relations)),
        "stories": len(report.stories),
    }


def _cpu_seconds() -> float:
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_child(inputs: Path, db: Path, encoder: str | None, src: str | None,
              relations_out: Path | None = None) -> dict:
    """:func:`measured_run` in a fresh process (with ``src`` first on ``PYTHONPATH``)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, __file__, "--child", str(inputs), str(db),
               *(["--encoder", encoder] if encoder else []),
               *(["--relations-out", str(relations_out)] if relations_out else [])]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"run failed ({' '.join(command)}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_side(label: str, src: str | None, args: argparse.Namespace, tmp: Path) -> dict:
    """The first and the second run (and the one-shot run) with one revision's code."""
    first_in, more_in, all_in = tmp / "first.jsonl", tmp / "more.jsonl", tmp / "all.jsonl"
    db = tmp / f"{label}.db"
    if not more_in.exists():
        if not args.store:
            write_records(args.corpus, first_in, 0, args.articles)
        write_records(args.corpus, more_in, args.articles, args.articles + args.added)
    first = None
    if args.store:
        shutil.copyfile(args.store, db)
    else:
        first = run_child(first_in, db, args.encoder, src)
        print_run(label, "first", first)
    second = run_child(more_in, db, None, src, tmp / f"{label}.incremental.relations")
    print_run(label, f"+{args.added}", second)
    if first:
        print(f"{label:>6}  second run / first run: {second['seconds'] / first['seconds']:.1%} wall, "
              f"{second['cpu_seconds'] / first['cpu_seconds']:.1%} CPU", flush=True)
    one_shot = None
    if args.one_shot:
        if not all_in.exists():
            write_records(args.corpus, all_in, 0, args.articles + args.added)
        one_shot = run_child(all_in, tmp / f"{label}.one-shot.db", args.encoder, src,
                             tmp / f"{label}.one-shot.relations")
        print_run(label, "one shot", one_shot)
        print_relation_difference(label, tmp / f"{label}.one-shot.relations",
                                  tmp / f"{label}.incremental.relations")
    return {"label": label, "first": first, "second": second, "one_shot": one_shot}


def print_run(label: str, run: str, figures: dict) -> None:
    stages = " ".join(f"{stage}={figures['stage_seconds'].get(stage, 0.0):.1f}s"
                      for stage in STAGES if stage in figures["stage_seconds"])
    peaks = " ".join(f"{stage}={mb}" for stage, mb in figures["stage_peak_rss_mb"].items())
    print(f"{label:>6} {run:>9}: {figures['articles_new']:>7} new of {figures['store_articles']:>7}  "
          f"{figures['seconds']:>8.1f} s  CPU {figures['cpu_seconds']:>7.1f} s  peak {figures['peak_rss_mb']} MB  "
          f"[{stages}]  peak MB by stage [{peaks}]  relations {figures['relations']}  stories {figures['stories']}",
          flush=True)


def print_relation_difference(label: str, one_shot: Path, incremental: Path) -> None:
    """How the incremental store's relations differ from the one-shot run's."""
    ones = {tuple(json.loads(line)) for line in one_shot.read_text().splitlines()}
    incs = {tuple(json.loads(line)) for line in incremental.read_text().splitlines()}
    only_one, only_inc = ones - incs, incs - ones
    print(f"{label:>6}  relations: {len(ones & incs)} the same in both, {len(only_one)} only in the one-shot run "
          f"{dict(Counter(r[2] for r in only_one))}, {len(only_inc)} only in the incremental store "
          f"{dict(Counter(r[2] for r in only_inc))}", flush=True)


def print_table(sides: list[dict]) -> None:
    """Seconds and peak MB per stage, for every run of every side."""
    print(f"\n{'code':>6} {'run':>9} " + " ".join(f"{stage:>17}" for stage in STAGES) + f" {'total':>9} {'peak':>8}")
    for side in sides:
        for run in ("first", "second", "one_shot"):
            figures = side[run]
            if not figures:
                continue
            cells = " ".join(f"{figures['stage_seconds'].get(stage, 0.0):>7.1f} s "
                             f"{figures['stage_peak_rss_mb'].get(stage, 0):>6} MB" for stage in STAGES)
            print(f"{side['label']:>6} {run:>9} {cells} {figures['seconds']:>7.1f} s {figures['peak_rss_mb']:>5} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=10_000, help="records in the first run (N)")
    parser.add_argument("--added", type=int, default=200, help="records added by the second run (K)")
    parser.add_argument("--encoder", choices=("minilm", "static"), default="static")
    parser.add_argument("--base", metavar="SRC", help="also run another revision's code (its src folder)")
    parser.add_argument("--one-shot", action="store_true", help="also analyse all N+K records in one run")
    parser.add_argument("--store", type=Path, help="an analysed store of records 0:N: skip the first run")
    parser.add_argument("--base-store", type=Path, help="the --store for the --base side (default: --store)")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--relations-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measured_run(*args.child, args.encoder, args.relations_out)))
        return 0
    if not args.corpus.exists():
        parser.error(f"{args.corpus} not found: run benchmarks/make_corpus.py first")
    sides = []
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        sides.append(run_side("head", None, args, Path(tmp)))
        if args.base:
            args.store = args.base_store or args.store
            sides.append(run_side("base", args.base, args, Path(tmp)))
    print_table(sides)
    return 0


if __name__ == "__main__":
    sys.exit(main())
