"""Truncation a user asks for: ``{ lognormal = {p10 = 1, p90 = 9}, truncate = [0, 5] }``.

A distribution is never cut silently to fit an input's physical domain (the study loader
rejects one that leaves it); truncation happens only when the study says ``truncate``.
The mass outside ``[lo, hi]`` is removed and the rest renormalised:
``ppf(q) = base.ppf(F(lo) + q (F(hi) - F(lo)))``, so the stated quantiles of the base move
inwards. Only continuous families can be truncated (for a discrete one, leave the unwanted
values out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from distributions.base import (
    Distribution,
    FloatArray,
    QuadratureMoments,
    fmt,
    moments_by_quadrature,
)
from distributions.errors import DistributionError

#: Least probability the base must give [lo, hi] (below it the quantiles lose precision).
MIN_MASS = 1e-9


@dataclass(frozen=True)
class Truncated(QuadratureMoments, Distribution):
    """``base`` restricted to ``[lo, hi]`` (either end may be infinite), renormalised.

    Examples
    --------
    >>> from distributions import Lognormal
    >>> d = Truncated(Lognormal.from_quantiles(p10=1.0, p90=9.0), 0.0, 5.0)
    >>> d.support, round(float(d.ppf(1.0)), 12)
    ((0.0, 5.0), 5.0)
    >>> d.describe()
    'lognormal(90% in 0.7324 to 12.29) truncated to [0, 5]; mean 2.374'
    """

    base: Distribution
    lo: float = -math.inf
    hi: float = math.inf
    family = "truncated"
    _f_lo: float = field(init=False, repr=False, compare=False)
    _mass: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        what = f"truncate = [{fmt(self.lo)}, {fmt(self.hi)}]"
        if self.base.discrete:
            raise DistributionError(
                f"{what}: {self.base.family} is not continuous and cannot be truncated; leave "
                "out the values you do not want instead"
            )
        if not self.lo < self.hi:
            raise DistributionError(f"{what}: the lower bound must be below the upper one")
        try:
            f_lo, f_hi = (float(v) for v in self.base._cdf(np.array([self.lo, self.hi])))
        except NotImplementedError:
            raise DistributionError(
                f"{what}: {self.base.family} has no cdf, so it cannot be truncated"
            ) from None
        if f_hi - f_lo < MIN_MASS:
            raise DistributionError(
                f"{what} keeps almost none of {self.base.describe()} (probability "
                f"{f_hi - f_lo:.2g}); widen the bounds or restate the distribution"
            )
        object.__setattr__(self, "_f_lo", f_lo)
        object.__setattr__(self, "_mass", f_hi - f_lo)

    def _ppf(self, q: FloatArray) -> FloatArray:
        x = self.base._ppf(np.clip(self._f_lo + q * self._mass, 0.0, 1.0))
        lo, hi = self.support
        return np.clip(x, lo, hi)

    def _cdf(self, x: FloatArray) -> FloatArray:
        lo, hi = self.support
        f = self.base._cdf(np.clip(x, lo, hi))
        return np.clip((f - self._f_lo) / self._mass, 0.0, 1.0)

    @cached_property
    def _moments(self) -> tuple[float, float]:
        return moments_by_quadrature(self._ppf)

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self.base.support
        return (max(lo, float(self.lo)), min(hi, float(self.hi)))

    def _params(self) -> str:
        return self.base._params()

    def label(self) -> str:
        return f"{self.base.label()} truncated to [{fmt(self.lo)}, {fmt(self.hi)}]"
