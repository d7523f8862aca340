"""``dedup --engine dask --out DIR`` run again with new inputs adds them through the saved
keys, and leaves the files a one-shot run over all inputs writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace.engine.dask import DaskEngine
from newstrace.engine.dask_dedup import DaskDedup
from newstrace.engine.dedup_state import SettingsMismatch

from test_dask import EXAMPLES, boilerplate_corpus, dataset_bytes


@pytest.fixture(scope="module")
def engine() -> DaskEngine:
    with DaskEngine.start(workers=2, memory_limit="1GiB") as started:
        yield started


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in dataset_bytes(folder).items() if not name.startswith("state/")}


def split_jsonl(path: Path, at: int) -> tuple[Path, Path]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = path.with_name("first.jsonl"), path.with_name("second.jsonl")
    first.write_text("".join(lines[:at]), encoding="utf-8")
    second.write_text("".join(lines[at:]), encoding="utf-8")
    return first, second


def test_a_second_run_adds_new_inputs_and_equals_a_one_shot_run(engine: DaskEngine, seeds: Path,
                                                                  tmp_path: Path) -> None:
    one_shot = DaskDedup(engine, slice_bytes=8_000).update([str(EXAMPLES), str(seeds)], tmp_path / "once")
    first = DaskDedup(engine, slice_bytes=8_000).update([str(EXAMPLES)], tmp_path / "twice")
    second = DaskDedup(engine, slice_bytes=8_000)
    result = second.update([str(seeds)], tmp_path / "twice")
    assert first.stats["articles"] < result.stats["articles"] == one_shot.stats["articles"]
    assert second.stats["new_articles"] == result.stats["articles"] - first.stats["articles"]
    assert result.pairs == one_shot.pairs and len(result.pairs) > len(first.pairs)
    assert outputs(tmp_path / "twice") == outputs(tmp_path / "once")
    again = DaskDedup(engine).update([str(EXAMPLES), str(seeds)], tmp_path / "twice")  # nothing new: same files
    assert again.stats["new_articles"] == 0 and outputs(tmp_path / "twice") == outputs(tmp_path / "once")


def test_new_carriers_of_a_promo_make_it_boilerplate_and_drop_the_old_pair(engine: DaskEngine,
                                                                           tmp_path: Path) -> None:
    first, second = split_jsonl(boilerplate_corpus(tmp_path, 30), 2)
    alone = DaskDedup(engine, max_bucket=10).update([str(first)], tmp_path / "twice")
    assert [(p["a"], p["b"]) for p in alone.pairs] == [("p000", "p001")]  # two carriers: shared text
    run = DaskDedup(engine, max_bucket=10)
    both = run.update([str(second)], tmp_path / "twice")
    assert both.pairs == [] and run.stats["reverified"] == 1 and both.recurring
    DaskDedup(engine, max_bucket=10).update([str(first), str(second)], tmp_path / "once")
    assert outputs(tmp_path / "twice") == outputs(tmp_path / "once")


def test_a_state_kept_with_other_settings_is_refused(engine: DaskEngine, tmp_path: Path) -> None:
    DaskDedup(engine).update([str(EXAMPLES)], tmp_path / "out")
    with pytest.raises(SettingsMismatch):
        DaskDedup(engine, with_texts=True).update([str(EXAMPLES)], tmp_path / "out")
