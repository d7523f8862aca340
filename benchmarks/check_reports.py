"""Check that two revisions write the same JSON reports (timings aside).

Builds the JSON report (``newstrace analyze --format json``) of the seeds
(``../shared/seeds``), the demo corpus (``examples/``) and generated corpora
(``benchmarks/make_corpus.py``, ``--sizes``), and the digest report (``newstrace digest``)
of the seeds and the demo corpus, with the code of two revisions and prints,
for each input, whether the reports are identical apart from timings, and the first
differences when they are not, with the verdicts that changed (a pair's relation, the
number of stories) apart from the scores that moved. Each revision is checked out with ``git worktree add``
under the temporary folder (removed when the check ends) and run with this checkout's virtualenv, its ``src`` first
on ``PYTHONPATH``; without ``--head`` the working tree itself is the head. The inputs
are the same files for both sides. Generated corpora and the reports of committed
revisions are cached under ``benchmarks/data/check_reports/``.

    python benchmarks/check_reports.py --base HEAD~1                # working tree vs its parent
    python benchmarks/check_reports.py --base abc123 --head def456 --sizes 1000

To check several commits of one refactor that others' commits interleave, revert them in a
worktree of the head (``git worktree add --detach /tmp/x HEAD; git -C /tmp/x revert
--no-edit C3 C2 C1``) and give that commit as ``--base``: the two sides then differ by the
refactor alone.

Exit status: 0 when every report is identical, 1 when any differs, 2 when a run failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "data" / "check_reports"
SEEDS = (ROOT / ".." / "shared" / "seeds").resolve()
DEMO = ROOT / "examples"
PYTHON = ROOT / ".venv" / "bin" / "python"
#: Stats keys that measure time, not results.
TIMING_KEYS = frozenset({"seconds", "stage_seconds"})
#: Differences printed per input at most.
MAX_DIFFERENCES = 20


@dataclass(frozen=True)
class Side:
    """One revision to run: its label, the folder holding its ``src`` and, for a
    committed revision, its commit (whose reports may be cached)."""

    label: str
    tree: Path
    commit: str | None


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def checkout(rev: str) -> Side:
    """A worktree of ``rev`` under the temporary folder (see :func:`remove`)."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    tree = Path(tempfile.gettempdir()) / f"newstrace-check-{commit[:12]}"
    if not (tree / "src" / "newstrace").is_dir():
        git("worktree", "add", "--detach", "--force", str(tree), commit)
    return Side(f"{rev} ({commit[:8]})", tree, commit)


def remove(side: Side) -> None:
    """Remove a revision's worktree (and its folder) once the check is done."""
    if side.commit is not None:
        subprocess.run(["git", "worktree", "remove", "--force", str(side.tree)], cwd=ROOT, capture_output=True)


def corpus(size: int) -> Path:
    """The generated corpus of ``size`` articles (made once with this checkout's
    ``make_corpus.py``, then cached)."""
    path = CACHE / f"corpus_{size}.jsonl"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name}", file=sys.stderr, flush=True)
        subprocess.run([str(PYTHON), str(ROOT / "benchmarks" / "make_corpus.py"), "--n", str(size),
                        "--out", str(path)], check=True)
    return path


def report(side: Side, name: str, inputs: Path) -> dict[str, Any]:
    """The JSON report of ``inputs`` written by ``side``'s code (from the cache for a commit);
    ``newstrace digest``'s when ``name`` ends with ``-digest``."""
    # Article ids and keys name the input paths, so a report cached from another checkout's
    # inputs is not this one's: the cache key names the inputs too.
    where = hashlib.sha256(str(inputs.resolve()).encode()).hexdigest()[:8]
    cached = CACHE / f"{side.commit}-{name}-{where}.json" if side.commit else None
    if cached is not None and cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="check-reports-") as work:
        out = Path(work) / "report.json"
        env = {**os.environ, "PYTHONPATH": str(side.tree / "src")}
        run = subprocess.run(
            ["nice", "-n", "5", str(PYTHON), "-m", "newstrace", command_of(name), str(inputs),
             "--db", str(Path(work) / "store.db"), "--format", "json", "-o", str(out)],
            cwd=work, env=env, capture_output=True, text=True)
        if run.returncode not in (0, 1):  # 1: some inputs skipped, still a report
            raise RuntimeError(f"{side.label} on {name}: exit {run.returncode}\n{run.stderr[-2000:]}")
        text = out.read_text(encoding="utf-8")
    if cached is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(text, encoding="utf-8")
    return json.loads(text)


def command_of(name: str) -> str:
    """The command whose report an input's name asks for."""
    return "digest" if name.endswith("-digest") else "analyze"


def without_timings(data: Any) -> Any:
    """``data`` with every timing left out of its ``stats``."""
    data = dict(data)
    data["stats"] = {k: v for k, v in data.get("stats", {}).items() if k not in TIMING_KEYS}
    return data


def differences(a: Any, b: Any, where: str = "") -> Iterator[str]:
    """Where ``a`` and ``b`` differ, as ``path: a != b`` lines (JSON paths)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            if key not in b:
                yield f"{where}.{key}: only in base"
            elif key not in a:
                yield f"{where}.{key}: only in head"
            else:
                yield from differences(a[key], b[key], f"{where}.{key}")
        if list(a) != list(b) and set(a) == set(b):
            yield f"{where}: keys in another order"
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{where}: {len(a)} items in base, {len(b)} in head"
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{where}[{i}]")
    elif a != b or type(a) is not type(b):
        yield f"{where or '.'}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}"


def verdict_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The verdicts that differ (a pair's relation, or the number of stories), as lines:
    what a reader of the report would see change, beside the scores that moved."""
    kinds = [{(r["a"], r["b"]): r["relation"] for r in report["relations"]} for report in (before, after)]
    changed = [f"{a} ~ {b}: {kinds[0].get((a, b), 'none')} -> {kinds[1].get((a, b), 'none')}"
               for a, b in sorted(kinds[0].keys() | kinds[1].keys()) if kinds[0].get((a, b)) != kinds[1].get((a, b))]
    if len(before["stories"]) != len(after["stories"]):
        changed.append(f"stories: {len(before['stories'])} -> {len(after['stories'])}")
    return changed


def inputs(sizes: list[int]) -> dict[str, Path]:
    """The inputs to compare, by name."""
    named = {"seeds": SEEDS, "demo": DEMO, "seeds-digest": SEEDS, "demo-digest": DEMO}
    named.update({f"corpus_{size}": corpus(size) for size in sizes if size > 0})
    return named


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the revision before (a worktree is made of it)")
    parser.add_argument("--head", help="the revision after (default: this working tree)")
    parser.add_argument("--sizes", default="10000",
                        help="generated corpus sizes, comma separated (0: none; default 10000)")
    parser.add_argument("--jobs", type=int, default=2, help="analyses run at once (default 2)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    base = checkout(args.base)
    head = checkout(args.head) if args.head else Side("working tree", ROOT, None)
    try:
        return compare(base, head, inputs(sizes), args.jobs)
    finally:
        remove(base)
        remove(head)


def compare(base: Side, head: Side, named: dict[str, Path], jobs: int) -> int:
    """Run both sides on every input and print whether their reports agree (the exit status)."""
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        runs = {(name, side.label): pool.submit(report, side, name, path)
                for name, path in named.items() for side in (base, head)}
        status = 0
        for name in named:
            try:
                before, after = (runs[name, side.label].result() for side in (base, head))
            except RuntimeError as exc:
                print(f"{name}: FAILED\n{exc}")
                status = 2
                continue
            found = list(differences(without_timings(before), without_timings(after)))
            counts = f"{len(after['articles'])} articles, {len(after['relations'])} relations, " \
                     f"{len(after['stories'])} stories"
            if not found:
                print(f"{name}: identical ({counts})", flush=True)
                continue
            status = max(status, 1)
            print(f"{name}: DIFFERENT ({len(found)} differences; head: {counts})")
            changed = verdict_changes(before, after)
            print(f"  verdicts changed: {len(changed)}" + ("" if changed else " (scores and signals only)"))
            for line in changed[:MAX_DIFFERENCES]:
                print(f"    {line}")
            for line in found[:MAX_DIFFERENCES]:
                print(f"  {line}")
            if len(found) > MAX_DIFFERENCES:
                print(f"  ... and {len(found) - MAX_DIFFERENCES} more")
    print(f"base: {base.label}; head: {head.label}")
    return status


if __name__ == "__main__":
    sys.exit(main())
