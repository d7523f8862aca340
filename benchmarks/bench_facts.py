"""Facts (quotes, entities, numbers, dates) for many articles: articles/s and peak memory.

Texts cycle through PolNeAR and ECB+ articles until --articles are reached.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / ".." / "shared" / "datasets"
DEFAULT_FILES = [DATASETS / "polnear" / "train.jsonl", DATASETS / "ecbplus" / "docs.jsonl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="jsonl files with a 'text' field")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--n-process", type=int, default=1, help="spaCy worker processes")
    args = parser.parse_args()

    from newstrace.facts import extract_facts
    from newstrace.model import Article
    from newstrace.quotation import load_nlp

    rows = [json.loads(line) for f in args.files for line in f.open(encoding="utf-8")]
    articles = [Article.from_text(r["text"], date=r.get("date")) for r in itertools.islice(itertools.cycle(rows), args.articles)]
    nlp = load_nlp()
    process = psutil.Process()
    started = time.perf_counter()
    facts = extract_facts(articles, nlp=nlp, batch_size=args.batch_size, n_process=args.n_process)
    elapsed = time.perf_counter() - started
    peak = process.memory_info().rss
    peak_mb = max(peak, getattr(process.memory_info(), "peak_wset", 0)) / 2**20
    counts = {k: sum(len(getattr(f, k)) for f in facts) for k in ("quotes", "entities", "numbers", "times")}
    words = sum(len(a.text.split()) for a in articles)
    print(f"articles: {len(articles)} ({words} words), batch_size={args.batch_size}, n_process={args.n_process}")
    print(f"found: {counts}")
    print(f"speed: {len(articles) / elapsed:.1f} articles/s, {words / elapsed:.0f} words/s ({elapsed:.1f} s)")
    print(f"memory: RSS after run {peak_mb:.0f} MiB (main process; ru_maxrss-style peak not tracked for workers)")


if __name__ == "__main__":
    main()
