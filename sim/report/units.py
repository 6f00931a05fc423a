"""The unit of every study input, for tables a reader reads (the report, ``ftrisk describe``).

Keyed by the input's key (the last part of its path): a key means the same quantity in
every section and strategy kind (SPEC §10).
"""

from __future__ import annotations

UNITS: dict[str, str] = {
    # workload
    "requests_per_day": "requests/day", "input_tokens": "tokens/request",
    "output_tokens": "tokens/request", "monthly_growth": "fraction/month",
    "cache_share": "fraction", "peak_to_average": "ratio",
    # quality
    "review_rate": "fraction", "cost_per_review": "$/review", "error_rate": "fraction",
    "cost_per_error": "$/error", "fixed_monthly_cost": "$/month",
    # project and retraining
    "engineering_hours": "hours", "hourly_rate": "$/hour", "build_months": "months",
    "model_lifetime_months": "months", "retrain_every_months": "months",
    "retrain_cost_fraction": "x project cost",
    # token prices
    "input_price": "$/1M tokens", "output_price": "$/1M tokens",
    "annual_price_drop": "fraction/year", "cached_price_factor": "x input price",
    "batch_share": "fraction", "batch_discount": "fraction of the price",
    "p99_latency_ms": "ms",
    # training
    "training_tokens": "tokens", "epochs": "epochs", "training_runs": "runs",
    "training_price_per_1m": "$/1M tokens", "compute_per_run": "$/run",
    "dataset_examples": "examples", "sequence_length": "tokens",
    # self-hosted serving
    "model_size_b": "billion parameters", "gpu_hourly": "$/GPU-hour",
    "gpus_per_instance": "GPUs", "instances": "instances",
    "throughput_tokens_per_s": "tokens/s", "target_utilization": "fraction",
    "max_batch": "sequences", "min_replicas": "replicas", "max_replicas": "replicas",
    "cold_start_s": "s", "idle_timeout_s": "s", "serving_hours_fraction": "fraction",
    "gpu_annual_price_drop": "fraction/year", "storage_price_per_gb_month": "$/GB-month",
    "bytes_per_param": "bytes", "mlops_fte": "FTE", "fte_monthly_cost": "$/month",
    # routing
    "share": "fraction",
}


def unit(path: str) -> str:
    """The unit of the input at ``path`` ("" when it has none on file).

    Examples
    --------
    >>> unit("workload.requests_per_day"), unit("strategies.x.gpu_hourly")
    ('requests/day', '$/GPU-hour')
    >>> unit("strategies.x.engineering_phases.data_collection")
    'hours'
    """
    parts = path.split(".")
    if "engineering_phases" in parts:
        return "hours"
    return UNITS.get(parts[-1], "")
