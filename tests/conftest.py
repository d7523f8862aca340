"""Shared test set-up: a private cache dir (onnxruntime writes under it) and ../shared paths."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

if "XDG_CACHE_HOME" not in os.environ:  # removed when the test run ends, not left in /tmp
    _CACHE = tempfile.mkdtemp(prefix="newstrace-test-cache-")
    os.environ["XDG_CACHE_HOME"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``../shared`` folder beside the checkout; tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent: real articles and datasets are read from there")
    return SHARED


@pytest.fixture(scope="session")
def seeds(shared: Path) -> Path:
    path = shared / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is absent")
    return path
