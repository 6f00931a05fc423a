"""HTML sections of the decision tools (two-input break-even map, stress and tail analysis,
the value of a pilot, Shapley effects), in the :class:`~sim.report.sections.Section`
convention: a heading, a body with chart placeholders and the charts by key."""

from __future__ import annotations

import html

import polars as pl

from sim.decision.sweep_map import BreakEvenMap
from sim.display import money, number, plus_minus, short
from sim.report import tool_charts as charts
from sim.report.page import table
from sim.report.sections import Section


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
