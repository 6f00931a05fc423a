"""HTML for decision analyses: report sections (for report.html) and standalone pages.

A :class:`Section` is a heading, an HTML body with chart placeholders
``<div class="chart" id="chart-KEY"></div>`` and the altair charts by KEY, the convention
of :func:`sim.report.run_report.render`, which embeds each chart's spec into its placeholder.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from sim.decision.analysis import DecisionAnalysis
from sim.decision.compare import Comparison
from sim.decision.sobol import SobolResult
from sim.decision.sweep import Sweep
from sim.decision.tornado import Tornado
from sim.display import money, number, short
from sim.report import decision_charts as charts
from sim.report.page import html_page, table


@dataclass(frozen=True)
class Section:
    """A part of a page: heading, HTML body with chart placeholders, and the charts."""

    heading: str
    body: str
    charts: dict[str, alt.TopLevelMixin]


def _div(key: str) -> str:
    return f'<div class="chart" id="chart-{key}"></div>'


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1) -> str:
    return table(header, rows, left=left)


def comparison_frame(source: Any) -> pl.DataFrame:
    """``strategy, p05, p10, p50, p90, p95, mean`` for :func:`charts.comparison_chart`.

    ``source`` is a :class:`Comparison`, or a run's :class:`sim.runner.summary.Summary` (its NPV
    quantiles; where it lacks P95 the P99.5 stands in).
    """
    if isinstance(source, Comparison):
        return source.frame.filter(~pl.col("baseline")).select(
            "strategy", p05="npv_p05", p10="npv_p10", p50="npv_p50", p90="npv_p90",
            p95="npv_p95", mean="npv_mean")
    rows = []
    for s in source.strategies.values():
        if s.is_baseline:
            continue
        q = s.npv_quantiles
        rows.append({"strategy": s.name, "p05": q[0.05], "p10": q[0.1], "p50": q[0.5],
                     "p90": q[0.9], "p95": q.get(0.95, q.get(0.995)), "mean": s.npv_mean})
    return pl.DataFrame(rows)


def comparison_section(c: Comparison) -> Section:
    """Strategy comparison: the distributions side by side, the table, the recommendation."""
    months = [col.removeprefix("p_payback_") for col in c.frame.columns
              if col.startswith("p_payback_") and not col.endswith("_se")]
    header = ["strategy", "E[NPV] ± se", "P10", "P50", "P90", "CVaR 5%", "P(NPV>0)",
              "P(best)", "E[regret]", *(f"P(payback ≤ {m})" for m in months)]
    rows = []
    for r in c.frame.iter_rows(named=True):
        name = r["strategy"] + (" (baseline)" if r["baseline"] else "") + (
            "" if r["feasible"] else f" (infeasible: {r['infeasible_reason']})")
        rows.append([name, f"{money(r['npv_mean'])} ± {money(r['npv_mean_se'])}",
                     money(r["npv_p10"]), money(r["npv_p50"]), money(r["npv_p90"]),
                     money(r["cvar5"]), f"{r['p_npv_positive']:.3f}", f"{r['p_best']:.3f}",
                     money(r["regret"]),
                     *(f"{r[f'p_payback_{m}']:.3f}" for m in months)])
    pick = ("no strategy meets the study's constraints" if c.recommended is None
            else f"<b>{html.escape(c.recommended)}</b>")
    body = (f"<p>Recommended under {html.escape(c.criterion_label)}: {pick}. Regret is what "
            "a strategy loses, on "
            "average, against the best one in each sample; CVaR 5% is its average NPV in its "
            f"worst 5% of samples.</p>{_div('comparison')}{_table(header, rows)}")
    return Section("Strategy comparison", body,
                   {"comparison": charts.comparison_chart(comparison_frame(c))})


def _tornado_rows(t: Tornado, strategy: str, top: int) -> list[list[str]]:
    fmt = (lambda v: f"{v:.3f}") if t.metric.is_probability else money
    rows = t.table(strategy).filter(pl.col("swing") > 0).head(top)
    return [[short(r["input"]), f"{number(r['low_value'])} → {number(r['high_value'])}",
             fmt(r["low"]), fmt(r["high"]), fmt(r["swing"])]
            for r in rows.iter_rows(named=True)]


def tornado_section(tornado: Tornado, strategy: str, *, deciles: Tornado | None = None,
                    correlations: pl.DataFrame | None = None, sobol: SobolResult | None = None,
                    top: int = 12, key: str = "") -> Section:
    """One strategy's sensitivity: classic tornado (chart, table), then whatever is given of
    the sample-based tornado, rank correlations and Sobol' indices. ``key`` prefixes the
    chart keys (several strategies on one page)."""
    label = tornado.metric.label
    prob = tornado.metric.is_probability
    held = ("the other inputs sampled on common random numbers" if tornado.method ==
            "conditional" else "every other input at its median")
    rows = tornado.table(strategy)
    if not rows.height:
        return Section("Which unknown matters most?", "<p>Every input is fixed: nothing "
                       "moves the answer.</p>", {})
    base_txt = f"{rows['base'][0]:.3f}" if prob else money(rows["base"][0])
    silent = rows.filter(pl.col("swing") == 0)["input"].to_list()
    body = [f"<p>{label} of <b>{html.escape(strategy)}</b> with each uncertain input at its "
            f"P10 and at its P90 and {held} (base {base_txt}).</p>", _div(f"{key}tornado"),
            _table(["input", "low → high", f"{label} low", f"{label} high", "swing"],
                   _tornado_rows(tornado, strategy, top))]
    if silent:
        body.append(f"<p class=\"muted\">No influence on {html.escape(strategy)}: "
                    f"{html.escape(', '.join(short(p) for p in silent))}.</p>")
    if deciles is not None:
        body += ["<p>From the samples themselves: the same output when the input lies in its "
                 "lowest vs its highest decile.</p>",
                 _table(["input", "decile edges", f"{label} lowest 10%",
                         f"{label} highest 10%", "swing"], _tornado_rows(deciles, strategy,
                                                                          top))]
    out: dict[str, alt.TopLevelMixin] = {f"{key}tornado": charts.tornado_chart(
        rows, probability=prob, label=label, title=f"Tornado: {label}, {strategy}")}
    corr = (correlations if correlations is not None else pl.DataFrame(
        schema={"strategy": pl.String, "input": pl.String, "spearman": pl.Float64}))
    corr = corr.filter(pl.col("strategy") == strategy)
    if sobol is None and corr.height:
        body += ["<p>Spearman rank correlation of each input with the output:</p>",
                 _table(["input", "Spearman"], [[short(p), f"{r:+.3f}"] for p, r in
                                                corr.head(top).select("input", "spearman")
                                                .rows()])]
    if sobol is not None:
        body += [_sobol_html(sobol, strategy, corr, top), _div(f"{key}sobol")]
        out[f"{key}sobol"] = charts.sobol_chart(sobol.table(strategy),
                                                title=f"Sobol' indices: {label}, {strategy}")
    return Section("Which unknown matters most?", "\n".join(body), out)


def sensitivity_section(a: DecisionAnalysis, *, top: int = 12) -> Section:
    """Tornadoes (classic and sample-based), rank correlations and Sobol' indices."""
    return tornado_section(a.tornado, a.focus, deciles=a.sample_tornado,
                           correlations=a.correlations, sobol=a.sobol, top=top)


def _sobol_html(sob: SobolResult, focus: str, corr: pl.DataFrame, top: int) -> str:
    rho = dict(zip(corr["input"].to_list(), corr["spearman"].to_list(), strict=True))
    rows = [[short(r["input"]), f"{rho.get(r['input'], 0.0):+.3f}",
             f"{r['S1']:.3f} [{r['S1_lo']:.3f}, {r['S1_hi']:.3f}]",
             f"{r['ST']:.3f} [{r['ST_lo']:.3f}, {r['ST_hi']:.3f}]"]
            for r in sob.table(focus).filter(pl.col("ST") > 0).head(top).iter_rows(named=True)]
    notes = "".join(f" {html.escape(n)}" for n in sob.notes)
    return (f"<p>Global sensitivity: Spearman rank correlation with the output, and Sobol' "
            f"first-order (S1: alone) and total (ST: with its interactions) shares of its "
            f"variance, {sob.confidence:.0%} bootstrap intervals, {sob.n:,} base samples."
            f"{notes}</p>"
            + _table(["input", "Spearman", "S1", "ST"], rows))


def voi_section(a: DecisionAnalysis, *, top: int = 10) -> Section:
    """EVPI and EVPPI: the report's sentences, chart and table."""
    v = a.voi
    items = "".join(f"<li>{html.escape(s)}</li>" for s in v.sentences())
    worth = v.frame.filter(pl.col("evppi") > 0)
    rows = [[short(r["name"]), r["method"], money(r["evppi"]), money(r["se"]),
             f"{r['share']:.0%}"] for r in worth.head(top).iter_rows(named=True)]
    zero = v.frame.height - worth.height
    body = (f"<ul>{items}</ul>{_div('voi')}"
            + _table(["input or group", "method", "EVPPI", "± se", "of EVPI"], rows)
            + (f"<p class=\"muted\">{zero} more never change the choice (EVPPI 0).</p>"
               if zero else "")
            + "<p class=\"muted\">Perfect information bounds what any real study is worth; "
              "EVPPI by quantile bins (one input) or regression (groups), cross-fitted so "
              "noise does not inflate it.</p>")
    return Section("Is it worth finding out first?", body,
                   {"voi": charts.voi_chart(v.frame, evpi=v.evpi.value)})


def sweep_section(sw: Sweep) -> Section:
    """The break-even map: chart, crossings and table."""
    lines = []
    for name in dict.fromkeys(sw.frame["strategy"].to_list()):
        for level in (0.5, 0.9):
            x = sw.crossing(name, level)
            where = (f"crosses {level:.0%} at {short(sw.param)} ≈ {number(x)}"
                     if x is not None else f"does not cross {level:.0%} in the range swept")
            lines.append(f"<li><b>{html.escape(name)}</b>: P(payback ≤ {sw.months}) "
                         f"{where}</li>")
    rows = [[number(r["value"]), r["strategy"], f"{r['p_payback']:.3f}",
             money(r["npv_mean"]), f"{r['p_best']:.3f}"]
            for r in sw.frame.iter_rows(named=True)]
    body = (f"<ul>{''.join(lines)}</ul>{_div('sweep')}"
            + _table([short(sw.param), "strategy", f"P(payback ≤ {sw.months})",
                      "E[NPV]", "P(best)"], rows)
            + f"<p class=\"muted\">Each value: {sw.samples:,} samples on common random "
              "numbers.</p>")
    return Section("Break-even map", body, {"sweep": charts.sweep_chart(
        sw.frame, sw.crossings, param=sw.param, months=sw.months, log=sw.scale == "log")})


def sections(a: DecisionAnalysis) -> list[Section]:
    """Every decision section of the report, in order."""
    out = [comparison_section(a.comparison), sensitivity_section(a), voi_section(a)]
    if a.sweep is not None:
        out.append(sweep_section(a.sweep))
    return out


def page(title: str, parts: Sequence[Section]) -> str:
    """A self-contained HTML page (the Vega JavaScript inlined: renders offline)."""
    body = f"<h1>{html.escape(title)}</h1>\n" + "\n".join(
        f"<h2>{html.escape(p.heading)}</h2>\n{p.body}" for p in parts)
    return html_page(title, body, {k: c.to_dict() for p in parts for k, c in p.charts.items()})
