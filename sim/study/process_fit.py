"""The volume process fitted to a log's daily counts (``ftrisk workload LOG --process``).

The full days are cut into whole periods, 30-day months when the log holds at least
:data:`MIN_MONTHS` of them, else 7-day weeks (a trailing partial period is left out), and
each period's requests are summed. The log-volume increments ``x_k = log(N_{k+1} / N_k)``
of a geometric random walk with monthly drift ``mu`` and volatility ``sigma``, over periods
of L days (c = 30 / L periods a month), are independent normals with mean ``(mu -
sigma**2 / 2) / c`` and variance ``sigma**2 / c``; counting adds Poisson noise of variance
``1 / N_k + 1 / N_{k+1}`` to each. So, over n increments with mean ``m`` and sample
variance ``s**2``:

- ``sigma**2 = c (s**2 - mean(1 / N_k + 1 / N_{k+1}))`` (0 when the counting noise explains
  all the spread), standard error ``sigma / sqrt(2 (n - 1))``;
- ``mu = c m + sigma**2 / 2``, standard error ``c s / sqrt(n)`` (that of ``c m``).

The log's periods are taken as the process's steps: the level is read as constant within a
period, as the cost model reads a month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from distributions.base import FloatArray

__all__ = ["MIN_MONTHS", "MIN_WEEKS", "ProcessFit", "fit_process"]

#: Whole 30-day months from which the fit uses months rather than weeks.
MIN_MONTHS = 6
#: Fewest whole weeks (three increments).
MIN_WEEKS = 4


@dataclass(frozen=True)
class ProcessFit:
    """Drift and volatility per month, with their standard errors.

    Examples
    --------
    >>> f = fit_process(np.repeat([1000.0, 1100.0, 1210.0, 1331.0, 1464.1], 7))
    >>> f.period, f.increments, round(f.drift * 7 / 30, 4), f.volatility
    ('week', 4, 0.0953, 0.0)
    """

    period: str
    increments: int
    drift: float
    drift_se: float
    volatility: float
    volatility_se: float

    def value(self) -> dict[str, Any]:
        """The study's ``volume_process`` table: a normal drift (cut inside (-1, 1) when it
        could reach them), a volatility normal cut at 0 (fixed values when their standard
        error is 0)."""
        def normal(mean: float, se: float, **cut: float) -> Any:
            return {"normal": {"mean": mean, "sd": se, **cut}} if se > 0 else mean

        cut: dict[str, float] = {}
        if self.drift - 8.5 * self.drift_se <= -1.0:  # a normal's draws reach 8.5 sd
            cut["min"] = -0.99
        if self.drift + 8.5 * self.drift_se >= 1.0:
            cut["max"] = 0.99
        return {"drift": normal(self.drift, self.drift_se, **cut),
                "volatility": normal(self.volatility, self.volatility_se, min=0.0)}


def fit_process(daily: FloatArray, *, period: str = "auto") -> ProcessFit:
    """Fit the volume process to consecutive full days' request counts (see the module
    docstring); ``period`` "month", "week" or "auto" (months from :data:`MIN_MONTHS`).

    Raises
    ------
    ValueError
        Fewer than :data:`MIN_WEEKS` whole weeks, or a period without requests.
    """
    days = int(daily.size)
    if period not in ("auto", "month", "week"):
        raise ValueError(f"period {period!r} must be 'auto', 'month' or 'week'")
    if period == "auto":
        period = "month" if days // 30 >= MIN_MONTHS else "week"
    length = 30 if period == "month" else 7
    k = days // length
    if k < MIN_WEEKS:
        raise ValueError(f"the volume process needs at least {MIN_WEEKS} whole weeks of full "
                         f"days (three weekly changes); the log has {days} full days: use a "
                         "longer log")
    counts = daily[:k * length].reshape(k, length).sum(axis=1)
    if np.any(counts <= 0):
        raise ValueError(f"a {period} without requests: its log volume is undefined; use a "
                         "log without gaps")
    x = np.diff(np.log(counts))
    n = x.size
    c = 30.0 / length
    s2 = float(x.var(ddof=1))
    noise = float(np.mean(1.0 / counts[:-1] + 1.0 / counts[1:]))
    var = c * max(s2 - noise, 0.0)
    sigma = math.sqrt(var)
    return ProcessFit(period, n, c * float(x.mean()) + var / 2.0, c * math.sqrt(s2 / n),
                      sigma, sigma / math.sqrt(2.0 * (n - 1)))
