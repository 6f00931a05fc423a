"""Sobol' indices: the Ishigami function's analytic values, scipy's estimator, the model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc, sobol_indices

from sim.decision import sobol_analysis, sobol_estimate

#: Ishigami & Homma (1990), a = 7, b = 0.1: analytic first-order and total indices
#: (e.g. Saltelli et al., "Global Sensitivity Analysis: The Primer", 2008, §4.9).
S1_ISHIGAMI = np.array([0.3139, 0.4424, 0.0])
ST_ISHIGAMI = np.array([0.5576, 0.4424, 0.2437])


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])


def _design(n_log2: int, seed: int, *, qmc_points: bool = True):
    gen = np.random.default_rng(seed)
    u = (qmc.Sobol(6, rng=gen).random_base2(n_log2) if qmc_points
         else gen.random((1 << n_log2, 6)))
    a, b = (np.pi * (2 * u[:, :3] - 1)).T, (np.pi * (2 * u[:, 3:] - 1)).T
    ab = np.stack([np.where(np.arange(3)[:, None] == i, b, a) for i in range(3)])
    return ishigami(a), ishigami(b), np.stack([ishigami(x) for x in ab])


@pytest.mark.parametrize("qmc_points", [True, False])
def test_ishigami_indices_within_their_intervals(qmc_points):
    res = sobol_estimate(*_design(13, 0, qmc_points=qmc_points), confidence=0.99,
                         n_resamples=1000, rng=np.random.default_rng(1))
    s1, st = res.first_order[0], res.total_order[0]
    lo1, hi1 = res.first_order_ci[:, 0]
    lot, hit = res.total_order_ci[:, 0]
    assert np.all((lo1 <= S1_ISHIGAMI) & (hi1 >= S1_ISHIGAMI)), (lo1, s1, hi1)
    assert np.all((lot <= ST_ISHIGAMI) & (hit >= ST_ISHIGAMI)), (lot, st, hit)
    assert np.all(hi1 - lo1 < 0.15)  # intervals that say something


def test_point_estimates_equal_scipy():
    f_a, f_b, f_ab = _design(10, 3)
    ours = sobol_estimate(f_a, f_b, f_ab, n_resamples=0)
    ref = sobol_indices(func={"f_A": f_a[None], "f_B": f_b[None], "f_AB": f_ab[:, None]},
                        n=f_a.size)
    np.testing.assert_allclose(ours.first_order.ravel(), ref.first_order.ravel(), atol=1e-12)
    np.testing.assert_allclose(ours.total_order.ravel(), ref.total_order.ravel(), atol=1e-12)


def test_constant_output_gives_zero_indices_and_shapes_are_checked():
    res = sobol_estimate(np.ones(64), np.ones(64), np.ones((2, 64)), n_resamples=10, rng=0)
    assert res.first_order.tolist() == [[0.0, 0.0]] and res.total_order.tolist() == [[0.0, 0.0]]
    with pytest.raises(ValueError, match=r"f_A and f_B must have shape \(s, n\)"):
        sobol_estimate(np.ones(64), np.ones(32), np.ones((2, 64)))


def test_model_indices_zero_for_no_influence_and_reproducible(hand):
    res = sobol_analysis(hand, n=1 << 11, strategies=["cheap"], n_resamples=200)
    rows = {r["input"]: r for r in res.table("cheap").iter_rows(named=True)}
    for dead in ("strategies.self_hosted.gpu_hourly", "strategies.cheap.cost_per_review"):
        assert rows[dead]["S1"] == 0.0 and rows[dead]["ST"] == 0.0
        assert rows[dead]["S1_lo"] == 0.0 and rows[dead]["ST_hi"] == 0.0
    # NPV depends on the price alone: f(A with B's price) = f(B) sample by sample, so both
    # estimators give 1 exactly (not only within sampling error)
    price = rows["strategies.cheap.input_price"]
    assert price["S1"] == pytest.approx(1.0, abs=1e-9)
    assert price["ST"] == pytest.approx(1.0, abs=1e-9)
    assert price["S1_lo"] <= 1.0 <= price["S1_hi"] and price["ST_lo"] <= 1.0 <= price["ST_hi"]
    again = sobol_analysis(hand, n=1 << 11, strategies=["cheap"], n_resamples=200)
    assert again.frame.equals(res.frame)


def test_model_sobol_rejects_non_powers_of_two(hand):
    with pytest.raises(ValueError, match=r"n=1000 must be a power of 2 >= 2.*e\.g\. 1024"):
        sobol_analysis(hand, n=1000)
