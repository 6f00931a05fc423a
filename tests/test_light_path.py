"""``run(study, write=False)``: the in-memory path gives the run's figures, whatever the
chunking or workers, and reruns share their draws (common random numbers)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from sim import run, study_from_dict
from sim.runner.draws import Draws, clear_cache


@pytest.fixture
def study(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = "20000 to 80000"
    lesson_doc["workload"]["monthly_growth"] = {"normal": {"mean": 0.02, "sd": 0.02}}
    s = lesson_doc["strategies"]["self_hosted_7b"]
    s["engineering_hours"] = {"pert": [76, 120, 188]}
    s["retrain_every_months"] = {"uniform_int": [6, 18]}
    s["review_rate"] = {"beta": {"mean": 0.03, "sd": 0.01}}
    lesson_doc["strategies"]["frontier"]["annual_price_drop"] = {"uniform": [0.2, 0.6]}
    lesson_doc["correlations"] = [{
        "between": ["self_hosted_7b.engineering_hours", "workload.requests_per_day"],
        "rank": 0.5}]
    lesson_doc["study"]["samples"] = 20_001  # more than one row group, a ragged end
    return study_from_dict(lesson_doc)


def test_write_false_gives_the_written_runs_summary_and_samples(study):
    written = run(study)
    light = run(study, write=False)
    assert light.samples_path is None
    assert json.dumps(light.summary.to_json()) == json.dumps(written.summary.to_json())
    assert light.samples().equals(written.samples())
    assert light.fan.equals(written.fan)


@pytest.mark.parametrize(("workers", "chunk_size"), [(2, 32768), (1, 1000), (2, 777)])
def test_write_false_does_not_depend_on_workers_or_chunks(study, workers, chunk_size):
    clear_cache()
    a = run(study, write=False)
    b = run(study, write=False, workers=workers, chunk_size=chunk_size)
    assert json.dumps(a.summary.to_json()) == json.dumps(b.summary.to_json())
    assert a.samples().equals(b.samples())


def test_write_false_refuses_a_samples_path(study, tmp_path):
    with pytest.raises(ValueError, match="write=False writes no file"):
        run(study, write=False, samples_path=tmp_path / "s.parquet")


def test_rerun_with_one_input_changed_keeps_the_other_draws(study, lesson_doc):
    """Common random numbers: the uniforms do not depend on the distributions, so a changed
    input moves only its own values (by the same ranks), every other input keeps its draws."""
    before = Draws(study)
    changed = study_from_dict({**lesson_doc, "strategies": {
        **lesson_doc["strategies"],
        "frontier": {**lesson_doc["strategies"]["frontier"],
                     "annual_price_drop": {"uniform": [0.3, 0.7]}}}})
    after = Draws(changed)
    key = "strategies.frontier.annual_price_drop"
    b, a = before.values(0, study.samples), after.values(0, study.samples)
    assert set(a) == set(b)
    for name in a:
        if name != key:
            assert np.array_equal(np.asarray(a[name]), np.asarray(b[name])), name
    # the same uniforms through the new distribution: u in [0.2, 0.6] -> u + 0.1 in [0.3, 0.7]
    assert np.allclose(np.asarray(a[key]), np.asarray(b[key]) + 0.1, rtol=0, atol=1e-12)
    # and the run moves smoothly: the frontier's price falls faster, every NPV moves by a
    # bounded amount per sample (no fresh noise in the other inputs)
    r0 = run(study, write=False).samples(["npv.self_hosted_7b", "workload.requests_per_day"])
    r1 = run(changed, write=False).samples(["npv.self_hosted_7b", "workload.requests_per_day"])
    assert r0["workload.requests_per_day"].equals(r1["workload.requests_per_day"])
    assert (r1["npv.self_hosted_7b"] <= r0["npv.self_hosted_7b"] + 1e-6).all()


def test_cached_draws_equal_fresh_ones(study):
    clear_cache()
    fresh = Draws(study, cache=False).values(0, study.samples)
    Draws(study)  # fills the cache
    cached = Draws(study).values(0, study.samples)
    for name, x in fresh.items():
        assert np.array_equal(np.asarray(x), np.asarray(cached[name])), name


def test_a_large_run_takes_a_second_worker_by_default_with_the_same_figures(study):
    from sim.runner import default_workers
    from sim.runner.runner import PARALLEL_FROM

    big = study.replace(samples=PARALLEL_FROM + 1)
    auto = run(big, write=False)
    one = run(big, write=False, workers=1)
    assert auto.manifest["workers"] == default_workers(big.samples) == min(2, os.cpu_count() or 1)
    assert run(study, write=False).manifest["workers"] == 1  # 20,001 samples: one thread
    assert json.dumps(auto.summary.to_json()) == json.dumps(one.summary.to_json())
    assert auto.samples().equals(one.samples())


def test_a_rerun_of_the_same_study_reuses_its_figures_at_the_medians(study, monkeypatch):
    """The point estimate and decomposition depend only on the study: a rerun of the same
    study object takes them from the last run (each run its own copy of the point
    estimate), an equal study loaded again finds them anew, with the same values."""
    import sim.runner.runner as runner
    from sim.runner.decomposition import explain
    from sim.runner.point import point_estimate

    calls = []
    monkeypatch.setattr(runner, "explain", lambda s: calls.append(s) or explain(s))
    monkeypatch.setattr(runner, "_MEDIANS", type(runner._MEDIANS)())
    small = study.replace(samples=2000)
    first = run(small, write=False)
    first.summary.strategies["self_hosted_7b"].point_estimate["total_project_cost"] = -1.0
    again = run(small, write=False)
    assert len(calls) == 1
    assert again.summary.decomposition is first.summary.decomposition
    assert (again.summary.strategies["self_hosted_7b"].point_estimate["total_project_cost"]
            == point_estimate(small)["self_hosted_7b"]["total_project_cost"] > 0)
    other = run(study.replace(samples=2000), write=False)  # an equal study, another object
    assert len(calls) == 2
    assert json.dumps(other.summary.to_json()) == json.dumps(again.summary.to_json())
    assert again.summary.decomposition == explain(small)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_held_in_memory_takes_chunks_of_at_most_memory_chunk(study, monkeypatch,
                                                                   workers):
    """One chunk per worker, but none above MEMORY_CHUNK samples (a chunk's coefficients
    take ~0.5 KB a sample: a 10^6-sample run in two chunks peaked ~300 MiB higher); the
    same figures."""
    import sim.runner.runner as runner

    whole = run(study, write=False, workers=workers)
    sizes: list[int] = []
    real = runner._chunk

    def spy(study, values, start, stop, **kw):
        sizes.append(stop - start)
        return real(study, values, start, stop, **kw)

    monkeypatch.setattr(runner, "_chunk", spy)
    run(study, write=False, workers=workers)
    assert sizes == ([study.samples] if workers == 1 else [10_048, 9_953])
    sizes.clear()
    monkeypatch.setattr(runner, "MEMORY_CHUNK", 4096)
    capped = run(study, write=False, workers=workers)
    assert sorted(sizes) == [3_617] + [4_096] * 4  # 20,001 samples
    assert json.dumps(capped.summary.to_json()) == json.dumps(whole.summary.to_json())
    assert capped.samples().equals(whole.samples())
