"""The families a sample can be fitted to, each with its maximum-likelihood estimate.

Only families the study-file language can hold are offered, each written in the form people
read most easily:

======================  ============================  =================================
family                  maximum likelihood            written as
======================  ============================  =================================
``normal``              closed form (sd over n)       ``normal = {mean, sd}``
``lognormal``           closed form on ``log x``      ``lognormal = {p10, p90}``
``gamma``               scipy ``gamma.fit(floc=0)``   ``gamma = {mean, sd}``
``beta``                scipy ``beta.fit`` on [0, 1]  ``beta = {mean, sd}``
``poisson``             closed form (the mean)        ``discrete = {values, weights}``
``negative_binomial``   profile score root (brentq)   ``discrete = {values, weights}``
``discrete``            observed frequencies          ``discrete = {values, weights}``
======================  ============================  =================================

The language has no Poisson or negative binomial, so their fits are written as a discrete
table over the whole numbers from ``ppf(TAIL)`` to ``isf(TAIL)`` (the mass beyond, at most
``2*TAIL``, is dropped and the rest renormalised); when that table would hold more than
:data:`MAX_TABLE` values, as the gamma with the same mean and sd (a study rounds continuous
draws for a whole-number input), and the fit's ``note`` says so. Families whose support
moves with their parameters (uniform, triangular, PERT) have no regular maximum-likelihood
estimate and are not fitted; Weibull and others the language cannot state are left out.

Standard errors come from the inverse Fisher information at the estimate (expected
information where it has a closed form, which equals the observed one at the estimate for
these families; the observed information for the negative binomial).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import scipy.stats
from scipy.optimize import brentq

from distributions import special
from distributions.base import Distribution, FloatArray
from distributions.continuous import Beta, Gamma
from distributions.discrete import Discrete
from distributions.fit_checks import FitError, Support
from distributions.fit_gof import chi2_test, ks_test
from distributions.normal import Z90, Lognormal, Normal

#: Tail mass left out on each side when a count distribution is written as a table.
TAIL = 1e-9
#: Most values a fitted count distribution is written with as a discrete table.
MAX_TABLE = 1000

Params = dict[str, float]


@dataclass(frozen=True)
class Estimate:
    """One family fitted to one sample, before its goodness of fit is measured."""

    family: str
    params: Mapping[str, float]
    se: Mapping[str, float]
    k: int
    loglik: float
    value: Mapping[str, Any]
    distribution: Distribution
    model: Any = field(repr=False, compare=False)
    note: str = ""


class Family(ABC):
    """A family that can be fitted: its data requirement, estimator, errors and study value."""

    name: ClassVar[str]
    needs: ClassVar[Support]
    discrete: ClassVar[bool] = False

    @abstractmethod
    def mle(self, x: FloatArray) -> Params:
        """Maximum-likelihood parameters of the sample ``x``."""

    @abstractmethod
    def model(self, params: Mapping[str, Any]) -> Any:
        """The scipy frozen distribution (parameters may be arrays that broadcast)."""

    @abstractmethod
    def se(self, params: Params, x: FloatArray) -> Params:
        """Standard errors of the parameters (inverse Fisher information)."""

    @abstractmethod
    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        """The study value (TOML data), the distribution it parses to, and a note."""

    def gof(self, x: FloatArray, model: Any, k: int, *, n_boot: int,
            rng: np.random.Generator) -> tuple[str, float, float]:
        """Goodness-of-fit test name, statistic and p-value (see :mod:`fit_gof`)."""
        stat, p = ks_test(self, x, model, n_boot=n_boot, rng=rng)
        return "ks", stat, p

    def mle_rows(self, rows: FloatArray) -> dict[str, FloatArray]:
        """Estimates for each row of a 2-D array of samples (the bootstrap refits)."""
        fits = [self.mle(r) for r in rows]
        return {k: np.array([f[k] for f in fits]) for k in fits[0]}

    def fit(self, x: FloatArray) -> Estimate:
        """Estimate, log-likelihood, standard errors and study value for ``x``."""
        params = self.mle(x)
        model = self.model(params)
        logf = model.logpmf(x) if self.discrete else model.logpdf(x)
        value, dist, note = self.written(params, x)
        return Estimate(self.name, params, self.se(params, x), len(params),
                        float(np.sum(logf)), value, dist, model, note)


def _inverse_sd(info: np.ndarray, names: tuple[str, str]) -> Params:
    cov = np.linalg.inv(info)
    return {names[0]: float(np.sqrt(cov[0, 0])), names[1]: float(np.sqrt(cov[1, 1]))}


class NormalFamily(Family):
    """Normal: mean and sd (the MLE divides by n)."""

    name = "normal"
    needs: ClassVar[Support] = "real"

    def mle(self, x: FloatArray) -> Params:
        return {"mean": float(np.mean(x)), "sd": float(np.std(x))}

    def mle_rows(self, rows: FloatArray) -> dict[str, FloatArray]:
        return {"mean": rows.mean(axis=1), "sd": rows.std(axis=1)}

    def model(self, params: Mapping[str, Any]) -> Any:
        return scipy.stats.norm(loc=params["mean"], scale=params["sd"])

    def se(self, params: Params, x: FloatArray) -> Params:
        sd, n = params["sd"], x.size
        return {"mean": sd / math.sqrt(n), "sd": sd / math.sqrt(2 * n)}

    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        m, s = params["mean"], params["sd"]
        return {"normal": {"mean": m, "sd": s}}, Normal(m, s), ""


class LognormalFamily(Family):
    """Lognormal: ``mu``, ``sigma`` of ``log x`` (closed form), written as its p10 and p90."""

    name = "lognormal"
    needs: ClassVar[Support] = "positive"

    def mle(self, x: FloatArray) -> Params:
        y = np.log(x)
        return {"mu": float(np.mean(y)), "sigma": float(np.std(y))}

    def mle_rows(self, rows: FloatArray) -> dict[str, FloatArray]:
        y = np.log(rows)
        return {"mu": y.mean(axis=1), "sigma": y.std(axis=1)}

    def model(self, params: Mapping[str, Any]) -> Any:
        return scipy.stats.lognorm(s=params["sigma"], scale=np.exp(params["mu"]))

    def se(self, params: Params, x: FloatArray) -> Params:
        s, n = params["sigma"], x.size
        return {"mu": s / math.sqrt(n), "sigma": s / math.sqrt(2 * n)}

    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        mu, s = params["mu"], params["sigma"]
        dist = Lognormal(mu, s)
        value = {"p10": math.exp(mu - Z90 * s), "p90": math.exp(mu + Z90 * s)}
        return {"lognormal": value}, dist, ""


class GammaFamily(Family):
    """Gamma with shape and scale (origin at 0), written as its mean and sd."""

    name = "gamma"
    needs: ClassVar[Support] = "positive"

    def mle(self, x: FloatArray) -> Params:
        shape, _, scale = scipy.stats.gamma.fit(x, floc=0)
        return {"shape": float(shape), "scale": float(scale)}

    def model(self, params: Mapping[str, Any]) -> Any:
        return scipy.stats.gamma(a=params["shape"], scale=params["scale"])

    def se(self, params: Params, x: FloatArray) -> Params:
        k, theta = params["shape"], params["scale"]
        info = x.size * np.array([[special.polygamma(1, k), 1 / theta],
                                  [1 / theta, k / theta**2]])
        return _inverse_sd(info, ("shape", "scale"))

    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        k, theta = params["shape"], params["scale"]
        dist = Gamma(k, theta)
        return {"gamma": {"mean": k * theta, "sd": math.sqrt(k) * theta}}, dist, ""


class BetaFamily(Family):
    """Beta on [0, 1] with shapes ``a`` and ``b``, written as its mean and sd."""

    name = "beta"
    needs: ClassVar[Support] = "rate"

    def mle(self, x: FloatArray) -> Params:
        a, b, _, _ = scipy.stats.beta.fit(x, floc=0, fscale=1)
        return {"a": float(a), "b": float(b)}

    def model(self, params: Mapping[str, Any]) -> Any:
        return scipy.stats.beta(params["a"], params["b"])

    def se(self, params: Params, x: FloatArray) -> Params:
        a, b = params["a"], params["b"]
        t, ta, tb = (float(special.polygamma(1, v)) for v in (a + b, a, b))
        info = x.size * np.array([[ta - t, -t], [-t, tb - t]])
        return _inverse_sd(info, ("a", "b"))

    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        dist = Beta(params["a"], params["b"])
        return {"beta": {"mean": dist.mean, "sd": dist.sd}}, dist, ""


class _CountFamily(Family):
    needs: ClassVar[Support] = "count"
    discrete = True

    def gof(self, x: FloatArray, model: Any, k: int, *, n_boot: int,
            rng: np.random.Generator) -> tuple[str, float, float]:
        stat, p = chi2_test(x, model, k)
        return "chi2", stat, p

    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        model = self.model(params)
        lo, hi = int(model.ppf(TAIL)), int(model.isf(TAIL))
        if hi - lo + 1 > MAX_TABLE:
            mean, sd = float(model.mean()), float(model.std())
            note = (f"its table would need {hi - lo + 1} values (more than {MAX_TABLE}): "
                    "written as the gamma with the same mean and sd, which a study rounds to "
                    "whole numbers for a count input")
            return {"gamma": {"mean": mean, "sd": sd}}, Gamma.from_mean_sd(mean=mean,
                                                                            sd=sd), note
        values = np.arange(lo, hi + 1)
        weights = model.pmf(values)
        note = (f"written as a discrete table over {lo}..{hi} (the tails beyond, less than "
                f"{2 * TAIL:.0e} of the mass, are left out)")
        table = {"values": values.tolist(), "weights": weights.tolist()}
        dist = Discrete(tuple(float(v) for v in values), tuple(weights.tolist()))
        return {"discrete": table}, dist, note


class PoissonFamily(_CountFamily):
    """Poisson: the rate is the sample mean."""

    name = "poisson"

    def mle(self, x: FloatArray) -> Params:
        return {"mean": float(np.mean(x))}

    def model(self, params: Mapping[str, Any]) -> Any:
        return scipy.stats.poisson(params["mean"])

    def se(self, params: Params, x: FloatArray) -> Params:
        return {"mean": math.sqrt(params["mean"] / x.size)}


class NegativeBinomialFamily(_CountFamily):
    """Negative binomial (scipy's ``nbinom(r, p)``, mean ``r(1-p)/p``) for overdispersed counts.

    At the estimate ``p = r / (r + mean)``; ``r`` solves the profile score equation
    ``sum_k n_k (psi(k + r) - psi(r)) / n = log(1 + mean/r)``, which has one root when the
    variance exceeds the mean (Anscombe 1950) and none otherwise (the Poisson limit).
    """

    name = "negative_binomial"

    def mle(self, x: FloatArray) -> Params:
        m, v = float(np.mean(x)), float(np.var(x))
        if not v > m:
            raise FitError(
                f"negative_binomial needs overdispersed counts (variance above the mean), but "
                f"the variance {v:.4g} is at most the mean {m:.4g}: fit poisson instead"
            )
        vals, counts = np.unique(x, return_counts=True)
        w = counts / x.size

        def score(log_r: float) -> float:
            r = math.exp(log_r)
            return float(w @ (special.digamma(vals + r) - special.digamma(r))
                         - math.log1p(m / r))

        lo = hi = math.log(m * m / (v - m))
        while score(lo) <= 0:
            lo -= 2.0
        while score(hi) > 0:
            hi += 2.0
            if hi > math.log(1e10):
                raise FitError(
                    "negative_binomial: the counts are barely overdispersed (the estimate of r "
                    "runs past 1e10, the Poisson limit): fit poisson instead"
                )

        r = math.exp(brentq(score, lo, hi, xtol=1e-14, rtol=1e-15))
        return {"r": r, "p": r / (r + m)}

    def model(self, params: Mapping[str, Any]) -> Any:
        return scipy.stats.nbinom(params["r"], params["p"])

    def se(self, params: Params, x: FloatArray) -> Params:
        r, p, n = params["r"], params["p"], x.size
        vals, counts = np.unique(x, return_counts=True)
        d_rr = float(counts @ special.polygamma(1, vals + r) - n * special.polygamma(1, r))
        d_pp = -n * r / p**2 - float(np.sum(x)) / (1 - p) ** 2
        info = -np.array([[d_rr, n / p], [n / p, d_pp]])
        return _inverse_sd(info, ("r", "p"))


class DiscreteFamily(Family):
    """The observed frequencies themselves (one probability per distinct value)."""

    name = "discrete"
    needs: ClassVar[Support] = "count"
    discrete = True

    def mle(self, x: FloatArray) -> Params:
        return {}

    def model(self, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError  # fit() builds it from the data

    def se(self, params: Params, x: FloatArray) -> Params:
        return {}

    def gof(self, x: FloatArray, model: Any, k: int, *, n_boot: int,
            rng: np.random.Generator) -> tuple[str, float, float]:
        return "", math.nan, math.nan  # saturated: it reproduces the data's frequencies

    def written(self, params: Params, x: FloatArray) -> tuple[dict[str, Any], Distribution, str]:
        vals, counts = np.unique(x, return_counts=True)
        table = {"values": vals.astype(np.int64).tolist(), "weights": counts.tolist()}
        note = (f"the observed frequencies of {vals.size} values (a saturated model: no "
                "goodness-of-fit test; no value outside them can be drawn)")
        return {"discrete": table}, Discrete(tuple(vals.tolist()), tuple(counts.tolist())), note

    def fit(self, x: FloatArray) -> Estimate:
        vals, counts = np.unique(x, return_counts=True)
        p = counts / x.size
        model = scipy.stats.rv_discrete(values=(vals, p))
        value, dist, note = self.written({}, x)
        return Estimate(self.name, {}, {}, vals.size - 1, float(counts @ np.log(p)),
                        value, dist, model, note)


#: Every family that can be fitted, by name.
FIT_FAMILIES: dict[str, Family] = {f.name: f for f in (
    LognormalFamily(), GammaFamily(), NormalFamily(), BetaFamily(),
    PoissonFamily(), NegativeBinomialFamily(), DiscreteFamily(),
)}
#: The candidates ``family="auto"`` tries for each support (see :mod:`fit_checks`).
AUTO: dict[Support, tuple[str, ...]] = {
    "count": ("poisson", "negative_binomial", "discrete"),
    "rate": ("beta",),
    "positive": ("lognormal", "gamma", "normal"),
    "real": ("normal",),
}
