"""Sample sets: a run's samples file and the in-memory Monte Carlo hold the same draws."""

from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.decision import load_samples, simulate


def test_run_file_and_simulate_agree(hand):
    study = hand.replace(samples=5000)
    result = run(study)
    from_file = load_samples(result.study, result.samples_path)
    fresh = simulate(study, chunk_size=777)
    assert from_file.names == fresh.names
    np.testing.assert_array_equal(from_file.x, fresh.x)
    for s in study.strategies:
        np.testing.assert_array_equal(from_file.npv[s], fresh.npv[s])
        np.testing.assert_array_equal(from_file.payback[s], fresh.payback[s])
    assert load_samples(study, result.samples_path, rows=100).n == 100


def test_outputs_and_errors(hand):
    s = simulate(hand, samples=64)
    # no project, a constant monthly saving, horizon 12, no discounting: paid back (ahead at
    # the horizon, cumulative > 0) iff NPV > 0
    assert s.output("cheap", "payback_within:12").tolist() == (s.npv["cheap"] > 0).tolist()
    assert s.input("cheap.input_price").shape == (64,)
    with pytest.raises(ValueError, match=r"frontier\.input_price: is fixed in this study"):
        s.input("frontier.input_price")
    with pytest.raises(ValueError, match="chunk_size=0 must be >= 1"):
        simulate(hand, chunk_size=0)


def test_types_chunking_and_a_study_without_uncertain_inputs(hand, lesson_doc, tmp_path):
    from sim import study_from_dict

    one = simulate(hand, samples=5, chunk_size=1)
    five = simulate(hand, samples=5, chunk_size=5)
    np.testing.assert_array_equal(one.x, five.x)
    for s in ("frontier", "cheap", "self_hosted"):
        np.testing.assert_array_equal(one.npv[s], five.npv[s])
        assert one.payback[s].dtype == np.int16 and one.npv[s].dtype == np.float64
    result = run(hand.replace(samples=100))
    back = load_samples(result.study, result.samples_path)
    assert {back.payback[s].dtype for s in back.payback} == {np.dtype(np.int16)}
    assert back.x.dtype == np.float64 and back.x.flags.c_contiguous
    # every input known: no rows of inputs, the outcomes still there
    fixed = study_from_dict(lesson_doc)
    result = run(fixed.replace(samples=10))
    back = load_samples(fixed, result.samples_path)
    assert back.names == () and back.x.shape == (0, 10)
    assert back.n == 10 and np.all(back.npv["self_hosted_7b"] == back.npv["self_hosted_7b"][0])
    assert simulate(fixed, samples=10).x.shape == (0, 10)


@pytest.mark.parametrize("seed", range(4))
def test_stable_order_is_numpys_stable_argsort_with_and_without_ties(seed):
    """Rows with distinct values (the fast sort's order is the only one), ties (whole
    numbers, repeated values), signed zeros (equal, so tied), NaNs (sorted last, in sample
    order) and constant rows: the same indices as a stable argsort, bit for bit, and the
    same average ranks."""
    from distributions import average_ranks
    from sim.decision.samples import SampleSet, _stable_order

    rng = np.random.default_rng(seed)
    n = 4099
    rows = [rng.random(n), rng.normal(size=n), rng.integers(0, 7, n).astype(float),
            np.round(rng.random(n), 2), np.full(n, 3.0),
            np.where(rng.random(n) < 0.5, 0.0, -0.0), rng.random(n)]
    rows[-1][rng.integers(0, n, 9)] = np.nan
    x = np.stack(rows)
    expected = np.argsort(x, axis=1, kind="stable")
    order, tied = _stable_order(x)
    assert np.array_equal(order, expected)
    assert tied.tolist() == [False, False, True, True, True, True, True]
    # a sample set's order and ranks: rows with ties ranked by average_ranks, the others
    # by their sorted positions, the same figures
    samples = SampleSet(None, tuple(map(str, range(len(rows)))), x, {}, {})
    assert np.array_equal(samples.order, expected)
    assert np.array_equal(samples.ranks, average_ranks(x), equal_nan=True)
    assert samples.ranks[0].min() == 1.0 and samples.ranks[0].max() == n
    assert set(samples.ranks[4]) == {(n + 1) / 2}  # a constant row: one tie
    assert np.array_equal(_stable_order(x[:2])[0], expected[:2])  # no ties: one sort
    assert _stable_order(x[:, :1])[0].tolist() == [[0]] * len(rows)
    assert _stable_order(np.empty((3, 0)))[0].shape == (3, 0)


def test_a_sample_sets_order_and_ranks_are_the_stable_ones(hand):
    """SampleSet.order is numpy's stable argsort of the inputs, and the ranks follow it."""
    from distributions import average_ranks

    samples = simulate(hand.replace(samples=2000))
    assert samples.x.shape[0] >= 2
    assert np.array_equal(samples.order, np.argsort(samples.x, axis=1, kind="stable"))
    assert np.array_equal(samples.ranks, average_ranks(samples.x))
