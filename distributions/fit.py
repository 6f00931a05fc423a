"""Fit an uncertain input to data: maximum likelihood, AIC/BIC ranking, goodness of fit.

:func:`fit_data` fits candidate families (:mod:`distributions.fit_families`) to a 1-D
sample, ranks them by AIC (``2k - 2 log L``) and BIC (``k log n - 2 log L``), measures each
one's goodness of fit (:mod:`distributions.fit_gof`) and returns a :class:`FitResult` whose
``toml_value()`` is the study value to paste, e.g.
``{ lognormal = { p10 = 3100.2, p90 = 8203.9 } }``. The value written parses back, with
:func:`distributions.parse` after ``tomllib``, to the fit's :meth:`FitResult.distribution`
(exactly, up to float rounding, with the default ``digits=None``).

AIC compares families on the same data: a difference above ~2 favours the lower one, above
~10 decisively; the Akaike weights ``exp(-dAIC/2)`` (normalised) read as the relative
support of each. A probability mass and a density are not comparable, so count families
and continuous families are never ranked together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from distributions.base import Distribution, FloatArray, SeedLike
from distributions.errors import DistributionError
from distributions.fit_checks import FitError, Support, check_sample, require, support_of
from distributions.fit_families import AUTO, FIT_FAMILIES, Estimate

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted to a sample by maximum likelihood.

    Attributes
    ----------
    family : str
        The family's name (a key of ``FIT_FAMILIES``).
    params, se : mapping of str to float
        The estimates and their standard errors (inverse Fisher information).
    k, n : int
        Number of fitted parameters and of rows.
    loglik : float
        Log-likelihood at the estimate (of the density, or of the mass for counts).
    test : str
        ``"ks"`` (Kolmogorov–Smirnov, bootstrap p-value), ``"chi2"`` (Pearson) or ``""``.
    statistic, p_value : float
        The test's statistic and p-value (NaN when there is no test or no bootstrap).
    note : str
        How the fit is written when the language cannot state the family itself.
    value : mapping
        The study value as TOML data (see :meth:`toml_value`).
    """

    family: str
    params: Mapping[str, float]
    se: Mapping[str, float]
    k: int
    n: int
    loglik: float
    test: str
    statistic: float
    p_value: float
    note: str
    value: Mapping[str, Any]
    fitted: Distribution = field(repr=False)
    model: Any = field(repr=False, compare=False)

    @property
    def aic(self) -> float:
        """Akaike's information criterion, ``2k - 2 log L``."""
        return 2.0 * self.k - 2.0 * self.loglik

    @property
    def bic(self) -> float:
        """Schwarz's Bayesian information criterion, ``k log n - 2 log L``."""
        return self.k * math.log(self.n) - 2.0 * self.loglik

    @property
    def discrete(self) -> bool:
        """True for a count family (its ``model`` has a pmf, not a pdf)."""
        return FIT_FAMILIES[self.family].discrete

    def distribution(self) -> Distribution:
        """The distribution a study gets from :meth:`toml_value`."""
        return self.fitted

    def toml_value(self, *, digits: int | None = None) -> str:
        """The study value as inline TOML, e.g. ``{ gamma = { mean = 12.5, sd = 4.1 } }``.

        Parameters
        ----------
        digits : int, optional
            Significant digits per number. Default: the shortest text that reads back as
            the same float, so the value parses back to :meth:`distribution` exactly.
        """
        return toml_inline(self.value, digits=digits)

    def describe_params(self) -> str:
        """Estimates with their standard errors, e.g. ``mu=8.001 ± 0.0035, sigma=0.5 ± 0.0025``."""
        if not self.params:
            return f"{self.k + 1} observed values"
        return ", ".join(f"{k}={v:.6g} ± {self.se[k]:.2g}" for k, v in self.params.items())


@dataclass(frozen=True)
class FitResult:
    """Every family fitted to one sample, best (lowest AIC) first.

    Attributes
    ----------
    fits : tuple of FamilyFit
        Sorted by AIC.
    support : str
        The data's support: ``"count"``, ``"rate"``, ``"positive"`` or ``"real"``.
    source : str
        What the data are (for messages and titles).
    skipped : mapping of str to str
        Candidates of ``family="auto"`` that could not be fitted, with the reason.
    data : numpy.ndarray
        The sample, sorted (for the chart frames of :mod:`distributions.fit_frames`).
    """

    fits: tuple[FamilyFit, ...]
    support: Support
    source: str
    skipped: Mapping[str, str]
    data: FloatArray = field(repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of rows fitted."""
        return int(self.data.size)

    @property
    def best(self) -> FamilyFit:
        """The family with the lowest AIC."""
        return self.fits[0]

    def get(self, family: str | None = None) -> FamilyFit:
        """The fit of ``family`` (default: the best one).

        Raises
        ------
        ValueError
            If ``family`` was not fitted; the message lists those that were.
        """
        if family is None:
            return self.best
        for f in self.fits:
            if f.family == family:
                return f
        raise ValueError(f"{family!r} was not fitted; fitted: "
                         f"{', '.join(f.family for f in self.fits)}")

    def distribution(self, family: str | None = None) -> Distribution:
        """The fitted distribution of ``family`` (default: the best)."""
        return self.get(family).distribution()

    def toml_value(self, family: str | None = None, *, digits: int | None = None) -> str:
        """The study value of ``family`` (default: the best) as inline TOML."""
        return self.get(family).toml_value(digits=digits)

    def table(self) -> pl.DataFrame:
        """One row per family, sorted by AIC: fit figures, Akaike weights and the value.

        Columns: ``family, k, n, loglik, aic, delta_aic, aic_weight, bic, delta_bic, test,
        statistic, p_value, params, value, note``.
        """
        # polars (0.3 s to import) only for data files and fits: import distributions skips it
        import polars as pl

        aic = np.array([f.aic for f in self.fits])
        bic = np.array([f.bic for f in self.fits])
        weight = np.exp(-0.5 * (aic - aic.min()))
        return pl.DataFrame({
            "family": [f.family for f in self.fits],
            "k": [f.k for f in self.fits],
            "n": [f.n for f in self.fits],
            "loglik": [f.loglik for f in self.fits],
            "aic": aic,
            "delta_aic": aic - aic.min(),
            "aic_weight": weight / weight.sum(),
            "bic": bic,
            "delta_bic": bic - bic.min(),
            "test": [f.test for f in self.fits],
            "statistic": [f.statistic for f in self.fits],
            "p_value": [f.p_value for f in self.fits],
            "params": [f.describe_params() for f in self.fits],
            "value": [f.toml_value() for f in self.fits],
            "note": [f.note for f in self.fits],
        })


def fit_data(data: ArrayLike, *, family: str | Sequence[str] = "auto", n_boot: int = 200,
             rng: SeedLike = None, source: str = "data") -> FitResult:
    """Fit candidate families to a sample by maximum likelihood and rank them by AIC.

    Parameters
    ----------
    data : array_like
        One column of at least ``MIN_ROWS`` (20) finite numbers.
    family : str or sequence of str
        ``"auto"`` (the families suited to the data's support: lognormal, gamma and normal
        for positive amounts; beta for rates strictly inside (0, 1); Poisson, negative
        binomial and the observed frequencies for counts; normal otherwise), one family
        name, or several (see ``FIT_FAMILIES``).
    n_boot : int
        Bootstrap refits for each continuous family's KS p-value (0: no p-value).
    rng : numpy.random.Generator, int or None
        Randomness of the bootstrap; each family draws from its own spawned stream, so its
        p-value does not depend on which other families are fitted.
    source : str
        What the data are, for messages (e.g. ``"log.csv:tokens_in"``).

    Returns
    -------
    FitResult

    Raises
    ------
    FitError
        For data a fit cannot take (too few rows, NaN or infinite rows, no spread) or a
        family the data do not suit (values <= 0 for lognormal or gamma, outside (0, 1)
        for beta, not whole numbers >= 0 for a count family); the message gives the row
        count and the fix.
    ValueError
        For an unknown family name, or count and continuous families asked together.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).lognormal(8.0, 0.5, 2000)
    >>> res = fit_data(x, n_boot=0)
    >>> res.best.family, [round(v, 1) for v in res.best.params.values()]
    ('lognormal', [8.0, 0.5])
    >>> res.table()["family"].to_list()
    ['lognormal', 'gamma', 'normal']
    """
    if n_boot < 0:
        raise ValueError(f"n_boot={n_boot} must be >= 0 (0: no bootstrap p-value)")
    raw = check_sample(data, source=source)
    x = np.sort(raw)  # sorted once, for every KS distance
    support = support_of(x)
    names, explicit = _candidates(family, support)
    streams = dict(zip(FIT_FAMILIES, np.random.default_rng(rng).spawn(len(FIT_FAMILIES)),
                       strict=True))
    fits: list[FamilyFit] = []
    skipped: dict[str, str] = {}
    for name in names:
        try:
            require(raw, FIT_FAMILIES[name].needs, name, source)  # rows as given
            est = _estimate(name, x, source)
        except FitError as err:
            if explicit:
                raise
            skipped[name] = str(err)
            continue
        fits.append(_with_test(est, x, n_boot=n_boot, rng=streams[name]))
    if not fits:
        raise FitError(f"{source}: no family could be fitted: {'; '.join(skipped.values())}")
    fits.sort(key=lambda f: f.aic)
    return FitResult(tuple(fits), support, source, skipped, x)


def _candidates(family: str | Sequence[str], support: Support) -> tuple[tuple[str, ...], bool]:
    if isinstance(family, str):
        if family == "auto":
            return AUTO[support], False
        family = (family,)
    names = tuple(dict.fromkeys(family))
    for name in names:
        if name not in FIT_FAMILIES:
            raise ValueError(f"{name!r} is not a valid family. It must be one of "
                             f"{{{', '.join(map(repr, ('auto', *FIT_FAMILIES)))}}}")
    kinds = {FIT_FAMILIES[n].discrete for n in names}
    if len(kinds) > 1:
        counts = [n for n in names if FIT_FAMILIES[n].discrete]
        others = [n for n in names if not FIT_FAMILIES[n].discrete]
        raise ValueError(
            f"cannot rank count families ({', '.join(counts)}) with continuous ones "
            f"({', '.join(others)}): a probability mass and a density are not comparable "
            "by AIC; fit them separately"
        )
    if not names:
        raise ValueError("family: give 'auto' or at least one family name")
    return names, True


def _estimate(name: str, x: FloatArray, source: str) -> Estimate:
    try:
        return FIT_FAMILIES[name].fit(x)
    except DistributionError as err:  # includes FitError from the estimator
        raise FitError(f"{source}: {err}") from None


def _with_test(est: Estimate, x: FloatArray, *, n_boot: int,
               rng: np.random.Generator) -> FamilyFit:
    test, stat, p = FIT_FAMILIES[est.family].gof(x, est.model, est.k, n_boot=n_boot, rng=rng)
    return FamilyFit(est.family, est.params, est.se, est.k, x.size, est.loglik, test, stat, p,
                     est.note, est.value, est.distribution, est.model)


def toml_inline(value: Any, *, digits: int | None = None) -> str:
    """Inline TOML for a value made of tables, lists and numbers.

    Examples
    --------
    >>> toml_inline({"lognormal": {"p10": 3100.0, "p90": 8203.91}})
    '{ lognormal = { p10 = 3100.0, p90 = 8203.91 } }'
    >>> toml_inline({"beta": {"mean": 0.0512345, "sd": 0.01}}, digits=3)
    '{ beta = { mean = 0.0512, sd = 0.01 } }'
    >>> toml_inline({"discrete": {"values": [0, 1], "weights": [3, 5]}})
    '{ discrete = { values = [0, 1], weights = [3, 5] } }'
    """
    if isinstance(value, Mapping):
        items = ", ".join(f"{k} = {toml_inline(v, digits=digits)}" for k, v in value.items())
        return f"{{ {items} }}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_inline(v, digits=digits) for v in value) + "]"
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"cannot write {value!r} as a TOML number")
    if isinstance(value, int | np.integer):
        return str(int(value))
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"cannot write {v} in a study value")
    return repr(v) if digits is None else f"{v:.{digits}g}"
