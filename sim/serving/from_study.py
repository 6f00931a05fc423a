"""The serving model of a study's self-hosted strategy: its config, its capacity curve and
its latency check.

A strategy's :class:`~sim.study.serving.ServingSettings` (validated by the study loader)
and the study's workload and constraints make a :class:`~sim.serving.ServingConfig`. For
``instances = "simulated"`` the simpy model runs once per configuration to tabulate a
capacity curve (replica-hours per day against requests per day, with the SLA met) that the
vectorized cost core reads for every sample and month; curves are built once per key
(:class:`sim.cache.Memo`), before worker threads start, and the SLA searches behind them are
also cached on disk.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.cache import Memo
from sim.serving.capacity import latency_reason
from sim.serving.config import Autoscaling, ServingConfig
from sim.serving.curve import CapacityCurve, capacity_curve
from sim.serving.sla import table_cached
from sim.serving.traffic import hourly_weights
from sim.study import Study
from sim.study.hardware import get_profile

CURVE_POINTS = 12
_CURVES: Memo[CapacityCurve] = Memo()


def uses_simulation(study: Study, name: str) -> bool:
    """True when a strategy's serving comes from the simulation (instances = "simulated")."""
    settings = study.strategies[name].serving
    return settings is not None and settings.simulated


def serving_config(study: Study, name: str) -> ServingConfig:
    """The serving configuration of a strategy that serves on our own GPUs.

    Raises
    ------
    ValueError
        If the strategy does not serve on GPUs of its own (an API, hosted or routing one).

    Examples
    --------
    >>> from sim.study import load_study
    >>> study = load_study("studies/voice_intent.toml")  # doctest: +SKIP
    >>> serving_config(study, "self_hosted_7b").profile.name  # doctest: +SKIP
    'a10g-7b'
    """
    s = study.strategies[name].serving
    if s is None:
        raise ValueError(f"strategy '{name}' is a {study.strategies[name].kind} strategy; the "
                         "serving simulation needs one that serves on its own GPUs")
    w = study.workload
    if study.hourly_profile is not None:
        weights = hourly_weights(weights=study.hourly_profile)
    else:
        weights = hourly_weights(peak_to_average=float(w["peak_to_average"].dist.median))
    a = s.autoscaling
    return ServingConfig(
        get_profile(s.hardware), w["input_tokens"].dist, w["output_tokens"].dist,
        max_batch=s.max_batch, quantization=s.quantization,  # type: ignore[arg-type]
        speculative_decoding=s.speculative_decoding, tokens_per_s=s.tokens_per_s,
        hourly_usd=s.hourly_usd, hourly_weights=tuple(weights.tolist()),
        replicas=s.replicas,
        autoscaling=None if a is None else Autoscaling(
            a.min_replicas, a.max_replicas, a.cold_start_s, a.scale_to_zero, a.idle_timeout_s),
        target_utilization=s.target_utilization,
        p99_latency_ms=study.constraints.p99_latency_ms,
        latency_metric=study.constraints.latency_metric,  # type: ignore[arg-type]
    )


def typical_volume(study: Study) -> float:
    """The daily volume a serving day is simulated at by default: the median of
    ``workload.requests_per_day``."""
    return float(study.workload["requests_per_day"].dist.median)


def curve_volumes(study: Study) -> np.ndarray:
    """Daily volumes the capacity curve tabulates: the month-1 volume's P0.5 to P99.5,
    grown over the horizon at the growth's P10 and P90. Beyond them the curve is constant
    (below) or proportional to the volume (above), which is where replica counts head."""
    v = study.workload["requests_per_day"].dist
    g = study.workload["monthly_growth"].dist
    lo_v, hi_v = (float(x) for x in v.ppf(np.array([0.005, 0.995])))
    lo_g, hi_g = (float(x) for x in g.ppf(np.array([0.1, 0.9])))
    months = study.horizon_months - 1
    lo = lo_v * min(1.0, (1 + lo_g) ** months)
    hi = hi_v * max(1.0, (1 + hi_g) ** months)
    return np.geomspace(lo, hi, CURVE_POINTS) if hi > lo else np.array([lo])


def capacity_for(study: Study, name: str) -> CapacityCurve:
    """The capacity curve of a strategy with ``instances = "simulated"`` (built once)."""
    config = serving_config(study, name)
    volumes = curve_volumes(study)
    key = (config.key(), tuple(volumes.tolist()), study.seed)
    return _CURVES.get(key, lambda: capacity_curve(config, volumes, seed=study.seed))


def prepare(study: Study, on_stage: Callable[[str], None] | None = None) -> None:
    """Build every capacity curve the study needs (before chunks go to worker threads).

    ``on_stage`` is told each curve before it is built, and whether this first build
    fills the disk cache (the SLA search, seconds to a minute) that later runs reuse.
    """
    for name in study.strategies:
        if uses_simulation(study, name):
            if on_stage is not None:
                config = serving_config(study, name)
                cached = table_cached(config, seed=study.seed)
                on_stage(f"serving simulation: capacity curve of {name}"
                         + ("" if cached else " (the first run builds a cache; later runs "
                            "reuse it)"))
            capacity_for(study, name)


def latency_check_volume(study: Study) -> float:
    """Daily volume the latency constraint is checked at: the median month-1 volume grown
    at the median growth to the last month of the horizon (the busiest month typically)."""
    v = study.workload["requests_per_day"].dist.median
    g = study.workload["monthly_growth"].dist.median
    return float(v * max(1.0, (1 + g) ** (study.horizon_months - 1)))


def simulated_latency_reason(study: Study, name: str) -> str | None:
    """Why a self-hosted strategy misses the study's p99 constraint, by the serving
    simulation at :func:`latency_check_volume` (None when it meets it)."""
    return latency_reason(serving_config(study, name),
                          requests_per_day=latency_check_volume(study), seed=study.seed)
