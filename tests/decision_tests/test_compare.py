"""CVaR, regret, P(best), EVPI and the recommendation (docs/model.md, "Summaries and decisions")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.decision import check_criterion, compare, recommend, simulate
from sim.runner import RegretAccumulator, cvar, cvar_stream

X = np.array([30.0, -5.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, -10.0, 35.0])


@pytest.mark.parametrize(("alpha", "expected"), [
    (0.2, -7.5),            # the 2 worst: (-10 - 5) / 2
    (0.25, -6.0),           # 2.5 worst: (-10 - 5 + 0.5 * 0) / 2.5
    (0.05, -10.0),          # less than one sample: the minimum
    (1.0, 12.5),            # everything: the mean
])
def test_cvar_by_hand(alpha, expected):
    assert cvar(X, alpha) == pytest.approx(expected)
    batches = [X[:3], X[3:7], X[7:]]
    assert cvar_stream(lambda: iter(batches), X.size, alpha) == pytest.approx(expected)


def test_cvar_stream_matches_in_memory_on_ties_and_large_n():
    x = np.round(np.random.default_rng(3).normal(size=100_003), 1)  # many ties
    parts = np.array_split(x, 7)
    assert cvar_stream(lambda: iter(parts), x.size) == pytest.approx(cvar(x), rel=1e-12)
    with pytest.raises(ValueError, match=r"alpha=0.0 must lie in \(0, 1\]"):
        cvar(x, 0.0)


def test_regret_p_best_and_evpi_by_hand():
    # samples: (base, a, b) = (0, 3, 1), (0, -1, 4), (0, 2, 2)
    stack = np.array([[0.0, 0.0, 0.0], [3.0, -1.0, 2.0], [1.0, 4.0, 2.0]])
    acc = RegretAccumulator(["base", "a", "b"])
    acc.add(stack[:, :1])
    acc.add(stack[:, 1:])  # batch by batch gives the same as all at once
    assert acc.p_best() == pytest.approx({"base": 0.0, "a": 0.5, "b": 0.5})
    regret = {k: v[0] for k, v in acc.expected_regret().items()}
    assert regret == pytest.approx({"base": 3.0, "a": 5 / 3, "b": 2 / 3})
    value, se = acc.evpi()
    assert value == pytest.approx(2 / 3)  # E[max] - max E = 3 - 7/3
    assert se == pytest.approx(np.std([2.0, 0.0, 0.0], ddof=1) / math.sqrt(3))


def test_identical_strategies_split_p_best_with_zero_regret_and_evpi(twins):
    c = compare(simulate(twins))
    rows = {r["strategy"]: r for r in c.frame.iter_rows(named=True)}
    assert rows["cheap"]["p_best"] == 0.5 and rows["cheap_twin"]["p_best"] == 0.5
    assert rows["frontier"]["p_best"] == 0.0
    assert rows["cheap"]["regret"] == 0.0 and rows["cheap_twin"]["regret"] == 0.0
    assert c.evpi == 0.0 and c.evpi_se == 0.0
    assert c.recommended == "cheap"  # ties: the first


def test_compare_columns_and_criteria(hand):
    samples = simulate(hand, samples=20_000)
    c = compare(samples, criterion="npv")
    rows = {r["strategy"]: r for r in c.frame.iter_rows(named=True)}
    cheap = rows["cheap"]
    # NPV ~ U(-1080, 1800): mean 360, P(NPV > 0) = 1800/2880, CVaR 5%: mean of U(-1080, -936)
    assert abs(cheap["npv_mean"] - 360) < 4 * cheap["npv_mean_se"]
    n = samples.n
    assert abs(cheap["p_npv_positive"] - 0.625) < 4 * np.sqrt(0.625 * 0.375 / n)
    # CVaR as q - E[(q - X)+] / a (Rockafellar-Uryasev): its standard error is
    # sd((q - X)+) / (a sqrt(n)), here from the samples
    x = samples.npv["cheap"]
    shortfall = np.maximum(np.quantile(x, 0.05) - x, 0.0)
    se = shortfall.std(ddof=1) / (0.05 * np.sqrt(n))
    assert abs(cheap["cvar5"] - -1008) < 4 * se
    assert c.recommended == "cheap"
    assert compare(samples, criterion="cvar").recommended == "frontier"
    assert compare(samples, criterion="payback").recommended == "cheap"  # P = 0.625 >= 0.5
    assert {"p_payback_6", "p_payback_12_se", "regret", "npv_p95"} <= set(c.frame.columns)
    table = c.table()
    assert table.columns == [*c.frame.columns, "recommended"]
    assert dict(zip(table["strategy"], table["recommended"], strict=True)) == {
        "frontier": False, "cheap": True, "self_hosted": False}


def test_recommend_rules_and_errors():
    npv = {"api": 0.0, "ft": 10.0, "ft2": 12.0}
    assert recommend("npv", baseline="api", npv_mean=npv) == "ft2"
    assert recommend("payback", baseline="api", npv_mean=npv,
                     p_payback={"api": 0.0, "ft": 0.4, "ft2": 0.3}) == "api"
    assert recommend("payback", baseline="api", npv_mean=npv,
                     p_payback={"api": 0.0, "ft": 0.6, "ft2": 0.7}) == "ft2"
    assert recommend("cvar", baseline="api", npv_mean=npv,
                     cvar={"api": 0.0, "ft": 5.0, "ft2": -1.0}) == "ft"
    with pytest.raises(ValueError, match=r"'maxnpv' is not a valid criterion; it must be one "
                       r"of \{'npv', 'payback', 'cvar'\}"):
        check_criterion("maxnpv")
    with pytest.raises(ValueError, match="criterion 'cvar' needs cvar"):
        recommend("cvar", baseline="api", npv_mean=npv)


def test_constraints_and_routing_components(hand_document):
    from sim import study_from_dict

    hand_document["constraints"] = {"data_on_premises": True}  # API strategies infeasible
    doc_study = study_from_dict(hand_document)
    c = compare(simulate(doc_study, samples=2000))
    rows = {r["strategy"]: r for r in c.frame.iter_rows(named=True)}
    assert not rows["cheap"]["feasible"] and "vendor" in rows["cheap"]["infeasible_reason"]
    assert rows["self_hosted"]["feasible"]
    assert c.recommended == "self_hosted"  # the only feasible one, though its NPV is awful
    assert c.evpi == 0.0  # one feasible strategy: nothing to choose
    assert recommend("npv", baseline="frontier", npv_mean={"frontier": 0.0, "cheap": 1.0},
                     feasible=[]) is None


def test_routing_components_are_not_compared():
    from sim import load_study
    from sim.decision import check_strategies

    from helpers import STUDIES

    study = load_study(STUDIES / "code_completion.toml")
    samples = simulate(study, samples=256)
    assert set(samples.npv) == set(study.compared())
    with pytest.raises(ValueError, match=r"strategy 'ft_small' is only a part of a routing "
                       r"strategy \(standalone = false\)"):
        check_strategies(study, ["ft_small"])


def test_p_best_and_regret_among_the_strategies_meeting_the_constraints(hand_document):
    from sim import study_from_dict

    # data on the premises: only self_hosted (never the best otherwise) remains to choose
    hand_document["constraints"] = {"data_on_premises": True}
    hand_document["study"]["samples"] = 4096
    c = compare(simulate(study_from_dict(hand_document)))
    rows = {r["strategy"]: r for r in c.frame.iter_rows(named=True)}
    assert rows["self_hosted"]["p_best"] == 1.0 and rows["self_hosted"]["regret"] == 0.0
    assert rows["frontier"]["p_best"] is None and rows["cheap"]["regret"] is None
    assert rows["self_hosted"]["p_best_all"] == 0.0
    assert rows["frontier"]["p_best_all"] + rows["cheap"]["p_best_all"] == pytest.approx(1.0)
    assert c.recommended == "self_hosted"


def test_compare_p_payback_columns_and_the_headline_months(hand):
    """"cheap" has no project and saves 30 M tokens x $(10 - p)/1M a month: it pays back in
    month 1 iff p < 10, so P(payback <= N) = (10 - 5)/(13 - 5) = 0.625 for every N; the
    baseline and the never-cheaper self-hosted model never pay back. The headline N of the
    payback criterion is 12 (asked for), whatever columns ``months`` asks for."""
    samples = simulate(hand, samples=2000)
    c = compare(samples, criterion="payback", months=[3])
    rows = {r["strategy"]: r for r in c.frame.iter_rows(named=True)}
    se = math.sqrt(0.625 * 0.375 / samples.n)
    assert abs(rows["cheap"]["p_payback_3"] - 0.625) < 4 * se
    assert rows["frontier"]["p_payback_3"] == 0.0 and rows["self_hosted"]["p_payback_3"] == 0.0
    assert c.months == 12
    assert c.criterion_label == "max P(payback ≤ 12)"
