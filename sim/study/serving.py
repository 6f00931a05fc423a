"""Reading the serving settings of a strategy that serves on our own GPUs, validated once.

They are read from the strategy's validated inputs and settings (a distribution stands for
its median: the serving simulation runs one configuration), so the study loader checks
them with everything else and :mod:`sim.serving` builds its model from them without
reading the study file again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.study.errors import StudyError
from sim.study.hardware import profile_for_size
from sim.study.types import AutoscalingSettings, Input, ServingSettings

#: Keys that turn on hourly autoscaling (they need ``instances = "simulated"``).
AUTOSCALING_KEYS = ("min_replicas", "max_replicas", "scale_to_zero")


def _median(inputs: Mapping[str, Input], key: str) -> float | None:
    inp = inputs.get(key)
    return None if inp is None or inp.is_default else float(inp.dist.median)


def _count(inputs: Mapping[str, Input], key: str) -> int | None:
    value = _median(inputs, key)
    return None if value is None else round(value)


def serving_settings(file: str, prefix: str, inputs: Mapping[str, Input],
                     options: Mapping[str, Any]) -> ServingSettings:
    """The serving settings of one self-hosted strategy (raises :class:`StudyError`).

    Parameters
    ----------
    file : str
        The study file, for messages.
    prefix : str
        ``strategies.<name>``.
    inputs : mapping
        The strategy's validated inputs.
    options : mapping
        Its validated settings (words and booleans).
    """
    instances = options.get("instances")
    simulated = instances == "simulated"
    given = [k for k in AUTOSCALING_KEYS if k in inputs or k in options]
    if simulated and not inputs["serving_hours_fraction"].is_default:
        raise StudyError(file, f"{prefix}.serving_hours_fraction", 'conflicts with instances = '
                         '"simulated" (the simulation gives the hours); remove it')
    if given and not simulated:
        raise StudyError(file, f"{prefix}.instances", f"autoscaling keys ({', '.join(given)}) "
                         'need instances = "simulated"')
    autoscaling = _autoscaling(file, prefix, inputs, options) if given else None
    replicas = None if isinstance(instances, str) else _count(inputs, "instances")
    hardware = options.get("hardware") or profile_for_size(
        float(inputs["model_size_b"].dist.median)).name
    return ServingSettings(
        hardware=hardware,
        hourly_usd=float(inputs["gpu_hourly"].dist.median),
        tokens_per_s=_median(inputs, "throughput_tokens_per_s"),
        max_batch=_count(inputs, "max_batch"),
        quantization=options.get("quantization", "none"),
        speculative_decoding=bool(options.get("speculative_decoding", False)),
        simulated=simulated,
        replicas=replicas,
        autoscaling=autoscaling,
        target_utilization=_median(inputs, "target_utilization"),
    )


def _autoscaling(file: str, prefix: str, inputs: Mapping[str, Input],
                 options: Mapping[str, Any]) -> AutoscalingSettings:
    zero = bool(options.get("scale_to_zero", False))
    low = _count(inputs, "min_replicas")
    if zero and low:
        raise StudyError(file, f"{prefix}.min_replicas", f"{low} conflicts with scale_to_zero "
                         "= true; remove it or set it to 0")
    low = 0 if zero else (1 if low is None else low)
    high = _count(inputs, "max_replicas") or AutoscalingSettings().max_replicas
    if high < max(1, low):
        raise StudyError(file, f"{prefix}.max_replicas", f"{high} must be >= min_replicas "
                         f"({low}) and >= 1")
    cold = _median(inputs, "cold_start_s")
    idle = _median(inputs, "idle_timeout_s")
    if idle is not None and not idle > 0:
        raise StudyError(file, f"{prefix}.idle_timeout_s", f"{idle:g} must be > 0 seconds")
    default = AutoscalingSettings()
    return AutoscalingSettings(low, high, default.cold_start_s if cold is None else cold,
                               default.idle_timeout_s if idle is None else idle, zero)
