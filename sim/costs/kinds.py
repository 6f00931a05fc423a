"""The registry of strategy kinds: which keys each takes and how its kernel is built."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sim.costs.api import ApiKernel
from sim.costs.project import Project
from sim.costs.self_hosted import STORAGE_PRICE, SelfHostedKernel
from sim.costs.workload import Value, Workload
from sim.schema import (
    COUNT,
    COUNT0,
    DECLINE,
    MONEY,
    NONNEG,
    POS_RATE,
    POSITIVE,
    PROJECT,
    QUALITY,
    RATE,
    RETRAIN,
    Field,
)


class Kernel(Protocol):
    """A strategy's monthly cost, stepped through months 1..H in order."""

    project: Project | None

    def operating(self, t: int, growth: Value) -> Value:
        """Run cost in month t (without project spend)."""
        ...

    def static_costs(self) -> dict[str, Value]:
        """Month-1 costs by component: run, storage, mlops, quality, fixed."""
        ...


@dataclass(frozen=True)
class Kind:
    """A strategy kind: its numeric keys, its string options and its kernel factory."""

    name: str
    doc: str
    fields: dict[str, Field]
    make: Callable[[Mapping[str, Value], Workload, Project | None, Mapping[str, str]], Kernel]
    #: keys that may hold one of these strings instead of a number, e.g. instances = "auto"
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (key, condition key, condition value): key is required when the condition holds
    conditional: tuple[tuple[str, str, str], ...] = ()
    #: one-off training compute of the project (beyond engineering hours)
    training_cost: Callable[[Mapping[str, Value]], Value] = lambda p: 0.0


API_FIELDS: dict[str, Field] = {
    "input_price": Field(MONEY, None, "$ per 1M input tokens"),
    "output_price": Field(MONEY, None, "$ per 1M output tokens"),
    "annual_price_drop": Field(DECLINE, 0.0, "yearly fall of per-token prices"),
    "cached_price_factor": Field(RATE, 0.10, "price of a cached input token / input price"),
    "batch_share": Field(RATE, 0.0, "share of traffic sent through the batch API"),
    "batch_discount": Field(RATE, 0.5, "batch API discount"),
    **QUALITY,
    **PROJECT,
}

SELF_HOSTED_FIELDS: dict[str, Field] = {
    "model_size_b": Field(POSITIVE, None, "model size, billions of parameters"),
    "gpu_hourly": Field(MONEY, None, "$ per instance-hour"),
    "instances": Field(COUNT, None, 'serving instances, or "auto" (from throughput)'),
    "throughput_tokens_per_s": Field(
        POSITIVE, None, 'tokens/s per instance (required with instances = "auto")', optional=True
    ),
    "target_utilization": Field(POS_RATE, 0.6, 'utilization to plan capacity at (for "auto")'),
    "gpu_annual_price_drop": Field(DECLINE, 0.0, "yearly fall of GPU hourly prices"),
    "storage_price_per_gb_month": Field(MONEY, STORAGE_PRICE, "$ per GB-month of storage"),
    "bytes_per_param": Field(POSITIVE, 2.0, "bytes per parameter stored (bf16: 2)"),
    "mlops_fte": Field(NONNEG, 0.0, "ML engineers keeping the model in production"),
    "fte_monthly_cost": Field(MONEY, 0.0, "$ per month of one ML engineer (with mlops_fte)"),
    **QUALITY,
    **PROJECT,
    "engineering_hours": Field(NONNEG, None, "engineering hours to production (all phases)"),
    "training_runs": Field(COUNT0, None, "training runs to production (lesson: 5-15)"),
    "compute_per_run": Field(MONEY, None, "$ of GPU compute per training run"),
    **RETRAIN,
}

HOSTED_FT_FIELDS: dict[str, Field] = {
    "input_price": Field(MONEY, None, "$ per 1M input tokens of the fine-tuned model"),
    "output_price": Field(MONEY, None, "$ per 1M output tokens of the fine-tuned model"),
    "annual_price_drop": Field(DECLINE, 0.0, "yearly fall of per-token prices"),
    "cached_price_factor": Field(RATE, 0.10, "price of a cached input token / input price"),
    "batch_share": Field(RATE, 0.0, "share of traffic sent through the batch API"),
    "batch_discount": Field(RATE, 0.5, "batch API discount"),
    "training_tokens": Field(NONNEG, None, "training tokens per epoch (examples x tokens)"),
    "epochs": Field(POSITIVE, 1.0, "epochs per training run"),
    "training_runs": Field(COUNT0, 1.0, "training runs to production"),
    "training_price_per_1m": Field(MONEY, None, "$ per 1M training tokens (lesson: OpenAI $8)"),
    **QUALITY,
    **PROJECT,
    "engineering_hours": Field(NONNEG, None, "engineering hours (data, evaluation; no infra)"),
    **RETRAIN,
}


def _api(p: Mapping[str, Value], w: Workload, project: Project | None,
         options: Mapping[str, str]) -> Kernel:
    return ApiKernel(p, w, project)


def _self_hosted(p: Mapping[str, Value], w: Workload, project: Project | None,
                 options: Mapping[str, str]) -> Kernel:
    return SelfHostedKernel(p, w, project, auto=options.get("instances") == "auto")


def _self_hosted_training(p: Mapping[str, Value]) -> Value:
    return p["training_runs"] * p["compute_per_run"]


def _hosted_training(p: Mapping[str, Value]) -> Value:
    tokens = p["training_tokens"] * p["epochs"] * p["training_runs"]
    return tokens * p["training_price_per_1m"] / 1e6


KINDS: dict[str, Kind] = {
    "api": Kind(
        "api",
        "pay per token at a provider's (falling) prices: the frontier model, or a cheaper one",
        API_FIELDS,
        _api,
    ),
    "hosted_ft": Kind(
        "hosted_ft",
        "a model fine-tuned and served by the vendor: training tokens, fine-tuned token prices",
        HOSTED_FT_FIELDS,
        _api,
        training_cost=_hosted_training,
    ),
    "self_hosted": Kind(
        "self_hosted",
        "a fine-tuned open model on rented GPUs: project, serving, storage, MLOps, retraining",
        SELF_HOSTED_FIELDS,
        _self_hosted,
        options={"instances": ("auto",)},
        conditional=(
            ("throughput_tokens_per_s", "instances", "auto"),
            ("fte_monthly_cost", "mlops_fte", "*"),
        ),
        training_cost=_self_hosted_training,
    ),
}


def project_cost(kind: str, p: Mapping[str, Value]) -> Value:
    """One-off project cost: engineering hours x rate + the kind's training compute."""
    return p["engineering_hours"] * p["hourly_rate"] + KINDS[kind].training_cost(p)


def build_kernel(kind: str, p: Mapping[str, Value], w: Workload, options: Mapping[str, str],
                 *, baseline: bool) -> Kernel:
    """Build the kernel of one strategy for a chunk of samples.

    Parameters
    ----------
    kind : str
        A key of :data:`KINDS`.
    p : mapping
        Every field of the kind (defaults filled in), floats or arrays over samples.
    w : Workload
        The chunk's workload.
    options : mapping
        String options, e.g. ``{"instances": "auto"}``.
    baseline : bool
        The baseline runs today: it has no project.
    """
    project = None
    if not baseline:
        retrain = p.get("retrain_every_months")
        project = Project(
            cost=project_cost(kind, p),
            build_months=p["build_months"],
            retrain_every=retrain,
            retrain_cost_fraction=p.get("retrain_cost_fraction", 1.0),
        )
    return KINDS[kind].make(p, w, project, options)
