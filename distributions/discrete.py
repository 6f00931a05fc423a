"""Point masses and whole-number families: fixed, uniform_int, and rounding for counts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from distributions.base import Distribution, FloatArray, check_finite, fmt
from distributions.errors import DistributionError


@dataclass(frozen=True)
class Fixed(Distribution):
    """A known value (a point mass).

    Examples
    --------
    >>> Fixed(150.0).ppf([0.1, 0.9]).tolist()
    [150.0, 150.0]
    """

    value: float
    family = "fixed"
    discrete = True

    def __post_init__(self) -> None:
        check_finite("value", value=self.value)

    @property
    def is_fixed(self) -> bool:
        return True

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.full(np.shape(q), float(self.value))

    def _cdf(self, x: FloatArray) -> FloatArray:
        return (x >= self.value).astype(np.float64)

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def var(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return (float(self.value), float(self.value))

    def _params(self) -> str:
        return fmt(float(self.value))

    def describe(self) -> str:
        return f"fixed {fmt(float(self.value))}"


@dataclass(frozen=True)
class UniformInt(Distribution):
    """Every whole number from ``lo`` to ``hi`` (both included) equally likely.

    Examples
    --------
    >>> UniformInt(5, 15).mean
    10.0
    >>> UniformInt(1, 3).ppf([0.0, 0.34, 0.99]).tolist()
    [1.0, 2.0, 3.0]
    """

    lo: int
    hi: int
    family = "uniform_int"
    integer = True
    discrete = True

    def __post_init__(self) -> None:
        check_finite(self.family, lo=self.lo, hi=self.hi)
        if self.lo != int(self.lo) or self.hi != int(self.hi):
            raise DistributionError(
                f"uniform_int: bounds [{self.lo}, {self.hi}] must be whole numbers; "
                "use uniform for a continuous range"
            )
        if not self.lo < self.hi:
            raise DistributionError(
                f"uniform_int: lo={fmt(self.lo)} must be below hi={fmt(self.hi)}; "
                "for a known value write the number itself"
            )

    def _ppf(self, q: FloatArray) -> FloatArray:
        k = np.floor(q * (self.hi - self.lo + 1))
        return np.minimum(self.lo + k, float(self.hi))

    def _cdf(self, x: FloatArray) -> FloatArray:
        k = np.floor(x) - self.lo + 1
        return np.clip(k / (self.hi - self.lo + 1), 0.0, 1.0)

    @property
    def mean(self) -> float:
        return 0.5 * (self.lo + self.hi)

    @property
    def var(self) -> float:
        return ((self.hi - self.lo + 1) ** 2 - 1) / 12.0

    @property
    def support(self) -> tuple[float, float]:
        return (float(self.lo), float(self.hi))

    def _params(self) -> str:
        return f"lo={int(self.lo)}, hi={int(self.hi)}"


@dataclass(frozen=True)
class Rounded(Distribution):
    """A continuous distribution rounded to the nearest whole number (for counts).

    Used when a study gives, say, ``training_runs = { pert = [5, 8, 15] }``: a run count is
    a whole number, so each draw is rounded half to even (``numpy.rint``).

    Examples
    --------
    >>> from distributions import Uniform
    >>> Rounded(Uniform(0.5, 3.5)).mean
    2.0
    """

    base: Distribution
    family = "rounded"
    integer = True
    discrete = True

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.rint(self.base._ppf(q))

    def _cdf(self, x: FloatArray) -> FloatArray:
        # P(rint(X) <= x) = P(X < floor(x) + 0.5) for continuous X
        return self.base._cdf(np.floor(x) + 0.5)

    def _pmf(self) -> tuple[FloatArray, FloatArray]:
        lo, hi = self.support
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > 1e5:
            raise DistributionError(
                f"rounded: {self.base.describe()} spans too many whole numbers to tabulate; "
                "give bounds"
            )
        k = np.arange(lo, hi + 1)
        cdf = self.base._cdf(k + 0.5)
        prev = self.base._cdf(k - 0.5)
        return k, np.clip(cdf - prev, 0.0, 1.0)

    @property
    def mean(self) -> float:
        k, p = self._pmf()
        return float(np.dot(k, p) / p.sum())

    @property
    def var(self) -> float:
        k, p = self._pmf()
        m = np.dot(k, p) / p.sum()
        return float(np.dot((k - m) ** 2, p) / p.sum())

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self.base.support
        return (float(np.rint(lo)), float(np.rint(hi)))

    def _params(self) -> str:
        return self.base.describe().split(";")[0]

    def describe(self) -> str:
        return f"{self.base.describe().split(';')[0]} rounded to whole numbers; mean {fmt(self.mean)}"
