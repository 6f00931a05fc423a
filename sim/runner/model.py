"""The model: input values in, per-sample outcomes of every strategy out (docs/model.md,
"Monthly cost by strategy kind" to "Payback").

:func:`evaluate` is pure and vectorized: each input is a float (fixed) or an array over
the ``m`` samples of a chunk, and the only Python loop is over months. It knows nothing
about sampling, chunking or files (see :mod:`sim.runner.runner`).
"""

from __future__ import annotations

__all__ = ["NO_PAYBACK", "Outcome", "discount_factors", "evaluate", "section"]

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.costs.build import build_kernels, section
from sim.costs.project import month_cost
from sim.costs.workload import Value
from sim.runner.payback import NO_PAYBACK, Payback
from sim.study import Study


@dataclass(frozen=True)
class Outcome:
    """Per-sample outcomes of one strategy over the horizon.

    Attributes
    ----------
    npv : ndarray
        Net present value of the net saving vs the baseline (end-of-month flows).
    payback : ndarray of int16
        Payback month: the first month from which the cumulative net saving stays >= 0 to
        the horizon's end, for a strategy that ends the horizon ahead (cumulative > 0);
        0 when none (see :mod:`sim.runner.payback`).
    tco : ndarray
        Total cost of ownership over the horizon (undiscounted, including the project).
    upfront : ndarray
        The one-off project cost (0 for the baseline).
    payback_months : ndarray
        Fractional payback: linear interpolation inside the payback month, the month's
        one-off spend paid at its start; NaN when none (see :mod:`sim.runner.payback`).
    months : ndarray or None
        Cumulative net saving by month, shape (H, keep), for the first ``keep`` samples.
    """

    npv: NDArray[np.float64]
    payback: NDArray[np.int16]
    tco: NDArray[np.float64]
    upfront: NDArray[np.float64]
    payback_months: NDArray[np.float64]
    months: NDArray[np.float64] | None = None

    @property
    def roi(self) -> NDArray[np.float64]:
        """NPV / upfront spend; NaN where there is no upfront spend."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.upfront > 0, self.npv / np.where(self.upfront > 0,
                                                                  self.upfront, 1.0), np.nan)


def discount_factors(rate: float, horizon: int) -> NDArray[np.float64]:
    """End-of-month discount factors ``(1 + r) ** (-t / 12)`` for t = 1..H.

    Examples
    --------
    >>> discount_factors(0.10, 12)[-1].round(6)
    np.float64(0.909091)
    """
    return (1.0 + rate) ** (-np.arange(1, horizon + 1) / 12.0)


def _full(x: Value, m: int) -> NDArray[np.float64]:
    return np.broadcast_to(np.asarray(x, dtype=np.float64), (m,)).copy()


def evaluate(study: Study, values: Mapping[str, Value], m: int, *,
             keep: int = 0) -> dict[str, Outcome]:
    """Evaluate every strategy on ``m`` samples of the inputs.

    Parameters
    ----------
    study : Study
        The validated study.
    values : mapping
        Every input path to a float (fixed) or an array of length ``m``.
    m : int
        Number of samples.
    keep : int
        Keep the monthly cumulative net saving of the first ``keep`` samples (fan charts).

    Returns
    -------
    dict of str to Outcome
        One per strategy; the baseline's NPV is 0 and it never "pays back".

    Notes
    -----
    Payback is decided at the horizon's end from the whole path of the cumulative net
    saving (:class:`sim.runner.payback.Payback`): a month that ends at or above 0 is not the
    payback month if the cumulative dips below 0 again later (a retraining), nor when the
    strategy does not end the horizon ahead.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
    >>> values = {i.path: i.dist.median for i in study.inputs()}  # doctest: +SKIP
    >>> evaluate(study, values, 1)["self_hosted_7b"].payback  # doctest: +SKIP
    array([3], dtype=int16)
    """
    w, kernels = build_kernels(study, values)
    horizon = study.horizon_months
    disc = discount_factors(study.discount_rate, horizon)
    base = kernels[study.baseline]
    compared = study.compared()
    others = [n for n in compared if n != study.baseline]
    cum = {n: Payback(m) for n in others}
    npv = {n: np.zeros(m) for n in others}
    tco = {n: np.zeros(m) for n in compared}
    months = {n: np.empty((horizon, keep)) for n in others} if keep else None
    growth: Value = 1.0
    g = w.growth_factor
    for t in range(1, horizon + 1):
        if t > 1:
            growth = growth * g
        base_cost, _ = base.month(t, growth)
        tco[study.baseline] += base_cost
        for n in others:
            run, spend = kernels[n].month(t, growth)
            cost = month_cost(kernels[n].project.building(t), spend, run, base_cost)
            net = base_cost - cost
            cum[n].add(t, net, spend)
            npv[n] += disc[t - 1] * net
            tco[n] += cost
            if months is not None:
                months[n][t - 1] = cum[n].cum[:keep]
    out = {}
    for n in compared:
        if n == study.baseline:
            out[n] = Outcome(np.zeros(m), np.full(m, NO_PAYBACK, dtype=np.int16), tco[n],
                             np.zeros(m), np.full(m, np.nan))
        else:
            month, fractional = cum[n].result()
            out[n] = Outcome(npv[n], month, tco[n], _full(kernels[n].project.cost, m),
                             fractional, None if months is None else months[n])
    return out
