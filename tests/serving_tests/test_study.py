"""Serving configs from a study: the typed settings the loader validates, their defaults and
one-line errors."""

from __future__ import annotations

import copy

import pytest
from serving_tests.serving_helpers import STUDY

from sim.serving.from_study import serving_config, typical_volume
from sim.study import load_study, study_from_dict
from sim.study.errors import StudyError

DOC = {
    "study": {"name": "t", "seed": 4, "baseline": "api"},
    "workload": {"requests_per_day": "20000 to 40000", "input_tokens": 500,
                 "output_tokens": {"uniform": [100, 300]}, "peak_to_average": 2.0},
    "strategies": {"ft": {"kind": "self_hosted", "model_size_b": 13, "instances": 2,
                          "gpu": "a100_40g", "engineering_hours": 100, "training_runs": 5,
                          "compute_per_run": 10},
                   "api": {"kind": "api", "input_price": 5.0, "output_price": 15.0}},
}


def doc(**strategy):
    d = copy.deepcopy(DOC)
    d["strategies"]["ft"].update(strategy)
    return d


def config(d, name="ft"):
    return serving_config(study_from_dict(d, file="s.toml"), name)


def test_defaults_from_model_size():
    study = study_from_dict(DOC)
    cfg = serving_config(study, "ft")
    assert cfg.profile.name == "a100-40gb-13b" and cfg.price_per_hour == 2.0  # catalog a100_40g
    assert cfg.batch == 32 and cfg.quantization == "none" and not cfg.speculative_decoding
    assert cfg.replicas == 2 and cfg.autoscaling is None
    assert cfg.p99_latency_ms is None and cfg.latency_metric == "e2e"
    assert max(cfg.hourly_weights) == pytest.approx(2.0)
    assert typical_volume(study) == pytest.approx((20000 * 40000) ** 0.5)  # lognormal median
    assert cfg.output_tokens.mean == pytest.approx(200.0)


def test_every_key():
    d = doc(hardware="a10g-7b", gpu_hourly=0.9, throughput_tokens_per_s=4000, max_batch=48,
            quantization="int4", speculative_decoding=True, instances="simulated",
            min_replicas=0, max_replicas=6, scale_to_zero=True, cold_start_s=60,
            idle_timeout_s=120, target_utilization=0.7)
    del d["strategies"]["ft"]["gpu"]
    d["workload"].pop("peak_to_average")
    d["workload"]["hourly_profile"] = [1] * 12 + [3] * 12
    d["constraints"] = {"p99_latency_ms": 2500, "latency_metric": "ttft"}
    cfg = config(d)
    assert cfg.profile.name == "a10g-7b" and cfg.price_per_hour == 0.9
    assert cfg.tokens_per_s == 4000 and cfg.batch == 48 and cfg.quantization == "int4"
    assert cfg.speculative_decoding and cfg.target_utilization == 0.7
    a = cfg.autoscaling
    assert a is not None and a.scale_to_zero and a.min_replicas == 0 and a.max_replicas == 6
    assert (a.cold_start_s, a.idle_timeout_s) == (60.0, 120.0)
    assert cfg.p99_latency_ms == 2500 and cfg.latency_metric == "ttft"
    assert cfg.hourly_weights[0] == pytest.approx(0.5)


def test_auto_instances_plan_a_fixed_pool():
    cfg = config(doc(instances="auto", throughput_tokens_per_s=3000))
    assert cfg.replicas is None and cfg.autoscaling is None
    assert cfg.planning_utilization == 0.6


def test_only_gpu_serving_strategies_have_a_config():
    study = study_from_dict(DOC)
    assert study.strategies["api"].serving is None
    with pytest.raises(ValueError, match=r"strategy 'api' is a api strategy; the serving "):
        serving_config(study, "api")


@pytest.mark.parametrize(("d", "match"), [
    (doc(hardware="h200"), r"strategies\.ft\.hardware: 'h200' is not a hardware profile; use "
     r"one of 2xa100-80gb-70b, a100-40gb-13b, a10g-7b"),
    (doc(max_replicas=4), r"strategies\.ft\.instances: autoscaling keys \(max_replicas\) need "
     r'instances = "simulated"'),
    (doc(instances="simulated", scale_to_zero=True, min_replicas=2),
     r"min_replicas: 2 conflicts with scale_to_zero = true"),
    (doc(instances="simulated", min_replicas=5, max_replicas=3),
     r"max_replicas: 3 must be >= min_replicas \(5\)"),
    (doc(instances="simulated", serving_hours_fraction=0.5),
     r'serving_hours_fraction: conflicts with instances = "simulated"'),
    (doc(quantization="int3"), r"quantization: 'int3' is not allowed; use one of \"none\""),
    (doc(scale_to_zero="yes", instances="simulated"), r"scale_to_zero: 'yes' is not allowed"),
    (doc(target_utilization=1.5), r"target_utilization: 1\.5 is outside"),
    (doc(max_batch=0), r"max_batch: 0 is outside a whole number >= 1"),
])
def test_errors_name_file_key_and_fix(d, match):
    with pytest.raises(StudyError, match=match) as err:
        study_from_dict(d, file="s.toml")
    assert str(err.value).startswith("s.toml: ") and "\n" not in str(err.value)


def test_workload_errors():
    d = copy.deepcopy(DOC)
    d["workload"]["hourly_profile"] = [1, 2]
    d["workload"].pop("peak_to_average")
    with pytest.raises(StudyError, match=r"workload\.hourly_profile: must be 24 numbers"):
        study_from_dict(d)


def test_study_file():
    study = load_study(STUDY)
    cfg = serving_config(study, "autoscaled_7b")
    assert cfg.quantization == "int4" and typical_volume(study) == 20000
    assert cfg.autoscaling is not None and cfg.autoscaling.cold_start_s == 90.0
    assert cfg.p99_latency_ms == 4000
