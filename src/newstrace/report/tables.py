"""A report as tables for data tools: Parquet or CSV files that pandas, Polars or DuckDB open.

Each table is a folder holding ``part-00000.parquet`` (or ``.csv``), the layout of a
partitioned dataset, so a reader opens the folder whatever the number of parts:

* ``articles/``: one row an article (id, label, key, url, title, outlet, date, byline,
  credits, path, text, removed boilerplate, other input fields as JSON);
* ``relations/``: one row a relation, the fields of the JSON report's relation records
  (``a``, ``b``, ``relation``, ``source``, scores, ``reasons``, ``signals``, ``passages``
  with character offsets into both texts);
* ``stories/``: one row a story (its counts, dates, outlets, member and independent ids);
* ``story_articles/``: one row a story member: whether it is an independent report and,
  if derived, its root, the article it was made from and how;
* ``boilerplate/``: recurring text and its document frequency.

Rows are sorted by their ids, so the same report always gives byte-identical files. CSV
cells holding lists or mappings are JSON. Files are written under a temporary name and
renamed when complete: an interrupted export leaves no half-written table.

>>> export_tables(report, "out/", format="parquet")            # doctest: +SKIP
>>> duckdb.sql("select relation, count(*) from 'out/relations/*.parquet' group by 1")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from newstrace.model import Relation, Report

TableFormat = Literal["parquet", "csv"]
TABLE_FORMATS: tuple[str, ...] = ("parquet", "csv")
PART = "part-00000"

__all__ = ["SCHEMAS", "TABLE_FORMATS", "TableFormat", "arrow_type", "export_tables", "parquet_cell",
           "relation_rows", "write_table"]


def export_tables(report: Report, directory: str | os.PathLike[str], *,
                  format: TableFormat = "parquet") -> list[Path]:
    """Write the report's tables under ``directory`` (made if missing); return the files."""
    tables = {
        "articles": _article_rows(report),
        "relations": relation_rows(report.relations, {a.id: a.text for a in report.articles}),
        "stories": _story_rows(report),
        "story_articles": _member_rows(report),
        "boilerplate": _boilerplate_rows(report),
    }
    return [write_table(rows, Path(directory) / name, name, format=format) for name, rows in tables.items()]


def relation_rows(relations: Iterable[Relation],
                  texts: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The relations as table rows (their JSON records, :meth:`Relation.to_dict`), sorted by
    pair; with ``texts`` (id -> text), each passage carries its text on both sides."""
    rows = [r.to_dict((texts.get(r.a, ""), texts.get(r.b, "")) if texts is not None else None)
            for r in relations]
    return sorted(rows, key=lambda row: (row["a"], row["b"]))


def write_table(rows: Sequence[dict[str, Any]], folder: Path, name: str, *,
                format: TableFormat = "parquet") -> Path:
    """Write ``rows`` as ``folder/part-00000.<format>`` with the schema of table ``name``
    (see :data:`SCHEMAS`), through a temporary file renamed when complete."""
    if format not in TABLE_FORMATS:
        raise ValueError(f"unknown table format {format!r}; choose one of {', '.join(TABLE_FORMATS)}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PART}.{format}"
    partial = folder / f".{PART}.{format}.partial"
    columns = _schema(name)
    if format == "parquet":
        _write_parquet(rows, columns, partial)
    else:
        _write_csv(rows, columns, partial)
    os.replace(partial, path)
    return path


def _article_rows(report: Report) -> list[dict[str, Any]]:
    rows = [{
        "id": a.id, "label": a.label, "key": a.key, "external_id": a.external_id, "url": a.url,
        "title": a.title, "outlet": a.outlet, "date": a.date, "byline": a.byline, "credits": a.credits,
        "path": a.path, "supersedes": a.supersedes, "text": a.text, "boilerplate": a.boilerplate,
        "meta": json.dumps(a.meta, ensure_ascii=False, sort_keys=True, default=str),
    } for a in report.articles]
    return sorted(rows, key=lambda row: row["id"])


def _story_rows(report: Report) -> list[dict[str, Any]]:
    rows = [{
        "id": s.id, "title": s.title, "articles": len(s.article_ids), "independent": len(s.independent_ids),
        "first_date": s.first_date, "last_date": s.last_date, "outlets": sorted(s.outlets),
        "article_ids": sorted(s.article_ids), "independent_ids": sorted(s.independent_ids),
    } for s in report.stories]
    return sorted(rows, key=lambda row: row["id"])


def _member_rows(report: Report) -> list[dict[str, Any]]:
    rows = []
    for story in report.stories:
        derived = {d.article_id: d for d in story.derived}
        for article_id in story.article_ids:
            d = derived.get(article_id)
            rows.append({"story_id": story.id, "article_id": article_id,
                         "independent": article_id in story.independent_ids,
                         "root_id": d.root_id if d else None, "parent_id": d.parent_id if d else None,
                         "relation": d.relation if d else None})
    return sorted(rows, key=lambda row: (row["story_id"], row["article_id"]))


def _boilerplate_rows(report: Report) -> list[dict[str, Any]]:
    rows = [{"text": b.text, "document_frequency": b.document_frequency,
             "outlets": json.dumps(b.outlets, ensure_ascii=False, sort_keys=True),
             "article_ids": list(b.article_ids)} for b in report.boilerplate]
    return sorted(rows, key=lambda row: (-row["document_frequency"], row["text"]))


#: Column types of each table: "str", "int", "float", "bool", "strs" (a list of strings),
#: "floats" (string -> float mapping) or "passages" (a list of passage records).
SCHEMAS: dict[str, dict[str, str]] = {
    "articles": {"id": "str", "label": "str", "key": "str", "external_id": "str", "url": "str",
                 "title": "str", "outlet": "str", "date": "str", "byline": "str", "credits": "strs",
                 "path": "str", "supersedes": "str", "text": "str", "boilerplate": "strs", "meta": "str"},
    "relations": {"a": "str", "b": "str", "relation": "str", "source": "str", "score": "float",
                  "jaccard": "float", "containment_a": "float", "containment_b": "float",
                  "confidence": "float", "reasons": "strs", "signals": "floats", "passages": "passages"},
    "stories": {"id": "str", "title": "str", "articles": "int", "independent": "int", "first_date": "str",
                "last_date": "str", "outlets": "strs", "article_ids": "strs", "independent_ids": "strs"},
    "story_articles": {"story_id": "str", "article_id": "str", "independent": "bool", "root_id": "str",
                       "parent_id": "str", "relation": "str"},
    "boilerplate": {"text": "str", "document_frequency": "int", "outlets": "str", "article_ids": "strs"},
}
_PASSAGE_FIELDS = {"a_start": "int", "a_end": "int", "b_start": "int", "b_end": "int",
                   "similarity": "float", "kind": "str", "a_text": "str", "b_text": "str"}


def _schema(name: str) -> dict[str, str]:
    try:
        return SCHEMAS[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}; tables: {', '.join(SCHEMAS)}") from None


def arrow_type(kind: str) -> Any:
    """The Arrow type of a column kind of :data:`SCHEMAS`."""
    import pyarrow as pa

    scalar = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    if kind in scalar:
        return scalar[kind]
    if kind == "strs":
        return pa.list_(pa.string())
    if kind == "floats":
        return pa.map_(pa.string(), pa.float64())
    return pa.list_(pa.struct([(field, scalar[k]) for field, k in _PASSAGE_FIELDS.items()]))


def _write_parquet(rows: Sequence[dict[str, Any]], columns: dict[str, str], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, arrow_type(kind)) for name, kind in columns.items()])
    prepared = [{name: parquet_cell(row.get(name), kind) for name, kind in columns.items()} for row in rows]
    table = pa.Table.from_pylist(prepared, schema=schema)
    pq.write_table(table, path, compression="zstd")


def parquet_cell(value: Any, kind: str) -> Any:
    """A row's value as Arrow takes it for a column of ``kind`` (a ``floats`` mapping as sorted items)."""
    if kind == "floats" and value is not None:
        return sorted((str(k), float(v)) for k, v in value.items())
    return value


def _write_csv(rows: Sequence[dict[str, Any]], columns: dict[str, str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(name), kind) for name, kind in columns.items()])


def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind in ("strs", "floats", "passages"):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if kind == "bool":
        return "true" if value else "false"
    return value
