"""Point masses and families with atoms: fixed, uniform_int, bernoulli, discrete, rounding.

Every quantity here is the generalised inverse of a step cdf, ``ppf(q) = min{x: F(x) >= q}``,
computed with ``searchsorted`` on the cumulative probabilities (no per-sample Python).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from distributions.base import (
    Distribution,
    FloatArray,
    QuadratureMoments,
    check_finite,
    fmt,
)
from distributions.errors import DistributionError

#: Whole numbers a rounded distribution tabulates exactly for its mean and variance.
_MAX_TABLE = 100_000


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

    def __post_init__(self) -> None:
        check_finite(self.family, value=self.value)

    @property
    def discrete(self) -> bool:
        return True

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

    def label(self) -> str:
        return f"fixed {fmt(float(self.value))}"

    def describe(self) -> str:
        return self.label()


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

    @property
    def integer(self) -> bool:
        return True

    @property
    def discrete(self) -> bool:
        return True

    def _ppf(self, q: FloatArray) -> FloatArray:
        # ceil(q * k) - 1 is the exact step inverse; floor(q * k) differs only on the
        # k - 1 probabilities i/k themselves and keeps q = 0 at lo
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import quantiles, steps_into

        return quantiles(steps_into, q, self.lo, self.hi - self.lo + 1, self.hi)

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import quantiles, steps_into

        quantiles(steps_into, q, self.lo, self.hi - self.lo + 1, self.hi, out=out)

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
class Bernoulli(Distribution):
    """1 with probability ``p``, else 0 (an event that happens or not).

    Examples
    --------
    >>> d = Bernoulli(0.3)
    >>> d.mean, d.ppf([0.5, 0.69, 0.71]).tolist()
    (0.3, [0.0, 0.0, 1.0])
    """

    p: float
    family = "bernoulli"

    def __post_init__(self) -> None:
        check_finite(self.family, p=self.p)
        if not 0.0 <= self.p <= 1.0:
            raise DistributionError(
                f"bernoulli: p={fmt(self.p)} must be a probability in [0, 1], e.g. 0.3 for 30%"
            )

    @property
    def integer(self) -> bool:
        return True

    @property
    def discrete(self) -> bool:
        return True

    @property
    def is_fixed(self) -> bool:
        return self.p in (0.0, 1.0)

    def _ppf(self, q: FloatArray) -> FloatArray:
        return (q > 1.0 - self.p).astype(np.float64)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.where(x < 0.0, 0.0, np.where(x < 1.0, 1.0 - self.p, 1.0))

    @property
    def mean(self) -> float:
        return float(self.p)

    @property
    def var(self) -> float:
        return float(self.p * (1.0 - self.p))

    @property
    def support(self) -> tuple[float, float]:
        if self.is_fixed:
            return (float(self.p), float(self.p))
        return (0.0, 1.0)

    def _params(self) -> str:
        return f"p={fmt(self.p)}"


@dataclass(frozen=True)
class Discrete(Distribution):
    """Given values with given weights (normalised to probabilities).

    Values are sorted, equal values merged and zero-weight values dropped, so two
    ``Discrete`` objects that describe the same distribution compare equal. Without
    ``weights`` every value is equally likely.

    Parameters
    ----------
    values : sequence of float
        The possible values.
    weights : sequence of float, optional
        Non-negative weights, one per value, with a positive sum.

    Examples
    --------
    >>> d = Discrete((1, 2, 5), (2, 5, 3))
    >>> d.probabilities, round(d.mean, 10)
    ((0.2, 0.5, 0.3), 2.7)
    >>> d.ppf([0.2, 0.21, 0.71]).tolist()
    [1.0, 2.0, 5.0]
    """

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None
    family = "discrete"
    _x: FloatArray = field(init=False, repr=False, compare=False)
    _cum: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        x, p = _normalise(self.values, self.weights)
        cum = np.cumsum(p)
        cum[-1] = 1.0
        object.__setattr__(self, "values", tuple(x.tolist()))
        object.__setattr__(self, "weights", tuple(p.tolist()))
        object.__setattr__(self, "_x", x)
        object.__setattr__(self, "_cum", cum)

    @property
    def probabilities(self) -> tuple[float, ...]:
        """Probability of each value (the normalised weights)."""
        assert self.weights is not None
        return self.weights

    @property
    def integer(self) -> bool:
        return bool(np.all(self._x == np.round(self._x)))

    @property
    def discrete(self) -> bool:
        return True

    @property
    def is_fixed(self) -> bool:
        return self._x.size == 1

    def _ppf(self, q: FloatArray) -> FloatArray:
        i = np.searchsorted(self._cum, q, side="left")
        return self._x[np.minimum(i, self._x.size - 1)]

    def _cdf(self, x: FloatArray) -> FloatArray:
        i = np.searchsorted(self._x, x, side="right")
        return np.where(i > 0, self._cum[np.maximum(i - 1, 0)], 0.0)

    @property
    def mean(self) -> float:
        return float(np.dot(self._x, self.probabilities))

    @property
    def var(self) -> float:
        return float(np.dot((self._x - self.mean) ** 2, self.probabilities))

    @property
    def support(self) -> tuple[float, float]:
        return (float(self._x[0]), float(self._x[-1]))

    def _params(self) -> str:
        pairs = [f"{fmt(v)}: {p:.3g}" for v, p in zip(self.values, self.probabilities,
                                                       strict=True)]
        if len(pairs) > 6:
            pairs = [*pairs[:3], f"… {len(pairs) - 5} more …", *pairs[-2:]]
        return ", ".join(pairs)


def _normalise(values: Sequence[float], weights: Sequence[float] | None
               ) -> tuple[FloatArray, FloatArray]:
    """Sorted distinct values with positive probabilities summing to 1; validates the input."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise DistributionError("discrete: values must be a list of numbers, e.g. [1, 2, 5]")
    if len(values) == 0:
        raise DistributionError("discrete: values is empty; give at least one value")
    for i, v in enumerate(values):
        check_finite("discrete", **{f"values[{i}]": v})
    if weights is None:
        weights = [1.0] * len(values)
    elif len(weights) != len(values):
        raise DistributionError(
            f"discrete: {len(values)} values but {len(weights)} weights; give one weight per "
            "value"
        )
    for i, w in enumerate(weights):
        check_finite("discrete", **{f"weights[{i}]": w})
        if w < 0:
            raise DistributionError(
                f"discrete: weights[{i}]={fmt(w)} is negative; weights must be >= 0"
            )
    wa = np.asarray(weights, dtype=np.float64)
    total = float(wa.sum())
    if not total > 0:
        raise DistributionError(
            "discrete: the weights sum to 0; give at least one positive weight (they are "
            "normalised, so [1, 3] means 25% and 75%)"
        )
    x, inverse = np.unique(np.asarray(values, dtype=np.float64), return_inverse=True)
    p = np.bincount(inverse.ravel(), weights=wa, minlength=x.size) / total
    keep = p > 0
    return x[keep], p[keep] / p[keep].sum()


@dataclass(frozen=True)
class Rounded(QuadratureMoments, Distribution):
    """A continuous distribution rounded to the nearest whole number (for counts).

    Used when a study gives, say, ``training_runs = { pert = [5, 8, 15] }``: a run count is
    a whole number, so each draw is rounded half to even (``numpy.rint``). The mean and
    variance are exact sums over the whole numbers the draws can take (when there are at
    most 100,000 of them; beyond that, the base's, with Sheppard's correction).

    Examples
    --------
    >>> from distributions import Uniform
    >>> Rounded(Uniform(0.5, 3.5)).mean
    2.0
    """

    base: Distribution
    family = "rounded"

    @property
    def integer(self) -> bool:
        return True

    @property
    def discrete(self) -> bool:
        return True

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.rint(self.base._ppf(q))

    def _cdf(self, x: FloatArray) -> FloatArray:
        # P(rint(X) <= x) = P(X < floor(x) + 0.5) for continuous X
        return self.base._cdf(np.floor(x) + 0.5)

    def _pmf(self) -> tuple[FloatArray, FloatArray] | None:
        lo, hi = self.draw_range
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > _MAX_TABLE:
            return None
        k = np.arange(lo, hi + 1)
        cdf = self.base._cdf(k + 0.5)
        prev = self.base._cdf(k - 0.5)
        p = np.clip(cdf - prev, 0.0, 1.0)
        return k, p / p.sum()

    @cached_property
    def _moments(self) -> tuple[float, float]:
        pmf = self._pmf()
        if pmf is None:
            return self.base.mean, self.base.var + 1.0 / 12.0
        k, p = pmf
        m = float(np.dot(k, p))
        return m, float(np.dot((k - m) ** 2, p))

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self.base.support
        return (float(np.rint(lo)), float(np.rint(hi)))

    def _params(self) -> str:
        return self.base._params()

    def label(self) -> str:
        return f"{self.base.label()} rounded to whole numbers"
