"""Goodness of fit: Kolmogorov–Smirnov with a parametric-bootstrap p-value, and chi-square.

**Continuous families.** The statistic is the Kolmogorov–Smirnov distance
``D = max |F_n(x) - F(x)|`` between the empirical and the fitted cdf (the largest vertical gap
on the P-P plot). Its textbook p-value assumes parameters known in advance; fitted to the
same data, ``D`` is smaller and that p-value far too large (Lilliefors 1967). The p-value
here is a parametric bootstrap (Stute, González Manteiga & Presedo Quindimil 1993):
``n_boot`` samples are drawn from the fitted distribution, each is refitted by the same
estimator, and ``p = (1 + #{D_b >= D}) / (1 + n_boot)``. Samples larger than
:data:`BOOT_ROWS` are bootstrapped at ``BOOT_ROWS`` rows, comparing ``sqrt(m) D`` with
``sqrt(n) D``: its null distribution has converged long before that size (Stephens 1974).

**Count families.** Pearson's chi-square over the whole numbers from the smallest to the
largest observed value (the outer bins take the tails), adjacent bins pooled from the left
until each expects at least 5 rows, with ``bins - 1 - k`` degrees of freedom (k fitted
parameters; with parameters fitted to the ungrouped data the statistic lies between the
chi-square with ``bins - 1 - k`` and ``bins - 1`` degrees of freedom, Chernoff & Lehmann
1954, so the p-value is slightly small). No test when fewer than one degree of freedom is
left (e.g. the observed frequencies themselves).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from distributions import special
from distributions.base import FloatArray


class Refittable(Protocol):
    """What the parametric bootstrap needs of a family: refit many samples at once, and the
    fitted model of a set of parameters."""

    def mle_rows(self, rows: FloatArray) -> dict[str, FloatArray]: ...

    def model(self, params: Mapping[str, Any]) -> Any: ...

#: Largest sample size a bootstrap replicate is drawn at.
BOOT_ROWS = 5000
#: Fewest rows a pooled chi-square bin is expected to hold.
MIN_EXPECTED = 5.0


def ks_distance(sorted_x: FloatArray, cdf: FloatArray) -> FloatArray:
    """Kolmogorov–Smirnov distance of sorted samples (last axis) from fitted cdf values.

    Examples
    --------
    >>> float(ks_distance(np.array([1.0, 2.0]), np.array([0.25, 0.75])))
    0.25
    """
    m = sorted_x.shape[-1]
    i = np.arange(1, m + 1)
    return np.maximum(np.max(i / m - cdf, axis=-1), np.max(cdf - (i - 1) / m, axis=-1))


def ks_test(family: Refittable, x: FloatArray, model: Any, *, n_boot: int,
            rng: np.random.Generator) -> tuple[float, float]:
    """The KS distance of the sorted sample ``x`` from the fitted ``model``, and its
    bootstrap p-value (NaN when ``n_boot`` is 0)."""
    d = float(ks_distance(x, model.cdf(x)))
    if n_boot <= 0:
        return d, math.nan
    n = x.size
    m = min(n, BOOT_ROWS)
    rows = np.sort(model.rvs(size=(n_boot, m), random_state=rng), axis=1)
    refit = family.mle_rows(rows)
    cdf = family.model({k: v[:, None] for k, v in refit.items()}).cdf(rows)
    d_boot = ks_distance(rows, cdf)
    exceed = int(np.sum(math.sqrt(m) * d_boot >= math.sqrt(n) * d))
    return d, (1 + exceed) / (1 + n_boot)


def chi2_test(x: FloatArray, model: Any, k: int) -> tuple[float, float]:
    """Pearson's chi-square of integer data against a fitted count ``model`` and its p-value.

    Examples
    --------
    100 counts with mean 1.1 against Poisson(1.1): expected 33.29, 36.62, 20.14 and 9.96
    (3 or more) rows, so chi-square = 3.29**2/33.29 + 3.38**2/36.62 + ... = 0.639 on
    4 - 1 - 1 = 2 degrees of freedom, p = exp(-0.639/2) = 0.727:

    >>> from scipy import stats
    >>> x = np.repeat([0.0, 1.0, 2.0, 3.0], [30, 40, 20, 10])
    >>> stat, p = chi2_test(x, stats.poisson(1.1), 1)
    >>> round(stat, 3), round(p, 3)
    (0.639, 0.727)
    """
    lo, hi = int(x.min()), int(x.max())
    obs = np.bincount((x - lo).astype(np.intp), minlength=hi - lo + 1).astype(np.float64)
    ks = np.arange(lo, hi + 1)
    prob = model.pmf(ks)
    prob[0] = model.cdf(lo)
    prob[-1] = model.sf(hi - 1)
    o_bins, e_bins = _pool(obs, x.size * prob)
    dof = o_bins.size - 1 - k
    if dof < 1:
        return math.nan, math.nan
    stat = float(np.sum((o_bins - e_bins) ** 2 / e_bins))
    return stat, float(special.chdtrc(dof, stat))


def _pool(obs: FloatArray, exp: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge adjacent bins from the left until each expects at least MIN_EXPECTED rows."""
    o_out: list[float] = []
    e_out: list[float] = []
    o_acc = e_acc = 0.0
    for o, e in zip(obs.tolist(), exp.tolist(), strict=True):  # one step per bin
        o_acc += o
        e_acc += e
        if e_acc >= MIN_EXPECTED:
            o_out.append(o_acc)
            e_out.append(e_acc)
            o_acc = e_acc = 0.0
    if e_acc > 0 or o_acc > 0:
        if o_out:
            o_out[-1] += o_acc
            e_out[-1] += e_acc
        else:
            o_out, e_out = [o_acc], [e_acc]
    return np.array(o_out), np.array(e_out)
