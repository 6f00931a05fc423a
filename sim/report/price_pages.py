"""The page of ``ftrisk prices --history MODEL --html FILE``: a model's dated list prices as
a step chart (a list price holds until it changes), with the table and the sources.

The chart is a pure function of a long frame ``date, model, field, price`` (one row per
step, each field's cheapest price in force, held to the history's date), built by
:func:`step_frame`.
"""

from __future__ import annotations

import html
from datetime import date

import altair as alt
import polars as pl

from sim.report.page import html_page, table

__all__ = ["history_chart", "history_page", "in_force", "step_frame"]


def step_frame(rows: pl.DataFrame, *, until: date) -> pl.DataFrame:
    """The steps to draw: per field, the cheapest price in force among the rows' models at
    each dated change (a family's snapshots, a successor at a lower price), held to
    ``until``; ``model`` names the model setting it.

    Parameters
    ----------
    rows : polars.DataFrame
        Price-history rows (``date, model, field, price``), e.g.
        :func:`sim.study.price_history.history`.
    until : date
        Where the last price of each field is drawn to (the history's date: a list price
        holds until it changes).

    Examples
    --------
    >>> from datetime import date
    >>> rows = pl.DataFrame({"date": [date(2024, 5, 13), date(2024, 8, 6)],
    ...                      "model": ["a", "b"], "field": ["input", "input"],
    ...                      "price": [5.0, 2.5]})
    >>> step_frame(rows, until=date(2025, 1, 1)).select("price", "model").rows()
    [(5.0, 'a'), (2.5, 'b'), (2.5, 'b')]
    """
    out: list[tuple[date, str, str, float]] = []
    for field in dict.fromkeys(rows["field"].to_list()):
        g = rows.filter(pl.col("field") == field).sort("date")
        days = sorted(set(g["date"].to_list()))
        for day in [*days, *([until] if until > days[-1] else [])]:
            in_force: dict[str, float] = {}
            for r in g.filter(pl.col("date") <= day).iter_rows(named=True):
                in_force[r["model"]] = r["price"]  # sorted by date: the latest wins
            model, price = min(in_force.items(), key=lambda kv: kv[1])
            out.append((day, model, field, price))
    return pl.DataFrame(out, schema={"date": pl.Date, "model": pl.String, "field": pl.String,
                                     "price": pl.Float64}, orient="row")


def in_force(rows: pl.DataFrame, day: date) -> pl.DataFrame:
    """Each field's cheapest price in force on ``day`` among the rows' models (fields with no
    price yet are left out): ``date`` (= ``day``), ``model``, ``field``, ``price``.

    Examples
    --------
    >>> from datetime import date
    >>> rows = pl.DataFrame({"date": [date(2024, 5, 13), date(2024, 8, 6)],
    ...                      "model": ["a", "b"], "field": ["input", "input"],
    ...                      "price": [5.0, 2.5]})
    >>> in_force(rows, date(2024, 6, 1)).select("model", "price").rows()
    [('a', 5.0)]
    """
    before = rows.filter(pl.col("date") <= day)
    if before.is_empty():
        return pl.DataFrame(schema={"date": pl.Date, "model": pl.String, "field": pl.String,
                                    "price": pl.Float64})
    steps = step_frame(before, until=day)
    return steps.filter(pl.col("date") == day).with_columns(pl.lit(day).alias("date"))


def history_chart(steps: pl.DataFrame, *, title: str = "") -> alt.Chart:
    """Step chart of list prices over time: one line per field, log price axis.

    Examples
    --------
    >>> from datetime import date
    >>> steps = pl.DataFrame({"date": [date(2024, 5, 13), date(2025, 1, 1)],
    ...                       "model": ["m", "m"], "field": ["input", "input"],
    ...                       "price": [5.0, 5.0]})
    >>> spec = history_chart(steps).to_dict()
    >>> spec["mark"]["interpolate"], spec["encoding"]["y"]["scale"]["type"]
    ('step-after', 'log')
    """
    gpu = all(f.startswith("gpu_") for f in steps["field"].to_list())
    return alt.Chart(steps, title=title).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("date:T", title="date"),
        y=alt.Y("price:Q", title="$ per GPU-hour" if gpu else "$ per 1M tokens",
                scale=alt.Scale(type="log")),
        color=alt.Color("field:N", title="field"),
        tooltip=["date:T", "model:N", "field:N", "price:Q"],
    ).properties(width=760, height=340)


def history_page(name: str, rows: pl.DataFrame, *, until: date,
                 start: date | None = None) -> str:
    """A self-contained page: the step chart, the dated prices and their sources; with
    ``start`` only the prices from that day (those in force on it, then each change)."""
    steps = step_frame(rows, until=until)
    if start is not None:
        steps = pl.concat([in_force(rows, start),
                           steps.filter(pl.col("date") > start)]).sort("field", "date")
        rows = rows.filter(pl.col("date") >= start)
    since = f", from {start} (the prices in force that day, then each change)" if start else ""
    sources = list(dict.fromkeys(rows["source"].to_list()))
    body_rows = [[str(r["date"]), r["model"], r["field"], f"{r['price']:g}", r["kind"],
                  str(sources.index(r["source"]) + 1)]
                 for r in rows.sort("date", "model", "field").iter_rows(named=True)]
    items = "".join(f"<li>[{i}] {html.escape(s)}</li>" for i, s in enumerate(sources, 1))
    body = f"""<h1>{html.escape(name)}: dated list prices</h1>
<p class="muted">From ftrisk's price history (sim/data/price_history.csv), as of {until}{since}.
Each line is the cheapest price in force among {html.escape(name)}'s models (its snapshots);
a price holds until the next dated change (drawn to {until}); the price axis is logarithmic,
so equal falls look equal.</p>
<div class="chart" id="chart-history"></div>
{table(["date", "model", "field", "price", "kind", "source"], body_rows, left=(0, 1, 2, 4))}
<h2>Sources</h2><ol class="muted" style="list-style:none;padding-left:0">{items}</ol>
"""
    spec = history_chart(steps, title=f"{name}: list prices").to_dict()
    return html_page(f"ftrisk — {name} price history", body, {"history": spec})
