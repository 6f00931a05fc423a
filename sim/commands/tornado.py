"""``ftrisk tornado STUDY``: which unknown drives the answer (docs/model.md, "Sensitivity")."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands.run import add_scheduler_option, add_study_options, load, scheduler_client

NAME = "tornado"
ORDER = 20
HELP = ("which unknown drives the answer: tornado, rank correlations, Sobol' indices, "
        "Shapley effects")
DESCRIPTION = (
    "Tornado of a study's output: each uncertain input at its P10 and its P90 with the "
    "others held (at their medians for npv; sampled on common random numbers for a "
    "probability), beside the sample-based tornado (lowest vs highest decile of the "
    "input's samples) and Spearman rank correlations; optionally Sobol' indices and Shapley "
    "effects (with correlated inputs). Prints tables; --html writes an offline page with "
    "the charts.")


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk tornado``."""
    r.add_argument("study", help="study file (TOML)")
    r.add_argument("--strategy", action="append", default=None, metavar="S",
                   help="strategy to explain (repeatable; default: every non-baseline one)")
    r.add_argument("--metric", default="npv",
                   help="npv (E[NPV], $) or payback_within:N (P(payback <= N months)) "
                   "(default: %(default)s)")
    r.add_argument("--top", type=int, default=12,
                   help="inputs listed, a count (default: %(default)s)")
    r.add_argument("--sobol", action="store_true", help="also compute Sobol' indices")
    r.add_argument("--sobol-samples", type=int, default=8192, metavar="N",
                   help="Sobol' base samples, a power of 2 (default: %(default)s)")
    r.add_argument("--shapley", action="store_true",
                   help="also compute Shapley effects (they respect the study's stated "
                   "correlations, which Sobol' indices ignore)")
    r.add_argument("--shapley-evaluations", type=int, default=1 << 17, metavar="N",
                   help="model evaluations the Shapley estimate spends (default: "
                   "%(default)s; its standard error falls as 1/sqrt(N))")
    r.add_argument("--html", metavar="FILE",
                   help="write the charts and tables to FILE (default: print only)")
    add_study_options(r)
    add_scheduler_option(r)


#: Most inputs listed (a study has far fewer).
MAX_TOP = 10_000
#: Most model evaluations of the Shapley effects (32x the default).
MAX_SHAPLEY = 1 << 22


def _sobol(study: Any, n: int, metric: Any, names: list[str], client: Any = None) -> Any:
    """Sobol' indices (on ``client``'s cluster when given), with a bad --sobol-samples
    named as such."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision import sobol_analysis

    try:
        return sobol_analysis(study, n=n, metric=metric, strategies=names, client=client)
    except ValueError as err:
        if str(err).startswith("n="):
            raise ValueError(f"--sobol-samples {err}") from None
        raise


def _row(c: dict[str, Any], d: dict[str, Any] | None, rho: float | None, is_prob: bool
         ) -> list[str]:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import money, number, prob, short

    def fmt(v: float) -> str:
        return prob(v) if is_prob else money(v, compact=True)

    row = [short(c["input"]), f"{number(c['low_value'])} → {number(c['high_value'])}",
           fmt(c["low"]), fmt(c["high"]), fmt(c["swing"])]
    row += [fmt(d["low"]), fmt(d["high"])] if d else ["–", "–"]
    row.append(f"{rho:+.3f}" if rho is not None else "–")
    return row


def tornado_text(classic: Any, deciles: Any, rho: Any, strategy: str, top: int) -> str:
    """The terminal table of one strategy: classic tornado, deciles and Spearman."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    import polars as pl

    from sim.display import money, short, text_table

    m = classic.metric
    rows = classic.table(strategy)
    # deciles within Monte Carlo noise are left blank ("–"), as are inputs not entering it
    dec = {r["input"]: r for r in deciles.significant(strategy).iter_rows(named=True)}
    corr = dict(rho.filter(pl.col("strategy") == strategy).select("input", "spearman").rows())
    held = "sampled (common random numbers)" if classic.method == "conditional" else (
        "at their medians")
    base = rows["base"][0] if rows.height else 0.0
    head = (f"{strategy}: {m.label} with each input at its P10 / P90, the others {held}; "
            f"base {base:.3f}" if m.is_probability else
            f"{strategy}: {m.label} with each input at its P10 / P90, the others {held}; "
            f"base {money(base, compact=True)}")
    moving = rows.filter(pl.col("swing") > 0)
    table = text_table(
        ["input", "P10 → P90", "at P10", "at P90", "swing", "low 10%", "high 10%", "Spearman"],
        [_row(r, dec.get(r["input"]), corr.get(r["input"]), m.is_probability)
         for r in moving.head(top).iter_rows(named=True)])
    lines = [head, table]
    enters = set(deciles.table(strategy)["input"].to_list()) | set(moving["input"].to_list())
    still = rows.filter((pl.col("swing") == 0) & pl.col("input").is_in(list(enters)))
    if still.height:
        lines.append(f"no influence: {', '.join(short(p) for p in still['input'])}")
    others = rows.filter(~pl.col("input").is_in(list(enters))).height
    if others:
        what = (f"{others} inputs of other strategies do" if others > 1
                else "1 input of another strategy does")
        lines.append(f"{what} not enter {strategy}: left out")
    return "\n".join(lines)


def sobol_text(sob: Any, strategy: str, top: int) -> str:
    """Sobol' indices of one strategy as a terminal table."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    import polars as pl

    from sim.display import short, text_table

    rows = sob.table(strategy).filter(pl.col("ST") > 0).head(top)
    table = text_table(["input", "S1", "95% CI", "ST", "95% CI"], [
        [short(r["input"]), f"{r['S1']:.3f}", f"[{r['S1_lo']:.3f}, {r['S1_hi']:.3f}]",
         f"{r['ST']:.3f}", f"[{r['ST_lo']:.3f}, {r['ST_hi']:.3f}]"]
        for r in rows.iter_rows(named=True)])
    return (f"Sobol' indices, {strategy}: shares of {sob.metric.variance_label} "
            f"({sob.n:,} base samples)\n{table}")


def shapley_text(res: Any, strategy: str, top: int) -> str:
    """Shapley effects of one strategy as a terminal table."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import short, text_table

    rows = [[short(r["input"]), f"{r['shapley'] if abs(r['shapley']) >= 5e-4 else 0.0:.3f}",
             f"{r['se']:.3f}"]
            for r in res.table(strategy).head(top).iter_rows(named=True)]
    how = ("with the study's correlations" if res.correlated else "independent inputs")
    return (f"Shapley effects of {res.metric.label}, {strategy} ({how}; "
            f"{res.permutations:,} permutations, {res.evaluations:,} model evaluations)\n"
            + text_table(["input", "share of variance", "± se"], rows))


def _metric_and_strategies(study: Any, args: argparse.Namespace) -> tuple[Any, list[str]]:
    """``--metric`` and ``--strategy`` checked against the study, naming the flag at fault."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision import check_strategies, parse_metric

    try:
        metric = parse_metric(args.metric, horizon=study.horizon_months)
    except ValueError as err:
        raise ValueError(f"--metric: {err}") from None
    try:
        return metric, check_strategies(study, args.strategy)
    except ValueError as err:
        raise ValueError(f"--strategy: {err}") from None


def run(args: argparse.Namespace) -> int:
    """Compute and print the tornadoes (Sobol' indices, Shapley effects); write --html."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import whole_problem
    from sim.decision import (
        classic_tornado,
        rank_correlations,
        sample_tornado,
        shapley_analysis,
        simulate,
    )
    from sim.report.files import check_file_target
    from sim.study.errors import OutputError, StudyError

    with contextlib.ExitStack() as stack:
        try:
            if args.scheduler is not None and not args.sobol:
                raise ValueError(f"--scheduler {args.scheduler}: only the Sobol' indices run "
                                 "on a cluster; add --sobol or drop --scheduler")
            study = load(args)
            if args.html:
                check_file_target(args.html, flag="--html", example="tornado.html")
            metric, names = _metric_and_strategies(study, args)
            top = whole_problem(args.top, 1, MAX_TOP, "inputs listed")
            if top:
                raise ValueError(f"--top: {top}")
            if not names:
                raise ValueError(f"{args.study}: the study has no strategy besides the "
                                 "baseline")
            if args.shapley and args.shapley_evaluations < 1:
                raise ValueError(f"--shapley-evaluations {args.shapley_evaluations}: must "
                                 "be >= 1")
            evaluations = whole_problem(args.shapley_evaluations, 1, MAX_SHAPLEY,
                                        "model evaluations; memory grows with them")
            if args.shapley and evaluations:
                raise ValueError(f"--shapley-evaluations: {evaluations}")
            client = (stack.enter_context(scheduler_client(args)) if args.sobol
                      else None)
            classic = classic_tornado(study, metric=metric, strategies=names)
            samples = simulate(study)
            deciles = sample_tornado(samples, metric=metric, strategies=names)
            rho = rank_correlations(samples, metric=metric, strategies=names)
            sob = (_sobol(study, args.sobol_samples, metric, names, client)
                   if args.sobol else None)
            shap = (shapley_analysis(study, metric=metric, strategies=names,
                                     budget=args.shapley_evaluations)
                    if args.shapley and study.uncertain_inputs() else None)
        except (StudyError, OutputError, ValueError) as err:
            return error(str(err))
    if not study.uncertain_inputs():
        print(f"{args.study}: every input is fixed, so nothing moves the answer; state a "
              "range for the inputs you are unsure of (e.g. \"3000 to 8000\")")
        return EXIT_OK
    parts = [tornado_text(classic, deciles, rho, s, args.top) for s in names]
    if sob is not None:
        parts += [sobol_text(sob, s, args.top) for s in names]
        parts += list(sob.notes)
    if shap is not None:
        parts += [shapley_text(shap, s, args.top) for s in names]
    print("\n\n".join(parts))
    print(f"\nlow/high 10%: mean over the {study.samples:,} samples ({study.sampling}, seed "
          f"{study.seed}) whose input lies in its lowest / highest decile; '–' where the two "
          "differ by less than two standard errors (Monte Carlo noise).")
    if args.html:
        _write_html(Path(args.html), study, names, classic, deciles, rho, sob, args.top, shap)
        print(f"wrote {args.html}")
    return EXIT_OK


def _write_html(path: Path, study: Any, names: list[str], classic: Any, deciles: Any,
                rho: Any, sob: Any, top: int, shap: Any = None) -> None:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.report.files import write_text
    from sim.report.sections import Section, page, tornado_section
    from sim.report.tool_sections import shapley_section

    parts: list[Section] = []
    for i, s in enumerate(names):
        sec = tornado_section(classic, s, deciles=deciles, correlations=rho, sobol=sob,
                              top=top, key=f"s{i}-", study=study)
        parts.append(Section(study.strategies[s].label, sec.body, sec.charts))
        if shap is not None:
            parts.append(shapley_section(shap, s, top=top, key=f"s{i}-"))
    write_text(path, page(f"{study.name}: which unknown matters most?", parts), flag="--html")
