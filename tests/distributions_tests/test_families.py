"""The contract every family keeps, checked per family against its analytic figures.

Each ``Test<Family>`` subclass of :class:`Contract` names one distribution; the shared tests
check its support, that ``ppf`` is monotone and inverts ``cdf``, reproducibility, and that
the sample mean, variance and quantiles at a fixed seed agree with the analytic ones
within 4 standard errors. The standard errors are the usual large-sample ones:
``sd/sqrt(n)`` for the mean, ``sqrt((m4 - var^2)/n)`` for the variance (m4 the fourth
central moment, estimated from the sample) and, for a quantile, the binomial
``sqrt(q(1-q)/n)`` of the fraction of draws below it (which needs no density).
"""

from __future__ import annotations

import dataclasses
import math
import pickle

import numpy as np
import pytest
from scipy import stats

from distributions import (
    Bernoulli,
    Beta,
    Discrete,
    Distribution,
    Empirical,
    Fixed,
    Gamma,
    Lognormal,
    Normal,
    Pert,
    Quantiles,
    Rounded,
    Triangular,
    Truncated,
    Uniform,
    UniformInt,
)

N = 200_000
SEED = 20240611
PROBS = np.array([0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99])


class Contract:
    """Tests every distribution must pass; subclasses set ``dist``."""

    dist: Distribution
    #: the analytic reference (scipy frozen distribution) when there is one
    reference: stats.rv_continuous | stats.rv_discrete | None = None

    @pytest.fixture(scope="class")
    @classmethod
    def draws(cls) -> np.ndarray:
        return cls.dist.sample(N, rng=np.random.default_rng(SEED))

    # -- shape of the quantile function -------------------------------------------
    def test_draws_stay_in_support_and_draw_range(self, draws):
        lo, hi = self.dist.support
        dlo, dhi = self.dist.draw_range
        assert lo <= dlo <= dhi <= hi
        assert np.all((draws >= dlo) & (draws <= dhi))
        assert np.all(np.isfinite(draws))

    def test_ppf_is_monotone(self):
        q = np.linspace(0.0, 1.0, 20_001)[1:-1]
        x = self.dist.ppf(q)
        assert np.all(np.diff(x) >= 0)
        if not self.dist.discrete:
            inner = x[(q > 1e-4) & (q < 1 - 1e-4)]
            assert np.all(np.diff(inner) > 0)

    def test_cdf_inverts_ppf(self):
        q = np.linspace(0.0005, 0.9995, 1999)
        x = self.dist.ppf(q)
        f = self.dist.cdf(x)
        if self.dist.discrete:
            # ppf(q) is the smallest x with F(x) >= q
            assert np.all(f >= q - 1e-12)
            below = self.dist.cdf(np.nextafter(x, -np.inf) - 1e-9 * np.maximum(1, np.abs(x)))
            assert np.all(below < q + 1e-12)
        else:
            np.testing.assert_allclose(f, q, atol=1e-9)

    def test_scalar_in_scalar_out(self):
        x = self.dist.ppf(0.3)
        assert np.shape(x) == () and np.shape(self.dist.cdf(float(x))) == ()
        assert float(x) == float(self.dist.ppf([0.3])[0])

    def test_ppf_into_writes_the_ppf(self):
        """What a chunk's draw writes into its block of values is the quantile function's
        own result, bit for bit (compiled families write there directly)."""
        q = np.concatenate([[0.0, 1.0], np.random.default_rng(3).random(5000)])
        out = np.full(q.size, np.nan)
        self.dist._ppf_into(q, out)
        np.testing.assert_array_equal(out, self.dist._ppf(q))

    def test_median_and_quantile_alias(self):
        assert self.dist.median == pytest.approx(float(self.dist.ppf(0.5)), abs=1e-12)
        np.testing.assert_array_equal(self.dist.quantile(PROBS), self.dist.ppf(PROBS))

    def test_matches_reference(self):
        if self.reference is None:
            pytest.skip("no scipy reference for this family")
        np.testing.assert_allclose(self.dist.ppf(PROBS), self.reference.ppf(PROBS),
                                   rtol=1e-8, atol=1e-10)
        assert self.dist.mean == pytest.approx(self.reference.mean(), rel=1e-9, abs=1e-12)
        assert self.dist.var == pytest.approx(self.reference.var(), rel=1e-8, abs=1e-12)

    # -- randomness ---------------------------------------------------------------
    def test_same_seed_same_draws(self):
        a = self.dist.sample(1000, rng=np.random.default_rng(7))
        b = self.dist.sample(1000, rng=7)
        np.testing.assert_array_equal(a, b)

    def test_reused_generator_gives_new_draws(self):
        rng = np.random.default_rng(7)
        a, b = self.dist.sample(1000, rng=rng), self.dist.sample(1000, rng=rng)
        assert not np.array_equal(a, b)

    # -- moments and quantiles against the analytic ones --------------------------
    def test_sample_mean_within_4_se(self, draws):
        se = draws.std() / math.sqrt(N)
        assert abs(draws.mean() - self.dist.mean) <= 4 * se + 1e-12

    def test_sample_variance_within_4_se(self, draws):
        c = draws - draws.mean()
        m2, m4 = np.mean(c**2), np.mean(c**4)
        se = math.sqrt(max(m4 - m2 * m2, 0.0) / N)
        assert abs(draws.var(ddof=1) - self.dist.var) <= 4 * se + 1e-12

    def test_sample_quantiles_within_4_se(self, draws):
        x = self.dist.ppf(PROBS)
        se = np.sqrt(PROBS * (1 - PROBS) / N)
        below = np.mean(draws[:, None] < x[None, :], axis=0)
        at_or_below = np.mean(draws[:, None] <= x[None, :], axis=0)
        assert np.all(below <= PROBS + 4 * se)
        assert np.all(at_or_below >= PROBS - 4 * se)

    # -- the value itself ---------------------------------------------------------
    def test_pickles(self):
        # worker processes receive distributions by pickling
        again = pickle.loads(pickle.dumps(self.dist))
        np.testing.assert_array_equal(again.ppf(PROBS), self.dist.ppf(PROBS))

    def test_is_immutable(self):
        field = dataclasses.fields(self.dist)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(self.dist, field, 0)

    def test_describe_is_one_line_with_the_mean(self):
        text = self.dist.describe()
        assert "\n" not in text
        assert text.startswith(self.dist.label())
        assert str(self.dist) == text

    def test_ppf_rejects_probabilities_outside_0_1(self):
        with pytest.raises(ValueError, match="probabilities must lie in"):
            self.dist.ppf([0.5, 1.5])
        with pytest.raises(ValueError, match="probabilities must lie in"):
            self.dist.ppf([np.nan])


class TestUniform(Contract):
    dist = Uniform(2.0, 5.0)
    reference = stats.uniform(2.0, 3.0)


class TestUniformInt(Contract):
    dist = UniformInt(5, 15)
    reference = stats.randint(5, 16)


class TestTriangular(Contract):
    dist = Triangular(1.0, 2.0, 6.0)
    reference = stats.triang(0.2, loc=1.0, scale=5.0)


class TestPert(Contract):
    dist = Pert(76, 120, 188)
    # beta-PERT: a = 1 + 4 (mode - min)/(max - min), b = 1 + 4 (max - mode)/(max - min)
    reference = stats.beta(1 + 4 * 44 / 112, 1 + 4 * 68 / 112, loc=76, scale=112)


class TestPertLambda(Contract):
    dist = Pert(0.0, 1.0, 10.0, lam=2.0)
    reference = stats.beta(1 + 2 * 0.1, 1 + 2 * 0.9, loc=0.0, scale=10.0)


class TestNormal(Contract):
    dist = Normal(0.02, 0.02)
    reference = stats.norm(0.02, 0.02)


class TestNormalTruncated(Contract):
    dist = Normal(0.5, 0.3, 0.0, 1.0)
    reference = stats.truncnorm(-0.5 / 0.3, 0.5 / 0.3, loc=0.5, scale=0.3)


class TestNormalUpperTail(Contract):
    """Both bounds far in the upper tail (survival-function path)."""

    dist = Normal(0.0, 1.0, 5.0, 6.0)
    reference = stats.truncnorm(5.0, 6.0)


class TestLognormal(Contract):
    dist = Lognormal.from_interval(3000, 8000)
    reference = stats.lognorm(dist.sigma, scale=math.exp(dist.mu))


class TestBeta(Contract):
    dist = Beta.from_mean_sd(0.05, 0.01)
    reference = stats.beta(dist.a, dist.b)


class TestBetaScaled(Contract):
    dist = Beta(0.7, 0.9, 10.0, 20.0)
    reference = stats.beta(0.7, 0.9, loc=10.0, scale=10.0)


class TestGamma(Contract):
    dist = Gamma.from_mean_sd(mean=10.0, sd=5.0)
    reference = stats.gamma(4.0, scale=2.5)


class TestGammaSmallShape(Contract):
    dist = Gamma(0.4, 3.0)
    reference = stats.gamma(0.4, scale=3.0)


class TestBernoulli(Contract):
    dist = Bernoulli(0.3)
    reference = stats.bernoulli(0.3)


class TestDiscrete(Contract):
    dist = Discrete((5.0, 1.0, 2.0, 2.0, 9.0), (3.0, 2.0, 4.0, 1.0, 0.0))
    reference = stats.rv_discrete(values=([1, 2, 5], [0.2, 0.5, 0.3]))


class TestEmpirical(Contract):
    observations = tuple(np.random.default_rng(1).gamma(2.0, 3.0, size=300).tolist())
    dist = Empirical(observations)


class TestEmpiricalResample(Contract):
    observations = tuple(np.random.default_rng(2).poisson(6.0, size=200).astype(float).tolist())
    dist = Empirical(observations, resample=True)


class TestQuantilesLog(Contract):
    dist = Quantiles(1.0, 2.0, 10.0)


class TestQuantilesLinear(Contract):
    dist = Quantiles(-0.01, 0.02, 0.03)


class TestTruncatedLognormal(Contract):
    dist = Truncated(Lognormal.from_quantiles(p10=1.0, p90=9.0), 0.0, 5.0)


class TestTruncatedGamma(Contract):
    dist = Truncated(Gamma(2.0, 1.0), 1.0, math.inf)


class TestRounded(Contract):
    dist = Rounded(Pert(5.0, 8.0, 15.0))


def test_fixed_is_a_point_mass():
    d = Fixed(150.0)
    assert d.is_fixed and d.discrete and d.var == 0.0 and d.support == (150.0, 150.0)
    np.testing.assert_array_equal(d.sample(5, rng=0), np.full(5, 150.0))
    assert d.describe() == "fixed 150"
    np.testing.assert_array_equal(d.cdf([149.0, 150.0]), [0.0, 1.0])


def test_bernoulli_at_0_or_1_is_fixed():
    assert Bernoulli(1.0).is_fixed and Bernoulli(1.0).support == (1.0, 1.0)
    assert Bernoulli(0.0).sample(10, rng=0).sum() == 0


def test_discrete_normalises_merges_and_drops_zero_weights():
    d = Discrete((3, 1, 3, 7), (1, 1, 1, 0))
    assert d.values == (1.0, 3.0)
    assert d.probabilities == pytest.approx((1 / 3, 2 / 3))
    assert d.integer and not Discrete((0.5, 1.0)).integer
    assert Discrete((4.0,)).is_fixed
    assert d == Discrete((1, 3), (1, 2))  # equal as values


def test_whole_number_flags():
    assert UniformInt(1, 3).integer and Bernoulli(0.5).integer and Rounded(Uniform(0, 3)).integer
    assert not Uniform(0, 1).integer and not Quantiles(1, 2, 3).discrete
    assert Empirical((1, 2, 3), resample=True).integer
    assert not Empirical((1, 2, 3)).integer


def test_rounded_of_an_unbounded_family_has_moments():
    d = Rounded(Lognormal.from_interval(5, 15))
    x = d.sample(N, rng=SEED)
    assert abs(x.mean() - d.mean) < 4 * x.std() / math.sqrt(N)
    assert np.all(x == np.round(x))


def test_quantiles_reproduce_the_stated_values_exactly():
    for p10, p50, p90 in [(1, 2, 10), (1, 1.01, 100), (1, 99, 100), (-5, -4.99, 100),
                          (-3, 0, 1), (1e-6, 3e-6, 1e-3), (2e6, 3e6, 9e6)]:
        d = Quantiles(p10, p50, p90)
        np.testing.assert_allclose(d.ppf([0.1, 0.5, 0.9]), [p10, p50, p90], rtol=1e-13)
        np.testing.assert_allclose(d.cdf([p10, p50, p90]), [0.1, 0.5, 0.9], atol=1e-12)


def test_quantiles_are_the_normal_or_lognormal_when_symmetric():
    q = np.linspace(0.001, 0.999, 999)
    np.testing.assert_allclose(Quantiles(-1.0, 2.0, 5.0).ppf(q),
                               Normal.from_quantiles(p10=-1.0, p90=5.0).ppf(q), rtol=1e-12)
    np.testing.assert_allclose(Quantiles(1.0, 3.0, 9.0).ppf(q),
                               Lognormal.from_quantiles(p10=1.0, p90=9.0).ppf(q), rtol=1e-12)
    assert Quantiles(1.0, 3.0, 9.0).mean == pytest.approx(
        Lognormal.from_quantiles(p10=1.0, p90=9.0).mean, rel=1e-9)


def test_quantiles_tails_are_normal_beyond_p10_and_p90():
    # below p10 the normal score grows linearly with slope (p50 - p10) / z90
    d = Quantiles(-2.0, 0.0, 10.0)
    z90 = stats.norm.ppf(0.9)
    np.testing.assert_allclose(d.ppf([0.01]), -2.0 - 2.0 / z90 * (stats.norm.ppf(0.99) - z90),
                               rtol=1e-12)
    np.testing.assert_allclose(d.ppf([0.99]), 10.0 + 10.0 / z90 * (stats.norm.ppf(0.99) - z90),
                               rtol=1e-12)
    assert Quantiles(1.0, 2.0, 10.0).support == (0.0, math.inf)
    assert Quantiles(1.0, 2.0, 10.0, log=False).support == (-math.inf, math.inf)


def test_truncated_renormalises_the_base():
    base = Lognormal.from_quantiles(p10=1.0, p90=9.0)
    d = Truncated(base, 2.0, 5.0)
    f2, f5 = base.cdf([2.0, 5.0])
    np.testing.assert_allclose(d.cdf([2.0, 3.0, 5.0]),
                               [0.0, (base.cdf(3.0) - f2) / (f5 - f2), 1.0], atol=1e-14)
    assert d.support == (2.0, 5.0)
    assert d.label() == "lognormal(90% in 0.7324 to 12.29) truncated to [2, 5]"


def test_empirical_interpolates_like_numpy_linear_quantiles():
    obs = np.random.default_rng(3).normal(size=57)
    d = Empirical(tuple(obs.tolist()))
    q = np.linspace(0, 1, 101)
    np.testing.assert_allclose(d.ppf(q), np.quantile(obs, q), rtol=1e-13, atol=1e-13)
    assert d.support == (obs.min(), obs.max())
    r = Empirical(tuple(obs.tolist()), resample=True)
    assert r.mean == pytest.approx(obs.mean(), rel=1e-12)
    assert set(r.sample(1000, rng=0)) <= set(obs)
