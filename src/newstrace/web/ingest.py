"""Articles added through the web app, analysed one job at a time in the background.

Each job's records (or uploaded files) are written under ``<db>.uploads/<job id>/`` and
run through :func:`newstrace.digest` against the served store, as ``newstrace digest``
would: only the new articles are compared, and the stories they join are rebuilt with their
digests (``scope="run"``: the other stories of the store keep theirs). A store that another
run is writing is waited for."""

from __future__ import annotations

import json
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.store import StoreBusy

#: Seconds between two tries of a job whose store another run holds.
BUSY_RETRY_SECONDS = 2.0
#: Tries before a job whose store stays busy fails.
BUSY_TRIES = 150
#: Jobs remembered (the oldest finished ones are forgotten).
KEPT_JOBS = 200


@dataclass
class Job:
    """One batch of articles to analyse, and how far it got."""

    id: str
    inputs: list[Path]
    submitted: int  #: articles (records or files) in the batch
    state: str = "queued"  #: queued, waiting (store busy), running, done, failed
    stage: str | None = None
    done: int = 0
    total: int = 0
    articles_new: int | None = None
    skipped: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "stage": self.stage, "done": self.done, "total": self.total,
                "submitted": self.submitted, "articles_new": self.articles_new, "skipped": self.skipped,
                "error": self.error, "href": f"/jobs/{self.id}", "status": f"/api/v1/jobs/{self.id}"}


class Ingester:
    """A queue of :class:`Job` run by one worker thread against the store at ``db``."""

    def __init__(self, db: Path) -> None:
        self.db = Path(db)
        self.folder = self.db.with_name(self.db.name + ".uploads")
        self.jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._work, name="newstrace-ingest", daemon=True)
        self._worker.start()

    def submit_records(self, records: list[dict[str, Any]]) -> Job:
        """Queue article records (the JSON fields ``analyze`` reads) as one job."""
        job_id, folder = self._new_folder()
        path = folder / "articles.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return self._queued(Job(job_id, [path], len(records)))

    def submit_files(self, files: list[tuple[str, bytes]]) -> Job:
        """Queue uploaded files (name, content) as one job; names are reduced to a safe base name."""
        job_id, folder = self._new_folder()
        paths = []
        for number, (name, content) in enumerate(files, start=1):
            path = folder / f"{number:03d}-{_safe_name(name)}"
            path.write_bytes(content)
            paths.append(path)
        return self._queued(Job(job_id, paths, len(files)))

    def job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def wait(self, job: Job, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for ``job`` to finish; whether it did."""
        deadline = time.monotonic() + timeout
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)
        return job.finished

    def _new_folder(self) -> tuple[str, Path]:
        job_id = time.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(4)
        folder = self.folder / job_id
        folder.mkdir(parents=True)
        return job_id, folder

    def _queued(self, job: Job) -> Job:
        with self._lock:
            self.jobs[job.id] = job
            finished = [j for j in self.jobs.values() if j.finished]
            for old in finished[: max(0, len(self.jobs) - KEPT_JOBS)]:
                del self.jobs[old.id]
        self._queue.put(job)
        return job

    def _work(self) -> None:
        while True:
            self._run(self._queue.get())

    def _run(self, job: Job) -> None:
        import newstrace

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        for _ in range(BUSY_TRIES):
            job.state = "running"
            try:
                # workers=1: no worker processes forked from the server's threads; scope "run": the
                # digests of the stories this job made or changed, not of every story of the store
                report = newstrace.digest([str(p) for p in job.inputs], db=str(self.db), progress=progress,
                                          workers=1, scope="run")
            except StoreBusy:
                job.state = "waiting"
                time.sleep(BUSY_RETRY_SECONDS)
                continue
            except Exception as exc:  # a job that fails is reported, never stops the worker
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
                return
            job.articles_new = int(report.stats.get("articles_new", 0))
            job.skipped = [str(error) for error in report.skipped]
            job.state = "done"
            return
        job.state, job.error = "failed", "the store stayed busy with another run"


def _safe_name(name: str) -> str:
    """A file's base name with only letters, digits, dots, dashes and underscores."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).lstrip(".")
    return cleaned[:100] or "upload.txt"
