"""Where a run's chunks go, in sample order: the summary's accumulator, the columns kept in
memory, and samples.parquet written by a background thread.

The model produces a chunk of samples at a time; :class:`Collector` takes them in order and

- cuts the summary's columns into the samples file's row groups (:data:`ROW_GROUP` rows)
  and feeds each to the :class:`~sim.runner.summary.Accumulator`, so the headline figures
  are computed in the same pass as the model, and are the same whether the file is
  written or not;
- keeps each strategy's NPV and fractional payback in memory when they fit
  (:data:`ORDER_BYTES`), for exact quantiles, CVaR and medians without reading the file
  back; and every column, when the run is held in memory (``write=False``);
- hands the chunk to a :class:`BackgroundWriter`, which appends it to samples.parquet on
  its own thread while the next chunk is computed (a bounded queue keeps memory bounded).
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import numpy as np

from sim.runner.samples_file import ROW_GROUP, SamplesWriter
from sim.runner.summary import Accumulator, MemoryOrderStats, col
from sim.study import Study

__all__ = ["ORDER_BYTES", "BackgroundWriter", "Collector"]

#: Bytes of NPV and fractional payback kept in memory for the order statistics; a larger
#: run reads them back from samples.parquet (bounded memory, several passes).
ORDER_BYTES = 128 << 20
#: Chunks waiting for the writer thread (each a chunk's columns).
WRITE_QUEUE = 2


class BackgroundWriter:
    """A :class:`~sim.runner.samples_file.SamplesWriter` fed from another thread.

    :meth:`put` hands a chunk's columns over (waiting while :data:`WRITE_QUEUE` chunks are
    already queued); :meth:`close` waits for the writes and finishes the file. An error in
    the writer thread is raised by the next :meth:`put` or by :meth:`close`. The file is
    the one the writer would write in the caller's thread: same rows, same row groups.
    """

    def __init__(self, path: str | Path) -> None:
        self._writer = SamplesWriter(path)
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
    """

    def __init__(self, study: Study, *, writer: BackgroundWriter | None, keep_all: bool,
                 correlation_rows: int = 0) -> None:
        self.study = study
        self.acc = Accumulator(study)
        self.writer = writer
        self.n = study.samples
        self._stat_cols = self.acc.columns()
        self._pending: list[dict[str, np.ndarray]] = []
        self._pending_rows = 0
        others = self.acc.others
        order_cols = [col(k, s) for s in others for k in ("npv", "payback_months")]
        self._keep_order = keep_all or self.n * 8 * len(order_cols) <= ORDER_BYTES
        self._keep_all = keep_all
        self._kept: dict[str, np.ndarray] = {}
        if self._keep_order:
            self._kept = {c: np.empty(self.n) for c in order_cols}
        self._all: list[dict[str, np.ndarray]] = []
        names = sorted({c.a for c in study.correlations} | {c.b for c in study.correlations})
        self._corr_rows = min(correlation_rows, self.n) if names else 0
        self._corr = {c: np.empty(self._corr_rows) for c in names}
        self.done = 0

    def add(self, columns: dict[str, np.ndarray]) -> None:
        """The next chunk's columns (``sample`` first, as samples.parquet holds them)."""
        m = columns["sample"].size
        start = self.done
        for c, arr in self._kept.items():
            arr[start:start + m] = columns[c]
        if start < self._corr_rows:
            stop = min(self._corr_rows, start + m)
            for c, arr in self._corr.items():
                arr[start:stop] = columns[c][: stop - start]
        if self._keep_all:
            self._all.append(columns)
        self._pending.append({c: columns[c] for c in self._stat_cols})
        self._pending_rows += m
        while self._pending_rows >= ROW_GROUP:
            self._group(ROW_GROUP)
        if self.writer is not None:
            self.writer.put(columns)
        self.done += m

    def _group(self, rows: int) -> None:
        """Feed the accumulator the next ``rows`` rows of the summary's columns."""
        parts = self._pending
        batch = {c: np.concatenate([p[c] for p in parts]) if len(parts) > 1 else parts[0][c]
                 for c in self._stat_cols}
        self.acc.add({c: v[:rows] for c, v in batch.items()})
        rest = self._pending_rows - rows
        self._pending = [{c: v[rows:] for c, v in batch.items()}] if rest else []
        self._pending_rows = rest

    def finish(self) -> tuple[Accumulator, MemoryOrderStats | None,
                              dict[str, np.ndarray] | None, dict[str, np.ndarray]]:
        """The accumulator (every row fed), the order statistics in memory (None: read them
        from the file), every column (``keep_all``) and the correlated inputs' first rows."""
        if self._pending_rows:
            self._group(self._pending_rows)
        order = None
        if self._keep_order:
            others = self.acc.others
            order = MemoryOrderStats({s: self._kept[col("npv", s)] for s in others},
                                     {s: self._kept[col("payback_months", s)] for s in others},
                                     ROW_GROUP)
        columns: dict[str, Any] | None = None
        if self._keep_all:
            parts = self._all
            columns = {c: np.concatenate([p[c] for p in parts]) if len(parts) != 1
                       else parts[0][c] for c in (parts[0] if parts else {})}
            self._all = []
        return self.acc, order, columns, self._corr
