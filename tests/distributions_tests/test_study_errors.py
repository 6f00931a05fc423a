"""Bad uncertain inputs through the CLI: exit 2, one line naming the file, the key and the fix.

Also: forms a study accepts, and the achieved rank correlation reported in the manifest.
"""

from __future__ import annotations

import copy
import math

import pytest

from sim import run, study_from_dict
from sim.cli import main
from sim.study import load_study

from helpers import LESSON, spearman_se, write_toml

SH = "strategies.self_hosted_7b"

BAD = [
    ("workload.requests_per_day", {"lognormal": {"p10": 9000, "p90": 3000}},
     "p10=9000 must be below p90=3000; swap them"),
    (f"{SH}.review_rate", {"beta": {"mean": 0.05, "sd": 0.3}},
     "sd=0.3 is too large for a beta with mean=0.05"),
    ("workload.requests_per_day", {"lognormal": {"p10": 0, "p90": 5000}},
     "p10=0 and p90=5000 must both be > 0"),
    ("workload.requests_per_day", "0 to 5000", "outside a quantity > 0"),
    (f"{SH}.training_runs", {"discrete": {"values": [5, 10], "weights": [0, 0]}},
     "the weights sum to 0; give at least one positive weight"),
    (f"{SH}.review_rate", 1.5, "1.5 is outside a fraction in [0, 1]"),
    (f"{SH}.review_rate", {"uniform": [0.5, 1.5]}, "outside a fraction in [0, 1]"),
    (f"{SH}.review_rate", {"normal": {"mean": 0.05, "sd": 0.05}}, "outside a fraction in [0, 1]"),
    (f"{SH}.gpu_hourly", "-1 to 3", "outside an amount >= 0"),
    (f"{SH}.training_runs", 2.5, "2.5 must be a whole number"),
    ("workload.requests_per_day", {"quantiles": {"p10": 5, "p50": 3, "p90": 9}},
     "must increase (p10 < p50 < p90)"),
    ("strategies.frontier.review_rate", {"bernoulli": 1.5}, "must be a probability in [0, 1]"),
    (f"{SH}.engineering_hours", {"pert": [100, 80, 188]}, "mode=80 must lie between min=100"),
    ("workload.requests_per_day", {"lognormal": {"p10": 1, "p90": 9}, "truncate": [5, 1]},
     "the lower bound must be below the upper one"),
    ("workload.requests_per_day", {"lognorm": {"p10": 1, "p90": 9}},
     "did you mean 'lognormal'?"),
    ("workload.requests_per_day", {"gamma": {"mean": -1, "sd": 1}}, "gamma: mean=-1 must be > 0"),
    ("workload.requests_per_day", "lots", "is not a number or an interval"),
]


def _set(doc, path, value):
    node = doc
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


@pytest.mark.parametrize(("path", "value", "fix"), BAD, ids=[f"{p}={v}"[:50] for p, v, _ in BAD])
def test_bad_input_exits_2_with_one_line_naming_file_key_and_fix(tmp_path, capsys, path, value,
                                                                 fix):
    doc = copy.deepcopy(LESSON)
    _set(doc, path, value)
    study = write_toml(tmp_path / "bad.toml", doc)
    out = tmp_path / "out"
    code = main(["run", str(study), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"{study}: {path}: " in lines[0]
    assert fix in lines[0]
    assert not out.exists()


def test_missing_empirical_file(tmp_path, capsys):
    doc = copy.deepcopy(LESSON)
    missing = tmp_path / "nope.csv"
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {
        "empirical": {"file": str(missing), "column": "hours"}}
    study = write_toml(tmp_path / "bad.toml", doc)
    assert main(["run", str(study), "--out", str(tmp_path / "out")]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    assert f"{SH}.engineering_hours: empirical: data file {missing} not found" in line


def test_contradictory_correlations(tmp_path, capsys):
    doc = copy.deepcopy(LESSON)
    doc["workload"]["requests_per_day"] = "3000 to 8000"
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {"pert": [76, 120, 188]}
    doc["strategies"]["self_hosted_7b"]["compute_per_run"] = {"uniform": [8, 16]}
    doc["correlations"] = [
        {"between": ["workload.requests_per_day", "self_hosted_7b.engineering_hours"],
         "rank": 0.9},
        {"between": ["self_hosted_7b.engineering_hours", "self_hosted_7b.compute_per_run"],
         "rank": 0.9},
        {"between": ["workload.requests_per_day", "self_hosted_7b.compute_per_run"],
         "rank": -0.9},
    ]
    study = write_toml(tmp_path / "corr.toml", doc)
    assert main(["run", str(study), "--out", str(tmp_path / "out")]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    assert f"{study}: correlations: " in line
    assert "not positive semi-definite" in line
    assert "workload.requests_per_day ~ strategies.self_hosted_7b.compute_per_run (-0.90)" in line


ACCEPTED = [
    (f"{SH}.review_rate", {"normal": {"mean": 0.05, "sd": 0.05}, "truncate": [0, 1]}),
    (f"{SH}.review_rate", {"beta": {"mean": 0.05, "sd": 0.01}}),
    (f"{SH}.review_rate", {"quantiles": {"p10": 0.01, "p50": 0.02, "p90": 0.05},
                           "truncate": [0, 1]}),
    ("workload.requests_per_day", {"quantiles": {"p10": 30000, "p50": 45000, "p90": 90000}}),
    ("workload.requests_per_day", {"gamma": {"mean": 50000, "sd": 10000}}),
    ("workload.requests_per_day", {"empirical": [41000, 52000, 47000, 60000, 38000]}),
    (f"{SH}.training_runs", {"discrete": {"values": [5, 8, 12], "weights": [1, 2, 1]}}),
    (f"{SH}.training_runs", {"quantiles": {"p10": 5, "p50": 8, "p90": 15}}),
    (f"{SH}.gpu_hourly", {"lognormal": {"p10": 1.5, "p90": 2.5}, "truncate": [0, 3]}),
]


@pytest.mark.parametrize(("path", "value"), ACCEPTED, ids=[p for p, _ in ACCEPTED])
def test_forms_a_study_accepts(path, value):
    doc = copy.deepcopy(LESSON)
    _set(doc, path, value)
    study = study_from_dict(doc)
    inp = study.input(path)
    assert inp.uncertain
    lo, hi = inp.dist.draw_range
    assert math.isfinite(lo) and math.isfinite(hi)


def test_empirical_file_relative_to_the_study(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hours.csv").write_text("hours\n90\n120\n150\n110\n")
    doc = copy.deepcopy(LESSON)
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {
        "empirical": {"file": "data/hours.csv", "column": "hours"}}
    study = write_toml(tmp_path / "s.toml", doc)
    monkeypatch.chdir("/")
    assert load_study(study).input(f"{SH}.engineering_hours").dist.support == (90.0, 150.0)


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_manifest_reports_the_achieved_rank_correlation(method):
    doc = copy.deepcopy(LESSON)
    doc["workload"]["requests_per_day"] = "30000 to 80000"
    doc["strategies"]["self_hosted_7b"]["engineering_hours"] = {"pert": [76, 120, 188]}
    doc["study"].update(samples=10_000, sampling=method, seed=3)
    doc["correlations"] = [{"between": ["workload.requests_per_day",
                                        "self_hosted_7b.engineering_hours"], "rank": 0.7}]
    result = run(study_from_dict(doc))
    (entry,) = result.manifest["rank_correlations"]
    assert entry["target"] == 0.7
    assert abs(entry["achieved"] - 0.7) < 4 * spearman_se(0.7, 10_000)
