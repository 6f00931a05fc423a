"""``ftrisk workload LOG``: a synthetic log with a known rate, trend, day shape and token
distributions gives them back within their intervals, and the fragment loads as a study."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import polars as pl
import pytest

from distributions import parse
from sim.cli import main
from sim.study import study_from_dict
from sim.study.workload_log import LogError, derive_workload, detect_columns

RATE0, GROWTH, DAYS = 1500.0, 0.05, 44
PROFILE = np.array([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1, 1.0])
MU_IN, SIGMA_IN = 6.0, 0.5
SHAPE_OUT, SCALE_OUT = 3.0, 60.0


def cli(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def synthetic_log(rng: np.random.Generator, *, days: int = DAYS) -> pl.DataFrame:
    """Poisson daily counts at RATE0 (1 + GROWTH)^(d/30), each request's hour drawn from
    PROFILE, lognormal input and gamma output tokens."""
    lam = RATE0 * (1 + GROWTH) ** (np.arange(days) / 30)
    counts = rng.poisson(lam)
    day = np.repeat(np.arange(days), counts)
    hour = rng.choice(24, size=day.size, p=PROFILE / PROFILE.sum())
    secs = np.sort(day * 86400 + hour * 3600 + rng.uniform(0, 3600, day.size))
    n = secs.size
    stamps = np.datetime64("2025-03-01T00:00:00") + (secs * 1e6).astype("timedelta64[us]")
    return pl.DataFrame({"ts": stamps, "prompt_tokens": rng.lognormal(MU_IN, SIGMA_IN, n),
                         "completion_tokens": rng.gamma(SHAPE_OUT, SCALE_OUT, n)})


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "requests.parquet"
    synthetic_log(np.random.default_rng(11)).write_parquet(path)
    return path


@pytest.fixture(scope="module")
def fit(log):
    return derive_workload(log, n_boot=0)


def test_growth_is_recovered_within_its_interval(fit):
    g = fit.growth
    assert abs(g.monthly - GROWTH) < 4 * g.monthly_se
    assert g.lo90 < g.monthly < g.hi90
    # the slope's standard error is the Poisson one: sd(log n) ~ 1/sqrt(rate), over the days
    d = np.arange(fit.days)
    expected_se = 1 / math.sqrt(RATE0 * 1.05) / math.sqrt(((d - d.mean()) ** 2).sum())
    # both rest on the residuals' sd: an sd of days - 2 residual degrees of freedom has
    # relative se 1 / sqrt(2 (days - 2))
    assert g.slope_se == pytest.approx(expected_se, rel=4 / math.sqrt(2 * (fit.days - 2)))
    assert fit.days == DAYS - 2 and fit.first_day == "2025-03-02"


def test_requests_per_day_centres_on_the_level_at_the_last_day(fit):
    level = RATE0 * (1 + GROWTH) ** ((DAYS - 2) / 30)  # the last full day is day DAYS - 2
    dist = fit.requests.best.distribution()
    # errors of the median: the days' mean log noise, 1/sqrt(level x days), and the trend's
    # extrapolation, se(slope) x the mean distance to the last day (days / 2)
    tol = 1 / math.sqrt(level * fit.days) + fit.growth.slope_se * fit.days / 2
    assert abs(dist.median / level - 1) < 4 * tol
    # the spread fitted is one day's Poisson noise around the trend
    sd_fitted = float(np.diff(dist.ppf(np.array([0.1587, 0.8413])))[0] / 2)
    # (an sd estimated from days - 2 residual degrees of freedom: relative se 1/sqrt(2 df))
    assert sd_fitted == pytest.approx(math.sqrt(level), rel=4 / math.sqrt(2 * (fit.days - 2)))


def test_hourly_profile_is_recovered_within_binomial_errors(fit):
    share = np.asarray(fit.hourly) / 24
    truth = PROFILE / PROFILE.sum()
    n = fit.hourly_counts.sum()
    se = np.sqrt(truth * (1 - truth) / n)
    assert np.all(np.abs(share - truth) < 4 * se)
    assert np.mean(fit.hourly) == pytest.approx(1.0)


def test_token_fits_recover_their_parameters(fit):
    tin = fit.input_tokens.get("lognormal")
    assert fit.input_tokens.best.family == "lognormal"
    assert abs(tin.params["mu"] - MU_IN) < 4 * tin.se["mu"]
    assert abs(tin.params["sigma"] - SIGMA_IN) < 4 * tin.se["sigma"]
    tout = fit.output_tokens.get("gamma")
    assert fit.output_tokens.best.family == "gamma"
    assert abs(tout.params["shape"] - SHAPE_OUT) < 4 * tout.se["shape"]


def test_fragment_loads_as_a_study_and_reads_back_the_fits(fit, lesson_doc):
    doc = tomllib.loads(fit.toml())
    assert set(doc["workload"]) == {"requests_per_day", "monthly_growth", "input_tokens",
                                    "output_tokens", "hourly_profile"}
    lesson_doc["workload"] = doc["workload"]
    study = study_from_dict(lesson_doc, file="pasted.toml")
    q = np.array([0.05, 0.5, 0.95])
    for key, res in (("requests_per_day", fit.requests), ("input_tokens", fit.input_tokens),
                     ("output_tokens", fit.output_tokens)):
        np.testing.assert_allclose(study.input(f"workload.{key}").dist.ppf(q),
                                   res.distribution().ppf(q), rtol=1e-9)
    growth = study.input("workload.monthly_growth").dist
    assert growth.mean == pytest.approx(fit.growth.monthly)
    assert study.hourly_profile == pytest.approx([round(w, 3) for w in fit.hourly])
    assert f"{fit.days} full days" in fit.toml() and f"{fit.rows:,} requests" in fit.toml()


def test_cli_writes_the_fragment_and_names_columns(tmp_path, capsys, log):
    csv = tmp_path / "renamed.csv"
    pl.read_parquet(log).rename({"ts": "when", "prompt_tokens": "tin",
                                 "completion_tokens": "tout"}).write_csv(csv)
    code, _, err = cli(["workload", str(csv), "--boot", "0"], capsys)
    assert code == 2 and "no timestamp column found" in err and "--timestamp-column" in err
    out = tmp_path / "w" / "workload.toml"
    code, text, err = cli(["workload", str(csv), "--boot", "0", "--timestamp-column", "when",
                           "--input-column", "tin", "--output-column", "tout", "--out",
                           str(out)], capsys)
    assert code == 0, err
    assert out.read_text() in text
    doc = tomllib.loads(out.read_text())
    assert parse(doc["workload"]["monthly_growth"]).mean == pytest.approx(
        derive_workload(log, n_boot=0).growth.monthly, rel=1e-9)


def test_detection_and_errors(tmp_path, capsys):
    assert detect_columns(["Timestamp", "input_tokens", "output_tokens"],
                          {"timestamp": None, "input": None, "output": None}) == {
        "timestamp": "Timestamp", "input": "input_tokens", "output": "output_tokens"}
    with pytest.raises(LogError, match="--input-column tokens: no such column; did you mean"):
        detect_columns(["ts", "tokens_in"], {"timestamp": None, "input": "tokens",
                                             "output": None})
    short = tmp_path / "short.parquet"
    synthetic_log(np.random.default_rng(1), days=10).write_parquet(short)
    code, _, err = cli(["workload", str(short)], capsys)
    assert code == 2 and "covers 10 calendar days" in err and "at least 20 full days" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,input_tokens,output_tokens\n" + "yesterday,10,5\n" * 30)
    code, _, err = cli(["workload", str(bad)], capsys)
    assert code == 2 and "30 of 30 rows of timestamp are empty or not timestamps" in err
    code, _, err = cli(["workload", str(tmp_path / "none.csv")], capsys)
    assert code == 2 and "file not found" in err
    assert len(err.strip().splitlines()) == 1


def test_epoch_seconds_and_milliseconds_read_as_the_same_days(tmp_path, log):
    frame = pl.read_parquet(log)
    epoch_s = frame["ts"].dt.epoch("s")
    base = derive_workload(log, n_boot=0)
    for name, ts in (("s", epoch_s), ("ms", epoch_s * 1000)):
        path = tmp_path / f"epoch_{name}.csv"
        frame.with_columns(ts=ts).write_csv(path)
        fit = derive_workload(path, n_boot=0)
        np.testing.assert_array_equal(fit.daily, base.daily)
        assert fit.hourly == base.hourly and fit.first_day == base.first_day
