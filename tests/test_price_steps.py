"""A stepped price changes only in the months its cut count changes: the compiled model
keeps each sample's next such month (sim.costs.fused.next_cut_month) instead of counting
every month. These check that month against the count itself, and the price path against
the formula max(f, (1 - s) ** N(t)) month by month."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.costs.fused import CUT_EPS, cut_count, next_cut_month, price_path

RATES = [0.25, 0.37, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 7.3, 11.9, 12.0, 13.0, 24.0, 100.0]


def brute_next(t: float, n: float, rate: float, last: int = 5000) -> float:
    """The first month after t whose count differs from n, by trying every month."""
    for c in range(int(t) + 1, last):
        if cut_count(float(c), rate) != n:
            return float(c)
    return math.inf


@pytest.mark.parametrize("rate", RATES)
def test_the_next_cut_month_is_the_first_whose_count_differs(rate):
    for t in range(1, 61):
        n = cut_count(float(t), rate)
        assert next_cut_month(float(t), n, rate) == brute_next(float(t), n, rate), (rate, t)


def test_the_count_is_the_formula():
    # 8 cuts a year x 1.5 months / 12 is exactly 1: the slack keeps it from 0.999...
    assert cut_count(2.5, 8.0) == 1.0
    assert cut_count(1.0, 5.0) == 0.0
    assert cut_count(13.0, 2.0) == 2.0
    assert cut_count(12.0, 2.0) == 1.0
    assert cut_count(7.0, 2.0) == 1.0
    assert cut_count(6.0, 2.0) == 0.0


def test_a_rate_of_zero_never_cuts_and_a_bad_rate_is_counted_every_month():
    assert next_cut_month(1.0, 0.0, 0.0) == math.inf
    assert next_cut_month(5.0, 0.0, -1.0) == 6.0
    assert next_cut_month(5.0, math.nan, math.nan) == 6.0
    # a rate so small that no horizon reaches its first cut
    assert next_cut_month(1.0, 0.0, 1e-9) == math.inf


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("limit", [0.0, 2.0, math.inf])
def test_the_price_path_is_the_formula_month_by_month(rate, limit):
    keep, floor, months = 0.83, 0.3, 48
    factor, cuts = np.empty(months), np.empty(months)
    price_path(True, rate, keep, limit, floor, 1.0, factor, cuts)
    done_before = 0.0
    for k in range(months):
        t = k + 1
        n = math.floor((t - 1) * rate / 12.0 + CUT_EPS)
        power = 1.0 if n == 0 else (keep if n == 1 else keep ** float(n))
        assert factor[k] == max(floor, power), (rate, t)
        done = min(float(n), limit)
        assert cuts[k] == done - done_before, (rate, t)
        done_before = done
    # over the horizon the cuts add up to the count reached, capped at the limit
    assert cuts.sum() == min(math.floor((months - 1) * rate / 12.0 + CUT_EPS), limit)
