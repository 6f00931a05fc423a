"""Tail drivers: which inputs push a strategy into its worst outcomes.

The *tail* is the worst ``fraction`` (default 10%) of a strategy's NPV samples. For each
uncertain input, its distribution inside the tail is compared with its distribution over all
samples:

- ``ks``: the Kolmogorov–Smirnov distance between the two empirical distributions,
  ``sup_v |F_tail(v) - F_all(v)|`` (0: the tail draws the input like any other sample;
  ``1 - fraction``: the tail is exactly the samples where the input is highest or lowest, the
  input alone defines it). Inputs are **ranked by it**: it is free of units, sees any change
  of shape, and works for discrete inputs.
- ``ks_noise``: the distance a random subset of the same size exceeds with probability 5%:
  the tail is a subset of all samples, so ``F_tail - F_all = (1 - fraction)(F_tail -
  F_rest)`` and the two-sample critical value ``1.358 sqrt(1/k + 1/(n - k))`` (k tail
  samples, asymptotic) scales by ``1 - fraction``. Inputs above it are marked ``drives``.
- ``median_shift``: the tail's median minus the overall median, in units of the input's
  overall interquartile range (its sign says which end of the input drives the tail; NaN
  when the interquartile range is 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from sim.decision.samples import SampleSet, check_strategies

FloatArray = NDArray[np.float64]
#: Asymptotic 5% critical value of the two-sample Kolmogorov–Smirnov statistic, times
#: sqrt(1/k + 1/m).
KS_5PCT = 1.358


def ks_distance(sub: FloatArray, whole_sorted: FloatArray) -> float:
    """``sup |F_sub - F_whole|`` over the values of ``whole`` (sorted), ties handled.

    Examples
    --------
    >>> ks_distance(np.array([9.0, 10.0]), np.arange(1.0, 11.0))  # the top 2 of 10
    0.8
    """
    sub = np.sort(sub)
    v = np.unique(whole_sorted)
    f_all = np.searchsorted(whole_sorted, v, side="right") / whole_sorted.size
    f_sub = np.searchsorted(sub, v, side="right") / sub.size
    return float(np.max(np.abs(f_sub - f_all)))


@dataclass(frozen=True)
class TailDrivers:
    """Inputs ranked by how differently the worst outcomes draw them.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per input, largest ``ks`` first: ``input, ks, ks_noise, drives, median_all,
        median_tail, iqr, median_shift, direction`` ("high": the tail draws it high, "low",
        or "-").
    strategy : str
        Whose NPV.
    fraction : float
        The tail's share of the samples.
    threshold : float
        The tail's upper NPV (the ``fraction`` quantile).
    cvar : float
        The tail's mean NPV.
    n : int
        Samples.
    """

    frame: pl.DataFrame
    strategy: str
    fraction: float
    threshold: float
    cvar: float
    n: int

    def table(self) -> pl.DataFrame:
        """The inputs, largest KS distance first."""
        return self.frame

    def drivers(self) -> list[str]:
        """The inputs whose tail distribution differs beyond noise, strongest first."""
        return self.frame.filter(pl.col("drives"))["input"].to_list()


def tail_drivers(samples: SampleSet, strategy: str, *, fraction: float = 0.1) -> TailDrivers:
    """Rank the inputs by how differently the worst ``fraction`` of NPV draws them.

    Parameters
    ----------
    samples : SampleSet
        Per-sample inputs and NPVs (a run's samples or :func:`~sim.decision.simulate`).
    strategy : str
        A non-baseline strategy.
    fraction : float
        The tail's share, in (0, 0.5].

    Examples
    --------
    >>> t = tail_drivers(simulate(study), "hosted_ft")  # doctest: +SKIP
    >>> t.drivers()[:2]  # doctest: +SKIP
    ['strategies.frontier.annual_price_drop', 'strategies.hosted_ft.engineering_hours']
    """
    s = check_strategies(samples.study, [strategy])[0]
    if not 0 < fraction <= 0.5:
        raise ValueError(f"--tail {fraction}: the tail's share must lie in (0, 0.5], e.g. 0.1")
    y = samples.npv[s]
    n = y.size
    k = max(1, math.floor(fraction * n + 1e-9))
    if k >= n:
        raise ValueError(f"--tail {fraction}: {n} samples leave no sample outside the tail")
    idx = np.argsort(y, kind="stable")[:k]
    noise = (1 - k / n) * KS_5PCT * math.sqrt(1 / k + 1 / (n - k))
    rows: dict[str, list[object]] = {c: [] for c in (
        "input", "ks", "ks_noise", "drives", "median_all", "median_tail", "iqr",
        "median_shift", "direction")}
    for j, path in enumerate(samples.names):
        x = samples.x[j]
        xs = x[samples.order[j]]
        q1, med, q3 = np.quantile(xs, [0.25, 0.5, 0.75])
        tail_med = float(np.median(x[idx]))
        iqr = float(q3 - q1)
        shift = (tail_med - med) / iqr if iqr > 0 else math.nan
        d = ks_distance(x[idx], xs)
        direction = "high" if tail_med > med else "low" if tail_med < med else "-"
        for c, v in zip(rows, (path, d, noise, d > noise, float(med), tail_med, iqr,
                               shift, direction), strict=True):
            rows[c].append(v)
    frame = pl.DataFrame(rows, schema={"input": pl.String, "ks": pl.Float64,
                                       "ks_noise": pl.Float64, "drives": pl.Boolean,
                                       "median_all": pl.Float64, "median_tail": pl.Float64,
                                       "iqr": pl.Float64, "median_shift": pl.Float64,
                                       "direction": pl.String})
    frame = frame.sort("ks", descending=True, maintain_order=True)
    return TailDrivers(frame, s, fraction, float(y[idx[-1]]), float(y[idx].mean()), n)
