"""The base class every distribution family derives from.

A distribution is an immutable value. Families implement ``_ppf`` (vectorized, on
probabilities strictly inside (0, 1) or at the ends) and their moments (analytic where a
closed form exists, else by quadrature with :func:`moments_by_quadrature`); the base class
validates arguments, draws samples through the quantile function so that Monte Carlo,
Latin hypercube and Sobol plans share one path, and formats descriptions.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distributions import special
from distributions.errors import DistributionError

FloatArray = NDArray[np.float64]
SeedLike = int | np.random.Generator | np.random.SeedSequence | None
#: Sampling plans keep uniforms inside [TINY, 1 - TINY] (the ppf is never asked for 0 or 1).
#: 2**-53 is the spacing of doubles just below 1, so ``1 - TINY`` is exactly representable
#: (``1 - 2**-54`` would round to 1.0, where an unbounded quantile function is infinite).
TINY = 2.0**-53
#: Normal scores of the smallest and largest uniform a sampling plan can produce.
#: (``scipy.special.ndtri`` of ``TINY`` and ``1 - TINY``, written out: a test checks them.)
Z_LO = -8.209536151601387
Z_HI = 8.209536151601387


def fmt_short(x: float, digits: int = 4) -> str:
    """Like :func:`fmt` with ``digits`` significant digits (for derived figures).

    Examples
    --------
    >>> fmt_short(12.28853), fmt_short(0.7323912), fmt_short(3000.0000001)
    ('12.29', '0.7324', '3000')
    """
    return fmt(float(f"{x:.{digits}g}"))


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
    ``_params``; ``_cdf`` where it can be computed. Families with whole-number or atomic
    draws override :attr:`integer` and :attr:`discrete`.
    """

    family: ClassVar[str] = "distribution"

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

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        """``out[:] = _ppf(q)`` for 1-d ``q`` and a contiguous ``out`` of its size (not q):
        families with a compiled quantile function write there directly, with no array
        of their own (a sampling plan's chunk fills one block this way)."""
        out[:] = self._ppf(q)

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
        """Alias of :meth:`ppf`, named for how people ask ("the 90th percentile").

        Examples
        --------
        >>> from distributions import Uniform
        >>> Uniform(0.0, 10.0).quantile([0.1, 0.9]).tolist()
        [1.0, 9.0]
        """
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
    def integer(self) -> bool:
        """True when every draw is a whole number."""
        return False

    @property
    def discrete(self) -> bool:
        """True when single values carry probability mass (so a support end may occur)."""
        return False

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

        Examples
        --------
        >>> from distributions import Normal
        >>> [round(v, 2) for v in Normal(0.0, 1.0).draw_range]
        [-8.21, 8.21]
        """
        # a family whose parameters are finite can still reach beyond the largest double
        # here (sd = 1e308): that is an infinite end, for the caller to refuse, not a warning
        with np.errstate(over="ignore", invalid="ignore"):
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
        """Family, parameters and mean on one line, e.g.

         ``pert(min=76, mode=120, max=188); mean 124``.

        Examples
        --------
        >>> from distributions import Uniform
        >>> Uniform(0.2, 0.6).describe()
        'uniform(lo=0.2, hi=0.6); mean 0.4'
        """
        return f"{self.label()}; mean {fmt_short(self.mean)}"

    def label(self) -> str:
        """Family and parameters, e.g. ``pert(min=76, mode=120, max=188)``.

        Examples
        --------
        >>> from distributions import Uniform
        >>> Uniform(0.2, 0.6).label()
        'uniform(lo=0.2, hi=0.6)'
        """
        return f"{self.family}({self._params()})"

    def __str__(self) -> str:
        return self.describe()


def moments_by_quadrature(
    ppf: Callable[[FloatArray], FloatArray], breaks: Sequence[float] = ()
) -> tuple[float, float]:
    """Mean and variance of ``ppf(U)`` as sampled, by Gauss–Legendre quadrature in normal scores.

    Integrates ``x(z) = ppf(Phi(z))`` against the standard normal density over the scores a
    sampling plan can produce (``Z_LO`` to ``Z_HI``), so the moments are those of the
    draws themselves (a quantile function that is infinite at 0 or 1 is never evaluated
    there). The range is cut at ``breaks`` (scores where ``x(z)`` has a kink) and into
    panels of width 1/32 with 8 nodes each: one vectorized call of ``ppf`` on ~4,200
    points, exact to about 1e-12 for a smooth ``x(z)``. (The lognormal's variance below
    differs from ``e(e-1)`` by the 2e-9 that lies beyond the largest score drawn.)

    Examples
    --------
    >>> import numpy as np
    >>> m, v = moments_by_quadrature(lambda q: np.exp(special.ndtri(q)))  # lognormal(0, 1)
    >>> bool(abs(m - np.exp(0.5)) < 1e-11), bool(abs(v - np.e * (np.e - 1)) < 1e-8)
    (True, True)
    """
    pts = sorted({Z_LO, *(float(b) for b in breaks if Z_LO < b < Z_HI), Z_HI})
    edges = np.concatenate([
        np.linspace(a, b, max(1, int(np.ceil((b - a) * 32))) + 1)[:-1]
        for a, b in itertools.pairwise(pts)
    ] + [np.array([Z_HI])])
    half = 0.5 * np.diff(edges)
    z = (edges[:-1] + half)[:, None] + half[:, None] * _GL_NODES[None, :]
    w = (half[:, None] * _GL_WEIGHTS[None, :]).ravel() * np.exp(-0.5 * z.ravel() ** 2)
    w /= w.sum()
    x = ppf(np.clip(special.ndtr(z.ravel()), TINY, 1.0 - TINY))
    mean = float(np.dot(w, x))
    return mean, float(np.dot(w, (x - mean) ** 2))


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)


class QuadratureMoments:
    """Mixin: ``mean`` and ``var`` from a cached ``_moments`` (mean, variance) pair, for
    families whose moments are computed numerically. List it before
    :class:`Distribution`."""

    @property
    def _moments(self) -> tuple[float, float]:
        raise NotImplementedError  # a cached_property in each family

    @property
    def mean(self) -> float:
        """Expected value."""
        return self._moments[0]

    @property
    def var(self) -> float:
        """Variance."""
        return self._moments[1]


def check_finite(family: str, **values: float) -> None:
    """Raise a :class:`DistributionError` naming the first parameter that is not a finite number."""
    for name, value in values.items():
        if not isinstance(value, int | float | np.integer | np.floating) or isinstance(value, bool):
            raise DistributionError(f"{family}: {name}={value!r} must be a number")
        if not np.isfinite(value):
            raise DistributionError(f"{family}: {name}={value} must be finite")
