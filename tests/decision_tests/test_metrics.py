"""Output metrics and decision criteria: parsing, labels, per-sample values, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.decision.metrics import CRITERIA, Metric, check_criterion, parse_metric


def test_npv_metric():
    m = parse_metric("npv")
    assert m == Metric("npv", 0) == parse_metric(" npv ")
    assert str(m) == "npv" and m.label == "E[NPV]" and not m.is_probability
    npv = np.array([3.0, -2.0])
    assert m.of(npv, np.array([1, 0], dtype=np.int16)).tolist() == [3.0, -2.0]


def test_payback_metric_values():
    m = parse_metric("payback_within:12", horizon=36)
    assert m == Metric("payback_within", 12)
    assert str(m) == "payback_within:12" and m.label == "P(payback ≤ 12)" and m.is_probability
    pay = np.array([0, 1, 12, 13, 36], dtype=np.int16)  # 0: no payback within the horizon
    assert m.of(np.zeros(5), pay).tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    # payback months read back from a file: NaN for none
    assert m.of(np.zeros(3), np.array([np.nan, 5.0, 20.0])).tolist() == [0.0, 1.0, 0.0]
    assert parse_metric(m, horizon=12) is m
    assert parse_metric("payback_within:36", horizon=36).months == 36
    assert parse_metric("payback_within:1").months == 1


@pytest.mark.parametrize(("spec", "horizon", "message"), [
    ("irr", None, "'irr' is not a valid metric; it must be one of {'npv', 'payback_within:N'} "
                  "(N in months, e.g. payback_within:12)"),
    ("payback_within", None, "'payback_within' is not a valid metric"),
    ("payback_within:", None, "'payback_within:' is not a valid metric"),
    ("payback_within:x", None, "'payback_within:x' is not a valid metric"),
    ("payback:12", None, "'payback:12' is not a valid metric"),
    ("payback_within:40", 36, "metric 'payback_within:40': N=40 must be a whole month in "
                              "1..36 (the horizon)"),
    ("payback_within:0", 36, "metric 'payback_within:0': N=0 must be a whole month in 1..36"),
])
def test_metric_errors(spec, horizon, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_metric(spec, horizon=horizon)


def test_a_metric_object_is_checked_against_the_horizon():
    with pytest.raises(ValueError, match=r"N=24 must be a whole month in 1\.\.12 \(the"):
        parse_metric(Metric("payback_within", 24), horizon=12)


def test_criteria():
    assert CRITERIA == ("npv", "payback", "cvar")
    for c in CRITERIA:
        assert check_criterion(c) == c
    message = ("'regret' is not a valid criterion; it must be one of {'npv', 'payback', "
               "'cvar'} (npv: max E[NPV], payback: max P(payback <= N), cvar: max CVaR 5%)")
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        check_criterion("regret")
