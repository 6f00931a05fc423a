"""A retraining "when it pays" is weighed only when the price has stepped since the last
one: with no step its saving is 0 whatever the volume, and the compiled model does not
compute the volume factor then (sim.costs.fused.hosted_month). Worked by hand as in
tests/test_fidelity.py: 300M input tokens a month, frontier $3,000, fine-tune $600 a month.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import evaluate, median_values, study_from_dict

DOC = {
    "study": {"baseline": "frontier", "horizon_months": 36, "payback_within": [12]},
    "workload": {"requests_per_day": 10_000, "input_tokens": 1000, "output_tokens": 0},
    "strategies": {
        "frontier": {"kind": "api", "input_price": 10.0, "output_price": 0.0},
        # one $8 run + 10 h x $150 = 1,508 up front; a retraining 8 + 0.42 x 1,500 = 638
        "ft": {"kind": "hosted_ft", "input_price": 2.0, "output_price": 0.0,
               "training_tokens": 1e6, "training_price_per_1m": 8.0,
               "engineering_hours": 10, "retrain_every_months": 12},
    },
}


def net_months(growth: float, ft: dict) -> np.ndarray:
    doc = {**DOC, "workload": {**DOC["workload"], "monthly_growth": growth},
           "strategies": {**DOC["strategies"], "ft": {**DOC["strategies"]["ft"], **ft}}}
    s = study_from_dict(doc)
    o = evaluate(s, median_values(s), 1, keep=1)["ft"]
    return np.diff(o.months[:, 0], prepend=0.0)


@pytest.mark.parametrize("growth", [0.0, 0.05, 0.5])
def test_no_price_step_no_retraining(growth):
    # no cut and no decline: months 12, 24 and 36 are due, none pays, none is charged
    net = net_months(growth, {"price_cuts_per_year": 0.0, "price_cut_size": 0.3})
    v = (1.0 + growth) ** np.arange(36)
    np.testing.assert_allclose(net, v * (3000.0 - 600.0) - np.r_[1508.0, np.zeros(35)],
                               rtol=1e-12)


def test_a_step_since_the_last_retraining_is_weighed():
    # a 30% cut a year: N(t) = floor((t - 1) / 12): the vendor's price is 0.7 from month 13
    # and 0.49 from month 25; the fine-tune pays the vendor's price of its last retraining.
    # Month 12: no step yet (1.0 = 1.0): skipped. Month 24: 600 x 0.3 = 180 a month x 12
    # months = 2,160 >= 638: it happens (0.7 from then). Month 36 (1 month of its period
    # left, charged 638 / 12 = 53.17): 600 x (0.7 - 0.49) x 1 = 126 >= 53.17: it happens.
    net = net_months(0.0, {"price_cuts_per_year": 1.0, "price_cut_size": 0.3})
    assert net[11] == pytest.approx(3000.0 - 600.0)
    assert net[23] == pytest.approx(3000.0 - 600.0 * 0.7 - 638.0)
    assert net[35] == pytest.approx(3000.0 - 600.0 * 0.49 - 638.0 / 12.0)


def test_a_growing_volume_every_six_months():
    # 2 cuts a year of 30%: N(t) = floor((t - 1) / 6), the vendor's factor 0.7 ** N(t);
    # volume 1.05 ** (t - 1). Month 6: no step yet, skipped. Months 12, 18, 24 and 30 take
    # the step since the last one over a whole period of 6 months, volume sum (1.05 ** 6 -
    # 1) / 0.05 = 6.8019 from the month's volume: e.g. month 12, 600 x 0.3 x 1.05 ** 11 x
    # 6.8019 = 2,094 >= 638; month 30, 600 x (0.343 - 0.2401) x 1.05 ** 29 x 6.8019 = 1,727.
    # Month 36 serves 1 month (charged 638 / 6 = 106.33): 600 x (0.2401 - 0.16807) x 1.05 **
    # 35 = 238.4 >= 106.33. So every one from month 12 on happens.
    net = net_months(0.05, {"price_cuts_per_year": 2.0, "price_cut_size": 0.3,
                            "retrain_every_months": 6})
    price, expected = 1.0, []
    for t in range(1, 37):
        charge = 0.0
        if t >= 12 and t % 6 == 0:
            price = 0.7 ** ((t - 1) // 6)
            charge = 638.0 if t < 36 else 638.0 / 6.0
        expected.append(1.05 ** (t - 1) * (3000.0 - 600.0 * price) - charge)
    expected[0] -= 1508.0
    np.testing.assert_allclose(net, expected, rtol=1e-9)
