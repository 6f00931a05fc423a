"""``ftrisk train-cost``: training compute of one run, the lesson's table and a FLOPs check."""

from __future__ import annotations

import argparse

from sim.commands import EXIT_OK, error

NAME = "train-cost"
ORDER = 75
HELP = "training compute of one run: the lesson's estimate and a FLOPs cross-check"
DESCRIPTION = ("Hours and cost of one fine-tuning run from the lesson's throughput table "
               "(docs/model.md, Training compute), beside a first-principles estimate "
               "(FLOPs / GPU peak x MFU).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk train-cost``."""
    p.add_argument("--model-size", type=float, required=True, help="billions of parameters")
    p.add_argument("--method", choices=["lora", "qlora", "full"], default="lora")
    p.add_argument("--examples", type=float, required=True, help="training examples")
    p.add_argument("--seq-len", type=float, default=512, help="tokens per example")
    p.add_argument("--epochs", type=float, default=1)
    p.add_argument("--gpu", default="a100_80g", help="a100_80g or a10g (the lesson's table)")
    p.add_argument("--spot", action=argparse.BooleanOptionalAction, default=True,
                   help="spot instances at 0.35 x on demand (default yes)")
    p.add_argument("--mfu", type=float, default=0.35,
                   help="model-FLOPs utilization for the cross-check (default 0.35)")


def run(args: argparse.Namespace) -> int:
    """Print both estimates."""
    from sim.costs.training import PEAK_TFLOPS, SPOT_FACTOR, estimate_training_cost, flops_estimate

    if not (args.model_size > 0 and args.examples > 0 and args.seq_len > 0 and args.epochs > 0):
        return error("--model-size, --examples, --seq-len and --epochs must be > 0")
    if not 0 < args.mfu <= 1:
        return error(f"--mfu: {args.mfu:g} must be in (0, 1]")
    r = estimate_training_cost(args.model_size, args.method, args.examples, args.seq_len,
                               args.epochs, args.gpu, spot=args.spot)
    print(f"lesson's estimate: {r['num_gpus']} x {args.gpu}, {r['tokens_per_second']:,} tok/s, "
          f"{r['total_tokens']:,} tokens -> {r['training_hours']} h at ${r['cost_per_hour']}/h"
          f" = ${r['total_cost_usd']:,.2f} per run ({'spot' if args.spot else 'on demand'})")
    if args.gpu not in PEAK_TFLOPS:
        print(f"(no peak FLOPs on file for {args.gpu}: no cross-check)")
        return EXIT_OK
    f = flops_estimate(args.model_size, args.method, r["total_tokens"], args.gpu, mfu=args.mfu)
    cost = f["cost"] * (SPOT_FACTOR if args.spot else 1.0)
    print(f"FLOPs cross-check: {f['flops']:.3g} FLOPs / ({f['gpus']:g} x "
          f"{PEAK_TFLOPS[args.gpu]:g} TFLOP/s x MFU {args.mfu:g}) -> {f['hours']:.1f} h = "
          f"${cost:,.2f} per run")
    ratio = r["training_hours"] / f["hours"] if f["hours"] else float("nan")
    print(f"the table's time is {ratio:.2f}x the FLOPs estimate at this MFU")
    return EXIT_OK
