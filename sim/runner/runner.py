"""How a study is executed: sampling plan -> chunks -> model -> samples.parquet -> summary.

Samples are processed in chunks (bounded memory for any sample count), optionally on
several worker threads (numpy releases the GIL in its loops). Each chunk's uniforms come
from the sampling plan's fixed blocks, so results are identical whatever the chunk size or
number of workers. The samples file is written in fixed row groups and the summary is
computed by streaming it back.
"""

from __future__ import annotations

import collections
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from distributions import SamplingPlan, spearman
from sim.costs.workload import Value
from sim.runner.decomposition import explain
from sim.runner.model import evaluate
from sim.runner.point import point_estimate
from sim.runner.samples_file import SamplesWriter
from sim.runner.summary import Summary, col, summarize
from sim.serving.from_study import prepare
from sim.study import Study
from sim.study.provenance import provenance

DEFAULT_CHUNK = 32768
#: Samples whose month-by-month cumulative saving is kept for the fan chart.
FAN_SAMPLES = 16384
#: Rows used to report the rank correlations actually achieved.
CORRELATION_ROWS = 1 << 17

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunResult:
    """What a run produced.

    Attributes
    ----------
    study : Study
        The study as run (with any sample-count or seed changes applied).
    samples_path : Path
        samples.parquet: one row per sample with the uncertain inputs and, per strategy,
        ``npv.<s>``, ``payback_month.<s>`` (the whole payback month) and
        ``payback_months.<s>`` (the fractional payback; both null when not within the
        horizon, see :mod:`sim.runner.payback`), ``roi.<s>`` and ``tco.<s>``.
    summary : Summary
        Headline figures per strategy and the recommendation.
    fan : polars.DataFrame
        Cumulative net saving by month: ``strategy, month, p10, p50, p90``, from the first
        ``FAN_SAMPLES`` samples.
    manifest : dict
        Version, seed, study hash, sample count, sampling method, timings.
    """

    study: Study
    samples_path: Path
    summary: Summary
    fan: pl.DataFrame
    manifest: dict[str, Any]
    _tmp: Any = field(default=None, repr=False, compare=False)

    def samples(self, columns: list[str] | None = None) -> pl.DataFrame:
        """The per-sample results (all columns, or the named ones) as a polars DataFrame.

        Examples
        --------
        >>> result.samples(["npv.self_hosted_7b"]).mean()  # doctest: +SKIP
        """
        return pl.read_parquet(self.samples_path, columns=columns)

    def scan(self) -> pl.LazyFrame:
        """The per-sample results as a lazy frame (keep the result alive while you use it)."""
        return pl.scan_parquet(self.samples_path)


def sampling_plan(study: Study) -> SamplingPlan:
    """The sampling plan of a study: its uncertain inputs, sample count, seed and method."""
    return SamplingPlan(
        names=tuple(i.path for i in study.uncertain_inputs()),
        n=study.samples,
        seed=study.seed,
        method=study.sampling,  # type: ignore[arg-type]
        rank_correlation=study.rank_correlation(),
    )


def input_values(study: Study, u: np.ndarray) -> dict[str, Value]:
    """Turn a (d, m) block of uniforms into input values (fixed inputs stay scalars)."""
    values: dict[str, Value] = {}
    j = 0
    for inp in study.inputs():
        if inp.uncertain:
            values[inp.path] = inp.dist._ppf(u[j])
            j += 1
        else:
            values[inp.path] = float(inp.dist.mean)
    return values


def _chunk(study: Study, plan: SamplingPlan, start: int, stop: int
           ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    u = plan.rows(start, stop)
    values = input_values(study, u)
    m = stop - start
    keep = max(0, min(FAN_SAMPLES, stop) - start)
    outcomes = evaluate(study, values, m, keep=keep)
    columns: dict[str, np.ndarray] = {"sample": np.arange(start, stop, dtype=np.int64)}
    for inp in study.uncertain_inputs():
        columns[inp.path] = np.asarray(values[inp.path], dtype=np.float64)
    for name, o in outcomes.items():
        if name != study.baseline:
            columns[col("npv", name)] = o.npv
            columns[col("payback_month", name)] = o.payback
            columns[col("payback_months", name)] = o.payback_months
            columns[col("roi", name)] = o.roi
        columns[col("tco", name)] = o.tco
    fan = None
    if keep:
        fan = {n: o.months for n, o in outcomes.items() if o.months is not None}
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


def run(study: Study, *, samples_path: str | Path | None = None, workers: int = 1,
        chunk_size: int = DEFAULT_CHUNK, progress: Progress | None = None,
        on_stage: Callable[[str], None] | None = None) -> RunResult:
    """Run a study: draw its samples, evaluate every strategy, summarize.

    Parameters
    ----------
    study : Study
        A validated study (its ``samples``, ``seed`` and ``sampling`` are used).
    samples_path : path, optional
        Where to write samples.parquet; default: a temporary file kept with the result.
    workers : int
        Worker threads evaluating chunks. Results do not depend on it.
    chunk_size : int
        Samples per chunk (memory ~ chunk_size x inputs). Results do not depend on it.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk.
    on_stage : callable, optional
        Told each step that may take a while besides the chunks: building a serving
        capacity curve, the summary.

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
    """
    if chunk_size < 1 or workers < 1:
        raise ValueError("chunk_size and workers must be >= 1")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tmp = None
    if samples_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="ftrisk-")
        samples_path = Path(tmp.name) / "samples.parquet"
    path = Path(samples_path)
    prepare(study, on_stage)  # capacity curves of simulated serving, before worker threads
    timings["serving_s"] = time.perf_counter() - t0
    plan = sampling_plan(study)
    n = study.samples
    bounds = [(a, min(a + chunk_size, n)) for a in range(0, n, chunk_size)]
    fan_parts: dict[str, list[np.ndarray]] = collections.defaultdict(list)
    with SamplesWriter(path) as writer, ThreadPoolExecutor(workers) as pool:
        pending: collections.deque[Future[Any]] = collections.deque()
        it = iter(bounds)
        done = 0

        def submit() -> None:
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(_chunk, study, plan, *nxt))

        for _ in range(2 * workers):
            submit()
        while pending:
            columns, fan = pending.popleft().result()
            submit()
            writer.append(columns)
            if fan:
                for name, months in fan.items():
                    fan_parts[name].append(months)
            done += columns["sample"].size
            if progress:
                progress(done, n)
    timings["simulate_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    if on_stage is not None:
        on_stage("summary")
    point = point_estimate(study)
    summary = summarize(study, path, point, explain(study))
    timings["summarize_s"] = time.perf_counter() - t1
    manifest = build_manifest(study, path, timings, workers=workers)
    return RunResult(study, path, summary, fan_frame(study, fan_parts), manifest, tmp)


def fan_frame(study: Study, parts: dict[str, list[np.ndarray]]) -> pl.DataFrame:
    """P10/P50/P90 of the cumulative net saving per strategy and month."""
    rows: dict[str, list[Any]] = {k: [] for k in ("strategy", "month", "p10", "p50", "p90")}
    for name, chunks in parts.items():
        months = np.concatenate(chunks, axis=1)
        q = np.quantile(months, [0.1, 0.5, 0.9], axis=1)
        h = months.shape[0]
        rows["strategy"] += [name] * h
        rows["month"] += list(range(1, h + 1))
        for i, k in enumerate(("p10", "p50", "p90")):
            rows[k] += q[i].tolist()
    return pl.DataFrame(rows, schema={"strategy": pl.String, "month": pl.Int64,
                                      "p10": pl.Float64, "p50": pl.Float64, "p90": pl.Float64})


def achieved_correlations(study: Study, path: Path) -> list[dict[str, Any]]:
    """Spearman correlation reached for each stated pair (first ``CORRELATION_ROWS`` rows)."""
    if not study.correlations:
        return []
    names = sorted({c.a for c in study.correlations} | {c.b for c in study.correlations})
    frame = pl.scan_parquet(path).select(names).head(CORRELATION_ROWS).collect()
    out = []
    for c in study.correlations:
        rho = spearman(frame[c.a].to_numpy(), frame[c.b].to_numpy())
        out.append({"between": [c.a, c.b], "target": c.rank, "achieved": round(rho, 4)})
    return out


def build_manifest(study: Study, path: Path, timings: dict[str, float], *,
                   workers: int) -> dict[str, Any]:
    """The run's manifest (what produced these files and how long it took)."""
    return {
        "ftrisk_version": version("ftrisk"),
        "study": study.name,
        "study_file": study.file,
        "study_sha256": study.sha256,
        "seed": study.seed,
        "samples": study.samples,
        "sampling": study.sampling,
        "horizon_months": study.horizon_months,
        "uncertain_inputs": [i.path for i in study.uncertain_inputs()],
        "rank_correlations": achieved_correlations(study, path),
        "workers": workers,
        "numpy_version": np.__version__,
        "scipy_version": version("scipy"),
        "polars_version": pl.__version__,
        "cpu_count": os.cpu_count(),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        **provenance(study),  # the catalog snapshot and the fitted inputs (issue 16)
    }
