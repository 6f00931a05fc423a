"""A distribution through three stated quantiles: ``quantiles = {p10, p50, p90}``.

Design
------
The quantile function is a monotone cubic Hermite spline in the normal score
``z = Phi^-1(q)`` through the three points ``(-c, p10)``, ``(0, p50)``, ``(c, p90)``
(``c = Phi^-1(0.9)``), continued linearly in ``z`` beyond them, and built on ``log x`` when
``p10 > 0`` (as ``"a to b"`` is lognormal when ``a > 0``):

- **exact**: the stated quantiles are reproduced to rounding, by construction;
- **always feasible**: any ``p10 < p50 < p90`` works. The node slopes are the two secants
  ``sL = (p50 - p10)/c``, ``sR = (p90 - p50)/c`` at the outer knots and their harmonic mean
  at the median, inside the Fritsch–Carlson region, so the spline is strictly increasing
  for every skew. A three-term metalog, by contrast, exists only when
  ``|p10 + p90 - 2 p50| < 0.667 (p90 - p10)``: the common right-skewed cost belief
  ``{p10 = 1, p50 = 2, p90 = 10}`` has no metalog (ratio 0.78). Johnson QPDs are always
  feasible but need a stated bound and have no unbounded member;
- **familiar when symmetric**: with ``p50`` midway (in ``log x`` when positive) the three
  slopes are equal and the distribution *is* the normal (lognormal) through p10 and p90;
- **stated tails**: below p10 and above p90 it is exactly a normal (lognormal) tail with
  the scale of the nearer half, so P1/P99 follow from the stated spread on that side;
- smooth: the quantile function is C1, so the density is continuous (its slope changes at
  the three knots).

Moments come from quadrature (:func:`~distributions.base.moments_by_quadrature`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from distributions import special
from distributions.base import (
    Distribution,
    FloatArray,
    QuadratureMoments,
    check_finite,
    fmt,
    moments_by_quadrature,
)
from distributions.errors import DistributionError
from distributions.normal import Z90

_C = Z90
_BISECTIONS = 60
#: Largest log-scale slope accepted (as for a lognormal's sigma).
_MAX_LOG_SLOPE = 20.0


@dataclass(frozen=True)
class Quantiles(QuadratureMoments, Distribution):
    """The smooth distribution whose 10%, 50% and 90% quantiles are ``p10``, ``p50``, ``p90``.

    Parameters
    ----------
    p10, p50, p90 : float
        The stated quantiles, strictly increasing.
    log : bool, optional
        Build the spline on ``log x`` (never below 0, lognormal tails). Default: when
        ``p10 > 0``.

    Examples
    --------
    >>> d = Quantiles(1.0, 2.0, 10.0)
    >>> [round(float(v), 12) for v in d.ppf([0.1, 0.5, 0.9])]
    [1.0, 2.0, 10.0]
    >>> d.support
    (0.0, inf)
    >>> round(float(Quantiles(-1.0, 0.0, 1.0).ppf(0.99)), 6)  # symmetric: the normal
    1.815259
    """

    p10: float
    p50: float
    p90: float
    log: bool | None = None
    family = "quantiles"
    _knots: tuple[float, float, float] = field(init=False, repr=False, compare=False)
    _slopes: tuple[float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_finite(self.family, p10=self.p10, p50=self.p50, p90=self.p90)
        if not self.p10 < self.p50 < self.p90:
            raise DistributionError(
                f"quantiles: p10={fmt(self.p10)}, p50={fmt(self.p50)}, p90={fmt(self.p90)} must "
                "increase (p10 < p50 < p90); check their order and units"
            )
        log = self.p10 > 0 if self.log is None else bool(self.log)
        if log and self.p10 <= 0:
            raise DistributionError(
                f"quantiles: log=true needs p10 > 0 (got p10={fmt(self.p10)}); drop log"
            )
        object.__setattr__(self, "log", log)
        y = np.log([self.p10, self.p50, self.p90]) if log else np.array(
            [self.p10, self.p50, self.p90], dtype=np.float64)
        s_lo, s_hi = (y[1] - y[0]) / _C, (y[2] - y[1]) / _C
        if log and max(s_lo, s_hi) > _MAX_LOG_SLOPE:
            raise DistributionError(
                f"quantiles: p10={fmt(self.p10)}, p50={fmt(self.p50)}, p90={fmt(self.p90)} span "
                "more than any real quantity (a factor above 1e11 between neighbours); check "
                "the units"
            )
        mid = 2.0 * s_lo * s_hi / (s_lo + s_hi)
        object.__setattr__(self, "_knots", (float(y[0]), float(y[1]), float(y[2])))
        object.__setattr__(self, "_slopes", (float(s_lo), float(mid), float(s_hi)))

    def _spline(self, z: FloatArray) -> FloatArray:
        """The (log-)quantile as a function of the normal score.

        Each half is a cubic in ``z`` written about the median, ``y50 + mid*z + z^2 (a + b z)``
        (value and slope match at 0, so the halves join C1), plus the linear tails.
        """
        _, y50, _ = self._knots
        s_lo, mid, s_hi = self._slopes
        (a_lo, b_lo), (a_hi, b_hi) = self._cubic
        neg = np.minimum(z, 0.0)
        pos = np.maximum(z, 0.0)
        zn = np.maximum(neg, -_C)
        zp = np.minimum(pos, _C)
        y = zn * zn * (a_lo + b_lo * zn)
        y += zp * zp * (a_hi + b_hi * zp)
        y += mid * (zn + zp) + y50
        y += s_lo * (neg - zn)
        y += s_hi * (pos - zp)
        return y

    @cached_property
    def _cubic(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Coefficients (a, b) of ``z^2 (a + b z)`` on each half (Hermite conditions at +-c)."""
        y10, y50, y90 = self._knots
        s_lo, mid, s_hi = self._slopes
        c = _C
        d_lo = y10 - y50 + mid * c
        b_lo = (s_lo - mid + 2.0 * d_lo / c) / (c * c)
        a_lo = (d_lo + b_lo * c**3) / (c * c)
        d_hi = y90 - y50 - mid * c
        b_hi = (s_hi - mid - 2.0 * d_hi / c) / (c * c)
        a_hi = (d_hi - b_hi * c**3) / (c * c)
        return (a_lo, b_lo), (a_hi, b_hi)

    def _ppf(self, q: FloatArray) -> FloatArray:
        y = self._spline(special.ndtri(q))
        return np.exp(y) if self.log else y

    def _score(self, y: FloatArray) -> FloatArray:
        """Normal score of (log-)value ``y``: the spline's inverse (bisection between knots)."""
        y10, _, y90 = self._knots
        s_lo, _, s_hi = self._slopes
        lo = np.full(y.shape, -_C)
        hi = np.full(y.shape, _C)
        for _ in range(_BISECTIONS):
            half = 0.5 * (lo + hi)
            below = self._spline(half) < y
            lo = np.where(below, half, lo)
            hi = np.where(below, hi, half)
        z = 0.5 * (lo + hi)
        z = np.where(y < y10, -_C + (y - y10) / s_lo, z)
        return np.where(y > y90, _C + (y - y90) / s_hi, z)

    def _cdf(self, x: FloatArray) -> FloatArray:
        if self.log:
            with np.errstate(divide="ignore"):
                y = np.log(np.maximum(x, 0.0))
        else:
            y = x
        return np.asarray(special.ndtr(self._score(np.asarray(y, dtype=np.float64))))

    @cached_property
    def _moments(self) -> tuple[float, float]:
        return moments_by_quadrature(self._ppf, breaks=(-_C, 0.0, _C))

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf) if self.log else (-math.inf, math.inf)

    def _params(self) -> str:
        tails = "lognormal tails" if self.log else "normal tails"
        return f"p10={fmt(self.p10)}, p50={fmt(self.p50)}, p90={fmt(self.p90)}, {tails}"
