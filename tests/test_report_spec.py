"""chart_spec and panel give the very specs altair's own calls give (keys in the same order:
report.html embeds them as they come), for the report's charts and for the cases they
leave to altair."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import polars as pl
import pytest

from sim.report import run_report
from sim.report.spec import chart_spec, panel
from sim.report.theme import unchecked


def same(spec: dict, chart: alt.TopLevelMixin) -> bool:
    """``spec`` is altair's spec of ``chart``, to the key order."""
    return json.dumps(spec) == json.dumps(chart.to_dict(validate=False))


def unit(data: pl.DataFrame | None = None, **encoding) -> alt.Chart:
    frame = data if data is not None else pl.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    return alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q", **encoding)


@pytest.mark.parametrize("name", ["startup", "lesson_parity", "enterprise",
                                  "customer_support"])
def test_the_report_embeds_altairs_specs(bundled, monkeypatch, tmp_path, name):
    checked = []

    def checking(chart):
        spec = chart_spec(chart)
        assert same(spec, chart), type(chart).__name__
        checked.append(type(chart))
        return spec

    monkeypatch.setattr(run_report, "chart_spec", checking)
    run_report.render(bundled(name), tmp_path / "report.html")
    assert alt.VConcatChart in checked and alt.LayerChart in checked


def test_compound_charts_at_every_level():
    a, b = unit(), unit(pl.DataFrame({"x": [0.0], "y": [1.0]})).mark_point()
    layered = alt.layer(a, b, title="t", width=300, height=200)
    charts = [
        layered,
        alt.vconcat(alt.layer(a, b, title="p"), alt.layer(b, a), spacing=5),
        alt.hconcat(alt.vconcat(a, alt.layer(a, b)), b, title=alt.Title("t", subtitle="s")),
        alt.concat(a, b, columns=2),
        alt.layer(a, b).configure_axis(labelFontSize=12).properties(title="x"),
        alt.vconcat(panel([a, b], title="p", width=100), panel([b.mark_rule(), a])),
        alt.layer(a, a.mark_point()),  # one frame: on the layered chart
        alt.vconcat(alt.layer(b, b.mark_point(), alt.layer(a, a.mark_point())), a),
        alt.layer(alt.Chart().mark_line().encode(x="x", y="y"),  # types from the data
                  alt.Chart().mark_point().encode(x="x:Q"), data=a.data),
        alt.layer(alt.Chart().mark_line().encode(x="x:Q"), data="https://example.org/d.csv"),
        alt.layer(alt.Chart().mark_point().encode(x="x:Q"), data={"values": [{"x": 1}]}),
    ]
    for chart in charts:
        with unchecked():
            assert same(chart_spec(chart), chart)
        assert same(chart_spec(chart), chart)  # altair's checks on: the same spec


def test_what_it_leaves_to_altair_comes_out_the_same():
    brush = alt.selection_interval(encodings=["x"])
    charts = [
        unit(),  # a single view
        alt.layer(unit().add_params(brush), unit().mark_point()),  # parameters, lifted
        alt.vconcat(unit(), alt.layer(unit(), unit().mark_point().add_params(brush))),
        unit().facet(row="x:N"),
        alt.layer(unit(), unit().mark_point(), height=np.int64(200)),  # not plain JSON
    ]
    for chart in charts:
        assert same(chart_spec(chart), chart)


def test_another_data_transformer_is_altairs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    chart = alt.layer(unit(), unit().mark_point())
    with alt.data_transformers.enable("json"):
        spec = chart_spec(chart)
        assert same(spec, chart)
    assert "url" in spec["layer"][0]["data"]


def test_a_panel_is_a_plain_layer_spec_only_where_alt_layer_changes_nothing():
    a, b = unit(), unit(pl.DataFrame({"x": [0.0], "y": [1.0]})).mark_point()
    frame = pl.DataFrame({"x": [1.0], "y": [2.0]})
    cases = {
        "plain": ([a, b], alt.LayerSpec),
        "one layer (its data hoisted)": ([a], alt.LayerChart),
        "shared data": ([unit(frame), unit(frame).mark_point()], alt.LayerChart),
        "a sized layer": ([a.properties(width=100), b], alt.LayerChart),
        "a layered layer": ([alt.layer(a, b), b], alt.LayerChart),
        "parameters": ([a.add_params(alt.selection_point()), b], alt.LayerChart),
    }
    for name, (layers, kind) in cases.items():
        p = panel(layers, title=name, height=90)
        assert type(p) is kind, name
        mine = alt.vconcat(p, unit())
        theirs = alt.vconcat(alt.layer(*layers, title=name, height=90), unit())
        assert json.dumps(mine.to_dict()) == json.dumps(theirs.to_dict()), name
        assert json.dumps(chart_spec(mine)) == json.dumps(theirs.to_dict()), name
