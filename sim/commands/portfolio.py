"""``ftrisk portfolio PORTFOLIO.toml``: several use cases on one budget and one future."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.commands import EXIT_OK, error

NAME = "portfolio"
ORDER = 45
HELP = "a portfolio of studies: shared futures, limits, the best subset and order"
DESCRIPTION = (
    "Run the member studies of a portfolio file on common futures (its shared inputs drawn "
    "once per sample for all), find the best subset and start order of projects under the "
    "limits (engineering hours per quarter, MLOps FTE, upfront budget), and write "
    "summary.json, samples.parquet, manifest.json and report.html (default "
    "out/<portfolio-stem>/).")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk portfolio``."""
    r.add_argument("portfolio", help="portfolio file (TOML)")
    r.add_argument("--out", help="output folder (default: out/<portfolio-stem>/)")
    r.add_argument("--samples", type=int, help="number of samples (overrides the file)")
    r.add_argument("--seed", type=int, help="seed of the shared inputs (overrides the file)")
    r.add_argument("--objective", choices=["npv", "payback", "cvar"],
                   help="what the plan maximizes (overrides the file)")
    r.add_argument("--quiet", action="store_true", help="print only the best plan")
    from sim.commands.run import add_scheduler_option

    add_scheduler_option(r)


def portfolio_text(result: Any) -> str:
    """The terminal view: each member's part, the timings, the plans ranked."""
    from sim.display import money, prob, text_table

    p = result.portfolio
    n = p.payback_months
    rows = [[r["member"], r["strategy"] or "-",
             "-" if r["start_month"] is None else str(r["start_month"]),
             money(r["npv_contribution"]),
             "-" if r["upfront"] is None else money(r["upfront"]),
             "-" if r["engineering_hours"] is None else f"{r['engineering_hours']:,.0f}",
             "-" if r["mlops_fte"] is None else f"{r['mlops_fte']:.2f}"]
            for r in result.table().to_dicts()]
    out = [text_table(["member", "strategy", "start", "mean NPV part", "mean upfront", "mean hours",
                       "mean FTE"], rows)]
    rows = [[r["timing"], money(r["npv_mean"]), f"{r['npv_se']:,.0f}", prob(r["p_payback"]),
             money(r["cvar5"]), r["starts"] or "-"] for r in result.timing_table().to_dicts()]
    out += ["", text_table(["timing", "E[NPV]", "± se", f"P(pb<={n})", "CVaR 5%", "starts"],
                           rows)]
    out.append(f"{p.samples:,} samples (shared inputs: seed {p.seed}, {p.sampling}); horizon "
               f"{p.horizon_months} months; {result.search.method} search over "
               f"{result.search.schedules:,} schedules; value of parallel over sequential "
               f"{money(result.value_of_parallel)}, cost of the hours limit "
               f"{money(result.cost_of_limits)} (E[NPV]).")
    out += [f"warning: {w}" for w in p.warnings]
    return "\n".join(out)


def best_text(result: Any) -> str:
    """One sentence: the best plan and its headline figures."""
    from sim.display import money, prob

    b = result.best
    plan = ", ".join(f"{result.name_of(k)} from month {d + 1}" for k, d in
                     zip(result.search.picks, result.search.starts, strict=True))
    return (f"Best plan ({result.portfolio.objective}): {plan or 'no project'}; E[NPV] "
            f"{money(b.npv_mean)} ± {b.npv_se:,.0f}, P(portfolio payback <= "
            f"{result.portfolio.payback_months}) {prob(b.p_payback)}.")


def load(args: argparse.Namespace) -> Any:
    """The portfolio with the command line's overrides (raises StudyError)."""
    import hashlib

    from sim.portfolio.spec import portfolio_from_dict, read_toml

    doc, raw = read_toml(Path(args.portfolio), args.portfolio)
    settings = doc.setdefault("portfolio", {})
    for key in ("samples", "seed", "objective"):
        value = getattr(args, key, None)
        if value is not None and isinstance(settings, dict):
            settings[key] = value
    return portfolio_from_dict(doc, file=args.portfolio, sha256=hashlib.sha256(raw).hexdigest())


def run(args: argparse.Namespace) -> int:
    """Run the portfolio into its output folder; print the plan."""
    from sim.commands._status import Status
    from sim.study.errors import OutputError, StudyError

    if args.samples is not None and args.samples < 1:
        return error(f"--samples {args.samples}: must be >= 1")
    if args.seed is not None and args.seed < 0:
        return error(f"--seed {args.seed}: must be >= 0")
    out = Path(args.out) if args.out else Path("out") / Path(args.portfolio).stem
    from sim.report.folder import check_out_folder

    try:
        portfolio = load(args)
        check_out_folder(out, study_file=args.portfolio, flag="--out")
    except (StudyError, OutputError) as err:
        return error(str(err))
    import contextlib

    from sim.commands.run import scheduler_client
    from sim.portfolio import run_portfolio
    from sim.report.portfolio_page import write_portfolio
    from sim.runner.cluster import SchedulerError, scheduler_address

    try:
        scheduler_address(args.scheduler)
    except SchedulerError as err:
        return error(str(err))
    with Status(enabled=not args.quiet) as status, contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(scheduler_client(args))
        except SchedulerError as err:
            return error(str(err))
        result = run_portfolio(portfolio, progress=status, on_stage=status.stage,
                               client=client)
        status.stage("report")
        try:
            write_portfolio(result, out)
        except OutputError as err:
            return error(f"--out {err}")
    if not args.quiet:
        print(portfolio_text(result))
        print(f"\nwrote {out}/: report.html, summary.json, samples.parquet, manifest.json\n")
    print(best_text(result))
    return EXIT_OK
