"""Charts of the decision tools (two-input break-even map, tail drivers, stress runs, value
of a pilot, Shapley effects): pure functions from small result frames to altair charts."""

from __future__ import annotations

import altair as alt
import numpy as np
import polars as pl

from sim.display import short

WIDTH = 560
ROW = 22


def _edges(values: np.ndarray, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges around each value: midpoints between neighbours (geometric on a log axis),
    the outer cells as wide as their neighbours."""
    v = np.log(values) if log else values.astype(np.float64)
    if v.size == 1:
        half = np.array([0.5 if not log else 0.1])
        lo, hi = v - half, v + half
    else:
        mid = (v[1:] + v[:-1]) / 2
        lo = np.concatenate([[v[0] - (mid[0] - v[0])], mid])
        hi = np.concatenate([mid, [v[-1] + (v[-1] - mid[-1])]])
    return (np.exp(lo), np.exp(hi)) if log else (lo, hi)


def _cells(frame: pl.DataFrame, logs: tuple[bool, bool]) -> pl.DataFrame:
    xs = np.unique(frame["value"].to_numpy())
    ys = np.unique(frame["value2"].to_numpy())
    (x0, x1), (y0, y1) = _edges(xs, logs[0]), _edges(ys, logs[1])
    ex = pl.DataFrame({"value": xs, "x0": x0, "x1": x1})
    ey = pl.DataFrame({"value2": ys, "y0": y0, "y1": y1})
    return frame.join(ex, on="value", how="left").join(ey, on="value2", how="left")


def map_chart(frame: pl.DataFrame, best: pl.DataFrame, contour: pl.DataFrame, *,
              param: str, param2: str, strategy: str, months: int,
              logs: tuple[bool, bool] = (False, False)) -> alt.HConcatChart:
    """Heatmap of P(payback <= N) of one strategy with its contour points, beside the map of
    the best strategy (max E[NPV] among the feasible ones).

    Parameters
    ----------
    frame : polars.DataFrame
        One strategy's rows of :attr:`BreakEvenMap.frame`.
    best : polars.DataFrame
        :attr:`BreakEvenMap.best`.
    contour : polars.DataFrame
        :attr:`BreakEvenMap.contour`.
    param, param2 : str
        The axes' inputs.
    strategy : str
        Whose probability.
    months : int
        N of P(payback <= N).
    logs : tuple of bool
        Log axes.
    """
    sx = alt.Scale(type="log", nice=False) if logs[0] else alt.Scale(zero=False, nice=False)
    sy = alt.Scale(type="log", nice=False) if logs[1] else alt.Scale(zero=False, nice=False)
    x = alt.X("x0:Q", title=short(param), scale=sx)
    y = alt.Y("y0:Q", title=short(param2), scale=sy)
    tip = [alt.Tooltip("value:Q", title=short(param), format=",.4g"),
           alt.Tooltip("value2:Q", title=short(param2), format=",.4g")]
    heat = alt.Chart(_cells(frame, logs)).mark_rect().encode(
        x=x, x2="x1:Q", y=y, y2="y1:Q",
        color=alt.Color("p_payback:Q", title=f"P(payback ≤ {months})",
                        scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen")),
        tooltip=[*tip, alt.Tooltip("p_payback:Q", format=".3f"),
                 alt.Tooltip("p_payback_se:Q", format=".4f"),
                 alt.Tooltip("npv_mean:Q", format="$,.0f")])
    points = alt.Chart(contour.rename({"value": "x0", "value2": "y0"})).mark_point(
        shape="diamond", filled=True, color="black", size=50).encode(
        x="x0:Q", y="y0:Q", tooltip=["level", alt.Tooltip("se:Q", format=",.3g"), "along"])
    left = (heat + points).properties(
        width=WIDTH // 2 + 60, height=300,
        title=f"P(payback ≤ {months}) of {strategy}; diamonds: the 50% contour")
    right = alt.Chart(_cells(best, logs)).mark_rect().encode(
        x=x, x2="x1:Q", y=y, y2="y1:Q", color=alt.Color("best:N", title="best (max E[NPV])"),
        tooltip=[*tip, "best", alt.Tooltip("best_npv:Q", format="$,.0f")]).properties(
        width=WIDTH // 2, height=300, title="Best strategy (max E[NPV], feasible)")
    return alt.hconcat(left, right).resolve_scale(color="independent")


def tail_chart(frame: pl.DataFrame, *, strategy: str, fraction: float,
               top: int = 15) -> alt.LayerChart:
    """Inputs by the KS distance of their tail distribution, coloured by which end of the
    input the tail draws; a dashed rule at the 5% noise level.

    ``frame``: :attr:`TailDrivers.frame`.
    """
    rows = frame.head(top).with_columns(label=pl.col("input").str.strip_prefix("strategies."))
    order = rows["label"].to_list()
    bars = alt.Chart(rows).mark_bar().encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("ks:Q", title="KS distance: tail vs all samples",
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("direction:N", title="the tail draws it",
                        scale=alt.Scale(domain=["high", "low", "-"],
                                        range=["#d62728", "#1f77b4", "#999999"])),
        tooltip=["label", alt.Tooltip("ks:Q", format=".3f"),
                 alt.Tooltip("median_shift:Q", format="+.2f", title="median shift (IQR)"),
                 alt.Tooltip("median_tail:Q", format=",.4g"),
                 alt.Tooltip("median_all:Q", format=",.4g")])
    noise = alt.Chart(rows.head(1)).mark_rule(strokeDash=[4, 4], color="gray").encode(
        x="ks_noise:Q")
    return (bars + noise).properties(
        width=WIDTH, height=max(ROW * rows.height, 60),
        title=f"What drives the worst {fraction:.0%} of NPV, {strategy} (dashed: noise, 5%)")


def stress_chart(frame: pl.DataFrame, *, strategy: str) -> alt.LayerChart:
    """NPV P10–P90 and mean of each stress scenario beside the base case.

    ``frame``: one strategy's rows of :attr:`StressResult.frame`.
    """
    y = alt.Y("scenario:N", sort=frame["scenario"].to_list(), title=None)
    tip = ["scenario", *(alt.Tooltip(f"{c}:Q", format="$,.0f")
                         for c in ("npv_p10", "npv_p50", "npv_p90", "npv_mean")),
           alt.Tooltip("p_payback:Q", format=".3f")]
    box = alt.Chart(frame).mark_bar(size=16, opacity=0.6).encode(
        y=y, x=alt.X("npv_p10:Q", title="NPV vs the baseline ($)",
                     axis=alt.Axis(format="$,.0f")),
        x2="npv_p90:Q", color=alt.Color("scenario:N", legend=None), tooltip=tip)
    median = alt.Chart(frame).mark_tick(color="black", size=16, thickness=2).encode(
        y=y, x="npv_p50:Q", tooltip=tip)
    mean = alt.Chart(frame).mark_point(shape="diamond", filled=True, color="black").encode(
        y=y, x="npv_mean:Q", tooltip=tip)
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4],
                                                          color="gray").encode(x="x:Q")
    return (box + median + mean + zero).properties(
        width=WIDTH, height=max(36 * frame.height, 80),
        title=f"Stress runs, {strategy}: NPV P10–P90 bar, median tick, mean diamond")


def shapley_chart(frame: pl.DataFrame, *, title: str, top: int = 15) -> alt.LayerChart:
    """Shapley effects (shares of the output's variance) with ±2 se whiskers.

    ``frame``: one strategy's rows of :attr:`ShapleyResult.frame`.
    """
    rows = frame.head(top).with_columns(
        label=pl.col("input").str.strip_prefix("strategies."),
        lo=(pl.col("shapley") - 2 * pl.col("se")), hi=(pl.col("shapley") + 2 * pl.col("se")))
    order = rows["label"].to_list()
    y = alt.Y("label:N", sort=order, title=None)
    bars = alt.Chart(rows).mark_bar(color="#4c78a8").encode(
        y=y, x=alt.X("shapley:Q", title="Shapley effect (share of the variance)",
                     axis=alt.Axis(format=".0%")),
        tooltip=[alt.Tooltip("label"), alt.Tooltip("shapley:Q", format=".3f"),
                 alt.Tooltip("se:Q", format=".3f")])
    whiskers = alt.Chart(rows).mark_rule(color="black").encode(y=y, x=alt.X("lo:Q"),
                                                               x2=alt.X2("hi:Q"))
    # properties given when the layer is built: a later .properties() copies every layer
    return alt.LayerChart(layer=[bars, whiskers], width=WIDTH,
                          height=max(ROW * rows.height, 60), title=title)


def pilot_chart(frame: pl.DataFrame, *, cost: float | None) -> alt.LayerChart:
    """EVSI of the pilot beside its ceilings (EVPPI, EVPI), ±2 se, and its cost (a rule).

    ``frame``: :meth:`PilotValue.table`.
    """
    rows = frame.with_columns(lo=(pl.col("value") - 2 * pl.col("se")).clip(0),
                              hi=pl.col("value") + 2 * pl.col("se"))
    y = alt.Y("what:N", sort=rows["what"].to_list(), title=None)
    bars = alt.Chart(rows).mark_bar(color="#59a14f").encode(
        y=y, x=alt.X("value:Q", title="value before deciding ($)",
                     axis=alt.Axis(format="$,.0f")),
        tooltip=[alt.Tooltip("what"), alt.Tooltip("value:Q", format="$,.0f"),
                 alt.Tooltip("se:Q", format="$,.0f")])
    whiskers = alt.Chart(rows).mark_rule(color="black").encode(y=y, x=alt.X("lo:Q"),
                                                               x2=alt.X2("hi:Q"))
    chart = bars + whiskers
    if cost is not None:
        chart += alt.Chart(pl.DataFrame({"cost": [cost]})).mark_rule(
            color="#e15759", strokeDash=[5, 3], size=2).encode(x=alt.X("cost:Q"), tooltip=[
                alt.Tooltip("cost:Q", format="$,.0f", title="pilot cost")])
    return chart.properties(width=WIDTH, height=3 * 36,
                            title="What the pilot is worth (red dashes: its cost)")
