"""``ftrisk cost``: the calculator page's full calculator for one API model."""

from __future__ import annotations

import argparse

from sim.commands import EXIT_OK, error

NAME = "cost"
ORDER = 70
HELP = "cost of a workload on one API model: per call, day, month, year"
DESCRIPTION = ("Per-call, daily, monthly (30 days) and annual (12 months) cost of a workload "
               "on one API model, at standard prices, with a prompt cache and through the "
               "batch API. Prices from the catalog (ftrisk prices).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk cost``."""
    p.add_argument("--model", required=True, help="model name, e.g. gpt-4o or gpt-4o@2024")
    p.add_argument("--requests-per-day", type=float, required=True)
    p.add_argument("--input-tokens", type=float, required=True, help="per request")
    p.add_argument("--output-tokens", type=float, required=True, help="per request")
    p.add_argument("--cache-share", type=float, default=0.5,
                   help="share of input tokens cached, for the cache variant (default 0.5)")


def run(args: argparse.Namespace) -> int:
    """Print the cost table."""
    from sim.costs.calculator import api_costs
    from sim.display import text_table
    from sim.study.catalog import api_price, describe_source

    try:
        price = api_price(args.model)
    except KeyError as err:
        return error(f"--model: {err.args[0]}")
    for flag, v in (("--requests-per-day", args.requests_per_day),
                    ("--input-tokens", args.input_tokens), ("--output-tokens", args.output_tokens)):
        if not v >= 0:
            return error(f"{flag}: {v:g} must be >= 0")
    if not 0 <= args.cache_share <= 1:
        return error(f"--cache-share: {args.cache_share:g} must be a fraction in [0, 1]")
    rows = api_costs(price, args.requests_per_day, args.input_tokens, args.output_tokens,
                     cache_share=args.cache_share)
    print(f"{price.model} ({price.provider}): ${price.input:g} in / ${price.output:g} out per "
          f"1M tokens; {describe_source(price)}")
    print(f"{args.requests_per_day:,.0f} requests/day x ({args.input_tokens:,.0f} in + "
          f"{args.output_tokens:,.0f} out) tokens\n")
    print(text_table(["variant", "per call", "per day", "per month", "per year"], [
        [r.variant, f"${r.per_call:.5f}", f"${r.per_day:,.2f}", f"${r.per_month:,.2f}",
         f"${r.per_year:,.0f}"] for r in rows]))
    return EXIT_OK
