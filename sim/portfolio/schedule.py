"""Start months under the limits: which projects fit, and when each can start.

A *plan* adopts at most one strategy per member and starts the projects in an order. The
start months come from the order and the limits (docs/model.md, "Portfolios"):

- the upfront budget and the MLOps FTE are checked on the chosen projects' expected
  one-off cost and expected ``mlops_fte`` (summed; the order does not matter);
- the engineering hours: a project's expected hours are spread evenly over its build
  months (``ceil(E[build_months])``, at least 1) from its start; the hours falling in each
  calendar quarter of the plan (months 1-3, 4-6, ...) may not exceed the quarter's hours.
  Projects start in the plan's order, each at the earliest month, not before the previous
  project's start, at which it fits beside those already placed; one that fits nowhere
  inside the horizon makes the plan infeasible.

Two reference timings of the same projects in the same order: *parallel* (every project
starts in month 1, ignoring the hours limit) and *sequential* (each starts when the
previous one's build months end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.portfolio.spec import Limits

__all__ = ["Project", "fits_budget", "parallel_starts", "schedule", "sequential_starts"]

_TOL = 1e-9


@dataclass(frozen=True)
class Project:
    """What the limits see of one member's chosen strategy (expected values)."""

    upfront: float
    hours: float
    fte: float
    build_months: int


def fits_budget(projects: Sequence[Project], limits: Limits) -> bool:
    """True when the projects' total expected upfront cost and MLOps FTE fit the limits.

    Examples
    --------
    >>> fits_budget([Project(4000, 20, 0.1, 1), Project(7000, 30, 0.2, 1)],
    ...             Limits(upfront_budget=10_000))
    False
    """
    if limits.upfront_budget is not None and (
            sum(p.upfront for p in projects) > limits.upfront_budget * (1 + _TOL) + _TOL):
        return False
    return not (limits.mlops_fte is not None and
                sum(p.fte for p in projects) > limits.mlops_fte * (1 + _TOL) + _TOL)


def _quarters(horizon: int) -> int:
    return -(-horizon // 3)


def schedule(projects: Sequence[Project], limits: Limits, horizon: int
             ) -> tuple[int, ...] | None:
    """Start offsets (months after month 1) of ``projects`` in this order, or None.

    Examples
    --------
    Two projects of 60 hours over one build month, 100 hours a quarter: the second waits
    for the next quarter (offset 3: it starts in month 4).

    >>> p = Project(0.0, 60.0, 0.0, 1)
    >>> schedule([p, p], Limits(engineering_hours_per_quarter=100), 12)
    (0, 3)
    >>> schedule([p, p], Limits(), 12)
    (0, 0)
    >>> schedule([Project(0.0, 120.0, 0.0, 1)], Limits(engineering_hours_per_quarter=100), 12)
    """
    if not fits_budget(projects, limits):
        return None
    cap = limits.engineering_hours_per_quarter
    if cap is None:
        return tuple(0 for _ in projects)
    used = np.zeros(_quarters(horizon) + 1)
    starts: list[int] = []
    earliest = 0
    for p in projects:
        per_month = p.hours / p.build_months
        for d in range(earliest, horizon):
            load = np.zeros_like(used)
            for t in range(d, d + p.build_months):
                load[t // 3] += per_month
            if np.all(used + load <= cap * (1 + _TOL) + _TOL):
                used += load
                starts.append(d)
                earliest = d
                break
        else:
            return None
    return tuple(starts)


def parallel_starts(projects: Sequence[Project]) -> tuple[int, ...]:
    """Every project starts in month 1 (offset 0).

    Examples
    --------
    >>> parallel_starts([Project(0, 1, 0, 2)] * 2)
    (0, 0)
    """
    return tuple(0 for _ in projects)


def sequential_starts(projects: Sequence[Project], horizon: int) -> tuple[int, ...]:
    """Each project starts when the previous one's build months end (capped at H - 1).

    Examples
    --------
    >>> sequential_starts([Project(0, 1, 0, 2), Project(0, 1, 0, 3), Project(0, 1, 0, 1)], 36)
    (0, 2, 5)
    """
    out, d = [], 0
    for p in projects:
        out.append(min(d, horizon - 1))
        d += p.build_months
    return tuple(out)
