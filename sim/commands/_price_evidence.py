"""The text of ``ftrisk prices --history``, ``--fit`` and ``--changes``: a model's dated
prices, the declines and step cuts fitted to the price history (:mod:`sim.study.price_fits`),
and its changelog with each tier's move over the last years
(:mod:`sim.study.price_changes`)."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any

#: Price fields shown by default by --fit.
FIT_FIELDS = ("input", "output")


def history_text(name: str, rows: Any) -> str:
    """One line per date and model with a column per price field, then the sources.

    ``rows`` are :func:`sim.study.price_history.history` rows.
    """
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import text_table
    from sim.study.price_history import FIELDS

    fields = [f for f in FIELDS if f in set(rows["field"].to_list())]
    sources = list(dict.fromkeys(rows["source"].to_list()))
    table: list[list[str]] = []
    for (day, model), g in rows.group_by(["date", "model"], maintain_order=True):
        prices = {r["field"]: r["price"] for r in g.iter_rows(named=True)}
        kinds = "/".join(dict.fromkeys(g["kind"].to_list()))
        refs = ",".join(str(sources.index(s) + 1) for s in dict.fromkeys(g["source"]))
        table.append([str(day), model, kinds,
                      *(f"{prices[f]:g}" if f in prices else "-" for f in fields), refs])
    unit = ("$ per GPU-hour" if all(f.startswith("gpu_") for f in fields)
            else "$ per 1M tokens")
    head = f"{name}: dated list prices ({unit}), from ftrisk's price history"
    notes = "\n".join(f"  [{i}] {s}" for i, s in enumerate(sources, 1))
    body = text_table(["date", "model", "kind", *fields, "src"], table, left=(0, 1, 2))
    return f"{head}\n{body}\nsources:\n{notes}"


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _decline_rows(subjects: Sequence[str], fields: Sequence[str], window: Any,
                  observed: bool, *, model: bool) -> list[list[str]]:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.study.price_fits import fit_decline, fit_model_decline

    rows = []
    for subject in subjects:
        for field in fields:
            try:
                fit = (fit_model_decline(subject, field=field, window=window, observed=observed)
                       if model else fit_decline(subject, field=field, window=window,
                                                 observed=observed))
            except ValueError as err:
                rows.append([subject, field, "-", "-", "-", "-", _short(err)])
                continue
            q10, _, q90 = fit.quantiles
            rows.append([subject, field, f"{fit.window[0]} to {fit.window[1]}", str(fit.n),
                         f"{_pct(fit.rate)} ± {_pct(fit.rate_se)}",
                         f"{_pct(q10)} to {_pct(q90)}", ""])
    return rows


def _cut_rows(subjects: Sequence[str], fields: Sequence[str], window: Any) -> list[list[str]]:
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.study.price_fits import fit_step_cuts

    rows = []
    for subject in subjects:
        for field in fields:
            try:
                cuts = fit_step_cuts(subject, field=field, window=window)
            except ValueError as err:
                rows.append([subject, field, "-", "-", "-", "-", _short(err)])
                continue
            lo, hi = cuts.rate_interval
            size = ("-" if cuts.count == 0 else _pct(cuts.size_mean) if cuts.count < 2
                    else f"{_pct(cuts.size_mean)} ± {_pct(cuts.size_sd)}")
            rows.append([subject, field, f"{cuts.window[0]} to {cuts.window[1]}",
                         str(cuts.count), f"{cuts.rate:.2f} [{lo:.2f}, {hi:.2f}]", size, ""])
    return rows


def _short(err: Exception) -> str:
    """The reason a fit is not given, in a few words."""
    text = str(err)
    if "needs at least 3" in text:
        return "fewer than 3 dated prices"
    if "exactly on a line" in text:
        return "one flat price: no trend to fit"
    if "has no dated prices" in text:
        return "no dated prices for this field"
    return text.split(";")[0]


def fit_text(subject: str, fields: Sequence[str], window: Any, observed: bool) -> str:
    """The declines and step cuts of a vendor's tiers (``openai``), of one tier
    (``openai:frontier``) or of a model's own price (``model:gpt-3.5-turbo``).

    Raises
    ------
    ValueError
        An unknown subject (with the closest names) or field.
    """
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import text_table
    from sim.study.fitted import MODEL_PREFIX
    from sim.study.price_history import check_field, price_history

    for f in fields:
        check_field(f)
    df = price_history()
    model = subject.startswith(MODEL_PREFIX)
    tiers = sorted(set(df["tier"].drop_nulls()))
    if model:
        subjects = [subject.removeprefix(MODEL_PREFIX)]
    elif subject in tiers:
        subjects = [subject]
    else:
        subjects = [t for t in tiers if t.split(":", 1)[0] == subject]
        if not subjects:
            vendors = sorted({t.split(":", 1)[0] for t in tiers})
            close = get_close_matches(subject, tiers + vendors, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ValueError(f"'{subject}' is not a vendor, tier or model:<name> of the price "
                             f"history; {hint}vendors: {', '.join(vendors)}")
    skipped: list[str] = []
    if not model and len(subjects) > 1:
        has = set(df.filter(df["field"].is_in(list(fields)))["tier"].drop_nulls())
        skipped = [t for t in subjects if t not in has]
        subjects = [t for t in subjects if t in has]
    head = ["tier" if not model else "model", "field", "window", "n", "annual drop ± se",
            "p10 to p90", "not fitted"]
    parts = ["Annual decline of the list price (log-linear fit, one point per dated event; "
             "the slope's t given that prices do not rise)",
             text_table(head, _decline_rows(subjects, fields, window, observed, model=model),
                        left=(0, 1, 2, 6))]
    if not model:
        parts += ["", "Step price cuts (each fall of the tier's price; a Poisson rate with its "
                  "exact 90% interval; the cuts' sizes)",
                  text_table(["tier", "field", "window", "cuts", "per year [90%]",
                              "size ± sd", "not fitted"], _cut_rows(subjects, fields, window),
                             left=(0, 1, 2, 6))]
    if skipped:
        other = sorted(set(df.filter(df["tier"].is_in(skipped))["field"]))
        parts += ["", f"Tiers without {' or '.join(fields)} prices: {', '.join(skipped)} (their "
                  f"fields: {', '.join(other)}; --field {other[0]} fits them)."]
    use = subject if model or subject in tiers else subjects[0] if subjects else subject
    parts += ["", f"In a study: annual_price_drop = {{ fitted = \"{use}\" }}"
              + ("" if model else f", or price_cuts_per_year = {{ fitted = \"{use}\" }} with "
                 f"price_cut_size = {{ fitted = \"{use}\" }}")
              + "; add field = \"output\" to fit another field, or window = [\"START\", "
              "\"END\"] (ISO dates) to fit between two dates."]
    return "\n".join(parts)


#: The calculator page's claim the tier table is read against (seed 000).
PAGE_CLAIM = "pricing for major vendors has dropped 40-90% in the last 24 months"


def changes_text(subject: str | None, years: int | None) -> str:
    """``ftrisk prices --changes``: the changelog (each model's list-price change, old ->
    new), then each major vendor tier's price over the last ``years`` (default 3, the page's
    "3-year history" view). A model or family as ``subject`` lists its changes only.

    Raises
    ------
    ValueError
        An unknown subject or a bad number of years.
    """
    # deferred: ftrisk --help must not load numpy, polars or the models
    from sim.display import text_table
    from sim.study.price_changes import changelog, history_date, last_years, tier_changes
    from sim.study.price_history import MAJOR_VENDORS, price_history

    span = 3 if years is None else years
    start, end = last_years(span)
    log = changelog(subject=subject, since=start if years is not None else None, until=end)
    scope = f" of {subject}" if subject else ""
    when = f"in the {years} years to {end}" if years is not None else f"to {history_date()}"
    lines = [f"Price changes{scope} {when} (each model's list-price change: its old and new "
             "price; a cheaper successor is not a change, see the tier table)"]
    if log.is_empty():
        lines.append("  (no change of a list price in the window)")
    else:
        sources = list(dict.fromkeys(log["source"].to_list()))
        rows = [[str(r["date"]), r["vendor"], r["model"], r["field"], f"{r['old']:.4g}",
                 f"{r['new']:.4g}", f"{r['change']:+.1%}",
                 "$/GPU-h" if r["unit"] == "usd_per_gpu_hour" else "$/1M",
                 str(sources.index(r["source"]) + 1)] for r in log.iter_rows(named=True)]
        lines.append(text_table(["date", "vendor", "model", "field", "old", "new", "change",
                                 "unit", "src"], rows, left=(0, 1, 2, 3, 7)))
        lines.append("sources:")
        lines += [f"  [{i}] {s}" for i, s in enumerate(sources, 1)]
    df = price_history()
    vendors: tuple[str, ...] = MAJOR_VENDORS
    tiers: set[str] | None = None
    if subject is None:
        pass
    elif subject in set(df["vendor"]):
        vendors = (subject,) if subject in MAJOR_VENDORS else ()
    elif subject in set(df["tier"].drop_nulls()):
        vendors = (subject.split(":", 1)[0],)
        tiers = {subject}
    else:  # a family or model: its changes only
        vendors = ()
    moves = [t for t in tier_changes(years=span, vendors=vendors, until=end)
             if tiers is None or t.tier in tiers]
    if moves:
        rows = [[t.tier, t.field, str(t.start), f"{t.old:.4g} ({t.old_model})",
                 f"{t.new:.4g} ({t.new_model})", f"{t.change:+.1%}"] for t in moves]
        cut = [t.change for t in moves if t.change < 0]
        lines += ["", f"Tier prices over the {span} years to {end} ($ per 1M tokens; each "
                  "tier's cheapest model at the window's start, or its first price when it "
                  "started later, and at its end)",
                  text_table(["tier", "field", "from", "price then", f"price on {end}",
                              "change"], rows, left=(0, 1, 2, 3, 4)),
                  f"  {len(cut)} of {len(moves)} tier prices fell"
                  + (f", by {-max(cut):.0%} to {-min(cut):.0%}" if cut else "")
                  + f"; the calculator page: \"{PAGE_CLAIM}\""]
    return "\n".join(lines)
