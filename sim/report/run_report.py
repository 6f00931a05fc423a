"""report.html: a run's answer first, then the figures that carry it, then the details:
summary and comparison, charts, decision analyses, inputs, assumptions and manifest, on one
self-contained page (see :mod:`sim.report.page`).

Every part is a ``<section id="sec-KEY">`` (the browser test finds each one on screen):
``verdict``, ``summary``, ``spreadsheet``, ``decomposition`` (what moves the spreadsheet's
answer), ``payback``, ``fan``, ``npv``, then the decision
sections ``sensitivity``, ``shapley`` (a study with correlations), ``voi``, ``pilot`` (an
uncertain rate a pilot could measure) and ``sweep`` (when the study has a strategy to
analyse), ``inputs``, ``assumptions`` and ``manifest``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sim.decision import (
    DecisionAnalysis,
    classic_tornado,
    compare,
    focus_strategy,
    load_samples,
    release_memory,
)
from sim.display import money_short, months, percent, prob, probability
from sim.report.analysis_plan import (
    ANALYSIS_ROWS,
    MIN_ANALYSIS_SAMPLES,
    analysis_of,
    analysis_rows,
)
from sim.report.cards import break_even_html, cards_html
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.report.decision_charts import comparison_chart
from sim.report.explain import decomposition_section
from sim.report.page import html_page
from sim.report.sections import (
    Section,
    comparison_frame,
    sensitivity_section,
    sweep_section,
    tornado_section,
    voi_section,
)
from sim.report.spec import chart_spec
from sim.report.tables import (
    details_tables,
    excluded_list,
    inputs_table,
    manifest_table,
    summary_table,
)
from sim.report.theme import unchecked
from sim.report.tool_sections import pilot_section, shapley_section
from sim.runner.notes import run_notes
from sim.runner.runner import RunResult
from sim.runner.summary import Summary
from sim.runner.verdict import focus_of

Stage = Callable[[str], None]


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
    "ties evenly, among the strategies that meet the study's constraints.",
]


def _is(name: str, value: str) -> str:
    """``P = 0.239 ± 0.003``, but ``P < 0.001`` for a bound.

    Examples
    --------
    >>> _is("P", "0.25 ± 0.01"), _is("P(best)", "> 0.999")
    ('P = 0.25 ± 0.01', 'P(best) > 0.999')
    """
    return f"{name} {value}" if value[:1] in "<>" else f"{name} = {value}"


def _figure(big: str, what: str, sub: str) -> str:
    return (f'<div class="figure"><div class="big">{html.escape(big)}</div>'
            f'<div class="what">{html.escape(what)}</div>'
            f'<div class="sub">{html.escape(sub)}</div></div>')


def figures(summary: Summary) -> str:
    """The three figures that carry the verdict: the chance the strategy discussed pays back
    within the headline months (beside the spreadsheet's payback), its expected NPV over the
    horizon (with P10 and P90), and how often the recommended strategy is the best choice."""
    study = summary.study
    name = focus_of(study, summary.strategies, summary.recommended)
    if name is None:
        return ""
    f = summary.strategies[name]
    n, h = study.primary_months, study.horizon_months
    base = summary.strategies[study.baseline].label
    p = f.p_payback_within(n)
    sheet = months(f.point_estimate.get("payback_months"))
    says = ("the spreadsheet says it never pays back" if sheet == "never"
            else f"the spreadsheet says {sheet} months" if sheet else "")
    q = f.npv_quantiles
    cards = [
        _figure(percent(p), f"of futures: {f.label} pays back within {n} months",
                f"{_is('P', probability(p, f.se(p)))}; {says}".rstrip("; ")),
        _figure(money_short(f.npv_mean), f"expected NPV of {f.label} against the {base} "
                f"over {h} months", f"P10 {money_short(q[0.1])}, P90 {money_short(q[0.9])}; "
                + ("no Monte Carlo error from 1 sample" if f.npv_mean_se is None
                   else f"± {money_short(f.npv_mean_se)} (Monte Carlo)")),
    ]
    best = summary.strategies[summary.recommended or name]
    if best.p_best is not None:
        among = ("among the strategies meeting the constraints" if summary.constrained
                 else "among every strategy compared")
        cards.append(_figure(percent(best.p_best), f"of futures: {best.label} is the best "
                             "choice", f"{_is('P(best)', prob(best.p_best))}, {among}"))
    else:
        cards.append(_figure(percent(best.p_best_all), f"of futures: {best.label} would be "
                             "the best choice", "constraints ignored: it breaks them"))
    return f'<div class="figures" id="figures">{"".join(cards)}</div>'


def verdict_html(summary: Summary) -> str:
    """The verdict, the three figures, any warnings, then the answer with its errors."""
    warn = "".join(f'<div class="warning"><b>Check:</b> {html.escape(w)}</div>'
                   for w in summary.warnings)
    return (f'<p class="verdict" id="verdict">{html.escape(summary.verdict)}</p>'
            f"{figures(summary)}{warn}"
            f'<p class="answer">In figures: {html.escape(summary.answer)}</p>')


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
        mlops = s.point_estimate.get("monthly_mlops_cost_delta", 0.0)
        left_out = (f"; it leaves out MLOps of {money_short(mlops)}/month" if mlops > 0.5
                    else "")
        items.append(
            f"<li><b>{html.escape(s.label or s.name)}</b>: the spreadsheet {says} "
            f"(monthly saving {money_short(s.point_estimate.get('monthly_savings', 0.0))} "
            f"after amortization{left_out}); the simulation gives "
            f"{_is(f'P(payback ≤ {n})', probability(p, s.se(p)))} and a median payback of "
            f"{median}.</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def report_analysis(result: RunResult, on_stage: Stage | None = None
                    ) -> DecisionAnalysis | None:
    """The decision analyses the report shows (and summary.json's value of information),
    on the first :func:`~sim.report.analysis_plan.analysis_rows` samples, read from the
    run's samples.parquet; None without a strategy to analyse or with too few samples.
    ``on_stage`` is told each analysis as it starts."""
    study = result.study
    rows = analysis_rows(study)
    if rows == 0:
        return None
    if result.samples_path is None:
        raise ValueError("the report reads samples.parquet: run the study with write=True")
    return analysis_of(load_samples(study, result.samples_path, rows=rows), on_stage)


def decision_sections(result: RunResult, analysis: DecisionAnalysis | None = None
                      ) -> list[Section]:
    """Sensitivity, value of information and break-even map for the report (the comparison
    is built from the full summary instead); Shapley effects when the study states
    correlations, and the value of a pilot when a rate is uncertain."""
    study = result.study
    if study.samples < MIN_ANALYSIS_SAMPLES and len(study.compared()) > 1:
        return [_few_samples_section(result)]
    analysis = analysis if analysis is not None else report_analysis(result)
    if analysis is None:
        return []
    out = [sensitivity_section(analysis)]
    if analysis.shapley is not None:
        out.append(replace(shapley_section(analysis.shapley, analysis.focus), key="shapley"))
    out.append(voi_section(analysis))
    if analysis.pilot is not None:
        out.append(replace(pilot_section(analysis.pilot), key="pilot"))
    if analysis.sweep is not None:
        out.append(sweep_section(analysis.sweep, study))
    if study.samples > ANALYSIS_ROWS and out:
        note = (f'<p class="muted">From the first {ANALYSIS_ROWS:,} samples; '
                "<code>ftrisk tornado</code> analyses more.</p>")
        out[0] = replace(out[0], body=note + out[0].body)
    return out


def _few_samples_section(result: RunResult) -> Any:
    """The classic tornado alone, with a note on the analyses skipped for want of samples."""
    study = result.study
    if result.samples_path is None:
        raise ValueError("the report reads samples.parquet: run the study with write=True")
    samples = load_samples(study, result.samples_path, rows=study.samples)
    focus = focus_strategy(compare(samples), study)
    sec = tornado_section(classic_tornado(study, strategies=[focus]), focus, study=study)
    n = study.samples
    note = (f'<p class="muted">{n:,} sample{"s" if n != 1 else ""}: the decile tornado, rank '
            "correlations, Sobol' indices, value of information and break-even map are "
            f"skipped (they need at least {MIN_ANALYSIS_SAMPLES} samples; run with "
            f"--samples {MIN_ANALYSIS_SAMPLES} or more).</p>")
    return replace(sec, body=note + sec.body)


def _section(key: str, heading: str, body: str) -> str:
    return (f'<section id="sec-{key}">\n<h2>{html.escape(heading, quote=False)}</h2>\n{body}'
            "\n</section>")


def _div(key: str) -> str:
    return f'<div class="chart" id="chart-{key}"></div>'


def render(result: RunResult, path: str | Path, *, analysis: DecisionAnalysis | None = None,
           on_stage: Stage | None = None) -> DecisionAnalysis | None:
    """Write the self-contained HTML report of a run to ``path``; return the decision
    analyses it shows (computed by :func:`report_analysis` unless given), for summary.json's
    value of information.

    ``on_stage`` is told each step that takes a while ("tornado", "charts", ...).
    """
    with unchecked():  # the chart functions are tested with altair's checks on
        return _render(result, path, analysis, on_stage)


def _render(result: RunResult, path: str | Path, analysis: DecisionAnalysis | None,
            on_stage: Stage | None) -> DecisionAnalysis | None:
    summary, study = result.summary, result.study
    notes = run_notes(summary)  # the constraint cards and the break-even mode
    labels = {s.name: s.label or s.name for s in summary.strategies.values()}
    charts: list[tuple[str, Any]] = [
        ("payback", payback_cdf_chart(summary)),
        ("fan", fan_chart(result.fan, labels)),
        ("npv", npv_chart(summary)),
    ]
    if analysis is None:
        analysis = report_analysis(result, on_stage)
    decision = decision_sections(result, analysis)
    charts += [(k, c) for sec in decision for k, c in sec.charts.items()]
    decision_html = "\n".join(_section(sec.key, sec.heading, sec.body) for sec in decision)
    if len(study.compared()) > 1:
        charts.append(("comparison", comparison_chart(comparison_frame(summary))))
    release_memory()  # the analyses' arrays, before the charts and the page
    if on_stage:
        on_stage("charts")
    # the chart functions are tested with validation on; skip the schema pass here, and
    # altair's copies of every layer at each level (chart_spec: the same specs)
    specs = {k: chart_spec(c) for k, c in charts}
    fan_note = (f"Bands from the first {min(study.samples, 16384):,} samples; other figures "
                f"from all {study.samples:,}.")
    source = html.escape(study.source) if study.source else "<i>not stated</i>"
    source_figure = (f"<p>The source says: <b>{html.escape(study.source_figure)}</b>.</p>"
                     if study.source_figure else "")
    summary_body = f"""<p>{study.samples:,} samples ({study.sampling}), seed {study.seed},
horizon {study.horizon_months} months, discount rate {study.discount_rate:.0%}/year, baseline
<b>{html.escape(labels[study.baseline])}</b>. ± values are Monte Carlo standard errors.</p>
{summary_table(summary)}
{excluded_list(summary)}
{cards_html(notes)}
{_div("comparison") if "comparison" in specs else ""}
<h3>Details</h3>
{details_tables(summary)}
<p class="muted">CVaR 5%: the average NPV of the worst 5% of samples; E[regret]: what a
strategy loses on average against the best one in each sample.</p>"""
    body = "\n".join([
        f"<h1>{html.escape(study.name)}</h1>",
        f'<p class="muted">Source: {source}. {html.escape(study.description)}</p>',
        f'<section id="sec-verdict">{verdict_html(summary)}{break_even_html(notes)}</section>',
        _section("summary", "Summary", summary_body),
        _section("spreadsheet", "The spreadsheet beside the distribution",
                 source_figure + spreadsheet_vs_distribution(summary)),
        _section("decomposition", "What moves the spreadsheet's answer",
                 decomposition_section(summary)) if summary.decomposition is not None and
        summary.decomposition.steps else "",
        _section("payback", "When does it pay back?", _div("payback")),
        _section("fan", "Cumulative net saving",
                 f'<p class="muted">{fan_note}</p>{_div("fan")}'),
        _section("npv", "NPV", _div("npv")),
        decision_html,
        _section("inputs", "Inputs", "<p>Every input with its distribution and where its "
                 "value comes from: the study file, the price catalog, or the default the "
                 f"study left it at.</p>{inputs_table(study)}"),
        _section("assumptions", "Assumptions",
                 f"<ul>{''.join(f'<li>{html.escape(a)}</li>' for a in ASSUMPTIONS)}</ul>"),
        _section("manifest", "Manifest", manifest_table(result.manifest)),
    ])
    Path(path).write_text(html_page(f"ftrisk — {study.name}", body, specs), encoding="utf-8")
    return analysis
