"""The model: input values in, per-sample outcomes of every strategy out (docs/model.md,
"Monthly cost by strategy kind" to "Payback").

:func:`evaluate` is pure: each input is a float (fixed) or an array over the ``m`` samples
of a chunk; the kinds' kernels turn them into coefficients (vectorized numpy) and the fused
compiled model (:func:`sim.costs.fused.simulate`) steps every sample through the months. It
knows nothing about sampling, chunking or files (see :mod:`sim.runner.runner`).
"""

from __future__ import annotations

__all__ = ["NO_PAYBACK", "Fold", "Outcome", "discount_factors", "evaluate", "fold", "section"]

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.costs.build import pack_study, section
from sim.costs.payback import NO_PAYBACK
from sim.costs.workload import Value
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
        """NPV / upfront spend; NaN where there is no upfront spend (or one so small that the
        ratio leaves the range of a float)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            roi = np.where(self.upfront > 0, self.npv / np.where(self.upfront > 0,
                                                                 self.upfront, 1.0), np.nan)
        return np.where(np.isfinite(roi), roi, np.nan)


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


@dataclass(frozen=True)
class Fold:
    """Every compared strategy's per-sample outcomes as the fused model returns them (rows
    in ``names`` order; the baseline's row has NPV 0 and no payback)."""

    names: list[str]
    npv: NDArray[np.float64]
    payback: NDArray[np.int16]
    payback_months: NDArray[np.float64]
    tco: NDArray[np.float64]
    upfront: dict[str, Value]
    fan: NDArray[np.float64]


def fold(study: Study, values: Mapping[str, Value], m: int, *, keep: int = 0,
         helpable: bool = False) -> Fold:
    """Evaluate every compared strategy on ``m`` samples in one compiled pass
    (:func:`sim.costs.fused.simulate`; ``helpable``: other threads may step some of its
    blocks, :mod:`sim.costs.helpers`); see :func:`evaluate` for the same as
    :class:`Outcome` objects."""
    packed, kernels = pack_study(study, values, m)
    names = study.compared()
    horizon = study.horizon_months
    o = packed.simulate(horizon=horizon, disc=discount_factors(study.discount_rate, horizon),
                        keep=keep, helpable=helpable)
    upfront = {n: kernels[n].project.cost for n in names if n != study.baseline}
    return Fold(names, o.npv, o.payback, o.fractional, o.tco, upfront, o.fan)


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
    saving (:mod:`sim.costs.payback`): a month that ends at or above 0 is not the payback
    month if the cumulative dips below 0 again later (a retraining), nor when the strategy
    does not end the horizon ahead. The months are stepped by the compiled fused model
    (:func:`sim.costs.fused.simulate`), one sample at a time.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
    >>> values = {i.path: i.dist.median for i in study.inputs()}  # doctest: +SKIP
    >>> evaluate(study, values, 1)["self_hosted_7b"].payback  # doctest: +SKIP
    array([3], dtype=int16)
    """
    f = fold(study, values, m, keep=keep)
    out = {}
    for i, n in enumerate(f.names):
        if n == study.baseline:
            out[n] = Outcome(np.zeros(m), np.full(m, NO_PAYBACK, dtype=np.int16), f.tco[i],
                             np.zeros(m), np.full(m, np.nan))
        else:
            out[n] = Outcome(f.npv[i], f.payback[i], f.tco[i], _full(f.upfront[n], m),
                             f.payback_months[i], f.fan[i] if keep else None)
    return out
