"""Summaries of a run's samples: payback probabilities, NPV statistics, P(best) (docs/model.md,
"Summaries and decisions").

Payback follows :mod:`sim.runner.payback`: the month from which the cumulative net saving stays
>= 0, for a strategy that ends the horizon ahead; samples without one count as later than
every month (P(payback <= N) and the medians treat them so).

Computed by streaming samples.parquet one row group at a time, in file order, so memory
stays bounded and the figures are bit-identical whatever the run's chunking. Every
probability carries its Monte Carlo standard error ``sqrt(p (1 - p) / n)``; the mean NPV
carries ``sd / sqrt(n)`` (for LHS/Sobol plans these are conservative).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.display import money, months, probability
from sim.runner.constraints import feasibility
from sim.runner.decomposition import Decomposition
from sim.runner.quantiles import quantiles, select
from sim.runner.samples_file import iter_columns
from sim.runner.stats import Moments, RegretAccumulator, cvar_stream
from sim.study import Study
from sim.study.types import CRITERION_LABELS

#: NPV quantiles computed exactly (the tails set the histogram's range).
NPV_QS = (0.005, 0.05, 0.1, 0.5, 0.9, 0.95, 0.995)
#: Fewest samples with a standard error: one sample says nothing about its spread, so its
#: standard errors are undefined (null in summary.json, "–" on screen).
MIN_SE_SAMPLES = 2
HIST_BINS = 60


def col(metric: str, strategy: str) -> str:
    """Column name of a per-sample output, e.g. ``npv.self_hosted_7b``."""
    return f"{metric}.{strategy}"


@dataclass(frozen=True)
class StrategySummary:
    """Summary of one strategy's outcomes over all samples."""

    name: str
    kind: str
    is_baseline: bool
    n: int
    payback_cdf: tuple[float, ...]
    npv_mean: float
    #: None with fewer than 2 samples (a standard error of one sample is undefined)
    npv_mean_se: float | None
    npv_sd: float
    npv_quantiles: dict[float, float]
    p_npv_positive: float
    p_best: float
    tco_mean: float
    npv_hist: tuple[tuple[float, ...], tuple[int, ...]]
    point_estimate: dict[str, Any] = field(default_factory=dict)
    infeasible_reason: str | None = None
    cvar5: float = 0.0
    regret: float = 0.0
    regret_se: float | None = 0.0
    #: median of the fractional payback (None when P(payback within the horizon) < 0.5)
    payback_median_fractional: float | None = None

    @property
    def feasible(self) -> bool:
        """True when the strategy meets every constraint of the study."""
        return self.infeasible_reason is None

    def p_payback_within(self, months: int) -> float:
        """P(payback <= months); 0 for the baseline."""
        if self.is_baseline or months < 1:
            return 0.0
        return self.payback_cdf[min(months, len(self.payback_cdf)) - 1]

    def se(self, p: float) -> float | None:
        """Monte Carlo standard error of a probability estimate; None (undefined) with fewer
        than 2 samples."""
        if self.n < MIN_SE_SAMPLES:
            return None
        return math.sqrt(max(p * (1 - p), 0.0) / self.n)

    @property
    def payback_median_months(self) -> int | None:
        """Smallest month m with P(payback <= m) >= 0.5; None if beyond the horizon.

        It equals ``max(1, ceil(payback_median_fractional))``: both are the same order
        statistic, of the whole and of the fractional payback.
        """
        for m, p in enumerate(self.payback_cdf, start=1):
            if p >= 0.5:
                return m
        return None


@dataclass(frozen=True)
class Summary:
    """Summary of a run: one :class:`StrategySummary` per strategy and the recommendation."""

    study: Study
    strategies: dict[str, StrategySummary]
    recommended: str | None
    answer: str
    #: the spreadsheet figure explained (:func:`sim.runner.decomposition.explain`)
    decomposition: Decomposition | None = None

    def table(self) -> pl.DataFrame:
        """One row per strategy: the headline figures (what the terminal and report show)."""
        rows = []
        for s in self.strategies.values():
            row: dict[str, Any] = {"strategy": s.name, "kind": s.kind, "baseline": s.is_baseline}
            for n in self.study.payback_within:
                p = s.p_payback_within(n)
                row[f"P(payback<={n})"] = None if s.is_baseline else p
                row[f"se{n}"] = None if s.is_baseline else s.se(p)
            row.update(
                payback_median=s.payback_median_months,
                payback_median_fractional=s.payback_median_fractional,
                npv_mean=s.npv_mean, npv_mean_se=s.npv_mean_se,
                npv_p10=s.npv_quantiles[0.1], npv_p50=s.npv_quantiles[0.5],
                npv_p90=s.npv_quantiles[0.9], p_npv_positive=s.p_npv_positive,
                p_best=s.p_best, tco_mean=s.tco_mean,
                point_payback=months(s.point_estimate.get("payback_months")),
            )
            rows.append(row)
        return pl.DataFrame(rows, infer_schema_length=None,
                            schema_overrides={"point_payback": pl.String,
                                              "payback_median_fractional": pl.Float64})

    def to_json(self) -> dict[str, Any]:
        """The ``summary.json`` document (its keys are listed in the README)."""
        out: dict[str, Any] = {}
        for s in self.strategies.values():
            within = {str(n): s.p_payback_within(n) for n in self.study.payback_within}
            out[s.name] = {
                "kind": s.kind,
                "is_baseline": s.is_baseline,
                "payback_within": within,
                "payback_within_se": {k: s.se(p) for k, p in within.items()},
                "payback_median_months": s.payback_median_months,
                "payback_median_months_fractional": s.payback_median_fractional,
                "npv_mean": s.npv_mean,
                "npv_mean_se": s.npv_mean_se,
                "npv_p10": s.npv_quantiles[0.1],
                "npv_p50": s.npv_quantiles[0.5],
                "npv_p90": s.npv_quantiles[0.9],
                "p_npv_positive": s.p_npv_positive,
                "p_npv_positive_se": s.se(s.p_npv_positive),
                "p_best": s.p_best,
                "p_best_se": s.se(s.p_best),
                "cvar5": s.cvar5,
                "expected_regret": s.regret,
                "expected_regret_se": s.regret_se,
                "tco_mean": s.tco_mean,
                "payback_cdf": list(s.payback_cdf),
                "point_estimate": s.point_estimate,
                "feasible": s.feasible,
                "infeasible_reason": s.infeasible_reason,
            }
        return {
            "study": self.study.name,
            "source_figure": self.study.source_figure,
            "baseline": self.study.baseline,
            "samples": next(iter(self.strategies.values())).n,
            "seed": self.study.seed,
            "sampling": self.study.sampling,
            "horizon_months": self.study.horizon_months,
            "discount_rate": self.study.discount_rate,
            "criterion": self.study.criterion,
            "constraints": dataclasses.asdict(self.study.constraints),
            "recommended": self.recommended,
            "answer": self.answer,
            "decomposition": (None if self.decomposition is None
                              else self.decomposition.to_json()),
            "strategies": out,
            **out,
        }


def summarize(study: Study, path: str | Path, point: dict[str, dict[str, Any]],
              decomposition: Decomposition | None = None) -> Summary:
    """Summarize the samples file of a run of ``study``.

    Parameters
    ----------
    study : Study
        The study that was run.
    path : path
        Its samples.parquet.
    point : dict
        The static point estimate per strategy (:func:`sim.runner.point.point_estimate`).
    decomposition : Decomposition, optional
        The spreadsheet figure explained (:func:`sim.runner.decomposition.explain`).
    """

    reasons = feasibility(study)
    names = study.compared()
    others = [n for n in names if n != study.baseline]
    horizon = study.horizon_months
    npv_cols = [col("npv", n) for n in others]
    cols = npv_cols + [col("payback_month", n) for n in others] + [col("tco", n) for n in names]
    moments = {n: Moments() for n in others}
    tco = {n: Moments() for n in names}
    positive = dict.fromkeys(others, 0)
    best = dict.fromkeys(names, 0.0)
    hits = {n: np.zeros(horizon + 1, np.int64) for n in others}
    regret = RegretAccumulator(names)
    total = 0
    for batch in iter_columns(path, cols):
        m = batch[npv_cols[0]].size if npv_cols else batch[col("tco", names[0])].size
        total += m
        stack = np.zeros((len(names), m))
        for n in others:
            x = batch[col("npv", n)]
            moments[n].add(x)
            positive[n] += int(np.count_nonzero(x > 0))
            pb = batch[col("payback_month", n)]
            hits[n] += np.bincount(np.nan_to_num(pb, nan=0).astype(np.intp),
                                   minlength=horizon + 1)[: horizon + 1]
            stack[names.index(n)] = x
        for n in names:
            tco[n].add(batch[col("tco", n)])
        regret.add(stack)
        is_best = stack == stack.max(axis=0)
        share = is_best / is_best.sum(axis=0)
        for i, n in enumerate(names):
            best[n] += float(share[i].sum())
    out = {}
    for n in names:
        s = study.strategies[n]
        se: float | None
        if n == study.baseline:
            q = dict.fromkeys(NPV_QS, 0.0)
            mean = se = sd = 0.0
            cdf = tuple(0.0 for _ in range(horizon))
            hist: tuple[tuple[float, ...], tuple[int, ...]] = ((0.0, 0.0), (total,))
            p_pos = 0.0
            cvar5 = 0.0
            median_fractional = None
        else:
            name = col("npv", n)

            def column(name: str = name) -> Any:
                return (b[name] for b in iter_columns(path, [name]))

            q = dict(zip(NPV_QS, quantiles(column, total, NPV_QS), strict=True))
            mom = moments[n]
            mean = mom.mean
            sd = math.sqrt(mom.m2 / (total - 1)) if total > 1 else 0.0
            se = sd / math.sqrt(total) if total >= MIN_SE_SAMPLES else None
            cdf = tuple((np.cumsum(hits[n][1:]) / total).tolist())
            median_fractional = _median_payback(path, n, total, cdf)
            hist = _histogram(column, q[0.005], q[0.995])
            p_pos = positive[n] / total
            cvar5 = cvar_stream(column, total)
        r_mean, r_se = regret.expected_regret()[n]
        out[n] = StrategySummary(
            name=n, kind=s.kind, is_baseline=s.is_baseline, n=total, payback_cdf=cdf,
            npv_mean=mean, npv_mean_se=se, npv_sd=sd, npv_quantiles=q, p_npv_positive=p_pos,
            p_best=best[n] / total, tco_mean=tco[n].mean, npv_hist=hist,
            point_estimate=point.get(n, {}), infeasible_reason=reasons[n],
            cvar5=cvar5, regret=r_mean, regret_se=r_se if total >= MIN_SE_SAMPLES else None,
            payback_median_fractional=median_fractional,
        )
    recommended = recommend(study, out)
    return Summary(study, out, recommended, answer_sentence(study, out, recommended),
                   decomposition)


def _median_payback(path: str | Path, strategy: str, total: int,
                    cdf: tuple[float, ...]) -> float | None:
    """Median fractional payback: the smallest x with P(fractional payback <= x) >= 0.5
    (the ceil(n/2)-th smallest value, no payback counting as infinite); None if that is
    beyond the horizon. The same order statistic as the whole-month median."""
    if not cdf or cdf[-1] < 0.5:
        return None
    name = col("payback_months", strategy)

    def column() -> Any:
        for b in iter_columns(path, [name]):
            x = b[name]
            yield np.where(np.isnan(x), np.inf, x)

    value = select(column, [(total - 1) // 2])[0]
    return value if math.isfinite(value) else None


def _histogram(column: Any, lo: float, hi: float) -> tuple[tuple[float, ...], tuple[int, ...]]:
    if not hi > lo:
        hi = lo + max(abs(lo) * 1e-6, 1.0)
    edges = np.linspace(lo, hi, HIST_BINS + 1)
    counts = np.zeros(HIST_BINS, np.int64)
    for x in column():
        c, _ = np.histogram(np.clip(x, lo, hi), bins=edges)
        counts += c
    return tuple(edges.tolist()), tuple(counts.tolist())


def recommend(study: Study, s: dict[str, StrategySummary]) -> str | None:
    """The feasible strategy to pick under the study's criterion (None if none is feasible).

    ``npv``: the largest E[NPV] (the baseline's is 0). ``payback``: the largest
    P(payback <= N) for the headline N, or the baseline when no strategy reaches 0.5.
    """
    feasible = [x for x in s.values() if x.feasible]
    if not feasible:
        return None
    if study.criterion == "cvar":
        return max(feasible, key=lambda x: x.cvar5).name
    base = s[study.baseline]
    if study.criterion == "payback":
        n = study.primary_months
        cands = [x for x in feasible if not x.is_baseline]
        if cands:
            top = max(cands, key=lambda x: x.p_payback_within(n))
            if top.p_payback_within(n) >= 0.5 or not base.feasible:
                return top.name
        return study.baseline if base.feasible else None
    return max(feasible, key=lambda x: x.npv_mean).name


def answer_sentence(study: Study, s: dict[str, StrategySummary],
                    recommended: str | None) -> str:
    """The study's question answered in one sentence.

    Examples
    --------
    The sentence reads like: "self_hosted_7b pays back within 12 months with probability
    0.63 ± 0.01 (E[NPV] $412,000 ± 3,100 over 36 months); recommended: self_hosted_7b
    (max E[NPV])."
    """
    n = study.primary_months
    horizon = study.horizon_months
    crit = CRITERION_LABELS[study.criterion].format(n=n)
    others = [x for x in s.values() if not x.is_baseline]
    if not others:
        return (f"Only the baseline ({study.baseline}) is in this study: add a strategy to "
                "compare with it.")
    if recommended is not None and not s[recommended].is_baseline:
        focus = s[recommended]
    else:
        feasible = [x for x in others if x.feasible] or others
        focus = max(feasible, key=lambda x: x.npv_mean)
    p = focus.p_payback_within(n)
    spread = ("" if focus.npv_mean_se is None
              else f" ± {money(focus.npv_mean_se, compact=True).lstrip('$')}")
    one = "; 1 sample, so no standard error" if focus.npv_mean_se is None else ""
    head = (f"{focus.name} pays back within {n} months with probability "
            f"{probability(p, focus.se(p))} (E[NPV] {money(focus.npv_mean, compact=True)}"
            f"{spread} over {horizon} months{one})")
    if recommended is None:
        return f"{head}; no strategy meets the study's constraints."
    excluded = [x.name for x in s.values() if not x.feasible]
    if excluded:
        crit += (f" among the strategies meeting the constraints; excluded: "
                 f"{', '.join(excluded)}")
    if s[recommended].is_baseline:
        return f"{head}; recommended: stay on {recommended} ({crit})."
    return f"{head}; recommended: {recommended} ({crit})."
