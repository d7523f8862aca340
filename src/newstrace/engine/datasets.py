"""Partitioned Parquet datasets whose bytes depend only on their rows.

A dataset is a folder of ``part-NNNNN.parquet`` files, as pandas, Polars, DuckDB and
Spark open them. Each row goes to the file its key hashes to (BLAKE2b, never Python's
``hash()``) among a fixed number of files, every file is written (empty ones too) with its
rows sorted and with fixed writer settings, so the same rows give byte-identical files
however they were computed (number of workers, of partitions, order of arrival). The
files are written into a temporary folder that replaces the dataset when complete: an
interrupted write leaves the previous dataset, or none, never half of one.

Column kinds are those of :mod:`newstrace.report.tables` (``str``, ``int``, ``float``,
``bool``, ``strs``, ``floats``, ``passages``), so a ``pairs`` dataset has the schema of
the local engine's ``--export`` relations table.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from newstrace.report.tables import SCHEMAS, arrow_type, parquet_cell

Row = dict[str, Any]

#: Files per dataset unless told otherwise: a fixed number, so the layout never depends on
#: the cluster.
FILES = 8
#: Rows per row group: fixed, so a file's layout depends only on its rows.
ROW_GROUP_ROWS = 65_536
#: The ``pairs`` dataset: the fields of ``dedup``'s pair records (the relations table).
PAIR_COLUMNS: dict[str, str] = dict(SCHEMAS["relations"])


def file_of(key: str, files: int) -> int:
    """The file (``0 .. files-1``) a row with this key goes to: stable across runs,
    processes and machines."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % files


def write_dataset(rows: Iterable[Row], folder: str | os.PathLike[str], columns: Mapping[str, str], *,
                  key: Callable[[Row], str], order: Callable[[Row], Any], files: int = FILES) -> list[Path]:
    """Write ``rows`` as ``folder/part-00000.parquet`` … ``part-{files-1}``: each row in the
    file its ``key`` hashes to, each file's rows sorted by ``order``. Replaces ``folder``."""
    folder = Path(folder)
    buckets: list[list[Row]] = [[] for _ in range(files)]
    for row in rows:
        buckets[file_of(key(row), files)].append(row)
    temporary = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    names = [f"part-{number:05d}.parquet" for number in range(files)]
    for name, bucket in zip(names, buckets):
        write_parquet(sorted(bucket, key=order), columns, temporary / name)
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(temporary, folder)
    return [folder / name for name in names]


def write_parquet(rows: list[Row], columns: Mapping[str, str], path: Path) -> None:
    """One Parquet file of ``rows`` (in this order) with fixed writer settings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, arrow_type(kind)) for name, kind in columns.items()])
    cells = [{name: parquet_cell(row.get(name), kind) for name, kind in columns.items()} for row in rows]
    table = pa.Table.from_pylist(cells, schema=schema)
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, version="2.6", compression="zstd",
                   compression_level=3, use_dictionary=True, write_statistics=True,
                   data_page_version="1.0", store_schema=True)
