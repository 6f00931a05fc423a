"""Forecast vs actuals (``ftrisk check``): percentiles, calibration and the Bayesian update,
checked against a conjugate case in closed form.

The conjugate study: every input fixed but requests/day, lognormal with log-mean MU0 and
log-sd S0, no growth and no price decline; volume observed with lognormal error SD. Then
log V0 | y ~ N(mu_n, s_n^2) with ``1/s_n^2 = 1/S0^2 + k/SD^2`` and
``mu_n = s_n^2 (MU0/S0^2 + sum log y / SD^2)``; the predictive of the next log y is
N(mu_n, s_n^2 + SD^2). The hosted fine-tune saves 0.0147 V a month (API $0.021 V vs
$0.0063 V: 30 days x (500 x $1 + 100 x $2) / 1e6 vs (500 x $0.3 + 100 x $0.6) / 1e6) after a
project of $308 (2 h x $150 + 1M training tokens x $8/1M) paid in month 1, so it pays back
within N months exactly when V >= 308 / (0.0147 N).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from sim.cli import main
from sim.decision.actuals import (
    Observation,
    check_actuals,
    crps_ensemble,
    synthetic_actuals,
    weighted_quantile,
)
from sim.study import ActualsError, load_study, read_actuals, study_from_dict

from helpers import STUDIES, write_toml

MU0, S0, SD = math.log(5000.0), 0.4, 0.05
Z90 = 1.2815515655446004
SAVING_PER_V, PROJECT = 0.0147, 308.0


def conjugate_doc(samples: int = 4000) -> dict:
    return {
        "study": {"baseline": "api", "samples": samples, "seed": 3, "horizon_months": 12,
                  "payback_within": [6, 12]},
        "workload": {"requests_per_day": {"lognormal": {"p10": math.exp(MU0 - Z90 * S0),
                                                        "p90": math.exp(MU0 + Z90 * S0)}},
                     "input_tokens": 500, "output_tokens": 100},
        "strategies": {
            "api": {"kind": "api", "input_price": 1.0, "output_price": 2.0},
            "ft": {"kind": "hosted_ft", "input_price": 0.3, "output_price": 0.6,
                   "engineering_hours": 2, "training_tokens": 1e6,
                   "training_price_per_1m": 8.0},
        },
    }


def posterior(y: np.ndarray) -> tuple[float, float]:
    prec = 1 / S0**2 + y.size / SD**2
    return (MU0 / S0**2 + np.log(y).sum() / SD**2) / prec, prec**-0.5


def volume_actuals(tmp_path, y) -> str:
    path = tmp_path / "volume.csv"
    pl.DataFrame({"month": list(range(1, len(y) + 1)), "volume": y}).write_csv(path)
    return str(path)


def weighted_log_v(res) -> tuple[float, float, np.ndarray, np.ndarray]:
    x = np.log(res.posterior["workload.requests_per_day"].to_numpy())
    w = res.posterior["weight"].to_numpy()
    m = float(w @ x)
    return m, math.sqrt(float(w @ (x - m) ** 2)), x, w


Y = np.array([3600.0, 3400.0, 3550.0, 3450.0])


@pytest.mark.parametrize(("moves", "ess_min"), [(0, 1e-9), (5, 0.5)])
def test_conjugate_posterior_in_closed_form(tmp_path, moves, ess_min):
    """Importance weighting alone, and with resample-move, give the normal posterior of
    log V0: mean within 4 se (s_n / sqrt(ESS)), sd within 4 se (s_n / sqrt(2 ESS))."""
    study = study_from_dict(conjugate_doc())
    acts = read_actuals(volume_actuals(tmp_path, Y), study)
    res = check_actuals(study, acts, observation=Observation(volume_sd=SD), moves=moves,
                        ess_min=ess_min, rng=1)
    mu_n, s_n = posterior(Y)
    m, s, _, _ = weighted_log_v(res)
    ess = float(res.steps["ess"].min())  # the fewest independent draws along the way
    assert abs(m - mu_n) < 4 * s_n / math.sqrt(ess)
    assert abs(s - s_n) < 4 * s_n / math.sqrt(2 * ess)
    assert res.steps["resampled"].any() == (moves > 0)
    # particles move (and report an acceptance rate) only in the months they were resampled
    acc = res.steps["acceptance"].to_numpy()
    resampled = res.steps["resampled"].to_numpy()
    assert np.isnan(acc[~resampled]).all() and ((acc[resampled] >= 0) & (acc[resampled] <= 1)).all()
    # the decision answered again: P(payback <= N) = P(V >= PROJECT / (SAVING_PER_V N))
    for n in (6, 12):
        want = float(stats.norm.sf((math.log(PROJECT / (SAVING_PER_V * n)) - mu_n) / s_n))
        row = res.decision.filter(pl.col("strategy") == "ft").row(0, named=True)
        assert abs(row[f"p{n}_post"] - want) < 4 * math.sqrt(want * (1 - want) / ess) + 1e-9


def test_percentiles_in_closed_form(tmp_path):
    """The forecast's percentile of month 1 is Phi((log y - MU0) / sqrt(S0^2 + SD^2)); the
    one-step-ahead percentile of month 2 uses the posterior after month 1."""
    study = study_from_dict(conjugate_doc(samples=20000))
    acts = read_actuals(volume_actuals(tmp_path, Y[:2]), study)
    res = check_actuals(study, acts, observation=Observation(volume_sd=SD), moves=0,
                        ess_min=1e-9, rng=1)
    rows = res.months.to_dicts()
    n = 20000
    for r in rows:
        z = (math.log(r["actual"]) - MU0) / math.hypot(S0, SD)
        want = float(stats.norm.cdf(z))
        assert abs(r["pit"] - want) < 4 * math.sqrt(want * (1 - want) / n)
        for q, key in ((0.05, "p5"), (0.5, "p50"), (0.95, "p95")):
            exact = math.exp(MU0 + stats.norm.ppf(q) * math.hypot(S0, SD))
            assert r[key] == pytest.approx(exact, rel=4 * S0 / math.sqrt(n) * 3)
    assert rows[0]["pit_ahead"] == pytest.approx(rows[0]["pit"], rel=1e-12)
    mu1, s1 = posterior(Y[:1])
    want = float(stats.norm.cdf((math.log(Y[1]) - mu1) / math.hypot(s1, SD)))
    ess = float(res.steps["ess"][0])
    assert abs(rows[1]["pit_ahead"] - want) < 4 * math.sqrt(want * (1 - want) / ess)
    # 3,600 and 3,400 requests/day are at the forecast's P21 and P17: inside P5-P95
    assert [round(100 * r["pit"]) for r in rows] == [21, 17]
    assert not any(r["flagged"] for r in rows)


def test_bills_drawn_from_the_forecast_are_calibrated(tmp_path):
    """Ten bill series, each a draw of the study's own forecast: their one-step-ahead
    percentiles, pooled (independent and uniform if the method is right), pass a KS test and
    a chi-square test of the 5-bin histogram at the 1% level."""
    study = study_from_dict(conjugate_doc(samples=2000))
    obs = Observation(volume_sd=0.1, cost_sd=0.1)
    pits = []
    for seed in range(10):
        bills, _ = synthetic_actuals(study, 6, series=("volume", "cost.api"), rng=100 + seed,
                                     observation=obs)
        path = tmp_path / f"b{seed}.csv"
        bills.write_csv(path)
        res = check_actuals(study, read_actuals(path, study), observation=obs, rng=seed)
        pits += res.months["pit_ahead"].to_list()
        assert res.calibrated == (res.ks_p_value >= 0.05)
    assert len(pits) == 120
    assert stats.kstest(pits, "uniform").pvalue > 0.01
    hist = np.histogram(pits, bins=5, range=(0, 1))[0]
    assert stats.chisquare(hist).pvalue > 0.01


def test_shifted_bills_are_flagged(tmp_path):
    """Volumes at 2.5x the forecast's median sit at Phi(log 2.5 / sqrt(S0^2 + SD^2)) = P98.8
    of the forecast in every month: all flagged, and the KS test rejects the one-step
    percentiles of a series that keeps drifting away (doubling every month)."""
    study = study_from_dict(conjugate_doc(samples=4000))
    months = np.arange(1, 7)
    path = volume_actuals(tmp_path, np.full(6, 2.5 * math.exp(MU0)))
    res = check_actuals(study, read_actuals(path, study), observation=Observation(volume_sd=SD),
                        rng=2)
    want = float(stats.norm.cdf(math.log(2.5) / math.hypot(S0, SD)))
    for pit in res.months["pit"]:
        assert abs(pit - want) < 4 * math.sqrt(want * (1 - want) / 4000)
    assert res.months["flagged"].all()
    assert "outside the forecast's P5-P95: 1 volume at P99" in res.sentences()[0]
    path = volume_actuals(tmp_path, math.exp(MU0) * 2.0 ** months)
    drift = check_actuals(study, read_actuals(path, study),
                          observation=Observation(volume_sd=SD), rng=2)
    assert drift.months["pit_ahead"].min() > 0.95 and not drift.calibrated
    assert "NOT calibrated" in drift.sentences()[1]


def test_the_update_moves_toward_the_truth(tmp_path):
    """Bills drawn from one joint draw of legal_contracts' inputs (6 months of volume and the
    frontier's cost): the volume's posterior is within 4 posterior sd of the truth, at least
    three times narrower than the prior, and on average far closer to the truth."""
    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=2000)
    prior_err, post_err = [], []
    for seed in range(5):
        bills, truth = synthetic_actuals(study, 6, rng=seed)
        path = tmp_path / f"bills{seed}.csv"
        bills.write_csv(path)
        res = check_actuals(study, read_actuals(path, study), rng=seed)
        x = res.posterior["workload.requests_per_day"].to_numpy()
        w = res.posterior["weight"].to_numpy()
        mean = float(w @ x)
        sd = math.sqrt(float(w @ (x - mean) ** 2))
        v = truth["workload.requests_per_day"]
        row = res.inputs.filter(pl.col("input") == "workload.requests_per_day").row(
            0, named=True)
        assert row["post_mean"] == pytest.approx(mean)
        assert abs(mean - v) < 4 * sd
        assert sd < (row["prior_p90"] - row["prior_p10"]) / (2 * Z90) / 3
        prior_err.append(abs(row["prior_mean"] - v))
        post_err.append(abs(mean - v))
        informed = set(res.inputs.filter(pl.col("informed"))["input"])
        # hosted_ft's price-cut size is rank-correlated (0.6) with the frontier's: informed too
        assert "strategies.hosted_ft.price_cut_size" in informed
        assert "strategies.hosted_ft.engineering_hours" not in informed
    assert np.mean(post_err) < 0.2 * np.mean(prior_err)


def test_crps_and_weighted_quantiles_by_hand():
    # a point forecast: CRPS = |x - y|
    assert crps_ensemble(np.array([2.0]), np.array([1.0]), 5.0) == pytest.approx(3.0)
    # uniform ensemble 0..1 (fine grid), y = 0: E|X| - E|X-X'|/2 = 1/2 - 1/6 = 1/3
    x = np.linspace(0, 1, 2001)
    assert crps_ensemble(x, np.ones_like(x), 0.0) == pytest.approx(1 / 3, abs=1e-3)
    assert weighted_quantile(np.array([5.0, 1.0, 3.0]), np.array([0.0, 1.0, 1.0]),
                             np.array([0.4, 0.6])).tolist() == [1.0, 3.0]


def test_cli_check_and_its_errors(tmp_path, capsys):
    study = write_toml(tmp_path / "conj.toml", conjugate_doc(samples=2000))
    bills = tmp_path / "bills.csv"
    bills.write_text("month,volume,cost.api\n2025-01,3600,2300\n2025-02,3400,\n"
                     "2025-03,3550,2250\n")
    code = main(["check", str(study), "--actuals", str(bills)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "after 3 months of actuals, P(payback ≤ 12) for ft moved from" in out
    assert "effective sample size after each month" in out
    assert "outside the forecast's P5-P95" in out
    for text, says in (
        ("month,cost.ghost\n1,10\n", "cost.ghost: 'ghost' is not a strategy of the study"),
        ("month,volume\n13,10\n", "is study month 13, outside 1..12"),
        ("month,volume\n1,10\n1,12\n", "some months appear twice"),
        ("month,volume\n1,-3\n", "volume: 1 of 1 rows are <= 0"),
        ("volume\n10\n", "no month column"),
        ("month,bill\n1,10\n", "unknown column 'bill'"),
    ):
        bills.write_text(text)
        code = main(["check", str(study), "--actuals", str(bills)])
        _, err = capsys.readouterr()
        assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err
    bills.write_text("month,volume\n1,3600\n")
    code = main(["check", str(study), "--actuals", str(bills), "--cost-sd", "0"])
    assert code == 2 and "--cost-sd 0: must be > 0" in capsys.readouterr().err
    with pytest.raises(ActualsError, match="--start 2025/01"):
        read_actuals(_calendar(tmp_path), load_study(study), start="2025/01")


def _calendar(tmp_path) -> str:
    path = tmp_path / "cal.csv"
    path.write_text("month,volume\n2025-03,3600\n2025-04,3400\n")
    return str(path)


def test_calendar_months_and_start(tmp_path):
    study = study_from_dict(conjugate_doc(samples=16))
    acts = read_actuals(_calendar(tmp_path), study)
    assert acts.months.tolist() == [1, 2] and acts.labels == ("2025-03", "2025-04")
    acts = read_actuals(_calendar(tmp_path), study, start="2025-01")
    assert acts.months.tolist() == [3, 4]
