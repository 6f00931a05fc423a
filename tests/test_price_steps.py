"""A stepped price is counted every month in every lane, and ``(1 - s) ** N(t)`` is a running
product: one multiplication by 1 - s in a month that brings one cut, the power only when
the count moved otherwise (sim.costs.fused.price_month). These check the price path month
by month, for one sample and for a block of samples whose counts change in different
months: bit for bit against that running product written out here, and against the
formula max(f, (1 - s) ** N(t)) within floating-point rounding."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.costs.fused import CUT_EPS, cut_count, price_path, price_paths
from sim.costs.slots import BLOCK

RATES = [0.25, 0.37, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 7.3, 11.9, 12.0, 13.0, 24.0, 100.0]
#: How far the running product may be from the power: an ulp per multiplication (48
#: months at most here), relative.
ROUNDING = 48 * 2.0 ** -52


def count(t: int, rate: float) -> float:
    return float(math.floor((t - 1) * rate / 12.0 + CUT_EPS)) if math.isfinite(rate) \
        else math.nan


def expected(rate: float, keep: float, limit: float, floor: float, months: int):
    """The running product, month by month: factor and cuts."""
    factor, cuts, before, raw, priced = [], [], 0.0, 1.0, 0.0
    for t in range(1, months + 1):
        n = count(t, rate)
        if n - priced == 1.0:
            raw, priced = raw * keep, n
        elif n != priced:  # two cuts or more in the month, a count that fell, NaN
            raw, priced = keep ** n, n
        factor.append(math.nan if math.isnan(raw) else max(floor, raw))
        done = n if n < limit else limit
        cuts.append(done - before)
        before = done
    return np.array(factor), np.array(cuts)


def formula(rate: float, keep: float, floor: float, months: int) -> np.ndarray:
    """max(f, (1 - s) ** N(t)) by month, the power asked each month."""
    out = []
    for t in range(1, months + 1):
        n = count(t, rate)
        power = keep ** n
        out.append(math.nan if math.isnan(power) else max(floor, power))
    return np.array(out)


def test_the_count_is_the_formula():
    # 8 cuts a year x 1.5 months / 12 is exactly 1: the slack keeps it from 0.999...
    assert cut_count(2.5, 8.0) == 1.0
    assert cut_count(1.0, 5.0) == 0.0
    assert cut_count(13.0, 2.0) == 2.0
    assert cut_count(12.0, 2.0) == 1.0
    assert cut_count(7.0, 2.0) == 1.0
    assert cut_count(6.0, 2.0) == 0.0


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("limit", [0.0, 2.0, math.inf])
def test_the_price_path_is_the_formula_month_by_month(rate, limit):
    keep, floor, months = 0.83, 0.3, 48
    factor, cuts = np.empty(months), np.empty(months)
    price_path(True, rate, keep, limit, floor, 1.0, factor, cuts)
    f, c = expected(rate, keep, limit, floor, months)
    np.testing.assert_array_equal(factor, f)
    np.testing.assert_array_equal(cuts, c)
    np.testing.assert_allclose(factor, formula(rate, keep, floor, months), rtol=ROUNDING,
                               atol=0)
    done_before = 0.0
    for k in range(months):
        done = min(count(k + 1, rate), limit)
        assert cuts[k] == done - done_before, (rate, k + 1)
        done_before = done
    # over the horizon the cuts add up to the count reached, capped at the limit
    assert cuts.sum() == min(math.floor((months - 1) * rate / 12.0 + CUT_EPS), limit)


def test_a_block_of_samples_follows_the_formula_lane_by_lane():
    # counts that change in different months, some never, one lane NaN, one past BLOCK
    rng = np.random.default_rng(7)
    n = BLOCK
    rate = rng.uniform(0.0, 8.0, n)
    rate[:len(RATES)] = RATES
    rate[20], rate[21], rate[22] = 0.0, math.nan, -1.0
    keep = rng.uniform(0.4, 0.95, n)
    keep[23] = 1.0
    limit = rng.choice([0.0, 1.0, 3.0, math.inf], n)
    floor = rng.uniform(0.0, 0.4, n)
    months = 60
    factor, cuts = np.empty((months, n)), np.empty((months, n))
    price_paths(True, rate, keep, limit, floor, np.ones(n), factor, cuts)
    for j in range(n):
        f, c = expected(rate[j], keep[j], limit[j], floor[j], months)
        np.testing.assert_array_equal(factor[:, j], f, err_msg=f"lane {j}")
        np.testing.assert_array_equal(cuts[:, j], c, err_msg=f"lane {j}")
        np.testing.assert_allclose(factor[:, j], formula(rate[j], keep[j], floor[j], months),
                                   rtol=60 * 2.0 ** -52, atol=0, err_msg=f"lane {j}")
