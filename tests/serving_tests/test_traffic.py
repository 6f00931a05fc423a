"""The day's traffic: hourly profiles and Poisson arrivals."""

from __future__ import annotations

import numpy as np
import pytest

from sim.serving import STANDARD_DAY, hourly_weights
from sim.serving.traffic import day_arrivals, unit_arrivals


@pytest.mark.parametrize("ratio", [1.0, 1.3, 2.0, 3.5, 8.0])
def test_peak_to_average_is_met_exactly(ratio):
    w = hourly_weights(peak_to_average=ratio)
    assert w.mean() == pytest.approx(1.0)
    assert w.max() == pytest.approx(ratio, rel=1e-9)
    if ratio > 1.0:
        assert int(np.argmax(w)) == int(np.argmax(STANDARD_DAY))
    else:
        assert np.all(w == 1.0)


def test_weights_are_normalised():
    w = hourly_weights(weights=[0.0] * 6 + [3.0] * 18)
    assert w[:6].sum() == 0.0 and w.mean() == pytest.approx(1.0)


@pytest.mark.parametrize(("kw", "match"), [
    ({"weights": [1.0] * 23}, "24 numbers"),
    ({"weights": [-1.0] + [1.0] * 23}, "24 numbers >= 0"),
    ({"peak_to_average": 0.5}, "must be >= 1"),
    ({"peak_to_average": 30.0}, "below 24"),
    ({"weights": [1.0] * 24, "peak_to_average": 2.0}, "not both"),
])
def test_bad_profiles(kw, match):
    with pytest.raises(ValueError, match=match):
        hourly_weights(**kw)


def test_day_arrivals_follow_the_profile():
    w = hourly_weights(peak_to_average=2.0)
    v = 200_000.0
    t = day_arrivals(w, v, rng=np.random.default_rng(1))
    counts = np.bincount((t // 3600).astype(int), minlength=24)
    expected = v * w / 24
    # Poisson counts: each within 4 sd, and the total too
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected))
    assert abs(t.size - v) < 4 * np.sqrt(v)
    assert np.all(np.diff(t) >= 0) and t[0] >= 0 and t[-1] < 86400


def test_same_seed_same_arrivals():
    w = np.ones(24)
    a = day_arrivals(w, 1000.0, rng=np.random.default_rng(5))
    b = day_arrivals(w, 1000.0, rng=np.random.default_rng(5))
    c = day_arrivals(w, 1000.0, rng=np.random.default_rng(6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_unit_arrivals_have_rate_one():
    t = unit_arrivals(100_000, rng=np.random.default_rng(0))
    gaps = np.diff(t)
    assert abs(gaps.mean() - 1.0) < 4 / np.sqrt(gaps.size)
