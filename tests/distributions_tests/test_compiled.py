"""The compiled quantile functions (distributions/compiled.py) against scipy's and the
numpy table's on a grid of probabilities: within 1e-12 relative (a few units in the last
place in practice)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from distributions import Beta, Lognormal, Normal, Pert
from distributions.compiled import hermite_ppf, logistic_into, ndtri, normal_ppf
from distributions.fastppf import Z_MAX

#: Probabilities from the far tails to the centre (both sides of AS 241's splits).
GRID = np.concatenate([
    10.0 ** -np.arange(300, 0, -7.0), np.linspace(1e-6, 1 - 1e-6, 20_001),
    1 - 10.0 ** -np.arange(15, 0, -1.0), [0.075, 0.925, np.exp(-25.0), 1 - np.exp(-25.0)]])
REL = 1e-12


def close(a, b, rel=REL, floor=0.0):
    """Equal within ``rel`` relative to ``max(|b|, floor)`` (NaN where the other is NaN,
    infinities equal)."""
    a, b = np.asarray(a), np.asarray(b)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= rel * np.maximum(np.abs(b), floor)
    return bool(np.all(same | near))


def test_ndtri_matches_scipy_on_the_grid():
    assert close(ndtri(GRID), special.ndtri(GRID))


def test_ndtri_edges_and_shapes():
    assert ndtri(np.array([0.0, 1.0, np.nan, 0.5])).tolist()[:2] == [-np.inf, np.inf]
    assert np.isnan(ndtri(np.array([np.nan]))[0])
    assert ndtri(0.5) == 0.0 and np.ndim(ndtri(0.3)) == 0
    assert ndtri(np.full((2, 3), 0.5)).shape == (2, 3)


@pytest.mark.parametrize(("mu", "sigma"), [(0.0, 1.0), (3.0, 0.4), (-2.0, 5.0)])
def test_normal_and_lognormal_quantiles_match_scipy(mu, sigma):
    q = GRID[(GRID > 1e-15) & (GRID < 1 - 1e-15)]
    assert close(normal_ppf(q, mu, sigma), stats.norm(mu, sigma).ppf(q))
    assert close(normal_ppf(q, mu, sigma, log=True),
                 stats.lognorm(sigma, scale=np.exp(mu)).ppf(q))
    assert close(Normal(mu, sigma)._ppf(q), mu + sigma * special.ndtri(q))
    assert close(Lognormal(mu, sigma)._ppf(q), np.exp(mu + sigma * special.ndtri(q)))


@pytest.mark.parametrize("dist", [Beta(2.0, 5.0), Beta(0.7, 0.9, 10.0, 30.0), Pert(76, 120, 188),
                                  Pert(0.2, 0.35, 0.5)])
def test_tabulated_beta_matches_the_numpy_table(dist):
    """The compiled Hermite table gives the numpy table's values (the same formula), and
    the exact quantile where the table is not used."""
    beta = dist._beta if isinstance(dist, Pert) else dist
    fast = beta._fast
    assert not fast.exact_only
    q = GRID[(GRID > 0) & (GRID < 1)]
    z = special.ndtri(q)
    table = fast._interp(np.clip(z, -Z_MAX, Z_MAX))
    tail = ~(np.abs(z) <= Z_MAX)
    table[tail] = fast._exact(q[tail])
    # relative to 1 where the logit crosses 0 (the quantile below is relative everywhere)
    assert close(fast(q), table, floor=1.0)
    expected = np.clip(beta.lo + (beta.hi - beta.lo) * special.expit(table), beta.lo, beta.hi)
    assert close(dist._ppf(q), expected)
    # and the table itself is the exact quantile to its build tolerance
    q = q[(q >= 1e-12) & (q <= 1 - 1e-12)]  # what a sampling plan gives (TINY)
    exact = beta.lo + (beta.hi - beta.lo) * special.betaincinv(beta.a, beta.b, q)
    assert np.max(np.abs(dist._ppf(q) - exact)) < 1e-9 * (beta.hi - beta.lo)


def test_hermite_reports_the_far_tails():
    x = np.linspace(-5.0, 5.0, 11)
    _, far = hermite_ppf(np.array([0.5, 1e-9]), -5.0, 1.0, x, np.ones(11), 5.0)
    _, near = hermite_ppf(np.array([0.5, 0.01]), -5.0, 1.0, x, np.ones(11), 5.0)
    assert far and not near


def test_logistic_into_clips_to_the_range():
    x = np.array([-800.0, 0.0, 800.0, 1.0])
    logistic_into(x, 1.0, 3.0)
    assert x[:3].tolist() == [1.0, 2.0, 3.0]
    assert close(x[3], 1.0 + 2.0 * special.expit(1.0))
