"""Where a run's chunks go, in sample order: the summary's accumulator, the columns kept in
memory, and samples.parquet written by a background thread.

The model produces a chunk of samples at a time. The worker thread that computed it hands
it to :meth:`Collector.place`, which does what needs only that chunk, in parallel with the
other workers:

- copies the columns kept whole into their rows: each strategy's NPV when they fit
  (:data:`ORDER_BYTES`), for exact quantiles, CVaR and the histogram without reading the
  file back (the rest of the order statistics read back one column at a time,
  :func:`~sim.runner.summary.file_order_stats`); every column when the run is held in
  memory (``write=False``), where an input drawn whole is kept as it is, not copied;
- cuts the summary's columns into the samples file's row groups (:data:`ROW_GROUP` rows);
  the thread that completes a row group sums it up
  (:meth:`~sim.runner.summary.Accumulator.stats`);
- starts the fan chart's bands when the chunk holds every sample of the fan;
- in a run held in memory, once its last rows are in, starts sorting each strategy's NPV
  for the summary's order statistics, on a thread of its own while this one sums up the
  row groups that chunk completes.

:meth:`Collector.add` then takes the chunks in order on the main thread: it merges the row
groups' sums into the :class:`~sim.runner.summary.Accumulator` in file order (so the
headline figures are the same bit for bit whatever the chunking or workers, and whether
the file is written or not) and hands the chunk to a :class:`BackgroundWriter`, which
appends it to samples.parquet on its own thread while the next chunk is computed (a
bounded queue keeps memory bounded). A chunk computed elsewhere (a cluster's) is placed
there.

:meth:`Collector.add` also copies the first rows of some columns (a :class:`Head`: the
report's decision analyses read the first 32,768 samples) and hands them over once they
are in, while the rest of the run goes on.
"""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.heap import release_freed_memory, share_one_heap
from sim.runner.quantiles import row_quantiles
from sim.runner.samples_file import ROW_GROUP, SamplesWriter, null_mask, nullable
from sim.runner.summary import (
    Accumulator,
    GroupStats,
    MemoryOrderStats,
    OrderStats,
    col,
    file_order_stats,
)
from sim.runner.threads import started
from sim.study import Study

__all__ = ["ORDER_BYTES", "BackgroundWriter", "Collected", "Collector", "Head", "fan_frame",
           "release_freed_memory", "share_one_heap"]

#: Bytes of NPV kept in memory for the order statistics (10^6 samples of four strategies);
#: a larger run reads each strategy's NPV back from samples.parquet.
ORDER_BYTES = 32 << 20
#: Chunks waiting for the writer thread (each a chunk's columns, ~5 MiB at 16,384 samples of
#: five strategies; the writer holds those of the row group it assembles besides). One
#: keeps the writer busy: with two a 10^6-sample run peaked ~8 MiB higher, no faster.
WRITE_QUEUE = 1


class BackgroundWriter:
    """A :class:`~sim.runner.samples_file.SamplesWriter` fed from another thread.

    :meth:`put` hands a chunk's columns over (waiting while :data:`WRITE_QUEUE` chunks are
    already queued); :meth:`close` waits for the writes and finishes the file. An error in
    the writer thread is raised by the next :meth:`put` or by :meth:`close`. The file is
    the one the writer would write in the caller's thread: same rows, same row groups.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer = SamplesWriter(path, nulls=nullable)
        self._queue: queue.Queue[dict[str, np.ndarray] | None] = queue.Queue(WRITE_QUEUE)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="ftrisk-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._writer.append(item)
                except BaseException as err:  # re-raised in the caller's thread
                    self._error = err

    def put(self, columns: dict[str, np.ndarray]) -> None:
        """Queue a chunk's columns for writing."""
        if self._error is not None:
            raise self._error
        self._queue.put(columns)

    def close(self, *, abandon: bool = False) -> None:
        """Wait for the queued writes and finish the file (``abandon``: a failed run, the
        file is being dropped)."""
        self._queue.put(None)
        self._thread.join()
        if abandon:
            self._writer.__exit__(RuntimeError, None, None)
            return
        if self._error is not None:
            raise self._error
        self._writer.close()


@dataclass(frozen=True)
class Head:
    """The first ``rows`` samples of some ``columns``, handed to ``ready`` (on the thread
    that collects the chunks) as soon as they are in: ``ready`` gets a dict of float64
    arrays, as :func:`~sim.runner.samples_file.read_columns` would read them from the
    samples file (NaN for a missing value: a payback month of 0, a NaN). A run with fewer
    samples hands over all of them; a run stopped before ``rows`` hands over nothing.

    Examples
    --------
    >>> got = []
    >>> head = Head(2, ("x",), got.append)
    >>> head.rows, head.columns
    (2, ('x',))
    """

    rows: int
    columns: tuple[str, ...]
    ready: Callable[[dict[str, np.ndarray]], None]


@dataclass(frozen=True)
class Collected:
    """What a :class:`Collector` gathered (:meth:`Collector.finish`).

    Attributes
    ----------
    acc : Accumulator
        Every row fed, in the file's row groups.
    order : OrderStats
        The order statistics (from memory, or from the samples file).
    columns : dict or None
        Every column (a run held in memory), else None.
    correlated : dict
        The first rows of the correlated inputs.
    fan : polars.DataFrame
        The fan chart's bands (:func:`fan_frame`).
    """

    acc: Accumulator
    order: OrderStats
    columns: dict[str, np.ndarray] | None
    correlated: dict[str, np.ndarray]
    fan: pl.DataFrame


class Collector:
    """Takes a run's chunks in sample order (see the module docstring).

    Parameters
    ----------
    study : Study
        The study run (its ``samples`` is the total).
    writer : BackgroundWriter, optional
        Where samples.parquet goes (None: no file).
    keep_all : bool
        Keep every column in memory (a run held in memory).
    correlation_rows : int
        Keep the first rows of the correlated inputs (the achieved rank correlations).
    fan_rows : int
        The samples the fan chart's bands come from (the first ones).
    head : Head, optional
        First rows of some columns to hand over once they are in.
    """

    def __init__(self, study: Study, *, writer: BackgroundWriter | None, keep_all: bool,
                 correlation_rows: int = 0, fan_rows: int = 0,
                 head: Head | None = None) -> None:
        share_one_heap()  # before the worker threads start
        self.study = study
        self.acc = Accumulator(study)
        self.writer = writer
        self.n = study.samples
        self._stat_cols = self.acc.columns()
        #: row groups being assembled (by first row): [rows in, their pieces by first row]
        self._groups: dict[int, tuple[list[int], list[tuple[int, dict[str, np.ndarray]]]]] = {}
        #: what each complete row group adds to the accumulator, until it is merged
        self._stats: dict[int, GroupStats] = {}
        self._merged = 0  # rows merged into the accumulator
        others = self.acc.others
        self._keep_all = keep_all
        # a run held in memory keeps every column anyway
        keep_npv = not keep_all and self.n * 8 * len(others) <= ORDER_BYTES
        #: columns held whole, filled chunk by chunk (:meth:`place`): every column of a run
        #: held in memory, else the kept NPVs...
        self._whole: dict[str, np.ndarray] = (
            {col("npv", s): np.empty(self.n) for s in others} if keep_npv else {})
        #: ...and the columns whose chunks are slices of an array of every sample already
        self._given: dict[str, np.ndarray] = {}
        self._names: list[str] = []  # a chunk's columns, in order
        self._placed: set[int] = set()  # chunks (by first sample) already placed
        self._rows_placed = 0  # rows of a run held in memory copied into their columns
        #: a run held in memory: its order statistics, sorted as soon as its last rows are
        #: in (:meth:`_sort_early`), and the wait for them
        self._order: tuple[MemoryOrderStats, Callable[[], None]] | None = None
        self._lock = threading.Lock()
        names = sorted({c.a for c in study.correlations} | {c.b for c in study.correlations})
        self._corr_rows = min(correlation_rows, self.n) if names else 0
        self._corr = {c: np.empty(self._corr_rows) for c in names}
        self._fan_rows = min(fan_rows, self.n)
        self._fan_parts: dict[str, list[np.ndarray]] = collections.defaultdict(list)
        self._fan: Callable[[], pl.DataFrame] | None = None
        self._head = head if head is not None and min(head.rows, self.n) > 0 else None
        self._head_rows = 0 if self._head is None else min(self._head.rows, self.n)
        self._head_cols = ({} if self._head is None else
                           {c: np.empty(self._head_rows) for c in self._head.columns})
        self.done = 0

    def place(self, columns: dict[str, np.ndarray], start: int,
              fan: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Copy a chunk's columns that are held whole into their rows, hand its rows to
        their row groups (summing up each group it completes), and return the chunk's
        columns, those held whole as views of the whole columns. A first chunk that holds
        every sample of the fan (``fan``, by strategy) starts its bands.

        Thread-safe: a worker thread calls it as soon as it has computed the chunk, so
        this runs in parallel. A column that is already rows ``start...`` of an array of
        every sample (an input of a run held in memory, drawn whole by
        :class:`~sim.runner.draws.Draws`) is kept as that array, not copied.
        """
        m = columns["sample"].size
        if fan and start == 0 and m >= self._fan_rows > 0:
            self._fan = started(lambda: fan_frame({s: [x] for s, x in fan.items()}))
        out = dict(columns)
        for c, x in columns.items():
            whole = self._given.get(c)
            if whole is not None and _rows_of(x, whole, start):
                continue
            whole = self._whole.get(c)
            if whole is None:
                if not self._keep_all:
                    continue
                whole = self._held(c, x, start)
                if whole is None:
                    continue
            whole[start:start + m] = x
            out[c] = whole[start:start + m]
        if self._keep_all:
            with self._lock:
                self._rows_placed += m
                last = self._rows_placed == self.n
            if last:
                self._sort_early(list(columns))
        self._deposit(out, start)
        with self._lock:
            self._placed.add(start)
        return out

    def _kept(self, names: list[str]) -> dict[str, np.ndarray]:
        """A run held in memory's whole columns ``names`` (a chunk's columns)."""
        return {c: self._given[c] if c in self._given else self._whole[c] for c in names}

    def _memory_order(self, columns: dict[str, np.ndarray]) -> MemoryOrderStats:
        """The order statistics of a run held in memory, from its whole columns."""
        others = self.acc.others
        return MemoryOrderStats(
            {s: columns[col("npv", s)] for s in others} if columns else {},
            {s: columns[col("payback_months", s)] for s in others} if columns else {},
            ROW_GROUP)

    def _sort_early(self, names: list[str]) -> None:
        """Once a run held in memory has every row in its columns, sort them for the
        summary (:meth:`MemoryOrderStats.prepare`) on a thread of their own, while this
        one sums up the row groups its chunk completes (the other worker is idle by then:
        ~7 ms of sorting off the end of a 10^5-sample run)."""
        order = self._memory_order(self._kept(names))
        self._order = (order, started(lambda: order.prepare(self.acc.others)))

    def _deposit(self, columns: dict[str, np.ndarray], start: int) -> None:
        """Hand a chunk's rows to their row groups; sum up each group this completes (on
        this thread: a worker's, when called from :meth:`place`)."""
        stop = start + columns["sample"].size
        done = []
        with self._lock:
            g = start - start % ROW_GROUP
            while g < stop:
                end = min(g + ROW_GROUP, self.n)
                a, b = max(g, start), min(end, stop)
                rows, pieces = self._groups.setdefault(g, ([0], []))
                rows[0] += b - a
                if not self._keep_all:  # else the rows are in the whole columns
                    pieces.append((a, {c: columns[c][a - start:b - start]
                                       for c in self._stat_cols}))
                if rows[0] == end - g:
                    done.append((g, end, self._groups.pop(g)[1]))
                g += ROW_GROUP
        for g, end, pieces in done:
            self._stats[g] = self.acc.stats(self._rows(g, end, pieces))

    def _rows(self, a: int, b: int, pieces: list[tuple[int, dict[str, np.ndarray]]]
              ) -> dict[str, np.ndarray]:
        """The summary's columns of rows ``a`` to ``b - 1`` (a row group), from the whole
        columns or from the chunks' pieces."""
        if self._keep_all:
            return {c: (self._whole[c] if c in self._whole else self._given[c])[a:b]
                    for c in self._stat_cols}
        pieces.sort(key=lambda p: p[0])
        if len(pieces) == 1:
            return pieces[0][1]
        return {c: np.concatenate([p[c] for _, p in pieces]) for c in self._stat_cols}

    def _held(self, c: str, x: np.ndarray, start: int) -> np.ndarray | None:
        """The whole column ``c`` to copy chunk ``x`` into, made on first use; None when
        ``x`` is the given whole column's rows already."""
        with self._lock:
            whole = self._given.get(c)
            if whole is not None:
                if _rows_of(x, whole, start):
                    return None
                # a chunk from elsewhere: hold a copy, into which every chunk goes
                self._whole[c] = np.array(self._given.pop(c))
            elif c not in self._whole:
                base = x.base
                if isinstance(base, np.ndarray) and base.shape == (self.n,) and _rows_of(
                        x, base, start):
                    self._given[c] = base
                    return None
                self._whole[c] = np.empty(self.n, dtype=x.dtype)
            return self._whole[c]

    def add(self, columns: dict[str, np.ndarray],
            fan: dict[str, np.ndarray] | None = None) -> None:
        """The next chunk's columns (``sample`` first, as samples.parquet holds them) and the
        cumulative net saving by month of its samples among the fan's (by strategy)."""
        m = columns["sample"].size
        start = self.done
        with self._lock:
            placed = start in self._placed
            self._placed.discard(start)
        if not placed:  # a chunk computed elsewhere (a cluster's): placed here
            columns = self.place(columns, start)
            self._placed.discard(start)
        if not self._names:
            self._names = list(columns)
        if start < self._corr_rows:
            stop = min(self._corr_rows, start + m)
            for c, arr in self._corr.items():
                arr[start:stop] = columns[c][: stop - start]
        self.done += m
        self._merge()
        if self.writer is not None:
            self.writer.put(columns)
        self._add_fan(fan)
        self._add_head(columns, start)

    def _add_head(self, columns: dict[str, np.ndarray], start: int) -> None:
        """Copy the chunk's rows among the head's; hand the head over once complete."""
        if self._head is None or start >= self._head_rows:
            return
        stop = min(self._head_rows, start + columns["sample"].size)
        for c, arr in self._head_cols.items():
            x = columns[c][: stop - start]
            arr[start:stop] = x
            null = null_mask(x)  # null in the file, NaN as read back
            if null is not None and null.any():
                arr[start:stop][null] = np.nan
        if stop == self._head_rows:
            ready, got = self._head.ready, self._head_cols
            self._head, self._head_cols = None, {}
            ready(got)

    def _merge(self) -> None:
        """Merge the row groups summed up so far into the accumulator, in file order.

        Every row group whose rows are all in has been: by the thread that completed it,
        before it handed its chunk over."""
        while self._merged in self._stats:
            stats = self._stats.pop(self._merged)
            self.acc.merge(stats)
            self._merged += stats.rows

    def _add_fan(self, fan: dict[str, np.ndarray] | None) -> None:
        """Gather the fan's months; once every fan sample is in, its bands are computed and
        the months dropped (a 10^6-sample run would otherwise hold them to the end)."""
        if self._fan is not None:  # started already (by the first chunk's worker)
            return
        if fan:
            for name, months in fan.items():
                self._fan_parts[name].append(months)
        if self._fan is None and self.done >= self._fan_rows:
            # the bands (a sort of each month's samples) on another thread, while this one
            # takes in the rest of the chunks
            parts = dict(self._fan_parts)
            self._fan = started(lambda: fan_frame(parts))
            self._fan_parts.clear()

    def finish(self) -> Collected:
        """Everything gathered, once every chunk is in (see :class:`Collected`)."""
        # a run that stopped short of the study's samples: its last group is shorter
        for g in sorted(self._groups):
            _, pieces = self._groups.pop(g)
            self._stats[g] = self.acc.stats(self._rows(g, min(g + ROW_GROUP, self.done),
                                                       pieces))
        self._merge()
        columns: dict[str, Any] | None = None
        others = self.acc.others
        order: OrderStats
        if self._keep_all:
            # no trimming of the heap here: a run held in memory is the interactive path,
            # whose next run would fault the same pages in again
            columns = self._kept(self._names)
            if self._order is not None:
                order, sorted_ = self._order
                sorted_()
            else:  # a run that stopped short of its samples
                order = self._memory_order(columns)
        else:
            release_freed_memory()  # the chunks' arrays are gone
            assert self.writer is not None  # a run that keeps no columns writes its file
            kept = {s: self._whole[col("npv", s)] for s in others} if self._whole else None
            order = file_order_stats(self.writer.path, self.acc.total, ROW_GROUP, kept)
        fan = self._fan() if self._fan is not None else fan_frame(self._fan_parts)
        return Collected(self.acc, order, columns, self._corr, fan)


def _rows_of(x: np.ndarray, whole: np.ndarray, start: int) -> bool:
    """True when ``x`` is ``whole[start:start + x.size]`` itself (the same memory).

    Examples
    --------
    >>> a = np.arange(10.0)
    >>> _rows_of(a[3:6], a, 3), _rows_of(a[3:6].copy(), a, 3), _rows_of(a[3:6], a, 4)
    (True, False, False)
    """
    return (x.ndim == 1 and whole.ndim == 1 and x.dtype == whole.dtype
            and x.strides == whole.strides and start + x.size <= whole.size
            and x.ctypes.data == whole.ctypes.data + start * whole.strides[0])


def fan_frame(parts: dict[str, list[np.ndarray]]) -> pl.DataFrame:
    """P10/P50/P90 of the cumulative net saving per strategy and month, from each
    strategy's months (H, samples) in chunks.

    Examples
    --------
    >>> months = np.arange(12.0).reshape(2, 6)
    >>> fan_frame({"a": [months[:, :2], months[:, 2:]]})["p50"].to_list()
    [2.5, 8.5]
    """
    def bands(names: list[str]) -> dict[str, np.ndarray]:
        out = {}
        for name in names:
            chunks = parts[name]
            months = np.concatenate(chunks, axis=1) if len(chunks) > 1 else chunks[0]
            out[name] = row_quantiles(months, [0.1, 0.5, 0.9])  # numpy.quantile's, faster
        return out

    names = list(parts)
    # half of the strategies on a second thread (a sort releases the interpreter's lock)
    other = started(lambda: bands(names[1::2])) if len(names) > 1 else None
    found = bands(names[::2])
    if other is not None:
        found.update(other())
    rows: dict[str, list[Any]] = {k: [] for k in ("strategy", "month", "p10", "p50", "p90")}
    for name in names:
        q = found[name]
        h = q.shape[1]
        rows["strategy"] += [name] * h
        rows["month"] += list(range(1, h + 1))
        for i, k in enumerate(("p10", "p50", "p90")):
            rows[k] += q[i].tolist()
    return pl.DataFrame(rows, schema={"strategy": pl.String, "month": pl.Int64,
                                      "p10": pl.Float64, "p50": pl.Float64, "p90": pl.Float64})
