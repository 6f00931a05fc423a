"""report.html: one self-contained page that renders with no network.

The Vega/Vega-Lite/vega-embed JavaScript is inlined (from vl-convert, which ships it), so
the page needs no CDN. Building that bundle takes about a second, so it is cached on disk
per vl-convert and Vega-Lite version.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from distributions import fmt
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.runner.runner import RunResult
from sim.runner.summary import Summary, fmt_p
from sim.study import Study

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.answer{font-size:1.15rem;background:#f3f7ff;border-left:4px solid #3b6fd8;padding:.8rem 1rem}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f6f6f6}td.l,th.l{text-align:left}.muted{color:#777}
pre{background:#f8f8f8;padding:.8rem;overflow:auto;font-size:.8rem}
.chart{margin:1rem 0}.scroll{overflow-x:auto}
td.mono{font-family:monospace;white-space:pre;letter-spacing:-1px}
"""


def _cache_dir() -> Path:
    explicit = os.environ.get("FTRISK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ftrisk"


def vega_bundle() -> str:
    """The vega-embed JavaScript bundle (with Vega and Vega-Lite), cached on disk."""
    from importlib.metadata import version

    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    vl_version = vl_version_for_vl_convert()
    cache = _cache_dir() / f"vega-embed-{version('vl-convert-python')}-{vl_version}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle: str = vlc.javascript_bundle(vl_version=vl_version)  # type: ignore[call-arg]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only home only costs the second next time
    return bundle


def _script_json(obj: Any) -> str:
    # "</" inside a <script> element would end it early
    return json.dumps(obj).replace("</", "<\\/")


def html_page(title: str, body: str, specs: Mapping[str, Any], *, css: str = CSS) -> str:
    """A self-contained HTML page: the Vega JavaScript inlined (renders offline) and each
    chart spec embedded into ``<div id="chart-KEY">`` of ``body``.

    Examples
    --------
    >>> page = html_page("t", '<div id="chart-a"></div>', {"a": {"mark": "bar"}})  # doctest: +SKIP
    """
    embed = "\n".join(
        f"vegaEmbed('#chart-{k}', {_script_json(spec)}, {{actions: false}})"
        ".catch(console.error);"
        for k, spec in specs.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="generator" content="ftrisk">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{css}</style>
<script type="text/javascript">{vega_bundle()}</script>
</head><body>
<noscript><p>The charts need JavaScript; the tables below do not.</p></noscript>
{body}
<script type="text/javascript">
{embed}
</script>
</body></html>
"""


def money(x: float | None) -> str:
    """$1,234 style (negative with a minus sign); '–' for None."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    return f"-${abs(x):,.0f}" if x < 0 else f"${x:,.0f}"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]],
          left: int | Sequence[int] = 1, mono: Sequence[int] = ()) -> str:
    """An HTML table (escaped); ``left``: the first n columns, or these indices, align left;
    ``mono``: columns in a fixed-width font (text histograms)."""
    lefts = set(range(left)) if isinstance(left, int) else set(left)

    def cls(i: int) -> str:
        names = (["l"] if i in lefts else []) + (["mono"] if i in mono else [])
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f"<th{cls(i)}>{html.escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{html.escape(str(c))}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")


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
            row.append("–" if s.is_baseline else fmt_p(p, s.se(p)))
        med = s.payback_median_months
        row.append("–" if s.is_baseline else (f"{med} mo" if med else
                                                f"> {study.horizon_months} mo"))
        row.append(f"{money(s.npv_mean)} ± {s.npv_mean_se:,.0f}")
        row += [money(s.npv_quantiles[q]) for q in (0.1, 0.5, 0.9)]
        row += [money(s.cvar5), f"{s.p_npv_positive:.3f}", f"{s.p_best:.3f}",
                f"{money(s.regret)} ± {s.regret_se:,.0f}"]
        pb = s.point_estimate.get("payback_months")
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
        pb = s.point_estimate.get("payback_months")
        says = "never pays back" if pb == "never" else f"says {pb} months"
        p = s.p_payback_within(n)
        items.append(
            f"<li><b>{html.escape(s.name)}</b>: the spreadsheet {says} "
            f"(monthly saving {money(s.point_estimate.get('monthly_savings'))} after "
            f"amortization); the simulation gives P(payback ≤ {n}) = {fmt_p(p, s.se(p))}"
            f" and a median payback of "
            f"{s.payback_median_months or '> ' + str(summary.study.horizon_months)} months.</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def inputs_table(study: Study) -> str:
    """Every input: the uncertain ones with their distribution, P10/P50/P90 and a text
    histogram; then the known values; each with where it came from (the study file, the
    price catalog, or the default the study left it at)."""
    from sim.report.describe import sparkline

    uncertain, known = [], []
    sources: dict[str, None] = {}
    for i in study.inputs():
        origin = "default" if i.is_default else (i.note.split(":")[0] or "study")
        if i.note:
            sources[i.note] = None
        if i.uncertain:
            p10, p50, p90 = i.dist.ppf(np.array([0.1, 0.5, 0.9]))
            uncertain.append([i.path, i.dist.describe().split(";")[0], fmt(i.dist.mean),
                              fmt(float(p10)), fmt(float(p50)), fmt(float(p90)),
                              sparkline(i.dist), origin, i.help])
        else:
            known.append([i.path, fmt(i.dist.mean), origin, i.help])
    out = "<h3>Uncertain inputs</h3>" + table(
        ["input", "distribution", "mean", "P10", "P50", "P90", "P0.5–P99.5", "from", "meaning"],
        uncertain, left=(0, 1, 6, 7, 8), mono=(6,))
    out += "<h3>Known values</h3>" + table(["input", "value", "from", "meaning"], known,
                                           left=(0, 2, 3))
    out = out.replace('<td class="l">default</td>', '<td class="l muted">default</td>')
    if sources:
        out += ('<p class="muted">Catalog sources:</p><ul class="muted">'
                + "".join(f"<li>{html.escape(s)}</li>" for s in sources) + "</ul>")
    return out


ASSUMPTIONS = [
    "A month is 30 days; GPUs bill 720 hours a month unless autoscaled.",
    "Volume grows geometrically: V(t) = V0·(1+g)^(t−1); per-token and GPU prices fall by their "
    "annual decline: p(t) = p0·(1−d)^((t−1)/12). Review and other labour costs do not fall.",
    "Until a strategy reaches production (build months) the baseline keeps serving and the "
    "project cost is spread over those months; with no build months it is paid in month 1.",
    "Payback month: the first month whose cumulative net saving vs the baseline is ≥ 0; "
    "\"not within the horizon\" is reported as such, never as a number.",
    "NPV discounts the net saving of month t by (1+r)^(−t/12) (end-of-month flows).",
    "The spreadsheet figures are the lesson's static calculation at every input's median: "
    "no growth, no price decline, no build months, payback = project cost ÷ monthly saving.",
    "Every strategy is evaluated on the same samples (common random numbers); P(best) splits "
    "ties evenly.",
]


#: Samples the report's sensitivity and value-of-information sections use (the summary
#: table uses all of them; ftrisk tornado analyses any number).
ANALYSIS_ROWS = 1 << 15


def decision_sections(result: RunResult) -> list[Any]:
    """Sensitivity, value of information and break-even map for the report (the comparison
    is built from the full summary instead)."""
    from sim.decision import analyze, load_samples
    from sim.report.sections import sensitivity_section, sweep_section, voi_section

    study = result.study
    if len([n for n in study.compared() if n != study.baseline]) == 0:
        return []
    analysis = analyze(load_samples(study, result.samples_path,
                                    rows=min(study.samples, ANALYSIS_ROWS)))
    out = [sensitivity_section(analysis), voi_section(analysis)]
    if analysis.sweep is not None:
        out.append(sweep_section(analysis.sweep))
    if study.samples > ANALYSIS_ROWS and out:
        note = (f'<p class="muted">From the first {ANALYSIS_ROWS:,} samples; '
                "<code>ftrisk tornado</code> analyses more.</p>")
        out[0] = type(out[0])(out[0].heading, note + out[0].body, out[0].charts)
    return out


def render(result: RunResult, path: str | Path) -> None:
    """Write the self-contained HTML report of a run to ``path``."""
    summary, study = result.summary, result.study
    charts = [
        ("payback", payback_cdf_chart(summary)),
        ("fan", fan_chart(result.fan)),
        ("npv", npv_chart(summary)),
    ]
    decision = decision_sections(result)
    charts += [(k, c) for sec in decision for k, c in sec.charts.items()]
    decision_html = "\n".join(f"<h2>{html.escape(sec.heading)}</h2>\n{sec.body}"
                              for sec in decision)
    if len(study.compared()) > 1:
        from sim.report.decision_charts import comparison_chart
        from sim.report.sections import comparison_frame

        charts.append(("comparison", comparison_chart(comparison_frame(summary))))
    # the chart functions are tested with validation on; skip the schema pass here
    specs = {k: c.to_dict(validate=False) for k, c in charts}
    divs = {k: f'<div class="chart" id="chart-{k}"></div>' for k in specs}
    fan_note = (f"Bands from the first {min(study.samples, 16384):,} samples; other figures "
                f"from all {study.samples:,}.")
    source = html.escape(study.source) if study.source else "<i>not stated</i>"
    body = f"""
<h1>{html.escape(study.name)}</h1>
<p class="muted">Source: {source}. {html.escape(study.description)}</p>
<p class="answer">{html.escape(summary.answer)}</p>
<h2>Summary</h2>
<p>{study.samples:,} samples ({study.sampling}), seed {study.seed}, horizon
{study.horizon_months} months, discount rate {study.discount_rate:.0%}/year, baseline
<b>{html.escape(study.baseline)}</b>. ± values are Monte Carlo standard errors.</p>
{summary_table(summary)}
<p class="muted">CVaR 5%: the average NPV of the worst 5% of samples; E[regret]: what a
strategy loses on average against the best one in each sample.</p>
{divs.get("comparison", "")}
<h2>The spreadsheet beside the distribution</h2>
{spreadsheet_vs_distribution(summary)}
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

