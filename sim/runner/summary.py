"""Summaries of a run's samples: payback probabilities, NPV statistics, P(best) (docs/model.md,
"Summaries and decisions").

Payback follows :mod:`sim.runner.payback`: the month from which the cumulative net saving stays
>= 0, for a strategy that ends the horizon ahead; samples without one count as later than
every month (P(payback <= N) and the medians treat them so).

Accumulated one row group at a time, in file order (:class:`Accumulator`: by the run as it
writes samples.parquet, or by streaming the file back), so memory stays bounded and the
figures are bit-identical whatever the run's chunking. Quantiles, CVaR and medians need
order statistics: from columns kept in memory when a run is small enough
(:class:`MemoryOrderStats`), else from the file (:class:`OrderStats`); both give the same
numbers. Every probability carries its Monte Carlo standard error ``sqrt(p (1 - p) / n)``;
the mean NPV carries ``sd / sqrt(n)`` (for LHS/Sobol plans these are conservative).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import polars as pl

from sim.display import months
from sim.runner.constraints import feasibility, latency_conflicts, latency_warning
from sim.runner.decomposition import Decomposition
from sim.runner.quantiles import quantiles, select
from sim.runner.samples_file import iter_columns, read_column
from sim.runner.stats import Moments, RegretAccumulator, RegretPart, cvar_stream
from sim.runner.threads import started
from sim.runner.verdict import answer_sentence, focus_of, verdict
from sim.study import Study

#: NPV quantiles computed exactly (the tails set the histogram's range).
NPV_QS = (0.005, 0.05, 0.1, 0.5, 0.9, 0.95, 0.995)
#: Fewest samples with a standard error: one sample says nothing about its spread, so its
#: standard errors are undefined (null in summary.json, "–" on screen).
MIN_SE_SAMPLES = 2
HIST_BINS = 60
#: Largest column read back whole from samples.parquet for the order statistics (16.7 M
#: samples); a larger run streams it one row group at a time, in several passes.
COLUMN_BYTES = 128 << 20
#: (edges, counts) of an NPV histogram and the samples (below, above) its range
Histogram = tuple[tuple[tuple[float, ...], tuple[int, ...]], tuple[int, int]]


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
    #: P(highest NPV) among the strategies the choice is made between (those meeting the
    #: study's constraints; all when none does); None for a strategy outside that choice
    p_best: float | None
    tco_mean: float
    npv_hist: tuple[tuple[float, ...], tuple[int, ...]]
    point_estimate: dict[str, Any] = field(default_factory=dict)
    infeasible_reason: str | None = None
    cvar5: float = 0.0
    regret: float | None = 0.0
    regret_se: float | None = 0.0
    #: median of the fractional payback (None when P(payback within the horizon) < 0.5)
    payback_median_fractional: float | None = None
    #: P(best) and expected regret among every compared strategy, constraints ignored
    #: (``p_best`` and ``regret`` are among the strategies the choice is made between)
    p_best_all: float = 0.0
    regret_all: float = 0.0
    regret_all_se: float | None = 0.0
    #: samples below and above the NPV histogram's range (the tails it does not draw)
    npv_tails: tuple[int, int] = (0, 0)
    #: display name (the study's ``label`` or one made from the id)
    label: str = ""

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
    #: the answer in plain words (:func:`sim.runner.verdict.verdict`)
    verdict: str = ""
    #: where the study contradicts the model (a stated p99 the serving model cannot reach)
    warnings: tuple[str, ...] = ()
    #: the spreadsheet figure explained (:func:`sim.runner.decomposition.explain`)
    decomposition: Decomposition | None = None

    @property
    def choice(self) -> list[str]:
        """The strategies the choice is made between: those meeting the constraints (all of
        them when none does)."""
        return [n for n, s in self.strategies.items() if s.p_best is not None]

    @property
    def constrained(self) -> bool:
        """True when the constraints leave some compared strategy out of the choice."""
        return len(self.choice) < len(self.strategies)

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
                "p_best_se": None if s.p_best is None else s.se(s.p_best),
                "p_best_unconstrained": s.p_best_all,
                "cvar5": s.cvar5,
                "expected_regret": s.regret,
                "expected_regret_se": s.regret_se,
                "expected_regret_unconstrained": s.regret_all,
                "label": s.label,
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
            "verdict": self.verdict,
            "warnings": list(self.warnings),
            "decomposition": (None if self.decomposition is None
                              else self.decomposition.to_json()),
            "strategies": out,
            **out,
        }


class GroupStats(NamedTuple):
    """What one row group adds to an :class:`Accumulator` (:meth:`Accumulator.stats`):
    its rows, NPV and TCO moments (:meth:`Moments.of`), P(NPV > 0) and payback-month
    counts, and its regret sums (:meth:`RegretAccumulator.part`, among every strategy and
    among those the choice is made between, None when they are the same)."""

    rows: int
    npv: dict[str, tuple[int, float, float]]
    tco: dict[str, tuple[int, float, float]]
    positive: dict[str, int]
    hits: dict[str, np.ndarray]
    every: RegretPart
    chosen: RegretPart | None


class Accumulator:
    """The headline figures of a run, accumulated one row group at a time in file order:
    NPV and TCO moments, P(NPV > 0), payback months, P(best) and regret.

    Fed the same row groups as samples.parquet holds (its fixed row groups, the last
    shorter), whether from the file or as the run produces them, so the figures are the same
    bit for bit either way and whatever the run's chunking.
    """

    def __init__(self, study: Study) -> None:
        self.study = study
        self.names = study.compared()
        self.others = [n for n in self.names if n != study.baseline]
        horizon = study.horizon_months
        self.moments = {n: Moments() for n in self.others}
        self.tco = {n: Moments() for n in self.names}
        self.positive = dict.fromkeys(self.others, 0)
        self.hits = {n: np.zeros(horizon + 1, np.int64) for n in self.others}
        reasons = feasibility(study)
        #: the strategies the choice is made between (meeting the constraints; all if none)
        self.ok = [n for n in self.names if reasons[n] is None] or list(self.names)
        self._rows = [self.names.index(n) for n in self.ok]
        self.every = RegretAccumulator(self.names)
        # every strategy meets the constraints: one accumulator serves both (the same sums)
        self.chosen = (self.every if self.ok == list(self.names) else RegretAccumulator(self.ok))
        self.total = 0

    def columns(self) -> list[str]:
        """The samples-file columns :meth:`add` reads."""
        return ([col("npv", n) for n in self.others]
                + [col("payback_month", n) for n in self.others]
                + [col("tco", n) for n in self.names])

    def stats(self, batch: dict[str, np.ndarray]) -> GroupStats:
        """What one row group adds (its columns as arrays; a payback month of 0 or NaN is
        none), for :meth:`merge`. Pure: row groups may be summed up on any thread, then
        merged in file order, with the same figures as :meth:`add` one by one."""
        names, horizon = self.names, self.study.horizon_months
        m = batch[col("tco", names[0])].size
        stack = np.zeros((len(names), m))
        npv, positive, hits = {}, {}, {}
        for n in self.others:
            x = batch[col("npv", n)]
            npv[n] = Moments.of(x)
            positive[n] = int(np.count_nonzero(x > 0))
            pb = batch[col("payback_month", n)]
            if pb.dtype.kind == "f":
                pb = np.nan_to_num(pb, nan=0)
            hits[n] = np.bincount(pb.astype(np.intp), minlength=horizon + 1)[: horizon + 1]
            stack[names.index(n)] = x
        tco = {n: Moments.of(batch[col("tco", n)]) for n in names}
        every = self.every.part(stack)
        chosen = None if self.chosen is self.every else self.chosen.part(stack[self._rows])
        return GroupStats(m, npv, tco, positive, hits, every, chosen)

    def merge(self, stats: GroupStats) -> None:
        """Add a row group's :meth:`stats` (row groups in file order)."""
        self.total += stats.rows
        for n in self.others:
            self.moments[n].merge(stats.npv[n])
            self.positive[n] += stats.positive[n]
            self.hits[n] += stats.hits[n]
        for n in self.names:
            self.tco[n].merge(stats.tco[n])
        self.every.merge(stats.every)
        if stats.chosen is not None:
            self.chosen.merge(stats.chosen)

    def add(self, batch: dict[str, np.ndarray]) -> None:
        """Add one row group (its columns as arrays; a payback month of 0 or NaN is none)."""
        self.merge(self.stats(batch))

    def finish(self, order: OrderStats, point: dict[str, dict[str, Any]],
               decomposition: Decomposition | None = None) -> Summary:
        """The summary, with the order statistics (quantiles, CVaR, histogram, median
        payback) from ``order``."""
        study, total, horizon = self.study, self.total, self.study.horizon_months
        reasons = feasibility(study)
        order.prepare(self.others)
        quantile = {n: dict(zip(NPV_QS, order.npv_quantiles(n, NPV_QS), strict=True))
                    for n in self.others}
        lo = min((q[0.005] for q in quantile.values()), default=0.0)
        hi = max((q[0.995] for q in quantile.values()), default=0.0)
        best_all, regret_all = self.every.p_best(), self.every.expected_regret()
        best_ok, regret_ok = self.chosen.p_best(), self.chosen.expected_regret()
        out = {}
        for n in self.names:
            s = study.strategies[n]
            se: float | None
            if n == study.baseline:
                q = dict.fromkeys(NPV_QS, 0.0)
                mean = se = sd = 0.0
                cdf = tuple(0.0 for _ in range(horizon))
                hist: tuple[tuple[float, ...], tuple[int, ...]] = ((0.0, 0.0), (total,))
                tails = (0, 0)
                p_pos = 0.0
                cvar5 = 0.0
                median_fractional = None
            else:
                q = quantile[n]
                mom = self.moments[n]
                mean = mom.mean
                sd = math.sqrt(mom.m2 / (total - 1)) if total > 1 else 0.0
                se = sd / math.sqrt(total) if total >= MIN_SE_SAMPLES else None
                cdf = tuple((np.cumsum(self.hits[n][1:]) / total).tolist())
                median_fractional = (None if not cdf or cdf[-1] < 0.5
                                     else order.median_payback(n))
                hist, tails = order.npv_histogram(n, lo, hi)
                p_pos = self.positive[n] / total
                cvar5 = order.npv_cvar(n)
            in_choice = n in self.ok
            out[n] = StrategySummary(
                name=n, kind=s.kind, is_baseline=s.is_baseline, n=total, payback_cdf=cdf,
                npv_mean=mean, npv_mean_se=se, npv_sd=sd, npv_quantiles=q,
                p_npv_positive=p_pos, p_best=best_ok[n] if in_choice else None,
                tco_mean=self.tco[n].mean, npv_hist=hist, point_estimate=point.get(n, {}),
                infeasible_reason=reasons[n], cvar5=cvar5,
                regret=regret_ok[n][0] if in_choice else None,
                regret_se=(regret_ok[n][1] if in_choice and total >= MIN_SE_SAMPLES
                           else None),
                payback_median_fractional=median_fractional, p_best_all=best_all[n],
                regret_all=regret_all[n][0],
                regret_all_se=regret_all[n][1] if total >= MIN_SE_SAMPLES else None,
                npv_tails=tails, label=s.label,
            )
        recommended = recommend(study, out)
        focus = focus_of(study, out, recommended)
        why = (decomposition.reason(focus)
               if decomposition is not None and focus in decomposition.strategies() else "")
        conflicts = latency_conflicts(study)
        return Summary(study, out, recommended, answer_sentence(study, out, recommended),
                       verdict(study, out, recommended, reason=why, conflicts=conflicts),
                       tuple(latency_warning(study, n, w) for n, w in conflicts.items()),
                       decomposition)


class OrderStats:
    """Exact order statistics of each strategy's NPV and fractional payback, from
    samples.parquet streamed one row group at a time (bounded memory, several passes).

    :class:`MemoryOrderStats` gives the same numbers from columns held in memory.
    """

    def __init__(self, path: str | Path, n: int) -> None:
        self.path, self.n = path, n

    def prepare(self, strategies: Sequence[str]) -> None:
        """Find ahead what the summary of ``strategies`` will ask for, where that is
        faster at once (nothing here: the file is streamed for each figure)."""

    def _batches(self, name: str) -> Callable[[], Iterator[np.ndarray]]:
        def column() -> Iterator[np.ndarray]:
            return (b[name] for b in iter_columns(self.path, [name]))

        return column

    def npv_quantiles(self, strategy: str, qs: Sequence[float]) -> list[float]:
        """NPV quantiles (numpy's linear interpolation)."""
        return quantiles(self._batches(col("npv", strategy)), self.n, qs)

    def npv_cvar(self, strategy: str) -> float:
        """CVaR 5% of the NPV (:func:`sim.runner.stats.cvar`)."""
        return cvar_stream(self._batches(col("npv", strategy)), self.n)

    def npv_histogram(self, strategy: str, lo: float, hi: float) -> Histogram:
        """:data:`HIST_BINS` equal bins of the NPV between ``lo`` and ``hi``, and the counts
        below and above that range."""
        return _histogram(self._batches(col("npv", strategy)), lo, hi)

    def median_payback(self, strategy: str) -> float | None:
        """Median fractional payback (no payback counting as infinite): the ceil(n/2)-th
        smallest value, the same order statistic as the whole-month median; None beyond
        the horizon."""
        name = col("payback_months", strategy)

        def column() -> Iterator[np.ndarray]:
            for b in iter_columns(self.path, [name]):
                yield np.where(np.isnan(b[name]), np.inf, b[name])

        value = select(column, [(self.n - 1) // 2])[0]
        return value if math.isfinite(value) else None


class MemoryOrderStats(OrderStats):
    """:class:`OrderStats` from each strategy's NPV and fractional payback in memory: the
    same values (an order statistic is the same whatever finds it, here a sort; the sum
    over CVaR's tail is added row group by row group, as from the file).

    Each strategy's NPV is sorted once for its quantiles, CVaR's edge and histogram (the
    counts between the edges, found by bisection); ``keep_sorted`` keeps every strategy's
    sorted NPV until the object goes (else only the last one: memory of one column).
    """

    def __init__(self, npv: dict[str, np.ndarray], payback_months: dict[str, np.ndarray],
                 row_group: int, *, keep_sorted: bool = True) -> None:
        n = next(iter(npv.values())).size if npv else 0
        super().__init__("", n)
        self.npv, self.payback_months, self.row_group = npv, payback_months, row_group
        self._keep_sorted = keep_sorted
        self._sorted: dict[str, np.ndarray] = {}
        self._medians: dict[str, float | None] = {}

    def prepare(self, strategies: Sequence[str]) -> None:
        # every strategy's sort and median payback at once, half of them on a second
        # thread (when they are kept: else one column at a time, in the caller's order);
        # those prepared already (by an earlier call) are not sorted again
        todo = [s for s in strategies if s not in self._medians]
        if not self._keep_sorted or not todo:
            return

        def find(names: Sequence[str]) -> None:
            for s in names:
                self._sorted[s] = np.sort(self._npv(s))
                self._medians[s] = self._median_payback(s)

        if len(todo) == 1:
            find(todo)
            return
        other = started(lambda: find(todo[1::2]))
        find(todo[::2])
        other()

    def _npv(self, strategy: str) -> np.ndarray:
        return self.npv[strategy]

    def _payback_months(self, strategy: str) -> np.ndarray:
        return self.payback_months[strategy]

    def _sorted_npv(self, strategy: str) -> np.ndarray:
        x = self._sorted.get(strategy)
        if x is None:
            if not self._keep_sorted:
                self._sorted.clear()  # the previous one goes before the next is made
            x = self._sorted[strategy] = np.sort(self._npv(strategy))
        return x

    def _ranks(self, strategy: str) -> Callable[[list[int]], list[float]]:
        x = self._sorted_npv(strategy)
        return lambda ranks: [float(x[r]) for r in ranks]

    def npv_quantiles(self, strategy: str, qs: Sequence[float]) -> list[float]:
        x = self._npv(strategy)
        return quantiles(lambda: [x], x.size, qs, find=self._ranks(strategy))

    def npv_cvar(self, strategy: str) -> float:
        x = self._npv(strategy)
        groups = self.row_group
        return cvar_stream(lambda: (x[a:a + groups] for a in range(0, x.size, groups)),
                           x.size, find=self._ranks(strategy))

    def npv_histogram(self, strategy: str, lo: float, hi: float) -> Histogram:
        # the NPVs are finite (sim.runner.guard): in sorted order, a bin's count is the
        # difference of two bisections, as numpy's histogram counts it with these edges
        x = self._sorted_npv(strategy)
        lo, hi = _range(lo, hi)
        edges = np.linspace(lo, hi, HIST_BINS + 1)
        cum = np.concatenate([x.searchsorted(edges[:-1], "left"),
                              x.searchsorted(edges[-1:], "right")])
        below = int(x.searchsorted(lo, "left"))
        above = x.size - int(x.searchsorted(hi, "right"))
        return (tuple(edges.tolist()), tuple(np.diff(cum).tolist())), (below, above)

    def median_payback(self, strategy: str) -> float | None:
        if strategy in self._medians:
            return self._medians[strategy]
        return self._median_payback(strategy)

    def _median_payback(self, strategy: str) -> float | None:
        # no payback (NaN) counts as infinite: a partition puts NaN after every number, as
        # it would the infinity, so the order statistic is a number in the same cases and
        # then the same one
        x = self._payback_months(strategy)
        value = partition_select(x, [(x.size - 1) // 2])[0]
        return value if math.isfinite(value) else None


class ColumnOrderStats(MemoryOrderStats):
    """:class:`MemoryOrderStats` of samples.parquet, its columns read back whole one at a
    time (memory: one column), or each strategy's NPV from ``npv`` when the run kept it:
    the same values as :class:`OrderStats` streams from the file.

    With every strategy's NPV in ``npv`` (they fit in memory: so do their sorted copies),
    :meth:`prepare` sorts them and finds the median paybacks (each payback column read back
    on the thread that needs it) half on a second thread, as :class:`MemoryOrderStats`
    does: a 10^6-sample run's summary of five strategies took 0.16 s on one."""

    def __init__(self, path: str | Path, n: int, row_group: int,
                 npv: dict[str, np.ndarray] | None = None) -> None:
        super().__init__(npv or {}, {}, row_group, keep_sorted=bool(npv))
        self.path, self.n = path, n
        self._last: tuple[str, np.ndarray] | None = None

    def prepare(self, strategies: Sequence[str]) -> None:
        if all(s in self.npv for s in strategies):
            super().prepare(strategies)

    def _column(self, name: str) -> np.ndarray:
        if self._last is None or self._last[0] != name:
            self._last = None  # the previous column goes before the next one is read
            self._last = (name, read_column(self.path, name))
        return self._last[1]

    def _npv(self, strategy: str) -> np.ndarray:
        if strategy in self.npv:
            return self.npv[strategy]
        return self._column(col("npv", strategy))

    def _payback_months(self, strategy: str) -> np.ndarray:
        if self._keep_sorted:  # read for one median, on prepare's threads: not kept
            return read_column(self.path, col("payback_months", strategy))
        return self._column(col("payback_months", strategy))  # one column in memory


def file_order_stats(path: str | Path, n: int, row_group: int,
                     npv: dict[str, np.ndarray] | None = None) -> OrderStats:
    """The order statistics of a samples file of ``n`` rows: from columns read back whole
    (:class:`ColumnOrderStats`, the NPVs from ``npv`` when given) while one column fits in
    :data:`COLUMN_BYTES`, else streamed (:class:`OrderStats`); the same values either way.

    Examples
    --------
    >>> type(file_order_stats("samples.parquet", 10**6, 65536)).__name__
    'ColumnOrderStats'
    >>> type(file_order_stats("samples.parquet", 10**9, 65536)).__name__
    'OrderStats'
    """
    if n * 8 <= COLUMN_BYTES:
        return ColumnOrderStats(path, n, row_group, npv)
    return OrderStats(path, n)


def partition_select(x: np.ndarray, ranks: Sequence[int]) -> list[float]:
    """The values of the given 0-based order statistics of ``x`` (a partial sort).

    Examples
    --------
    >>> partition_select(np.array([3.0, 1.0, 2.0]), [0, 2])
    [1.0, 3.0]
    """
    # numpy's vectorized sort beats a partition on more than one rank (100,000 values:
    # 0.5 ms against 1-3.5 ms); both leave the same value at every rank
    part = np.partition(x, list(ranks)) if len(ranks) == 1 else np.sort(x)
    return [float(part[r]) for r in ranks]


def summarize(study: Study, path: str | Path, point: dict[str, dict[str, Any]],
              decomposition: Decomposition | None = None) -> Summary:
    """Summarize the samples file of a run of ``study`` (streamed: bounded memory).

    Parameters
    ----------
    study : Study
        The study that was run.
    path : path
        Its samples.parquet.
    point : dict
        The static point estimate per strategy (:func:`sim.runner.point.point_estimate`).
    decomposition : Decomposition, optional
        The spreadsheet figure explained (:func:`sim.runner.decomposition.explain`); its
        ``reason`` (the effects that cost the strategy discussed the most) ends the
        verdict's sentence about a strategy that loses money.
    """
    acc = Accumulator(study)
    for batch in iter_columns(path, acc.columns()):
        acc.add(batch)
    return acc.finish(OrderStats(path, acc.total), point, decomposition)


def _range(lo: float, hi: float) -> tuple[float, float]:
    """The histogram's range: [lo, hi], or one of some width when ``hi`` is not above
    ``lo``."""
    if not hi > lo:
        hi = lo + max(abs(lo) * 1e-6, 1.0)
    return lo, hi


def _histogram(column: Callable[[], Iterator[np.ndarray]], lo: float, hi: float
               ) -> Histogram:
    """Counts of ``HIST_BINS`` even bins over [lo, hi] (the same range for every strategy,
    so their histograms share one axis), and the counts below and above it: the tails are
    counted apart, never folded into the edge bins."""
    lo, hi = _range(lo, hi)
    edges = np.linspace(lo, hi, HIST_BINS + 1)
    counts = np.zeros(HIST_BINS, np.int64)
    below = above = 0
    for x in column():
        c, _ = np.histogram(x, bins=edges)
        counts += c
        below += int(np.count_nonzero(x < lo))
        above += int(np.count_nonzero(x > hi))
    return (tuple(edges.tolist()), tuple(counts.tolist())), (below, above)


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
