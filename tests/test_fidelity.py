"""Model fidelity (docs/model.md, "Price declines" to "Hardware that fits"): each rule on
fixed inputs, month by month, against values worked by hand in the comments (never
computed with the code under test).

Common workload: 10,000 requests/day of 1,000 input tokens and no output: 300,000 requests
and 300M input tokens a month. The frontier at $10/1M costs $3,000 a month; a fine-tuned
model at $2/1M $600.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim import StudyError, evaluate, median_values, study_from_dict
from sim.study.memory import check_memory

FRONTIER = 3000.0
FT = 600.0

BASE = {
    "study": {"baseline": "frontier", "horizon_months": 24, "payback_within": [6, 12]},
    "workload": {"requests_per_day": 10_000, "input_tokens": 1000, "output_tokens": 0},
    "strategies": {"frontier": {"kind": "api", "input_price": 10.0, "output_price": 0.0}},
}
# hosted fine-tune: one $8 training run (1M tokens x 1 epoch x $8/1M) + 10 h x $150 = 1,508
HOSTED = {"kind": "hosted_ft", "input_price": 2.0, "output_price": 0.0,
          "training_tokens": 1e6, "training_price_per_1m": 8.0, "engineering_hours": 10}
# the lesson's 7B (seed 001): 2 x 2.06 x 720 = 2,966.40 serving + 7 x 2 x 0.023 = 0.322
# storage; project 100 h x 150 + 8 runs x $12 = 15,096
SELF = {"kind": "self_hosted", "model_size_b": 7, "gpu_hourly": 2.06, "instances": 2,
        "engineering_hours": 100, "training_runs": 8, "compute_per_run": 12.0}
SELF_RUN = 2966.4 + 0.322


def study(frontier=None, horizon=24, workload=None, **strategies):
    doc = copy.deepcopy(BASE)
    doc["study"]["horizon_months"] = horizon
    doc["strategies"]["frontier"].update(frontier or {})
    doc["workload"].update(workload or {})
    doc["strategies"].update(copy.deepcopy(strategies))
    return study_from_dict(doc)


def months(s, name):
    """Net saving of each month vs the frontier, and the strategy's outcome."""
    o = evaluate(s, median_values(s), 1, keep=1)[name]
    return np.diff(o.months[:, 0], prepend=0.0), o


def baseline_tco(s):
    return float(evaluate(s, median_values(s), 1)["frontier"].tco[0])


# -- retraining: compute plus the redone share of the engineering ------------------------------

def test_retrain_is_compute_plus_redone_hours():
    # defaults: 4 runs x $12 + 0.42 x 15,000 = 48 + 6,300 = 6,348; every 12 months from
    # month 1 (no build): months 12 and 24 within a 36-month horizon; month 36's serves 36-47,
    # 1 of 12 months within: charged 6,348 / 12 = 529
    s = study(horizon=36, sh={**SELF, "retrain_every_months": 12,
                              "retrain_policy": "scheduled"})
    net, o = months(s, "sh")
    saving = FRONTIER - SELF_RUN
    assert net[0] == pytest.approx(saving - 15_096)
    for t, retrain in ((12, 6348.0), (24, 6348.0), (36, 529.0)):
        assert net[t - 1] == pytest.approx(saving - retrain), t
    assert net[12] == pytest.approx(saving)
    assert o.upfront[0] == 15_096


def test_retrain_runs_and_share_given():
    # 2 runs x $12 + 0.5 x 15,000 = 7,524 (month 12; horizon 24: the month-24 retraining
    # serves 24-35, charged 1/12: 627)
    s = study(sh={**SELF, "retrain_every_months": 12, "retrain_runs": 2,
                  "retrain_engineering_share": 0.5})
    net, _ = months(s, "sh")
    saving = FRONTIER - SELF_RUN
    assert net[11] == pytest.approx(saving - 7524.0)
    assert net[23] == pytest.approx(saving - 627.0)


def test_legacy_fraction_of_the_project_cost():
    # 0.5 x 15,096 = 7,548 in month 12; 7,548 / 12 = 629 in month 24
    s = study(sh={**SELF, "retrain_every_months": 12, "retrain_cost_fraction": 0.5})
    net, _ = months(s, "sh")
    saving = FRONTIER - SELF_RUN
    assert net[11] == pytest.approx(saving - 7548.0)
    assert net[23] == pytest.approx(saving - 629.0)


def test_legacy_and_split_forms_exclude_each_other():
    with pytest.raises(StudyError, match=r"sh\.retrain_cost_fraction: conflicts with "
                       r"strategies\.sh\.retrain_runs"):
        study(sh={**SELF, "retrain_every_months": 12, "retrain_cost_fraction": 0.5,
                  "retrain_runs": 2})


def test_terminal_amortization():
    # every 8 months, build 0, horizon 20: months 8 and 16. Month 16's serves 16-23, of which
    # 16-20 (5) are within: charged 5/8 of 0.5 x 15,096 = 4,717.50; month 8's in full, 7,548
    s = study(horizon=20, sh={**SELF, "retrain_every_months": 8,
                              "retrain_cost_fraction": 0.5})
    net, _ = months(s, "sh")
    saving = FRONTIER - SELF_RUN
    assert net[7] == pytest.approx(saving - 7548.0)
    assert net[15] == pytest.approx(saving - 4717.5)
    assert [t + 1 for t in range(1, 20) if net[t] != pytest.approx(saving)] == [8, 16]


def test_self_hosted_retrains_only_on_schedule():
    with pytest.raises(StudyError, match="'when_it_pays' is not allowed"):
        study(sh={**SELF, "retrain_every_months": 12, "retrain_policy": "when_it_pays"})


# -- a hosted fine-tune's price moves at its retrainings, and only then ----------------------

def test_price_step_at_a_retrain():
    # vendor prices fall 50% a year (smooth): factor 0.5 ** ((t - 1) / 12). The fine-tuned
    # model keeps $600 until its retraining in month 12 moves it onto the new base's price:
    # 600 x 0.5 ** (11 / 12) = 317.8393 from month 12, 600 x 0.5 ** (23 / 12) = 158.9197
    # from month 24. Retraining: 1 run x $8 + 0.42 x 1,500 = 638 (month 12, in full);
    # month 24's serves 24-35, charged 638 / 12 = 53.1667.
    s = study(ft={**HOSTED, "annual_price_drop": 0.5, "retrain_every_months": 12,
                  "retrain_policy": "scheduled"})
    net, _ = months(s, "ft")
    assert net[0] == pytest.approx(FRONTIER - FT - 1508.0)
    assert net[10] == pytest.approx(FRONTIER - FT)  # month 11: no free decline
    assert net[11] == pytest.approx(FRONTIER - 317.8393 - 638.0, abs=1e-3)
    assert net[22] == pytest.approx(FRONTIER - 317.8393, abs=1e-3)
    assert net[23] == pytest.approx(FRONTIER - 158.9197 - 53.1667, abs=1e-3)


def test_no_retraining_keeps_todays_price():
    s = study(ft={**HOSTED, "annual_price_drop": 0.5})
    net, _ = months(s, "ft")
    assert net[1:] == pytest.approx(np.full(23, FRONTIER - FT))


def test_retrain_skipped_when_the_step_does_not_pay():
    # decline 1% a year: the step in month 12 is 600 x (1 - 0.99 ** (11 / 12)) = 5.5037 a
    # month over the 12 months it serves: 66.04 < 638: skipped. Month 24: the price is still
    # today's; step 600 x (1 - 0.99 ** (23 / 12)) = 11.4443 over 1 month within the horizon
    # vs 638 / 12 = 53.17 charged: skipped. The fine-tune pays 600 all along, no retraining.
    s = study(ft={**HOSTED, "annual_price_drop": 0.01, "retrain_every_months": 12})
    net, _ = months(s, "ft")
    assert net[1:] == pytest.approx(np.full(23, FRONTIER - FT))
    # the same retraining scheduled happens, and costs more than it saves
    s = study(ft={**HOSTED, "annual_price_drop": 0.01, "retrain_every_months": 12,
                  "retrain_policy": "scheduled"})
    net, _ = months(s, "ft")
    assert net[11] == pytest.approx(FRONTIER - 600 * 0.99 ** (11 / 12) - 638.0)


def test_retrain_happens_when_the_step_pays():
    # decline 50%: month 12's step saves 600 x (1 - 0.529732) = 282.1607 a month x 12 =
    # 3,385.93 >= 638: it happens. Month 24: 317.8393 - 158.9197 = 158.92 x 1 month >= 53.17:
    # it happens too (the same months as scheduled)
    s = study(ft={**HOSTED, "annual_price_drop": 0.5, "retrain_every_months": 12})
    net, _ = months(s, "ft")
    assert net[11] == pytest.approx(FRONTIER - 317.8393 - 638.0, abs=1e-3)
    assert net[23] == pytest.approx(FRONTIER - 158.9197 - 53.1667, abs=1e-3)


def test_when_it_pays_counts_the_growing_volume():
    # engineering 20 h: retraining 8 + 0.42 x 3,000 = 1,268. Decline 10%: month 12's step is
    # 600 x (1 - 0.9 ** (11 / 12)) = 55.1955 a month at month-1 volume. Without growth, 12
    # months: 662.35 < 1,268: skipped. Volume growth 5% a month: month 12 runs at
    # 1.05 ** 11 = 1.710339 and months 12-23 sum to 1.710339 x (1.05 ** 12 - 1) / 0.05 =
    # 1.710339 x 15.917127 = 27.2236 month-1 volumes: 55.1955 x 27.2236 = 1,502.62 >= 1,268
    ft = {**HOSTED, "engineering_hours": 20, "annual_price_drop": 0.1,
          "retrain_every_months": 12}
    flat = study(ft=ft)
    net, _ = months(flat, "ft")
    assert net[11] == pytest.approx(FRONTIER - FT)
    grows = study(ft=ft, workload={"monthly_growth": 0.05})
    net, _ = months(grows, "ft")
    g = 1.05 ** 11
    assert net[11] == pytest.approx(g * (FRONTIER - 600 * 0.9 ** (11 / 12)) - 1268.0)


# -- price declines: step cuts, a floor, the baseline's migrations ---------------------------

def test_step_cuts_with_a_floor_and_migrations():
    # 3 cuts a year of 40%, floor 30% of today's price: N(t) = floor((t - 1) / 4): cuts in
    # months 5 (0.6), 9 (0.36), 13 (0.216 -> held at 0.3), 17 (no change, no migration).
    # Each cut that lowers the price costs a $100 migration: months 5, 9 and 13.
    s = study(frontier={"price_cuts_per_year": 3, "price_cut_size": 0.4, "price_floor": 0.3,
                        "migration_cost": 100.0},
              cheap={"kind": "api", "input_price": 1.0, "output_price": 0.0})
    net, _ = months(s, "cheap")
    factor = {1: 1.0, 4: 1.0, 5: 0.6, 8: 0.6, 9: 0.36, 12: 0.36, 13: 0.3, 17: 0.3, 24: 0.3}
    migration = {5: 100.0, 9: 100.0, 13: 100.0}
    for t, f in factor.items():
        assert net[t - 1] == pytest.approx(FRONTIER * f + migration.get(t, 0.0) - 300.0), t
    # baseline TCO: 4 x 3,000 + 4 x 1,800 + 4 x 1,080 + 12 x 900 + 3 x 100 = 34,620
    assert baseline_tco(s) == pytest.approx(34_620.0)


def test_a_fractional_rate_of_cuts():
    # 1.5 cuts a year of 20%: N(t) = floor((t - 1) x 1.5 / 12): cuts in months 9 and 17
    s = study(frontier={"price_cuts_per_year": 1.5, "price_cut_size": 0.2},
              cheap={"kind": "api", "input_price": 1.0, "output_price": 0.0})
    net, _ = months(s, "cheap")
    assert net[7] == pytest.approx(FRONTIER - 300.0)
    assert net[8] == pytest.approx(0.8 * FRONTIER - 300.0)
    assert net[15] == pytest.approx(0.8 * FRONTIER - 300.0)
    assert net[16] == pytest.approx(0.64 * FRONTIER - 300.0)


def test_smooth_decline_with_a_floor():
    # 50% a year, floor 0.6: 0.5 ** (9 / 12) = 0.5946 < 0.6 in month 10: held at 0.6 from then
    s = study(frontier={"annual_price_drop": 0.5, "price_floor": 0.6},
              cheap={"kind": "api", "input_price": 1.0, "output_price": 0.0})
    net, _ = months(s, "cheap")
    assert net[8] == pytest.approx(FRONTIER * 0.5 ** (8 / 12) - 300.0)
    assert net[9] == pytest.approx(0.6 * FRONTIER - 300.0)
    assert net[23] == pytest.approx(0.6 * FRONTIER - 300.0)


def test_price_forms_and_migration_rules():
    with pytest.raises(StudyError, match=r"price_cuts_per_year: conflicts with "
                       r"strategies\.frontier\.annual_price_drop"):
        study(frontier={"annual_price_drop": 0.3, "price_cuts_per_year": 2,
                        "price_cut_size": 0.2})
    with pytest.raises(StudyError, match=r"frontier\.migration_cost: needs "
                       r"strategies\.frontier\.price_cuts_per_year"):
        study(frontier={"annual_price_drop": 0.3, "migration_cost": 500.0})
    with pytest.raises(StudyError, match="price_cut_size: missing; required when "
                       "price_cuts_per_year is given"):
        study(frontier={"price_cuts_per_year": 2})


# -- quality: a lift relative to the baseline, never a silent saving -------------------------

FRONTIER_QUALITY = {"review_rate": 0.02, "cost_per_review": 2.0, "error_rate": 0.01,
                    "cost_per_error": 10.0}
# frontier quality: 300,000 x (0.02 x 2 + 0.01 x 10) = 42,000 a month


def test_quality_lift_scales_the_baselines_rates():
    # lift 0.2: 300,000 x (0.016 x 2 + 0.008 x 10) = 33,600: 8,400 a month saved
    s = study(frontier=FRONTIER_QUALITY, ft={**HOSTED, "quality_lift": 0.2})
    net, _ = months(s, "ft")
    assert net[1] == pytest.approx(FRONTIER - FT + 8400.0)
    # lift -0.5 (worse): 1.5 x 42,000 = 63,000: 21,000 a month more
    s = study(frontier=FRONTIER_QUALITY, ft={**HOSTED, "quality_lift": -0.5})
    net, _ = months(s, "ft")
    assert net[1] == pytest.approx(FRONTIER - FT - 21_000.0)


def test_rates_left_out_are_the_baselines_not_zero():
    # no review_rate on the fine-tune: it inherits 2% at $2 and 1% at $10 (before, 0: a
    # silent 42,000 a month "saving")
    s = study(frontier=FRONTIER_QUALITY, ft=HOSTED)
    net, _ = months(s, "ft")
    assert net[1] == pytest.approx(FRONTIER - FT)
    lift = s.input("ft.quality_lift")
    assert lift.is_default and lift.note.startswith("not priced")


def test_own_cost_per_review_with_a_lift_and_the_cap_at_1():
    # lift 0.5 with its own $4 a review: 300,000 x (0.01 x 4 + 0.005 x 10) = 27,000
    s = study(frontier=FRONTIER_QUALITY, ft={**HOSTED, "quality_lift": 0.5,
                                             "cost_per_review": 4.0})
    net, _ = months(s, "ft")
    assert net[1] == pytest.approx(FRONTIER - FT + 42_000.0 - 27_000.0)
    # lift -10: review 0.02 x 11 = 0.22; errors 0.2 x 11 = 2.2, capped at 1:
    # 300,000 x (0.22 x 2 + 1 x 10) = 3,132,000 vs the frontier's 300,000 x (0.04 + 2) =
    # 612,000
    s = study(frontier={**FRONTIER_QUALITY, "error_rate": 0.2},
              ft={**HOSTED, "quality_lift": -10})
    net, _ = months(s, "ft")
    assert net[1] == pytest.approx(FRONTIER - FT + 612_000.0 - 3_132_000.0)


def test_absolute_rates_and_the_lift_exclude_each_other():
    with pytest.raises(StudyError, match=r"ft\.quality_lift: conflicts with "
                       r"strategies\.ft\.review_rate"):
        study(frontier=FRONTIER_QUALITY, ft={**HOSTED, "quality_lift": 0.2,
                                             "review_rate": 0.01})
    with pytest.raises(StudyError, match=r"frontier\.quality_lift: quality_lift is relative "
                       "to the baseline"):
        study(frontier={**FRONTIER_QUALITY, "quality_lift": 0.1})
    # stated rates are absolute: 0.01 x 2 and the frontier's 1% errors at $10: 300,000 x
    # (0.02 + 0.1) = 36,000
    s = study(frontier=FRONTIER_QUALITY, ft={**HOSTED, "review_rate": 0.01})
    net, _ = months(s, "ft")
    assert net[1] == pytest.approx(FRONTIER - FT + 6000.0)
    assert "strategies.ft.quality_lift" not in [i.path for i in s.inputs()]


# -- MLOps on every fine-tuned kind ------------------------------------------------------------

def test_mlops_on_a_hosted_fine_tune():
    # 0.25 FTE at the default 24,000 (lesson: $150/h x 160 h) = 6,000 a month, from production
    # (build month 1: the frontier serves and the project is paid)
    s = study(ft={**HOSTED, "mlops_fte": 0.25, "build_months": 1})
    net, _ = months(s, "ft")
    assert net[0] == pytest.approx(-1508.0)
    assert net[1] == pytest.approx(FRONTIER - FT - 6000.0)
    assert s.input("ft.fte_monthly_cost").dist.mean == 24_000.0


def test_mlops_on_self_hosted_without_stating_the_cost():
    s = study(sh={**SELF, "mlops_fte": 0.5})
    net, _ = months(s, "sh")
    assert net[1] == pytest.approx(FRONTIER - SELF_RUN - 12_000.0)


# -- the VRAM check ----------------------------------------------------------------------------

SELF_A10G = {**{k: v for k, v in SELF.items() if k != "gpu_hourly"}, "gpu": "a10g"}


def test_memory_check_feasible():
    # 7B bf16 (Mistral 7B's KV cache by default, 131,072 bytes a token): weights 7 x 2 = 14 GB;
    # KV 32 x (1,000 + 0) x 131,072 / 1e9 = 4.194304 GB; 18.194 <= 21.6 (1 x 24 GB x 0.9)
    s = study(sh=SELF_A10G)
    fit = check_memory("x", s.strategies["sh"], 1000.0)
    assert fit is not None
    assert (fit.weights_gb, fit.usable_gb) == (14.0, pytest.approx(21.6))
    assert fit.kv_gb == pytest.approx(4.194304)
    # Llama-2 7B's full attention (524,288 bytes) needs 16.777 GB of KV: with int4 weights
    # (3.5 GB) 20.277 fits; on two GPUs (tensor parallel) 43.2 GB are usable
    llama2 = {**SELF_A10G, "kv_bytes_per_token": 524_288}
    s = study(sh={**llama2, "quantization": "int4"})
    fit = check_memory("x", s.strategies["sh"], 1000.0)
    assert (fit.weights_gb, fit.kv_gb) == (3.5, pytest.approx(16.777216))
    s = study(sh={**llama2, "gpus_per_instance": 2})
    assert check_memory("x", s.strategies["sh"], 1000.0).usable_gb == pytest.approx(43.2)


def test_memory_check_infeasible_names_the_keys_and_fixes():
    # Llama-2 7B at bf16: 14 + 16.777 = 30.777 > 21.6
    with pytest.raises(StudyError, match=(
            r"strategies\.sh: does not fit in GPU memory: weights 14\.0 GB \(model_size_b 7 x "
            r"bytes_per_param 2\) \+ KV cache 16\.8 GB \(max_batch 32 x 1,000 tokens .*x "
            r"kv_bytes_per_token 524,288\) = 30\.8 GB > 21\.6 GB usable \(gpus_per_instance 1 "
            r"x 24 GB from gpu = \"a10g\" x 0\.9\); set quantization = \"int8\" or \"int4\", "
            r"raise gpus_per_instance")):
        study(sh={**SELF_A10G, "kv_bytes_per_token": 524_288})
    # int8 is not enough (7 + 16.777 = 23.777), batch 8 is (14 + 4.194 = 18.194)
    with pytest.raises(StudyError, match=r"= 23\.8 GB > 21\.6 GB"):
        study(sh={**SELF_A10G, "kv_bytes_per_token": 524_288, "quantization": "int8"})
    s = study(sh={**SELF_A10G, "kv_bytes_per_token": 524_288, "max_batch": 8})
    assert s.input("sh.bytes_per_param").dist.mean == 2.0
    s = study(sh={**SELF_A10G, "quantization": "int8"})
    assert s.input("sh.bytes_per_param").dist.mean == 1.0


def test_memory_check_needs_a_known_gpu():
    # gpu_hourly alone names no GPU: not checked (the lesson's own configuration)
    s = study(sh=SELF)
    assert check_memory("x", s.strategies["sh"], 1000.0) is None
    # a GPU memory stated outright is checked: 13B needs 26 GB of weights
    with pytest.raises(StudyError, match=r"weights 26\.0 GB"):
        study(sh={**SELF, "model_size_b": 13, "gpu_memory_gb": 24})


@pytest.mark.parametrize(("key", "value", "message"), [
    ("gpu_memory_gb", 1e6, r"gpu_memory_gb: 1e\+06 is outside GB in \(0, 1e5\]"),
    ("kv_bytes_per_token", 0, r"kv_bytes_per_token: 0 is outside bytes in \(0, 1e9\]"),
    ("mlops_fte", -0.1, r"mlops_fte: -0\.1 is outside engineers in \[0, 1e6\]"),
    ("retrain_runs", 1.5, r"retrain_runs: 1\.5 must be a whole number"),
])
def test_the_new_inputs_have_finite_physical_ranges(key, value, message):
    with pytest.raises(StudyError, match=message):
        study(sh={**SELF, key: value})
