"""Tail drivers and stress runs: one input alone defines the tail; bands in closed form."""

from __future__ import annotations

import math
import re

import numpy as np
import polars as pl
import pytest

from sim.cli import main
from sim.decision import parse_stress, simulate, stress_runs, tail_drivers
from sim.decision.tail import ks_distance

from helpers import write_toml


def test_one_input_alone_defines_the_tail(hand):
    # NPV of cheap = 360 (10 - p), p ~ U(5, 13): its worst 10% are exactly the samples with
    # the highest 10% of p, so their KS distance is 1 - 0.1 = 0.9 and the tail's median is
    # p's P95 = 12.6 against a median of 9, a shift of 3.6 / IQR 4 = 0.9 IQR.
    # cost_per_review (review rate 0) and gpu_hourly influence nothing: only noise.
    s = simulate(hand)
    t = tail_drivers(s, "cheap")
    top = t.table().row(0, named=True)
    assert top["input"] == "strategies.cheap.input_price" and top["direction"] == "high"
    assert top["ks"] == pytest.approx(0.9, abs=1e-12)
    # sample quantiles of n = 40,000 draws of U(5, 13) (density 1/8): the P95 and the median
    # have sd 8 sqrt(q (1 - q) / n); the shift is their difference over the IQR of 4
    n = 40_000
    shift_se = math.hypot(8 * math.sqrt(0.95 * 0.05 / n), 8 * math.sqrt(0.25 / n)) / 4
    assert abs(top["median_shift"] - 0.9) < 4 * shift_se
    assert t.drivers() == ["strategies.cheap.input_price"]
    others = t.table().filter(t.table()["input"] != "strategies.cheap.input_price")
    k = 4000
    noise = 0.9 * 1.358 * math.sqrt(1 / k + 1 / (n - k))
    assert np.allclose(others["ks_noise"].to_numpy(), noise)
    assert (others["ks"] < noise).all()
    assert t.threshold == pytest.approx(np.quantile(s.npv["cheap"], 0.1), abs=5)
    # CVaR: the mean of 360 (10 - p) over the top decile of p ~ U(12.2, 13): -936. Its se:
    # the mean of k draws (sd 0.8 / sqrt 12) and where the sample P90 falls (sd
    # 8 sqrt(0.09 / n), which moves the decile's mean by half of it), both times 360
    cvar_se = 360 * math.hypot(0.8 / math.sqrt(12 * k), 8 * math.sqrt(0.09 / n) / 2)
    assert abs(t.cvar - 360 * (10 - 12.6)) < 4 * cvar_se


def test_ks_distance_by_hand():
    whole = np.arange(1.0, 11.0)
    assert ks_distance(np.array([1.0, 10.0]), whole) == pytest.approx(0.4)  # at 1 and at 9
    assert ks_distance(whole, whole) == 0.0
    ties = np.array([1.0, 1.0, 2.0, 2.0])
    assert ks_distance(np.array([2.0, 2.0]), ties) == pytest.approx(0.5)


def test_stress_bands_in_closed_form(hand):
    # p in its lowest decile is U(5, 5.8): E[NPV] = 360 (10 - 5.4) = 1,656 and it always
    # pays back; in its top decile U(12.2, 13): NPV < 0, it never does
    r = stress_runs(hand, ["cheap.input_price=p0:p10", "cheap.input_price=p90:p100"],
                    strategies=["cheap"])
    base, low, high = r.table().iter_rows(named=True)
    assert base["scenario"] == "base" and base["delta_npv"] == 0
    assert abs(base["npv_mean"] - 360) < 4 * base["npv_mean_se"]
    assert low["scenario"] == "cheap.input_price P0–P10"
    assert abs(low["npv_mean"] - 1656) < 4 * low["npv_mean_se"]
    assert low["p_payback"] == 1.0 and high["p_payback"] == 0.0
    assert abs(high["npv_mean"] - 360 * (10 - 12.6)) < 4 * high["npv_mean_se"]
    # common random numbers: the stressed price is the base price's uniform mapped into
    # the band, so the difference is exact per sample: 360 (p - p_low) with p_low = 5 +
    # 0.8 (p - 5) / 8
    p = simulate(hand).input("cheap.input_price")
    assert low["delta_npv"] == pytest.approx(360 * 0.9 * (p.mean() - 5), rel=1e-6)
    assert low["delta_npv_se"] == pytest.approx(360 * 0.9 * p.std(ddof=1) / math.sqrt(p.size),
                                                rel=1e-6)


def test_stress_errors(hand):
    with pytest.raises(ValueError, match=r"--stress 'x': give INPUT=pLO:pHI"):
        parse_stress("x")
    with pytest.raises(ValueError, match=r"--stress 'a=b=p10:p20': give INPUT=pLO:pHI"):
        parse_stress("a=b=p10:p20")  # the input is what comes before the first '='
    with pytest.raises(ValueError, match=r"0 <= LO < HI <= 100"):
        parse_stress("cheap.input_price=p20:p10")
    with pytest.raises(ValueError, match=r"--stress frontier\.input_price: is fixed"):
        stress_runs(hand, ["frontier.input_price=p0:p10"], samples=100)
    with pytest.raises(ValueError, match=r"--tail 0\.7: the tail's share must lie in"):
        tail_drivers(simulate(hand, samples=100), "cheap", fraction=0.7)


def test_cli_tail_and_default_stresses(tmp_path, hand_document, capsys):
    hand_document["study"]["samples"] = 4000
    study = write_toml(tmp_path / "h.toml", hand_document)
    page = tmp_path / "s.html"
    code = main(["stress", str(study), "--strategy", "cheap", "--html", str(page)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("cheap: the worst 10% of NPV")
    assert re.search(r"cheap\.input_price +0\.900 +yes", out), out
    # no --stress: the driver in its band toward the tail
    assert "cheap.input_price P90–P100" in out
    html = page.read_text(encoding="utf-8")
    assert "vegaEmbed('#chart-tail'" in html and "vegaEmbed('#chart-stress'" in html
    code = main(["stress", str(study), "--stress", "cheap.input_price=p0:p10", "--stress",
                 "workload.requests_per_day=0:10"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "is fixed in this study" in err[0]


def test_stress_p_best_splits_ties(twins):
    """The twins' NPVs are equal in every sample and always beat the baseline: each is best
    in half of every sample (a tie split evenly), the frontier never."""
    rows = stress_runs(twins, ["frontier.input_price=p0:p50"], samples=256).frame.filter(
        pl.col("param").is_not_null())
    p_best = dict(zip(rows["strategy"], rows["p_best"], strict=True))
    assert p_best["cheap"] == 0.5 and p_best["cheap_twin"] == 0.5
