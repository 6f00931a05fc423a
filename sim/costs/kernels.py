"""The cost kernel of each strategy kind, registered under the kind's name.

A kernel turns one strategy's inputs (floats, or arrays over a chunk's samples) into the
coefficients of its monthly run cost and one-off spend, which the compiled month loops of
:mod:`sim.costs.fused` step through months 1..H (:mod:`sim.costs.fused`); the one-off
project cost (engineering hours x rate + the kind's training compute) goes to its
:class:`~sim.costs.project.Project`, retraining after the build to its
:class:`~sim.costs.retraining.Retraining`. What a kind takes in a study file is declared in
:mod:`sim.study.kinds`; adding a kind means its :class:`~sim.study.kinds.Kind` entry there
and its kernel here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sim.costs.api import ApiKernel
from sim.costs.arena import add, mul
from sim.costs.hosted import HostedFtKernel
from sim.costs.pack import Component
from sim.costs.project import Project
from sim.costs.quality import with_quality
from sim.costs.retraining import Retraining
from sim.costs.self_hosted import SelfHostedKernel
from sim.costs.training import cost_per_run
from sim.costs.workload import Value, Workload

Options = Mapping[str, Any]
#: One-off hours the study's constraint cards add to a project (an eval harness, documenting
#: the data), at the strategy's hourly rate; a retraining does not redo them.
ADDED_HOURS = "added_hours"


class Kernel(Protocol):
    """A strategy's cost coefficients: the components the fused model steps through the
    months (:mod:`sim.costs.fused`), its project and its month-1 costs."""

    project: Any

    def components(self) -> list[Component]:
        """The components the fused model evaluates, in order."""
        ...

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component: run, storage, mlops, quality, fixed."""
        ...


def _self_hosted_run(p: Mapping[str, Value], options: Options) -> Value:
    if options.get("compute_per_run") == "estimate":
        return cost_per_run(p["model_size_b"], options.get("training_method", "lora"),
                            options.get("training_gpu", "a100_80g"), p["dataset_examples"],
                            p["sequence_length"], p["epochs"],
                            spot=bool(options.get("spot", True)))
    return p["compute_per_run"]


def _hosted_run(p: Mapping[str, Value], options: Options) -> Value:
    return p["training_tokens"] * p["epochs"] * p["training_price_per_1m"] / 1e6


Make = Callable[[Mapping[str, Value], Workload, Project | None, Retraining | None, Options],
                Kernel]


def _api(p: Mapping[str, Value], w: Workload, project: Project | None,
         retraining: Retraining | None, options: Options) -> Kernel:
    return ApiKernel(p, w, project)


def _hosted(p: Mapping[str, Value], w: Workload, project: Project | None,
            retraining: Retraining | None, options: Options) -> Kernel:
    return HostedFtKernel(p, w, project, retraining)


def _self_hosted(p: Mapping[str, Value], w: Workload, project: Project | None,
                 retraining: Retraining | None, options: Options) -> Kernel:
    return SelfHostedKernel(p, w, project, retraining, auto=options.get("instances") == "auto",
                            curve=options.get("capacity_curve"))


@dataclass(frozen=True)
class KernelSpec:
    """How one kind's cost is computed: its kernel and the compute of one training run
    (None: the kind does not train)."""

    make: Make
    run_cost: Callable[[Mapping[str, Value], Options], Value] | None = None


#: The kernels of the kinds that serve traffic themselves (routing is built from its
#: components by :func:`sim.costs.build.build_kernels`).
KERNELS: dict[str, KernelSpec] = {
    "api": KernelSpec(_api),
    "hosted_ft": KernelSpec(_hosted, _hosted_run),
    "self_hosted": KernelSpec(_self_hosted, _self_hosted_run),
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


def run_cost(kind: str, p: Mapping[str, Value], options: Options | None = None) -> Value:
    """Compute of one training run of the kind (0 for a kind that does not train)."""
    spec = KERNELS.get(kind)
    if spec is None or spec.run_cost is None:
        return 0.0
    return spec.run_cost(p, options or {})


def project_cost(kind: str, p: Mapping[str, Value], options: Options | None = None, *,
                 engineering: Value | None = None, run: Value | None = None) -> Value:
    """One-off project cost: engineering hours x rate + training runs x compute per run.

    Examples
    --------
    >>> project_cost("hosted_ft", {"engineering_hours": 20.0, "hourly_rate": 150.0,
    ...     "training_tokens": 250e6, "epochs": 1.0, "training_runs": 1.0,
    ...     "training_price_per_1m": 8.0})
    5000.0

    ``engineering`` and ``run``, when given, are ``engineering_cost(p)`` and
    ``run_cost(kind, p, options)`` computed already.
    """
    training = run_cost(kind, p, options) if run is None else run
    if "training_runs" in p:
        training = p["training_runs"] * training
    return (engineering_cost(p) if engineering is None else engineering) + training


def retrain_cost(kind: str, p: Mapping[str, Value], options: Options | None = None, *,
                 engineering: Value | None = None, run: Value | None = None) -> Value:
    """Cost of one retraining: ``retrain_runs`` x compute per run + ``retrain_engineering_share``
    x the project's engineering cost, or the legacy ``retrain_cost_fraction`` x project cost.

    Examples
    --------
    4 runs at $12 and 42% of 100 h at $150 (data curation and set-up are reused):

    >>> retrain_cost("self_hosted", {"engineering_hours": 100.0, "hourly_rate": 150.0,
    ...     "compute_per_run": 12.0, "training_runs": 8.0, "retrain_runs": 4.0,
    ...     "retrain_engineering_share": 0.42})
    6348.0
    """
    if "retrain_cost_fraction" in p:
        return mul(p["retrain_cost_fraction"],
                   project_cost(kind, p, options, engineering=engineering, run=run))
    run = run_cost(kind, p, options) if run is None else run
    engineering = engineering_cost(p) if engineering is None else engineering
    return add(p["retrain_runs"] * run, p["retrain_engineering_share"] * engineering)


def build_kernel(kind: str, p: Mapping[str, Value], w: Workload, options: Options,
                 *, baseline: bool, horizon: int = 0,
                 reference: Mapping[str, Value] | None = None) -> Kernel:
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
        The baseline runs today: it has no project and is the reference of quality.
    horizon : int
        Months 1..H simulated (a retraining serving past H is charged its share within).
    reference : mapping, optional
        The baseline's inputs: a non-baseline strategy takes the review and error inputs it
        leaves out from them (:func:`sim.costs.quality.with_quality`).
    """
    project = retraining = None
    if not baseline:
        if reference is not None:
            p = with_quality(p, reference)
        added = p.get(ADDED_HOURS, 0.0) * p["hourly_rate"]  # constraint cards' work
        engineering, run = engineering_cost(p), run_cost(kind, p, options)
        project = Project(cost=add(project_cost(kind, p, options, engineering=engineering,
                                                run=run), added),
                          engineering=engineering + added, build_months=p["build_months"])
        every = p.get("retrain_every_months")
        if every is not None:
            retraining = Retraining(every, retrain_cost(kind, p, options,
                                                        engineering=engineering, run=run),
                                    p["build_months"], horizon,
                                    options.get("retrain_policy") == "when_it_pays")
    return KERNELS[kind].make(p, w, project, retraining, options)
