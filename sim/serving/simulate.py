"""Running the serving model: one day with its traffic profile, or a stationary load."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from distributions.base import SeedLike
from sim.serving import engine
from sim.serving.config import Percentiles, ServingConfig, ServingResult, SteadyResult
from sim.serving.traffic import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    day_arrivals,
    request_sizes,
    unit_arrivals,
)


def _streams(rng: SeedLike, k: int) -> list[np.random.Generator]:
    return np.random.default_rng(rng).spawn(k)


def _sizes(config: ServingConfig, n: int,
           streams: Sequence[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    return (request_sizes(config.input_tokens, n, rng=streams[0]),
            request_sizes(config.output_tokens, n, rng=streams[1]))


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
    from sim.serving.capacity import hourly_schedule

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
    s_arr, s_in, s_out = _streams(rng, 3)
    sched = _schedule(config, replicas, requests_per_day, plan_seed)
    auto = config.autoscaling
    scale_to_zero = auto is not None and auto.scale_to_zero
    if np.any(sched == 0) and not scale_to_zero:
        raise ValueError("a schedule with 0 replicas in an hour needs autoscaling with "
                         "scale_to_zero = true (the hour then runs on demand)")
    cold = auto.cold_start_s if auto is not None else 0.0
    arrivals = day_arrivals(np.asarray(config.hourly_weights), requests_per_day, rng=s_arr)
    n = arrivals.size
    tin, tout = _sizes(config, n, [s_in, s_out])
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


class SteadyInputs:
    """Common random numbers for stationary runs: unit-rate arrivals and request sizes.

    Every rate and replica count run on the same draws, so latency changes smoothly with
    load and capacity searches are not thrown off by noise.
    """

    def __init__(self, config: ServingConfig, n_requests: int, *, rng: SeedLike) -> None:
        if n_requests < 10:
            raise ValueError(f"n_requests={n_requests} must be >= 10")
        s_arr, s_in, s_out = _streams(rng, 3)
        self.unit = unit_arrivals(n_requests, rng=s_arr)
        self.tin, self.tout = _sizes(config, n_requests, [s_in, s_out])
        self.work = config.rates.work_s(self.tin, self.tout)


def simulate_steady(config: ServingConfig, *, rate_per_s: float, replicas: int,
                    n_requests: int = 50_000, warmup: float = 0.1, rng: SeedLike = None,
                    inputs: SteadyInputs | None = None) -> SteadyResult:
    """Simulate a constant Poisson load on a fixed pool, measuring after a warm-up.

    Parameters
    ----------
    config : ServingConfig
        Hardware, options and request sizes (its policy and profile are not used).
    rate_per_s : float
        Arrivals per second.
    replicas : int
        Pool size.
    n_requests : int
        Requests simulated, including the warm-up.
    warmup : float
        Share of the requests (the first ones) left out of the statistics, in [0, 0.9].
    rng : numpy.random.Generator, int or None
        Randomness; ignored when ``inputs`` is given.
    inputs : SteadyInputs, optional
        Pre-drawn arrivals and sizes to reuse (common random numbers).

    Returns
    -------
    SteadyResult

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> r = simulate_steady(cfg, rate_per_s=3.0, replicas=1, n_requests=2000,
    ...                     rng=np.random.default_rng(0))
    >>> 0.3 < r.utilization < 0.55
    True
    """
    if not rate_per_s > 0 or replicas < 1:
        raise ValueError(f"rate_per_s={rate_per_s!r} must be > 0 and replicas={replicas!r} "
                         ">= 1")
    if not 0.0 <= warmup <= 0.9:
        raise ValueError(f"warmup={warmup!r} must be in [0, 0.9]")
    data = inputs if inputs is not None else SteadyInputs(config, n_requests, rng=rng)
    arrivals = data.unit / rate_per_s
    n = arrivals.size
    k = min(int(warmup * n), n - 2)
    pool = engine.run(config.rates, arrivals, data.tin, data.tout,
                      actions=[(0.0, int(replicas), False)], marks=(k, n - 1))
    return _steady_result(config, pool, arrivals, data, k, rate_per_s, int(replicas))


def _steady_result(config: ServingConfig, pool: engine.Pool, arrivals: np.ndarray,
                   data: SteadyInputs, k: int, rate: float, replicas: int) -> SteadyResult:
    sl = slice(k, arrivals.size - 1)  # the window's arrivals: [t_k, t_{n-1})
    arr = arrivals[sl]
    admitted, first, done = (np.asarray(x)[sl] for x in (pool.admitted, pool.first, pool.done))
    (t0, a0, q0), (t1, a1, q1) = pool.snapshots[k], pool.snapshots[arrivals.size - 1]
    window = t1 - t0
    wait, e2e = admitted - arr, done - arr
    ttft = first - arr
    return SteadyResult(
        rate_per_s=rate, replicas=replicas, requests=int(arr.size),
        utilization=float(data.work[sl].sum() / (replicas * window)),
        ttft=Percentiles.of_seconds(ttft), e2e=Percentiles.of_seconds(e2e),
        mean_wait_s=float(wait.mean()), p_wait=float(np.mean(wait > 1e-12)),
        mean_e2e_s=float(e2e.mean()), mean_in_system=(a1 - a0) / window,
        mean_in_queue=(q1 - q0) / window, arrival_rate=arr.size / window, window_s=window,
    )


def latency_sweep(config: ServingConfig, *, replicas: int, utilizations: Sequence[float],
                  n_requests: int = 20_000, rng: SeedLike = None) -> pl.DataFrame:
    """Latency against load for a fixed pool: one stationary run per utilization.

    All runs share the same draws (common random numbers).

    Returns
    -------
    polars.DataFrame
        ``utilization`` (offered), ``rate_per_s``, ``requests_per_day`` (at that constant
        rate), ``ttft_p50_ms`` ... ``e2e_p99_ms``, ``mean_wait_ms``.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> f = latency_sweep(cfg, replicas=1, utilizations=[0.2, 0.8], n_requests=2000, rng=0)
    >>> f["e2e_p99_ms"].is_sorted()
    True
    """
    inputs = SteadyInputs(config, n_requests, rng=rng)
    rows = []
    for u in utilizations:
        if not 0.0 < u < 1.0:
            raise ValueError(f"utilization {u!r} must be in (0, 1)")
        rate = u * replicas * config.capacity_per_replica
        r = simulate_steady(config, rate_per_s=rate, replicas=replicas, warmup=0.2,
                            inputs=inputs)
        rows.append({"utilization": u, "rate_per_s": rate,
                     "requests_per_day": rate * SECONDS_PER_DAY,
                     "ttft_p50_ms": r.ttft.p50_ms, "ttft_p95_ms": r.ttft.p95_ms,
                     "ttft_p99_ms": r.ttft.p99_ms, "e2e_p50_ms": r.e2e.p50_ms,
                     "e2e_p95_ms": r.e2e.p95_ms, "e2e_p99_ms": r.e2e.p99_ms,
                     "mean_wait_ms": r.mean_wait_s * 1000.0})
    return pl.DataFrame(rows)
