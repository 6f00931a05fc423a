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
    # whole numbers: one character per value up to the width, then 20 bins
    assert sparkline(distributions.UniformInt(10, 15)) == "█" * 6
    assert sparkline(distributions.UniformInt(1, 19)) == "█" * 19
    assert sparkline(distributions.UniformInt(1, 20)) == "█" * 20
    # 21 values in 20 unit bins: the last bin holds 20 and 21, twice the others
    wide = sparkline(distributions.UniformInt(1, 21))
    assert len(wide) == 20 and wide[-1] == "█" and set(wide[:-1]) <= set("▄▅")
    # P0.5 = P99.5 but not a known value: one full block
    assert sparkline(distributions.Discrete((0.5, 2.5), (0.999, 0.001))) == "█"
    assert sparkline(distributions.Fixed(3.0)) == ""
    right_skewed = sparkline(distributions.Quantiles(1, 2, 10))
    assert right_skewed.index("█") < 5


def _tiny():
    """Two uncertain inputs with hand-checkable figures, rank-correlated."""
    doc = copy.deepcopy(LESSON)
    doc["study"]["name"] = "tiny"
    doc["workload"]["requests_per_day"] = {"uniform_int": [1000, 1002]}
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {"uniform": [100, 200]}
    doc["correlations"] = [{"between": ["workload.requests_per_day",
                                        "self_hosted_7b.engineering_hours"], "rank": 0.5}]
    return study_from_dict(doc)


# uniform_int 1000..1002: mean 1001, P10/P50/P90 = 1000/1001/1002, one block per value;
# uniform(100, 200): mean 150, P10/P50/P90 = 110/150/190, 20 equal blocks
TINY_TEXT = "\n".join([
    "input                                        distribution                   mean   P10   P50"
    "   P90  unit          histogram P0.5–P99.5",
    "-" * 134,
    "workload.requests_per_day                    uniform_int(lo=1000, hi=1002)  1001  1000  1001"
    "  1002  requests/day  ███",
    "strategies.self_hosted_7b.engineering_hours  uniform(lo=100, hi=200)         150   110   150"
    "   190  hours         " + "█" * 20,
    "",
    "rank correlations (Iman–Conover):",
    "  workload.requests_per_day ~ strategies.self_hosted_7b.engineering_hours: rank +0.50",
])


def test_text_table_exactly():
    study = _tiny()
    text = describe_text(study, uncertain_only=True)
    head = (f"tiny (<study>)\n{len(study.inputs())} inputs, 2 uncertain; 64 samples "
            "(mc, seed 1)\n\n")
    assert text == head + TINY_TEXT
    full = describe_text(study).splitlines()
    assert len(full) == 5 + len(study.inputs()) + 3  # heading, table, correlations
    given = next(ln for ln in full if ln.startswith("workload.input_tokens"))
    assert given.split() == ["workload.input_tokens", "fixed", "500", "500", "500", "500",
                             "500", "tokens/request"]  # given in the study: not "default"


def test_html_table_exactly():
    spark = (' style="font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre;'
             'text-align:left;line-height:1"')
    head = ('<th class="l">input</th><th class="l">distribution</th><th class="">mean</th>'
            '<th class="">P10</th><th class="">P50</th><th class="">P90</th><th class="l">unit</th>'
            '<th class="">histogram P0.5–P99.5</th><th class=""></th>')
    rows = [
        ("workload.requests_per_day", "uniform_int(lo=1000, hi=1002)", "1001", "1000",
         "1001", "1002", "requests/day", "███"),
        ("strategies.self_hosted_7b.engineering_hours", "uniform(lo=100, hi=200)", "150",
         "110", "150", "190", "hours", "█" * 20),
    ]
    body = "".join(
        f'<tr><td class="l">{a}</td><td class="l">{b}</td><td class="">{m}</td>'
        f'<td class="">{p10}</td><td class="">{p50}</td><td class="">{p90}</td>'
        f'<td class="l">{u}</td><td class=""{spark}>{h}</td><td class=""></td></tr>'
        for a, b, m, p10, p50, p90, u, h in rows)
    expected = (f'<table class="inputs"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")
    assert describe_html(_tiny(), uncertain_only=True) == expected
    # a default value is muted, a given one is not
    page = describe_html(_tiny())
    assert ('<td class="">0</td><td class="l">fraction/month</td><td class=""' + spark
            + '></td><td class="muted">default</td>' in page)
    assert '<td class="l">workload.input_tokens</td>' in page
    row = page.split('<td class="l">workload.input_tokens</td>')[1].split("</tr>")[0]
    assert row.endswith('<td class=""></td>')


def test_text_table_rejects_a_cell_without_a_column():
    from sim.report.describe import _text_table

    assert _text_table(["a", "b"], [["1", "22"]], right={1}) == "a   b\n-----\n1  22"
    with pytest.raises(ValueError, match="zip"):
        _text_table(["a"], [["1", "2"]], right=set())


def test_frame_figures_and_empty_schema():
    frame = describe_frame(_tiny(), uncertain_only=True)
    hours = frame.row(1, named=True)
    assert hours["sd"] == pytest.approx(100 / np.sqrt(12))
    assert hours["meaning"] == "engineering hours to production (all phases)"
    assert hours["unit"] == "hours"
    assert frame.row(0, named=True)["sd"] == pytest.approx(np.sqrt((3**2 - 1) / 12))
    # no uncertain input: an empty frame that keeps its columns' types
    empty = describe_frame(study_from_dict(copy.deepcopy(LESSON)), uncertain_only=True)
    assert empty.height == 0
    assert [str(t) for t in empty.dtypes] == ["String"] * 3 + ["Float64"] * 5 + [
        "String"] + ["Boolean"] * 2 + ["String"]


def test_html_table(legal):
    page = describe_html(legal)
    assert page.startswith('<table class="inputs">') and page.endswith("</table>")
    assert page.count("<tr>") == len(legal.inputs()) + 1
    assert "lognormal(90% in 3500 to 7000)" in page
    assert '<td class="muted"' in page


def test_html_escapes(tmp_path):
    """User text reaches the table through an empirical input's column name (its label
    reads ``empirical(n=4 from FILE:COLUMN, ...)``): it is escaped where it is shown."""
    column = "<img src=x onerror=alert(1)>"
    (tmp_path / "h.csv").write_text(f"{column}\n90\n120\n150\n110\n")
    doc = copy.deepcopy(LESSON)
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {
        "empirical": {"file": str(tmp_path / "h.csv"), "column": column}}
    page = describe_html(study_from_dict(doc))
    assert "from h.csv:&lt;img src=x onerror=alert(1)&gt;, 90 to 150" in page
    assert "<img" not in page
    # the text table shows it as it is (a terminal runs no markup)
    assert f"from h.csv:{column}, 90 to 150" in describe_text(study_from_dict(doc))


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
    # dir(), not vars(): the fitting names are imported on first use, and getattr imports them
    public = {name for name in dir(distributions)
              if not name.startswith("_")
              and not isinstance(getattr(distributions, name), types.ModuleType)
              and name != "annotations" and "__mutmut" not in name}  # mutation testing's copies
    assert public == set(distributions.__all__)
