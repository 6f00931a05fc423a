"""Normal (optionally truncated) and lognormal, with the constructors people state beliefs in.

Conventions (tested in ``tests/distributions_tests/test_families.py``):

- ``from_interval(lo, hi)`` — the ``"a to b"`` form — is a *90% interval*: 5% of the mass
  below ``lo`` and 5% above ``hi``;
- ``from_quantiles(p10=, p90=)`` puts 10% below ``p10`` and 10% above ``p90``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from distributions import special
from distributions.base import Distribution, FloatArray, check_finite, fmt, fmt_short
from distributions.errors import DistributionError

#: z such that Phi(z) = 0.9: the 10%/90% quantiles sit at mu -/+ Z90 * sigma
#: (``scipy.special.ndtri(0.9)``, written out so that reading a study needs no scipy.special;
#: a test checks it, and Z95).
Z90 = 1.2815515655446004
#: z such that Phi(z) = 0.95: a 90% interval "a to b" leaves 5% on each side.
Z95 = 1.6448536269514722


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
        if not self.truncated:
            return 1.0  # what ndtr(inf) - ndtr(-inf) gives, without importing scipy.special
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
            # compiled kernels (distributions.compiled): imported once something is drawn
            from distributions.compiled import normal_ppf

            return normal_ppf(q, self.mu, self.sigma)
        a, b = self._ab
        if a > 0:  # both bounds in the upper tail: work with survival functions
            sa, sb = special.ndtr(-a), special.ndtr(-b)
            z = -special.ndtri(sa - q * (sa - sb))
        else:
            fa, fb = special.ndtr(a), special.ndtr(b)
            z = special.ndtri(fa + q * (fb - fa))
        return np.clip(self.mu + self.sigma * z, self.lo, self.hi)

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        if self.truncated:
            out[:] = self._ppf(q)
            return
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import normal_ppf

        normal_ppf(q, self.mu, self.sigma, out=out)

    def _cdf(self, x: FloatArray) -> FloatArray:
        z = (np.clip(x, self.lo, self.hi) - self.mu) / self.sigma
        a, _ = self._ab
        if a > 0:  # upper tail: survival functions keep the precision
            return np.clip((special.ndtr(-a) - special.ndtr(-z)) / self._mass, 0.0, 1.0)
        return np.clip((special.ndtr(z) - special.ndtr(a)) / self._mass, 0.0, 1.0)

    def _pdf_edges(self) -> tuple[float, float, float, float]:
        a, b = self._ab
        pa = float(np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)) if math.isfinite(a) else 0.0
        pb = float(np.exp(-0.5 * b * b) / math.sqrt(2 * math.pi)) if math.isfinite(b) else 0.0
        return a, b, pa, pb

    @property
    def mean(self) -> float:
        _, _, pa, pb = self._pdf_edges()
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
        """Normal whose central ``mass`` interval is [lo, hi] (``"a to b"`` with a <= 0).

        Examples
        --------
        >>> [round(float(v), 12) for v in Normal.from_interval(-1.0, 3.0).ppf([0.05, 0.95])]
        [-1.0, 3.0]
        """
        check_finite("normal", lo=lo, hi=hi)
        if not lo < hi:
            raise DistributionError(
                f"normal: interval '{fmt(lo)} to {fmt(hi)}' must have its lower value first"
            )
        z = float(special.ndtri(0.5 + mass / 2))
        return cls(0.5 * (lo + hi), (hi - lo) / (2 * z))

    @classmethod
    def from_quantiles(cls, *, p10: float, p90: float, min: float = -math.inf,
                       max: float = math.inf) -> Normal:
        """Normal with 10% of its mass below ``p10`` and 10% above ``p90``.

        With ``min``/``max`` the normal through those quantiles is then truncated (so the
        truncated distribution's own quantiles move inwards).

        Examples
        --------
        >>> [round(float(v), 12) for v in Normal.from_quantiles(p10=1.0, p90=5.0).ppf([0.1, 0.9])]
        [1.0, 5.0]
        """
        check_finite("normal", p10=p10, p90=p90)
        if not p10 < p90:
            raise DistributionError(
                f"normal: p10={fmt(p10)} must be below p90={fmt(p90)}; swap them or check "
                "the units"
            )
        return cls(0.5 * (p10 + p90), (p90 - p10) / (2 * Z90), min, max)


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
            raise DistributionError(
                f"lognormal: sigma={fmt(self.sigma)} must be > 0; for a known value write the "
                "number itself"
            )
        if self.sigma > 20 or abs(self.mu) > 500:
            raise DistributionError(
                f"lognormal: mu={fmt(self.mu)}, sigma={fmt(self.sigma)} spans more than any "
                "real quantity (its mean overflows); check the units of the values given"
            )

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
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import normal_ppf

        return normal_ppf(q, self.mu, self.sigma, log=True)

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import normal_ppf

        normal_ppf(q, self.mu, self.sigma, log=True, out=out)

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
        return f"90% in {fmt_short(float(p5))} to {fmt_short(float(p95))}"
