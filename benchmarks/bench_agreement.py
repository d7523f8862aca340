"""``analyze`` finds every planted pair that ``dedup`` finds: recall side by side.

Every input record is its own publication, so a verbatim republication under another id
is a ``duplicate`` pair in ``analyze`` (with a store, direction, rewrites and stories) as
it is in ``dedup`` (:class:`newstrace.engine.streamed.CopyFinder`, nothing stored). This runs both
on the same records of a ``make_corpus.py`` corpus and scores the derived pairs of each
against the planted truth (``<corpus stem>.truth.jsonl``): recall per planted kind and
precision, then the planted pairs one found and the other did not.

    python benchmarks/make_corpus.py --n 10000 --out benchmarks/data/corpus_10k.jsonl
    python benchmarks/bench_agreement.py --corpus benchmarks/data/corpus_10k.jsonl

Exits 1 when ``analyze``'s recall is below ``dedup``'s (``--no-assert`` to only print).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_10k.jsonl"
Pair = frozenset


def truth_of(corpus: Path, ids: set[str]) -> dict[Pair, str]:
    """Planted pair -> kind, for the pairs whose two articles are among ``ids``."""
    path = corpus.with_name(corpus.stem + ".truth.jsonl")
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return {Pair((t["source"], t["copy"])): t["kind"] for t in rows if t["source"] in ids and t["copy"] in ids}


def run_dedup(path: Path, workers: int) -> tuple[dict[Pair, str], float]:
    from newstrace.engine.streamed import CopyFinder

    started = time.perf_counter()
    found = {Pair((r.a, r.b)): r.relation for r in CopyFinder(workers=workers).run([path])}
    return found, time.perf_counter() - started


def run_analyze(path: Path, db: Path, copies_only: bool) -> tuple[dict[Pair, str], dict[Pair, str], dict]:
    """Derived pairs by input id, every verdict by input id, and the run's stats; with
    ``copies_only``, the verdicts of analyze's ingest and near-copy stages (before the
    rewrite check re-judges the partial pairs)."""
    import newstrace
    from newstrace.model import DERIVED_RELATIONS

    if copies_only:
        with newstrace.Store(db) as store:
            analyzer = newstrace.Analyzer(store)
            analyzer.find_copies(analyzer.ingest([path]))
            articles, relations, stats = store.articles(), store.relations(), analyzer.stats
    else:
        report = newstrace.analyze([path], db=db)
        articles, relations, stats = report.articles, report.relations, report.stats
    name = {a.id: a.external_id for a in articles}
    verdicts = {Pair((name[r.a], name[r.b])): r.relation for r in relations}
    derived = {pair: kind for pair, kind in verdicts.items() if kind in DERIVED_RELATIONS}
    return derived, verdicts, stats


def score(found: dict[Pair, str], planted: dict[Pair, str]) -> dict:
    hits = [pair for pair in planted if pair in found]
    kinds = sorted(set(planted.values()))
    return {
        "recall": len(hits) / len(planted) if planted else 1.0,
        "precision": sum(pair in planted for pair in found) / len(found) if found else 1.0,
        "by_kind": {kind: sum(p in found for p, k in planted.items() if k == kind)
                    / sum(k == kind for k in planted.values()) for kind in kinds},
        "pairs": len(found),
    }


def line(name: str, figures: dict, seconds: float) -> str:
    kinds = ", ".join(f"{k} {v:.3f}" for k, v in figures["by_kind"].items())
    return (f"{name:<8} recall {figures['recall']:.4f} ({kinds})  precision {figures['precision']:.4f}  "
            f"{figures['pairs']:,} derived pairs  {seconds:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--size", type=int, default=None, help="the first N records only")
    parser.add_argument("--workers", type=int, default=2, help="dedup worker processes")
    parser.add_argument("--copies-only", action="store_true",
                        help="analyze's ingest and near-copy stages only (no rewrite check, no stories)")
    parser.add_argument("--no-assert", action="store_true", help="only print, never fail")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        with args.corpus.open("rb") as src, path.open("wb") as out:
            out.writelines(itertools.islice(src, args.size))
        with path.open(encoding="utf-8") as lines:
            ids = {json.loads(row)["id"] for row in lines}
        planted = truth_of(args.corpus, ids)
        dedup, dedup_seconds = run_dedup(path, args.workers)
        started = time.perf_counter()
        analyzed, verdicts, stats = run_analyze(path, Path(folder) / "store.db", args.copies_only)
        analyze_seconds = time.perf_counter() - started
    d, a = score(dedup, planted), score(analyzed, planted)
    print(f"{len(ids):,} records, {len(planted):,} planted pairs ({args.corpus.name})")
    print(line("dedup", d, dedup_seconds))
    name = "copies" if args.copies_only else "analyze"
    print(line(name, a, analyze_seconds) + f"  (stages: {stats.get('stage_seconds')})")
    only_dedup = sorted(sorted(p) for p in planted if p in dedup and p not in analyzed)
    only_analyze = sorted(sorted(p) for p in planted if p in analyzed and p not in dedup)
    print(f"planted pairs dedup found and analyze did not: {len(only_dedup)}"
          + "".join(f"\n  {x} {y} {planted[Pair((x, y))]}: analyze says {verdicts.get(Pair((x, y)), 'nothing')}"
                    for x, y in only_dedup[:10]))
    print(f"planted pairs analyze found and dedup did not: {len(only_analyze)}")
    if a["recall"] < d["recall"] and not args.no_assert:
        print(f"FAILED: analyze recall {a['recall']:.4f} < dedup recall {d['recall']:.4f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
