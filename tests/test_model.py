"""The monthly cost model on fixed inputs, month by month, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from sim import discount_factors, evaluate, median_values, study_from_dict
from sim.costs.project import Project
from sim.costs.retraining import Retraining
from sim.costs.self_hosted import instances_needed

SAVING = 8250.0 - 2966.4 - 7 * 2 * 0.023  # lesson: API - serving - storage, per month
PROJECT = 15096.0
#: One month's discount factor at 10%/year, end-of-month flows: 1.1^(-1/12).
Q = 1.1 ** (-1 / 12)
#: sum_{t=1}^{36} Q^t, the geometric series in closed form.
ANNUITY_36 = Q * (1 - Q**36) / (1 - Q)


def run_fixed(doc, **changes):
    study = study_from_dict(doc)
    values = median_values(study)
    values.update(changes)
    return study, evaluate(study, values, 1, keep=1)


def test_lesson_pays_back_in_month_3(lesson_doc):
    _, out = run_fixed(lesson_doc)
    o = out["self_hosted_7b"]
    assert o.payback[0] == 3
    cum = o.months[:, 0]
    assert cum[0] == pytest.approx(SAVING - PROJECT)
    assert cum[1] == pytest.approx(2 * SAVING - PROJECT)
    assert cum[2] == pytest.approx(3 * SAVING - PROJECT)
    assert cum[1] < 0 <= cum[2]


def test_discount_factors_by_hand():
    d = discount_factors(0.10, 36)
    assert d.shape == (36,)
    assert d[0] == pytest.approx(0.99208894, rel=1e-8)  # 1.1^(-1/12): month 1 is discounted
    assert d[5] == pytest.approx(0.95346259, rel=1e-8)  # 1.1^(-1/2)
    assert d[11] == pytest.approx(1 / 1.1, rel=1e-12)
    assert d[23] == pytest.approx(1 / 1.21, rel=1e-12)
    assert d[35] == pytest.approx(1 / 1.331, rel=1e-12)
    assert d.sum() == pytest.approx(31.18645844, rel=1e-9)
    assert discount_factors(0.0, 3).tolist() == [1.0, 1.0, 1.0]
    assert discount_factors(0.10, 0).size == 0


def test_npv_is_discounted_net_saving(lesson_doc):
    lesson_doc["study"]["discount_rate"] = 0.10
    _, out = run_fixed(lesson_doc)
    expected = SAVING * ANNUITY_36 - PROJECT * Q
    assert out["self_hosted_7b"].npv[0] == pytest.approx(expected, rel=1e-12)
    assert out["frontier"].npv[0] == 0.0
    assert out["frontier"].tco[0] == pytest.approx(36 * (8250 + 1.5e6 * 0.02 * 5))
    assert out["self_hosted_7b"].upfront[0] == PROJECT


def test_build_months_keep_the_baseline_running(lesson_doc):
    lesson_doc["strategies"]["self_hosted_7b"]["build_months"] = 2
    _, out = run_fixed(lesson_doc)
    cum = out["self_hosted_7b"].months[:, 0]
    # months 1-2: the baseline serves, the project is spread: net = -15,096 / 2
    assert cum[0] == pytest.approx(-PROJECT / 2)
    assert cum[1] == pytest.approx(-PROJECT)
    assert cum[2] == pytest.approx(-PROJECT + SAVING)
    assert out["self_hosted_7b"].payback[0] == 5  # -15,096 + 3 x 5,283 >= 0 in month 5


def test_retraining_months_and_cost(lesson_doc):
    s = lesson_doc["strategies"]["self_hosted_7b"]
    s.update(build_months=1, retrain_every_months=10, retrain_cost_fraction=0.5)
    _, out = run_fixed(lesson_doc)
    net = np.diff(out["self_hosted_7b"].months[:, 0], prepend=0.0)
    retrain_months = [t for t in range(1, 37) if t > 1 and (t - 1) % 10 == 0]
    assert retrain_months == [11, 21, 31]
    # the last one serves months 31-40, 6 of them within the horizon: charged 6/10 of 7,548
    charged = {11: 0.5 * PROJECT, 21: 0.5 * PROJECT, 31: 0.6 * 0.5 * PROJECT}
    for t in range(2, 37):
        expected = SAVING - charged.get(t, 0.0)
        assert net[t - 1] == pytest.approx(expected), t


def test_retrain_interval_beyond_horizon_equals_none(lesson_doc):
    _, plain = run_fixed(lesson_doc)
    lesson_doc["strategies"]["self_hosted_7b"]["retrain_every_months"] = 37
    _, late = run_fixed(lesson_doc)
    assert late["self_hosted_7b"].npv[0] == plain["self_hosted_7b"].npv[0]


def test_price_decline_and_growth(lesson_doc):
    lesson_doc["workload"]["monthly_growth"] = 0.05
    lesson_doc["strategies"]["frontier"]["annual_price_drop"] = 0.4
    lesson_doc["strategies"]["self_hosted_7b"]["gpu_annual_price_drop"] = 0.2
    _, out = run_fixed(lesson_doc)
    net = np.diff(out["self_hosted_7b"].months[:, 0], prepend=0.0)
    for t in (1, 2, 13, 36):
        g = 1.05 ** (t - 1)
        api = 8250 * g * 0.6 ** ((t - 1) / 12)
        serving = 2966.4 * 0.8 ** ((t - 1) / 12)
        # review costs grow with volume but do not fall with prices; equal rates cancel
        expected = api - serving - 0.322 - (PROJECT if t == 1 else 0.0)
        assert net[t - 1] == pytest.approx(expected, rel=1e-9), t


def test_auto_instances_follow_volume(lesson_doc):
    s = lesson_doc["strategies"]["self_hosted_7b"]
    s.update(instances="auto", throughput_tokens_per_s=5000.0, target_utilization=0.2,
             gpu_hourly=1.03)
    lesson_doc["workload"]["peak_to_average"] = 2.0
    lesson_doc["workload"]["monthly_growth"] = 0.1
    _, out = run_fixed(lesson_doc)
    net = np.diff(out["self_hosted_7b"].months[:, 0], prepend=0.0)
    for t in (2, 10, 20):
        tokens = 35e6 * 1.1 ** (t - 1)
        n = np.ceil(2.0 * tokens / 86400 / (5000 * 0.2))
        api = 8250 * 1.1 ** (t - 1)
        assert net[t - 1] == pytest.approx(api - n * 1.03 * 720 - 0.322), t


@pytest.mark.parametrize(("tokens", "expected"), [
    (10e6, 1.0),            # lesson: 578 tok/s needed, one A10G with headroom
    (864e6, 2.0),           # exactly two instances of load stays 2
    (864e6 * 1.001, 3.0),
    (0.0, 1.0),             # never fewer than one
])
def test_instances_needed(tokens, expected):
    assert instances_needed(tokens, 1.0, 5000.0, 1.0 if tokens >= 864e6 else 0.2) == expected


def test_instances_needed_divides_by_throughput_times_utilization():
    # 864M tokens/day = 10,000 tok/s; at 5,000 tok/s each run to 50%: 4 instances
    assert instances_needed(864e6, 1.0, 5000.0, 0.5) == 4.0
    # twice the peak: 8; arrays work element by element
    np.testing.assert_array_equal(
        instances_needed(np.array([864e6, 864e6]), np.array([1.0, 2.0]), 5000.0, 0.5),
        [4.0, 8.0])


def test_project_schedule_arrays_match_scalars():
    d = np.array([0.0, 1.0, 3.0])
    r = np.array([4.0, 5.0, 100.0])
    cost = np.array([100.0, 200.0, 300.0])
    arr = Project(cost=cost, build_months=d)
    again = Retraining(every=r, cost=0.5 * cost, start=d, horizon=24)
    for i in range(3):
        one = Project(cost=float(cost[i]), build_months=d[i])
        once = Retraining(every=r[i], cost=0.5 * cost[i], start=d[i], horizon=24)
        for t in range(1, 25):
            assert arr.spend(t)[i] == one.spend(t)
            assert arr.building(t)[i] == one.building(t)
            assert again.spend(t, again.happens(t))[i] == once.spend(t, once.happens(t))


def test_vectorized_equals_one_by_one(lesson_doc):
    """A chunk of samples gives exactly what each sample gives alone."""
    lesson_doc["strategies"]["self_hosted_7b"]["build_months"] = 1
    study = study_from_dict(lesson_doc)
    base = median_values(study)
    rng = np.random.default_rng(5)
    vols = rng.uniform(1e4, 1e5, 8)
    hours = rng.uniform(50, 200, 8)
    values = dict(base)
    values["workload.requests_per_day"] = vols
    values["strategies.self_hosted_7b.engineering_hours"] = hours
    many = evaluate(study, values, 8)["self_hosted_7b"]
    for i in range(8):
        v = dict(base)
        v["workload.requests_per_day"] = vols[i]
        v["strategies.self_hosted_7b.engineering_hours"] = hours[i]
        one = evaluate(study, v, 1)["self_hosted_7b"]
        assert one.npv[0] == many.npv[i]
        assert one.payback[0] == many.payback[i]


def test_retraining_happens_by_hand():
    """Every 10 months after 1 build month, horizon 36: due in months 11, 21, 31 (the last
    charged 6/10 of 1,000). Scheduled: each happens whatever it saves; when it pays: only
    where the charge is at most the saving, never off schedule."""
    from sim.costs.retraining import Retraining

    gain = np.array([500.0, 600.0, 2000.0])
    r = Retraining(every=10, cost=1000.0, start=1, horizon=36)
    assert r.happens(11, gain) is True and r.happens(12, gain) is False
    w = Retraining(every=10, cost=1000.0, start=1, horizon=36, when_it_pays=True)
    np.testing.assert_array_equal(w.happens(11, gain), [False, False, True])
    np.testing.assert_array_equal(w.happens(31, gain), [False, True, True])  # charged 600
    np.testing.assert_array_equal(w.happens(12, gain), [False, False, False])


@pytest.mark.parametrize("name", ["benchmarks/five_strategies.toml",
                                  "studies/customer_support.toml"])
def test_every_block_sees_the_shared_coefficients_the_first_one_did(name):
    """The compiled model writes a coefficient shared by every sample into its block rows at
    the first block only (sim.costs.fused.load_component): the months must never write
    those rows. With every coefficient shared, every sample is the same sample, so every
    block (three whole ones and a part) must give the first one's bits."""
    import dataclasses
    from pathlib import Path

    from sim.costs.build import pack_study
    from sim.runner.draws import chunk_values
    from sim.study import load_study

    root = Path(__file__).resolve().parents[1]
    m = 3 * 64 + 5
    study = load_study(root / name).replace(samples=m)
    packed, _ = pack_study(study, chunk_values(study, 0, m), m)
    assert packed.shocks is None and packed.step.any()
    shared = dataclasses.replace(packed, step=np.zeros_like(packed.step))
    h = study.horizon_months
    out = shared.simulate(horizon=h, disc=discount_factors(study.discount_rate, h))
    for got in (out.npv, out.payback, out.fractional, out.tco):
        first = got[:, :1]
        assert np.array_equal(got, np.broadcast_to(first, got.shape), equal_nan=True)
    assert np.isfinite(out.npv).all() and (out.npv != 0).any()
