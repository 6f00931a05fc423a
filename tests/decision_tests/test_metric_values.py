"""metric_values: the model run on chosen strategies and the baseline alone gives each of
them the figures of a run of every strategy, bit for bit (routing strategies included)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_study
from sim.decision.metrics import parse_metric
from sim.decision.samples import metric_values
from sim.runner.draws import input_values, sampling_plan
from sim.runner.model import evaluate


@pytest.mark.parametrize("name", ["ticket_classification", "enterprise"])
@pytest.mark.parametrize("metric", ["npv", "payback_within:12"])
def test_each_strategy_alone_as_in_a_run_of_all(name, metric):
    study = load_study(f"studies/{name}.toml").replace(samples=2000)
    values = input_values(study, sampling_plan(study).rows(0, 2000), start=0)
    m = parse_metric(metric, horizon=study.horizon_months)
    every = evaluate(study, values, 2000)
    others = [s for s in study.compared() if s != study.baseline]
    assert len(others) >= 2
    for s in others:
        alone = metric_values(study, values, 2000, m, [s])
        want = m.of(every[s].npv, every[s].payback)
        np.testing.assert_array_equal(alone[0].view(np.uint64), want.view(np.uint64))
    both = metric_values(study, values, 2000, m, others[::-1])
    for i, s in enumerate(others[::-1]):
        np.testing.assert_array_equal(both[i], m.of(every[s].npv, every[s].payback))
