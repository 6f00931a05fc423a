"""``ftrisk goal-seek STUDY --param P --target T``: where a decision figure meets a target."""

from __future__ import annotations

import argparse
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands.run import add_scheduler_option, add_study_options, load, scheduler_client

NAME = "goal-seek"
ORDER = 35
HELP = "the value of one input (or its median) at which a target is met"
DESCRIPTION = (
    "Find the value of a fixed input, or the median of an uncertain one (its spread kept), "
    "at which a strategy's P(payback <= N), E[NPV] or P(best) meets a target, on common "
    "random numbers, with its Monte Carlo ± (delta method). Targets: "
    "payback_within:N=P, npv=DOLLARS, p_best=P.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk goal-seek``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--param", required=True, metavar="PATH",
                   help="input to move, a study key, e.g. "
                   "strategies.hosted_ft.engineering_hours (required)")
    r.add_argument("--target", required=True, metavar="GOAL",
                   help="payback_within:N=P (N months, P a probability; e.g. "
                   "payback_within:12=0.5), npv=DOLLARS or p_best=P (required)")
    r.add_argument("--strategy", metavar="S",
                   help="whose figure (default: the first non-baseline strategy)")
    add_study_options(r)
    add_scheduler_option(r)


def goal_text(g: Any) -> str:
    """The sentence, then the root, the figure there and the trials."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import number, plus_minus, short, text_table

    what = "median" if g.uncertain else "value"
    lines = [g.sentence(), "",
             f"{short(g.param)}: {what} {plus_minus(g.value, g.se)} (now {number(g.base_value)},"
             f" where {g.goal.label} of {g.strategy} is {g.goal.show(g.base_figure)})",
             f"{g.goal.label} at the root: {g.goal.show(g.figure_at_root)} (± "
             f"{g.goal.show(g.figure_se).lstrip('$')}); slope {g.slope:.4g} per unit; "
             f"± = {g.goal.label}'s standard error / |slope| (delta method)"]
    rows = [[number(r["value"]), g.goal.show(r["figure"]), g.goal.show(r["se"]).lstrip("$")]
            for r in g.table().iter_rows(named=True)]
    lines += ["", text_table([f"{short(g.param)} ({what})", g.goal.label, "± se"], rows),
              f"{len(rows)} trials of {g.samples:,} samples each on common random numbers "
              f"({g.scale} scale)"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Seek the root and print the sentence and the trials."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision import goal_seek
    from sim.runner.cluster import scheduler_address
    from sim.study.errors import StudyError

    try:
        scheduler_address(args.scheduler)
        study = load(args)
        with scheduler_client(args) as client:
            g = goal_seek(study, args.param, args.target, strategy=args.strategy,
                          client=client)
    except (StudyError, ValueError) as err:
        return error(str(err))
    print(goal_text(g))
    return EXIT_OK
