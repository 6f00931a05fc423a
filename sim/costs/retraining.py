"""Retraining as it happens: when, at what cost, and whether it pays (docs/model.md,
"Project, build months and retraining").

A fine-tuned model in production from month ``d + 1`` (d build months) is retrained every
R months: in months ``t = d + R, d + 2R, ...`` up to the horizon H. Each retraining costs
compute plus the redone share of the engineering (see :func:`sim.costs.kernels.retrain_cost`)
and serves the R months until the next one. **Terminal amortization**: a retraining whose
service runs past the horizon (``t + R - 1 > H``) is charged only the share
``(H - t + 1) / R`` of its cost; the rest buys months beyond the horizon.

Policies: ``scheduled`` retrainings always happen (new base models, drift).
``when_it_pays`` (a hosted fine-tuned model, whose price steps down onto the new base's at a
retraining) skips one in a sample when its charged cost exceeds the saving of the price
step it brings over the months it serves within the horizon (undiscounted; see
:meth:`Retraining.happens`). The month loops (:mod:`sim.costs.fused`) apply these rules;
the methods below are the same compiled rules applied to whole arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.costs.fused import retrain_due_ufunc, retrain_served_ufunc
from sim.costs.slots import BUILD, EVERY, F_RETRAIN, F_WHEN_PAYS, RCOST
from sim.costs.workload import Value


@dataclass(frozen=True)
class Retraining:
    """The retraining schedule of one strategy over a chunk of samples.

    Examples
    --------
    Every 10 months after 1 build month, horizon 36: months 11, 21, 31; the last serves
    months 31-40, so it is charged 6/10 of its 1,000.

    >>> r = Retraining(every=10, cost=1000.0, start=1, horizon=36)
    >>> [(t, float(r.charge(t))) for t in range(1, 37) if r.due(t)]
    [(11, 1000.0), (21, 1000.0), (31, 600.0)]
    """

    every: Value
    cost: Value
    start: Value
    horizon: int
    when_it_pays: bool = False

    def due(self, t: int) -> bool | np.ndarray:
        """Whether month t is a scheduled retraining month."""
        out = retrain_due_ufunc(float(t), self.start, self.every)
        return bool(out) if np.ndim(out) == 0 else out

    def served(self, t: int) -> Value:
        """Months within the horizon a retraining in month t serves: min(R, H - t + 1)."""
        return retrain_served_ufunc(float(t), self.every, float(self.horizon))

    def charge(self, t: int) -> Value:
        """What a retraining in month t is charged: its cost x min(1, (H - t + 1) / R)."""
        return self.cost * self.served(t) / self.every

    def happens(self, t: int, gain: Value = 0.0) -> bool | np.ndarray:
        """Whether a retraining happens in month t: scheduled and, under ``when_it_pays``,
        charged no more than ``gain`` (the saving it brings over :meth:`served` months)."""
        due = self.due(t)
        if not self.when_it_pays:
            return due
        return np.asarray(due) & np.asarray(self.charge(t) <= gain)

    def spend(self, t: int, happened: bool | np.ndarray) -> Value:
        """The month's retraining spend, given where it happens."""
        if isinstance(happened, bool | np.bool_) and np.ndim(self.charge(t)) == 0:
            return float(self.charge(t)) if happened else 0.0
        return np.where(happened, self.charge(t), 0.0)

    def slots(self) -> tuple[dict[int, Value], dict[int, int]]:
        """The coefficients and flags of the fused model (:mod:`sim.costs.fused`)."""
        return ({EVERY: self.every, RCOST: self.cost, BUILD: self.start},
                {F_RETRAIN: 1, F_WHEN_PAYS: int(self.when_it_pays)})
