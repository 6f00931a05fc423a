"""The calculator page's "full calculator": a workload's cost per call, day, month and year on
one or several API models side by side, with a prompt cache and through the batch API, and
self-hosting's cost per 1M tokens at full and at a stated utilization (the lesson's serving
figures).

Months are 30 days and years 12 months, as in the rest of ftrisk; a GPU bills 720 hours a
month, 24/7.

Examples
--------
The lesson (seed 001): a 7B model on an A10G at $1.03 an hour ($742 a month) serving about
5,000 tokens a second costs $0.057 per 1M tokens at full utilization and $0.286 at 20%
(the lesson prints $0.28):

>>> s = self_hosted_cost(1.03, 5000.0, utilization=0.2)
>>> round(s.monthly_per_instance, 2), round(s.per_million_full, 4), round(s.per_million, 4)
(741.6, 0.0572, 0.2861)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.study.catalog import ApiPrice

__all__ = ["DAYS_PER_MONTH", "HOURS_PER_MONTH", "MONTHS_PER_YEAR", "CostRow", "ModelCosts",
           "SelfHostedCost", "api_costs", "compare_api_costs", "self_hosted_cost"]

DAYS_PER_MONTH = 30
MONTHS_PER_YEAR = 12
HOURS_PER_MONTH = 24 * DAYS_PER_MONTH
#: Shrinks the instance ratio before rounding up, so that a load of exactly 2 gives 2
#: (the same rule as ``instances = "auto"``, docs/model.md).
_SHRINK = 1e-9


@dataclass(frozen=True)
class CostRow:
    """Cost of one pricing variant."""

    variant: str
    per_call: float
    per_day: float
    per_month: float
    per_year: float
    #: the variant's price uses a field inferred from a vendor convention
    inferred: bool = False


def _row(variant: str, per_call: float, requests_per_day: float, *,
         inferred: bool = False) -> CostRow:
    day = per_call * requests_per_day
    month = day * DAYS_PER_MONTH
    return CostRow(variant, per_call, day, month, month * MONTHS_PER_YEAR, inferred)


def _check_workload(requests_per_day: float, input_tokens: float, output_tokens: float,
                    cache_share: float) -> None:
    if not 0 <= cache_share <= 1:
        raise ValueError(f"cache_share={cache_share} must be in [0, 1]")
    values = (requests_per_day, input_tokens, output_tokens)
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise ValueError("requests per day and token counts must be finite and >= 0")


def api_costs(price: ApiPrice, requests_per_day: float, input_tokens: float,
              output_tokens: float, *, cache_share: float = 0.5) -> list[CostRow]:
    """Standard, prompt-cached and batch costs of a workload on one API model.

    Examples
    --------
    >>> from sim.study.catalog import api_price
    >>> rows = api_costs(api_price("gpt-4o@2024"), 50_000, 500, 200)
    >>> rows[0].per_month, rows[2].per_month, rows[2].inferred
    (8250.0, 4125.0, True)
    """
    _check_workload(requests_per_day, input_tokens, output_tokens, cache_share)
    inferred = set(price.inferred)
    standard = input_tokens * price.input + output_tokens * price.output
    cached = (input_tokens * ((1 - cache_share) * price.input
                              + cache_share * price.cached_input)
              + output_tokens * price.output)
    batch = input_tokens * price.batch_input + output_tokens * price.batch_output
    return [
        _row("standard", standard / 1e6, requests_per_day),
        _row(f"prompt cache ({cache_share:.0%} of input cached)", cached / 1e6,
             requests_per_day, inferred=cache_share > 0 and "cached_input" in inferred),
        _row("batch API", batch / 1e6, requests_per_day,
             inferred=bool(inferred & {"batch_input", "batch_output"})),
    ]


@dataclass(frozen=True)
class ModelCosts:
    """One model's variants (standard, prompt cache, batch API) for a workload."""

    price: ApiPrice
    rows: tuple[CostRow, ...]

    @property
    def standard(self) -> CostRow:
        """The standard variant (every token at the list price)."""
        return self.rows[0]


def compare_api_costs(prices: Sequence[ApiPrice], requests_per_day: float,
                      input_tokens: float, output_tokens: float, *,
                      cache_share: float = 0.5) -> list[ModelCosts]:
    """Several models' costs for one workload, cheapest standard monthly cost first.

    Examples
    --------
    >>> from sim.study.catalog import api_price
    >>> rows = compare_api_costs([api_price("gpt-4o@2024"), api_price("gpt-3.5-turbo@2024")],
    ...                          50_000, 500, 200)
    >>> [(m.price.model, m.standard.per_month) for m in rows]
    [('gpt-3.5-turbo@2024', 825.0), ('gpt-4o@2024', 8250.0)]
    """
    out = [ModelCosts(p, tuple(api_costs(p, requests_per_day, input_tokens, output_tokens,
                                         cache_share=cache_share))) for p in prices]
    return sorted(out, key=lambda m: (m.standard.per_month, m.price.model))


@dataclass(frozen=True)
class SelfHostedCost:
    """Self-hosting's cost: a GPU instance billed 24/7 serving ``throughput`` tokens a second.

    Attributes
    ----------
    hourly : float
        $ per GPU-hour.
    throughput : float
        Tokens a second one instance serves at full utilization (input + output).
    utilization : float
        The share of that throughput the instance is planned to use (0 < u <= 1).
    gpus : int
        GPUs per instance.
    """

    hourly: float
    throughput: float
    utilization: float
    gpus: int = 1

    @property
    def monthly_per_instance(self) -> float:
        """$ a month for one instance, 24/7: ``hourly * gpus * 720``."""
        return self.hourly * self.gpus * HOURS_PER_MONTH

    @property
    def tokens_per_month_full(self) -> float:
        """Tokens one instance serves in a month at full utilization."""
        return self.throughput * 3600 * HOURS_PER_MONTH

    @property
    def per_million_full(self) -> float:
        """$ per 1M tokens at full utilization."""
        return self.monthly_per_instance / self.tokens_per_month_full * 1e6

    @property
    def per_million(self) -> float:
        """$ per 1M tokens at the stated utilization: the full-utilization cost / u."""
        return self.per_million_full / self.utilization

    def instances(self, tokens_per_day: float) -> int:
        """Instances a workload needs, each planned at the stated utilization (at least 1)."""
        load = tokens_per_day / 86_400 / (self.throughput * self.utilization)
        return max(1, math.ceil(load * (1 - _SHRINK)))

    def used(self, tokens_per_day: float) -> float:
        """The share of the instances' throughput the workload actually uses."""
        return tokens_per_day / 86_400 / (self.throughput * self.instances(tokens_per_day))

    def costs(self, requests_per_day: float, tokens_per_request: float) -> CostRow:
        """The workload's cost on as many instances as it needs, per call, day, month, year."""
        tokens = requests_per_day * tokens_per_request
        month = self.instances(tokens) * self.monthly_per_instance
        per_call = month / DAYS_PER_MONTH / requests_per_day if requests_per_day else 0.0
        return CostRow(f"{self.instances(tokens)} instance(s) at {self.utilization:.0%} target",
                       per_call, month / DAYS_PER_MONTH, month, month * MONTHS_PER_YEAR)


def self_hosted_cost(hourly: float, throughput: float, *, utilization: float = 1.0,
                     gpus: int = 1) -> SelfHostedCost:
    """Self-hosting's cost per 1M tokens at full and at a stated utilization.

    Parameters
    ----------
    hourly : float
        $ per GPU-hour (``ftrisk prices --kind gpu``).
    throughput : float
        Tokens a second one instance serves at full utilization.
    utilization : float
        Planned utilization, in (0, 1].
    gpus : int
        GPUs per instance.

    Raises
    ------
    ValueError
        For a price < 0, a throughput <= 0, a utilization outside (0, 1] or gpus < 1.

    Examples
    --------
    The lesson's 70B on two A100 80GB ($3,600 a month) at 800 tokens/s: $1.74 per 1M at
    full utilization, $8.68 at 20%:

    >>> s = self_hosted_cost(3600 / 720 / 2, 800.0, utilization=0.2, gpus=2)
    >>> round(s.per_million_full, 2), round(s.per_million, 2)
    (1.74, 8.68)
    """
    if not (math.isfinite(hourly) and hourly >= 0):
        raise ValueError(f"hourly={hourly} must be a price >= 0")
    if not (math.isfinite(throughput) and throughput > 0):
        raise ValueError(f"throughput={throughput} must be tokens a second > 0")
    if not 0 < utilization <= 1:
        raise ValueError(f"utilization={utilization} must be in (0, 1], e.g. 0.2 for 20%")
    if gpus < 1:
        raise ValueError(f"gpus={gpus} must be >= 1")
    return SelfHostedCost(hourly, throughput, utilization, gpus)
