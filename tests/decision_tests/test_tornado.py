"""Tornado charts: classic (P10/P90, others held) and sample-based (deciles)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from sim.decision import Tornado, classic_tornado, parse_metric, sample_tornado, simulate
from sim.decision.tornado import COLUMNS

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
    n = 20_000
    t = sample_tornado(simulate(hand, samples=n), strategies=["cheap"])
    row = t.table("cheap").row(0, named=True)
    assert row["input"] == "strategies.cheap.input_price"
    # lowest decile of p: U(5, 5.8) -> mean NPV 360 x 4.6; highest U(12.2, 13) -> 360 x -2.6.
    # Two errors: the mean within the decile (its se) and where the sample decile edge falls
    # (a sample quantile of U(5, 13) has sd 8 sqrt(0.1 x 0.9 / n); the decile's mean price
    # moves by half of it, its mean NPV by 360 times that).
    edge_sd = 8 * np.sqrt(0.1 * 0.9 / n)
    for side, exact in (("low", SLOPE * 4.6), ("high", SLOPE * -2.6)):
        se = np.hypot(row[f"{side}_se"], SLOPE * edge_sd / 2)
        assert abs(row[side] - exact) < 4 * se, side
    assert abs(row["low_value"] - 5.8) < 4 * edge_sd  # the P10 of U(5, 13)
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


def test_classic_tornado_columns_and_conditional_errors(hand):
    t = classic_tornado(hand, strategies=["cheap", "self_hosted"])
    assert t.strategies == ["cheap", "self_hosted"]
    assert t.table().equals(t.table("cheap"))
    assert t.table("self_hosted", top=1)["input"].to_list() == [
        "strategies.self_hosted.gpu_hourly"]
    price = t.table("cheap").row(0, named=True)
    # U(5, 13): P10 5.8, P90 12.2; one model run per scenario, so no sampling error
    assert (price["low_value"], price["high_value"]) == (pytest.approx(5.8),
                                                         pytest.approx(12.2))
    assert (price["low_se"], price["high_se"]) == (0.0, 0.0)
    gpu = t.table("self_hosted").row(0, named=True)
    # U(50, 100): P10 55, P90 95; NPV falls by 12 months x 720 h per $/h
    assert (gpu["low_value"], gpu["high_value"]) == (pytest.approx(55.0), pytest.approx(95.0))
    assert gpu["low"] - gpu["high"] == pytest.approx(40 * 720 * 12)
    # the conditional method on the NPV: others sampled (4,096 draws), ses > 0 where they vary
    c = classic_tornado(hand, strategies=["cheap"], method="conditional", inner_samples=4096)
    row = c.table("cheap").row(0, named=True)
    assert c.method == "conditional"
    assert row["low"] == pytest.approx(SLOPE * 4.2) and row["low_se"] == pytest.approx(0.0)
    other = c.table("cheap").row(1, named=True)  # cheap's NPV given the GPU price: p varies
    assert other["low_se"] > 0 and abs(other["low"] - SLOPE) < 4 * other["low_se"]
    with pytest.raises(ValueError, match=r"^inner_samples=1 must be >= 2$"):
        classic_tornado(hand, method="conditional", inner_samples=1)
    with pytest.raises(ValueError, match=r"^'grid' is not a valid method; it must be one of "
                                         r"\{'medians', 'conditional'\}$"):
        classic_tornado(hand, method="grid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^low=0\.5 and high=0\.5 must satisfy 0 < low < "
                                         r"high < 1$"):
        classic_tornado(hand, low=0.5, high=0.5)


def test_sample_tornado_edges_and_errors(hand):
    samples = simulate(hand, samples=4096)
    t = sample_tornado(samples, strategies=["cheap"], fraction=0.5)
    assert t.method == "deciles"
    row = t.table("cheap").row(0, named=True)
    # halves: the lower half of p ~ U(5, 13) has mean 7 (NPV 1080), the upper 11 (-360);
    # errors: the mean within the half and where the sample median falls (as above)
    edge_sd = 8 * np.sqrt(0.5 * 0.5 / 4096)
    for side, exact in (("low", SLOPE * 3), ("high", SLOPE * -1)):
        assert abs(row[side] - exact) < 4 * np.hypot(row[f"{side}_se"], SLOPE * edge_sd / 2)
    assert row["low_value"] <= row["high_value"]
    x = samples.input("strategies.cheap.input_price")
    srt = np.sort(x)
    assert (row["low_value"], row["high_value"]) == (srt[2047], srt[2048])
    assert row["base"] == pytest.approx(float(samples.npv["cheap"].mean()))
    one = sample_tornado(simulate(hand, samples=8), strategies=["cheap"], fraction=0.1)
    assert set(one.frame["low_se"]) == {0.0}  # one sample per group: no se
    for bad in (0.0, 0.6):
        with pytest.raises(ValueError, match=rf"^fraction={bad} must lie in \(0, 0\.5\]$"):
            sample_tornado(samples, fraction=bad)


def test_noise_and_significance_by_hand():
    """swing 0: neither; 0.5 and 4 with se 1 (z = 2): noise; 5 with se 1 and 3 with se 0:
    significant (a probability's swing is below 1, a dollar swing may be too)."""
    rows = {"strategy": ["s"] * 5, "input": ["a", "b", "c", "d", "e"],
            "swing": [5.0, 4.0, 3.0, 0.5, 0.0], "swing_se": [1.0, 2.0, 0.0, 1.0, 1.0]}
    frame = pl.DataFrame({c: rows.get(c, [0.0] * 5) for c in COLUMNS})
    t = Tornado(frame, parse_metric("npv"), "deciles")
    assert t.noise("s")["input"].to_list() == ["b", "d"]
    assert t.significant("s")["input"].to_list() == ["a", "c"]


def test_a_tornado_of_no_strategy_has_an_empty_table():
    """A frame with no rows (no strategy): no strategies, and table() has no rows."""
    frame = pl.DataFrame({c: [] for c in COLUMNS},
                         schema={c: pl.String if c in ("strategy", "input") else pl.Float64
                                 for c in COLUMNS})
    t = Tornado(frame, parse_metric("npv"), "medians")
    assert t.strategies == []
    assert t.table().columns == list(COLUMNS) and t.table().height == 0


def test_classic_tornado_rejects_a_low_quantile_of_0(hand):
    """low must be strictly above 0 (the P0 of an unbounded input is infinite)."""
    with pytest.raises(ValueError, match=r"^low=0\.0 and high=0\.9 must satisfy 0 < low < "
                                         r"high < 1$"):
        classic_tornado(hand, low=0.0, high=0.9)
