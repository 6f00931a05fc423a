"""The workload every strategy serves (docs/model.md, "Workload" and "Price declines")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Value = float | NDArray[np.float64]

#: Days in a month, as in the lesson's formulas.
DAYS_PER_MONTH = 30.0
HOURS_PER_MONTH = 24.0 * DAYS_PER_MONTH
SECONDS_PER_DAY = 86400.0


class PriceClock:
    """A price factor ``(1 - d) ** ((t - 1) / 12)`` stepped month by month, in order.

    Examples
    --------
    >>> c = PriceClock(0.5)
    >>> [round(float(c.step(t)), 4) for t in (1, 2, 13)]
    Traceback (most recent call last):
    ...
    ValueError: months must be stepped in order: got 13 after 2
    >>> c = PriceClock(0.5)
    >>> [round(float(c.step(t)), 4) for t in range(1, 14)][-1]
    0.5
    """

    def __init__(self, annual_decline: Value) -> None:
        self.monthly_factor = (1.0 - annual_decline) ** (1.0 / 12.0)
        self.factor: Value = 1.0
        self._t = 0

    def step(self, t: int) -> Value:
        """The factor for month t (call for t = 1, 2, ... in order)."""
        if t != self._t + 1:
            raise ValueError(f"months must be stepped in order: got {t} after {self._t}")
        if t > 1:
            self.factor = self.factor * self.monthly_factor
        self._t = t
        return self.factor


def volume_sum(monthly_growth: Value, months: Value) -> Value:
    """Volume of ``months`` consecutive months relative to the first: the geometric sum
    ``1 + (1+g) + ... + (1+g)**(n-1)`` (n when g = 0), vectorized, in closed form.

    Examples
    --------
    >>> float(volume_sum(0.1, 3)), float(volume_sum(0.0, 3))
    (3.31, 3.0)
    """
    g = np.asarray(monthly_growth, dtype=np.float64)
    n = np.asarray(months, dtype=np.float64)
    safe = np.where(g == 0.0, 1.0, g)
    return np.where(g == 0.0, n, np.expm1(n * np.log1p(g)) / safe)


@dataclass(frozen=True)
class Workload:
    """Request volume and size, each a float or an array over samples.

    Volume in month t is ``requests_per_day * (1 + monthly_growth) ** (t - 1)``.

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

    @classmethod
    def from_values(cls, values: Mapping[str, Value]) -> Workload:
        """Build from the ``workload.*`` inputs of a chunk (keys without the prefix)."""
        return cls(**{k: values[k] for k in cls.__dataclass_fields__})

    @property
    def tokens_per_day(self) -> Value:
        """Input plus output tokens per day in month 1."""
        return self.requests_per_day * (self.input_tokens + self.output_tokens)

    @property
    def requests_per_month(self) -> Value:
        """Requests in month 1 (30 days)."""
        return self.requests_per_day * DAYS_PER_MONTH

    @property
    def growth_factor(self) -> Value:
        """Month-over-month volume multiplier ``1 + g``."""
        return 1.0 + self.monthly_growth
