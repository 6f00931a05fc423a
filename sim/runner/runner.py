"""How a study is executed: sampling plan -> chunks -> model -> samples.parquet -> summary.

Samples are processed in chunks (bounded memory for any sample count), optionally on
several worker threads (the compiled model and numpy release the GIL). Each chunk's
uniforms come from the sampling plan's fixed blocks, so results are identical whatever the
chunk size or number of workers. The summary's figures are accumulated as the chunks come
in (:mod:`sim.runner.collect`), in the samples file's fixed row groups, while a background
thread writes the file; only a run too large to keep its NPVs in memory reads the file back
for its quantiles. ``run(study, write=False)`` does the same in memory, with no file.
"""

from __future__ import annotations

import collections
import copy
import functools
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy

from distributions import spearman
from sim.costs.helpers import help_open
from sim.costs.slots import BLOCK
from sim.costs.workload import Value
from sim.runner.cluster import map_ordered
from sim.runner.collect import BackgroundWriter, Collector, Head
from sim.runner.decomposition import Decomposition, explain
from sim.runner.draws import Draws, chunk_values, input_values, sampling_plan
from sim.runner.guard import check_chunk, check_document
from sim.runner.model import fold
from sim.runner.point import point_estimate
from sim.runner.samples_file import frame_of
from sim.runner.summary import Summary, col
from sim.runner.threads import started
from sim.serving.from_study import prepare
from sim.study import Study
from sim.study.provenance import provenance

__all__ = ["DEFAULT_CHUNK", "FAN_SAMPLES", "RunResult", "bytes_per_sample", "default_workers",
           "input_values", "run", "sampling_plan"]

DEFAULT_CHUNK = 32768
#: Samples whose month-by-month cumulative saving is kept for the fan chart.
FAN_SAMPLES = 16384
#: Samples from which a run takes a second worker thread by default.
PARALLEL_FROM = 2 * DEFAULT_CHUNK
#: The largest chunk of a run held in memory.
MEMORY_CHUNK = 65_536
#: Chunks submitted beyond one per worker thread (each holds a chunk's columns, ~5 MiB at
#: 16,384 samples of five strategies, until the main thread takes it in): none. A worker
#: waits for its next chunk only while the main thread takes in the one before; with two
#: more, a 10^6-sample `ftrisk run` peaked ~10 MiB higher at about the same wall time.
AHEAD = 0
#: Rows used to report the rank correlations actually achieved.
CORRELATION_ROWS = 1 << 17

Progress = Callable[[int, int], None]
#: a study's point estimate (by strategy) and decomposition
Medians = tuple[dict[str, dict[str, Any]], Decomposition]


@dataclass(frozen=True)
class RunResult:
    """What a run produced.

    Attributes
    ----------
    study : Study
        The study as run (with any sample-count or seed changes applied).
    samples_path : Path or None
        samples.parquet (None for a run with ``write=False``): one row per sample with the
        uncertain inputs and, per strategy, ``npv.<s>``, ``payback_month.<s>`` (the whole
        payback month) and ``payback_months.<s>`` (the fractional payback; both null when
        not within the horizon, see :mod:`sim.runner.payback`), ``roi.<s>`` and ``tco.<s>``.
    summary : Summary
        Headline figures per strategy and the recommendation.
    fan : polars.DataFrame
        Cumulative net saving by month: ``strategy, month, p10, p50, p90``, from the first
        ``FAN_SAMPLES`` samples.
    manifest : dict
        Version, seed, study hash, sample count, sampling method, timings.
    """

    study: Study
    samples_path: Path | None
    summary: Summary
    fan: pl.DataFrame
    manifest: dict[str, Any]
    _tmp: Any = field(default=None, repr=False, compare=False)
    #: every samples-file column in memory (a run with ``write=False``), else None
    columns: dict[str, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def samples(self, columns: list[str] | None = None) -> pl.DataFrame:
        """The per-sample results (all columns, or the named ones) as a polars DataFrame
        (from memory for a run with ``write=False``, with the same nulls as the file).

        Examples
        --------
        >>> result.samples(["npv.self_hosted_7b"]).mean()  # doctest: +SKIP
        """
        if self.columns is not None:
            names = list(self.columns) if columns is None else columns
            return frame_of({c: self.columns[c] for c in names})
        assert self.samples_path is not None
        return pl.read_parquet(self.samples_path, columns=columns)

    def scan(self) -> pl.LazyFrame:
        """The per-sample results as a lazy frame (keep the result alive while you use it)."""
        if self.samples_path is None:
            return self.samples().lazy()
        return pl.scan_parquet(self.samples_path)


#: Studies whose figures at the medians were found last (by identity, most recent last):
#: the study object (kept, so that its id is not reused) and its point estimate and
#: decomposition.
_MEDIANS: collections.OrderedDict[int, tuple[Study, Medians]] = collections.OrderedDict()
_MEDIANS_LOCK = threading.Lock()
#: Studies whose figures at the medians are kept.
MEDIANS_KEPT = 4


def _at_medians(study: Study) -> Callable[[], Medians]:
    """The study's point estimate and decomposition (:func:`point_estimate`,
    :func:`explain`): found on a thread of their own (they need no samples: on the second
    core, beside the chunks), or taken from the last runs of the same study object.

    They depend only on the study, so a rerun of it (``run(study, write=False)`` again:
    the light path's interactive use) need not find them again: some 6 ms, mostly in the
    interpreter, where they would hold up the worker threads' packing of the chunks. The
    caller gets its own copy of the point estimate (dicts a caller may change); the
    decomposition is immutable.
    """
    with _MEDIANS_LOCK:
        hit = _MEDIANS.get(id(study))
        if hit is not None and hit[0] is study:
            _MEDIANS.move_to_end(id(study))
            point, dec = hit[1]
            return lambda: (copy.deepcopy(point), dec)

    def find() -> Medians:
        found = (point_estimate(study), explain(study))
        with _MEDIANS_LOCK:
            _MEDIANS[id(study)] = (study, found)
            _MEDIANS.move_to_end(id(study))
            while len(_MEDIANS) > MEDIANS_KEPT:
                _MEDIANS.popitem(last=False)
        return copy.deepcopy(found[0]), found[1]

    return started(find)


def _chunk(study: Study, values: dict[str, Value], start: int, stop: int, *,
           helpable: bool = False
           ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """One chunk of samples through the model: the samples-file columns and fan months
    (``helpable``: other worker threads may step some of its blocks)."""
    m = stop - start
    keep = max(0, min(FAN_SAMPLES, stop) - start)
    # the domains keep every figure finite; should one still overflow, the guard below
    # names the inputs behind it (one line, exit 2) instead of numpy's warnings
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        f = fold(study, values, m, keep=keep, helpable=helpable)
    columns: dict[str, np.ndarray] = {"sample": np.arange(start, stop, dtype=np.int64)}
    for inp in study.uncertain_inputs():
        columns[inp.path] = np.asarray(values[inp.path], dtype=np.float64)
    fan: dict[str, np.ndarray] | None = {} if keep else None
    for i, name in enumerate(f.names):
        if name != study.baseline:
            npv = f.npv[i]
            columns[col("npv", name)] = npv
            columns[col("payback_month", name)] = f.payback[i]
            columns[col("payback_months", name)] = f.payback_months[i]
            upfront = np.broadcast_to(np.asarray(f.upfront[name], dtype=np.float64), (m,))
            with np.errstate(divide="ignore", invalid="ignore"):
                columns[col("roi", name)] = np.where(upfront > 0, npv / np.where(
                    upfront > 0, upfront, 1.0), np.nan)
            if fan is not None:
                fan[name] = f.fan[i]
        columns[col("tco", name)] = f.tco[i]
    check_chunk(study, columns, values)
    return columns, fan


def bytes_per_sample(study: Study) -> int:
    """Bytes one sample takes in samples.parquet before compression: the columns of
    :func:`_chunk` (``sample``, each uncertain input, per strategy ``npv``, ``payback_month``
    (int16), ``payback_months``, ``roi`` and ``tco``), as float64 unless said.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> bytes_per_sample(load_study("studies/lesson_parity.toml"))  # doctest: +SKIP
    50
    """
    others = len(study.strategies) - 1
    return 8 + 8 * len(study.uncertain_inputs()) + (8 + 2 + 8 + 8) * others + 8 * (others + 1)


def default_workers(samples: int) -> int:
    """Worker threads a run takes when none are asked for: two (at most the CPUs) from
    :data:`PARALLEL_FROM` samples, where a second thread pays for itself; else one. Results
    do not depend on it.

    Examples
    --------
    >>> default_workers(10_000)
    1
    >>> default_workers(100_000) == min(2, os.cpu_count() or 1)
    True
    """
    return min(2, os.cpu_count() or 1) if samples >= PARALLEL_FROM else 1


def _checked_workers(study: Study, workers: int | None, chunk_size: int, write: bool,
                     samples_path: str | Path | None) -> int:
    """The run's worker count (:func:`default_workers` when None), its arguments checked."""
    if workers is None:
        workers = default_workers(study.samples)
    if chunk_size < 1 or workers < 1:
        raise ValueError("chunk_size and workers must be >= 1")
    if not write and samples_path is not None:
        raise ValueError("samples_path: a run with write=False writes no file")
    return workers


def run(study: Study, *, samples_path: str | Path | None = None, workers: int | None = None,
        chunk_size: int = DEFAULT_CHUNK, progress: Progress | None = None,
        on_stage: Callable[[str], None] | None = None, write: bool = True,
        client: Any = None, head: Head | None = None) -> RunResult:
    """Run a study: draw its samples, evaluate every strategy, summarize.

    Parameters
    ----------
    study : Study
        A validated study (its ``samples``, ``seed`` and ``sampling`` are used).
    samples_path : path, optional
        Where to write samples.parquet; default: a temporary file kept with the result.
    workers : int, optional
        Worker threads evaluating chunks (default: :func:`default_workers`). Results do
        not depend on it.
    chunk_size : int
        Samples per chunk (memory ~ chunk_size x inputs). Results do not depend on it.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk.
    on_stage : callable, optional
        Told each step that may take a while besides the chunks: building a serving
        capacity curve, the summary.
    write : bool
        False: write no file and keep everything in memory (``samples_path`` must not be
        given): the light path for interactive use. Its draws are cached
        (:class:`~sim.runner.draws.Draws`), so rerunning the study with some inputs
        changed reuses the same uniforms (common random numbers) and the values of the
        inputs that did not change; a rerun of the same study object reuses its point
        estimate and decomposition too. The summary is the same as with ``write=True``.
    client : distributed.Client, optional
        Evaluate the chunks on this Dask cluster (with ``write=True``).
    head : Head, optional
        Hand the first rows of some columns over as soon as they are in, while the run goes
        on (:class:`~sim.runner.collect.Head`; the report's analyses start on them).

    Returns
    -------
    RunResult

    Examples
    --------
    >>> from sim import load_study, run  # doctest: +SKIP
    >>> study = load_study("studies/legal_contracts.toml")  # doctest: +SKIP
    >>> result = run(study.replace(samples=4096))  # doctest: +SKIP
    >>> result.summary.recommended  # doctest: +SKIP
    'hosted_ft'
    >>> fast = run(study.replace(samples=20_000), write=False)  # doctest: +SKIP
    >>> fast.summary.strategies["hosted_ft"].payback_cdf[:3]  # doctest: +SKIP
    """
    workers = _checked_workers(study, workers, chunk_size, write, samples_path)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tmp = None
    path: Path | None = None
    if write:
        if samples_path is None:
            tmp = tempfile.TemporaryDirectory(prefix="ftrisk-")
            samples_path = Path(tmp.name) / "samples.parquet"
        path = Path(samples_path)
    prepare(study, on_stage)  # capacity curves of simulated serving, before worker threads
    timings["serving_s"] = time.perf_counter() - t0
    at_medians = _at_medians(study)  # beside the chunks, or from a run of this study
    n = study.samples
    if write:
        plan = sampling_plan(study)
        source: Any = None
    else:
        source = Draws(study)
        # in memory: one chunk per worker (blocks of the model's width), all drawn at once,
        # of at most MEMORY_CHUNK samples (each chunk's coefficients take ~0.5 KB a sample)
        per = min(-(-n // workers), MEMORY_CHUNK)
        chunk_size = max(BLOCK, -(-per // BLOCK) * BLOCK)
    bounds = [(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)]

    writer = BackgroundWriter(path) if path is not None else None
    collector = Collector(study, writer=writer, keep_all=not write,
                          correlation_rows=CORRELATION_ROWS, fan_rows=FAN_SAMPLES, head=head)

    # worker threads that run out of chunks help the others end theirs
    team = workers > 1 and len(bounds) > 1
    taken = [0]  # chunks a worker has started
    lock = threading.Lock()

    def work(start: int, stop: int) -> tuple[dict[str, np.ndarray], Any]:
        with lock:
            taken[0] += 1
        values = (chunk_values(study, start, stop, plan=plan) if source is None
                  else source.values(start, stop))
        columns, fan = _chunk(study, values, start, stop, helpable=team)
        if team and taken[0] == len(bounds):  # no chunk left to start: help the others
            help_open()
        # what the collector can do with the chunk alone is done here, on this thread
        return collector.place(columns, start, fan), fan
    try:
        _evaluate(client if write else None, study, work, bounds, workers, collector,
                  progress)
    except BaseException:
        if writer is not None:
            writer.close(abandon=True)
        raise
    if writer is not None:
        writer.close()
    timings["simulate_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    if on_stage is not None:
        on_stage("summary")
    got = collector.finish()
    summary = got.acc.finish(got.order, *at_medians())
    check_document(study.file, summary.to_json(), "summary.json")
    timings["summarize_s"] = time.perf_counter() - t1
    manifest = build_manifest(study, got.correlated, timings, workers=workers)
    return RunResult(study, path, summary, got.fan, manifest, tmp, got.columns)


def plan_chunk(study: Study, start: int, stop: int
               ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """Samples ``start..stop-1`` of ``study`` from its sampling plan through the model (a
    task that runs anywhere: on a cluster worker it depends only on its arguments)."""
    return _chunk(study, chunk_values(study, start, stop), start, stop)


def _evaluate(client: Any, study: Study, work: Any, bounds: list[tuple[int, int]],
              workers: int, collector: Collector, progress: Progress | None) -> None:
    """Evaluate the chunks on a Dask cluster (``client``) or on local threads, collecting
    them in sample order."""
    if client is None:
        _evaluate_chunks(work, bounds, workers, collector, progress)
        return

    n = bounds[-1][1] if bounds else 0
    map_ordered(client, plan_chunk, bounds, shared=(study,),
                on_result=lambda r: _collect(r, collector, progress, n))


def _evaluate_chunks(work: Any, bounds: list[tuple[int, int]], workers: int,
                     collector: Collector, progress: Progress | None) -> None:
    """Evaluate the chunks on ``workers`` threads, collecting them in sample order."""
    n = bounds[-1][1] if bounds else 0
    if workers == 1 or len(bounds) == 1:
        for a, b in bounds:
            _collect(work(a, b), collector, progress, n)
        return
    with ThreadPoolExecutor(workers) as pool:
        pending: collections.deque[Future[Any]] = collections.deque()
        it = iter(bounds)

        def submit() -> None:
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(work, *nxt))

        for _ in range(workers + AHEAD):
            submit()
        while pending:
            result = pending.popleft().result()
            submit()
            _collect(result, collector, progress, n)


def _collect(result: tuple[dict[str, np.ndarray], Any], collector: Collector,
             progress: Progress | None, n: int) -> None:
    columns, fan = result
    collector.add(columns, fan)
    if progress:
        progress(collector.done, n)


def achieved_correlations(study: Study, rows: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Spearman correlation reached for each stated pair (first ``CORRELATION_ROWS`` rows
    of the correlated inputs, as the run kept them)."""
    out = []
    for c in study.correlations:
        rho = spearman(rows[c.a], rows[c.b])
        # null when undefined (fewer than 2 samples, or a column without variation)
        achieved = round(rho, 4) if math.isfinite(rho) else None
        out.append({"between": [c.a, c.b], "target": c.rank, "achieved": achieved})
    return out


@functools.cache
def _version(package: str) -> str:
    """An installed package's version (read from its metadata once per process: ~2 ms)."""
    return version(package)


def build_manifest(study: Study, correlated: dict[str, np.ndarray],
                   timings: dict[str, float], *, workers: int) -> dict[str, Any]:
    """The run's manifest (what produced these files and how long it took)."""
    return {
        "ftrisk_version": _version("ftrisk"),
        "study": study.name,
        "study_file": study.file,
        "study_sha256": study.sha256,
        "seed": study.seed,
        "samples": study.samples,
        "sampling": study.sampling,
        "horizon_months": study.horizon_months,
        "uncertain_inputs": [i.path for i in study.uncertain_inputs()],
        "rank_correlations": achieved_correlations(study, correlated),
        "workers": workers,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "polars_version": pl.__version__,
        "cpu_count": os.cpu_count(),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        **provenance(study),  # the catalog snapshot and the fitted inputs (issue 16)
    }
