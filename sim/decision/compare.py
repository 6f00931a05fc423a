"""Strategies compared on common random numbers: CVaR, regret, P(best), EVPI, recommendation.

Every strategy is evaluated on the same samples, so per-sample differences are exact and the
comparison is not noise. Figures come either from in-memory arrays (:func:`compare`) or
batch by batch while streaming a samples file (:class:`RegretAccumulator`,
:func:`cvar_stream`), with bounded memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from sim.decision.metrics import CRITERION_LABELS, Criterion, check_criterion
from sim.decision.samples import SampleSet
from sim.runner.quantiles import select

FloatArray = NDArray[np.float64]
#: Tail probability of the CVaR the summary reports (the worst 5% of outcomes).
CVAR_ALPHA = 0.05


def _tail_size(n: int, alpha: float) -> tuple[float, int]:
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha={alpha} must lie in (0, 1]")
    k = alpha * n
    j = math.floor(k + 1e-9)
    return (float(j) if abs(k - j) < 1e-9 else k), min(j, n - 1)


def cvar(x: FloatArray, alpha: float = CVAR_ALPHA) -> float:
    """Conditional value at risk: the mean of the worst ``alpha`` share of outcomes.

    With ``k = alpha * n`` (not necessarily whole), the mean of the ``floor(k)`` smallest
    values and ``k - floor(k)`` of the next one (Rockafellar & Uryasev's sample CVaR of the
    lower tail, where low NPV is bad). At least the minimum for tiny ``k``.

    Examples
    --------
    >>> cvar(np.arange(1.0, 101.0), 0.05)  # the 5 worst of 1..100
    3.0
    >>> cvar(np.array([4.0, 1.0, 2.0, 3.0]), 0.3)  # (1 + 0.2 * 2) / 1.2
    1.1666666666666667
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    if n == 0:
        return math.nan
    k, j = _tail_size(n, alpha)
    if k >= n:
        return float(x.mean())
    part = np.partition(x, j)
    total = float(part[:j].sum()) + (k - j) * float(part[j])
    return total / k if k > 0 else float(part[0])


def cvar_stream(batches: Callable[[], Iterable[FloatArray]], n: int,
                alpha: float = CVAR_ALPHA) -> float:
    """:func:`cvar` of ``n`` values streamed by ``batches()`` (called five times), exactly.

    The order statistic at the tail's edge comes from :func:`sim.runner.quantiles.select` (four
    passes); a fifth pass sums the values below it.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=1001)
    >>> abs(cvar_stream(lambda: [x[:400], x[400:]], x.size) - cvar(x)) < 1e-12
    True
    """
    if n == 0:
        return math.nan
    k, j = _tail_size(n, alpha)
    if k >= n:
        total = sum(float(np.sum(b)) for b in batches())
        return total / n
    edge = select(batches, [j])[0]
    below, count = 0.0, 0
    for b in batches():
        mask = b < edge
        below += float(b[mask].sum())
        count += int(np.count_nonzero(mask))
    return (below + (k - count) * edge) / k if k > 0 else edge


class RegretAccumulator:
    """P(best), expected regret and EVPI, accumulated batch by batch.

    Regret of strategy s in a sample: the best NPV of any strategy in that sample minus
    s's. EVPI (the value of knowing every input before choosing) is the smallest expected
    regret: E[max_s NPV_s] - max_s E[NPV_s]. P(best) splits ties evenly.

    Examples
    --------
    >>> acc = RegretAccumulator(["base", "a", "b"])
    >>> acc.add(np.array([[0.0, 0.0], [1.0, -1.0], [1.0, -1.0]]))
    >>> acc.p_best()
    {'base': 0.5, 'a': 0.25, 'b': 0.25}
    >>> acc.expected_regret()["a"], acc.evpi()
    ((0.5, 0.5), (0.5, 0.5))
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        s = len(self.names)
        self.n = 0
        self._best = np.zeros(s)
        self._mean = np.zeros(s)
        self._m2 = np.zeros(s)

    def add(self, npv: FloatArray) -> None:
        """Add a batch: NPV of every strategy (rows, in ``names`` order) over samples."""
        npv = np.asarray(npv, dtype=np.float64)
        if npv.ndim != 2 or npv.shape[0] != len(self.names):
            raise ValueError(f"expected a ({len(self.names)}, m) array, got {npv.shape}")
        m = npv.shape[1]
        if m == 0:
            return
        top = npv.max(axis=0)
        is_best = npv == top
        self._best += (is_best / is_best.sum(axis=0)).sum(axis=1)
        regret = top - npv
        mb = regret.mean(axis=1)
        m2b = ((regret - mb[:, None]) ** 2).sum(axis=1)
        n = self.n + m
        delta = mb - self._mean
        self._mean += delta * m / n
        self._m2 += m2b + delta * delta * self.n * m / n
        self.n = n

    def p_best(self) -> dict[str, float]:
        """P(strategy has the highest NPV), ties split evenly."""
        return {s: float(b / self.n) for s, b in zip(self.names, self._best, strict=True)}

    def expected_regret(self) -> dict[str, tuple[float, float]]:
        """Expected regret per strategy and its Monte Carlo standard error."""
        sd = np.sqrt(self._m2 / max(self.n - 1, 1))
        se = sd / math.sqrt(max(self.n, 1))
        return {s: (float(r), float(e))
                for s, r, e in zip(self.names, self._mean, se, strict=True)}

    def evpi(self) -> tuple[float, float]:
        """EVPI of the choice between the strategies, and its standard error."""
        regret = self.expected_regret()
        return min(regret.values(), key=lambda r: r[0])


def recommend(criterion: str, *, baseline: str, npv_mean: Mapping[str, float],
              p_payback: Mapping[str, float] | None = None,
              cvar: Mapping[str, float] | None = None,
              feasible: Collection[str] | None = None) -> str | None:
    """The feasible strategy to pick under ``criterion`` (ties: the first in the given order).

    ``npv``: the largest E[NPV] (the baseline's is 0). ``payback``: the largest
    P(payback <= N), or the baseline when none reaches 0.5 (unless the baseline itself is
    infeasible). ``cvar``: the largest CVaR 5% of NPV (the baseline's is 0: a risky
    strategy must be worth it even in its worst 5%). Only strategies in ``feasible``
    (default: all) are candidates; None when none is.

    Examples
    --------
    >>> recommend("cvar", baseline="api", npv_mean={"api": 0.0, "ft": 9.0},
    ...           cvar={"api": 0.0, "ft": -3.0})
    'api'
    """
    crit: Criterion = check_criterion(criterion)
    ok = [s for s in npv_mean if feasible is None or s in feasible]
    if not ok:
        return None
    if crit == "payback":
        if p_payback is None:
            raise ValueError("criterion 'payback' needs p_payback")
        cands = [s for s in ok if s != baseline]
        if cands:
            top = max(cands, key=lambda s: p_payback[s])
            if p_payback[top] >= 0.5 or baseline not in ok:
                return top
        return baseline if baseline in ok else None
    values = npv_mean if crit == "npv" else cvar
    if values is None:
        raise ValueError("criterion 'cvar' needs cvar")
    return max(ok, key=lambda s: values[s])


@dataclass(frozen=True)
class Comparison:
    """Strategies compared on the same samples.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per compared strategy: ``strategy, baseline, feasible,
        infeasible_reason, npv_mean, npv_mean_se, npv_p05,
        npv_p10, npv_p50, npv_p90, npv_p95, cvar5, p_npv_positive, p_best, regret,
        regret_se`` and
        ``p_payback_<N>`` with ``p_payback_<N>_se`` for each N.
    recommended : str or None
        The strategy to pick under ``criterion`` (None when no strategy meets the study's
        constraints).
    criterion : str
        ``npv``, ``payback`` or ``cvar``.
    months : int
        The N of the payback criterion.
    evpi : float
        Expected value of perfect information of the choice between the strategies that
        meet the study's constraints ($). P(best) and regret are over every compared
        strategy.
    evpi_se : float
        Its Monte Carlo standard error.
    """

    frame: pl.DataFrame
    recommended: str | None
    criterion: str
    months: int
    evpi: float
    evpi_se: float

    @property
    def criterion_label(self) -> str:
        """The criterion in words, e.g. ``max P(payback ≤ 12)``."""
        return CRITERION_LABELS[self.criterion].format(n=self.months)

    def table(self) -> pl.DataFrame:
        """The comparison, one row per strategy, with the recommended one marked."""
        return self.frame.with_columns(
            recommended=pl.col("strategy") == self.recommended)


def compare(samples: SampleSet, *, criterion: str | None = None,
            months: Sequence[int] | None = None, alpha: float = CVAR_ALPHA) -> Comparison:
    """Compare every strategy of a sample set and recommend one.

    Parameters
    ----------
    samples : SampleSet
        Per-sample outcomes (every strategy on the same samples).
    criterion : {"npv", "payback", "cvar"}, optional
        Default: the study's.
    months : sequence of int, optional
        The N of the P(payback <= N) columns (default: the study's ``payback_within``);
        the payback criterion uses the study's headline N.
    alpha : float
        Tail share of the CVaR (default 5%).

    Examples
    --------
    >>> c = compare(simulate(study, samples=4096), criterion="cvar")  # doctest: +SKIP
    >>> c.recommended, c.evpi  # doctest: +SKIP
    """
    study = samples.study
    crit = check_criterion(criterion or study.criterion)
    months = tuple(months) if months is not None else study.payback_within
    from sim.runner.constraints import feasibility

    names = list(samples.npv)
    reasons = feasibility(study)
    n = samples.n
    stack = np.stack([samples.npv[s] for s in names])
    acc = RegretAccumulator(names)
    acc.add(stack)
    p_best, regret = acc.p_best(), acc.expected_regret()
    rows = []
    for i, s in enumerate(names):
        x = stack[i]
        q = np.quantile(x, [0.05, 0.1, 0.5, 0.9, 0.95])
        row: dict[str, object] = {
            "strategy": s, "baseline": s == study.baseline,
            "feasible": reasons.get(s) is None, "infeasible_reason": reasons.get(s),
            "npv_mean": float(x.mean()),
            "npv_mean_se": float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0,
            "npv_p05": float(q[0]), "npv_p10": float(q[1]), "npv_p50": float(q[2]),
            "npv_p90": float(q[3]), "npv_p95": float(q[4]),
            "cvar5": cvar(x, alpha), "p_npv_positive": float(np.mean(x > 0)),
            "p_best": p_best[s], "regret": regret[s][0], "regret_se": regret[s][1],
        }
        pb = samples.payback[s]
        for m in months:
            p = float(np.mean((pb > 0) & (pb <= m)))
            row[f"p_payback_{m}"] = p
            row[f"p_payback_{m}_se"] = math.sqrt(p * (1 - p) / n)
        rows.append(row)
    frame = pl.DataFrame(rows, schema_overrides={"infeasible_reason": pl.String})
    headline = study.primary_months
    pb_head = {s: float(np.mean((samples.payback[s] > 0) & (samples.payback[s] <= headline)))
               for s in names}
    rec = recommend(crit, baseline=study.baseline,
                    npv_mean=dict(zip(names, frame["npv_mean"].to_list(), strict=True)),
                    p_payback=pb_head,
                    cvar=dict(zip(names, frame["cvar5"].to_list(), strict=True)),
                    feasible=[s for s in names if reasons.get(s) is None])
    ok = [i for i, s in enumerate(names) if reasons.get(s) is None] or list(range(len(names)))
    choice = RegretAccumulator([names[i] for i in ok])
    choice.add(stack[ok])
    evpi, evpi_se = choice.evpi()
    return Comparison(frame, rec, crit, headline, evpi, evpi_se)
