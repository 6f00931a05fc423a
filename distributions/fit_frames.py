"""Chart-ready frames for a fit: the data's histogram, the fitted densities, a P-P plot.

Pre-aggregated so a chart never carries the raw sample (at most a few hundred rows per
family; Altair refuses more than 5,000 rows by default):

- ``histogram``: ``lo, hi, count, density`` with ``density = count / (n * width)`` (share of
  *all* rows per unit), so bars and fitted curves share one scale. Continuous data are
  binned over their central 99% (P0.5 to P99.5) when there are 200 rows or more, so a long
  tail does not squash the body (the tail shows on the P-P plot); counts get bins of a
  whole-number width centred on whole numbers;
- ``density``: ``family, x, density``, each fitted pdf on a grid over the histogram's range
  (for count families the probability mass at whole numbers, which is per unit too);
- ``pp``: ``family, x, empirical, fitted``: the empirical cdf against each fitted cdf at
  up to ``points`` data values; a good fit lies on the diagonal, and the largest vertical
  gap is the Kolmogorov–Smirnov distance. Continuous data use the plotting positions
  ``(i - 0.5) / n`` of the order statistics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from distributions.base import FloatArray

if TYPE_CHECKING:
    import polars as pl

    from distributions.fit import FitResult

#: Most bins the histogram of continuous data gets (and fewest).
MAX_BINS = 80
MIN_BINS = 10
#: Widest range of whole numbers binned one value per bar.
MAX_UNIT_BINS = 200


@dataclass(frozen=True)
class FitFrames:
    """The three frames a fit chart is drawn from (see the module docstring)."""

    histogram: pl.DataFrame
    density: pl.DataFrame
    pp: pl.DataFrame


def fit_frames(result: FitResult, *, points: int = 200, bins: int | None = None) -> FitFrames:
    """Histogram, fitted densities and P-P points for every family of ``result``.

    Parameters
    ----------
    result : FitResult
        What :func:`~distributions.fit.fit_data` returned.
    points : int
        Grid points per fitted density, and P-P points per family.
    bins : int, optional
        Number of histogram bins for continuous data (default: numpy's ``"auto"`` rule,
        kept between 10 and 80).

    Examples
    --------
    >>> import numpy as np
    >>> from distributions import fit_data
    >>> res = fit_data(np.random.default_rng(1).gamma(3.0, 2.0, 500), n_boot=0)
    >>> frames = fit_frames(res, points=50)
    >>> frames.density.columns, frames.pp.height
    (['family', 'x', 'density'], 150)
    """
    # polars (0.3 s to import) only for data files and fits: import distributions skips it
    import polars as pl

    if points < 2:
        raise ValueError(f"points={points} must be at least 2")
    x = result.data  # sorted
    discrete = result.best.discrete
    edges = _count_edges(x) if discrete else _edges(x, bins)
    counts = np.histogram(x, edges)[0]
    width = np.diff(edges)
    histogram = pl.DataFrame({"lo": edges[:-1], "hi": edges[1:], "count": counts,
                              "density": counts / (x.size * width)})
    grid = (np.unique(np.round(np.linspace(edges[0] + 0.5, edges[-1] - 0.5, points)))
            if discrete else np.linspace(edges[0], edges[-1], points))
    at, empirical = _pp_points(x, points, discrete)
    density, pp = [], []
    for f in result.fits:
        curve = f.model.pmf(grid) if discrete else f.model.pdf(grid)
        density.append(pl.DataFrame({"family": f.family, "x": grid, "density": curve}))
        pp.append(pl.DataFrame({"family": f.family, "x": at, "empirical": empirical,
                                "fitted": f.model.cdf(at)}))
    return FitFrames(histogram, pl.concat(density), pl.concat(pp))


def _edges(x: FloatArray, bins: int | None) -> FloatArray:
    lo, hi = ((float(np.quantile(x, 0.005)), float(np.quantile(x, 0.995))) if x.size >= 200
              else (float(x[0]), float(x[-1])))
    if bins is None:
        inner = x[(x >= lo) & (x <= hi)]
        bins = len(np.histogram_bin_edges(inner, bins="auto", range=(lo, hi))) - 1
        bins = min(max(bins, MIN_BINS), MAX_BINS)
    return np.linspace(lo, hi, bins + 1)


def _count_edges(x: FloatArray) -> FloatArray:
    lo, hi = float(x[0]), float(x[-1])
    step = max(1, math.ceil((hi - lo + 1) / MAX_UNIT_BINS))
    return np.arange(lo - 0.5, hi + 0.5 + step, step, dtype=np.float64)


def _pp_points(x: FloatArray, points: int, discrete: bool) -> tuple[FloatArray, FloatArray]:
    """Data values (sorted ``x``) and their empirical cdf for the P-P plot."""
    n = x.size
    if discrete:
        values = np.unique(x)
        if values.size > points:
            values = values[np.unique(np.round(np.linspace(0, values.size - 1, points))
                                      .astype(np.intp))]
        return values, np.searchsorted(x, values, side="right") / n
    idx = np.unique(np.round(np.linspace(0, n - 1, points)).astype(np.intp))
    return x[idx], (idx + 0.5) / n
