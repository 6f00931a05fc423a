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
from distributions.sampling import normals
from distributions.threads import default_threads, each
from sim.costs.workload import Value
from sim.study import Study
from sim.study.schema import SHOCKS

__all__ = ["Draws", "chunk_values", "draws", "input_values", "process_shocks",
           "sampling_plan"]

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


def input_values(study: Study, u: np.ndarray, *, start: int | None = None,
                 threads: int = 1) -> dict[str, Value]:
    """Turn a (d, m) block of uniforms into input values (fixed inputs stay scalars).

    For a study with a volume process, ``start`` (the chunk's first sample) adds the
    chunk's monthly shocks under :data:`~sim.study.schema.SHOCKS` (:func:`process_shocks`).
    ``threads`` > 1 spreads the inputs over threads (the same values).
    """
    values: dict[str, Value] = {}
    uncertain = []
    for inp in study.inputs():
        if inp.uncertain:
            values[inp.path] = 0.0  # keeps the inputs' order; the value comes below
            uncertain.append(inp)
        else:
            values[inp.path] = float(inp.dist.mean)
    # one block for every input's values (rows): one allocation of fresh memory per chunk
    # rather than one per input
    block = np.empty((len(uncertain), u.shape[1]))
    each(lambda ju: ju[1].dist._ppf_into(u[ju[0]], block[ju[0]]), list(enumerate(uncertain)),
         threads=threads)
    for j, inp in enumerate(uncertain):
        values[inp.path] = block[j]
    if study.volume_process is not None and start is not None:
        values[SHOCKS] = process_shocks(study, start, start + u.shape[1])
    return values


_SCRATCH = threading.local()


def chunk_values(study: Study, start: int, stop: int, *, plan: SamplingPlan | None = None
                 ) -> dict[str, Value]:
    """:func:`input_values` of samples ``start`` to ``stop - 1`` from the study's plan:
    what a run's chunk draws.

    The same values as ``input_values(study, plan.rows(start, stop), start=start)``; the
    uniforms go to a buffer this thread keeps and reuses from chunk to chunk (only the
    values are new arrays), so drawing a chunk does not touch fresh memory pages for
    them: a fresh page costs about as much as drawing what fills it. The buffer stays
    with the thread (inputs x chunk size floats: 5 MB for 20 inputs and 32K samples).

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> study = load_study("studies/legal_contracts.toml")  # doctest: +SKIP
    >>> chunk_values(study, 0, 100)["workload.requests_per_day"].shape  # doctest: +SKIP
    (100,)
    """
    plan = sampling_plan(study) if plan is None else plan
    d, m = len(plan.names), stop - start
    buf = getattr(_SCRATCH, "u", None)
    if buf is None or buf.size < d * m:
        buf = _SCRATCH.u = np.empty(d * m)
    u = plan.rows(start, stop, out=buf[:d * m].reshape(d, m))
    values = input_values(study, u, start=start)
    for k, v in values.items():
        if isinstance(v, np.ndarray) and np.may_share_memory(v, buf):
            values[k] = v.copy()  # a quantile function that returned its uniforms' memory
    return values


def process_shocks(study: Study, start: int, stop: int) -> np.ndarray:
    """The volume process's standard-normal shocks of months 2..H for samples ``start`` to
    ``stop - 1``, a (H - 1, stop - start) array from their own stream
    (:func:`distributions.sampling.normals`, keyed by :data:`~sim.study.schema.SHOCKS`
    in the plan's fixed blocks): the same whatever the chunks or workers.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> process_shocks(load_study("tests/data/volume_process.toml"), 0, 10).shape
    ... # doctest: +SKIP
    (35, 10)
    """
    return normals(study.seed, SHOCKS, study.horizon_months - 1, start, stop)


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
    study with some inputs changed, reuses what did not change. What is drawn is drawn on
    ``threads`` threads (default: :func:`~distributions.threads.default_threads`); the
    numbers do not depend on it.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> d = Draws(load_study("studies/legal_contracts.toml").replace(samples=4096))
    ... # doctest: +SKIP
    >>> d.values(0, 100)["workload.requests_per_day"].shape  # doctest: +SKIP
    (100,)
    """

    def __init__(self, study: Study, *, cache: bool = True, threads: int | None = None
                 ) -> None:
        threads = default_threads() if threads is None else threads
        self.study = study
        plan = sampling_plan(study)
        use = cache and study.samples <= CACHE_SAMPLES
        key = ("uniforms", *_plan_key(plan))
        u = _CACHE.get(key) if use else None
        if u is None:
            u = plan.rows(0, study.samples, threads=threads)
            if use:
                _CACHE.put(key, u)
        self.uniforms = u
        self._values: dict[str, Value] = {}
        missing = []
        j = 0
        for inp in study.inputs():
            if not inp.uncertain:
                self._values[inp.path] = float(inp.dist.mean)
                continue
            dkey = _dist_key(inp.dist)
            vkey: Any = ("values", key, inp.path, dkey) if use and dkey is not None else None
            x = _CACHE.get(vkey) if vkey is not None else None
            self._values[inp.path] = 0.0 if x is None else x  # in the inputs' order
            if x is None:
                missing.append((inp, u[j], vkey))
            j += 1

        def draw(item: tuple[Any, np.ndarray, Any]) -> np.ndarray:
            return np.asarray(item[0].dist._ppf(item[1]), dtype=np.float64)

        for (inp, _, vkey), x in zip(missing, each(draw, missing, threads=threads),
                                     strict=True):
            if vkey is not None:
                _CACHE.put(vkey, x)
            self._values[inp.path] = x

    def values(self, start: int, stop: int) -> dict[str, Value]:
        """Every input's values for samples ``start`` to ``stop - 1`` (views; fixed inputs
        as floats), and a volume process's shocks (drawn per call: memory per chunk)."""
        out: dict[str, Value] = {k: (v if isinstance(v, float) else v[start:stop])
                                 for k, v in self._values.items()}
        if self.study.volume_process is not None:
            out[SHOCKS] = process_shocks(self.study, start, stop)
        return out


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
