"""The verdict: plain words, display names, and never at odds with the recommendation or the
constraints (exact sentences for each case)."""

from __future__ import annotations

import pytest

from sim import study_from_dict
from sim.runner.summary import StrategySummary, recommend
from sim.runner.verdict import verdict


@pytest.fixture
def study(lesson_doc):
    lesson_doc["strategies"]["hosted_ft"] = {
        "kind": "hosted_ft", "input_price": 1.0, "output_price": 2.0, "training_tokens": 1e8,
        "training_price_per_1m": 8.0, "engineering_hours": 20}
    return study_from_dict(lesson_doc)


def outcome(name: str, *, npv: float = 0.0, p12: float = 0.0, cvar: float = 0.0,
            reason: str | None = None, baseline: bool = False) -> StrategySummary:
    """A summary whose P(payback <= m) is ``p12`` for every month."""
    return StrategySummary(
        name=name, kind="api", is_baseline=baseline, n=1000,
        payback_cdf=tuple(0.0 if baseline else p12 for _ in range(36)), npv_mean=npv,
        npv_mean_se=1.0, npv_sd=10.0, npv_quantiles={}, p_npv_positive=0.5, p_best=0.5,
        tco_mean=0.0, npv_hist=((0.0, 1.0), (1000,)), infeasible_reason=reason, cvar5=cvar)


def summaries(**given: StrategySummary) -> dict[str, StrategySummary]:
    out = {"frontier": outcome("frontier", baseline=True)}
    out.update(given)
    return out


def test_stay_when_fine_tuning_loses_money(study):
    s = summaries(hosted_ft=outcome("hosted_ft", npv=-4729.0, p12=0.59),
                  self_hosted_7b=outcome("self_hosted_7b", npv=-50_000.0, p12=0.9))
    assert recommend(study, s) == "frontier"
    assert verdict(study, s, "frontier") == (
        "Stay on the Frontier API. Hosted fine-tuning pays back within 12 months in 59% of "
        "futures, but loses $4.7K on average over 36 months.")
    assert verdict(study, s, "frontier", reason="retraining and falling prices").endswith(
        "over 36 months: retraining and falling prices eat the saving.")
    assert verdict(study, s, "frontier", reason="retraining").endswith(
        "over 36 months: retraining eats the saving.")
    assert verdict(study, s, "frontier", reason="falling prices").endswith(
        "over 36 months: falling prices eat the saving.")


def test_a_rare_payback_reads_and_not_but(study):
    s = summaries(hosted_ft=outcome("hosted_ft", npv=-8300.0, p12=0.0),
                  self_hosted_7b=outcome("self_hosted_7b", npv=-9000.0))
    assert verdict(study, s, "frontier") == (
        "Stay on the Frontier API. Hosted fine-tuning pays back within 12 months in < 0.1% of "
        "futures and loses $8.3K on average over 36 months.")


def test_move_when_it_pays(study):
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", npv=412_345.0, p12=0.63),
                  hosted_ft=outcome("hosted_ft", npv=1000.0, p12=0.9))
    assert recommend(study, s) == "self_hosted_7b"
    assert verdict(study, s, "self_hosted_7b") == (
        "Move to Self-hosted 7B. It pays back within 12 months in 63% of futures and gains "
        "$412K on average over 36 months against the Frontier API.")
    s["self_hosted_7b"] = outcome("self_hosted_7b", npv=1e6, p12=0.3)
    assert verdict(study, s, "self_hosted_7b") == (
        "Move to Self-hosted 7B. It gains $1.00M on average over 36 months against the "
        "Frontier API, though it pays back within 12 months in only 30% of futures.")
    s["self_hosted_7b"] = outcome("self_hosted_7b", npv=19_401.0, p12=0.498)
    assert verdict(study, s, "self_hosted_7b") == (
        "Move to Self-hosted 7B. It gains $19K on average over 36 months against the "
        "Frontier API, though it pays back within 12 months in 50% of futures.")


def test_a_move_forced_by_the_constraints_says_so_and_never_calls_it_a_payback(study):
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", npv=-46_846.0, p12=0.0),
                  hosted_ft=outcome("hosted_ft", npv=5000.0, p12=0.8,
                                    reason="sends request data to a vendor (hosted_ft)"))
    s["frontier"] = outcome("frontier", baseline=True,
                            reason="sends request data to a vendor (api)")
    assert recommend(study, s) == "self_hosted_7b"
    assert verdict(study, s, "self_hosted_7b") == (
        "Move to Self-hosted 7B. The study's constraints rule out the Frontier API (sends "
        "request data to a vendor (api)), and Self-hosted 7B costs $47K more than the "
        "Frontier API on average over 36 months (it pays back within 12 months in < 0.1% of "
        "futures): that is the price of meeting the constraints. Ruled out by the study's "
        "constraints: Hosted fine-tuning (sends request data to a vendor (hosted_ft)).")


def test_a_stated_latency_the_model_contradicts_ends_the_verdict(lesson_doc):
    lesson_doc["constraints"] = {"p99_latency_ms": 50}
    study = study_from_dict(lesson_doc)
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", npv=150_000.0, p12=1.0))
    text = verdict(study, s, "self_hosted_7b",
                   conflicts={"self_hosted_7b": "p99 e2e latency cannot go below 3,163 ms"})
    assert text == (
        "Move to Self-hosted 7B. It pays back within 12 months in > 99.9% of futures and "
        "gains $150K on average over 36 months against the Frontier API. Check its latency "
        "first: the study states it meets the 50 ms p99, but the serving model says p99 e2e "
        "latency cannot go below 3,163 ms.")


def test_nothing_feasible_and_only_a_baseline(study):
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", reason="x"),
                  hosted_ft=outcome("hosted_ft", reason="y"))
    s["frontier"] = outcome("frontier", baseline=True, reason="z")
    assert recommend(study, s) is None
    assert verdict(study, s, None) == (
        "No strategy meets the study's constraints; relax one or add a strategy that meets "
        "them. Ruled out by the study's constraints: the Frontier API (z); Self-hosted 7B "
        "(x); Hosted fine-tuning (y).")
    assert verdict(study, summaries(), "frontier") == (
        "Only the baseline (Frontier API) is in this study: add a strategy to compare with it.")


def test_other_criteria_say_why_the_baseline_stays(study):
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", npv=50_000.0, p12=0.4,
                                         cvar=-20_000.0),
                  hosted_ft=outcome("hosted_ft", npv=-1.0, p12=0.1, cvar=-30_000.0))
    payback = study.replace(criterion="payback")
    assert recommend(payback, s) == "frontier"
    assert verdict(payback, s, "frontier") == (
        "Stay on the Frontier API. Self-hosted 7B gains $50K on average over 36 months, but "
        "pays back within 12 months in only 40% of futures (the study picks by the chance of "
        "paying back, and asks for at least 50%).")
    cvar = study.replace(criterion="cvar")
    assert recommend(cvar, s) == "frontier"
    assert verdict(cvar, s, "frontier") == (
        "Stay on the Frontier API. Self-hosted 7B gains $50K on average over 36 months, but "
        "loses $20K on average in its worst 5% of futures (the study picks by the worst 5%).")


def test_a_payback_pick_that_loses_money_says_both(study):
    payback = study.replace(criterion="payback")
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", npv=-1000.0, p12=0.7),
                  hosted_ft=outcome("hosted_ft", npv=-5000.0, p12=0.2))
    assert recommend(payback, s) == "self_hosted_7b"
    assert verdict(payback, s, "self_hosted_7b") == (
        "Move to Self-hosted 7B. The study picks by the chance of paying back: it pays back "
        "within 12 months in 70% of futures, but loses $1.0K on average over 36 months.")


def test_labels_from_the_study_file(lesson_doc):
    lesson_doc["strategies"]["frontier"]["label"] = "GPT-4o"
    lesson_doc["strategies"]["self_hosted_7b"]["label"] = "Our own Llama"
    study = study_from_dict(lesson_doc)
    s = summaries(self_hosted_7b=outcome("self_hosted_7b", npv=-10.0, p12=0.5))
    assert verdict(study, s, "frontier") == (
        "Stay on GPT-4o. Our own Llama pays back within 12 months in 50% of futures, but "
        "loses $10 on average over 36 months.")
