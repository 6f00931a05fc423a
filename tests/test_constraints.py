"""Constraints mark strategies infeasible, with the reason, and keep them out of the pick."""

from __future__ import annotations

import json

import pytest

from sim import run, study_from_dict
from sim.cli import main
from sim.runner.constraints import feasibility

from helpers import write_toml


@pytest.fixture
def doc(lesson_doc):
    lesson_doc["strategies"]["hosted"] = {
        "kind": "hosted_ft", "input_price": 1.0, "output_price": 2.0, "training_tokens": 1e8,
        "training_price_per_1m": 8.0, "engineering_hours": 20, "p99_latency_ms": 400}
    lesson_doc["strategies"]["frontier"]["p99_latency_ms"] = 900
    lesson_doc["strategies"]["self_hosted_7b"]["p99_latency_ms"] = 120
    return lesson_doc


def test_no_constraints_all_feasible(doc):
    assert set(feasibility(study_from_dict(doc)).values()) == {None}


def test_data_on_premises(doc):
    doc["constraints"] = {"data_on_premises": True}
    f = feasibility(study_from_dict(doc))
    assert f["frontier"] == "sends request data to a vendor (api)"
    assert f["hosted"] == "sends request data to a vendor (hosted_ft)"
    assert f["self_hosted_7b"] is None


def test_latency(doc):
    doc["constraints"] = {"p99_latency_ms": 300}
    f = feasibility(study_from_dict(doc))
    assert f["frontier"] == "p99 latency 900 ms exceeds 300 ms"
    assert f["hosted"] == "p99 latency 400 ms exceeds 300 ms"
    assert f["self_hosted_7b"] is None
    del doc["strategies"]["frontier"]["p99_latency_ms"]
    f = feasibility(study_from_dict(doc))
    assert f["frontier"] == "p99 latency unknown; give p99_latency_ms for frontier"


def test_vendor_portability(doc):
    doc["constraints"] = {"vendor_portability": True}
    f = feasibility(study_from_dict(doc))
    assert f["hosted"].startswith("a vendor-hosted fine-tuned model cannot move")
    assert f["frontier"] is None and f["self_hosted_7b"] is None


def test_infeasible_best_is_not_recommended(doc, tmp_path, capsys):
    # the self-hosted model is the best by far; forbid it through latency
    doc["strategies"]["self_hosted_7b"]["p99_latency_ms"] = 500
    doc["constraints"] = {"p99_latency_ms": 450}
    s = run(study_from_dict(doc)).summary
    assert not s.strategies["self_hosted_7b"].feasible
    assert s.recommended == "hosted"
    assert "excluded: frontier, self_hosted_7b" in s.answer
    path = write_toml(tmp_path / "s.toml", doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["recommended"] == "hosted"
    assert summary["self_hosted_7b"]["feasible"] is False
    assert "exceeds 450 ms" in summary["self_hosted_7b"]["infeasible_reason"]
    assert summary["constraints"]["p99_latency_ms"] == 450
    page = (tmp_path / "o" / "report.html").read_text()
    assert "(self_hosted_7b): p99 latency 500 ms exceeds 450 ms</li>" in page


def test_nothing_feasible(doc):
    doc["constraints"] = {"p99_latency_ms": 10}
    s = run(study_from_dict(doc)).summary
    assert s.recommended is None
    assert "no strategy meets the study's constraints" in s.answer


@pytest.mark.parametrize(("constraints", "pattern"), [
    ({"p99_latency_ms": -3}, r"constraints\.p99_latency_ms: -3 must be a number"),
    ({"data_on_premises": "yes"}, r"constraints\.data_on_premises: 'yes' must be true or false"),
    ({"latency": 300}, r"constraints\.latency: unknown key"),
])
def test_bad_constraints(doc, tmp_path, capsys, constraints, pattern):
    import re

    doc["constraints"] = constraints
    path = write_toml(tmp_path / "s.toml", doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    assert re.search(pattern, capsys.readouterr().err)


def test_self_hosted_latency_from_the_serving_simulation(doc):
    # no stated p99: the serving model decides. The lesson's 7B on an A10G answers a
    # 500-in/200-out request in over a second at p99 (200 tokens decoded one by one)
    del doc["strategies"]["self_hosted_7b"]["p99_latency_ms"]
    doc["constraints"] = {"p99_latency_ms": 300}
    f = feasibility(study_from_dict(doc))
    assert f["self_hosted_7b"].startswith("p99 e2e latency cannot go below")
    assert f["self_hosted_7b"].endswith("(serving simulation)")
    doc["constraints"] = {"p99_latency_ms": 300, "latency_metric": "ttft"}
    assert feasibility(study_from_dict(doc))["self_hosted_7b"] is None


def test_p_best_and_regret_are_among_the_strategies_meeting_the_constraints(doc):
    # the hosted model is best in every sample, but data must stay on the premises: the
    # choice is the self-hosted model alone
    doc["constraints"] = {"data_on_premises": True}
    s = run(study_from_dict(doc)).summary
    sh, hosted, frontier = (s.strategies[k] for k in ("self_hosted_7b", "hosted", "frontier"))
    assert s.choice == ["self_hosted_7b"] and s.constrained
    assert hosted.p_best is None and hosted.regret is None and frontier.p_best is None
    assert sh.p_best == 1.0 and sh.regret == 0.0
    # constraints ignored: the hosted model wins every sample, the others regret its lead
    assert hosted.p_best_all == 1.0 and sh.p_best_all == 0.0
    assert sh.regret_all == pytest.approx(hosted.npv_mean - sh.npv_mean)
    out = s.to_json()
    assert out["hosted"]["p_best"] is None and out["hosted"]["p_best_unconstrained"] == 1.0
    assert out["self_hosted_7b"]["expected_regret"] == 0.0
    assert out["self_hosted_7b"]["expected_regret_unconstrained"] == pytest.approx(
        hosted.npv_mean - sh.npv_mean)
    # the report says so: P(best) among the feasible, an excluded strategy's regret
    from sim.report.run_report import figures
    from sim.report.tables import details_tables

    assert "P(best) &gt; 0.999, among the strategies meeting the constraints" in figures(s)
    details = details_tables(s)
    assert ">excluded</td>" in details and ">$0 ± 0</td>" in details


def test_a_stated_p99_the_serving_model_contradicts_is_flagged(doc):
    from sim.runner.constraints import latency_conflicts, latency_warning

    # self_hosted_7b states 120 ms; the lesson's 7B on an A10G cannot go below ~1.4 s
    doc["constraints"] = {"p99_latency_ms": 300}
    study = study_from_dict(doc)
    conflicts = latency_conflicts(study)
    assert list(conflicts) == ["self_hosted_7b"]
    why = conflicts["self_hosted_7b"]
    assert why.startswith("p99 e2e latency cannot go below ") and why.endswith(
        " ms on a10g-7b (300 ms required)")
    s = run(study).summary
    assert s.recommended == "self_hosted_7b"  # the study's figure still decides
    assert s.warnings == (latency_warning(study, "self_hosted_7b", why),)
    assert s.warnings[0] == (
        "Self-hosted 7B (self_hosted_7b) states p99_latency_ms = 120, within the 300 ms "
        f"constraint, but the serving model of its hardware disagrees: {why}. The study's "
        "figure decides feasibility here; check it (ftrisk serve <study> --strategy "
        "self_hosted_7b).")
    assert s.verdict.endswith(f"Check its latency first: the study states it meets the 300 "
                              f"ms p99, but the serving model says {why}.")
    # a stated figure over the limit is infeasible anyway, and no limit: nothing to flag
    doc["strategies"]["self_hosted_7b"]["p99_latency_ms"] = 400
    assert latency_conflicts(study_from_dict(doc)) == {}
    del doc["constraints"]
    doc["strategies"]["self_hosted_7b"]["p99_latency_ms"] = 120
    assert latency_conflicts(study_from_dict(doc)) == {}
