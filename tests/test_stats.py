"""Batch statistics (:mod:`sim.runner.stats`): summed up per batch anywhere, merged in
order, with the figures of the plain formulas."""

from __future__ import annotations

import numpy as np
import pytest

from sim.runner.stats import Moments, RegretAccumulator


def test_moments_merged_batch_by_batch_equal_the_whole_columns():
    x = np.random.default_rng(4).lognormal(size=10_001) * 1e5
    m = Moments()
    for a in range(0, x.size, 3000):
        m.merge(Moments.of(x[a:a + 3000]))
    assert m.n == x.size
    assert m.mean == pytest.approx(x.mean(), rel=1e-13)
    assert m.m2 == pytest.approx(((x - x.mean()) ** 2).sum(), rel=1e-11)


@pytest.mark.parametrize("ties", [False, True])
def test_regret_part_is_the_plain_formula_bit_for_bit(ties):
    """Without ties a strategy's share of P(best) is its count of wins (a sum of ones and
    zeros is exact); with ties they are split; both as the plain formula gives them."""
    rng = np.random.default_rng(8)
    npv = np.round(rng.normal(size=(4, 5000)) * 1e4, -3 if ties else 3)
    npv[0] = 0.0  # the baseline
    assert (np.count_nonzero(npv == npv.max(axis=0)) > npv.shape[1]) == ties
    part = RegretAccumulator(["base", "a", "b", "c"]).part(npv)
    top = npv.max(axis=0)
    is_best = npv == top
    regret = top - npv
    mean = regret.mean(axis=1)
    assert part.m == npv.shape[1]
    assert part.best.tolist() == (is_best / is_best.sum(axis=0)).sum(axis=1).tolist()
    assert part.mean.tolist() == mean.tolist()
    assert part.m2.tolist() == ((regret - mean[:, None]) ** 2).sum(axis=1).tolist()


def test_a_regret_part_of_no_samples_adds_nothing():
    acc = RegretAccumulator(["base", "a"])
    acc.add(np.array([[0.0, 0.0], [1.0, -1.0]]))
    before = (acc.p_best(), acc.expected_regret())
    acc.merge(acc.part(np.zeros((2, 0))))
    assert (acc.p_best(), acc.expected_regret()) == before
    assert acc.p_best() == {"base": 0.5, "a": 0.5}
