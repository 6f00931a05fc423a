"""The base class every distribution family derives from.

A distribution is an immutable value. Families implement ``_ppf`` (vectorized, on
probabilities strictly inside (0, 1) or at the ends) and their analytic moments; the base
class validates arguments, draws samples through the quantile function so that Monte
Carlo, Latin hypercube and Sobol plans share one path, and formats descriptions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distributions.errors import DistributionError

FloatArray = NDArray[np.float64]
SeedLike = int | np.random.Generator | np.random.SeedSequence | None
#: Sampling plans keep uniforms inside [TINY, 1 - TINY] (the ppf is never asked for 0 or 1).
TINY = 2.0**-54


def fmt(x: float) -> str:
    """Format a parameter compactly for a one-line description (``1200``, ``0.05``, ``1.5e+06``).

    Examples
    --------
    >>> fmt(1200.0), fmt(0.05), fmt(2_500_000.0)
    ('1200', '0.05', '2.5e+06')
    """
    if x == float("inf"):
        return "inf"
    if x == float("-inf"):
        return "-inf"
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-4):
        return f"{x:.3g}"
    return f"{x:.6g}"


@dataclass(frozen=True)
class Distribution(ABC):
    """An immutable univariate distribution with a vectorized quantile function.

    Subclasses set ``family`` and implement ``_ppf``, ``mean``, ``var``, ``support`` and
    ``_params``; ``cdf`` where a closed form exists.
    """

    family: ClassVar[str] = "distribution"
    #: True when every draw is a whole number.
    integer: ClassVar[bool] = False
    #: True when single values carry probability mass (so a support end may occur).
    discrete: ClassVar[bool] = False

    # -- to implement -------------------------------------------------------------
    @abstractmethod
    def _ppf(self, q: FloatArray) -> FloatArray:
        """Quantile function on validated probabilities."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """Expected value."""

    @property
    @abstractmethod
    def var(self) -> float:
        """Variance."""

    @property
    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible value (may be infinite)."""

    @abstractmethod
    def _params(self) -> str:
        """Parameters as ``name=value`` text for :meth:`describe`."""

    def _cdf(self, x: FloatArray) -> FloatArray:
        raise NotImplementedError(f"{self.family} has no closed-form cdf")

    # -- public API ---------------------------------------------------------------
    def ppf(self, q: ArrayLike) -> FloatArray:
        """Quantile function (inverse cdf), vectorized over ``q``.

        Parameters
        ----------
        q : array_like
            Probabilities in [0, 1].

        Returns
        -------
        numpy.ndarray
            The values below which a fraction ``q`` of the mass lies.

        Raises
        ------
        ValueError
            If any ``q`` lies outside [0, 1] or is NaN.

        Examples
        --------
        >>> from distributions import Uniform
        >>> Uniform(2.0, 4.0).ppf([0.0, 0.5, 1.0]).tolist()
        [2.0, 3.0, 4.0]
        """
        qa = np.asarray(q, dtype=np.float64)
        if not np.all((qa >= 0.0) & (qa <= 1.0)):
            raise ValueError(f"{self.family}.ppf: probabilities must lie in [0, 1]")
        return self._ppf(qa)

    def quantile(self, q: ArrayLike) -> FloatArray:
        """Alias of :meth:`ppf`, named for how people ask ("the 90th percentile")."""
        return self.ppf(q)

    def cdf(self, x: ArrayLike) -> FloatArray:
        """Cumulative distribution function P(X <= x), vectorized.

        Examples
        --------
        >>> from distributions import Uniform
        >>> float(Uniform(0.0, 4.0).cdf(1.0))
        0.25
        """
        return self._cdf(np.asarray(x, dtype=np.float64))

    @property
    def median(self) -> float:
        """The 50% quantile."""
        return float(self._ppf(np.array([0.5]))[0])

    @property
    def sd(self) -> float:
        """Standard deviation."""
        return float(np.sqrt(self.var))

    @property
    def draw_range(self) -> tuple[float, float]:
        """Smallest and largest value a sampling plan can draw: ``ppf(TINY)``, ``ppf(1 - TINY)``.

        Narrower than :attr:`support` for unbounded families (a normal draws within about
        8.1 sd of its mean), so a quantity whose support is infinite can still be known to
        stay inside its physical domain.
        """
        lo, hi = self._ppf(np.array([TINY, 1.0 - TINY]))
        return (float(lo), float(hi))

    @property
    def is_fixed(self) -> bool:
        """True for a point mass (an input that is not uncertain)."""
        return False

    def sample(self, n: int, *, rng: SeedLike = None) -> FloatArray:
        """Draw ``n`` values by inverting uniforms: ``ppf(rng.random(n))``.

        Parameters
        ----------
        n : int
            Number of draws.
        rng : numpy.random.Generator, SeedSequence, int or None
            Source of randomness, normalised with ``numpy.random.default_rng``.

        Examples
        --------
        >>> import numpy as np
        >>> from distributions import Triangular
        >>> x = Triangular(1.0, 2.0, 4.0).sample(5, rng=np.random.default_rng(0))
        >>> bool(((x >= 1.0) & (x <= 4.0)).all())
        True
        """
        if n < 0:
            raise ValueError(f"sample: n={n} must be >= 0")
        gen = np.random.default_rng(rng)
        return self._ppf(gen.random(n))

    def describe(self) -> str:
        """One line: family, parameters and mean, e.g. ``pert(min=76, mode=120, max=188); mean 124``.

        Examples
        --------
        >>> from distributions import Uniform
        >>> Uniform(0.2, 0.6).describe()
        'uniform(lo=0.2, hi=0.6); mean 0.4'
        """
        return f"{self.family}({self._params()}); mean {fmt(self.mean)}"

    def __str__(self) -> str:
        return self.describe()


def check_finite(family: str, **values: float) -> None:
    """Raise a :class:`DistributionError` naming the first parameter that is not a finite number."""
    for name, value in values.items():
        if not isinstance(value, int | float | np.integer | np.floating) or isinstance(value, bool):
            raise DistributionError(f"{family}: {name}={value!r} must be a number")
        if not np.isfinite(value):
            raise DistributionError(f"{family}: {name}={value} must be finite")
