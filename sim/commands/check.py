"""``ftrisk check STUDY --actuals bills.csv``: the forecast against the bills that followed."""

from __future__ import annotations

import argparse
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands.run import add_study_options, load

NAME = "check"
ORDER = 57
HELP = "forecast vs actuals: each month's percentile, calibration, updated inputs and answer"
DESCRIPTION = (
    "Place each month of actual bills (and volume) in the study's forecast: its percentile "
    "(PIT), months outside P5-P95 flagged, a PIT histogram and a calibration test of the "
    "one-step-ahead percentiles (Kolmogorov-Smirnov, and the CRPS). Then update the "
    "uncertain inputs the bills inform by Bayesian importance weighting of the study's "
    "samples (lognormal measurement error with a stated sd; effective sample size reported; "
    "resample-move when it collapses) and answer the study's question again. The actuals "
    "file has a month column (1, 2, ... or YYYY-MM), cost.<strategy> columns and an "
    "optional volume column (requests per day).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk check``."""
    p.add_argument("study", help="study file (TOML)")
    p.add_argument("--actuals", required=True, metavar="FILE",
                   help="actual monthly figures (.csv or .parquet): month, cost.<strategy> "
                   "($), volume (requests) (required)")
    p.add_argument("--start", metavar="YYYY-MM",
                   help="calendar month of study month 1 (default: the file's first month)")
    p.add_argument("--cost-sd", type=float, default=0.10, metavar="SD",
                   help="sd of log(actual cost / model cost), the measurement error "
                   "(default: %(default)s)")
    p.add_argument("--volume-sd", type=float, default=0.05, metavar="SD",
                   help="sd of log(actual volume / model volume) (default: %(default)s)")
    p.add_argument("--ess-min", type=float, default=0.5, metavar="SHARE",
                   help="resample when the effective sample size falls below this share of "
                   "the samples (default: %(default)s)")
    p.add_argument("--moves", type=int, default=5, metavar="N",
                   help="Metropolis moves after each resampling (default: %(default)s)")
    add_study_options(p)


def _pit_histogram(counts: tuple[int, ...]) -> str:
    """A text histogram of percentiles in equal bins (expected: flat)."""
    total = sum(counts) or 1
    width = len(counts)
    lines = []
    for i, c in enumerate(counts):
        lo, hi = i / width, (i + 1) / width
        lines.append(f"  {lo:.1f}-{hi:.1f} {'#' * round(40 * c / total):<40} {c}")
    return "\n".join(lines)


def report_text(res: Any) -> str:
    """The terminal report of a check."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    import polars as pl

    from sim.display import money, number, short, text_table

    months = text_table(
        ["month", "column", "actual", "forecast P5", "P50", "P95", "percentile", "1-step",
         ""],
        [[r["label"], r["series"], number(r["actual"]), number(r["p5"]), number(r["p50"]),
          number(r["p95"]), f"P{100 * r['pit']:.0f}", f"{r['pit_ahead']:.2f}",
          "outside P5-P95" if r["flagged"] else ""]
         for r in res.months.iter_rows(named=True)])
    steps = ", ".join(f"{r['month']}: {r['ess']:,.0f}" + (" (resampled)" if r["resampled"]
                                                          else "")
                      for r in res.steps.iter_rows(named=True))
    moved = res.inputs.filter(pl.col("informed"))
    inputs = text_table(
        ["input", "prior P10 – P90", "mean", "posterior P10 – P90", "mean"],
        [[short(r["input"]), f"{number(r['prior_p10'])} – {number(r['prior_p90'])}",
          number(r["prior_mean"]), f"{number(r['post_p10'])} – {number(r['post_p90'])}",
          number(r["post_mean"])] for r in moved.iter_rows(named=True)])
    others = res.inputs.filter(~pl.col("informed"))["input"].to_list()
    n = res.study.primary_months
    decision = text_table(
        ["strategy", f"P(pb<={n}) before", "after", "± se", "E[NPV] before", "after"],
        [[r["strategy"], f"{r[f'p{n}_prior']:.3f}", f"{r[f'p{n}_post']:.3f}",
          f"{r[f'p{n}_post_se']:.3f}", money(r["npv_prior"]), money(r["npv_post"])]
         for r in res.decision.iter_rows(named=True)
         if r["strategy"] != res.study.baseline])
    obs = res.observation
    crps = res.months["crps_ahead"].mean()
    parts = [
        f"{res.study.name}: {res.months.height} actual values against the forecast of "
        f"{res.n:,} samples (seed {res.study.seed})",
        months,
        "percentile: where the actual falls in the study's forecast (with the measurement "
        "error); 1-step: in the forecast updated with the months before (uniform if the "
        "model is right).",
        f"one-step-ahead percentiles in {len(res.histogram)} bins (calibrated: about "
        "flat):\n" + _pit_histogram(res.histogram),
        f"mean CRPS of the one-step forecasts (log scale): {crps:.4f}",
        f"observation model: log(actual) = log(model) + N(0, sd²), sd {obs.cost_sd:g} on "
        f"costs, {obs.volume_sd:g} on volume; effective sample size after each month: "
        f"{steps}",
        "inputs the actuals inform (weighted posterior):\n" + inputs,
    ]
    if others:
        parts.append(f"not informed by these actuals (prior kept): "
                     f"{', '.join(short(o) for o in others)}")
    parts.append(decision)
    parts.append("\n".join(res.sentences()))
    return "\n\n".join(parts)


def run(args: argparse.Namespace) -> int:
    """Check the study's forecast against the actuals and print the report."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision.actuals import Observation, check_actuals
    from sim.study.actuals import ActualsError, read_actuals
    from sim.study.errors import StudyError

    try:
        study = load(args)
        acts = read_actuals(args.actuals, study, start=args.start)
    except (StudyError, ActualsError) as err:
        return error(str(err))
    for flag, v in (("--cost-sd", args.cost_sd), ("--volume-sd", args.volume_sd)):
        if not 0 < v <= 10:  # 10: a factor e^10 between actual and model; nan and inf too
            return error(f"{flag} {v:g}: must be > 0 and at most 10 (the sd of log(actual / "
                         "model), e.g. 0.1 for about 10%)")
    if not 0 < args.ess_min <= 1:
        return error(f"--ess-min {args.ess_min:g}: must be a share in (0, 1], e.g. 0.5")
    if not 0 <= args.moves <= 1000:
        return error(f"--moves {args.moves}: must be a whole number from 0 to 1,000")
    if not 2 <= study.samples <= 200_000:
        return error(f"--samples {study.samples:,}: check uses 2 to 200,000 samples as "
                     "particles; lower --samples")
    res = check_actuals(study, acts, observation=Observation(args.cost_sd, args.volume_sd),
                        ess_min=args.ess_min, moves=args.moves, rng=study.seed)
    print(report_text(res))
    return EXIT_OK
