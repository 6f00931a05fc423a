"""Bounded and positive continuous families: uniform, triangular, PERT, beta, gamma.

Each constructor validates its parameters and raises a :class:`DistributionError` whose
message says what is wrong and how to fix it. Alternative ways people state a belief
(``mean``/``sd``, shape and scale) are classmethods that spell out the parameterisation
they use. Beta, PERT and gamma quantiles go through :class:`~distributions.fastppf.HermitePPF`
(their exact inverses cost about a second per million draws). Normal and lognormal live in
:mod:`distributions.normal`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from distributions import special
from distributions.base import Distribution, FloatArray, check_finite, fmt
from distributions.errors import DistributionError
from distributions.fastppf import HermitePPF
from distributions.normal import Z90, Z95, Lognormal, Normal

__all__ = ["Z90", "Z95", "Beta", "Gamma", "Lognormal", "Normal", "Pert", "Triangular", "Uniform"]


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
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import quantiles, uniform_into

        # clip(lo + q * (hi - lo), lo, hi) in one pass
        return quantiles(uniform_into, q, self.lo, self.hi - self.lo, self.hi)

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import quantiles, uniform_into

        quantiles(uniform_into, q, self.lo, self.hi - self.lo, self.hi, out=out)

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
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import quantiles, triangular_into

        return quantiles(triangular_into, q, *self._kernel_params)

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import quantiles, triangular_into

        quantiles(triangular_into, q, *self._kernel_params, out=out)

    @property
    def _kernel_params(self) -> tuple[float, ...]:
        lo, mode, hi = self.lo, self.mode, self.hi
        # a product of square roots: the product of the spans overflows for spans near 1e154
        return (lo, hi, hi - lo, self._fc, math.sqrt(mode - lo), math.sqrt(hi - mode))

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
        # tabulate the logit of the quantile: smooth in both tails, so the table is accurate
        # relative to the distance from 0 and from 1, not just to the width of [0, 1]
        fast = HermitePPF(partial(_beta_logit_ppf, a, b), partial(_beta_logit_logpdf, a, b),
                          exact_isf=partial(_beta_logit_isf, a, b),
                          key=f"beta-logit {a.hex()} {b.hex()}")
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
                f"beta: mean={fmt(mean)} must lie strictly between {fmt(lo)} and {fmt(hi)}; a "
                "beta is a rate (write 5% as 0.05), or give min and max for another range"
            )
        if sd <= 0:
            raise DistributionError(
                f"beta: sd={fmt(sd)} must be > 0; for a known rate write the number itself"
            )
        m = (mean - lo) / (hi - lo)
        s = sd / (hi - lo)
        limit = math.sqrt(m * (1 - m))
        if s >= limit:
            bound = ("sqrt(mean*(1-mean))" if (lo, hi) == (0.0, 1.0)
                     else "sqrt((mean-min)*(max-mean))")
            raise DistributionError(
                f"beta: sd={fmt(sd)} is too large for a beta with mean={fmt(mean)}: it must be "
                f"below {fmt(limit * (hi - lo))} ({bound}); lower the sd"
            )
        k = m * (1 - m) / (s * s) - 1.0
        return cls(m * k, (1 - m) * k, lo, hi)

    def _ppf(self, q: FloatArray) -> FloatArray:
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import logistic_into

        # lo + (hi - lo) * expit(logit quantile), clipped: lo + (hi - lo) * 1 may round
        # past hi (the table's values are a new array: transformed in place)
        x = np.asarray(self._fast(q), dtype=np.float64, order="C")
        logistic_into(x.reshape(-1), float(self.lo), float(self.hi))
        return x[()]

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        # compiled kernels (distributions.compiled): imported once something is drawn
        from distributions.compiled import logistic_into

        self._fast(q, out)
        logistic_into(out, float(self.lo), float(self.hi))

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
        scaled = "" if (self.lo, self.hi) == (0.0, 1.0) else (
            f", min={fmt(self.lo)}, max={fmt(self.hi)}")
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

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        self._beta._ppf_into(q, out)

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
class Gamma(Distribution):
    """Gamma with shape ``k`` and scale ``theta`` (mean ``k*theta``, variance ``k*theta**2``).

    A positive, right-skewed amount; ``from_mean_sd`` states it as people do.

    Examples
    --------
    >>> d = Gamma.from_mean_sd(mean=10.0, sd=5.0)
    >>> d.shape, d.scale
    (4.0, 2.5)
    >>> round(float(d.cdf(d.ppf(0.9))), 12)
    0.9
    """

    shape: float
    scale: float
    family = "gamma"
    _fast: HermitePPF = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_finite(self.family, shape=self.shape, scale=self.scale)
        if self.shape <= 0 or self.scale <= 0:
            raise DistributionError(
                f"gamma: shape={fmt(self.shape)} and scale={fmt(self.scale)} must both be > 0"
            )
        if self.shape < 0.05:
            raise DistributionError(
                f"gamma: shape={fmt(self.shape)} is below 0.05 (sd more than 4.5 times the "
                "mean): almost all its mass sits at 0; lower the sd or use discrete/bernoulli"
            )
        k = float(self.shape)
        # tabulate log x: accurate relative to x even where a small shape piles mass near 0
        fast = HermitePPF(partial(_gamma_log_ppf, k), partial(_gamma_log_logpdf, k),
                          key=f"gamma-log {k.hex()}")
        object.__setattr__(self, "_fast", fast)

    @classmethod
    def from_mean_sd(cls, *, mean: float, sd: float) -> Gamma:
        """Gamma with the given mean and standard deviation: shape (mean/sd)**2, scale sd**2/mean.

        Raises
        ------
        DistributionError
            If the mean or sd is not positive.
        """
        check_finite("gamma", mean=mean, sd=sd)
        if mean <= 0:
            raise DistributionError(
                f"gamma: mean={fmt(mean)} must be > 0 (a gamma is a positive amount); use "
                "normal for quantities that can be negative"
            )
        if sd <= 0:
            raise DistributionError(
                f"gamma: sd={fmt(sd)} must be > 0; for a known value write the number itself"
            )
        return cls((mean / sd) ** 2, sd * sd / mean)

    def _ppf(self, q: FloatArray) -> FloatArray:
        x = np.asarray(self._fast(q), dtype=np.float64)  # a new array: scaled in place
        np.exp(x, out=x)
        np.multiply(x, self.scale, out=x)
        return x[()]

    def _ppf_into(self, q: FloatArray, out: FloatArray) -> None:
        self._fast(q, out)
        np.exp(out, out=out)
        np.multiply(out, self.scale, out=out)

    def _cdf(self, x: FloatArray) -> FloatArray:
        u = np.maximum(x, 0.0) / self.scale
        return np.asarray(special.gammainc(self.shape, u), dtype=np.float64)

    @property
    def mean(self) -> float:
        return float(self.shape * self.scale)

    @property
    def var(self) -> float:
        return float(self.shape * self.scale**2)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def _params(self) -> str:
        return f"shape={self.shape:.4g}, scale={self.scale:.4g}"


def _beta_logit_ppf(a: float, b: float, q: FloatArray) -> FloatArray:
    """logit of the beta quantile, from the nearer tail (1 - x underflows near q = 1)."""
    upper = q > 0.5
    x = special.betaincinv(np.where(upper, b, a), np.where(upper, a, b), np.where(upper, 1 - q, q))
    with np.errstate(divide="ignore"):
        y = special.logit(x)
    return np.asarray(np.where(upper, -y, y), dtype=np.float64)


def _beta_logit_isf(a: float, b: float, s: FloatArray) -> FloatArray:
    """logit of the beta quantile at ``1 - s`` for small ``s``: minus the logit of
    Beta(b, a)'s quantile at ``s`` (``1 - s`` itself would lose ``s``'s digits)."""
    return -_beta_logit_ppf(b, a, s)


def _beta_logit_logpdf(a: float, b: float, y: FloatArray) -> FloatArray:
    """Log density of ``logit(X)`` for X ~ Beta(a, b)."""
    return np.asarray(-a * np.logaddexp(0.0, -y) - b * np.logaddexp(0.0, y)
                      - special.betaln(a, b), dtype=np.float64)


def _gamma_log_ppf(k: float, q: FloatArray) -> FloatArray:
    """log of the standard gamma quantile."""
    with np.errstate(divide="ignore"):
        return np.log(special.gammaincinv(k, q))


def _gamma_log_logpdf(k: float, y: FloatArray) -> FloatArray:
    """Log density of ``log(X)`` for X ~ Gamma(k, 1)."""
    return np.asarray(k * y - np.exp(y) - special.gammaln(k), dtype=np.float64)


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
    if not np.isfinite(hi - lo):
        raise DistributionError(
            f"{family}: max - min = {fmt(hi)} - ({fmt(lo)}) is beyond the largest number; "
            "no real quantity spans that: check the units"
        )
