"""``ftrisk run STUDY``: run a study into its output folder (the files: README, Commands)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.commands import EXIT_OK, error
from sim.commands._status import Status

NAME = "run"
ORDER = 0
HELP = "run a study: payback distribution, NPV, strategy comparison, report"
DESCRIPTION = ("Run a study and write summary.json, samples.parquet, manifest.json and "
               "report.html into the output folder (default out/<study-stem>/).")


#: Most worker threads (each holds two chunks in memory).
MAX_WORKERS = 256
#: Largest chunk: memory is about chunk x (inputs + outputs) x 8 bytes, ~1 GB at 2^22.
MAX_CHUNK = 1 << 22
#: Default chunk (samples): a worker's chunk and its model's working arrays are ~30 MiB at
#: 2^15 samples for five strategies; at 2^14 a 10^6-sample run of
#: benchmarks/five_strategies.toml peaked at ~377 MiB instead of ~392 (max 387 against 404),
#: in the same CPU time.
CHUNK = 1 << 14


def add_arguments(r: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk run``."""
    r.add_argument("study", help="study file (TOML)")
    add_study_options(r)
    r.add_argument("--out", help="output folder (default: out/<study-stem>/)")
    r.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="worker threads (results do not depend on it; default: %(default)s)")
    r.add_argument("--chunk-size", type=int, default=CHUNK, metavar="N",
                   help="samples per chunk (memory; results do not depend on it; "
                   "default: %(default)s)")
    r.add_argument("--quiet", action="store_true", help="print only the answer")
    r.add_argument("--criterion", choices=["npv", "payback", "cvar"],
                   help="how the strategy is picked: max E[NPV], max P(payback <= N) or max "
                   "CVaR 5%% (default: the study's [study] criterion, npv when unset)")
    r.add_argument("--yes", action="store_true",
                   help="write samples.parquet even when it would exceed 2 GB")
    r.add_argument("--xlsx", action="store_true",
                   help="also write summary.xlsx: the spreadsheet view, monthly cash flows "
                   "and the distribution summary, for the finance partner")
    r.add_argument("--target-se", metavar="SE",
                   help="draw blocks of samples until every strategy's standard error meets "
                   "SE: 0.005 (P(payback <= N), the study's headline N), "
                   "payback_within:N=0.005 or npv=500 (E[NPV], dollars; default: no target, "
                   "the study's sample count)")
    r.add_argument("--max-samples", type=int, metavar="N",
                   help="the most samples --target-se may draw (default: 1,048,576)")
    add_scheduler_option(r)


def add_scheduler_option(r: argparse.ArgumentParser) -> None:
    """``--scheduler``: evaluate on a Dask cluster (results identical to a local run)."""
    r.add_argument("--scheduler", metavar="ADDR",
                   help="evaluate the sample blocks on a Dask cluster: tcp://host:8786 (a "
                   "running dask scheduler; default $DASK_SCHEDULER_ADDRESS) or local:N (N "
                   "worker processes on this machine); results are identical to a local run")


@contextlib.contextmanager
def scheduler_client(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client ``--scheduler`` asks for, or None (raises SchedulerError)."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.runner.cluster import cluster, scheduler_address

    address = scheduler_address(getattr(args, "scheduler", None))
    if address is None:
        yield None
        return
    with cluster(address) as client:
        yield client


def add_study_options(r: argparse.ArgumentParser) -> None:
    """The options every study command shares: --samples, --seed, --sampling, --set."""
    r.add_argument("--samples", type=int, metavar="N",
                   help="Monte Carlo samples (default: the study's [study] samples)")
    r.add_argument("--seed", type=int, metavar="N",
                   help="random seed, a whole number (default: the study's [study] seed)")
    r.add_argument("--sampling", choices=["mc", "lhs", "sobol"],
                   help="sampling plan: Monte Carlo, Latin hypercube or scrambled Sobol' "
                   "(default: the study's [study] sampling)")
    add_set_option(r)


def add_set_option(r: argparse.ArgumentParser, example: str = "strategies.x.gpu_hourly=1.2",
                   ) -> None:
    """``--set KEY=VALUE``: override a study value (repeatable)."""
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help=f"override a study value in the study's own unit, e.g. {example} "
                   "(repeatable; default: none, the file as written)")


def overrides(args: argparse.Namespace) -> list[str]:
    """The ``--set`` items plus --samples/--seed/--sampling as study overrides."""
    out = list(args.set)
    for key in ("samples", "seed", "sampling", "criterion"):
        value = getattr(args, key, None)
        if value is not None:
            out.append(f'study.{key}="{value}"' if isinstance(value, str) else
                       f"study.{key}={value}")
    return out


def study_flag_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with --samples or --seed (``--flag: problem``), or None."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import MAX_SAMPLES, MAX_SEED, flag_problems, whole_problem

    return flag_problems(
        ("--samples", None if args.samples is None else whole_problem(
            args.samples, 1, MAX_SAMPLES, "samples of the run")),
        ("--seed", None if args.seed is None else whole_problem(args.seed, 0, MAX_SEED)))


def load(args: argparse.Namespace) -> Any:
    """Load the study named on the command line with its overrides (raises StudyError)."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.study import load_study
    from sim.study.errors import StudyError

    problem = study_flag_problem(args)
    if problem:
        flag, _, text = problem.partition(": ")
        raise StudyError(args.study, flag, text)
    return load_study(args.study, overrides=overrides(args))


def summary_text(summary: Any) -> str:
    """The terminal summary table of a run, with its notes and any warnings."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import median_payback, money, months, prob, probability, text_table

    study = summary.study
    header = ["strategy"] + [f"P(pb<={n})" for n in study.payback_within]
    header += ["median pb", "E[NPV]", "± se", "NPV P10", "NPV P90", "P(best)", "sheet pb"]
    rows = []
    for s in summary.strategies.values():
        row = [s.name + (" *" if s.is_baseline else "")]
        for n in study.payback_within:
            p = s.p_payback_within(n)
            row.append("-" if s.is_baseline else probability(p, s.se(p)))
        row.append("-" if s.is_baseline else median_payback(
            s.payback_median_months, s.payback_median_fractional, study.horizon_months))
        se = "–" if s.npv_mean_se is None else f"{s.npv_mean_se:,.0f}"
        row += [money(s.npv_mean), se, money(s.npv_quantiles[0.1]),
                money(s.npv_quantiles[0.9]), "excluded" if s.p_best is None else prob(s.p_best)]
        pb = months(s.point_estimate.get("payback_months"))
        row.append("-" if pb is None else pb)
        rows.append(row)
    note = (f"* baseline. {study.samples:,} samples ({study.sampling}, seed {study.seed}), "
            f"horizon {study.horizon_months} months; ± = Monte Carlo standard error; "
            "median pb = the median payback month (in brackets: fractional, interpolated "
            "inside the month); sheet pb = the static spreadsheet payback (months).")
    if summary.constrained:
        every = ", ".join(f"{s.name} {prob(s.p_best_all)}" for s in summary.strategies.values())
        note += ("\nP(best) among the strategies meeting the study's constraints; "
                 f"ignoring them: {every}.")
        for s in summary.strategies.values():
            if not s.feasible:
                note += f"\nexcluded: {s.name}: {s.infeasible_reason}."
    for w in summary.warnings:
        note += f"\nwarning: {w}"
    return text_table(header, rows) + "\n" + note


def _bytes(n: float) -> str:
    """``42.0 GB`` style (decimal units).

    Examples
    --------
    >>> _bytes(42e9), _bytes(2688), _bytes(1.5e6)
    ('42.0 GB', '2.7 kB', '1.5 MB')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1e3:,.1f} kB"


def size_check(args: argparse.Namespace, study: Any, out: Path) -> str | None:
    """The error when samples.parquet would exceed the size guard without --yes (else None;
    with --yes, say the size on stderr)."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.report.folder import SIZE_GUARD_BYTES, samples_file_bytes
    from sim.runner.runner import bytes_per_sample

    size = samples_file_bytes(study)
    if size <= SIZE_GUARD_BYTES:
        return None
    gb = "about " + _bytes(size)
    if args.yes:
        print(f"ftrisk: writing {gb} of samples into {out}/ (--yes)", file=sys.stderr)
        return None
    most = SIZE_GUARD_BYTES // bytes_per_sample(study)
    flag = "--max-samples" if getattr(args, "target_se", None) else "--samples"
    where = (f"{flag} {study.samples:,}" if flag == "--max-samples" or args.samples is not None
             else f"{args.study}: study.samples {study.samples:,}")
    return (f"{where}: samples.parquet would take {gb} (over the {SIZE_GUARD_BYTES / 1e9:g} "
            f"GB guard); add --yes to write it anyway, or lower {flag} to at most {most:,}")


#: --max-samples default (precision control's cap).
MAX_SAMPLES = 1 << 20


def _target(args: argparse.Namespace, study: Any) -> Any:
    """The --target-se asked for (None without it); ValueError for bad flags."""
    if args.target_se is None:
        if args.max_samples is not None:
            raise ValueError("--max-samples: only used with --target-se; give --samples N for "
                             "a fixed count")
        return None
    if args.samples is not None:
        raise ValueError("--samples: --target-se chooses the sample count; drop --samples (cap "
                         "the count with --max-samples)")
    if args.max_samples is not None and args.max_samples < 1:
        raise ValueError(f"--max-samples {args.max_samples}: must be >= 1")
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import MAX_SAMPLES, whole_problem

    if args.max_samples is not None and args.max_samples > MAX_SAMPLES:
        raise ValueError(f"--max-samples: {whole_problem(args.max_samples, 1, MAX_SAMPLES)}")
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision.precision import parse_target_se

    return parse_target_se(args.target_se, horizon=study.horizon_months,
                           months=study.primary_months)


def _annotate(chosen: Any) -> Any:
    """The manifest's ``precision`` entry: the target, the count, the SEs the run reached."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.decision.precision import reached_in

    def annotate(result: Any) -> dict[str, Any]:
        reached = reached_in(result.summary, chosen.target)
        met = all(se <= chosen.target.se for se in reached.values())
        return {"precision": {**chosen.manifest(), "met": met, "se_reached": reached}}

    return annotate


def precision_text(p: dict[str, Any]) -> str:
    """One line on the terminal: what --target-se reached with how many samples."""
    worst = max(p["se_reached"].values())
    fmt = (lambda v: f"{v:,.0f}") if p["target"].startswith("npv") else (
        lambda v: f"{v:.4f}")
    head = (f"precision: {p['quantity']} to a standard error of {fmt(p['target_se'])} "
            f"(largest reached {fmt(worst)})")
    if p["met"]:
        return f"{head} with {p['samples']:,} samples."
    return (f"{head}: NOT met at --max-samples {p['max_samples']:,}; raise --max-samples "
            "or relax --target-se.")


def run(args: argparse.Namespace) -> int:
    """Run the study into its output folder; print the summary and the answer."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import flag_problems, whole_problem
    from sim.report.folder import check_out_folder, run_to_folder
    from sim.study.errors import OutputError, StudyError

    try:
        study = load(args)
    except StudyError as err:
        return error(str(err))
    problem = flag_problems(
        ("--workers", whole_problem(args.workers, 1, MAX_WORKERS, "threads")),
        ("--chunk-size", whole_problem(args.chunk_size, 1, MAX_CHUNK,
                                       "samples in memory at once")))
    if problem:
        return error(problem)
    out = Path(args.out) if args.out else Path("out") / Path(args.study).stem
    try:
        target = _target(args, study)
        check_out_folder(out, study_file=args.study, flag="--out")
    except (OutputError, ValueError) as err:
        return error(str(err))
    too_big = size_check(args, study if target is None else study.replace(
        samples=args.max_samples or MAX_SAMPLES), out)
    if too_big:
        return error(too_big)
    chosen = None
    # deferred: ftrisk --help must not load numpy, polars or the models
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
        try:
            if target is not None:
                # deferred: ftrisk --help must not load numpy, polars or the models
                from sim.decision.precision import plan_samples

                chosen = plan_samples(study, target,
                                      max_samples=args.max_samples or MAX_SAMPLES,
                                      progress=status)
                status.close()
                study = study.replace(samples=chosen.samples)
            result = run_to_folder(study, out, workers=args.workers,
                                   chunk_size=args.chunk_size, progress=status,
                                   on_stage=status.stage, xlsx=args.xlsx,
                                   annotate=None if chosen is None else _annotate(chosen),
                                   client=client)
        except OutputError as err:
            return error(f"--out {err}")
    if not args.quiet:
        print(summary_text(result.summary))
        print()
    if chosen is not None:
        print(precision_text(result.manifest["precision"]))
    print(result.summary.answer)
    if not args.quiet:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.runner.notes import run_notes

        print("\n".join(run_notes(result.summary).lines()))
        xlsx = ", summary.xlsx" if args.xlsx else ""
        print(f"\nwrote {out}/: report.html, summary.json, samples.parquet, manifest.json"
              f"{xlsx}\n")
    print(result.summary.verdict)
    return EXIT_OK
