"""The compiled quantile functions (distributions/compiled.py) against scipy's and the
numpy table's on a grid of probabilities: within 1e-12 relative (a few units in the last
place in practice)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from distributions import Beta, Gamma, Lognormal, Normal, Pert, Triangular, Uniform, UniformInt
from distributions.base import TINY
from distributions.compiled import (
    _STIRLERR,
    bdtr,
    hermite_ppf,
    logistic_into,
    ndtr,
    ndtri,
    normal_ppf,
    quantiles,
    uniform_into,
)
from distributions.fastppf import REL_TOL, Z_FAR, Z_MAX

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


def test_ndtr_matches_scipy():
    """The compiled normal CDF (Shapley's uniforms) against scipy's, relative to the value
    from the lower tail (scipy gives 0 for subnormal values, below -37.5) to the upper,
    the switch to erfc at |x| = 1 included: within 1e-14 for |x| <= 10; beyond, the
    rounding of x / sqrt(2) alone moves either by up to x**2 * 2**-53 (1.5e-13 at -37)."""
    x = np.concatenate([np.linspace(-37.0, 9.0, 20_001), [-1.0, 1.0, -np.nextafter(1, 0),
                                                           np.nextafter(1, 2), 0.0, -0.0]])
    near = np.abs(x) <= 10.0
    assert close(ndtr(x[near]), special.ndtr(x[near]), rel=1e-14)
    assert close(ndtr(x), special.ndtr(x), rel=2e-13)
    assert ndtr(np.array([-np.inf, np.inf])).tolist() == [0.0, 1.0]
    assert np.isnan(ndtr(np.array([np.nan]))[0]) and np.ndim(ndtr(0.3)) == 0
    assert ndtr(np.full((2, 3), 0.0)).tolist() == [[0.5] * 3] * 2


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
    """The compiled Hermite table gives the numpy table's values (the same formula) within
    Z_MAX; the far tails' tables to Z_FAR, within the build tolerance of the exact
    quantile; the exact quantile itself beyond."""
    beta = dist._beta if isinstance(dist, Pert) else dist
    fast = beta._fast
    assert not fast.exact_only
    assert fast._lower is not None and fast._upper is not None
    far = special.ndtr(np.linspace(-8.2, -5.01, 40))
    q = np.concatenate([GRID[(GRID > 0) & (GRID < 1)], far, 1 - far])
    z = ndtri(q)  # the compiled scores the table uses
    inner = np.abs(z) <= Z_MAX
    tabled = ~inner & (np.abs(z) <= Z_FAR)
    beyond = ~inner & ~tabled
    assert tabled.sum() >= 80 and beyond.sum() >= 20  # the grid reaches every region
    got = fast(q)
    # relative to 1 where the logit crosses 0 (the quantile below is relative everywhere)
    assert close(got[inner], fast._interp(z[inner]), floor=1.0)
    exact = fast._exact(q)
    np.testing.assert_array_equal(got[beyond], exact[beyond])
    scale = float(np.ptp(fast._exact(np.array([0.001, 0.999]))))
    assert np.max(np.abs(got[tabled] - exact[tabled])) <= REL_TOL * scale
    assert np.any(got[tabled] != exact[tabled])  # the tables, not the exact function
    expected = np.clip(beta.lo + (beta.hi - beta.lo) * special.expit(got), beta.lo, beta.hi)
    assert close(dist._ppf(q), expected)
    # and the table itself is the exact quantile to its build tolerance
    q = q[(q >= 1e-12) & (q <= 1 - 1e-12)]  # what a sampling plan gives (TINY)
    exact = beta.lo + (beta.hi - beta.lo) * special.betaincinv(beta.a, beta.b, q)
    assert np.max(np.abs(dist._ppf(q) - exact)) < 1e-9 * (beta.hi - beta.lo)


def test_plan_draws_never_need_the_exact_quantile():
    """The far tails' tables reach the scores of the smallest and largest uniforms a
    sampling plan draws (TINY, 1 - TINY): a plan's draws never call betaincinv."""
    fast = Pert(76, 120, 188)._beta._fast
    q = np.array([TINY, 2 * TINY, 1e-10, 1 - 1e-10, 1 - 2 * TINY, 1 - TINY])
    assert np.abs(ndtri(q)).max() <= Z_FAR
    calls = []
    exact, fast._exact = fast._exact, lambda p: calls.append(p) or exact(p)
    try:
        got = fast(q)
    finally:
        fast._exact = exact
    assert calls == [] and np.all(np.isfinite(got))
    assert np.all(np.diff(got) > 0)  # increasing through both tails


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


# -- the same numbers as before: the formulas the compiled loops replaced -----------------

def as241(p: float) -> float:
    """Wichura's AS 241 (PPND16) element by element, as the loop before this one computed
    it: a branch per region, C library log and sqrt (Python's math calls the same)."""
    from distributions import compiled as c

    q = p - 0.5
    if q != q:
        return math.nan
    if abs(q) <= c.SPLIT1:
        return c._central(q)
    r = p if q < 0.0 else 1.0 - p
    if r <= 0.0:
        return -math.inf if q < 0.0 else math.inf
    r = math.sqrt(-math.log(r))
    if r <= c.SPLIT2:
        r -= c.CONST2
        num, den = c._C, c._D
    else:
        r -= c.SPLIT2
        num, den = c._E, c._F
    z = ((((((((num[7] * r + num[6]) * r + num[5]) * r + num[4]) * r + num[3]) * r + num[2])
           * r + num[1]) * r + num[0])
         / (((((((den[7] * r + den[6]) * r + den[5]) * r + den[4]) * r + den[3]) * r + den[2])
             * r + den[1]) * r + den[0]))
    return -z if q < 0.0 else z


#: the grid, both sides of every split, the ends and beyond them, and a random draw
EDGES = np.concatenate([GRID, [0.0, 1.0, np.nan, -0.5, 1.5, 5e-324, 2.0**-53, 1 - 2.0**-53,
                               np.nextafter(0.075, 0), np.nextafter(0.925, 1), np.exp(-25.0),
                               np.nextafter(np.exp(-25.0), 0)],
                        np.random.default_rng(0).random(20_000)])


def test_ndtri_is_as241_to_the_last_bit():
    expected = np.array([as241(float(p)) for p in EDGES])
    np.testing.assert_array_equal(ndtri(EDGES), expected)
    # the affine map inside the loop: mu + sigma * z, the same operations as before
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(normal_ppf(EDGES, 3.0, 0.5), 3.0 + 0.5 * expected)


@pytest.mark.parametrize("n", [1, 2047, 2048, 2049, 10_000])
def test_strips_do_not_change_the_scores(n):
    """The loop works in strips of STRIP elements: a value is the same whatever the length
    of the array it sits in."""
    p = np.random.default_rng(n).random(n)
    p[::7] = p[::7] ** 9  # more of the tails
    np.testing.assert_array_equal(ndtri(p), np.array([ndtri(np.array([v]))[0] for v in p]))


Q = np.concatenate([[0.0, 1.0, 0.5], np.linspace(0.0, 1.0, 10_001),
                    np.random.default_rng(1).random(10_000)])


def test_uniform_is_the_numpy_formula_and_scipys():
    lo, hi = -3.0, 7.5
    ours = Uniform(lo, hi)._ppf(Q)
    np.testing.assert_array_equal(ours, np.clip(lo + Q * (hi - lo), lo, hi))
    # scipy's uniform ppf is loc + q * scale: the same formula
    np.testing.assert_array_equal(ours, stats.uniform(lo, hi - lo).ppf(Q))


@pytest.mark.parametrize(("lo", "mode", "hi"), [(0.0, 1.0, 4.0), (2.0, 2.0, 3.0),
                                                (-1.0, 5.0, 5.0), (76, 120, 188)])
def test_triangular_is_the_numpy_formula_and_scipys(lo, mode, hi):
    fc = (mode - lo) / (hi - lo)
    with np.errstate(invalid="ignore"):
        left = lo + np.sqrt(Q * (hi - lo)) * np.sqrt(mode - lo)
        right = hi - np.sqrt((1.0 - Q) * (hi - lo)) * np.sqrt(hi - mode)
    ours = Triangular(lo, mode, hi)._ppf(Q)
    np.testing.assert_array_equal(ours, np.where(fc > Q, left, right))
    # scipy's is another arrangement of the same square roots: a few units in the last
    # place of the range
    ref = stats.triang(fc, loc=lo, scale=hi - lo).ppf(Q)
    assert np.max(np.abs(ours - ref)) <= 1e-13 * (hi - lo)


def test_uniform_int_is_the_numpy_formula_and_scipys():
    lo, hi = 6, 12
    ours = UniformInt(lo, hi)._ppf(Q)
    np.testing.assert_array_equal(ours, np.minimum(lo + np.floor(Q * (hi - lo + 1)),
                                                   float(hi)))
    # scipy's randint ppf is ceil(q k) - 1 + lo: the same away from the k - 1 steps i/k
    steps = np.isclose((Q * (hi - lo + 1)) % 1.0, 0.0) | (Q == 0.0)
    np.testing.assert_array_equal(ours[~steps], stats.randint(lo, hi + 1).ppf(Q[~steps]))


def test_gamma_and_beta_are_the_numpy_formulas():
    g = Gamma(2.5, 3.0)
    inner = Q[(Q > 0) & (Q < 1)]
    np.testing.assert_array_equal(g._ppf(inner), 3.0 * np.exp(g._fast(inner)))
    b = Beta(2.0, 5.0, 10.0, 30.0)
    x = b._fast(inner)
    with np.errstate(over="ignore"):
        expected = np.clip(10.0 + 20.0 * (1.0 / (1.0 + np.exp(-x))), 10.0, 30.0)
    np.testing.assert_array_equal(b._ppf(inner), expected)
    # and both are their family's quantile within the table's build tolerance
    assert np.max(np.abs(g._ppf(inner[(inner > 1e-9) & (inner < 1 - 1e-9)])
                         - stats.gamma(2.5, scale=3.0).ppf(
                             inner[(inner > 1e-9) & (inner < 1 - 1e-9)]))) < 1e-8


def test_quantiles_keeps_shapes_and_scalars():
    assert np.shape(quantiles(uniform_into, 0.25, 0.0, 4.0, 4.0)) == ()
    out = quantiles(uniform_into, np.full((2, 3), 0.5), 0.0, 4.0, 4.0)
    assert out.shape == (2, 3) and (out == 2.0).all()
    assert quantiles(uniform_into, np.empty(0), 0.0, 1.0, 1.0).shape == (0,)


# -- the binomial CDF (the pilot's weights, sim/decision/pilot.py) ---------------------------

#: Probabilities from both ends to the middle, as floats (the exact sums take them as given).
P_GRID = np.concatenate([[0.0, 1e-300, 1e-12, 1e-6, 0.01], np.linspace(0.05, 0.95, 19),
                         [0.99, 1 - 1e-6, 1 - 1e-12, 1.0]])


def _exact_cdfs(n: int, p: float) -> list[float]:
    """P(X <= k) for k = 0..n, X ~ Binomial(n, p), summed exactly in integers (p = a / d
    exactly) and rounded once (Python's integer division is correctly rounded)."""
    a, d = p.as_integer_ratio()
    total, out, scale = 0, [], d**n
    for i in range(n + 1):
        total += math.comb(n, i) * a**i * (d - a) ** (n - i)
        out.append(total / scale)
    return out


@pytest.mark.parametrize("n", [1, 2, 5, 13, 40, 90])
def test_bdtr_is_the_exact_sum_to_its_last_digits(n):
    # every count, probabilities from 0 to 1: relative 1e-12 (absolute where the CDF is
    # below 1e-250: its logarithm's rounding, a few units of 1e-16 of log(CDF))
    exact = np.array([_exact_cdfs(n, float(p)) for p in P_GRID])  # (p, k)
    for k in range(n + 1):
        assert close(bdtr(k, n, P_GRID), exact[:, k], rel=1e-12, floor=1e-250), (k, n)


@pytest.mark.parametrize("n", [100, 500, 2_000, 20_000])
def test_bdtr_matches_scipy_for_large_counts(n):
    # scipy's own error grows with n (its incomplete beta's lgamma differences: 5e-11 at
    # n = 20,000); the two agree within 1e-10 relative, the tail below 1e-250 aside
    p = np.concatenate([np.linspace(0.0, 1.0, 401), np.geomspace(1e-9, 0.5, 60),
                        1 - np.geomspace(1e-9, 0.5, 60)])
    for k in np.unique(np.linspace(0, n, 41).astype(int)):
        assert close(bdtr(int(k), n, p), special.bdtr(int(k), n, p), rel=1e-10,
                     floor=1e-250), (k, n)


def test_bdtr_edges_are_scipys():
    # NaN outside the domain, 1 at k = n, (1 - p) ** n at k = 0, 1 and 0 at p = 0 and 1:
    # bit for bit
    p = np.array([0.0, 0.3, 1.0, np.nan, -0.1, 1.5])
    for k, n in [(-1, 10), (0, 10), (3, 10), (10, 10), (11, 10), (0, 0), (0, 1)]:
        got, want = bdtr(k, n, p), special.bdtr(k, n, p)
        assert np.array_equal(np.isnan(got), np.isnan(want)), (k, n)
        edge = ~np.isnan(want) & ((k in (0, n)) | (p == 0.0) | (p == 1.0))
        assert (got[edge] == want[edge]).all(), (k, n)
        assert close(got, want), (k, n)
    assert bdtr(0, 500, 0.01) == special.bdtr(0, 500, 0.01)  # (1 - p) ** n: C's pow
    assert isinstance(bdtr(3, 10, 0.3), float)
    assert bdtr(3, 10, np.full((2, 3), 0.3)).shape == (2, 3)


def test_bdtr_is_a_cdf_in_the_count_and_falls_with_the_probability():
    # where the exact sums are out of reach (n = 5,000): nondecreasing in k from (1 - p)**n
    # to 1, nonincreasing in p, through both branches of the continued fraction
    n = 5_000
    p = np.linspace(0.0, 1.0, 201)
    rows = np.array([bdtr(k, n, p) for k in range(0, n + 1, 25)])
    assert (np.diff(rows, axis=0) >= -1e-15).all()
    assert (np.diff(rows, axis=1) <= 1e-15).all()
    assert (rows >= 0).all() and (rows <= 1).all() and (rows[-1] == 1).all()


def test_stirling_errors_are_the_formula():
    # the table (Loader's, as R's) against log(n!) - log(sqrt(2 pi n) (n / e)**n)
    n = np.arange(1, 16)
    formula = [math.lgamma(k + 1.0) - (k + 0.5) * math.log(k) + k - 0.5 * math.log(2 * math.pi)
               for k in n]
    assert np.allclose(_STIRLERR[1:], formula, rtol=0, atol=1e-14)
