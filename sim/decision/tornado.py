"""Tornado charts: which uncertain input swings the answer most (docs/model.md, "Sensitivity").

- :func:`classic_tornado` sets each uncertain input to its P10 and its P90 in turn.
  For ``npv`` the other inputs sit at their medians (the spreadsheet tornado: one model
  call of 2d + 1 rows). For a probability metric such as ``payback_within:12`` that would
  give a 0/1 answer, so instead the other inputs are *sampled* (the study's own plan, the
  same draws for every scenario: common random numbers) and the output is the conditional
  P(payback <= N | input = its P10) or (... = its P90). Either way can be asked for with
  ``method="medians"`` or ``method="conditional"``.
- :func:`sample_tornado` (@RISK style) needs no extra runs: the output's mean (or
  probability) over the samples whose input lies in its lowest decile vs its highest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray

from sim.costs.workload import Value
from sim.decision.metrics import Metric, parse_metric
from sim.decision.samples import SampleSet, check_strategies, metric_values
from sim.runner.runner import input_values, sampling_plan
from sim.study import Study

TornadoMethod = Literal["medians", "conditional"]
FloatArray = NDArray[np.float64]
COLUMNS = ("strategy", "input", "low_value", "high_value", "base", "low", "high", "low_se",
           "high_se", "swing", "swing_se")
#: A swing within this many standard errors of 0 is not told apart from sampling noise.
NOISE_Z = 2.0
#: Rows per model call in the conditional tornado (bounds memory).
CHUNK_ROWS = 1 << 17


@dataclass(frozen=True)
class Tornado:
    """A tornado per strategy: the output when each input is low vs high.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per strategy and input, sorted by ``swing`` (largest first) within each
        strategy: ``strategy, input, low_value, high_value`` (the input's low and high
        value), ``base`` (the output with nothing pinned), ``low, high`` (the output with
        the input low / high), ``low_se, high_se`` (their Monte Carlo standard errors; 0
        for a deterministic scenario), ``swing = |high - low|`` and ``swing_se`` (its
        standard error, the two groups taken as independent).
    metric : Metric
        What the output is.
    method : str
        ``medians``, ``conditional`` or ``deciles``.
    """

    frame: pl.DataFrame
    metric: Metric
    method: str

    @property
    def strategies(self) -> list[str]:
        """The strategies in the frame, in order."""
        return list(dict.fromkeys(self.frame["strategy"].to_list()))

    def table(self, strategy: str | None = None, *, top: int | None = None) -> pl.DataFrame:
        """The rows of one strategy (default: the first), largest swing first."""
        name = strategy or (self.strategies[0] if self.strategies else "")
        rows = self.frame.filter(pl.col("strategy") == name)
        return rows.head(top) if top is not None else rows

    def significant(self, strategy: str | None = None, *, z: float = NOISE_Z) -> pl.DataFrame:
        """The rows whose swing stands out of Monte Carlo noise: above 0 and above ``z``
        standard errors (every non-zero swing of a deterministic tornado)."""
        return self.table(strategy).filter(
            (pl.col("swing") > 0) & (pl.col("swing") > z * pl.col("swing_se")))

    def noise(self, strategy: str | None = None, *, z: float = NOISE_Z) -> pl.DataFrame:
        """The rows with a non-zero swing within ``z`` standard errors: sampling noise."""
        return self.table(strategy).filter(
            (pl.col("swing") > 0) & (pl.col("swing") <= z * pl.col("swing_se")))


def _frame(rows: dict[str, list[object]]) -> pl.DataFrame:
    schema = {c: (pl.String if c in ("strategy", "input") else pl.Float64) for c in COLUMNS}
    frame = pl.DataFrame(rows, schema=schema)
    order = {s: i for i, s in enumerate(dict.fromkeys(rows["strategy"]))}
    return (frame.with_columns(_o=pl.col("strategy").replace_strict(order, default=0))
            .sort(["_o", "swing"], descending=[False, True], maintain_order=True).drop("_o"))


def _scenarios(study: Study, metric: Metric, strategies: Sequence[str],
               base: Mapping[str, Value], k: int, pins: Sequence[tuple[str, float] | None],
               ) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Mean and standard error of the metric in each scenario (base values, one pin)."""
    per = max(1, CHUNK_ROWS // k)
    uncertain = {i.path for i in study.uncertain_inputs()}
    means = {s: np.empty(len(pins)) for s in strategies}
    ses = {s: np.zeros(len(pins)) for s in strategies}
    for a in range(0, len(pins), per):
        batch = pins[a : a + per]
        g = len(batch)
        values: dict[str, Value] = {
            p: (np.tile(np.broadcast_to(np.asarray(v, dtype=np.float64), (k,)), g)
                if p in uncertain else v)
            for p, v in base.items()
        }
        for r, pin in enumerate(batch):
            if pin is not None:
                values[pin[0]][r * k : (r + 1) * k] = pin[1]  # type: ignore[index]
        out = metric_values(study, values, g * k, metric, strategies)
        for i, s in enumerate(strategies):
            y = out[i].reshape(g, k)
            means[s][a : a + g] = y.mean(axis=1)
            if k > 1:
                ses[s][a : a + g] = y.std(axis=1, ddof=1) / math.sqrt(k)
    return {s: (means[s], ses[s]) for s in strategies}


def classic_tornado(study: Study, *, metric: str | Metric = "npv",
                    strategies: Sequence[str] | None = None, low: float = 0.1,
                    high: float = 0.9, method: TornadoMethod | None = None,
                    inner_samples: int = 4096) -> Tornado:
    """Each uncertain input at its ``low`` and ``high`` quantile, the others held.

    Parameters
    ----------
    study : Study
        The study (its seed and sampling plan drive the conditional method).
    metric : str or Metric
        ``npv`` or ``payback_within:N``.
    strategies : sequence of str, optional
        Default: every strategy but the baseline.
    low, high : float
        Quantiles the input is set to (P10 and P90).
    method : {"medians", "conditional"}, optional
        Others at their medians (default for ``npv``), or sampled on common random numbers
        with ``inner_samples`` draws (default for probabilities).
    inner_samples : int
        Draws of the other inputs per scenario for the conditional method.

    Returns
    -------
    Tornado

    Examples
    --------
    >>> t = classic_tornado(load_study("studies/legal_contracts.toml"))  # doctest: +SKIP
    >>> t.table("hosted_ft", top=3)  # doctest: +SKIP
    """
    m = parse_metric(metric, horizon=study.horizon_months)
    names = check_strategies(study, strategies)
    if not 0 < low < high < 1:
        raise ValueError(f"low={low} and high={high} must satisfy 0 < low < high < 1")
    how = method or ("conditional" if m.is_probability else "medians")
    if how not in ("medians", "conditional"):
        raise ValueError(f"'{how}' is not a valid method; it must be one of "
                         "{'medians', 'conditional'}")
    inputs = study.uncertain_inputs()
    if how == "medians":
        k = 1
        base: dict[str, Value] = {i.path: (i.dist.median if i.uncertain else float(i.dist.mean))
                                  for i in study.inputs()}
    else:
        if inner_samples < 2:
            raise ValueError(f"inner_samples={inner_samples} must be >= 2")
        k = inner_samples
        plan = sampling_plan(study.replace(samples=k))
        base = input_values(study, plan.rows(0, k), start=0)
    levels = [i.dist.ppf(np.array([low, high])) for i in inputs]
    pins: list[tuple[str, float] | None] = [None]
    pins += [(i.path, float(q[0])) for i, q in zip(inputs, levels, strict=True)]
    pins += [(i.path, float(q[1])) for i, q in zip(inputs, levels, strict=True)]
    res = _scenarios(study, m, names, base, k, pins)
    d = len(inputs)
    rows: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for s in names:
        mean, se = res[s]
        for j, inp in enumerate(inputs):
            lo, hi = mean[1 + j], mean[1 + d + j]
            for c, v in zip(COLUMNS, (s, inp.path, float(levels[j][0]), float(levels[j][1]),
                                      mean[0], lo, hi, se[1 + j], se[1 + d + j],
                                      abs(hi - lo), math.hypot(se[1 + j], se[1 + d + j])),
                            strict=True):
                rows[c].append(float(v) if isinstance(v, np.floating) else v)
    return Tornado(_frame(rows), m, how)


def sample_tornado(samples: SampleSet, *, metric: str | Metric = "npv",
                   strategies: Sequence[str] | None = None, fraction: float = 0.1) -> Tornado:
    """Output mean (or probability) when an input is in its lowest vs highest decile.

    Uses the existing samples only (no model runs). ``low_value``/``high_value`` are the
    input's sample quantiles at ``fraction`` and ``1 - fraction`` (the groups' edges);
    ties are split in sample order. Only the inputs a strategy is computed from
    (:meth:`~sim.study.Study.inputs_of`) are listed for it: any other input's "effect" is
    sampling noise. Swings within noise are kept, with their standard error
    (:meth:`Tornado.noise`).

    Examples
    --------
    >>> t = sample_tornado(simulate(study), metric="payback_within:12")  # doctest: +SKIP
    """
    study = samples.study
    m = parse_metric(metric, horizon=study.horizon_months)
    names = check_strategies(study, strategies)
    if not 0 < fraction <= 0.5:
        raise ValueError(f"fraction={fraction} must lie in (0, 0.5]")
    n = samples.n
    k = max(1, math.floor(fraction * n))
    order = samples.order
    lo_idx, hi_idx = order[:, :k], order[:, n - k :]
    x = samples.x
    rows: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for s in names:
        y = samples.output(s, m)
        ylo, yhi = y[lo_idx], y[hi_idx]
        lo, hi = ylo.mean(axis=1), yhi.mean(axis=1)
        if k > 1:
            lo_se = ylo.std(axis=1, ddof=1) / math.sqrt(k)
            hi_se = yhi.std(axis=1, ddof=1) / math.sqrt(k)
        else:
            lo_se = hi_se = np.zeros(len(samples.names))
        base = float(y.mean())
        enters = {i.path for i in study.inputs_of(s)}
        for j, path in enumerate(samples.names):
            if path not in enters:
                continue
            for c, v in zip(COLUMNS, (
                    s, path, float(x[j, order[j, k - 1]]), float(x[j, order[j, n - k]]), base,
                    float(lo[j]), float(hi[j]), float(lo_se[j]), float(hi_se[j]),
                    float(abs(hi[j] - lo[j])), math.hypot(lo_se[j], hi_se[j])), strict=True):
                rows[c].append(v)
    return Tornado(_frame(rows), m, "deciles")
