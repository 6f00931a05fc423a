"""The report's tables: the summary (what decides, then the details), every input with its
unit, and the manifest; each fits the page and shows rounded figures (summary.json keeps
them whole)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.display import median_payback, money, months, number, prob, probability, short
from sim.report.describe import sparkline
from sim.report.page import table
from sim.runner.summary import StrategySummary, Summary
from sim.study import Input, Study

#: Significant digits of the inputs table's figures.
SIG = 3


def _who(s: StrategySummary) -> str:
    """A strategy's cell: display name, then its id in small type (escaped HTML)."""
    base = " (baseline)" if s.is_baseline else ""
    return (f'{html.escape(s.label or s.name)}{base}<br><span class="id">'
            f"{html.escape(s.name)}</span>")


def _pb(s: StrategySummary, horizon: int) -> str:
    return "–" if s.is_baseline else median_payback(
        s.payback_median_months, s.payback_median_fractional, horizon)


def _sheet(s: StrategySummary) -> str:
    pb = months(s.point_estimate.get("payback_months"))
    return "–" if pb is None else (f"{pb} mo" if pb != "never" else "never")


def summary_table(summary: Summary) -> str:
    """What decides, one row per strategy: the headline chance of paying back, the median
    payback, E[NPV], its P10–P90 range, P(best) among the strategies meeting the
    constraints and whether the strategy meets them."""
    study = summary.study
    n = study.primary_months
    header = ["strategy", f"P(payback ≤ {n})", "median payback", "E[NPV] ± se",
              "NPV P10 to P90", "P(best)"]
    if study.constraints.any:
        header.append("constraints")
    rows = []
    for s in summary.strategies.values():
        p = s.p_payback_within(n)
        row: list[Any] = [_who(s), "–" if s.is_baseline else probability(p, s.se(p)),
                          _pb(s, study.horizon_months),
                          f"{money(s.npv_mean)} ± {s.npv_mean_se:,.0f}",
                          f"{money(s.npv_quantiles[0.1])} to {money(s.npv_quantiles[0.9])}",
                          "excluded" if s.p_best is None else prob(s.p_best)]
        if study.constraints.any:
            row.append("met" if s.feasible else "not met (below)")
        rows.append(row)
    return table(header, rows, left=(0, len(header) - 1) if study.constraints.any else 1,
                 raw=(0,), cls="summary")


def details_tables(summary: Summary) -> str:
    """The rest of the summary: every payback horizon and the spreadsheet's payback; the
    NPV's median and risk, regret, and P(best) with the constraints ignored."""
    study = summary.study
    header = ["strategy", "kind", *(f"P(payback ≤ {m})" for m in study.payback_within),
              "median payback", "spreadsheet payback"]
    rows = []
    for s in summary.strategies.values():
        rows.append([s.name, s.kind, *("–" if s.is_baseline else probability(
            s.p_payback_within(m), s.se(s.p_payback_within(m))) for m in study.payback_within),
            _pb(s, study.horizon_months), _sheet(s)])
    out = table(header, rows, left=2, cls="details")
    header = ["strategy", "NPV P50", "CVaR 5%", "P(NPV > 0)", "E[regret] ± se"]
    if summary.constrained:
        header += ["P(best), constraints ignored", "E[regret], constraints ignored"]
    rows = []
    for s in summary.strategies.values():
        regret = ("excluded" if s.regret is None
                  else f"{money(s.regret)} ± {(s.regret_se or 0.0):,.0f}")
        row = [s.name, money(s.npv_quantiles[0.5]), money(s.cvar5),
               "–" if s.is_baseline else prob(s.p_npv_positive), regret]
        if summary.constrained:
            row += [prob(s.p_best_all), money(s.regret_all)]
        rows.append(row)
    return out + table(header, rows, left=1, cls="details")


def excluded_list(summary: Summary) -> str:
    """Why each strategy that breaks a constraint is excluded (empty when none is)."""
    items = [f"<li><b>{html.escape(s.label or s.name)}</b> ({html.escape(s.name)}): "
             f"{html.escape(s.infeasible_reason or '')}</li>"
             for s in summary.strategies.values() if not s.feasible]
    if not items:
        return ""
    return ("<p>Excluded by the study's constraints (never recommended; P(best) and "
            f"E[regret] are among the others):</p><ul>{''.join(items)}</ul>")


def _origin(i: Input) -> str:
    if i.is_default:
        return f"default ({i.note.split(':')[0]})" if i.note else "default"
    return i.note.split(":")[0] or "study"


def _input_cell(i: Input) -> str:
    meaning = i.meaning
    if i.is_default and i.note:  # what a default means here, e.g. a lift "not priced"
        meaning = f"{meaning}; {i.note}"
    return f'{html.escape(i.path)}<br><span class="meaning">{html.escape(meaning)}</span>'


def inputs_table(study: Study) -> str:
    """Every input: the uncertain ones with their distribution, P10/P50/P90 (rounded, with
    units) and a text histogram; then the known values; each with what it means and where
    it came from (the study file, the price catalog, or the default the study left it at)."""
    uncertain, known = [], []
    sources: dict[str, None] = {}
    for i in study.inputs():
        if i.note.startswith("catalog"):
            sources[i.note] = None
        elif i.fit is not None:
            sources[f"{i.path}: {i.note}"] = None
        if i.uncertain:
            p10, p50, p90 = (float(v) for v in i.dist.ppf(np.array([0.1, 0.5, 0.9])))
            uncertain.append([_input_cell(i), i.dist.label(), *(number(v, SIG) for v in
                                                                 (p10, p50, p90)),
                              i.unit, sparkline(i.dist), _origin(i)])
        else:
            known.append([_input_cell(i), number(float(i.dist.mean), SIG), i.unit,
                          _origin(i)])
    out = "<h3>Uncertain inputs</h3>" + table(
        ["input and what it is", "distribution", "P10", "P50", "P90", "unit", "P0.5–P99.5",
         "from"], uncertain, left=(0, 1, 5, 6, 7), mono=(6,), raw=(0,), cls="inputs")
    out += "<h3>Known values</h3>" + table(["input and what it is", "value", "unit", "from"],
                                           known, left=(0, 2, 3), raw=(0,), cls="inputs")
    out = out.replace('<td class="l">default</td>', '<td class="l muted">default</td>')
    out = out.replace('<td class="l">default (not priced)</td>',
                      '<td class="l"><b>default (not priced)</b></td>')
    if sources:
        out += ('<p class="muted">Catalog sources and fits to the price history:</p>'
                '<ul class="muted">'
                + "".join(f"<li>{html.escape(s)}</li>" for s in sources) + "</ul>")
    return out


def _manifest_value(key: str, value: Any) -> str:
    if key == "timings" and isinstance(value, Mapping):
        return ", ".join(f"{k.removesuffix('_s')} {v:,.2f} s" for k, v in value.items())
    if key == "rank_correlations" and isinstance(value, list):
        return "; ".join(f"{short(c['between'][0])} ~ {short(c['between'][1])}: target "
                         f"{c['target']:+.2f}, achieved {c['achieved']:+.3f}"
                         for c in value) or "none stated"
    if key == "uncertain_inputs" and isinstance(value, list):
        return f"{len(value)}: " + ", ".join(short(p) for p in value)
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else "–"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, int):
        return f"{value:,}" if key not in ("seed",) else str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def manifest_table(manifest: Mapping[str, Any]) -> str:
    """The manifest as a two-column table, figures rounded (manifest.json keeps them)."""
    rows = [[k.replace("_", " "), _manifest_value(k, v)] for k, v in manifest.items()]
    return table(["what", "value"], rows, left=2, cls="manifest")
