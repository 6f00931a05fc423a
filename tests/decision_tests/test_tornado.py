"""Tornado charts: classic (P10/P90, others held) and sample-based (deciles)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.decision import classic_tornado, parse_metric, sample_tornado, simulate

SLOPE = 360.0  # NPV of cheap per $ of price difference (see conftest.HAND)


def test_classic_tornado_by_hand(hand):
    t = classic_tornado(hand, strategies=["cheap"])
    rows = {r["input"]: r for r in t.table("cheap").iter_rows(named=True)}
    price = rows["strategies.cheap.input_price"]
    # p at its median 9, P10 5.8, P90 12.2: NPV 360 (10 - p)
    assert price["base"] == pytest.approx(SLOPE * 1.0)
    assert price["low"] == pytest.approx(SLOPE * 4.2)
    assert price["high"] == pytest.approx(SLOPE * -2.2)
    assert price["swing"] == pytest.approx(SLOPE * 6.4)
    assert t.table("cheap")["input"][0] == "strategies.cheap.input_price"  # largest first
    assert t.method == "medians"


@pytest.mark.parametrize("metric", ["npv", "payback_within:12"])
def test_no_influence_input_has_zero_swing(hand, metric):
    classic = classic_tornado(hand, metric=metric, inner_samples=2048)
    swing = {(r["strategy"], r["input"]): r["swing"] for r in classic.frame.iter_rows(named=True)}
    assert swing[("cheap", "strategies.self_hosted.gpu_hourly")] == 0.0
    assert swing[("cheap", "strategies.cheap.cost_per_review")] == 0.0
    assert swing[("self_hosted", "strategies.cheap.input_price")] == 0.0


def test_conditional_tornado_for_a_probability(hand):
    # P(payback <= 12) = P(NPV > 0 at month 12) = P(p < 10): 5/8; pinned: 1 at P10, 0 at P90
    t = classic_tornado(hand, metric="payback_within:12", strategies=["cheap"])
    assert t.method == "conditional"
    row = t.table("cheap").row(0, named=True)
    assert row["input"] == "strategies.cheap.input_price"
    assert (row["low"], row["high"]) == (1.0, 0.0)
    assert abs(row["base"] - 0.625) < 4 * np.sqrt(0.625 * 0.375 / 4096)
    again = classic_tornado(hand, metric="payback_within:12", strategies=["cheap"])
    assert again.frame.equals(t.frame)  # reproducible from the seed


def test_sample_tornado_deciles(hand):
    t = sample_tornado(simulate(hand, samples=20_000), strategies=["cheap"])
    row = t.table("cheap").row(0, named=True)
    assert row["input"] == "strategies.cheap.input_price"
    # lowest decile of p: U(5, 5.8) -> mean NPV 360 x 4.6; highest U(12.2, 13) -> 360 x -2.6
    assert abs(row["low"] - SLOPE * 4.6) < 4 * row["low_se"] + 5
    assert abs(row["high"] - SLOPE * -2.6) < 4 * row["high_se"] + 5
    assert row["low_value"] == pytest.approx(5.8, abs=0.05)
    # another strategy's input does not enter cheap's NPV: never listed for it
    assert "strategies.self_hosted.gpu_hourly" not in t.table("cheap")["input"].to_list()
    assert t.table("cheap")["input"].to_list() == [
        "strategies.cheap.input_price", "strategies.cheap.cost_per_review"]
    # cheap's own cost_per_review moves nothing (review_rate 0): its swing is noise
    dead = t.table("cheap").row(1, named=True)
    assert dead["swing_se"] == pytest.approx(math.hypot(dead["low_se"], dead["high_se"]))
    assert 0 < dead["swing"] <= 2 * dead["swing_se"]
    assert t.noise("cheap")["input"].to_list() == ["strategies.cheap.cost_per_review"]
    assert t.significant("cheap")["input"].to_list() == ["strategies.cheap.input_price"]


def test_errors(hand):
    with pytest.raises(ValueError, match="strategy 'frontier' is the baseline"):
        classic_tornado(hand, strategies=["frontier"])
    with pytest.raises(ValueError, match="'nope' is not a strategy of the study"):
        classic_tornado(hand, strategies=["nope"])
    with pytest.raises(ValueError, match=r"'irr' is not a valid metric; it must be one of"):
        parse_metric("irr")
    with pytest.raises(ValueError, match=r"N=13 must be a whole month in 1\.\.12"):
        classic_tornado(hand, metric="payback_within:13")
    with pytest.raises(ValueError, match=r"low=0.9 and high=0.1 must satisfy"):
        classic_tornado(hand, low=0.9, high=0.1)
