"""The ``newstrace`` command line: a thin layer over the public API.

Exit codes: 0 when every input was read, 1 when some inputs were skipped (each named on
standard error), 2 on a usage error or when nothing could be done (an unreadable store).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import newstrace
from newstrace.model import InputError, Relation, Report
from newstrace.store import DEFAULT_DB, StoreError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Which news articles are the same story, who copied whom, how many independent reports there are.",
    epilog="Exit codes: 0 all inputs read; 1 some inputs skipped (named on stderr); 2 error.",
)
err = Console(stderr=True, highlight=False)

EXIT_SKIPPED = 1
EXIT_FAILED = 2


class Format(str, Enum):
    text = "text"
    json = "json"
    md = "md"
    html = "html"


def _progress_bar() -> tuple[Progress, callable]:
    bar = Progress(
        TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    )
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    return bar, update


def _report_skips(skipped: list[InputError]) -> None:
    for skip in skipped:
        err.print(f"[yellow]skipped[/] {skip}", markup=True, soft_wrap=True)


def _emit(report: Report, output: Optional[Path], fmt: Format) -> None:
    from newstrace.report import write_report

    write_report(report, output, fmt.value)
    if output is not None:
        err.print(f"wrote {output}")


def _run(command, paths: list[Path], db: Path, output: Optional[Path], fmt: Format,
         batch: int) -> None:
    bar, update = _progress_bar()
    try:
        with bar:
            report = command([str(p) for p in paths], db=str(db), progress=update, batch_size=batch)
    except StoreError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_FAILED) from exc
    _report_skips(report.skipped)
    _emit(report, output, fmt)
    if report.skipped:
        raise typer.Exit(EXIT_SKIPPED)


PathsArg = typer.Argument(..., help="Files or folders of articles (.txt, .html, .json, .jsonl, optionally .gz).")
DbOpt = typer.Option(Path(DEFAULT_DB), "--db", help="SQLite store; results persist between runs.")
OutOpt = typer.Option(None, "-o", "--output", help="Write the report here instead of standard output.")
FormatOpt = typer.Option(Format.text, "--format", "-f", help="Report format.")
BatchOpt = typer.Option(2000, "--batch", min=1, help="Articles stored per transaction while reading.")


@app.command()
def analyze(paths: list[Path] = PathsArg, db: Path = DbOpt, output: Optional[Path] = OutOpt,
            format: Format = FormatOpt, batch: int = BatchOpt) -> None:
    """Find copies, rewrites, stories and independent reports in a collection."""
    _run(newstrace.analyze, paths, db, output, format, batch)


@app.command()
def digest(paths: list[Path] = PathsArg, db: Path = DbOpt, output: Optional[Path] = OutOpt,
           format: Format = FormatOpt, batch: int = BatchOpt) -> None:
    """Per story: corroborated claims, who said what, timeline, single-source claims, conflicts."""
    _run(newstrace.digest, paths, db, output, format, batch)


@app.command()
def dedup(
    paths: list[Path] = PathsArg,
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="Write the pairs here (JSON Lines) instead of standard output."),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=0,
        help="Processes that read and fingerprint (default: one per CPU; 0: none, all in this one)."),
    texts: bool = typer.Option(
        False, "--texts", help="Add each passage's text on both sides (a_text, b_text)."),
) -> None:
    """Near copies (duplicate, copy, partial) across a large collection, streamed, nothing
    stored: one JSON object per pair, with scores and aligned passages."""
    skipped: list[InputError] = []
    finder = newstrace.CopyFinder(workers=workers, on_skip=skipped.append)
    bar, update = _progress_bar()
    finder.progress = update
    stream = output.open("w", encoding="utf-8") if output is not None else sys.stdout
    try:
        with bar:
            for relation in finder.run([str(p) for p in paths]):
                stream.write(json.dumps(_pair_record(relation, finder, texts), ensure_ascii=False) + "\n")
    finally:
        if output is not None:
            stream.close()
    _report_skips(skipped)
    stats = finder.stats
    err.print(f"{stats['articles']:,} articles, {stats['pairs']:,} pairs in {stats['seconds']:.1f} s "
              f"({stats['articles_per_second']:,.0f} articles/s)" + (f"; wrote {output}" if output else ""))
    if skipped:
        raise typer.Exit(EXIT_SKIPPED)


def _pair_record(relation: Relation, finder: newstrace.CopyFinder, with_texts: bool) -> dict:
    record = relation.to_dict()
    if with_texts:
        text_a, text_b = finder.text(relation.a), finder.text(relation.b)
        for passage in record["passages"]:
            passage["a_text"] = text_a[passage["a_start"] : passage["a_end"]]
            passage["b_text"] = text_b[passage["b_start"] : passage["b_end"]]
    return record


@app.command()
def compare(
    a: Path = typer.Argument(..., help="First article file."),
    b: Path = typer.Argument(..., help="Second article file."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Compare two articles: relation, direction, scores and aligned passages."""
    from newstrace.ingest import IngestError, load

    try:
        first, second = load(a), load(b)
    except IngestError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_FAILED) from exc
    result = newstrace.compare(first, second)
    if as_json:
        payload = result.to_dict()
        for passage in payload["passages"]:
            passage["a_text"] = first.text[passage["a_start"] : passage["a_end"]]
            passage["b_text"] = second.text[passage["b_start"] : passage["b_end"]]
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    from newstrace.report import render_comparison

    render_comparison(result, first, second, Console(highlight=False))


def main() -> None:  # pragma: no cover - console-script shim
    app()
