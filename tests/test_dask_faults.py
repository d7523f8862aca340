"""Faults on a real LocalCluster: a worker killed in the middle of the key shuffle, and a
client killed in the middle of a stage, still end with the files of an unbroken run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import pytest

import newstrace.engine.dask_dedup as dask_dedup
from newstrace.engine.dask import DaskEngine
from newstrace.engine.dask_dedup import DaskDedup

from test_dask import EXAMPLES, dataset_bytes

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this module


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in dataset_bytes(folder).items() if not name.startswith("state/")}


def kill_the_worker_once(name: str, marker: str) -> None:
    """On a worker: replace ``dask_dedup.name`` by a function that, the first time any
    worker runs it (``marker`` absent), exits that worker's process at once."""
    original = getattr(dask_dedup, name)

    def killing(*args, **kwargs):
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)
        return original(*args, **kwargs)

    setattr(dask_dedup, name, killing)


def test_a_worker_killed_in_the_shuffle_is_replaced_and_the_run_ends_with_the_same_files(
        seeds: Path, tmp_path: Path) -> None:
    inputs = [str(EXAMPLES), str(seeds)]
    marker = tmp_path / "killed"
    with DaskEngine.start(workers=2, memory_limit="1GiB") as engine:
        DaskDedup(engine, slice_bytes=8_000).update(inputs, tmp_path / "unbroken")
        engine.client.run(kill_the_worker_once, "band_changes", str(marker))
        DaskDedup(engine, slice_bytes=8_000).update(inputs, tmp_path / "broken")
        assert marker.exists()  # a worker died in a band bucket task, and the task ran again
    assert outputs(tmp_path / "broken") == outputs(tmp_path / "unbroken")


def cli(*args: str) -> list[str]:
    """``newstrace dedup ARGS --engine dask --workers 1`` (a cluster of its own, started by the process)."""
    return [sys.executable, "-m", "newstrace", "dedup", *args, "--engine", "dask", "--workers", "1"]


def test_a_run_again_after_the_client_was_killed_mid_stage_ends_with_the_same_files(
        seeds: Path, tmp_path: Path) -> None:
    first = subprocess.run(cli(str(EXAMPLES), "--out", "out"), cwd=tmp_path, capture_output=True)
    assert first.returncode == 0, first.stderr
    partial = tmp_path / "out" / "state" / ".g00001.partial"
    running = subprocess.Popen(cli(str(seeds), "--out", "out"), cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while not partial.exists() and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(running.pid, signal.SIGKILL)  # the client and the cluster it started, mid-stage
    running.wait()
    assert partial.exists(), "the run ended before its new generation was begun"
    again = subprocess.run(cli(str(seeds), "--out", "out"), cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not partial.exists()
    with DaskEngine.start(workers=1, memory_limit="1GiB") as engine:
        DaskDedup(engine).update([str(EXAMPLES), str(seeds)], tmp_path / "unbroken")
    assert outputs(tmp_path / "out") == outputs(tmp_path / "unbroken")
