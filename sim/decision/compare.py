"""Strategies compared on common random numbers: CVaR, regret, P(best), EVPI, recommendation.

Every strategy is evaluated on the same samples, so per-sample differences are exact and the
comparison is not noise. :func:`compare` works on in-memory arrays; the same figures are
accumulated while streaming a samples file by :mod:`sim.runner.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from sim.decision.metrics import check_criterion
from sim.decision.samples import SampleSet
from sim.runner.constraints import feasibility
from sim.runner.quantiles import quantile
from sim.runner.stats import CVAR_ALPHA, RegretAccumulator, cvar
from sim.study.types import CRITERION_LABELS, Criterion


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
        regret_se`` (P(best) and expected regret among the strategies that meet the
        study's constraints, all of them when none does; null for the others),
        ``p_best_all, regret_all`` (the same among every compared strategy) and
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
        meet the study's constraints ($).
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
    names = list(samples.npv)
    reasons = feasibility(study)
    n = samples.n
    stack = np.stack([samples.npv[s] for s in names])
    acc = RegretAccumulator(names)
    acc.add(stack)
    p_all, regret_all = acc.p_best(), acc.expected_regret()
    ok = [i for i, s in enumerate(names) if reasons.get(s) is None] or list(range(len(names)))
    choice = RegretAccumulator([names[i] for i in ok])
    choice.add(stack[ok])
    p_best, regret = choice.p_best(), choice.expected_regret()
    rows = []
    for i, s in enumerate(names):
        x = stack[i]
        q = quantile(x, [0.05, 0.1, 0.5, 0.9, 0.95])
        row: dict[str, object] = {
            "strategy": s, "baseline": s == study.baseline,
            "feasible": reasons.get(s) is None, "infeasible_reason": reasons.get(s),
            "npv_mean": float(x.mean()),
            "npv_mean_se": float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0,
            "npv_p05": float(q[0]), "npv_p10": float(q[1]), "npv_p50": float(q[2]),
            "npv_p90": float(q[3]), "npv_p95": float(q[4]),
            "cvar5": cvar(x, alpha), "p_npv_positive": float(np.mean(x > 0)),
            "p_best": p_best.get(s), "regret": regret.get(s, (None, None))[0],
            "regret_se": regret.get(s, (None, None))[1], "p_best_all": p_all[s],
            "regret_all": regret_all[s][0],
        }
        pb = samples.payback[s]
        for m in months:
            p = float(np.mean((pb > 0) & (pb <= m)))
            row[f"p_payback_{m}"] = p
            row[f"p_payback_{m}_se"] = math.sqrt(p * (1 - p) / n)
        rows.append(row)
    frame = pl.DataFrame(rows, schema_overrides={
        "infeasible_reason": pl.String, "p_best": pl.Float64, "regret": pl.Float64,
        "regret_se": pl.Float64})
    headline = study.primary_months
    pb_head = {s: float(np.mean((samples.payback[s] > 0) & (samples.payback[s] <= headline)))
               for s in names}
    rec = recommend(crit, baseline=study.baseline,
                    npv_mean=dict(zip(names, frame["npv_mean"].to_list(), strict=True)),
                    p_payback=pb_head,
                    cvar=dict(zip(names, frame["cvar5"].to_list(), strict=True)),
                    feasible=[s for s in names if reasons.get(s) is None])
    evpi, evpi_se = choice.evpi()
    return Comparison(frame, rec, crit, headline, evpi, evpi_se)
