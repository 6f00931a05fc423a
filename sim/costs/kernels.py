"""The cost kernel of each strategy kind, registered under the kind's name.

A kernel turns one strategy's inputs (floats, or arrays over a chunk's samples) into its
monthly cost, stepped through months 1..H in order; the one-off project cost (engineering
hours x rate + the kind's training compute) goes to its :class:`~sim.costs.project.Project`.
What a kind takes in a study file is declared in :mod:`sim.study.kinds`; adding a kind means
its :class:`~sim.study.kinds.Kind` entry there and its kernel here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sim.costs.api import ApiKernel
from sim.costs.project import Project
from sim.costs.self_hosted import SelfHostedKernel
from sim.costs.training import cost_per_run
from sim.costs.workload import Value, Workload

Options = Mapping[str, Any]


class Kernel(Protocol):
    """A strategy's monthly cost, stepped through months 1..H in order."""

    project: Any

    def operating(self, t: int, growth: Value) -> Value:
        """Run cost in month t (without project spend)."""
        ...

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component: run, storage, mlops, quality, fixed."""
        ...


def _no_training(p: Mapping[str, Value], options: Options) -> Value:
    return 0.0


def _self_hosted_training(p: Mapping[str, Value], options: Options) -> Value:
    if options.get("compute_per_run") == "estimate":
        per_run = cost_per_run(p["model_size_b"], options.get("training_method", "lora"),
                               options.get("training_gpu", "a100_80g"), p["dataset_examples"],
                               p["sequence_length"], p["epochs"],
                               spot=bool(options.get("spot", True)))
    else:
        per_run = p["compute_per_run"]
    return p["training_runs"] * per_run


def _hosted_training(p: Mapping[str, Value], options: Options) -> Value:
    tokens = p["training_tokens"] * p["epochs"] * p["training_runs"]
    return tokens * p["training_price_per_1m"] / 1e6


def _api(p: Mapping[str, Value], w: Workload, project: Project | None,
         options: Options) -> Kernel:
    return ApiKernel(p, w, project)


def _self_hosted(p: Mapping[str, Value], w: Workload, project: Project | None,
                 options: Options) -> Kernel:
    return SelfHostedKernel(p, w, project, auto=options.get("instances") == "auto",
                            curve=options.get("capacity_curve"))


@dataclass(frozen=True)
class KernelSpec:
    """How one kind's cost is computed: its kernel and its project's training compute."""

    make: Callable[[Mapping[str, Value], Workload, Project | None, Options], Kernel]
    training_cost: Callable[[Mapping[str, Value], Options], Value] = _no_training


#: The kernels of the kinds that serve traffic themselves (routing is built from its
#: components by :func:`sim.costs.build.build_kernels`).
KERNELS: dict[str, KernelSpec] = {
    "api": KernelSpec(_api),
    "hosted_ft": KernelSpec(_api, _hosted_training),
    "self_hosted": KernelSpec(_self_hosted, _self_hosted_training),
}


def engineering_hours(p: Mapping[str, Value]) -> Value:
    """Engineering hours in total, or the sum of ``engineering_phases.*``.

    Examples
    --------
    >>> engineering_hours({"engineering_phases.data": 40.0, "engineering_phases.eval": 24.0})
    64.0
    """
    phases = [v for k, v in p.items() if k.startswith("engineering_phases.")]
    if phases:
        total: Value = 0.0
        for v in phases:
            total = total + v
        return total
    return p.get("engineering_hours", 0.0)


def engineering_cost(p: Mapping[str, Value]) -> Value:
    """Engineering hours x hourly rate."""
    return engineering_hours(p) * p["hourly_rate"]


def project_cost(kind: str, p: Mapping[str, Value], options: Options | None = None) -> Value:
    """One-off project cost: engineering hours x rate + the kind's training compute.

    Examples
    --------
    >>> project_cost("hosted_ft", {"engineering_hours": 20.0, "hourly_rate": 150.0,
    ...     "training_tokens": 250e6, "epochs": 1.0, "training_runs": 1.0,
    ...     "training_price_per_1m": 8.0})
    5000.0
    """
    spec = KERNELS.get(kind)
    training = spec.training_cost(p, options or {}) if spec else 0.0
    return engineering_cost(p) + training


def build_kernel(kind: str, p: Mapping[str, Value], w: Workload, options: Options,
                 *, baseline: bool) -> Kernel:
    """Build the kernel of one (non-routing) strategy for a chunk of samples.

    Parameters
    ----------
    kind : str
        A key of :data:`KERNELS`.
    p : mapping
        Every field of the kind (defaults filled in), floats or arrays over samples.
    w : Workload
        The chunk's workload.
    options : mapping
        Words and booleans, e.g. ``{"instances": "auto"}``.
    baseline : bool
        The baseline runs today: it has no project.
    """
    project = None
    if not baseline:
        project = Project(
            cost=project_cost(kind, p, options),
            engineering=engineering_cost(p),
            build_months=p["build_months"],
            retrain_every=p.get("retrain_every_months"),
            retrain_cost_fraction=p.get("retrain_cost_fraction", 1.0),
        )
    return KERNELS[kind].make(p, w, project, options)
