"""The training-compute estimator reproduces the lesson's scenario figures (seed 001)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.costs.training import cost_per_run, estimate_training_cost, flops_estimate, throughput

# The lesson's five scenarios, worked by hand from its formula:
# hours = examples x seq x epochs / (tok/s x 3600) x 1.15; cost = hours x $/h (x 0.35 spot)
SCENARIOS = [
    # (size, method, examples, seq, epochs, gpu, spot) -> (gpus, hours, cost)
    ((7, "lora", 50_000, 512, 3, "a10g", True), (1, 13.6, 4.91)),
    ((7, "lora", 200_000, 512, 2, "a100_80g", True), (1, 16.4, 17.75)),
    ((13, "lora", 50_000, 512, 3, "a100_80g", True), (1, 9.8, 10.65)),
    ((70, "qlora", 50_000, 512, 1, "a100_80g", True), (2, 13.6, 29.58)),
    ((7, "full", 100_000, 512, 2, "a100_80g", False), (4, 18.2, 225.34)),
]


@pytest.mark.parametrize(("args", "expected"), SCENARIOS)
def test_lesson_scenarios(args, expected):
    r = estimate_training_cost(*args)
    assert (r["num_gpus"], r["training_hours"], r["total_cost_usd"]) == expected


def test_fallback_for_unknown_combinations():
    # 34B on an H100: closest table size 13 has no h100 row -> fallback with the real size
    tps, gpus, hourly = throughput(34, "lora", "h100")
    assert (tps, gpus, hourly) == (823.0, 1.0, 3.10)
    tps, gpus, hourly = throughput(120, "full", "a10g")
    assert (tps, gpus, hourly) == (233.0, 4.0, 12.40)


def test_closest_size_uses_the_table_row():
    # 8B rounds to the 7B row
    assert throughput(8, "lora", "a10g") == (1800.0, 1.0, 1.03)


def test_vectorized_cost_matches_scalar():
    sizes = np.array([7.0, 13.0, 70.0, 34.0])
    v = cost_per_run(sizes, "lora", "a100_80g", 50_000, 512, 1, spot=False)
    for i, s in enumerate(sizes):
        assert v[i] == pytest.approx(float(cost_per_run(float(s), "lora", "a100_80g", 50_000,
                                                        512, 1, spot=False)))


def test_flops_cross_check_agrees_with_the_table_for_lora_on_a10g():
    # 4 x 7e9 x 76.8e6 FLOPs at 125 TFLOP/s and 35% MFU = 13.65 h; the table says 13.6 h
    f = flops_estimate(7, "lora", 76.8e6, "a10g", mfu=0.35)
    assert f["hours"] == pytest.approx(4 * 7e9 * 76.8e6 / (125e12 * 0.35) / 3600)
    assert f["hours"] == pytest.approx(13.6, abs=0.1)


def test_flops_rejects_bad_input():
    with pytest.raises(ValueError, match="mfu=0 must be in"):
        flops_estimate(7, "lora", 1e6, "a10g", mfu=0)
    with pytest.raises(ValueError, match=r"mfu=1\.5 must be in \(0, 1\]"):
        flops_estimate(7, "lora", 1e6, "a10g", mfu=1.5)
    assert flops_estimate(7, "lora", 1e6, "a10g", mfu=1.0)["hours"] == pytest.approx(
        4 * 7e9 * 1e6 / 125e12 / 3600)  # mfu = 1 is allowed: the peak itself
    with pytest.raises(ValueError, match="'sft' is not a valid method"):
        flops_estimate(7, "sft", 1e6, "a10g")
