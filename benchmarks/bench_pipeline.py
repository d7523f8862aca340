"""The whole ``analyze`` pipeline (ingest, copies, rewrites, stories) at several sizes.

Each size runs in its own process on the first N records of a JSONL corpus (by default the
one ``make_corpus.py`` writes), so peak memory is measured per size. Prints per-stage seconds,
articles/s, CPU seconds (worker processes included: compare these on a loaded machine),
peak RSS (of the run, and of the largest worker process), relation counts and the growth of cost from the smallest to the largest
size (near-linear means the cost ratio stays close to the size ratio), then a table of the
time per stage. With ``--second-run P`` (default 1) each size is followed by a second
``analyze`` into the same store of the next P % of the corpus's records, whose cost should be
a small share of the first run's (every stage works on the new articles only). The corpus
needs those records: at 100,000, ``make_corpus.py --n 101000 --out
benchmarks/data/corpus_101k.jsonl`` (the second run of a corpus that has none adds nothing).

    python benchmarks/make_corpus.py --n 10000 --out benchmarks/data/corpus_10k.jsonl
    python benchmarks/bench_pipeline.py --corpus benchmarks/data/corpus_10k.jsonl --sizes 1000 10000

``--encoders minilm static`` runs every size with each encoder (``analyze --encoder``), one
after the other in this session, and prints their rates and relation counts side by side.

``--baseline SRC`` times another revision's code beside this tree's (on a loaded machine the
only fair comparison): each size runs ``--runs`` times with each, in turn, and the fastest
run of each is printed side by side with their ratio and whether relations and stories agree
(a revision before ``--encoder`` runs MiniLM only: leave ``--encoders`` out):

    git worktree add --detach /tmp/base e80f80d
    python benchmarks/bench_pipeline.py --sizes 1000 --second-run 0 --baseline /tmp/base/src --runs 3
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_10k.jsonl"
STAGES = ("ingest", "copies", "rewrites", "stories")


def _write_records(corpus: Path, out: Path, start: int, stop: int) -> None:
    """Write records ``start:stop`` of the JSONL ``corpus`` to ``out``."""
    with corpus.open() as src, out.open("w") as dst:
        dst.writelines(itertools.islice(src, start, stop))


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its worker processes ended so far."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _timed_analyze(path: Path, db: Path, encoder: str | None = None) -> tuple[float, float, object]:
    """Wall and CPU seconds of ``analyze`` (its worker processes included), and its report."""
    import newstrace

    options = {"encoder": encoder} if encoder else {}  # a revision before --encoder takes none
    started, cpu = time.perf_counter(), cpu_seconds()
    report = newstrace.analyze([path], db=db, **options)
    return time.perf_counter() - started, cpu_seconds() - cpu, report


def run_one(corpus: Path, size: int, second_percent: float, encoder: str | None = None) -> dict:
    """Analyse the first ``size`` records of ``corpus`` in a fresh store with ``encoder`` (then,
    with ``second_percent``, the next records into the same store); return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        subset, db = Path(tmp) / "subset.jsonl", Path(tmp) / "bench.db"
        _write_records(corpus, subset, 0, size)
        seconds, cpu, report = _timed_analyze(subset, db, encoder)
        second = {}
        extra = math.ceil(size * second_percent / 100)
        if extra:
            more = Path(tmp) / "more.jsonl"
            _write_records(corpus, more, size, size + extra)
            again, again_cpu, later = _timed_analyze(more, db)  # the store's encoder
            second = {"articles_new": later.stats.get("articles_new", 0), "seconds": round(again, 2),
                      "cpu_seconds": round(again_cpu, 2),
                      "share": round(again / seconds, 4), "stage_seconds": later.stats.get("stage_seconds", {})}
    kinds = Counter(r.relation for r in report.relations)
    return {
        "size": size,
        "encoder": report.stats.get("encoder", "minilm"),
        "articles": len(report.articles),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "articles_per_s": round(len(report.articles) / seconds, 1),
        "stage_seconds": report.stats.get("stage_seconds", {}),
        "rewrite_pairs_checked": report.stats.get("rewrite_pairs_checked", 0),
        "relations": dict(kinds),
        "stories": len(report.stories),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "second_run": second,
    }


def stage_table(results: list[dict]) -> str:
    """Seconds per stage (and each stage's share of the run) for every size."""
    header = f"{'encoder':>8} {'articles':>9} " + " ".join(f"{stage:>16}" for stage in STAGES) + f" {'other':>8} {'total':>8}"
    lines = [header]
    for result in results:
        stages = result["stage_seconds"]
        other = result["seconds"] - sum(stages.get(stage, 0.0) for stage in STAGES)
        cells = " ".join(f"{stages.get(s, 0.0):>8.1f} s {stages.get(s, 0.0) / result['seconds']:>4.0%}" for s in STAGES)
        lines.append(f"{result['encoder']:>8} {result['articles']:>9} {cells} {other:>6.1f} s {result['seconds']:>6.1f} s")
    return "\n".join(lines)


def run_child(args: argparse.Namespace, size: int, encoder: str | None, env: dict[str, str],
              src: Path = SRC) -> dict:
    """:func:`run_one` in a fresh interpreter (its own peak memory), with the package found
    in ``src`` (this tree's by default)."""
    path = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, __file__, "--corpus", str(args.corpus), "--one", str(size),
                           "--second-run", str(args.second_run), *(["--encoder", encoder] if encoder else [])],
                          capture_output=True, text=True, env=dict(env, PYTHONPATH=path), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def side_by_side(args: argparse.Namespace, size: int, encoder: str | None, env: dict[str, str]) -> None:
    """``--runs`` runs of ``size`` articles with this tree's code and with ``--baseline``'s in
    turn; prints every run, then the fastest of each side and their ratio."""
    sources = {"this tree": SRC, "baseline": args.baseline}
    runs: dict[str, list[dict]] = {name: [] for name in sources}
    for _ in range(args.runs):
        for name, src in sources.items():
            result = run_child(args, size, encoder, env, src)
            runs[name].append(result)
            stages = " ".join(f"{k}={v:.1f}s" for k, v in result["stage_seconds"].items())
            print(f"  {name:<9} {result['articles']:>6} articles  {result['seconds']:7.2f} s wall  "
                  f"CPU {result['cpu_seconds']:7.2f} s  [{stages}]", flush=True)
    print(f"  fastest of {args.runs} at {size} ({args.baseline}):")
    best = {}
    for name, done in runs.items():
        wall, cpu = min(r["seconds"] for r in done), min(r["cpu_seconds"] for r in done)
        best[name] = wall, cpu
        print(f"    {name:<9} {wall:7.2f} s wall  {cpu:7.2f} s CPU  ({done[0]['articles'] / wall:,.1f} articles/s)  "
              f"relations {done[0]['relations']}  stories {done[0]['stories']}")
    ours, theirs = best["this tree"], best["baseline"]
    same = all(runs["this tree"][0][key] == runs["baseline"][0][key] for key in ("relations", "stories"))
    print(f"    this tree / baseline: wall x{ours[0] / theirs[0]:.3f}, CPU x{ours[1] / theirs[1]:.3f}; "
          f"same relation counts and stories: {same}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--second-run", type=float, default=1.0, metavar="P",
                        help="then analyze the next P%% of records into the same store (0: skip)")
    parser.add_argument("--encoders", nargs="+", choices=("minilm", "static"), default=[None],
                        help="run each size with each of these encoders (default: analyze's own)")
    parser.add_argument("--baseline", type=Path, metavar="SRC",
                        help="time this tree beside another revision's code (its src folder) instead")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side with --baseline")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--encoder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.exists():
        parser.error(f"{args.corpus} not found: run benchmarks/make_corpus.py first")
    if args.one:
        print(json.dumps(run_one(args.corpus, args.one, args.second_run, args.encoder)))
        return 0
    env = dict(os.environ, XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", tempfile.mkdtemp()))
    if args.baseline:
        for size, encoder in itertools.product(args.sizes, args.encoders):
            side_by_side(args, size, encoder, env)
        return 0
    results = []
    for size, encoder in itertools.product(args.sizes, args.encoders):
        result = run_child(args, size, encoder, env)
        results.append(result)
        stages = " ".join(f"{k}={v:.1f}s" for k, v in result["stage_seconds"].items())
        print(f"{result['encoder']:>6} {result['articles']:>7} articles  {result['seconds']:>8.1f} s  {result['articles_per_s']:>7.1f} art/s"
              f"  CPU {result['cpu_seconds']:.1f} s  peak {result['peak_rss_mb']:.0f} MB"
              f" (a worker {result['worker_peak_rss_mb']:.0f} MB)  [{stages}]  rewrite checks {result['rewrite_pairs_checked']}"
              f"  relations {result['relations']}  stories {result['stories']}", flush=True)
        second = result["second_run"]
        if second:
            stages = " ".join(f"{k}={v:.1f}s" for k, v in second["stage_seconds"].items())
            print(f"        second run: {second['articles_new']} new articles into the same store  "
                  f"{second['seconds']:.1f} s (CPU {second['cpu_seconds']:.1f} s) = {second['share']:.1%} of the first run"
                  f"  [{stages}]", flush=True)
    for encoder in args.encoders:
        runs = [result for result in results if encoder in (None, result["encoder"])]
        if len(runs) > 1 and runs[-1]["articles"] > runs[0]["articles"]:
            first, last = runs[0], runs[-1]
            size_ratio = last["articles"] / first["articles"]
            cost_ratio = last["seconds"] / first["seconds"]
            print(f"growth ({first['encoder']}): {size_ratio:.1f}x articles -> {cost_ratio:.1f}x time "
                  f"(exponent {math.log(cost_ratio) / math.log(size_ratio):.2f}; 1.0 = linear)")
    print("\ntime per stage (share of the run):")
    print(stage_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
