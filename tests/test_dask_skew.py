"""Skew on a real LocalCluster with a memory limit: a band bucket of 5,000 articles sharing
boilerplate, and a chain of 10,000 near copies (each a slightly edited copy of the one
before). The 100,000-node chain is ``benchmarks/bench_dask.py --skew``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from newstrace.engine.dask import DaskEngine
from newstrace.engine.dask_dedup import MAX_BUCKET, DaskDedup

from test_dask import boilerplate_corpus

MEMORY_LIMIT = "1GiB"  #: per worker


@pytest.fixture(scope="module")
def engine() -> DaskEngine:
    with DaskEngine.start(workers=2, memory_limit=MEMORY_LIMIT) as started:
        yield started


def drift_chain(path: Path, articles: int, *, words: int = 80, edits: int = 2, seed: int = 7) -> Path:
    """``articles`` texts, each the one before with ``edits`` words replaced (and dated a
    minute later): every text is a copy of its neighbours, texts far apart share nothing."""
    rng = random.Random(seed)
    vocabulary = [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")
                  for c in ("n", "r", "s", "l", "m", "t")]
    text = [rng.choice(vocabulary) for _ in range(words)]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(articles):
            for _ in range(edits):
                text[rng.randrange(words)] = rng.choice(vocabulary)
            sentences = [" ".join(text[i: i + 10]).capitalize() + "." for i in range(0, words, 10)]
            date = f"2024-01-{1 + number // 1440:02d}T{number // 60 % 24:02d}:{number % 60:02d}"
            handle.write(json.dumps({"id": f"c{number:06d}", "date": date, "text": " ".join(sentences)}) + "\n")
    return path


def test_a_bucket_of_5000_articles_sharing_boilerplate_is_recorded_not_expanded(engine: DaskEngine,
                                                                               tmp_path: Path) -> None:
    result = DaskDedup(engine, slice_bytes=1_000_000).run([str(boilerplate_corpus(tmp_path, 5000))])
    assert result.stats["articles"] == 5000 and result.pairs == []
    assert max(row["documents"] for row in result.recurring) > MAX_BUCKET  # 3,461: most bands lie in the promo
    assert under_the_memory_limit(engine)


def worker_peaks_mib(engine: DaskEngine) -> list[float]:
    """Each worker's peak resident memory so far."""
    import resource

    return sorted(engine.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024).values())


def under_the_memory_limit(engine: DaskEngine) -> bool:
    """Both workers still there (none restarted for memory) and each peak under the limit."""
    return engine.workers == 2 and max(worker_peaks_mib(engine)) < 1024


def test_a_chain_of_10000_near_copies_is_one_cluster(engine: DaskEngine, tmp_path: Path) -> None:
    result = DaskDedup(engine, slice_bytes=400_000).run([str(drift_chain(tmp_path / "chain.jsonl", 10_000))])
    assert len(result.clusters) == 10_000 and result.pairs and result.stats["clusters"] == 1  # 58,195 pairs
    assert {(row["cluster"], row["representative"]) for row in result.clusters} == {
        (min(row["id"] for row in result.clusters), "c000000")}
    assert under_the_memory_limit(engine)
