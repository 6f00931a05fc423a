"""``ftrisk sweep STUDY --param P``: the break-even map (docs/model.md, "Sensitivity")."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands._status import Status
from sim.commands.run import add_scheduler_option, add_study_options, load, scheduler_client

NAME = "sweep"
ORDER = 30
HELP = "break-even map: P(payback <= N) and E[NPV] across one input, or a map of two"
DESCRIPTION = (
    "Sweep one input (e.g. workload.requests_per_day) over --values or a --range lo:hi:n "
    "(log-spaced when lo > 0): each value is a full Monte Carlo on common random numbers. "
    "Prints P(payback <= N) and E[NPV] per strategy and value, and where P crosses 50% "
    "and 90%. With --param2 and --values2/--range2: a two-input map of P(payback <= N) for "
    "one strategy with its 50% contour, and the best strategy (max E[NPV]) per cell.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk sweep``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--param", required=True, metavar="PATH",
                   help="input to sweep, a study key, e.g. workload.requests_per_day "
                   "(required)")
    r.add_argument("--values", metavar="V1,V2,...",
                   help="values in the input's own unit, e.g. 1000,2000,5000 (default: none; "
                   "give --values or --range)")
    r.add_argument("--range", dest="range_", metavar="LO:HI:N",
                   help="N values from LO to HI in the input's own unit (log-spaced when LO "
                   "> 0; default: none; give --values or --range)")
    r.add_argument("--linear", action="store_true", help="space a --range linearly")
    r.add_argument("--months", type=int, help="N of P(payback <= N), months (default: the study's "
                   "headline, 12 when asked for)")
    r.add_argument("--strategy", action="append", default=None, metavar="S",
                   help="strategy to show (repeatable; default: every non-baseline one)")
    r.add_argument("--param2", metavar="PATH",
                   help="a second input: a two-input map (at most 400 cells; default: "
                   "none, a one-input sweep)")
    r.add_argument("--values2", metavar="V1,V2,...",
                   help="values of --param2 in its own unit (default: none; with --param2 "
                   "give --values2 or --range2)")
    r.add_argument("--range2", metavar="LO:HI:N", help="N values of --param2 (log-spaced "
                   "when LO > 0; --linear spaces both ranges linearly; default: none)")
    r.add_argument("--html", metavar="FILE",
                   help="write the chart and table to FILE (default: print only)")
    r.add_argument("--csv", metavar="FILE",
                   help="write the table to FILE (CSV; default: print only)")
    add_study_options(r)
    add_scheduler_option(r)


def _values(args: argparse.Namespace, second: bool = False) -> tuple[list[float], str]:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision import parse_values

    listed, ranged = ((args.values2, args.range2) if second else (args.values, args.range_))
    flags = "--values2 V1,V2,... or --range2 LO:HI:N" if second else (
        "--values V1,V2,... or --range LO:HI:N")
    if (listed is None) == (ranged is None):
        raise ValueError(f"give exactly one of {flags}")
    try:
        values, scale = parse_values(listed if listed is not None else ranged)
    except ValueError as err:
        raise ValueError(f"{flags.split()[0] if listed is not None else flags.split()[-2]}: "
                         f"{err}") from None
    if args.linear:
        if ranged is not None and scale == "log":
            # deferred: ftrisk --help must not load numpy, polars or the models
            import numpy as np

            values = np.linspace(values[0], values[-1], len(values)).tolist()
        scale = "linear"
    return values, scale


def _check_input(study: Any, param: str, values: list[float], second: bool,
                 ranged: bool) -> None:
    """Check ``param`` and its values before any run, naming the flag at fault."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision.sweep import check_param

    pflag = "--param2" if second else "--param"
    vflag = ("--range" if ranged else "--values") + ("2" if second else "")
    try:
        study.input(param)
    except KeyError:
        try:
            check_param(study, param, [])
        except ValueError as err:
            raise ValueError(f"{pflag}: {err}") from None
    try:
        check_param(study, param, values)
    except ValueError as err:
        raise ValueError(f"{vflag}: {err}") from None


def map_text(m: Any) -> str:
    """The two-input map on the terminal: P(payback <= N) of its strategy (values down the
    rows, values2 across), the best strategy per cell, and the 50% contour."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import number, plus_minus, short, text_table

    p = m.grid("p_payback")
    xs = sorted(set(m.frame["value"].to_list()))
    ys = sorted(set(m.frame["value2"].to_list()))
    best = {(r["value"], r["value2"]): r["best"] for r in m.best.iter_rows(named=True)}
    head = [f"{short(m.param)} \\ {short(m.param2)}", *(number(y) for y in ys)]
    grid = text_table(head, [[number(x), *(f"{p[j, i]:.3f}" for j in range(len(ys)))]
                             for i, x in enumerate(xs)])
    names = sorted(set(best.values()))
    letters = {b: chr(ord("A") + k) for k, b in enumerate(names)}
    bgrid = text_table(head, [[number(x), *(letters[best[(x, y)]] for y in ys)] for x in xs])
    legend = ", ".join(f"{v} = {k}" for k, v in letters.items())
    lines = [f"P(payback ≤ {m.months}) of {m.strategy}", grid, "",
             f"best strategy per cell (max E[NPV] among the feasible ones): {legend}", bgrid,
             ""]
    pts = m.contour.filter(m.contour["along"] == "param").sort("value2")
    for r in pts.iter_rows(named=True):
        lines.append(f"{short(m.param2)} = {number(r['value2'])}: P(payback ≤ {m.months}) = "
                     f"{r['level']:.0%} at {short(m.param)} ≈ "
                     f"{plus_minus(r['value'], r['se'])}")
    if not pts.height:
        lines.append(f"P(payback ≤ {m.months}) does not cross 50% along {short(m.param)} in "
                     "this grid")
    lines.append(f"each cell: {m.samples:,} samples on common random numbers")
    return "\n".join(lines)


def sweep_text(sw: Any) -> str:
    """The break-even table (values down, strategies across) and the crossings."""
    # deferred: ftrisk --help must not load numpy, polars or the models
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
    """Sweep (or map), print the table and crossings; write --html and --csv if asked."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import whole_problem
    from sim.decision import check_strategies, sweep, sweep_map
    from sim.report.files import check_file_target, write_text
    from sim.runner.cluster import scheduler_address
    from sim.study.errors import OutputError, StudyError

    months = None if args.months is None else whole_problem(args.months, 1, 600, "months")
    if months:
        return error(f"--months: {months}")
    two = args.param2 is not None
    with Status() as status, contextlib.ExitStack() as stack:
        try:
            scheduler_address(args.scheduler)
            study = load(args)
            values, scale = _values(args)
            if not two and (args.values2 is not None or args.range2 is not None):
                raise ValueError("--values2/--range2: give --param2 PATH, the second input")
            _check_input(study, args.param, values, False, args.range_ is not None)
            if two:
                values2, scale2 = _values(args, second=True)
                _check_input(study, args.param2, values2, True, args.range2 is not None)
            try:
                check_strategies(study, args.strategy)
            except ValueError as err:
                raise ValueError(f"--strategy: {err}") from None
            for flag, target in (("--html", args.html), ("--csv", args.csv)):
                if target:
                    check_file_target(target, flag=flag, example=f"sweep.{flag[2:]}")
            client = stack.enter_context(scheduler_client(args))
            if two:
                result: Any = sweep_map(
                    study, args.param, values, args.param2, values2, months=args.months,
                    scale=scale, scale2=scale2,  # type: ignore[arg-type]
                    strategy=args.strategy[0] if args.strategy else None, client=client,
                    progress=status)
            else:
                result = sweep(study, args.param, values, months=args.months,
                               scale=scale,  # type: ignore[arg-type]
                               strategies=args.strategy, client=client, progress=status)
        except (StudyError, OutputError, ValueError) as err:
            return error(str(err))
    print(map_text(result) if two else sweep_text(result))
    if args.csv:
        write_text(args.csv, result.table().write_csv(), flag="--csv")
        print(f"wrote {args.csv}")
    if args.html:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.report.sections import page, sweep_section
        from sim.report.tool_sections import map_section

        section = map_section(result) if two else sweep_section(result)
        write_text(args.html, page(f"{study.name}: break-even map", [section]), flag="--html")
        print(f"wrote {args.html}")
    return EXIT_OK
