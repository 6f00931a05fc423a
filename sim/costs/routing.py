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

from sim.costs.pack import Component, project_slots
from sim.costs.project import Project
from sim.costs.slots import ACTIVE, F_KIND, ROUTER
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


class RoutingKernel:
    """Monthly cost of routing: the primary's cost at share f plus the fallback's at 1 - f.

    The components must be built on workloads scaled by ``share`` and ``1 - share``;
    ``active`` are 0/1 indicators (arrays or floats) that a component has any share;
    ``router`` is the router's own project (its spend is added to the components').
    """

    def __init__(self, primary: object, fallback: object, active: Sequence[Value],
                 project: ProjectSet, router: Project) -> None:
        # the parts are ApiKernel, HostedFtKernel or SelfHostedKernel objects
        self.parts = (primary, fallback)
        self.active = tuple(active)
        self.project = project
        self.router = router

    def components(self) -> list[Component]:
        """The router's project, then each part weighted by its active flag, for the fused
        model (:mod:`sim.costs.fused`): each month the parts' run costs and spends are added
        to the router's spend in this order, and the baseline serves while any active part
        (or the router) is still being built."""
        router = Component(ROUTER, project_slots(self.router), {F_KIND: ROUTER},
                           self.parts[0]._workload)  # type: ignore[attr-defined]
        out = [router]
        for kernel, active in zip(self.parts, self.active, strict=True):
            c = kernel.component()  # type: ignore[attr-defined]
            out.append(Component(c.kind, {**c.slots, ACTIVE: active}, c.flags, c.workload,
                                 c.curve))
        return out

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component, summed over the active parts."""
        out: dict[str, Value] = {}
        for kernel, active in zip(self.parts, self.active, strict=True):
            for k, v in kernel.static_costs().items():  # type: ignore[attr-defined]
                out[k] = out.get(k, 0.0) + v * active
        return out
