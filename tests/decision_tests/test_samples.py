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
