"""``ftrisk workload LOG``: a study's [workload] inputs derived from a request log."""

from __future__ import annotations

import argparse

from sim.commands import EXIT_OK, error

NAME = "workload"
ORDER = 56
HELP = "derive the [workload] inputs from a request log: volume, growth, tokens, day shape"
DESCRIPTION = (
    "From a request log (one row per request: timestamp, input tokens, output tokens; CSV "
    "or parquet, read lazily) derive the study's workload inputs: requests/day (daily "
    "counts fitted), monthly growth with its uncertainty (a log-linear trend of daily "
    "volume: a normal from the slope's standard error), input and output token "
    "distributions, and the 24-hour traffic profile (--process: volume as a random walk "
    "with drift and volatility fitted from the log-volume changes). Prints a [workload] "
    "fragment with comments saying how each value was derived; --out writes it to a file.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk workload``."""
    p.add_argument("log", help="request log (.csv, .tsv or .parquet), one row per request")
    p.add_argument("--out", metavar="FILE",
                   help="write the [workload] fragment to FILE (default: print only)")
    p.add_argument("--timestamp-column", metavar="NAME",
                   help="timestamp column (default: detected, e.g. timestamp, ts, created_at)")
    p.add_argument("--input-column", metavar="NAME",
                   help="input tokens column (default: detected, e.g. input_tokens, "
                   "prompt_tokens)")
    p.add_argument("--output-column", metavar="NAME",
                   help="output tokens column (default: detected, e.g. output_tokens, "
                   "completion_tokens)")
    p.add_argument("--boot", type=int, default=100, metavar="N",
                   help="bootstrap refits for the fits' KS p-values (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0,
                   help="bootstrap seed, a whole number (default: 0)")
    p.add_argument("--process", action="store_true",
                   help="state volume as a process: volume_process = { drift, volatility } "
                   "fitted from the monthly (or weekly) log-volume changes, instead of "
                   "monthly_growth")


def run(args: argparse.Namespace) -> int:
    """Derive the workload, print the fragment, write --out if asked."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import MAX_SEED, flag_problems, whole_problem
    from sim.report.files import check_file_target, write_text
    from sim.study.errors import OutputError
    from sim.study.workload_log import LogError, derive_workload

    if args.boot < 0:
        return error(f"--boot {args.boot}: must be >= 0")
    problem = flag_problems(("--boot", whole_problem(args.boot, 0, 100_000, "bootstrap fits")),
                            ("--seed", whole_problem(args.seed, 0, MAX_SEED)))
    if problem:
        return error(problem)
    try:
        if args.out:
            check_file_target(args.out, flag="--out", example="workload.toml")
        fit = derive_workload(args.log, timestamp=args.timestamp_column,
                              input_tokens=args.input_column,
                              output_tokens=args.output_column, n_boot=args.boot,
                              seed=args.seed, process=args.process)
    except (LogError, OutputError) as err:
        return error(str(err))
    text = fit.toml()
    print(text, end="")
    if args.out:
        write_text(args.out, text, flag="--out")
        print(f"\nwrote {args.out} (paste its [workload] table into a study)")
    return EXIT_OK
