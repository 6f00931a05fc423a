"""Running the serving model under a stationary load: a fixed pool and a constant Poisson
arrival rate, measured after a warm-up (what capacity searches and SLA tables use)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from distributions.base import SeedLike
from sim.serving import engine
from sim.serving.config import Percentiles, ServingConfig, SteadyResult
from sim.serving.traffic import (
    SECONDS_PER_DAY,
    request_sizes,
    unit_arrivals,
)


def spawn_streams(rng: SeedLike, k: int) -> list[np.random.Generator]:
    """``k`` independent generators spawned from ``rng`` (arrivals, input sizes, ...)."""
    return np.random.default_rng(rng).spawn(k)


def token_sizes(config: ServingConfig, n: int,
                streams: Sequence[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """Input and output token counts of ``n`` requests, from two of ``streams``."""
    return (request_sizes(config.input_tokens, n, rng=streams[0]),
            request_sizes(config.output_tokens, n, rng=streams[1]))


class SteadyInputs:
    """Common random numbers for stationary runs: unit-rate arrivals and request sizes.

    Every rate and replica count run on the same draws, so latency changes smoothly with
    load and capacity searches are not thrown off by noise.
    """

    def __init__(self, config: ServingConfig, n_requests: int, *, rng: SeedLike) -> None:
        if n_requests < 10:
            raise ValueError(f"n_requests={n_requests} must be >= 10")
        s_arr, s_in, s_out = spawn_streams(rng, 3)
        self.unit = unit_arrivals(n_requests, rng=s_arr)
        self.tin, self.tout = token_sizes(config, n_requests, [s_in, s_out])
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
