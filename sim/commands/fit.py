"""``ftrisk fit FILE --column C``: fit an input to data, rank the families, give the value."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.commands import EXIT_OK, error

NAME = "fit"
ORDER = 55
HELP = "fit an input to data: families ranked by AIC/BIC, goodness of fit, the value to paste"
DESCRIPTION = (
    "Fit the candidate families to one column of a CSV or parquet file by maximum "
    "likelihood, rank them by AIC (and BIC) with a goodness-of-fit test (Kolmogorov–Smirnov "
    "with a bootstrap p-value; chi-square for counts), and print the study value of the "
    "best one. --html draws the data against each fitted density and a P-P plot; --into "
    "STUDY --key K writes the value into a study file, keeping its comments and layout.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk fit``."""
    p.add_argument("file", help="data file (.csv, .tsv or .parquet)")
    p.add_argument("--column", required=True, metavar="NAME",
                   help="the column to fit, in its own unit (required)")
    p.add_argument("--family", default="auto",
                   help="auto (the families suited to the data), one family or several "
                   "separated by commas: lognormal, gamma, normal, beta, poisson, "
                   "negative_binomial, discrete (default: %(default)s)")
    p.add_argument("--use", metavar="FAMILY",
                   help="the family whose value is printed and written (default: best AIC)")
    p.add_argument("--digits", type=int, metavar="N",
                   help="significant digits in the value (default: exact, reads back the "
                   "same distribution)")
    p.add_argument("--boot", type=int, default=200, metavar="N",
                   help="bootstrap refits for the KS p-value (0: none; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0,
                   help="bootstrap seed, a whole number (default: 0)")
    p.add_argument("--html", metavar="FILE",
                   help="write the charts to FILE (default: print only)")
    p.add_argument("--into", metavar="STUDY",
                   help="write the value into this study file (default: print only)")
    p.add_argument("--key", metavar="KEY",
                   help="the study key of the value, e.g. workload.input_tokens (default: "
                   "none; required with --into)")


def fit_text(result: Any) -> str:
    """The terminal table of a fit: one row per family, best AIC first."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import text_table

    def g(v: float, d: int = 4) -> str:
        return "–" if v != v else f"{v:.{d}g}"

    rows = [[r["family"], str(r["k"]), f"{r['loglik']:,.2f}", f"{r['aic']:,.2f}",
             f"{r['delta_aic']:.2f}", f"{r['aic_weight']:.3f}", f"{r['delta_bic']:.2f}",
             r["test"] or "–", g(r["statistic"]), g(r["p_value"], 3), r["params"]]
            for r in result.table().iter_rows(named=True)]
    lines = [f"{result.source}: {result.n:,} rows ({result.support} data)",
             text_table(["family", "k", "log L", "AIC", "ΔAIC", "weight", "ΔBIC", "test",
                         "stat", "p", "estimates ± se"], rows)]
    lines += [f"note: {f.family}: {f.note}" for f in result.fits if f.note]
    lines += [f"not fitted: {k}: {v}" for k, v in result.skipped.items()]
    lines.append("ΔAIC > 2 favours the lower, > 10 decisively; weight = Akaike weight; "
                 "KS p-value by parametric bootstrap (small: the family does not fit).")
    return "\n".join(lines)


def _families(text: str) -> str | list[str]:
    names = [f.strip() for f in text.split(",") if f.strip()]
    return "auto" if names == ["auto"] else names


#: Most bootstrap refits (each refits every family to a resample).
MAX_BOOT = 100_000


def _check(args: argparse.Namespace) -> str | None:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._flags import MAX_SEED, whole_problem

    if args.boot < 0:
        return f"--boot {args.boot}: must be >= 0 (0: no bootstrap p-value)"
    for flag, problem in (("--boot", whole_problem(args.boot, 0, MAX_BOOT, "bootstrap refits")),
                          ("--seed", whole_problem(args.seed, 0, MAX_SEED))):
        if problem:
            return f"{flag}: {problem}"
    if args.digits is not None and not 1 <= args.digits <= 17:
        return f"--digits {args.digits}: must be between 1 and 17"
    if args.into and not args.key:
        return "--into needs --key, the study key to set, e.g. --key workload.input_tokens"
    return None


def run(args: argparse.Namespace) -> int:
    """Fit, print the ranking and the value; write --html and --into if asked."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from distributions import FitError, fit_data, read_sample
    from sim.report.files import check_file_target
    from sim.study.edit import check_study_key
    from sim.study.errors import OutputError, StudyError

    bad = _check(args)
    if bad:
        return error(bad)
    try:
        if args.html:
            check_file_target(args.html, flag="--html", example="fit.html")
        if args.into:
            check_study_key(args.into, args.key)
        x = read_sample(args.file, args.column)
        result = fit_data(x, family=_families(args.family), n_boot=args.boot, rng=args.seed,
                          source=f"{Path(args.file).name}:{args.column}")
        chosen = result.get(args.use)
    except FitError as err:
        return error(f"{err}")
    except ValueError as err:  # a family name (StudyError and OutputError are ValueErrors)
        if isinstance(err, StudyError | OutputError):
            return error(str(err))
        return error(f"--family/--use: {err}")
    value = chosen.toml_value(digits=args.digits)
    print(fit_text(result))
    print()
    key = args.key or args.column
    print(f"value ({chosen.family}, to paste into a study):\n{key.rsplit('.', 1)[-1]} = {value}")
    if args.html:
        _write_html(args, result)
        print(f"wrote {args.html}")
    if args.into:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.study.edit import set_study_value

        try:
            set_study_value(args.into, args.key, value)
        except StudyError as err:
            return error(f"{err} (the file is unchanged)")
        except OSError as err:
            return error(f"--into {args.into}: cannot write it ({err.strerror}); the file is "
                         "unchanged")
        print(f"wrote {args.key} into {args.into}")
    return EXIT_OK


def _write_html(args: argparse.Namespace, result: Any) -> None:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from distributions import fit_frames
    from sim.report.files import write_text
    from sim.report.fit_page import fit_page

    page = fit_page(result, fit_frames(result), title=f"ftrisk fit: {result.source}")
    write_text(args.html, page, flag="--html")
