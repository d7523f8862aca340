"""Facts (quotes, entities, numbers, dates) for many articles: articles/s and peak memory.

Texts cycle through PolNeAR and ECB+ articles (1,612 distinct texts) until --articles are
reached. The spaCy parse runs in --n-process worker processes; every pipe of the model is
used (tagger and attribute ruler for parts of speech, parser, lemmatizer, NER), so none is
disabled. Peak memory is the largest sum of resident memory of this process and its workers,
sampled every 0.2 s.

``extract_facts`` parses identical copies (same text and date) once, so beyond 1,612 articles
the cycled texts are copies and the articles/s figure grows with them; the run prints the
rate per distinct text as well, the figure for a collection without copies.

Measured on this 2-core machine, loaded by other work (load average ~10), ``--articles 1612
--baseline /tmp/nt-base/src`` (093de3b, before the table attribute ruler) against ac20811:
139 -> 125 ms CPU per article (14.4 -> 16.0 articles/s on 2 free cores), 3.35 -> 4.28
articles/s wall, peak RSS 2,060 -> 2,104 MiB, the same 12,963 quotes, 69,196 entities,
14,177 numbers and 8,446 times.

On a shared, loaded machine wall time says little, so the run also prints the CPU time of
this process and its workers per article, and the rate that CPU time allows on the machine's
cores when they are free. ``--baseline SRC`` first runs the same benchmark with another
checkout's ``src`` (``git worktree add /tmp/base REV``) in a subprocess and prints both.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / ".." / "shared" / "datasets"
DEFAULT_FILES = [DATASETS / "polnear" / "train.jsonl", DATASETS / "ecbplus" / "docs.jsonl"]


class PeakMemory:
    """Samples the resident memory of this process tree in a background thread, and the CPU
    time of each process in it (workers that end are counted at their last sample)."""

    def __init__(self, interval_s: float = 0.2) -> None:
        self.peak = 0
        self.cpu: dict[int, float] = {}  #: pid -> user + system seconds at its last sample
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
                    times = p.cpu_times()
                    self.cpu[p.pid] = times.user + times.system
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
        times = psutil.Process().cpu_times()
        self.cpu[os.getpid()] = times.user + times.system


def print_component_times(nlp, articles: list) -> None:
    """CPU time per article of each pipe of the model and of the extraction, in this process."""
    from newstrace.digests.facts import facts_from_doc

    docs = [nlp.make_doc(a.text) for a in articles]
    costs = {}
    for name, pipe in nlp.pipeline:
        started = time.process_time()
        docs = list(pipe.pipe(docs)) if hasattr(pipe, "pipe") else [pipe(doc) for doc in docs]
        costs[name] = time.process_time() - started
    started = time.process_time()
    for doc, article in zip(docs, articles):
        facts_from_doc(doc, article)
    costs["extraction (facts_from_doc)"] = time.process_time() - started
    print(f"CPU per article on the first {len(articles)} articles, one process:")
    for name, seconds in costs.items():
        print(f"  {name:<30} {1000 * seconds / len(articles):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="jsonl files with a 'text' field")
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=None,
                        help="documents spaCy parses at a time (default: each checkout's own)")
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes")
    parser.add_argument("--baseline", type=Path, help="a checkout's src folder to run first, for comparison")
    parser.add_argument("--components", type=int, default=0, metavar="N",
                        help="also print the CPU time of each pipe and of the extraction on the first N articles")
    args = parser.parse_args()
    if args.baseline:
        print(f"== baseline ({args.baseline})", flush=True)
        command = [sys.executable, __file__, *map(str, args.files), "--articles", str(args.articles),
                   "--n-process", str(args.n_process), "--components", str(args.components)]
        if args.batch_size is not None:
            command += ["--batch-size", str(args.batch_size)]
        subprocess.run(command, env={**os.environ, "PYTHONPATH": str(args.baseline)}, check=True)
        print("== this checkout", flush=True)

    from newstrace.digests.facts import extract_facts
    from newstrace.model import Article
    from newstrace.digests.nlp import load_nlp

    rows = [json.loads(line) for f in args.files for line in f.open(encoding="utf-8")]
    articles = [Article.from_text(r["text"], date=r.get("date"))
                for r in itertools.islice(itertools.cycle(rows), args.articles)]
    nlp = load_nlp()
    if args.components:
        print_component_times(nlp, articles[: args.components])
    cpu_before = psutil.cpu_times()
    own_before = sum(psutil.Process().cpu_times()[:2])
    with PeakMemory() as memory:
        started = time.perf_counter()
        batched = {} if args.batch_size is None else {"batch_size": args.batch_size}
        facts = extract_facts(articles, nlp=nlp, n_process=args.n_process, **batched)
        elapsed = time.perf_counter() - started
    load = psutil.getloadavg()
    counts = {k: sum(len(getattr(f, k)) for f in facts) for k in ("quotes", "entities", "numbers", "times")}
    words = sum(len(a.text.split()) for a in articles)
    distinct = len({(a.text, a.date) for a in articles})
    busy = sum(psutil.cpu_times()) - psutil.cpu_times().idle - (sum(cpu_before) - cpu_before.idle)
    batch_size = args.batch_size or inspect.signature(extract_facts).parameters["batch_size"].default
    print(f"articles: {len(articles)} ({words} words), batch_size={batch_size}, n_process={args.n_process}")
    print(f"found: {counts}")
    print(f"speed: {len(articles) / elapsed:.2f} articles/s, {words / elapsed:.0f} words/s ({elapsed:.1f} s wall); "
          f"{distinct} distinct texts: {distinct / elapsed:.2f} distinct texts/s")
    cpu_s = sum(memory.cpu.values()) - own_before
    print(f"cpu: {cpu_s:.1f} s (this process + spaCy workers), {1000 * cpu_s / len(articles):.0f} ms per article; "
          f"{psutil.cpu_count() * len(articles) / cpu_s:.1f} articles/s on {psutil.cpu_count()} free cores at that CPU cost")
    print(f"memory: peak RSS {memory.peak / 2**20:.0f} MiB (this process + spaCy workers)")
    print(f"machine: {psutil.cpu_count()} cores, load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} "
          f"(1/5/15 min), all processes kept the CPUs {busy / (elapsed * psutil.cpu_count()):.0%} busy")


if __name__ == "__main__":
    main()
