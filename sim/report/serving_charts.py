"""Charts of the serving simulation: pure functions from small frames to Altair charts,
and a self-contained HTML page (the Vega JavaScript inlined, no network needed)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import polars as pl

from sim.report.files import write_text
from sim.report.page import html_page

_PERCENTILES = ("p50", "p95", "p99")


def latency_frame(sweep: pl.DataFrame) -> pl.DataFrame:
    """Long form of a :func:`~sim.serving.steady.latency_sweep` frame:
    ``utilization, metric ("e2e"/"ttft"), percentile, latency_ms``."""
    cols = [f"{m}_{p}_ms" for m in ("e2e", "ttft") for p in _PERCENTILES]
    long = sweep.select(["utilization", *cols]).unpivot(index="utilization", on=cols)
    parts = long["variable"].str.split("_")
    return long.with_columns(
        metric=parts.list.get(0), percentile=parts.list.get(1),
    ).select("utilization", "metric", "percentile", pl.col("value").alias("latency_ms"))


def latency_load_chart(sweep: pl.DataFrame, *, sla_ms: float | None = None,
                       title: str = "Latency against load") -> alt.LayerChart:
    """P50/P95/P99 of end-to-end latency and time to first token against utilization.

    Parameters
    ----------
    sweep : polars.DataFrame
        From :func:`~sim.serving.steady.latency_sweep`.
    sla_ms : float, optional
        Drawn as a horizontal rule.

    Examples
    --------
    >>> f = pl.DataFrame({"utilization": [0.2, 0.8], **{f"{m}_{p}_ms": [1.0, 2.0]
    ...                  for m in ("e2e", "ttft") for p in ("p50", "p95", "p99")}})
    >>> latency_load_chart(f, sla_ms=300.0).to_dict()["layer"][0]["mark"]["type"]
    'line'
    """
    data = latency_frame(sweep)
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("utilization:Q", title="utilization (offered load ÷ capacity)",
                axis=alt.Axis(format="%")),
        y=alt.Y("latency_ms:Q", title="latency (ms)", scale=alt.Scale(type="log")),
        color=alt.Color("percentile:N", title="percentile"),
        strokeDash=alt.StrokeDash("metric:N", title="latency", legend=alt.Legend(
            symbolType="stroke",
            labelExpr="datum.label == 'e2e' ? 'end to end' : 'first token'")),
        tooltip=["metric", "percentile", alt.Tooltip("utilization:Q", format=".0%"),
                 alt.Tooltip("latency_ms:Q", format=",.0f")],
    )
    layers: list[alt.Chart] = [lines]
    if sla_ms is not None:
        rule = alt.Chart(pl.DataFrame({"sla_ms": [sla_ms]})).mark_rule(
            color="firebrick", strokeDash=[4, 4]).encode(y="sla_ms:Q")
        layers.append(rule)
    return alt.LayerChart(layer=layers).properties(title=title, width=560, height=300)


def replicas_day_chart(hourly: pl.DataFrame, *,
                       title: str = "Replicas over the day") -> alt.VConcatChart:
    """Replicas billed per hour (one line per policy) above the requests per hour.

    Parameters
    ----------
    hourly : polars.DataFrame
        ``policy, hour, replicas, requests`` (the ``hourly`` frames of
        :class:`~sim.serving.ServingResult`, with a ``policy`` column).

    Examples
    --------
    >>> f = pl.DataFrame({"policy": ["fixed"] * 2, "hour": [0, 1], "replicas": [2.0, 2.0],
    ...                   "requests": [10, 20]})
    >>> len(replicas_day_chart(f).to_dict()["vconcat"])
    2
    """
    base = alt.Chart(hourly)
    replicas = base.mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("hour:Q", title="hour of day", scale=alt.Scale(domain=[0, 24])),
        y=alt.Y("replicas:Q", title="replicas (time-average billed)"),
        color=alt.Color("policy:N", title="policy"),
        tooltip=["policy", "hour", alt.Tooltip("replicas:Q", format=".2f")],
    ).properties(title=title, width=560, height=220)
    first = hourly["policy"][0] if hourly.height else ""
    requests = alt.Chart(hourly.filter(pl.col("policy") == first)).mark_bar(
        color="#9ab").encode(
        x=alt.X("hour:O", title="hour of day"),
        y=alt.Y("requests:Q", title="requests"),
        tooltip=["hour", "requests"],
    ).properties(width=560, height=120)
    return alt.vconcat(replicas, requests)


SERVE_CSS = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;"
             "padding:0 1rem;color:#222}pre{background:#f8f8f8;padding:.8rem;overflow:auto;"
             "font-size:.8rem}")


def write_page(path: str | Path, title: str,
               sections: Sequence[tuple[str, str, alt.TopLevelMixin | None]]) -> None:
    """Write a self-contained HTML page of (heading, HTML text, chart) sections, atomically."""
    body, specs = [f"<h1>{html.escape(title)}</h1>"], {}
    for k, (heading, text, chart) in enumerate(sections):
        body.append(f"<h2>{html.escape(heading)}</h2>\n{text}")
        if chart is not None:
            body.append(f'<div class="chart" id="chart-{k}"></div>')
            specs[str(k)] = chart.to_dict()
    page = html_page(f"ftrisk serve — {title}", "".join(body), specs, css=SERVE_CSS)
    write_text(path, page)
