"""Pieces of a draw on threads (distributions/threads.py): results in order, the caller's
exceptions, and the same numbers whatever the number of threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from distributions.threads import default_threads, each


def test_results_come_back_in_order_from_several_threads():
    seen = set()

    def square(x):
        seen.add(threading.get_ident())
        return x * x

    assert each(square, range(50), threads=2) == [x * x for x in range(50)]
    assert each(square, [], threads=2) == []
    assert each(square, [3], threads=4) == [9]
    assert 1 <= default_threads() <= 2


def test_an_exception_reaches_the_caller():
    def fail(x):
        if x == 3:
            raise KeyError("three")
        return x

    with pytest.raises(KeyError, match="three"):
        each(fail, range(8), threads=2)
    with pytest.raises(KeyError, match="three"):
        each(fail, range(8), threads=1)


def test_nested_calls_finish():
    """A piece that spreads its own pieces: the callers work too, so nothing waits on a
    busy pool."""
    assert each(lambda i: sum(each(lambda j: i * j, range(20), threads=2)), range(8),
                threads=2) == [i * 190 for i in range(8)]


def test_a_whole_study_draws_the_same_on_one_thread_or_two():
    from sim.runner.draws import Draws, input_values, sampling_plan
    from sim.study import load_study

    from helpers import STUDIES

    study = load_study(STUDIES / "legal_contracts.toml").replace(samples=40_000)
    one = Draws(study, cache=False, threads=1)
    two = Draws(study, cache=False, threads=2)
    np.testing.assert_array_equal(one.uniforms, two.uniforms)
    a, b = one.values(0, 40_000), two.values(0, 40_000)
    assert list(a) == list(b)  # the inputs in the same order
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    u = sampling_plan(study).rows(1000, 21_000, threads=2)
    chunk = input_values(study, u, start=1000, threads=2)
    for k in a:
        np.testing.assert_array_equal(chunk[k], a[k][1000:21_000] if np.ndim(a[k]) else a[k])


def test_a_chunk_drawn_through_the_reused_buffer_is_the_chunk():
    """chunk_values: the uniforms go to a buffer the thread reuses, so a chunk's values
    must not change when the next chunk is drawn."""
    from sim.runner.draws import chunk_values, input_values, sampling_plan
    from sim.study import load_study

    from helpers import STUDIES

    study = load_study(STUDIES / "enterprise.toml").replace(samples=50_000)
    plan = sampling_plan(study)
    first = chunk_values(study, 100, 20_100)
    kept = {k: np.array(v, copy=True) for k, v in first.items()}
    second = chunk_values(study, 30_000, 50_000, plan=plan)
    for k, v in input_values(study, plan.rows(100, 20_100), start=100).items():
        np.testing.assert_array_equal(first[k], v)
        np.testing.assert_array_equal(first[k], kept[k])
    for k, v in input_values(study, plan.rows(30_000, 50_000), start=30_000).items():
        np.testing.assert_array_equal(second[k], v)


def test_rows_into_an_array_of_the_wrong_shape_is_refused():
    from distributions import SamplingPlan

    plan = SamplingPlan(("a", "b"), n=100, seed=1)
    with pytest.raises(ValueError, match=r"out must be a \(2, 10\) float64 array"):
        plan.rows(0, 10, out=np.empty((2, 11)))
    with pytest.raises(ValueError, match="contiguous rows"):
        plan.rows(0, 10, out=np.empty((10, 2)).T)
    buf = np.empty((2, 10))
    assert plan.rows(0, 10, out=buf) is buf
