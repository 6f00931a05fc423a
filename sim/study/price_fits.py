"""Price declines fitted to the price history (:mod:`sim.study.price_history`): the annual
decline of a tier's (or a model's own) price and the rate and size of its step cuts, each
with its uncertainty and as a distribution a study can use (``annual_price_drop = { fitted =
"openai:frontier" }``, :mod:`sim.study.fitted`).

:func:`fit_decline` (a tier) and :func:`fit_model_decline` (a model's own price) regress
``log(price)`` on time in years by least squares, with one point per dated event in the
window. The slope ``b`` gives the annual decline ``d = 1 - exp(b)``. Its uncertainty is the
slope's: ``b ~ b_hat + se * T(n - 2)`` (Student t), conditioned on ``b <= 0`` (list prices at
a fixed tier are taken not to rise), so ``d`` lies in ``[0, 1)``. :func:`fit_step_cuts` counts
the step cuts in a window (a Poisson rate with an exact interval) and their sizes.

Examples
--------
>>> from sim.study.price_fits import fit_decline
>>> fit = fit_decline("openai:frontier", field="input")
>>> fit.n, str(fit.window[0]), str(fit.window[1])
(7, '2023-03-14', '2025-08-07')
>>> round(fit.rate, 3)
0.714
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Literal

import numpy as np
import polars as pl

from distributions import Beta, Decline, Distribution, Gamma
from sim.study.price_history import (
    Window,
    group_rows,
    price_series,
    subject_rows,
    tier_prices,
    window_span,
)

#: Days per year of the time axis of the fits.
YEAR_DAYS = 365.25
#: The stated quantiles of a fitted decline.
LEVELS = (0.1, 0.5, 0.9)
#: What a step-cut fit counts: falls of a tier's price, or of each model's own price.
Basis = Literal["tier", "model"]


# -- declines ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeclineFit:
    """A log-linear fit of a price over time: the annual decline and its uncertainty.

    Attributes
    ----------
    subject, field, basis : str
        What was fitted: a tier or a model, the price field, ``"tier"`` or ``"model"``.
    window : (date, date)
        First and last point of the fit.
    points : polars.DataFrame
        The points (``date``, ``years`` since the window start, ``price``, ``model``,
        ``source``).
    slope, se : float
        Least-squares slope of ``log(price)`` per year and its standard error.
    intercept : float
        ``log(price)`` of the fitted line at the window start.
    """

    subject: str
    field: str
    basis: str
    window: tuple[date, date]
    points: pl.DataFrame = dc_field(repr=False)
    slope: float
    se: float
    intercept: float

    @property
    def n(self) -> int:
        """Number of points."""
        return self.points.height

    @property
    def df(self) -> int:
        """Degrees of freedom of the slope's t distribution, ``n - 2``."""
        return self.n - 2

    @property
    def rate(self) -> float:
        """Annual decline at the fitted slope, ``1 - exp(slope)``."""
        return -math.expm1(self.slope)

    @property
    def rate_se(self) -> float:
        """Standard error of :attr:`rate` by the delta method, ``exp(slope) * se``."""
        return math.exp(self.slope) * self.se

    @property
    def last_date(self) -> date:
        """Date of the last point."""
        return self.window[1]

    @property
    def sources(self) -> tuple[str, ...]:
        """Sources of the prices at the points, in order, without repeats."""
        return tuple(dict.fromkeys(self.points["source"]))

    @property
    def p_decline(self) -> float:
        """Probability under the fit that the slope is <= 0 (prices do not rise)."""
        from scipy import stats  # on first use: ~1 s of import that a run does not need

        return float(stats.t.cdf(-self.slope / self.se, self.df))

    @property
    def quantiles(self) -> tuple[float, float, float]:
        """10%, 50% and 90% quantiles of the annual decline (slope t-distributed, <= 0).

        A decline quantile ``q`` is ``1 - exp(b_(1-q))`` with ``b_u = slope + se *
        t.ppf(u * P(b <= 0), n - 2)``, the slope's quantile given that prices do not rise.
        """
        from scipy import stats  # deferred: scipy.stats costs ~0.8 s at start-up; fits only

        u = (1.0 - np.asarray(LEVELS)) * self.p_decline
        b = self.slope + self.se * stats.t.ppf(u, self.df)
        q10, q50, q90 = (float(v) for v in -np.expm1(b))
        return (q10, q50, q90)

    @property
    def label(self) -> str:
        """One line for a manifest or a report: what, window, n, decline."""
        q10, _, q90 = self.quantiles
        return (f"{self.subject} {self.field} price, {self.window[0]} to {self.window[1]}, "
                f"n={self.n}: annual decline {self.rate:.1%} (se {self.rate_se:.1%}; "
                f"p10-p90 {q10:.1%} to {q90:.1%})")

    def table(self) -> pl.DataFrame:
        """The fit as a one-row table (for the CLI and the report)."""
        q10, q50, q90 = self.quantiles
        return pl.DataFrame({
            "subject": [self.subject], "field": [self.field], "basis": [self.basis],
            "window_start": [self.window[0]], "window_end": [self.window[1]], "n": [self.n],
            "slope_per_year": [self.slope], "slope_se": [self.se],
            "annual_drop": [self.rate], "annual_drop_se": [self.rate_se],
            "p10": [q10], "p50": [q50], "p90": [q90], "last_date": [self.last_date],
            "sources": ["; ".join(self.sources)],
        })

    def distribution(self) -> Distribution:
        """The annual decline as a distribution on ``[0, 1)`` for ``annual_price_drop``.

        A :class:`~distributions.decline.Decline`: the slope's t distribution given
        ``slope <= 0``, pushed through ``1 - exp``, so its 10%, 50% and 90% quantiles are
        exactly :attr:`quantiles`.

        Raises
        ------
        ValueError
            If the fitted trend is a price rise (no decline distribution describes it).

        Examples
        --------
        >>> fit = fit_decline("openai:frontier", field="input")
        >>> d = fit.distribution()
        >>> bool(abs(d.ppf(0.5) - fit.quantiles[1]) < 1e-9), d.support
        (True, (0.0, 1.0))
        """
        if self.slope >= 0:
            raise ValueError(
                f"{self.subject} {self.field}: the fitted trend is a rise of "
                f"{math.expm1(self.slope):.1%} a year ({self.window[0]} to {self.window[1]}), "
                "not a decline; choose another window or state annual_price_drop by hand")
        return Decline(self.slope, self.se, float(self.df))


def fit_decline(tier: str, *, field: str = "input", window: Window | None = None,
                observed: bool = False) -> DeclineFit:
    """The annual decline of a tier's price: a log-linear fit with its uncertainty.

    Parameters
    ----------
    tier : str
        ``vendor:level``, e.g. ``openai:frontier`` (see :func:`tier_prices`).
    field : str
        The price field, ``input`` by default.
    window : (start, end), optional
        Dates bounding the fit (default: the tier's first to last event).
    observed : bool
        Also use ``observed`` rows.

    Returns
    -------
    DeclineFit
        ``rate`` (annual decline), ``se``, ``n``, ``window``, ``quantiles``, ``sources``;
        ``.table()`` and ``.distribution()``.

    Raises
    ------
    ValueError
        Unknown tier or field, fewer than 3 points, or points exactly on a line.

    Examples
    --------
    >>> fit = fit_decline("openai:small", field="input", window=("2024-01-01", "2025-08-07"))
    >>> fit.n, round(fit.rate, 2), round(fit.se, 2)  # the window start adds a point
    (5, 0.64, 0.4)
    """
    points = tier_prices(tier, field=field, window=window, observed=observed)
    return _fit(points, tier, field, "tier")


def fit_model_decline(model: str, *, field: str = "input", window: Window | None = None,
                      observed: bool = False) -> DeclineFit:
    """The annual decline of one model's own list price (its snapshots' cheapest).

    Parameters
    ----------
    model : str
        A model or family (``gpt-3.5-turbo``, ``mistral-large``).
    field, window, observed
        As for :func:`fit_decline`.

    Returns
    -------
    DeclineFit

    Raises
    ------
    ValueError
        Unknown model or field, fewer than 3 points (most models have one or two prices:
        fit their tier instead), or points exactly on a line.

    Examples
    --------
    >>> fit = fit_model_decline("gpt-3.5-turbo", field="input")
    >>> fit.n, round(fit.rate, 2)
    (4, 0.76)
    """
    rows = subject_rows("model", model, field, observed)
    points = price_series(rows, f"model '{model}'", window)
    return _fit(points, model, field, "model")


def _fit(points: pl.DataFrame, subject: str, field: str, basis: str) -> DeclineFit:
    n = points.height
    if n < 3:
        raise ValueError(
            f"{subject} {field}: {n} dated price(s) in the window; a fit with an uncertainty "
            "needs at least 3 (widen the window, or fit the model's tier)")
    start = points["date"][0]
    years = np.array([(d - start).days / YEAR_DAYS for d in points["date"]])
    y = np.log(points["price"].to_numpy())
    sxx = float(np.sum((years - years.mean()) ** 2))
    slope = float(np.sum((years - years.mean()) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * years.mean())
    resid = y - (intercept + slope * years)
    se = math.sqrt(float(resid @ resid) / (n - 2) / sxx)
    if se == 0.0:
        raise ValueError(
            f"{subject} {field}: the {n} prices lie exactly on a line (e.g. a flat price), so "
            "the fit has no uncertainty to give; widen the window or state the decline by hand")
    pts = points.with_columns(years=pl.Series(years)).select(
        "date", "years", "price", "model", "source")
    return DeclineFit(subject, field, basis, (start, points["date"][-1]), pts, slope, se,
                      intercept)


# -- step cuts --------------------------------------------------------------------------------
@dataclass(frozen=True)
class StepCutFit:
    """Step price cuts in a window: how often (a Poisson rate) and how large.

    Attributes
    ----------
    subject, field, basis : str
        The tier (or, with ``basis="model"``, tier or vendor), price field and basis.
    window : (date, date)
        The window the cuts were counted in.
    events : polars.DataFrame
        One row per cut: ``date``, ``model``, ``old_price``, ``new_price``, ``size``
        (fractional drop, ``1 - new/old``).
    level : float
        Confidence level of :attr:`rate_interval`.
    """

    subject: str
    field: str
    basis: str
    window: tuple[date, date]
    events: pl.DataFrame = dc_field(repr=False)
    level: float = 0.9

    @property
    def years(self) -> float:
        """Length of the window in years."""
        return (self.window[1] - self.window[0]).days / YEAR_DAYS

    @property
    def count(self) -> int:
        """Number of cuts in the window."""
        return self.events.height

    @property
    def rate(self) -> float:
        """Cuts per year, ``count / years``."""
        return self.count / self.years

    @property
    def rate_interval(self) -> tuple[float, float]:
        """Exact (Garwood) Poisson interval for the rate at :attr:`level`."""
        from scipy import stats  # deferred: scipy.stats costs ~0.8 s at start-up; fits only

        a = 1.0 - self.level
        k, t = self.count, self.years
        lo = 0.0 if k == 0 else float(stats.chi2.ppf(a / 2, 2 * k)) / (2 * t)
        hi = float(stats.chi2.ppf(1 - a / 2, 2 * k + 2)) / (2 * t)
        return (lo, hi)

    @property
    def sizes(self) -> tuple[float, ...]:
        """Fractional size of each cut, in date order."""
        return tuple(float(s) for s in self.events["size"])

    @property
    def size_mean(self) -> float:
        """Mean cut size (NaN without cuts)."""
        return float(np.mean(self.sizes)) if self.sizes else math.nan

    @property
    def size_sd(self) -> float:
        """Sample standard deviation of the cut sizes (NaN with fewer than 2)."""
        return float(np.std(self.sizes, ddof=1)) if self.count >= 2 else math.nan

    def table(self) -> pl.DataFrame:
        """The fit as a one-row table."""
        lo, hi = self.rate_interval
        return pl.DataFrame({
            "subject": [self.subject], "field": [self.field], "basis": [self.basis],
            "window_start": [self.window[0]], "window_end": [self.window[1]],
            "years": [self.years], "cuts": [self.count], "cuts_per_year": [self.rate],
            "rate_lo": [lo], "rate_hi": [hi], "level": [self.level],
            "size_mean": [self.size_mean], "size_sd": [self.size_sd],
        })

    def rate_distribution(self) -> Distribution:
        """Cuts per year given the count: the Jeffreys-prior posterior, Gamma(k + 1/2, 1/T).

        Examples
        --------
        >>> cuts = fit_step_cuts("openai:frontier", field="input")
        >>> d = cuts.rate_distribution()
        >>> round(d.mean * cuts.years, 6)  # k + 1/2 cuts over the window
        5.5
        """
        return Gamma(self.count + 0.5, 1.0 / self.years)

    def size_distribution(self) -> Distribution:
        """Fractional size of a cut: a beta with the sizes' mean and standard deviation.

        Raises
        ------
        ValueError
            With fewer than two cuts, or all of the same size.
        """
        if self.count < 2 or not self.size_sd > 0:
            raise ValueError(
                f"{self.subject} {self.field}: {self.count} cut(s) in {self.window[0]} to "
                f"{self.window[1]}; a size distribution needs at least 2 cuts of different "
                "sizes (widen the window or state the cut size by hand)")
        return Beta.from_mean_sd(self.size_mean, self.size_sd)


def fit_step_cuts(group: str, *, field: str = "input", window: Window | None = None,
                  basis: Basis = "tier", level: float = 0.9) -> StepCutFit:
    """Rate and size of step price cuts in a window.

    Parameters
    ----------
    group : str
        A tier (``openai:frontier``); with ``basis="model"`` also a vendor (``openai``).
    field : str
        The price field.
    window : (start, end), optional
        Dates bounding the count (default: the group's first to last event).
    basis : {"tier", "model"}
        ``"tier"``: each fall of the tier's price (a cheaper successor or a cut; what a
        study on that tier pays). ``"model"``: each fall of a model's own list price between
        its consecutive rows (what a study pinned to one model pays).
    level : float
        Confidence level of the rate interval.

    Returns
    -------
    StepCutFit

    Raises
    ------
    ValueError
        Unknown group, field or basis, or an empty window.

    Examples
    --------
    >>> cuts = fit_step_cuts("openai:frontier", field="input")
    >>> cuts.count, round(cuts.rate, 2), round(cuts.size_mean, 3)
    (5, 2.08, 0.448)
    """
    if basis not in ("tier", "model"):
        raise ValueError(f"'{basis}' is not a valid basis. It must be one of {{'tier', 'model'}}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level={level} must be between 0 and 1, e.g. 0.9")
    if basis == "tier":
        points = tier_prices(group, field=field, window=window)
        events = _drops(points)
        span = (points["date"][0], points["date"][-1])
    else:
        rows = group_rows(group, field)
        span = window_span(rows, window, group)
        events = pl.concat([
            _drops(g.sort("date").select("date", "price", "model"))
            for _, g in rows.group_by("model")
        ]).filter(pl.col("date").is_between(*span, closed="right")).sort("date", "model")
    return StepCutFit(group, field, basis, span, events, level)


def _drops(points: pl.DataFrame) -> pl.DataFrame:
    """The strict falls of a price series: date, model, old and new price, fractional size."""
    prev = points["price"].shift(1)
    return points.with_columns(old_price=prev).filter(
        pl.col("price") < pl.col("old_price")
    ).select(
        "date", "model", "old_price", pl.col("price").alias("new_price"),
        (1.0 - pl.col("price") / pl.col("old_price")).alias("size"),
    )


__all__ = [
    "LEVELS",
    "YEAR_DAYS",
    "Basis",
    "DeclineFit",
    "StepCutFit",
    "fit_decline",
    "fit_model_decline",
    "fit_step_cuts",
]
