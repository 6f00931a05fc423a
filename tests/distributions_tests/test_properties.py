"""Invariants over random parameters (hypothesis): ppf is monotone and inverts cdf."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from distributions import (
    Beta,
    Discrete,
    Distribution,
    Empirical,
    Gamma,
    Lognormal,
    Normal,
    Pert,
    Quantiles,
    Triangular,
    Truncated,
    Uniform,
    UniformInt,
)

Q = np.concatenate([[1e-9, 1e-6], np.linspace(0.001, 0.999, 499), [1 - 1e-6, 1 - 2**-53]])
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

pos = st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False)
real = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


def check_monotone_and_inverse(d: Distribution) -> None:
    x = d.ppf(Q)
    assert np.all(np.isfinite(x))
    assert np.all(np.diff(x) >= 0)
    lo, hi = d.support
    assert np.all((x >= lo) & (x <= hi))
    if not d.discrete:
        # where the quantile function is not flat in floating point, cdf undoes it
        mid = (Q > 1e-4) & (Q < 1 - 1e-4)
        f = d.cdf(x[mid])
        np.testing.assert_allclose(f, Q[mid], atol=1e-7)


@st.composite
def three_increasing(draw, lo=-1e4, hi=1e4, min_gap=1e-3):
    a = draw(st.floats(lo, hi, allow_nan=False))
    b = a + draw(st.floats(min_gap, hi - lo, allow_nan=False))
    c = b + draw(st.floats(min_gap, hi - lo, allow_nan=False))
    return a, b, c


@SETTINGS
@given(three_increasing())
def test_quantiles_pass_through_and_are_monotone(p):
    d = Quantiles(*p, log=False)
    np.testing.assert_allclose(d.ppf([0.1, 0.5, 0.9]), p, rtol=1e-12, atol=1e-9)
    check_monotone_and_inverse(d)


@SETTINGS
@given(three_increasing(lo=1e-3, hi=1e4, min_gap=1e-3))
def test_log_quantiles_pass_through_and_are_monotone(p):
    d = Quantiles(*p)
    assert d.log
    np.testing.assert_allclose(d.ppf([0.1, 0.5, 0.9]), p, rtol=1e-12)
    check_monotone_and_inverse(d)


@SETTINGS
@given(real, pos)
def test_normal(mu, sd):
    check_monotone_and_inverse(Normal(mu, sd))


@SETTINGS
@given(st.floats(-5, 5), st.floats(0.05, 3), st.floats(-3, 3), st.floats(0.1, 6))
def test_truncated_normal(mu, sd, a, width):
    lo, hi = mu + a * sd, mu + (a + width) * sd
    check_monotone_and_inverse(Normal(mu, sd, lo, hi))


@SETTINGS
@given(st.floats(-5, 5), st.floats(0.05, 2.5))
def test_lognormal(mu, sigma):
    check_monotone_and_inverse(Lognormal(mu, sigma))


@SETTINGS
@given(st.floats(0.3, 50), st.floats(0.3, 50))
def test_beta(a, b):
    check_monotone_and_inverse(Beta(a, b))


@SETTINGS
@given(st.floats(0.05, 100), st.floats(1e-3, 1e3))
def test_gamma(shape, scale):
    check_monotone_and_inverse(Gamma(shape, scale))


@SETTINGS
@given(three_increasing(), st.floats(0.5, 8))
def test_pert_and_triangular(p, lam):
    check_monotone_and_inverse(Pert(*p, lam=lam))
    check_monotone_and_inverse(Triangular(*p))


@SETTINGS
@given(real, pos)
def test_uniform(lo, width):
    check_monotone_and_inverse(Uniform(lo, lo + width))


@SETTINGS
@given(st.integers(-1000, 1000), st.integers(1, 1000))
def test_uniform_int(lo, span):
    d = UniformInt(lo, lo + span)
    check_monotone_and_inverse(d)
    x = d.ppf(Q)
    assert np.all(x == np.round(x))


@SETTINGS
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=12),
       st.data())
def test_discrete(values, data):
    weights = data.draw(st.lists(st.floats(0, 10), min_size=len(values), max_size=len(values)))
    assume(sum(weights) > 1e-6)
    d = Discrete(tuple(values), tuple(weights))
    check_monotone_and_inverse(d)
    assert abs(sum(d.probabilities) - 1) < 1e-12
    # ppf(q) is the smallest value whose cdf reaches q
    x = d.ppf(Q)
    assert np.all(d.cdf(x) >= Q - 1e-12)


@SETTINGS
@given(st.lists(st.integers(-10**6, 10**6), min_size=2, max_size=60, unique=True),
       st.booleans())
def test_empirical(obs, resample):
    # observations on a 0.01 grid: distinct values, as data files hold
    check_monotone_and_inverse(Empirical(tuple(o / 100 for o in obs), resample=resample))


@SETTINGS
@given(st.floats(0.5, 3), st.floats(0.01, 0.9), st.floats(0.1, 20))
def test_truncated_lognormal(sigma, lo, width):
    check_monotone_and_inverse(Truncated(Lognormal(0.0, sigma), lo, lo + width))
