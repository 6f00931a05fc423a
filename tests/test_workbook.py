"""``ftrisk run --xlsx``: summary.xlsx opens with a reader and its figures equal summary.json;
monthly paths agree with the model's NPV; the output-folder rules cover the new file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.cli import main
from sim.report import OUTPUT_FILES, SHEETS, run_to_folder
from sim.runner import evaluate, forecast_paths, median_values, monthly_paths
from sim.study import load_study

from helpers import STUDIES, write_toml

#: End-of-month discount factors at 10%/year, 1.1^(-t/12) (both studies below use 10%).
DISC = 1.10 ** (-np.arange(1, 121) / 12.0)

openpyxl = pytest.importorskip("openpyxl")


def cli(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _table(ws, first_header: str) -> list[dict]:
    """The rows of the table whose header row starts with ``first_header``."""
    rows = list(ws.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[0].value == first_header)
    head = [c.value for c in rows[start] if c.value is not None]
    out = []
    for r in rows[start + 1:]:
        if r[0].value is None:
            break
        out.append({h: r[j] for j, h in enumerate(head)})
    return out


@pytest.fixture(scope="module")
def workbook_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xlsx")
    study = load_study(STUDIES / "enterprise.toml").replace(samples=3000)
    result = run_to_folder(study, folder / "out", xlsx=True)
    summary = json.loads((folder / "out" / "summary.json").read_text())
    wb = openpyxl.load_workbook(folder / "out" / "summary.xlsx")
    return result, summary, wb, folder / "out"


def test_workbook_sheets_and_the_note_of_seed_and_hash(workbook_run):
    result, summary, wb, out = workbook_run
    assert wb.sheetnames == list(SHEETS)
    notes = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=3, max_row=13)}
    assert notes["seed"] == summary["seed"] == result.study.seed
    assert notes["study sha256"] == result.study.sha256
    assert notes["study sha256"] == json.loads((out / "manifest.json").read_text())[
        "study_sha256"]
    assert notes["samples"] == 3000 and notes["recommended"] == summary["recommended"]
    assert notes["verdict"] == summary["verdict"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"] == sorted([*OUTPUT_FILES, "summary.xlsx"])


def test_distribution_figures_equal_summary_json(workbook_run):
    _, summary, wb, _ = workbook_run
    rows = _table(wb["Summary"], "strategy")
    assert [r["strategy"].value.split(" ")[0] for r in rows] == list(summary["strategies"])
    for r in rows:
        name = r["strategy"].value.split(" ")[0]
        s = summary[name]
        pairs = {"E[NPV]": s["npv_mean"], "E[NPV] se": s["npv_mean_se"],
                 "NPV P10": s["npv_p10"], "NPV P50": s["npv_p50"], "NPV P90": s["npv_p90"],
                 "P(NPV > 0)": s["p_npv_positive"], "P(best)": s["p_best"],
                 "CVaR 5%": s["cvar5"], "mean TCO": s["tco_mean"],
                 "median payback": s["payback_median_months_fractional"]}
        if not s["is_baseline"]:
            pairs.update({f"P(payback ≤ {n})": p for n, p in s["payback_within"].items()})
        for title, want in pairs.items():
            got = r[title].value
            assert (got is None) if want is None else got == pytest.approx(want, rel=1e-14,
                                                                           abs=1e-9), title
        assert r["E[NPV]"].number_format.startswith("$")
        assert r["P(best)"].number_format == "0.0%"
        assert r["median payback"].number_format == '0.0 "mo"'


def test_spreadsheet_lines_equal_the_point_estimate(workbook_run):
    _, summary, wb, _ = workbook_run
    rows = {r["strategy"].value: r for r in _table(wb["Spreadsheet"], "strategy")}
    for name, s in summary["strategies"].items():
        point = s["point_estimate"]
        r = rows[name]
        assert r["project cost"].value == pytest.approx(point["total_project_cost"], rel=1e-14,
                                                        abs=1e-12)
        assert r["saving / month"].value == pytest.approx(point["monthly_savings"], rel=1e-14)
        pb = point["payback_months"]
        if isinstance(pb, float):
            assert r["payback (months)"].value == pytest.approx(pb, rel=1e-14)
            assert r["pays back"].value == "yes"
        assert r["saving / month"].number_format.startswith("$")


def test_median_cash_flows_discount_to_the_npv_at_the_medians(workbook_run):
    result, _, wb, _ = workbook_run
    study = result.study
    rows = _table(wb["Cash flows at medians"], "month")
    assert len(rows) == study.horizon_months
    outcome = evaluate(study, median_values(study), 1)
    assert study.discount_rate == 0.10
    disc = DISC[:study.horizon_months]
    for name in study.compared():
        if name == study.baseline:
            continue
        net = np.array([r[f"net saving {name}"].value for r in rows])
        assert float(disc @ net) == pytest.approx(float(outcome[name].npv[0]), rel=1e-12)
        assert rows[-1][f"cumulative {name}"].value == pytest.approx(net.sum(), rel=1e-12)


def test_cash_flow_bands_are_the_runs_fan(workbook_run):
    result, _, wb, _ = workbook_run
    rows = _table(wb["Cash flow bands"], "month")
    fan = result.fan
    for name in fan["strategy"].unique().to_list():
        part = fan.filter(fan["strategy"] == name).sort("month")
        for q in ("p10", "p50", "p90"):
            got = [r[f"{name} {q.upper()}"].value for r in rows]
            np.testing.assert_allclose(got, part[q].to_numpy(), rtol=1e-14)
    assert all(r["month"].value == i for i, r in enumerate(rows, start=1))


def test_monthly_paths_are_the_models_months():
    """Net savings from the paths, discounted and summed, give evaluate()'s NPV sample by
    sample; the volume path is V0 (1+g)^(t-1)."""
    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=500)
    values, paths = forecast_paths(study, chunk_size=128)
    outcome = evaluate(study, values, 500)
    assert study.discount_rate == 0.10
    disc = DISC[:study.horizon_months]
    for name in study.compared():
        if name != study.baseline:
            npv = disc @ paths.net_saving(name, study.baseline)
            np.testing.assert_allclose(npv, outcome[name].npv, rtol=1e-10, atol=1e-6)
    v0 = values["workload.requests_per_day"]
    g = values["workload.monthly_growth"]
    t = np.arange(study.horizon_months)[:, None]
    np.testing.assert_allclose(paths.requests_per_day, v0 * (1 + g) ** t, rtol=1e-12)
    with pytest.raises(ValueError, match="months=40 must be between 1 and the horizon"):
        monthly_paths(study, values, 500, months=40)


def test_cli_xlsx_and_the_folder_rules(tmp_path, capsys, lesson_doc, monkeypatch):
    monkeypatch.chdir(tmp_path)
    study = str(write_toml(tmp_path / "lesson.toml", lesson_doc))
    code, out, err = cli(["run", study, "--out", "o", "--xlsx"], capsys)
    assert code == 0, err
    assert "summary.xlsx" in out
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(
        [*OUTPUT_FILES, "summary.xlsx"])
    # a later run without --xlsx replaces the whole output: no stale workbook is left
    code, _, err = cli(["run", study, "--out", "o", "--quiet"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(OUTPUT_FILES)
    # a summary.xlsx the manifest does not list is the user's: refused, kept
    (tmp_path / "o" / "summary.xlsx").write_bytes(b"mine")
    code, _, err = cli(["run", study, "--out", "o", "--xlsx"], capsys)
    assert code == 2 and "holds files ftrisk did not write (summary.xlsx)" in err
    assert (tmp_path / "o" / "summary.xlsx").read_bytes() == b"mine"
