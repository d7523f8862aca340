"""``--encoder minilm|static``: the choice runs through the public API and the command line with
the real models, is recorded in the store, and a store never mixes two encoders' vectors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import newstrace
from newstrace.cli import app
from newstrace.engine.local import EncoderMismatch
from newstrace.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _summary(report: newstrace.Report) -> tuple[list[tuple[str, str, str]], list[tuple[int, int]]]:
    """The relations (kind and ids) and the stories (sizes) of a report."""
    relations = sorted((r.relation, r.a, r.b) for r in report.relations)
    stories = sorted((len(s.article_ids), len(s.independent_ids)) for s in report.stories)
    return relations, stories


@pytest.fixture(scope="module")
def static_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, newstrace.Report]:
    db = tmp_path_factory.mktemp("static") / "demo.db"
    return db, newstrace.analyze([EXAMPLES], db=db, encoder="static")


def test_static_finds_the_demo_copies_rewrite_and_stories_as_minilm_does(static_store, tmp_path):
    _, static = static_store
    minilm = newstrace.analyze([EXAMPLES], db=tmp_path / "minilm.db")
    assert static.stats["encoder"] == "static" and minilm.stats["encoder"] == "minilm"
    assert _summary(static) == _summary(minilm)
    assert {r.relation for r in static.relations} >= {"duplicate", "copy", "paraphrase"}


def test_static_vectors_are_stored_under_their_own_kinds(static_store):
    db, _ = static_store
    with Store(db) as store:
        assert len(store.get_arrays("lead-static")) == len(store) == 6
        assert store.get_arrays("sentence-static-f16")
        assert not store.get_arrays("lead") and not store.get_arrays("sentence-minilm-f16")


def test_a_later_run_uses_the_stores_encoder_and_refuses_another(static_store):
    db, first = static_store
    again = newstrace.analyze([EXAMPLES], db=db)
    assert again.stats["encoder"] == "static" and again.stats["articles_new"] == 0
    assert _summary(again) == _summary(first)
    with pytest.raises(EncoderMismatch, match="vectors of the static encoder, not minilm"):
        newstrace.analyze([EXAMPLES], db=db, encoder="minilm")


def test_a_minilm_store_refuses_static_until_fresh(tmp_path):
    db = tmp_path / "demo.db"
    newstrace.analyze([EXAMPLES], db=db)
    with pytest.raises(EncoderMismatch, match="--encoder minilm, or add --fresh"):
        newstrace.analyze([EXAMPLES], db=db, encoder="static")
    assert newstrace.analyze([EXAMPLES], db=db, encoder="static", fresh=True).stats["encoder"] == "static"


def test_an_unknown_encoder_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="unknown encoder 'glove'"):
        newstrace.analyze([EXAMPLES], db=tmp_path / "demo.db", encoder="glove")


def test_cli_encoder_option_and_its_refusal(tmp_path):
    runner = CliRunner()
    db, out = tmp_path / "demo.db", tmp_path / "report.json"
    done = runner.invoke(app, ["digest", str(EXAMPLES), "--db", str(db), "--encoder", "static", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert '"encoder": "static"' in out.read_text()
    refused = runner.invoke(app, ["analyze", str(EXAMPLES), "--db", str(db), "--encoder", "minilm"])
    assert refused.exit_code == 2
    assert "holds vectors of the static encoder, not minilm" in refused.output
    assert runner.invoke(app, ["analyze", str(EXAMPLES), "--db", str(db), "--encoder", "bert"]).exit_code == 2
