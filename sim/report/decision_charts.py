"""Charts of decision analyses: pure functions from small result frames to altair charts.

Every chart is fed pre-aggregated rows (one per input, strategy or swept value), never
samples. Input paths are shortened for labels (``strategies.x.key`` -> ``x.key``).

Given no rows to draw (every input fixed, information that never changes the choice), a
chart draws a one-line message instead (:func:`~sim.report.theme.message_chart`): Vega
sizes an empty layered chart with a colour legend as 1.8e308 pixels, which hid every later
section of the page.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from sim.display import money, short
from sim.report.spec import panel
from sim.report.theme import MAX_HEIGHT, PLOT_WIDTH, ROW, fitted, message_chart, styled

#: Bars a list chart shows at most (a taller chart would pass the page's height limit).
TOP = 15
#: Colours of a tornado's two sides.
SIDES = ("input low (P10)", "input high (P90)")


def _money_or_p(probability: bool) -> str:
    return ".3f" if probability else "$,.0f"


def _bars_height(n: int, per: int = ROW) -> int:
    return min(max(per * n, 60), MAX_HEIGHT)


def tornado_chart(frame: pl.DataFrame, *, title: str = "", probability: bool = False,
                  label: str = "output", top: int = TOP,
                  sides: tuple[str, str] = SIDES) -> alt.TopLevelMixin:
    """Bars from the base value to the output with each input low / high, largest first.

    Inputs with no influence (swing 0) are left out; with none left, a message.

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
    sides : (str, str)
        How the low and high settings are named in the legend.

    Examples
    --------
    >>> spec = tornado_chart(tornado.table("hosted_ft")).to_dict()  # doctest: +SKIP
    """
    rows = frame.filter(pl.col("swing") > 0).head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."))
    if not rows.height:
        return message_chart("No input moves the output.")
    order = rows["label"].to_list()
    long = pl.concat([
        rows.select("label", "base", "swing", value=pl.col("low"),
                    setting=pl.col("low_value"), side=pl.lit(sides[0])),
        rows.select("label", "base", "swing", value=pl.col("high"),
                    setting=pl.col("high_value"), side=pl.lit(sides[1])),
    ])
    fmt = _money_or_p(probability)
    bars = alt.Chart(long).mark_bar(opacity=0.85).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("base:Q", title=label, axis=alt.Axis(format=fmt)),
        x2=alt.X2("value:Q"),
        color=alt.Color("side:N", title=None,
                        scale=alt.Scale(domain=list(sides), range=["#5b8bd9", "#e0793a"])),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("side"),
                 alt.Tooltip("setting:Q", title="input value", format=",.4g"),
                 alt.Tooltip("value:Q", title="output", format=fmt),
                 alt.Tooltip("swing:Q", format=fmt)],
    )
    rule = alt.Chart(pl.DataFrame({"base": [float(rows["base"][0])]})).mark_rule(
        color="black").encode(x=alt.X("base:Q"))
    return alt.layer(bars, rule, title=title or "Tornado", **fitted(_bars_height(len(order))),
                     **styled())


def sobol_chart(frame: pl.DataFrame, *, title: str = "", top: int = TOP) -> alt.TopLevelMixin:
    """First-order and total Sobol' indices per input (shares of the output's variance),
    with their confidence intervals.

    ``frame``: one strategy's rows of :attr:`SobolResult.frame` (sorted by ST); inputs
    with both indices exactly 0 (no influence) are left out; with none left, a message.
    """
    rows = frame.filter((pl.col("ST") != 0) | (pl.col("S1") != 0)).head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."))
    if not rows.height:
        return message_chart("No input accounts for any of the output's variance.")
    order = rows["label"].to_list()
    index = ["first-order S1 (alone)", "total ST (with interactions)"]
    long = pl.concat([
        rows.select("label", index=pl.lit(index[0]), value=pl.col("S1"),
                    lo=pl.col("S1_lo"), hi=pl.col("S1_hi")),
        rows.select("label", index=pl.lit(index[1]), value=pl.col("ST"),
                    lo=pl.col("ST_lo"), hi=pl.col("ST_hi")),
    ])
    y = alt.Y("label:N", sort=order, title=None)
    enc: dict[str, Any] = {"y": y, "yOffset": alt.YOffset("index:N", sort=index),
                           "color": alt.Color("index:N", title=None,
                                              scale=alt.Scale(domain=index))}
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("value:Q", title="share of the variance of the output",
                axis=alt.Axis(format="%")), **enc,
        tooltip=[alt.Tooltip("label"), alt.Tooltip("index"),
                 alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("lo:Q", format=".3f"),
                 alt.Tooltip("hi:Q", format=".3f")])
    errs = alt.Chart(long).mark_rule(color="black").encode(x=alt.X("lo:Q"), x2=alt.X2("hi:Q"),
                                                           **enc)
    return alt.layer(bars, errs, title=title or "Sobol' indices",
                     **fitted(_bars_height(len(order), 2 * ROW)), **styled())


def spearman_chart(frame: pl.DataFrame, *, title: str = "",
                   top: int = TOP) -> alt.TopLevelMixin:
    """Spearman rank correlation of each input with the output (one strategy's rows)."""
    rows = frame.head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."),
        sign=pl.when(pl.col("spearman") >= 0).then(pl.lit("raises it"))
        .otherwise(pl.lit("lowers it")))
    if not rows.height:
        return message_chart("No uncertain input enters this output.")
    return alt.Chart(rows, title=title or "Rank correlations",
                     **fitted(_bars_height(rows.height)), **styled()).mark_bar().encode(
        y=alt.Y("label:N", sort=rows["label"].to_list(), title=None),
        x=alt.X("spearman:Q", title="rank correlation with the output",
                scale=alt.Scale(domain=[-1, 1])),
        color=alt.Color("sign:N", title=None,
                        scale=alt.Scale(domain=["raises it", "lowers it"])),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("spearman:Q", format=".3f")],
    )


def sweep_chart(frame: pl.DataFrame, crossings: pl.DataFrame, *, param: str, months: int,
                log: bool = False, labels: dict[str, str] | None = None) -> alt.TopLevelMixin:
    """P(payback <= N) (with ±2 se band) and E[NPV] against the swept value, per strategy.

    Dashed rules mark 50% and 90%; diamonds mark where each strategy crosses them, with a
    bar over the interval the crossing lies in (the swept values around it and ± 2 se).
    ``labels`` maps strategy ids to display names.
    """
    if not frame.height:
        return message_chart("Nothing was swept.")
    names = labels or {}
    frame = frame.with_columns(
        label=pl.col("strategy").replace_strict(names, default=pl.col("strategy")))
    crossings = crossings.with_columns(
        label=pl.col("strategy").replace_strict(names, default=pl.col("strategy")))
    domain = list(dict.fromkeys(frame["label"].to_list()))
    scale = alt.Scale(type="log", nice=False) if log else alt.Scale(zero=False, nice=False)
    x = alt.X("value:Q", title=short(param), scale=scale)
    band = frame.with_columns(lo=(pl.col("p_payback") - 2 * pl.col("p_payback_se")).clip(0, 1),
                              hi=(pl.col("p_payback") + 2 * pl.col("p_payback_se")).clip(0, 1))
    color = alt.Color("label:N", title="strategy", scale=alt.Scale(domain=domain))
    area = alt.Chart(band).mark_area(opacity=0.2).encode(x=x, y=alt.Y("lo:Q"),
                                                         y2=alt.Y2("hi:Q"), color=color)
    line = alt.Chart(band).mark_line(point=True).encode(
        x=x, y=alt.Y("p_payback:Q", title=f"P(payback ≤ {months})",
                     scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")), color=color,
        tooltip=[alt.Tooltip("label"), alt.Tooltip("value:Q", format=",.4g"),
                 alt.Tooltip("p_payback:Q", format=".3f"),
                 alt.Tooltip("p_payback_se:Q", format=".4f")])
    levels = alt.Chart(pl.DataFrame({"level": [0.5, 0.9]})).mark_rule(
        strokeDash=[4, 4], color="gray").encode(y=alt.Y("level:Q"))
    layers: list[alt.Chart] = [area, line, levels]
    if crossings.height:
        tip = [alt.Tooltip("label"), alt.Tooltip("level"),
               alt.Tooltip("value:Q", format=",.4g"),
               alt.Tooltip("lo:Q", title="between", format=",.4g"),
               alt.Tooltip("hi:Q", title="and", format=",.4g")]
        layers += [
            alt.Chart(crossings).mark_rule(strokeWidth=3, opacity=0.6).encode(
                x=alt.X("lo:Q"), x2=alt.X2("hi:Q"), y=alt.Y("level:Q"), color=color,
                tooltip=tip),
            alt.Chart(crossings).mark_point(shape="diamond", size=90, filled=True).encode(
                x=alt.X("value:Q"), y=alt.Y("level:Q"), color=color, tooltip=tip)]
    top = panel(layers, width=PLOT_WIDTH, height=240,
                title=f"Chance of paying back within {months} months")
    npv = alt.Chart(frame).mark_line(point=True).encode(
        x=x, y=alt.Y("npv_mean:Q", title="E[NPV] ($)", axis=alt.Axis(format="$,.0f")),
        color=color, tooltip=[alt.Tooltip("label"), alt.Tooltip("value:Q", format=",.4g"),
                              alt.Tooltip("npv_mean:Q", format="$,.0f")])
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(
        y=alt.Y("y:Q"))
    bottom = panel([npv, zero], width=PLOT_WIDTH, height=200, title="Expected NPV")
    return alt.vconcat(top, bottom, **styled())


def comparison_chart(frame: pl.DataFrame) -> alt.TopLevelMixin:
    """Strategies' NPV distributions side by side: P5–P95 whisker, P10–P90 box, median, mean.

    ``frame``: ``strategy, p05, p10, p50, p90, p95, mean`` and optionally ``label`` (see
    :func:`sim.report.sections.comparison_frame`).
    """
    if not frame.height:
        return message_chart("No strategy besides the baseline to compare.")
    if "label" not in frame.columns:
        frame = frame.with_columns(label=pl.col("strategy"))
    y = alt.Y("label:N", sort=frame["label"].to_list(), title=None)
    tip = [alt.Tooltip("label"), *(alt.Tooltip(f"{c}:Q", format="$,.0f")
                                   for c in ("p05", "p10", "p50", "p90", "p95", "mean"))]
    whisker = alt.Chart(frame).mark_rule().encode(
        y=y, x=alt.X("p05:Q", title="NPV vs the baseline ($)", axis=alt.Axis(format="$,.0f")),
        x2=alt.X2("p95:Q"), tooltip=tip)
    box = alt.Chart(frame).mark_bar(size=18, opacity=0.6).encode(
        y=y, x=alt.X("p10:Q"), x2=alt.X2("p90:Q"), color=alt.Color("label:N", legend=None),
        tooltip=tip)
    median = alt.Chart(frame).mark_tick(color="black", size=18, thickness=2).encode(
        y=y, x=alt.X("p50:Q"), tooltip=tip)
    mean = alt.Chart(frame).mark_point(shape="diamond", filled=True, color="black").encode(
        y=y, x=alt.X("mean:Q"), tooltip=tip)
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4],
                                                          color="gray").encode(x=alt.X("x:Q"))
    return alt.layer(
        whisker, box, median, mean, zero,
        title="NPV by strategy: P5–P95 line, P10–P90 bar, median tick, mean diamond",
        **fitted(max(_bars_height(frame.height, 56), 110)), **styled())


def voi_chart(frame: pl.DataFrame, *, evpi: float, top: int = 12) -> alt.TopLevelMixin:
    """EVPPI of each input and group in dollars (±2 se), with the EVPI as a dashed rule.

    Rows worth exactly 0 (the information never changes the choice) are left out; with
    none left, a message saying so (and the EVPI).
    """
    rows = frame.filter(pl.col("evppi") > 0).head(top).with_columns(
        label=pl.col("name").str.strip_prefix("strategies."),
        lo=(pl.col("evppi") - 2 * pl.col("se")).clip(0, None),
        hi=pl.col("evppi") + 2 * pl.col("se"))
    if not rows.height:
        return message_chart("No single input or group changes the choice (EVPPI $0 each); "
                             f"knowing everything is worth {money(evpi)} (EVPI).")
    y = alt.Y("label:N", sort=rows["label"].to_list(), title=None)
    right = max(float(rows["hi"].max()), evpi) * 1.05  # type: ignore[arg-type]
    bars = alt.Chart(rows).mark_bar().encode(
        y=y, x=alt.X("evppi:Q", title="worth knowing before deciding ($)",
                     axis=alt.Axis(format="$,.0f"), scale=alt.Scale(domain=[0, right])),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["input", "group"])),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("inputs"),
                 alt.Tooltip("evppi:Q", format="$,.0f"), alt.Tooltip("se:Q", format="$,.0f")])
    errs = alt.Chart(rows).mark_rule(color="black").encode(y=y, x=alt.X("lo:Q"),
                                                           x2=alt.X2("hi:Q"))
    rule = alt.Chart(pl.DataFrame({"evpi": [evpi]})).mark_rule(
        strokeDash=[4, 4], color="gray").encode(x=alt.X("evpi:Q"))
    return alt.layer(bars, errs, rule,
                     title="Value of information (dashed line: EVPI, knowing everything)",
                     **fitted(_bars_height(rows.height)), **styled())
