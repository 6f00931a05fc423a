"""One-off project spend and build months, shared by every kind (docs/model.md, "Project,
build months and retraining").

Retraining after the build is :mod:`sim.costs.retraining` (its cost depends on the kind)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
        d = self.build_months
        build: Value
        if np.ndim(d) == 0:
            dm = max(float(d), 1.0)
            build = self.cost / dm if t <= dm else 0.0
        else:
            dms = np.maximum(d, 1.0)
            build = np.where(t <= dms, self.cost / dms, 0.0)
        return build


def month_cost(building: bool | np.ndarray, spend: Value, operating: Value,
               baseline: Value) -> Value:
    """Cost of a month: the baseline's while ``building``, else ``operating``; plus ``spend``.

    Examples
    --------
    >>> float(month_cost(True, 10.0, 5.0, 7.0)), float(month_cost(False, 0.0, 5.0, 7.0))
    (17.0, 5.0)
    """
    if isinstance(building, bool):
        run = baseline if building else operating
    else:
        run = np.where(building, baseline, operating)
    return run + spend
