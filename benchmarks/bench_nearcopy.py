"""End-to-end near-copy benchmark against the planted pairs of a synthetic corpus.

For each size (the first N records of the corpus, one JSON Lines file), in a fresh
process, :class:`newstrace.engine.streamed.CopyFinder` (what ``newstrace dedup`` runs) reads,
cleans and fingerprints slices of ``--slice-mb`` on a pool of ``--workers`` processes
while the main process matches each finished slice against everything before it (LSH
candidates, exact verification, alignment, verdicts). Prints articles/s, peak memory
(RSS of the run plus workers x the largest worker), CPU seconds per step, recall per
planted kind, precision, and the growth rate between sizes. Then the same ``CopyFinder``
run with datasketch plugged in as the baseline: ``MinHash`` (num_perm=128) +
``MinHashLSH`` (threshold 0.5) on the same shingles (our tokens, 5-word strings),
verified the same way.

Build the corpus first:

    python benchmarks/make_corpus.py --n 100000 --out benchmarks/data/corpus_100k.jsonl
    python benchmarks/bench_nearcopy.py --sizes 10000 100000

The reuse mode, where every sentence recurs in about ten unrelated articles (sharing one
sentence, or boilerplate, is no sign of copying; only the planted pairs are copies):

    python benchmarks/make_corpus.py --n 20000 --reuse 10 --out benchmarks/data/reuse_20k.jsonl
    python benchmarks/bench_nearcopy.py --reuse

(``--reuse`` is ``--corpus benchmarks/data/reuse_20k.jsonl --sizes 20000``.)

Side by side with another revision's code (on a loaded machine the only fair comparison):
``--baseline SRC`` runs each size ``--runs`` times with this tree's code and with the
``src`` folder of that revision (a git worktree; revisions before the ``engine/`` layout
are read too), in turn, and prints the fastest run of each, their ratio and whether both
found the same pairs (instead of the datasketch comparison and the targets):

    git worktree add --detach /tmp/base e80f80d
    python benchmarks/bench_nearcopy.py --sizes 10000 --baseline /tmp/base/src --runs 5

Exits non-zero when a target is missed on the largest size (``--no-assert`` to only
print): >= 5,000 articles/s, peak <= 2 GB, recall >= 0.98, precision >= 0.99, >= 5x the
baseline's speed and at least its F1.
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
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_100k.jsonl"
REUSE_CORPUS = ROOT / "benchmarks" / "data" / "reuse_20k.jsonl"
EXPECTED = {"verbatim": "duplicate", "boilerplate": "duplicate", "update": "copy",
            "partial": "partial"}
TARGETS = {"articles_per_s": 5000, "peak_mb": 2048, "recall": 0.98, "precision": 0.99,
           "speedup": 5.0}


class DatasketchHasher:
    """datasketch ``MinHash`` (defaults: 128 permutations, SHA-1) of our word 5-shingles,
    behind the calls :class:`~newstrace.engine.streamed.CopyFinder` makes of a hasher."""

    anchors = 0

    def signatures(self, texts: list[str]) -> np.ndarray:
        from datasketch import MinHash

        from newstrace.match.fingerprint import tokenize

        tokens = tokenize(texts)
        rows = []
        for i, text in enumerate(texts):
            part = tokens.of(i)
            words = [text[s:e].lower() for s, e in zip(tokens.starts[part], tokens.ends[part])]
            minhash = MinHash()
            minhash.update_batch([" ".join(words[k : k + 5]).encode()
                                  for k in range(len(words) - 4)])
            rows.append(minhash.hashvalues)
        return np.stack(rows) if rows else np.zeros((0, 128), np.uint64)


class DatasketchIndex:
    """datasketch ``MinHashLSH`` (default threshold 0.5) behind the calls
    :func:`~newstrace.match.nearcopy.find_near_copies` makes of an index."""

    def __init__(self) -> None:
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=0.5, num_perm=128)
        self.keys: list[str] = []

    def __len__(self) -> int:
        return len(self.keys)

    def insert(self, keys: list[str], signatures: np.ndarray) -> np.ndarray:
        """Pairs with earlier documents, each batch document inserted after its query."""
        from datasketch import LeanMinHash

        pairs = []
        for key, row in zip(keys, signatures):
            minhash = LeanMinHash(seed=1, hashvalues=row, scheme="affine32")
            position = len(self.keys)
            pairs += [(int(other), position) for other in self.lsh.query(minhash)]
            self.lsh.insert(position, minhash, check_duplication=False)
            self.keys.append(key)
        return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def first_records(corpus: Path, size: int, folder: Path) -> Path:
    """The first ``size`` records of the corpus, as one JSON Lines file."""
    path = folder / f"first{size}.jsonl"
    with corpus.open("rb") as lines, path.open("wb") as out:
        out.writelines(itertools.islice(lines, size))
    return path


def run_once(corpus: Path, size: int, method: str, workers: int, slice_bytes: int | None) -> dict:
    """One timed end-to-end run of :class:`newstrace.engine.streamed.CopyFinder` (with datasketch's
    sketches and LSH plugged in for the baseline); returns its figures and the pairs."""
    try:
        from newstrace.engine.streamed import CopyFinder
    except ImportError:  # a revision before the engine/ layout (--baseline)
        from newstrace.corpus import CopyFinder

    sliced = {} if slice_bytes is None else {"slice_bytes": slice_bytes}  # else the finder's own choice
    with tempfile.TemporaryDirectory() as folder:
        path = first_records(corpus, size, Path(folder))
        if method == "newstrace":
            finder = CopyFinder(workers=workers, **sliced)
        else:
            finder = CopyFinder(workers=workers, **sliced,
                                hasher=DatasketchHasher(), index=DatasketchIndex())
        start, main_cpu = time.perf_counter(), time.process_time()
        found = [[r.a, r.b, r.relation] for r in finder.run([path])]
        end, main_cpu = time.perf_counter(), time.process_time() - main_cpu
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = usage.ru_maxrss / 1024
    cpu = finder.stats["cpu_seconds"]
    return {
        "size": finder.stats["articles"], "method": method, "workers": workers,
        "seconds": end - start,
        "peak_mb": self_mb + workers * worker_mb, "main_mb": self_mb, "worker_mb": worker_mb,
        "main_cpu_s": main_cpu, "worker_cpu_s": usage.ru_utime + usage.ru_stime,
        "ingest_cpu_s": cpu["read"], "fingerprint_cpu_s": cpu["fingerprint"],
        "match_cpu_s": cpu["match"], "found": found,
    }


def score(found: list[list[str]], truth: list[dict], ids: set[str]) -> dict:
    """Recall per planted kind, precision, F1 and verdict agreement on the planted pairs."""
    planted = {frozenset((t["source"], t["copy"])): t["kind"] for t in truth
               if t["source"] in ids and t["copy"] in ids}
    got = {frozenset((a, b)): relation for a, b, relation in found}
    hits = [pair for pair in planted if pair in got]
    recall = len(hits) / len(planted) if planted else 1.0
    precision = sum(pair in planted for pair in got) / len(got) if got else 1.0
    by_kind = {}
    for kind in EXPECTED:
        pairs = [pair for pair, k in planted.items() if k == kind]
        by_kind[kind] = sum(pair in got for pair in pairs) / len(pairs) if pairs else float("nan")
    agree = sum(got[pair] == EXPECTED[planted[pair]] for pair in hits) / len(hits) if hits else 1.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {"planted": len(planted), "recall": recall, "precision": precision, "f1": f1,
            "recall_by_kind": by_kind, "verdict_agreement": agree,
            "false_positives": [sorted(p) + [got[p]] for p in got if p not in planted][:5]}


def run_child(args: argparse.Namespace, size: int, method: str, src: Path = SRC) -> dict:
    """Run one measurement in a fresh interpreter, so peak memory is its own, with the
    package found in ``src`` (this tree's by default)."""
    command = [sys.executable, __file__, "--corpus", str(args.corpus), "--workers",
               str(args.workers), "--child", f"{size}:{method}"]
    if args.slice_mb is not None:
        command += ["--slice-mb", str(args.slice_mb)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])))
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_total(result: dict) -> float:
    """CPU seconds of a run, the main process's and its workers'."""
    return result["main_cpu_s"] + result["worker_cpu_s"]


def side_by_side(args: argparse.Namespace, size: int) -> None:
    """``--runs`` runs of this tree's code and of ``--baseline``'s in turn; prints every run,
    then the fastest of each (wall and CPU), their ratio and whether the pairs agree."""
    sources = {"this tree": SRC, "baseline": args.baseline}
    runs: dict[str, list[dict]] = {name: [] for name in sources}
    for _ in range(args.runs):
        for name, src in sources.items():
            result = run_child(args, size, "newstrace", src)
            runs[name].append(result)
            print(f"  {name:<9} {size:>7} articles  {result['seconds']:6.2f} s wall  CPU "
                  f"{cpu_total(result):6.2f} s (fingerprint {result['fingerprint_cpu_s']:.2f}, "
                  f"match {result['match_cpu_s']:.2f})", flush=True)
    best = {name: (min(r["seconds"] for r in done), min(cpu_total(r) for r in done),
                   min(r["fingerprint_cpu_s"] for r in done), min(r["match_cpu_s"] for r in done))
            for name, done in runs.items()}
    print(f"  fastest of {args.runs} at {size} ({args.baseline}):")
    for name, (wall, cpu, printed, match) in best.items():
        print(f"    {name:<9} {wall:6.2f} s wall  {cpu:6.2f} s CPU  fingerprint {printed:.2f} s  "
              f"match {match:.2f} s  ({size / wall:,.0f} articles/s)")
    ours, theirs = best["this tree"], best["baseline"]
    same = ({tuple(pair) for pair in runs["this tree"][0]["found"]}
            == {tuple(pair) for pair in runs["baseline"][0]["found"]})
    print(f"    this tree / baseline: wall x{ours[0] / theirs[0]:.3f}, CPU x{ours[1] / theirs[1]:.3f}; "
          f"same pairs and verdicts: {same}")


def idle_seconds(result: dict) -> float:
    """The run's time on otherwise idle cores, from its CPU time: the workers' share split
    over the workers, plus the main process."""
    return result["worker_cpu_s"] / result["workers"] + result["main_cpu_s"]


def report(result: dict, figures: dict) -> None:
    rate = result["size"] / result["seconds"]
    kinds = ", ".join(f"{k} {v:.3f}" for k, v in figures["recall_by_kind"].items())
    print(f"  {result['method']:<10} {result['size']:>7} articles  {result['seconds']:7.1f} s "
          f"({rate:,.0f} articles/s)  peak {result['peak_mb']:,.0f} MB (main "
          f"{result['main_mb']:,.0f} + {result['workers']} x worker {result['worker_mb']:,.0f})")
    print(f"             CPU: workers {result['worker_cpu_s']:.1f} s, main "
          f"{result['main_cpu_s']:.1f} s -> {result['size'] / idle_seconds(result):,.0f} "
          f"articles/s on idle cores; by step: ingest+clean {result['ingest_cpu_s']:.1f} s, "
          f"fingerprint {result['fingerprint_cpu_s']:.1f} s, match (LSH + verify + align) "
          f"{result['match_cpu_s']:.1f} s")
    print(f"             recall {figures['recall']:.4f} ({kinds})  precision "
          f"{figures['precision']:.4f}  F1 {figures['f1']:.4f}  verdicts as planted "
          f"{figures['verdict_agreement']:.3f}  planted {figures['planted']}")
    if figures["false_positives"]:
        print(f"             false positives (first): {figures['false_positives']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2, help="processes for ingest+fingerprint")
    parser.add_argument("--slice-mb", type=float, default=None,
                        help="megabytes of input per task on the pool (bounds the workers' memory; "
                        "default: what each revision's CopyFinder chooses)")
    parser.add_argument("--no-baseline", action="store_true", help="skip datasketch")
    parser.add_argument("--no-assert", action="store_true", help="print only, never fail")
    parser.add_argument("--reuse", action="store_true",
                        help=f"the reuse corpus: --corpus {REUSE_CORPUS.relative_to(ROOT)} --sizes 20000")
    parser.add_argument("--baseline", type=Path, metavar="SRC",
                        help="time this tree beside another revision's code (its src folder) instead")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side with --baseline")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reuse:
        args.corpus, args.sizes = REUSE_CORPUS, [20_000]
    if args.child:
        size, method = args.child.split(":")
        slice_bytes = None if args.slice_mb is None else int(args.slice_mb * 1_000_000)
        print(json.dumps(run_once(args.corpus, int(size), method, args.workers, slice_bytes)))
        return
    if args.baseline:
        print(f"corpus {args.corpus}, workers {args.workers}: this tree ({SRC}) beside {args.baseline}")
        for size in sorted(args.sizes):
            side_by_side(args, size)
        return
    truth_file = args.corpus.with_name(args.corpus.name.removesuffix(".jsonl") + ".truth.jsonl")
    truth = [json.loads(line) for line in truth_file.open(encoding="utf-8")]
    ids_in_order = [json.loads(line)["id"] for line in args.corpus.open(encoding="utf-8")]
    methods = ["newstrace"] + ([] if args.no_baseline else ["datasketch"])
    results: dict[tuple[str, int], tuple[dict, dict]] = {}
    print(f"corpus {args.corpus} ({len(ids_in_order)} records), workers {args.workers}")
    for method in methods:
        for size in sorted(args.sizes):
            result = run_child(args, size, method)
            figures = score(result["found"], truth, set(ids_in_order[:size]))
            results[method, size] = (result, figures)
            report(result, figures)
    sizes = sorted(args.sizes)
    if len(sizes) > 1:
        for method in methods:
            small, large = results[method, sizes[0]][0], results[method, sizes[-1]][0]
            exponent = (math.log(large["seconds"] / small["seconds"])
                        / math.log(large["size"] / small["size"]))
            print(f"  growth {method}: time x{large['seconds'] / small['seconds']:.1f} for "
                  f"x{large['size'] / small['size']:.0f} articles (exponent {exponent:.2f})")
    missed = check_targets(results, sizes[-1], baseline="datasketch" in methods)
    for line in missed:
        print(f"TARGET MISSED: {line}")
    if missed and not args.no_assert:
        sys.exit(1)


def check_targets(results: dict, size: int, baseline: bool) -> list[str]:
    ours, figures = results["newstrace", size]
    rate = ours["size"] / ours["seconds"]
    missed = []
    if rate < TARGETS["articles_per_s"]:
        missed.append(f"{rate:,.0f} articles/s < {TARGETS['articles_per_s']:,}")
    if ours["peak_mb"] > TARGETS["peak_mb"]:
        missed.append(f"peak {ours['peak_mb']:,.0f} MB > {TARGETS['peak_mb']:,}")
    for name in ("recall", "precision"):
        if figures[name] < TARGETS[name]:
            missed.append(f"{name} {figures[name]:.4f} < {TARGETS[name]}")
    if baseline:
        theirs, their_figures = results["datasketch", size]
        speedup = theirs["seconds"] / ours["seconds"]
        stage = ((theirs["fingerprint_cpu_s"] + theirs["match_cpu_s"])
                 / (ours["fingerprint_cpu_s"] + ours["match_cpu_s"]))
        print(f"  speed-up over datasketch at {size}: x{speedup:.1f} end to end (wall), "
              f"x{stage:.1f} on fingerprint + match (CPU; ingest and cleaning are shared)")
        if speedup < TARGETS["speedup"]:
            missed.append(f"speed-up x{speedup:.1f} < x{TARGETS['speedup']}")
        if figures["f1"] < their_figures["f1"]:
            missed.append(f"F1 {figures['f1']:.4f} < datasketch {their_figures['f1']:.4f}")
    return missed


if __name__ == "__main__":
    main()
