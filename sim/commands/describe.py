"""``ftrisk describe STUDY``: every input's distribution, mean, P10/P50/P90 and a histogram."""

from __future__ import annotations

import argparse

from sim.commands import EXIT_OK, error
from sim.commands.run import add_set_option

NAME = "describe"
ORDER = 10
HELP = "show what a study believes: each input's distribution, mean, P10/P50/P90, histogram"
DESCRIPTION = ("Validate a study and print every input with its family and parameters, mean, "
               "P10/P50/P90 and a small text histogram, plus the stated rank correlations. "
               "Nothing is simulated.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk describe``."""
    r.add_argument("study", help="study file (TOML)")
    add_set_option(r)
    r.add_argument("--uncertain", action="store_true",
                   help="show only the uncertain inputs")


def run(args: argparse.Namespace) -> int:
    """Load the study and print its inputs table; a bad study exits 2 with one line."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.report.describe import describe_text
    from sim.study import load_study
    from sim.study.errors import StudyError

    try:
        study = load_study(args.study, overrides=args.set)
    except StudyError as err:
        return error(str(err))
    print(describe_text(study, uncertain_only=args.uncertain))
    return EXIT_OK
