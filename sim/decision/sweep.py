"""Break-even maps: P(payback <= N) and E[NPV] across values of one input (docs/model.md,
"Sensitivity").

Each swept value is a full Monte Carlo of the study on common random numbers: the same
plan, seed and draws of every other input, with the swept input set to the value. The
uniforms and quantile functions of a chunk are computed once and the model evaluated for
every value, so the curve is smooth (differences between values are not noise) and
memory stays bounded. The values where P(payback <= N) crosses 50% and 90% are found by
linear interpolation between neighbouring values (in log space for a log sweep).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray

from distributions import Fixed
from sim.costs.workload import Value
from sim.decision.samples import CHUNK, check_strategies, decision_set
from sim.runner.model import evaluate
from sim.runner.quantiles import distinct
from sim.runner.runner import input_values, sampling_plan
from sim.study import Input, Study
from sim.study.schema import Field, growth_problem
from sim.study.strategy import input_field as field_of_path

Scale = Literal["linear", "log"]
FloatArray = NDArray[np.float64]
LEVELS = (0.5, 0.9)
_ALIGN = 4096
#: Most values of one sweep: each is a full Monte Carlo run of the study.
MAX_POINTS = 200
#: Longest input name echoed in a message (and matched against the study's for a hint).
MAX_NAME = 200


@dataclass(frozen=True)
class Sweep:
    """A break-even map.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per swept value and strategy: ``value, strategy, p_payback, p_payback_se,
        npv_mean, npv_mean_se, p_npv_positive, p_best`` (P(best) among the strategies that
        meet the study's constraints; null for the others).
    crossings : polars.DataFrame
        ``strategy, level, value, se, direction`` ("up" or "down"), ``lo, hi``: where
        P(payback <= N) crosses each level between two swept values; ``se`` is the
        crossing's Monte Carlo standard error (delta method, errors of neighbouring values
        taken as fully correlated: conservative); ``[lo, hi]`` holds the two swept values
        it lies between (the curve between them is only interpolated) and the value ± 2 se.
    param : str
        The swept input's path.
    months : int
        N of P(payback <= N).
    scale : {"linear", "log"}
        How values were spaced (and crossings interpolated).
    samples : int
        Samples per value.
    """

    frame: pl.DataFrame
    crossings: pl.DataFrame
    param: str
    months: int
    scale: str
    samples: int

    def table(self, strategy: str | None = None) -> pl.DataFrame:
        """The map (one strategy's rows, or all)."""
        return self.frame if strategy is None else self.frame.filter(
            pl.col("strategy") == strategy)

    def crossing(self, strategy: str, level: float) -> float | None:
        """The first value where P(payback <= N) of ``strategy`` crosses ``level``."""
        rows = self.crossings.filter((pl.col("strategy") == strategy)
                                     & (pl.col("level") == level))
        return float(rows["value"][0]) if rows.height else None

    def crossing_interval(self, strategy: str, level: float) -> tuple[float, float] | None:
        """The interval the first crossing of ``level`` lies in (see ``crossings``)."""
        rows = self.crossings.filter((pl.col("strategy") == strategy)
                                     & (pl.col("level") == level))
        return (float(rows["lo"][0]), float(rows["hi"][0])) if rows.height else None


def parse_values(text: str) -> tuple[list[float], Scale]:
    """Swept values from ``"1000,2000,5000"`` or a range ``"lo:hi:n"``.

    A range is log-spaced when ``lo > 0`` and linear otherwise; a list is linear.

    Examples
    --------
    >>> parse_values("1000:100000:3")
    ([1000.0, 10000.0, 100000.0], 'log')
    >>> parse_values("0:1:5")[0]
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    try:
        if ":" in text:
            lo_t, hi_t, n_t = text.split(":")
            lo, hi, n = float(lo_t), float(hi_t), int(n_t)
            if n < 2 or not hi > lo or not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError
            if n > MAX_POINTS:
                raise OverflowError
            if lo > 0:
                return np.geomspace(lo, hi, n).tolist(), "log"
            return np.linspace(lo, hi, n).tolist(), "linear"
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"'{text}' is not a list of values (e.g. 1000,2000,5000) or a range "
                         "lo:hi:n with finite lo < hi and n >= 2 (e.g. 1000:100000:9)") from None
    except OverflowError:
        raise ValueError(f"'{text}': {n_t.strip()} values; a sweep takes at most {MAX_POINTS} "
                         "(each is a full Monte Carlo run)") from None
    if not values:
        raise ValueError("no values given; e.g. --values 1000,2000,5000")
    if len(values) > MAX_POINTS:
        raise ValueError(f"{len(values)} values; a sweep takes at most {MAX_POINTS} (each is a "
                         "full Monte Carlo run)")
    return values, "linear"


def input_field(study: Study, inp: Input) -> Field | None:
    """The schema field of an input (its domain, default and help), None if unknown."""
    return field_of_path(study, inp.path)


def check_param(study: Study, param: str, values: Sequence[float]) -> Input:
    """The input named ``param``, after checking every value lies in its domain."""
    try:
        inp = study.input(param)
    except KeyError:

        paths = [i.path for i in study.inputs()]
        long = len(param) > MAX_NAME
        close = [] if long else get_close_matches(param, paths, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "e.g. workload.requests_per_day"
        shown = f"(a name of {len(param):,} characters)" if long else param
        raise ValueError(f"{shown}: not an input of the study; {hint}") from None
    field = input_field(study, inp)
    for v in values:
        if not math.isfinite(v):
            raise ValueError(f"{inp.path}={v}: must be a finite number")
        problem = field.domain.check(Fixed(v)) if field is not None else None
        if problem:
            raise ValueError(f"{inp.path}={v:g}: {problem}")
    if inp.path == "workload.monthly_growth":
        problem = growth_problem(max(values, default=0.0), study.horizon_months)
        if problem:
            raise ValueError(f"{inp.path}={max(values):g}: {problem}")
    return inp


def level_crossings(values: FloatArray, p: FloatArray, se: FloatArray, level: float,
                    log: bool) -> list[tuple[float, float, str]]:
    """Where ``p`` crosses ``level`` between neighbouring values: ``(value, se, direction)``
    by linear interpolation (of log values when ``log``)."""
    t = np.log(values) if log else values
    d = p - level
    out = []
    for k in range(len(values) - 1):
        up = d[k] < 0 <= d[k + 1]
        if not (up or d[k] >= 0 > d[k + 1]):
            continue
        w = (level - p[k]) / (p[k + 1] - p[k])
        tc = t[k] + w * (t[k + 1] - t[k])
        slope = (p[k + 1] - p[k]) / (t[k + 1] - t[k])
        se_t = ((1 - w) * se[k] + w * se[k + 1]) / abs(slope)
        x = float(np.exp(tc)) if log else float(tc)
        out.append((x, float(se_t * x if log else se_t), "up" if up else "down"))
    return out


def crossing_interval(values: FloatArray, x: float, se: float, log: bool
                      ) -> tuple[float, float]:
    """The interval a crossing at ``x`` (standard error ``se``) lies in: the swept values
    around it, where the curve is only interpolated, widened to ``x`` ± 2 se (a factor
    ``exp(±2 se / x)`` on a log sweep).

    Examples
    --------
    >>> crossing_interval(np.array([8.0, 10.0, 12.0]), 9.0, 0.1, log=False)
    (8.0, 10.0)
    >>> crossing_interval(np.array([8.0, 10.0]), 9.0, 1.0, log=False)
    (7.0, 11.0)
    """
    lower, upper = values[values <= x], values[values >= x]
    below = float(lower.max()) if lower.size else x
    above = float(upper.min()) if upper.size else x
    if log:
        f = float(np.exp(2 * se / x))
        return min(below, x / f), max(above, x * f)
    return min(below, x - 2 * se), max(above, x + 2 * se)


def check_values(values: Sequence[float], scale: str) -> FloatArray:
    """The values sorted, duplicates dropped; a log scale needs them > 0."""
    if scale not in ("linear", "log"):
        raise ValueError(f"'{scale}' is not a valid scale; it must be one of "
                         "{'linear', 'log'}")
    vals = distinct(np.asarray(values, dtype=np.float64))
    if vals.size == 0:
        raise ValueError("no values to sweep")
    if vals.size > MAX_POINTS:
        raise ValueError(f"{vals.size} values to sweep; at most {MAX_POINTS} (each is a full "
                         "Monte Carlo run)")
    if scale == "log" and vals[0] <= 0:
        raise ValueError(f"a log sweep needs values > 0; got {vals[0]:g}")
    return vals


def _cell_sums(study: Study, base: Mapping[str, Value], pins: Mapping[str, float],
               months: int, chosen: Sequence[int], m: int) -> tuple[FloatArray, ...]:
    """One cell on one chunk of ``m`` samples: per strategy the NPV sums, sums of squares
    and P(best) shares of each block of :data:`_ALIGN` samples (blocks, s), and the counts
    of payback within ``months`` and of NPV > 0 (s,)."""
    every = study.compared()
    out = evaluate(study, {**base, **pins}, m)
    npv = np.stack([out[x].npv for x in every])
    pb = np.stack([out[x].payback for x in every])
    top = np.zeros(npv.shape, dtype=bool)
    top[chosen] = npv[chosen] == npv[chosen].max(axis=0)
    share = top / top.sum(axis=0)
    blocks = range(0, m, _ALIGN)
    sums = np.stack([npv[:, a : a + _ALIGN].sum(axis=1) for a in blocks])
    sq = np.stack([(npv[:, a : a + _ALIGN] * npv[:, a : a + _ALIGN]).sum(axis=1) for a in blocks])
    best = np.stack([share[:, a : a + _ALIGN].sum(axis=1) for a in blocks])
    hits = ((pb > 0) & (pb <= months)).sum(axis=1).astype(np.float64)
    return sums, sq, best, hits, (npv > 0).sum(axis=1).astype(np.float64)


def cells_task(study: Study, cells: Sequence[Mapping[str, float]], months: int,
               chosen: Sequence[int], start: int, stop: int, lo: int, hi: int
               ) -> list[tuple[FloatArray, ...]]:
    """Cells ``lo..hi-1`` on samples ``start..stop-1`` drawn from the study's plan (a task
    that runs anywhere: on a cluster worker it depends only on its arguments)."""
    base = input_values(study, sampling_plan(study).rows(start, stop), start=start)
    return [_cell_sums(study, base, cells[i], months, chosen, stop - start)
            for i in range(lo, hi)]


def _cluster_tasks(n: int, k: int, step: int, workers: int) -> list[tuple[int, int, int, int]]:
    """``(start, stop, lo, hi)`` tasks for a cluster: at least four per worker when the
    samples and cells allow, smaller chunks first (each sample is drawn once per task)."""
    want = 4 * workers
    blocks = -(-n // _ALIGN)
    step = _ALIGN * max(1, min(step // _ALIGN, -(-blocks // want)))
    chunks = [(a, min(a + step, n)) for a in range(0, n, step)]
    groups = min(k, max(1, -(-want // len(chunks))))
    edges = [round(g * k / groups) for g in range(groups + 1)]
    return [(a, b, lo, hi) for a, b in chunks for lo, hi in itertools.pairwise(edges)]


def accumulate(study: Study, cells: Sequence[Mapping[str, float]], months: int,
               chunk_size: int, *, client: Any = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, FloatArray]:
    """Per cell (input values pinned) and strategy (every one): NPV mean and variance,
    P(payback), P(NPV>0), P(best).

    On a Dask ``client`` each task is a chunk of samples and a group of cells; the partial
    sums come back per block of 4,096 samples and are added in sample order, as here, so
    the figures are bit-identical. ``progress(done, total)`` counts the cell-samples
    evaluated (cluster-wide).
    """
    every = study.compared()
    k, s = len(cells), len(every)
    n = study.samples
    chosen = [every.index(x) for x in decision_set(study)]
    sums, sq, hits, pos, best = (np.zeros((k, s)) for _ in range(5))
    # chunks start at multiples of _ALIGN and sums are added _ALIGN samples at a time, so
    # the figures are bit-identical whatever the chunk size (or where a chunk ran)
    step = _ALIGN * max(1, chunk_size // _ALIGN)
    done = 0

    def add(i: int, m: int, part: tuple[FloatArray, ...]) -> None:
        nonlocal done
        for row in range(part[0].shape[0]):
            sums[i] += part[0][row]
            sq[i] += part[1][row]
            best[i] += part[2][row]
        hits[i] += part[3]
        pos[i] += part[4]
        done += m
        if progress is not None:
            progress(done, n * k)

    if client is not None:
        from sim.runner.cluster import map_ordered  # dask only when asked for

        workers = max(1, len(client.scheduler_info().get("workers", {})))
        tasks = _cluster_tasks(n, k, step, workers)
        it = iter(tasks)

        def got(parts: list[tuple[FloatArray, ...]]) -> None:
            start, stop, lo, _ = next(it)
            for i, part in enumerate(parts, lo):
                add(i, stop - start, part)

        map_ordered(client, cells_task, tasks, shared=(study, list(cells), months, chosen),
                    on_result=got)
    else:
        plan = sampling_plan(study)
        for start in range(0, n, step):
            stop = min(start + step, n)
            base = input_values(study, plan.rows(start, stop), start=start)
            for i, pins in enumerate(cells):
                add(i, stop - start, _cell_sums(study, base, pins, months, chosen,
                                                stop - start))
    mean = sums / n
    var = np.maximum(sq / n - mean * mean, 0.0) * n / max(n - 1, 1)
    return {"mean": mean, "var": var, "p": hits / n, "pos": pos / n, "best": best / n}


def sweep(study: Study, param: str, values: Sequence[float], *, months: int | None = None,
          scale: Scale = "linear", strategies: Sequence[str] | None = None,
          samples: int | None = None, levels: Sequence[float] = LEVELS,
          chunk_size: int = CHUNK, client: Any = None,
          progress: Callable[[int, int], None] | None = None) -> Sweep:
    """P(payback <= N) and E[NPV] per strategy across values of one input.

    Parameters
    ----------
    study : Study
        The study (its seed and sampling plan give the common random numbers).
    param : str
        The input to sweep, e.g. ``workload.requests_per_day``.
    values : sequence of float
        Its values (sorted; duplicates dropped).
    months : int, optional
        N of P(payback <= N) (default: the study's headline N).
    scale : {"linear", "log"}
        How crossings are interpolated between values.
    strategies : sequence of str, optional
        Default: every strategy but the baseline.
    samples : int, optional
        Samples per value (default: the study's).
    levels : sequence of float
        Probabilities whose crossings are reported.
    chunk_size : int
        Samples per model call (rounded to a multiple of 4,096); results do not depend
        on it.
    client : dask.distributed.Client, optional
        Evaluate the (chunk, value) pairs on this Dask cluster (:mod:`sim.runner.cluster`);
        the results are bit-identical to a local sweep.
    progress : callable, optional
        ``progress(done, total)``: value-samples evaluated so far, of
        ``len(values) * samples``.

    Examples
    --------
    >>> sw = sweep(study, "workload.requests_per_day", [1000, 3000, 10000])  # doctest: +SKIP
    >>> sw.crossing("self_hosted_7b", 0.5)  # doctest: +SKIP
    """
    if samples is not None:
        study = study.replace(samples=samples)
    n_mo = study.primary_months if months is None else months
    if not 1 <= n_mo <= study.horizon_months:
        raise ValueError(f"months={n_mo} must lie in 1..{study.horizon_months} (the horizon)")
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} must be >= 1")
    vals = check_values(values, scale)
    inp = check_param(study, param, vals.tolist())
    names = check_strategies(study, strategies)
    acc = accumulate(study, [{inp.path: float(v)} for v in vals], n_mo, chunk_size,
                     client=client, progress=progress)
    choice = decision_set(study)
    n = study.samples
    every = study.compared()
    rows: dict[str, list[object]] = {c: [] for c in (
        "value", "strategy", "p_payback", "p_payback_se", "npv_mean", "npv_mean_se",
        "p_npv_positive", "p_best")}
    cross: dict[str, list[object]] = {c: [] for c in ("strategy", "level", "value", "se",
                                                      "direction", "lo", "hi")}
    for name in names:
        j = every.index(name)
        p = acc["p"][:, j]
        se = np.sqrt(p * (1 - p) / n)
        in_choice = name in choice
        for i, v in enumerate(vals):
            for c, x in zip(rows, (v, name, p[i], se[i], acc["mean"][i, j],
                                   np.sqrt(acc["var"][i, j] / n), acc["pos"][i, j],
                                   acc["best"][i, j] if in_choice else None), strict=True):
                rows[c].append(x if isinstance(x, str) or x is None else float(x))
        for level in levels:
            for x, e, direction in level_crossings(vals, p, se, level, scale == "log"):
                lo, hi = crossing_interval(vals, x, e, scale == "log")
                for c, y in zip(cross, (name, float(level), x, e, direction, lo, hi),
                                strict=True):
                    cross[c].append(y)
    frame = pl.DataFrame(rows, schema={"value": pl.Float64, "strategy": pl.String,
                                       **dict.fromkeys(list(rows)[2:], pl.Float64)})
    crossings = pl.DataFrame(cross, schema={"strategy": pl.String, "level": pl.Float64,
                                            "value": pl.Float64, "se": pl.Float64,
                                            "direction": pl.String, "lo": pl.Float64,
                                            "hi": pl.Float64})
    return Sweep(frame, crossings, inp.path, n_mo, scale, n)
