"""The strategy kinds: what each takes in a study file and what sets it apart.

A :class:`Kind` has numeric *fields* (inputs: numbers or distributions), *alternatives* (a
numeric key that may instead hold a word, e.g. ``instances = "auto"``) and *settings* (keys
that only take words or booleans, e.g. ``training_method = "lora"`` or ``model = "gpt-4o"``),
and says what differs between kinds everywhere else: whether it has a project with
engineering phases, which other strategies it is made of (routing), where its data goes,
whether it is portable, and whether it serves on our own GPUs (the serving simulation, the
latency check, the lesson's break-even volume). Its cost kernel lives in :mod:`sim.costs`,
registered under the same name. No module outside :mod:`sim.costs` compares kind names:
they ask the :class:`Kind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.study.schema import (
    COUNT,
    COUNT0,
    DECLINE,
    GPU_MEMORY,
    KV_BYTES,
    LIFTED,
    MIGRATION,
    MLOPS,
    MONEY,
    NONNEG,
    POS_RATE,
    POSITIVE,
    PRICE_STEPS,
    PROJECT,
    QUALITY,
    RATE,
    RETRAIN_SPLIT,
    Field,
    retrain_fields,
)

#: Where self-hosted storage is priced by default: S3 standard, $ per GB-month (lesson).
STORAGE_PRICE = 0.023


@dataclass(frozen=True)
class Setting:
    """A key that takes a word or a boolean, not a number.

    ``choices`` lists the allowed values; ``lookup`` names a catalog ("api", "gpu",
    "training"), "hardware" (a serving hardware profile) or "strategy" (another strategy of
    the study) that validates the word; ``supplies`` lists the inputs the catalog entry
    fills in when the study leaves them out.
    """

    help: str
    choices: tuple[Any, ...] = ()
    default: Any = None
    lookup: str = ""
    required: bool = False
    supplies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """A strategy kind: its keys and what sets it apart from the other kinds.

    Examples
    --------
    >>> KINDS["routing"].components
    ('primary', 'fallback')
    >>> KINDS["self_hosted"].gpu_serving, KINDS["hosted_ft"].portable
    (True, False)
    """

    name: str
    doc: str
    fields: dict[str, Field]
    #: numeric keys that may hold one of these words instead (word: what it means), e.g.
    #: instances = "auto"
    alternatives: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: dict[str, Setting] = field(default_factory=dict)
    #: (key, condition key, condition value): key is required when the condition holds
    #: ("*": the condition key is given)
    conditional: tuple[tuple[str, str, Any], ...] = ()
    #: (key, other keys, why): key may not be given together with any of the other keys
    exclusive: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    #: (key, needed key, why): key is only meaningful when the needed key is given too
    requires: tuple[tuple[str, str, str], ...] = ()
    #: whether the engineering hours may be given by phase (engineering_phases)
    phases: bool = True
    #: settings naming the strategies this one is made of (routing: primary, fallback)
    components: tuple[str, ...] = ()
    #: whether the traffic's data stays on the company's premises
    on_premises: bool = False
    #: whether the fine-tuned model can move to another vendor without retraining
    portable: bool = True
    #: whether it serves on GPUs of our own: the serving simulation, the latency check and
    #: the lesson's break-even volume apply
    gpu_serving: bool = False
    #: whether it fine-tunes a model (training data, an eval harness, retraining)
    trains: bool = False

    @property
    def trains_at_vendor(self) -> bool:
        """True when its training data goes to a vendor (a hosted fine-tune)."""
        return self.trains and not self.on_premises
    #: a word the default display name ends with when the id lacks it (api: "API")
    label_suffix: str = ""


CACHE_SHARE = Field(RATE, None, "share of input tokens served from a prompt cache "
                    "(default: workload.cache_share)", optional=True, unit="fraction")
LATENCY = Field(POSITIVE, None, "p99 latency (for a latency constraint)", optional=True,
                unit="ms")

TOKEN_PRICES: dict[str, Field] = {
    "input_price": Field(MONEY, None, "price of input tokens", unit="$/1M tokens"),
    "output_price": Field(MONEY, None, "price of output tokens", unit="$/1M tokens"),
    "annual_price_drop": Field(DECLINE, 0.0, "yearly fall of per-token prices, smooth: "
                               "(1 - d)^((t - 1) / 12)", unit="fraction/year"),
    **PRICE_STEPS,
    "cache_share": CACHE_SHARE,
    "cached_price_factor": Field(RATE, 0.10, "price of a cached input token over the input "
                                 "price", unit="x input price"),
    "batch_share": Field(RATE, 0.0, "share of traffic sent through the batch API",
                         unit="fraction"),
    "batch_discount": Field(RATE, 0.5, "batch API discount", unit="fraction of the price"),
}

API_FIELDS: dict[str, Field] = {
    **TOKEN_PRICES,
    "migration_cost": Field(MIGRATION, 0.0, "cost of a step price cut: moving to the cheaper model "
                            "and re-evaluating it (with price_cuts_per_year)", unit="$/cut"),
    **QUALITY, **PROJECT, "p99_latency_ms": LATENCY,
}

HOSTED_FT_FIELDS: dict[str, Field] = {
    **TOKEN_PRICES,
    "input_price": Field(MONEY, None, "price of the fine-tuned model's input tokens",
                         unit="$/1M tokens"),
    "output_price": Field(MONEY, None, "price of the fine-tuned model's output tokens",
                          unit="$/1M tokens"),
    "training_tokens": Field(NONNEG, None, "training tokens per epoch (examples x tokens)",
                             unit="tokens"),
    "epochs": Field(POSITIVE, 1.0, "epochs per training run", unit="epochs"),
    "training_runs": Field(COUNT0, 1.0, "training runs to production", unit="runs"),
    "training_price_per_1m": Field(MONEY, None, "price of training tokens (lesson: OpenAI $8)",
                                   unit="$/1M tokens"),
    **MLOPS,
    **QUALITY,
    **PROJECT,
    "engineering_hours": Field(NONNEG, None, "engineering hours (data, evaluation; no infra)",
                               unit="hours"),
    **retrain_fields(1.0, "hosted: the vendor's job on the new base with the known settings"),
    "p99_latency_ms": LATENCY,
}

SELF_HOSTED_FIELDS: dict[str, Field] = {
    "model_size_b": Field(POSITIVE, None, "model size", unit="billion parameters"),
    "gpu_hourly": Field(MONEY, None, "price of one serving GPU; an instance costs gpu_hourly "
                        "x gpus_per_instance", unit="$/GPU-hour"),
    "gpus_per_instance": Field(COUNT, 1.0, "GPUs per serving instance", unit="GPUs"),
    "instances": Field(COUNT, None, 'serving instances, or "auto" or "simulated"',
                       unit="instances"),
    "throughput_tokens_per_s": Field(
        POSITIVE, None, "input + output tokens one instance serves per second", optional=True,
        unit="tokens/s"
    ),
    "target_utilization": Field(POS_RATE, 0.6, 'utilization to plan capacity at (for "auto")',
                                unit="fraction"),
    **{k: Field(d, None, h, optional=True, unit=u) for k, (d, h, u) in {
        "max_batch": (COUNT, "sequences a replica decodes at once (serving simulation)",
                      "sequences"),
        "min_replicas": (COUNT0, "fewest replicas of the autoscaler (serving simulation; "
                         "default 1)", "replicas"),
        "max_replicas": (COUNT, "most replicas of the autoscaler (serving simulation; "
                         "default 1000)", "replicas"),
        "cold_start_s": (NONNEG, "time for a new replica to start (default 120)", "s"),
        "idle_timeout_s": (NONNEG, "idle time before scaling down (default 300)", "s"),
    }.items()},
    "serving_hours_fraction": Field(
        POS_RATE, 1.0, "share of the month's 720 hours instances are billed (autoscaling < 1)",
        unit="fraction"
    ),
    "gpu_annual_price_drop": Field(DECLINE, 0.0, "yearly fall of GPU hourly prices",
                                   unit="fraction/year"),
    "storage_price_per_gb_month": Field(MONEY, STORAGE_PRICE, "price of storing the weights",
                                        unit="$/GB-month"),
    "bytes_per_param": Field(POSITIVE, 2.0, "bytes per parameter of the weights (default by "
                             "quantization: none 2, int8 1, int4 0.5)", unit="bytes"),
    "kv_bytes_per_token": Field(KV_BYTES, None, "KV-cache bytes per token in flight (default "
                                "from the model size: Mistral 7B, Mistral NeMo 12B, Llama 3 "
                                "70B)", optional=True, unit="bytes/token"),
    "gpu_memory_gb": Field(GPU_MEMORY, None, "memory of one serving GPU (default: the catalog "
                           "gpu's or the hardware profile's)", optional=True, unit="GB"),
    **MLOPS,
    **QUALITY,
    **PROJECT,
    "engineering_hours": Field(NONNEG, None, "engineering hours to production (all phases)",
                               unit="hours"),
    "training_runs": Field(COUNT0, None, "training runs to production (lesson: 5-15)",
                           unit="runs"),
    "compute_per_run": Field(MONEY, None, 'GPU compute of one training run, or "estimate"',
                             unit="$/run"),
    "dataset_examples": Field(POSITIVE, None, "training examples (for the estimate)",
                              optional=True, unit="examples"),
    "sequence_length": Field(POSITIVE, 512.0, "tokens per training example (for the estimate)",
                             unit="tokens"),
    "epochs": Field(POSITIVE, 1.0, "epochs per training run (for the estimate)",
                    unit="epochs"),
    **retrain_fields(4.0, "lesson: a hyperparameter search of 3-5 runs"),
    "p99_latency_ms": LATENCY,
}

ROUTING_FIELDS: dict[str, Field] = {
    "share": Field(RATE, None, "share of requests sent to the primary strategy",
                   unit="fraction"),
    **PROJECT,
    "engineering_hours": Field(NONNEG, 0.0, "engineering hours to build the router itself",
                               unit="hours"),
}

#: The inputs an API model of the price catalog fills in.
API_PRICES = ("input_price", "output_price", "cached_price_factor", "batch_discount")

STANDALONE = Setting("false: only a part of a routing strategy, not compared on its own",
                     (True, False), True)
LABEL = Setting('display name in the report and the verdict, e.g. "Hosted fine-tuning" '
                "(default: made from the strategy's id)")

#: Key pairs every kind with quality keys refuses, and the rules of retraining and prices.
QUALITY_RULES = tuple(("quality_lift", (k,), f"{k} is absolute: give it or quality_lift "
                       "(relative to the baseline), not both") for k in LIFTED)
RETRAIN_RULES = tuple(("retrain_cost_fraction", (k,), "the legacy retrain_cost_fraction is "
                       "the whole cost of a retraining; give it or retrain_runs and "
                       "retrain_engineering_share, not both") for k in RETRAIN_SPLIT)
PRICE_RULES = (("price_cuts_per_year", ("annual_price_drop",), "prices fall either smoothly "
                "(annual_price_drop) or in steps (price_cuts_per_year, price_cut_size); "
                "give one form"),)
PRICE_CONDITIONS = (("price_cut_size", "price_cuts_per_year", "*"),)
PRICE_NEEDS = (("price_cut_size", "price_cuts_per_year", "a cut size needs "
                "price_cuts_per_year"),)

RETRAIN_POLICY = "retrain_policy"

TRAINING_SETTINGS = {
    "training_method": Setting("fine-tuning method for the estimate",
                               ("lora", "qlora", "full"), "lora"),
    "training_gpu": Setting("GPU of the lesson's throughput table for the estimate",
                            ("a100_80g", "a10g"), "a100_80g"),
    "spot": Setting("train on spot instances (0.35 x on-demand)", (True, False), True),
}


KINDS: dict[str, Kind] = {
    "api": Kind(
        "api",
        "pay per token at a provider's (falling) prices: the frontier model, or a cheaper one",
        API_FIELDS,
        settings={"model": Setting("API model to take prices from (ftrisk prices)",
                                   lookup="api", supplies=API_PRICES),
                  "standalone": STANDALONE, "label": LABEL},
        conditional=PRICE_CONDITIONS,
        exclusive=QUALITY_RULES + PRICE_RULES,
        requires=(*PRICE_NEEDS, ("migration_cost", "price_cuts_per_year",
                                 "a migration happens at each step price cut")),
        portable=True,
        label_suffix="API",
    ),
    "hosted_ft": Kind(
        "hosted_ft",
        "a model fine-tuned and served by the vendor: training tokens, fine-tuned token prices",
        HOSTED_FT_FIELDS,
        settings={
            "model": Setting("fine-tuned model to take inference prices from, e.g. "
                             "ft:gpt-4o-mini", lookup="api", supplies=API_PRICES),
            "training_provider": Setting("provider to take the training price from",
                                         lookup="training",
                                         supplies=("training_price_per_1m",)),
            RETRAIN_POLICY: Setting(
                "when_it_pays: a retraining happens only when the price step it brings (onto "
                "the new base's price) saves more than it costs; scheduled: always",
                ("when_it_pays", "scheduled"), "when_it_pays"),
            "no_train_terms": Setting(
                "the vendor's terms bar training on your data (an enterprise tier); needed "
                "when [constraints] vendor_no_train_terms = true", (True, False), False),
            "standalone": STANDALONE,
            "label": LABEL,
        },
        conditional=PRICE_CONDITIONS,
        exclusive=QUALITY_RULES + PRICE_RULES + RETRAIN_RULES,
        requires=PRICE_NEEDS,
        portable=False,
        trains=True,
    ),
    "self_hosted": Kind(
        "self_hosted",
        "a fine-tuned open model on rented GPUs: project, serving, storage, MLOps, retraining",
        SELF_HOSTED_FIELDS,
        alternatives={
            "instances": {
                "auto": "sized each month for the peak hour from throughput_tokens_per_s, "
                        "workload.peak_to_average and target_utilization",
                "simulated": "replica-hours from the serving simulation's capacity curve "
                             "(hardware, max_batch, the autoscaling keys)",
            },
            "compute_per_run": {
                "estimate": "from the lesson's training-throughput table: dataset_examples, "
                            "sequence_length, epochs, training_method, training_gpu, spot",
            },
        },
        settings={"gpu": Setting("serving GPU to take the hourly price from", lookup="gpu",
                                 supplies=("gpu_hourly",)),
                  **TRAINING_SETTINGS, "standalone": STANDALONE,
                  "hardware": Setting("serving hardware profile (ftrisk serve; sim/data/"
                                      "hardware.toml)", lookup="hardware"),
                  "quantization": Setting("weights quantization: bytes per parameter (none 2, "
                                          "int8 1, int4 0.5) and a throughput multiplier",
                                          ("none", "int8", "int4"), "none"),
                  "speculative_decoding": Setting("speculative decoding (a decode speed-up)",
                                                  (True, False), False),
                  "scale_to_zero": Setting("the autoscaler may stop every replica",
                                           (True, False)),
                  RETRAIN_POLICY: Setting(
                      "scheduled: every retraining happens (new base models, drift); a "
                      "self-hosted model's cost does not step with a retraining, so there is "
                      "no price step to wait for", ("scheduled",), "scheduled"),
                  "label": LABEL},
        conditional=(
            ("throughput_tokens_per_s", "instances", "auto"),
            ("dataset_examples", "compute_per_run", "estimate"),
        ),
        exclusive=QUALITY_RULES + RETRAIN_RULES,
        on_premises=True,
        gpu_serving=True,
        trains=True,
    ),
    "routing": Kind(
        "routing",
        "a share of requests to one strategy (e.g. a fine-tuned model), the rest to another",
        ROUTING_FIELDS,
        settings={"primary": Setting("strategy that gets the share", lookup="strategy",
                                     required=True),
                  "fallback": Setting("strategy that gets the rest", lookup="strategy",
                                      required=True),
                  "label": LABEL},
        phases=False,
        components=("primary", "fallback"),
    ),
}

