"""Drawing a study's inputs: its sampling plan, uniforms to values, and the draws kept for
interactive reruns (common random numbers).

:func:`sampling_plan` and :func:`input_values` are what every run uses. :class:`Draws` adds
a small cache for repeated runs of the same study in one process (``run(study,
write=False)``, a what-if app): the uniforms depend only on the uncertain inputs' names,
the seed, the sample count, the plan and the stated correlations, never on the
distributions, so a rerun with one input changed reuses every uniform (the same draws: a
moved input moves the results smoothly, not by fresh noise), and reuses the values of every
input whose distribution did not change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import numpy as np

from distributions import SamplingPlan
from sim.costs.workload import Value
from sim.study import Study

__all__ = ["Draws", "draws", "input_values", "sampling_plan"]

#: Bytes of uniforms and values the cache may hold (least recently used dropped first).
CACHE_BYTES = 256 << 20
#: Largest sample count whose draws are cached.
CACHE_SAMPLES = 1 << 20


def sampling_plan(study: Study) -> SamplingPlan:
    """The sampling plan of a study: its uncertain inputs, sample count, seed and method."""
    return SamplingPlan(
        names=tuple(i.path for i in study.uncertain_inputs()),
        n=study.samples,
        seed=study.seed,
        method=study.sampling,  # type: ignore[arg-type]
        rank_correlation=study.rank_correlation(),
    )


def input_values(study: Study, u: np.ndarray) -> dict[str, Value]:
    """Turn a (d, m) block of uniforms into input values (fixed inputs stay scalars)."""
    values: dict[str, Value] = {}
    j = 0
    for inp in study.inputs():
        if inp.uncertain:
            values[inp.path] = inp.dist._ppf(u[j])
            j += 1
        else:
            values[inp.path] = float(inp.dist.mean)
    return values


def _plan_key(plan: SamplingPlan) -> tuple[Hashable, ...]:
    corr = None if plan.rank_correlation is None else np.asarray(
        plan.rank_correlation, dtype=np.float64).tobytes()
    return (plan.names, plan.n, plan.seed, plan.method, plan.block_size, corr)


class _Cache:
    """A least-recently-used store of arrays with a byte budget (thread-safe)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> np.ndarray | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: np.ndarray) -> None:
        if value.nbytes > self.budget:
            return
        value.flags.writeable = False  # shared by later runs: nobody may change it
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._items[key] = value
            self._bytes += value.nbytes
            while self._bytes > self.budget:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.nbytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


_CACHE = _Cache(CACHE_BYTES)


class Draws:
    """All ``n`` samples of a study's uncertain inputs, drawn once (for runs in memory).

    Uniforms come from the study's plan (:func:`sampling_plan`) and are cached by what
    determines them (input names, n, seed, plan, correlations); each input's values are
    cached by its uniforms and its distribution. Building the same study again, or the
    study with some inputs changed, reuses what did not change.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> d = Draws(load_study("studies/legal_contracts.toml").replace(samples=4096))
    ... # doctest: +SKIP
    >>> d.values(0, 100)["workload.requests_per_day"].shape  # doctest: +SKIP
    (100,)
    """

    def __init__(self, study: Study, *, cache: bool = True) -> None:
        self.study = study
        plan = sampling_plan(study)
        use = cache and study.samples <= CACHE_SAMPLES
        key = ("uniforms", *_plan_key(plan))
        u = _CACHE.get(key) if use else None
        if u is None:
            u = plan.rows(0, study.samples)
            if use:
                _CACHE.put(key, u)
        self.uniforms = u
        self._values: dict[str, Value] = {}
        j = 0
        for inp in study.inputs():
            if not inp.uncertain:
                self._values[inp.path] = float(inp.dist.mean)
                continue
            row = u[j]
            j += 1
            dkey = _dist_key(inp.dist)
            vkey: Any = ("values", key, inp.path, dkey) if use and dkey is not None else None
            x = _CACHE.get(vkey) if vkey is not None else None
            if x is None:
                x = np.asarray(inp.dist._ppf(row), dtype=np.float64)
                if vkey is not None:
                    _CACHE.put(vkey, x)
            self._values[inp.path] = x

    def values(self, start: int, stop: int) -> dict[str, Value]:
        """Every input's values for samples ``start`` to ``stop - 1`` (views; fixed inputs
        as floats)."""
        return {k: (v if isinstance(v, float) else v[start:stop])
                for k, v in self._values.items()}


def _dist_key(dist: object) -> Hashable | None:
    try:
        hash(dist)
    except TypeError:
        return None
    return (type(dist).__name__, dist)


def draws(study: Study) -> Draws:
    """:class:`Draws` of a study (see there)."""
    return Draws(study)


def clear_cache() -> None:
    """Forget every cached draw (tests; or to free the memory)."""
    _CACHE.clear()
