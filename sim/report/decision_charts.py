"""Charts of decision analyses: pure functions from small result frames to altair charts.

Every chart is fed pre-aggregated rows (one per input, strategy or swept value), never
samples. Input paths are shortened for labels (``strategies.x.key`` -> ``x.key``).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sim.display import short

WIDTH = 560
ROW = 22


def _money_or_p(probability: bool) -> str:
    return ".3f" if probability else "$,.0f"


def tornado_chart(frame: pl.DataFrame, *, title: str = "", probability: bool = False,
                  label: str = "output", top: int = 15) -> alt.LayerChart:
    """Bars from the base value to the output with each input low / high, largest first.

    Inputs with no influence (swing 0) are left out.

    Parameters
    ----------
    frame : polars.DataFrame
        One strategy's rows of :attr:`Tornado.frame` (sorted by swing).
    title : str
        Chart title.
    probability : bool
        Format the axis as a probability instead of dollars.
    label : str
        Axis title (what the output is, e.g. ``E[NPV]``).
    top : int
        Inputs shown.

    Examples
    --------
    >>> spec = tornado_chart(tornado.table("hosted_ft")).to_dict()  # doctest: +SKIP
    """
    rows = frame.filter(pl.col("swing") > 0).head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."))
    order = rows["label"].to_list()
    long = pl.concat([
        rows.select("label", "base", "swing", value=pl.col("low"),
                    setting=pl.col("low_value"), side=pl.lit("input low (P10)")),
        rows.select("label", "base", "swing", value=pl.col("high"),
                    setting=pl.col("high_value"), side=pl.lit("input high (P90)")),
    ])
    fmt = _money_or_p(probability)
    bars = alt.Chart(long).mark_bar(opacity=0.85).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("base:Q", title=label, axis=alt.Axis(format=fmt)),
        x2="value:Q",
        color=alt.Color("side:N", title=None,
                        scale=alt.Scale(domain=["input low (P10)", "input high (P90)"],
                                        range=["#5b8bd9", "#e0793a"])),
        tooltip=["label", "side", alt.Tooltip("setting:Q", title="input value", format=",.4g"),
                 alt.Tooltip("value:Q", title="output", format=fmt),
                 alt.Tooltip("swing:Q", format=fmt)],
    )
    base = float(rows["base"][0]) if rows.height else 0.0
    rule = alt.Chart(pl.DataFrame({"base": [base]})).mark_rule(color="black").encode(
        x="base:Q")
    return (bars + rule).properties(width=WIDTH, height=max(ROW * len(order), 60),
                                    title=title or "Tornado")


def sobol_chart(frame: pl.DataFrame, *, title: str = "", top: int = 15) -> alt.LayerChart:
    """First-order and total Sobol' indices per input, with their confidence intervals.

    ``frame``: one strategy's rows of :attr:`SobolResult.frame` (sorted by ST); inputs
    with both indices exactly 0 (no influence) are left out.
    """
    rows = frame.filter((pl.col("ST") != 0) | (pl.col("S1") != 0)).head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."))
    order = rows["label"].to_list()
    long = pl.concat([
        rows.select("label", index=pl.lit("first-order S1"), value=pl.col("S1"),
                    lo=pl.col("S1_lo"), hi=pl.col("S1_hi")),
        rows.select("label", index=pl.lit("total ST"), value=pl.col("ST"),
                    lo=pl.col("ST_lo"), hi=pl.col("ST_hi")),
    ])
    y = alt.Y("label:N", sort=order, title=None)
    enc: dict[str, Any] = {"y": y, "yOffset": alt.YOffset("index:N"),
                           "color": alt.Color("index:N", title=None)}
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("value:Q", title="share of the output's variance"), **enc,
        tooltip=["label", "index", alt.Tooltip("value:Q", format=".3f"),
                 alt.Tooltip("lo:Q", format=".3f"), alt.Tooltip("hi:Q", format=".3f")])
    errs = alt.Chart(long).mark_rule(color="black").encode(x="lo:Q", x2="hi:Q", **enc)
    return (bars + errs).properties(width=WIDTH, height=max(2 * ROW * len(order), 60),
                                    title=title or "Sobol' indices")


def spearman_chart(frame: pl.DataFrame, *, title: str = "", top: int = 15) -> alt.Chart:
    """Spearman rank correlation of each input with the output (one strategy's rows)."""
    rows = frame.head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."),
        sign=pl.when(pl.col("spearman") >= 0).then(pl.lit("raises it"))
        .otherwise(pl.lit("lowers it")))
    return alt.Chart(rows).mark_bar().encode(
        y=alt.Y("label:N", sort=rows["label"].to_list(), title=None),
        x=alt.X("spearman:Q", title="rank correlation with the output",
                scale=alt.Scale(domain=[-1, 1])),
        color=alt.Color("sign:N", title=None),
        tooltip=["label", alt.Tooltip("spearman:Q", format=".3f")],
    ).properties(width=WIDTH, height=max(ROW * rows.height, 60),
                 title=title or "Rank correlations")


def sweep_chart(frame: pl.DataFrame, crossings: pl.DataFrame, *, param: str, months: int,
                log: bool = False) -> alt.VConcatChart:
    """P(payback <= N) (with ±2 se band) and E[NPV] against the swept value, per strategy.

    Dashed rules mark 50% and 90%; points mark where each strategy crosses them.
    """
    scale = alt.Scale(type="log", nice=False) if log else alt.Scale(zero=False, nice=False)
    x = alt.X("value:Q", title=short(param), scale=scale)
    band = frame.with_columns(lo=(pl.col("p_payback") - 2 * pl.col("p_payback_se")).clip(0, 1),
                              hi=(pl.col("p_payback") + 2 * pl.col("p_payback_se")).clip(0, 1))
    color = alt.Color("strategy:N", title="strategy")
    area = alt.Chart(band).mark_area(opacity=0.2).encode(x=x, y="lo:Q", y2="hi:Q", color=color)
    line = alt.Chart(band).mark_line(point=True).encode(
        x=x, y=alt.Y("p_payback:Q", title=f"P(payback ≤ {months})",
                     scale=alt.Scale(domain=[0, 1])), color=color,
        tooltip=["strategy", alt.Tooltip("value:Q", format=",.4g"),
                 alt.Tooltip("p_payback:Q", format=".3f"),
                 alt.Tooltip("p_payback_se:Q", format=".4f")])
    levels = alt.Chart(pl.DataFrame({"level": [0.5, 0.9]})).mark_rule(
        strokeDash=[4, 4], color="gray").encode(y="level:Q")
    marks = alt.Chart(crossings).mark_point(shape="diamond", size=90, filled=True).encode(
        x="value:Q", y="level:Q", color=color,
        tooltip=["strategy", "level", alt.Tooltip("value:Q", format=",.4g"),
                 alt.Tooltip("se:Q", format=",.3g")])
    top = (area + line + levels + marks).properties(
        width=WIDTH, height=240, title=f"Chance of paying back within {months} months")
    npv = alt.Chart(frame).mark_line(point=True).encode(
        x=x, y=alt.Y("npv_mean:Q", title="E[NPV] ($)", axis=alt.Axis(format="$,.0f")),
        color=color, tooltip=["strategy", alt.Tooltip("value:Q", format=",.4g"),
                              alt.Tooltip("npv_mean:Q", format="$,.0f")])
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    bottom = (npv + zero).properties(width=WIDTH, height=200, title="Expected NPV")
    return alt.vconcat(top, bottom)


def comparison_chart(frame: pl.DataFrame) -> alt.LayerChart:
    """Strategies' NPV distributions side by side: P5–P95 whisker, P10–P90 box, median, mean.

    ``frame``: ``strategy, p05, p10, p50, p90, p95, mean`` (see
    :func:`sim.report.sections.comparison_frame`).
    """
    y = alt.Y("strategy:N", sort=frame["strategy"].to_list(), title=None)
    tip = ["strategy", *(alt.Tooltip(f"{c}:Q", format="$,.0f")
                         for c in ("p05", "p10", "p50", "p90", "p95", "mean"))]
    whisker = alt.Chart(frame).mark_rule().encode(
        y=y, x=alt.X("p05:Q", title="NPV vs the baseline ($)", axis=alt.Axis(format="$,.0f")),
        x2="p95:Q", tooltip=tip)
    box = alt.Chart(frame).mark_bar(size=18, opacity=0.6).encode(
        y=y, x="p10:Q", x2="p90:Q", color=alt.Color("strategy:N", legend=None), tooltip=tip)
    median = alt.Chart(frame).mark_tick(color="black", size=18, thickness=2).encode(
        y=y, x="p50:Q", tooltip=tip)
    mean = alt.Chart(frame).mark_point(shape="diamond", filled=True, color="black").encode(
        y=y, x="mean:Q", tooltip=tip)
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4],
                                                          color="gray").encode(x="x:Q")
    return (whisker + box + median + mean + zero).properties(
        width=WIDTH, height=max(40 * frame.height, 80),
        title="NPV by strategy: P5–P95 line, P10–P90 bar, median tick, mean diamond")


def voi_chart(frame: pl.DataFrame, *, evpi: float, top: int = 12) -> alt.LayerChart:
    """EVPPI of each input and group in dollars (±2 se), with the EVPI as a dashed rule.

    Rows worth exactly 0 (the information never changes the choice) are left out.
    """
    rows = frame.filter(pl.col("evppi") > 0).head(top).with_columns(
        label=pl.col("name").str.strip_prefix("strategies."),
        lo=(pl.col("evppi") - 2 * pl.col("se")).clip(0, None),
        hi=pl.col("evppi") + 2 * pl.col("se"))
    y = alt.Y("label:N", sort=rows["label"].to_list(), title=None)
    bars = alt.Chart(rows).mark_bar().encode(
        y=y, x=alt.X("evppi:Q", title="worth knowing before deciding ($)",
                     axis=alt.Axis(format="$,.0f")),
        color=alt.Color("kind:N", title=None),
        tooltip=["label", "inputs", alt.Tooltip("evppi:Q", format="$,.0f"),
                 alt.Tooltip("se:Q", format="$,.0f")])
    errs = alt.Chart(rows).mark_rule(color="black").encode(y=y, x="lo:Q", x2="hi:Q")
    rule = alt.Chart(pl.DataFrame({"evpi": [evpi]})).mark_rule(
        strokeDash=[4, 4], color="gray").encode(x="evpi:Q")
    return (bars + errs + rule).properties(
        width=WIDTH, height=max(ROW * rows.height, 60),
        title="Value of information (dashed: EVPI, knowing everything)")
