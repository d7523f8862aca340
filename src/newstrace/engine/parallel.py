"""One way to spread work over processes: an ordered map over batches (on a pool that
several stages may share, :class:`WorkerPool`).

Every driver that fans per-article work out to the cores (``dedup``'s readers, the
per-article stages of ``analyze``/``digest``, MinHash signatures) calls :func:`ordered_map`,
so all of them bound the work in flight the same way, return results in input order (the
same results as one process) and stay in this process when there is nothing to gain.

Worker processes are forked (cheap: they inherit every imported module) only while this
process runs a single thread. A fork copies only the calling thread, and the locks the
others held stay locked in the child: rensa's Rust thread pool, once started here, is
missing from a forked child, which then waits forever for it the first time it hashes a
large batch (:func:`note_thread_pool` records such native pools, which Python cannot see),
and a lock that a Python thread (a Dask client's event loop, a server's ingest thread, a
notebook kernel's) held at the fork is never released there. Otherwise workers start
from a fork server, a clean process that imported the mapped function's module once and
forks the workers (which, as with "spawn", re-imports a calling script: it needs the
``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
#: What a driver maps a per-slice stage with: ``mapper(function, batches)`` yields
#: ``function(batch)`` for each batch, in order (an engine's ``map``; see :func:`ordered_map`).
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]

#: Batches in flight per worker process: enough to keep each busy, few enough to bound memory.
AHEAD = 2


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, else the CPU count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(function: Callable[[T], R], batches: Iterable[T], *, processes: int,
                ahead: int = AHEAD, single_threaded: bool = False) -> Iterator[R]:
    """``function(batch)`` for each batch, in order, computed on ``processes`` worker
    processes, at most ``ahead * processes`` batches in flight (``batches`` is consumed
    lazily, so it may be a generator over a large input). With ``processes <= 0``, or a
    single batch, everything runs in this process. ``function`` and the batches must be
    picklable (a module-level function, or a bound method of a picklable object).
    ``single_threaded``: see :func:`worker_context`."""
    with WorkerPool(processes, ahead=ahead, single_threaded=single_threaded) as pool:
        yield from pool.map(function, batches)


class WorkerPool:
    """Worker processes kept for several stages in turn: :meth:`map` is :func:`ordered_map`
    on them. They start on the first map of two batches or more, as :func:`worker_context`
    says for that map's function, and stop when the pool is closed (or its ``with`` block
    ends). A later stage on the same workers forks nothing: they stay as small as they were
    when this process was (a fork late in a run would copy, and count, all it holds by then)."""

    def __init__(self, processes: int, *, ahead: int = AHEAD, single_threaded: bool = False) -> None:
        self.processes = processes
        self.ahead = ahead
        self.single_threaded = single_threaded  #: workers from a clean process (:func:`worker_context`)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, function: Callable[[T], R], batches: Iterable[T]) -> Iterator[R]:
        """``function(batch)`` for each batch, in order (see :func:`ordered_map`)."""
        items = iter(batches)
        first = list(itertools.islice(items, 2))
        if self.processes <= 0 or len(first) < 2:
            for batch in itertools.chain(first, items):
                yield function(batch)
            return
        if self._pool is None:
            context = worker_context(function, single_threaded=self.single_threaded)
            if context.get_start_method() == "forkserver":
                _start_fork_server()
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context,
                                             initializer=_leave_interrupts_to_the_parent)
        pool = self._pool
        yield from in_order(lambda batch: pool.submit(function, batch), itertools.chain(first, items),
                            in_flight=self.ahead * self.processes)

    def started_cheaply(self, function: Callable[..., Any]) -> bool:
        """Whether mapping ``function`` here would start no process beyond a fork: the
        workers run already, or would be forked (a fork server imports the package first)."""
        return self._pool is not None or worker_context(
            function, single_threaded=self.single_threaded).get_start_method() == "fork"

    def close(self) -> None:
        """Stop the workers (after the batches they are running)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _leave_interrupts_to_the_parent() -> None:
    """In a worker process: Ctrl-C, which a terminal sends to every process of a run, is
    for the process that started the pool to handle (it stops the run and says what was
    kept); the worker, forked or started from the fork server alike, finishes its batch
    and ends when the pool closes, without a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: Libraries that have run a thread pool in this process (see :func:`note_thread_pool`).
_THREAD_POOLS: set[str] = set()


def note_thread_pool(library: str) -> None:
    """Note that ``library`` may now run a thread pool in this process, which a forked
    child would inherit without its threads: worker processes are no longer forked."""
    _THREAD_POOLS.add(library)


def worker_context(function: Callable[..., Any], *, single_threaded: bool = False) -> BaseContext:
    """How to start the worker processes that will run ``function``: the platform's default
    ("fork" on Linux) while this process runs one thread and no native thread pool ran here
    (:func:`note_thread_pool`), else a fork server that imports ``function``'s module before
    it forks the workers.

    ``single_threaded`` workers always come from the fork server (where it exists). The fork
    server runs numpy's BLAS on one thread unless the user set ``OPENBLAS_NUM_THREADS``
    (:class:`WorkerPool` starts it so), and no second thread runs in it: a process
    in which a second thread has ever run (OpenBLAS starts one when numpy loads), and every
    process forked from it, runs the spaCy parse 13% slower, the C library's single-thread
    fast paths gone (92-95 against 82-84 ms per article)."""
    default = multiprocessing.get_context()
    clean = single_threaded and "forkserver" in multiprocessing.get_all_start_methods()
    if not clean and (default.get_start_method() != "fork" or (not _THREAD_POOLS and threading.active_count() == 1)):
        return default
    context = multiprocessing.get_context("forkserver")
    module = getattr(function, "__module__", None) or getattr(getattr(function, "func", None), "__module__", None)
    if module and module != "__main__":
        context.set_forkserver_preload([module])  # no effect once the fork server runs
    return context


def _start_fork_server() -> None:
    """Start the fork server, if it does not run yet, with numpy's BLAS on one thread unless
    the user chose otherwise (it reads ``OPENBLAS_NUM_THREADS`` when it loads numpy; the
    workers it forks each use one core); this process's environment is left as it was."""
    from multiprocessing import forkserver

    chosen = "OPENBLAS_NUM_THREADS" in os.environ
    if not chosen:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        forkserver.ensure_running()
    finally:
        if not chosen:
            del os.environ["OPENBLAS_NUM_THREADS"]


def in_order(submit: Callable[[T], Any], batches: Iterable[T], *, in_flight: int) -> Iterator[Any]:
    """The results of ``submit(batch)`` futures (anything with ``result()`` and ``cancel()``:
    a process pool's, a Dask client's) in input order, at most ``in_flight`` of them pending;
    a consumer that stops early, or an error, leaves nothing queued."""
    pending: deque[Any] = deque()
    try:
        for batch in batches:
            pending.append(submit(batch))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS (OpenBLAS) on one thread inside the block.

    For work that runs many mid-sized matrix products one after another, as the spaCy parse
    does: OpenBLAS's own threads then spin more than they help (200 PolNeAR articles, one
    process: 80 ms of CPU and 81 ms of wall per article on one thread, 156 and 88 on two), and
    where several worker processes share the cores they only take each other's time.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
