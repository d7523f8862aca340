"""The command line: reports in every format, exit codes, bad inputs, the seeds end to end."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], capture_output=True, text=True, cwd=cwd)


def test_analyze_seeds_json(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "seeds.json"
    done = run("analyze", str(seeds), "--db", str(tmp_path / "s.db"), "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    names = {a["id"]: Path(a["path"]).name[:3] for a in data["articles"]}
    derived = {(names[r["source"]], names[r["a"]] if r["source"] == r["b"] else names[r["b"]]): r["relation"]
               for r in data["relations"] if r["relation"] in ("duplicate", "copy", "partial", "paraphrase")}
    assert derived == {("000", "001"): "copy", ("003", "004"): "paraphrase"}
    copy = next(r for r in data["relations"] if r["relation"] == "copy")
    assert copy["passages"] and all(p["a_text"] and p["b_text"] for p in copy["passages"])
    (story,) = data["stories"]
    assert sorted(names[i] for i in story["independent_ids"]) == ["000", "002", "003"]


def test_analyze_html_report(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = run("analyze", str(seeds), "--db", str(tmp_path / "s.db"), "--format", "html", "-o", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "<svg" in html
    assert "Vostochny" in html


def test_text_report_on_demo(tmp_path: Path) -> None:
    done = run("analyze", str(ROOT / "examples"), "--db", str(tmp_path / "d.db"))
    assert done.returncode == 0, done.stderr
    assert "paraphrase" in done.stdout and "copy" in done.stdout


def test_bad_inputs_are_named_skipped_and_exit_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A tram derailed in Velden on Sunday. Nobody was hurt, the operator said.\n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.txt").write_text("")
    (folder / "broken.json").write_text('{"id": 1, "text": ')
    (folder / "cut.txt.gz").write_bytes(gzip.compress(b"Some text about a tram. " * 200)[:60])
    db = tmp_path / "s.db"
    done = run("analyze", str(folder), "--db", str(db), "-f", "json", "-o", str(tmp_path / "r.json"))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "skipped" in line]
    for name in ("binary.txt", "empty.txt", "broken.json", "cut.txt.gz"):
        assert sum(name in line for line in lines) == 1, (name, done.stderr)
    assert len(json.loads((tmp_path / "r.json").read_text())["articles"]) == 1


def test_bad_input_never_touches_what_is_stored(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir(), bad.mkdir()
    (good / "a.txt").write_text("A tram derailed in Velden on Sunday. Nobody was hurt, the operator said.\n")
    (bad / "b.json").write_text("[not json")
    db = tmp_path / "s.db"
    assert run("analyze", str(good), "--db", str(db)).returncode == 0
    assert run("analyze", str(bad), "--db", str(db)).returncode == 1
    done = run("analyze", str(good), "--db", str(db), "-f", "json")
    assert done.returncode == 0 and len(json.loads(done.stdout)["articles"]) == 1


def test_unreadable_store_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"junk" * 1000)
    (tmp_path / "a.txt").write_text("A tram derailed in Velden on Sunday.\n")
    done = run("analyze", str(tmp_path / "a.txt"), "--db", str(db))
    assert done.returncode == 2 and "junk.db" in done.stderr


def test_compare_json(tmp_path: Path) -> None:
    a = ROOT / "examples" / "corran-flood" / "01_meridian_press.txt"
    b = ROOT / "examples" / "corran-flood" / "02_riverside_blog.html"
    done = run("compare", str(a), str(b), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["relation"] == "copy" and data["source"] == "a"
    assert all(p["a_text"] for p in data["passages"])
