"""Traffic over a day: the 24-hour rate profile, Poisson arrivals and request sizes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from distributions import Distribution

FloatArray = NDArray[np.float64]
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0

#: The standard day shape (relative request rate by hour, 00:00-23:00 local time): a trough
#: at 03:00-04:00, a morning rise from 06:00, a plateau from 10:00 to 17:00 and an evening
#: decline; a generic business-facing assistant. Its peak-to-average ratio is about 1.6;
#: :func:`hourly_weights` raises it to a power to reach any other ratio. An assumption.
STANDARD_DAY: tuple[float, ...] = (
    0.30, 0.22, 0.18, 0.16, 0.17, 0.22, 0.35, 0.55, 0.80, 1.00, 1.12, 1.18,
    1.15, 1.18, 1.20, 1.18, 1.12, 1.02, 0.92, 0.85, 0.78, 0.68, 0.55, 0.42,
)


def _normalise(w: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):
        total = w.sum()
    if not np.isfinite(total):  # weights near the largest double (any scale is allowed)
        w = w / w.max()
        total = w.sum()
    return w * (24.0 / total)


def _shape_ratio(p: float) -> float:
    w = np.asarray(STANDARD_DAY) ** p
    return float(w.max() / w.mean())


def hourly_weights(*, weights: Sequence[float] | None = None,
                   peak_to_average: float | None = None) -> FloatArray:
    """Relative arrival rate in each hour of the day, scaled to average 1.

    Either 24 weights (any scale), or a peak-to-average ratio applied to
    :data:`STANDARD_DAY`: the shape is raised to the power that gives that ratio
    (1 is a flat day). With neither, the day is flat.

    Parameters
    ----------
    weights : sequence of 24 floats, optional
        Requests in each hour, relative to one another.
    peak_to_average : float, optional
        Busiest hour's rate over the day's average; in [1, 24).

    Returns
    -------
    numpy.ndarray
        24 multipliers of the average rate (mean 1).

    Raises
    ------
    ValueError
        For a list that is not 24 non-negative numbers with a positive sum, both arguments
        at once, or a ratio outside [1, 24).

    Examples
    --------
    >>> w = hourly_weights(peak_to_average=2.0)
    >>> round(float(w.max()), 6), round(float(w.mean()), 6)
    (2.0, 1.0)
    >>> night = hourly_weights(weights=[0.1 / 6] * 6 + [0.9 / 18] * 18)
    >>> round(float(night[:6].sum() / 24), 3)
    0.1
    """
    if weights is not None and peak_to_average is not None:
        raise ValueError("give hourly weights or peak_to_average, not both")
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (24,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.max() <= 0:
            raise ValueError("hourly_profile must be 24 numbers >= 0 (one per hour, 00:00 "
                             f"first) with a positive sum; got {list(np.atleast_1d(w))}")
        return _normalise(w)
    ratio = 1.0 if peak_to_average is None else float(peak_to_average)
    if not 1.0 <= ratio < 24.0:
        raise ValueError(f"peak_to_average={ratio!r} must be >= 1 and below 24 (the busiest "
                         "hour cannot carry more than the whole day)")
    if ratio == 1.0:
        return np.ones(24)
    lo, hi = 0.0, 1.0
    while _shape_ratio(hi) < ratio:
        hi *= 2.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _shape_ratio(mid) < ratio else (lo, mid)
    return _normalise(np.asarray(STANDARD_DAY) ** (0.5 * (lo + hi)))


def day_arrivals(weights: FloatArray, requests_per_day: float, *,
                 rng: np.random.Generator) -> FloatArray:
    """Arrival times (s) over one day of a Poisson process with a piecewise-constant rate.

    Hour ``h`` has rate ``requests_per_day * weights[h] / 86400``; its count is Poisson and
    its times uniform within the hour (the order statistics of a Poisson process).

    Examples
    --------
    >>> t = day_arrivals(np.ones(24), 2400.0, rng=np.random.default_rng(0))
    >>> bool(np.all(np.diff(t) >= 0)), 2200 < t.size < 2600
    (True, True)
    """
    lam = requests_per_day * np.asarray(weights) / 24.0
    counts = rng.poisson(lam)
    hours = np.repeat(np.arange(24, dtype=np.float64), counts)
    times = (hours + rng.random(hours.size)) * SECONDS_PER_HOUR
    return np.sort(times)


def unit_arrivals(n: int, *, rng: np.random.Generator) -> FloatArray:
    """The first ``n`` arrival times of a rate-1 Poisson process.

    Divide by a rate to get that rate's arrivals: every rate then shares the same random
    draws (common random numbers), so latency is a smooth function of load.
    """
    return np.cumsum(rng.exponential(1.0, n))


def request_sizes(dist: Distribution, n: int, *, rng: np.random.Generator) -> FloatArray:
    """``n`` token counts drawn from ``dist``, clipped at 0 (used as drawn, not rounded)."""
    return np.maximum(dist.sample(n, rng=rng), 0.0)
