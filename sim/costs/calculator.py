"""The calculator page's "full calculator": one model's cost per call, day, month and year.

Months are 30 days and years 12 months, as in the rest of ftrisk. Variants: every input
token at the standard price, a share of input tokens served from the prompt cache, and the
batch API.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.study.catalog import ApiPrice


@dataclass(frozen=True)
class CostRow:
    """Cost of one pricing variant."""

    variant: str
    per_call: float
    per_day: float
    per_month: float
    per_year: float


def api_costs(price: ApiPrice, requests_per_day: float, input_tokens: float,
              output_tokens: float, *, cache_share: float = 0.5) -> list[CostRow]:
    """Standard, prompt-cached and batch costs of a workload on one API model.

    Examples
    --------
    >>> from sim.study.catalog import api_price
    >>> rows = api_costs(api_price("gpt-4o@2024"), 50_000, 500, 200)
    >>> rows[0].per_month
    8250.0
    """
    if not 0 <= cache_share <= 1:
        raise ValueError(f"cache_share={cache_share} must be in [0, 1]")
    if min(requests_per_day, input_tokens, output_tokens) < 0:
        raise ValueError("requests per day and token counts must be >= 0")
    variants = {
        "standard": input_tokens * price.input + output_tokens * price.output,
        f"prompt cache ({cache_share:.0%} of input cached)": input_tokens * (
            (1 - cache_share) * price.input + cache_share * price.cached_input)
        + output_tokens * price.output,
        "batch API": input_tokens * price.batch_input + output_tokens * price.batch_output,
    }
    rows = []
    for name, per_million_calls in variants.items():
        call = per_million_calls / 1e6
        day = call * requests_per_day
        rows.append(CostRow(name, call, day, day * 30, day * 360))
    return rows
