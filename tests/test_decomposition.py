"""The spreadsheet figure explained: the sheet payback, then each effect added in turn, on
the lesson's configuration where every row can be worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import study_from_dict
from sim.runner import EFFECTS, explain, run

# lesson (seed 001): API $8,250, serving 2 x $2.06 x 720 = $2,966.40, storage 7 x 2 x 0.023
# = $0.322 a month; project 100 h x $150 + 8 x $12 = $15,096
SAVING = 8250.0 - 2966.4 - 0.322
PROJECT = 15096.0
DISC = 1.10 ** (-np.arange(1, 37) / 12.0)  # end-of-month discount factors at 10%/year


def test_lesson_every_row_is_the_spreadsheet(lesson_doc):
    d = explain(study_from_dict(lesson_doc))
    rows = d.of("self_hosted_7b")
    assert [r.label for r in rows][:2] == ["sheet (the lesson's formula)",
                                           "monthly model, none of the effects"]
    assert [r.effect for r in rows[2:]] == [e.name for e in EFFECTS]
    # the sheet: 15,096 / 5,283.278 = 2.857 months; the monthly model with the project paid
    # in month 1 interpolates to the same figure
    for r in rows:
        assert r.payback_months == pytest.approx(PROJECT / SAVING, rel=1e-12)
        assert r.payback_month == 3
    npv = SAVING * DISC.sum() - PROJECT * DISC[0]
    assert rows[0].npv is None
    assert all(r.npv == pytest.approx(npv, rel=1e-12) for r in rows[1:])
    assert all(r.npv_change == pytest.approx(0.0, abs=1e-6) for r in rows[2:])
    assert d.reason("self_hosted_7b") == ""
    assert d.table().height == len(EFFECTS) + 2


def test_build_months_and_mlops_rows(lesson_doc):
    s = lesson_doc["strategies"]["self_hosted_7b"]
    s.update(build_months=2, mlops_fte=0.05, fte_monthly_cost=20_000.0)  # $1,000 a month
    d = explain(study_from_dict(lesson_doc))
    rows = {r.label: r for r in d.of("self_hosted_7b")}
    base = rows["monthly model, none of the effects"]
    built = rows["+ build months"]
    # base: project in month 1, saving from month 1 (no MLOps yet)
    assert base.npv == pytest.approx(SAVING * DISC.sum() - PROJECT * DISC[0])
    # build months: the baseline serves months 1-2, the project is paid 7,548 a month;
    # cumulative -15,096 after month 2, -4,529.44 after month 4, +753.83 after month 5
    assert built.npv == pytest.approx(-PROJECT / 2 * DISC[:2].sum() + SAVING * DISC[2:].sum())
    assert built.payback_month == 5
    assert built.payback_months == pytest.approx(4 + 4529.444 / SAVING, rel=1e-6)
    assert built.npv_change == pytest.approx(built.npv - base.npv)
    mlops = rows["+ MLOps"]
    # $1,000 a month from month 3 (in production): months 3..36 discounted
    assert mlops.npv_change == pytest.approx(-1000.0 * DISC[2:].sum())
    # cumulative -15,096 + k x 4,283.278 after month 2 + k: ahead in month 6 (k = 4)
    assert mlops.payback_month == 6
    assert mlops.payback_months == pytest.approx(5 + (PROJECT - 3 * (SAVING - 1000.0))
                                                 / (SAVING - 1000.0), rel=1e-9)
    assert d.reason("self_hosted_7b") == "MLOps and the build months"
    assert [r.effect for r in d.costliest("self_hosted_7b", 1)] == ["MLOps"]


def test_sheet_never_and_no_payback_rows(lesson_doc):
    lesson_doc["strategies"]["self_hosted_7b"]["instances"] = 6  # 6 x 2.06 x 720 = 8,899.20
    rows = explain(study_from_dict(lesson_doc)).of("self_hosted_7b")
    assert rows[0].payback_months is None and rows[0].payback_month is None
    assert all(r.payback_month is None and r.payback_months is None for r in rows[1:])
    assert rows[-1].npv == pytest.approx((8250 - 8899.2 - 0.322) * DISC.sum()
                                         - PROJECT * DISC[0])


def test_summary_json_carries_the_decomposition(lesson_doc):
    lesson_doc["strategies"]["self_hosted_7b"]["build_months"] = 2
    result = run(study_from_dict(lesson_doc).replace(samples=8))
    block = result.summary.to_json()["decomposition"]["self_hosted_7b"]
    assert block["reason"] == "the build months"
    assert [s["step"] for s in block["steps"]] == list(range(len(EFFECTS) + 2))
    assert block["steps"][0]["payback_months"] == pytest.approx(PROJECT / SAVING)
    assert math.isclose(block["steps"][-1]["npv"],
                        -PROJECT / 2 * DISC[:2].sum() + SAVING * DISC[2:].sum())
