"""The price history read as the calculator page reads its own: a changelog (each list-price
change of a model, its old and new value) and the change of each tier's price over the last
years (the page's "3-year history" view; its "pricing for major vendors has dropped 40-90% in
the last 24 months").

A **change** is a ``change`` row of the dataset (:mod:`sim.study.price_history`): a model's
list price moved on that day; its old value is the same model's latest earlier price of that
field (a ``launch``, ``change`` or ``observed`` row). A cheaper successor model is not a
change of a model: it shows in the tier's price (:func:`tier_change`), the cheapest price of
the tier's models.

The window of the last ``years`` ends on the history's date (its latest row) and starts as
many calendar years before it.

Examples
--------
>>> from sim.study.price_changes import changelog
>>> changelog(subject="gpt-3.5-turbo").select("date", "field", "old", "new").rows()
[(datetime.date(2023, 6, 13), 'input', 2.0, 1.5)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from sim.study.price_history import EVENTS, MAJOR_VENDORS, price_history, tier_prices

__all__ = ["TierChange", "changelog", "history_date", "last_years", "tier_change",
           "tier_changes"]

#: Days in a year of the windows (as the fits count them).
_YEAR_DAYS = 365.25


def history_date() -> date:
    """The price history's date: its latest row (what "today" is for its views).

    Examples
    --------
    >>> history_date() >= date(2025, 8, 7)
    True
    """
    latest = price_history()["date"].max()
    assert isinstance(latest, date)
    return latest


def last_years(years: int, *, until: date | None = None) -> tuple[date, date]:
    """The window of the last ``years`` calendar years to ``until`` (default: the history's
    date); a 29 February start becomes the 28th.

    Raises
    ------
    ValueError
        If ``years`` is not a positive whole number.

    Examples
    --------
    >>> last_years(2, until=date(2026, 1, 1))
    (datetime.date(2024, 1, 1), datetime.date(2026, 1, 1))
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ValueError(f"years={years!r} must be a whole number of years >= 1, e.g. 3")
    end = until or history_date()
    day = 28 if (end.month, end.day) == (2, 29) else end.day
    return (end.replace(year=end.year - years, day=day), end)


def changelog(*, subject: str | None = None, since: date | None = None,
              until: date | None = None) -> pl.DataFrame:
    """Each list-price change of a model, with its old and new value, oldest first.

    Parameters
    ----------
    subject : str, optional
        Keep one vendor (``openai``), tier (``openai:frontier``), family (``gpt-3.5-turbo``)
        or model; default every change.
    since, until : date, optional
        Keep changes on or after ``since`` and on or before ``until``.

    Returns
    -------
    polars.DataFrame
        ``date, vendor, model, tier, field, old, new, change`` (``new / old - 1``: -0.25 is
        a 25% cut), ``unit`` and ``source``.

    Raises
    ------
    ValueError
        If ``subject`` names nothing in the price history.

    Examples
    --------
    >>> c = changelog(subject="anthropic:frontier")
    >>> c.select("date", "field", "old", "new", "change").rows()[0]
    (datetime.date(2023, 11, 21), 'input', 11.02, 8.0, -0.27404718693284935)
    """
    df = price_history()
    if subject is not None:
        keep = ((pl.col("vendor") == subject) | (pl.col("tier") == subject)
                | (pl.col("family") == subject) | (pl.col("model") == subject))
        df = df.filter(keep)
        if df.is_empty():
            raise ValueError(f"'{subject}' is not a vendor, tier, family or model of the "
                             "price history (ftrisk prices --fit VENDOR lists the tiers)")
    dated = df.filter(pl.col("kind").is_in([*EVENTS, "observed"])).sort(
        "vendor", "model", "field", "date")
    with_old = dated.with_columns(
        pl.col("price").shift(1).over("vendor", "model", "field").alias("old"))
    out = with_old.filter(pl.col("kind") == "change", pl.col("old").is_not_null())
    if since is not None:
        out = out.filter(pl.col("date") >= since)
    if until is not None:
        out = out.filter(pl.col("date") <= until)
    return out.select(
        "date", "vendor", "model", "tier", "field", "old", pl.col("price").alias("new"),
        (pl.col("price") / pl.col("old") - 1).alias("change"), "unit", "source",
    ).sort("date", "vendor", "model", "field")


@dataclass(frozen=True)
class TierChange:
    """A tier's price at the start and the end of a window.

    Attributes
    ----------
    tier, field : str
        The tier and price field.
    start, end : date
        The window: its start is the tier's first price when that came later.
    old, new : float
        The tier's price (its cheapest model's) on ``start`` and on ``end``.
    old_model, new_model : str
        The models setting them.
    """

    tier: str
    field: str
    start: date
    end: date
    old: float
    new: float
    old_model: str
    new_model: str

    @property
    def change(self) -> float:
        """``new / old - 1`` (-0.9 is a 90% fall)."""
        return self.new / self.old - 1

    @property
    def years(self) -> float:
        """The window's length in years."""
        return (self.end - self.start).days / _YEAR_DAYS


def tier_change(tier: str, *, field: str = "input", years: int = 3,
                until: date | None = None) -> TierChange:
    """How far a tier's price moved over the last ``years`` to ``until`` (the history's date).

    Raises
    ------
    ValueError
        For an unknown tier or field, or a tier with no price before ``until``.

    Examples
    --------
    >>> t = tier_change("openai:small", years=2, until=date(2025, 1, 25))  # from its start
    >>> (t.start, t.old, t.new, round(t.change, 2))
    (datetime.date(2023, 3, 1), 2.0, 0.15, -0.93)
    """
    lo, hi = last_years(years, until=until)
    first = tier_prices(tier, field=field)["date"].min()
    assert isinstance(first, date)
    if first >= hi:
        raise ValueError(f"tier '{tier}' has no {field} price before {hi}")
    series = tier_prices(tier, field=field, window=(max(lo, first), hi))
    a, b = series.row(0, named=True), series.row(-1, named=True)
    return TierChange(tier, field, a["date"], b["date"], a["price"], b["price"], a["model"],
                      b["model"])


def tier_changes(*, years: int = 3, fields: tuple[str, ...] = ("input", "output"),
                 vendors: tuple[str, ...] = MAJOR_VENDORS,
                 until: date | None = None) -> list[TierChange]:
    """:func:`tier_change` of every tier of ``vendors`` with a price of each field before the
    window's end, in the vendors' order, then by tier and field.

    Examples
    --------
    >>> rows = tier_changes(years=2, fields=("input",), vendors=("openai",))
    >>> [r.tier for r in rows][:2]
    ['openai:frontier', 'openai:nano']
    """
    df = price_history().filter(pl.col("kind").is_in(EVENTS))
    end = until or history_date()
    out = []
    for vendor in vendors:
        tiers = sorted(set(df.filter(vendor=vendor)["tier"].drop_nulls().to_list()))
        for tier in tiers:
            for field in fields:
                has = df.filter(tier=tier, field=field)
                if has.is_empty() or has["date"].min() >= end:  # type: ignore[operator]
                    continue
                out.append(tier_change(tier, field=field, years=years, until=end))
    return out
