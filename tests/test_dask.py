"""The Dask engine: the same stages on a real Dask LocalCluster give the local engine's answers;
``dedup`` matched on the cluster gives the local pairs, and byte-identical datasets."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import newstrace
from newstrace.engine.components import Cluster, connected_clusters
from newstrace.engine.dask import DaskEngine
from newstrace.engine.dask_dedup import CLUSTER_RELATIONS, DaskDedup, Keyed, chain_edges
from newstrace.report import to_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def engine() -> DaskEngine:
    with DaskEngine.start(workers=2, memory_limit="1GiB") as started:
        yield started


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], capture_output=True, text=True, cwd=cwd)


def pairs(relations) -> list[dict]:
    return sorted((r.to_dict() for r in relations), key=lambda r: (r["a"], r["b"]))


def test_the_engine_maps_in_input_order_on_its_workers(engine: DaskEngine) -> None:
    assert engine.workers == 2
    assert list(engine.map(abs, range(-40, 0))) == list(range(40, 0, -1))


def test_dedup_on_dask_finds_the_local_pairs(engine: DaskEngine, seeds: Path, tmp_path: Path) -> None:
    inputs = [str(EXAMPLES), str(seeds)]
    local = pairs(newstrace.CopyFinder(workers=0).run(inputs))
    on_dask = pairs(newstrace.CopyFinder(mapper=engine.map, slice_bytes=20_000).run(inputs))  # many slices
    assert local and on_dask == local


def test_analyze_on_dask_gives_the_local_report(engine: DaskEngine, seeds: Path) -> None:
    def report(**options) -> dict:
        data = to_dict(newstrace.analyze([EXAMPLES, seeds], **options))
        data.pop("stats")
        return data

    local = report(workers=1)
    assert report(mapper=engine.map) == local
    assert any(r["relation"] == "paraphrase" for r in local["relations"])


def test_the_cli_runs_dedup_on_a_local_dask_cluster(tmp_path: Path) -> None:
    done = run("dedup", str(EXAMPLES), "--engine", "dask", "--workers", "2", "-o", "dask.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Dask: 2 workers; dashboard http://127.0.0.1:" in done.stderr
    assert run("dedup", str(EXAMPLES), "-o", "local.jsonl", cwd=tmp_path).returncode == 0
    lines = {name: sorted((tmp_path / name).read_text().splitlines()) for name in ("dask.jsonl", "local.jsonl")}
    assert lines["dask.jsonl"] and lines["dask.jsonl"] == lines["local.jsonl"]
    assert [json.loads(line)["relation"] for line in lines["local.jsonl"]]


def test_a_scheduler_without_the_dask_engine_is_one_line_error(tmp_path: Path) -> None:
    done = run("analyze", str(EXAMPLES), "--db", "x.db", "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --scheduler goes with --engine dask"


# -- dedup on the cluster: shuffled candidates, verification on the workers, Parquet datasets --
def local_finder_pairs(inputs: list[str]) -> list[dict]:
    """The local finder's pair records (with passage texts), streamed in many slices."""
    finder = newstrace.CopyFinder(workers=0, slice_bytes=3_000)
    records = [r.to_dict((finder.text(r.a), finder.text(r.b))) for r in finder.run(inputs)]
    return sorted(records, key=lambda r: (r["a"], r["b"]))


def clusters_of(records: list[dict], relations=CLUSTER_RELATIONS) -> set[frozenset[str]]:
    """The connected components of the pairs of ``relations`` (article keys)."""
    groups: dict[str, set[str]] = {}
    for record in records:
        if record["relation"] in relations:
            joined = groups.get(record["a"], {record["a"]}) | groups.get(record["b"], {record["b"]})
            for key in joined:
                groups[key] = joined
    return {frozenset(group) for group in groups.values()}


def test_dedup_on_the_cluster_finds_the_local_pairs_and_clusters(engine: DaskEngine, seeds: Path) -> None:
    inputs = [str(EXAMPLES), str(seeds)]
    local = local_finder_pairs(inputs)
    result = DaskDedup(engine, slice_bytes=8_000, with_texts=True).run(inputs)
    assert result.stats["partitions"] == 3
    assert local and result.pairs == local
    clusters: dict[str, set[str]] = {}
    for row in result.clusters:
        clusters.setdefault(row["cluster"], set()).add(row["article"])
    assert set(map(frozenset, clusters.values())) == clusters_of(local)
    for row in result.clusters:  # labelled by the smallest id, represented by the earliest, then smallest id
        members = [r for r in result.clusters if r["cluster"] == row["cluster"]]
        assert row["cluster"] == min(r["id"] for r in members)
        earliest = min(members, key=lambda r: (r["date"] is None, r["date"] or "", r["id"]))
        assert row["representative"] == earliest["article"]


def dataset_bytes(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def boilerplate_corpus(folder: Path, articles: int) -> Path:
    """``articles`` unrelated texts (random words) that all end with one long promo: it
    fills whole LSH bands, so band buckets hold many of them."""
    rng = random.Random(12)
    vocabulary = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "su", "ta", "vo", "ri") for b in
                  ("bar", "den", "fil", "gos", "hum", "jat", "kel", "lom", "nup", "rov", "sik", "tas")]
    promo = ("Subscribe to the Valley Courier newsletter for the morning headlines. "
             "Our reporters cover the council, the schools and the river every day. "
             "Support local journalism with a digital subscription from two dollars a week. "
             "Send tips and corrections to the newsroom at any hour of the day or night. "
             "Follow the Courier on the radio every weekday morning and on Sunday evenings. "
             "Letters to the editor are welcome and should carry a name and a town. ")

    def sentence() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(12)).capitalize() + "."

    path = folder / "promo.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number in range(articles):
            text = " ".join(sentence() for _ in range(3)) + "\n\n" + promo
            handle.write(json.dumps({"id": f"p{number:03d}", "text": text}) + "\n")
    return path


def test_a_band_bucket_over_the_cap_is_recorded_as_recurring_never_chained(engine: DaskEngine, tmp_path: Path) -> None:
    corpus = boilerplate_corpus(tmp_path, 30)
    result = DaskDedup(engine, max_bucket=10).run([str(corpus)])
    assert result.stats["articles"] == 30 and result.pairs == [] and result.clusters == []
    assert result.recurring and all(row["documents"] > 10 for row in result.recurring)
    assert result.stats["recurring_buckets"] == len(result.recurring)
    assert all(len(row["ids"]) == len(row["articles"]) == 10 for row in result.recurring)
    assert list(newstrace.CopyFinder(workers=0).run([str(corpus)])) == []  # the promo is boilerplate locally too


def test_the_local_finder_counts_boilerplate_over_the_whole_input_whatever_the_slices(tmp_path: Path) -> None:
    """Slices of one or two articles: the first ones alone would take the promo two
    articles share for a copied passage; counted over the whole input it is boilerplate."""
    corpus = str(boilerplate_corpus(tmp_path, 30))
    finder = newstrace.CopyFinder(workers=0, slice_bytes=1_000)
    assert list(finder.run([corpus])) == [] and finder.stats["articles"] == 30


def test_chain_edges_link_a_bucket_in_stable_id_order_and_skip_buckets_over_the_cap() -> None:
    keys = np.array([7] * 4 + [9] * 12, dtype=np.uint64)
    ids = np.array([40, 10, 30, 20] + list(range(100, 112)), dtype=np.uint64)
    numbers = np.array([3, 0, 1, 2] + list(range(4, 16)), dtype=np.int64)
    edges, recurring = chain_edges(Keyed(keys, ids, numbers), max_bucket=10)
    assert edges.tolist() == [[0, 2], [1, 2], [1, 3]]  # ids 10-20-30-40: numbers 0-2-1-3, earlier first
    assert [(r.key, r.documents, r.numbers.tolist()) for r in recurring] == [(9, 12, list(range(4, 14)))]


def test_clusters_are_labelled_by_the_smallest_id_and_represented_by_the_earliest_article() -> None:
    ids = np.array([50, 20, 30, 10, 90], dtype=np.uint64)
    dates = ["2024-01-02", "2024-01-03", None, "2024-01-02", "2024-01-01"]
    found = connected_clusters(np.array([[0, 1], [1, 2], [3, 0]]), ids, dates)
    assert found == [Cluster(label=10, representative=3, members=(3, 1, 2, 0))]


def test_the_cli_writes_dedup_datasets_on_a_dask_cluster(tmp_path: Path) -> None:
    done = run("dedup", str(EXAMPLES), "--engine", "dask", "--workers", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "pairs, 1 clusters" in done.stderr and (tmp_path / "out" / "pairs" / "part-00000.parquet").is_file()
    refused = run("dedup", str(EXAMPLES), "--out", "out", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == ("error: --out goes with --engine dask "
                                      "(the local engine writes DIR/pairs/ with --export)")
