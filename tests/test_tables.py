"""Parquet in, tables out: articles read from Parquet datasets, reports exported as Parquet/CSV."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import newstrace
from newstrace.ingest.readers import iter_articles, plan_slices, read_slice

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """The demo corpus as records with their own ids, outlets and dates."""
    articles = newstrace.load_many([EXAMPLES]).articles
    return [{"id": f"r{n}", "text": a.text, "title": a.title, "outlet": a.outlet, "date": a.date}
            for n, a in enumerate(articles)]


def _write_jsonl(records: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _verdicts(report: newstrace.Report) -> set[tuple[str, str, str, str | None]]:
    """Relations named by the records' own ids (pair sorted), with kind and source."""
    by_id = {a.id: a.external_id for a in report.articles}
    verdicts = set()
    for r in report.relations:
        a, b = sorted((by_id[r.a], by_id[r.b]))
        verdicts.add((a, b, r.relation, by_id.get(r.source)))
    return verdicts


def test_a_parquet_dataset_gives_the_same_report_as_the_same_records_in_json_lines(
        tmp_path: Path, records: list[dict]) -> None:
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    renamed = [{"id": r["id"], "body": r["text"], "headline": r["title"], "source": r["outlet"],
                "published": r["date"]} for r in records]
    half = len(renamed) // 2
    pq.write_table(pa.Table.from_pylist(renamed[:half]), dataset / "part-0.parquet", row_group_size=2)
    pq.write_table(pa.Table.from_pylist(renamed[half:]), dataset / "part-1.parquet")

    from_parquet = newstrace.analyze([dataset])
    from_jsonl = newstrace.analyze([_write_jsonl(records, tmp_path / "records.jsonl")])

    assert sorted(a.external_id for a in from_parquet.articles) == sorted(r["id"] for r in records)
    assert {a.external_id: (a.title, a.outlet, a.date) for a in from_parquet.articles} == \
           {a.external_id: (a.title, a.outlet, a.date) for a in from_jsonl.articles}
    assert _verdicts(from_parquet) == _verdicts(from_jsonl)
    assert any(kind == "copy" for _, _, kind, _ in _verdicts(from_parquet))


def test_parquet_slices_follow_row_groups_and_read_every_row_once(tmp_path: Path) -> None:
    rows = [{"text": f"Report {n}: the council voted {n} to 3 on the harbour plan.", "n": n} for n in range(40)]
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=8)

    slices = list(plan_slices([path], slice_bytes=200))
    assert [s.row_groups for s in slices] == [(0,), (1,), (2,), (3,), (4,)]
    sliced = [a for s in slices for a in read_slice(s)]
    whole = list(iter_articles([path]))
    assert [a.id for a in sliced] == [a.id for a in whole]
    assert [a.meta["n"] for a in whole] == list(range(40))
    assert len({a.id for a in whole}) == 40  # each row its own publication (file and row number)


def test_bad_parquet_rows_and_files_are_named_and_skipped(tmp_path: Path) -> None:
    pq.write_table(pa.Table.from_pylist([{"text": "The ferry ran late on Tuesday, the operator said."},
                                         {"text": None}]), tmp_path / "one-bad-row.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    pq.write_table(pa.table({"views": [3]}), tmp_path / "no-text.parquet")

    skipped: list[newstrace.InputError] = []
    articles = list(iter_articles([tmp_path], on_skip=skipped.append))

    assert len(articles) == 1
    reasons = {Path(e.path).name: e.reason for e in skipped}
    assert reasons["one-bad-row.parquet:2"] == "record has no text, html or title"
    assert reasons["broken.parquet"].startswith("not a readable Parquet file")
    assert reasons["no-text.parquet"].startswith("no text column in the header (columns: views)")


def test_analyze_exports_its_report_as_parquet_tables_byte_identical_on_a_rerun(tmp_path: Path) -> None:
    done = run("analyze", str(EXAMPLES), "--db", "demo.db", "--format", "json", "-o", "report.json",
               "--export", "tables", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())

    relations = pq.read_table(tmp_path / "tables" / "relations").to_pylist()
    assert [(r["a"], r["b"], r["relation"], r["source"]) for r in relations] == sorted(
        (r["a"], r["b"], r["relation"], r["source"]) for r in report["relations"])
    texts = {a["id"]: a["text"] for a in pq.read_table(tmp_path / "tables" / "articles").to_pylist()}
    assert texts == {a["id"]: a["text"] for a in report["articles"]}
    for relation in relations:  # passages carry offsets into both texts, and those texts
        for p in relation["passages"]:
            assert texts[relation["a"]][p["a_start"]:p["a_end"]] == p["a_text"]
            assert texts[relation["b"]][p["b_start"]:p["b_end"]] == p["b_text"]

    members = pq.read_table(tmp_path / "tables" / "story_articles").to_pylist()
    assert sorted(m["article_id"] for m in members) == sorted(texts)  # each article in one story
    for story in report["stories"]:
        independent = {m["article_id"] for m in members if m["story_id"] == story["id"] and m["independent"]}
        assert independent == set(story["independent_ids"])

    first = {p.relative_to(tmp_path / "tables"): p.read_bytes() for p in (tmp_path / "tables").rglob("*.parquet")}
    assert run("analyze", str(EXAMPLES), "--db", "demo.db", "--export", "again", cwd=tmp_path).returncode == 0
    again = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*.parquet")}
    assert len(first) == 5 and first == again
    assert not list((tmp_path / "tables").rglob("*.partial"))


def test_csv_export_holds_lists_and_passages_as_json(tmp_path: Path) -> None:
    done = run("analyze", str(EXAMPLES), "--db", "demo.db", "--export", "csv", "--export-format", "csv",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with (tmp_path / "csv" / "relations" / "part-00000.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    copies = [r for r in rows if r["relation"] == "copy"]
    assert copies and all(json.loads(r["passages"]) for r in copies)
    assert all(isinstance(json.loads(r["signals"]), dict) for r in rows)


def test_dedup_exports_the_pairs_it_streams(tmp_path: Path) -> None:
    done = run("dedup", str(EXAMPLES), "-o", "pairs.jsonl", "--export", "out", "--workers", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    streamed = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    table = pq.read_table(tmp_path / "out" / "pairs").to_pylist()
    assert streamed and [(r["a"], r["b"], r["relation"]) for r in table] == sorted(
        (r["a"], r["b"], r["relation"]) for r in streamed)


def test_an_export_folder_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    done = run("analyze", str(EXAMPLES), "--db", "x.db", "--export", "taken", cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1
    assert lines[0] == "error: cannot export tables to taken: it is a file (give a folder with --export)"
    assert not (tmp_path / "x.db").exists()


def _warc(path: Path, pages: list[tuple[str, str, bytes]]) -> Path:
    """A gzipped web archive holding, for each (url, content type, body), a request and its
    200 response, plus a 404 page that must be passed over."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, content_type, body in pages + [("https://example.org/gone", "text/html", b"<p>Not found</p>")]:
            status = "404 Not Found" if url.endswith("/gone") else "200 OK"
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "request", payload=BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            writer.write_record(writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"}))
    return path


def test_a_web_archive_gives_its_html_pages_with_their_urls(tmp_path: Path) -> None:
    page = (EXAMPLES / "corran-flood" / "02_riverside_blog.html").read_bytes()
    _warc(tmp_path / "crawl.warc.gz", [
        ("https://blog.example.net/flood", "text/html; charset=utf-8", page),
        ("https://blog.example.net/logo.png", "image/png", b"\x89PNG\r\n"),
        ("https://blog.example.net/empty", "text/html", b"<html><head><title>x</title></head><body></body></html>"),
    ])
    skipped: list[newstrace.InputError] = []
    articles = list(iter_articles([tmp_path], on_skip=skipped.append))

    from_file = newstrace.load(EXAMPLES / "corran-flood" / "02_riverside_blog.html")
    assert [a.url for a in articles] == ["https://blog.example.net/flood"]
    assert articles[0].text == from_file.text and articles[0].key == "url:https://blog.example.net/flood"
    assert [(Path(e.path).name, e.reason) for e in skipped] == [
        ("crawl.warc.gz:6", "no article text found in the HTML (https://blog.example.net/empty)")]

    (tmp_path / "notes.warc").write_bytes(b"these are my crawl notes, not an archive\n")
    skipped.clear()
    assert list(iter_articles([tmp_path / "notes.warc"], on_skip=skipped.append)) == []
    assert len(skipped) == 1 and skipped[0].reason.startswith("not a readable WARC file")


def test_a_web_archive_without_html_pages_says_so(tmp_path: Path) -> None:
    _warc(tmp_path / "images.warc", [("https://example.org/a.png", "image/png", b"\x89PNG\r\n")])
    skipped: list[newstrace.InputError] = []
    assert list(iter_articles([tmp_path / "images.warc"], on_skip=skipped.append)) == []
    assert [e.reason for e in skipped] == ["no HTML pages among its 4 WARC records"]
