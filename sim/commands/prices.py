"""``ftrisk prices``: the price catalog (API models, GPUs, hosted training), a model's dated
price history (``--history``, with ``--html`` a step chart; ``--years N`` its last years), the
declines fitted to it (``--fit``) and its changelog (``--changes``: each list-price change,
old and new, and each tier's move over the last years)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date

from sim.commands import EXIT_OK, error

NAME = "prices"
ORDER = 60
HELP = "the price catalog, a model's price history, fitted price declines"
DESCRIPTION = (
    "List the prices studies can refer to by name (model = \"gpt-4o\", gpu = \"a10g\", "
    "training_provider = \"openai\"). API prices: genai-prices' bundled data plus the dated "
    "figures of the source documents (<model>@2024); GPU and training prices: ftrisk's own "
    "dated files. '*' marks fields inferred from a vendor convention (cached input = 10%, "
    "batch = 50%; --inferred says why for each). Aggregator and reseller rows (OpenRouter, "
    "GitHub Copilot, Cursor, ...) are left out, as the calculator page leaves them out; "
    "--all shows them. --history MODEL prints a model's dated list prices (--html FILE: a "
    "step chart); --fit VENDOR|TIER|model:NAME the annual decline of each tier's price and "
    "its step cuts, with their uncertainty: what { fitted = \"TIER\" } draws in a study; "
    "--changes [SUBJECT] the changelog (each list-price change, old and new) and each major "
    "vendor tier's price over the last --years (default 3: the page's 3-year history).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk prices``."""
    p.add_argument("--filter", metavar="TEXT",
                   help="only entries whose name or provider contains this text (default: "
                   "every entry)")
    p.add_argument("--kind", choices=["api", "gpu", "training", "all"], default="all",
                   help="which table to list (default: all)")
    p.add_argument("--all", action="store_true",
                   help="include aggregator and reseller rows (and, without --filter, every "
                   "provider's models)")
    p.add_argument("--inferred", action="store_true",
                   help="list each inferred API field and why it is inferred")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--history", metavar="MODEL",
                      help="a model's or family's dated list prices ($ per 1M tokens), e.g. "
                      "gpt-4o (default: the current list)")
    mode.add_argument("--fit", metavar="SUBJECT",
                      help="fitted declines: a vendor (openai), a tier (openai:frontier) or "
                      "model:NAME (default: no fit)")
    mode.add_argument("--changes", nargs="?", const="", metavar="SUBJECT",
                      help="the changelog (old and new list prices) and each tier's move; "
                      "SUBJECT: a vendor, tier, family or model (default all)")
    p.add_argument("--field", action="append", metavar="FIELD",
                   help="price field(s) of --history/--fit (repeatable; default: all for "
                   "--history, input and output for --fit)")
    p.add_argument("--window", nargs=2, metavar=("START", "END"),
                   help="--fit between two ISO dates, e.g. 2024-01-01 2025-12-31 (default: "
                   "the whole history)")
    p.add_argument("--observed", action="store_true",
                   help="--fit also on prices only observed in force (not dated changes)")
    p.add_argument("--html", metavar="FILE",
                   help="--history: write a step chart page to FILE (default: print only)")
    p.add_argument("--years", type=int, metavar="N",
                   help="--history/--changes: only the last N years to the history's date "
                   "(--changes' tier table: default 3)")


def run(args: argparse.Namespace) -> int:
    """Print the catalog tables, a price history or the fitted declines."""
    misuse = _misuse(args)
    if misuse:
        return error(misuse)
    if args.history:
        return _history(args)
    if args.fit:
        return _fit(args)
    if args.changes is not None:
        return _changes(args)
    _catalog(args)
    return EXIT_OK


def _misuse(args: argparse.Namespace) -> str | None:
    if args.html and not args.history:
        return "--html: only with --history MODEL (the step chart of its prices)"
    if (args.window or args.observed) and not args.fit:
        return f"{'--window' if args.window else '--observed'}: only with --fit"
    if args.field and not (args.history or args.fit):
        return "--field: only with --history or --fit"
    if args.years is not None and not (args.history or args.changes is not None):
        return "--years: only with --history or --changes"
    if args.years is not None and args.years < 1:
        return f"--years: {args.years} must be a whole number of years >= 1, e.g. --years 3"
    changes = args.changes is not None
    if (args.history or args.fit or changes) and (args.filter or args.kind != "all" or args.all
                                                  or args.inferred):
        flag = "--history" if args.history else "--fit" if args.fit else "--changes"
        return f"{flag}: give it without --filter, --kind, --all or --inferred (the catalog)"
    return None


def _history(args: argparse.Namespace) -> int:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._price_evidence import history_text
    from sim.study.errors import OutputError
    from sim.study.price_history import history, price_history

    try:
        rows = history(args.history)
        if args.field:
            # deferred: ftrisk --help must not load numpy, polars or the models
            import polars as pl

            for f in args.field:
                history(args.history, field=f)  # checks the field's name
            rows = rows.filter(pl.col("field").is_in(args.field))
    except ValueError as err:
        return error(f"--{'field' if 'price field' in str(err) else 'history'}: {err}")
    if rows.is_empty():
        return error(f"--field: {args.history} has no dated prices for "
                     f"{', '.join(args.field)}; drop --field to see its fields")
    start = None
    if args.years is not None:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.study.price_changes import last_years

        start, _ = last_years(args.years)
    if args.html:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.report.files import check_file_target, write_text
        from sim.report.price_pages import history_page

        try:
            check_file_target(args.html, flag="--html", example="history.html")
        except OutputError as err:
            return error(str(err))
        until = price_history()["date"].max()
        assert isinstance(until, date)
        write_text(args.html, history_page(args.history, rows, until=until, start=start),
                   flag="--html")
    if start is not None:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.report.price_pages import in_force

        held = in_force(rows, start)
        print(f"{args.history}: the last {args.years} years, from {start} (earlier prices "
              "without --years)")
        if held.height:
            print(f"in force on {start}: " + ", ".join(
                f"{r['field']} {r['price']:g} ({r['model']})" for r in held.iter_rows(named=True)))
        rows = rows.filter(rows["date"] >= start)
        if rows.is_empty():
            print(f"(no dated change since {start}: these prices held to the history's date)")
            return EXIT_OK
    print(history_text(args.history, rows))
    if args.html:
        print(f"\nwrote {args.html}")
    return EXIT_OK


def _fit(args: argparse.Namespace) -> int:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._price_evidence import FIT_FIELDS, fit_text

    window = tuple(args.window) if args.window else None
    try:
        # deferred: ftrisk --help must not load numpy, polars or the models
        from sim.study.price_history import parse_window

        parse_window(window)
        text = fit_text(args.fit, args.field or FIT_FIELDS, window, args.observed)
    except ValueError as err:
        text = str(err)
        flag = ("--field" if "price field" in text else "--window" if "window" in text
                else "--fit")
        return error(f"{flag}: {text}")
    print(text)
    return EXIT_OK


def _changes(args: argparse.Namespace) -> int:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.commands._price_evidence import changes_text

    try:
        text = changes_text(args.changes or None, args.years)
    except ValueError as err:
        return error(f"--changes: {err}")
    print(text)
    return EXIT_OK


def _star(p: object, field: str, value: float) -> str:
    return f"{value:g}{'*' if field in getattr(p, 'inferred', ()) else ''}"


def _catalog(args: argparse.Namespace) -> None:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import text_table
    from sim.study import catalog

    needle = (args.filter or "").lower()
    if args.kind in ("api", "all"):
        every = catalog.list_api_prices(args.filter, include_all=True) if args.filter else \
            catalog.list_api_prices(None, include_all=args.all)
        shown = [p for p in every if args.all or p.role == "vendor"]
        hidden = len(every) - len(shown)
        rows = [[p.model, p.provider + ("" if p.role == "vendor" else f" ({p.role})"),
                 f"{p.input:g}", f"{p.output:g}", _star(p, "cached_input", p.cached_input),
                 _star(p, "batch_input", p.batch_input),
                 _star(p, "batch_output", p.batch_output), _checked(p)] for p in shown]
        print("API models ($ per 1M tokens)")
        if rows:
            print(text_table(["model", "provider", "input", "output", "cached in", "batch in",
                              "batch out", "checked"], rows, left=(0, 1, 7)))
        else:
            print("  (no API model matches; try a shorter --filter)")
        notes = ["* inferred from the vendor's convention (--inferred says why, field by field)"]
        if hidden:
            notes.append(f"{hidden} aggregator or reseller rows left out, as the calculator "
                         "page leaves them out; --all shows them")
        if not args.filter:
            notes.append("OpenAI, Anthropic and Google shown; --filter searches all providers")
        print("\n".join(f"  ({n})" for n in notes))
        if args.inferred:
            print()
            print(_inferred_table(shown))
        print()
    if args.kind in ("gpu", "all"):
        rows = [[g.gpu, f"{g.memory_gb:g}", f"{g.on_demand_hourly:.2f}",
                 f"{g.spot_hourly:.2f}{'*' if g.spot_inferred else ''}", g.checked, g.source]
                for g in catalog.gpu_prices().values() if needle in g.gpu]
        print("GPUs ($ per GPU-hour)")
        print(text_table(["gpu", "GB", "on demand", "spot", "checked", "source"], rows,
                         left=(0, 4, 5)) if rows else "  (no GPU matches)")
        print()
    if args.kind in ("training", "all"):
        rows = [[t.provider, f"{t.price_per_1m:g}", f"{t.low:g}-{t.high:g}", t.checked,
                 t.source] for t in catalog.training_prices().values() if needle in t.provider]
        print("Hosted fine-tuning ($ per 1M training tokens)")
        print(text_table(["provider", "price", "range", "checked", "source"], rows,
                         left=(0, 3, 4)) if rows else "  (no provider matches)")


def _checked(p: object) -> str:
    """The row's checked date; a field checked on another day is named beside it."""
    fields = getattr(p, "fields", ())
    base = getattr(p, "checked", "")
    other = {f.checked for f in fields if not f.inferred and f.checked != base}
    return base if not other else f"{base} (some fields {', '.join(sorted(other))})"


def _inferred_table(rows: Sequence[object]) -> str:
    """The page's "Why it's inferred" table for the rows listed."""
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import text_table

    out = [[f"{getattr(p, 'provider', '')} / {getattr(p, 'model', '')}", f.field,
            f.reason or ""] for p in rows for f in getattr(p, "fields", ()) if f.inferred]
    head = "Inferred fields (derived from conventions, not published by the vendor)"
    if not out:
        return f"{head}: none among the rows listed"
    return head + "\n" + text_table(["vendor / model", "field", "why it is inferred"], out,
                                    left=(0, 1, 2))
