"""Time the serving simulation: a day of 10^6 requests, the capacity curve, the lookup.

Run: ``python benchmarks/bench_serving.py``. Prints wall times on this machine; the SLA
tables go to a temporary cache folder so the capacity curve is timed from scratch.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from distributions import parse
from sim.serving import (
    Autoscaling,
    ServingConfig,
    capacity_curve,
    get_profile,
    hourly_schedule,
    hourly_weights,
    replica_hours_per_day,
    simulate_day,
)

T = TypeVar("T")


def _timed(label: str, fn: Callable[[], T]) -> T:
    t = time.perf_counter()
    out = fn()
    print(f"{label:<58} {time.perf_counter() - t:8.2f} s")
    return out


def main() -> None:
    """Print the benchmark figures."""
    os.environ["FTRISK_CACHE_DIR"] = tempfile.mkdtemp(prefix="ftrisk-bench-")
    w = tuple(hourly_weights(peak_to_average=2.0))
    # the lesson's example request (500 in / 200 out) on a 7B/A10G, batch 32
    cfg = ServingConfig(get_profile("a10g-7b"), parse("300 to 800"), parse("100 to 350"),
                        hourly_weights=w, p99_latency_ms=4000.0)
    fixed = dataclasses.replace(cfg, replicas=8)
    day = _timed("day of 10^6 requests, 8 fixed replicas", lambda: simulate_day(
        fixed, requests_per_day=1_000_000, rng=np.random.default_rng(0)))
    print(f"  {day.requests:,} requests, utilization {day.utilization:.1%}, e2e p99 "
          f"{day.e2e.p99_ms:,.0f} ms, {day.replica_hours_per_day:.0f} replica-h")
    auto = dataclasses.replace(cfg, autoscaling=Autoscaling(cold_start_s=120.0))
    sched = _timed("plan the hourly replicas for the SLA (search, cold cache)",
                   lambda: hourly_schedule(auto, 1_000_000))
    print(f"  replicas by hour: {sched.tolist()}")
    day = _timed("day of 10^6 requests, hourly autoscaling", lambda: simulate_day(
        auto, requests_per_day=1_000_000, rng=np.random.default_rng(0), replicas=sched))
    print(f"  utilization {day.utilization:.1%}, e2e p99 {day.e2e.p99_ms:,.0f} ms, "
          f"{day.replica_hours_per_day:.1f} replica-h, SLA met: {day.sla_met}")
    volumes = np.geomspace(1e4, 1e7, 16)
    curve = _timed("capacity curve, 16 volumes 10^4..10^7 (SLA search, cold)",
                   lambda: capacity_curve(auto, volumes, seed=0))
    _timed("capacity curve again (memory cache)", lambda: capacity_curve(auto, volumes, seed=0))
    samples = np.random.default_rng(1).lognormal(np.log(3e5), 1.0, 1_000_000)
    _timed("replica_hours_per_day on 10^6 samples", lambda: replica_hours_per_day(curve, samples))
    print(curve.frame.select("requests_per_day", "peak_replicas", "replica_hours_per_day",
                             "utilization", "p99_latency_ms", "sla_met"))


if __name__ == "__main__":
    main()
