"""Serving configs read from a study file: keys, defaults and one-line errors."""

from __future__ import annotations

import copy

import pytest
from serving_tests.serving_helpers import STUDY

from sim.serving.study import read_study, serving_from_study
from sim.study.errors import StudyError

DOC = {
    "study": {"name": "t", "seed": 4},
    "workload": {"requests_per_day": "20000 to 40000", "input_tokens": 500,
                 "output_tokens": {"uniform": [100, 300]}, "peak_to_average": 2.0},
    "strategies": {"ft": {"kind": "self_hosted", "model_size_b": 13, "instances": 2},
                   "api": {"kind": "api"}},
}


def doc(**strategy):
    d = copy.deepcopy(DOC)
    d["strategies"]["ft"].update(strategy)
    return d


def test_defaults_from_model_size():
    s = serving_from_study(DOC, "ft")
    cfg = s.config
    assert cfg.profile.name == "a100-40gb-13b" and cfg.price_per_hour == 2.0
    assert cfg.batch == 32 and cfg.quantization == "none" and not cfg.speculative_decoding
    assert cfg.replicas == 2 and cfg.autoscaling is None
    assert cfg.p99_latency_ms is None and cfg.latency_metric == "e2e"
    assert max(cfg.hourly_weights) == pytest.approx(2.0)
    assert s.requests_per_day == pytest.approx((20000 * 40000) ** 0.5)  # lognormal median
    assert s.seed == 4
    assert cfg.output_tokens.mean == pytest.approx(200.0)


def test_every_key():
    d = doc(hardware="a10g-7b", gpu_hourly=0.9, throughput_tokens_per_s=4000, max_batch=48,
            quantization="int4", speculative_decoding=True, instances="simulated",
            min_replicas=0, max_replicas=6, scale_to_zero=True, cold_start_s=60,
            idle_timeout_s=120, target_utilization=0.7)
    d["workload"].pop("peak_to_average")
    d["workload"]["hourly_profile"] = [1] * 12 + [3] * 12
    d["constraints"] = {"p99_latency_ms": 2500, "latency_metric": "ttft"}
    cfg = serving_from_study(d, "ft").config
    assert cfg.profile.name == "a10g-7b" and cfg.price_per_hour == 0.9
    assert cfg.tokens_per_s == 4000 and cfg.batch == 48 and cfg.quantization == "int4"
    assert cfg.speculative_decoding and cfg.target_utilization == 0.7
    a = cfg.autoscaling
    assert a is not None and a.scale_to_zero and a.min_replicas == 0 and a.max_replicas == 6
    assert (a.cold_start_s, a.idle_timeout_s) == (60.0, 120.0)
    assert cfg.p99_latency_ms == 2500 and cfg.latency_metric == "ttft"
    assert cfg.hourly_weights[0] == pytest.approx(0.5)


def test_auto_instances_plan_a_fixed_pool():
    cfg = serving_from_study(doc(instances="auto"), "ft").config
    assert cfg.replicas is None and cfg.autoscaling is None
    assert cfg.planning_utilization == 0.6


@pytest.mark.parametrize(("d", "strategy", "match"), [
    (DOC, "nope", r"strategies\.nope: no such strategy; the study has: api, ft"),
    (DOC, "api", r"strategies\.api\.kind: is 'api'; the serving simulation needs"),
    (doc(hardware="h200"), "ft", r"strategies\.ft\.hardware: 'h200' is not a known hardware "
     r"profile; use one of 2xa100-80gb-70b, a100-40gb-13b, a10g-7b"),
    (doc(max_replicas=4), "ft", r"strategies\.ft\.instances: a fixed count conflicts with "
     r"autoscaling \(max_replicas\)"),
    (doc(instances="simulated", scale_to_zero=True, min_replicas=2), "ft",
     r"min_replicas: 2 conflicts with scale_to_zero = true"),
    (doc(quantization="int3"), "ft", r"quantization: 'int3' must be one of 'none', 'int8'"),
    (doc(scale_to_zero="yes", instances="auto"), "ft", r"scale_to_zero: 'yes' must be true"),
    (doc(target_utilization=1.5), "ft", r"target_utilization: 1\.5 must be in \(0, 1\]"),
    (doc(max_batch=0), "ft", r"max_batch: 0 must be >= 1"),
])
def test_errors_name_file_key_and_fix(d, strategy, match):
    with pytest.raises(StudyError, match=match) as err:
        serving_from_study(d, strategy, file="s.toml")
    assert str(err.value).startswith("s.toml: ") and "\n" not in str(err.value)


def test_workload_errors():
    d = copy.deepcopy(DOC)
    d["workload"]["hourly_profile"] = [1, 2]
    with pytest.raises(StudyError, match=r"workload\.hourly_profile: hourly_profile must be 24"):
        serving_from_study(d, "ft")
    d = copy.deepcopy(DOC)
    del d["workload"]["input_tokens"]
    with pytest.raises(StudyError, match=r"workload\.input_tokens: missing"):
        serving_from_study(d, "ft")


def test_read_study_file():
    s = serving_from_study(read_study(STUDY), "autoscaled_7b", file=str(STUDY))
    assert s.config.quantization == "int4" and s.requests_per_day == 20000
    with pytest.raises(StudyError, match="file not found"):
        read_study(STUDY.with_name("missing.toml"))
