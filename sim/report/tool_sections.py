"""HTML sections of the decision tools (two-input break-even map, stress and tail analysis,
the value of a pilot, Shapley effects), in the :class:`~sim.report.sections.Section`
convention: a heading, a body with chart placeholders and the charts by key."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from sim.display import money, number, plus_minus, short
from sim.report import tool_charts as charts
from sim.report.page import table
from sim.report.sections import Section

if TYPE_CHECKING:  # annotations only: the report of a run needs none of the tools' modules
    from sim.decision.pilot import PilotValue
    from sim.decision.shapley import ShapleyResult
    from sim.decision.stress import StressResult
    from sim.decision.sweep_map import BreakEvenMap
    from sim.decision.tail import TailDrivers


def _div(key: str) -> str:
    return f'<div class="chart" id="chart-{key}"></div>'


def map_section(m: BreakEvenMap, *, key: str = "map") -> Section:
    """The two-input break-even map: heatmap with its 50% contour, the best strategy per
    cell, and the contour points."""
    pts = m.contour.filter(pl.col("along") == "param").sort("value2")
    items = "".join(
        f"<li>{html.escape(short(m.param2))} = {number(r['value2'])}: P(payback ≤ {m.months}) "
        f"of {html.escape(m.strategy)} crosses {r['level']:.0%} at {html.escape(short(m.param))}"
        f" ≈ {plus_minus(r['value'], r['se'])}</li>"
        for r in pts.iter_rows(named=True))
    winners = m.best["best"].value_counts(sort=True)
    share = ", ".join(f"{html.escape(b)} in {c} of {m.best.height} cells"
                      for b, c in winners.iter_rows())
    body = (f"<p>P(payback ≤ {m.months}) of <b>{html.escape(m.strategy)}</b> over "
            f"{html.escape(short(m.param))} and {html.escape(short(m.param2))}; each cell is "
            f"{m.samples:,} samples on common random numbers. Best strategy by E[NPV] among "
            f"those meeting the constraints: {share}.</p>{_div(key)}"
            + (f"<ul>{items}</ul>" if items else
               "<p>P(payback) does not cross 50% along the first input in this grid.</p>"))
    rows = [[number(r["value"]), number(r["value2"]), f"{r['p_payback']:.3f}",
             money(r["npv_mean"]), r["best"]]
            for r in m.table().filter(pl.col("strategy") == m.strategy).iter_rows(named=True)]
    body += table([short(m.param), short(m.param2), f"P(payback ≤ {m.months})", "E[NPV]",
                   "best"], rows, left=(4,))
    chart = charts.map_chart(m.frame.filter(pl.col("strategy") == m.strategy), m.best,
                             m.contour, param=m.param, param2=m.param2, strategy=m.strategy,
                             months=m.months, logs=(m.scale == "log", m.scale2 == "log"))
    return Section("Two-input break-even map", body, {key: chart})


def stress_section(tail: TailDrivers, stress: StressResult, *, top: int = 12,
                   key: str = "") -> Section:
    """What drives the worst outcomes (tail drivers), and the stress runs beside the base."""
    s = tail.strategy
    t = tail.table().head(top)
    rows = [[short(r["input"]), f"{r['ks']:.3f}", "yes" if r["drives"] else "no",
             number(r["median_all"]), number(r["median_tail"]),
             "–" if r["median_shift"] != r["median_shift"] else f"{r['median_shift']:+.2f}",
             r["direction"]] for r in t.iter_rows(named=True)]
    body = [f"<p>The worst {tail.fraction:.0%} of <b>{html.escape(s)}</b>'s NPV (below "
            f"{money(tail.threshold)}, mean {money(tail.cvar)}, {tail.n:,} samples). Each input "
            "is ranked by the Kolmogorov–Smirnov distance between its distribution in those "
            "samples and over all of them (0: the tail draws it like any sample; "
            f"{1 - tail.fraction:.1f}: it alone defines the tail); beyond the dashed line the "
            "difference is more than noise (5% level).</p>", _div(f"{key}tail"),
            table(["input", "KS", "beyond noise", "median", "tail median", "shift (IQR)",
                   "tail draws it"], rows, left=(0, 6))]
    mine = stress.table().filter(pl.col("strategy") == s)
    srows = [[r["scenario"], money(r["npv_mean"]), money(r["npv_p10"]), money(r["npv_p90"]),
              f"{r['p_payback']:.3f}",
              "–" if r["scenario"] == "base" else
              f"{money(r['delta_npv'])} ± {money(r['delta_npv_se'])}"]
             for r in mine.iter_rows(named=True)]
    items = "".join(f"<li>{html.escape(x)}</li>" for x in stress.sentences(s))
    body += ["<p>Stress runs: the study rerun with one input held in a percentile band (its "
             "own distribution restricted to the band), every other input on the same draws "
             "(common random numbers).</p>", f"<ul>{items}</ul>", _div(f"{key}stress"),
             table(["scenario", "E[NPV]", "NPV P10", "NPV P90",
                    f"P(payback ≤ {stress.months})", "Δ E[NPV] ± se"], srows)]
    out: dict[str, alt.TopLevelMixin] = {
        f"{key}tail": charts.tail_chart(tail.table(), strategy=s, fraction=tail.fraction,
                                        top=top),
        f"{key}stress": charts.stress_chart(mine, strategy=s)}
    return Section("What drives the worst outcomes?", "\n".join(body), out)


def shapley_section(res: ShapleyResult, strategy: str, *, top: int = 12,
                    key: str = "") -> Section:
    """Shapley effects of one strategy's output: chart and table, with how they were
    estimated."""
    rows = res.table(strategy)
    label = res.metric.label
    trs = [[short(r["input"]), f"{r['shapley'] if abs(r['shapley']) >= 5e-4 else 0.0:.3f}",
            f"{r['se']:.3f}"]
           for r in rows.head(top).iter_rows(named=True)]
    why = ("The study states rank correlations between inputs, which Sobol' indices ignore; "
           "Shapley effects share the variance among correlated inputs (an input the model "
           "ignores but that moves with one it uses takes part of that one's share)."
           if res.correlated else "The inputs are independent here.")
    body = (f"<p>Shapley effects of {html.escape(label)} of <b>{html.escape(strategy)}</b>: each "
            f"input's share of its variance (they sum to 1). {why}</p>{_div(f'{key}shapley')}"
            + table(["input", "Shapley effect", "± se"], trs)
            + f'<p class="muted">Song–Nelson–Staum random permutations ({res.permutations:,} '
              "orders, 3 inner draws, correlated inputs drawn from the Gaussian copula the "
              f"sampling plan induces; {res.evaluations:,} model evaluations).</p>")
    chart = charts.shapley_chart(rows, title=f"Shapley effects: {label}, {strategy}", top=top)
    return Section("Sensitivity with correlated inputs (Shapley effects)", body,
                   {f"{key}shapley": chart})


def pilot_section(p: PilotValue, *, key: str = "") -> Section:
    """The value of a pilot: the sentence, EVSI beside its ceilings, and how it is computed."""
    rows = [[r["what"], money(r["value"]), money(r["se"])]
            for r in p.table().iter_rows(named=True)]
    body = (f"<p>{html.escape(p.sentence())}</p>{_div(f'{key}pilot')}"
            + table(["", "value", "± se"], rows)
            + '<p class="muted">Preposterior analysis on the samples: the pilot sees '
              f"k reviews in {p.examples:,} examples (binomial in the true rate); the study's "
              "draws of the rate, weighted by that likelihood, are its posterior; the best "
              "strategy given k is learnt on half the samples and scored on the other half "
              "(cross-fitted). ± are Monte Carlo standard errors. <code>ftrisk pilot</code> "
              "values other pilots and gives a verdict against their cost.</p>")
    return Section("The value of a pilot", body,
                   {f"{key}pilot": charts.pilot_chart(p.table(), cost=p.cost)})
