"""The ``newstrace`` command line: a thin layer over the public API.

Exit codes: 0 when every input was read, 1 when some inputs were skipped (each named on
standard error), 2 on a usage error or when nothing could be done (no articles to read, a
missing output folder, an unreadable store). Paths are checked before any work starts, and
every error is one line that names the path and the fix.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperArgument, TyperCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

import newstrace
from newstrace.model import InputError, Relation, Report
from newstrace.store import DEFAULT_DB, StoreError


class _Argument(TyperArgument):
    """A positional argument shown in help by its metavar alone (``ARTICLES...``), without
    Typer's type placeholder (``<list[Path]>``) or braces."""

    def display_type_rich(self, ctx: Any) -> None:
        return None

    def _usage_display_name(self) -> str:
        return self.display_name_raw


class _Command(TyperCommand):
    """A command whose help reads as written: plain metavars, no type placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Which news articles are the same story, who copied whom, how many independent reports there are.",
    epilog="Exit codes: 0 all inputs read; 1 some inputs skipped (each named on standard error); "
    "2 nothing could be done (the error says which path and what to do).",
)

#: Messages on standard error: one line each, however long (no wrapping at the terminal's
#: width, nor at 80 columns into a log), and the paths they name printed as they are
#: (no rich markup or emoji codes: ``notes[draft].txt`` keeps its brackets).
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

EXIT_SKIPPED = 1
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130


class Format(str, Enum):
    text = "text"
    json = "json"
    md = "md"
    html = "html"


class _RateColumn(ProgressColumn):
    """A stage's rate: items per second, as rich measures it over its recent updates."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


def _progress_bar() -> tuple[Progress, callable]:
    bar = Progress(
        TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), _RateColumn(), TimeElapsedColumn(),
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
        err.print(Text.assemble(("skipped", "yellow"), f" {skip}"))


def _fail(message: str) -> typer.Exit:
    """Print ``error: message`` on one line and return the exit to raise (code 2)."""
    err.print(f"error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_FAILED)


def check_inputs(paths: list[Path]) -> None:
    """Refuse, before any work, inputs that hold no article file at all."""
    from newstrace.ingest.readers import input_files

    if any(isinstance(found, Path) for found in input_files(paths)):
        return
    reasons = [f"{path} {'holds no articles' if path.exists() else 'does not exist'}" for path in paths]
    raise _fail(f"nothing to analyse: {'; '.join(reasons)} (give files or folders of .txt, .html, "
                ".json, .jsonl, .csv, .tsv, .parquet or .warc articles)")


def check_writable(path: Optional[Path], what: str, option: str) -> None:
    """Refuse, before any work, a file that cannot be created where it is asked for."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise _fail(f"cannot write the {what} to {path}: it is a folder (give a file name with {option})")
    if not folder.is_dir():
        raise _fail(f"cannot write the {what} to {path}: folder {folder} does not exist "
                    f"(create it, or choose another {option})")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise _fail(f"cannot write the {what} to {path}: permission denied (choose another {option})")


def check_not_overwriting(output: Optional[Path], db: Optional[Path], paths: list[Path], what: str = "report") -> None:
    """Refuse, before any work, an output file that is the store or an input article: writing
    there would destroy it. (A report of an earlier run in an input folder may be written
    again: newstrace never reads it as an article.)"""
    if output is None:
        return
    target = output.resolve()
    if db is not None and target in {Path(f"{db}{end}").resolve() for end in ("", "-wal", "-shm", "-journal", ".lock")}:
        raise _fail(f"cannot write the {what} to {output}: it is the store given with --db {db} "
                    "(choose another -o)")
    if not output.is_file():
        return
    from newstrace.ingest.readers import is_article_file, is_newstrace_report

    for given in paths:
        folder = given.resolve()
        inside = given.is_dir() and folder in target.parents and is_article_file(target)
        if (target == folder or inside) and not is_newstrace_report(output):
            raise _fail(f"cannot write the {what} to {output}: it is an input given to read ({given}); "
                        f"writing the {what} there would replace it (choose another -o)")


class TableFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"


class EngineName(str, Enum):
    local = "local"
    dask = "dask"


class EncoderName(str, Enum):
    minilm = "minilm"
    static = "static"


class ScopeName(str, Enum):
    store = "store"
    run = "run"


@contextmanager
def _engine_mapper(engine: EngineName, scheduler: Optional[str], workers: Optional[int]) -> Iterator[Any]:
    """The mapper of the engine asked for (``None``: the local worker processes), open
    for the duration of the run."""
    if engine is EngineName.local:
        if scheduler is not None:
            raise _fail("--scheduler goes with --engine dask")
        yield None
        return
    with _dask_engine(scheduler, workers) as started:
        yield started.map


@contextmanager
def _dask_engine(scheduler: Optional[str], workers: Optional[int]) -> Iterator[Any]:
    """A :class:`~newstrace.engine.dask.DaskEngine` on ``scheduler`` or a local cluster of
    ``workers``, its dashboard printed, open for the duration of the run."""
    from newstrace.engine.dask import DaskEngine

    try:
        started = DaskEngine.start(scheduler, workers=workers or None)
    except OSError as exc:
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        raise _fail(f"cannot reach {where}: {exc}") from None
    with started:
        err.print(f"Dask: {started.workers} workers; dashboard {started.dashboard}", markup=False, soft_wrap=True)
        yield started


def check_export_folder(folder: Optional[Path], inputs: tuple[Path, ...] = ()) -> None:
    """Refuse, before any work, an export folder that cannot be made or written, or that lies
    in an input folder (the next run would read the tables back as articles)."""
    if folder is None:
        return
    target = folder.resolve()
    for given in inputs:
        if given.is_dir() and (target == given.resolve() or given.resolve() in target.parents):
            raise _fail(f"cannot export tables to {folder}: it is inside the input folder {given}, whose next "
                        "run would read the tables as articles (choose a folder outside the inputs)")
    if folder.exists() and not folder.is_dir():
        raise _fail(f"cannot export tables to {folder}: it is a file (give a folder with --export)")
    parent = folder if folder.exists() else folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise _fail(f"cannot export tables to {folder}: folder {parent} does not exist "
                    "(create it, or choose another --export)")
    if not os.access(parent, os.W_OK):
        raise _fail(f"cannot export tables to {folder}: permission denied (choose another --export)")


def report_format(fmt: Optional[Format], output: Optional[Path]) -> Format:
    """The format asked for, else the one the output's extension names, else text."""
    from newstrace.report import format_for_path

    if fmt is not None:
        return fmt
    return Format(format_for_path(output)) if output is not None else Format.text


def _stdout_closed() -> None:
    """The reader of standard output stopped early (``newstrace analyze ... | head``): what
    is left unwritten goes nowhere, quietly, and the exit code stays the run's own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _emit(report: Report, output: Optional[Path], fmt: Format) -> None:
    from newstrace.report import write_report

    try:
        write_report(report, output, fmt.value)
    except BrokenPipeError:
        if output is not None:
            raise
        _stdout_closed()
    if output is not None:
        err.print(f"wrote {output}")


def _run(command, paths: list[Path], db: Path, output: Optional[Path], fmt: Optional[Format],
         batch: int, fresh: bool = False, prune_missing: bool = False, export: Optional[Path] = None,
         export_format: TableFormat = TableFormat.parquet, engine: EngineName = EngineName.local,
         scheduler: Optional[str] = None, workers: Optional[int] = None,
         encoder: Optional[EncoderName] = None, scope: ScopeName = ScopeName.store) -> None:
    check_inputs(paths)
    check_writable(output, "report", "-o")
    check_writable(db, "store", "--db")
    check_not_overwriting(output, db, paths)
    check_export_folder(export, tuple(paths))
    fmt = report_format(fmt, output)
    bar, update = _progress_bar()
    try:
        with _noting_interrupts() as interrupted, _engine_mapper(engine, scheduler, workers) as mapper, bar:
            try:
                report = command([str(p) for p in paths], db=str(db), progress=update, batch_size=batch,
                                 fresh=fresh, prune_missing=prune_missing, workers=workers, mapper=mapper,
                                 encoder=encoder.value if encoder is not None else None, scope=scope.value)
            except Exception:
                if interrupted:  # Ctrl-C that a library turned into its own error
                    raise KeyboardInterrupt from None
                raise
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    except KeyboardInterrupt:
        raise _interrupted(db) from None
    _report_skips(report.skipped)
    _emit(report, output, fmt)
    if export is not None:
        from newstrace.report.tables import export_tables

        export_tables(report, export, format=export_format.value)
        err.print(f"exported articles, relations, stories, story_articles and boilerplate tables to {export}",
                  markup=False, soft_wrap=True)
    if report.skipped:
        raise typer.Exit(EXIT_SKIPPED if report.articles else EXIT_FAILED)


@contextmanager
def _noting_interrupts() -> Iterator[list[int]]:
    """While a run lasts, note Ctrl-C (SIGINT) in the list yielded, then stop the run as
    Python would (KeyboardInterrupt). A library interrupted inside its own code may raise
    its own error instead (usearch: ``RuntimeError: Operation has been terminated``); the
    note tells the run it was still Ctrl-C. The workers of :mod:`newstrace.engine.parallel`
    leave Ctrl-C (which the terminal sends them too) to this process; any other process
    forked during the run inherits the handler and ends at once, without a traceback of
    its own; this process then reports the interruption."""
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    here = os.getpid()

    def on_interrupt(signum: int, frame: Any) -> None:
        if os.getpid() != here:  # a forked worker: it holds nothing to save
            os._exit(EXIT_INTERRUPTED)
        noted.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupted(db: Path) -> typer.Exit:
    """Say in one line what the store kept of a stopped run and how to resume (exit 130)."""
    from newstrace.store import Store

    counts = None
    if db.exists():
        try:
            with Store(db) as store:
                counts = store.counts()
        except StoreError:
            pass
    if not counts or not counts["articles"]:
        err.print(f"interrupted: nothing was stored in {db} yet; run the same command again to start over",
                  markup=False, soft_wrap=True)
    else:
        kept = f"{counts['articles']:,} article{'s' * (counts['articles'] != 1)}"
        err.print(f"interrupted: {db} keeps {kept} ({counts['in_stories']:,} fully analysed); run the same "
                  "command again to finish the rest", markup=False, soft_wrap=True)
    return typer.Exit(EXIT_INTERRUPTED)


PathsArg = typer.Argument(
    ..., metavar="ARTICLES...",
    help="Files or folders of articles: .txt, .html, .json, .jsonl, .csv, .tsv, news feeds (.rss, .atom, "
    ".xml) and news agencies' XML (NITF, NewsML: .xml, .nitf, .newsml), each optionally .gz, .parquet, "
    ".warc(.gz) and .zip/.tar(.gz) archives of them. Folders are read recursively; other files in them "
    "are skipped with a reason.")
DbOpt = typer.Option(Path(DEFAULT_DB), "--db", metavar="FILE",
                     help="SQLite store; results persist between runs, so a second run only compares what is new.")
OutOpt = typer.Option(None, "-o", "--output", metavar="FILE",
                      help="Write the report to FILE instead of standard output.")
FormatOpt = typer.Option(
    None, "--format", "-f", metavar="text|json|md|html",
    help="Report format (default: the one FILE's extension names, .json .md .html, else text).")
BatchOpt = typer.Option(2000, "--batch", min=1, metavar="N", help="Articles stored per transaction while reading.")
FreshOpt = typer.Option(False, "--fresh", help="Empty the store first and analyse the inputs from scratch.")
PruneOpt = typer.Option(False, "--prune-missing",
                        help="First remove the stored articles whose input files no longer exist.")
ExportOpt = typer.Option(None, "--export", metavar="DIR",
                         help="Also write the results as tables (one folder each) under DIR.")
ExportFormatOpt = typer.Option(TableFormat.parquet, "--export-format", metavar="parquet|csv",
                               help="Format of the --export tables.")
EngineOpt = typer.Option(EngineName.local, "--engine", metavar="local|dask",
                         help="Where reading, cleaning and fingerprinting run: worker processes here, or a Dask cluster.")
SchedulerOpt = typer.Option(None, "--scheduler", metavar="ADDR",
                            help="With --engine dask: a running Dask scheduler (tcp://host:8786); "
                            "default: a local cluster of --workers processes.")
WorkersOpt = typer.Option(None, "--workers", "-w", min=0, metavar="N",
                          help="Worker processes (default: one per CPU; 0: none, all in this one).")
EncoderOpt = typer.Option(
    None, "--encoder", metavar="minilm|static",
    help="Lead and sentence vectors: minilm (the default, most accurate) or static (distilled from it: "
    "analyze is many times faster, stories somewhat less accurate; see the README). A store keeps the "
    "encoder it was made with (default: that one; another needs --fresh).")

ScopeOpt = typer.Option(
    ScopeName.store, "--scope", metavar="store|run",
    help="What the report covers: every article the store holds (store), or only the stories this run "
    "made or changed, with their articles (run: what a run into a large store brought).")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newstrace {newstrace.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Which news articles are the same story, who copied whom, how many independent reports there are."""


@app.command(cls=_Command, short_help="Stories, copies and independent reports in a collection.")
def analyze(paths: list[Path] = PathsArg, db: Path = DbOpt, output: Optional[Path] = OutOpt,
            format: Optional[Format] = FormatOpt, batch: int = BatchOpt, fresh: bool = FreshOpt,
            prune_missing: bool = PruneOpt, export: Optional[Path] = ExportOpt,
            export_format: TableFormat = ExportFormatOpt, engine: EngineName = EngineOpt,
            scheduler: Optional[str] = SchedulerOpt, workers: Optional[int] = WorkersOpt,
            encoder: Optional[EncoderName] = EncoderOpt, scope: ScopeName = ScopeOpt) -> None:
    """Find copies, rewrites, stories and independent reports in a collection."""
    _run(newstrace.analyze, paths, db, output, format, batch, fresh, prune_missing, export, export_format,
         engine, scheduler, workers, encoder, scope)


@app.command(cls=_Command, short_help="Per story: claims, quotes, timeline and conflicts.")
def digest(paths: list[Path] = PathsArg, db: Path = DbOpt, output: Optional[Path] = OutOpt,
           format: Optional[Format] = FormatOpt, batch: int = BatchOpt, fresh: bool = FreshOpt,
           prune_missing: bool = PruneOpt, export: Optional[Path] = ExportOpt,
           export_format: TableFormat = ExportFormatOpt, engine: EngineName = EngineOpt,
           scheduler: Optional[str] = SchedulerOpt, workers: Optional[int] = WorkersOpt,
           encoder: Optional[EncoderName] = EncoderOpt, scope: ScopeName = ScopeOpt) -> None:
    """Per story: corroborated claims, who said what, timeline, single-source claims, conflicts."""
    _run(newstrace.digest, paths, db, output, format, batch, fresh, prune_missing, export, export_format,
         engine, scheduler, workers, encoder, scope)


@app.command(cls=_Command, short_help="Remove articles from the store.")
def remove(
    refs: list[str] = typer.Argument(..., metavar="ID|PATH...",
                                     help="Article ids, input ids, URLs, or the files or folders they were read from."),
    db: Path = DbOpt,
) -> None:
    """Remove articles (with their verdicts) from the store; the next analyze rebuilds the stories.
    An input still given to analyze is read again: remove the file too."""
    from newstrace.engine.local import remove as remove_articles

    if not db.is_file():
        raise _fail(f"no store at {db} (give the store with --db)")
    try:
        removed, unmatched = remove_articles(refs, db)
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    for ref in unmatched:
        err.print(f"not found: {ref} names no article stored in {db}", markup=False, soft_wrap=True)
    err.print(f"removed {len(removed):,} article{'s' * (len(removed) != 1)} from {db}", markup=False,
              soft_wrap=True)
    if unmatched:
        raise typer.Exit(EXIT_SKIPPED)


@app.command(cls=_Command, short_help="Near copies across a large collection, streamed.")
def dedup(
    paths: list[Path] = PathsArg,
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", metavar="FILE",
        help="Write the pairs to FILE (JSON Lines) instead of standard output."),
    workers: Optional[int] = WorkersOpt,
    engine: EngineName = EngineOpt,
    scheduler: Optional[str] = SchedulerOpt,
    texts: bool = typer.Option(
        False, "--texts", help="Add each passage's text on both sides (a_text, b_text)."),
    export: Optional[Path] = typer.Option(
        None, "--export", metavar="DIR", help="Also write the pairs as a table, DIR/pairs/."),
    export_format: TableFormat = ExportFormatOpt,
    out: Optional[Path] = typer.Option(
        None, "--out", metavar="DIR", help="With --engine dask: match on the cluster and write DIR/pairs/, "
        "DIR/clusters/ and DIR/recurring/ as Parquet datasets (byte-identical for the same input)."),
) -> None:
    """Near copies (duplicate, copy, partial) across a large collection, streamed, nothing
    stored: one JSON object per pair, with scores and aligned passages."""
    check_inputs(paths)
    check_writable(output, "pairs", "-o")
    check_not_overwriting(output, None, paths, "pairs")
    check_export_folder(export, tuple(paths))
    if out is not None:
        return _dedup_on_dask(paths, out, scheduler, workers, texts, engine)
    records: list[dict] = []
    skipped: list[InputError] = []
    finder = newstrace.CopyFinder(workers=workers, on_skip=skipped.append)
    bar, update = _progress_bar()
    finder.progress = update
    stream = output.open("w", encoding="utf-8") if output is not None else sys.stdout
    try:
        with _engine_mapper(engine, scheduler, workers) as finder.mapper, bar:
            for relation in finder.run([str(p) for p in paths]):
                record = _pair_record(relation, finder, texts)
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                if export is not None:
                    records.append(record)
            stream.flush()
    except BrokenPipeError:
        if output is not None:
            raise
        _stdout_closed()  # the reader has the pairs it wanted: no more are looked for
        _report_skips(skipped)
        raise typer.Exit(EXIT_SKIPPED if skipped else 0) from None
    finally:
        if output is not None:
            stream.close()
    if export is not None:
        from newstrace.report.tables import write_table

        records.sort(key=lambda record: (record["a"], record["b"]))
        err.print(f"wrote {write_table(records, export / 'pairs', 'relations', format=export_format.value)}")
    _report_skips(skipped)
    stats = finder.stats
    articles, pairs = stats["articles"], stats["pairs"]
    err.print(f"{articles:,} article{'s' * (articles != 1)}, {pairs:,} pair{'s' * (pairs != 1)} in "
              f"{stats['seconds']:.1f} s ({stats['articles_per_second']:,.0f} articles/s)"
              + (f"; wrote {output}" if output else ""), markup=False, soft_wrap=True)
    if skipped:
        raise typer.Exit(EXIT_SKIPPED)


def _dedup_on_dask(paths: list[Path], out: Path, scheduler: Optional[str], workers: Optional[int],
                   texts: bool, engine: EngineName) -> None:
    """``dedup --out DIR``: candidates, verification and clusters on the Dask cluster."""
    if engine is not EngineName.dask:
        raise _fail("--out goes with --engine dask (the local engine writes DIR/pairs/ with --export)")
    check_export_folder(out, tuple(paths))
    from newstrace.engine.dask_dedup import DaskDedup
    from newstrace.engine.dedup_state import SettingsMismatch

    skipped: list[InputError] = []
    with _dask_engine(scheduler, workers) as started:
        try:  # adds to what an earlier run kept in out/state/
            result = DaskDedup(started, with_texts=texts, on_skip=skipped.append).update([str(p) for p in paths], out)
        except SettingsMismatch as exc:
            raise _fail(str(exc)) from None
    _report_skips(skipped)
    stats = result.stats
    err.print(f"{stats.get('articles', 0):,} articles ({stats.get('new_articles', 0):,} new), {stats.get('pairs', 0):,} pairs, "
              f"{stats.get('clusters', 0):,} clusters in {sum(stats['seconds'].values()):.1f} s; "
              f"wrote {out}/pairs, clusters and recurring", markup=False, soft_wrap=True)
    if skipped:
        raise typer.Exit(EXIT_SKIPPED)


def _pair_record(relation: Relation, finder: newstrace.CopyFinder, with_texts: bool) -> dict:
    return relation.to_dict((finder.text(relation.a), finder.text(relation.b)) if with_texts else None)


@app.command(cls=_Command, short_help="Compare two articles: relation, direction, passages.")
def compare(
    a: Path = typer.Argument(..., metavar="A", help="First article file."),
    b: Path = typer.Argument(..., metavar="B", help="Second article file."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Compare two articles: relation, direction, scores and aligned passages."""
    from newstrace.ingest.readers import IngestError, holds_many_articles, load

    for path in (a, b):
        if holds_many_articles(path):
            raise _fail(f"{path}: a {path.suffix} file holds many articles, and compare takes two files of one "
                        "article each (.txt, .html, .json, one NITF or NewsML item); analyze or dedup read the "
                        "whole file")
    try:
        first, second = load(a), load(b)
    except IngestError as exc:
        raise _fail(str(exc)) from None
    result = newstrace.compare(first, second)
    from newstrace.report.text import StdoutConsole, render_comparison

    try:
        if as_json:
            payload = result.to_dict()
            payload["passages"] = [passage.to_dict((first.text, second.text)) for passage in result.passages]
            sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            render_comparison(result, first, second, StdoutConsole(highlight=False))
    except BrokenPipeError:
        _stdout_closed()


@app.command(cls=_Command, short_help="Serve the web app and REST API over a store.")
def serve(
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", metavar="FILE", help="The store to serve (made by analyze)."),
    host: str = typer.Option("127.0.0.1", "--host", metavar="HOST",
                             help="Address to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, metavar="PORT", help="Port to listen on."),
    token_file: Optional[Path] = typer.Option(
        None, "--token-file", metavar="F",
        help="File whose first line is the write token (else $NEWSTRACE_TOKEN); without one the app is read-only."),
    follow_feeds: Optional[Path] = typer.Option(
        None, "--follow", metavar="FEEDS.txt", help="Also follow these feeds into the store (see newstrace follow)."),
    every: str = typer.Option("10m", "--every", metavar="INTERVAL", help="Time between feed polls with --follow."),
) -> None:
    """Serve the web app (stories, story digests, articles, compare, search) and its REST API
    (/api/v1/) over a store, showing new articles as analyze adds them."""
    from newstrace.web import bind, token_from
    from newstrace.web import serve as run_server

    if not db.is_file():
        raise _fail(f"no store at {db} (make one with: newstrace analyze ARTICLES --db {db})")
    from newstrace.store import Store

    try:  # a file that is no store is refused before 'serving ...' is said
        Store(db).close()
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    if token_file is not None and not token_file.is_file():
        raise _fail(f"no token file at {token_file} (give a file whose first line is the token)")
    token = token_from(token_file)
    follower = _follower(follow_feeds, db, every) if follow_feeds is not None else None
    try:  # a port in use is refused before 'serving ...' is said
        sock = bind(host, port)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise _fail(f"cannot serve on {host}:{port}: {reason} (choose another --port or --host)") from None
    mode = "writes need the token" if token else "read-only (no write token)"
    err.print(f"serving {db} at http://{host}:{port}/ ({mode}); stop with Ctrl-C", markup=False, soft_wrap=True)
    try:
        run_server(db, host=host, port=port, token=token, follower=follower, sock=sock)
    except StoreError as exc:
        raise _fail(str(exc)) from exc


def _follower(feeds: Path, db: Path, every: str) -> tuple[Any, float]:
    """The follower of ``--follow FEEDS.txt`` and its interval in seconds."""
    from newstrace.web.follow import Follower, parse_every, read_feeds

    if not feeds.is_file():
        raise _fail(f"no feed list at {feeds} (give a file of feed URLs, one a line)")
    try:
        seconds = parse_every(every)
    except ValueError:
        raise _fail(f"--every {every}: give a time such as 90s, 10m or 1h") from None
    return Follower(db, read_feeds(feeds)), seconds


@app.command(cls=_Command, short_help="Follow RSS/Atom feeds into a store.")
def follow(
    feeds: Path = typer.Argument(..., metavar="FEEDS.txt", help="Feed URLs, one a line (# starts a comment)."),
    db: Path = DbOpt,
    every: str = typer.Option("10m", "--every", metavar="INTERVAL", help="Time between polls: 90s, 10m, 1h."),
    once: bool = typer.Option(False, "--once", help="Poll once and exit."),
) -> None:
    """Poll RSS/Atom feeds, fetch the new article pages (robots.txt honoured, one request a
    second per host) and analyse them into the store with their digests; a feed or page that
    fails is logged and tried again at the next poll."""
    import logging

    follower, seconds = _follower(feeds, db, every)
    if not follower.feeds:
        raise _fail(f"{feeds} names no feed (one URL a line)")
    check_writable(db, "store", "--db")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        follower.run(seconds, polls=1 if once else None)
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
