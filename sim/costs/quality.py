"""Quality as a first-class input: review and error costs relative to the baseline
(docs/model.md, "Quality").

A non-baseline strategy that does not state its own ``review_rate`` / ``error_rate`` takes
the baseline's, scaled by ``1 - quality_lift`` (0.2: 20% fewer reviews and errors; -0.5:
50% more), capped at 1; ``cost_per_review`` and ``cost_per_error`` default to the
baseline's. A strategy that states its rates uses them as they are (the loader refuses a
lift beside them). So a strategy never gets a silent review saving: leaving the rates out
means "as good as the baseline", not "no reviews".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.costs.arena import over
from sim.costs.workload import Value

#: The rates a lift scales and the costs taken as they are.
RATES = ("review_rate", "error_rate")
COSTS = ("cost_per_review", "cost_per_error")


def with_quality(p: Mapping[str, Value], baseline: Mapping[str, Value]) -> dict[str, Value]:
    """``p`` with the review and error inputs it leaves out taken from the baseline's.

    Examples
    --------
    >>> q = with_quality({"quality_lift": 0.2}, {"review_rate": 0.02, "cost_per_review": 2.0,
    ...                                           "error_rate": 0.0, "cost_per_error": 0.0})
    >>> round(float(q["review_rate"]), 6), q["cost_per_review"]
    (0.016, 2.0)
    """
    lift = p.get("quality_lift", 0.0)
    out = dict(p)
    keep: Value | None = None  # 1 - lift, computed once for both rates
    for key in RATES:
        if key not in out:
            keep = 1.0 - lift if keep is None else keep
            t = baseline.get(key, 0.0) * keep
            out[key] = over(np.minimum, 1.0, t, t)
    for key in COSTS:
        if key not in out:
            out[key] = baseline.get(key, 0.0)
    return out


def quality_cost_per_request(p: Mapping[str, Value]) -> Value:
    """Expected human-review and downstream-error cost of one request."""
    review = p["review_rate"] * p["cost_per_review"]
    error = p["error_rate"] * p["cost_per_error"]
    return over(np.add, review, error, review if isinstance(review, np.ndarray) else error)
