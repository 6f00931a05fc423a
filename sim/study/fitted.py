"""Fitted values: a study input drawn from a fit to the price history.

A price-decline input may name the evidence instead of a hand-typed range::

    annual_price_drop = { fitted = "openai:frontier" }
    annual_price_drop = { fitted = "openai:frontier", field = "output",
                          window = ["2024-01-01", "2025-12-31"] }
    annual_price_drop = { fitted = "model:gpt-3.5-turbo" }      # a model's own list price
    price_cuts_per_year = { fitted = "openai:frontier" }
    price_cut_size = { fitted = "openai", basis = "model" }     # cuts of each model's price

The loader resolves the table here into a :class:`~distributions.Distribution` before
:mod:`distributions` sees it (the input language knows nothing of prices), and records
where it came from in a :class:`FittedSource`: the fit's subject, field, window, points,
statistics and stated quantiles, the dataset's date and hash. The source goes into the
input's note, the run's manifest (``fitted_inputs``) and the report's inputs table.

Keys and fits:

- ``annual_price_drop``: :func:`~sim.study.price_fits.fit_decline` (a tier) or
  :func:`~sim.study.price_fits.fit_model_decline` (``model:<name>``), as the
  :class:`~distributions.Decline` whose 10%, 50% and 90% quantiles are the fit's;
- ``price_cuts_per_year``: :func:`~sim.study.price_fits.fit_step_cuts`, the rate's Jeffreys
  posterior Gamma(k + 1/2, 1/T) (cut to the key's domain, [0, 12] a year, which it says);
- ``price_cut_size``: the same fit's cut sizes as a beta with their mean and standard
  deviation.

Examples
--------
>>> dist, src = fitted_input("strategies.frontier.annual_price_drop",
...                          {"fitted": "openai:frontier"})
>>> src.subject, src.n, str(src.window[0]), round(src.quantiles[1], 3)
('openai:frontier', 7, '2023-03-14', 0.714)
>>> bool(abs(float(dist.ppf(0.5)) - src.quantiles[1]) < 1e-9)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

from distributions import Distribution, Truncated
from sim.study.price_fits import (
    DeclineFit,
    StepCutFit,
    fit_decline,
    fit_model_decline,
    fit_step_cuts,
)
from sim.study.price_history import FIELDS, price_history

__all__ = ["FITTED_FORMS", "FITTED_KEYS", "OPTIONS", "FittedSource", "dataset_identity",
           "fitted_input", "is_fitted"]

#: The keys a fitted value may fill, and what each is fitted from.
FITTED_KEYS: dict[str, str] = {
    "annual_price_drop": "the annual decline of a tier's (or model:<name>'s own) list price",
    "price_cuts_per_year": "the rate of a tier's step price cuts (Jeffreys posterior)",
    "price_cut_size": "the sizes of a tier's step price cuts (a beta with their mean and sd)",
}
#: The options of a fitted table besides ``fitted`` itself.
OPTIONS = ("field", "window", "observed", "basis")
#: The forms of a fitted value, for the study-file reference: (syntax, meaning, example).
FITTED_FORMS: tuple[tuple[str, str, str], ...] = (
    ("{ fitted = \"vendor:tier\" }", "the annual decline of the tier's cheapest list price, "
     "a log-linear fit over the tier's whole history (ftrisk prices --fit VENDOR lists the "
     "tiers and their fits); its 10/50/90% quantiles are the fit's",
     'annual_price_drop = { fitted = "openai:frontier" }'),
    ("{ fitted = ..., field = \"output\" }", "fit another price field (input by default): "
     "output, cached_input, batch_input, ...",
     'annual_price_drop = { fitted = "openai:frontier", field = "output" }'),
    ("{ fitted = ..., window = [start, end] }", "fit between two ISO dates; each end adds the "
     "price in force that day",
     'annual_price_drop = { fitted = "openai:frontier", window = ["2024-01-01", '
     '"2025-12-31"] }'),
    ("{ fitted = \"model:name\" }", "the decline of one model's own list price over its "
     "snapshots (needs 3 dated prices)",
     'annual_price_drop = { fitted = "model:gpt-3.5-turbo" }'),
    ("{ fitted = \"vendor:tier\" } (step cuts)", "price_cuts_per_year: the tier's cuts a year "
     "(Gamma(k + 1/2, 1/T), k cuts in T years, at most 12); price_cut_size: their sizes (a "
     "beta with their mean and sd)",
     'price_cuts_per_year = { fitted = "openai:frontier" }'),
    ("{ fitted = \"vendor\", basis = \"model\" }", "step cuts of each model's own price "
     "across a vendor's models (instead of the tier's price)",
     'price_cut_size = { fitted = "openai", basis = "model" }'),
)
#: Prefix of a subject that is a model's own price rather than a tier.
MODEL_PREFIX = "model:"
#: The stated quantiles of every fitted input.
LEVELS = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class FittedSource:
    """Where a fitted input came from: the fit and the data it was made on.

    Attributes
    ----------
    path : str
        The input (``strategies.frontier.annual_price_drop``).
    key : str
        Its key (``annual_price_drop``).
    subject : str
        The tier, ``model:<name>`` or vendor fitted.
    field : str
        The price field (``input``, ``output``, ...).
    basis : str
        ``"tier"`` or ``"model"``.
    window : (str, str)
        First and last date of the fit (ISO).
    n : int
        Points of a decline fit, cuts counted by a step-cut fit.
    statistic : str
        The fit in words ("annual decline 71.4% (se 17.9%)", "2.08 cuts a year (90%
        interval 0.82 to 4.37)", "mean cut 44.8% (sd 17.0%)").
    quantiles : (float, float, float)
        The fit's stated 10%, 50% and 90% quantiles of the input.
    sources : tuple of str
        Sources of the prices the fit used.
    as_of : str
        The price history's latest date (ISO): the data the fit was made on.
    dataset_sha256 : str
        Hash of ``sim/data/price_history.csv``.
    note : str
        One line for the inputs table and ``ftrisk describe``.
    """

    path: str
    key: str
    subject: str
    field: str
    basis: str
    window: tuple[str, str]
    n: int
    statistic: str
    quantiles: tuple[float, float, float]
    sources: tuple[str, ...]
    as_of: str
    dataset_sha256: str
    note: str

    def to_json(self) -> dict[str, Any]:
        """The manifest's entry for this input (``fitted_inputs``)."""
        return {"input": self.path, "key": self.key, "fitted": self.subject,
                "field": self.field, "basis": self.basis, "window": list(self.window),
                "n": self.n, "fit": self.statistic,
                "p10": self.quantiles[0], "p50": self.quantiles[1], "p90": self.quantiles[2],
                "price_history_as_of": self.as_of,
                "price_history_sha256": self.dataset_sha256,
                "sources": list(self.sources)}


def is_fitted(value: Any) -> bool:
    """True for a fitted value (a table with a ``fitted`` key)."""
    return isinstance(value, Mapping) and "fitted" in value


@cache
def dataset_identity() -> tuple[str, str]:
    """The price history's latest date (ISO) and the sha256 of its file."""
    raw = resources.files("sim").joinpath("data", "price_history.csv").read_bytes()
    latest = price_history()["date"].max()
    return str(latest), hashlib.sha256(raw).hexdigest()


def fitted_input(path: str, value: Mapping[str, Any]) -> tuple[Distribution, FittedSource]:
    """Resolve a fitted value of the input ``path`` into its distribution and source.

    Parameters
    ----------
    path : str
        The input's dotted path; its last part must be one of :data:`FITTED_KEYS`.
    value : mapping
        ``{fitted = subject, field?, window?, observed?, basis?}``.

    Returns
    -------
    (Distribution, FittedSource)

    Raises
    ------
    ValueError
        A key that cannot be fitted, an unknown option, subject (with the closest tiers) or
        field, a bad window, or a fit the data cannot give (too few points, a rise); the
        message says what to change (the loader adds the file and the key).
    """
    key = path.rsplit(".", 1)[-1]
    if key not in FITTED_KEYS:
        raise ValueError(f"a fitted value applies to {', '.join(FITTED_KEYS)} only; give "
                         f"{key} as a number or a distribution")
    unknown = [k for k in value if k != "fitted" and k not in OPTIONS]
    if unknown:
        raise ValueError(f"unknown option '{unknown[0]}' of a fitted value; valid: fitted, "
                         f"{', '.join(OPTIONS)}")
    subject = value["fitted"]
    if not isinstance(subject, str):
        raise ValueError(f"fitted = {subject!r} must name a tier, e.g. \"openai:frontier\"")
    field = _field(value.get("field", "input"))
    window = _window(value.get("window"))
    observed = value.get("observed", False)
    if not isinstance(observed, bool):
        raise ValueError(f"observed = {observed!r} must be true or false")
    if key == "annual_price_drop":
        if "basis" in value:
            raise ValueError("basis applies to price_cuts_per_year and price_cut_size; a "
                             "decline of a model's own price is fitted = \"model:<name>\"")
        return _decline(path, key, subject, field, window, observed)
    if observed:
        raise ValueError("observed applies to annual_price_drop only (step cuts are counted "
                         "between dated price events)")
    return _cuts(path, key, subject, field, window, value.get("basis", "tier"))


def _field(field: Any) -> str:
    if field not in FIELDS:
        close = get_close_matches(str(field), FIELDS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"field = {field!r} is not a price field; {hint}valid: "
                         f"{', '.join(FIELDS)}")
    return str(field)


def _window(window: Any) -> tuple[str | None, str | None] | None:
    if window is None:
        return None
    if (not isinstance(window, list) or len(window) != 2
            or not all(w is None or isinstance(w, str) for w in window)):
        raise ValueError(f"window = {window!r} must be two ISO dates, e.g. "
                         "[\"2024-01-01\", \"2025-12-31\"]")
    return (window[0], window[1])


def _tiers() -> list[str]:
    return sorted(set(price_history()["tier"].drop_nulls()))


def _vendors() -> list[str]:
    return sorted(set(price_history().filter(pl.col("tier").is_not_null())["vendor"]))


def _unknown(subject: str, known: list[str], what: str) -> ValueError:
    close = get_close_matches(subject, known, n=3, cutoff=0.5)
    shown = close or known
    lead = "did you mean" if close else "valid"
    return ValueError(f"'{subject}' is not {what} of the price history; {lead}: "
                      f"{', '.join(shown)} (ftrisk prices --fit lists the fits)")


def _decline(path: str, key: str, subject: str, field: str,
             window: tuple[str | None, str | None] | None,
             observed: bool) -> tuple[Distribution, FittedSource]:
    if subject.startswith(MODEL_PREFIX):
        model = subject.removeprefix(MODEL_PREFIX)
        df = price_history()
        known = sorted(set(df["model"]) | set(df["family"]))
        if model not in known:
            raise _unknown(model, known, "a model or family")
        fit = fit_model_decline(model, field=field, window=window, observed=observed)
    else:
        if subject not in _tiers():
            raise _unknown(subject, _tiers(), "a tier")
        fit = fit_decline(subject, field=field, window=window, observed=observed)
    dist = fit.distribution()
    q10, _, q90 = fit.quantiles
    statistic = (f"annual decline {fit.rate:.1%} (se {fit.rate_se:.1%}), p10-p90 "
                 f"{q10:.1%} to {q90:.1%}")
    return dist, _source(path, key, subject, fit, fit.n, statistic, fit.quantiles)


def _cuts(path: str, key: str, subject: str, field: str,
          window: tuple[str | None, str | None] | None,
          basis: Any) -> tuple[Distribution, FittedSource]:
    if basis not in ("tier", "model"):
        raise ValueError(f"basis = {basis!r} must be \"tier\" (falls of the tier's price) or "
                         "\"model\" (falls of each model's own price)")
    if subject.startswith(MODEL_PREFIX):
        raise ValueError("step cuts are fitted per tier (fitted = \"openai:frontier\"), or per "
                         "vendor over its models' own prices (fitted = \"openai\", basis = "
                         "\"model\")")
    known = _tiers() if basis == "tier" else _tiers() + _vendors()
    if subject not in known:
        raise _unknown(subject, known, "a tier" if basis == "tier" else "a tier or vendor")
    fit = fit_step_cuts(subject, field=field, window=window, basis=basis)
    if key == "price_cuts_per_year":
        dist: Distribution = fit.rate_distribution()
        lo, hi = fit.rate_interval
        statistic = (f"{fit.count} cuts in {fit.years:.2f} years: {fit.rate:.2f} a year "
                     f"(90% interval {lo:.2f} to {hi:.2f})")
        if dist.draw_range[1] > 12.0:
            dist = Truncated(dist, 0.0, 12.0)
            statistic += "; cut to the key's domain, at most 12 a year"
    else:
        dist = fit.size_distribution()
        statistic = (f"{fit.count} cuts in {fit.years:.2f} years: mean cut "
                     f"{fit.size_mean:.1%} (sd {fit.size_sd:.1%})")
    q10, q50, q90 = (float(v) for v in dist.ppf(np.array(LEVELS)))
    return dist, _source(path, key, subject, fit, fit.count, statistic, (q10, q50, q90))


def _source(path: str, key: str, subject: str, fit: DeclineFit | StepCutFit, n: int,
            statistic: str, quantiles: tuple[float, float, float]) -> FittedSource:
    as_of, sha = dataset_identity()
    start, end = (str(d) for d in fit.window)
    sources = fit.sources if isinstance(fit, DeclineFit) else _cut_sources(fit)
    what = "points" if isinstance(fit, DeclineFit) else "cuts"
    basis = f", {fit.basis} basis" if isinstance(fit, StepCutFit) else ""
    note = (f"fitted: {subject} {fit.field} price{basis}, {start} to {end}, {n} {what}: "
            f"{statistic} (price history as of {as_of})")
    return FittedSource(path, key, subject, fit.field, fit.basis, (start, end), n, statistic,
                        quantiles, tuple(sources), as_of, sha, note)


def _cut_sources(fit: StepCutFit) -> tuple[str, ...]:
    """The sources of the prices each cut fell to."""
    rows = price_history().filter(pl.col("field") == fit.field)
    found = fit.events.join(rows.select("date", "model", "source"), on=["date", "model"],
                            how="left")
    return tuple(dict.fromkeys(s for s in found["source"].to_list() if s))
