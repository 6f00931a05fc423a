"""The serving simulation behind ``instances = "simulated"`` and the latency constraint.

The simpy model (:mod:`sim.serving`) is run once per strategy configuration to tabulate a
capacity curve (replica-hours per day against requests per day, with the SLA met); the
vectorized cost core then reads that curve for every sample and month. Curves are cached
(in memory here, and the SLA searches behind them on disk by :mod:`sim.serving`), and built
under a lock so worker threads never build the same one twice.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.study import Study

#: Keys that only mean something to the serving simulation.
SERVING_KEYS = ("hardware", "max_batch", "quantization", "speculative_decoding", "min_replicas",
                "max_replicas", "cold_start_s", "idle_timeout_s", "scale_to_zero")
CURVE_POINTS = 12
_LOCK = threading.Lock()
_CURVES: dict[tuple[Any, ...], Any] = {}


def uses_simulation(study: Study, name: str) -> bool:
    """True when a strategy's serving comes from the simulation (instances = "simulated")."""
    s = study.strategies[name]
    return s.kind_spec.gpu_serving and s.options.get("instances") == "simulated"


def serving_config(study: Study, name: str) -> Any:
    """The strategy's :class:`~sim.serving.ServingConfig` (from the study, overrides applied)."""
    from sim.serving.study import serving_from_study

    return serving_from_study(study.raw, name, file=study.file).config


def check_serving(study: Study) -> None:
    """Validate the serving keys of every self-hosted strategy that has them (raises
    :class:`~sim.study.errors.StudyError`)."""
    from sim.study.errors import StudyError

    for name, s in study.strategies.items():
        if not s.kind_spec.gpu_serving:
            continue
        raw = study.raw.get("strategies", {}).get(name, {})
        given = [k for k in SERVING_KEYS if k in raw]
        if uses_simulation(study, name) and "serving_hours_fraction" in raw:
            raise StudyError(study.file, f"strategies.{name}.serving_hours_fraction",
                             'conflicts with instances = "simulated" (the simulation gives '
                             "the hours); remove it")
        if raw.get("instances") != "simulated" and any(
                k in raw for k in ("min_replicas", "max_replicas", "scale_to_zero")):
            raise StudyError(study.file, f"strategies.{name}.instances",
                             "autoscaling keys need instances = \"simulated\"")
        if given or uses_simulation(study, name):
            serving_config(study, name)


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


def capacity_for(study: Study, name: str) -> Any:
    """The capacity curve of a strategy with ``instances = "simulated"`` (cached)."""
    from sim.serving import capacity_curve

    config = serving_config(study, name)
    volumes = curve_volumes(study)
    key = (config.key(), tuple(volumes.tolist()), study.seed)
    with _LOCK:
        if key not in _CURVES:
            _CURVES[key] = capacity_curve(config, volumes, seed=study.seed)
        return _CURVES[key]


def prepare(study: Study) -> None:
    """Build every capacity curve the study needs (before chunks go to worker threads)."""
    for name in study.strategies:
        if uses_simulation(study, name):
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
    from sim.serving import latency_reason

    return latency_reason(serving_config(study, name),
                          requests_per_day=latency_check_volume(study), seed=study.seed)
