"""Seed parity: the lesson's static figures, worked out by hand from its formulas (seed 001).

Example configuration: 50K requests/day, 500 input + 200 output tokens, $5/$15 per 1M,
2 instances at 2 x $1.03/h, 7B, 8 runs x $12, 100 engineer hours at $150, equal review rates.

- API: 50,000 x 500 x 30 x 5 / 1e6 + 50,000 x 200 x 30 x 15 / 1e6 = 3,750 + 4,500 = 8,250
- serving: 2.06 x 2 x 24 x 30 = 2,966.40; storage: 7 x 2 GB x 0.023 = 0.322
- project: 8 x 12 + 100 x 150 = 96 + 15,000 = 15,096; amortized over 18 months: 838.67
- FT total: 2,966.40 + 0.322 + 838.667 + 0 = 3,805.39; savings: 8,250 - 3,805.39 = 4,444.61
- payback: 15,096 / (8,250 - 2,966.722) = 2.857317 -> 2.9 months (the lesson rounds to 0.1)
- break-even: (2,966.722) / (275e6 / 35e6 / 1e6) / 30 = 12,586,093.3 tokens/day

point_estimate keeps full precision (summary.json carries it); the lesson rounds its output
(money to cents, payback to 0.1 month, tokens down to an integer), so the tests apply the
lesson's rounding to our unrounded figures and compare with its printed values.
"""

from __future__ import annotations

import pytest

from sim import point_estimate, study_from_dict

#: the lesson's compute_roi output for its example, as it rounds it
LESSON_PRINTED = {
    "monthly_api_cost": 8250.00, "monthly_serving_cost": 2966.40, "monthly_storage_cost": 0.32,
    "monthly_amortized_project_cost": 838.67, "monthly_quality_cost_delta": 0.0,
    "monthly_ft_total": 3805.39, "monthly_savings": 4444.61, "total_project_cost": 15096.00,
    "compute_cost": 96.00, "engineering_cost": 15000.00,
}


def test_lesson_static_figures(lesson_doc):
    pe = point_estimate(study_from_dict(lesson_doc))["self_hosted_7b"]
    for key, printed in LESSON_PRINTED.items():
        assert round(pe[key], 2) == printed, key
    assert round(pe["payback_months"], 1) == 2.9
    assert int(pe["break_even_tokens_per_day"]) == 12_586_093
    assert pe["current_daily_tokens"] == 35_000_000
    assert pe["is_above_break_even"] is True


def test_lesson_static_figures_are_unrounded(lesson_doc):
    # full precision: the hand-worked values themselves, not their rounding
    pe = point_estimate(study_from_dict(lesson_doc))["self_hosted_7b"]
    assert pe["monthly_storage_cost"] == pytest.approx(7 * 2 * 0.023, rel=1e-12)  # 0.322
    assert pe["monthly_amortized_project_cost"] == pytest.approx(15096 / 18, rel=1e-12)
    assert pe["payback_months"] == pytest.approx(15096 / (8250 - 2966.4 - 0.322), rel=1e-12)
    assert pe["break_even_tokens_per_day"] == pytest.approx(
        2966.722 / (8250 / 35e6 / 30) / 30, rel=1e-12)


def test_lesson_review_rates_2_vs_5_percent(lesson_doc):
    # the lesson's own example: 1.5M requests/month x (0.05 - 0.02) x $5 = $225,000/month,
    # which swamps the $5,283 saving: "never"
    lesson_doc["strategies"]["self_hosted_7b"]["review_rate"] = 0.05
    pe = point_estimate(study_from_dict(lesson_doc))["self_hosted_7b"]
    assert pe["monthly_quality_cost_delta"] == 225_000.00
    assert pe["payback_months"] == "never"


def test_baseline_has_no_payback(lesson_doc):
    pe = point_estimate(study_from_dict(lesson_doc))["frontier"]
    assert pe["payback_months"] is None
    assert pe["monthly_savings"] == 0.0


@pytest.mark.parametrize("mlops", [0.0, 0.1])
def test_mlops_is_left_out_of_the_sheet_and_shown_beside_it(lesson_doc, mlops):
    # the lesson's compute_roi has no MLOps term: its payback stays 15,096 / 5,283.278 and
    # the 0.1 x $20,000 = $2,000/month is reported beside it (the decomposition adds it)
    s = lesson_doc["strategies"]["self_hosted_7b"]
    s["mlops_fte"] = mlops
    s["fte_monthly_cost"] = 20_000
    pe = point_estimate(study_from_dict(lesson_doc))["self_hosted_7b"]
    assert pe["payback_months"] == pytest.approx(15096 / 5283.278, rel=1e-12)
    assert pe["monthly_mlops_cost_delta"] == pytest.approx(mlops * 20_000, rel=1e-12)
    assert pe["monthly_savings"] == pytest.approx(8250 - 3805.39, abs=0.01)
