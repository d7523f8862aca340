"""The Dask engine: the local engine's stages, their per-slice work run on a Dask cluster.

``dedup`` and ``analyze`` cut their inputs into slices (:func:`newstrace.ingest.readers.plan_slices`)
and read, clean and fingerprint each slice with one stage function
(:func:`newstrace.engine.streamed.fingerprint_slice`, :func:`newstrace.engine.stages.read_slice_fingerprinted`).
The local engine maps that function over worker processes
(:func:`newstrace.engine.parallel.ordered_map`); this engine maps the same function over the
workers of a Dask cluster (``dask.distributed``): a ``LocalCluster`` started here, or a
running scheduler given by address. Results come back in input order and the matching,
verdicts and stories run in this process with the local code, so both engines give the same
pairs, relations and stories.

>>> with DaskEngine.start(workers=4) as engine:          # doctest: +SKIP
...     pairs = list(CopyFinder(mapper=engine.map).run(["corpus.jsonl"]))

``dedup --out`` matches on the cluster as well (:mod:`newstrace.engine.dask_dedup`: band-key
shuffles, verification on the workers, connected components, Parquet datasets; incremental
and resumable through ``DIR/state/``, :mod:`newstrace.engine.dedup_state`). Not done yet
(see the issue on Dask scale-out): the matching of ``analyze``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from newstrace.engine.parallel import AHEAD, available_cores, in_order

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["DaskEngine"]

#: glibc's malloc settings in the workers of a cluster started here. Dask sets a trim
#: threshold of 64 KiB (freed memory given back at once, for its memory reports), and setting
#: any threshold turns off glibc's sliding mmap threshold: every array over 128 KiB is then
#: mapped and unmapped again on each use, and reading a slice costs 30-50% more CPU (its
#: numpy passes fault their pages in anew). With arrays of up to 32 MiB taken from the heap, as
#: in a process on glibc's defaults, it costs what it costs there. Dask's trim is kept.
WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 1024 * 1024)}


@dataclass
class DaskEngine:
    """A connected Dask client, and the cluster this engine started (if it did)."""

    client: Any
    cluster: Any = None

    @classmethod
    def start(cls, scheduler: str | None = None, *, workers: int | None = None,
              memory_limit: str | None = "auto", timeout: str = "10s") -> DaskEngine:
        """Connect to the scheduler at ``scheduler`` (``tcp://host:8786``; ``OSError`` when
        it does not answer within ``timeout``), or start a ``LocalCluster`` of ``workers``
        single-threaded worker processes (default: the available cores), each capped at
        ``memory_limit``, with its dashboard on a free loopback port."""
        import dask
        from distributed import Client, LocalCluster

        if scheduler is not None:
            return cls(Client(scheduler, timeout=timeout))
        with dask.config.set({f"distributed.nanny.pre-spawn-environ.{name}": value
                              for name, value in WORKER_MALLOC.items()}):
            cluster = LocalCluster(n_workers=workers or available_cores(), threads_per_worker=1, processes=True,
                                   memory_limit=memory_limit, dashboard_address="127.0.0.1:0")
        return cls(Client(cluster), cluster)

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    @property
    def dashboard(self) -> str | None:
        """The address of the cluster's dashboard, if it serves one."""
        return getattr(self.client, "dashboard_link", None)

    def map(self, function: Callable[[T], R], batches: Iterable[T]) -> Iterator[R]:
        """``function(batch)`` for each batch on the cluster's workers, in input order, with
        at most ``AHEAD`` batches per worker in flight (``batches`` is consumed lazily)."""
        return in_order(lambda batch: self.client.submit(function, batch, pure=False), batches,
                        in_flight=AHEAD * self.workers)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
