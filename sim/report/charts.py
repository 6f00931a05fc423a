"""Charts of a run: pure functions from pre-aggregated frames to altair charts.

Every chart is fed a few hundred rows at most (quantiles, histograms, CDFs), never the
samples, so a 10^6-sample report stays small.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from sim.runner.summary import Summary

WIDTH = 620
HEIGHT = 260


def payback_cdf_frame(summary: Summary) -> pl.DataFrame:
    """``strategy, month, p`` with p = P(payback <= month), for every non-baseline strategy."""
    rows = [
        {"strategy": s.name, "month": m, "p": p}
        for s in summary.strategies.values() if not s.is_baseline
        for m, p in enumerate(s.payback_cdf, start=1)
    ]
    return pl.DataFrame(rows, schema={"strategy": pl.String, "month": pl.Int64, "p": pl.Float64})


def payback_cdf_chart(summary: Summary) -> alt.LayerChart:
    """P(payback <= m) against month m, one line per strategy, with the headline month marked.

    Examples
    --------
    >>> spec = payback_cdf_chart(summary).to_dict()  # doctest: +SKIP
    """
    data = payback_cdf_frame(summary)
    n = summary.study.primary_months
    lines = alt.Chart(data).mark_line(interpolate="step-after", point=False).encode(
        x=alt.X("month:Q", title="month",
                scale=alt.Scale(domain=[1, summary.study.horizon_months], nice=False)),
        y=alt.Y("p:Q", title="P(payback ≤ month)", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("strategy:N", title="strategy"),
        tooltip=["strategy", "month", alt.Tooltip("p:Q", format=".3f")],
    )
    rule = alt.Chart(pl.DataFrame({"month": [n]})).mark_rule(strokeDash=[4, 4], color="gray"
                                                             ).encode(x="month:Q")
    return (lines + rule).properties(width=WIDTH, height=HEIGHT,
                                     title="Chance of having paid back by each month")


def fan_chart(fan: pl.DataFrame) -> alt.LayerChart:
    """Cumulative net saving vs the baseline by month: median line and P10–P90 band."""
    horizon = int(fan["month"].max() or 1) if fan.height else 1  # type: ignore[arg-type]
    band = alt.Chart(fan).mark_area(opacity=0.22).encode(
        x=alt.X("month:Q", title="month", scale=alt.Scale(domain=[1, horizon], nice=False)),
        y=alt.Y("p10:Q", title="cumulative net saving ($)"),
        y2="p90:Q",
        color=alt.Color("strategy:N", title="strategy"),
    )
    line = alt.Chart(fan).mark_line().encode(
        x="month:Q", y="p50:Q", color="strategy:N",
        tooltip=["strategy", "month", alt.Tooltip("p10:Q", format=",.0f"),
                 alt.Tooltip("p50:Q", format=",.0f"), alt.Tooltip("p90:Q", format=",.0f")],
    )
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return (band + line + zero).properties(
        width=WIDTH, height=HEIGHT, title="Cumulative net saving: median and P10–P90 band")


def npv_frame(summary: Summary) -> pl.DataFrame:
    """Pre-binned NPV histograms: ``strategy, lo, hi, share``."""
    rows = []
    for s in summary.strategies.values():
        if s.is_baseline:
            continue
        edges, counts = s.npv_hist
        total = max(sum(counts), 1)
        for i, c in enumerate(counts):
            rows.append({"strategy": s.name, "lo": edges[i], "hi": edges[i + 1],
                         "share": c / total})
    return pl.DataFrame(rows, schema={"strategy": pl.String, "lo": pl.Float64,
                                      "hi": pl.Float64, "share": pl.Float64})


def npv_chart(summary: Summary) -> alt.FacetChart:
    """Distribution of NPV per strategy (P0.5–P99.5; the outer tails fold into the end bins)."""
    data = npv_frame(summary)
    bars = alt.Chart(data).mark_bar(opacity=0.8).encode(
        x=alt.X("lo:Q", bin="binned", title="NPV vs baseline ($)"),
        x2="hi:Q",
        y=alt.Y("share:Q", title="share of samples"),
        color=alt.Color("strategy:N", legend=None),
        tooltip=["strategy", alt.Tooltip("lo:Q", format=",.0f"),
                 alt.Tooltip("hi:Q", format=",.0f"), alt.Tooltip("share:Q", format=".3f")],
    ).properties(width=WIDTH, height=120)
    return (bars.facet(row=alt.Row("strategy:N", title=None))
            .resolve_scale(x="independent").properties(title="Distribution of NPV"))
