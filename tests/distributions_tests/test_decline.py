"""The decline family: ``1 - exp(b)`` of a t-distributed log-slope ``b`` given ``b <= 0``.

References come from scipy's t distribution directly: the quantile ``1 - exp(b_(1-q))``
with ``b_u = loc + scale * t.ppf(u * P(b <= 0), df)``, and draws by rejection (slopes from
``scipy.stats.t`` kept when <= 0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from distributions_tests.test_families import PROBS, Contract
from scipy import stats

from distributions import DistributionError
from distributions.decline import Decline


def _reference_ppf(d: Decline, q: np.ndarray) -> np.ndarray:
    df = d.df if math.isfinite(d.df) else np.inf
    p0 = stats.t.cdf(-d.loc / d.scale, df)
    b = stats.t.ppf((1 - q) * p0, df, loc=d.loc, scale=d.scale)
    return -np.expm1(b)


class TestDeclineT5(Contract):
    # the openai:frontier input fit: 7 points, a 71% annual decline
    dist = Decline(-1.2508, 0.1321, 5.0)


class TestDeclineNormal(Contract):
    dist = Decline(-1.0, 0.1, math.inf)


class TestDeclineWideT3(Contract):
    # a wide fit (google:small input, 5 points): much of the mass near 1 and some at 0
    dist = Decline(-1.085, 0.593, 3.0)


class TestDeclineNearZero(Contract):
    # a slow decline whose uncertainty reaches a rise: the conditioning on b <= 0 matters
    dist = Decline(-0.1, 0.2, 8.0)


@pytest.mark.parametrize("dist", [TestDeclineT5.dist, TestDeclineNormal.dist,
                                  TestDeclineWideT3.dist, TestDeclineNearZero.dist])
def test_quantiles_are_the_slope_quantiles_pushed_through(dist):
    np.testing.assert_allclose(dist.ppf(PROBS), _reference_ppf(dist, PROBS), rtol=1e-9,
                               atol=1e-10)


def test_draws_match_rejection_sampling_from_scipy():
    d = TestDeclineNearZero.dist
    n = 100_000
    slopes = stats.t.rvs(d.df, loc=d.loc, scale=d.scale, size=3 * n, random_state=11)
    ref = -np.expm1(slopes[slopes <= 0][:n])
    x = d.ppf(PROBS)
    se = np.sqrt(PROBS * (1 - PROBS) / n)
    assert np.all(np.abs(np.mean(ref[:, None] < x[None, :], axis=0) - PROBS) < 4 * se)
    assert abs(ref.mean() - d.mean) < 4 * ref.std() / math.sqrt(n)


def test_ends_of_the_support():
    d = TestDeclineT5.dist
    assert float(d.ppf(0.0)) == pytest.approx(0.0, abs=1e-12)  # the slope at 0: no decline
    assert float(d.ppf(1.0)) == 1.0
    assert float(d.cdf(0.0)) == 0.0 and float(d.cdf(1.0)) == 1.0
    assert d.describe().startswith("decline(1 - exp(slope), slope ~ t(df=5, loc=-1.251, "
                                   "scale=0.1321) given slope <= 0); mean 0.7")


def test_errors_name_the_parameter():
    with pytest.raises(DistributionError, match="scale=0 must be > 0"):
        Decline(-1.0, 0.0, 5.0)
    with pytest.raises(DistributionError, match="df=0 must be > 0"):
        Decline(-1.0, 0.1, 0)
    with pytest.raises(DistributionError, match="is a rise"):
        Decline(5.0, 0.1, math.inf)
    with pytest.raises(DistributionError, match="loc=nan must be finite"):
        Decline(float("nan"), 0.1, 5.0)
