"""What a serving simulation is asked (:class:`ServingConfig`) and what it answers."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from distributions import Distribution
from sim.serving.hardware import ServiceRates, service_rates
from sim.study.hardware import QUANTIZATIONS, HardwareProfile, Quantization

LatencyMetric = Literal["e2e", "ttft"]
LATENCY_METRICS: tuple[str, ...] = get_args(LatencyMetric)
#: Planning utilization when neither a target utilization nor a latency SLA is given
#: (the cost core's default target_utilization).
DEFAULT_TARGET_UTILIZATION = 0.6
FLAT_DAY: tuple[float, ...] = (1.0,) * 24


@dataclass(frozen=True)
class Autoscaling:
    """Hourly autoscaling: each hour runs the replicas that hour's traffic needs.

    The count for hour h is planned from the day's profile (scheduled scaling): scale-ups
    are launched ``cold_start_s`` before the hour so they are warm when it starts (and
    billed from launch); scale-downs drain (finish what they hold) at the hour.
    With ``scale_to_zero``, an hour that needs at most one replica runs it on demand: it
    stops after ``idle_timeout_s`` without work and the next request starts it again,
    waiting ``cold_start_s`` (``min_replicas`` is then taken as 0).

    Examples
    --------
    >>> Autoscaling(min_replicas=0, max_replicas=8, scale_to_zero=True).cold_start_s
    120.0
    """

    min_replicas: int = 1
    max_replicas: int = 1000
    cold_start_s: float = 120.0
    scale_to_zero: bool = False
    idle_timeout_s: float = 300.0

    def __post_init__(self) -> None:
        if self.min_replicas < 0 or self.max_replicas < max(1, self.min_replicas):
            raise ValueError(f"autoscaling: need 0 <= min_replicas <= max_replicas and "
                             f"max_replicas >= 1; got min_replicas={self.min_replicas}, "
                             f"max_replicas={self.max_replicas}")
        if self.cold_start_s < 0 or self.idle_timeout_s <= 0:
            raise ValueError(f"autoscaling: cold_start_s={self.cold_start_s} must be >= 0 and "
                             f"idle_timeout_s={self.idle_timeout_s} > 0")


@dataclass(frozen=True)
class ServingConfig:
    """A self-hosted serving set-up: hardware, options, request sizes, traffic shape, policy.

    Attributes
    ----------
    profile : HardwareProfile
        One replica's hardware and quoted throughput.
    input_tokens, output_tokens : Distribution
        Per-request token counts (drawn per request; negative draws clip to 0).
    max_batch : int, optional
        Sequences a replica serves at once (``B``); default the profile's reference batch.
    quantization : {"none", "int8", "int4"}
    speculative_decoding : bool
    tokens_per_s : float, optional
        Measured aggregate throughput replacing the profile's figure.
    hourly_usd : float, optional
        $ per replica-hour replacing the profile's.
    hourly_weights : tuple of 24 floats
        Relative arrival rate by hour (see :func:`~sim.serving.hourly_weights`).
    replicas : int, optional
        A fixed pool of this many replicas. With neither ``replicas`` nor ``autoscaling``
        the pool is fixed at the smallest size meeting the SLA at the busiest hour (and
        ``target_utilization`` when given; 0.6 when there is no SLA).
    autoscaling : Autoscaling, optional
        Hourly autoscaling instead of a fixed pool.
    target_utilization : float, optional
        Plan replicas so that each hour's utilization stays at or below this.
    p99_latency_ms : float, optional
        Latency SLA: the 99th percentile of ``latency_metric`` must not exceed it.
    latency_metric : {"e2e", "ttft"}
        End-to-end latency, or time to first token.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(200.0))
    >>> round(cfg.capacity_per_replica, 3)  # requests/s of a full replica
    7.143
    """

    profile: HardwareProfile
    input_tokens: Distribution
    output_tokens: Distribution
    max_batch: int | None = None
    quantization: Quantization = "none"
    speculative_decoding: bool = False
    tokens_per_s: float | None = None
    hourly_usd: float | None = None
    hourly_weights: tuple[float, ...] = FLAT_DAY
    replicas: int | None = None
    autoscaling: Autoscaling | None = None
    target_utilization: float | None = None
    p99_latency_ms: float | None = None
    latency_metric: LatencyMetric = "e2e"
    _rates: ServiceRates = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.quantization not in QUANTIZATIONS:
            raise ValueError(f"{self.quantization!r} is not a valid 'quantization'. It must "
                             f"be one of {{{', '.join(repr(q) for q in QUANTIZATIONS)}}}")
        if self.latency_metric not in LATENCY_METRICS:
            raise ValueError(f"{self.latency_metric!r} is not a valid 'latency_metric'. It "
                             f"must be one of {{{', '.join(repr(m) for m in LATENCY_METRICS)}}}")
        w = np.asarray(self.hourly_weights, dtype=np.float64)
        if w.shape != (24,) or np.any(w < 0) or not abs(w.mean() - 1.0) < 1e-9:
            raise ValueError("hourly_weights must be 24 numbers >= 0 averaging 1; build them "
                             "with hourly_weights(weights=...) or (peak_to_average=...)")
        if self.replicas is not None and self.autoscaling is not None:
            raise ValueError("give a fixed number of replicas or autoscaling, not both")
        if self.replicas is not None and self.replicas < 1:
            raise ValueError(f"replicas={self.replicas} must be >= 1")
        tu = self.target_utilization
        if tu is not None and not 0.0 < tu <= 1.0:
            raise ValueError(f"target_utilization={tu} must be in (0, 1]")
        if self.p99_latency_ms is not None and not self.p99_latency_ms > 0:
            raise ValueError(f"p99_latency_ms={self.p99_latency_ms} must be > 0")
        for name in ("tokens_per_s", "hourly_usd"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name}={value} must be > 0")
        rates = service_rates(self.profile, max_batch=self.max_batch,
                              quantization=self.quantization,
                              speculative_decoding=self.speculative_decoding,
                              tokens_per_s=self.tokens_per_s)
        object.__setattr__(self, "_rates", rates)

    @property
    def rates(self) -> ServiceRates:
        """The replica's prefill and decode speeds with the options applied."""
        return self._rates

    @property
    def batch(self) -> int:
        """Sequences per replica."""
        return self._rates.max_batch

    @property
    def price_per_hour(self) -> float:
        """$ per replica-hour."""
        return self.profile.hourly_usd if self.hourly_usd is None else float(self.hourly_usd)

    @property
    def mean_tokens(self) -> float:
        """Mean input + output tokens per request."""
        return max(self.input_tokens.mean, 0.0) + max(self.output_tokens.mean, 0.0)

    @property
    def work_per_request_s(self) -> float:
        """Mean replica-seconds of a full replica a request takes (1 / capacity)."""
        return float(self._rates.work_s(max(self.input_tokens.mean, 0.0),
                                        max(self.output_tokens.mean, 0.0)))

    @property
    def capacity_per_replica(self) -> float:
        """Requests/s one replica serves at 100% utilization (full batch)."""
        return 1.0 / self.work_per_request_s

    @property
    def planning_utilization(self) -> float | None:
        """The utilization replicas are planned at (None: the SLA alone decides)."""
        if self.target_utilization is not None:
            return self.target_utilization
        return None if self.p99_latency_ms is not None else DEFAULT_TARGET_UTILIZATION

    def key(self) -> str:
        """A stable hash of everything that changes the simulation's answer (for caches)."""
        return _key(repr(self))


@functools.lru_cache(maxsize=256)
def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Percentiles:
    """P50/P95/P99 of a latency, in milliseconds."""

    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of_seconds(cls, x: ArrayLike) -> Percentiles:
        """Percentiles of latencies given in seconds (NaN for an empty sample)."""
        a = np.asarray(x, dtype=np.float64)
        if a.size == 0:
            return cls(float("nan"), float("nan"), float("nan"))
        p50, p95, p99 = np.percentile(a, [50.0, 95.0, 99.0]) * 1000.0
        return cls(float(p50), float(p95), float(p99))


@dataclass(frozen=True)
class SteadyResult:
    """A stationary run: constant arrival rate, fixed replicas, statistics after a warm-up.

    Attributes
    ----------
    rate_per_s, replicas : float, int
        Offered arrival rate and pool size.
    requests : int
        Requests measured (those arriving after the warm-up).
    utilization : float
        Work of the measured requests ÷ (replicas × the window they arrived in).
    ttft, e2e : Percentiles
        Time to first token and end-to-end latency.
    mean_wait_s, p_wait : float
        Mean wait for a batch slot, and the share of requests that waited at all.
    mean_e2e_s : float
        Mean end-to-end latency (W).
    mean_in_system, mean_in_queue : float
        Time-average requests in the system (L) and waiting for a slot (Lq), over the window.
    arrival_rate : float
        Measured arrivals per second in the window (lambda for Little's law).
    window_s : float
        Length of the measurement window.
    """

    rate_per_s: float
    replicas: int
    requests: int
    utilization: float
    ttft: Percentiles
    e2e: Percentiles
    mean_wait_s: float
    p_wait: float
    mean_e2e_s: float
    mean_in_system: float
    mean_in_queue: float
    arrival_rate: float
    window_s: float


@dataclass(frozen=True)
class ServingResult:
    """One simulated day of serving.

    Attributes
    ----------
    requests : int
        Requests that arrived.
    tokens : float
        Input + output tokens served.
    utilization : float
        Work done ÷ replica-seconds billed (1 = every replica full all day).
    ttft, e2e : Percentiles
        Time to first token and end-to-end latency over the day.
    mean_wait_ms, p_wait : float
        Mean queueing delay for a batch slot, and the share of requests that waited.
    mean_queue, max_queue : float, int
        Time-average and largest number of requests waiting for a slot.
    replica_hours_per_day : float
        Replica-hours billed (starting, serving or draining).
    cost_per_day, cost_per_1m_tokens : float
        $ per day and per million tokens served.
    cold_starts : int
        Replica launches that requests waited for (scale from zero).
    p99_latency_ms : float
        P99 of the SLA's latency metric.
    sla_met : bool or None
        Whether ``p99_latency_ms`` is within the SLA (None: no SLA).
    hourly : polars.DataFrame
        One row per hour: ``hour, requests, replicas`` (time-average billed),
        ``utilization, ttft_p99_ms, e2e_p99_ms, mean_wait_ms``.
    """

    requests: int
    tokens: float
    utilization: float
    ttft: Percentiles
    e2e: Percentiles
    mean_wait_ms: float
    p_wait: float
    mean_queue: float
    max_queue: int
    replica_hours_per_day: float
    cost_per_day: float
    cost_per_1m_tokens: float
    cold_starts: int
    p99_latency_ms: float
    sla_met: bool | None
    hourly: pl.DataFrame

    def summary(self) -> pl.DataFrame:
        """The scalar outputs as a two-column frame (``metric``, ``value``)."""
        rows = {
            "requests": float(self.requests), "utilization": self.utilization,
            "ttft_p50_ms": self.ttft.p50_ms, "ttft_p95_ms": self.ttft.p95_ms,
            "ttft_p99_ms": self.ttft.p99_ms, "e2e_p50_ms": self.e2e.p50_ms,
            "e2e_p95_ms": self.e2e.p95_ms, "e2e_p99_ms": self.e2e.p99_ms,
            "mean_wait_ms": self.mean_wait_ms, "p_wait": self.p_wait,
            "mean_queue": self.mean_queue, "max_queue": float(self.max_queue),
            "replica_hours_per_day": self.replica_hours_per_day,
            "cost_per_day": self.cost_per_day, "cost_per_1m_tokens": self.cost_per_1m_tokens,
            "cold_starts": float(self.cold_starts),
        }
        return pl.DataFrame({"metric": list(rows), "value": list(rows.values())})

