"""Common random numbers: a study's own draws, evaluated again with an input changed.

Goal seek, stress runs and break-even maps compare the model's answer under different
values of one input. Each comparison reuses the study's sampling plan (its seed, method and
rank correlations): sample i is the same joint draw of every other input in every trial, so
differences between trials are not noise. An :data:`Alter` function receives a chunk's input
values and its uniforms and returns the values to evaluate (it may set an input to a number,
shift its draws, or re-map its uniforms).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.costs.workload import Value
from sim.decision.samples import CHUNK, SampleSet
from sim.runner.model import Outcome, evaluate
from sim.runner.runner import input_values, sampling_plan
from sim.study import Study

FloatArray = NDArray[np.float64]
#: ``alter(values, uniforms) -> values`` for one chunk (uniforms: (d, m), the study's
#: uncertain inputs in order).
Alter = Callable[[dict[str, Value], FloatArray], dict[str, Value]]


def _chunks(study: Study, *, chunk_size: int = CHUNK
           ) -> Iterator[tuple[int, int, FloatArray, dict[str, Value]]]:
    """The study's samples chunk by chunk: ``(start, stop, uniforms, values)``."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} must be >= 1")
    plan = sampling_plan(study)
    for start in range(0, study.samples, chunk_size):
        stop = min(start + chunk_size, study.samples)
        u = plan.rows(start, stop)
        yield start, stop, u, input_values(study, u, start=start)


def _sample_set(study: Study, parts: Iterator[tuple[int, int, dict[str, Value],
                                                    dict[str, Outcome]]]) -> SampleSet:
    n = study.samples
    names = tuple(i.path for i in study.uncertain_inputs())
    x = np.empty((len(names), n))
    npv = {s: np.zeros(n) for s in study.compared()}
    payback = {s: np.zeros(n, dtype=np.int16) for s in study.compared()}
    for start, stop, values, out in parts:
        for j, name in enumerate(names):
            x[j, start:stop] = values[name]
        for s, o in out.items():
            npv[s][start:stop] = o.npv
            payback[s][start:stop] = o.payback
    return SampleSet(study, names, x, npv, payback)


def simulate_altered(study: Study, alter: Alter | None = None, *, samples: int | None = None,
                     chunk_size: int = CHUNK) -> SampleSet:
    """The study's Monte Carlo with ``alter`` applied to every chunk's input values.

    Without ``alter`` this is :func:`sim.decision.simulate`. The sample set's ``x`` holds the
    altered values.

    Examples
    --------
    >>> tokens = lambda v, u: {**v, "workload.input_tokens": 900.0}
    >>> s = simulate_altered(study, tokens)  # doctest: +SKIP
    """
    if samples is not None:
        study = study.replace(samples=samples)

    def parts() -> Iterator[tuple[int, int, dict[str, Value], dict[str, Outcome]]]:
        for start, stop, u, values in _chunks(study, chunk_size=chunk_size):
            if alter is not None:
                values = alter(values, u)
            yield start, stop, values, evaluate(study, values, stop - start)

    return _sample_set(study, parts())


@dataclass(frozen=True)
class Draws:
    """A study's input values drawn once and kept, to evaluate many trials on them
    (memory: samples x uncertain inputs x 16 bytes, the uniforms and the values).

    Attributes
    ----------
    study : Study
        The study (its ``samples`` is the number kept).
    parts : tuple
        ``(start, stop, uniforms, values)`` per chunk.

    Examples
    --------
    >>> d = Draws.of(study, samples=8192)  # doctest: +SKIP
    >>> cheap = lambda v, u: {**v, "strategies.x.gpu_hourly": 2.0}
    >>> d.evaluate(cheap).npv["x"].mean()  # doctest: +SKIP
    """

    study: Study
    parts: tuple[tuple[int, int, FloatArray, dict[str, Value]], ...]

    @classmethod
    def of(cls, study: Study, *, samples: int | None = None, chunk_size: int = CHUNK
           ) -> Draws:
        """Draw the study's samples (its plan and seed; ``samples`` of them)."""
        if samples is not None:
            study = study.replace(samples=samples)
        return cls(study, tuple(_chunks(study, chunk_size=chunk_size)))

    def evaluate(self, alter: Alter | None = None) -> SampleSet:
        """Every strategy's NPV and payback on the kept draws, with ``alter`` applied."""

        def parts() -> Iterator[tuple[int, int, dict[str, Value], dict[str, Outcome]]]:
            for start, stop, u, values in self.parts:
                v = alter(dict(values), u) if alter is not None else values
                yield start, stop, v, evaluate(self.study, v, stop - start)

        return _sample_set(self.study, parts())


def draw_part(study: Study, start: int, stop: int) -> tuple[FloatArray, dict[str, Value]]:
    """Samples ``start..stop-1`` of the study's plan: ``(uniforms, values)`` (a task that
    runs anywhere: on a cluster worker it depends only on its arguments)."""
    u = sampling_plan(study).rows(start, stop)
    return u, input_values(study, u, start=start)


def outcome_part(study: Study, part: tuple[FloatArray, dict[str, Value]], alter: Alter | None
                 ) -> dict[str, tuple[FloatArray, NDArray[np.int16]]]:
    """NPV and payback per strategy on one part of the draws, ``alter`` applied (a task)."""
    u, values = part
    v = alter(dict(values), u) if alter is not None else values
    out = evaluate(study, v, u.shape[1])
    return {s: (o.npv, o.payback) for s, o in out.items()}


@dataclass(frozen=True)
class RemoteDraws:
    """A study's draws kept on the workers of a Dask cluster (:mod:`sim.runner.cluster`),
    to evaluate many trials there: each trial sends only ``alter`` and gathers every
    strategy's NPV and payback, in sample order.

    The draws are Dask futures computed from the plan on the workers (a worker lost drops
    its parts, which Dask recomputes), and the model is evaluated sample by sample, so the
    figures are bit-identical to :class:`Draws`' whatever the parts. The sample sets it
    returns hold no input values (``names`` is empty): only the outcomes travel back.

    Examples
    --------
    >>> d = RemoteDraws.of(study, client, samples=65536)  # doctest: +SKIP
    >>> d.evaluate(lambda v, u: {**v, "strategies.x.gpu_hourly": 2.0}).npv["x"].mean()
    ... # doctest: +SKIP
    """

    study: Study
    client: Any
    shared: Any
    parts: tuple[tuple[int, int, Any], ...]

    @classmethod
    def of(cls, study: Study, client: Any, *, samples: int | None = None) -> RemoteDraws:
        """Draw the study's samples on the cluster, in parts of a multiple of 4,096 samples
        (at least four per worker when the samples allow)."""
        if samples is not None:
            study = study.replace(samples=samples)
        n = study.samples
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = min(CHUNK, max(4096, -(-n // (4 * workers * 4096)) * 4096))
        shared = client.scatter(study, broadcast=True)
        parts = tuple((a, min(a + size, n), client.submit(draw_part, shared, a,
                                                          min(a + size, n), pure=False))
                      for a in range(0, n, size))
        return cls(study, client, shared, parts)

    def evaluate(self, alter: Alter | None = None) -> SampleSet:
        """Every strategy's NPV and payback on the kept draws, with ``alter`` applied."""
        futures = [self.client.submit(outcome_part, self.shared, f, alter, pure=False)
                   for _, _, f in self.parts]
        n = self.study.samples
        npv = {s: np.zeros(n) for s in self.study.compared()}
        payback = {s: np.zeros(n, dtype=np.int16) for s in self.study.compared()}
        for (start, stop, _), got in zip(self.parts, self.client.gather(futures),
                                         strict=True):
            for s, (v, p) in got.items():
                npv[s][start:stop] = v
                payback[s][start:stop] = p
        return SampleSet(self.study, (), np.empty((0, n)), npv, payback)
