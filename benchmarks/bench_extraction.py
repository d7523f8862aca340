"""Article extraction quality and ingest speed.

Quality: runs ``newstrace.ingest.readers.load()`` on the pages of the Zyte article-extraction
benchmark (``../shared/datasets/article-extraction-benchmark``) and scores the extracted
body against the hand-checked ``articleBody``: token-level precision, recall and F1
(bag of lower-cased word tokens), averaged per page, and pages/s.

Speed: cleans plain-text articles (the seeds, repeated) with ``clean_text`` and ingests
them as a JSON Lines file with ``iter_articles``, and prints articles/s on one core.

    python benchmarks/bench_extraction.py [--data DIR] [--limit N] [--worst K]
                                          [--seeds DIR] [--records N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from newstrace.ingest.clean import clean_text
from newstrace.ingest.readers import IngestError, iter_articles, load

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
TOKEN = re.compile(r"\w+")


@dataclass
class Score:
    page: str
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def token_score(page: str, extracted: str, gold: str) -> Score:
    """Precision and recall of the extracted body's word tokens against the gold body's."""
    got, want = Counter(TOKEN.findall(extracted.lower())), Counter(TOKEN.findall(gold.lower()))
    overlap = sum((got & want).values())
    return Score(
        page,
        overlap / sum(got.values()) if got else 0.0,
        overlap / sum(want.values()) if want else 0.0,
    )


def bench_quality(data: Path, limit: int | None, worst: int) -> None:
    with (data / "ground_truth.jsonl").open(encoding="utf-8") as stream:
        pages = [json.loads(line) for line in stream][:limit]
    scores: list[Score] = []
    failures: list[str] = []
    started = time.perf_counter()
    for page in pages:
        try:
            text = load(data / page["html"]).text
        except IngestError as error:
            failures.append(str(error))
            text = ""
        scores.append(token_score(page["id"][:12], text, page["articleBody"]))
    elapsed = time.perf_counter() - started

    print(f"extraction: {len(pages)} pages from {data}")
    print(f"  precision  {statistics.mean(s.precision for s in scores):.3f}")
    print(f"  recall     {statistics.mean(s.recall for s in scores):.3f}")
    print(f"  F1         {statistics.mean(s.f1 for s in scores):.3f}"
          f"   (median {statistics.median(s.f1 for s in scores):.3f})")
    print(f"  failures   {len(failures)}")
    print(f"  speed      {len(pages) / elapsed:.1f} pages/s ({elapsed:.1f} s, one core)")
    for failure in failures:
        print(f"    skipped: {failure}")
    for score in sorted(scores, key=lambda s: s.f1)[:worst]:
        print(f"    worst: {score.page} P={score.precision:.2f} R={score.recall:.2f}"
              f" F1={score.f1:.2f}")


def bench_speed(seeds: Path, records: int) -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]
    if not texts:
        print(f"speed: no .txt articles in {seeds}; skipped")
        return
    mean_kb = statistics.mean(len(t.encode()) for t in texts) / 1000
    started = time.perf_counter()
    for i in range(records):
        clean_text(texts[i % len(texts)])
    clean_rate = records / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "articles.jsonl"
        with path.open("w", encoding="utf-8") as stream:
            for i in range(records):
                text = f"{texts[i % len(texts)]}\n\nArticle number {i}."
                stream.write(json.dumps({"id": f"a{i}", "text": text}) + "\n")
        started = time.perf_counter()
        loaded = sum(1 for _ in iter_articles([path]))
        ingest_rate = loaded / (time.perf_counter() - started)

    print(f"speed: {records:,} plain-text articles of ~{mean_kb:.1f} KB, one core")
    print(f"  clean_text                    {clean_rate:,.0f} articles/s")
    print(f"  iter_articles (JSONL, clean)  {ingest_rate:,.0f} articles/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path,
                        default=SHARED / "datasets" / "article-extraction-benchmark",
                        help="folder with ground_truth.jsonl and html/ (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--worst", type=int, default=5, help="list the K worst pages (default: 5)")
    parser.add_argument("--seeds", type=Path, default=SHARED / "seeds",
                        help="plain-text articles for the speed test (default: %(default)s)")
    parser.add_argument("--records", type=int, default=20_000,
                        help="articles in the speed test; 0 skips it (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.data / "ground_truth.jsonl").is_file():
        print(f"no ground_truth.jsonl in {args.data}", file=sys.stderr)
        return 2
    bench_quality(args.data, args.limit, args.worst)
    if args.records:
        bench_speed(args.seeds, args.records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
