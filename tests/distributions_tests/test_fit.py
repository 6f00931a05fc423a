"""Fitting an input to data: estimates, ranking, goodness of fit, the value written, errors.

References used below (none of them is the code under test):

- standard errors of maximum-likelihood estimates from the inverse Fisher information per
  row (Casella & Berger §10.1): normal and lognormal ``sigma/sqrt(n)`` for the location and
  ``sigma/sqrt(2n)`` for the scale; Poisson ``sqrt(lambda/n)``; gamma(k, theta)
  ``[[psi1(k), 1/theta], [1/theta, k/theta**2]]``; beta(a, b)
  ``[[psi1(a) - psi1(a+b), -psi1(a+b)], [-psi1(a+b), psi1(b) - psi1(a+b)]]``; for the
  negative binomial, the observed information by finite differences of scipy's log-pmf;
- log-likelihoods in closed form (normal: ``-n/2 (log(2 pi s^2) + 1)`` at the estimate);
- scipy's own ``fit``, ``kstest`` and a Nelder–Mead search as independent estimators.

Samples are drawn by the tests at fixed seeds; estimates must lie within 4 standard errors
of the truth.
"""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from scipy import optimize, special, stats

from distributions import (
    MIN_ROWS,
    Beta,
    Discrete,
    DistributionError,
    FitError,
    Gamma,
    Lognormal,
    Normal,
    fit_data,
    parse,
)
from distributions import fit_gof as gof
from distributions.fit_checks import support_of
from distributions.fit_families import MAX_TABLE

SEED = 20261130


def draw(seed: int = SEED) -> np.random.Generator:
    return np.random.default_rng(seed)


def numerical_se(loglik, theta: np.ndarray) -> np.ndarray:
    """Standard errors from the observed information, by central differences."""
    theta = np.asarray(theta, dtype=float)
    h = 1e-4 * np.abs(theta)
    d = theta.size
    hess = np.empty((d, d))
    for i in range(d):
        for j in range(d):
            ei, ej = np.eye(d)[i] * h[i], np.eye(d)[j] * h[j]
            hess[i, j] = (loglik(theta + ei + ej) - loglik(theta + ei - ej)
                          - loglik(theta - ei + ej) + loglik(theta - ei - ej)) / (4 * h[i] * h[j])
    return np.sqrt(np.diag(np.linalg.inv(-hess)))


def fisher_se(info_per_row: np.ndarray, n: int) -> np.ndarray:
    return np.sqrt(np.diag(np.linalg.inv(n * info_per_row)))


# -- recovery of known parameters ----------------------------------------------------
N_RECOVER = 5000


def test_normal_recovers_mean_and_sd():
    x = draw().normal(100.0, 15.0, N_RECOVER)
    f = fit_data(x, family="normal", n_boot=0).best
    assert abs(f.params["mean"] - 100.0) < 4 * 15.0 / math.sqrt(N_RECOVER)
    assert abs(f.params["sd"] - 15.0) < 4 * 15.0 / math.sqrt(2 * N_RECOVER)
    # the MLE of the sd divides by n, not n - 1
    assert f.params["sd"] == pytest.approx(np.std(x, ddof=0), rel=1e-14)


def test_lognormal_recovers_mu_and_sigma():
    x = draw().lognormal(8.0, 0.5, N_RECOVER)
    f = fit_data(x, family="lognormal", n_boot=0).best
    assert abs(f.params["mu"] - 8.0) < 4 * 0.5 / math.sqrt(N_RECOVER)
    assert abs(f.params["sigma"] - 0.5) < 4 * 0.5 / math.sqrt(2 * N_RECOVER)
    assert f.se["mu"] == pytest.approx(f.params["sigma"] / math.sqrt(N_RECOVER), rel=1e-12)
    # closed form = scipy's numerical fit with the origin at 0
    s, _, scale = stats.lognorm.fit(x, floc=0)
    assert f.params["sigma"] == pytest.approx(s, rel=1e-6)
    assert f.params["mu"] == pytest.approx(math.log(scale), rel=1e-6)


def test_gamma_recovers_shape_and_scale():
    k, theta = 3.0, 2.0
    x = draw().gamma(k, theta, N_RECOVER)
    f = fit_data(x, family="gamma", n_boot=0).best
    se = fisher_se(np.array([[special.polygamma(1, k), 1 / theta],
                             [1 / theta, k / theta**2]]), N_RECOVER)
    assert abs(f.params["shape"] - k) < 4 * se[0]
    assert abs(f.params["scale"] - theta) < 4 * se[1]


def test_beta_recovers_a_and_b():
    a, b = 2.0, 30.0
    x = draw().beta(a, b, N_RECOVER)
    f = fit_data(x, n_boot=0).best
    assert f.family == "beta"
    t = special.polygamma(1, a + b)
    se = fisher_se(np.array([[special.polygamma(1, a) - t, -t],
                             [-t, special.polygamma(1, b) - t]]), N_RECOVER)
    assert abs(f.params["a"] - a) < 4 * se[0]
    assert abs(f.params["b"] - b) < 4 * se[1]


def test_poisson_recovers_its_mean():
    x = draw().poisson(3.5, N_RECOVER).astype(float)
    f = fit_data(x, family="poisson").best
    assert abs(f.params["mean"] - 3.5) < 4 * math.sqrt(3.5 / N_RECOVER)


def test_negative_binomial_recovers_r_and_p_and_maximises_the_likelihood():
    r, p = 2.0, 0.3
    x = draw().negative_binomial(r, p, N_RECOVER).astype(float)
    f = fit_data(x, family="negative_binomial").best
    est = np.array([f.params["r"], f.params["p"]])
    se = numerical_se(lambda t: stats.nbinom.logpmf(x, t[0], t[1]).sum(), est)
    assert abs(est[0] - r) < 4 * se[0]
    assert abs(est[1] - p) < 4 * se[1]
    # an independent optimiser finds no higher likelihood
    res = optimize.minimize(lambda t: -stats.nbinom.logpmf(x, t[0], t[1]).sum(), [1.0, 0.5],
                            method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10})
    assert f.loglik >= -res.fun - 1e-8
    assert est == pytest.approx(res.x, rel=1e-4)


@pytest.mark.parametrize(("family", "sample"), [
    ("normal", lambda g: g.normal(10.0, 2.0, 3000)),
    ("lognormal", lambda g: g.lognormal(1.0, 0.7, 3000)),
    ("gamma", lambda g: g.gamma(2.5, 4.0, 3000)),
    ("beta", lambda g: g.beta(3.0, 9.0, 3000)),
    ("poisson", lambda g: g.poisson(6.0, 3000).astype(float)),
    ("negative_binomial", lambda g: g.negative_binomial(3.0, 0.4, 3000).astype(float)),
])
def test_standard_errors_match_the_observed_information(family, sample):
    x = sample(draw(7))
    f = fit_data(x, family=family, n_boot=0).best
    names = list(f.params)
    args = {
        "normal": lambda t: stats.norm.logpdf(x, t[0], t[1]),
        "lognormal": lambda t: stats.lognorm.logpdf(x, t[1], scale=np.exp(t[0])),
        "gamma": lambda t: stats.gamma.logpdf(x, t[0], scale=t[1]),
        "beta": lambda t: stats.beta.logpdf(x, t[0], t[1]),
        "poisson": lambda t: stats.poisson.logpmf(x, t[0]),
        "negative_binomial": lambda t: stats.nbinom.logpmf(x, t[0], t[1]),
    }[family]
    expected = numerical_se(lambda t: args(t).sum(), np.array([f.params[k] for k in names]))
    assert [f.se[k] for k in names] == pytest.approx(expected, rel=1e-3)


# -- likelihoods and criteria by hand ------------------------------------------------
def test_normal_loglik_aic_bic_in_closed_form():
    x = draw(3).normal(0.0, 1.0, 400)
    f = fit_data(x, family="normal").best
    s2 = np.mean((x - x.mean()) ** 2)
    loglik = -0.5 * 400 * (math.log(2 * math.pi * s2) + 1)
    assert f.loglik == pytest.approx(loglik, rel=1e-12)
    assert f.aic == pytest.approx(2 * 2 - 2 * loglik, rel=1e-12)
    assert f.bic == pytest.approx(2 * math.log(400) - 2 * loglik, rel=1e-12)


def test_lognormal_loglik_is_the_normal_one_of_the_logs_minus_sum_log_x():
    x = draw(4).lognormal(2.0, 0.3, 300)
    ln = fit_data(x, family="lognormal").best
    y = np.log(x)
    loglik = -0.5 * 300 * (math.log(2 * math.pi * np.var(y)) + 1) - y.sum()
    assert ln.loglik == pytest.approx(loglik, rel=1e-12)


def test_observed_frequencies_by_hand():
    x = np.repeat([0.0, 1.0, 2.0], [10, 6, 4])
    f = fit_data(x, family="discrete").best
    assert f.k == 2
    assert f.loglik == pytest.approx(10 * math.log(0.5) + 6 * math.log(0.3) + 4 * math.log(0.2))
    assert (f.test, math.isnan(f.statistic), math.isnan(f.p_value)) == ("", True, True)
    assert f.toml_value() == "{ discrete = { values = [0, 1, 2], weights = [10, 6, 4] } }"


def test_table_is_sorted_by_aic_with_akaike_weights():
    x = draw(5).gamma(4.0, 500.0, 3000)
    res = fit_data(x, n_boot=0)
    t = res.table()
    assert t.columns == ["family", "k", "n", "loglik", "aic", "delta_aic", "aic_weight", "bic",
                         "delta_bic", "test", "statistic", "p_value", "params", "value", "note"]
    aic = t["aic"].to_numpy()
    assert np.all(np.diff(aic) > 0)
    assert t["family"][0] == res.best.family == "gamma"
    assert t["delta_aic"].to_list() == pytest.approx((aic - aic[0]).tolist())
    w = np.exp(-0.5 * (aic - aic[0]))
    assert t["aic_weight"].to_list() == pytest.approx((w / w.sum()).tolist())
    assert t["aic"].to_list() == pytest.approx([4 - 2 * v for v in t["loglik"]])
    assert t["value"][0] == res.toml_value()


# -- AIC picks the true family on large samples ---------------------------------------
N_LARGE = 20_000
CONTINUOUS = ("lognormal", "gamma", "normal", "beta")


@pytest.mark.parametrize(("truth", "sample", "family"), [
    ("lognormal", lambda g: g.lognormal(8.0, 0.5, N_LARGE), "auto"),
    ("gamma", lambda g: g.gamma(4.0, 500.0, N_LARGE), "auto"),
    ("normal", lambda g: g.normal(1000.0, 150.0, N_LARGE), "auto"),
    ("beta", lambda g: g.beta(2.0, 30.0, N_LARGE), CONTINUOUS),
    ("poisson", lambda g: g.poisson(4.0, N_LARGE).astype(float), "auto"),
    ("negative_binomial", lambda g: g.negative_binomial(2.0, 0.3, N_LARGE).astype(float),
     "auto"),
])
def test_aic_and_bic_pick_the_true_family(truth, sample, family):
    res = fit_data(sample(draw(11)), family=family, n_boot=0)
    t = res.table()
    assert res.best.family == truth
    assert t.sort("bic")["family"][0] == truth
    for f in res.fits[1:]:
        delta = f.aic - res.best.aic
        if (truth, f.family) == ("poisson", "negative_binomial"):
            # it nests the Poisson (r -> inf): same likelihood at most, one more parameter
            assert 0 < delta <= 2 and f.params["r"] > 50
        elif f.family == "discrete":
            # the observed frequencies fit better by construction: AIC charges one parameter
            # per extra value (4 or more: "considerably less support", Burnham & Anderson)
            assert delta > 4
        else:
            assert delta > 10  # decisive, not a coin flip


def test_auto_candidates_follow_the_support():
    g = draw(12)
    assert [f.family for f in fit_data(g.normal(0, 1, 50), n_boot=0).fits] == ["normal"]
    rates = fit_data(g.beta(2, 5, 50), n_boot=0)
    assert (rates.support, [f.family for f in rates.fits]) == ("rate", ["beta"])
    pos = fit_data(g.gamma(2, 1, 50), n_boot=0)
    assert sorted(f.family for f in pos.fits) == ["gamma", "lognormal", "normal"]
    counts = fit_data(g.negative_binomial(1, 0.2, 200).astype(float))
    assert sorted(f.family for f in counts.fits) == ["discrete", "negative_binomial", "poisson"]


@pytest.mark.parametrize(("values", "support"), [
    ([1, 2, 100], "count"),        # small whole numbers
    ([1, 2, 101], "positive"),     # token-sized whole numbers are amounts
    ([0, 2, 5000], "count"),       # zeros rule out the positive families
    ([0.01, 0.5, 0.99], "rate"),
    ([0.01, 0.5, 1.0], "positive"),
    ([0.0, 0.5], "real"),
    ([-3, 2], "real"),
])
def test_support_of(values, support):
    assert support_of(np.array(values, dtype=float)) == support


def test_underdispersed_counts_skip_the_negative_binomial_with_the_reason():
    x = np.tile([2.0, 3.0, 4.0], 10)  # variance 2/3 < mean 3
    res = fit_data(x, source="runs.csv:runs")
    assert "negative_binomial" not in [f.family for f in res.fits]
    assert res.skipped["negative_binomial"].startswith("runs.csv:runs: negative_binomial needs "
                                                       "overdispersed counts")
    with pytest.raises(FitError, match=r"variance 0\.6667 is at most the mean 3: fit poisson"):
        fit_data(x, family="negative_binomial")


# -- the value written parses back to the same distribution ----------------------------
Q = np.array([0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999])


def parse_back(text: str):
    return parse(tomllib.loads(f"value = {text}")["value"])


@pytest.mark.parametrize(("family", "cls", "sample"), [
    ("lognormal", Lognormal, lambda g: g.lognormal(8.1, 0.6, 500)),
    ("gamma", Gamma, lambda g: g.gamma(2.5, 400.0, 500)),
    ("normal", Normal, lambda g: g.normal(0.02, 0.013, 500)),
    ("beta", Beta, lambda g: g.beta(2.0, 30.0, 500)),
    ("poisson", Discrete, lambda g: g.poisson(3.0, 500).astype(float)),
    ("negative_binomial", Discrete, lambda g: g.negative_binomial(2, 0.3, 500).astype(float)),
    ("discrete", Discrete, lambda g: g.poisson(3.0, 500).astype(float)),
])
def test_toml_value_parses_back_to_the_same_distribution(family, cls, sample):
    res = fit_data(sample(draw(21)), family=family, n_boot=0)
    dist = res.distribution()
    back = parse_back(res.toml_value())
    assert type(dist) is type(back) is cls
    if cls is Discrete:
        assert back.values == dist.values
        assert back.probabilities == pytest.approx(dist.probabilities, rel=1e-14, abs=0)
    else:
        assert back.ppf(Q) == pytest.approx(dist.ppf(Q), rel=1e-12)
        assert (back.mean, back.sd) == pytest.approx((dist.mean, dist.sd), rel=1e-12)


def test_written_values_are_the_friendly_forms():
    g = draw(22)
    ln = fit_data(g.lognormal(8.0, 0.5, 300), family="lognormal").best
    table = tomllib.loads(f"v = {ln.toml_value()}")["v"]["lognormal"]
    assert set(table) == {"p10", "p90"}
    # they are the fitted distribution's own 10% and 90% quantiles
    assert [table["p10"], table["p90"]] == pytest.approx(
        stats.lognorm.ppf([0.1, 0.9], ln.params["sigma"], scale=math.exp(ln.params["mu"])),
        rel=1e-13)
    gm = fit_data(g.gamma(2.0, 3.0, 300), family="gamma").best
    mean_sd = tomllib.loads(f"v = {gm.toml_value()}")["v"]["gamma"]
    k, theta = gm.params["shape"], gm.params["scale"]
    assert [mean_sd["mean"], mean_sd["sd"]] == pytest.approx([k * theta, math.sqrt(k) * theta])
    short = tomllib.loads(f"v = {gm.toml_value(digits=3)}")["v"]["gamma"]
    assert short == {k: float(f"{v:.3g}") for k, v in mean_sd.items()}


def test_fewer_digits_read_back_close():
    res = fit_data(draw(23).lognormal(8.0, 0.5, 300), n_boot=0)
    back = parse_back(res.toml_value(digits=4))
    assert back.ppf(Q) == pytest.approx(res.distribution().ppf(Q), rel=2e-3)


def test_count_table_covers_all_but_the_far_tails():
    x = draw(24).poisson(3.0, 400).astype(float)
    f = fit_data(x, family="poisson").best
    lam = f.params["mean"]
    d = f.distribution()
    assert isinstance(d, Discrete)
    lo, hi = d.support
    assert lo == 0 and stats.poisson.sf(hi, lam) < 1e-9 <= stats.poisson.sf(hi - 1, lam)
    assert d.probabilities == pytest.approx(
        stats.poisson.pmf(np.arange(hi + 1), lam) / stats.poisson.cdf(hi, lam), rel=1e-12)
    assert "discrete table over 0.." in f.note


def test_long_count_tables_become_the_same_moment_gamma():
    # a negative binomial with mean ~5000 would need thousands of table rows
    x = draw(25).negative_binomial(5.0, 0.001, 500).astype(float)
    x[0] = 0.0  # keep it a count sample
    f = fit_data(x, family="negative_binomial").best
    d = f.distribution()
    assert isinstance(d, Gamma)
    assert (d.mean, d.sd) == pytest.approx((f.model.mean(), f.model.std()), rel=1e-12)
    assert f"more than {MAX_TABLE}" in f.note
    back = parse_back(f.toml_value())
    assert back.ppf(Q) == pytest.approx(d.ppf(Q), rel=1e-12)


# -- goodness of fit -------------------------------------------------------------------
def test_ks_statistic_is_scipys():
    x = draw(31).gamma(3.0, 1.0, 700)
    for f in fit_data(x, n_boot=0).fits:
        assert f.test == "ks"
        assert f.statistic == pytest.approx(stats.kstest(x, f.model.cdf).statistic, rel=1e-12)
        assert math.isnan(f.p_value)


def test_wrong_family_has_the_smallest_bootstrap_p_value():
    x = draw(32).lognormal(0.0, 1.0, 500)
    res = fit_data(x, family=("normal", "lognormal"), n_boot=99, rng=1)
    assert res.get("normal").p_value == pytest.approx(1 / 100)
    assert res.get("lognormal").p_value > 0.05


@pytest.mark.parametrize("boot_rows", [None, 20])
def test_bootstrap_p_values_are_uniform_under_the_null(monkeypatch, boot_rows):
    """Refitting each replicate makes the p-value exact in distribution; the textbook KS
    p-value with fitted parameters would average about 0.8 and almost never fall below 0.1.
    With ``boot_rows`` the replicates are smaller than the data and ``sqrt(n) D`` is compared.
    """
    if boot_rows is not None:
        monkeypatch.setattr(gof, "BOOT_ROWS", boot_rows)
    g = draw(33)
    reps = 100
    p = np.array([fit_data(g.lognormal(0.0, 1.0, 60), family="lognormal", n_boot=99,
                           rng=g).best.p_value for _ in range(reps)])
    assert abs(p.mean() - 0.5) < 4 * math.sqrt(1 / 12 / reps)
    assert abs(np.mean(p <= 0.2) - 0.2) < 4 * math.sqrt(0.2 * 0.8 / reps)


def test_p_values_are_reproducible_and_per_family_streams():
    x = draw(34).gamma(2.0, 1.0, 300)
    a = fit_data(x, n_boot=49, rng=5)
    b = fit_data(x, family="gamma", n_boot=49, rng=5)
    assert a.get("gamma").p_value == b.best.p_value
    assert [f.p_value for f in a.fits] == [f.p_value for f in fit_data(x, n_boot=49, rng=5).fits]


def test_chi_square_by_hand():
    # mean 1.1 -> Poisson(1.1) expects 33.29, 36.62, 20.14 and 9.96 (3 or more) of 100 rows
    x = np.repeat([0.0, 1.0, 2.0, 3.0], [30, 40, 20, 10])
    f = fit_data(x, family="poisson").best
    e = 100 * np.array([*stats.poisson.pmf([0, 1, 2], 1.1), stats.poisson.sf(2, 1.1)])
    stat = float(np.sum((np.array([30, 40, 20, 10]) - e) ** 2 / e))
    assert (f.test, f.statistic) == ("chi2", pytest.approx(stat, rel=1e-12))
    assert f.statistic == pytest.approx(0.6385, abs=1e-4)
    assert f.p_value == pytest.approx(math.exp(-stat / 2), rel=1e-12)  # chi2(2) survival


def test_chi_square_pools_bins_expecting_fewer_than_five():
    o, e = gof._pool(np.array([5.0, 3, 3, 2, 7]), np.array([6.0, 2, 4, 1, 7]))
    assert o.tolist() == [5, 6, 9] and e.tolist() == [6, 6, 8]
    o, e = gof._pool(np.array([1.0, 2, 1]), np.array([6.0, 1, 2]))  # leftover joins the last
    assert o.tolist() == [4] and e.tolist() == [9]


def test_chi_square_rejects_poisson_for_overdispersed_counts():
    x = draw(35).negative_binomial(2.0, 0.3, 1000).astype(float)
    res = fit_data(x)
    assert res.get("poisson").p_value < 1e-10
    assert res.get("negative_binomial").p_value > 0.01


# -- input errors --------------------------------------------------------------------
GOOD = np.linspace(1.0, 30.0, 30)


@pytest.mark.parametrize(("data", "family", "message"), [
    (np.arange(1.0, MIN_ROWS), "auto",
     r"^log\.csv:x: 19 rows; a fit needs at least 20: collect more data"),
    (np.where(np.isin(np.arange(40), [4, 9, 11]), np.nan, np.arange(1.0, 41)), "auto",
     r"^log\.csv:x: 3 of 40 rows are empty or NaN \(first: row 5\); remove or fill them"),
    (np.where(np.arange(40) == 6, np.inf, np.arange(1.0, 41)), "auto",
     r"1 of 40 rows are infinite \(first: row 7, inf\); remove them"),
    (np.full(30, 4.0), "auto", r"all 30 rows equal 4; .* write the number itself"),
    (np.r_[1.0, 2.0, 0.0, -1.0, GOOD[4:]], "lognormal",
     r"lognormal needs values > 0, but 2 of 30 rows are <= 0 \(first: row 3, value 0\); "
     r"remove them, or fit normal"),
    (np.r_[-1.0, GOOD[1:]], "gamma", r"gamma needs values > 0, but 1 of 30 rows"),
    (GOOD, "beta", r"beta needs rates strictly between 0 and 1, but 30 of 30 rows are outside "
                   r"\(first: row 1, value 1\); percentages\? divide them by 100"),
    (np.r_[0.0, GOOD[1:] / 100], "beta", r"1 of 30 rows are outside \(first: row 1, value 0\); "
                                         r"a rate of exactly 0 or 1 has no beta density"),
    (np.r_[1.0, 2.5, GOOD[2:]], "poisson",
     r"poisson needs counts \(whole numbers >= 0\), but 1 of 30 rows are not \(first: row 2, "
     r"value 2\.5\); fit a continuous family"),
    (np.r_[-1.0, GOOD[1:]], "discrete", r"discrete needs counts"),
    (np.ones((30, 2)), "auto", r"expected one column of numbers, got shape \(30, 2\)"),
    (["a"] * 30, "auto", r"the values are not numbers"),
])
def test_bad_data_is_a_fit_error_with_the_row_count_and_the_fix(data, family, message):
    with pytest.raises(FitError, match=message) as info:
        fit_data(data, family=family, source="log.csv:x")
    assert isinstance(info.value, DistributionError) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_twenty_rows_are_enough():
    assert fit_data(np.arange(1.0, MIN_ROWS + 1), n_boot=0).n == MIN_ROWS


@pytest.mark.parametrize(("family", "message"), [
    ("weibull", r"'weibull' is not a valid family\. It must be one of \{'auto', 'lognormal', "),
    (("poisson", "gamma"), r"cannot rank count families \(poisson\) with continuous ones "
                           r"\(gamma\): a probability mass and a density are not comparable"),
    ((), r"give 'auto' or at least one family name"),
])
def test_bad_family_choices(family, message):
    with pytest.raises(ValueError, match=message):
        fit_data(GOOD, family=family)


def test_negative_bootstrap_count():
    with pytest.raises(ValueError, match=r"n_boot=-1 must be >= 0"):
        fit_data(GOOD, n_boot=-1)


def test_asking_for_a_family_not_fitted():
    res = fit_data(draw(41).beta(2, 5, 40), n_boot=0)
    with pytest.raises(ValueError, match=r"'gamma' was not fitted; fitted: beta"):
        res.get("gamma")
