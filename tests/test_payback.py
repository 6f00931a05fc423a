"""The payback rule (docs/model.md, "Payback"; sim.runner.payback) on fixed inputs, against
months worked by hand.

Lesson configuration (tests/helpers.py): the frontier costs 8,250/month at 50K requests/day
(0.165 per request/day), the self-hosted 7B 2,966.40 serving + 0.322 storage, equal review
rates; project P = 15,096. At V requests/day the monthly saving is S = 0.165 V - 2,966.722:
V = 27K -> 1,488.278; 50K -> 5,283.278; 75K -> 9,408.278; 250K -> 38,283.278.
C[t] is the cumulative net saving at the end of month t.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import polars as pl
import pytest

from sim import evaluate, load_study, median_values, run, study_from_dict
from sim.runner import NO_PAYBACK

from helpers import LESSON, STUDIES

P = 15_096.0


def saving(requests_per_day: float) -> float:
    return 0.165 * requests_per_day - 2966.4 - 0.322


def outcome(doc, strategy="self_hosted_7b", **values):
    study = study_from_dict(doc)
    v = median_values(study)
    v.update(values)
    o = evaluate(study, v, 1, keep=1)[strategy]
    return o, o.months[:, 0]


def no_payback(o):
    return o.payback[0] == NO_PAYBACK and math.isnan(o.payback_months[0])


def lesson(**changes):
    doc = copy.deepcopy(LESSON)
    doc["strategies"]["self_hosted_7b"].update(changes)
    return doc


def test_equal_then_dearer_never_pays_back():
    # (a) a second API at the frontier's own prices, with no project: equal in month 1
    # (C[1] = 0), then dearer as the frontier's prices fall 40% a year and its don't. It
    # used to "pay back in month 1" (C[1] >= 0) while its NPV is negative.
    doc = copy.deepcopy(LESSON)
    doc["strategies"]["frontier"]["annual_price_drop"] = 0.4
    doc["strategies"]["same_api"] = {"kind": "api", "input_price": 5.0, "output_price": 15.0,
                                     "review_rate": 0.02, "cost_per_review": 5.0}
    o, cum = outcome(doc, "same_api")
    assert cum[0] == 0.0
    # month 2: 8,250 x (1 - 0.6 ** (1/12)) = 345.3 dearer
    assert cum[1] == pytest.approx(-8250 * (1 - 0.6 ** (1 / 12)))
    assert o.npv[0] < 0
    assert no_payback(o)


@pytest.mark.parametrize(("hours", "runs"), [(100, 8), (0, 0)])
def test_build_months_beyond_the_horizon_never_pay_back(hours, runs):
    # (b) build_months 40 > horizon 36: the baseline serves all 36 months; the project is
    # spread over 40 months (377.40 a month, or nothing for a free one). C[36] = -13,586.40
    # or 0: neither is ahead. The free project used to "pay back in month 1".
    o, cum = outcome(lesson(build_months=40, engineering_hours=hours, training_runs=runs))
    assert cum[-1] == pytest.approx(-36 * P / 40 if hours else 0.0)
    assert no_payback(o)


def test_a_late_retraining_dip_moves_payback_later():
    # (c) V = 27K, S = 1,488.278, horizon 39, retraining at full cost every 20 months (month
    # 20, serving months 20-39: all within the horizon, charged in full). C[10] = 10 S - P =
    # -213.22 < 0 <= C[11] = 1,275.058: month 11 by the old rule. But C[20] = 20 S - 2P =
    # -426.44 < 0 and C[21] = 21 S - 2P = 1,061.838, C[24] = 5,526.672, C[39] = 27,850.842 > 0:
    # payback month 21, fractional 20 + 426.44 / 1,488.278 (month 21 has no one-off spend).
    doc = lesson(retrain_every_months=20, retrain_cost_fraction=1.0)
    doc["study"]["horizon_months"] = 39
    doc["workload"]["requests_per_day"] = 27_000
    o, cum = outcome(doc)
    assert cum[9] == pytest.approx(-213.22) and cum[10] == pytest.approx(1275.058)
    assert cum[19] == pytest.approx(-426.44) and cum[20] == pytest.approx(1061.838)
    assert cum[23] == pytest.approx(5526.672) and cum[38] == pytest.approx(27_850.842)
    assert o.payback[0] == 21
    assert o.payback_months[0] == pytest.approx(20 + 426.44 / 1488.278, rel=1e-9)  # 20.2865


def test_plain_case_pays_back_in_month_3():
    # (d) V = 75K, S = 9,408.278, build_months 1: month 1 the baseline serves and the
    # project is paid (C[1] = -15,096); C[2] = -5,687.722 < 0 <= C[3] = 3,720.556. Month 3
    # has no one-off spend: 2 + 5,687.722 / (3,720.556 + 5,687.722) = 2.604544.
    doc = lesson(build_months=1)
    doc["workload"]["requests_per_day"] = 75_000
    o, cum = outcome(doc)
    assert cum[:3] == pytest.approx([-15_096.0, -5687.722, 3720.556])
    assert o.payback[0] == 3
    assert o.payback_months[0] == pytest.approx(2 + 5687.722 / 9408.278, rel=1e-9)
    assert round(float(o.payback_months[0]), 6) == 2.604544


@pytest.mark.parametrize(("requests", "month", "fractional"), [
    (250_000, 1, 15_096 / 38_283.278),  # 0.394 months: under 2 weeks, in month 1
    (50_000, 3, 15_096 / 5283.278),  # the lesson: 2.857, the spreadsheet's 2.9
])
def test_project_paid_in_month_1_gives_the_spreadsheet_payback(requests, month, fractional):
    # (e) build_months 0: P is paid at the start of month 1 and S accrues through each month,
    # so the cumulative crosses 0 at P / S months. Month 1 (V = 250K): from -P at its start
    # to S - P = 23,187.278 at its end: 15,096 / 38,283.278 = 0.3943, not 0.
    doc = copy.deepcopy(LESSON)
    doc["workload"]["requests_per_day"] = requests
    o, cum = outcome(doc)
    assert cum[0] == pytest.approx(saving(requests) - P)
    assert o.payback[0] == month
    assert o.payback_months[0] == pytest.approx(fractional, rel=1e-9)


def test_one_off_spend_in_the_crossing_month_is_paid_at_its_start():
    # V = 50K, S = 5,283.278, retraining every 2 months at 5% (754.80): C[1] = S - P =
    # -9,812.722, C[2] = -5,284.244, C[3] = -0.966 < 0, C[4] = 4,527.512. Month 4 pays a
    # retraining: the line runs from C[3] - 754.80 = -755.766 to 4,527.512, crossing 0 at
    # 3 + 755.766 / 5,283.278 = 3.1430 (not 3 + 0.966 / 4,528.478 = 3.0002).
    o, cum = outcome(lesson(retrain_every_months=2, retrain_cost_fraction=0.05))
    assert cum[:4] == pytest.approx([-9812.722, -5284.244, -0.966, 4527.512])
    assert o.payback[0] == 4
    assert o.payback_months[0] == pytest.approx(3 + 755.766 / 5283.278, rel=1e-9)


def test_nothing_to_pay_back_is_payback_zero():
    # a cheaper API with no project is ahead from the first day: month 1, fractional 0.0
    doc = copy.deepcopy(LESSON)
    doc["strategies"]["cheaper"] = {"kind": "api", "input_price": 4.0, "output_price": 12.0,
                                    "review_rate": 0.02, "cost_per_review": 5.0}
    o, cum = outcome(doc, "cheaper")
    assert cum[0] == pytest.approx(0.2 * 8250)
    assert o.payback[0] == 1 and o.payback_months[0] == 0.0
    # a free project built for 2 months: level (C = 0, 0 / 0 inside months 1-2), then ahead:
    # never behind, so month 1 and 0.0 as well
    o, cum = outcome(lesson(build_months=2, engineering_hours=0, training_runs=0))
    assert cum[:3].tolist() == [0.0, 0.0, pytest.approx(5283.278)]
    assert o.payback[0] == 1 and o.payback_months[0] == 0.0


def test_ending_exactly_level_is_no_payback():
    # (f) frontier 1,000 requests/day x 1,000 tokens at $10/1M = $300/month; "cheap" at $5/1M
    # = $150/month with a $1,800 project (12 h x $150) paid in month 1, horizon 12:
    # C[1] = -1,650, then +150 a month: C[12] = 0 exactly (all in binary integers). Level
    # with the baseline is not ahead: no payback (the old rule said month 12).
    doc = {
        "study": {"baseline": "frontier", "horizon_months": 12, "payback_within": [12]},
        "workload": {"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 0},
        "strategies": {
            "frontier": {"kind": "api", "input_price": 10.0, "output_price": 0.0},
            "cheap": {"kind": "api", "input_price": 5.0, "output_price": 0.0,
                      "engineering_hours": 12, "hourly_rate": 150},
        },
    }
    o, cum = outcome(doc, "cheap")
    assert cum[0] == -1650.0 and cum[-1] == 0.0
    assert no_payback(o)
    # one month more: ahead by 150 at the end. C[11] = -150 is the last month below 0 and
    # C[12] = 0 counts as >= 0: month 12, and the line from -150 reaches 0 at 12.0 exactly
    doc["study"]["horizon_months"] = 13
    o, cum = outcome(doc, "cheap")
    assert cum[-1] == 150.0
    assert o.payback[0] == 12 and o.payback_months[0] == 12.0


def test_samples_of_one_chunk_are_decided_each_on_its_own_path():
    # (c)'s study at three volumes in one call: 27K dips after the retraining (month 21),
    # 50K does not (C[20] = 20 S - 2P = 75,473.56: month 3, 2 + 4,529.444 / 5,283.278),
    # 5K never saves (S < 0).
    doc = lesson(retrain_every_months=20, retrain_cost_fraction=1.0)
    doc["study"]["horizon_months"] = 39
    study = study_from_dict(doc)
    v = median_values(study)
    v["workload.requests_per_day"] = np.array([27_000.0, 50_000.0, 5_000.0])
    o = evaluate(study, v, 3)["self_hosted_7b"]
    assert o.payback.tolist() == [21, 3, NO_PAYBACK]
    np.testing.assert_allclose(o.payback_months[:2], [20 + 426.44 / 1488.278,
                                                      2 + 4529.444 / 5283.278], rtol=1e-9)
    assert math.isnan(o.payback_months[2])


def test_run_files_agree_with_the_rule():
    # From a run's samples.parquet alone: a payback exists exactly where the strategy's
    # total cost over the horizon is below the baseline's (C[H] = TCO_base - TCO_s > 0),
    # the whole month is max(1, ceil(fractional)), and P(payback <= 24) never exceeds
    # P(ahead at the horizon). customer_support retrains (dips) and has build months.
    study = load_study(STUDIES / "customer_support.toml").replace(samples=4096)
    result = run(study)
    frame = result.samples()
    for s in ("self_hosted_7b",):
        whole = frame[f"payback_month.{s}"]
        frac = frame[f"payback_months.{s}"]
        ahead = frame["tco.frontier"] - frame[f"tco.{s}"] > 0
        assert (whole.is_not_null() == ahead).all()
        assert (frac.is_not_null() == ahead).all()
        both = frame.filter(pl.col(f"payback_month.{s}").is_not_null())
        expected = both[f"payback_months.{s}"].ceil().clip(lower_bound=1).cast(pl.Int64)
        assert (both[f"payback_month.{s}"].cast(pl.Int64) == expected).all()
        summary = result.summary.strategies[s]
        assert summary.p_payback_within(24) <= float(ahead.mean())


def test_bundled_enterprise_fractional_median_is_under_two_weeks():
    # the page (at 2024 prices: GPT-4o $5/$15): $12K project, ~$30K/month saving -> "payback
    # < 2 weeks"; the whole-month median is month 1 and the fractional one ~0.4 (12,000 /
    # 30,384 at the medians; the median MLOps, $3,000, and the median lift, 20% of $15,000
    # of reviews, cancel)
    study = load_study(STUDIES / "enterprise.toml",
                       overrides=['strategies.frontier.model="gpt-4o@2024"']).replace(
        samples=4096)
    hosted = run(study).summary.strategies["hosted_ft"]
    assert hosted.payback_median_months == 1
    assert hosted.payback_median_fractional is not None
    assert 0.25 < hosted.payback_median_fractional < 0.5
    assert hosted.payback_median_months == max(1, math.ceil(hosted.payback_median_fractional))


@pytest.mark.parametrize("at", [0, 37, 63, 64, 129])
def test_a_lane_that_dips_among_lanes_ahead_is_decided_on_its_own_path(at):
    # The model skips the payback arithmetic of a month in which no lane of a block of
    # samples is behind (sim.costs.fused.paying). Among 50K-request samples, which are
    # ahead from month 3 on through every retraining, one 27K sample falls behind after
    # its month-21 retraining: its block is skipped in months 4..21 and must not be in
    # months 22 on. Each sample's payback is the one it gets alone, bit for bit, wherever
    # it sits (first, middle and last lane of a block of 64, the next block's first, and
    # a block of two lanes).
    doc = lesson(retrain_every_months=20, retrain_cost_fraction=1.0)
    doc["study"]["horizon_months"] = 39
    study = study_from_dict(doc)
    v = median_values(study)
    volumes = np.full(131, 50_000.0)
    volumes[at] = 27_000.0
    v["workload.requests_per_day"] = volumes
    together = evaluate(study, v, volumes.size)["self_hosted_7b"]
    for i in (at, at - 1 if at else at + 1, 130):
        alone = dict(v, **{"workload.requests_per_day": volumes[i]})
        o = evaluate(study, alone, 1)["self_hosted_7b"]
        assert together.payback[i] == o.payback[0]
        assert together.payback_months[i] == o.payback_months[0]
    assert together.payback[at] == 21 and together.payback[130] == 3
    np.testing.assert_allclose(together.payback_months[at], 20 + 426.44 / 1488.278, rtol=1e-9)


def _running_max_rule(base, run, spend, building):
    """The payback rule month by month as first written (each candidate's fraction kept as
    a running maximum): (cumulative, whole month, fractional) of one lane."""
    cum, month, frac = 0.0, 1.0, 0.0
    for k in range(base.size):
        t = k + 1
        cost = (base[k] if t <= building else run[k]) + spend[k]
        net = base[k] - cost
        candidate = t == 1 or cum < 0.0
        start = cum - spend[k]
        cum = cum + net
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.float64(start) / np.float64(start - cum)
        f = 1.0 if f > 1.0 else float(f)
        f = f + float(t - 1)
        if candidate:
            month = float(t)
            if f > frac:
                frac = f
    return cum, month, frac


def test_the_fraction_computed_once_is_the_running_maximum_bit_for_bit():
    # sim.costs.fused.payback_fraction interpolates the last candidate month once, at the
    # horizon; the rule as first written kept every candidate's value as a running maximum.
    # Random monthly costs (some paths cross once, some dip again after a spend, some never
    # pay back, some tie at 0 in month 1) give the same fraction, bit for bit, for every
    # lane that ends ahead.
    from sim.costs import fused
    from sim.costs.payback import fold_month
    from sim.costs.slots import BLOCK, N_STRATEGY_ROWS, Y_BUILD, Y_CUM, Y_MONTH, Y_RUN, Y_SPEND

    rng = np.random.default_rng(20261202)
    months = 36
    checked, fractions = 0, []
    for _ in range(12):
        base = rng.choice([100.0, 250.0, 1e4 / 3], size=(months, BLOCK))
        run = base * rng.choice([0.3, 0.5, 0.7, 0.9, 1.0, 1.1, 2.0], size=(months, BLOCK))
        run[:, :4] = base[:, :4]  # level with the baseline: 0 / 0 in month 1
        spend = np.where(rng.random((months, BLOCK)) < 0.08,
                         rng.uniform(0, 3000, (months, BLOCK)), 0.0)
        spend[:, :4] = 0.0
        run[1:, 2:4] = base[1:, 2:4] * 0.5  # then cheaper: ahead from month 2, paid back in 1
        building = rng.choice([0.0, 2.0, 5.0], size=BLOCK)
        y = np.zeros(N_STRATEGY_ROWS * BLOCK)
        y[Y_MONTH * BLOCK:(Y_MONTH + 1) * BLOCK] = 1.0
        y[Y_BUILD * BLOCK:(Y_BUILD + 1) * BLOCK] = building
        for k in range(months):
            y[Y_RUN * BLOCK:(Y_RUN + 1) * BLOCK] = run[k]
            y[Y_SPEND * BLOCK:(Y_SPEND + 1) * BLOCK] = spend[k]
            fold_month(k + 1, base[k].copy(), y, 1.0)
        for j in range(BLOCK):
            cum, month, frac = _running_max_rule(base[:, j], run[:, j], spend[:, j],
                                                 building[j])
            assert y[Y_CUM * BLOCK + j] == cum and y[Y_MONTH * BLOCK + j] == month
            if cum > 0.0:
                got = fused.payback_fraction(j, y)
                assert np.float64(got).tobytes() == np.float64(frac).tobytes(), (j, got, frac)
                checked += 1
                fractions.append(frac)
    # lanes paid back in month 1 after 0 / 0 (fraction 0), and lanes paid back later
    assert checked > 300 and 0.0 in fractions and max(fractions) > 12
