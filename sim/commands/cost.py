"""``ftrisk cost``: the calculator page's full calculator, multi-vendor, and self-hosting's
cost per 1M tokens (the lesson's serving figures)."""

from __future__ import annotations

import argparse
from typing import Any

from sim.commands import EXIT_OK, error

NAME = "cost"
ORDER = 70
HELP = "cost of a workload on API models side by side: per call, day, month, year"
DESCRIPTION = (
    "Per-call, daily, monthly (30 days) and annual (12 months) cost of a workload on one or "
    "more API models (--model, repeatable; --compare frontier or small adds each major "
    "vendor's current model of that tier, from the price history), sorted by monthly cost, "
    "at standard prices, with a prompt cache and through the batch API. Prices from the "
    "catalog (ftrisk prices); aggregator and reseller rows only with --all. --gpu (or "
    "--gpu-hourly) with --throughput adds self-hosting: its cost per 1M tokens at full "
    "utilization and at --utilization, and, with a workload, the instances it needs.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk cost``."""
    p.add_argument("--model", action="append", default=[], metavar="MODEL",
                   help="an API model, e.g. gpt-4o or anthropic/claude-haiku-4-5 (repeatable; "
                   "default: none; give --model, --compare or --gpu)")
    p.add_argument("--compare", metavar="LEVEL",
                   help="add each major vendor's current model of a tier: frontier, small, "
                   "... (default: none)")
    p.add_argument("--requests-per-day", type=float, metavar="N",
                   help="requests per day (default: none; required with --model or --compare)")
    p.add_argument("--input-tokens", type=float, metavar="N",
                   help="input tokens per request (default: none; required with --model or "
                   "--compare)")
    p.add_argument("--output-tokens", type=float, metavar="N",
                   help="output tokens per request (default: none; required with --model or "
                   "--compare)")
    p.add_argument("--cache-share", type=float, default=0.5,
                   help="share of input tokens cached, a fraction in [0, 1], for the cache "
                   "variant (default: %(default)s)")
    p.add_argument("--all", action="store_true",
                   help="allow aggregator and reseller rows (OpenRouter, GitHub Copilot, ...)")
    gpu = p.add_mutually_exclusive_group()
    gpu.add_argument("--gpu", metavar="NAME",
                     help="self-hosting on a catalog GPU (ftrisk prices --kind gpu; default: "
                     "no self-hosting row)")
    gpu.add_argument("--gpu-hourly", type=float, metavar="USD",
                     help="self-hosting at this price, $ per GPU-hour (default: no "
                     "self-hosting row)")
    p.add_argument("--gpus", type=int, default=1,
                   help="GPUs per instance, a count (default: %(default)s)")
    p.add_argument("--throughput", type=float, metavar="TOKENS_PER_S",
                   help="tokens per second one instance serves at full utilization, e.g. "
                   "5000 (default: none; required with --gpu or --gpu-hourly)")
    p.add_argument("--utilization", type=float, default=1.0,
                   help="planned utilization of self-hosting, a fraction in (0, 1] "
                   "(default: %(default)s)")


def _check(args: argparse.Namespace) -> str | None:
    """The first problem with the flags, or None.

    Numbers are checked against the physical ranges of the study keys they stand for
    (:mod:`sim.study.schema`), so no flag can drive a figure to inf or NaN.
    """
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import MAX_NAME, flag_problems, number_problem, whole_problem
    from sim.study.schema import (
        GPU_HOURLY,
        GPUS,
        RATE,
        REQUESTS0,
        THROUGHPUT,
        TOKENS,
        UTILIZATION,
    )

    self_hosting = args.gpu is not None or args.gpu_hourly is not None
    if not (args.model or args.compare or self_hosting):
        return "--model: give at least one --model, --compare LEVEL or --gpu with --throughput"
    long = next((m for m in args.model if len(m) > MAX_NAME), None)
    if long is not None:
        return (f"--model: a name of {len(long):,} characters is no model name; ftrisk prices "
                "lists them")
    workload = (args.requests_per_day, args.input_tokens, args.output_tokens)
    if (args.model or args.compare) and None in workload:
        missing = [f for f, v in zip(("--requests-per-day", "--input-tokens",
                                      "--output-tokens"), workload, strict=True) if v is None]
        return f"{missing[0]}: required to price a workload on API models"
    if self_hosting != (args.throughput is not None):
        return ("--throughput: give it with --gpu or --gpu-hourly (tokens a second one "
                "instance serves)" if self_hosting else
                "--throughput: only with --gpu or --gpu-hourly")

    def number(v: float | None, domain: Any) -> str | None:
        return None if v is None else number_problem(v, domain)

    return flag_problems(
        ("--requests-per-day", number(args.requests_per_day, REQUESTS0)),
        ("--input-tokens", number(args.input_tokens, TOKENS)),
        ("--output-tokens", number(args.output_tokens, TOKENS)),
        ("--gpu-hourly", number(args.gpu_hourly, GPU_HOURLY)),
        ("--throughput", number(args.throughput, THROUGHPUT)),
        ("--cache-share", number(args.cache_share, RATE)),
        ("--utilization", number(args.utilization, UTILIZATION)),
        ("--gpus", whole_problem(args.gpus, 1, int(GPUS.hi), GPUS.why)))


def _prices(args: argparse.Namespace) -> tuple[list[Any], str | None]:
    """The catalog rows asked for (--compare's picks after --model's), or an error."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.study.catalog import api_price
    from sim.study.price_history import current_models

    names = list(args.model)
    if args.compare:
        try:
            picks = current_models(args.compare)
        except ValueError as err:
            return [], f"--compare: {err}"
        names += [n for n in picks["catalog"].to_list() if n not in names]
    out = []
    for name in names:
        try:
            price = api_price(name)
        except KeyError as err:
            return [], f"--model: {err.args[0]}"
        if price.role != "vendor" and not args.all:
            return [], (f"--model: '{name}' is {'an' if price.role == 'aggregator' else 'a'} "
                        f"{price.role}'s row ({price.role_why}), left out like the calculator "
                        "page leaves them out; name the vendor's model, or add --all")
        out.append(price)
    return out, None


def run(args: argparse.Namespace) -> int:
    """Print the side-by-side table and the self-hosting figures."""
    problem = _check(args)
    if problem:
        return error(problem)
    prices, problem = _prices(args)
    if problem:
        return error(problem)
    hosting = None
    if args.throughput is not None:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.costs.calculator import self_hosted_cost
        from sim.study.catalog import gpu_price

        if args.gpu is not None:
            try:
                hourly = gpu_price(args.gpu).on_demand_hourly
            except KeyError as err:
                return error(f"--gpu: {err.args[0]}")
        else:
            hourly = args.gpu_hourly
        hosting = self_hosted_cost(hourly, args.throughput, utilization=args.utilization,
                                   gpus=args.gpus)
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._cost_text import cost_text

    print(cost_text(args, prices, hosting))
    return EXIT_OK
