"""Two-input break-even maps: the 50% contour on a known break-even line, the best strategy
per cell, limits, the CLI's map, CSV and page."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest

from sim.cli import main
from sim.decision import simulate, sweep_map

from helpers import write_toml


def line_volume(rate: float) -> float:
    """lesson_gpu (conftest): the project is 100 h x rate + 8 x $12, paid in month 1, and
    P(payback <= 12) = 0.5 where the break-even GPU price (0.165 V - 0.322 - project / 12)
    / 1440 is 2.0: V = (2,880.322 + (100 rate + 96) / 12) / 0.165, a line in (V, rate)."""
    return (2 * 1440 + 0.322 + (100 * rate + 96) / 12) / 0.165


def test_contour_follows_the_break_even_line(lesson_gpu):
    m = sweep_map(lesson_gpu, "workload.requests_per_day", np.arange(22_000, 30_001, 1000),
                  "self_hosted_7b.hourly_rate", [100, 150, 200, 250], samples=8192)
    along = m.contour.filter(pl.col("along") == "param")
    assert along["value2"].to_list() == [100.0, 150.0, 200.0]  # 250: beyond V = 30,000
    for r in along.iter_rows(named=True):
        assert abs(r["value"] - line_volume(r["value2"])) < 4 * r["se"], r
        assert r["se"] < 80
    cross = m.contour.filter(pl.col("along") == "param2")
    assert cross.height == 8  # every V from 23,000 up crosses between rates 100 and 250
    for r in cross.iter_rows(named=True):
        rate = ((r["value"] * 0.165 - 2 * 1440 - 0.322) * 12 - 96) / 100  # the line, inverted
        assert abs(r["value2"] - rate) < 4 * r["se"], r
    p = m.grid()
    assert p.shape == (4, 9)
    assert np.all(np.diff(p, axis=1) >= 0) and np.all(np.diff(p, axis=0) <= 0)  # monotone


def test_best_strategy_per_cell(hand):
    # E[NPV of cheap] = 0.36 V (F - mean p) on the samples (F the frontier's price, V the
    # volume): cheap is best where F > mean p, else the frontier (self_hosted never is)
    prices = [8.0, 8.5, 9.5, 10.0]
    m = sweep_map(hand, "frontier.input_price", prices, "workload.requests_per_day",
                  [500, 2000], strategy="cheap", samples=4000)
    mean_p = simulate(hand, samples=4000).input("cheap.input_price").mean()
    want = ["cheap" if f > mean_p else "frontier" for f in prices] * 2
    assert m.best.sort(["value2", "value"])["best"].to_list() == want
    rows = m.table().filter(pl.col("strategy") == "cheap")
    np.testing.assert_allclose(rows["npv_mean"].to_numpy(),
                               0.36 * rows["value2"].to_numpy() * (rows["value"].to_numpy()
                                                                  - mean_p), rtol=1e-9)
    assert set(m.table().columns) >= {"value", "value2", "strategy", "p_payback", "best"}


def test_limits_and_errors(hand):
    with pytest.raises(ValueError, match=r"21 x 20 = 420 cells, more than 400"):
        sweep_map(hand, "frontier.input_price", np.linspace(5, 15, 21),
                  "workload.requests_per_day", np.linspace(100, 2000, 20))
    with pytest.raises(ValueError, match=r"--param2 frontier\.input_price: the same input"):
        sweep_map(hand, "frontier.input_price", [1.0, 2.0], "frontier.input_price", [3.0])


def test_cli_map_csv_and_page(tmp_path, hand_document, capsys):
    hand_document["study"]["samples"] = 2000
    study = write_toml(tmp_path / "h.toml", hand_document)
    csv, page = tmp_path / "m.csv", tmp_path / "m.html"
    code = main(["sweep", str(study), "--param", "frontier.input_price", "--values",
                 "8,9.5,11", "--param2", "workload.requests_per_day", "--range2",
                 "500:2000:3", "--strategy", "cheap", "--csv", str(csv), "--html", str(page)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("P(payback ≤ 12) of cheap")
    assert re.search(r"workload\.requests_per_day = 500: P\(payback ≤ 12\) = 50% at "
                     r"frontier\.input_price ≈ 9\.\d+ ± 0\.\d+", out), out
    frame = pl.read_csv(csv)
    assert frame.height == 9 * 2 and frame["best"].n_unique() == 2
    html = page.read_text(encoding="utf-8")
    assert "Two-input break-even map" in html and "vegaEmbed('#chart-map'" in html
    code = main(["sweep", str(study), "--param", "frontier.input_price", "--values", "8",
                 "--values2", "1,2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--values2/--range2: give --param2" in err[0]
