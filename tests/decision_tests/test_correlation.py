"""Rank correlations of the inputs with an output, against exact and closed-form values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.decision import rank_correlations, simulate

from helpers import spearman_se


@pytest.fixture
def hand_samples(hand):
    return simulate(hand, samples=20_000)


def test_npv_of_each_strategy_is_monotone_in_one_input(hand_samples):
    """cheap's NPV is 360 (10 - p): rank correlation -1 with its price, exactly; the
    self-hosted NPV falls with its GPU price alone: -1 too. Only a strategy's own inputs are
    listed; one that moves nothing (cheap's cost_per_review, review rate 0): ~0."""
    frame = rank_correlations(hand_samples)
    assert frame.columns == ["strategy", "input", "spearman", "se"]
    assert frame["strategy"].to_list() == ["cheap"] * 2 + ["self_hosted"]
    rows = {(r["strategy"], r["input"]): r for r in frame.iter_rows(named=True)}
    n = hand_samples.n
    for strategy, path in (("cheap", "strategies.cheap.input_price"),
                           ("self_hosted", "strategies.self_hosted.gpu_hourly")):
        r = rows[strategy, path]
        assert r["spearman"] == pytest.approx(-1.0, abs=1e-12) and r["se"] == pytest.approx(0)
        # sorted by |rho| within the strategy: the input that decides comes first
        assert frame.filter(frame["strategy"] == strategy)["input"][0] == path
    for strategy, path in (("cheap", "strategies.cheap.cost_per_review"),):
        r = rows[strategy, path]
        assert abs(r["spearman"]) < 4 * spearman_se(0.0, n)
        assert r["se"] == pytest.approx((1 - r["spearman"] ** 2) / math.sqrt(n - 3))


def test_payback_indicator_with_ties(hand_samples):
    """P(payback <= 12) of cheap is the indicator p <= 10 (q = 5/8): its rank correlation
    with p is -sqrt(3 q (1 - q)) (ranks of a uniform against a threshold indicator)."""
    frame = rank_correlations(hand_samples, metric="payback_within:12", strategies=["cheap"])
    r = frame.row(0, named=True)
    assert r["input"] == "strategies.cheap.input_price"
    exact = -math.sqrt(3 * 5 / 8 * 3 / 8)
    assert abs(r["spearman"] - exact) < 4 * spearman_se(exact, hand_samples.n)


def test_an_output_that_does_not_vary_has_zero_correlation(twins):
    samples = simulate(twins)
    frame = rank_correlations(samples, metric="payback_within:12")
    # the twins always pay back within 12 months: a constant indicator
    assert set(frame["strategy"]) == {"cheap", "cheap_twin"}
    assert frame["spearman"].to_list() == [0.0] * frame.height
    assert np.allclose(frame["se"].to_numpy(), 1 / math.sqrt(samples.n - 3))
