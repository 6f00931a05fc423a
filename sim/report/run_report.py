"""report.html: a run's summary, charts, decision analyses, inputs and manifest on one
self-contained page (see :mod:`sim.report.page`)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from distributions import fmt
from sim.decision import DecisionAnalysis, analyze, load_samples
from sim.display import median_payback, money, months, probability
from sim.report.cards import break_even_html, cards_html
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.report.decision_charts import comparison_chart
from sim.report.describe import sparkline
from sim.report.explain import decomposition_section
from sim.report.page import html_page, table
from sim.report.sections import comparison_frame, sensitivity_section, sweep_section, voi_section
from sim.report.tool_sections import pilot_section, shapley_section
from sim.runner.notes import run_notes
from sim.runner.runner import RunResult
from sim.runner.summary import Summary
from sim.study import Study


def summary_table(summary: Summary) -> str:
    """The per-strategy summary as an HTML table."""
    study = summary.study
    header = ["strategy", "kind"]
    header += [f"P(payback ≤ {n})" for n in study.payback_within]
    header += ["median payback", "E[NPV] ± se", "NPV P10", "NPV P50", "NPV P90", "CVaR 5%",
               "P(NPV>0)", "P(best)", "E[regret]", "spreadsheet payback"]
    if study.constraints.any:
        header.append("constraints")
    rows = []
    for s in summary.strategies.values():
        row: list[Any] = [s.name + (" (baseline)" if s.is_baseline else ""), s.kind]
        for n in study.payback_within:
            p = s.p_payback_within(n)
            row.append("–" if s.is_baseline else probability(p, s.se(p)))
        row.append("–" if s.is_baseline else median_payback(
            s.payback_median_months, s.payback_median_fractional, study.horizon_months))
        row.append(f"{money(s.npv_mean)} ± {s.npv_mean_se:,.0f}")
        row += [money(s.npv_quantiles[q]) for q in (0.1, 0.5, 0.9)]
        row += [money(s.cvar5), f"{s.p_npv_positive:.3f}", f"{s.p_best:.3f}",
                f"{money(s.regret)} ± {s.regret_se:,.0f}"]
        pb = months(s.point_estimate.get("payback_months"))
        row.append("–" if pb is None else (f"{pb} mo" if pb != "never" else "never"))
        if study.constraints.any:
            row.append("met" if s.feasible else f"infeasible: {s.infeasible_reason}")
        rows.append(row)
    return table(header, rows, left=(0, 1, len(header) - 1) if study.constraints.any else 2)


def spreadsheet_vs_distribution(summary: Summary) -> str:
    """One sentence per strategy: the static payback beside P(payback <= N)."""
    n = summary.study.primary_months
    items = []
    for s in summary.strategies.values():
        if s.is_baseline:
            continue
        pb = months(s.point_estimate.get("payback_months"))
        says = "never pays back" if pb == "never" else f"says {pb} months"
        p = s.p_payback_within(n)
        med = s.payback_median_months
        frac = months(s.payback_median_fractional)
        median = (f"> {summary.study.horizon_months} months" if med is None else
                  f"month {med}" + (f" ({frac} months interpolated)" if frac else ""))
        items.append(
            f"<li><b>{html.escape(s.name)}</b>: the spreadsheet {says} "
            f"(monthly saving {money(s.point_estimate.get('monthly_savings'))} after "
            f"amortization); the simulation gives P(payback ≤ {n}) = {probability(p, s.se(p))}"
            f" and a median payback of {median}.</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def inputs_table(study: Study) -> str:
    """Every input: the uncertain ones with their distribution, P10/P50/P90 and a text
    histogram; then the known values; each with where it came from (the study file, the
    price catalog, or the default the study left it at)."""
    uncertain, known = [], []
    sources: dict[str, None] = {}
    for i in study.inputs():
        origin = "default" if i.is_default else (i.note.split(":")[0] or "study")
        meaning = i.help
        if i.is_default and i.note:  # what a default means here, e.g. a lift "not priced"
            origin = f"default ({i.note.split(':')[0]})"
            meaning = f"{i.help}; {i.note}"
        elif i.note.startswith("catalog"):
            sources[i.note] = None
        elif i.fit is not None:
            sources[f"{i.path}: {i.note}"] = None
        if i.uncertain:
            p10, p50, p90 = i.dist.ppf(np.array([0.1, 0.5, 0.9]))
            uncertain.append([i.path, i.dist.describe().split(";")[0], fmt(i.dist.mean),
                              fmt(float(p10)), fmt(float(p50)), fmt(float(p90)),
                              sparkline(i.dist), origin, meaning])
        else:
            known.append([i.path, fmt(i.dist.mean), origin, meaning])
    out = "<h3>Uncertain inputs</h3>" + table(
        ["input", "distribution", "mean", "P10", "P50", "P90", "P0.5–P99.5", "from", "meaning"],
        uncertain, left=(0, 1, 6, 7, 8), mono=(6,))
    out += "<h3>Known values</h3>" + table(["input", "value", "from", "meaning"], known,
                                           left=(0, 2, 3))
    out = out.replace('<td class="l">default</td>', '<td class="l muted">default</td>')
    out = out.replace('<td class="l">default (not priced)</td>',
                      '<td class="l"><b>default (not priced)</b></td>')
    if sources:
        out += ('<p class="muted">Catalog sources and fits to the price history:</p>'
                '<ul class="muted">'
                + "".join(f"<li>{html.escape(s)}</li>" for s in sources) + "</ul>")
    return out


ASSUMPTIONS = [
    "A month is 30 days; GPUs bill 720 hours a month unless autoscaled.",
    "Volume grows geometrically: V(t) = V0·(1+g)^(t−1); per-token and GPU prices fall by their "
    "annual decline: p(t) = p0·(1−d)^((t−1)/12). Review and other labour costs do not fall.",
    "Until a strategy reaches production (build months) the baseline keeps serving and the "
    "project cost is spread over those months; with no build months it is paid in month 1.",
    "Payback month: the first month from which the cumulative net saving vs the baseline "
    "stays ≥ 0 to the horizon's end, for a strategy that ends the horizon ahead (cumulative "
    "> 0); otherwise \"not within the horizon\", reported as such, never as a number. A "
    "later dip below 0 (a retraining) moves it later.",
    "Fractional payback: linear interpolation inside the payback month m, as a spreadsheet "
    "would: the month's one-off spend S (project or retraining) is paid at its start and the "
    "rest accrues evenly, so payback = (m−1) + (S − C[m−1]) ÷ (C[m] − C[m−1] + S), with C the "
    "cumulative net saving at each month's end; with S = 0 this is (m−1) + (−C[m−1]) ÷ "
    "(C[m] − C[m−1]), and a project P paid in month 1 that saves s a month gives P ÷ s.",
    "NPV discounts the net saving of month t by (1+r)^(−t/12) (end-of-month flows).",
    "The spreadsheet figures are the lesson's static calculation at every input's median: "
    "no growth, no price decline, no build months, payback = project cost ÷ monthly saving.",
    "Every strategy is evaluated on the same samples (common random numbers); P(best) splits "
    "ties evenly.",
]


#: Samples the report's sensitivity and value-of-information sections use (the summary
#: table uses all of them; ftrisk tornado analyses any number).
ANALYSIS_ROWS = 1 << 15


#: Model evaluations the report's Shapley effects spend (studies with correlations only).
SHAPLEY_BUDGET = 1 << 16


def report_analysis(result: RunResult) -> DecisionAnalysis | None:
    """The decision analyses the report shows (and summary.json's value of information),
    on the first :data:`ANALYSIS_ROWS` samples; None without a strategy to analyse."""
    study = result.study
    if len([n for n in study.compared() if n != study.baseline]) == 0:
        return None
    return analyze(load_samples(study, result.samples_path,
                                rows=min(study.samples, ANALYSIS_ROWS)),
                   shapley_budget=SHAPLEY_BUDGET)


def decision_sections(result: RunResult, analysis: DecisionAnalysis | None = None
                      ) -> list[Any]:
    """Sensitivity, value of information and break-even map for the report (the comparison
    is built from the full summary instead); Shapley effects when the study states
    correlations, and the value of a pilot when a rate is uncertain."""
    analysis = analysis if analysis is not None else report_analysis(result)
    if analysis is None:
        return []
    study = result.study
    out = [sensitivity_section(analysis)]
    if analysis.shapley is not None:
        out.append(shapley_section(analysis.shapley, analysis.focus))
    out.append(voi_section(analysis))
    if analysis.pilot is not None:
        out.append(pilot_section(analysis.pilot))
    if analysis.sweep is not None:
        out.append(sweep_section(analysis.sweep))
    if study.samples > ANALYSIS_ROWS and out:
        note = (f'<p class="muted">From the first {ANALYSIS_ROWS:,} samples; '
                "<code>ftrisk tornado</code> analyses more.</p>")
        out[0] = type(out[0])(out[0].heading, note + out[0].body, out[0].charts)
    return out


def render(result: RunResult, path: str | Path, *,
           analysis: DecisionAnalysis | None = None) -> DecisionAnalysis | None:
    """Write the self-contained HTML report of a run to ``path``; return the decision
    analyses it shows (computed by :func:`report_analysis` unless given), for summary.json's
    value of information."""
    summary, study = result.summary, result.study
    notes = run_notes(summary)
    charts = [
        ("payback", payback_cdf_chart(summary)),
        ("fan", fan_chart(result.fan)),
        ("npv", npv_chart(summary)),
    ]
    if analysis is None:
        analysis = report_analysis(result)
    decision = decision_sections(result, analysis)
    charts += [(k, c) for sec in decision for k, c in sec.charts.items()]
    decision_html = "\n".join(f"<h2>{html.escape(sec.heading)}</h2>\n{sec.body}"
                              for sec in decision)
    if len(study.compared()) > 1:
        charts.append(("comparison", comparison_chart(comparison_frame(summary))))
    # the chart functions are tested with validation on; skip the schema pass here
    specs = {k: c.to_dict(validate=False) for k, c in charts}
    divs = {k: f'<div class="chart" id="chart-{k}"></div>' for k in specs}
    fan_note = (f"Bands from the first {min(study.samples, 16384):,} samples; other figures "
                f"from all {study.samples:,}.")
    source = html.escape(study.source) if study.source else "<i>not stated</i>"
    source_figure = (f"<p>The source says: <b>{html.escape(study.source_figure)}</b>.</p>"
                     if study.source_figure else "")
    body = f"""
<h1>{html.escape(study.name)}</h1>
<p class="muted">Source: {source}. {html.escape(study.description)}</p>
<p class="answer">{html.escape(summary.answer)}</p>
{break_even_html(notes)}
<h2>Summary</h2>
<p>{study.samples:,} samples ({study.sampling}), seed {study.seed}, horizon
{study.horizon_months} months, discount rate {study.discount_rate:.0%}/year, baseline
<b>{html.escape(study.baseline)}</b>. ± values are Monte Carlo standard errors.</p>
{summary_table(summary)}
<p class="muted">CVaR 5%: the average NPV of the worst 5% of samples; E[regret]: what a
strategy loses on average against the best one in each sample.</p>
{cards_html(notes)}
{divs.get("comparison", "")}
<h2>The spreadsheet beside the distribution</h2>
{source_figure}
{spreadsheet_vs_distribution(summary)}
<h2>What moves the spreadsheet's answer</h2>
{decomposition_section(summary)}
<h2>When does it pay back?</h2>
{divs["payback"]}
<h2>Cumulative net saving</h2>
<p class="muted">{fan_note}</p>
{divs["fan"]}
<h2>NPV</h2>
{divs["npv"]}
{decision_html}
<h2>Inputs</h2>
<p>Every input with its distribution and where its value comes from: the study file, the price
catalog, or the default the study left it at.</p>
{inputs_table(study)}
<h2>Assumptions</h2>
<ul>{"".join(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS)}</ul>
<h2>Manifest</h2>
<pre>{html.escape(json.dumps(result.manifest, indent=2))}</pre>
"""
    Path(path).write_text(html_page(f"ftrisk — {study.name}", body, specs), encoding="utf-8")
    return analysis

