"""Each strategy kind on fixed inputs, month by month, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from sim import evaluate, median_values, point_estimate, study_from_dict

BASE = {
    "study": {"baseline": "frontier", "samples": 16, "horizon_months": 24,
              "payback_within": [6, 12]},
    "workload": {"requests_per_day": 10_000, "input_tokens": 1000, "output_tokens": 200},
    "strategies": {"frontier": {"kind": "api", "input_price": 5.0, "output_price": 15.0}},
}
FRONTIER = 10_000 * 30 * (1000 * 5 + 200 * 15) / 1e6  # $2,400/month


def study_with(**strategies):
    import copy
    doc = copy.deepcopy(BASE)
    doc["strategies"].update(strategies)
    return study_from_dict(doc)


def monthly_net(study, name, **values):
    v = median_values(study)
    v.update(values)
    o = evaluate(study, v, 1, keep=1)[name]
    return np.diff(o.months[:, 0], prepend=0.0), o


def test_api_cache_and_batch():
    s = study_with(cheap={"kind": "api", "input_price": 1.0, "output_price": 2.0,
                          "cache_share": 0.5, "cached_price_factor": 0.1,
                          "batch_share": 0.4, "batch_discount": 0.5})
    net, o = monthly_net(s, "cheap")
    per_request = (1000 * 1.0 * (1 - 0.5 + 0.5 * 0.1) + 200 * 2.0) * (1 - 0.4 * 0.5) / 1e6
    assert net[0] == pytest.approx(FRONTIER - 10_000 * 30 * per_request)
    assert o.upfront[0] == 0.0
    assert o.payback[0] == 1


def test_hosted_ft_training_cost_and_prices():
    s = study_with(ft={"kind": "hosted_ft", "input_price": 0.6, "output_price": 2.4,
                       "training_tokens": 250e6, "epochs": 2, "training_runs": 3,
                       "training_price_per_1m": 8.0, "engineering_hours": 20,
                       "hourly_rate": 100, "build_months": 2})
    net, o = monthly_net(s, "ft")
    project = 250e6 * 2 * 3 * 8 / 1e6 + 20 * 100  # 12,000 + 2,000
    assert o.upfront[0] == project
    assert net[0] == pytest.approx(-project / 2)
    assert net[1] == pytest.approx(-project / 2)
    ft = 10_000 * 30 * (1000 * 0.6 + 200 * 2.4) / 1e6
    assert net[2] == pytest.approx(FRONTIER - ft)


def test_api_price_decline_applies_to_tokens_not_reviews():
    s = study_with(cheap={"kind": "api", "input_price": 1.0, "output_price": 1.0,
                          "annual_price_drop": 0.5, "review_rate": 0.1, "cost_per_review": 2.0})
    net, _ = monthly_net(s, "cheap")
    tokens = 10_000 * 30 * 1200 * 1.0 / 1e6
    review = 10_000 * 30 * 0.1 * 2.0
    for t in (1, 13, 24):
        assert net[t - 1] == pytest.approx(FRONTIER - tokens * 0.5 ** ((t - 1) / 12) - review)


SELF = {"kind": "self_hosted", "model_size_b": 7, "gpu_hourly": 1.03, "instances": 2,
        "engineering_hours": 100, "training_runs": 8, "compute_per_run": 12.0}


def test_autoscaled_serving_hours_and_gpus_per_instance():
    s = study_with(sh={**SELF, "serving_hours_fraction": 0.75, "gpus_per_instance": 2})
    net, _ = monthly_net(s, "sh")
    serving = 2 * 2 * 1.03 * 720 * 0.75
    assert net[1] == pytest.approx(FRONTIER - serving - 14 * 0.023)


def test_engineering_phases_sum():
    phases = {"data_collection": 40, "deployment": 16, "evaluation_iteration": 24}
    doc = {**SELF, "engineering_phases": phases}
    doc.pop("engineering_hours")
    s = study_with(sh=doc)
    _, o = monthly_net(s, "sh")
    assert o.upfront[0] == (40 + 16 + 24) * 150 + 8 * 12
    paths = [i.path for i in s.inputs()]
    assert "strategies.sh.engineering_phases.data_collection" in paths


def test_compute_per_run_estimate_uses_the_lesson_table():
    doc = {**SELF, "compute_per_run": "estimate", "training_method": "lora",
           "training_gpu": "a10g", "dataset_examples": 50_000, "sequence_length": 512,
           "epochs": 3, "spot": True, "training_runs": 1, "engineering_hours": 0}
    s = study_with(sh=doc)
    _, o = monthly_net(s, "sh")
    # lesson: 50K x 512 x 3 tokens / 1800 tok/s x 1.15 = 13.63 h at 1.03 x 0.35 $/h
    assert o.upfront[0] == pytest.approx(76.8e6 / (1800 * 3600) * 1.15 * 1.03 * 0.35)
    assert round(float(o.upfront[0]), 2) == 4.91


def routing_study(share, fallback_kind="api"):
    ft = {"kind": "hosted_ft", "input_price": 0.5, "output_price": 1.0, "training_tokens": 1e8,
          "training_price_per_1m": 8.0, "engineering_hours": 10, "build_months": 1,
          "retrain_every_months": 6, "retrain_cost_fraction": 0.5,
          "retrain_policy": "scheduled"}
    return study_with(ft=ft, route={"kind": "routing", "primary": "ft", "fallback": "frontier",
                                    "share": share, "engineering_hours": 5})


def test_routing_share_splits_the_volume():
    s = routing_study(0.8)
    net, o = monthly_net(s, "route")
    ft_month = 0.8 * 10_000 * 30 * (1000 * 0.5 + 200 * 1.0) / 1e6
    routed = ft_month + 0.2 * FRONTIER
    project = 1e8 * 8 / 1e6 + 10 * 150 + 5 * 150
    assert o.upfront[0] == project
    assert net[0] == pytest.approx(-project)  # build month 1 of the fine-tune
    assert net[1] == pytest.approx(FRONTIER - routed)
    # retraining of the fine-tuned part: month 1 + 6 = 7, at half its own project cost
    assert net[6] == pytest.approx(FRONTIER - routed - 0.5 * (800 + 1500))


@pytest.mark.parametrize(("share", "part"), [(1.0, "ft"), (0.0, "frontier")])
def test_routing_with_share_0_or_1_equals_its_part(share, part):
    s = routing_study(share)
    s = s.replace()  # unchanged copy
    v = median_values(s)
    out = evaluate(s, v, 1)
    router = 5 * 150
    if part == "ft":
        assert out["route"].tco[0] == pytest.approx(out["ft"].tco[0] + router)
    else:
        # nothing is built but the router: the frontier's cost plus the router's project
        assert out["route"].tco[0] == pytest.approx(out["frontier"].tco[0] + router)


def test_point_estimate_of_routing():
    pe = point_estimate(routing_study(0.8))["route"]
    assert pe["monthly_api_cost"] == FRONTIER
    assert pe["monthly_serving_cost"] == pytest.approx(
        0.8 * 10_000 * 30 * 700 / 1e6 + 0.2 * FRONTIER, abs=0.01)
    assert pe["total_project_cost"] == 800 + 1500 + 750
    assert pe["engineering_cost"] == 1500 + 750


def test_point_estimate_of_routing_everything_to_the_fallback():
    # share 0: the fine-tuned part is not built and costs nothing, not even its fixed costs
    pe = point_estimate(routing_study(0.0))["route"]
    assert pe["monthly_serving_cost"] == pytest.approx(FRONTIER)
    assert pe["total_project_cost"] == 750  # the router only


def test_cuts_to_floor_by_hand():
    """The smallest k with (1 - size)^k <= floor: 0.5^2 = 0.25 reaches a floor of 0.25 or
    0.3 in 2 cuts (not 3 by rounding); no floor: never held (inf); a cut of 0 or a floor of
    1 changes nothing: 0 cuts."""
    from sim.costs.prices import cuts_to_floor

    got = cuts_to_floor(np.array([0.5, 0.5, 0.5, 0.0, 0.3]), np.array([0.3, 0.25, 0.0, 0.5, 1.0]))
    np.testing.assert_array_equal(got, [2.0, 2.0, np.inf, 0.0, 0.0])
