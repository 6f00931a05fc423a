"""The capacity curve's lookup in the cost core (sim.costs.fused.interp): numpy's np.interp,
bit for bit, whether its bisection starts from the search table
(sim.costs.pack.search_table) or from the whole curve."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.costs.fused import interp, knots_at
from sim.costs.pack import search_table


def serving_like_knots(rng: np.random.Generator) -> np.ndarray:
    """Knots like sim.serving.curve's: a log grid plus three knots around each volume where a
    replica count changes (x (1 - 1e-8), x, x (1 + 1e-8))."""
    grid = np.geomspace(1.7e5, 1.8e7, 2048)
    breaks = np.sort(rng.uniform(1.8e5, 1.7e7, 200))
    return np.unique(np.concatenate([grid, breaks * (1 - 1e-8), breaks, breaks * (1 + 1e-8)]))


def probes(xp: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Values everywhere a search could go wrong: each knot and its neighbouring doubles,
    each bucket's edge in log x and its neighbours, random values, the ends and beyond."""
    edges = np.array([])
    if xp[0] > 0:
        base, scale = knots_at(xp, 0, xp.size)
        if scale > 0:
            edges = np.exp(base + np.arange(xp.size) / scale)
    near = np.concatenate([xp, edges])
    return np.concatenate([near, np.nextafter(near, -np.inf), np.nextafter(near, np.inf),
                           rng.uniform(xp[0], xp[-1], 4000),
                           [xp[0] / 2, xp[-1] * 2, np.nan, -np.inf, np.inf]])


def looked_up(x: np.ndarray, xp: np.ndarray, fp: np.ndarray, cb: np.ndarray, first: int,
              last: int) -> np.ndarray:
    base, scale = knots_at(xp, first, last)
    return np.array([interp(v, xp, fp, cb, first, last, base, scale) for v in x])


CURVES = {
    "serving": lambda rng: serving_like_knots(rng),
    # even steps: a log bucket holds many knots at the top and none at the bottom
    "linear": lambda rng: np.linspace(1.0, 1e4, 3000),
    # repeated knots (np.interp takes the last of equal knots from the left)
    "repeats": lambda rng: np.sort(np.repeat(rng.uniform(1.0, 100.0, 400), 2)),
    # a knot at 0 and below: no table, a plain bisection
    "nonpositive": lambda rng: np.linspace(-5.0, 50.0, 500),
}


@pytest.mark.parametrize("kind", sorted(CURVES))
def test_the_lookup_is_numpys_interp_bit_for_bit(kind):
    rng = np.random.default_rng(7)
    xp = CURVES[kind](rng)
    fp = np.cumsum(rng.uniform(0.0, 3.0, xp.size)).round(0)  # replica-hours: steps, flats
    cb = search_table(xp)
    x = probes(xp, rng)
    expected = np.interp(x, xp, fp)
    assert np.array_equal(looked_up(x, xp, fp, cb, 0, xp.size), expected, equal_nan=True)
    # and without the table (the point estimate's plain bisection): the same numbers
    none = np.zeros(0, dtype=np.int64)
    assert np.array_equal(looked_up(x, xp, fp, none, 0, xp.size), expected, equal_nan=True)


@pytest.mark.parametrize("shift", [-3, -1, 1, 3])
def test_a_start_that_misses_is_widened(shift):
    """A table off by a few knots either way (as a log computed differently at a bucket's
    edge would make it): the start is widened and the numbers are still np.interp's."""
    rng = np.random.default_rng(5)
    xp = serving_like_knots(rng)
    fp = np.cumsum(rng.uniform(0.0, 3.0, xp.size)).round(0)
    wrong = np.clip(search_table(xp) + shift, -1, xp.size - 1)
    x = probes(xp, rng)
    assert np.array_equal(looked_up(x, xp, fp, wrong, 0, xp.size), np.interp(x, xp, fp),
                          equal_nan=True)


def test_a_curve_among_others_uses_its_own_part_of_the_table():
    """Curves are packed end to end (knots and tables): the second one's lookups, offset by
    the first's length, are np.interp's on the second alone."""
    rng = np.random.default_rng(3)
    a, b = serving_like_knots(rng), np.geomspace(10.0, 1e4, 700)
    fa, fb = np.arange(a.size, dtype=float), np.sqrt(b).round(1)
    xp, fp = np.concatenate([a, b]), np.concatenate([fa, fb])
    cb = np.concatenate([search_table(a), search_table(b) + a.size])
    x = probes(b, rng)
    got = looked_up(x, xp, fp, cb, a.size, xp.size)
    assert np.array_equal(got, np.interp(x, b, fb), equal_nan=True)


def test_the_table_brackets_each_bucket():
    """Bucket b's values lie between knots t[b] and t[b + 1] + 1, and a serving curve's
    buckets hold few knots (the point of the table)."""
    rng = np.random.default_rng(11)
    xp = serving_like_knots(rng)
    t = search_table(xp)
    base, scale = knots_at(xp, 0, xp.size)
    assert t[0] == -1 and np.all(np.diff(t) >= 0) and t[-1] < xp.size
    x = rng.uniform(xp[0], xp[-1], 20000)
    b = np.minimum(((np.log(x) - base) * scale).astype(np.int64), xp.size - 2)
    lo, hi = np.maximum(t[b], 0), t[b + 1] + 1
    assert np.all(xp[lo] <= x) and np.all(x < xp[hi])
    assert np.median(hi - lo) <= 2 and (hi - lo).max() <= 12  # the breakpoints' triplets
    assert math.isclose(scale, (xp.size - 1) / math.log(xp[-1] / xp[0]), rel_tol=1e-12)
    assert knots_at(np.array([0.0, 1.0]), 0, 2) == (0.0, 0.0)
