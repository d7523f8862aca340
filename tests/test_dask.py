"""The Dask engine: the same stages on a real Dask LocalCluster give the local engine's answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import newstrace
from newstrace.engine.dask import DaskEngine
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
