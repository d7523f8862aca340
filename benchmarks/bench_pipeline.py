"""The whole ``analyze`` pipeline (ingest, copies, rewrites, stories) at several sizes.

Each size runs in its own process on the first N records of a JSONL corpus (by default the
one ``make_corpus.py`` writes), so peak memory is measured per size. Prints per-stage seconds,
articles/s, peak RSS, relation counts and the growth of cost from the smallest to the largest
size (near-linear means the cost ratio stays close to the size ratio).

    python benchmarks/make_corpus.py --n 10000 --out benchmarks/data/corpus_10k.jsonl
    python benchmarks/bench_pipeline.py --corpus benchmarks/data/corpus_10k.jsonl --sizes 1000 10000
"""

from __future__ import annotations

import argparse
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
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_10k.jsonl"


def run_one(corpus: Path, size: int) -> dict:
    """Analyse the first ``size`` records of ``corpus`` in a fresh store; return the figures."""
    import newstrace

    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "subset.jsonl"
        with corpus.open() as src, subset.open("w") as out:
            for i, line in enumerate(src):
                if i >= size:
                    break
                out.write(line)
        started = time.perf_counter()
        report = newstrace.analyze([subset], db=Path(tmp) / "bench.db")
        seconds = time.perf_counter() - started
    kinds = Counter(r.relation for r in report.relations)
    return {
        "size": size,
        "articles": len(report.articles),
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(report.articles) / seconds, 1),
        "stage_seconds": report.stats.get("stage_seconds", {}),
        "rewrite_pairs_checked": report.stats.get("rewrite_pairs_checked", 0),
        "relations": dict(kinds),
        "stories": len(report.stories),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.exists():
        parser.error(f"{args.corpus} not found: run benchmarks/make_corpus.py first")
    if args.one:
        print(json.dumps(run_one(args.corpus, args.one)))
        return 0
    env = dict(os.environ, XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", tempfile.mkdtemp()))
    results = []
    for size in args.sizes:
        done = subprocess.run([sys.executable, __file__, "--corpus", str(args.corpus), "--one", str(size)],
                              capture_output=True, text=True, env=env, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        stages = " ".join(f"{k}={v:.1f}s" for k, v in result["stage_seconds"].items())
        print(f"{result['articles']:>7} articles  {result['seconds']:>8.1f} s  {result['articles_per_s']:>7.1f} art/s"
              f"  peak {result['peak_rss_mb']:.0f} MB  [{stages}]  rewrite checks {result['rewrite_pairs_checked']}"
              f"  relations {result['relations']}  stories {result['stories']}", flush=True)
    if len(results) > 1:
        first, last = results[0], results[-1]
        size_ratio = last["articles"] / first["articles"]
        cost_ratio = last["seconds"] / first["seconds"]
        print(f"growth: {size_ratio:.1f}x articles -> {cost_ratio:.1f}x time "
              f"(exponent {math.log(cost_ratio) / math.log(size_ratio):.2f}; 1.0 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
