"""The compiled model steps a block of samples through the months a few strategies at a
time (sim.costs.fused.PASS_COMPONENTS), the baseline's monthly cost kept for the later
passes. Which strategies share a pass must not change any number: each strategy run with
the baseline alone, before or after it in the order, gives what the run of all of them
gives, to the last bit (NPV, payback, TCO, fan and monthly costs)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sim.costs.build import pack_study
from sim.costs.fused import PASS_COMPONENTS
from sim.runner.draws import input_values, sampling_plan
from sim.runner.model import discount_factors
from sim.study import load_study

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ["benchmarks/five_strategies.toml", "studies/enterprise.toml",
           "studies/code_completion.toml", "studies/legal_contracts.toml"]
M = 200  # three blocks of 64 and a part one


def outcomes(study, values, names):
    packed, _ = pack_study(study, values, M, names=names)
    h = study.horizon_months
    o = packed.simulate(horizon=h, disc=discount_factors(study.discount_rate, h), keep=150,
                        paths=True)
    return {n: {"npv": o.npv[i], "payback": o.payback[i], "fractional": o.fractional[i],
                "tco": o.tco[i], "fan": o.fan[i], "paths": o.paths[i]}
            for i, n in enumerate(names)}


@pytest.mark.parametrize("path", STUDIES)
def test_each_strategy_alone_with_the_baseline_gives_the_same_numbers(path):
    study = load_study(ROOT / path).replace(samples=M)
    values = input_values(study, sampling_plan(study).rows(0, M))
    names = study.compared()
    every = outcomes(study, values, names)
    base = study.baseline
    for name in names:
        if name == base:
            continue
        for order in ([base, name], [name, base]):
            alone = outcomes(study, values, order)
            for key, got in alone[name].items():
                np.testing.assert_array_equal(got, every[name][key], err_msg=f"{name} {key}")
            for key in ("tco", "paths"):
                np.testing.assert_array_equal(alone[base][key], every[base][key])


def test_the_five_strategy_run_takes_several_passes():
    study = load_study(ROOT / STUDIES[0]).replace(samples=4)
    packed, _ = pack_study(study, input_values(study, sampling_plan(study).rows(0, 4)), 4)
    assert packed.flags.shape[0] > 2 * PASS_COMPONENTS


def test_components_out_of_order_are_refused():
    study = load_study(ROOT / STUDIES[0]).replace(samples=4)
    values = input_values(study, sampling_plan(study).rows(0, 4))
    packed, _ = pack_study(study, values, 4)
    bad = replace(packed, s_lo=packed.s_lo[::-1].copy(), s_hi=packed.s_hi[::-1].copy())
    with pytest.raises(ValueError, match="components must follow"):
        bad.simulate(horizon=12, disc=np.ones(12))
