"""A price path the baseline computes is copied, not computed again, by a component of
another strategy with the same price coefficients bit for bit (sim.costs.pack.price_shares;
a routing strategy's fallback is often the baseline's model). The copy must give exactly
what computing the path again gives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import sim.costs.pack as pack
from sim.costs.build import pack_study
from sim.costs.pack import price_shares
from sim.costs.slots import KEEP
from sim.runner.draws import input_values, sampling_plan
from sim.runner.model import discount_factors
from sim.study import load_study

ROOT = Path(__file__).resolve().parents[1]
M = 300


def packed_of(path: str, m: int = M):
    study = load_study(ROOT / path).replace(samples=m)
    packed, _ = pack_study(study, input_values(study, sampling_plan(study).rows(0, m)), m)
    return study, packed


def run(study, packed):
    h = study.horizon_months
    return packed.simulate(horizon=h, disc=discount_factors(study.discount_rate, h),
                           keep=M, paths=True)


def test_the_routing_fallback_takes_the_baselines_price_path():
    _, p = packed_of("studies/code_completion.toml")
    share, records = price_shares(p)
    # components: frontier (baseline), router, ft_small (hosted), frontier as fallback
    assert records == 1
    assert share.tolist() == [[0, -1], [-1, -1], [-1, -1], [-1, 0]]


def test_no_share_without_equal_coefficients():
    _, p = packed_of("studies/legal_contracts.toml")
    share, records = price_shares(p)
    assert records == 0 and (share == -1).all()


@pytest.mark.parametrize("path", ["studies/code_completion.toml",
                                  "benchmarks/five_strategies.toml"])
def test_copying_the_path_gives_what_computing_it_gives(path, monkeypatch):
    study, p = packed_of(path)
    assert price_shares(p)[1] == 1
    shared = run(study, p)
    n_c = p.flags.shape[0]
    monkeypatch.setattr(pack, "price_shares",
                        lambda _: (np.full((n_c, 2), -1, dtype=np.int64), 0))
    own = run(study, p)
    for key in ("npv", "payback", "fractional", "tco", "paths", "volume"):
        np.testing.assert_array_equal(getattr(shared, key), getattr(own, key), err_msg=key)
    others = [i for i, n in enumerate(study.compared()) if n != study.baseline]
    np.testing.assert_array_equal(shared.fan[others], own.fan[others])  # no baseline fan


def split_keep(p):
    """``p`` with the fallback's KEEP coefficient a copy of its own (the packer may give
    both components the same one), and views of the baseline's and the fallback's."""
    k = p.slots[0, KEEP]  # code_completion: the frontier as baseline (0) and fallback (3)
    assert p.step[k] == 1
    row = p.vals[p.off[k]:p.off[k] + p.m]
    vals = np.concatenate([p.vals, row])
    slots = p.slots.copy()
    slots[3, KEEP] = p.off.size
    q = replace(p, vals=vals, off=np.append(p.off, p.vals.size),
                step=np.append(p.step, 1), slots=slots)
    return q, vals[p.off[k]:p.off[k] + p.m], vals[p.vals.size:]


def test_a_coefficient_differing_in_one_sample_or_in_a_zeros_sign_is_not_shared():
    _, p = packed_of("studies/code_completion.toml", m=8)
    q, base, fallback = split_keep(p)
    assert price_shares(q)[0][3, 1] == 0  # equal values in two coefficients: shared
    fallback[5] = np.nextafter(fallback[5], 2.0)
    assert price_shares(q)[0][3, 1] == -1
    fallback[5] = base[5]
    assert price_shares(q)[0][3, 1] == 0
    base[0], fallback[0] = 0.0, -0.0
    assert price_shares(q)[0][3, 1] == -1
    fallback[0] = 0.0
    assert price_shares(q)[0][3, 1] == 0
