"""The price-history dataset: dated list prices per vendor, model and field, and the series
read from it (a model's own prices, a tier's cheapest price over time).

The dataset (``sim/data/price_history.csv``) holds one row per vendor, model, price field and
date, each with its source. ``kind`` says what a row claims:

- ``launch``: the price a model (or a new price field of it) started at, on that day;
- ``change``: a later list-price change of the same model;
- ``observed``: a price seen in force on that day (a pricing page, genai-prices' data) whose
  start date the data does not give;
- ``seed``: a figure quoted by a source document of this project (the lesson, seed 001; the
  calculator page, seed 000), named like the catalog's dated entries (``gpt-4o@2024``).

A **tier** (``openai:frontier``, ``anthropic:small`` ...) is a vendor's product line at one
capability level; its price at a date is the cheapest list price among the tier's models
launched by then (each at its latest price on or before that date), so a cheaper successor
and a cut of an existing model both lower it. A model's own price is read the same way over
its snapshots (``gpt-3.5-turbo`` covers -0301, -0613, -1106 and -0125). Series use the
``launch`` and ``change`` rows; ``observed`` rows enter only when asked, because the dataset
does not claim to list every model of a tier that existed on an observation day.

The declines fitted to these series are :mod:`sim.study.price_fits`.

Adding a row
------------
One line per field that took a new price: ``date`` (ISO; the day it took effect), vendor,
model (the vendor's id, one per snapshot), family (the product line), tier, field, price in
$ per 1M tokens (per GPU-hour for ``gpu_*``), unit, kind, and a source that names the
announcement or pricing page and its date. A figure you cannot source is left out. If the
catalog holds the model, ``catalog_ref`` names the entry (``genai:openai/gpt-4o``) and
``tests/test_price_history.py`` checks that the model's latest price equals it.

Examples
--------
>>> from sim.study.price_history import tier_prices
>>> p = tier_prices("openai:frontier", field="input")
>>> p["price"].to_list()[:3]
[30.0, 10.0, 5.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from difflib import get_close_matches
from functools import cache
from importlib import resources

import polars as pl

#: Price fields a row may carry.
FIELDS = ("input", "output", "cached_input", "batch_input", "batch_output", "ft_input",
          "ft_output", "training", "gpu_hourly_on_demand", "gpu_hourly_spot")
#: The unit of each field: $ per 1M tokens (training: per 1M training tokens) or per GPU-hour.
UNITS = {f: ("usd_per_gpu_hour" if f.startswith("gpu_") else "usd_per_1m_tokens")
         for f in FIELDS}
#: What a row claims (see the module docstring).
KINDS = ("launch", "change", "observed", "seed")
#: The kinds a series (and a fit) reads by default: dated price events.
EVENTS = ("launch", "change")

#: The major vendors ``ftrisk cost --compare`` picks models of.
MAJOR_VENDORS = ("openai", "anthropic", "google", "mistral")

#: A window of dates, ``(start, end)``: ISO strings or dates, either may be None.
Window = tuple[date | str | None, date | str | None]
_SCHEMA = {"date": pl.Date, "vendor": pl.String, "model": pl.String, "family": pl.String,
           "tier": pl.String, "field": pl.String, "price": pl.Float64, "unit": pl.String,
           "kind": pl.String, "source": pl.String, "note": pl.String, "catalog_ref": pl.String}


@cache
def _table() -> pl.DataFrame:
    text = resources.files("sim").joinpath("data", "price_history.csv").read_bytes()
    return pl.read_csv(text, schema=_SCHEMA)


def price_history() -> pl.DataFrame:
    """The price-history dataset, one row per vendor, model, field and date.

    Returns
    -------
    polars.DataFrame
        Columns ``date`` (the day the price took effect or was seen), ``vendor``, ``model``,
        ``family`` (product line), ``tier`` (``vendor:level``; empty for seed rows),
        ``field`` (one of :data:`FIELDS`), ``price``, ``unit``, ``kind`` (one of
        :data:`KINDS`), ``source``, ``note`` and ``catalog_ref`` (the catalog entry the row's
        current price is checked against: ``genai:provider/model``, ``api_prices:key``,
        ``gpu_prices:gpu`` or ``training_prices:provider``).

    Examples
    --------
    >>> df = price_history()
    >>> df.filter(model="gpt-4", field="input").select("date", "price").row(0)
    (datetime.date(2023, 3, 14), 30.0)
    """
    return _table()


def history(model: str, *, field: str | None = None) -> pl.DataFrame:
    """One model's (or product line's) dated prices, oldest first.

    Parameters
    ----------
    model : str
        A model (``gpt-4o-2024-08-06``) or a family (``gpt-4o``, ``gpt-3.5-turbo``).
    field : str, optional
        Keep one price field (see :data:`FIELDS`).

    Returns
    -------
    polars.DataFrame
        The dataset's rows for that model or family.

    Raises
    ------
    ValueError
        If the name is unknown (with the closest names) or the field is not a price field.

    Examples
    --------
    >>> h = history("gpt-3.5-turbo", field="input")
    >>> h.select("date", "model", "price").rows()[-1]
    (datetime.date(2024, 1, 25), 'gpt-3.5-turbo-0125', 0.5)
    """
    df = _table()
    rows = df.filter((pl.col("model") == model) | (pl.col("family") == model))
    if rows.is_empty():
        names = sorted(set(df["model"]) | set(df["family"]))
        raise ValueError(f"'{model}' is not in the price history{_hint(model, names)}")
    if field is not None:
        rows = rows.filter(field=check_field(field))
    return rows.sort("date", "field", "model")


def tier_prices(tier: str, *, field: str = "input", window: Window | None = None,
                observed: bool = False) -> pl.DataFrame:
    """A tier's price over time: the cheapest of its models at each dated event.

    Parameters
    ----------
    tier : str
        ``vendor:level`` as in the dataset's ``tier`` column, e.g. ``openai:frontier``.
    field : str
        The price field (see :data:`FIELDS`).
    window : (start, end), optional
        ISO dates or :class:`datetime.date`; either may be None. An explicit bound adds a
        point there (the price in force that day). Default: the tier's first to last event.
    observed : bool
        Also use ``observed`` rows (see the module docstring).

    Returns
    -------
    polars.DataFrame
        ``date``, ``price`` (the tier's price from that day), ``model`` (the model setting
        it) and ``source`` (of that model's price), one row per event date in the window.

    Raises
    ------
    ValueError
        For an unknown tier or field, a window with no event, or start not before end.

    Examples
    --------
    >>> p = tier_prices("openai:small", field="input")
    >>> p.select("date", "price").rows()[:3]  # doctest: +NORMALIZE_WHITESPACE
    [(datetime.date(2023, 3, 1), 2.0), (datetime.date(2023, 6, 13), 1.5),
     (datetime.date(2023, 11, 6), 1.0)]
    """
    return price_series(subject_rows("tier", tier, field, observed), f"tier '{tier}'", window)


def subject_rows(column: str, name: str, field: str, observed: bool) -> pl.DataFrame:
    """The dated rows of a tier (``column="tier"``) or of a model or family (any other
    ``column``) for one field: the events, and the observations when ``observed``."""
    df = _table()
    if column == "tier":
        rows = df.filter(tier=name)
        known = sorted(set(df["tier"].drop_nulls()))
        what = "tier"
    else:
        rows = df.filter((pl.col("model") == name) | (pl.col("family") == name))
        known = sorted(set(df["model"]) | set(df["family"]))
        what = "model or family"
    if rows.is_empty():
        raise ValueError(f"'{name}' is not a {what} of the price history{_hint(name, known)}")
    kinds = [*EVENTS, "observed"] if observed else list(EVENTS)
    return rows.filter(pl.col("field") == check_field(field), pl.col("kind").is_in(kinds))


def price_series(rows: pl.DataFrame, what: str, window: Window | None) -> pl.DataFrame:
    """The running-cheapest price of ``rows`` at each event date (and explicit window ends):
    ``date, price, model, source``; ``what`` names the subject in errors."""
    if rows.is_empty():
        raise ValueError(f"{what} has no dated prices for this field")
    start, end = parse_window(window)
    events = sorted(set(rows["date"]))
    first, last = events[0], events[-1]
    lo = start or first
    hi = end or last
    if not lo < hi:
        raise ValueError(f"{what}: window start {lo} must be before its end {hi}")
    if lo < first:
        raise ValueError(f"{what}: window start {lo} is before its first price ({first}); "
                         f"start on or after {first}")
    points = sorted({d for d in events if lo <= d <= hi} | {lo, hi})
    by_model = {m: g.sort("date") for (m,), g in rows.group_by("model")}
    out = []
    for day in points:
        best: tuple[float, str, str] | None = None
        for model, g in by_model.items():
            past = g.filter(pl.col("date") <= day)
            if past.is_empty():
                continue
            price, source = past["price"][-1], past["source"][-1]
            if best is None or price < best[0]:
                best = (price, model, source)
        assert best is not None  # lo >= first, so some model has a price
        out.append((day, *best))
    return pl.DataFrame(out, schema={"date": pl.Date, "price": pl.Float64,
                                     "model": pl.String, "source": pl.String}, orient="row")


def current_models(level: str, *, vendors: Sequence[str] = MAJOR_VENDORS) -> pl.DataFrame:
    """Each vendor's current model at a capability level: the latest launch of its
    ``vendor:level`` tier that the catalog holds (the history names the catalog entry).

    Parameters
    ----------
    level : str
        ``frontier``, ``small``, ... (the part of a tier after the colon).
    vendors : sequence of str
        Vendors to pick from (default :data:`MAJOR_VENDORS`); a vendor without that tier is
        left out.

    Returns
    -------
    polars.DataFrame
        ``vendor, tier, model, launched, catalog`` (the name ``ftrisk cost --model`` and a
        study's ``model`` take), one row per vendor with the tier.

    Raises
    ------
    ValueError
        When no vendor has the level (with the levels there are).

    Examples
    --------
    >>> current_models("frontier").select("vendor", "catalog").rows()[:2]
    [('openai', 'openai/gpt-5'), ('anthropic', 'anthropic/claude-opus-4-5')]
    """
    df = _table().filter(pl.col("kind") == "launch", pl.col("field") == "input",
                         pl.col("catalog_ref").str.starts_with("genai:"))
    rows = []
    for vendor in vendors:
        tier = f"{vendor}:{level}"
        mine = df.filter(tier=tier).sort("date", "model")
        if mine.height:
            last = mine.row(-1, named=True)
            rows.append((vendor, tier, last["model"], last["date"],
                         last["catalog_ref"].removeprefix("genai:")))
    if not rows:
        levels = sorted({t.split(":", 1)[1] for t in df["tier"].drop_nulls()
                         if t.split(":", 1)[0] in vendors})
        raise ValueError(f"'{level}' is not a level of {', '.join(vendors)} in the price "
                         f"history; use one of {', '.join(levels)}")
    return pl.DataFrame(rows, schema={"vendor": pl.String, "tier": pl.String,
                                      "model": pl.String, "launched": pl.Date,
                                      "catalog": pl.String}, orient="row")


# -- helpers ----------------------------------------------------------------------------------
def check_field(field: str) -> str:
    """``field`` when it is one of :data:`FIELDS`, else a ValueError listing them."""
    if field not in FIELDS:
        raise ValueError(f"'{field}' is not a valid price field. It must be one of "
                         f"{{{', '.join(FIELDS)}}}")
    return field


def parse_window(window: Window | None) -> tuple[date | None, date | None]:
    """``(start, end)`` as dates (None stays None); a ValueError names a bad window."""
    if window is None:
        return (None, None)
    if not isinstance(window, Sequence) or len(window) != 2:
        raise ValueError(f"window={window!r} must be (start, end), e.g. "
                         "('2023-03-01', '2025-08-31')")
    return (_date(window[0]), _date(window[1]))


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"window date {value!r} must be an ISO date like '2024-05-13'") from None


def _hint(name: str, names: list[str]) -> str:
    close = get_close_matches(name, names, n=3)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


def group_rows(group: str, field: str) -> pl.DataFrame:
    """The event rows of a tier or a whole vendor for one field (unknown: an error with the
    closest names)."""
    df = _table()
    rows = df.filter((pl.col("tier") == group) | (pl.col("vendor") == group))
    if rows.is_empty():
        known = sorted(set(df["tier"].drop_nulls()) | set(df["vendor"]))
        raise ValueError(f"'{group}' is not a tier or vendor of the price history"
                         f"{_hint(group, known)}")
    return rows.filter(pl.col("field") == check_field(field),
                       pl.col("kind").is_in(EVENTS))


def window_span(rows: pl.DataFrame, window: Window | None, what: str) -> tuple[date, date]:
    """The window's dates, its open ends filled in from the rows' first and last date."""
    if rows.is_empty():
        raise ValueError(f"'{what}' has no dated prices for this field")
    start, end = parse_window(window)
    lo, hi = start or rows["date"].min(), end or rows["date"].max()
    assert isinstance(lo, date) and isinstance(hi, date)
    if not lo < hi:
        raise ValueError(f"'{what}': window start {lo} must be before its end {hi}")
    return (lo, hi)


__all__ = [
    "EVENTS",
    "FIELDS",
    "KINDS",
    "MAJOR_VENDORS",
    "UNITS",
    "Window",
    "check_field",
    "current_models",
    "group_rows",
    "history",
    "parse_window",
    "price_history",
    "price_series",
    "subject_rows",
    "tier_prices",
    "window_span",
]
