"""Charts of a run: pure functions from pre-aggregated frames to altair charts.

Every chart is fed a few hundred rows at most (quantiles, histograms, CDFs), never the
samples, so a 10^6-sample report stays small. Strategies appear by their display names.
Each chart is sized to the page's column and lettered by :mod:`sim.report.theme`; given
nothing to draw (a study with only its baseline), each draws a one-line message instead of
an empty plot.
"""

from __future__ import annotations

from typing import Literal

import altair as alt
import polars as pl

from distributions import Distribution
from sim.display import percent
from sim.report.describe import histogram
from sim.report.spec import panel
from sim.report.theme import FONT, PLOT_WIDTH, fitted, message_chart, styled
from sim.runner.summary import Summary

HEIGHT = 300
#: Height of each strategy's NPV histogram.
PANEL_HEIGHT = 130


def payback_cdf_frame(summary: Summary) -> pl.DataFrame:
    """``strategy, label, month, p`` with p = P(payback <= month), for every non-baseline
    strategy."""
    rows = [
        {"strategy": s.name, "label": s.label or s.name, "month": m, "p": p}
        for s in summary.strategies.values() if not s.is_baseline
        for m, p in enumerate(s.payback_cdf, start=1)
    ]
    return pl.DataFrame(rows, schema={"strategy": pl.String, "label": pl.String,
                                      "month": pl.Int64, "p": pl.Float64})


def payback_cdf_chart(summary: Summary) -> alt.TopLevelMixin:
    """P(payback <= m) against month m, one line per strategy, with the headline month marked.

    Examples
    --------
    >>> spec = payback_cdf_chart(summary).to_dict()  # doctest: +SKIP
    """
    data = payback_cdf_frame(summary)
    if not data.height:
        return message_chart("No strategy besides the baseline: nothing pays back.")
    n = summary.study.primary_months
    horizon = summary.study.horizon_months
    lines = alt.Chart(data).mark_line(interpolate="step-after", point=False).encode(
        x=alt.X("month:Q", title="month", scale=alt.Scale(domain=[1, horizon], nice=False)),
        y=alt.Y("p:Q", title="P(payback ≤ month)", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        color=alt.Color("label:N", title="strategy"),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("month"), alt.Tooltip("p:Q", format=".3f")],
    )
    rule = alt.Chart(pl.DataFrame({"month": [n], "text": [f"{n} months"]})).mark_rule(
        strokeDash=[4, 4], color="gray").encode(x=alt.X("month:Q"))
    return alt.layer(lines, rule, title="Chance of having paid back by each month",
                     **fitted(HEIGHT), **styled())


def fan_chart(fan: pl.DataFrame, labels: dict[str, str] | None = None) -> alt.TopLevelMixin:
    """Cumulative net saving vs the baseline by month: median line and P10–P90 band.

    ``labels`` maps strategy ids to display names (default: the ids).
    """
    if not fan.height:
        return message_chart("No strategy besides the baseline: no saving to show.")
    horizon = int(fan["month"].max() or 1)  # type: ignore[arg-type]
    data = fan.with_columns(label=pl.col("strategy").replace_strict(
        labels or {}, default=pl.col("strategy")))
    x = alt.X("month:Q", title="month", scale=alt.Scale(domain=[1, horizon], nice=False))
    band = alt.Chart(data).mark_area(opacity=0.22).encode(
        x=x, y=alt.Y("p10:Q", title="cumulative net saving ($)", axis=alt.Axis(format="$,.0f")),
        y2=alt.Y2("p90:Q"), color=alt.Color("label:N", title="strategy"))
    line = alt.Chart(data).mark_line().encode(
        x=x, y=alt.Y("p50:Q"), color=alt.Color("label:N"),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("month"),
                 alt.Tooltip("p10:Q", format="$,.0f"), alt.Tooltip("p50:Q", format="$,.0f"),
                 alt.Tooltip("p90:Q", format="$,.0f")])
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(
        y=alt.Y("y:Q"))
    return alt.layer(band, line, zero, title="Cumulative net saving: median and P10–P90 band",
                     **fitted(HEIGHT), **styled())


def npv_frame(summary: Summary) -> pl.DataFrame:
    """Pre-binned NPV histograms on one shared range: ``strategy, label, lo, hi, share``."""
    rows = []
    for s in summary.strategies.values():
        if s.is_baseline:
            continue
        edges, counts = s.npv_hist
        total = max(s.n, 1)
        for i, c in enumerate(counts):
            rows.append({"strategy": s.name, "label": s.label or s.name, "lo": edges[i],
                         "hi": edges[i + 1], "share": c / total})
    return pl.DataFrame(rows, schema={"strategy": pl.String, "label": pl.String,
                                      "lo": pl.Float64, "hi": pl.Float64,
                                      "share": pl.Float64})


def npv_tails_frame(summary: Summary) -> pl.DataFrame:
    """The samples beyond the histograms' range, per strategy and side: ``label, side
    ("below"/"above"), x`` (the range's end), ``share`` and ``text`` ("◀ 0.4% below")."""
    rows = []
    for s in summary.strategies.values():
        if s.is_baseline:
            continue
        edges, _ = s.npv_hist
        for side, count, x in (("below", s.npv_tails[0], edges[0]),
                               ("above", s.npv_tails[1], edges[-1])):
            if count:
                share = count / max(s.n, 1)
                text = (f"◀ {percent(share)} below" if side == "below"
                        else f"{percent(share)} above ▶")
                rows.append({"label": s.label or s.name, "side": side, "x": x,
                             "share": share, "text": text})
    return pl.DataFrame(rows, schema={"label": pl.String, "side": pl.String, "x": pl.Float64,
                                      "share": pl.Float64, "text": pl.String})


def npv_chart(summary: Summary) -> alt.TopLevelMixin:
    """Distribution of NPV per strategy on one shared axis (from the lowest strategy's
    P0.5 to the highest's P99.5); the samples beyond it are counted and marked at the ends,
    never folded into the end bins."""
    bars = npv_frame(summary)
    if not bars.height:
        return message_chart("No strategy besides the baseline: no NPV to show.")
    tails = npv_tails_frame(summary)
    lo, hi = float(bars["lo"].min()), float(bars["hi"].max())  # type: ignore[arg-type]
    order = list(dict.fromkeys(bars["label"].to_list()))
    x = alt.X("lo:Q", bin="binned", title="NPV vs the baseline ($)",
              scale=alt.Scale(domain=[lo, hi], nice=False), axis=alt.Axis(format="$,.0f"))
    hist = alt.Chart(bars).mark_bar(opacity=0.85).encode(
        x=x, x2=alt.X2("hi:Q"),
        y=alt.Y("share:Q", title="share of samples", axis=alt.Axis(format="%")),
        color=alt.Color("label:N", legend=None, sort=order),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("lo:Q", format="$,.0f"),
                 alt.Tooltip("hi:Q", format="$,.0f"), alt.Tooltip("share:Q", format=".3f")],
    )
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4], color="gray"
                                                         ).encode(x=alt.X("x:Q"))
    panels = []
    for label in order:
        layers: list[alt.Chart] = [hist.transform_filter(alt.datum.label == label)]
        if lo < 0 < hi:
            layers.append(zero)
        ends: tuple[tuple[str, Literal["left", "right"], int], ...] = (
            ("below", "left", 4), ("above", "right", -4))
        for side, align, dx in ends:
            part = tails.filter((pl.col("label") == label) & (pl.col("side") == side))
            if part.height:
                layers.append(alt.Chart(part).mark_text(
                    align=align, baseline="top", dx=dx, dy=4, fontSize=FONT, color="#333"
                ).encode(x=alt.X("x:Q"), y=alt.YValue(0), text=alt.Text("text:N"),
                         tooltip=[alt.Tooltip("label"), alt.Tooltip("side"),
                                  alt.Tooltip("share:Q", format=".4f")]))
        panels.append(panel(layers, title=label, width=PLOT_WIDTH, height=PANEL_HEIGHT))
    # built in one call, with every top-level property: each later .properties() or
    # .resolve_scale() of a concatenation copies all its panels again
    return alt.vconcat(
        *panels, spacing=18, resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="shared")),
        title="Distribution of NPV (one axis for every strategy; tails beyond it marked)",
        **styled())


def input_chart(dist: Distribution, *, title: str = "", height: int = 70
                ) -> alt.TopLevelMixin:
    """A small chart of an input's distribution over its central 99% (the histogram of
    ``ftrisk describe``'s sparkline, :func:`~sim.report.describe.histogram`), its P10 and
    P90 as dashed rules and its median as a solid one.

    Examples
    --------
    >>> from distributions import Normal
    >>> input_chart(Normal(0.0, 1.0)).to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    edges, counts = histogram(dist, 30)
    bars = pl.DataFrame({"lo": edges[:-1], "hi": edges[1:],
                         "share": counts / max(int(counts.sum()), 1)})
    q10, q50, q90 = (float(v) for v in dist.ppf([0.1, 0.5, 0.9]))
    marks = pl.DataFrame({"x": [q10, q50, q90], "what": ["P10", "median", "P90"],
                          "dash": [1, 0, 1]})
    x = alt.X("lo:Q", bin="binned", title=None, axis=alt.Axis(format="~s", tickCount=5),
              scale=alt.Scale(domain=[float(edges[0]), float(edges[-1])], nice=False))
    hist = alt.Chart(bars).mark_bar(color="#5b8bd9", opacity=0.7).encode(
        x=x, x2="hi:Q", y=alt.Y("share:Q", axis=None),
        tooltip=[alt.Tooltip("lo:Q", format=",.4g"), alt.Tooltip("hi:Q", format=",.4g")])
    rules = alt.Chart(marks).mark_rule(color="black").encode(
        x="x:Q", strokeDash=alt.condition("datum.dash == 1", alt.value([4, 3]), alt.value([1, 0])),
        tooltip=["what", alt.Tooltip("x:Q", format=",.4g")])
    return alt.layer(hist, rules).properties(title=title, height=height)
