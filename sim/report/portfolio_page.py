"""The portfolio's report section and output folder (``ftrisk portfolio``).

The folder holds summary.json, samples.parquet (one row per sample: the portfolio's NPV and
payback month, each member's contribution, the shared inputs), manifest.json and
report.html, written atomically like a run's (:func:`sim.report.folder.write_folder`).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.display import money, prob
from sim.portfolio import PortfolioResult
from sim.report.folder import GENERATOR, write_folder
from sim.report.page import html_page, table

__all__ = ["PORTFOLIO_FILES", "portfolio_section", "render_portfolio", "write_portfolio"]

#: The files ``ftrisk portfolio`` writes (names a run's folder may hold).
PORTFOLIO_FILES = ("summary.json", "samples.parquet", "manifest.json", "report.html")


def npv_histogram_frame(npv: np.ndarray, bins: int = 40) -> pl.DataFrame:
    """Pre-binned portfolio NPV between its P0.5 and P99.5: ``lo, hi, share``.

    Examples
    --------
    >>> npv_histogram_frame(np.arange(1000.0), bins=4)["share"].sum() < 1.0
    True
    """
    lo, hi = np.quantile(npv, [0.005, 0.995])
    if hi <= lo:
        hi = lo + 1.0
    counts, edges = np.histogram(npv, bins=bins, range=(float(lo), float(hi)))
    return pl.DataFrame({"lo": edges[:-1], "hi": edges[1:], "share": counts / npv.size})


def _chart(result: PortfolioResult) -> dict[str, Any]:
    import altair as alt  # heavy: only a page being written needs it

    from sim.report.theme import fit, style

    frame = npv_histogram_frame(result.samples["npv"].to_numpy())
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("lo:Q", bin="binned", title="portfolio NPV ($)",
                axis=alt.Axis(format="$,.0f")), x2="hi:Q",
        y=alt.Y("share:Q", title="share of samples", axis=alt.Axis(format="%")))
    return style(fit(chart, height=220).properties(
        title="Distribution of the best plan's portfolio NPV")).to_dict()


def portfolio_section(result: PortfolioResult) -> str:
    """The portfolio's report section: the best plan, its figures, each member's part,
    the timings and the plans ranked (HTML)."""
    p = result.portfolio
    b = result.best
    n = p.payback_months
    plan = ", ".join(f"{result.name_of(k)} from month {d + 1}" for k, d in
                     zip(result.search.picks, result.search.starts, strict=True)) or "no project"
    parts = [f'<p class="verdict">Best plan ({p.objective}): {html.escape(plan)}. E[NPV] '
             f"{money(b.npv_mean)} ± {b.npv_se:,.0f}; P(portfolio payback ≤ {n}) "
             f"{prob(b.p_payback)}.</p>"]
    parts.append(table(["E[NPV]", "± se", "P10", "P50", "P90", "CVaR 5%", "P(NPV > 0)",
                        f"P(pb ≤ {n})", "median pb"],
                       [[money(b.npv_mean), f"{b.npv_se:,.0f}", money(b.npv_p10),
                         money(b.npv_p50), money(b.npv_p90), money(b.cvar5),
                         prob(b.p_npv_positive), prob(b.p_payback),
                         "-" if b.payback_median is None else f"{b.payback_median} mo"]],
                       left=0, cls="summary"))
    parts.append('<div class="chart" id="chart-portfolio_npv"></div>')
    parts.append("<h2>Each use case's part</h2>")
    rows = [[r["member"], r["strategy"] or "(stays on its baseline)",
             "-" if r["start_month"] is None else r["start_month"],
             money(r["npv_contribution"]),
             "-" if r["share"] is None else f"{r['share']:.0%}",
             "-" if r["upfront"] is None else money(r["upfront"]),
             "-" if r["engineering_hours"] is None else f"{r['engineering_hours']:,.0f}",
             "-" if r["mlops_fte"] is None else f"{r['mlops_fte']:.2f}"]
            for r in result.table().to_dicts()]
    parts.append(table(["member", "strategy", "start month", "E[NPV] contribution", "share",
                        "E[upfront]", "E[eng. hours]", "E[MLOps FTE]"], rows, left=2))
    parts.append("<h2>Sequence vs parallel</h2><p>The chosen projects started all in month "
                 "1 (parallel, hours unlimited), as the hours limit allows (scheduled), and "
                 "one after another's build (sequential); a project started d months late "
                 "loses its last d months inside the horizon (the model's "
                 "section on portfolios).</p>")
    rows = [[r["timing"], r["starts"] or "-", money(r["npv_mean"]), f"{r['npv_se']:,.0f}",
             prob(r["p_payback"]), money(r["cvar5"])]
            for r in result.timing_table().to_dicts()]
    parts.append(table(["timing", "starts (member:strategy@month)", "E[NPV]", "± se",
                        f"P(pb ≤ {n})", "CVaR 5%"], rows, left=2))
    parts.append(f"<p>Value of parallel over sequential: {money(result.value_of_parallel)}; "
                 f"cost of the hours limit: {money(result.cost_of_limits)} (E[NPV]).</p>")
    parts.append(f"<h2>Plans ranked</h2><p>{result.search.method} search over "
                 f"{result.search.schedules:,} schedules.</p>")
    rows = [[r["rank"], r["plan"], f"{r['objective']:,.4g}", money(r["npv_mean"])]
            for r in result.plans_table().to_dicts()]
    parts.append(table(["rank", "plan", p.objective, "E[NPV]"], rows, left=2))
    parts.append("<h2>Each use case alone</h2>")
    rows = [[r["member"], r["strategy"], money(r["npv_mean"]), prob(r["p_payback"]),
             money(r["cvar5"]), money(r["upfront"]), f"{r['engineering_hours']:,.0f}",
             f"{r['mlops_fte']:.2f}"] for r in result.standalone.to_dicts()]
    parts.append(table(["member", "strategy", "E[NPV]", f"P(pb ≤ {n})", "CVaR 5%",
                        "E[upfront]", "E[eng. hours]", "E[MLOps FTE]"], rows, left=2))
    shared = [[k.removeprefix("strategies."), str(d)] for k, d in p.shared.items()]
    if shared:
        parts.append("<h2>Shared inputs (one draw per sample for every member)</h2>")
        parts.append(table(["input", "distribution"], shared, left=2))
    for w in p.warnings:
        parts.append(f'<p class="warning">{html.escape(w)}</p>')
    return "\n".join(parts)


def render_portfolio(result: PortfolioResult, path: str | Path) -> None:
    """Write the portfolio's self-contained report page to ``path``."""
    p = result.portfolio
    body = (f"<h1>{html.escape(p.name)}</h1><p class=\"answer\">{html.escape(p.description)}"
            f"</p>{portfolio_section(result)}")
    Path(path).write_text(html_page(f"ftrisk portfolio: {p.name}", body,
                                    {"portfolio_npv": _chart(result)}), encoding="utf-8")


def _json(obj: Any, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, allow_nan=False,
                               default=lambda o: o.item() if hasattr(o, "item") else str(o))
                    + "\n", encoding="utf-8")


def write_portfolio(result: PortfolioResult, out: str | Path) -> None:
    """Write summary.json, samples.parquet, manifest.json and report.html into ``out``
    atomically (``out`` new, empty or a previous ftrisk output; never the user's files).

    Examples
    --------
    >>> write_portfolio(result, "out/portfolio")  # doctest: +SKIP
    """
    def write(tmp: Path) -> None:
        result.samples.write_parquet(tmp / "samples.parquet", statistics=False)
        render_portfolio(result, tmp / "report.html")
        _json(result.to_json(), tmp / "summary.json")
        _json({"generator": GENERATOR, "files": sorted(PORTFOLIO_FILES), **result.manifest},
              tmp / "manifest.json")

    write_folder(out, write, study_file=result.portfolio.file)
