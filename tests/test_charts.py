"""Charts sized to the page, lettered at >= 12 px, and sane when given nothing to draw.

Degenerate frames are what broke 7 of the 12 bundled reports: a layered chart whose colour
legend has no entries is sized 1.8e308 px by Vega, and everything below it vanished. Each
chart function given an empty frame must draw a one-line message instead; the sizes are
checked on the spec and, for the charts that broke, on the SVG Vega itself draws.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
import vl_convert as vlc

from sim import load_study, run
from sim.display import percent
from sim.report.charts import fan_chart, npv_chart, payback_cdf_chart
from sim.report.decision_charts import (
    comparison_chart,
    sobol_chart,
    spearman_chart,
    sweep_chart,
    tornado_chart,
    voi_chart,
)
from sim.report.theme import CHART_WIDTH, FONT, PAGE_WIDTH, PLOT_WIDTH

from helpers import STUDIES

TORNADO = {c: pl.Float64 for c in ("low_value", "high_value", "base", "low", "high", "low_se",
                                   "high_se", "swing", "swing_se")}
EMPTY = {
    "tornado": lambda: tornado_chart(pl.DataFrame(schema={
        "strategy": pl.String, "input": pl.String, **TORNADO})),
    "sobol": lambda: sobol_chart(pl.DataFrame(schema={
        "strategy": pl.String, "input": pl.String,
        **{c: pl.Float64 for c in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")}})),
    "spearman": lambda: spearman_chart(pl.DataFrame(schema={
        "strategy": pl.String, "input": pl.String, "spearman": pl.Float64})),
    "voi": lambda: voi_chart(pl.DataFrame(schema={
        "name": pl.String, "inputs": pl.String, "kind": pl.String, "method": pl.String,
        **{c: pl.Float64 for c in ("evppi", "se", "plugin", "share")}}), evpi=0.0),
    "comparison": lambda: comparison_chart(pl.DataFrame(schema={
        "strategy": pl.String, **{c: pl.Float64 for c in ("p05", "p10", "p50", "p90", "p95",
                                                          "mean")}})),
    "sweep": lambda: sweep_chart(
        pl.DataFrame(schema={"value": pl.Float64, "strategy": pl.String,
                             **{c: pl.Float64 for c in ("p_payback", "p_payback_se",
                                                        "npv_mean")}}),
        pl.DataFrame(schema={"strategy": pl.String, "level": pl.Float64,
                             "value": pl.Float64, "lo": pl.Float64, "hi": pl.Float64}),
        param="workload.requests_per_day", months=12),
    "fan": lambda: fan_chart(pl.DataFrame(schema={
        "strategy": pl.String, "month": pl.Int64, "p10": pl.Float64, "p50": pl.Float64,
        "p90": pl.Float64})),
}


def svg_size(spec: dict) -> tuple[float, float]:
    svg = vlc.vegalite_to_svg(spec)
    w, h = re.search(r'<svg[^>]* width="([^"]+)" height="([^"]+)"', svg).groups()
    return float(w), float(h)


def fonts(spec: dict) -> None:
    config = spec["config"]
    assert config["axis"]["labelFontSize"] >= FONT and config["axis"]["titleFontSize"] >= FONT
    assert config["legend"]["labelFontSize"] >= FONT and config["title"]["fontSize"] >= FONT


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_an_empty_frame_draws_a_message_at_the_page_width(name):
    spec = EMPTY[name]().to_dict()
    assert spec["mark"]["type"] == "text"
    assert spec["width"] == CHART_WIDTH and spec["autosize"]["type"] == "fit"
    fonts(spec)


@pytest.mark.parametrize("name", ["voi", "tornado", "sobol"])
def test_vega_draws_the_degenerate_charts_on_the_page(name):
    width, height = svg_size(EMPTY[name]().to_dict())
    assert 0 < width <= PAGE_WIDTH and 0 < height < 200


def test_voi_chart_message_gives_the_evpi():
    spec = EMPTY["voi"]().to_dict()
    (rows,) = spec["datasets"].values()
    assert rows == [{"text": "No single input or group changes the choice (EVPPI $0 each); "
                             "knowing everything is worth $0 (EVPI)."}]


@pytest.fixture(scope="module")
def startup():
    """Two candidate strategies (a self-hosted 7B and GPT-4o) with different NPV ranges."""
    return run(load_study(STUDIES / "startup.toml").replace(samples=3000))


def test_npv_histograms_share_one_range_and_count_their_tails(startup):
    s = startup.summary
    a, b = (x for x in s.strategies.values() if not x.is_baseline)
    assert a.npv_hist[0] == b.npv_hist[0]  # the same edges
    lo = min(a.npv_quantiles[0.005], b.npv_quantiles[0.005])
    hi = max(a.npv_quantiles[0.995], b.npv_quantiles[0.995])
    assert a.npv_hist[0][0] == lo and a.npv_hist[0][-1] == hi
    for x in (a, b):
        npv = startup.samples([f"npv.{x.name}"])[f"npv.{x.name}"]
        assert x.npv_tails == ((npv < lo).sum(), (npv > hi).sum())
        assert sum(x.npv_hist[1]) + sum(x.npv_tails) == 3000
    assert sum(a.npv_tails) + sum(b.npv_tails) > 0  # tails exist, and are not in the bars


def test_npv_chart_one_axis_and_marked_tails(startup):
    spec = npv_chart(startup.summary).to_dict()
    fonts(spec)
    panels = spec["vconcat"]
    candidates = [x for x in startup.summary.strategies.values() if not x.is_baseline]
    assert [p["title"] for p in panels] == [x.label for x in candidates]
    assert spec["resolve"]["scale"]["x"] == "shared"
    edges = candidates[0].npv_hist[0]
    for p in panels:
        bars = p["layer"][0]
        assert bars["encoding"]["x"]["scale"]["domain"] == [edges[0], edges[-1]]
        assert p["width"] == PLOT_WIDTH
    texts = [row["text"] for rows in spec["datasets"].values() for row in rows if "text" in row]
    for x in candidates:
        below, above = x.npv_tails
        if below:
            assert f"◀ {percent(below / 3000)} below" in texts
        if above:
            assert f"{percent(above / 3000)} above ▶" in texts
    assert any(sum(x.npv_tails) for x in candidates)


def test_run_charts_fill_the_column_with_display_names(startup):
    for chart in (payback_cdf_chart(startup.summary), fan_chart(startup.fan, {
            "self_hosted_7b": "Self-hosted 7B"})):
        spec = chart.to_dict()
        fonts(spec)
        assert spec["width"] == CHART_WIDTH and spec["autosize"]["type"] == "fit"
        labels = {r["label"] for rows in spec["datasets"].values() for r in rows if "label" in r}
        assert "Self-hosted 7B" in labels


def test_only_a_baseline_draws_messages(lesson_doc):
    from sim import study_from_dict

    del lesson_doc["strategies"]["self_hosted_7b"]
    result = run(study_from_dict(lesson_doc))
    for chart in (payback_cdf_chart(result.summary), fan_chart(result.fan),
                  npv_chart(result.summary)):
        assert chart.to_dict()["mark"]["type"] == "text"


def test_sweep_chart_marks_the_interval_of_each_crossing():
    frame = pl.DataFrame({"value": [1.0, 2.0, 1.0, 2.0], "strategy": ["a", "a", "b", "b"],
                          "p_payback": [0.2, 0.8, 0.1, 0.3], "p_payback_se": [0.01] * 4,
                          "npv_mean": [-1.0, 1.0, -2.0, -1.0]})
    crossings = pl.DataFrame({"strategy": ["a"], "level": [0.5], "value": [1.5],
                              "lo": [1.0], "hi": [2.0]})
    spec = sweep_chart(frame, crossings, param="workload.requests_per_day", months=12,
                       labels={"a": "Alpha"}).to_dict()
    fonts(spec)
    top = spec["vconcat"][0]
    interval = [layer for layer in top["layer"] if layer["encoding"].get("x2")]
    assert [(layer["encoding"]["x"]["field"], layer["encoding"]["x2"]["field"])
            for layer in interval] == [("lo", "hi")]
    width, _ = svg_size(spec)
    assert width <= PAGE_WIDTH


def test_a_tornado_with_long_labels_stays_on_the_page():
    rows = pl.DataFrame({"strategy": ["s"] * 3, "input": [
        "strategies.self_hosted_13b_with_a_long_name.storage_price_per_gb_month",
        "workload.requests_per_day", "strategies.x.engineering_phases.data_collection"],
        **{c: [1.0, 2.0, 3.0] for c in TORNADO}})
    spec = tornado_chart(rows.with_columns(swing=pl.Series([3.0, 2.0, 1.0])),
                         label="E[NPV]").to_dict()
    fonts(spec)
    width, height = svg_size(spec)
    assert width <= PAGE_WIDTH and height < 400
