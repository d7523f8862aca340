"""``dedup --engine dask`` (:class:`newstrace.engine.dask_dedup.DaskDedup`) against the local
finder on the generated corpora: wall time per stage, peak memory per worker, recall and
precision on the planted pairs, and equality of the pair records with the local engine's.

Each measurement runs in a fresh interpreter (its own peak memory): the local
:class:`~newstrace.engine.streamed.CopyFinder` as ``dedup`` runs it (``--workers`` processes,
16 MB slices), the same finder as one slice (the reference for equality: both engines count
boilerplate over the whole input, so neither the slicing nor the engine may change a pair
record), and the Dask engine on a ``LocalCluster`` of 1 and 2 single-threaded workers. Not
a timed test: the corpora are git-ignored, made by ``benchmarks/make_corpus.py`` (see its
docstring):

    python benchmarks/make_corpus.py --n 10000 --out benchmarks/data/corpus_10k.jsonl
    python benchmarks/make_corpus.py --n 20000 --reuse 10 --out benchmarks/data/reuse_20k.jsonl
    python benchmarks/bench_dask.py [--corpus FILE ...] [--dask-workers 1 2] [--slice-mb 16]
                                    [--no-one-slice] [--no-local] [--dask-memory-limit 4GiB]

``--analyze N``: ``analyze`` (in memory, ``--encoder static``) of the first N articles of
the first corpus with the local engine and with its per-slice stages on a ``LocalCluster``;
prints both walls and whether the reports (relations, stories; run figures left out) are
equal. ``--skew``: the skew cases (see :func:`run_skew`).

Measured at cbf206b (2 cores shared with three other sessions' work, load average about 7,
so walls are loose; peak RSS in MB; "= local" compares the sorted pair records, scores and passages included):

    corpus_10k.jsonl: 10,000 articles, 592 planted pairs
      one-slice w0:    4.4 s  client 330 MB  workers - MB  pairs 591  recall 0.9983  precision 1.0000
                  cpu s: read 1.0 fingerprint 0.9 match 0.6
      local     w2:    4.6 s  client 311 MB  workers 157/157 MB  pairs 591  recall 0.9983  precision 1.0000  = local (one slice): False
                  cpu s: read 1.1 fingerprint 0.9 match 0.7
      dask      w1:    8.2 s  client 196 MB  workers 269 MB  pairs 591  recall 0.9983  precision 1.0000  = local (one slice): True
                  stage wall s: read 5.5 plan 0.6 candidates 1.1 verify 0.7 clusters 0.3  partitions 3, candidates 591, clusters 491, recurring buckets 0
      dask      w2:   13.8 s  client 198 MB  workers 263/275 MB  pairs 591  recall 0.9983  precision 1.0000  = local (one slice): True
                  stage wall s: read 8.2 plan 1.3 candidates 2.0 verify 1.8 clusters 0.4  partitions 3, candidates 591, clusters 491, recurring buckets 0
    reuse_20k.jsonl: 20,000 articles, 1,221 planted pairs
      one-slice w0:   10.6 s  client 488 MB  workers - MB  pairs 1,217  recall 0.9943  precision 0.9975
                  cpu s: read 2.1 fingerprint 1.7 match 1.4
      local     w2:   11.7 s  client 399 MB  workers 175/175 MB  pairs 1,222  recall 0.9943  precision 0.9935  = local (one slice): False
                  cpu s: read 2.0 fingerprint 1.7 match 1.5
      dask      w1:   17.6 s  client 219 MB  workers 381 MB  pairs 1,217  recall 0.9943  precision 0.9975  = local (one slice): True
                  stage wall s: read 10.8 plan 0.9 candidates 2.5 verify 3.1 clusters 0.4  partitions 5, candidates 10,640, clusters 1,012, recurring buckets 0
      dask      w2:   17.4 s  client 218 MB  workers 395/436 MB  pairs 1,217  recall 0.9943  precision 0.9975  = local (one slice): True
                  stage wall s: read 9.2 plan 1.4 candidates 2.6 verify 3.6 clusters 0.5  partitions 5, candidates 10,640, clusters 1,012, recurring buckets 0

Since a08b24b the local finder's rows equal the one-slice reference (reuse_20k: 1,217 pairs,
recall 0.9943, precision 0.9975). corpus_100k with 1, 2 and 4 workers (the dask rows also
print the workers' and the client's CPU seconds), the skew runs, per-partition costs and
the extrapolation to 100M articles: docs/dask.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_nearcopy import score  # noqa: E402  (recall, precision on the planted pairs)

CORPORA = [ROOT / "benchmarks/data/corpus_10k.jsonl", ROOT / "benchmarks/data/reuse_20k.jsonl"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def own_peak_mb() -> float:
    """This process's own peak RSS (``VmHWM``, Linux), else :func:`peak_mb`. A worker is forked
    and then runs a new program, and Linux folds the forking process's peak into the child's
    ``ru_maxrss`` at that point: a cluster started by a client of 2.3 GB reported 2.3 GB workers."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_mb()


def run_local(corpus: Path, workers: int, slice_bytes: int) -> dict:
    from newstrace.engine.streamed import CopyFinder

    finder = CopyFinder(workers=workers, slice_bytes=slice_bytes)
    start = time.perf_counter()
    pairs = [r.to_dict() for r in finder.run([str(corpus)])]
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "client_mb": peak_mb(), "worker_mb": [children] * workers if workers else [],
            "stages": finder.stats["cpu_seconds"], "pairs": pairs}


def run_dask(corpus: Path, workers: int, slice_bytes: int, memory_limit: str = "4GiB") -> dict:
    from newstrace.engine.dask import DaskEngine
    from newstrace.engine.dask_dedup import DaskDedup

    with DaskEngine.start(workers=workers, memory_limit=memory_limit) as engine:
        start, cpu = time.perf_counter(), engine.client.run(time.process_time)
        result = DaskDedup(engine, slice_bytes=slice_bytes).run([str(corpus)])
        seconds = time.perf_counter() - start
        worker_cpu = sum(engine.client.run(time.process_time).values()) - sum(cpu.values())
        worker_mb = engine.client.run(own_peak_mb)
    return {"seconds": seconds, "client_mb": peak_mb(), "worker_mb": sorted(worker_mb.values()),
            "worker_cpu": worker_cpu, "client_cpu": time.process_time(),
            "stages": result.stats["seconds"], "partitions": result.stats["partitions"],
            "candidates": result.stats["candidates"], "clusters": result.stats["clusters"],
            "recurring": result.stats["recurring_buckets"], "pairs": result.pairs}


def run_skew(chain: int, boilerplate: int, workers: int, memory_limit: str, folder: Path) -> None:
    """The skew cases on a LocalCluster with ``memory_limit`` per worker: a chain of
    ``chain`` near copies and ``boilerplate`` articles sharing one promo (generators of
    ``tests/test_dask_skew.py``); wall, stage walls, peak RSS of the client and workers."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_dask import boilerplate_corpus
    from test_dask_skew import drift_chain

    from newstrace.engine.dask import DaskEngine
    from newstrace.engine.dask_dedup import DaskDedup

    folder.mkdir(parents=True, exist_ok=True)
    corpora = {f"chain of {chain:,} near copies": drift_chain(folder / "chain.jsonl", chain),
               f"{boilerplate:,} articles sharing a promo": boilerplate_corpus(folder, boilerplate)}
    for name, corpus in corpora.items():
        with DaskEngine.start(workers=workers, memory_limit=memory_limit) as engine:
            start = time.perf_counter()
            run = DaskDedup(engine)
            result = run.run([str(corpus)])
            seconds = time.perf_counter() - start
            worker_mb = "/".join(f"{mb:.0f}" for mb in sorted(engine.client.run(own_peak_mb).values()))
            alive = engine.workers
        biggest = max((row["size"] for row in result.clusters), default=0)
        stages = " ".join(f"{k} {v:.1f}" for k, v in run.stats["seconds"].items())
        print(f"{name}: {seconds:.1f} s  client {peak_mb():.0f} MB  workers {worker_mb} MB (limit {memory_limit}, "
              f"{alive} of {workers} alive)  candidates {run.stats['candidates']:,}  pairs {run.stats['pairs']:,}  "
              f"clusters {run.stats['clusters']:,} (largest {biggest:,})  recurring buckets "
              f"{run.stats['recurring_buckets']}\n    stage wall s: {stages}", flush=True)


def run_analyze(corpus: Path, articles: int, workers: int, folder: Path) -> None:
    """``analyze`` of the first ``articles`` of ``corpus`` with the local engine (``workers``
    processes) and with its per-slice stages on a LocalCluster of ``workers``: walls, and
    whether the reports are equal (their ``stats`` left out)."""
    import newstrace
    from newstrace.engine.dask import DaskEngine
    from newstrace.report import to_dict

    folder.mkdir(parents=True, exist_ok=True)
    head = folder / f"{corpus.stem}_{articles}.jsonl"
    with corpus.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as target:
        target.writelines(line for _, line in zip(range(articles), source))

    def report(**options) -> tuple[dict, float]:
        start = time.perf_counter()
        data = to_dict(newstrace.analyze([head], encoder="static", **options))
        seconds = time.perf_counter() - start
        data.pop("stats")
        return data, seconds

    local, local_seconds = report(workers=workers)
    with DaskEngine.start(workers=workers, memory_limit="4GiB") as engine:
        on_dask, dask_seconds = report(mapper=engine.map)
    print(f"analyze {articles:,} articles of {corpus.name}: local w{workers} {local_seconds:.1f} s, "
          f"dask w{workers} {dask_seconds:.1f} s; relations {len(local['relations']):,}, "
          f"stories {len(local['stories']):,}; reports equal: {on_dask == local}", flush=True)


def child(args: argparse.Namespace) -> None:
    engine, workers = args.child.split(":")
    slice_bytes = 10**12 if engine == "one-slice" else int(args.slice_mb * 1_000_000)
    if engine == "dask":
        result = run_dask(args.corpus[0], int(workers), slice_bytes, args.dask_memory_limit)
    else:
        result = run_local(args.corpus[0], int(workers), slice_bytes)
    print(json.dumps(result))


def measure(corpus: Path, engine: str, workers: int, slice_mb: float, dask_memory_limit: str) -> dict:
    command = [sys.executable, __file__, "--corpus", str(corpus), "--slice-mb", str(slice_mb),
               "--dask-memory-limit", dask_memory_limit, "--child", f"{engine}:{workers}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def canonical(pairs: list[dict]) -> list[dict]:
    return sorted(pairs, key=lambda r: (r["a"], r["b"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, nargs="+", default=CORPORA)
    parser.add_argument("--local-workers", type=int, default=2)
    parser.add_argument("--dask-workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--slice-mb", type=float, default=16)
    parser.add_argument("--skew", action="store_true",
                        help="the skew cases instead: --chain near copies, --boilerplate articles sharing a promo")
    parser.add_argument("--chain", type=int, default=100_000)
    parser.add_argument("--boilerplate", type=int, default=5_000)
    parser.add_argument("--memory-limit", default="1GiB", help="each worker's memory limit in the skew cases")
    parser.add_argument("--dask-memory-limit", default="4GiB", help="each worker's memory limit in the dedup runs")
    parser.add_argument("--one-slice", action=argparse.BooleanOptionalAction, default=True,
                        help="run the one-slice reference first (a large corpus: --no-one-slice, and the "
                             "first run is the reference)")
    parser.add_argument("--local", action=argparse.BooleanOptionalAction, default=True,
                        help="run the local engine (--local-workers processes) before the Dask runs "
                             "(--no-local: only the Dask runs, e.g. on 10^6 articles, when the local figures are known)")
    parser.add_argument("--analyze", type=int, metavar="N",
                        help="analyze the first N articles of the first corpus, local and on Dask, instead")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if args.analyze:
        return run_analyze(args.corpus[0], args.analyze, max(args.dask_workers), ROOT / "benchmarks/data/analyze")
    if args.skew:
        return run_skew(args.chain, args.boilerplate, max(args.dask_workers), args.memory_limit,
                        ROOT / "benchmarks/data/skew")
    for corpus in args.corpus:
        truth_file = corpus.with_name(corpus.name.removesuffix(".jsonl") + ".truth.jsonl")
        truth = [json.loads(line) for line in truth_file.open(encoding="utf-8")]
        ids = {json.loads(line)["id"] for line in corpus.open(encoding="utf-8")}
        runs = ([("one-slice", 0)] if args.one_slice else []) + ([("local", args.local_workers)] if args.local
                                                                  else []) + [("dask", w) for w in args.dask_workers]
        reference = None
        print(f"{corpus.name}: {len(ids):,} articles, {len(truth):,} planted pairs")
        for engine, workers in runs:
            result = measure(corpus, engine, workers, args.slice_mb, args.dask_memory_limit)
            pairs = canonical(result["pairs"])
            first = reference is None
            reference = pairs if first else reference
            figures = score([[p["a"], p["b"], p["relation"]] for p in pairs], truth, ids)
            same = "" if first else f"  = {runs[0][0]} w{runs[0][1]}: {pairs == reference}"
            stages = " ".join(f"{k} {v:.1f}" for k, v in result["stages"].items())
            workers_mb = "/".join(f"{mb:.0f}" for mb in result["worker_mb"]) or "-"
            print(f"  {engine:9} w{workers}: {result['seconds']:6.1f} s  client {result['client_mb']:.0f} MB  "
                  f"workers {workers_mb} MB  pairs {len(pairs):,}  recall {figures['recall']:.4f}  "
                  f"precision {figures['precision']:.4f}{same}")
            print(f"              {'stage wall' if engine == 'dask' else 'cpu'} s: {stages}"
                  + (f"  partitions {result['partitions']}, candidates {result['candidates']:,}, "
                     f"clusters {result['clusters']:,}, recurring buckets {result['recurring']}; "
                     f"cpu s: workers {result['worker_cpu']:.1f}, client {result['client_cpu']:.1f}"
                     if engine == "dask" else ""))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
