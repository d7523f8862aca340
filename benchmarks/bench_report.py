"""Writing the report of a large store: seconds per format, this tree beside another revision.

After every ``analyze`` the CLI writes the report of the whole store (every article,
relation and story it holds), so on a large store the report can cost more than the run.
This benchmark reads the report of one store (``analyze`` with no new input, on a copy of
the store) and times ``write_report`` in each format, with this tree's code and with
``--baseline``'s (another revision's ``src``, a ``git worktree``), each side in its own
process, in turn, ``--runs`` times; it prints the fastest of each side, their ratio, the
sizes written, and whether both sides wrote the same report (JSON compared as values, the
others as text; the line saying what the run added and the run's timings left aside).

Without ``--db`` a store is made first from the first ``--articles`` records of
``--corpus`` (``analyze --encoder static``):

    git worktree add --detach /tmp/base ab42740
    python benchmarks/bench_report.py --articles 10000 --baseline /tmp/base/src
    python benchmarks/bench_report.py --db s100k.db --baseline /tmp/base/src --runs 1
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_100k.jsonl"
FORMATS = ("json", "md", "html", "text")
#: What differs between two reads of one store: the run's own figures.
_RUN_LINE = "this run added"


def make_store(corpus: Path, articles: int, db: Path) -> None:
    """A store of the first ``articles`` records of ``corpus`` (static encoder)."""
    import newstrace

    records = db.with_suffix(".jsonl")
    with corpus.open() as src, records.open("w") as dst:
        dst.writelines(itertools.islice(src, articles))
    started = time.perf_counter()
    newstrace.analyze([records], db=db, encoder="static")
    print(f"store of {articles:,} articles made in {time.perf_counter() - started:.1f} s", flush=True)


def time_formats(db: Path, out: Path, formats: list[str]) -> dict:
    """Read the store's report, write it in each format under ``out``; seconds and bytes."""
    import newstrace
    from newstrace.report import write_report

    started = time.perf_counter()
    report = newstrace.analyze([], db=db)
    figures = {"read_s": round(time.perf_counter() - started, 2), "articles": len(report.articles),
               "stories": len(report.stories), "formats": {}}
    for fmt in formats:
        path = out / f"report.{fmt}"
        started = time.perf_counter()
        write_report(report, path, format=fmt)
        figures["formats"][fmt] = {"seconds": round(time.perf_counter() - started, 2), "bytes": path.stat().st_size}
    return figures


def run_side(src: Path, db: Path, out: Path, formats: list[str]) -> dict:
    """:func:`time_formats` in a fresh process with ``src`` first on the path, on a copy of ``db``."""
    out.mkdir(parents=True, exist_ok=True)
    copy = out / "store.db"
    shutil.copyfile(db, copy)
    command = [sys.executable, __file__, "--child", str(copy), "--out", str(out), "--formats", *formats]
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_report(ours: Path, theirs: Path, fmt: str) -> bool:
    """Whether two sides wrote the same report in ``fmt`` (the run's own figures aside)."""
    a, b = (ours / f"report.{fmt}").read_text(encoding="utf-8"), (theirs / f"report.{fmt}").read_text(encoding="utf-8")
    if fmt == "json":
        a_data, b_data = json.loads(a), json.loads(b)
        a_data.pop("stats"), b_data.pop("stats")
        return a_data == b_data
    return [line for line in a.splitlines() if _RUN_LINE not in line] == \
        [line for line in b.splitlines() if _RUN_LINE not in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="a store to report on (default: one made from --corpus)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=10_000, help="records of --corpus in the store made")
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--baseline", type=Path, metavar="SRC", help="another revision's src, timed beside this tree")
    parser.add_argument("--runs", type=int, default=2, help="runs of each side (the fastest is printed)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_formats(args.child, args.out, args.formats)))
        return

    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        work = Path(tmp)
        db = args.db
        if db is None:
            db = work / "store.db"
            make_store(args.corpus, args.articles, db)
        sides = {"this tree": SRC, **({"baseline": args.baseline} if args.baseline else {})}
        best: dict[str, dict] = {}
        for run, (name, src) in itertools.product(range(args.runs), sides.items()):
            figures = run_side(src, db, work / name.replace(" ", "_"), args.formats)
            seconds = " ".join(f"{fmt} {f['seconds']:.2f} s" for fmt, f in figures["formats"].items())
            print(f"  {name:<9} run {run + 1}: report of {figures['articles']:,} articles, {figures['stories']:,} "
                  f"stories read in {figures['read_s']:.2f} s; {seconds}", flush=True)
            kept = best.setdefault(name, figures)
            for fmt, f in figures["formats"].items():
                if f["seconds"] < kept["formats"][fmt]["seconds"]:
                    kept["formats"][fmt] = f
        print(f"\nfastest of {args.runs}, seconds to write the report (MB written):")
        print(f"  {'format':<6} " + " ".join(f"{name:>20}" for name in best) + ("   ratio  same" if len(best) > 1 else ""))
        for fmt in args.formats:
            cells = " ".join(f"{b['formats'][fmt]['seconds']:>11.2f} s ({b['formats'][fmt]['bytes'] / 1e6:>4.0f} MB)"
                             for b in best.values())
            if len(best) > 1:
                ours, theirs = best["this tree"]["formats"][fmt], best["baseline"]["formats"][fmt]
                same = same_report(work / "this_tree", work / "baseline", fmt)
                cells += f"  x{ours['seconds'] / theirs['seconds']:.3f}  {'yes' if same else 'NO'}"
            print(f"  {fmt:<6} {cells}")


if __name__ == "__main__":
    main()
