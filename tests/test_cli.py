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
    out = " ".join(done.stdout.split())  # undo the terminal's line wrapping
    assert "copy of 01_meridian_press.txt → 02_riverside_blog.html" in out
    assert "paraphrase of 03_valley_courier.json → 04_spun_copy.txt" in out
    assert "● independent 01_meridian_press.txt Meridian Press · 2025-03-04" in out
    assert "direction confidence" in out and " confidence" not in out.replace("direction confidence", "")


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


# --- errors a user meets first: one line naming the path and the fix, exit 2, nothing created ---

ARTICLE = "A tram derailed in Velden on Sunday. Nobody was hurt, the operator said.\n"


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, (done.returncode, done.stderr)
    assert lines[0].startswith("error: ") and "Traceback" not in done.stderr
    return lines[0]


def test_a_missing_path_is_nothing_to_analyse_and_creates_no_store(tmp_path: Path) -> None:
    line = _one_error_line(run("analyze", "no-such-folder", "--db", "x.db", cwd=tmp_path))
    assert "nothing to analyse: no-such-folder does not exist" in line
    assert not (tmp_path / "x.db").exists()


def test_an_empty_folder_is_nothing_to_analyse(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    line = _one_error_line(run("analyze", "empty", "--db", "x.db", cwd=tmp_path))
    assert "nothing to analyse: empty holds no articles" in line
    assert not (tmp_path / "x.db").exists()


def test_a_missing_output_folder_is_refused_before_the_work(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    line = _one_error_line(run("analyze", "a.txt", "--db", "x.db", "-o", "no-such-folder/report.html",
                               cwd=tmp_path))
    assert "no-such-folder/report.html" in line and "folder no-such-folder does not exist" in line
    assert "-o" in line
    assert not (tmp_path / "x.db").exists()  # refused before anything was stored


def test_a_missing_store_folder_is_refused_before_the_work(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    line = _one_error_line(run("analyze", "a.txt", "--db", "missing-folder/x.db", cwd=tmp_path))
    assert "missing-folder/x.db" in line and "--db" in line


def test_the_output_extension_picks_the_format(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    done = run("analyze", "a.txt", "--db", "x.db", "-o", "guess.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "guess.html").read_text().lstrip().lower().startswith("<!doctype html")
    done = run("analyze", "a.txt", "--db", "x.db", "-o", "guess.json", cwd=tmp_path)
    assert json.loads((tmp_path / "guess.json").read_text())["articles"][0]["text"] == ARTICLE.strip()
    done = run("analyze", "a.txt", "--db", "x.db", "-o", "asked.html", "--format", "md", cwd=tmp_path)
    assert (tmp_path / "asked.html").read_text().startswith("# newstrace report")


def test_a_csv_is_read_row_by_row_through_its_header(tmp_path: Path) -> None:
    (tmp_path / "articles.csv").write_text(
        "id,headline,body,source\n"
        f'1,Tram derails in Velden,"{ARTICLE.strip()}",Velden Post\n'
        '2,Fair opens,"The Lindell autumn fair opened on Saturday, with a record number of stalls.",Herald\n')
    done = run("analyze", "articles.csv", "--db", "x.db", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    articles = {a["external_id"]: a for a in json.loads(done.stdout)["articles"]}
    assert articles["1"]["title"] == "Tram derails in Velden" and articles["1"]["outlet"] == "Velden Post"
    assert articles["1"]["text"] == ARTICLE.strip() and articles["2"]["title"] == "Fair opens"


def test_a_csv_without_a_text_column_is_named_with_its_columns(tmp_path: Path) -> None:
    (tmp_path / "links.csv").write_text("id,headline,link\n1,Tram derails,https://example.org/a\n")
    done = run("analyze", "links.csv", "--db", "x.db", cwd=tmp_path)
    assert done.returncode == 2  # nothing could be read
    (line,) = [line for line in done.stderr.splitlines() if "links.csv" in line]
    assert "no text column" in line and "id, headline, link" in line


def test_a_stray_file_in_a_folder_is_skipped_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "notes.md").write_text("# my notes\n\nRemember to check the tram story.\n")
    done = run("analyze", "in", "--db", "x.db", "-f", "json", cwd=tmp_path)
    assert done.returncode == 1
    (line,) = [line for line in done.stderr.splitlines() if "notes.md" in line]
    assert "skipped" in line and "not an article format (.md)" in line
    assert [a["path"] for a in json.loads(done.stdout)["articles"]] == ["in/a.txt"]


def test_version_and_help_read_like_prose() -> None:
    from newstrace import __version__

    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"newstrace {__version__}"
    for command in ([], ["analyze"], ["digest"], ["dedup"], ["compare"], ["remove"]):
        page = run(*command, "--help").stdout
        assert "Usage:" in page and "<" not in page and "{" not in page and "list[" not in page, page
    assert "ARTICLES..." in run("analyze", "--help").stdout
