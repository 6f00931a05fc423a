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
from sim.display import money, number, prob, share, short
from sim.report import decision_charts as charts
from sim.report.page import html_page, table
from sim.study import Study


@dataclass(frozen=True)
class Section:
    """A part of a page: heading, HTML body with chart placeholders, the charts, and the
    key of its ``<section id="sec-KEY">`` element."""

    heading: str
    body: str
    charts: dict[str, alt.TopLevelMixin]
    key: str = ""


def _div(key: str) -> str:
    return f'<div class="chart" id="chart-{key}"></div>'


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1) -> str:
    return table(header, rows, left=left)


def _label(study: Study, name: str) -> str:
    s = study.strategies.get(name)
    return s.label if s is not None else name


def _labels(study: Study) -> dict[str, str]:
    return {n: s.label for n, s in study.strategies.items()}


def comparison_frame(source: Any) -> pl.DataFrame:
    """``strategy, label, p05, p10, p50, p90, p95, mean`` for
    :func:`charts.comparison_chart`.

    ``source`` is a :class:`Comparison`, or a run's :class:`sim.runner.summary.Summary` (its NPV
    quantiles; where it lacks P95 the P99.5 stands in).
    """
    schema = {"strategy": pl.String, "label": pl.String, **{
        c: pl.Float64 for c in ("p05", "p10", "p50", "p90", "p95", "mean")}}
    if isinstance(source, Comparison):
        return source.frame.filter(~pl.col("baseline")).select(
            "strategy", label=pl.col("strategy"), p05="npv_p05", p10="npv_p10",
            p50="npv_p50", p90="npv_p90", p95="npv_p95", mean="npv_mean")
    rows = []
    for s in source.strategies.values():
        if s.is_baseline:
            continue
        q = s.npv_quantiles
        rows.append({"strategy": s.name, "label": s.label or s.name, "p05": q[0.05],
                     "p10": q[0.1], "p50": q[0.5], "p90": q[0.9],
                     "p95": q.get(0.95, q.get(0.995)), "mean": s.npv_mean})
    return pl.DataFrame(rows, schema=schema)


def comparison_section(c: Comparison, study: Study | None = None) -> Section:
    """Strategy comparison: the distributions side by side, the table, the recommendation.

    P(best) and E[regret] are among the strategies that meet the study's constraints;
    when the constraints leave one out, the figures ignoring them follow, labelled.
    """
    months = [col.removeprefix("p_payback_") for col in c.frame.columns
              if col.startswith("p_payback_") and not col.endswith("_se")]
    constrained = c.frame["p_best"].null_count() > 0
    header = ["strategy", "E[NPV] ± se", "P10", "P50", "P90", "CVaR 5%", "P(NPV>0)",
              "P(best)", "E[regret]", *(f"P(payback ≤ {m})" for m in months)]
    if constrained:
        header += ["P(best), constraints ignored", "E[regret], constraints ignored"]
    rows = []
    for r in c.frame.iter_rows(named=True):
        name = r["strategy"] + (" (baseline)" if r["baseline"] else "") + (
            "" if r["feasible"] else " (excluded)")
        row = [name, f"{money(r['npv_mean'])} ± {money(r['npv_mean_se'])}",
               money(r["npv_p10"]), money(r["npv_p50"]), money(r["npv_p90"]),
               money(r["cvar5"]), prob(r["p_npv_positive"]), prob(r["p_best"]),
               money(r["regret"]), *(prob(r[f"p_payback_{m}"]) for m in months)]
        if constrained:
            row += [prob(r["p_best_all"]), money(r["regret_all"])]
        rows.append(row)
    pick = ("no strategy meets the study's constraints" if c.recommended is None
            else f"<b>{html.escape(c.recommended)}</b>")
    excluded = "".join(f"<li>{html.escape(r['strategy'])}: {html.escape(r['infeasible_reason'])}"
                       "</li>" for r in c.frame.iter_rows(named=True) if not r["feasible"])
    body = (f"<p>Recommended under {html.escape(c.criterion_label)}: {pick}. Regret is what "
            "a strategy loses, on average, against the best one in each sample; CVaR 5% is "
            "its average NPV in its worst 5% of samples. P(best) and E[regret] are among the "
            "strategies that meet the study's constraints.</p>"
            + (f"<p>Excluded by the constraints:</p><ul>{excluded}</ul>" if excluded else "")
            + f"{_div('comparison')}{_table(header, rows)}")
    frame = comparison_frame(c)
    if study is not None:
        frame = frame.with_columns(label=pl.col("strategy").replace_strict(
            _labels(study), default=pl.col("strategy")))
    return Section("Strategy comparison", body, {"comparison": charts.comparison_chart(frame)},
                   "comparison")


def _fmt(prob_metric: bool) -> Any:
    return prob if prob_metric else money


def _unit(study: Study | None, path: str) -> str:
    """`` requests/day``: the input's unit with a leading space ("" when unknown)."""
    if study is None:
        return ""
    try:
        unit = study.input(path).unit
    except KeyError:
        return ""
    return f" {unit}" if unit else ""


def _tornado_rows(rows: pl.DataFrame, prob_metric: bool, top: int,
                  study: Study | None = None) -> list[list[str]]:
    fmt = _fmt(prob_metric)
    return [[short(r["input"]), f"{number(r['low_value'])} → {number(r['high_value'])}"
             f"{_unit(study, r['input'])}", fmt(r["low"]), fmt(r["high"]), fmt(r["swing"])]
            for r in rows.head(top).iter_rows(named=True)]


def _deciles_html(deciles: Tornado, strategy: str, label: str, top: int,
                  study: Study | None = None) -> list[str]:
    """The sample-based tornado: swings out of Monte Carlo noise, the rest named apart."""
    shown = deciles.significant(strategy)
    noise = deciles.noise(strategy)["input"].to_list()
    out = ["<p>From the samples themselves: the same output when the input lies in its "
           "lowest vs its highest decile. Only the inputs the strategy is computed from "
           "are listed, and only swings beyond two standard errors of Monte Carlo noise.</p>"]
    if shown.height:
        out.append(_table(["input", "decile edges", f"{label} lowest 10%",
                           f"{label} highest 10%", "swing"],
                          _tornado_rows(shown, deciles.metric.is_probability, top, study)))
    else:
        out.append("<p>No swing stands out of the noise.</p>")
    if noise:
        out.append('<p class="muted">Within Monte Carlo noise (swing under two standard '
                   f"errors): {html.escape(', '.join(short(p) for p in noise))}.</p>")
    return out


def tornado_section(tornado: Tornado, strategy: str, *, deciles: Tornado | None = None,
                    correlations: pl.DataFrame | None = None, sobol: SobolResult | None = None,
                    top: int = 12, key: str = "", study: Study | None = None) -> Section:
    """One strategy's sensitivity: classic tornado (chart, table), then whatever is given of
    the sample-based tornado, rank correlations and Sobol' indices. ``key`` prefixes the
    chart keys (several strategies on one page); ``study`` gives display names."""
    label = tornado.metric.label
    prob_metric = tornado.metric.is_probability
    name = _label(study, strategy) if study is not None else strategy
    held = ("the other inputs sampled on common random numbers" if tornado.method ==
            "conditional" else "every other input at its median")
    rows = tornado.table(strategy)
    if not rows.height:
        return Section("Which unknown matters most?", "<p>Every input is fixed: nothing "
                       "moves the answer.</p>", {}, "sensitivity")
    base_txt = _fmt(prob_metric)(rows["base"][0])
    enters = ({i.path for i in study.inputs_of(strategy)} if study is not None
              else set(rows["input"].to_list()))
    silent = rows.filter((pl.col("swing") == 0) & pl.col("input").is_in(list(enters)))
    others = rows.filter(~pl.col("input").is_in(list(enters))).height
    body = [f"<p>{label} of <b>{html.escape(name)}</b> with each uncertain input at its "
            f"P10 and at its P90 and {held} (base {base_txt}).</p>", _div(f"{key}tornado"),
            _table(["input", "low → high", f"{label} low", f"{label} high", "swing"],
                   _tornado_rows(tornado.significant(strategy), prob_metric, top, study))]
    if silent.height:
        body.append(f'<p class="muted">No influence on {html.escape(name)}: '
                    f"{html.escape(', '.join(short(p) for p in silent['input']))}.</p>")
    if others:
        what = (f"{others} inputs of other strategies do" if others > 1
                else "1 input of another strategy does")
        body.append(f'<p class="muted">{what} not enter {html.escape(name)}: left out.</p>')
    if deciles is not None:
        body += _deciles_html(deciles, strategy, label, top, study)
    out: dict[str, alt.TopLevelMixin] = {f"{key}tornado": charts.tornado_chart(
        rows, probability=prob_metric, label=label, title=f"Tornado: {label}, {name}")}
    corr = (correlations if correlations is not None else pl.DataFrame(
        schema={"strategy": pl.String, "input": pl.String, "spearman": pl.Float64}))
    corr = corr.filter(pl.col("strategy") == strategy)
    if sobol is None and corr.height:
        body += ["<p>Spearman rank correlation of each input with the output:</p>",
                 _table(["input", "Spearman"], [[short(p), share(r, "+")] for p, r in
                                                corr.head(top).select("input", "spearman")
                                                .rows()])]
    if sobol is not None:
        body += [_sobol_html(sobol, strategy, corr, top), _div(f"{key}sobol")]
        out[f"{key}sobol"] = charts.sobol_chart(
            sobol.table(strategy),
            title=f"Sobol' indices: shares of {sobol.metric.variance_label}, {name}")
    return Section("Which unknown matters most?", "\n".join(body), out, "sensitivity")


def sensitivity_section(a: DecisionAnalysis, *, top: int = 12) -> Section:
    """Tornadoes (classic and sample-based), rank correlations and Sobol' indices."""
    return tornado_section(a.tornado, a.focus, deciles=a.sample_tornado,
                           correlations=a.correlations, sobol=a.sobol, top=top,
                           study=a.study)


def _sobol_html(sob: SobolResult, focus: str, corr: pl.DataFrame, top: int) -> str:
    rho = dict(zip(corr["input"].to_list(), corr["spearman"].to_list(), strict=True))
    shown = sob.table(focus).filter(pl.col("ST") > 0).head(top)
    rows = [[short(r["input"]), share(rho.get(r["input"], 0.0), "+"),
             f"{share(r['S1'])} [{share(r['S1_lo'])}, {share(r['S1_hi'])}]",
             f"{share(r['ST'])} [{share(r['ST_lo'])}, {share(r['ST_hi'])}]"]
            for r in shown.iter_rows(named=True)]
    above = shown.filter(pl.col("S1") > pl.col("ST"))["input"].to_list()
    notes = "".join(f" {html.escape(n)}" for n in sob.notes)
    if above:
        notes += (f" For {html.escape(', '.join(short(p) for p in above))} the estimate of S1 "
                  "exceeds ST, which cannot be so (a share alone is at most the share with "
                  "interactions): the excess is estimation noise; read both as about equal.")
    return (f"<p>Global sensitivity: Spearman rank correlation with the output, and Sobol' "
            f"indices, shares of {html.escape(sob.metric.variance_label)} (its spread across "
            f"futures, not its average): first-order S1 (the input alone) and total ST (with "
            f"its interactions), {sob.confidence:.0%} bootstrap intervals, {sob.n:,} base "
            f"samples.{notes}</p>"
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
            + (_table(["input or group", "method", "EVPPI", "± se", "of EVPI"], rows)
               if rows else "")
            + (f"<p class=\"muted\">{zero} inputs and groups never change the choice "
               "(EVPPI 0).</p>" if zero else "")
            + "<p class=\"muted\">Perfect information bounds what any real study is worth; "
              "EVPPI by quantile bins (one input) or regression (groups), cross-fitted so "
              "noise does not inflate it.</p>")
    return Section("Is it worth finding out first?", body,
                   {"voi": charts.voi_chart(v.frame, evpi=v.evpi.value)}, "voi")


def sweep_section(sw: Sweep, study: Study | None = None) -> Section:
    """The break-even map: chart, crossings (with the interval each lies in) and table."""
    lines = []
    for name in dict.fromkeys(sw.frame["strategy"].to_list()):
        label = _label(study, name) if study is not None else name
        for level in (0.5, 0.9):
            x = sw.crossing(name, level)
            span = sw.crossing_interval(name, level)
            where = (f"crosses {level:.0%} at {short(sw.param)} ≈ {number(x)}, somewhere in "
                     f"{number(span[0])}–{number(span[1])}{_unit(study, sw.param)} (between "
                     "the swept values around "
                     "it the curve is only interpolated; Monte Carlo error included)"
                     if x is not None and span is not None
                     else f"does not cross {level:.0%} in the range swept")
            lines.append(f"<li><b>{html.escape(label)}</b>: P(payback ≤ {sw.months}) "
                         f"{html.escape(where)}</li>")
    rows = [[number(r["value"]), r["strategy"], prob(r["p_payback"]),
             money(r["npv_mean"]), prob(r["p_best"])]
            for r in sw.frame.iter_rows(named=True)]
    unit = _unit(study, sw.param).strip()
    body = (f"<ul>{''.join(lines)}</ul>{_div('sweep')}"
            + _table([short(sw.param) + (f" ({unit})" if unit else ""), "strategy",
                      f"P(payback ≤ {sw.months})", "E[NPV]", "P(best)"], rows)
            + f"<p class=\"muted\">Each value: {sw.samples:,} samples on common random "
              "numbers; P(best) among the strategies that meet the study's constraints.</p>")
    return Section("Break-even map", body, {"sweep": charts.sweep_chart(
        sw.frame, sw.crossings, param=sw.param, months=sw.months, log=sw.scale == "log",
        labels=_labels(study) if study is not None else None)}, "sweep")


def sections(a: DecisionAnalysis) -> list[Section]:
    """Every decision section of the report, in order."""
    out = [comparison_section(a.comparison, a.study), sensitivity_section(a), voi_section(a)]
    if a.sweep is not None:
        out.append(sweep_section(a.sweep, a.study))
    return out


def page(title: str, parts: Sequence[Section]) -> str:
    """A self-contained HTML page (the Vega JavaScript inlined: renders offline)."""
    body = f"<h1>{html.escape(title)}</h1>\n" + "\n".join(
        f'<section id="sec-{p.key or k}"><h2>{html.escape(p.heading)}</h2>\n{p.body}</section>'
        for k, p in enumerate(parts))
    return html_page(title, body, {k: c.to_dict() for p in parts for k, c in p.charts.items()})
