"""Page latency of ``newstrace serve`` on a generated store, and a bounded load run.

Builds a store with ``newstrace.analyze`` from the first N records of a JSONL corpus (by
default the one ``make_corpus.py`` writes; a store given with ``--db`` is used as it is),
serves it with Uvicorn on a free loopback port, then:

``--encoder static`` analyses it with the static encoder (``analyze --encoder static``), which
makes a real analysed store of 100,000 articles feasible on 2 cores. With ``--synthetic N``
the store is generated instead (N articles from the corpus records, grouped into made-up
stories with made-up verdicts, nothing analysed).

1. asks each page type (story list, story, article, compare, search, and their JSON twins)
   ``--requests`` times, one request at a time, over sampled ids and words, and prints p50 /
   p95 / max in milliseconds per page type (the issue's target: p95 <= 150 ms);
2. runs a bounded load (``--load`` requests over the same URLs at ``--concurrency``) and
   prints requests/s, p50 / p95 / p99 and the error count, while ``--writer`` articles of the
   corpus (after the first N, or the first of ``--writer-corpus``) are analysed into the same
   store by a separate process.

    python benchmarks/make_corpus.py --n 10000 --out benchmarks/data/corpus_10k.jsonl
    python benchmarks/bench_web.py --articles 2000 --requests 50 --load 400 --writer 200
    python benchmarks/bench_web.py --synthetic 100000 --articles 10000 --writer 100

A real analysed store of 100,000 articles (2026-12-03, at 8f58165, 2-core machine shared,
load average 6-7), built apart so that it is kept, then served::

    python benchmarks/make_corpus.py --n 100000 --out benchmarks/data/corpus_100k.jsonl
    newstrace analyze benchmarks/data/corpus_100k.jsonl --db web100k.db --encoder static -f json -o web100k.json
    python benchmarks/bench_web.py --db web100k.db --articles 100000 --requests 50 --load 400 \
        --concurrency 16 --writer 200 --writer-corpus benchmarks/data/corpus_10k.jsonl

(``bench_web.py --articles 100000 --encoder static`` does both in one go.) The build: 19 min
58 s wall for ``newstrace analyze`` (1,127 s in the pipeline: ingest 168 s, copies 18 s,
rewrites 402 s, stories 539 s; 89 articles/s; 693 CPU-seconds, 57% of a core given to it),
peak RSS 11.9 GB, 6,175 near copies, 93,825 stories, a 1.4 GB store. Pages, p95 in ms
(50 requests each): story list 31, story 10, article 9, compare 13, search 47; their JSON
twins 42, 17, 34, 41, 36. Load: 400 mixed requests at concurrency 16 while an ``analyze`` of
200 more articles writes to the store (to the end): 88.9 requests/s, p50 133 ms, p95 276 ms,
p99 381 ms, errors 0. That writer took about 22 minutes; 200 more articles analysed alone
afterwards (load average 1-3): 11 min 51 s, 486 CPU-seconds, peak RSS 8.0 GB (copies 20 s,
rewrites 296 s, stories 351 s): at this size an incremental run costs about 60% of the first
(issue 10 asks for at most 5%).

Re-run on a copy of that store (2026-12-03, the writer given records 600-800 and then 800-1,000
of ``corpus_10k`` so that its articles are new, stopped once the load run had printed):

- at d71d80a, load average 1.5 rising to 5: p95 story list 24, story 5, article 7, compare 9,
  search 39; JSON twins 20, 3, 3, 12, 20; load 85.2 requests/s, p50 111 ms, p95 329 ms, p99
  594 ms, errors 0;
- at 4cefecf, load average 16 rising to 26 (other runs on the 2 cores): p95 story list 51,
  story 17, article 31, compare 56, search 118; JSON twins 72, 18, 18, 43, 220; load 59.0
  requests/s, p50 191 ms, p95 426 ms, p99 561 ms, errors 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from newstrace.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "benchmarks" / "data" / "corpus_10k.jsonl"


@dataclass
class Latencies:
    """Milliseconds per request, and failures."""

    times: list[float]
    errors: int = 0

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.times, q)) if self.times else float("nan")


def first_records(corpus: Path, out: Path, start: int, stop: int, id_prefix: str = "") -> int:
    """Copy records ``start``..``stop`` of a JSONL corpus to ``out`` (their ids prefixed with
    ``id_prefix``); how many were copied."""
    copied = 0
    with corpus.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for number, line in enumerate(src):
            if number >= stop:
                break
            if number >= start:
                if id_prefix:
                    record = json.loads(line)
                    record["id"] = f"{id_prefix}{record['id']}"
                    line = json.dumps(record) + "\n"
                dst.write(line)
                copied += 1
    return copied


def synthetic_store(corpus: Path, db: Path, size: int, seed: int) -> None:
    """A store of ``size`` articles from the corpus records (cycled, each cycle under new ids
    and dates) grouped into stories of 1-8 articles, each story one root and copies of it,
    with ``copy`` verdicts whose passage is the whole text: the web app's tables at the scale
    of a large store, without the hours ``analyze`` takes on 2 cores (nothing is analysed)."""
    from newstrace.model import Article, Derivation, Passage, Relation, Story

    rng = random.Random(seed)
    records = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    with Store(db, lock=True) as store:
        articles: list[Article] = []
        for number in range(size):
            record = records[number % len(records)]
            day = f"2024-{1 + number * 12 // size:02d}-{1 + number % 28:02d}"
            articles.append(Article.from_text(record["text"], key=f"id:{number}", title=record.get("title"),
                                              outlet=record.get("outlet"), date=day, external_id=str(number)))
            if len(articles) == 5000:
                store.add_articles(articles)
                articles = []
        store.add_articles(articles)
        ids = store.article_ids()
        stories, relations, at = [], [], 0
        while at < len(ids):
            members = ids[at : at + rng.randint(1, 8)]
            at += len(members)
            root, copies = members[0], members[1:]
            texts = {a.id: a for a in store.articles(members)}
            derived = [Derivation(c, root, root, "copy") for c in copies]
            for copy in copies:
                end = min(len(texts[root].text), len(texts[copy].text))
                relations.append(Relation.of(root, copy, "copy", source=root, score=0.9, confidence=0.8,
                                             reasons=["generated"], passages=[Passage(0, end, 0, end, 1.0)]))
            dates = sorted(texts[m].date for m in members)
            outlets = sorted({texts[m].outlet for m in members if texts[m].outlet})
            stories.append(Story(f"story-{root}", texts[root].title or root, members, [root], derived, outlets,
                                 dates[0], dates[-1]))
        store.put_relations(relations)
        store.put_stories(stories)


def insert_slowly(records: Path, db: Path, batch: int = 2) -> None:
    """Store the records ``batch`` per transaction, a tenth of a second apart (the writer
    beside a load run on a generated store, where ``analyze`` would first fingerprint it all)."""
    from newstrace.model import Article

    lines = records.read_text(encoding="utf-8").splitlines()
    with Store(db, lock=True) as store:
        for start in range(0, len(lines), batch):
            chunk = [json.loads(line) for line in lines[start : start + batch]]
            store.add_articles([Article.from_text(r["text"], key=f"insert:{r['id']}", title=r.get("title"),
                                                  outlet=r.get("outlet")) for r in chunk])
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path) -> tuple[uvicorn.Server, str]:
    from newstrace.web import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def sample_urls(client: httpx.Client, count: int, seed: int) -> dict[str, list[str]]:
    """``count`` URLs per page type, over ids and words sampled from the served store."""
    rng = random.Random(seed)
    stories = client.get("/api/v1/stories", params={"per_page": 200}).json()
    story_ids = [s["id"] for s in stories["stories"]]
    pages = max(1, stories["pages"])
    story_pages = [client.get(f"/api/v1/stories/{i}").json() for i in rng.sample(story_ids, min(20, len(story_ids)))]
    article_ids = [a["id"] for s in story_pages for a in s["articles"]]
    pairs = [(e["source"], e["copy"]) for s in story_pages for e in s["edges"]]
    pairs += [(a, b) for s in story_pages for a, b in zip(s["articles"], s["articles"][1:])
              for a, b in [(a["id"], b["id"])]]
    titles = [a["title"] or "" for s in story_pages for a in s["articles"]]
    words = [w for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)] or ["news"]

    def pick(make) -> list[str]:
        return [make() for _ in range(count)]

    urls = {
        "stories": pick(lambda: f"/?page={rng.randint(1, min(pages, 50))}"),
        "story": pick(lambda: f"/stories/{rng.choice(story_ids)}"),
        "article": pick(lambda: f"/articles/{rng.choice(article_ids)}"),
        "compare": pick(lambda: "/compare?a={}&b={}".format(*rng.choice(pairs))) if pairs else [],
        "search": pick(lambda: f"/search?q={rng.choice(words)}"),
    }
    for name in list(urls):
        urls[f"api {name}"] = ["/api/v1" + (u.replace("/?", "/stories?", 1) if name == "stories" else u)
                               for u in urls[name]]
    return urls


def timed(client: httpx.Client, url: str) -> tuple[float, bool]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response.status_code == 200


def measure_pages(base: str, urls: dict[str, list[str]]) -> dict[str, Latencies]:
    results = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, batch in urls.items():
            latencies = Latencies([])
            for url in batch:
                ms, ok = timed(client, url)
                latencies.times.append(ms)
                latencies.errors += not ok
            results[name] = latencies
    return results


def load_run(base: str, urls: list[str], concurrency: int) -> tuple[Latencies, float]:
    """Every URL once, ``concurrency`` at a time; the latencies and the wall seconds."""
    local = threading.local()

    def one(url: str) -> tuple[float, bool]:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=60)
        try:
            return timed(local.client, url)
        except httpx.HTTPError:
            return 0.0, False

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(one, urls))
    wall = time.perf_counter() - started
    return Latencies([ms for ms, ok in outcomes if ok], sum(not ok for _, ok in outcomes)), wall


def stored_articles(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def wait_for_writes(db: Path, writer: subprocess.Popen, timeout: float = 300) -> None:
    """Wait until the writer has stored its first articles (it goes on analysing them)."""
    before, deadline = stored_articles(db), time.monotonic() + timeout
    while stored_articles(db) == before and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=2000, help="records of the corpus to analyse first")
    parser.add_argument("--db", type=Path,
                        help="an existing store to serve, made from the first --articles records (none analysed first)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="serve a generated store of N articles (stories and verdicts made up, nothing analysed)")
    parser.add_argument("--requests", type=int, default=50, help="requests per page type")
    parser.add_argument("--load", type=int, default=400, help="requests in the load run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--writer", type=int, default=200,
                        help="records analysed into the store by another process during the load run (0: none)")
    parser.add_argument("--writer-corpus", type=Path, default=None,
                        help="JSONL records for the writer, under ids of their own (default: --corpus after --articles)")
    parser.add_argument("--encoder", choices=("minilm", "static"), default=None,
                        help="analyze's --encoder for the store (the writer uses the store's)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--insert-writer", action="store_true",
                        help="the writer inserts articles (as with --synthetic) instead of running analyze")
    parser.add_argument("--insert", type=Path, help=argparse.SUPPRESS)  # the writer of a --synthetic run
    args = parser.parse_args()
    if args.insert:
        insert_slowly(args.insert, args.db)
        return

    import newstrace

    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    db = args.db or tmp / "web.db"
    if args.synthetic:
        started = time.perf_counter()
        synthetic_store(args.corpus, db, args.synthetic, args.seed)
        print(f"generated a store of {args.synthetic:,} articles in {time.perf_counter() - started:.1f} s", flush=True)
    elif args.db is None:
        subset = tmp / "subset.jsonl"
        first_records(args.corpus, subset, 0, args.articles)
        started = time.perf_counter()
        report = newstrace.analyze([subset], db=db, **({"encoder": args.encoder} if args.encoder else {}))
        seconds = time.perf_counter() - started
        print(f"analyzed {len(report.articles):,} articles in {seconds:.1f} s ({len(report.articles) / seconds:.1f} "
              f"articles/s, encoder {report.stats.get('encoder', 'minilm')})", flush=True)
    server, base = start_server(db)
    with httpx.Client(base_url=base, timeout=60) as client:
        urls = sample_urls(client, args.requests, args.seed)
    print(f"{'page':<12} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
    for name, latencies in measure_pages(base, urls).items():
        print(f"{name:<12} {len(latencies.times):>5} {latencies.percentile(50):>8.1f} "
              f"{latencies.percentile(95):>8.1f} {max(latencies.times, default=0):>8.1f} {latencies.errors:>6}")
    writer = None
    if args.writer:
        more = tmp / "more.jsonl"
        if args.writer_corpus:
            first_records(args.writer_corpus, more, 0, args.writer, id_prefix="writer-")
        else:
            first_records(args.corpus, more, args.articles, args.articles + args.writer)
        inserting = args.synthetic or args.insert_writer
        command = ([sys.executable, __file__, "--insert", str(more), "--db", str(db)] if inserting else
                   [sys.executable, "-m", "newstrace", "analyze", str(more), "--db", str(db), "-o", os.devnull])
        writer = subprocess.Popen(command)
        wait_for_writes(db, writer)
    mixed = [url for batch in urls.values() for url in batch]
    random.Random(args.seed).shuffle(mixed)
    mixed = (mixed * (args.load // max(len(mixed), 1) + 1))[: args.load]
    latencies, wall = load_run(base, mixed, args.concurrency)
    writing = "another process inserts articles" if args.synthetic or args.insert_writer else "an analyze run writes"
    during = (f"while {writing} (to the end)" if writer.poll() is None else f"while {writing} (it finished first)") \
        if writer is not None else "(no writer)"
    print(f"load: {len(mixed)} requests at concurrency {args.concurrency} {during}: "
          f"{len(mixed) / wall:.1f} requests/s, p50 {latencies.percentile(50):.1f} ms, "
          f"p95 {latencies.percentile(95):.1f} ms, p99 {latencies.percentile(99):.1f} ms, errors {latencies.errors}")
    if writer is not None:
        writer.wait()
    server.should_exit = True


if __name__ == "__main__":
    main()
