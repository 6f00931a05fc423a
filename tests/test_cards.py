"""Every constraint card of the calculator page, on a small hand study: what it excludes or
adds, and how the run says so (terminal, summary.json, report).

The hand study is the lesson's configuration (frontier API at $5/$15, a self-hosted 7B whose
project is 100 h x $150 + 8 runs x $12 = $15,096) plus a hosted fine-tune (20 h x $150 +
100M training tokens at $8/1M = $3,800).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim import evaluate, point_estimate, run, study_from_dict
from sim.cli import main
from sim.runner.constraints import card_effects, feasibility
from sim.study.cards import CARDS, CARDS_BY_KEY
from sim.study.loader import CONSTRAINT_KEYS

from helpers import write_toml

RATE = 150.0
DISC1 = 1.10 ** (-1 / 12)  # a project paid in month 1, at the lesson's 10% a year


@pytest.fixture
def doc(lesson_doc):
    lesson_doc["strategies"]["hosted"] = {
        "kind": "hosted_ft", "input_price": 1.0, "output_price": 2.0, "training_tokens": 1e8,
        "training_price_per_1m": 8.0, "engineering_hours": 20, "review_rate": 0.02,
        "cost_per_review": 5.0}
    return lesson_doc


def _run_cli(doc, tmp_path, capsys):
    path = write_toml(tmp_path / "s.toml", doc)
    code = main(["run", str(path), "--out", str(tmp_path / "o")])
    text = capsys.readouterr().out
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    page = (tmp_path / "o" / "report.html").read_text()
    return code, text, summary, page


# -- the data model ---------------------------------------------------------------------------
def test_every_card_of_the_page_is_a_constraint_key():
    assert [c.key for c in CARDS] == ["ml_sre_capacity", "eval_harness",
                                      "data_provenance_documented", "vendor_no_train_terms",
                                      "p99_latency_ms", "vendor_portability", "data_on_premises"]
    for c in CARDS:
        assert c.key in CONSTRAINT_KEYS
        assert c.question.endswith("?") and c.page and c.does
        assert c.effect in ("excludes", "adds")
        assert not c.is_on(c.default)  # a study that leaves it out has it off
        assert (c.hours_key is not None) == (c.effect == "adds")
    assert CARDS_BY_KEY["ml_sre_capacity"].is_on(False)
    assert CARDS_BY_KEY["vendor_no_train_terms"].is_on(True)
    assert CARDS_BY_KEY["p99_latency_ms"].is_on(300.0)


def test_no_card_on_changes_nothing(doc):
    study = study_from_dict(doc)
    assert study.constraints.cards_on() == []
    assert study.card_inputs == {} and study.card_additions == ()
    assert card_effects(study) == []


# -- ML/SRE capacity --------------------------------------------------------------------------
def test_no_ml_sre_capacity_excludes_self_hosting(doc, tmp_path, capsys):
    doc["constraints"] = {"ml_sre_capacity": False}
    f = feasibility(study_from_dict(doc))
    assert f["self_hosted_7b"] == ("serves on GPUs of its own (self_hosted) and the study has "
                                   "no ML/SRE capacity to run them: default to hosted")
    assert f["frontier"] is None and f["hosted"] is None
    code, text, summary, page = _run_cli(doc, tmp_path, capsys)
    assert code == 0
    assert summary["recommended"] != "self_hosted_7b"
    assert summary["self_hosted_7b"]["constraint_cards"]["excluded_by"] == ["ml_sre_capacity"]
    assert summary["hosted"]["constraint_cards"]["excluded_by"] == []
    card = next(c for c in summary["constraint_cards"] if c["key"] == "ml_sre_capacity")
    assert card["on"] and card["value"] is False and card["excluded"] == ["self_hosted_7b"]
    assert "ML/SRE capacity (ml_sre_capacity = false): excluded self_hosted_7b" in text
    assert "<code>ml_sre_capacity = false</code>: without that capacity" in page


# -- vendor no-train terms --------------------------------------------------------------------
def test_no_train_terms_exclude_a_default_tier_fine_tune(doc, tmp_path, capsys):
    doc["constraints"] = {"vendor_no_train_terms": True}
    f = feasibility(study_from_dict(doc))
    assert f["hosted"].startswith("trains at a vendor whose default tier may use the training "
                                  "data (hosted)")
    assert f["frontier"] is None and f["self_hosted_7b"] is None  # no training at a vendor
    doc["strategies"]["hosted"]["no_train_terms"] = True
    assert feasibility(study_from_dict(doc))["hosted"] is None
    doc["strategies"]["hosted"]["no_train_terms"] = False
    code, text, summary, _ = _run_cli(doc, tmp_path, capsys)
    assert code == 0
    assert summary["hosted"]["constraint_cards"]["excluded_by"] == ["vendor_no_train_terms"]
    assert "Vendor no-train terms (vendor_no_train_terms = true): excluded hosted" in text


# -- eval harness and data provenance: work added ---------------------------------------------
def test_eval_harness_adds_its_build_to_each_fine_tuned_project(doc):
    doc["constraints"] = {"eval_harness": False, "eval_harness_hours": 10}
    study = study_from_dict(doc)
    point = point_estimate(study)
    assert point["hosted"]["total_project_cost"] == pytest.approx(3_800 + 10 * RATE)
    assert point["self_hosted_7b"]["total_project_cost"] == pytest.approx(15_096 + 10 * RATE)
    assert point["frontier"]["total_project_cost"] == 0.0  # the baseline has no project
    harness = study.input("constraints.eval_harness_hours")
    assert not harness.is_default and "eval_harness = false" in harness.note
    assert [(a.strategy, a.input) for a in study.card_additions] == [
        ("self_hosted_7b", "constraints.eval_harness_hours"),
        ("hosted", "constraints.eval_harness_hours")]


def test_the_added_hours_are_paid_once_not_at_each_retraining(doc):
    # retrained every 6 months: the NPV falls by exactly the harness paid in month 1
    for s in ("hosted", "self_hosted_7b"):
        doc["strategies"][s]["retrain_every_months"] = 6
    values = {i.path: i.dist.median for i in study_from_dict(doc).inputs()}
    before = evaluate(study_from_dict(doc), values, 1)
    doc["constraints"] = {"eval_harness": False, "eval_harness_hours": 10}
    study = study_from_dict(doc)
    after = evaluate(study, {**values, "constraints.eval_harness_hours": 10.0}, 1)
    for s in ("hosted", "self_hosted_7b"):
        assert after[s].npv[0] - before[s].npv[0] == pytest.approx(-10 * RATE * DISC1)


def test_provenance_work_is_added_with_its_default(doc):
    doc["constraints"] = {"data_provenance_documented": False}
    study = study_from_dict(doc)
    hours = study.input("constraints.provenance_hours")
    assert hours.is_default and hours.dist.support == (8.0, 16.0)  # uniform 8-16 h
    point = point_estimate(study)
    assert point["hosted"]["total_project_cost"] == pytest.approx(3_800 + 12 * RATE)


def test_both_cards_add_up_and_share_one_draw(doc, tmp_path, capsys):
    doc["study"]["samples"] = 2000
    doc["constraints"] = {"eval_harness": False, "data_provenance_documented": False,
                          "eval_harness_hours": {"uniform": [8, 16]}, "provenance_hours": 4}
    study = study_from_dict(doc)
    assert [i.path for i in study.uncertain_inputs()] == ["constraints.eval_harness_hours"]
    result = run(study)
    x = result.samples(["constraints.eval_harness_hours"])["constraints.eval_harness_hours"]
    # every strategy pays the same draw: the NPV difference between the two fine-tunes does
    # not move with it (their projects both grow by (h + 4) x $150)
    base = study_from_dict({**doc, "constraints": {}})
    values = {i.path: i.dist.median for i in base.inputs()}
    ref = evaluate(base, values, 1)
    got = result.samples(["npv.hosted", "npv.self_hosted_7b"])
    added = (x.to_numpy() + 4) * RATE * DISC1
    np.testing.assert_allclose(got["npv.hosted"].to_numpy(), ref["hosted"].npv[0] - added)
    np.testing.assert_allclose(got["npv.self_hosted_7b"].to_numpy(),
                               ref["self_hosted_7b"].npv[0] - added)
    code, text, summary, page = _run_cli(doc, tmp_path, capsys)
    assert code == 0
    assert summary["hosted"]["constraint_cards"]["added_by"] == [
        "eval_harness", "data_provenance_documented"]
    assert summary["hosted"]["constraint_cards"]["excluded_by"] == []
    assert "Eval harness (eval_harness = false): added to hosted, self_hosted_7b" in text
    assert "Data provenance and PII (data_provenance_documented = false): added to" in text
    assert "constraints.eval_harness_hours" in page
    # the report names each strategy by its label and key, and the hours as a range
    assert ("(<code>hosted</code>): added — building an eval harness: 8-16 h (uniform, "
            "median 12) added to its project") in page
    assert "documenting the data&#x27;s provenance and scrubbing PII: 4 h added" in page


def test_a_stated_evaluation_phase_already_pays_for_the_harness(doc):
    sh = doc["strategies"]["self_hosted_7b"]
    del sh["engineering_hours"]
    sh["engineering_phases"] = {"data_collection": 40, "evaluation_framework": 12}
    doc["constraints"] = {"eval_harness": False, "eval_harness_hours": 10}
    study = study_from_dict(doc)
    assert point_estimate(study)["self_hosted_7b"]["total_project_cost"] == pytest.approx(
        52 * RATE + 96)
    effects = {e.strategy: e for e in card_effects(study)}
    assert effects["self_hosted_7b"].effect == "nothing"
    assert "engineering_phases.evaluation_framework already has the work" in (
        effects["self_hosted_7b"].text)
    assert effects["hosted"].effect == "added"


def test_a_routing_strategy_carries_its_parts_work(doc):
    doc["strategies"]["routed"] = {"kind": "routing", "primary": "hosted",
                                   "fallback": "frontier", "share": 0.5}
    doc["constraints"] = {"eval_harness": False, "eval_harness_hours": 10}
    study = study_from_dict(doc)
    assert point_estimate(study)["routed"]["total_project_cost"] == pytest.approx(
        3_800 + 10 * RATE)
    routed = [e for e in card_effects(study) if e.strategy == "routed"]
    assert [(e.card, e.effect) for e in routed] == [("eval_harness", "added")]
    assert routed[0].text == "hosted: building an eval harness: 10 h added to its project"


@pytest.mark.parametrize(("constraints", "message"), [
    ({"ml_sre_capacity": "no"}, "constraints.ml_sre_capacity: 'no' must be true or false"),
    ({"eval_harness_hours": 10}, "constraints.eval_harness_hours: only used when "
     "eval_harness = false"),
    ({"eval_harness": False, "eval_harness_hours": -3},
     "constraints.eval_harness_hours: -3 is outside a quantity >= 0"),
    ({"eval_harnes": False}, "constraints.eval_harnes: unknown key; did you mean "
     "'eval_harness'?"),
])
def test_bad_cards(doc, tmp_path, capsys, constraints, message):
    doc["constraints"] = constraints
    path = write_toml(tmp_path / "s.toml", doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_the_existing_cards_report_their_effects(doc):
    doc["constraints"] = {"data_on_premises": True, "vendor_portability": True}
    study = study_from_dict(doc)
    effects = {(e.card, e.strategy) for e in card_effects(study)}
    assert effects == {("data_on_premises", "frontier"), ("data_on_premises", "hosted"),
                       ("vendor_portability", "hosted")}
    assert study.constraints.cards_on() == ["vendor_portability", "data_on_premises"]
