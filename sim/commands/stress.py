"""``ftrisk stress STUDY``: what drives the worst outcomes, and stress runs beside the base.

A command of its own rather than flags on ``ftrisk tornado``: the tornado explains the
*average* answer (each input's swing of E[NPV] or P(payback)); this one explains the
*downside* (the inputs that put a strategy in its worst 10%) and reruns the study with an
input held in a band, a scenario table rather than a sensitivity ranking.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands.run import add_study_options, load

NAME = "stress"
ORDER = 25
HELP = "the downside: which inputs drive the worst tenth of NPV, and stress runs"
DESCRIPTION = (
    "Rank the inputs by how differently the worst --tail share of a strategy's NPV draws "
    "them (Kolmogorov-Smirnov distance of the tail's distribution from the overall one), "
    "then rerun the study with inputs restricted to percentile bands (--stress "
    "INPUT=p0:p10, repeatable; default: the top 3 drivers, each in its band toward the "
    "tail) on common random numbers, beside the base case.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk stress``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--strategy", metavar="S",
                   help="whose tail (default: the first non-baseline strategy)")
    r.add_argument("--stress", action="append", default=None, metavar="INPUT=pLO:pHI",
                   help="rerun with INPUT in its LO-HI percentile band, e.g. "
                   "frontier.annual_price_drop=p90:p100, percentiles 0-100 (repeatable; "
                   "default: none, the tail drivers only)")
    r.add_argument("--tail", type=float, default=0.1,
                   help="the worst share of NPV analysed, a fraction in (0, 1) "
                   "(default: %(default)s)")
    r.add_argument("--top", type=int, default=12,
                   help="inputs listed, a count (default: %(default)s)")
    r.add_argument("--html", metavar="FILE",
                   help="write the charts and tables to FILE (default: print only)")
    r.add_argument("--csv", metavar="FILE",
                   help="write the stress table to FILE (CSV; default: print only)")
    add_study_options(r)


def tail_text(t: Any, top: int) -> str:
    """The tail drivers as a terminal table."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import money, number, short, text_table

    rows = [[short(r["input"]), f"{r['ks']:.3f}", "yes" if r["drives"] else "no",
             number(r["median_all"]), number(r["median_tail"]),
             "–" if math.isnan(r["median_shift"]) else f"{r['median_shift']:+.2f}",
             r["direction"]] for r in t.table().head(top).iter_rows(named=True)]
    head = (f"{t.strategy}: the worst {t.fraction:.0%} of NPV (below {money(t.threshold)}, "
            f"mean {money(t.cvar)}) over {t.n:,} samples; inputs ranked by the KS distance "
            "of their tail distribution from the overall one")
    note = (f"beyond noise: KS > {t.table()['ks_noise'][0]:.3f} (5% level); shift: the tail's "
            "median minus the overall median, in interquartile ranges")
    return "\n".join([head, text_table(["input", "KS", "beyond noise", "median", "tail median",
                                        "shift (IQR)", "tail draws it"], rows), note])


def stress_text(r: Any, strategy: str) -> str:
    """The stress runs beside the base case."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    import polars as pl

    from sim.display import money, probability, text_table

    rows = []
    for x in r.table().filter(pl.col("strategy") == strategy).iter_rows(named=True):
        base = x["scenario"] == "base"
        rows.append([x["scenario"], money(x["npv_mean"]), money(x["npv_p10"]),
                     money(x["npv_p90"]), probability(x["p_payback"], x["p_payback_se"]),
                     "–" if base else f"{'+' if x['delta_npv'] >= 0 else '-'}"
                     f"{money(abs(x['delta_npv']))} ± {money(x['delta_npv_se']).lstrip('$')}",
                     "–" if base else f"{x['delta_p']:+.3f}"])
    table = text_table(["scenario", "E[NPV]", "P10", "P90", f"P(pb<={r.months})",
                        "Δ E[NPV] ± se", "Δ P(pb)"], rows)
    return (f"{strategy}: stress runs beside the base case ({r.samples:,} samples each, common "
            f"random numbers)\n{table}")


def run(args: argparse.Namespace) -> int:
    """Tail drivers, stress runs; print them; write --html and --csv if asked."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision import check_strategies, simulate, stress_runs, tail_drivers
    from sim.decision.stress import default_stresses, parse_stress
    from sim.report.files import check_file_target, write_text
    from sim.study.errors import OutputError, StudyError

    try:
        study = load(args)
        if args.top < 1:
            raise ValueError(f"--top {args.top}: must be >= 1")
        stresses = [parse_stress(x) for x in args.stress or []]
        for flag, target in (("--html", args.html), ("--csv", args.csv)):
            if target:
                check_file_target(target, flag=flag, example=f"stress.{flag[2:]}")
        names = check_strategies(study, [args.strategy] if args.strategy else None)
        if not names:
            raise ValueError(f"{args.study}: the study has no strategy besides the baseline")
        if not study.uncertain_inputs():
            raise ValueError(f"{args.study}: every input is fixed: there is no tail to "
                             "explain; state a range for the inputs you are unsure of")
        s = names[0]
        base = simulate(study)
        tail = tail_drivers(base, s, fraction=args.tail)
        if args.stress is None:
            drivers = tail.table().filter("drives").select("input", "direction").rows()
            stresses = default_stresses(drivers, band=args.tail)
        result = stress_runs(study, stresses, strategies=[s], base=base)
    except (StudyError, OutputError, ValueError) as err:
        return error(str(err))
    print(tail_text(tail, args.top))
    print()
    print(stress_text(result, s))
    for line in result.sentences(s):
        print(line)
    if args.csv:
        write_text(args.csv, result.table().write_csv(), flag="--csv")
        print(f"wrote {args.csv}")
    if args.html:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.report.sections import page
        from sim.report.tool_sections import stress_section

        write_text(args.html, page(f"{study.name}: the downside",
                                   [stress_section(tail, result, top=args.top)]),
                   flag="--html")
        print(f"wrote {args.html}")
    return EXIT_OK
