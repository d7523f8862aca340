"""Facts (quotes, entities, numbers, dates) for many articles: articles/s and peak memory.

Texts cycle through PolNeAR and ECB+ articles until --articles are reached. The spaCy parse
runs in --n-process worker processes; every pipe of the model is used (tagger and attribute
ruler for parts of speech, parser, lemmatizer, NER), so none is disabled. Peak memory is the
largest sum of resident memory of this process and its workers, sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / ".." / "shared" / "datasets"
DEFAULT_FILES = [DATASETS / "polnear" / "train.jsonl", DATASETS / "ecbplus" / "docs.jsonl"]


class PeakMemory:
    """Samples the resident memory of this process tree in a background thread."""

    def __init__(self, interval_s: float = 0.2) -> None:
        self.peak = 0
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [process, *process.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="jsonl files with a 'text' field")
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes")
    args = parser.parse_args()

    from newstrace.facts import extract_facts
    from newstrace.model import Article
    from newstrace.quotation import load_nlp

    rows = [json.loads(line) for f in args.files for line in f.open(encoding="utf-8")]
    articles = [Article.from_text(r["text"], date=r.get("date"))
                for r in itertools.islice(itertools.cycle(rows), args.articles)]
    nlp = load_nlp()
    cpu_before = psutil.cpu_times()
    with PeakMemory() as memory:
        started = time.perf_counter()
        facts = extract_facts(articles, nlp=nlp, batch_size=args.batch_size, n_process=args.n_process)
        elapsed = time.perf_counter() - started
    load = psutil.getloadavg()
    counts = {k: sum(len(getattr(f, k)) for f in facts) for k in ("quotes", "entities", "numbers", "times")}
    words = sum(len(a.text.split()) for a in articles)
    busy = sum(psutil.cpu_times()) - psutil.cpu_times().idle - (sum(cpu_before) - cpu_before.idle)
    print(f"articles: {len(articles)} ({words} words), batch_size={args.batch_size}, n_process={args.n_process}")
    print(f"found: {counts}")
    print(f"speed: {len(articles) / elapsed:.2f} articles/s, {words / elapsed:.0f} words/s ({elapsed:.1f} s wall)")
    print(f"memory: peak RSS {memory.peak / 2**20:.0f} MiB (this process + spaCy workers)")
    print(f"machine: {psutil.cpu_count()} cores, load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} "
          f"(1/5/15 min), all processes kept the CPUs {busy / (elapsed * psutil.cpu_count()):.0%} busy")


if __name__ == "__main__":
    main()
