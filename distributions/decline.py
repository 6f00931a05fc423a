"""An annual decline fitted on the log scale: ``d = 1 - exp(b)``, ``b`` a t-distributed slope.

Design
------
A log-linear fit of a price on time gives a slope ``b`` (log change per year) with a
standard error; its uncertainty is ``b ~ loc + scale * T(df)`` (Student t with ``df = n - 2``
degrees of freedom; ``df = inf`` is the normal). The decline over a year is ``d = 1 - exp(b)``.
Conditioning on ``b <= 0`` (the quantity does not rise) keeps ``d`` in ``[0, 1)``, the
domain of an annual decline, without cutting ``d`` itself:

- **exact**: ``ppf(q) = 1 - exp(loc + scale * t.ppf((1 - q) * P0, df))`` with
  ``P0 = P(b <= 0)``, the slope's quantile transformed; so the decline's p10/p50/p90 are
  the slope's p90/p50/p10 pushed through ``1 - exp``. No family of :mod:`distributions`
  does this: a ``quantiles`` spline in ``d`` has normal tails that leave ``[0, 1)`` and,
  cut back, misses the stated points when the fit is wide (a p90 near 1); a beta matches
  two quantiles, not three;
- **bounded tails**: ``d -> 1`` as ``b -> -inf`` (the price halves, and halves again) and
  ``d -> 0`` at ``b = 0``, never beyond;
- **fast**: the t quantile (``scipy.special.stdtrit``, ~0.8 s per million) is tabulated
  with :class:`~distributions.fastppf.HermitePPF`, checked at build time, exact in the
  far tails.

Moments come from quadrature (:func:`~distributions.base.moments_by_quadrature`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from distributions import special
from distributions.base import (
    Distribution,
    FloatArray,
    QuadratureMoments,
    check_finite,
    fmt,
    fmt_short,
    moments_by_quadrature,
)
from distributions.errors import DistributionError
from distributions.fastppf import HermitePPF

#: Least probability of a fall (b <= 0) accepted: below it the trend is a rise.
MIN_FALL = 1e-6


@dataclass(frozen=True)
class Decline(QuadratureMoments, Distribution):
    """The decline ``1 - exp(b)`` of a log-slope ``b ~ loc + scale * T(df)`` given ``b <= 0``.

    Parameters
    ----------
    loc : float
        Fitted slope of ``log(value)`` per unit of time (negative for a decline).
    scale : float
        Its standard error, > 0.
    df : float
        Degrees of freedom of the t distribution (``n - 2`` for a fit on ``n`` points);
        ``math.inf`` for a normal.

    Raises
    ------
    DistributionError
        If ``scale <= 0``, ``df <= 0``, or the slope is almost surely positive (a rise).

    Examples
    --------
    >>> d = Decline(loc=-1.0, scale=0.1, df=math.inf)
    >>> round(float(d.median), 6)  # 1 - exp(-1): the slope's median pushed through
    0.632121
    >>> d.support
    (0.0, 1.0)
    >>> q = d.ppf([0.1, 0.9])  # p10 from the slope's p90, and the other way round
    >>> [round(float(v), 6) for v in q] == [round(1 - math.exp(-1 + 0.1 * 1.281552), 6),
    ...                                     round(1 - math.exp(-1 - 0.1 * 1.281552), 6)]
    True
    """

    loc: float
    scale: float
    df: float = math.inf
    family = "decline"
    _p_fall: float = field(init=False, repr=False, compare=False)
    _fast: HermitePPF = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_finite(self.family, loc=self.loc, scale=self.scale)
        if not (isinstance(self.df, int | float) and self.df > 0) or math.isnan(self.df):
            raise DistributionError(
                f"decline: df={self.df!r} must be > 0 (n - 2 for a fit on n points; inf for "
                "a normal)")
        if self.scale <= 0:
            raise DistributionError(
                f"decline: scale={fmt(self.scale)} must be > 0 (the slope's standard error)")
        p_fall = float(_std_cdf(self.df, np.array([-self.loc / self.scale]))[0])
        if p_fall < MIN_FALL:
            raise DistributionError(
                f"decline: a slope of {fmt(self.loc)} with standard error {fmt(self.scale)} is "
                f"a rise (P(slope <= 0) = {p_fall:.2g}); a decline cannot describe it")
        object.__setattr__(self, "_p_fall", p_fall)
        args = (float(self.loc), float(self.scale), float(self.df), p_fall)
        object.__setattr__(self, "_fast", HermitePPF(partial(_exact_ppf, *args),
                                                     partial(_logpdf, *args)))

    def _ppf(self, q: FloatArray) -> FloatArray:
        # HermitePPF assigns its far-tail values into an array, so never give it a 0-d one
        x = self._fast(np.atleast_1d(q))
        return np.clip(x, 0.0, 1.0).reshape(np.shape(q))

    def _cdf(self, x: FloatArray) -> FloatArray:
        xc = np.clip(x, 0.0, 1.0)
        with np.errstate(divide="ignore"):
            b = np.log1p(-xc)  # -inf at x = 1
        f = _std_cdf(self.df, (b - self.loc) / self.scale)
        return np.clip((self._p_fall - f) / self._p_fall, 0.0, 1.0)

    @cached_property
    def _moments(self) -> tuple[float, float]:
        return moments_by_quadrature(self._ppf)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def _params(self) -> str:
        df = "inf" if math.isinf(self.df) else fmt(self.df)
        return (f"1 - exp(slope), slope ~ t(df={df}, loc={fmt_short(self.loc)}, "
                f"scale={fmt_short(self.scale)}) given slope <= 0")


# module-level pieces, so that a Decline pickles (worker processes receive it that way)
def _std_ppf(df: float, p: FloatArray) -> FloatArray:
    if math.isinf(df):
        return np.asarray(special.ndtri(p), dtype=np.float64)
    x = np.asarray(special.stdtrit(df, p), dtype=np.float64)
    # scipy's stdtrit gives +inf at p = 0; the quantile there is -inf
    return np.where(np.asarray(p) <= 0.0, -np.inf, x)


def _std_cdf(df: float, x: FloatArray) -> FloatArray:
    if math.isinf(df):
        return np.asarray(special.ndtr(x), dtype=np.float64)
    return np.asarray(special.stdtr(df, x), dtype=np.float64)


def _exact_ppf(loc: float, scale: float, df: float, p_fall: float, q: FloatArray) -> FloatArray:
    """``1 - exp(b)`` at the slope's quantile ``(1 - q) P0`` (the slow, exact form)."""
    b = loc + scale * _std_ppf(df, (1.0 - q) * p_fall)
    return np.asarray(-np.expm1(np.minimum(b, 0.0)), dtype=np.float64)


def _logpdf(loc: float, scale: float, df: float, p_fall: float, x: FloatArray) -> FloatArray:
    """Log density of the decline: ``t.pdf((b - loc)/scale) / (scale (1 - x) P0)``,
    ``b = log(1 - x)``."""
    from scipy import stats  # on first use: ~1 s of import that a run does not need

    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.log1p(-x)
        z = (b - loc) / scale
        logpdf = stats.norm.logpdf(z) if math.isinf(df) else stats.t.logpdf(z, df)
        out = np.asarray(logpdf - math.log(scale) - b - math.log(p_fall), dtype=np.float64)
    # at x = 1 (a heavy-tailed slope reaches it in floating point) the quantile is flat
    return np.where(x >= 1.0, np.inf, out)
