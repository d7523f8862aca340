"""Invariance: ``dedup --engine dask`` writes byte-identical ``pairs/``, ``clusters/`` and
``recurring/`` files for 1, 3 and 16 partitions on LocalClusters of 1, 2 and 4 workers, and
its pairs are the local finder's.

The input is the examples, the seeds, a chain of near copies (pairs across partitions, one
cluster spanning them) and articles sharing a promo (a recurring band bucket, with a cap
lowered to hit it). One cluster per worker count runs the three partitionings, each with
verification tasks of one pair up, so that the pairs are verified in two tasks a worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.engine.dask import DaskEngine
from newstrace.engine.dask_dedup import DaskDedup
from newstrace.engine.datasets import FILES
from newstrace.ingest.readers import plan_slices

from test_dask import EXAMPLES, boilerplate_corpus, dataset_bytes, local_finder_pairs
from test_dask_skew import drift_chain

PARTITIONS = (1, 3, 16)
WORKERS = (1, 2, 4)
MAX_BUCKET = 20  #: lowered, so that the promo's band buckets are recurring


def slice_bytes_for(inputs: list[str], partitions: int) -> int:
    """The largest slice size that cuts ``inputs`` into exactly ``partitions`` partitions."""
    low, high = 1, 10**9  # invariant: high gives at most ``partitions``, low more (or as many)
    while high - low > 1:
        middle = (low + high) // 2
        if len(list(plan_slices(inputs, slice_bytes=middle))) > partitions:
            low = middle
        else:
            high = middle
    assert len(list(plan_slices(inputs, slice_bytes=high))) == partitions
    return high


@pytest.fixture(scope="module")
def inputs(seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("invariance")
    return [str(EXAMPLES), str(seeds), str(drift_chain(folder / "chain.jsonl", 60)),
            str(boilerplate_corpus(folder, 30))]


@pytest.fixture(scope="module", params=WORKERS, ids=lambda w: f"w{w}")
def engine(request: pytest.FixtureRequest) -> DaskEngine:
    with DaskEngine.start(workers=request.param, memory_limit="1GiB") as started:
        yield started


@pytest.fixture(scope="module")
def local_pairs(inputs: list[str]) -> list[tuple[str, str, str]]:
    return sorted((p["a"], p["b"], p["relation"]) for p in local_finder_pairs(inputs))


WRITTEN: dict[str, dict[str, bytes]] = {}  #: the files of each run, by ``wW-pP``


@pytest.mark.parametrize("partitions", PARTITIONS, ids=lambda p: f"p{p}")
def test_the_datasets_are_byte_identical_for_any_workers_and_partitions(
        engine: DaskEngine, inputs: list[str], local_pairs: list[tuple[str, str, str]], partitions: int,
        tmp_path: Path) -> None:
    run = DaskDedup(engine, slice_bytes=slice_bytes_for(inputs, partitions), max_bucket=MAX_BUCKET,
                    verify_min_pairs=1)
    result = run.run(inputs)
    assert result.stats["partitions"] == partitions and result.recurring
    assert result.stats["verify_tasks"] == 2 * engine.workers
    assert sorted((p["a"], p["b"], p["relation"]) for p in result.pairs) == local_pairs
    result.write(tmp_path)
    files = dataset_bytes(tmp_path)
    assert sorted({name.split("/")[0] for name in files}) == ["clusters", "pairs", "recurring"]
    assert len(files) == 3 * FILES
    WRITTEN[f"w{engine.workers}-p{partitions}"] = files
    assert all(written == files for written in WRITTEN.values()), sorted(WRITTEN)
