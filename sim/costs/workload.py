"""The workload every strategy serves (docs/model.md, "Workload" and "Price declines")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from sim.costs.arena import add, over
from sim.costs.fused import volume_sum_many

Value = float | NDArray[np.float64]

#: Days in a month, as in the lesson's formulas.
DAYS_PER_MONTH = 30.0
HOURS_PER_MONTH = 24.0 * DAYS_PER_MONTH
SECONDS_PER_DAY = 86400.0


def volume_sum(monthly_growth: Value, months: Value) -> Value:
    """Volume of ``months`` consecutive months relative to the first: the geometric sum
    ``1 + (1+g) + ... + (1+g)**(n-1)`` (n when g = 0), vectorized, in closed form
    (:func:`sim.costs.fused.volume_sum`).

    Examples
    --------
    >>> float(volume_sum(0.1, 3)), float(volume_sum(0.0, 3))
    (3.31, 3.0)
    """
    return volume_sum_many(monthly_growth, months)


@dataclass(frozen=True)
class VolumePath:
    """A chunk's volume process (docs/model.md, "Workload"): drift and volatility (floats
    or arrays over the ``m`` samples), the standard-normal shocks of months 2..H as a
    (H - 1, m) array, and the 12 seasonal multipliers of months 1..12."""

    drift: Value
    volatility: Value
    shocks: NDArray[np.float64]
    season: NDArray[np.float64]


@dataclass(frozen=True)
class Workload:
    """Request volume and size, each a float or an array over samples.

    Volume in month t is ``requests_per_day * (1 + monthly_growth) ** (t - 1)``, or with a
    volume ``process`` its path (:func:`sim.costs.fused.volume_month`); ``monthly_growth``
    is then the expected growth ``exp(drift) - 1``, which a retraining's "when it pays"
    test projects the volume with.

    Examples
    --------
    >>> w = Workload(50_000.0, 500.0, 200.0)
    >>> w.tokens_per_day
    35000000.0
    """

    requests_per_day: Value
    input_tokens: Value
    output_tokens: Value
    monthly_growth: Value = 0.0
    cache_share: Value = 0.0
    peak_to_average: Value = 1.0
    process: VolumePath | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Value]) -> Workload:
        """Build from the ``workload.*`` inputs of a chunk (keys without the prefix; no
        process)."""
        return cls(**{k: values[k] for k in cls.__dataclass_fields__  # type: ignore[arg-type]
                      if k != "process"})

    @property
    def tokens_per_day(self) -> Value:
        """Input plus output tokens per day in month 1."""
        size = self.input_tokens + self.output_tokens
        return over(np.multiply, self.requests_per_day, size, size)

    @cached_property
    def requests_per_month(self) -> Value:
        """Requests in month 1 (30 days; computed once)."""
        return self.requests_per_day * DAYS_PER_MONTH

    @property
    def growth_factor(self) -> Value:
        """Month-over-month volume multiplier ``1 + g``."""
        return add(1.0, self.monthly_growth)
