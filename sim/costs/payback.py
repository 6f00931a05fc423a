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

The rule is applied as the months are stepped through, one sample at a time in the fused
model (:func:`sim.costs.fused.fold_lane`, called by :func:`sim.costs.fused.simulate`), with
nothing stored per month. Month t is a *candidate* when ``C[t-1] < 0`` (month 1 always is);
the payback month is the last candidate. Each candidate's interpolated value, with ``f``
capped at 1, is at most t, and the last candidate's lies in [t-1, t], so it is also the
largest: the model keeps the last candidate's ``C[t-1] - S[t]`` and ``C[t]`` and
interpolates once, when the horizon is reached (:func:`sim.costs.fused.payback_fraction`).
"""

from __future__ import annotations

__all__ = ["NO_PAYBACK", "fold_month"]

from sim.costs.fused import NO_PAYBACK, fold_month
