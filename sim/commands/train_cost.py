"""``ftrisk train-cost``: training compute of one run, the lesson's table and a FLOPs check."""

from __future__ import annotations

import argparse
from difflib import get_close_matches

from sim.commands import EXIT_OK, error

NAME = "train-cost"
ORDER = 75
HELP = "training compute of one run: the lesson's estimate and a FLOPs cross-check"
DESCRIPTION = ("Hours and cost of one fine-tuning run from the lesson's throughput table "
               "(docs/model.md, Training compute), beside a first-principles estimate "
               "(FLOPs / GPU peak x MFU).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk train-cost``."""
    p.add_argument("--model-size", type=float, required=True, metavar="B",
                   help="model size, billions of parameters, e.g. 7 (required)")
    p.add_argument("--method", choices=["lora", "qlora", "full"], default="lora",
                   help="fine-tuning method (default: %(default)s)")
    p.add_argument("--examples", type=float, required=True, metavar="N",
                   help="training examples, a count (required)")
    p.add_argument("--seq-len", type=float, default=512, metavar="TOKENS",
                   help="tokens per example (default: %(default)s)")
    p.add_argument("--epochs", type=float, default=1, metavar="N",
                   help="passes over the examples, epochs (default: %(default)s)")
    p.add_argument("--gpu", default="a100_80g",
                   help="a100_80g or a10g (the lesson's table), or another GPU of the catalog "
                   "(ftrisk prices --kind gpu), priced from the catalog in $ per GPU-hour "
                   "(default: %(default)s)")
    p.add_argument("--spot", action=argparse.BooleanOptionalAction, default=True,
                   help="spot instances at 0.35 x on demand (default yes)")
    p.add_argument("--mfu", type=float, default=0.35,
                   help="model-FLOPs utilization for the cross-check, a fraction in (0, 1] "
                   "(default: %(default)s)")


def _price(args: argparse.Namespace, table_hourly: float, gpus: float,
           known: bool) -> tuple[float | None, str]:
    """The on-demand $/GPU-hour to charge (None: the table's) and where it comes from."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.study.catalog import gpu_prices

    catalog = gpu_prices().get(args.gpu)
    per_gpu = table_hourly / gpus
    if known:
        also = ("" if catalog is None else f"; the catalog says ${catalog.on_demand_hourly:.2f}"
                f" ({catalog.source}, checked {catalog.checked})")
        return None, f"${per_gpu:.2f}/GPU-hour on demand from the lesson's table{also}"
    if catalog is None:
        return None, ""
    return catalog.on_demand_hourly, (
        f"${catalog.on_demand_hourly:.2f}/GPU-hour on demand from the catalog ({catalog.source}, "
        f"checked {catalog.checked}); {args.gpu} is not in the lesson's table, whose fallback "
        f"would charge ${per_gpu:.2f}")


def run(args: argparse.Namespace) -> int:
    """Print the lesson's estimate step by step (where each figure comes from), then the
    FLOPs cross-check."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import MAX_NAME, flag_problems, number_problem
    from sim.costs.training import (
        BENCHMARKS,
        OVERHEAD,
        PEAK_TFLOPS,
        SPOT_FACTOR,
        estimate_training_cost,
        flops_estimate,
        in_table,
        throughput,
    )
    from sim.study.catalog import gpu_prices
    from sim.study.schema import EPOCHS, EXAMPLES, MFU, MODEL_SIZE, SEQUENCE

    problem = flag_problems(
        ("--model-size", number_problem(args.model_size, MODEL_SIZE)),
        ("--examples", number_problem(args.examples, EXAMPLES)),
        ("--seq-len", number_problem(args.seq_len, SEQUENCE)),
        ("--epochs", number_problem(args.epochs, EPOCHS)),
        ("--mfu", number_problem(args.mfu, MFU)))
    if problem:
        return error(problem)
    table_gpus = sorted({g for _, _, g in BENCHMARKS})
    if args.gpu not in table_gpus and args.gpu not in gpu_prices():
        close = get_close_matches(args.gpu, list(dict.fromkeys([*table_gpus, *gpu_prices()])),
                                  n=3) if len(args.gpu) <= MAX_NAME else []
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        shown = (args.gpu if len(args.gpu) <= MAX_NAME
                 else f"(a name of {len(args.gpu):,} characters)")
        return error(f"--gpu {shown}: no price on file{hint}; use one of the lesson's table "
                     f"({', '.join(table_gpus)}) or the catalog ({', '.join(gpu_prices())}), "
                     "or add it to sim/data/gpu_prices.csv")
    known = in_table(args.model_size, args.method, args.gpu)
    tps, gpus, table_hourly = (float(x) for x in throughput(args.model_size, args.method,
                                                            args.gpu))
    per_gpu, source = _price(args, table_hourly, gpus, known)
    r = estimate_training_cost(args.model_size, args.method, args.examples, args.seq_len,
                               args.epochs, args.gpu, spot=args.spot, hourly_per_gpu=per_gpu)
    rule = ("the lesson's table" if known else "not in the lesson's table: its fallback rule, "
            "max(100, 4000 x 7 / size) tok/s on max(1, size / 30) GPUs")
    raw_h = r["total_tokens"] / (tps * 3600)
    hourly = gpus * (per_gpu if per_gpu is not None else table_hourly / gpus)
    spot = f" x {SPOT_FACTOR:g} spot" if args.spot else ""
    print(f"lesson's estimate of one run: {args.model_size:g}B {args.method}, "
          f"{args.examples:,.0f} examples x {args.seq_len:,.0f} tokens x {args.epochs:g} "
          f"epochs = {r['total_tokens']:,} tokens")
    print(f"  throughput: {r['tokens_per_second']:,} tok/s on {r['num_gpus']} x {args.gpu} "
          f"({rule})")
    print(f"  time: {r['total_tokens']:,} tokens / {r['tokens_per_second']:,} tok/s = "
          f"{raw_h:.1f} h, x {OVERHEAD:g} overhead (the lesson's 15%) = {r['training_hours']} h")
    print(f"  price: {source}; {r['num_gpus']} GPU{'s' if gpus > 1 else ''} x "
          f"${hourly / gpus:.2f}{spot} = ${r['cost_per_hour']:.2f}/h")
    print(f"  = {r['training_hours']} h at ${r['cost_per_hour']:.2f}/h = "
          f"${r['total_cost_usd']:,.2f} per run ({'spot' if args.spot else 'on demand'})")
    if args.gpu not in PEAK_TFLOPS:
        print(f"(no peak FLOPs on file for {args.gpu}: no cross-check)")
        return EXIT_OK
    f = flops_estimate(args.model_size, args.method, r["total_tokens"], args.gpu, mfu=args.mfu,
                       hourly_per_gpu=hourly / gpus)
    cost = f["cost"] * (SPOT_FACTOR if args.spot else 1.0)
    print(f"FLOPs cross-check: {f['flops']:.3g} FLOPs / ({f['gpus']:g} x "
          f"{PEAK_TFLOPS[args.gpu]:g} TFLOP/s x MFU {args.mfu:g}) -> {f['hours']:.1f} h = "
          f"${cost:,.2f} per run (the same price, no overhead)")
    if f["hours"] > 0:
        print(f"the table's time is {r['training_hours'] / f['hours']:.2f}x the FLOPs estimate "
              "at this MFU")
    else:
        print("no ratio of the two estimates: the run has no tokens to train on")
    return EXIT_OK
