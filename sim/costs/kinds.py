"""The registry of strategy kinds: which keys each takes and how its kernel is built.

A kind has numeric *fields* (inputs: numbers or distributions), *alternatives* (a numeric
key that may instead hold a word, e.g. ``instances = "auto"``) and *settings* (keys that
only take words or booleans, e.g. ``training_method = "lora"`` or ``model = "gpt-4o"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sim.costs.api import ApiKernel
from sim.costs.project import Project
from sim.costs.self_hosted import STORAGE_PRICE, SelfHostedKernel
from sim.costs.workload import Value, Workload
from sim.schema import (
    BATCH,
    BYTES,
    DECLINE,
    EPOCHS,
    EXAMPLES,
    FTE,
    FTE_COST,
    GPU_HOURLY,
    GPUS,
    HOURS,
    INSTANCES,
    LATENCY_MS,
    MODEL_SIZE,
    PER_RUN,
    POS_RATE,
    PROJECT,
    QUALITY,
    RATE,
    REPLICAS,
    REPLICAS0,
    RETRAIN,
    RUNS,
    SECONDS,
    SEQUENCE,
    STORAGE_PRICE_DOMAIN,
    THROUGHPUT,
    TOKEN_PRICE,
    TRAINING_TOKENS,
    UTILIZATION,
    Field,
)

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


@dataclass(frozen=True)
class Setting:
    """A key that takes a word or a boolean, not a number.

    ``choices`` lists the allowed values; ``lookup`` names a catalog ("api", "gpu",
    "training") or "strategy" (another strategy of the study) that validates the word.
    """

    help: str
    choices: tuple[Any, ...] = ()
    default: Any = None
    lookup: str = ""
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """A strategy kind: its keys and its kernel factory."""

    name: str
    doc: str
    fields: dict[str, Field]
    make: Callable[[Mapping[str, Value], Workload, Any, Options], Kernel]
    #: numeric keys that may hold one of these words instead, e.g. instances = "auto"
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    settings: dict[str, Setting] = field(default_factory=dict)
    #: (key, condition key, condition value): key is required when the condition holds
    #: ("*": the condition key is given)
    conditional: tuple[tuple[str, str, Any], ...] = ()
    #: one-off training compute of the project (beyond engineering hours)
    training_cost: Callable[[Mapping[str, Value], Options], Value] = lambda p, o: 0.0
    #: whether the traffic's data stays on the company's premises
    on_premises: bool = False
    #: whether the fine-tuned model can move to another vendor without retraining
    portable: bool = True


CACHE_SHARE = Field(RATE, None, "share of input tokens served from a prompt cache "
                    "(default: workload.cache_share)", optional=True)
LATENCY = Field(LATENCY_MS, None, "p99 latency in ms (for a latency constraint)", optional=True)

TOKEN_PRICES: dict[str, Field] = {
    "input_price": Field(TOKEN_PRICE, None, "$ per 1M input tokens"),
    "output_price": Field(TOKEN_PRICE, None, "$ per 1M output tokens"),
    "annual_price_drop": Field(DECLINE, 0.0, "yearly fall of per-token prices"),
    "cache_share": CACHE_SHARE,
    "cached_price_factor": Field(RATE, 0.10, "price of a cached input token / input price"),
    "batch_share": Field(RATE, 0.0, "share of traffic sent through the batch API"),
    "batch_discount": Field(RATE, 0.5, "batch API discount"),
}

API_FIELDS: dict[str, Field] = {**TOKEN_PRICES, **QUALITY, **PROJECT,
                                "p99_latency_ms": LATENCY}

HOSTED_FT_FIELDS: dict[str, Field] = {
    **TOKEN_PRICES,
    "input_price": Field(TOKEN_PRICE, None, "$ per 1M input tokens of the fine-tuned model"),
    "output_price": Field(TOKEN_PRICE, None, "$ per 1M output tokens of the fine-tuned model"),
    "training_tokens": Field(TRAINING_TOKENS, None, "training tokens per epoch (examples x "
                             "tokens)"),
    "epochs": Field(EPOCHS, 1.0, "epochs per training run"),
    "training_runs": Field(RUNS, 1.0, "training runs to production"),
    "training_price_per_1m": Field(TOKEN_PRICE, None, "$ per 1M training tokens (lesson: "
                                   "OpenAI $8)"),
    **QUALITY,
    **PROJECT,
    "engineering_hours": Field(HOURS, None, "engineering hours (data, evaluation; no infra)"),
    **RETRAIN,
    "p99_latency_ms": LATENCY,
}

SELF_HOSTED_FIELDS: dict[str, Field] = {
    "model_size_b": Field(MODEL_SIZE, None, "model size, billions of parameters"),
    "gpu_hourly": Field(GPU_HOURLY, None, "$ per instance-hour (or gpu = \"a10g\" from the "
                        "catalog)"),
    "gpus_per_instance": Field(GPUS, 1.0, "GPUs per serving instance (with gpu = ...)"),
    "instances": Field(INSTANCES, None, 'serving instances, or "auto" (from throughput)'),
    "throughput_tokens_per_s": Field(
        THROUGHPUT, None, 'tokens/s per instance (required with instances = "auto")',
        optional=True
    ),
    "target_utilization": Field(UTILIZATION, 0.6, 'utilization to plan capacity at (for '
                                '"auto")'),
    **{k: Field(d, None, h, optional=True) for k, (d, h) in {
        "max_batch": (BATCH, "sequences a replica decodes at once (serving simulation)"),
        "min_replicas": (REPLICAS0, "fewest replicas of the autoscaler (serving simulation)"),
        "max_replicas": (REPLICAS, "most replicas of the autoscaler (serving simulation)"),
        "cold_start_s": (SECONDS, "seconds for a new replica to start (default 120)"),
        "idle_timeout_s": (SECONDS, "idle seconds before scaling down (default 300)"),
    }.items()},
    "serving_hours_fraction": Field(
        POS_RATE, 1.0, "share of the month's 720 hours instances are billed (autoscaling < 1)"
    ),
    "gpu_annual_price_drop": Field(DECLINE, 0.0, "yearly fall of GPU hourly prices"),
    "storage_price_per_gb_month": Field(STORAGE_PRICE_DOMAIN, STORAGE_PRICE,
                                        "$ per GB-month of storage"),
    "bytes_per_param": Field(BYTES, 2.0, "bytes per parameter stored (bf16: 2)"),
    "mlops_fte": Field(FTE, 0.0, "ML engineers keeping the model in production"),
    "fte_monthly_cost": Field(FTE_COST, 0.0, "$ per month of one ML engineer (with "
                              "mlops_fte)"),
    **QUALITY,
    **PROJECT,
    "engineering_hours": Field(HOURS, None, "engineering hours to production (all phases)"),
    "training_runs": Field(RUNS, None, "training runs to production (lesson: 5-15)"),
    "compute_per_run": Field(PER_RUN, None, '$ of GPU compute per run, or "estimate"'),
    "dataset_examples": Field(EXAMPLES, None, 'training examples (compute_per_run = '
                              '"estimate")', optional=True),
    "sequence_length": Field(SEQUENCE, 512.0, "tokens per training example (for the "
                             "estimate)"),
    "epochs": Field(EPOCHS, 1.0, "epochs per training run (for the estimate)"),
    **RETRAIN,
    "p99_latency_ms": LATENCY,
}

ROUTING_FIELDS: dict[str, Field] = {
    "share": Field(RATE, None, "share of requests sent to the primary strategy"),
    **PROJECT,
    "engineering_hours": Field(HOURS, 0.0, "engineering hours to build the router itself"),
}

STANDALONE = Setting("false: only a part of a routing strategy, not compared on its own",
                     (True, False), True)

TRAINING_SETTINGS = {
    "training_method": Setting("fine-tuning method for the estimate",
                               ("lora", "qlora", "full"), "lora"),
    "training_gpu": Setting("GPU of the lesson's throughput table for the estimate",
                            ("a100_80g", "a10g"), "a100_80g"),
    "spot": Setting("train on spot instances (0.35 x on-demand)", (True, False), True),
}


def _api(p: Mapping[str, Value], w: Workload, project: Any, options: Options) -> Kernel:
    return ApiKernel(p, w, project)


def _self_hosted(p: Mapping[str, Value], w: Workload, project: Any, options: Options) -> Kernel:
    return SelfHostedKernel(p, w, project, auto=options.get("instances") == "auto",
                            curve=options.get("capacity_curve"))


def _routing(p: Mapping[str, Value], w: Workload, project: Any, options: Options) -> Kernel:
    raise TypeError("routing kernels are built by sim.costs.build from their components")


def _self_hosted_training(p: Mapping[str, Value], options: Options) -> Value:
    if options.get("compute_per_run") == "estimate":
        from sim.training import cost_per_run

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


KINDS: dict[str, Kind] = {
    "api": Kind(
        "api",
        "pay per token at a provider's (falling) prices: the frontier model, or a cheaper one",
        API_FIELDS,
        _api,
        settings={"model": Setting("API model to take prices from (ftrisk prices)",
                                   lookup="api"), "standalone": STANDALONE},
        portable=True,
    ),
    "hosted_ft": Kind(
        "hosted_ft",
        "a model fine-tuned and served by the vendor: training tokens, fine-tuned token prices",
        HOSTED_FT_FIELDS,
        _api,
        settings={
            "model": Setting("fine-tuned model to take inference prices from, e.g. "
                             "ft:gpt-4o-mini", lookup="api"),
            "training_provider": Setting("provider to take the training price from",
                                         lookup="training"),
            "standalone": STANDALONE,
        },
        training_cost=_hosted_training,
        portable=False,
    ),
    "self_hosted": Kind(
        "self_hosted",
        "a fine-tuned open model on rented GPUs: project, serving, storage, MLOps, retraining",
        SELF_HOSTED_FIELDS,
        _self_hosted,
        alternatives={"instances": ("auto", "simulated"), "compute_per_run": ("estimate",)},
        settings={"gpu": Setting("serving GPU to take the hourly price from", lookup="gpu"),
                  **TRAINING_SETTINGS, "standalone": STANDALONE,
                  "hardware": Setting("serving hardware profile (ftrisk serve; sim/data/"
                                      "hardware.toml)", lookup="hardware"),
                  "quantization": Setting("weights quantization (a throughput multiplier)",
                                          ("none", "int8", "int4"), "none"),
                  "speculative_decoding": Setting("speculative decoding (a decode speed-up)",
                                                  (True, False), False),
                  "scale_to_zero": Setting("the autoscaler may stop every replica",
                                           (True, False))},
        conditional=(
            ("throughput_tokens_per_s", "instances", "auto"),
            ("fte_monthly_cost", "mlops_fte", "*"),
            ("dataset_examples", "compute_per_run", "estimate"),
        ),
        training_cost=_self_hosted_training,
        on_premises=True,
    ),
    "routing": Kind(
        "routing",
        "a share of requests to one strategy (e.g. a fine-tuned model), the rest to another",
        ROUTING_FIELDS,
        _routing,
        settings={"primary": Setting("strategy that gets the share", lookup="strategy",
                                     required=True),
                  "fallback": Setting("strategy that gets the rest", lookup="strategy",
                                      required=True)},
    ),
}


def engineering_hours(p: Mapping[str, Value]) -> Value:
    """Engineering hours in total, or the sum of ``engineering_phases.*``."""
    phases = [v for k, v in p.items() if k.startswith("engineering_phases.")]
    if phases:
        total: Value = 0.0
        for v in phases:
            total = total + v
        return total
    return p.get("engineering_hours", 0.0)


def project_cost(kind: str, p: Mapping[str, Value], options: Options | None = None) -> Value:
    """One-off project cost: engineering hours x rate + the kind's training compute."""
    return engineering_hours(p) * p["hourly_rate"] + KINDS[kind].training_cost(p, options or {})


def build_kernel(kind: str, p: Mapping[str, Value], w: Workload, options: Options,
                 *, baseline: bool) -> Kernel:
    """Build the kernel of one (non-routing) strategy for a chunk of samples.

    Parameters
    ----------
    kind : str
        A key of :data:`KINDS`.
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
            build_months=p["build_months"],
            retrain_every=p.get("retrain_every_months"),
            retrain_cost_fraction=p.get("retrain_cost_fraction", 1.0),
        )
    return KINDS[kind].make(p, w, project, options)
