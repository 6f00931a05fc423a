"""The payback rule: when a strategy's cumulative net saving is ahead for good (docs/model.md,
"Payback").

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

  With no one-off spend in month m this is the usual ``(m-1) + (-C[m-1]) / (C[m] - C[m-1])``;
  a project P paid in month 1 with a monthly saving s gives ``P / s``, the spreadsheet's
  payback. ``f`` lies in [0, 1] (above 0 for m > 1, where ``C[m-1] < 0``), so the whole
  month is ``max(1, ceil(fractional))``.

The rule is applied as the months are stepped through, vectorized over samples and with
nothing stored per month (:class:`Payback`). Month t is a *candidate* when ``C[t-1] < 0``
(month 1 always is); the payback month is the last candidate. Each candidate's interpolated
value, with ``f`` capped at 1, is at most t, and the last candidate's lies in [t-1, t], so
it is also the largest: a running maximum keeps it. Only plain (unmasked) array operations
are used: a masked store costs ~20 times as much when samples cross in different months.
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
        self._month = np.ones(m, dtype=np.int16)  # the last candidate month so far
        self._fractional = np.zeros(m)  # its interpolated payback (the largest so far)
        self._open = np.empty(m, dtype=bool)
        self._start = np.empty(m)
        self._f = np.empty(m)

    def add(self, t: int, net: Value, spend: Value) -> None:
        """Add month t's net saving (``spend``, its one-off spend, is already in ``net``)."""
        if t == 1:
            self._open.fill(True)
        else:
            np.less(self.cum, 0.0, out=self._open)
            if not self._open.any():  # every sample ahead: no candidate this month
                self.cum += net
                return
            np.maximum(self._month, self._open * np.int16(t), out=self._month)
        start, f = self._start, self._f
        np.subtract(self.cum, spend, out=start)  # just after the month's one-off spend
        self.cum += net
        # f = -start / gain = start / (start - C[t]), capped at 1 (a candidate that is not
        # the last may lie beyond t); 0 / 0 gives NaN, which fmax ignores, and so does
        # x * 0 for the non-candidates' NaN; their finite values become 0
        np.subtract(start, self.cum, out=f)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(start, f, out=f)
            np.minimum(f, 1.0, out=f)
            f += t - 1
            np.multiply(f, self._open, out=f)
        np.fmax(self._fractional, f, out=self._fractional)

    def result(self) -> tuple[NDArray[np.int16], NDArray[np.float64]]:
        """Payback month (0: none) and fractional payback (NaN: none), at the horizon's end."""
        ahead = self.cum > 0.0
        month = np.where(ahead, self._month, NO_PAYBACK).astype(np.int16)
        return month, np.where(ahead, self._fractional, np.nan)
