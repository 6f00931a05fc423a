"""``ftrisk screen``: the lesson's quick should-we-fine-tune heuristic, labelled as such."""

from __future__ import annotations

import argparse

from sim.commands import EXIT_OK, error

NAME = "screen"
ORDER = 80
HELP = "quick heuristic screen (the lesson's should_fine_tune score), not a cost model"
DESCRIPTION = ("The lesson's rule-of-thumb score for 'should we fine-tune?'. A heuristic: it "
               "ignores engineering hours, serving cost and uncertainty. Write a study and "
               "run 'ftrisk run' for the answer with numbers.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk screen``."""
    p.add_argument("--daily-requests", type=float, required=True, metavar="N",
                   help="requests per day (required)")
    p.add_argument("--tokens-per-request", type=float, required=True, metavar="N",
                   help="average tokens per request, input and output together (required)")
    p.add_argument("--api-cost-per-1m", type=float, required=True, metavar="USD",
                   help="blended $ per 1M tokens you pay today (required)")
    p.add_argument("--task-consistency", choices=["high", "medium", "low"], default="medium",
                   help="how alike the requests are (default: %(default)s)")
    p.add_argument("--latency-ms", type=float, default=2000.0, metavar="MS",
                   help="latency requirement, milliseconds (default: %(default)g)")
    p.add_argument("--quality", choices=["high", "medium", "low"], default="medium",
                   help="quality requirement (default: %(default)s)")
    p.add_argument("--ml-expertise", action=argparse.BooleanOptionalAction, default=True,
                   help="the team has ML expertise (default yes)")
    p.add_argument("--fast-iteration", action="store_true",
                   help="fast iteration on the task is a priority")


def run(args: argparse.Namespace) -> int:
    """Print the verdict, the score and the reasons."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import flag_problems, number_problem
    from sim.decision.screen import should_fine_tune
    from sim.study.schema import LATENCY_MS, REQUESTS0, TOKEN_PRICE, TOKENS

    problem = flag_problems(
        ("--daily-requests", number_problem(args.daily_requests, REQUESTS0)),
        ("--tokens-per-request", number_problem(args.tokens_per_request, TOKENS)),
        ("--api-cost-per-1m", number_problem(args.api_cost_per_1m, TOKEN_PRICE)),
        ("--latency-ms", number_problem(args.latency_ms, LATENCY_MS)))
    if problem:
        return error(problem)
    s = should_fine_tune(args.daily_requests, args.tokens_per_request, args.api_cost_per_1m,
                         args.task_consistency, args.latency_ms, args.quality,
                         args.ml_expertise, args.fast_iteration)
    print("HEURISTIC SCREEN (the lesson's should_fine_tune; not a cost model)\n")
    print(f"verdict: {s.verdict} (score {s.score:+d})")
    print(f"{s.rationale}.")
    print(f"estimated API bill: ${s.monthly_api_cost_estimate:,.0f}/month\n")
    for r in s.recommendations:
        print(f"- {r}")
    print("\nNext: write a study (see studies/) and run 'ftrisk run STUDY.toml' for the payback "
          "distribution, with engineering hours, serving, retraining and uncertainty.")
    return EXIT_OK
