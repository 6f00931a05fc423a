"""The package's public names, charts fed aggregates, and the report sections."""

from __future__ import annotations

import inspect
import pkgutil

import polars as pl
import pytest

import sim.decision as pkg
from sim.decision import analyze, simulate
from sim.report import comparison_chart, page, sections

#: Public helpers deliberately left out of ``sim.decision.__all__`` (module-level API).
INTERNAL = {"short", "money", "number", "text_table", "tornado_section", "comparison_section",
            "sensitivity_section", "voi_section", "sweep_section", "check_param", "average_ranks",
            # sweep helpers shared with the two-input map
            "input_field", "check_values", "level_crossings", "accumulate",
            # tasks a Dask worker runs (commands reach them through the package's functions)
            "draw_part", "outcome_part", "cells_task", "sobol_task", "RemoteDraws",
            # the model on chosen strategies, shared by the Sobol', tornado and Shapley code
            "metric_values",
            }


def test_all_is_complete_and_resolves():
    exported = set(pkg.__all__)
    assert len(exported) == len(pkg.__all__)
    for name in pkg.__all__:
        assert hasattr(pkg, name), name
    for info in pkgutil.iter_modules(pkg.__path__):
        module = __import__(f"sim.decision.{info.name}", fromlist=["_"])
        for name, obj in vars(module).items():
            # "__mutmut": the copies of each function that mutation testing generates
            if (name.startswith("_") or "__mutmut" in name
                    or not (inspect.isfunction(obj) or inspect.isclass(obj))
                    or obj.__module__ != module.__name__):
                continue
            assert name in exported or name in INTERNAL, f"{info.name}.{name} not exported"


@pytest.fixture
def analysis(hand_document):
    from sim import study_from_dict

    doc = hand_document
    doc["study"]["samples"] = 4096
    doc["workload"]["requests_per_day"] = "700 to 1400"
    return analyze(simulate(study_from_dict(doc)), sobol_n=1024)


def test_report_sections_and_small_charts(analysis):
    parts = sections(analysis)
    assert [p.heading for p in parts] == ["Strategy comparison", "Which unknown matters most?",
                                          "Is it worth finding out first?", "Break-even map"]
    for p in parts:
        for key, chart in p.charts.items():
            assert f'id="chart-{key}"' in p.body
            spec = chart.to_dict()
            rows = sum(len(v) for v in spec.get("datasets", {}).values())
            assert 0 < rows < 500, key
    voi = parts[2].body
    assert "before deciding is worth up to $" in voi
    html = page("t", parts)
    assert html.count("vegaEmbed(") == sum(len(p.charts) for p in parts)


def test_comparison_chart_from_a_summary_like_frame():
    frame = pl.DataFrame({"strategy": ["a", "b"], "p05": [-2.0, -1.0], "p10": [-1.0, 0.0],
                          "p50": [0.0, 1.0], "p90": [1.0, 2.0], "p95": [2.0, 3.0],
                          "mean": [0.1, 1.1]})
    spec = comparison_chart(frame).to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rule"


def test_sensitivity_says_what_is_noise_and_what_does_not_enter(analysis):
    body = sections(analysis)[1].body
    assert analysis.focus == "cheap"
    assert "E[NPV] of <b>Cheap API</b> with each uncertain input" in body
    assert '<p class="muted">No influence on Cheap API: cheap.cost_per_review.</p>' in body
    assert ('<p class="muted">1 input of another strategy does not enter Cheap API: left '
            "out.</p>") in body
    assert ('<p class="muted">Within Monte Carlo noise (swing under two standard errors): '
            "cheap.cost_per_review.</p>") in body
    assert "self_hosted.gpu_hourly" not in body
    assert "Sobol' indices, shares of the variance of NPV (its spread across futures, not " \
        "its average)" in body
    chart = sections(analysis)[1].charts["sobol"].to_dict()
    assert chart["title"] == "Sobol' indices: shares of the variance of NPV, Cheap API"


def test_an_s1_above_st_is_called_noise():
    from sim.decision import Metric, SobolResult
    from sim.report.sections import _sobol_html

    frame = pl.DataFrame({"strategy": ["s", "s"], "input": ["workload.a", "workload.b"],
                          "S1": [0.52, 0.30], "S1_lo": [0.4, 0.2], "S1_hi": [0.6, 0.4],
                          "ST": [0.50, 0.45], "ST_lo": [0.45, 0.4], "ST_hi": [0.55, 0.5]})
    text = _sobol_html(SobolResult(frame, Metric(), 1024, {"s": 1.0}), "s",
                       pl.DataFrame(schema={"input": pl.String, "spearman": pl.Float64}), 10)
    assert ("For workload.a the estimate of S1 exceeds ST, which cannot be so (a share alone "
            "is at most the share with interactions): the excess is estimation noise; read "
            "both as about equal.") in text
    assert "workload.b the estimate" not in text


def test_comparison_shows_the_unconstrained_figures_labelled(hand_document):
    from sim import study_from_dict
    from sim.decision import compare
    from sim.report.sections import comparison_section

    hand_document["constraints"] = {"data_on_premises": True}
    hand_document["study"]["samples"] = 2048
    study = study_from_dict(hand_document)
    body = comparison_section(compare(simulate(study)), study).body
    assert "<th>P(best), constraints ignored</th>" in body
    assert "<li>cheap: sends request data to a vendor (api)</li>" in body
    assert '<td class="l">cheap (excluded)</td>' in body


def test_a_submodule_named_like_its_function_leaves_the_function_on_the_package():
    """The package's names are imported on first use: importing sim.decision.sweep (or
    .compare, .voi_summary, ...) binds the module on the package, where the function
    ``sweep`` is meant, as when every name was imported eagerly."""
    import importlib

    for name in pkg._SHADOWED:
        module = importlib.import_module(f"sim.decision.{name}")
        assert getattr(pkg, name) is getattr(module, name), name
        assert inspect.isfunction(getattr(pkg, name)), name


def test_analyze_gives_each_analysis_as_computed_alone(hand_document):
    """analyze() runs the classic tornado and the break-even map on a second thread while
    the sample-based analyses run: every figure equals the one of the analysis run alone,
    in the caller's thread, exactly."""
    from sim import study_from_dict
    from sim.decision import (
        BREAK_EVEN_PARAM,
        break_even_values,
        classic_tornado,
        compare,
        focus_strategy,
        rank_correlations,
        sample_tornado,
        sobol_analysis,
        sweep,
        value_of_information,
    )

    doc = hand_document
    doc["study"]["samples"] = 2048
    doc["workload"]["requests_per_day"] = "700 to 1400"
    study = study_from_dict(doc)
    samples = simulate(study)
    a = analyze(samples, sobol_n=512, sweep_samples=1024)
    focus = focus_strategy(compare(samples), study)
    assert a.focus == focus == "cheap"
    assert a.tornado.frame.equals(classic_tornado(study, strategies=[focus]).frame)
    alone = sweep(study, BREAK_EVEN_PARAM, break_even_values(study), scale="log",
                  samples=1024)
    assert a.sweep is not None and a.sweep.frame.equals(alone.frame)
    assert a.sweep.frame.height == 9 * 2  # the 9 values, per strategy but the baseline
    fresh = simulate(study)  # its own ranks, computed outside analyze()
    assert a.sample_tornado.frame.equals(sample_tornado(fresh, strategies=[focus]).frame)
    assert a.correlations.equals(rank_correlations(fresh, strategies=[focus]))
    assert a.voi.frame.equals(value_of_information(fresh).frame)
    assert a.sobol is not None
    assert a.sobol.frame.equals(sobol_analysis(study, n=512, strategies=[focus]).frame)
