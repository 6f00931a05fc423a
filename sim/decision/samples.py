"""The per-sample inputs and outputs that decision analyses read, held in memory.

A :class:`SampleSet` comes from a run's samples.parquet (:func:`load_samples`) or from a
fresh in-memory Monte Carlo on the study's own sampling plan (:func:`simulate`): sample i
is the same joint draw in both, so an analysis is reproducible from the study's seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from distributions import average_ranks
from sim.costs.build import pack_study
from sim.costs.workload import Value
from sim.decision.metrics import Metric, parse_metric
from sim.runner.constraints import feasibility
from sim.runner.model import discount_factors, evaluate
from sim.runner.runner import input_values, sampling_plan
from sim.runner.samples_file import read_columns
from sim.study import Study

FloatArray = NDArray[np.float64]
#: Samples per model call: bounds the memory of one chunk (inputs x rows x 8 bytes).
CHUNK = 32768


@dataclass(frozen=True)
class SampleSet:
    """Uncertain inputs and per-strategy outcomes of ``n`` samples, in memory.

    Attributes
    ----------
    study : Study
        The study sampled.
    names : tuple of str
        The uncertain inputs' paths (rows of ``x``), in the study's order.
    x : ndarray, shape (d, n)
        Their sampled values.
    npv : dict of str to ndarray
        NPV vs the baseline per compared strategy (the baseline's is 0; routing-only
        components are not compared).
    payback : dict of str to ndarray of int16
        Payback month per strategy (0: not within the horizon; see
        :mod:`sim.runner.payback`).
    """

    study: Study
    names: tuple[str, ...]
    x: FloatArray
    npv: dict[str, FloatArray]
    payback: dict[str, NDArray[np.int16]]

    @property
    def n(self) -> int:
        """Number of samples."""
        return int(next(iter(self.npv.values())).size)

    @cached_property
    def _sorted(self) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        return _stable_order(self.x)

    @cached_property
    def order(self) -> NDArray[np.intp]:
        """Each input's samples in increasing order (indices, ties in sample order), (d, n).

        Computed once and shared by the analyses that rank the inputs.
        """
        return self._sorted[0]

    @cached_property
    def ranks(self) -> FloatArray:
        """Each input's ranks 1..n, ties sharing their average rank, shape (d, n)."""
        order, tied = self._sorted
        out = np.empty(self.x.shape)
        if tied.any():
            out[tied] = average_ranks(self.x[tied], order[tied])
        ranks = np.arange(1.0, self.x.shape[1] + 1)  # without ties: the sorted positions
        for i in np.flatnonzero(~tied):
            out[i, order[i]] = ranks
        return out

    def input(self, path: str) -> FloatArray:
        """The sampled values of one uncertain input (``x.key`` or full path)."""
        full = self.study.input(path).path
        if full not in self.names:
            raise ValueError(f"{path}: is fixed in this study; only uncertain inputs vary")
        return self.x[self.names.index(full)]

    def output(self, strategy: str, metric: str | Metric = "npv") -> FloatArray:
        """Per-sample values of ``metric`` for ``strategy``."""
        m = parse_metric(metric, horizon=self.study.horizon_months)
        check_strategies(self.study, [strategy], allow_baseline=True)
        return m.of(self.npv[strategy], self.payback[strategy])


def _stable_order(x: FloatArray) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """``np.argsort(x, axis=1, kind="stable")`` of a 2-d array in a third of the time, and
    which rows have ties (or NaNs), shape (d,).

    numpy's default sort is vectorized (AVX2/AVX-512) but does not keep ties in order; the
    stable one is a merge sort, ~3.5x slower on the 2^15 samples a report analyses. A row
    without ties (no two equal values, no NaN: the usual continuous input) has one sorted
    order, so the fast sort's is the stable one; the rows with ties are sorted again stably.

    Examples
    --------
    >>> order, tied = _stable_order(np.array([[0.3, 0.1, 0.2], [1.0, 0.0, 1.0]]))
    >>> order.tolist(), tied.tolist()
    ([[1, 2, 0], [1, 0, 2]], [False, True])
    """
    order = np.argsort(x, axis=1)
    if x.shape[1] < 2:
        return order, np.zeros(x.shape[0], dtype=bool)
    srt = np.take_along_axis(x, order, axis=1)
    tied = (srt[:, 1:] == srt[:, :-1]).any(axis=1) | np.isnan(srt[:, -1])  # NaNs sort last
    if tied.any():
        order[tied] = np.argsort(x[tied], axis=1, kind="stable")
    return order, tied


def check_strategies(study: Study, names: Sequence[str] | None, *,
                     allow_baseline: bool = False) -> list[str]:
    """Validate strategy names (default: every non-baseline strategy) and return them.

    Raises
    ------
    ValueError
        For an unknown name, or the baseline when it is not allowed (its NPV is 0 by
        definition, so nothing explains it).
    """
    others = [s for s in study.compared() if allow_baseline or s != study.baseline]
    if names is None:
        return others
    for name in names:
        if name == study.baseline and not allow_baseline:
            raise ValueError(f"strategy '{name}' is the baseline: its NPV is 0 by definition; "
                             f"choose one of {', '.join(others) or '(none)'}")
        if name in study.strategies and name not in others:
            raise ValueError(f"strategy '{name}' is only a part of a routing strategy "
                             f"(standalone = false); choose one of {', '.join(others)}")
        if name not in study.strategies:
            raise ValueError(f"'{name}' is not a strategy of the study; use one of "
                             f"{', '.join(others)}")
    return list(names)


def metric_values(study: Study, values: Mapping[str, Value], m: int, metric: Metric,
                  strategies: Sequence[str]) -> FloatArray:
    """``metric`` of each of ``strategies`` (the baseline not among them) on ``m`` samples
    of the inputs ``values``: shape (strategies, m).

    The model runs on those strategies and the baseline alone: a strategy's figures do not
    depend on the other strategies compared, so they are the ones
    :func:`~sim.runner.model.evaluate` gives, bit for bit, at a fraction of the cost when
    the study compares many (a Sobol' analysis of one strategy of five: 2.4 times faster).

    Examples
    --------
    >>> values = {i.path: i.dist.median for i in study.inputs()}  # doctest: +SKIP
    >>> metric_values(study, values, 1, parse_metric("npv", horizon=36), ["x"])  # doctest: +SKIP
    """
    names = [study.baseline, *strategies]
    packed, _ = pack_study(study, values, m, names=names)
    horizon = study.horizon_months
    out = packed.simulate(horizon=horizon, disc=discount_factors(study.discount_rate, horizon))
    return np.stack([metric.of(out.npv[i], out.payback[i]) for i in range(1, len(names))])


def decision_set(study: Study) -> list[str]:
    """The strategies a choice is made between: the compared ones that meet the study's
    constraints (all compared ones when none does)."""
    reasons = feasibility(study)
    ok = [s for s in study.compared() if reasons.get(s) is None]
    return ok or study.compared()


def simulate(study: Study, *, samples: int | None = None, chunk_size: int = CHUNK) -> SampleSet:
    """Run the study's Monte Carlo in memory (no files): its plan, seed and sample count.

    Parameters
    ----------
    study : Study
        The study; its ``seed`` and ``sampling`` plan are used.
    samples : int, optional
        Sample count (default: the study's).
    chunk_size : int
        Samples per model call; results do not depend on it.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> s = simulate(load_study("studies/legal_contracts.toml"), samples=4096)  # doctest: +SKIP
    >>> float(s.npv["hosted_ft"].mean())  # doctest: +SKIP
    """
    if samples is not None:
        study = study.replace(samples=samples)
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} must be >= 1")
    plan = sampling_plan(study)
    n = study.samples
    names = tuple(i.path for i in study.uncertain_inputs())
    x = np.empty((len(names), n))
    npv = {s: np.zeros(n) for s in study.compared()}
    payback = {s: np.zeros(n, dtype=np.int16) for s in study.compared()}
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        values = input_values(study, plan.rows(start, stop), start=start)
        for j, name in enumerate(names):
            x[j, start:stop] = values[name]
        for s, o in evaluate(study, values, stop - start).items():
            npv[s][start:stop] = o.npv
            payback[s][start:stop] = o.payback
    return SampleSet(study, names, x, npv, payback)


def load_samples(study: Study, path: str | Path, *, rows: int | None = None) -> SampleSet:
    """Read a run's samples.parquet (its first ``rows`` samples, default all) into memory.

    Examples
    --------
    >>> s = load_samples(result.study, result.samples_path, rows=100_000)  # doctest: +SKIP
    """
    # pyarrow, as the run's own reads: polars' reader would map ~30 MiB more of its code
    return samples_of(study, read_columns(path, sample_columns(study), rows=rows))


def sample_columns(study: Study) -> list[str]:
    """The columns of samples.parquet a :class:`SampleSet` holds: the uncertain inputs,
    then ``npv.<s>`` and ``payback_month.<s>`` of each compared strategy but the baseline.

    Examples
    --------
    >>> from sim import load_study
    >>> sample_columns(load_study("studies/lesson_parity.toml"))[-2:]
    ['npv.self_hosted_7b', 'payback_month.self_hosted_7b']
    """
    names = [i.path for i in study.uncertain_inputs()]
    others = [s for s in study.compared() if s != study.baseline]
    return [*names, *(f"npv.{s}" for s in others), *(f"payback_month.{s}" for s in others)]


def samples_of(study: Study, columns: Mapping[str, np.ndarray]) -> SampleSet:
    """The :class:`SampleSet` of ``columns``: those of :func:`sample_columns`, equally long,
    as :func:`~sim.runner.samples_file.read_columns` reads them (float64, NaN for a missing
    value; a payback month may also be the run's int16, 0 for none). The arrays are taken
    over, not copied.

    Examples
    --------
    >>> from sim import load_study
    >>> study = load_study("studies/lesson_parity.toml")
    >>> cols = {c: np.zeros(3) for c in sample_columns(study)}
    >>> cols["payback_month.self_hosted_7b"] = np.array([np.nan, 4.0, 7.0])
    >>> samples_of(study, cols).payback["self_hosted_7b"].tolist()
    [0, 4, 7]
    """
    names = tuple(i.path for i in study.uncertain_inputs())
    others = [s for s in study.compared() if s != study.baseline]
    got = dict(columns)
    wanted = sample_columns(study)
    n = got[wanted[0]].size if wanted else 0
    x = np.stack([got.pop(c) for c in names]) if names else np.empty((0, n))
    npv = {s: np.zeros(n) for s in study.compared()}
    payback = {s: np.zeros(n, dtype=np.int16) for s in study.compared()}
    for s in others:
        npv[s] = got.pop(f"npv.{s}")
        payback[s] = np.nan_to_num(got.pop(f"payback_month.{s}"), nan=0.0).astype(np.int16)
    return SampleSet(study, names, x, npv, payback)
