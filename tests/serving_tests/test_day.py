"""A simulated day: billing, reproducibility, autoscaling and scale to zero."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from serving_tests.serving_helpers import chatbot_config, small_config

from distributions import parse
from sim.serving import (
    Autoscaling,
    ServingConfig,
    get_profile,
    hourly_schedule,
    hourly_weights,
    plan,
    simulate_day,
)

SCALE_TO_ZERO = Autoscaling(scale_to_zero=True, cold_start_s=120.0, idle_timeout_s=300.0)


def test_fixed_pool_bills_every_hour():
    cfg = small_config(replicas=3, hourly_usd=2.0)
    day = simulate_day(cfg, requests_per_day=30_000, rng=1)
    assert day.replica_hours_per_day == 72.0
    assert day.hourly["replicas"].to_list() == [3.0] * 24
    assert day.cost_per_day == pytest.approx(144.0)
    assert day.cost_per_1m_tokens == pytest.approx(144.0 / day.tokens * 1e6)
    assert day.tokens == pytest.approx(day.requests * 240.0)
    # utilization: the work done over the capacity billed
    work = day.requests * cfg.work_per_request_s
    assert day.utilization == pytest.approx(work / (72 * 3600))


def test_same_seed_same_day_and_independent_streams():
    cfg = small_config(replicas=1)
    a = simulate_day(cfg, requests_per_day=5000, rng=np.random.default_rng(9))
    b = simulate_day(cfg, requests_per_day=5000, rng=np.random.default_rng(9))
    c = simulate_day(cfg, requests_per_day=5000, rng=np.random.default_rng(10))
    assert a.summary().equals(b.summary()) and a.hourly.equals(b.hourly)
    assert not a.summary().equals(c.summary())


def test_more_load_waits_longer():
    cfg = small_config(replicas=1, max_batch=2)
    light = simulate_day(cfg, requests_per_day=40_000, rng=3)
    heavy = simulate_day(cfg, requests_per_day=240_000, rng=3)
    assert heavy.utilization > 4 * light.utilization
    assert heavy.e2e.p99_ms > light.e2e.p99_ms and heavy.mean_wait_ms > light.mean_wait_ms


def _saving(cfg: ServingConfig, volume: float) -> tuple[float, float, float]:
    """Simulated and planned replica-hour saving of scale to zero vs the peak-sized pool."""
    auto = dataclasses.replace(cfg, autoscaling=SCALE_TO_ZERO)
    fixed = simulate_day(cfg, requests_per_day=volume, rng=1).replica_hours_per_day
    scaled = simulate_day(auto, requests_per_day=volume, rng=1).replica_hours_per_day
    planned = plan(auto, [volume]).replica_hours[0] / plan(cfg, [volume]).replica_hours[0]
    return 1.0 - scaled / fixed, 1.0 - planned, fixed


def test_scale_to_zero_with_ten_percent_of_traffic_at_night():
    """The lesson: 10% of traffic 00:00-06:00 -> scale to zero saves 25% of serving cost.

    At night the rate is a third of the day's, so the night still needs a third of the
    replicas: at 250K requests/day a 7B pool of 2 runs 1 at night, saving 6/48 = 12.5%;
    the saving tends to 6/24 x 2/3 = 16.7% for large pools. 25% needs no night traffic.
    """
    cfg = chatbot_config(target_utilization=0.6)
    sim, planned, fixed = _saving(cfg, 250_000)
    assert fixed == 48.0
    assert planned == pytest.approx(0.125)
    assert sim == pytest.approx(planned, abs=0.005)  # pre-warm and drains cost minutes
    assert sim < 0.25 - 0.05


def test_scale_to_zero_without_night_traffic_saves_the_lessons_quarter():
    night_off = tuple(hourly_weights(weights=[0.0] * 6 + [1.0] * 18))
    cfg = chatbot_config(target_utilization=0.6, hourly_weights=night_off)
    sim, planned, _ = _saving(cfg, 250_000)
    assert planned == pytest.approx(0.25)
    assert sim == pytest.approx(0.25, abs=0.005)


def test_on_demand_replica_hours_match_the_renewal_formula():
    """Sparse traffic, scale to zero: up-time (Tc + (e^{lam T} - 1)/lam) / (Tc + e^{lam T}/lam)."""
    auto = Autoscaling(scale_to_zero=True, cold_start_s=120.0, idle_timeout_s=60.0)
    cfg = small_config(autoscaling=auto)
    planned = plan(cfg, [500.0]).replica_hours[0]
    runs = [simulate_day(cfg, requests_per_day=500.0, rng=np.random.default_rng(s))
            for s in np.random.SeedSequence(4).spawn(12)]
    hours = np.array([r.replica_hours_per_day for r in runs])
    se = hours.std(ddof=1) / np.sqrt(hours.size)
    assert 5.0 < planned < 20.0  # well away from 0 and 24: the formula is exercised
    assert abs(hours.mean() - planned) < 4 * se, (hours.mean(), planned, se)
    assert all(r.cold_starts > 10 for r in runs)


@pytest.fixture(scope="module")
def sla_days():
    """A 70B under a P99 SLA: the planned fixed pool and the planned hourly autoscaler."""
    w = tuple(hourly_weights(peak_to_average=2.0))
    cfg = ServingConfig(get_profile("2xa100-80gb-70b"), parse("1500 to 2400"),
                        parse("70 to 140"), hourly_weights=w, p99_latency_ms=12_000.0)
    auto = dataclasses.replace(cfg, autoscaling=Autoscaling())
    out = {}
    for name, c in (("fixed", cfg), ("auto", auto)):
        sched = hourly_schedule(c, 30_000, n_requests=8000)
        out[name] = (sched, simulate_day(c, requests_per_day=30_000, rng=2, replicas=sched))
    return out


def test_planned_policies_meet_the_sla_over_the_day(sla_days):
    for sched, day in sla_days.values():
        assert day.sla_met and day.e2e.p99_ms <= 12_000.0
        assert sched.max() > 1  # the SLA, not the floor of one replica, sizes the pool


def test_autoscaling_never_bills_more_than_the_peak_pool(sla_days):
    fixed_sched, fixed = sla_days["fixed"]
    auto_sched, auto = sla_days["auto"]
    assert np.all(auto_sched <= fixed_sched)
    assert auto.replica_hours_per_day <= fixed.replica_hours_per_day
    assert fixed.replica_hours_per_day == 24 * fixed_sched.max()


def test_day_errors():
    with pytest.raises(ValueError, match="requests_per_day=0 must be > 0"):
        simulate_day(small_config(replicas=1), requests_per_day=0, rng=0)
    with pytest.raises(ValueError, match="needs autoscaling with scale_to_zero"):
        simulate_day(small_config(), requests_per_day=10, rng=0, replicas=[0] * 24)
