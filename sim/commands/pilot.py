"""``ftrisk pilot STUDY``: what a pilot is worth before committing (EVSI; docs/model.md,
"Summaries and decisions")."""

from __future__ import annotations

import argparse
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands.run import add_study_options, load

NAME = "pilot"
ORDER = 40
HELP = "the value of a pilot: EVSI of n examples (and an effort estimate), net of its cost"
DESCRIPTION = (
    "Value a pilot that evaluates --examples examples with the candidate model and counts "
    "how many need a review (binomial in the true rate), optionally also measuring the "
    "engineering hours (--effort-sd, on log-hours): its expected value of sample "
    "information by preposterior analysis on the study's samples (cross-fitted), beside "
    "what a perfect pilot (EVPPI) and knowing everything (EVPI) would be worth, and a "
    "verdict against its --cost.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk pilot``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--strategy", metavar="S",
                   help="the strategy piloted (default: the recommended one, or the best "
                   "candidate)")
    r.add_argument("--examples", type=int, default=500,
                   help="examples the pilot evaluates, a count (default: %(default)s)")
    r.add_argument("--cost", type=float, metavar="DOLLARS",
                   help="what the pilot costs, $ (default: not stated, so no verdict)")
    r.add_argument("--informs", metavar="PATH",
                   help="the rate the pilot observes (default: the strategy's uncertain "
                   "review_rate, quality_lift or error_rate)")
    r.add_argument("--effort-sd", type=float, metavar="SD",
                   help="also measure the engineering hours, with this sd on log-hours "
                   "(0.3: about ±30%%; default: hours not measured)")
    r.add_argument("--html", metavar="FILE",
                   help="write the section to FILE (default: print only)")
    add_study_options(r)


def pilot_text(p: Any) -> str:
    """The sentence and the table of values."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import money, text_table

    rows = [[r["what"], money(r["value"]), money(r["se"]), money(r["plugin"])]
            for r in p.table().iter_rows(named=True)]
    return "\n".join([p.sentence(), "", text_table(["", "value", "± se", "plug-in"], rows),
                      f"over {p.n:,} samples ({', '.join(p.strategies)} compared); ± = Monte "
                      "Carlo standard error; plug-in: the rule learnt and scored on the same "
                      "samples (biased upwards)"])


def run(args: argparse.Namespace) -> int:
    """Value the pilot; print the sentence and the values; write --html if asked."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision import compare, focus_strategy, pilot_value, simulate
    from sim.report.files import check_file_target, write_text
    from sim.study.errors import OutputError, StudyError

    try:
        study = load(args)
        if args.examples < 0:
            raise ValueError(f"--examples {args.examples}: must be >= 0")
        if args.examples == 0 and args.effort_sd is None:
            raise ValueError("--examples 0: the pilot then measures nothing; give "
                             "--effort-sd SD or a number of examples")
        if args.html:
            check_file_target(args.html, flag="--html", example="pilot.html")
        if not [s for s in study.compared() if s != study.baseline]:
            raise ValueError(f"{args.study}: the study has no strategy besides the baseline")
        samples = simulate(study)
        strategy = args.strategy or focus_strategy(compare(samples), study)
        p = pilot_value(samples, strategy=strategy, examples=args.examples, cost=args.cost,
                        informs=args.informs, effort_sd=args.effort_sd)
    except (StudyError, OutputError, ValueError) as err:
        return error(str(err))
    except KeyError as err:
        return error(f"--informs {args.informs}: {err.args[0]} is not an input of the study")
    print(pilot_text(p))
    if args.html:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.report.sections import page
        from sim.report.tool_sections import pilot_section

        write_text(args.html, page(f"{study.name}: the value of a pilot", [pilot_section(p)]),
                   flag="--html")
        print(f"wrote {args.html}")
    return EXIT_OK
