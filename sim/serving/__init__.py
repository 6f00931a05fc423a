"""The serving simulation: what self-hosting a fine-tuned model needs, hour by hour
(docs/model.md, "The serving simulation").

A simpy discrete-event model of replicas serving requests with continuous batching
(:mod:`sim.serving.engine`), driven by a day of Poisson traffic (:func:`simulate_day`) or a
stationary load (:func:`simulate_steady`); hardware profiles shipped as data
(:func:`load_profiles`); the smallest pool meeting a P99 latency SLA
(:func:`min_replicas_for_sla`); and the capacity curve the vectorized cost core reads for
``instances = "simulated"`` (:func:`capacity_curve`, :func:`replica_hours_per_day`).

Examples
--------
>>> import numpy as np
>>> from distributions import Fixed
>>> from sim.serving import ServingConfig, get_profile, simulate_day
>>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0), replicas=1)
>>> day = simulate_day(cfg, requests_per_day=20_000, rng=np.random.default_rng(0))
>>> day.replica_hours_per_day
24.0
"""

from sim.serving.capacity import (
    DayPlan,
    hourly_schedule,
    latency_reason,
    min_replicas_for_sla,
    plan,
)
from sim.serving.config import (
    Autoscaling,
    LatencyMetric,
    Percentiles,
    ServingConfig,
    ServingResult,
    SteadyResult,
)
from sim.serving.curve import CapacityCurve, capacity_curve, replica_hours_per_day, sla_met
from sim.serving.day import simulate_day
from sim.serving.erlang import erlang_c
from sim.serving.hardware import ServiceRates, service_rates
from sim.serving.sla import SlaTable, sla_table, table_cached
from sim.serving.steady import SteadyInputs, latency_sweep, simulate_steady
from sim.serving.traffic import STANDARD_DAY, hourly_weights
from sim.study.hardware import (
    HardwareProfile,
    Quantization,
    get_profile,
    load_profiles,
    option_multipliers,
    profile_for_size,
)

__all__ = [
    "STANDARD_DAY",
    "Autoscaling",
    "CapacityCurve",
    "DayPlan",
    "HardwareProfile",
    "LatencyMetric",
    "Percentiles",
    "Quantization",
    "ServiceRates",
    "ServingConfig",
    "ServingResult",
    "SlaTable",
    "SteadyInputs",
    "SteadyResult",
    "capacity_curve",
    "erlang_c",
    "get_profile",
    "hourly_schedule",
    "hourly_weights",
    "latency_reason",
    "latency_sweep",
    "load_profiles",
    "min_replicas_for_sla",
    "option_multipliers",
    "plan",
    "profile_for_size",
    "replica_hours_per_day",
    "service_rates",
    "simulate_day",
    "simulate_steady",
    "sla_met",
    "sla_table",
    "table_cached",
]
