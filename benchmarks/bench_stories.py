"""Story clustering: quality on ECB+ (against a TF-IDF + agglomerative baseline) and speed at scale.

    python benchmarks/bench_stories.py quality            # ECB+ topics 1-35, gold = subtopic
    python benchmarks/bench_stories.py speed --sizes 10000 100000

Quality reports the adjusted Rand index (scikit-learn) and B-cubed F1 of newstrace's
clustering and of the baseline, whose distance threshold is tuned on the same data (its best
is reported). ECB+ has no dates, so every article is undated.

Speed builds synthetic articles by recombining real ECB+ and PolNeAR sentences (or reads
``benchmarks/data/*.jsonl`` from ``make_corpus.py`` when given ``--corpus``), then times
encoding and clustering separately, with peak memory (RSS).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Sequence

import numpy as np
import psutil

from newstrace.model import Article
from newstrace.stories import StoryClusterer, cluster_stories, encode_leads

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def bcubed_f1(gold: Sequence[str], predicted: Sequence[int | str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin): per item, the share of its
    predicted cluster with its gold label and the share of its gold class in its cluster."""
    pairs = Counter(zip(gold, predicted))
    gold_sizes, predicted_sizes = Counter(gold), Counter(predicted)
    precision = sum(n * n / predicted_sizes[p] for (g, p), n in pairs.items()) / len(gold)
    recall = sum(n * n / gold_sizes[g] for (g, p), n in pairs.items()) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def load_ecbplus(path: Path) -> tuple[list[Article], list[str]]:
    """ECB+ documents as undated articles (first line as title) and their gold subtopics."""
    articles, gold = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            title, _, body = doc["text"].partition("\n")
            articles.append(Article(id=doc["id"], title=title, text=body or title))
            gold.append(doc["subtopic"])
    return articles, gold


def labels_of(groups: list[list[int]], n: int) -> list[int]:
    labels = [0] * n
    for label, members in enumerate(groups):
        for index in members:
            labels[index] = label
    return labels


def tfidf_distances(articles: Sequence[Article]) -> np.ndarray:
    """Cosine distances between TF-IDF vectors (unigrams + bigrams, sublinear tf, English stop words)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    tfidf = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english")
    return cosine_distances(tfidf.fit_transform([f"{a.title}\n{a.text}" for a in articles]))


def baseline_labels(distances: np.ndarray, threshold: float) -> list[int]:
    """Average-link agglomerative clustering cut at ``threshold`` cosine distance."""
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="precomputed",
                                    linkage="average")
    return model.fit_predict(distances).tolist()


def scores(gold: Sequence[str], labels: Sequence[int]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    precision, recall, f1 = bcubed_f1(gold, labels)
    return {"ari": adjusted_rand_score(gold, labels), "b3_p": precision, "b3_r": recall, "b3_f1": f1,
            "clusters": len(set(labels))}


def show(name: str, result: dict[str, float]) -> None:
    print(f"  {name:<34} ARI {result['ari']:.3f}  B3 P {result['b3_p']:.3f} R {result['b3_r']:.3f} "
          f"F1 {result['b3_f1']:.3f}  clusters {result['clusters']}")


def run_quality(args: argparse.Namespace) -> int:
    articles, gold = load_ecbplus(args.ecbplus)
    print(f"ECB+: {len(articles)} articles, {len(set(gold))} gold stories (subtopics)")
    started = time.perf_counter()
    vectors = encode_leads(articles, chars=args.encode_chars)
    print(f"  encoded title+lead ({args.encode_chars} chars) in {time.perf_counter() - started:.1f} s")
    params = {"threshold": args.threshold} if args.threshold is not None else {}
    ours = scores(gold, labels_of(cluster_stories(articles, vectors, **params), len(articles)))
    show("newstrace", ours)
    best = None
    distances = tfidf_distances(articles)
    for threshold in np.arange(0.50, 0.9875, 0.0125):
        result = scores(gold, baseline_labels(distances, float(threshold)))
        if best is None or result["ari"] + result["b3_f1"] > best[1]["ari"] + best[1]["b3_f1"]:
            best = (float(threshold), result)
    show(f"TF-IDF+agglomerative (best t={best[0]:.3f})", best[1])
    beats = ours["ari"] > best[1]["ari"] and ours["b3_f1"] > best[1]["b3_f1"]
    print(f"  newstrace beats the tuned baseline on ARI and B-cubed F1: {'yes' if beats else 'NO'}")
    return 0 if beats or args.no_assert else 1


def sentence_pool(shared: Path) -> list[list[str]]:
    """Real news sentences grouped by source document (ECB+ and PolNeAR train)."""
    documents = []
    for path in (shared / "datasets/ecbplus/docs.jsonl", shared / "datasets/polnear/train.jsonl"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"]
                sentences = [s.strip() for s in text.replace("\n", " \n").split("\n") if len(s.strip()) > 30]
                if len(sentences) >= 3:
                    documents.append(sentences)
    return documents


def synthetic_articles(n: int, pool: list[list[str]], seed: int = 0, daily: int | None = None) -> list[Article]:
    """``n`` dated articles in publication order, as a news stream arrives: each event is a
    handful of reports made of shuffled sentences from one source document plus a few from
    others, spread over a year (or, with ``daily``, over as many days as ``daily`` articles a
    day fill, so that the stream's density stays the same at every size)."""
    rng = random.Random(seed)
    start = date(2023, 1, 1)
    span = 365 if daily is None else max(1, -(-n // daily))
    articles: list[Article] = []
    while len(articles) < n:
        base = rng.choice(pool)
        day = start + timedelta(days=rng.randrange(span))
        for _ in range(rng.randint(1, 8)):
            body = rng.sample(base, min(len(base), rng.randint(3, 8))) + rng.sample(rng.choice(pool), 2)
            published = day + timedelta(days=rng.randint(0, 2))
            articles.append(Article(id=f"syn{len(articles)}", title=body[0][:120], text=" ".join(body[1:]),
                                    date=published.isoformat()))
    return sorted(articles[:n], key=lambda article: article.date)


def load_corpus(path: Path, n: int) -> list[Article]:
    """Articles from a ``make_corpus.py`` JSONL file (keys: id, text, title?, date?)."""
    articles = []
    for path in sorted(path.glob("*.jsonl")) if path.is_dir() else [path]:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                articles.append(Article(id=str(row["id"]), text=row["text"], title=row.get("title"),
                                        date=row.get("date")))
                if len(articles) == n:
                    return articles
    return articles


def peak_rss_mb() -> float:
    info = psutil.Process().memory_info()
    return getattr(info, "peak_wset", None) or _linux_peak_kb() / 1024 or info.rss / 2**20


def _linux_peak_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_speed(args: argparse.Namespace) -> int:
    pool = [] if args.corpus else sentence_pool(args.shared)
    timings = []
    for size in args.sizes:
        articles = load_corpus(args.corpus, size) if args.corpus else synthetic_articles(size, pool, daily=args.daily)
        if args.encode_sample:
            sample = articles[: args.encode_sample]
            started = time.perf_counter()
            encode_leads(sample, chars=args.encode_chars)
            per_article = (time.perf_counter() - started) / len(sample)
            print(f"{size:>7} articles: encoding {1 / per_article:,.0f} articles/s "
                  f"(measured on {len(sample)}, {args.encode_chars} chars) -> ~{per_article * size:,.0f} s for all")
        vectors = _stand_in_vectors(articles)
        rss_before = psutil.Process().memory_info().rss / 2**20
        started = time.perf_counter()
        clusterer = StoryClusterer()
        for begin in range(0, size, args.batch):
            clusterer.assign(articles[begin : begin + args.batch], vectors[begin : begin + args.batch])
        seconds = time.perf_counter() - started
        rss_after = psutil.Process().memory_info().rss / 2**20
        timings.append((size, seconds))
        print(f"{size:>7} articles: clustering {seconds:.1f} s = {size / seconds:,.0f} articles/s, "
              f"{len(clusterer.stories()):,} stories, RSS {rss_before:,.0f} -> {rss_after:,.0f} MB "
              f"(process peak {peak_rss_mb():,.0f} MB)")
        del clusterer
    if len(timings) > 1:
        (n0, t0), (n1, t1) = timings[0], timings[-1]
        exponent = np.log(t1 / t0) / np.log(n1 / n0)
        print(f"cost growth {n0:,} -> {n1:,}: x{t1 / t0:.1f} time for x{n1 / n0:.0f} articles, "
              f"scaling exponent {exponent:.2f} (1 = linear, 2 = all pairs; target <= {args.max_exponent})")
        if exponent > args.max_exponent and not args.no_assert:
            return 1
    return 0


def _stand_in_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Unit vectors for timing the clustering alone: the real encoder costs ~5 ms per text,
    so at 100k articles it is timed on a sample. Articles built from the same source document
    get nearby vectors, so the story structure resembles the real one."""
    rng = np.random.default_rng(0)
    centres: dict[str, np.ndarray] = {}
    rows = np.empty((len(articles), 384), dtype=np.float32)
    for i, article in enumerate(articles):
        key = article.text[:40]
        rows[i] = centres.setdefault(key, rng.standard_normal(384)) + 0.5 * rng.standard_normal(384)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the ../shared folder (default: %(default)s)")
    parser.add_argument("--encode-chars", type=int, default=300, help="title + lead characters encoded")
    parser.add_argument("--no-assert", action="store_true", help="print the figures, exit 0 even if a target is missed")
    commands = parser.add_subparsers(dest="command", required=True)
    quality = commands.add_parser("quality", help="ECB+ ARI and B-cubed F1 against the TF-IDF baseline")
    quality.add_argument("--ecbplus", type=Path, default=None, help="docs.jsonl (default: under --shared)")
    quality.add_argument("--threshold", type=float, default=None, help="override the clusterer's threshold")
    speed = commands.add_parser("speed", help="clustering throughput and memory at scale")
    speed.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    speed.add_argument("--batch", type=int, default=1000, help="articles per assign() call")
    speed.add_argument("--encode-sample", type=int, default=200, help="articles encoded to time the encoder")
    speed.add_argument("--max-exponent", type=float, default=1.15, help="largest acceptable scaling exponent")
    speed.add_argument("--daily", type=int, default=None,
                       help="articles per day (constant density at every size); default: every size spans one year")
    speed.add_argument("--corpus", type=Path, default=None, help="make_corpus.py JSONL file or folder")
    args = parser.parse_args(argv)
    if args.command == "quality":
        args.ecbplus = args.ecbplus or args.shared / "datasets/ecbplus/docs.jsonl"
        return run_quality(args)
    return run_speed(args)


if __name__ == "__main__":
    sys.exit(main())
