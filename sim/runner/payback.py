"""The payback rule (SPEC §4): when a strategy's cumulative net saving is ahead for good.

Let ``C[t]`` be the cumulative net saving vs the baseline at the end of month t (t = 1..H,
``C[0] = 0``) and ``S[t]`` the one-off spend of month t (the project, or a retraining).

- **Payback month** ``m``: the first month from which ``C[t] >= 0`` for every t = m..H,
  for a strategy whose ``C[H] > 0``; otherwise there is none ("not within the horizon",
  stored as :data:`NO_PAYBACK` = 0). So ``m`` is one past the last month that ends below 0
  (month 1 when none does). A strategy that ends level with the baseline (``C[H] = 0``) or
  behind it never pays back, whatever it did in between.
- **Fractional payback** ``m - 1 + f``: linear interpolation inside month m, as a
  spreadsheet would. The month's one-off spend ``S[m]`` is paid at its start, the rest of
  its net saving accrues evenly through it, so the cumulative runs in a straight line from
  ``C[m-1] - S[m]`` to ``C[m]``, and

      f = (S[m] - C[m-1]) / (C[m] - C[m-1] + S[m])      (f = 0 when the denominator is 0)

  With no one-off spend in month m this is SPEC's ``(m-1) + (-C[m-1]) / (C[m] - C[m-1])``;
  a project P paid in month 1 with a monthly saving s gives ``P / s``, the spreadsheet's
  payback. ``f`` lies in [0, 1] (above 0 for m > 1, where ``C[m-1] < 0``), so the whole
  month is ``max(1, ceil(fractional))``.

The rule is applied as the months are stepped through (vectorized over samples, nothing
stored per month): :class:`Payback` remembers, for each sample, the latest month that
follows a month ending below 0, and decides at the end of the horizon.
"""

from __future__ import annotations

__all__ = ["NO_PAYBACK", "Payback"]

import numpy as np
from numpy.typing import NDArray

from sim.costs.workload import Value

#: Payback month stored for "not within the horizon" (null in samples.parquet).
NO_PAYBACK = 0


class Payback:
    """The cumulative net saving of ``m`` samples, month by month, and its payback.

    Examples
    --------
    A $1,200 project paid in month 1 that then saves $1,000 a month: month 1 ends at
    -200, month 2 at +800; payback in month 2, or 1.2 months (1,200 / 1,000).

    >>> p = Payback(1)
    >>> for t in (1, 2, 3):
    ...     p.add(t, np.array([1000.0 - (1200.0 if t == 1 else 0.0)]),
    ...           1200.0 if t == 1 else 0.0)
    >>> month, fractional = p.result()
    >>> int(month[0]), round(float(fractional[0]), 6)
    (2, 1.2)
    """

    def __init__(self, m: int) -> None:
        #: cumulative net saving at the end of the last month added
        self.cum = np.zeros(m)
        # the candidate crossing month (one past the latest month that ended below 0), the
        # cumulative just after its one-off spend and at its end
        self._month = np.ones(m, dtype=np.int16)
        self._start = np.zeros(m)
        self._end = np.zeros(m)
        self._open = np.empty(m, dtype=bool)

    def add(self, t: int, net: Value, spend: Value) -> None:
        """Add month t's net saving (``spend``, its one-off spend, is already in ``net``)."""
        if t == 1:
            self._open.fill(True)
            np.subtract(0.0, spend, out=self._start)
        else:
            np.less(self.cum, 0.0, out=self._open)
            np.copyto(self._month, t, where=self._open)
            np.subtract(self.cum, spend, out=self._start, where=self._open)
        self.cum += net
        np.copyto(self._end, self.cum, where=self._open)

    def result(self) -> tuple[NDArray[np.int16], NDArray[np.float64]]:
        """Payback month (0: none) and fractional payback (NaN: none), at the horizon's end."""
        ahead = self.cum > 0.0
        month = np.where(ahead, self._month, NO_PAYBACK).astype(np.int16)
        span = self._end - self._start
        f = np.divide(-self._start, span, out=np.zeros_like(span), where=ahead & (span > 0))
        fractional = np.where(ahead, (self._month - 1) + f, np.nan)
        return month, fractional
