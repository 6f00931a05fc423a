"""The C heap's settings for a process that runs one big job: the ``ftrisk`` command.

glibc's allocator adapts two thresholds as a program runs: an array freed after being
given its own memory map raises the size from which arrays get one (up to 32 MiB), and
with it the free space the heap keeps at its top before handing it back (up to 64 MiB).
A 10^6-sample ``ftrisk run`` frees a few such arrays early (the fan chart's months, the
study's tables), after which every chunk's arrays (a few MiB at most) come from a heap
that no longer shrinks: its peak was 20-40 MiB above what the chunks held, and what it
kept stayed under the report.

:func:`steady_heap` fixes both thresholds once, at the command's start: arrays from
:data:`MMAP_THRESHOLD` up get a map of their own (returned whole when freed: the kept NPVs,
the fan's months), smaller ones (a chunk's columns, its model's working arrays) come from
the heap, whose pages are reused from chunk to chunk (no fresh pages to fault in), and
the heap's top is handed back beyond :data:`TRIM_THRESHOLD`. :func:`arrow_on_heap` has
pyarrow take its buffers (samples.parquet's pages as they are encoded and read back) from
the same heap rather than from its own allocator, which kept ~6 MiB of them after the run,
released or not. Only the command does this: a program that imports ftrisk keeps its own
allocators' settings. On a system without glibc neither does anything.

Every run, the command's or a program's, uses :func:`share_one_heap` (one heap for the
worker threads), and a run that writes samples.parquet :func:`release_freed_memory` (its
free pages handed back once the chunks are in, before the report). A run held in memory
(``write=False``, the interactive path) keeps them for its next run, which would otherwise
fault the same pages in again (trimming took ~3 ms of a 10^5-sample run's ~120).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
from collections.abc import MutableMapping
from typing import Any

__all__ = ["ARROW_POOL", "MMAP_THRESHOLD", "TRIM_THRESHOLD", "arrow_on_heap",
           "release_freed_memory", "share_one_heap", "steady_heap"]

#: Arrays from this size get a memory map of their own (glibc's M_MMAP_THRESHOLD): above
#: a 16,384-sample chunk's arrays (its 20 inputs in one 2.5 MiB block, the model's packed
#: coefficients, ~3.9 MiB for five strategies), below the whole-run arrays (8 MB a column
#: of 10^6 samples).
MMAP_THRESHOLD = 4 << 20
#: Free space at the heap's top beyond which it is handed back (glibc's M_TRIM_THRESHOLD;
#: its default before it adapts).
TRIM_THRESHOLD = 128 << 10

#: The environment variable that names pyarrow's default memory pool (read when pyarrow
#: first allocates).
ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"

#: glibc's mallopt parameters (the most heaps, or arenas, threads allocate from)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


@functools.cache
def libc() -> Any:
    """The C library (None when it cannot be loaded)."""
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def steady_heap(lib: Any = None) -> bool:
    """Fix glibc's mmap and trim thresholds (:data:`MMAP_THRESHOLD`,
    :data:`TRIM_THRESHOLD`) for the rest of the process; True when they were set, False
    without glibc (nothing is done). ``lib``: the C library (default :func:`libc`).

    Examples
    --------
    >>> steady_heap(lib=object())  # a C library without mallopt: nothing done
    False
    """
    lib = libc() if lib is None else lib
    mallopt = getattr(lib, "mallopt", None)
    if mallopt is None:
        return False
    # mallopt returns 1 on success
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) & bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def arrow_on_heap(environ: MutableMapping[str, str] | None = None, lib: Any = None) -> bool:
    """Have pyarrow allocate from the C heap (its "system" pool) in this process, unless
    :data:`ARROW_POOL` already names a pool; True when set. Call it before pyarrow is
    imported (the ``ftrisk`` command does, first thing). Nothing without glibc (``lib``:
    the C library, default :func:`libc`), whose heap :func:`steady_heap` keeps in check.

    Examples
    --------
    >>> env = {}
    >>> arrow_on_heap(env, lib=object()), env  # no glibc: pyarrow keeps its allocator
    (False, {})
    """
    environ = os.environ if environ is None else environ
    lib = libc() if lib is None else lib
    if ARROW_POOL in environ or getattr(lib, "mallopt", None) is None:
        return False
    if environ is os.environ and "pyarrow" in sys.modules:
        return False  # too late: its pool is chosen when it first allocates
    environ[ARROW_POOL] = "system"
    return True


def share_one_heap() -> None:
    """Let every thread allocate from one heap (glibc; nothing elsewhere).

    glibc gives each thread that allocates its own heap (arena), and keeps each heap's
    freed pages: the worker threads' chunks left about 70 MiB per run behind, under
    everything that came next (the report). One heap reuses the same pages for every
    chunk, and :func:`release_freed_memory` can hand them back. The threads allocate a
    few hundred arrays per chunk, so they hardly contend for it.
    """
    lib = libc()
    if lib is not None and hasattr(lib, "mallopt"):
        lib.mallopt(M_ARENA_MAX, 1)


def release_freed_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's ``malloc_trim``; nothing
    elsewhere).

    The chunks' arrays are allocated by the worker threads, each with its own heap
    (arena), and freed by the collector and the writer: the freed pages stay with the
    process (about 60 MiB after a 10^6-sample run), under whatever comes next (the
    report). Trimming takes a few milliseconds.
    """
    lib = libc()
    if lib is not None and hasattr(lib, "malloc_trim"):
        lib.malloc_trim(0)
