"""``ftrisk sweep STUDY --param P``: the break-even map (docs/model.md, "Sensitivity")."""

from __future__ import annotations

import argparse
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands.run import add_study_options, load

NAME = "sweep"
ORDER = 30
HELP = "break-even map: P(payback <= N) and E[NPV] across values of one input"
DESCRIPTION = (
    "Sweep one input (e.g. workload.requests_per_day) over --values or a --range lo:hi:n "
    "(log-spaced when lo > 0): each value is a full Monte Carlo on common random numbers. "
    "Prints P(payback <= N) and E[NPV] per strategy and value, and where P crosses 50% "
    "and 90%.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk sweep``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--param", required=True, metavar="PATH",
                   help="input to sweep, e.g. workload.requests_per_day")
    r.add_argument("--values", metavar="V1,V2,...", help="values, e.g. 1000,2000,5000")
    r.add_argument("--range", dest="range_", metavar="LO:HI:N",
                   help="N values from LO to HI (log-spaced when LO > 0)")
    r.add_argument("--linear", action="store_true", help="space a --range linearly")
    r.add_argument("--months", type=int, help="N of P(payback <= N) (default: the study's "
                   "headline, 12 when asked for)")
    r.add_argument("--strategy", action="append", default=None, metavar="S",
                   help="strategy to show (repeatable; default: every non-baseline one)")
    r.add_argument("--html", metavar="FILE", help="write the chart and table to FILE")
    add_study_options(r)


def _values(args: argparse.Namespace) -> tuple[list[float], str]:
    from sim.decision import parse_values

    if (args.values is None) == (args.range_ is None):
        raise ValueError("give exactly one of --values V1,V2,... or --range LO:HI:N")
    values, scale = parse_values(args.values if args.values is not None else args.range_)
    if args.linear:
        if args.range_ is not None and scale == "log":
            import numpy as np

            values = np.linspace(values[0], values[-1], len(values)).tolist()
        scale = "linear"
    return values, scale


def sweep_text(sw: Any) -> str:
    """The break-even table (values down, strategies across) and the crossings."""
    from sim.display import money, number, prob, short, text_table

    names = list(dict.fromkeys(sw.frame["strategy"].to_list()))
    by = {(r["value"], r["strategy"]): r for r in sw.frame.iter_rows(named=True)}
    values = sorted({r[0] for r in by})
    header = [short(sw.param)]
    for s in names:
        header += [f"P(pb<={sw.months}) {s}", "± se", f"E[NPV] {s}"]
    rows = []
    for v in values:
        row = [number(v)]
        for s in names:
            r = by[(v, s)]
            row += [prob(r["p_payback"]), f"{r['p_payback_se']:.3f}",
                    money(r["npv_mean"], compact=True)]
        rows.append(row)
    lines = [text_table(header, rows), ""]
    for s in names:
        for level in (0.5, 0.9):
            hits = sw.crossings.filter((sw.crossings["strategy"] == s)
                                       & (sw.crossings["level"] == level))
            if hits.height:
                what = "; ".join(
                    f"{'rises' if d == 'up' else 'falls'} through it at ≈ {number(x)}, "
                    f"somewhere in {number(lo)}–{number(hi)} (interpolated between swept "
                    f"values; Monte Carlo ± {number(e)})"
                    for x, e, d, lo, hi in hits.select("value", "se", "direction", "lo",
                                                       "hi").rows())
            else:
                what = "not crossed in the range swept"
            lines.append(f"{s}: P(payback ≤ {sw.months}) = {level:.0%}: {what}")
    lines.append(f"each value: {sw.samples:,} samples on common random numbers")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Sweep, print the map and its crossings; write --html if asked."""
    from sim.decision import sweep
    from sim.report.files import check_file_target, write_text
    from sim.study.errors import OutputError, StudyError

    try:
        study = load(args)
        values, scale = _values(args)
        if args.html:
            check_file_target(args.html, flag="--html", example="sweep.html")
        sw = sweep(study, args.param, values, months=args.months, scale=scale,  # type: ignore[arg-type]
                   strategies=args.strategy)
    except (StudyError, OutputError, ValueError) as err:
        return error(str(err))
    print(sweep_text(sw))
    if args.html:
        from sim.report.sections import page, sweep_section

        write_text(args.html, page(f"{study.name}: break-even map", [sweep_section(sw)]),
                   flag="--html")
        print(f"wrote {args.html}")
    return EXIT_OK
