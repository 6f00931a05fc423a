"""Running the serving model over one day: Poisson arrivals following the hourly profile,
with the config's replica policy (fixed, planned from the SLA, or autoscaled)."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from distributions.base import SeedLike
from sim.serving import engine
from sim.serving.capacity import hourly_schedule
from sim.serving.config import Percentiles, ServingConfig, ServingResult
from sim.serving.steady import spawn_streams, token_sizes
from sim.serving.traffic import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    day_arrivals,
)


def _actions(schedule: np.ndarray, cold_start_s: float,
             scale_to_zero: bool) -> list[tuple[float, int, bool]]:
    """Scaling actions of an hourly schedule: scale-ups launched a cold start early."""
    on_demand = [scale_to_zero and k <= 1 for k in schedule]
    out = [(0.0, int(schedule[0]), on_demand[0])]
    for h in range(1, 24):
        k, prev = int(schedule[h]), int(schedule[h - 1])
        up = not on_demand[h] and (on_demand[h - 1] or k > prev)
        when = h * SECONDS_PER_HOUR - (cold_start_s if up else 0.0)
        if k != prev or on_demand[h] != on_demand[h - 1]:
            out.append((max(when, 0.0), k, on_demand[h]))
    return out


def _hourly_billing(bill_t: list[float], bill_n: list[int]) -> np.ndarray:
    """Replica-seconds billed in each hour of the day, from the billed-count steps."""
    t = np.append(np.minimum(np.asarray(bill_t), SECONDS_PER_DAY), SECONDS_PER_DAY)
    n = np.asarray(bill_n, dtype=np.float64)
    area = np.concatenate([[0.0], np.cumsum(n * np.diff(t))])
    edges = np.arange(25) * SECONDS_PER_HOUR
    return np.diff(np.interp(edges, t, area))


def _schedule(config: ServingConfig, replicas: ArrayLike | None,
              requests_per_day: float, seed: int) -> np.ndarray:
    if replicas is not None:
        sched = np.broadcast_to(np.asarray(replicas, dtype=np.int64), (24,)).copy()
        if np.any(sched < 0):
            raise ValueError(f"replicas={replicas!r}: counts must be >= 0")
        return sched
    if config.replicas is not None:
        return np.full(24, config.replicas, dtype=np.int64)
    return hourly_schedule(config, requests_per_day, seed=seed)


def simulate_day(config: ServingConfig, *, requests_per_day: float, rng: SeedLike = None,
                 replicas: ArrayLike | None = None,
                 plan_seed: int = 0) -> ServingResult:
    """Simulate one day of serving: Poisson arrivals following the hourly profile.

    Parameters
    ----------
    config : ServingConfig
    requests_per_day : float
        Expected requests in the day.
    rng : numpy.random.Generator, int or None
        Randomness (arrivals, input sizes, output sizes draw from independent streams).
    replicas : int or sequence of 24 ints, optional
        The replicas of each hour, overriding the config's policy (0: on demand, which
        needs ``config.autoscaling.scale_to_zero``).
    plan_seed : int
        Seed of the capacity search when the policy must be planned (no fixed count).

    Returns
    -------
    ServingResult

    Raises
    ------
    ValueError
        For a non-positive volume or a schedule that is not 24 counts >= 0.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0), replicas=1)
    >>> day = simulate_day(cfg, requests_per_day=20_000, rng=np.random.default_rng(0))
    >>> day.replica_hours_per_day, round(day.cost_per_day, 2)
    (24.0, 24.72)
    """
    if not requests_per_day > 0:
        raise ValueError(f"requests_per_day={requests_per_day!r} must be > 0")
    s_arr, s_in, s_out = spawn_streams(rng, 3)
    sched = _schedule(config, replicas, requests_per_day, plan_seed)
    auto = config.autoscaling
    scale_to_zero = auto is not None and auto.scale_to_zero
    if np.any(sched == 0) and not scale_to_zero:
        raise ValueError("a schedule with 0 replicas in an hour needs autoscaling with "
                         "scale_to_zero = true (the hour then runs on demand)")
    cold = auto.cold_start_s if auto is not None else 0.0
    arrivals = day_arrivals(np.asarray(config.hourly_weights), requests_per_day, rng=s_arr)
    n = arrivals.size
    tin, tout = token_sizes(config, n, [s_in, s_out])
    pool = engine.run(config.rates, arrivals, tin, tout,
                      actions=_actions(sched, cold, scale_to_zero), cold_start_s=cold,
                      idle_timeout_s=auto.idle_timeout_s if auto is not None else 300.0)
    return _day_result(config, pool, arrivals, tin, tout)


def _day_result(config: ServingConfig, pool: engine.Pool, arrivals: np.ndarray,
                tin: np.ndarray, tout: np.ndarray) -> ServingResult:
    admitted, first, done = (np.asarray(x) for x in (pool.admitted, pool.first, pool.done))
    wait, ttft, e2e = admitted - arrivals, first - arrivals, done - arrivals
    hour = np.minimum((arrivals // SECONDS_PER_HOUR).astype(np.int64), 23)
    billed = _hourly_billing(pool.bill_t, pool.bill_n)
    work = config.rates.work_s(tin, tout)
    hourly_work = np.bincount(hour, weights=work, minlength=24)
    replica_hours = float(billed.sum() / SECONDS_PER_HOUR)
    tokens = float(tin.sum() + tout.sum())
    cost = replica_hours * config.price_per_hour
    metric = ttft if config.latency_metric == "ttft" else e2e
    lat = Percentiles.of_seconds(metric)
    sla = config.p99_latency_ms
    with np.errstate(invalid="ignore", divide="ignore"):
        hourly = pl.DataFrame({
            "hour": np.arange(24),
            "requests": np.bincount(hour, minlength=24),
            "replicas": billed / SECONDS_PER_HOUR,
            "utilization": np.where(billed > 0, hourly_work / np.maximum(billed, 1e-300), 0.0),
            "ttft_p99_ms": _by_hour(ttft, hour, 99.0),
            "e2e_p99_ms": _by_hour(e2e, hour, 99.0),
            "mean_wait_ms": np.bincount(hour, weights=wait, minlength=24) * 1000.0
            / np.maximum(np.bincount(hour, minlength=24), 1),
        })
    return ServingResult(
        requests=int(arrivals.size), tokens=tokens,
        utilization=float(work.sum() / billed.sum()) if billed.sum() > 0 else 0.0,
        ttft=Percentiles.of_seconds(ttft), e2e=Percentiles.of_seconds(e2e),
        mean_wait_ms=float(wait.mean() * 1000.0) if wait.size else 0.0,
        p_wait=float(np.mean(wait > 1e-12)) if wait.size else 0.0,
        mean_queue=pool.area_q / max(pool.t_last, SECONDS_PER_DAY),
        max_queue=pool.max_queue, replica_hours_per_day=replica_hours, cost_per_day=cost,
        cost_per_1m_tokens=cost / tokens * 1e6 if tokens > 0 else float("inf"),
        cold_starts=pool.cold_starts, p99_latency_ms=lat.p99_ms,
        sla_met=None if sla is None else bool(lat.p99_ms <= sla), hourly=hourly,
    )


def _by_hour(x: np.ndarray, hour: np.ndarray, q: float) -> np.ndarray:
    out = np.full(24, np.nan)
    order = np.argsort(hour, kind="stable")
    bounds = np.searchsorted(hour[order], np.arange(25))
    for h in range(24):
        part = x[order[bounds[h]:bounds[h + 1]]]
        if part.size:
            out[h] = np.percentile(part, q) * 1000.0
    return out


