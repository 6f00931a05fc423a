"""Capacity planning: the SLA search, monotonicity, the capacity curve and its lookup."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serving_tests.serving_helpers import small_config

from sim.cache import cache_dir
from sim.serving import (
    Autoscaling,
    SteadyInputs,
    capacity_curve,
    hourly_weights,
    latency_reason,
    min_replicas_for_sla,
    plan,
    replica_hours_per_day,
    simulate_steady,
    sla_met,
    sla_table,
)
from sim.serving import sla as sla_module

N = 6000
SLA = small_config(p99_latency_ms=600.0)


def _p99(cfg, rate, c):
    inputs = SteadyInputs(cfg, N, rng=0)
    return simulate_steady(cfg, rate_per_s=rate, replicas=c, warmup=0.2, inputs=inputs).e2e.p99_ms


def test_smallest_pool_meets_the_sla_and_one_fewer_does_not():
    table = sla_table(SLA, rate_needed=80.0, n_requests=N)
    assert table.feasible and 250.0 < table.floor_ms < 600.0
    for c in (2, 3):
        rate = 1.03 * float(table.max_rate(c - 1))  # above c-1's limit by more than the
        need = min_replicas_for_sla(SLA, rate_per_s=rate, n_requests=N)  # bisection step
        assert need is not None and need >= c
        assert _p99(SLA, rate, need) <= 600.0
        assert _p99(SLA, rate, need - 1) > 600.0


def test_more_load_never_needs_fewer_replicas():
    rates = np.linspace(0.5, 150.0, 60)
    need = [min_replicas_for_sla(SLA, rate_per_s=r, n_requests=N) for r in rates]
    assert need == sorted(need) and need[0] == 1 and need[-1] > 4
    v = np.geomspace(1e3, 1e7, 200)
    for cfg in (SLA, dataclasses.replace(SLA, autoscaling=Autoscaling())):
        table = sla_table(cfg, rate_needed=200.0, n_requests=N)
        hours = plan(cfg, v, table).replica_hours
        assert np.all(np.diff(hours) >= 0)


@settings(max_examples=40, deadline=None)
@given(weights=st.lists(st.floats(0.0, 10.0), min_size=24, max_size=24).filter(
    lambda w: sum(w) > 0.1), util=st.floats(0.2, 1.0), lo=st.integers(0, 3),
    zero=st.booleans(), volume=st.floats(1e2, 1e8))
def test_autoscaling_never_costs_more_than_the_peak_sized_pool(weights, util, lo, zero, volume):
    w = tuple(hourly_weights(weights=weights))
    fixed = small_config(hourly_weights=w, target_utilization=util)
    auto = dataclasses.replace(fixed, autoscaling=Autoscaling(
        min_replicas=0 if zero else lo, scale_to_zero=zero))
    v = np.array([volume, volume * 1.7])
    f, a = plan(fixed, v), plan(auto, v)
    # the peak-sized pool: the autoscaler's own busiest-hour count, all day
    peak = np.maximum(a.counts.max(axis=1), 1.0)
    assert np.all(a.replica_hours <= 24 * peak + 1e-9)
    if lo <= 1:  # same sizing rule as the fixed pool: never more replicas in any hour
        assert np.all(a.replica_hours <= f.replica_hours + 1e-9)
    assert np.all(np.diff(f.replica_hours) >= 0) and np.all(np.diff(a.replica_hours) >= 0)


@pytest.fixture(scope="module")
def curves():
    w = tuple(hourly_weights(peak_to_average=2.5))
    base = small_config(hourly_weights=w, p99_latency_ms=600.0)
    auto = dataclasses.replace(base, autoscaling=Autoscaling(min_replicas=1, max_replicas=500))
    vols = np.geomspace(2e4, 4e6, 10)
    return {name: capacity_curve(c, vols, n_requests=N)
            for name, c in (("fixed", base), ("auto", auto))}


def test_lookup_is_exact_against_the_plan(curves):
    rng = np.random.default_rng(0)
    for curve in curves.values():
        v = np.exp(rng.uniform(np.log(1.1e4), np.log(7.9e6), 2000))
        table = sla_table(curve.config, rate_needed=1.0, n_requests=N)
        exact = plan(curve.config, v, table).replica_hours
        np.testing.assert_allclose(replica_hours_per_day(curve, v), exact, rtol=1e-6)


def test_lookup_is_vectorized_and_monotone(curves):
    # its speed (10^6 samples) is timed in benchmarks/bench_serving.py, not asserted here
    curve = curves["auto"]
    v = np.random.default_rng(1).lognormal(np.log(1e6), 1.5, size=(1000, 1000))
    out = replica_hours_per_day(curve, v)
    assert out.shape == v.shape
    order = np.argsort(v, axis=None)
    assert np.all(np.diff(out.ravel()[order]) >= 0)
    # beyond the tabulated range: proportional
    top = curve.knots[-1]
    assert replica_hours_per_day(curve, [4 * top])[0] == pytest.approx(
        4 * curve.replica_hours[-1])


def test_curve_frame(curves):
    f = curves["fixed"].frame
    a = curves["auto"].frame
    assert f.columns == ["requests_per_day", "peak_rate_per_s", "peak_replicas",
                         "replica_hours_per_day", "utilization", "cost_per_day",
                         "cost_per_1m_tokens", "p99_latency_ms", "sla_met"]
    assert f["sla_met"].all() and a["sla_met"].all()
    assert (a["replica_hours_per_day"] <= f["replica_hours_per_day"]).all()
    assert (f["replica_hours_per_day"] == 24 * f["peak_replicas"]).all()
    p99 = f["p99_latency_ms"].drop_nans()
    assert p99.len() >= 5 and (p99 <= 600.0).all()
    cfg = curves["fixed"].config
    util = f["requests_per_day"] * cfg.work_per_request_s / (f["replica_hours_per_day"] * 3600)
    np.testing.assert_allclose(f["utilization"].to_numpy(), util.to_numpy())


def test_other_request_sizes_rescale_the_volume(curves):
    curve = curves["fixed"]
    cfg = curve.config
    v = np.array([1e5, 1e6, 5e6])
    same = replica_hours_per_day(curve, v, input_tokens=cfg.input_tokens.mean,
                                 output_tokens=cfg.output_tokens.mean)
    np.testing.assert_allclose(same, replica_hours_per_day(curve, v))
    longer = replica_hours_per_day(curve, v, output_tokens=np.array([80.0, 80.0, 80.0]))
    ratio = cfg.rates.work_s(200.0, 80.0) / cfg.rates.work_s(200.0, 40.0)
    np.testing.assert_allclose(longer, replica_hours_per_day(curve, v * ratio))


def test_capped_autoscaler_and_fixed_count_break_the_sla():
    capped = dataclasses.replace(SLA, autoscaling=Autoscaling(max_replicas=2))
    curve = capacity_curve(capped, [1e4, 1e7], n_requests=N)
    assert sla_met(curve, [1e4, 1e7]).tolist() == [True, False]
    reason = latency_reason(capped, requests_per_day=1e7, n_requests=N)
    assert reason is not None and reason.startswith("p99 e2e latency above 600 ms at "
                                                    "10,000,000 requests/day")
    assert latency_reason(capped, requests_per_day=1e4, n_requests=N) is None
    fixed = dataclasses.replace(SLA, replicas=1)
    assert latency_reason(fixed, requests_per_day=1e7, n_requests=N) is not None


def test_sla_below_the_latency_floor_is_infeasible():
    cfg = small_config(p99_latency_ms=100.0)
    assert min_replicas_for_sla(cfg, rate_per_s=1.0, n_requests=N) is None
    curve = capacity_curve(cfg, [1e4, 1e6], n_requests=N)
    assert not curve.frame["sla_met"].any()
    assert curve.frame["replica_hours_per_day"].to_list() == [24.0, 24.0]  # still billed
    assert latency_reason(cfg, requests_per_day=1e4, n_requests=N) == (
        "p99 e2e latency cannot go below 296 ms on a10g-7b (100 ms required)")


def test_tables_are_cached_on_disk():
    cfg = small_config(p99_latency_ms=700.0)
    a = sla_table(cfg, rate_needed=30.0, n_requests=2000)
    files = list(cache_dir("serving").glob("*.json"))
    assert files
    sla_module._TABLES.clear()
    b = sla_table(cfg, rate_needed=30.0, n_requests=2000)
    assert a == b
    assert capacity_curve(cfg, [1e5], n_requests=2000) is capacity_curve(cfg, [1e5],
                                                                           n_requests=2000)


def test_bad_inputs():
    with pytest.raises(ValueError, match="volumes must be finite"):
        capacity_curve(small_config(), [0.0, 10.0])
    with pytest.raises(ValueError, match="needs its SLA table"):
        plan(SLA, [1e5])
    with pytest.raises(ValueError, match="no p99_latency_ms"):
        min_replicas_for_sla(small_config(), rate_per_s=1.0)
    with pytest.raises(ValueError, match="give rate_per_s or requests_per_day"):
        min_replicas_for_sla(SLA)
