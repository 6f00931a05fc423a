"""Reading the column to fit (CSV, TSV, parquet) and the frames a fit chart is drawn from."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from distributions import FitError, fit_data, fit_frames, read_sample


@pytest.fixture
def log_dir(tmp_path):
    g = np.random.default_rng(1)
    tokens = g.lognormal(7.0, 0.4, 300).round()
    frame = pl.DataFrame({"timestamp": [f"2026-11-{1 + i % 28:02d}" for i in range(300)],
                          "tokens_in": tokens.astype(np.int64),
                          "latency_s": g.gamma(2.0, 0.1, 300),
                          "ok": [True] * 300})
    frame.write_csv(tmp_path / "log.csv")
    frame.write_csv(tmp_path / "log.tsv", separator="\t")
    frame.write_parquet(tmp_path / "log.parquet")
    return tmp_path


@pytest.mark.parametrize("name", ["log.csv", "log.tsv", "log.parquet"])
def test_reads_one_numeric_column(log_dir, name):
    expected = pl.read_parquet(log_dir / "log.parquet")
    x = read_sample(log_dir / name, "tokens_in")
    assert x.dtype == np.float64
    assert x.tolist() == expected["tokens_in"].cast(pl.Float64).to_list()
    y = read_sample(str(log_dir / name), "latency_s")
    assert y == pytest.approx(expected["latency_s"].to_numpy(), rel=1e-15)


def test_empty_cells_become_nan_and_the_fit_counts_them(tmp_path):
    values = [str(v) for v in range(1, 31)]
    values[3] = values[17] = ""
    (tmp_path / "h.csv").write_text("hours,team\n" + "".join(f"{v},a\n" for v in values))
    x = read_sample(tmp_path / "h.csv", "hours")
    assert np.flatnonzero(np.isnan(x)).tolist() == [3, 17]
    with pytest.raises(FitError, match=r"^h\.csv:hours: 2 of 30 rows are empty or NaN "
                                       r"\(first: row 4\)"):
        fit_data(x, source="h.csv:hours")


def test_text_and_spaces(tmp_path):
    (tmp_path / "t.csv").write_text("v\n 1.5 \n2e3\nnan\n")
    assert read_sample(tmp_path / "t.csv", "v")[:2].tolist() == [1.5, 2000.0]
    (tmp_path / "bad.csv").write_text("v\n1\n2\nabc\n4\nn/a\n")
    with pytest.raises(FitError, match=r"^bad\.csv:v: 2 of 5 rows are not numbers \(first: "
                                       r"row 3, 'abc'\); fix or remove them"):
        read_sample(tmp_path / "bad.csv", "v")


@pytest.mark.parametrize(("name", "column", "message"), [
    ("log.csv", "tokens", r"has no column 'tokens'; did you mean 'tokens_in'\? columns: "
                          r"timestamp, tokens_in, latency_s, ok"),
    ("log.parquet", "Tokens_In", r"did you mean 'tokens_in'\?"),
    ("log.csv", "zzz", r"has no column 'zzz'; columns: timestamp"),
    ("log.parquet", "ok", r"log\.parquet:ok: the column holds Boolean, not numbers"),
    ("log.csv", "timestamp", r"log\.csv:timestamp: 300 of 300 rows are not numbers \(first: "
                             r"row 1, '2026-11-01'\)"),
    ("missing.csv", "x", r"missing\.csv: file not found; check the path"),
    ("log.xlsx", "x", r"log\.xlsx: not a \.csv or \.parquet file"),
])
def test_reading_errors(log_dir, name, column, message):
    with pytest.raises(FitError, match=message):
        read_sample(log_dir / name, column)


def test_a_file_polars_cannot_read(tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(FitError, match=r"broken\.parquet: cannot read it"):
        read_sample(tmp_path / "broken.parquet", "x")


# -- chart frames ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def continuous():
    return fit_data(np.random.default_rng(2).gamma(3.0, 2.0, 2000), n_boot=0)


def test_histogram_is_a_density_over_the_central_99_percent(continuous):
    fr = fit_frames(continuous, bins=40)
    h = fr.histogram
    assert h.height == 40 and h["count"].sum() <= 2000
    x = continuous.data
    lo, hi = np.quantile(x, [0.005, 0.995])
    assert (h["lo"][0], h["hi"][-1]) == pytest.approx((lo, hi))
    share = float((h["density"] * (h["hi"] - h["lo"])).sum())
    assert share == pytest.approx(np.mean((x >= lo) & (x <= hi)), rel=1e-12)
    assert 0.989 <= share <= 0.991


def test_small_samples_are_binned_whole(continuous):
    res = fit_data(np.random.default_rng(3).normal(5.0, 1.0, 50), n_boot=0)
    h = fit_frames(res).histogram
    assert h["count"].sum() == 50
    assert float((h["density"] * (h["hi"] - h["lo"])).sum()) == pytest.approx(1.0)
    assert 10 <= h.height <= 80


def test_fitted_densities_integrate_to_their_mass_over_the_grid(continuous):
    fr = fit_frames(continuous, points=400)
    assert fr.density["family"].unique(maintain_order=True).to_list() == [
        f.family for f in continuous.fits]
    for f in continuous.fits:
        curve = fr.density.filter(pl.col("family") == f.family)
        x, y = curve["x"].to_numpy(), curve["density"].to_numpy()
        area = float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))
        assert area == pytest.approx(f.model.cdf(x[-1]) - f.model.cdf(x[0]), abs=2e-4)


def test_pp_points_lie_within_the_ks_distance_of_the_diagonal(continuous):
    fr = fit_frames(continuous, points=150)
    n = continuous.n
    for f in continuous.fits:
        pp = fr.pp.filter(pl.col("family") == f.family)
        assert pp.height == 150
        assert np.all(np.diff(pp["x"].to_numpy()) >= 0)
        assert pp["fitted"].to_numpy() == pytest.approx(f.model.cdf(pp["x"].to_numpy()))
        # plotting positions (i - 0.5)/n sit half a step from the ecdf's jumps
        gap = float((pp["empirical"] - pp["fitted"]).abs().max())
        assert gap <= f.statistic + 0.5 / n + 1e-12
    best = fr.pp.filter(pl.col("family") == continuous.best.family)
    assert best["empirical"][0] == pytest.approx(0.5 / n)
    assert best["empirical"][-1] == pytest.approx(1 - 0.5 / n)


def test_count_frames_use_whole_numbers():
    x = np.random.default_rng(4).negative_binomial(2.0, 0.3, 1500).astype(float)
    res = fit_data(x)
    fr = fit_frames(res)
    h = fr.histogram
    k = np.arange(x.min(), x.max() + 1)
    assert (h["lo"] + 0.5).to_list() == k.tolist() and (h["hi"] - h["lo"]).unique().to_list() == [1]
    assert h["density"].to_list() == pytest.approx([np.mean(x == v) for v in k])
    # the observed frequencies' mass equals the bars, value by value
    obs = fr.density.filter(pl.col("family") == "discrete")
    assert obs["x"].to_list() == k.tolist()
    assert obs["density"].to_list() == pytest.approx(h["density"].to_list(), rel=1e-12)
    pp = fr.pp.filter(pl.col("family") == "discrete")
    assert pp["empirical"].to_list() == pytest.approx(pp["fitted"].to_list(), rel=1e-12)
    assert pp["empirical"][-1] == 1.0


def test_wide_count_ranges_share_bins():
    x = np.r_[0.0, np.random.default_rng(5).poisson(900.0, 400).astype(float)]
    fr = fit_frames(fit_data(x, family="poisson"))
    width = (fr.histogram["hi"] - fr.histogram["lo"]).unique().to_list()
    assert len(width) == 1 and width[0] == math.ceil((x.max() + 1) / 200)
    assert fr.histogram.height <= 200 and fr.histogram["count"].sum() == x.size


def test_frames_stay_small():
    res = fit_data(np.random.default_rng(6).lognormal(0.0, 1.0, 50_000), n_boot=0)
    fr = fit_frames(res)
    assert max(fr.histogram.height, fr.density.height, fr.pp.height) <= 600
    with pytest.raises(ValueError, match=r"points=1 must be at least 2"):
        fit_frames(res, points=1)
