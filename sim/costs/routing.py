"""Hybrid routing: a share f of requests to one strategy, the rest to another (docs/model.md,
"Routing").

Each component serves its part of the volume (a workload scaled by f or 1 - f) with its own
inputs, so routing is evaluated on the same samples as its parts; a component with no share
costs nothing. Its project is the router's own plus the components' (the baseline has
none); until every active component is in production the baseline serves. A component's
retraining is its own (its price step and when-it-pays decision at its share of the volume).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.costs.project import Project
from sim.costs.workload import Value


@dataclass(frozen=True)
class ProjectSet:
    """Several projects, each counted only where it is active (its component has a share)."""

    parts: tuple[tuple[Project, Value], ...]

    @property
    def cost(self) -> Value:
        """Total one-off project cost."""
        total: Value = 0.0
        for project, active in self.parts:
            total = total + project.cost * active
        return total

    @property
    def engineering(self) -> Value:
        """The engineering part of :attr:`cost`."""
        total: Value = 0.0
        for project, active in self.parts:
            total = total + project.engineering * active
        return total

    def building(self, t: int) -> bool | np.ndarray:
        """True while any active component is still being built."""
        out: bool | np.ndarray = False
        for project, active in self.parts:
            b = project.building(t)
            if np.ndim(b) == 0 and np.ndim(active) == 0:
                out = out | (bool(b) and float(active) > 0)
            else:
                out = out | (np.asarray(b) & (np.asarray(active) > 0))
        return out



class RoutingKernel:
    """Monthly cost of routing: the primary's cost at share f plus the fallback's at 1 - f.

    The components must be built on workloads scaled by ``share`` and ``1 - share``;
    ``active`` are 0/1 indicators (arrays or floats) that a component has any share;
    ``router`` is the router's own project (its spend is added to the components').
    """

    def __init__(self, primary: object, fallback: object, active: Sequence[Value],
                 project: ProjectSet, router: Project) -> None:
        self.parts = (primary, fallback)
        self.active = tuple(active)
        self.project = project
        self.router = router

    def month(self, t: int, growth: Value) -> tuple[Value, Value]:
        """Run cost and one-off spend of month t: each active component's for its part of
        the volume, plus the router's project spend."""
        run: Value = 0.0
        spend: Value = self.router.spend(t)
        for kernel, active in zip(self.parts, self.active, strict=True):
            r, s = kernel.month(t, growth)  # type: ignore[attr-defined]
            run = run + r * active
            spend = spend + s * active
        return run, spend

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, summed over the active parts."""
        out: dict[str, Value] = {}
        for kernel, active in zip(self.parts, self.active, strict=True):
            for k, v in kernel.static_costs().items():  # type: ignore[attr-defined]
                out[k] = out.get(k, 0.0) + v * active
        return out
