"""The model runtime loads in one order whatever a program imports first.

usearch's compiled module crashes onnxruntime when it is loaded first (see
:func:`newstrace.encode.runtime.check_load_order`). :mod:`newstrace.encode.index` is the only module
that imports usearch, after onnxruntime; each test here starts a fresh interpreter,
imports one module first, then builds a vector index, clusters stories and analyses the
seeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import newstrace

SRC = Path(newstrace.__file__).resolve().parent

#: Every public module of the package (no leading underscore), by dotted name.
PUBLIC_MODULES = sorted(
    ("newstrace." + ".".join(path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
    for path in SRC.rglob("*.py")
    if not any(part.startswith("_") for part in path.relative_to(SRC).with_suffix("").parts)
    or path.name == "__init__.py"
)

#: Runs vectors, stories and analyze; prints one line per stage.
WORK = """
import sys
import numpy as np
from newstrace.encode.index import VectorIndex
index = VectorIndex(ndim=3)
index.add([1, 2], np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
keys, _ = index.search(np.array([[0.9, 0.1, 0]], dtype=np.float32), k=1)
print("vectors", int(keys[0, 0]))
from newstrace.ingest.readers import iter_articles
from newstrace.stories import StoryClusterer, encode_leads
articles = list(iter_articles([sys.argv[1]]))
clusterer = StoryClusterer()
clusterer.assign(articles, encode_leads(articles), [])
print("stories", len(clusterer.stories()))
import newstrace
report = newstrace.analyze(sys.argv[1])
print("analyze", sorted((r.relation, r.source, r.copy_id) for r in report.relations if r.derived))
"""


def run_after(first: str, seeds: Path) -> subprocess.CompletedProcess[str]:
    """Import ``first`` in a fresh interpreter, then run :data:`WORK` on the seeds."""
    code = f"import {first}\n{WORK}"
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    return subprocess.run([sys.executable, "-c", code, str(seeds)], capture_output=True, text=True,
                          env=env, timeout=300)


def test_the_public_modules_are_found() -> None:
    assert {"newstrace", "newstrace.encode.index", "newstrace.stories", "newstrace.report.view"} <= set(PUBLIC_MODULES)


def test_only_vectors_imports_usearch() -> None:
    importers = [path.name for path in SRC.rglob("*.py")
                 if "import usearch" in path.read_text() or "from usearch" in path.read_text()]
    assert importers == ["index.py"]


@pytest.mark.parametrize("first", PUBLIC_MODULES)
def test_any_module_first_then_vectors_stories_and_analyze(first: str, seeds: Path) -> None:
    done = run_after(first, seeds)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "vectors 1"
    assert lines[1].startswith("stories ")
    assert "('copy'" in lines[2] and "('paraphrase'" in lines[2]


def test_onnxruntime_first_then_usearch_works(seeds: Path) -> None:
    done = run_after("onnxruntime, usearch.index", seeds)
    assert done.returncode == 0, done.stderr[-2000:]


def test_usearch_before_newstrace_is_refused_with_a_reason_not_a_crash(seeds: Path) -> None:
    done = run_after("usearch.index", seeds)
    assert done.returncode == 1  # a Python exception, not a signal
    assert "ImportError: usearch was imported before newstrace" in done.stderr
