"""Training-compute estimates: the lesson's throughput table and a FLOPs cross-check.

See docs/model.md, "Training compute", for the table, its fallback and the lesson's scenarios.

:func:`estimate_training_cost` reproduces the lesson's ``estimate_training_cost`` exactly
(same table, fallback, 15% overhead, spot factor 0.35 and rounding). :func:`cost_per_run` is
its vectorized form for the cost core (``compute_per_run = "estimate"``), and
:func:`flops_estimate` is an independent first-principles estimate: about 6 x params x
tokens FLOPs for full fine-tuning (forward 2, backward 4), about 4 x params x tokens for
LoRA/QLoRA (no weight gradients for the frozen base), divided by the GPUs' peak throughput
times a model-FLOPs utilization (MFU).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.costs.workload import Value

#: The lesson's measured throughputs: (size B, method, GPU) -> (tokens/s, GPUs, $/h on demand).
BENCHMARKS: dict[tuple[int, str, str], tuple[float, int, float]] = {
    (7, "lora", "a100_80g"): (4000, 1, 3.10),
    (7, "qlora", "a100_80g"): (3200, 1, 3.10),
    (7, "full", "a100_80g"): (1800, 4, 12.40),
    (7, "lora", "a10g"): (1800, 1, 1.03),
    (7, "qlora", "a10g"): (1400, 1, 1.03),
    (13, "lora", "a100_80g"): (2500, 1, 3.10),
    (13, "qlora", "a100_80g"): (2000, 1, 3.10),
    (13, "full", "a100_80g"): (900, 8, 24.80),
    (70, "lora", "a100_80g"): (800, 4, 12.40),
    (70, "qlora", "a100_80g"): (600, 2, 6.20),
    (70, "full", "a100_80g"): (220, 16, 49.60),
}
METHODS = ("lora", "qlora", "full")
TRAINING_GPUS = ("a100_80g", "a10g")
SIZES = (7, 13, 70)
OVERHEAD = 1.15
SPOT_FACTOR = 0.35
#: Dense bf16 peak TFLOP/s per GPU (vendor datasheets; A10G taken as the A10's 125).
PEAK_TFLOPS = {"a100_80g": 312.0, "a100_40g": 312.0, "a10g": 125.0, "h100": 989.0, "l4": 121.0}
#: FLOPs per parameter per training token.
FLOPS_PER_PARAM_TOKEN = {"full": 6.0, "lora": 4.0, "qlora": 4.0}


def closest_size(model_size_b: Value) -> Value:
    """The lesson's table size (7, 13 or 70) closest to ``model_size_b`` (ties to the smaller)."""
    sizes = np.array(SIZES, dtype=np.float64)
    x = np.asarray(model_size_b, dtype=np.float64)
    idx = np.argmin(np.abs(x[..., None] - sizes), axis=-1)
    out = sizes[idx]
    return float(out) if out.ndim == 0 else out


def throughput(model_size_b: Value, method: str, gpu: str) -> tuple[Value, Value, Value]:
    """(tokens/s, GPUs, $/h on demand) from the table, or the lesson's fallback.

    The fallback (an unknown method/GPU pair) is tokens/s = max(100, int(4000 * 7 / size)),
    GPUs = max(1, int(size / 30)), $3.10 per GPU-hour, with the *actual* size as the lesson
    computes it.

    Examples
    --------
    >>> throughput(7, "lora", "a10g")
    (1800.0, 1.0, 1.03)
    >>> throughput(34, "lora", "h100")  # fallback
    (823.0, 1.0, 3.1)
    """
    size = np.asarray(model_size_b, dtype=np.float64)
    near = np.asarray(closest_size(size))
    tps = np.empty(size.shape)
    gpus = np.empty(size.shape)
    hourly = np.empty(size.shape)
    known = np.zeros(size.shape, dtype=bool)
    for s in SIZES:
        row = BENCHMARKS.get((s, method, gpu))
        if row is not None:
            mask = near == s
            tps[mask], gpus[mask], hourly[mask] = row
            known |= mask
    fb = ~known
    if fb.any():
        tps[fb] = np.maximum(100.0, np.floor(4000.0 * (7.0 / size[fb])))
        gpus[fb] = np.maximum(1.0, np.floor(size[fb] / 30.0))
        hourly[fb] = gpus[fb] * 3.10
    if size.ndim == 0:
        return float(tps), float(gpus), float(hourly)
    return tps, gpus, hourly


def cost_per_run(model_size_b: Value, method: str, gpu: str, examples: Value,
                 sequence_length: Value, epochs: Value, *, spot: bool = True) -> Value:
    """Compute cost of one training run (vectorized, unrounded).

    Examples
    --------
    >>> round(float(cost_per_run(7, "lora", "a10g", 50_000, 512, 3, spot=True)), 2)
    4.91
    """
    tps, _, hourly = throughput(model_size_b, method, gpu)
    hours = examples * sequence_length * epochs / (tps * 3600.0) * OVERHEAD
    return hours * hourly * (SPOT_FACTOR if spot else 1.0)


def in_table(model_size_b: float, method: str, gpu: str) -> bool:
    """True when the lesson's throughput table has a row for this (closest) size, method
    and GPU; False when :func:`throughput` falls back to the lesson's rule.

    Examples
    --------
    >>> in_table(7, "lora", "a10g"), in_table(7, "lora", "h100"), in_table(70, "full", "a10g")
    (True, False, False)
    """
    return (int(closest_size(model_size_b)), method, gpu) in BENCHMARKS


def estimate_training_cost(model_size_b: float, method: str, dataset_size_examples: int,
                           avg_seq_len: int, epochs: float, instance_type: str,
                           spot: bool = True, *,
                           hourly_per_gpu: float | None = None) -> dict[str, Any]:
    """The lesson's ``estimate_training_cost``: same inputs, same figures, same rounding.

    ``hourly_per_gpu`` replaces the table's on-demand price (e.g. the catalog's, for a GPU
    the lesson's table does not have; its fallback charges $3.10 per GPU-hour).

    Examples
    --------
    >>> r = estimate_training_cost(7, "lora", 50_000, 512, 3, "a10g", spot=True)
    >>> r["training_hours"], r["total_cost_usd"], r["cost_per_hour"]
    (13.6, 4.91, 0.36)
    >>> estimate_training_cost(7, "lora", 50_000, 512, 3, "h100", hourly_per_gpu=4.5)[
    ...     "cost_per_hour"]
    1.57
    """
    tps, gpus, hourly = (float(x) for x in throughput(model_size_b, method, instance_type))
    if hourly_per_gpu is not None:
        hourly = gpus * hourly_per_gpu
    if spot:
        hourly *= SPOT_FACTOR
    total_tokens = dataset_size_examples * avg_seq_len * epochs
    hours = total_tokens / (tps * 3600) * OVERHEAD
    return {
        "model_size_b": model_size_b,
        "method": method,
        "instance": instance_type,
        "num_gpus": int(gpus),
        "tokens_per_second": int(tps),
        "total_tokens": int(total_tokens),
        "training_hours": round(hours, 1),
        "cost_per_hour": round(hourly, 2),
        "total_cost_usd": round(hours * hourly, 2),
        "spot_pricing": spot,
    }


def flops_estimate(model_size_b: float, method: str, tokens: float, gpu: str, *,
                   gpus: int | None = None, mfu: float = 0.35,
                   hourly_per_gpu: float | None = None) -> dict[str, float]:
    """First-principles training time and cost: FLOPs / (GPUs x peak x MFU).

    Parameters
    ----------
    model_size_b : float
        Parameters, billions.
    method : {"lora", "qlora", "full"}
        Fine-tuning method (sets FLOPs per parameter per token: 4, 4, 6).
    tokens : float
        Training tokens (examples x sequence length x epochs).
    gpu : str
        A key of :data:`PEAK_TFLOPS`.
    gpus : int, optional
        GPUs used; default: the lesson's table (or its fallback).
    mfu : float
        Model-FLOPs utilization, typically 0.2-0.5.
    hourly_per_gpu : float, optional
        $ per GPU-hour; default: the lesson's table rate divided by its GPU count.

    Examples
    --------
    >>> r = flops_estimate(7, "lora", 76.8e6, "a10g", mfu=0.35)
    >>> round(r["hours"], 1)
    13.7
    """
    if method not in FLOPS_PER_PARAM_TOKEN:
        raise ValueError(f"'{method}' is not a valid method; it must be one of {set(METHODS)}")
    if gpu not in PEAK_TFLOPS:
        raise ValueError(f"'{gpu}' has no peak FLOPs on file; known: {', '.join(PEAK_TFLOPS)}")
    if not 0 < mfu <= 1:
        raise ValueError(f"mfu={mfu} must be in (0, 1]")
    _, table_gpus, table_hourly = throughput(model_size_b, method, gpu)
    n_gpus = float(gpus if gpus is not None else table_gpus)
    rate = hourly_per_gpu if hourly_per_gpu is not None else float(table_hourly) / float(table_gpus)
    flops = FLOPS_PER_PARAM_TOKEN[method] * model_size_b * 1e9 * tokens
    hours = flops / (n_gpus * PEAK_TFLOPS[gpu] * 1e12 * mfu) / 3600.0
    return {"flops": flops, "gpus": n_gpus, "hours": hours, "cost": hours * n_gpus * rate}
