"""The text of ``ftrisk cost``: models side by side, their variants, self-hosting."""

from __future__ import annotations

import argparse
import math
from typing import Any


def _money(x: float, digits: int = 2) -> str:
    return f"${x:,.{digits}f}"


def _call(x: float) -> str:
    """A per-call cost with enough digits to be read (calls cost fractions of a cent); "-"
    when there is no finite figure (a month of GPUs spread over a vanishing number of
    calls, e.g. --requests-per-day=1e-320)."""
    if not math.isfinite(x):
        return "-"
    return f"${x:.5f}" if x < 1 else f"${x:,.2f}"


def _models_table(args: argparse.Namespace, prices: list[Any], hosting: Any) -> list[str]:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.costs.calculator import compare_api_costs
    from sim.display import text_table

    rows: list[tuple[float, list[list[str]]]] = []
    for m in compare_api_costs(prices, args.requests_per_day, args.input_tokens,
                               args.output_tokens, cache_share=args.cache_share):
        p = m.price
        block = []
        for i, r in enumerate(m.rows):
            head = [p.model, p.provider, f"{p.input:g} / {p.output:g}"] if i == 0 else \
                ["", "", ""]
            block.append([*head, r.variant + ("*" if r.inferred else ""), _call(r.per_call),
                          _money(r.per_day), _money(r.per_month), _money(r.per_year, 0)])
        rows.append((m.standard.per_month, block))
    if hosting is not None:
        tokens = args.input_tokens + args.output_tokens
        r = hosting.costs(args.requests_per_day, tokens)
        name = f"self-hosted {args.gpu or 'GPU'}" + (f" x{hosting.gpus}" if hosting.gpus > 1
                                                     else "")
        rows.append((r.per_month, [[name, "(your GPUs)",
                                    f"{hosting.per_million:.3g} at {hosting.utilization:.0%}",
                                    r.variant, _call(r.per_call), _money(r.per_day),
                                    _money(r.per_month), _money(r.per_year, 0)]]))
    rows.sort(key=lambda x: x[0])
    table = [line for _, block in rows for line in block]
    return [text_table(["model", "provider", "$/1M in / out", "variant", "per call",
                        "per day", "per month", "per year"], table, left=(0, 1, 3))]


def _hosting_lines(args: argparse.Namespace, hosting: Any) -> list[str]:
    gpu = args.gpu or "a GPU"
    lines = [f"Self-hosting on {gpu} at ${hosting.hourly:g} per GPU-hour"
             + (f" x {hosting.gpus} GPUs" if hosting.gpus > 1 else "")
             + f", {hosting.throughput:,.0f} tokens/s per instance:",
             f"  {_money(hosting.monthly_per_instance)} a month 24/7 ({720} h); "
             f"{hosting.tokens_per_month_full / 1e9:,.2f}B tokens a month at full utilization",
             f"  cost per 1M tokens: ${hosting.per_million_full:.3f} at full utilization, "
             f"${hosting.per_million:.3f} at {hosting.utilization:.0%}"]
    if args.requests_per_day is not None and args.input_tokens is not None \
            and args.output_tokens is not None:
        tokens = args.requests_per_day * (args.input_tokens + args.output_tokens)
        n = hosting.instances(tokens)
        lines.append(f"  this workload: {tokens / 1e6:,.3g}M tokens/day = "
                     f"{tokens / 86_400:,.0f} tokens/s on average: {n} instance(s) planned at "
                     f"{hosting.utilization:.0%}, {hosting.used(tokens):.1%} of their "
                     "throughput used")
    return lines


def cost_text(args: argparse.Namespace, prices: list[Any], hosting: Any) -> str:
    """Everything ``ftrisk cost`` prints."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.study.catalog import describe_source

    out: list[str] = []
    if prices:
        out.append(f"{args.requests_per_day:,.0f} requests/day x ({args.input_tokens:,.0f} in "
                   f"+ {args.output_tokens:,.0f} out) tokens; months of 30 days, years of 12 "
                   "months")
        if args.compare:
            out.append(f"--compare {args.compare}: each major vendor's latest {args.compare} "
                       "model in ftrisk's price history")
        out += ["", *_models_table(args, prices, hosting)]
        notes = ["sorted by the standard monthly cost"]
        if any(f.inferred for p in prices for f in p.fields):
            notes.append("* a variant priced with a field inferred from the vendor's "
                         "convention (ftrisk prices --filter MODEL --inferred says why)")
        out += ["  (" + "; ".join(notes) + ")", "", "Prices:"]
        out += [f"  {p.model}: {describe_source(p)}" for p in prices]
    if hosting is not None:
        out += ["", *_hosting_lines(args, hosting)]
    return "\n".join(out).lstrip("\n")
