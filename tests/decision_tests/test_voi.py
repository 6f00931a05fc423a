"""EVPI and EVPPI against closed forms; zero for information that changes nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from sim import study_from_dict
from sim.decision import (
    evpi,
    evppi_bins,
    evppi_regression,
    simulate,
    value_of_information,
)

SLOPE = 360.0  # NPV of cheap per $ of price difference (see conftest.HAND)

# cheap's NPV is Y = 360 (10 - p), p ~ U(5, 13): Y ~ U(L, H) with L = -1080, H = 1800.
L, H = SLOPE * (10 - 13), SLOPE * (10 - 5)
#: EVPI = E[max(Y, 0)] - max(E[Y], 0) = H^2 / (2 (H - L)) - (L + H) / 2 = 562.5 - 360
EVPI_HAND = H * H / (2 * (H - L)) - (L + H) / 2


def test_evpi_matches_closed_form_on_hand_built_study(hand):
    samples = simulate(hand)
    voi = value_of_information(samples, groups={})
    assert pytest.approx(202.5) == EVPI_HAND
    assert abs(voi.evpi.value - EVPI_HAND) < 4 * voi.evpi.se
    assert voi.evpi.se < 5  # the test means something
    rows = {r["name"]: r for r in voi.frame.iter_rows(named=True)}
    price = rows["strategies.cheap.input_price"]
    # the price decides everything: its EVPPI is the EVPI (never more, on the same samples:
    # no decision rule beats choosing the best strategy sample by sample)
    assert abs(price["evppi"] - EVPI_HAND) < 4 * price["se"]
    assert price["evppi"] <= voi.evpi.value


def test_evpi_decides_now_on_the_mean_not_the_best_case(hand_document):
    """The choice made now is the best *expected* NPV, not the best best case.

    With p ~ U(7, 15), cheap's NPV is Y = 360 (10 - p) ~ U(-1800, 1080): E[Y] = -360, so the
    frontier (NPV 0) is chosen now although cheap has the larger maximum. EVPI = E[max(Y, 0)]
    - 0 = 1080^2 / (2 x 2880) = 202.5; deciding on the maximum would give 562.5.
    """
    hand_document["strategies"]["cheap"]["input_price"] = {"uniform": [7.0, 15.0]}
    lo, hi = SLOPE * (10 - 15), SLOPE * (10 - 7)
    exact = hi * hi / (2 * (hi - lo))
    assert exact == pytest.approx(202.5)
    voi = value_of_information(simulate(study_from_dict(hand_document)), groups={})
    assert abs(voi.evpi.value - exact) < 4 * voi.evpi.se
    assert 4 * voi.evpi.se < 562.5 - exact  # the test tells the two rules apart
    rows = {r["name"]: r for r in voi.frame.iter_rows(named=True)}
    price = rows["strategies.cheap.input_price"]
    assert abs(price["evppi"] - exact) < 4 * price["se"]
    assert price["evppi"] <= voi.evpi.value


def test_evpi_on_arrays_when_the_best_mean_is_not_the_best_maximum():
    """A sure 0.5 against Z ~ N(0, 1): the sure thing is chosen now (0.5 > E[Z] = 0) though
    Z has the larger maximum. EVPI = E[max(Z, c)] - c = phi(c) - c (1 - Phi(c)) at c = 0.5."""
    c, n = 0.5, 100_000
    z = np.random.default_rng(3).normal(size=n)
    e = evpi(np.stack([np.full(n, c), z]))
    exact = stats.norm.pdf(c) - c * stats.norm.sf(c)
    assert exact == pytest.approx(0.19780, abs=1e-5)
    assert abs(e.value - exact) < 4 * e.se
    assert e.plugin == e.value
    # a mapping of strategy to samples gives the same figure
    assert evpi({"sure": np.full(n, c), "risky": z}) == e


def test_evppi_scores_against_the_choice_with_the_best_mean():
    """X ~ U(-3, 1), a strategy X + noise against 0: deciding now picks 0 (E[X] = -1);
    knowing X is worth E[max(X, 0)] - 0 = 1/8. Scoring against the strategy with the largest
    maximum instead would give E[max(X, 0)] - E[X] = 9/8."""
    gen = np.random.default_rng(12)
    n = 40_000
    x, noise = gen.uniform(-3, 1, n), gen.normal(size=n)
    y = np.stack([np.zeros(n), x + noise])
    e = evppi_bins(x, y)
    assert abs(e.value - 0.125) < 4 * e.se
    g = evppi_regression(x, y)
    assert abs(g.value - 0.125) < 4 * g.se
    full = evpi(y)
    # perfect information on everything: E[max(X + noise, 0)], by quadrature
    # (E[max(v + N, 0)] = v Phi(v) + phi(v), averaged over X's density 1/4 on [-3, 1])
    exact, _ = integrate.quad(lambda v: (v * stats.norm.cdf(v) + stats.norm.pdf(v)) / 4, -3, 1)
    assert abs(full.value - exact) < 4 * full.se


def test_no_influence_input_has_zero_evppi(hand):
    voi = value_of_information(simulate(hand), groups={
        "gpu and reviews": ["self_hosted.gpu_hourly", "cheap.cost_per_review"]})
    rows = {r["name"]: r for r in voi.frame.iter_rows(named=True)}
    for name in ("strategies.self_hosted.gpu_hourly", "strategies.cheap.cost_per_review",
                 "gpu and reviews"):
        assert rows[name]["evppi"] <= 4 * rows[name]["se"]
        assert rows[name]["evppi"] == 0.0  # the information never changes the choice
    assert voi.sentences()[1].startswith("Knowing strategies.cheap.input_price before "
                                         "deciding is worth up to $")


def test_identical_strategies_have_zero_evpi_and_evppi(twins):
    voi = value_of_information(simulate(twins))
    assert voi.evpi.value == 0.0 and voi.evpi.se == 0.0
    assert voi.frame["evppi"].to_list() == [0.0] * voi.frame.height
    assert voi.sentences()[0].startswith("The choice hardly depends on what is uncertain")


def test_bins_estimator_on_arrays_and_its_bias_guard():
    gen = np.random.default_rng(11)
    n = 40_000
    x, noise = gen.uniform(-1, 3, n), gen.normal(size=n)
    # strategy = X + noise vs 0: EVPPI(X) = E[max(X, 0)] - E[X] = 9/8 - 1
    e = evppi_bins(x, np.stack([np.zeros(n), x + noise]))
    assert abs(e.value - 0.125) < 4 * e.se
    # a near tie and an input that says nothing: the plug-in is inflated by noise, the
    # cross-fitted value is not
    tie = np.stack([np.zeros(n), x - 1])
    z = evppi_bins(noise, tie)
    assert z.plugin > 2 * z.se
    assert z.value < 3 * z.se


def test_regression_estimator_for_groups():
    gen = np.random.default_rng(2)
    x = gen.uniform(-1, 3, (2, 40_000))
    y = np.stack([np.zeros(40_000), x[0] + x[1] - 2])
    e = evppi_regression(x, y)
    assert abs(e.value - 2 / 3) < 4 * e.se  # E[max(X1 + X2 - 2, 0)]
    full = evpi(y)
    assert abs(e.value - full.value) < 4 * full.se


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"x has 3 samples but npv has 4"):
        evppi_bins(np.zeros(3), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"must be a \(strategies, samples\) array"):
        evpi(np.zeros(3))


GRID_N = 40_000
#: X on an even grid of (0, 1) in random order: bin edges fall on exact quantiles.
GRID_X = np.random.default_rng(0).permutation((np.arange(GRID_N) + 0.5) / GRID_N)


@pytest.mark.parametrize(("y", "bins", "exact"), [
    # a strategy worth X - 0.3 (E = 0.2, chosen now) against 0: knowing X's bin, drop it
    # in bins whose mean is negative. 1 bin: nothing learnt; 2 bins: [0, .5) has mean -0.05,
    # gain 0.5 x 0.05; 4 bins: [0, .25) has mean -0.175, gain 0.25 x 0.175; 3 bins:
    # [0, 1/3) has mean -2/15, gain 2/45.
    (GRID_X - 0.3, 1, 0.0),
    (GRID_X - 0.3, 2, 0.025),
    (GRID_X - 0.3, 3, 2 / 45),
    (GRID_X - 0.3, 4, 0.04375),
    # the mirror image, 0.7 - X: the top bin is the one dropped
    (0.7 - GRID_X, 2, 0.025),
    (0.7 - GRID_X, 4, 0.04375),
])
def test_evppi_bins_on_exact_quantile_bins(y, bins, exact):
    e = evppi_bins(GRID_X, np.stack([np.zeros(GRID_N), y]), bins=bins)
    assert e.value == pytest.approx(exact, abs=1e-5)  # X is a grid: only O(1/n) error


def test_tied_values_share_a_bin():
    """X in {0, 1, 1, 2}: the median 1 is an edge and all the 1s go above it. With the
    strategy worth +1 at X = 0 and -1 otherwise (E = -0.5, not chosen now), knowing the
    bin {0} is worth 0.25; putting the 1s with the 0s would make it worth nothing."""
    x = np.random.default_rng(1).permutation(np.tile([0.0, 1.0, 1.0, 2.0], 1000))
    y = np.where(x == 0, 1.0, -1.0)
    e = evppi_bins(x, np.stack([np.zeros(x.size), y]), bins=2)
    assert e.value == pytest.approx(0.25)


def test_regression_estimator_errors():
    with pytest.raises(ValueError, match=r"^x has 3 samples but npv has 4$"):
        evppi_regression(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"^bins=0 must be >= 1$"):
        evppi_bins(np.zeros(4), np.zeros((2, 4)), bins=0)


def test_evppi_of_a_yes_no_unknown_given_as_booleans():
    """X a fair coin (as bool): the strategy is worth +1 if yes, -1.5 if no (E = -0.25, not
    chosen now); knowing X is worth 0.5 x 1."""
    x = np.random.default_rng(2).permutation(np.tile([True, False], 2000))
    y = np.where(x, 1.0, -1.5)
    e = evppi_bins(x, np.stack([np.zeros(x.size), y]), bins=2)
    assert e.value == pytest.approx(0.5)
    g = evppi_regression(x, np.stack([np.zeros(x.size), y]))
    assert g.value == pytest.approx(0.5)


def test_the_choice_may_name_the_baseline(hand):
    """The baseline is a choice like any other: frontier vs cheap has the hand EVPI."""
    voi = value_of_information(simulate(hand, samples=4000), strategies=["frontier", "cheap"],
                               groups={})
    assert voi.strategies == ("frontier", "cheap")
    assert abs(voi.evpi.value - EVPI_HAND) < 4 * voi.evpi.se


def test_bins_sets_the_single_input_estimator(hand):
    """One bin tells nothing: EVPPI exactly 0. Two bins split the price at its median 9:
    below it cheap's mean NPV is 360 x (10 - 7) = 1,080 (pick cheap), above it
    360 x (10 - 11) = -360 (keep the frontier at 0): EVPPI = (1080 + 0) / 2 - 360 = 180."""
    samples = simulate(hand, samples=4000)

    def price(bins):
        voi = value_of_information(samples, inputs=["cheap.input_price"], groups={}, bins=bins)
        (row,) = voi.frame.iter_rows(named=True)
        return row

    one = price(1)
    assert (one["evppi"], one["se"], one["plugin"]) == (0.0, 0.0, 0.0)
    two = price(2)
    assert abs(two["evppi"] - 180.0) < 4 * two["se"]


def test_a_choice_that_hardly_depends_on_the_unknowns_says_its_evpi():
    """EVPI $100 ± $80: within two standard errors of 0, so "hardly depends", with both."""
    import polars as pl

    from sim.decision.voi import Estimate, ValueOfInformation

    frame = pl.DataFrame(schema={"name": pl.String, "inputs": pl.String, "kind": pl.String,
                                 "method": pl.String, "evppi": pl.Float64, "se": pl.Float64,
                                 "plugin": pl.Float64, "share": pl.Float64})
    voi = ValueOfInformation(frame, Estimate(100.0, 80.0, 100.0), ("a", "b"), 100)
    assert voi.sentences() == [
        "The choice hardly depends on what is uncertain: knowing every input before deciding "
        "is worth up to $100 (± $80, EVPI)."]


# --- a large group's basis, one half at a time (sim.decision.voi._fit_by_halves) ----------

def _whole_fit(monkeypatch, ranks, y):
    """The fit on the whole basis, as every group was fitted before the halves."""
    import sim.decision.voi as voi
    with monkeypatch.context() as m:
        m.setattr(voi, "SPLIT_BYTES", math.inf)
        m.setattr(voi, "_fit_by_halves", None)  # not taken
        return voi._evppi_fit(ranks, y)


def _group(g: int, n: int, seed: int):
    from sim.decision.samples import average_ranks
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((g, n))
    x[0] = np.round(x[0])  # ties: a discrete input
    y = np.stack([np.zeros(n), x[0] + 0.5 * x[1] * x[2] - 0.3 + rng.standard_normal(n),
                  0.2 * x[-1] ** 2 - 0.1 + rng.standard_normal(n)])
    return average_ranks(x), y


@pytest.mark.parametrize("rows", [slice(None), slice(0, None, 2), slice(1, None, 2)])
def test_the_basis_of_some_rows_is_those_rows_of_the_whole_basis(monkeypatch, rows):
    import sim.decision.voi as voi
    ranks, _ = _group(4, 1001, 3)
    whole = voi._basis(ranks)
    assert whole.shape == (1001, voi._terms(4)) == (1001, 19)
    z = 2.0 * (ranks - 0.5) / 1001 - 1.0
    np.testing.assert_array_equal(whole[:, 1:4], np.stack([z[0], z[0] ** 2, z[0] ** 3], 1))
    np.testing.assert_array_equal(whole[:, 4], z[0] * z[1])
    np.testing.assert_array_equal(whole[:, -1], z[3] ** 3)
    monkeypatch.setattr(voi, "BASIS_BLOCK", 64)  # several blocks and a partial last one
    np.testing.assert_array_equal(voi._basis(ranks, rows), whole[rows])


@pytest.mark.parametrize(("g", "n"), [(12, 32768), (20, 32768), (15, 16384)])
def test_a_large_group_fits_by_halves_to_the_same_bits(monkeypatch, g, n):
    from sim.decision.voi import SPLIT_BYTES, _evppi_fit, _terms
    ranks, y = _group(g, n, g)
    assert n * _terms(g) * 8 > SPLIT_BYTES  # the halves are taken
    assert _evppi_fit(ranks, y) == _whole_fit(monkeypatch, ranks, y)


def test_the_halves_hold_a_third_of_the_whole_basis_at_the_peak():
    import tracemalloc

    from sim.decision.voi import _evppi_fit, _terms
    ranks, y = _group(20, 32768, 1)
    whole = 32768 * _terms(20) * 8
    tracemalloc.start()
    try:
        _evppi_fit(ranks, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.6 * whole, (peak, whole)
