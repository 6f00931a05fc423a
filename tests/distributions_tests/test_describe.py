"""``ftrisk describe`` and the inputs table: family, parameters, mean, P10/P50/P90, histogram."""

from __future__ import annotations

import copy
import types

import numpy as np
import pytest

import distributions
from sim.cli import main
from sim.report.describe import describe_frame, describe_html, describe_text, sparkline
from sim.study import load_study, study_from_dict

from helpers import LESSON, STUDIES, write_toml


def _doc():
    doc = copy.deepcopy(LESSON)
    doc["study"]["name"] = "describe me"
    doc["workload"]["requests_per_day"] = "3500 to 7000"
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {"pert": [76, 110, 188]}
    doc["strategies"]["self_hosted_7b"]["training_runs"] = {"uniform_int": [5, 15]}
    doc["correlations"] = [{"between": ["workload.requests_per_day",
                                        "self_hosted_7b.engineering_hours"], "rank": 0.8}]
    return doc


@pytest.fixture(scope="module")
def legal(tmp_path_factory):
    return load_study(write_toml(tmp_path_factory.mktemp("describe") / "s.toml", _doc()))


def test_frame_has_every_input_with_its_quantiles(legal):
    frame = describe_frame(legal)
    assert frame.columns == ["input", "family", "distribution", "mean", "sd", "p10", "p50", "p90",
                             "unit", "uncertain", "default", "meaning"]
    assert frame.height == len(legal.inputs())
    row = frame.row(frame["input"].to_list().index("workload.requests_per_day"), named=True)
    d = legal.input("workload.requests_per_day").dist
    assert row["family"] == "lognormal"
    assert row["distribution"] == "lognormal(90% in 3500 to 7000)"
    np.testing.assert_allclose([row["p10"], row["p50"], row["p90"]], d.ppf([0.1, 0.5, 0.9]))
    assert row["mean"] == pytest.approx(d.mean)
    assert row["uncertain"] and not row["default"]
    assert row["unit"] == "requests/day" and row["meaning"] == "request volume in month 1"
    only = describe_frame(legal, uncertain_only=True)
    assert only.height == len(legal.uncertain_inputs()) and only["uncertain"].all()


def test_text_has_histograms_and_correlations(legal):
    text = describe_text(legal)
    assert legal.name in text
    line = next(ln for ln in text.splitlines() if ln.startswith("workload.requests_per_day"))
    assert any(ch in line for ch in "▁▂▃▄▅▆▇█")
    assert "rank correlations (Iman–Conover):" in text
    assert "+0.80" in text
    fixed = next(ln for ln in text.splitlines() if ln.startswith("workload.monthly_growth"))
    assert fixed.rstrip().endswith("default")


def test_sparkline_shapes():
    assert len(sparkline(distributions.Normal(0, 1))) == 20
    assert sparkline(distributions.Uniform(0, 1)) == "█" * 20
    assert sparkline(distributions.UniformInt(1, 6)) == "█" * 6
    assert sparkline(distributions.Fixed(3.0)) == ""
    right_skewed = sparkline(distributions.Quantiles(1, 2, 10))
    assert right_skewed.index("█") < 5


def test_html_table(legal):
    page = describe_html(legal)
    assert page.startswith('<table class="inputs">') and page.endswith("</table>")
    assert page.count("<tr>") == len(legal.inputs()) + 1
    assert "lognormal(90% in 3500 to 7000)" in page
    assert '<td class="muted"' in page


def test_html_escapes(tmp_path):
    doc = copy.deepcopy(LESSON)
    doc["study"]["name"] = "<b>x</b>"
    page = describe_html(study_from_dict(doc))
    assert "<b>" not in page


def test_cli_describe(tmp_path, capsys):
    study = write_toml(tmp_path / "s.toml", _doc())
    code = main(["describe", str(study), "--uncertain"])
    out = capsys.readouterr().out
    assert code == 0
    assert "strategies.self_hosted_7b.engineering_hours" in out
    assert "pert(min=76, mode=110, max=188)" in out
    assert "workload.monthly_growth" not in out


def test_cli_describe_with_set(tmp_path, capsys):
    study = write_toml(tmp_path / "s.toml", _doc())
    code = main(["describe", str(study), "--set", 'workload.requests_per_day="4000 to 6000"'])
    assert code == 0
    assert "lognormal(90% in 4000 to 6000)" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["legal_contracts.toml", "customer_support.toml"])
def test_cli_describe_bundled_studies(name, capsys):
    assert main(["describe", str(STUDIES / name)]) == 0
    assert "workload.requests_per_day" in capsys.readouterr().out


def test_cli_describe_bad_study_is_one_line(tmp_path, capsys):
    doc = copy.deepcopy(LESSON)
    doc["strategies"]["self_hosted_7b"]["review_rate"] = {"beta": {"mean": 0.05, "sd": 0.3}}
    study = write_toml(tmp_path / "bad.toml", doc)
    assert main(["describe", str(study)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{study}: strategies.self_hosted_7b.review_rate: beta: sd=0.3" in err[0]


def test_all_is_complete():
    public = {name for name, value in vars(distributions).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)
              and name != "annotations"}
    assert public == set(distributions.__all__)
