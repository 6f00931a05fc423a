"""Hand-built studies whose decision figures are known in closed form."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim import study_from_dict

from helpers import LESSON

#: NPV of "cheap" vs "frontier" is exactly 360 (10 - p) with p its input price:
#: 1,000 requests/day x 1,000 input tokens x 30 days / 1e6 = 30 M tokens a month, 12 months,
#: no discounting, no price decline, no project. With p ~ U(5, 13) the NPV is U(-1080, 1800).
#: "self_hosted" costs at least 720 x $50 a month more than the frontier: never the best.
#: "cheap.cost_per_review" is uncertain but review_rate is 0: it influences nothing.
HAND: dict[str, Any] = {
    "study": {"name": "hand", "baseline": "frontier", "samples": 40_000, "seed": 5,
              "horizon_months": 12, "payback_within": [6, 12], "discount_rate": 0.0},
    "workload": {"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 0},
    "strategies": {
        "frontier": {"kind": "api", "input_price": 10.0, "output_price": 0.0},
        "cheap": {"kind": "api", "input_price": {"uniform": [5.0, 13.0]}, "output_price": 0.0,
                  "cost_per_review": {"uniform": [1.0, 9.0]}},
        "self_hosted": {"kind": "self_hosted", "model_size_b": 7,
                        "gpu_hourly": {"uniform": [50.0, 100.0]}, "instances": 1,
                        "engineering_hours": 10, "training_runs": 1, "compute_per_run": 10},
    },
}
SLOPE = 360.0  # NPV of cheap per $ of price difference


def hand_doc() -> dict[str, Any]:
    """A fresh copy of :data:`HAND`."""
    return copy.deepcopy(HAND)


@pytest.fixture
def hand_document() -> dict[str, Any]:
    """A fresh copy of :data:`HAND` (to change before loading)."""
    return hand_doc()


@pytest.fixture
def hand():
    """The hand-built three-strategy study."""
    return study_from_dict(hand_doc())


@pytest.fixture
def twins():
    """Two identical strategies that always beat the baseline.

    Their own inputs are fixed (an uncertain input of each would be drawn independently:
    two inputs, two streams); what is uncertain is shared, so their NPVs are equal sample by
    sample.
    """
    doc = hand_doc()
    frontier = doc["strategies"]["frontier"]
    frontier["input_price"] = {"uniform": [8.0, 12.0]}  # shared: the twins' NPVs move together
    cheap = {"kind": "api", "input_price": 3.0, "output_price": 0.0}
    doc["strategies"] = {"frontier": frontier, "cheap": cheap, "cheap_twin": dict(cheap)}
    doc["workload"]["requests_per_day"] = "500 to 2000"
    doc["study"]["samples"] = 8192
    return study_from_dict(doc)


@pytest.fixture
def lesson_gpu():
    """The lesson's configuration with the GPU price U(1.5, 2.5) and no reviews.

    Monthly saving at V requests/day: 0.165 V - 1440 g - 0.322 (storage); project $15,096
    paid in month 1; so payback <= N iff g <= (0.165 V - 0.322 - 15096 / N) / 1440 and
    P(payback <= N) = clip(g* - 1.5, 0, 1): it crosses 50% where g* = 2.0 and 90% where
    g* = 2.4.
    """
    doc = copy.deepcopy(LESSON)
    doc["study"].update(samples=20_000, seed=9, payback_within=[12])
    for s in doc["strategies"].values():
        s["review_rate"] = 0.0
    doc["strategies"]["self_hosted_7b"]["gpu_hourly"] = {"uniform": [1.5, 2.5]}
    return study_from_dict(doc)
