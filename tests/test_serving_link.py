"""instances = "simulated": the serving simulation's capacity curve feeds the cost core."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim import evaluate, median_values, point_estimate, study_from_dict
from sim.cli import main
from sim.serving.from_study import capacity_for, curve_volumes

from helpers import write_toml


@pytest.fixture
def sim_doc(lesson_doc):
    sh = lesson_doc["strategies"]["self_hosted_7b"]
    sh.update(instances="simulated", hardware="a10g-7b", gpu_hourly=1.03, max_batch=32,
              min_replicas=1)
    lesson_doc["workload"]["requests_per_day"] = {"uniform": [40_000, 60_000]}
    lesson_doc["workload"]["peak_to_average"] = 2.0
    return lesson_doc


def schedule_hours(study, volume):
    """Replica-hours of the policy's hourly schedule at one daily volume (the day plan the
    capacity curve tabulates, computed without the curve)."""
    from sim.serving import hourly_schedule

    config = capacity_for(study, "self_hosted_7b").config
    return float(hourly_schedule(config, volume, seed=study.seed).sum())


def test_serving_cost_comes_from_the_capacity_curve(sim_doc):
    # volumes where the autoscaler runs 1 to 11 replicas over the day
    sim_doc["workload"]["requests_per_day"] = {"uniform": [500_000, 2_000_000]}
    study = study_from_dict(sim_doc)
    v = median_values(study)
    vols = np.array([500_000.0, 1_000_000.0, 1_234_567.0, 2_000_000.0])
    v["workload.requests_per_day"] = vols
    o = evaluate(study, v, vols.size, keep=vols.size)["self_hosted_7b"]
    net = np.diff(o.months, axis=0, prepend=0.0)  # (H, samples)
    api = 30 * vols * (500 * 5 + 200 * 15) / 1e6
    hours = np.array([schedule_hours(study, x) for x in vols])
    assert hours[0] == 47.0  # 1 replica at night, 3 at the day's peak
    assert np.all(np.diff(hours) > 0)
    serving = hours / 24 * 1.03 * 720
    np.testing.assert_allclose(net[1], api - serving - 14 * 0.023, rtol=1e-12)


def test_one_replica_all_day_at_low_volume(sim_doc):
    # 40k-60k requests/day never need a second replica: 24 replica-hours a day
    study = study_from_dict(sim_doc)
    v = median_values(study)
    v["workload.requests_per_day"] = np.array([40_000.0, 60_000.0])
    o = evaluate(study, v, 2, keep=2)["self_hosted_7b"]
    net = np.diff(o.months, axis=0, prepend=0.0)
    api = 30 * np.array([40_000.0, 60_000.0]) * (500 * 5 + 200 * 15) / 1e6
    np.testing.assert_allclose(net[1], api - 1.03 * 720 - 14 * 0.023, rtol=1e-12)


def test_point_estimate_uses_the_simulated_replicas(sim_doc):
    sim_doc["workload"]["requests_per_day"] = {"uniform": [500_000, 2_000_000]}
    study = study_from_dict(sim_doc)
    pe = point_estimate(study)["self_hosted_7b"]
    hours = schedule_hours(study, 1_250_000.0)  # at the median volume
    assert hours > 24
    assert pe["monthly_serving_cost"] == round(hours / 24 * 1.03 * 720, 2)


def test_latency_is_checked_at_the_median_volume_grown_to_the_horizon(sim_doc):
    from sim.serving.from_study import latency_check_volume

    sim_doc["workload"]["monthly_growth"] = {"uniform": [0.0, 0.04]}  # median 0.02
    study = study_from_dict(sim_doc)  # volume U(40k, 60k): median 50,000
    assert latency_check_volume(study) == pytest.approx(50_000 * 1.02**35)  # month 36
    sim_doc["workload"]["monthly_growth"] = -0.01  # shrinking: month 1 is the busiest
    assert latency_check_volume(study_from_dict(sim_doc)) == pytest.approx(50_000)


def test_latency_reason_uses_the_studys_seed_and_volume(sim_doc, monkeypatch):
    import sim.serving.from_study as from_study
    from sim.serving.from_study import simulated_latency_reason

    sim_doc["study"]["seed"] = 17
    study = study_from_dict(sim_doc)
    seen = {}

    def spy(config, **kwargs):
        seen.update(kwargs, hardware=config.profile.name)
        return "too slow"

    monkeypatch.setattr(from_study, "latency_reason", spy)
    assert simulated_latency_reason(study, "self_hosted_7b") == "too slow"
    assert seen == {"requests_per_day": pytest.approx(50_000), "seed": 17,
                    "hardware": "a10g-7b"}


def test_curve_covers_growth_over_the_horizon(sim_doc):
    sim_doc["workload"]["monthly_growth"] = 0.05
    v = curve_volumes(study_from_dict(sim_doc))
    assert v[0] <= 40_000 * 1.01
    assert v[-1] >= 60_000 * 0.99 * 1.05 ** 35


@pytest.mark.parametrize(("change", "pattern"), [
    (lambda s: s.update(serving_hours_fraction=0.5),
     r"serving_hours_fraction: conflicts with instances = \"simulated\""),
    (lambda s: s.update(instances=2, scale_to_zero=True),
     r"instances: autoscaling keys \(min_replicas, scale_to_zero\) need instances = "
     r"\"simulated\""),
    (lambda s: s.update(hardware="tpu-v5"), r"hardware: 'tpu-v5' is not a hardware profile"),
    (lambda s: s.update(quantization="int3"), r"quantization: 'int3' is not allowed"),
    (lambda s: s.update(max_batch=0), r"max_batch: 0 is outside a whole number >= 1"),
])
def test_bad_serving_keys(sim_doc, tmp_path, capsys, change, pattern):
    change(sim_doc["strategies"]["self_hosted_7b"])
    path = write_toml(tmp_path / "s.toml", sim_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert re.search(pattern, err), err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_hourly_profile_validation(sim_doc, tmp_path, capsys):
    sim_doc["workload"]["hourly_profile"] = [1, 2, 3]
    path = write_toml(tmp_path / "s.toml", sim_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "workload.hourly_profile: must be 24 numbers" in capsys.readouterr().err
    sim_doc["workload"]["hourly_profile"] = [1.0] * 6 + [3.0] * 18
    study = study_from_dict(sim_doc)
    assert study.hourly_profile == tuple([1.0] * 6 + [3.0] * 18)


def test_unknown_workload_key(lesson_doc, tmp_path, capsys):
    lesson_doc["workload"]["requests_per_dya"] = 5
    path = write_toml(tmp_path / "s.toml", lesson_doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "workload.requests_per_dya: unknown key; did you mean 'requests_per_day'" in (
        capsys.readouterr().err)
