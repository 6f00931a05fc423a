"""Capacity planning: replicas per hour, and the smallest pool meeting a latency SLA.

Each hour is planned from its arrival rate ``lambda_h = V * w_h / 86400`` as if it were in
steady state: it needs ``max(ceil(lambda_h / (capacity * u)), replicas meeting the SLA at
lambda_h)`` replicas (``u`` the planning utilization, see
:attr:`ServingConfig.planning_utilization`). A fixed pool runs the busiest hour's count all
day; autoscaling runs each hour's count, within ``[min_replicas, max_replicas]``; with scale
to zero an hour needing at most one replica runs it on demand, billed for the fraction of
time it is up: for Poisson arrivals at rate ``lam``, cold start ``Tc`` and idle timeout ``T``
(service time neglected) an on-demand replica is up ``(Tc + (e^{lam T} - 1)/lam) /
(Tc + e^{lam T}/lam)`` of the time, and ``(1 + lam Tc) / (lam Tc + e^{lam T})`` of the
requests wait for a cold start. :func:`~sim.serving.simulate_day` checks these plans by
simulating the day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.serving.config import ServingConfig
from sim.serving.sla import SlaTable, sla_table
from sim.serving.traffic import SECONDS_PER_DAY, SECONDS_PER_HOUR

FloatArray = NDArray[np.float64]
#: Share of a day's requests a cold start may delay before a P99 SLA counts as broken.
COLD_SHARE_LIMIT = 0.01


@dataclass(frozen=True)
class DayPlan:
    """Replicas by hour for a set of daily volumes, and what they deliver.

    Attributes
    ----------
    counts : numpy.ndarray
        (n, 24) replicas in each hour; 0 marks an on-demand hour (scale to zero).
    replica_hours : numpy.ndarray
        (n,) replica-hours billed per day.
    sla_met : numpy.ndarray of bool
        (n,) every hour meets the SLA, and cold starts delay at most 1% of requests.
    """

    counts: FloatArray
    replica_hours: FloatArray
    sla_met: NDArray[np.bool_]


def _on_demand(lam: FloatArray, cold: float, idle: float) -> tuple[FloatArray, FloatArray]:
    """Up-time fraction of an on-demand replica, and the share of requests meeting a cold start."""
    e = np.exp(-lam * idle)
    up = (1.0 - e * (1.0 - lam * cold)) / (1.0 + lam * cold * e)
    share = (1.0 + lam * cold) * e / (1.0 + lam * cold * e)
    return up, share


def plan(config: ServingConfig, requests_per_day: ArrayLike,
         table: SlaTable | None = None) -> DayPlan:
    """Replicas in each hour for each daily volume, with replica-hours and the SLA verdict.

    Parameters
    ----------
    config : ServingConfig
    requests_per_day : array_like
        Daily volumes (1-D).
    table : SlaTable, optional
        The config's SLA table (required when it has ``p99_latency_ms``).

    Returns
    -------
    DayPlan

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> plan(cfg, [1e5, 1e6]).replica_hours.tolist()  # fixed pool at 60% utilization
    [24.0, 72.0]
    """
    v = np.atleast_1d(np.asarray(requests_per_day, dtype=np.float64))
    w = np.asarray(config.hourly_weights)
    lam = v[:, None] * w[None, :] / SECONDS_PER_DAY
    mu = config.capacity_per_replica
    u = config.planning_utilization
    need = np.ones_like(lam)
    if u is not None:
        need = np.maximum(need, np.ceil(lam / (mu * u) * (1.0 - 1e-9)))
    sla = np.ones_like(lam)
    if config.p99_latency_ms is not None:
        if table is None:
            raise ValueError("plan: a config with p99_latency_ms needs its SLA table")
        sla = table.replicas_for(lam)
        need = np.maximum(need, np.where(np.isfinite(sla), sla, 1.0))
    auto = config.autoscaling
    cold_ok = np.ones(v.size, dtype=bool)
    if config.replicas is not None:
        counts = np.full_like(lam, float(config.replicas))
    elif auto is None:
        counts = np.repeat(need.max(axis=1, keepdims=True), 24, axis=1)
    else:
        floor = 0 if auto.scale_to_zero else auto.min_replicas
        counts = np.clip(need, max(floor, 1), auto.max_replicas)
    hours = counts.sum(axis=1)
    if auto is not None and auto.scale_to_zero:
        on_demand = counts <= 1.0
        up, share = _on_demand(lam, auto.cold_start_s, auto.idle_timeout_s)
        hours = np.where(on_demand, up, counts).sum(axis=1)
        counts = np.where(on_demand, 0.0, counts)
        if config.p99_latency_ms is not None and auto.cold_start_s * 1000 > config.p99_latency_ms:
            delayed = (np.where(on_demand, lam * share, 0.0) * SECONDS_PER_HOUR).sum(axis=1)
            cold_ok = delayed <= COLD_SHARE_LIMIT * np.maximum(v, 1e-300)
    met = np.all(sla <= np.maximum(counts, 1.0), axis=1) & cold_ok
    return DayPlan(counts, hours, met)


def sla_table_for(config: ServingConfig, max_volume: float, seed: int,
                  n_requests: int, cache: bool = True) -> SlaTable | None:
    """The config's SLA table covering volumes up to ``max_volume`` (None without an SLA)."""
    if config.p99_latency_ms is None:
        return None
    rate = max_volume * max(config.hourly_weights) / SECONDS_PER_DAY
    return sla_table(config, rate_needed=rate, seed=seed, n_requests=n_requests, cache=cache)


def hourly_schedule(config: ServingConfig, requests_per_day: float, *, seed: int = 0,
                    n_requests: int = 20_000, cache: bool = True) -> NDArray[np.int64]:
    """The replicas the config's policy runs in each hour at this daily volume.

    0 marks an on-demand hour (scale to zero). See the module docstring for the rule.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import Autoscaling, ServingConfig, get_profile, hourly_weights
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0),
    ...                     hourly_weights=tuple(hourly_weights(peak_to_average=2.0)),
    ...                     autoscaling=Autoscaling(), target_utilization=0.6)
    >>> hourly_schedule(cfg, 1_000_000).tolist()[:12]
    [1, 1, 1, 1, 1, 1, 1, 2, 3, 5, 5, 6]
    """
    table = sla_table_for(config, requests_per_day, seed, n_requests, cache)
    return plan(config, [requests_per_day], table).counts[0].astype(np.int64)


def min_replicas_for_sla(config: ServingConfig, *, rate_per_s: float | None = None,
                         requests_per_day: float | None = None, seed: int = 0,
                         n_requests: int = 20_000, cache: bool = True) -> int | None:
    """Smallest fixed pool whose stationary P99 latency meets the config's SLA.

    Give the arrival rate, or a daily volume (then its busiest hour's rate is used).
    ``seed``, ``n_requests`` and ``cache`` are those of :func:`~sim.serving.sla_table`.

    Returns
    -------
    int or None
        None when no pool size meets the SLA (its latency floor is above it).

    Raises
    ------
    ValueError
        Without an SLA in the config, or without exactly one of the two loads.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(50.0),
    ...                     p99_latency_ms=1500.0)
    >>> min_replicas_for_sla(cfg, rate_per_s=30.0, n_requests=4000, cache=False)
    4
    """
    if config.p99_latency_ms is None:
        raise ValueError("min_replicas_for_sla: the config has no p99_latency_ms")
    if (rate_per_s is None) == (requests_per_day is None):
        raise ValueError("min_replicas_for_sla: give rate_per_s or requests_per_day")
    if requests_per_day is not None:
        rate_per_s = requests_per_day * max(config.hourly_weights) / SECONDS_PER_DAY
    assert rate_per_s is not None
    table = sla_table(config, rate_needed=rate_per_s, seed=seed, n_requests=n_requests,
                      cache=cache)
    c = float(table.replicas_for(rate_per_s))
    return int(c) if np.isfinite(c) else None


def latency_reason(config: ServingConfig, *, requests_per_day: float, seed: int = 0,
                   n_requests: int = 20_000, cache: bool = True) -> str | None:
    """Why the config cannot meet its P99 SLA at this volume, or None when it can.

    For a study's ``[constraints] p99_latency_ms``: a strategy is infeasible when its
    policy (a fixed count, a capped autoscaler, scale to zero) or its hardware's latency
    floor breaks the SLA. ``seed``, ``n_requests`` and ``cache`` are those of
    :func:`~sim.serving.sla_table`.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0),
    ...                     p99_latency_ms=300.0)
    >>> latency_reason(cfg, requests_per_day=10_000, n_requests=2000, cache=False)
    'p99 e2e latency cannot go below 1,421 ms on a10g-7b (300 ms required)'
    """
    sla = config.p99_latency_ms
    if sla is None:
        return None
    table = sla_table_for(config, requests_per_day, seed, n_requests, cache)
    assert table is not None
    metric = config.latency_metric
    if not table.feasible:
        return (f"p99 {metric} latency cannot go below {table.floor_ms:,.0f} ms on "
                f"{config.profile.name} ({sla:g} ms required)")
    p = plan(config, [requests_per_day], table)
    if p.sla_met[0]:
        return None
    peak = requests_per_day * max(config.hourly_weights) / SECONDS_PER_DAY
    need = float(table.replicas_for(peak))
    return (f"p99 {metric} latency above {sla:g} ms at {requests_per_day:,.0f} requests/day "
            f"with this policy (the busiest hour needs {need:.0f} replicas, or cold starts "
            f"delay more than {COLD_SHARE_LIMIT:.0%} of requests)")
