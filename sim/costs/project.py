"""One-off project spend and build months, shared by every kind (docs/model.md, "Project,
build months and retraining").

Retraining after the build is :mod:`sim.costs.retraining` (its cost depends on the kind).
The rules are the compiled month loop's own (:mod:`sim.costs.fused`), applied here to
whole arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.costs.fused import project_spend_ufunc
from sim.costs.workload import Value


@dataclass(frozen=True)
class Project:
    """The project behind a strategy: its cost and time to production.

    Until month ``build_months`` the baseline keeps running and the project cost is spread
    evenly over those months; with ``build_months = 0`` it is paid in month 1 and savings
    start at once.

    Examples
    --------
    >>> p = Project(cost=1200.0, build_months=2)
    >>> [p.spend(t) for t in range(1, 5)]
    [600.0, 600.0, 0.0, 0.0]
    >>> [p.building(t) for t in (1, 2, 3)]
    [True, True, False]
    """

    cost: Value
    build_months: Value = 0.0
    #: the engineering part of ``cost`` (the rest is training compute)
    engineering: Value = 0.0

    def building(self, t: int) -> bool | np.ndarray:
        """Whether month t is still before production (the baseline serves the traffic)."""
        d = self.build_months
        if np.ndim(d) == 0:
            return bool(t <= d)
        return np.asarray(t <= d)

    def spend(self, t: int) -> Value:
        """Project spend in month t."""
        out = project_spend_ufunc(float(t), self.cost, self.build_months)
        return float(out) if np.ndim(out) == 0 else out
