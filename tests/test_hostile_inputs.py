"""Hostile inputs: absurd numbers, tiny sample counts, injected --set values, bad flags of
every command and odd study paths all end in exit 0 with finite figures, or exit 2 with one
line naming the file or flag, the key and the fix, and nothing written."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import sys

import numpy as np
import pytest

from sim import load_study
from sim.cli import main
from sim.study.errors import StudyError
from sim.study.kinds import KINDS
from sim.study.schema import MAX_VOLUME_GROWTH, POSITIVE, WORKLOAD, Field, growth_problem

from helpers import LESSON, STUDIES, write_toml


def cli(args, capsys):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def assert_bad_input(code, out, err, pattern):
    """Exit 2, nothing on stdout, one line on stderr matching ``pattern``."""
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftrisk: error: "), err
    assert re.search(pattern, lines[0]), lines[0]


def finite_summary(folder):
    text = (folder / "summary.json").read_text(encoding="utf-8")
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in summary.json"))


@pytest.fixture
def lesson(tmp_path):
    """Write the lesson's study (with changes) and return its path."""

    def make(change=None, **study):
        doc = copy.deepcopy(LESSON)
        doc["study"].update(study)
        if change:
            change(doc)
        return write_toml(tmp_path / "lesson.toml", doc)

    return make


# -- numbers that cannot overflow ---------------------------------------------------------

ABSURD = [
    # the cases (with a 600-month horizon), then one per kind of ceiling
    ("strategies.frontier.input_price=1e308",
     r"strategies\.frontier\.input_price: 1e\+308 is outside an amount >= 0, at most 1e\+07 "
     r"\(\$ per 1M tokens.*\); give a number in \[0, 1e\+07\]"),
    ("workload.requests_per_day=1e308",
     r"workload\.requests_per_day: 1e\+308 is outside a quantity > 0, at most 1e\+12 .*"
     r"give a number in \(0, 1e\+12\]"),
    ("strategies.self_hosted_7b.gpu_hourly=1e308",
     r"self_hosted_7b\.gpu_hourly: 1e\+308 is outside .* at most 100000 .*GPU-hour"),
    ("workload.monthly_growth=1e10",
     r"monthly_growth: 1e\+10 is outside .*at most 1 \(doubling every month\); give a number "
     r"in \(-1, 1\]"),
    ("workload.monthly_growth=0.5",
     r"monthly_growth: up to 0\.5 a month over horizon_months = 600 multiplies the volume by "
     r"3\.01e\+105, beyond the 1e\+100-fold .*at most 568 at this growth"),
    ("workload.monthly_growth={ uniform = [0, 0.9] }", r"multiplies the volume by"),
    ("workload.input_tokens=1e9", r"input_tokens: 1e\+09 is outside .*at most 1e\+08"),
    ("workload.peak_to_average=24", r"peak_to_average: 24 is outside a peak-to-average ratio "
     r"in \[1, 24\) \(24: the whole day's traffic in one hour\); give a number in \[1, 24\)"),
    ("strategies.self_hosted_7b.instances=1e8", r"instances: 1e\+08 is outside .*1e\+07"),
    ("strategies.self_hosted_7b.engineering_hours=1e300", r"engineering_hours: 1e\+300"),
    ("strategies.self_hosted_7b.build_months=5000", r"build_months: 5000 is outside .*1200"),
    ("strategies.self_hosted_7b.model_size_b=1e-9", r"model_size_b: 1e-09 is outside .*0\.0001"),
    ("workload.requests_per_day=\"100 to 1e6\"",
     r"can draw values from .* to 9\.6e\+13, outside .*truncate = \[0, 1e\+12\]"),
    ("workload.requests_per_day={ normal = { mean = 0, sd = 1e308 } }",
     r"can draw values from -inf to inf"),
    ("workload.requests_per_day=nan",
     r"requests_per_day: nan is not a finite number; write a finite number or a distribution"),
    ("workload.requests_per_day=-inf", r"requests_per_day: -inf is not a finite number"),
    ("workload.requests_per_day={ triangular = [1, 2, 1e300] }",
     r"can draw values from 1\.49e\+284 to 1e\+300, outside"),
    ("workload.requests_per_day={ triangular = [-1e308, 2, 1e308] }",
     r"triangular: max - min = 1e\+308 - \(-1e\+308\) is beyond the largest number; no real "
     r"quantity spans that"),
    ("workload.requests_per_day={ pert = [-1e308, 0, 1.7e308] }", r"pert: max - min"),
    ("workload.requests_per_day=-0.0", r"requests_per_day: -0 is outside a quantity > 0"),
    ("workload.requests_per_day=100000000000000000000000000000000000000000",
     r"requests_per_day: an integer beyond 64 bits"),
    ("constraints.p99_latency_ms=1e308", r"p99_latency_ms: 1e\+308 must be .* at most"),
]


@pytest.mark.parametrize(("setting", "pattern"), ABSURD)
def test_absurd_numbers_exit_2_naming_the_range(setting, pattern, lesson, tmp_path, capsys):
    study = lesson(lambda d: d.update(constraints={"vendor_portability": False}),
                   horizon_months=600, payback_within=[12])
    out = tmp_path / "out"
    code, stdout, err = cli(["run", study, "--set", setting, "--out", out], capsys)
    assert_bad_input(code, stdout, err, pattern)
    assert not out.exists()


def test_every_input_has_a_finite_ceiling_with_its_reason():
    from sim.study.loader import CARD_INPUTS

    fields = [*WORKLOAD.values(), *CARD_INPUTS.values()] + [
        f for k in KINDS.values() for f in k.fields.values()]
    for f in fields:
        assert math.isfinite(f.domain.hi) and math.isfinite(f.domain.lo), f.help
        # the ceiling is stated in the words, with its reason (``why``) or in the range
        numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?",
                                                f.domain.text)]
        assert f.domain.hi in numbers, (f.help, f.domain.text)


def test_growth_cap_is_the_closed_form():
    # (1 + g) ** 599 = 1e100  <=>  g = 10 ** (100 / 599) - 1 = 0.46937...
    g = 10 ** (100 / 599) - 1
    assert MAX_VOLUME_GROWTH == 1e100
    assert growth_problem(g * 0.9999, 600) is None
    assert "beyond the 1e+100-fold" in growth_problem(g * 1.0001, 600)
    # doubling every month is fine for 333 months (2 ** 332 = 8.7e99), not 334
    assert growth_problem(1.0, 333) is None and growth_problem(1.0, 334) is not None
    assert growth_problem(-0.99, 600) is None  # shrinking never overflows


def ceiling_doc(horizon=600):
    """Every input of every kind at the end of its domain that makes costs largest (prices,
    volumes, counts at their ceilings; throughput and utilization at their floors; no price
    decline, no cache, no batch), volume growth just under the cap, no discounting."""
    low = {"target_utilization", "throughput_tokens_per_s", "build_months",
           "retrain_every_months", "model_lifetime_months", "annual_price_drop",
           "gpu_annual_price_drop", "batch_share", "cache_share", "kv_bytes_per_token"}
    # serving-simulation keys; and the alternatives of keys kept at their ceilings (a lift
    # instead of the rates, step cuts and their migrations instead of a smooth decline,
    # the legacy retraining fraction instead of runs and engineering share)
    skip = {"max_batch", "min_replicas", "max_replicas", "cold_start_s", "idle_timeout_s",
            "p99_latency_ms", "compute_per_run", "quality_lift", "price_cuts_per_year",
            "price_cut_size", "migration_cost", "retrain_cost_fraction"}

    def at(key, f):
        d = f.domain
        v = d.lo if key in low else d.hi
        if d.lo_open and v == d.lo:
            return d.lo + 1.0
        return v * (1 - 1e-9) if (d.hi_open and v == d.hi) else v

    g = MAX_VOLUME_GROWTH ** (1 / (horizon - 1)) - 1
    workload = {k: at(k, f) for k, f in WORKLOAD.items()}
    workload["monthly_growth"] = {"uniform": [g * 0.99, g * 0.999999]}
    base = {"kind": "api", **{k: at(k, f) for k, f in KINDS["api"].fields.items()
                              if k not in skip and k not in ("engineering_hours", "hourly_rate",
                                                             "build_months",
                                                             "model_lifetime_months")}}
    strategies = {"base": base}
    for name in ("hosted_ft", "self_hosted"):
        strategies[name] = {"kind": name, **{k: at(k, f) for k, f in KINDS[name].fields.items()
                                             if k not in skip}}
    strategies["self_hosted"].update(instances="auto", compute_per_run="estimate",
                                     training_method="full", training_gpu="a10g", spot=False)
    strategies["route"] = {"kind": "routing", "primary": "self_hosted", "fallback": "hosted_ft",
                           "share": 0.5, "engineering_hours": 1e8, "hourly_rate": 1e5}
    return {"study": {"name": "ceiling", "baseline": "base", "horizon_months": horizon,
                      "samples": 64, "discount_rate": 0.0, "payback_within": [1, horizon]},
            "workload": workload, "strategies": strategies}


def test_every_input_at_its_ceiling_stays_finite_with_margin():
    from sim.runner import run
    from sim.study import study_from_dict

    result = run(study_from_dict(ceiling_doc()))
    frame = result.samples()
    big = max(float(np.abs(frame[c].to_numpy()).max()) for c in frame.columns
              if c.startswith(("npv.", "tco.")))
    # the schema's worked bound: about 1.2e132 $; its square summed over 1e9 samples (a
    # variance) stays below the largest double with a margin of 1e20 at least
    assert 1e130 < big < 1e133
    assert big**2 * 1e9 * 1e20 < sys.float_info.max
    for s in result.summary.strategies.values():
        assert math.isfinite(s.npv_mean) and math.isfinite(s.tco_mean)


def test_the_ceiling_study_runs_end_to_end(tmp_path, capsys):
    study = write_toml(tmp_path / "ceiling.toml", ceiling_doc())
    out = tmp_path / "out"
    code, _, err = cli(["run", study, "--out", out, "--samples", "128", "--quiet"], capsys)
    assert code == 0, err
    summary = finite_summary(out)
    assert summary["horizon_months"] == 600 and summary["samples"] == 128


# -- the last guard ---------------------------------------------------------------------

def test_results_that_overflow_exit_2_naming_the_input(lesson, tmp_path, capsys,
                                                      monkeypatch):
    # lift the ceiling of the volume, as if a domain had none: the guard must catch it
    monkeypatch.setitem(WORKLOAD, "requests_per_day",
                        Field(POSITIVE, None, "requests per day in month 1"))
    study = lesson(lambda d: d["workload"].update(
        requests_per_day={"uniform": [1.0, 1e308]}), samples=200)
    out = tmp_path / "out"
    code, stdout, err = cli(["run", study, "--out", out], capsys)
    assert_bad_input(code, stdout, err,
                     r"workload\.requests_per_day: the results overflow: (NPV|TCO) of \w+ is "
                     r"not a finite number in \d+ of 200 samples .*first: sample \d+\); the "
                     r"largest inputs there: workload\.requests_per_day = \S+e\+3\d\d \(sampled\)"
                     r"; narrow these inputs")
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_largest_sobol_n_is_the_largest_power_of_2_that_fits():
    from sim.decision import largest_sobol_n, sobol_bytes
    from sim.decision.sobol import MAX_SOBOL_BYTES

    for d, s, k in [(8, 1, 2), (18, 2, 3), (1, 1, 2), (60, 5, 6)]:
        n = largest_sobol_n(d, s, k)
        assert n & (n - 1) == 0
        assert sobol_bytes(n, d, s, k) <= MAX_SOBOL_BYTES < sobol_bytes(2 * n, d, s, k)
    # per base sample: 3 x 64 bootstrap + 4 (d + 2) s outputs + 4 d inputs + 64 k model
    assert sobol_bytes(1, 8, 1, 2) == 8 * (192 + 40 + 32 + 128)


def test_check_document_names_the_figure():
    from sim.runner.guard import check_document

    check_document("s.toml", {"a": [1.0, {"b": 2.0}]}, "summary.json")
    with pytest.raises(StudyError, match=r"s\.toml: a\[1\]\.b: is nan in summary\.json"):
        check_document("s.toml", {"a": [1.0, {"b": math.nan}]}, "summary.json")


def test_point_estimate_of_a_vanishing_saving_is_never(lesson_doc):
    from sim.runner.point import point_estimate
    from sim.study import study_from_dict

    # a saving of ~1e-320 $/month: the payback is beyond any float, so "never"
    lesson_doc["strategies"]["frontier"].update(input_price=5e-324, output_price=0.0,
                                                review_rate=0.0)
    lesson_doc["strategies"]["self_hosted_7b"].update(gpu_hourly=0.0, review_rate=0.0,
                                                      model_size_b=0.001)
    fig = point_estimate(study_from_dict(lesson_doc))["self_hosted_7b"]
    assert fig["payback_months"] == "never"
    assert "break_even_tokens_per_day" not in fig or math.isfinite(
        fig["break_even_tokens_per_day"])


def test_roi_of_a_tiny_upfront_is_undefined_not_inf():
    from sim.runner.model import Outcome

    o = Outcome(npv=np.array([1e300, 5.0, 3.0]), payback=np.zeros(3, np.int16),
                payback_months=np.full(3, np.nan), tco=np.zeros(3),
                upfront=np.array([1e-300, 2.0, 0.0]))
    roi = o.roi
    assert np.isnan(roi[0]) and roi[1] == 2.5 and np.isnan(roi[2])


# -- a handful of samples ---------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_small_sample_counts_work_end_to_end(n, tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = cli(["run", STUDIES / "code_generation.toml", "--samples", n, "--out", out,
                        "--quiet"], capsys)
    assert code == 0, err
    summary = finite_summary(out)
    s = summary["self_hosted_13b"]
    if n == 1:  # one sample has no standard error: null, never NaN or 0
        assert s["npv_mean_se"] is None and s["p_best_se"] is None
        assert set(s["payback_within_se"].values()) == {None}
        assert s["expected_regret_se"] is None
    else:
        assert s["npv_mean_se"] > 0
        assert all(v is not None for v in s["payback_within_se"].values())
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    achieved = manifest["rank_correlations"][0]["achieved"]
    # undefined (null) for one sample, or for a column without variation (a few draws of a
    # whole-number input can all be equal)
    assert achieved is None if n == 1 else (achieved is None or -1 <= achieved <= 1)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f"{n:,} sample{'s' if n > 1 else ''}: the decile tornado" in page
    assert "they need at least 100 samples" in page


def test_samples_key_of_1_works(lesson, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = cli(["run", lesson(samples=1), "--out", out], capsys)
    assert code == 0, err
    assert "1 sample, so no standard error" in stdout
    assert finite_summary(out)["self_hosted_7b"]["npv_mean_se"] is None


def test_sample_based_analyses_run_from_100_samples(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = cli(["run", STUDIES / "legal_contracts.toml", "--samples", 100, "--out", out,
                        "--quiet"], capsys)
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "the decile tornado, rank" not in page and "Is it worth finding out first?" in page


# -- --set takes one value --------------------------------------------------------------

@pytest.mark.parametrize(("setting", "pattern"), [
    ('workload.requests_per_day=5\n[strategies.evil]\nkind="api"',
     r"--set workload\.requests_per_day: takes exactly one TOML value .*set one key per --set"),
    ("workload.requests_per_day=5\nworkload.input_tokens=3", r"takes exactly one TOML value"),
    ("strategies.frontier.model=gpt\n4o", r"must be one TOML value on one line"),
    ("workload.requests_per_day=", r"must be one TOML value on one line"),
    ("workload.requests_per_day=" + "[" * 3000 + "]" * 3000, r"nests tables or arrays too"),
    ("nope.key=1", r"--set nope\.key: the study has no table 'nope'"),
    ("novalue", r"--set: 'novalue' must look like dotted\.key=value"),
])
def test_set_takes_exactly_one_value(setting, pattern, lesson, tmp_path, capsys):
    code, out, err = cli(["describe", lesson(), "--set", setting], capsys)
    assert_bad_input(code, out, err, pattern)


def test_set_single_values_and_bare_words_still_work(lesson, capsys):
    code, out, err = cli(["describe", lesson(), "--set", "study.sampling=lhs",
                          "--set", "workload.requests_per_day=7000 # a comment",
                          "--set", "workload.input_tokens={ uniform = [400, 600] }"], capsys)
    assert code == 0, err
    assert re.search(r"workload\.requests_per_day\s+fixed 7000", out)
    assert "uniform(lo=400, hi=600)" in out


# -- study paths -------------------------------------------------------------------------

def test_a_fifo_as_study_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "study.toml"
    os.mkfifo(fifo)
    code, out, err = cli(["run", fifo, "--out", tmp_path / "o"], capsys)
    assert_bad_input(code, out, err, r"study\.toml: is not a regular file \(a pipe, socket or "
                                     r"device\); give the path of a \.toml study file")


@pytest.mark.parametrize(("make", "pattern"), [
    (lambda p: p.mkdir(), r"is a folder, not a study file; give a \.toml file"),
    (lambda p: None, r"file not found; check the path"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), r"is not UTF-8 text"),
    (lambda p: p.write_text("[study\n"), r"is not valid TOML \(.*\); fix the syntax"),
    (lambda p: p.write_text("v = " + "{ a = " * 3000 + "1" + " }" * 3000),
     r"nests tables or arrays too deeply"),
])
def test_bad_study_paths_exit_2(make, pattern, tmp_path, capsys):
    path = tmp_path / "study.toml"
    make(path)
    code, out, err = cli(["describe", path], capsys)
    assert_bad_input(code, out, err, pattern)


def test_unreadable_and_oversized_studies(tmp_path, capsys, monkeypatch):
    import pathlib

    import sim.study.loader

    path = write_toml(tmp_path / "s.toml", LESSON)

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
    code, out, err = cli(["describe", path], capsys)
    assert_bad_input(code, out, err, r"s\.toml: cannot be read \(permission denied\); make it "
                                     r"readable \(chmod u\+r")
    monkeypatch.undo()
    monkeypatch.setattr(sim.study.loader, "MAX_STUDY_BYTES", 100)
    code, out, err = cli(["describe", path], capsys)
    assert_bad_input(code, out, err, r"is \d+ bytes, over the 0 MiB a study file may have")
    code, out, err = cli(["describe", str(path) + "\0x"], capsys)
    assert_bad_input(code, out, err, r"cannot be read \(.*null.*\)")


def test_load_study_refuses_a_device_at_once():
    with pytest.raises(StudyError, match=r"/dev/zero: is not a regular file"):
        load_study("/dev/zero")


def test_control_characters_in_keys_stay_on_one_line(tmp_path, capsys):
    path = write_toml(tmp_path / "s.toml", LESSON)
    text = path.read_text(encoding="utf-8").replace(
        "[workload]\n", '[workload]\n"bad\\nkey\\u2028x" = 1\n')
    path.write_text(text, encoding="utf-8")
    code, out, err = cli(["describe", path], capsys)
    assert_bad_input(code, out, err, r"workload\.bad\\nkey\\u2028x: unknown key")


# -- flag values of every command ------------------------------------------------------

COST = ["cost", "--model", "gpt-4o@2024", "--requests-per-day", "10", "--input-tokens", "1",
        "--output-tokens", "1"]
SCREEN = ["screen", "--daily-requests", "50000", "--tokens-per-request", "700",
          "--api-cost-per-1m", "5"]
TRAIN = ["train-cost", "--model-size", "7", "--examples", "5000"]
RUN = ["run", STUDIES / "lesson_parity.toml"]
SERVE = ["serve", STUDIES / "voice_intent.toml", "--strategy", "mistral_7b", "--no-html"]
SWEEP = ["sweep", STUDIES / "lesson_parity.toml", "--param", "workload.requests_per_day"]
TORNADO = ["tornado", STUDIES / "legal_contracts.toml", "--samples", "200"]

FLAGS = [
    ([*COST, "--requests-per-day", "inf"], r"--requests-per-day: inf must be a finite number"),
    ([*COST, "--requests-per-day", "nan"], r"--requests-per-day: nan must be a finite number"),
    ([*COST, "--requests-per-day", "1e308"],
     r"--requests-per-day: 1e\+308 must be a number in \[0, 1e\+12\] \(requests per day"),
    ([*COST, "--input-tokens", "-5"], r"--input-tokens: -5 must be a number in \[0, 1e\+08\]"),
    ([*COST, "--output-tokens", "1e400"], r"--output-tokens: inf must be a finite number"),
    ([*COST, "--cache-share", "1.5"], r"--cache-share: 1\.5 must be a number in \[0, 1\]"),
    ([*COST, "--model", "gpt-4x"], r"--model: 'gpt-4x' is not in the price catalog; did you "
     r"mean 'gpt-4'"),
    ([*COST, "--model", "x" * 5000], r"--model: a name of 5,000 characters is no model name"),
    (["cost", "--gpu-hourly", "1e308", "--throughput", "5000"],
     r"--gpu-hourly: 1e\+308 must be a number in \[0, 100000\] \(\$ per GPU-hour"),
    (["cost", "--gpu", "a10g", "--throughput", "1e-300"],
     r"--throughput: 1e-300 must be a number in \[0\.1, 1e\+09\]"),
    (["cost", "--gpu", "a10g", "--throughput", "5000", "--utilization", "1e-300"],
     r"--utilization: 1e-300 must be a number in \[0\.01, 1\]$"),
    (["cost", "--gpu", "a10g", "--throughput", "5000", "--gpus", str(10**9)],
     r"--gpus: 1,000,000,000 must be a whole number from 1 to 10,000"),
    ([*SCREEN, "--daily-requests", "-1"], r"--daily-requests: -1 must be a number in \[0,"),
    ([*SCREEN, "--api-cost-per-1m", "inf"], r"--api-cost-per-1m: inf must be a finite"),
    ([*SCREEN, "--latency-ms", "0"], r"--latency-ms: 0 must be a number in \(0, 8\.64e\+07\]"),
    ([*SCREEN, "--tokens-per-request", "nan"], r"--tokens-per-request: nan must be"),
    ([*TRAIN, "--model-size", "0"], r"--model-size: 0 must be a number in \[0\.0001, 100000\]"),
    ([*TRAIN, "--examples", "1e300"], r"--examples: 1e\+300 must be a number in \(0, 1e\+12\]"),
    ([*TRAIN, "--epochs=-inf"], r"--epochs: -inf must be a finite number"),
    ([*TRAIN, "--seq-len", "nan"], r"--seq-len: nan must be a finite number"),
    ([*TRAIN, "--mfu", "2"], r"--mfu: 2 must be a number in \[0\.001, 1\]$"),
    ([*TRAIN, "--mfu", "1e-300"], r"--mfu: 1e-300 must be a number in \[0\.001, 1\]"),
    ([*TRAIN, "--gpu", "x" * 5000], r"--gpu \(a name of 5,000 characters\): no price on file;"),
    ([*TRAIN, "--gpu", "a100"], r"--gpu a100: no price on file \(did you mean .*a100_80g.*\); "
     r"use one of the lesson's table"),
    ([*RUN, "--samples", "0"], r"lesson_parity\.toml: --samples: 0 must be a whole number "
     r"from 1 to 1,000,000,000"),
    ([*RUN, "--samples", str(10 ** 30)], r"--samples: a number of 100 bits must be"),
    ([*RUN, "--seed", "-1"], r"--seed: -1 must be a whole number from 0 to "
     r"9,223,372,036,854,775,807"),
    ([*RUN, "--workers", "0"], r"--workers: 0 must be a whole number from 1 to 256"),
    ([*RUN, "--chunk-size", "100000000"], r"--chunk-size: 100,000,000 must be a whole number "
     r"from 1 to 4,194,304"),
    ([*SERVE, "--requests-per-day", "1e9"], r"--requests-per-day: 1,000,000,000 requests/day; "
     r"the serving simulation follows each request of the day, at most 2,000,000"),
    ([*SERVE, "--requests-per-day", "nan"], r"--requests-per-day nan must be a finite number"),
    ([*SERVE, "--requests-per-day", "1e-300"], r"--requests-per-day: 1e-300 requests/day; the "
     r"serving simulation measures the requests of one day and needs at least 24"),
    ([*SERVE, "--requests-per-day", "23.9"], r"--requests-per-day: 23\.9 requests/day"),
    ([*SERVE, "--precision", "10"], r"--precision: 10 must be a whole number from 1,000 to "
     r"1,000,000"),
    ([*SERVE, "--seed", "-5"], r"--seed: -5 must be a whole number from 0"),
    ([*SWEEP, "--range", "1:1e6:1000000000000"], r"--range: '1:1e6:1000000000000': "
     r"1000000000000 values; a sweep takes at most 200"),
    ([*SWEEP, "--values", ",".join(str(v) for v in range(1, 300))],
     r"--values: 299 values; a sweep takes at most 200"),
    ([*SWEEP, "--range", "1:inf:3"], r"--range: '1:inf:3' is not a list of values"),
    ([*SWEEP, "--values", "nan,2"],
     r"--values: workload\.requests_per_day=nan: must be a finite number"),
    ([*SWEEP, "--values", "1e308"], r"--values: workload\.requests_per_day=1e\+308: 1e\+308 is "
     r"outside"),
    ([*SWEEP, "--range", "0:10:3"], r"--range: workload\.requests_per_day=0: 0 is outside"),
    (["sweep", STUDIES / "lesson_parity.toml", "--param", "nope.x", "--values", "1"],
     r"--param: nope\.x: not an input of the study; e\.g\. workload\.requests_per_day$"),
    (["sweep", STUDIES / "lesson_parity.toml", "--param", "y" * 5000, "--values", "1"],
     r"--param: \(a name of 5,000 characters\): not an input of the study"),
    ([*SWEEP, "--values", "1", "--param2", "workload.input_tokns", "--values2", "1"],
     r"--param2: workload\.input_tokns: not an input of the study; did you mean "
     r"'workload\.input_tokens'\?"),
    ([*SWEEP, "--values", "1", "--param2", "workload.input_tokens", "--values2=-1"],
     r"--values2: workload\.input_tokens=-1: -1 is outside a quantity >= 0"),
    ([*SWEEP, "--values", "1", "--strategy", "nope"],
     r"--strategy: 'nope' is not a strategy of the study; use one of self_hosted_7b$"),
    ([*SWEEP, "--values", "1", "--months", "0"], r"--months: 0 must be a whole number"),
    ([*TORNADO, "--sobol", "--sobol-samples", "1073741824"],
     r"--sobol-samples n=1,073,741,824: the Sobol' analysis of \d+ inputs and \d+ strategies "
     r"would hold about [\d,.]+ GiB, over the 2 GiB allowed; the largest n for this study is "
     r"[\d,]+$"),
    ([*TORNADO, "--sobol", "--sobol-samples", "1000"], r"--sobol-samples n=1000 must be a "
     r"power of 2"),
    ([*TORNADO, "--top", "0"], r"--top: 0 must be a whole number from 1 to 10,000"),
    ([*TORNADO, "--metric", "irr"], r"--metric: 'irr' is not a valid metric; it must be one of"),
    ([*TORNADO, "--metric", "payback_within:99"], r"--metric: metric 'payback_within:99': N=99 "
     r"must be a whole month in 1\.\.\d+ \(the horizon\)"),
    ([*TORNADO, "--strategy", "nope"], r"--strategy: 'nope' is not a strategy of the study"),
    ([*TORNADO, "--shapley", "--shapley-evaluations", str(10**11)],
     r"--shapley-evaluations: 100,000,000,000 must be a whole number from 1 to 4,194,304"),
    ([*RUN, "--target-se", "0.01", "--max-samples", str(10**11)],
     r"--max-samples: 100,000,000,000 must be a whole number from 1 to 1,000,000,000"),
    ([*TORNADO, "--seed", str(2 ** 63)], r"--seed: 9,223,372,036,854,775,808 must be"),
    ([*RUN, "--out", ""], r"--out: an empty path; give a file or folder name, or leave the "
     r"flag out for the default$"),
    ([*SWEEP, "--values", "1", "--html", ""], r"--html: an empty path"),
    ([*SWEEP, "--values", "1", "--csv", ""], r"--csv: an empty path"),
    ([*TORNADO, "--html", ""], r"--html: an empty path"),
    ([*SERVE, "--out", ""], r"--out: an empty path"),
    (["run", ""], r"the study path is empty; give the path of the study file$"),
    (["workload", "", "--out", "w.toml"], r"the log path is empty"),
    (["describe", STUDIES / "lesson_parity.toml", "--set", "study.seed=-1"],
     r"study\.seed: -1 must be a whole number from 0 to 2\^63 - 1"),
]


@pytest.mark.parametrize(("args", "pattern"), FLAGS)
def test_bad_flag_values_exit_2_naming_the_flag(args, pattern, capsys):
    code, out, err = cli(args, capsys)
    assert_bad_input(code, out, err, pattern)


@pytest.mark.parametrize("args", [
    ["run", "--samples", "abc", "x.toml"],
    ["cost", "--gpus", "two"],
    ["train-cost", "--model-size", "7", "--examples", "1", "--method", "dora"],
    ["nope"],
])
def test_argparse_usage_errors_are_one_line_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: " in err and "--help)" in err
    assert "usage:" not in err


def test_a_training_run_without_tokens_has_no_ratio_not_nan(capsys):
    code, out, err = cli(["train-cost", "--model-size", "1e-4", "--examples", "1e-300",
                          "--seq-len", "1e-300", "--epochs", "1e-300"], capsys)
    assert code == 0, err
    assert out.splitlines()[-1] == ("no ratio of the two estimates: the run has no tokens to "
                                    "train on")
    assert not re.search(r"\b(nan|inf)\b", out), out


def test_the_smallest_mfu_keeps_the_flops_estimate_finite(capsys):
    code, out, err = cli(["train-cost", "--model-size", "1e5", "--examples", "1e12",
                          "--seq-len", "1e8", "--epochs", "1e4", "--method", "full",
                          "--mfu", "0.001"], capsys)
    assert code == 0, err
    assert not re.search(r"\b(nan|inf)\b", out), out
    # 6 x 1e14 parameters x 1e24 tokens / (16 GPUs x 312e12 FLOP/s x 0.001) / 3600 s
    hours = 6 * 1e14 * 1e24 / (16 * 312e12 * 0.001) / 3600
    assert f"-> {hours:.1f} h" in out


def test_good_flags_still_work(capsys):
    code, out, err = cli([*TRAIN, "--gpu", "h100"], capsys)
    assert code == 0, err
    assert "FLOPs" in out
    code, out, err = cli([*COST, "--requests-per-day", "0"], capsys)
    assert code == 0, err


# -- found by the fuzzer -----------------------------------------------------------------

def test_serving_at_a_trickle_finishes_with_the_unqueued_latency():
    """A capacity curve's smallest volume can be a request every day or so: simulated time
    then runs to 1e8-1e9 s, where one ulp of time (~1e-7 s) is more than the last token of a
    sequence needs. The decode timer used to fire at the same instant for ever (a livelock
    the fuzzer found); now such tokens are due at once and every request is served alone,
    so its latency is prefill + decode at batch 1."""
    from distributions import Fixed, Pert
    from sim.serving import ServingConfig, get_profile
    from sim.serving.steady import simulate_steady

    cfg = ServingConfig(get_profile("a10g-7b"), Fixed(660.0), Pert(203.0, 473.0, 744.0))
    r = simulate_steady(cfg, rate_per_s=1e-5, replicas=1, n_requests=2000,
                        rng=np.random.default_rng(0))
    rates = cfg.rates
    prefill = 660.0 / rates.prefill_tokens_per_s
    decode = 1.0 / rates.decode_rate(1)
    assert r.p_wait == 0.0 and r.mean_wait_s == 0.0
    # the slowest of 1,600 measured requests decodes between ~600 and 744 tokens alone
    assert 1000 * (prefill + 600 * decode) < r.e2e.p99_ms < 1000 * (prefill + 745 * decode)


def test_hourly_weights_near_the_largest_double_average_1():
    from sim.serving.traffic import hourly_weights

    assert hourly_weights(weights=[1e308] * 24).tolist() == [1.0] * 24
    w = hourly_weights(weights=[1e308] * 12 + [5e307] * 12)
    assert w[0] == pytest.approx(4 / 3) and w[-1] == pytest.approx(2 / 3)


def test_an_empirical_data_file_that_is_a_fifo_is_refused(lesson, tmp_path, capsys):
    os.mkfifo(tmp_path / "hours.csv")
    study = lesson(lambda d: d["strategies"]["self_hosted_7b"].update(
        engineering_hours={"empirical": {"file": "hours.csv"}}))
    code, out, err = cli(["describe", study], capsys)
    assert_bad_input(code, out, err, r"engineering_hours: empirical: data file .*hours\.csv is "
                                     r"a folder, pipe or device, not a file")


@pytest.mark.parametrize("command", ["run", "serve"])
def test_serving_requests_without_tokens_exit_2(command, lesson, capsys):
    study = lesson(lambda d: (d["workload"].update(input_tokens=0, output_tokens=0),
                              d["strategies"]["self_hosted_7b"].update(instances="simulated")))
    extra = ["--strategy", "self_hosted_7b", "--no-html"] if command == "serve" else [
        "--samples", "3", "--quiet"]
    code, out, err = cli([command, study, *extra], capsys)
    assert_bad_input(code, out, err, r"workload\.output_tokens: the serving simulation needs "
                                     r"requests that take some work: give input_tokens or "
                                     r"output_tokens > 0")


def _write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("args", "pattern"), [
    (["--boot", str(10**9)], r"--boot: 1,000,000,000 must be a whole number from 0 to 100,000"),
    (["--seed", "-1"], r"--seed: -1 must be a whole number from 0"),
])
def test_fit_flag_values_are_bounded(args, pattern, tmp_path, capsys):
    data = _write_csv(tmp_path / "d.csv", "x\n" + "\n".join(str(v) for v in range(1, 40)))
    code, out, err = cli(["fit", data, "--column", "x", *args], capsys)
    assert_bad_input(code, out, err, pattern)


@pytest.mark.parametrize(("args", "pattern"), [
    (["--cost-sd", "nan"], r"--cost-sd nan: must be > 0 and at most 10"),
    (["--volume-sd", "inf"], r"--volume-sd inf: must be > 0 and at most 10"),
    (["--moves", str(10**9)], r"--moves 1000000000: must be a whole number from 0 to 1,000"),
])
def test_check_flag_values_are_bounded(args, pattern, tmp_path, capsys):
    acts = _write_csv(tmp_path / "a.csv", "month,volume\n2025-01,50000\n")
    code, out, err = cli(["check", STUDIES / "lesson_parity.toml", "--actuals", acts,
                          "--samples", "50", *args], capsys)
    assert_bad_input(code, out, err, pattern)


# -- values too long to quote whole ----------------------------------------------------------

LONG = "x" * 200_000


@pytest.mark.parametrize(("change", "key"), [
    # found by the study-file soak run: the whole 200,000-character value was quoted
    (lambda d: d.setdefault("constraints", {}).update(p99_latency_ms=LONG),
     r"constraints\.p99_latency_ms"),
    (lambda d: d["study"].update(baseline=LONG), r"study\.baseline"),
    (lambda d: d["workload"].update({LONG: 1}), r"workload\."),
    (lambda d: d["strategies"].update({LONG: {"kind": "api"}}), r"strategies\."),
])
def test_a_value_too_long_to_quote_is_cut_in_the_middle(change, key, lesson, capsys):
    code, out, err = cli(["run", lesson(change), "--samples", "64"], capsys)
    assert_bad_input(code, out, err, key)
    assert len(err) < 1000 and re.search(r"\.\.\.\(200,0\d\d characters\)\.\.\.", err), err[:300]
