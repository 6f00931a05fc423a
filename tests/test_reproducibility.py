"""Same study and seed -> identical results, whatever the chunk size or number of workers."""

from __future__ import annotations

import hashlib
import json

import pytest

from sim import run, run_to_folder, study_from_dict


@pytest.fixture
def study(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = "20000 to 80000"
    lesson_doc["workload"]["monthly_growth"] = {"normal": {"mean": 0.02, "sd": 0.02}}
    s = lesson_doc["strategies"]["self_hosted_7b"]
    s["engineering_hours"] = {"pert": [76, 120, 188]}
    s["training_runs"] = {"uniform_int": [5, 15]}
    s["build_months"] = {"uniform_int": [0, 3]}
    s["retrain_every_months"] = {"uniform_int": [6, 18]}
    s["review_rate"] = {"beta": {"mean": 0.03, "sd": 0.01}}
    lesson_doc["strategies"]["frontier"]["annual_price_drop"] = {"uniform": [0.2, 0.6]}
    # a hosted fine-tune whose retrainings happen only when its price step pays (a decision
    # per sample and month), with step price cuts, MLOps and a quality lift
    lesson_doc["strategies"]["hosted"] = {
        "kind": "hosted_ft", "input_price": 1.0, "output_price": 3.0, "training_tokens": 1e8,
        "training_price_per_1m": 8.0, "engineering_hours": {"pert": [10, 20, 40]},
        "retrain_every_months": {"uniform_int": [6, 18]},
        "price_cuts_per_year": {"uniform": [0.0, 2.0]},
        "price_cut_size": {"pert": [0.2, 0.35, 0.5]}, "price_floor": 0.2,
        "mlops_fte": {"uniform": [0.0, 0.25]}, "quality_lift": {"pert": [-0.1, 0.1, 0.3]}}
    lesson_doc["correlations"] = [{
        "between": ["self_hosted_7b.engineering_hours", "self_hosted_7b.build_months"],
        "rank": 0.6}]
    lesson_doc["study"]["samples"] = 70_001  # several row groups and a ragged end
    return study_from_dict(lesson_doc)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_samples_identical_across_runs_chunks_and_workers(study, tmp_path):
    runs = [
        dict(chunk_size=32768, workers=1),
        dict(chunk_size=32768, workers=1),
        dict(chunk_size=1000, workers=2),
        dict(chunk_size=70_001, workers=1),
        dict(chunk_size=16384 * 3 + 7, workers=2),
    ]
    hashes, summaries = set(), set()
    for i, kw in enumerate(runs):
        out = run_to_folder(study, tmp_path / f"run{i}", **kw)
        hashes.add(digest(out.samples_path))
        summaries.add((tmp_path / f"run{i}" / "summary.json").read_text())
    assert len(hashes) == 1
    assert len(summaries) == 1


@pytest.mark.parametrize("sampling", ["lhs", "sobol"])
def test_qmc_plans_are_chunk_independent(study, sampling):
    s = study.replace(sampling=sampling, samples=40_000)
    a = run(s, chunk_size=40_000).samples()
    b = run(s, chunk_size=777, workers=2).samples()
    assert a.equals(b)


def test_other_seed_other_samples(study):
    a = run(study.replace(samples=2000)).summary.to_json()
    b = run(study.replace(samples=2000, seed=2)).summary.to_json()
    assert json.dumps(a) != json.dumps(b)
