"""What a portfolio run produced, with ``.table()`` views as polars DataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from sim.portfolio.flows import MemberFlows
from sim.portfolio.optimize import Pick, Search
from sim.portfolio.spec import Portfolio
from sim.runner.stats import cvar

__all__ = ["Figures", "PortfolioResult", "figures"]


@dataclass(frozen=True)
class Figures:
    """Distribution summary of one plan's portfolio NPV and payback.

    Attributes
    ----------
    npv_mean, npv_se : float
        E[NPV] and its Monte Carlo standard error.
    npv_p10, npv_p50, npv_p90, cvar5, p_npv_positive : float
    p_payback : float
        P(portfolio payback <= N), N the portfolio's ``payback_months``; ``p_payback_se``
        its standard error.
    payback_median : int or None
        Median payback month (None: the median future does not pay back in the horizon).
    """

    npv_mean: float
    npv_se: float
    npv_p10: float
    npv_p50: float
    npv_p90: float
    cvar5: float
    p_npv_positive: float
    p_payback: float
    p_payback_se: float
    payback_median: int | None

    def row(self) -> dict[str, Any]:
        """The figures as one table row."""
        return dict(self.__dict__)


def figures(npv: NDArray[np.float64], payback: NDArray[np.int64], months: int) -> Figures:
    """The figures of per-sample portfolio NPV and payback months (0: none).

    Examples
    --------
    >>> f = figures(np.array([-1.0, 1.0, 2.0, 3.0]), np.array([0, 3, 12, 20]), 12)
    >>> f.npv_mean, f.p_payback, f.payback_median
    (1.25, 0.5, 12)
    """
    n = npv.size
    p = float(np.mean((payback > 0) & (payback <= months)))
    never = np.where(payback > 0, payback, np.iinfo(np.int64).max)
    median = int(np.sort(never)[(n - 1) // 2]) if n else 0
    q = np.quantile(npv, [0.1, 0.5, 0.9])
    return Figures(float(npv.mean()), float(npv.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
                   float(q[0]), float(q[1]), float(q[2]), cvar(npv),
                   float(np.mean(npv > 0)), p, float(np.sqrt(p * (1 - p) / n)),
                   None if median == np.iinfo(np.int64).max else median)


@dataclass(frozen=True)
class PortfolioResult:
    """A portfolio run: the best plan, its distribution, and the alternatives.

    Attributes
    ----------
    portfolio : Portfolio
    search : Search
        The best plan (picks in start order, start offsets) and the ranking.
    best : Figures
        The best plan's figures.
    timings : dict of str to (tuple of int, Figures)
        The best plan's projects timed ``"scheduled"`` (its own start months),
        ``"parallel"`` (all in month 1, hours unlimited) and ``"sequential"`` (one after
        another's build), with their start offsets.
    standalone : polars.DataFrame
        Every member's every strategy started in month 1 on its own.
    samples : polars.DataFrame
        One row per sample: portfolio ``npv``, ``payback_month`` (null: none), each
        member's NPV contribution ``npv.<member>`` and the shared inputs' values.
    """

    portfolio: Portfolio
    search: Search
    best: Figures
    timings: dict[str, tuple[tuple[int, ...], Figures]]
    standalone: pl.DataFrame
    samples: pl.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    def name_of(self, pick: Pick) -> str:
        """``member:strategy`` of a pick."""
        return f"{self.portfolio.members[pick[0]].name}:{pick[1]}"

    @property
    def value_of_parallel(self) -> float:
        """E[NPV] of starting the chosen projects all at once minus one after another."""
        return self.timings["parallel"][1].npv_mean - self.timings["sequential"][1].npv_mean

    @property
    def cost_of_limits(self) -> float:
        """E[NPV] of the parallel start minus the schedule the hours limit allows."""
        return self.timings["parallel"][1].npv_mean - self.timings["scheduled"][1].npv_mean

    def table(self) -> pl.DataFrame:
        """Each member's contribution to the best plan: strategy (null: none), start month,
        E[NPV] contribution and its share, and the project's expected figures.

        Examples
        --------
        >>> result.table().columns[:3]  # doctest: +SKIP
        ['member', 'strategy', 'start_month']
        """
        starts = dict(zip(self.search.picks, self.search.starts, strict=True))
        chosen = {m: (c, d) for (m, c), d in starts.items()}
        total = self.best.npv_mean
        rows = []
        for i, m in enumerate(self.portfolio.members):
            c, d = chosen.get(i, (None, None))
            contribution = float(self.samples[f"npv.{m.name}"].to_numpy().mean())
            row = {"member": m.name, "strategy": c,
                   "start_month": None if d is None else d + 1,
                   "npv_contribution": contribution,
                   "share": contribution / total if total else None}
            sa = self.standalone.filter((pl.col("member") == m.name) &
                                        (pl.col("strategy") == c)) if c else None
            for k in ("upfront", "engineering_hours", "mlops_fte", "build_months"):
                row[k] = None if sa is None else float(sa[k].to_numpy()[0])
            rows.append(row)
        return pl.DataFrame(rows, schema={
            "member": pl.String, "strategy": pl.String, "start_month": pl.Int64,
            "npv_contribution": pl.Float64, "share": pl.Float64, "upfront": pl.Float64,
            "engineering_hours": pl.Float64, "mlops_fte": pl.Float64,
            "build_months": pl.Float64})

    def timing_table(self) -> pl.DataFrame:
        """The chosen projects timed scheduled / parallel / sequential: start months and
        figures."""
        rows = []
        for name, (starts, f) in self.timings.items():
            rows.append({"timing": name,
                         "starts": ", ".join(f"{self.name_of(p)}@{d + 1}" for p, d in
                                             zip(self.search.picks, starts, strict=True)),
                         **f.row()})
        return pl.DataFrame(rows)

    def plans_table(self) -> pl.DataFrame:
        """The best distinct plans scored: picks in start order with their start months,
        the objective's value and E[NPV]."""
        rows = [{"rank": r + 1,
                 "plan": ", ".join(f"{self.name_of(p)}@{d + 1}" for p, d in
                                   zip(picks, starts, strict=True)) or "(none)",
                 "objective": value, "npv_mean": mean}
                for r, (picks, starts, value, mean) in enumerate(self.search.ranked)]
        return pl.DataFrame(rows, schema={"rank": pl.Int64, "plan": pl.String,
                                          "objective": pl.Float64, "npv_mean": pl.Float64})

    def to_json(self) -> dict[str, Any]:
        """summary.json of a portfolio run."""
        p = self.portfolio
        return {
            "portfolio": p.name, "file": p.file, "samples": p.samples, "seed": p.seed,
            "sampling": p.sampling, "horizon_months": p.horizon_months,
            "objective": p.objective, "payback_months": p.payback_months,
            "limits": dict(p.limits.__dict__),
            "shared": {k: str(d) for k, d in p.shared.items()},
            "search": {"method": self.search.method, "schedules": self.search.schedules},
            "best": {"plan": [{"member": p.members[m].name, "strategy": c,
                               "start_month": d + 1} for (m, c), d in
                              zip(self.search.picks, self.search.starts, strict=True)],
                     **self.best.row()},
            "members": self.table().to_dicts(),
            "timings": self.timing_table().to_dicts(),
            "value_of_parallel_over_sequential": self.value_of_parallel,
            "cost_of_hours_limit": self.cost_of_limits,
            "plans": self.plans_table().to_dicts(),
            "standalone": self.standalone.to_dicts(),
            "warnings": list(p.warnings),
        }


def standalone_table(portfolio: Portfolio, flows: list[MemberFlows], months: int
                     ) -> pl.DataFrame:
    """Every member's every strategy started in month 1, alone."""
    from sim.portfolio.optimize import payback_months_of

    rows = []
    for m, f in zip(portfolio.members, flows, strict=True):
        for c, cf in f.choices.items():
            pb = payback_months_of(cf.cum)
            fig = figures(cf.npv[0], pb, months)
            rows.append({"member": m.name, "strategy": c, "npv_mean": fig.npv_mean,
                         "npv_se": fig.npv_se, "cvar5": fig.cvar5, "p_payback": fig.p_payback,
                         "upfront": cf.upfront, "engineering_hours": cf.hours,
                         "mlops_fte": cf.fte, "build_months": cf.build_months})
    return pl.DataFrame(rows)
