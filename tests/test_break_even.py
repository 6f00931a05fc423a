"""The page's three break-even modes, on three hand studies (one per mode) and one that does
not break even. The quality step's NPV is worked by hand: a monthly saving s from month 1,
discounted at 10% a year end-of-month, is worth s x sum_t 1.1^(-t/12) over 36 months."""

from __future__ import annotations

import html
import json

import pytest

from sim import run, study_from_dict
from sim.cli import main
from sim.runner.break_even import break_even

from helpers import write_toml

ANNUITY = sum(1.10 ** (-t / 12) for t in range(1, 37))


def _summary(doc, samples=512):
    doc["study"]["samples"] = samples
    return run(study_from_dict(doc)).summary


def test_volume_driven_the_lesson_self_hosting(lesson_doc):
    # the lesson: $8,250 of API against $2,966.72 of GPUs and storage, equal review rates
    b = break_even(_summary(lesson_doc))
    assert (b.strategy, b.mode) == ("self_hosted_7b", "volume")
    assert b.npv_quality == 0.0
    saving = 8_250.0 - 2 * 2.06 * 720 - 7 * 2 * 0.023
    assert b.npv == pytest.approx(saving * ANNUITY - 15_096 * 1.10 ** (-1 / 12))
    assert b.sentence.startswith("Break-even mode: volume-driven (the page's first mode): "
                                 "self_hosted_7b's saving comes from token and serving costs")


@pytest.fixture
def quality_doc(lesson_doc):
    """A fine-tune as dear per token as the frontier, 40% fewer reviews (10% at $2)."""
    doc = lesson_doc
    del doc["strategies"]["self_hosted_7b"]
    doc["workload"]["requests_per_day"] = 1_000
    f = doc["strategies"]["frontier"]
    f.update(review_rate=0.10, cost_per_review=2.0)
    doc["strategies"]["ft"] = {
        "kind": "hosted_ft", "input_price": 5.0, "output_price": 15.0, "training_tokens": 1e8,
        "training_price_per_1m": 8.0, "engineering_hours": 20, "quality_lift": 0.4}
    return doc


def test_quality_driven_the_lift_carries_it(quality_doc):
    b = break_even(_summary(quality_doc))
    assert (b.strategy, b.mode) == ("ft", "quality")
    # 30,000 requests a month x 10% x 40% fewer x $2 = $2,400 a month
    assert b.npv_quality == pytest.approx(2_400 * ANNUITY)
    # the rest: the project ($3,000 + $800) paid in month 1, no token saving
    assert b.npv_rest == pytest.approx(-3_800 * 1.10 ** (-1 / 12))
    assert "the priced accuracy lift carries ft" in b.sentence


def test_a_smaller_lift_on_a_cheaper_model_is_volume_driven(quality_doc):
    # a model at a tenth of the price ($0.00495 less a request) with 1% fewer reviews
    # ($0.002 a request), at 10,000 requests a day: the token saving outweighs the lift
    quality_doc["workload"]["requests_per_day"] = 10_000
    ft = quality_doc["strategies"]["ft"]
    ft.update(input_price=0.5, output_price=1.5, quality_lift=0.01)
    b = break_even(_summary(quality_doc))
    assert b.mode == "volume"
    assert b.npv_quality == pytest.approx(600 * ANNUITY)
    assert b.npv_rest == pytest.approx(1_485 * ANNUITY - 3_800 * 1.10 ** (-1 / 12))
    assert b.npv_rest > b.npv_quality > 0


def test_latency_driven_only_the_small_model_meets_the_p99(lesson_doc, tmp_path, capsys):
    doc = lesson_doc
    doc["strategies"]["frontier"]["p99_latency_ms"] = 900
    # the fine-tune costs more than the frontier: without the constraint, stay
    doc["strategies"]["self_hosted_7b"].update(p99_latency_ms=150, instances=6)
    doc["constraints"] = {"p99_latency_ms": 300}
    summary = _summary(doc)
    b = break_even(summary)
    assert summary.recommended == "self_hosted_7b"
    assert summary.strategies["self_hosted_7b"].npv_mean < 0
    assert (b.mode, b.latency_decides, b.pick_without_latency) == (
        "latency", True, "frontier")
    assert b.sentence == (
        "Break-even mode: latency-driven (the page's third mode): the p99 ≤ 300 ms constraint "
        "decides it (frontier cannot meet it, and without it the pick would be frontier); "
        "self_hosted_7b meets it.")
    path = write_toml(tmp_path / "s.toml", doc)
    assert main(["run", str(path), "--out", str(tmp_path / "o")]) == 0
    text = capsys.readouterr().out
    assert b.sentence in text
    doc_json = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert doc_json["break_even_mode"] == "latency"
    assert doc_json["break_even"]["strategy"] == "self_hosted_7b"
    assert html.escape(b.sentence) in (tmp_path / "o" / "report.html").read_text()


def test_a_latency_constraint_that_changes_nothing_does_not_decide(lesson_doc):
    lesson_doc["strategies"]["frontier"]["p99_latency_ms"] = 200
    lesson_doc["strategies"]["self_hosted_7b"]["p99_latency_ms"] = 150
    lesson_doc["constraints"] = {"p99_latency_ms": 300}
    b = break_even(_summary(lesson_doc))
    assert (b.mode, b.latency_decides, b.pick_without_latency) == (
        "volume", False, "self_hosted_7b")


def test_no_mode_when_nothing_breaks_even(lesson_doc):
    lesson_doc["workload"]["requests_per_day"] = 500  # $82.50 of API against $2,967 of GPUs
    summary = _summary(lesson_doc)
    b = break_even(summary)
    assert summary.recommended == "frontier"
    assert (b.strategy, b.mode) == ("self_hosted_7b", None)
    assert b.sentence.startswith("No break-even mode: self_hosted_7b does not break even")
