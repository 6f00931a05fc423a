"""Invariants of the cost model, as property tests over random inputs."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import evaluate, median_values, run, study_from_dict

DOC = {
    "study": {"baseline": "frontier", "samples": 512, "horizon_months": 24, "seed": 3,
              "payback_within": [6, 12, 24]},
    "workload": {"requests_per_day": "5000 to 60000", "input_tokens": 800, "output_tokens": 200,
                 "monthly_growth": {"uniform": [-0.02, 0.05]}},
    "strategies": {
        "frontier": {"kind": "api", "input_price": 5.0, "output_price": 15.0,
                     "annual_price_drop": {"uniform": [0.0, 0.6]}, "review_rate": 0.02,
                     "cost_per_review": 2.0},
        "cheap": {"kind": "api", "input_price": 0.5, "output_price": 1.5,
                  "engineering_hours": 40, "build_months": 1,
                  "review_rate": {"beta": {"mean": 0.04, "sd": 0.01}}, "cost_per_review": 2.0},
        "ft": {"kind": "hosted_ft", "input_price": 1.0, "output_price": 3.0,
               "training_tokens": 1e8, "training_price_per_1m": 8.0,
               "engineering_hours": {"pert": [20, 40, 80]},
               "retrain_every_months": {"uniform_int": [6, 18]}},
        "sh": {"kind": "self_hosted", "model_size_b": 7, "gpu_hourly": 1.03, "instances": "auto",
               "throughput_tokens_per_s": 5000, "engineering_hours": {"pert": [76, 120, 188]},
               "training_runs": {"uniform_int": [5, 15]}, "compute_per_run": 12,
               "build_months": {"uniform_int": [0, 3]}},
        "route": {"kind": "routing", "primary": "sh", "fallback": "frontier", "share": 0.7},
    },
}

prices = st.floats(0.5, 30.0, allow_nan=False)


def doc_with(changes):
    d = copy.deepcopy(DOC)
    for path, value in changes.items():
        node = d
        *head, last = path.split(".")
        for part in head:
            node = node[part]
        node[last] = value
    return d


def outcomes(d, n=256):
    s = study_from_dict(d)
    from sim.runner.runner import input_values, sampling_plan

    plan = sampling_plan(s.replace(samples=n))
    return evaluate(s, input_values(s, plan.rows(0, n)), n, keep=n)


@settings(max_examples=25, deadline=None)
@given(prices, st.floats(0.0, 20.0))
def test_higher_baseline_price_never_lowers_any_saving(price, extra):
    lo = outcomes(doc_with({"strategies.frontier.input_price": price}))
    hi = outcomes(doc_with({"strategies.frontier.input_price": price + extra}))
    for name in ("cheap", "ft", "sh", "route"):
        assert np.all(hi[name].npv >= lo[name].npv - 1e-9 * np.abs(lo[name].npv))
        assert np.all(hi[name].months >= lo[name].months - 1e-6)
        assert np.all((hi[name].payback == 0) <= (lo[name].payback == 0))


@settings(max_examples=20, deadline=None)
@given(st.floats(0.2, 6.0), st.floats(0.0, 6.0))
def test_higher_gpu_price_never_raises_payback_probability(gpu, extra):
    lo = outcomes(doc_with({"strategies.sh.gpu_hourly": gpu}))
    hi = outcomes(doc_with({"strategies.sh.gpu_hourly": gpu + extra}))
    for n in (6, 12, 24):
        p_lo = np.mean((lo["sh"].payback > 0) & (lo["sh"].payback <= n))
        p_hi = np.mean((hi["sh"].payback > 0) & (hi["sh"].payback <= n))
        assert p_hi <= p_lo
    assert np.all(hi["sh"].npv <= lo["sh"].npv + 1e-9 * np.abs(lo["sh"].npv))


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["sh", "ft", "cheap"]), st.sampled_from([0.0, 1.0]))
def test_routing_share_0_or_1_equals_its_part(primary, share):
    o = outcomes(doc_with({"strategies.route.primary": primary,
                           "strategies.route.share": share}))
    part = primary if share == 1.0 else None
    if part is None:  # everything to the fallback, the baseline: nothing changes
        assert np.all(o["route"].npv == 0.0)
        assert np.all(o["route"].tco == o["frontier"].tco)
    else:
        np.testing.assert_allclose(o["route"].npv, o[part].npv, rtol=1e-12)
        np.testing.assert_allclose(o["route"].tco, o[part].tco, rtol=1e-12)
        assert np.all(o["route"].payback == o[part].payback)


@settings(max_examples=10, deadline=None)
@given(st.integers(25, 200))
def test_retraining_beyond_the_horizon_equals_none(every):
    d = doc_with({"strategies.ft.retrain_every_months": every})
    none = copy.deepcopy(d)
    del none["strategies"]["ft"]["retrain_every_months"]
    a, b = outcomes(d), outcomes(none)
    assert np.all(a["ft"].npv == b["ft"].npv)


def test_payback_probability_falls_with_gpu_price_in_a_full_run():
    base = study_from_dict(DOC).replace(samples=4000)
    p = []
    for gpu in (0.5, 1.03, 3.0, 8.0):
        s = study_from_dict(doc_with({"strategies.sh.gpu_hourly": gpu})).replace(samples=4000)
        p.append(run(s).summary.strategies["sh"].p_payback_within(12))
    assert p == sorted(p, reverse=True)
    assert p[0] > p[-1]
    assert base.samples == 4000


def test_median_values_cover_every_input():
    s = study_from_dict(DOC)
    assert set(median_values(s)) == {i.path for i in s.inputs()}
