"""Building every strategy's kernel for a chunk of samples (routing from its components)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from sim.costs.kernels import Kernel, build_kernel, engineering_cost
from sim.costs.project import Project
from sim.costs.routing import ProjectSet, RoutingKernel
from sim.costs.workload import Value, Workload
from sim.serving.from_study import capacity_for, uses_simulation
from sim.study import Strategy, Study


def section(values: Mapping[str, Value], prefix: str) -> dict[str, Value]:
    """The values under ``prefix.`` with the prefix removed."""
    cut = len(prefix) + 1
    return {k[cut:]: v for k, v in values.items() if k.startswith(prefix + ".")}


def build_kernels(study: Study, values: Mapping[str, Value]) -> tuple[Workload,
                                                                      dict[str, Kernel]]:
    """The workload and one kernel per strategy, in the study's order.

    Parameters
    ----------
    study : Study
        The validated study.
    values : mapping
        Every input path to a float or an array over the chunk's samples.
    """
    w = Workload.from_values(section(values, "workload"))
    kernels: dict[str, Kernel] = {}
    for s in study.strategies.values():
        if s.kind_spec.components:
            kernels[s.name] = _routing(study, s, values, w)
        else:
            p = section(values, f"strategies.{s.name}")
            kernels[s.name] = build_kernel(s.kind, p, w, _options(study, s.name),
                                           baseline=s.is_baseline)
    return w, kernels


def _options(study: Study, name: str) -> dict[str, Any]:
    options = dict(study.strategies[name].options)
    if uses_simulation(study, name):
        options["capacity_curve"] = capacity_for(study, name)
    return options


def _scaled(w: Workload, share: Value) -> Workload:
    return replace(w, requests_per_day=w.requests_per_day * share)


def _routing(study: Study, s: Strategy, values: Mapping[str, Value], w: Workload) -> RoutingKernel:
    p = section(values, f"strategies.{s.name}")
    share = p["share"]
    parts, active, projects = [], [], []
    for name, part_share in zip(s.parts, (share, 1 - share), strict=True):
        comp = study.strategies[name]
        cp = section(values, f"strategies.{name}")
        kernel = build_kernel(comp.kind, cp, _scaled(w, part_share), _options(study, name),
                              baseline=comp.is_baseline)
        on = (np.asarray(part_share) > 0).astype(np.float64)
        on_v: Value = float(on) if on.ndim == 0 else on
        parts.append(kernel)
        active.append(on_v)
        if kernel.project is not None:
            projects.append((kernel.project, on_v))
    router = None
    if not s.is_baseline:
        cost = engineering_cost(p)
        router = Project(cost=cost, engineering=cost, build_months=p["build_months"])
        projects.append((router, 1.0))
    project = ProjectSet(tuple(projects)) if not s.is_baseline else None
    return RoutingKernel(parts[0], parts[1], active, project)
