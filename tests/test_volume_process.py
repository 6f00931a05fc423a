"""Volume as a process (docs/model.md, "Workload"): a geometric random walk with drift and
seasonality. Closed forms: with zero volatility it is the deterministic growth path; the
mean volume of month t is ``V0 exp(drift (t - 1)) season(t)``; E[NPV] of a saving linear in
volume follows from it. Shocks are the same whatever the chunks or workers; bad tables are
exit 2 with one line."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import polars as pl
import pytest

from distributions.sampling import normals
from sim import run
from sim.cli import main
from sim.runner.draws import input_values, sampling_plan
from sim.runner.model import fold
from sim.runner.paths import monthly_paths
from sim.study import StudyError, study_from_dict
from sim.study.process_fit import fit_process
from sim.study.volume_process import season_curve
from sim.study.workload_log import derive_workload

RPD, H, RATE = 10_000.0, 24, 0.10
#: Saving per request/day per month of the cheap API over the frontier one, by hand:
#: 30 days x (500 x (2.50 - 0.15) + 200 x (10.00 - 0.60)) / 1e6 = 30 x 3055 / 1e6.
K = 30 * (500 * (2.50 - 0.15) + 200 * (10.00 - 0.60)) / 1e6


def doc(process=None, growth=None, samples=20_000):
    workload = {"requests_per_day": RPD, "input_tokens": 500, "output_tokens": 200}
    if process is not None:
        workload["volume_process"] = process
    if growth is not None:
        workload["monthly_growth"] = growth
    return {"study": {"name": "vp", "baseline": "frontier", "samples": samples,
                      "horizon_months": H, "discount_rate": RATE, "seed": 5},
            "workload": workload,
            "strategies": {"frontier": {"kind": "api", "input_price": 2.5, "output_price": 10},
                           "cheap": {"kind": "api", "input_price": 0.15,
                                     "output_price": 0.6, "engineering_hours": 0,
                                     "build_months": 0}}}


def draw(study, n=None):
    n = study.samples if n is None else n
    return input_values(study, sampling_plan(study).rows(0, n), start=0), n


def disc():
    return (1 + RATE) ** (-np.arange(1, H + 1) / 12)


def test_zero_volatility_is_the_growth_path():
    g = 0.04
    flat = study_from_dict(doc({"drift": math.log1p(g), "volatility": 0.0}, samples=8))
    grown = study_from_dict(doc(growth=g, samples=8))
    a = monthly_paths(flat, *draw(flat))
    b = monthly_paths(grown, *draw(grown))
    ref = RPD * (1 + g) ** np.arange(H)
    np.testing.assert_allclose(a.requests_per_day[:, 0], ref, rtol=1e-12)
    np.testing.assert_allclose(a.requests_per_day, b.requests_per_day, rtol=1e-12)
    np.testing.assert_allclose(a.cost["cheap"], b.cost["cheap"], rtol=1e-12)


def test_hand_worked_npv_without_growth():
    # drift 0, volatility 0: a flat $916.50 a month saved from month 1, discounted
    study = study_from_dict(doc({"drift": 0.0, "volatility": 0.0}, samples=4))
    f = fold(study, *draw(study))
    assert abs(K * RPD - 916.5) < 1e-9
    np.testing.assert_allclose(f.npv[f.names.index("cheap")], 916.5 * disc().sum(),
                               rtol=1e-12)


def test_mean_volume_matches_the_closed_form_within_4_se():
    drift, season = 0.03, season_curve(0.2, 12)
    study = study_from_dict(doc({"drift": drift, "volatility": "0.05 to 0.2",
                                 "amplitude": 0.2, "peak_month": 12}))
    v = monthly_paths(study, *draw(study)).requests_per_day
    t = np.arange(1, H + 1)
    ref = RPD * np.exp(drift * (t - 1)) * np.array([season[(k - 1) % 12] for k in t])
    se = v.std(axis=1, ddof=1) / math.sqrt(v.shape[1])
    assert np.all(np.abs(v.mean(axis=1) - ref) <= 4 * se)
    assert se[-1] > 0.01 * ref[-1] / math.sqrt(v.shape[1])  # the paths do spread
    # month 1 carries no shock: the level times its season
    np.testing.assert_allclose(v[0], RPD * season[0], rtol=1e-14)


def test_expected_npv_of_a_saving_linear_in_volume_within_4_se():
    drift = 0.02
    study = study_from_dict(doc({"drift": drift, "volatility": {"pert": [
        0.05, 0.12, 0.3]}, "seasonality": [1.2, 1.1, 1, 1, 0.9, 0.8, 0.8, 0.9,
                                                     1, 1, 1.1, 1.2]}))
    f = fold(study, *draw(study))
    npv = f.npv[f.names.index("cheap")]
    s = np.array([1.2, 1.1, 1, 1, 0.9, 0.8, 0.8, 0.9, 1, 1, 1.1, 1.2]) / 1.0
    s = s / s.mean()
    t = np.arange(1, H + 1)
    ref = K * RPD * float(np.sum(disc() * np.exp(drift * (t - 1)) * s[(t - 1) % 12]))
    se = npv.std(ddof=1) / math.sqrt(npv.size)
    assert abs(npv.mean() - ref) < 4 * se
    assert se > 0


def test_uncertain_drift_mean_volume_is_lognormal_mixture():
    # drift ~ normal(m, d): E[exp(drift (t - 1))] = exp(m (t - 1) + d^2 (t - 1)^2 / 2)
    m, d = 0.02, 0.01
    study = study_from_dict(doc({"drift": {"normal": {"mean": m, "sd": d}},
                                 "volatility": 0.1}))
    v = monthly_paths(study, *draw(study)).requests_per_day
    k = np.arange(H)
    ref = RPD * np.exp(m * k + d * d * k * k / 2)
    se = v.std(axis=1, ddof=1) / math.sqrt(v.shape[1])
    assert np.all(np.abs(v.mean(axis=1) - ref) <= 4 * se)


def test_shocks_do_not_depend_on_chunks_workers_or_sample_count():
    z = normals(3, "s", 5, 0, 40_000)
    assert np.array_equal(normals(3, "s", 5, 16_000, 17_000), z[:, 16_000:17_000])
    assert np.array_equal(normals(3, "s", 2, 0, 40_000), z[:2])
    assert abs(z.mean()) < 4 / math.sqrt(z.size)
    assert abs(z.std() - 1) < 4 / math.sqrt(2 * z.size)


def test_runs_are_bit_identical_across_chunk_sizes_and_workers():
    study = study_from_dict(doc({"drift": 0.01, "volatility": "0.05 to 0.2",
                                 "amplitude": 0.1, "peak_month": 6}, samples=17_000))
    a = run(study, chunk_size=1000, workers=1)
    b = run(study, chunk_size=4096, workers=2)
    c = run(study, write=False, workers=2)
    fa, fb, fc = a.samples(), b.samples(), c.samples()
    assert fa.equals(fb)
    assert fa.select(fc.columns).equals(fc)
    npv = fa["npv.cheap"].to_numpy()
    assert np.unique(npv).size > 1000  # the volatility reaches the outcomes


@pytest.mark.parametrize(("process", "growth", "pattern"), [
    ({"drift": 0.01, "volatility": -0.1}, None, r"workload\.volume_process\.volatility"),
    ({"drift": 0.01, "volatility": 0.1}, 0.02, r"either monthly_growth or volume_process"),
    ({"drift": 0.01, "seasonality": [1.0] * 11}, None, r"must be 12 numbers > 0.*got 11"),
    ({"drift": 0.01, "seasonality": [1.0] * 11 + [0.0]}, None, r"seasonality: must be 12"),
    ({"drift": 0.01, "amplitude": 1.5, "peak_month": 3}, None, r"amplitude: 1\.5 must"),
    ({"drift": 0.01, "amplitude": 0.2, "peak_month": 13}, None, r"peak_month: 13 must"),
    ({"drift": 0.01, "volatiltiy": 0.1}, None, r"did you mean 'volatility'"),
])
def test_bad_process_tables_exit_2_with_one_line(process, growth, pattern, tmp_path, capsys):
    from tests.helpers import write_toml

    with pytest.raises(StudyError, match=pattern):
        study_from_dict(doc(process, growth))
    path = write_toml(tmp_path / "bad.toml", doc(process, growth))
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "bad.toml" in err
    assert not (tmp_path / "out").exists()


# -- fitting the process to a log ------------------------------------------------------------

MU, SIGMA, WEEKS, LEVEL = 0.05, 0.15, 60, 400.0


def weekly_log(rng):
    """Poisson daily counts whose level follows the process week by week (monthly drift MU,
    volatility SIGMA; a week is 7/30 of a month), constant within a week."""
    c = 30 / 7
    steps = (MU - SIGMA**2 / 2) / c + SIGMA / math.sqrt(c) * rng.standard_normal(WEEKS - 1)
    level = LEVEL * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
    return np.repeat(level, 7)


def test_fit_recovers_drift_and_volatility_within_their_se():
    rng = np.random.default_rng(21)
    counts = rng.poisson(weekly_log(rng)).astype(float)
    f = fit_process(counts, period="week")
    assert f.period == "week" and f.increments == WEEKS - 1
    assert abs(f.drift - MU) < 4 * f.drift_se
    assert abs(f.volatility - SIGMA) < 4 * f.volatility_se
    # the standard errors are the estimators' own: sigma sqrt(c / n) and sigma / sqrt(2(n-1))
    assert f.drift_se == pytest.approx(SIGMA * math.sqrt(30 / 7 / (WEEKS - 1)), rel=0.4)
    assert f.volatility_se == pytest.approx(SIGMA / math.sqrt(2 * (WEEKS - 2)), rel=0.4)


def test_fit_without_volatility_is_the_growth():
    counts = np.repeat(1000.0 * 1.1 ** np.arange(8), 30)  # 8 months of 10% growth, exact
    f = fit_process(counts)
    assert f.period == "month" and f.volatility == 0.0
    assert f.drift == pytest.approx(math.log(1.1), rel=1e-12)


def test_workload_process_flag_writes_a_loadable_process(tmp_path, capsys):
    rng = np.random.default_rng(4)
    lam = weekly_log(rng)[: 7 * 20]
    n = rng.poisson(lam)
    day = np.repeat(np.arange(n.size), n)
    secs = day * 86400 + rng.uniform(0, 86400, day.size)
    stamps = np.datetime64("2025-01-01T00:00:00") + (np.sort(secs) * 1e6).astype(
        "timedelta64[us]")
    path = tmp_path / "log.parquet"
    pl.DataFrame({"ts": stamps, "input_tokens": rng.lognormal(6, 0.5, day.size),
                  "output_tokens": rng.lognormal(5, 0.5, day.size)}).write_parquet(path)
    out = tmp_path / "w.toml"
    code = main(["workload", str(path), "--process", "--boot", "0", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    fragment = tomllib.loads(out.read_text())["workload"]
    assert "monthly_growth" not in fragment
    vp = fragment["volume_process"]
    fit = derive_workload(path, n_boot=0, process=True).process
    assert vp["drift"]["normal"]["mean"] == pytest.approx(fit.drift)
    assert vp["volatility"]["normal"]["sd"] == pytest.approx(fit.volatility_se)
    d = doc()
    d["workload"] = fragment
    study = study_from_dict(d)
    assert study.volume_process is not None
    assert study.volume_process.drift.dist.mean == pytest.approx(fit.drift)


def test_workload_process_needs_four_weeks(tmp_path, capsys):
    rng = np.random.default_rng(1)
    days = 24  # 22 full days: three whole weeks
    n = rng.poisson(300, days)
    day = np.repeat(np.arange(days), n)
    stamps = np.datetime64("2025-01-01T00:00:00") + (
        (day * 86400 + rng.uniform(0, 86400, day.size)) * 1e6).astype("timedelta64[us]")
    path = tmp_path / "short.parquet"
    pl.DataFrame({"ts": np.sort(stamps), "input_tokens": rng.integers(1, 9, day.size) * 100,
                  "output_tokens": rng.integers(1, 9, day.size) * 50}).write_parquet(path)
    code = main(["workload", str(path), "--process", "--boot", "0"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--process" in err and "4 whole weeks" in err
