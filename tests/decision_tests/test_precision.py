"""Precision control: the stopping point from whole blocks, hand-computed, reproducible."""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re

import numpy as np
import pytest

from sim import study_from_dict
from sim.cli import main
from sim.decision import parse_target_se, plan_samples, simulate

from helpers import LESSON, write_toml

B = 16384  # the sampling plan's block


@pytest.fixture
def even_odds():
    """lesson_gpu at the volume where P(payback <= 12) is exactly 0.5 (see conftest:
    payback <= 12 iff g <= (0.165 V - 0.322 - 15096 / 12) / 1440 = 2.0 at this V, and the
    GPU price g ~ U(1.5, 2.5))."""
    doc = copy.deepcopy(LESSON)
    doc["study"].update(samples=1000, seed=11, payback_within=[12])
    for s in doc["strategies"].values():
        s["review_rate"] = 0.0
    doc["workload"]["requests_per_day"] = (2.0 * 1440 + 0.322 + 15096 / 12) / 0.165
    doc["strategies"]["self_hosted_7b"]["gpu_hourly"] = {"uniform": [1.5, 2.5]}
    return study_from_dict(doc)


def test_probability_target_stops_at_the_hand_computed_block(even_odds):
    # p = 0.5: se = 0.5 / sqrt(n) <= 0.002 needs n >= 62,500, i.e. 4 blocks (65,536); at 3
    # blocks se = 0.5 / sqrt(49,152) = 0.00226 > 0.002
    target = parse_target_se("0.002", horizon=36, months=12)
    plan = plan_samples(even_odds, target)
    assert plan.samples == 4 * B and plan.met
    first = plan.table().row(0, named=True)
    assert first["samples"] == B and abs(first["estimate"] - 0.5) < 4 * 0.5 / math.sqrt(B)
    assert math.ceil(62_500 / B) == -(-first["needed"] // B)  # the pilot's estimate sizes it
    se = plan.reached()["self_hosted_7b"]
    p = simulate(even_odds, samples=plan.samples).output("self_hosted_7b", "payback_within:12")
    assert se == pytest.approx(math.sqrt(p.mean() * (1 - p.mean()) / plan.samples), rel=1e-12)
    assert 0.5 / math.sqrt(3 * B) > 0.002 >= se


def test_npv_target_uses_the_npv_variance(even_odds):
    # NPV = a - b g, b = 1,440 x sum of the discount factors: sd = b / sqrt(12); the count
    # is sd^2 / se^2 rounded up to blocks. Sum of 1.1^(-t/12), t = 1..36: an annuity,
    # q (1 - q^36) / (1 - q) with q = 1.1^(-1/12) (= 31.186458)
    q = 1.1 ** (-1 / 12)
    b = 1440 * q * (1 - q**36) / (1 - q)
    sd = b / math.sqrt(12)
    se_target = sd / math.sqrt(2.5 * B)  # 2.5 blocks' worth: 3 blocks
    plan = plan_samples(even_odds, parse_target_se(f"npv={se_target}", horizon=36,
                                                   months=12))
    assert plan.samples == 3 * B and plan.met
    # a sample sd of n draws of a uniform (kurtosis 9/5) has relative se sqrt((9/5 - 1) / 4n)
    rel_se = math.sqrt(0.2 / (3 * B))
    assert plan.reached()["self_hosted_7b"] == pytest.approx(sd / math.sqrt(3 * B),
                                                              rel=4 * rel_se)


def test_the_cap_stops_it_and_the_rule_is_deterministic(even_odds):
    target = parse_target_se("0.0005", horizon=36, months=12)
    a = plan_samples(even_odds, target, max_samples=40_000)
    assert a.samples == 40_000 and not a.met
    assert a.table()["samples"].to_list() == [B, 40_000]
    b = plan_samples(even_odds.replace(samples=123), target, max_samples=40_000)
    assert a.table().equals(b.table())


@pytest.mark.parametrize(("text", "pattern"), [
    ("abc", r"--target-se 'abc': give a standard error"),
    ("0", r"must be > 0"),
    ("0.6", r"below 0\.5 for any sample count"),
    ("payback_within:40=0.01", r"N=40 must be a whole month in 1\.\.36"),
    ("irr=3", r"give a standard error"),
])
def test_bad_targets(text, pattern):
    with pytest.raises(ValueError, match=pattern):
        parse_target_se(text, horizon=36, months=12)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli_run(tmp_path, capsys, name, *extra):
    doc = copy.deepcopy(LESSON)
    doc["study"].update(samples=1000, seed=11, payback_within=[12])
    doc["strategies"]["self_hosted_7b"]["gpu_hourly"] = {"uniform": [1.5, 2.5]}
    doc["workload"]["requests_per_day"] = {"uniform": [20_000, 30_000]}
    study = write_toml(tmp_path / "s.toml", doc)
    out = tmp_path / name
    code = main(["run", str(study), "--target-se", "0.004", "--out", str(out), "--quiet",
                 *extra])
    assert code == 0, capsys.readouterr().err
    return out


def test_cli_records_the_target_and_the_standard_errors_reached(tmp_path, capsys):
    out = _cli_run(tmp_path, capsys, "o")
    assert "precision: P(payback ≤ 12) to a standard error of 0.0040" in capsys.readouterr().out
    m = json.loads((out / "manifest.json").read_text())
    p = m["precision"]
    assert p["met"] and p["samples"] == m["samples"] and p["samples"] % B == 0
    assert p["target"] == "payback_within:12=0.004" and p["target_se"] == 0.004
    summary = json.loads((out / "summary.json").read_text())
    q = summary["self_hosted_7b"]["payback_within"]["12"]
    se = summary["self_hosted_7b"]["payback_within_se"]["12"]
    assert p["se_reached"]["self_hosted_7b"] == se <= 0.004
    assert np.isclose(se, math.sqrt(q * (1 - q) / p["samples"]))
    # the rule stops at the first whole block that meets the target (here from the pilot's
    # variance: one more block than the pilot unless the pilot already met it)
    assert p["samples"] == B or math.sqrt(q * (1 - q) / (p["samples"] - B)) > 0.004 or \
        len(p["stages"]) > 1


@pytest.mark.slow
def test_cli_same_seed_same_stopping_point_and_files(tmp_path, capsys):
    a = _cli_run(tmp_path, capsys, "a")
    b = _cli_run(tmp_path, capsys, "b", "--workers", "1", "--chunk-size", "5000")
    ma, mb = (json.loads((o / "manifest.json").read_text()) for o in (a, b))
    assert ma["precision"] == mb["precision"]
    for name in ("samples.parquet", "summary.json"):
        assert _digest(a / name) == _digest(b / name)


@pytest.mark.parametrize(("args", "pattern"), [
    (["--target-se", "0.01", "--samples", "5000"], r"--samples: --target-se chooses"),
    (["--max-samples", "5000"], r"--max-samples: only used with --target-se"),
    (["--target-se", "x=1"], r"--target-se 'x=1'"),
    (["--target-se", "0.01", "--max-samples", "0"], r"--max-samples 0: must be >= 1"),
])
def test_cli_bad_flags_exit_2(tmp_path, capsys, args, pattern):
    study = write_toml(tmp_path / "s.toml", copy.deepcopy(LESSON))
    code = main(["run", str(study), "--out", str(tmp_path / "o"), *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("ftrisk: error: ")
    assert re.search(pattern, err[0]), err[0]
    assert not (tmp_path / "o").exists()
