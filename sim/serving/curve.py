"""The capacity curve: replica-hours per day against requests per day, for the cost core.

Computed once per serving config and cached. It tabulates the plan of
:func:`~sim.serving.capacity.plan` exactly at every volume where some hour's replica count
changes (and on a dense log grid between), so :func:`replica_hours_per_day` is one
``numpy.interp`` over any number of samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from sim.serving.capacity import DayPlan, plan, sla_table_for
from sim.serving.config import ServingConfig
from sim.serving.sla import MODEL_VERSION, SlaTable
from sim.serving.steady import SteadyInputs, simulate_steady
from sim.serving.traffic import SECONDS_PER_DAY, SECONDS_PER_HOUR

FloatArray = NDArray[np.float64]
GRID_POINTS = 2048
_CHUNK = 16384
_CURVES: dict[tuple[object, ...], CapacityCurve] = {}


@dataclass(frozen=True)
class CapacityCurve:
    """Replica-hours per day against requests per day for one serving config.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per requested volume: ``requests_per_day, peak_rate_per_s, peak_replicas,
        replica_hours_per_day, utilization, cost_per_day, cost_per_1m_tokens,
        p99_latency_ms`` (stationary P99 at the busiest hour, NaN beyond 64 replicas) and
        ``sla_met``.
    knots, replica_hours, knot_sla_met : numpy.ndarray
        The exact tabulation :func:`replica_hours_per_day` interpolates.
    work_per_request_s : float
        Mean full-replica seconds per request (to rescale volumes of other request sizes).
    config_key : str
        :meth:`ServingConfig.key` of the config.
    """

    frame: pl.DataFrame
    knots: FloatArray
    replica_hours: FloatArray
    knot_sla_met: NDArray[np.bool_]
    work_per_request_s: float
    config: ServingConfig
    config_key: str


def _knots(config: ServingConfig, table: SlaTable | None, lo: float, hi: float) -> FloatArray:
    """Volumes where some hour's replica count can change, plus a dense log grid."""
    w = np.asarray(config.hourly_weights)
    w = w[w > 0]
    mu = config.capacity_per_replica
    top = hi * w.max() / SECONDS_PER_DAY
    rates: list[FloatArray] = []
    u = config.planning_utilization
    if u is not None:
        rates.append(np.arange(1, np.ceil(top / (mu * u)) + 2) * mu * u)
    if table is not None and table.feasible:
        rho = max(min(table.max_utilization[-1], 1.0), 1e-3)
        rates.append(table.max_rate(np.arange(1, np.ceil(top / (mu * rho)) + 2)))
    grid = np.geomspace(lo, hi, GRID_POINTS)
    if not rates:
        return grid
    br = (np.concatenate(rates)[:, None] * SECONDS_PER_DAY / w[None, :]).ravel()
    br = br[(br > lo) & (br < hi)]
    # a count changes at (or, rounding aside, just above) each breakpoint: tabulate both sides
    return np.unique(np.concatenate([grid, br * (1.0 - 1e-8), br, br * (1.0 + 1e-8)]))


def _plan_chunks(config: ServingConfig, v: FloatArray,
                 table: SlaTable | None) -> tuple[FloatArray, NDArray[np.bool_]]:
    hours, met = np.empty(v.size), np.empty(v.size, dtype=bool)
    for s in range(0, v.size, _CHUNK):
        p = plan(config, v[s:s + _CHUNK], table)
        hours[s:s + _CHUNK], met[s:s + _CHUNK] = p.replica_hours, p.sla_met
    return hours, met


def capacity_curve(config: ServingConfig, volumes: Sequence[float] | ArrayLike, *,
                   seed: int = 0, n_requests: int = 20_000,
                   cache: bool = True) -> CapacityCurve:
    """The config's capacity curve: replica-hours/day and utilization against requests/day.

    Computed once per (config, volumes, seed, precision) and cached in memory; the SLA
    search behind it is also cached on disk (see :func:`sim.cache.cache_dir`).

    Parameters
    ----------
    config : ServingConfig
    volumes : array_like
        Daily volumes (> 0) to report; the tabulation spans half the smallest to twice the
        largest, and :func:`replica_hours_per_day` extrapolates proportionally beyond.
    seed : int
        Seed of the SLA search and the P99 runs (common random numbers).
    n_requests : int
        Requests per stationary run (precision of the P99).
    cache : bool
        Use the caches.

    Returns
    -------
    CapacityCurve

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> curve = capacity_curve(cfg, [1e5, 1e6, 4e6], n_requests=2000)
    >>> curve.frame["replica_hours_per_day"].to_list()
    [24.0, 72.0, 264.0]
    """
    v = np.unique(np.asarray(volumes, dtype=np.float64).ravel())
    if v.size == 0 or not np.all(np.isfinite(v)) or v[0] <= 0:
        raise ValueError(f"volumes must be finite requests/day > 0; got {np.asarray(volumes)}")
    key = (config.key(), tuple(v.tolist()), seed, n_requests, MODEL_VERSION)
    if cache and key in _CURVES:
        return _CURVES[key]
    lo, hi = v[0] / 2.0, v[-1] * 2.0
    table = sla_table_for(config, hi, seed, n_requests)
    knots = _knots(config, table, lo, hi)
    hours, met = _plan_chunks(config, knots, table)
    p = plan(config, v, table)
    curve = CapacityCurve(_frame(config, v, p, seed, n_requests), knots, hours, met,
                          config.work_per_request_s, config, config.key())
    if cache:
        _CURVES[key] = curve
    return curve


def _frame(config: ServingConfig, v: FloatArray, p: DayPlan, seed: int,
           n_requests: int) -> pl.DataFrame:
    w = np.asarray(config.hourly_weights)
    peak_hour = int(np.argmax(w))
    peak_rate = v * w[peak_hour] / SECONDS_PER_DAY
    peak = p.counts[:, peak_hour]
    p99 = np.full(v.size, np.nan)
    inputs: SteadyInputs | None = None
    for j, (rate, c) in enumerate(zip(peak_rate, peak, strict=True)):
        if 1 <= c <= 64 and rate < c * config.capacity_per_replica:
            n = max(n_requests, 20 * int(c) * config.batch)
            if inputs is None or inputs.unit.size != n:
                inputs = SteadyInputs(config, n, rng=seed)
            r = simulate_steady(config, rate_per_s=float(rate), replicas=int(c), warmup=0.2,
                                inputs=inputs)
            p99[j] = (r.ttft if config.latency_metric == "ttft" else r.e2e).p99_ms
    cost = p.replica_hours * config.price_per_hour
    tokens = v * config.mean_tokens
    return pl.DataFrame({
        "requests_per_day": v, "peak_rate_per_s": peak_rate, "peak_replicas": peak,
        "replica_hours_per_day": p.replica_hours,
        "utilization": v * config.work_per_request_s / (p.replica_hours * SECONDS_PER_HOUR),
        "cost_per_day": cost, "cost_per_1m_tokens": cost / tokens * 1e6,
        "p99_latency_ms": p99, "sla_met": p.sla_met,
    })


def _equivalent(curve: CapacityCurve, requests_per_day: ArrayLike,
                input_tokens: ArrayLike | None, output_tokens: ArrayLike | None) -> FloatArray:
    v = np.asarray(requests_per_day, dtype=np.float64)
    if input_tokens is None and output_tokens is None:
        return v
    cfg = curve.config
    tin = cfg.input_tokens.mean if input_tokens is None else np.asarray(input_tokens, float)
    tout = cfg.output_tokens.mean if output_tokens is None else np.asarray(output_tokens, float)
    return v * np.asarray(cfg.rates.work_s(tin, tout)) / curve.work_per_request_s


def replica_hours_per_day(curve: CapacityCurve, requests_per_day: ArrayLike, *,
                          input_tokens: ArrayLike | None = None,
                          output_tokens: ArrayLike | None = None) -> FloatArray:
    """Replica-hours per day at each volume, from the capacity curve (vectorized).

    Exact at every volume where a replica count changes; linear between tabulated points
    (on-demand hours vary smoothly); constant below the tabulated range and proportional to
    the volume above it. Non-decreasing in the volume.

    Parameters
    ----------
    curve : CapacityCurve
    requests_per_day : array_like
        Daily volumes, any shape (e.g. one per sample).
    input_tokens, output_tokens : array_like, optional
        Mean tokens per request of each sample when they differ from the curve's: the volume
        is rescaled to the same work (``V * work(Tin, Tout) / work(curve)``).

    Returns
    -------
    numpy.ndarray
        Same shape as ``requests_per_day``.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> curve = capacity_curve(cfg, [1e5, 1e6], n_requests=2000)
    >>> replica_hours_per_day(curve, np.array([2e5, 5e5, 9e5])).tolist()
    [24.0, 48.0, 72.0]
    """
    v = _equivalent(curve, requests_per_day, input_tokens, output_tokens)
    out = np.interp(v, curve.knots, curve.replica_hours)
    top = curve.knots[-1]
    return np.where(v > top, curve.replica_hours[-1] * v / top, out)


def sla_met(curve: CapacityCurve, requests_per_day: ArrayLike) -> NDArray[np.bool_]:
    """Whether the curve's policy meets its SLA at each volume (vectorized).

    The verdict of the nearest tabulated volume at or below (the smallest one below the
    range, the largest one above).

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> sla_met(capacity_curve(cfg, [1e5], n_requests=2000), [1e5]).tolist()  # no SLA
    [True]
    """
    v = np.asarray(requests_per_day, dtype=np.float64)
    idx = np.clip(np.searchsorted(curve.knots, v, side="right") - 1, 0, curve.knots.size - 1)
    return curve.knot_sla_met[idx]
