"""Continuous families: uniform, triangular, PERT, normal (optionally truncated), lognormal, beta.

Each constructor validates its parameters and raises a :class:`DistributionError` whose
message says what is wrong and how to fix it. Alternative ways people state a belief
(``p10``/``p90``, ``mean``/``sd``, a 90% interval) are classmethods that spell out the
parameterisation they use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import special

from distributions.base import Distribution, FloatArray, check_finite, fmt
from distributions.errors import DistributionError
from distributions.fastppf import HermitePPF

#: z such that Phi(z) = 0.9: the 10%/90% quantiles sit at mu -/+ Z90 * sigma.
Z90 = float(special.ndtri(0.9))
#: z such that Phi(z) = 0.95: a 90% interval "a to b" leaves 5% on each side.
Z95 = float(special.ndtri(0.95))


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [lo, hi].

    Examples
    --------
    >>> Uniform(0.2, 0.6).mean
    0.4
    """

    lo: float
    hi: float
    family = "uniform"

    def __post_init__(self) -> None:
        check_finite(self.family, lo=self.lo, hi=self.hi)
        if not self.lo < self.hi:
            raise DistributionError(
                f"uniform: lo={fmt(self.lo)} must be below hi={fmt(self.hi)}; "
                "for a known value write the number itself"
            )

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.lo + q * (self.hi - self.lo)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return np.clip((x - self.lo) / (self.hi - self.lo), 0.0, 1.0)

    @property
    def mean(self) -> float:
        return 0.5 * (self.lo + self.hi)

    @property
    def var(self) -> float:
        return (self.hi - self.lo) ** 2 / 12.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        return f"lo={fmt(self.lo)}, hi={fmt(self.hi)}"


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [lo, hi] with its peak at ``mode``.

    Examples
    --------
    >>> Triangular(0.0, 1.0, 2.0).median
    1.0
    """

    lo: float
    mode: float
    hi: float
    family = "triangular"

    def __post_init__(self) -> None:
        _check_min_mode_max(self.family, self.lo, self.mode, self.hi)

    @property
    def _fc(self) -> float:
        return (self.mode - self.lo) / (self.hi - self.lo)

    def _ppf(self, q: FloatArray) -> FloatArray:
        lo, mode, hi, fc = self.lo, self.mode, self.hi, self._fc
        left = lo + np.sqrt(q * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1.0 - q) * (hi - lo) * (hi - mode))
        return np.where(q < fc, left, right)

    def _cdf(self, x: FloatArray) -> FloatArray:
        lo, mode, hi = self.lo, self.mode, self.hi
        xc = np.clip(x, lo, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = (xc - lo) ** 2 / ((hi - lo) * (mode - lo))
            right = 1.0 - (hi - xc) ** 2 / ((hi - lo) * (hi - mode))
        return np.where(xc <= mode, np.nan_to_num(left), np.nan_to_num(right, nan=1.0))

    @property
    def mean(self) -> float:
        return (self.lo + self.mode + self.hi) / 3.0

    @property
    def var(self) -> float:
        a, c, b = self.lo, self.mode, self.hi
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        return f"min={fmt(self.lo)}, mode={fmt(self.mode)}, max={fmt(self.hi)}"


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta(a, b) scaled to [lo, hi] (default [0, 1]); ``from_mean_sd`` for rates.

    Examples
    --------
    >>> d = Beta.from_mean_sd(0.05, 0.01)
    >>> round(d.mean, 12), round(d.sd, 12)
    (0.05, 0.01)
    """

    a: float
    b: float
    lo: float = 0.0
    hi: float = 1.0
    family = "beta"
    _fast: HermitePPF = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_finite(self.family, a=self.a, b=self.b, lo=self.lo, hi=self.hi)
        if self.a <= 0 or self.b <= 0:
            raise DistributionError(
                f"beta: shape parameters a={fmt(self.a)}, b={fmt(self.b)} must both be > 0"
            )
        if not self.lo < self.hi:
            raise DistributionError(f"beta: lo={fmt(self.lo)} must be below hi={fmt(self.hi)}")
        a, b = float(self.a), float(self.b)
        fast = HermitePPF(
            lambda q: special.betaincinv(a, b, q),
            lambda x: (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - special.betaln(a, b),
        )
        object.__setattr__(self, "_fast", fast)

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float, lo: float = 0.0, hi: float = 1.0) -> Beta:
        """Beta on [lo, hi] with the given mean and standard deviation (method of moments).

        Raises
        ------
        DistributionError
            If the mean is not strictly inside (lo, hi) or the sd is too large for that mean.
        """
        check_finite("beta", mean=mean, sd=sd)
        if not lo < mean < hi:
            raise DistributionError(
                f"beta: mean={fmt(mean)} must lie strictly between {fmt(lo)} and {fmt(hi)}"
            )
        if sd <= 0:
            raise DistributionError(
                f"beta: sd={fmt(sd)} must be > 0; for a known rate write the number itself"
            )
        m = (mean - lo) / (hi - lo)
        s = sd / (hi - lo)
        limit = math.sqrt(m * (1 - m))
        if s >= limit:
            raise DistributionError(
                f"beta: sd={fmt(sd)} is too large for a beta with mean={fmt(mean)}: it must be "
                f"below {fmt(limit * (hi - lo))} (sqrt(mean*(1-mean))); lower the sd"
            )
        k = m * (1 - m) / (s * s) - 1.0
        return cls(m * k, (1 - m) * k, lo, hi)

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self.lo + (self.hi - self.lo) * self._fast(q)

    def _cdf(self, x: FloatArray) -> FloatArray:
        u = np.clip((x - self.lo) / (self.hi - self.lo), 0.0, 1.0)
        return np.asarray(special.betainc(self.a, self.b, u), dtype=np.float64)

    @property
    def mean(self) -> float:
        return self.lo + (self.hi - self.lo) * self.a / (self.a + self.b)

    @property
    def var(self) -> float:
        a, b = self.a, self.b
        return (self.hi - self.lo) ** 2 * a * b / ((a + b) ** 2 * (a + b + 1))

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        scaled = "" if (self.lo, self.hi) == (0.0, 1.0) else f", lo={fmt(self.lo)}, hi={fmt(self.hi)}"
        return f"a={self.a:.4g}, b={self.b:.4g}{scaled}"


@dataclass(frozen=True)
class Pert(Distribution):
    """Beta-PERT on [lo, hi] with most likely value ``mode`` and weight ``lam`` (default 4).

    The shape parameters are ``1 + lam*(mode-lo)/(hi-lo)`` and ``1 + lam*(hi-mode)/(hi-lo)``,
    so the mean is ``(lo + lam*mode + hi) / (lam + 2)``.

    Examples
    --------
    >>> Pert(76, 120, 188).mean
    124.0
    """

    lo: float
    mode: float
    hi: float
    lam: float = 4.0
    family = "pert"

    def __post_init__(self) -> None:
        _check_min_mode_max(self.family, self.lo, self.mode, self.hi)
        check_finite(self.family, **{"lambda": self.lam})
        if self.lam <= 0:
            raise DistributionError(f"pert: lambda={fmt(self.lam)} must be > 0 (4 is the usual)")

    @cached_property
    def _beta(self) -> Beta:
        r = self.hi - self.lo
        a = 1.0 + self.lam * (self.mode - self.lo) / r
        b = 1.0 + self.lam * (self.hi - self.mode) / r
        return Beta(a, b, float(self.lo), float(self.hi))

    def _ppf(self, q: FloatArray) -> FloatArray:
        return self._beta._ppf(q)

    def _cdf(self, x: FloatArray) -> FloatArray:
        return self._beta._cdf(x)

    @property
    def mean(self) -> float:
        return (self.lo + self.lam * self.mode + self.hi) / (self.lam + 2.0)

    @property
    def var(self) -> float:
        return self._beta.var

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        lam = "" if self.lam == 4.0 else f", lambda={fmt(self.lam)}"
        return f"min={fmt(self.lo)}, mode={fmt(self.mode)}, max={fmt(self.hi)}{lam}"


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal(mean, sd), optionally truncated to [lo, hi] (the mass outside is renormalised).

    ``mean`` and ``sd`` are those of the untruncated normal; :attr:`mean` is the truncated
    distribution's own mean.

    Examples
    --------
    >>> Normal(0.02, 0.02).median
    0.02
    >>> round(Normal(0.0, 1.0, lo=0.0).mean, 6)  # half-normal: sqrt(2/pi)
    0.797885
    """

    mu: float
    sigma: float
    lo: float = -math.inf
    hi: float = math.inf
    family = "normal"

    def __post_init__(self) -> None:
        check_finite(self.family, mean=self.mu, sd=self.sigma)
        if self.sigma <= 0:
            raise DistributionError(
                f"normal: sd={fmt(self.sigma)} must be > 0; for a known value write the number"
            )
        if not self.lo < self.hi:
            raise DistributionError(f"normal: min={fmt(self.lo)} must be below max={fmt(self.hi)}")
        if self._mass < 1e-12:
            raise DistributionError(
                f"normal: [min={fmt(self.lo)}, max={fmt(self.hi)}] holds almost none of the mass "
                f"of a normal with mean={fmt(self.mu)}, sd={fmt(self.sigma)}; widen the bounds"
            )

    @property
    def _ab(self) -> tuple[float, float]:
        return ((self.lo - self.mu) / self.sigma, (self.hi - self.mu) / self.sigma)

    @property
    def _mass(self) -> float:
        a, b = self._ab
        # use the tail on the side where it is accurate
        if a > 0:
            return float(special.ndtr(-a) - special.ndtr(-b))
        return float(special.ndtr(b) - special.ndtr(a))

    @property
    def truncated(self) -> bool:
        """True when either bound is finite."""
        return math.isfinite(self.lo) or math.isfinite(self.hi)

    def _ppf(self, q: FloatArray) -> FloatArray:
        if not self.truncated:
            return self.mu + self.sigma * special.ndtri(q)
        a, b = self._ab
        if a > 0:  # both bounds in the upper tail: work with survival functions
            sa, sb = special.ndtr(-a), special.ndtr(-b)
            z = -special.ndtri(sa - q * (sa - sb))
        else:
            fa, fb = special.ndtr(a), special.ndtr(b)
            z = special.ndtri(fa + q * (fb - fa))
        return np.clip(self.mu + self.sigma * z, self.lo, self.hi)

    def _cdf(self, x: FloatArray) -> FloatArray:
        z = (np.clip(x, self.lo, self.hi) - self.mu) / self.sigma
        a, _ = self._ab
        fa = special.ndtr(a)
        return np.clip((special.ndtr(z) - fa) / self._mass, 0.0, 1.0)

    def _pdf_edges(self) -> tuple[float, float, float, float]:
        a, b = self._ab
        pa = float(np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)) if math.isfinite(a) else 0.0
        pb = float(np.exp(-0.5 * b * b) / math.sqrt(2 * math.pi)) if math.isfinite(b) else 0.0
        return a, b, pa, pb

    @property
    def mean(self) -> float:
        a, b, pa, pb = self._pdf_edges()
        return self.mu + self.sigma * (pa - pb) / self._mass

    @property
    def var(self) -> float:
        a, b, pa, pb = self._pdf_edges()
        z = self._mass
        ta = a * pa if math.isfinite(a) else 0.0
        tb = b * pb if math.isfinite(b) else 0.0
        return self.sigma**2 * (1 + (ta - tb) / z - ((pa - pb) / z) ** 2)

    @property
    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def _params(self) -> str:
        bounds = ""
        if math.isfinite(self.lo):
            bounds += f", min={fmt(self.lo)}"
        if math.isfinite(self.hi):
            bounds += f", max={fmt(self.hi)}"
        return f"mean={fmt(self.mu)}, sd={fmt(self.sigma)}{bounds}"

    @classmethod
    def from_interval(cls, lo: float, hi: float, mass: float = 0.9) -> Normal:
        """Normal whose central ``mass`` interval is [lo, hi] (``"a to b"`` with a <= 0)."""
        check_finite("normal", lo=lo, hi=hi)
        if not lo < hi:
            raise DistributionError(
                f"normal: interval '{fmt(lo)} to {fmt(hi)}' must have its lower value first"
            )
        z = float(special.ndtri(0.5 + mass / 2))
        return cls(0.5 * (lo + hi), (hi - lo) / (2 * z))


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal: ``log X`` is Normal(mu, sigma).

    Constructors for the ways people state a positive quantity: a 90% interval
    (``from_interval``: 5% below ``lo``, 5% above ``hi``), ``from_quantiles(p10=, p90=)``
    (10% below p10, 10% above p90), ``from_median_p90`` and ``from_mean_sd``.

    Examples
    --------
    >>> d = Lognormal.from_interval(3000, 8000)
    >>> [round(float(v)) for v in d.ppf([0.05, 0.95])]
    [3000, 8000]
    """

    mu: float
    sigma: float
    family = "lognormal"

    def __post_init__(self) -> None:
        check_finite(self.family, mu=self.mu, sigma=self.sigma)
        if self.sigma <= 0:
            raise DistributionError(f"lognormal: sigma={fmt(self.sigma)} must be > 0")

    @classmethod
    def from_interval(cls, lo: float, hi: float, mass: float = 0.9) -> Lognormal:
        """Lognormal whose central ``mass`` interval is [lo, hi] (``"a to b"``: 90%)."""
        check_finite("lognormal", lo=lo, hi=hi)
        if lo <= 0:
            raise DistributionError(
                f"lognormal: interval '{fmt(lo)} to {fmt(hi)}' needs a lower value > 0"
            )
        if not lo < hi:
            raise DistributionError(
                f"lognormal: interval '{fmt(lo)} to {fmt(hi)}' must have its lower value first"
            )
        z = float(special.ndtri(0.5 + mass / 2))
        return cls(0.5 * (math.log(lo) + math.log(hi)), (math.log(hi) - math.log(lo)) / (2 * z))

    @classmethod
    def from_quantiles(cls, *, p10: float, p90: float) -> Lognormal:
        """Lognormal with 10% of its mass below ``p10`` and 10% above ``p90``."""
        check_finite("lognormal", p10=p10, p90=p90)
        if p10 <= 0 or p90 <= 0:
            raise DistributionError(
                f"lognormal: p10={fmt(p10)} and p90={fmt(p90)} must both be > 0; "
                "use normal for quantities that can be negative"
            )
        if not p10 < p90:
            raise DistributionError(
                f"lognormal: p10={fmt(p10)} must be below p90={fmt(p90)}; swap them or check "
                "the units"
            )
        return cls(
            0.5 * (math.log(p10) + math.log(p90)), (math.log(p90) - math.log(p10)) / (2 * Z90)
        )

    @classmethod
    def from_median_p90(cls, *, median: float, p90: float) -> Lognormal:
        """Lognormal with the given median and 90% quantile."""
        check_finite("lognormal", median=median, p90=p90)
        if median <= 0:
            raise DistributionError(f"lognormal: median={fmt(median)} must be > 0")
        if not median < p90:
            raise DistributionError(
                f"lognormal: median={fmt(median)} must be below p90={fmt(p90)}"
            )
        return cls(math.log(median), (math.log(p90) - math.log(median)) / Z90)

    @classmethod
    def from_mean_sd(cls, *, mean: float, sd: float) -> Lognormal:
        """Lognormal with the given mean and standard deviation."""
        check_finite("lognormal", mean=mean, sd=sd)
        if mean <= 0 or sd <= 0:
            raise DistributionError(
                f"lognormal: mean={fmt(mean)} and sd={fmt(sd)} must both be > 0"
            )
        s2 = math.log1p((sd / mean) ** 2)
        return cls(math.log(mean) - 0.5 * s2, math.sqrt(s2))

    def _ppf(self, q: FloatArray) -> FloatArray:
        return np.exp(self.mu + self.sigma * special.ndtri(q))

    def _cdf(self, x: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(x, 0.0)) - self.mu) / self.sigma
        return np.asarray(special.ndtr(z), dtype=np.float64)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + 0.5 * self.sigma**2)

    @property
    def var(self) -> float:
        return math.expm1(self.sigma**2) * math.exp(2 * self.mu + self.sigma**2)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def _params(self) -> str:
        p5, p95 = self._ppf(np.array([0.05, 0.95]))
        return f"90% in {fmt(float(p5))} to {fmt(float(p95))}"


def _check_min_mode_max(family: str, lo: float, mode: float, hi: float) -> None:
    check_finite(family, min=lo, mode=mode, max=hi)
    if not lo < hi:
        raise DistributionError(
            f"{family}: min={fmt(lo)} must be below max={fmt(hi)}; write [min, mode, max]"
        )
    if not lo <= mode <= hi:
        raise DistributionError(
            f"{family}: mode={fmt(mode)} must lie between min={fmt(lo)} and max={fmt(hi)}; "
            "write [min, mode, max]"
        )
