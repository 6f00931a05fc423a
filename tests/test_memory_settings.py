"""The ``ftrisk`` command's C heap settings (sim/heap.py) and the column reads that keep the
report's memory down (sim/runner/samples_file.py)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import sim.cli
import sim.heap
from sim.heap import M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, MMAP_THRESHOLD, TRIM_THRESHOLD
from sim.runner.samples_file import SamplesWriter, read_column, read_columns

from helpers import STUDIES

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


class FakeLibc:
    """A C library whose mallopt records its calls and answers ``result``."""

    def __init__(self, result: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.result = result

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return self.result


def test_steady_heap_fixes_both_thresholds():
    lib = FakeLibc()
    assert sim.heap.steady_heap(lib) is True
    assert lib.calls == [(M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD)]
    # glibc's parameter numbers (malloc.h) and the sizes the module documents
    assert (M_TRIM_THRESHOLD, M_MMAP_THRESHOLD) == (-1, -3)
    assert (MMAP_THRESHOLD, TRIM_THRESHOLD) == (4 * 1024 * 1024, 128 * 1024)


def test_steady_heap_says_when_mallopt_refused():
    lib = FakeLibc(result=0)
    assert sim.heap.steady_heap(lib) is False
    assert len(lib.calls) == 2  # both asked for all the same


def test_steady_heap_does_nothing_without_glibc(monkeypatch):
    # a C library without mallopt (musl, macOS, Windows) and none at all
    assert sim.heap.steady_heap(object()) is False
    monkeypatch.setattr(sim.heap, "libc", lambda: None)
    assert sim.heap.steady_heap() is False


def test_the_command_sets_the_heap_once_per_run(monkeypatch, tmp_path, capsys):
    calls = []
    monkeypatch.setattr(sim.cli, "steady_heap", lambda: calls.append(1) or True)
    code = sim.cli.main(["run", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "o")])
    assert code == 2  # the study file is missing: a one-line error, after the setting
    assert "missing.toml" in capsys.readouterr().err
    assert calls == [1]


# what glibc does with the settings, in a fresh process (not to change this one's heap):
# a 6 MiB block is freed, then a 5 MiB one taken; mallinfo2's hblkhd is the bytes in blocks
# with a memory map of their own
_PROBE = """
import ctypes, json, sys
from sim.heap import steady_heap
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = Info
applied = steady_heap() if sys.argv[1] == "steady" else None
if sys.argv[1] == "library":  # a program that runs a study through the library
    from sim import load_study, run
    run(load_study(sys.argv[2]).replace(samples=4096))
libc.free(libc.malloc(6 << 20))
before = libc.mallinfo2().hblkhd
block = libc.malloc(5 << 20)
mapped = libc.mallinfo2().hblkhd - before
libc.free(block)
print(json.dumps({"applied": applied, "mapped": mapped}))
"""


def _clean_env() -> dict[str, str]:
    """This process's environment without glibc's allocator settings (Dask's nanny sets
    MALLOC_TRIM_THRESHOLD_ in the process that starts a local cluster: a test's before)."""
    return {**{k: v for k, v in os.environ.items()
               if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"},
            "PYTHONPATH": ":".join(sys.path)}


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
@pytest.mark.parametrize("mode", ["steady", "default", "library"])
def test_glibc_keeps_large_blocks_in_their_own_maps(mode, tmp_path):
    out = subprocess.run([sys.executable, "-c", _PROBE, mode,
                          str(STUDIES / "lesson_parity.toml")], capture_output=True, text=True,
                         check=True, cwd=tmp_path, env=_clean_env())
    got = json.loads(out.stdout.splitlines()[-1])
    if mode == "steady":
        # fixed: a block above MMAP_THRESHOLD gets its own map, which free returns whole
        assert got == {"applied": True, "mapped": pytest.approx(5 << 20, abs=1 << 16)}
    else:
        # glibc's default: freeing the 6 MiB map raised the threshold past 5 MiB, so the
        # block came from the heap, which keeps its pages (what steady_heap prevents); a
        # program that runs a study through the library keeps that default
        assert got == {"applied": None, "mapped": 0}


def _write(path, n, row_group):
    rng = np.random.default_rng(7)
    x = rng.normal(size=n)
    x[::5] = np.nan
    m = rng.integers(0, 4, size=n).astype(np.int16)  # 0: no payback, read back as NaN
    with SamplesWriter(path, row_group=row_group) as w:
        for a in range(0, n, 7):
            w.append({"sample": np.arange(a, min(a + 7, n)), "x": x[a:a + 7], "m": m[a:a + 7]})
    return x, np.where(m == 0, np.nan, m.astype(np.float64))


@pytest.mark.parametrize("rows", [None, 0, 1, 16, 17, 33, 50, 10**6])
def test_read_columns_one_column_at_a_time_reads_the_values_written(tmp_path, rows):
    path = tmp_path / "s.parquet"
    x, m = _write(path, 50, row_group=16)  # row groups of 16, 16, 16 and 2 rows
    got = read_columns(path, ["m", "x", "sample"], rows=rows)
    n = 50 if rows is None else min(rows, 50)
    assert list(got) == ["m", "x", "sample"]
    np.testing.assert_array_equal(got["x"], x[:n])  # NaN where written, bit for bit
    np.testing.assert_array_equal(got["m"], m[:n])
    np.testing.assert_array_equal(got["sample"], np.arange(n, dtype=np.float64))
    # the same as the whole-column reader's first rows
    np.testing.assert_array_equal(got["x"], read_column(path, "x")[:n])


def test_arrow_on_heap_names_the_system_pool():
    env: dict[str, str] = {}
    assert sim.heap.arrow_on_heap(env, lib=FakeLibc()) is True
    assert env == {"ARROW_DEFAULT_MEMORY_POOL": "system"}


def test_arrow_on_heap_keeps_a_pool_the_user_named():
    env = {"ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}
    assert sim.heap.arrow_on_heap(env, lib=FakeLibc()) is False
    assert env == {"ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}


def test_arrow_on_heap_does_nothing_without_glibc_or_once_pyarrow_is_in(monkeypatch):
    env: dict[str, str] = {}
    assert sim.heap.arrow_on_heap(env, lib=object()) is False
    assert env == {}
    import pyarrow  # noqa: F401  (this process has it: its pool may be chosen already)

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    assert sim.heap.arrow_on_heap(lib=FakeLibc()) is False
    assert "ARROW_DEFAULT_MEMORY_POOL" not in os.environ


_POOL = """
import sys
from sim.cli import main
code = main(["run", "missing.toml"])
import pyarrow
print(code, pyarrow.default_memory_pool().backend_name)
"""


@pytest.mark.skipif(not GLIBC, reason="glibc's allocator only")
@pytest.mark.parametrize("preset", [None, "mimalloc"])
def test_the_command_gives_pyarrow_the_c_heap(tmp_path, preset):
    env = {k: v for k, v in _clean_env().items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if preset:
        env["ARROW_DEFAULT_MEMORY_POOL"] = preset
    out = subprocess.run([sys.executable, "-c", _POOL], capture_output=True, text=True,
                         check=True, cwd=tmp_path, env=env)
    assert out.stdout.split() == ["2", preset or "system"]


def test_the_writer_queues_one_chunk(monkeypatch, tmp_path):
    # a chunk being written and WRITE_QUEUE (one) waiting: the next put waits for the writer
    from sim.runner import collect

    assert collect.WRITE_QUEUE == 1
    go = threading.Event()
    written = []

    def slow_append(self, columns):
        go.wait()
        written.append(int(columns["sample"][0]))

    monkeypatch.setattr(collect.SamplesWriter, "append", slow_append)
    w = collect.BackgroundWriter(tmp_path / "s.parquet")
    chunk = [{"sample": np.arange(a, a + 2)} for a in (0, 2, 4)]
    w.put(chunk[0])  # taken by the writer thread, which waits in append
    while w._queue.qsize():
        time.sleep(0.001)
    w.put(chunk[1])  # queued
    third = threading.Thread(target=w.put, args=(chunk[2],))
    third.start()
    third.join(0.2)
    assert third.is_alive()  # no room: waits while two chunks are held
    go.set()
    third.join()
    monkeypatch.setattr(collect.SamplesWriter, "close", lambda self: None)
    w.close()
    assert written == [0, 2, 4]


def test_chunks_in_flight_are_bounded_by_the_workers():
    # chunk 0 is slow: the other worker must not run ahead beyond workers + AHEAD chunks
    # taken out and not yet collected (each holds its columns in memory)
    from sim.runner import runner

    assert runner.AHEAD == 0
    slow = threading.Event()
    lock = threading.Lock()
    started, collected, most = [], [], [0]

    def work(a, b):
        with lock:
            started.append(a)
            most[0] = max(most[0], len(started) - len(collected))
        if a == 0:
            slow.wait(5)
        return {"sample": np.arange(a, b)}, None

    class Collector:
        done = 0

        def add(self, columns, fan):
            collected.append(int(columns["sample"][0]))
            self.done += columns["sample"].size

    bounds = [(a, a + 2) for a in range(0, 12, 2)]
    timer = threading.Timer(0.3, slow.set)  # chunk 0 ends after the others had their chance
    timer.start()
    runner._evaluate_chunks(work, bounds, 2, Collector(), None)
    timer.join()
    assert collected == [a for a, _ in bounds]  # in sample order
    assert most[0] == 2 + runner.AHEAD
