"""Memory a run no longer uses, given back to the system between stages.

CPython frees objects to the C allocator, which keeps their pages for later allocations. A
stage that then works in large arrays (numpy maps those afresh) reuses none of them, so what
an earlier stage freed stays resident and adds to the later one's peak. In a 100,000-article
first run, the new articles and the earlier stages' work, freed before the story stage, still
held 1.4 GB of the process's 1.9 GB there; given back, the stage starts from 0.5 GB and the
run's peak fell from 3,848 to 3,098 MB. glibc gives free pages back on request
(``malloc_trim``); with another C library nothing is called.

:func:`keep_freed_memory` does the opposite, for a worker that repeats one kind of work
(the spaCy parse): freed blocks stay for the next batch instead of being mapped afresh.

:func:`memory_limit` says how much memory the process may use at all, where a buffer is
sized by it (the texts ``dedup`` keeps in memory).

:func:`collector_paused` holds Python's cyclic garbage collector off while a run builds its
many small objects (articles, relations, stories), which hold no reference cycles to collect.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@functools.cache
def _c_library_function(name: str) -> Callable[..., int] | None:
    """The C library's function ``name`` (glibc's ``malloc_trim``, ``mallopt``), if this
    process's C library has one."""
    try:
        library = ctypes.CDLL(None)
    except (OSError, TypeError):  # no handle on the running process (Windows)
        return None
    return getattr(library, name, None)


def release_free_memory() -> bool:
    """Give the pages the C allocator holds free back to the system; whether the C library
    could be asked to (glibc: yes)."""
    trim = _c_library_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


#: glibc ``mallopt`` parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: The largest block glibc will then take from its heap rather than map on its own (its own
#: ceiling for the threshold on 64-bit systems).
_HEAP_BLOCK_BYTES = 32 << 20


def keep_freed_memory() -> bool:
    """Have the C allocator keep the memory freed in this process for its next allocations,
    instead of giving blocks of a few MB back to the system as they are freed and mapping (and
    faulting in) fresh pages for the next ones; whether the C library could be told (glibc: yes).

    For a worker process that repeats one kind of work on arrays of a few MB, as a spaCy
    parse does per batch: 257 against 37 page faults per article, 112 against 106 ms of CPU.
    Its memory then does not shrink until it ends (:func:`release_free_memory` still works).
    """
    options = _c_library_function("mallopt")
    if options is None:
        return False
    return bool(options(_M_MMAP_THRESHOLD, _HEAP_BLOCK_BYTES) and options(_M_TRIM_THRESHOLD, 1 << 30))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside the block, and on again after it where it
    was on before (reference counting still frees every object as it goes).

    The collector runs whenever a few hundred container objects have been made, and every
    so often walks all of them: a second ``analyze`` of 1,000 articles into a
    100,000-article store reads 101,000 articles and describes 95,000 stories, and the walks
    took about 8% of its time (9.1-9.3 against 9.9-10.5 CPU-s of Python code). A run
    leaves next to nothing for it: ``gc.collect()`` after a first run of 10,000 articles
    found 10 objects in cycles, after a second run none."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            _promote_young_objects()
            gc.enable()


def _promote_young_objects() -> None:
    """Move every object the collector tracks into its oldest generation, as if each had
    survived the younger collections. A paused block leaves all it made in the youngest
    generation, and the first collection after it walked them all: 0.4 s after a second
    ``analyze`` into a 100,000-article store, for objects that are the report (long-lived,
    next to no cycles). In the oldest generation they wait for the next full collection."""
    gc.freeze()
    gc.unfreeze()


#: Where Linux control groups (v2, then v1) say how much memory this process may use.
_CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def memory_limit() -> int | None:
    """The memory this process may use, in bytes: the machine's (POSIX ``sysconf``), or its
    container's limit where a control group sets a lower one; ``None`` where neither is known."""
    limits = []
    try:
        limits.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        pass
    for path in _CGROUP_LIMITS:
        try:
            with open(path) as limit:
                value = limit.read().strip()
        except OSError:
            continue
        if value.isdigit():  # "max" (v2) is no limit; v1 writes a huge number for none
            limits.append(int(value))
        break
    return min(limits) if limits else None
