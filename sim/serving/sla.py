"""How much traffic c replicas carry within a latency SLA, found by simulation and cached.

For each pool size ``c`` in :data:`SIMULATED_REPLICAS` a bisection on the utilization
``rho`` finds the highest load whose stationary P99 latency stays within the SLA:
``max_rate(c) = rho*(c) * c * capacity``. All runs share the same random draws (common
random numbers), so the P99 moves smoothly with load. Between simulated sizes ``rho*`` of
the next smaller simulated size is used (pooling gains only grow with ``c``, so this errs
towards more replicas), and beyond the largest simulated size its ``rho*``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.cache import Memo, cache_dir
from sim.serving.config import ServingConfig, _key
from sim.serving.steady import SteadyInputs, simulate_steady

#: Pool sizes that are simulated; the others interpolate (see the module docstring).
SIMULATED_REPLICAS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64)
#: Highest utilization tried: beyond it the queue of a finite run never settles.
RHO_MAX = 0.995
BISECTION_STEPS = 7
WARMUP = 0.2
#: Bump when the serving model changes, to invalidate tables cached on disk.
MODEL_VERSION = 1
_TABLES: Memo[SlaTable] = Memo()


@dataclass(frozen=True)
class SlaTable:
    """The highest utilization each simulated pool size sustains within the SLA.

    Attributes
    ----------
    replicas : tuple of int
        Pool sizes simulated, ascending.
    max_utilization : tuple of float
        ``rho*(c)`` for each (0: the SLA is not met at any load).
    capacity_per_replica : float
        Requests/s of a full replica (``rho = rate / (c * capacity)``).
    floor_ms : float
        P99 latency of an idle replica serving one request at a time (no SLA is met below).
    """

    replicas: tuple[int, ...]
    max_utilization: tuple[float, ...]
    capacity_per_replica: float
    floor_ms: float

    @property
    def feasible(self) -> bool:
        """True when some pool size meets the SLA at some load."""
        return max(self.max_utilization, default=0.0) > 0.0

    def _per_count(self) -> NDArray[np.float64]:
        """max_rate(c) for c = 1 .. largest simulated size, non-decreasing."""
        c = np.arange(1, self.replicas[-1] + 1)
        idx = np.searchsorted(np.asarray(self.replicas), c, side="right") - 1
        rho = np.asarray(self.max_utilization)[idx]
        return np.maximum.accumulate(c * self.capacity_per_replica * rho)

    def max_rate(self, replicas: ArrayLike) -> NDArray[np.float64]:
        """Highest arrival rate (requests/s) ``replicas`` replicas carry within the SLA.

        Examples
        --------
        >>> t = SlaTable((1, 2), (0.5, 0.7), 10.0, 100.0)
        >>> t.max_rate([1, 2, 4]).tolist()
        [5.0, 14.0, 28.0]
        """
        c = np.asarray(replicas, dtype=np.float64)
        table = self._per_count()
        last = self.replicas[-1]
        inside = np.clip(c, 1, last).astype(np.int64) - 1
        beyond = c * self.capacity_per_replica * self.max_utilization[-1]
        return np.where(c <= last, table[inside], np.maximum(beyond, table[-1]))

    def replicas_for(self, rate: ArrayLike) -> NDArray[np.float64]:
        """Smallest pool meeting the SLA at each arrival rate (``inf`` where none does).

        Non-decreasing in the rate. A rate of 0 needs one replica.

        Examples
        --------
        >>> t = SlaTable((1, 2), (0.5, 0.7), 10.0, 100.0)
        >>> t.replicas_for([0.0, 5.0, 5.1, 14.1]).tolist()
        [1.0, 1.0, 2.0, 3.0]
        """
        lam = np.asarray(rate, dtype=np.float64)
        table = self._per_count()
        idx = np.searchsorted(table, lam, side="left")
        out = (idx + 1).astype(np.float64)
        rho_last = self.max_utilization[-1]
        over = idx >= table.size
        if rho_last > 0:
            far = np.ceil(lam / (self.capacity_per_replica * rho_last) * (1 - 1e-12))
            out = np.where(over, np.maximum(far, table.size + 1), out)
        else:
            out = np.where(over, np.inf, out)
        return np.where(lam <= 0, 1.0, out)


def _metric_p99(config: ServingConfig, result: object) -> float:
    lat = getattr(result, "ttft" if config.latency_metric == "ttft" else "e2e")
    return float(lat.p99_ms)


def _floor_ms(config: ServingConfig, inputs: SteadyInputs) -> float:
    r = config.rates
    prefill = inputs.tin / r.prefill_tokens_per_s
    decode = (np.minimum(inputs.tout, 1.0) if config.latency_metric == "ttft"
              else inputs.tout) / r.decode_rate(1)
    return float(np.percentile(prefill + decode, 99.0) * 1000.0)


def _search(config: ServingConfig, c: int, inputs: SteadyInputs, hint: float) -> float:
    """Highest utilization (to the bisection's resolution) at which c replicas meet the SLA."""
    sla = float(config.p99_latency_ms)  # type: ignore[arg-type]
    mu = config.capacity_per_replica

    def ok(rho: float) -> bool:
        r = simulate_steady(config, rate_per_s=rho * c * mu, replicas=c, warmup=WARMUP,
                            inputs=inputs)
        return _metric_p99(config, r) <= sla

    lo, hi = 0.0, RHO_MAX
    if hint > 0.0:
        if ok(hint):
            lo = hint
        else:
            hi = hint
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def table_key(config: ServingConfig, seed: int, n_requests: int) -> str:
    """Cache key of a config's SLA table: only what changes it (not the scaling policy)."""
    parts = (MODEL_VERSION, config.profile, config.input_tokens, config.output_tokens,
             config.batch, config.quantization, config.speculative_decoding,
             config.tokens_per_s, config.p99_latency_ms, config.latency_metric, seed,
             n_requests)
    return _key(repr(parts))


def _load(key: str) -> SlaTable | None:
    try:
        raw = json.loads((cache_dir("serving") / f"{key}.json").read_text(encoding="utf-8"))
        return SlaTable(tuple(int(c) for c in raw["replicas"]),
                        tuple(float(x) for x in raw["max_utilization"]),
                        float(raw["capacity_per_replica"]), float(raw["floor_ms"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(key: str, table: SlaTable) -> None:
    path = cache_dir("serving") / f"{key}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"replicas": table.replicas,
                                   "max_utilization": table.max_utilization,
                                   "capacity_per_replica": table.capacity_per_replica,
                                   "floor_ms": table.floor_ms}), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs the search next time


def table_cached(config: ServingConfig, *, seed: int = 0, n_requests: int = 20_000) -> bool:
    """True when the config's SLA table is in memory or on disk already, so no search has
    to run for it (a config without an SLA needs none).

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> table_cached(ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(50.0)))
    True
    """
    if config.p99_latency_ms is None:
        return True
    key = table_key(config, seed, n_requests)
    return _TABLES.peek(key) is not None or (cache_dir("serving") / f"{key}.json").is_file()


def sla_table(config: ServingConfig, *, rate_needed: float, seed: int = 0,
              n_requests: int = 20_000, cache: bool = True) -> SlaTable:
    """The SLA table of ``config``, simulated up to the pool size that carries ``rate_needed``.

    Parameters
    ----------
    config : ServingConfig
        Must have ``p99_latency_ms``.
    rate_needed : float
        Largest arrival rate (requests/s) that will be asked about: pool sizes are simulated
        in :data:`SIMULATED_REPLICAS` order until one carries it (or the list ends).
    seed : int
        Seed of the common random numbers.
    n_requests : int
        Requests per stationary run (at least 20 per batch slot of the pool).
    cache : bool
        Reuse and store tables in memory and on disk (:func:`sim.cache.cache_dir`).

    Returns
    -------
    SlaTable

    Raises
    ------
    ValueError
        If the config has no latency SLA.

    Examples
    --------
    >>> from distributions import Fixed
    >>> from sim.serving import ServingConfig, get_profile
    >>> cfg = ServingConfig(get_profile("a10g-7b"), Fixed(500.0), Fixed(50.0),
    ...                     p99_latency_ms=2000.0)
    >>> t = sla_table(cfg, rate_needed=1.0, n_requests=2000, cache=False)
    >>> t.replicas, t.feasible
    ((1,), True)
    """
    if config.p99_latency_ms is None:
        raise ValueError("sla_table: the config has no p99_latency_ms")
    key = table_key(config, seed, n_requests)
    table = _TABLES.peek(key) if cache else None
    if table is None and cache:
        table = _load(key)
    mu = config.capacity_per_replica
    base = SteadyInputs(config, n_requests, rng=seed)
    if table is None:
        table = SlaTable((), (), mu, _floor_ms(config, base))
    done = table.replicas
    rhos = list(table.max_utilization)
    grew = False
    for c in SIMULATED_REPLICAS:
        if c in done:
            continue
        if done and (rhos[-1] * done[-1] * mu >= rate_needed or (
                not table.feasible and table.floor_ms > config.p99_latency_ms)):
            break
        n = max(n_requests, 20 * c * config.batch)
        inputs = base if n == n_requests else SteadyInputs(config, n, rng=seed)
        infeasible = table.floor_ms > config.p99_latency_ms
        rho = 0.0 if infeasible else _search(config, c, inputs, rhos[-1] if rhos else 0.0)
        done, rhos, grew = (*done, c), [*rhos, rho], True
        table = SlaTable(done, tuple(rhos), mu, table.floor_ms)
    if cache:
        _TABLES.put(key, table)
        if grew:
            _save(key, table)
    return table
