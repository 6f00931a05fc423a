"""Monte Carlo estimates against closed forms, within 4 standard errors at a fixed seed.

With a lognormal volume and every other input fixed (no growth, no price decline, no build
months, fixed instances), the monthly net saving is linear in the volume, S(V) = a V - b:
a = 30 (Tin pin + Tout pout) / 1e6 per request/day, b = serving + storage. Payback within N
months means N S(V) >= P, i.e. V >= v* = (P / N + b) / a, so
P(payback <= N) = 1 - Phi((ln v* - mu) / sigma), and
E[NPV] = (a E[V] - b) sum_t d_t - P d_1.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from distributions import Lognormal
from sim import run, study_from_dict

A = 30 * (500 * 5.0 + 200 * 15.0) / 1e6
B = 2966.4 + 0.322
P = 15096.0
#: Discounting at 10%/year, end-of-month flows: month 1's factor Q = 1.1^(-1/12) and
#: sum_{t=1}^{36} Q^t in closed form.
Q = 1.1 ** (-1 / 12)
ANNUITY_36 = Q * (1 - Q**36) / (1 - Q)


@pytest.fixture
def volume_study(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = {"lognormal": {"p10": 4000.0, "p90": 30000.0}}
    lesson_doc["study"]["samples"] = 40_000
    lesson_doc["study"]["seed"] = 2024
    lesson_doc["study"]["payback_within"] = [6, 12, 24]
    return study_from_dict(lesson_doc)


@pytest.mark.parametrize("sampling", ["mc", "lhs", "sobol"])
def test_payback_probability_closed_form(volume_study, sampling):
    dist = Lognormal.from_quantiles(p10=4000.0, p90=30000.0)
    result = run(volume_study.replace(sampling=sampling))
    s = result.summary.strategies["self_hosted_7b"]
    for n in (6, 12, 24):
        v_star = (P / n + B) / A
        exact = 1 - stats.norm.cdf((math.log(v_star) - dist.mu) / dist.sigma)
        p = s.p_payback_within(n)
        se = math.sqrt(exact * (1 - exact) / s.n)
        assert abs(p - exact) < 4 * se, (n, p, exact, se)


def test_expected_npv_closed_form(volume_study):
    dist = Lognormal.from_quantiles(p10=4000.0, p90=30000.0)
    exact = (A * dist.mean - B) * ANNUITY_36 - P * Q
    s = run(volume_study).summary.strategies["self_hosted_7b"]
    assert abs(s.npv_mean - exact) < 4 * s.npv_mean_se
    # the NPV is linear in V, so its sd is a * sd(V) * sum(d); a sample sd has standard error
    # sd * sqrt((excess kurtosis + 2) / n) / 2 (delta method on the sample variance)
    sd = A * dist.sd * ANNUITY_36
    kurt = float(stats.lognorm(dist.sigma, scale=math.exp(dist.mu)).stats(moments="k"))
    assert abs(s.npv_sd - sd) < 4 * sd * math.sqrt((kurt + 2) / s.n) / 2


def test_npv_quantiles_are_the_volume_quantiles(volume_study):
    """NPV is increasing in V, so its P10/P50/P90 map from V's (to sampling error)."""
    dist = Lognormal.from_quantiles(p10=4000.0, p90=30000.0)
    s = run(volume_study).summary.strategies["self_hosted_7b"]
    for q in (0.1, 0.5, 0.9):
        v = dist.ppf([q])[0]
        npv = (A * v - B) * ANNUITY_36 - P * Q
        # se of a sample quantile: sqrt(q(1-q)/n) / f(v), mapped through the slope
        se = math.sqrt(q * (1 - q) / s.n) / stats.lognorm(dist.sigma, scale=math.exp(dist.mu)
                                                         ).pdf(v) * A * ANNUITY_36
        assert abs(s.npv_quantiles[q] - npv) < 4 * se
