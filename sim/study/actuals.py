"""Reading the actual bills a forecast is checked against (``ftrisk check --actuals``).

A CSV (or parquet) with one row per month:

- ``month``: the study's month number (1 = the first month of the forecast), or a calendar
  month ``YYYY-MM`` (the first row's month is study month 1 unless ``start`` says which
  calendar month is);
- ``cost.<strategy>``: what that strategy cost that month (a compared strategy of the
  study; the bill of the way the team serves today is usually the baseline's);
- ``volume``: requests per day that month (its daily average).

Empty cells are months not observed for that column. Every value must be a number > 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from sim.study.types import Study

__all__ = ["Actuals", "ActualsError", "read_actuals"]

SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")


class ActualsError(ValueError):
    """An actuals file that cannot be used; the message names the file, column and fix.

    Examples
    --------
    >>> str(ActualsError("bills.csv: no month column; add one (1, 2, ... or 2025-01)"))
    'bills.csv: no month column; add one (1, 2, ... or 2025-01)'
    """


@dataclass(frozen=True)
class Actuals:
    """Observed monthly figures.

    Attributes
    ----------
    file : str
        Where they came from.
    months : ndarray of int
        Study months observed (1-based, increasing).
    series : dict of str to ndarray
        ``"volume"`` and ``"cost.<strategy>"`` values per month (NaN: not observed).
    labels : tuple of str
        How each month is written in the file.
    """

    file: str
    months: NDArray[np.int64]
    series: dict[str, NDArray[np.float64]]
    labels: tuple[str, ...]

    @property
    def observations(self) -> int:
        """Number of observed values (month x column)."""
        return int(sum(np.isfinite(v).sum() for v in self.series.values()))


def _month_numbers(raw: list[Any], file: str, start: str | None) -> NDArray[np.int64]:
    if all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        return np.array(raw, dtype=np.int64)
    text = [str(v).strip() for v in raw]
    ym = []
    for i, t in enumerate(text):
        parts = t.split("-")
        if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
            raise ActualsError(f"{file}: month row {i + 1} is {t!r}; write the study month "
                               "(1, 2, ...) or a calendar month YYYY-MM")
        ym.append(int(parts[0]) * 12 + int(parts[1]) - 1)
    if start is not None:
        sp = start.split("-")
        if len(sp) != 2 or not (sp[0].isdigit() and sp[1].isdigit()):
            raise ActualsError(f"--start {start}: write the calendar month of study month 1 "
                               "as YYYY-MM")
        first = int(sp[0]) * 12 + int(sp[1]) - 1
    else:
        first = min(ym)
    return np.array([m - first + 1 for m in ym], dtype=np.int64)


def _read(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ActualsError(f"{path}: not a .csv or .parquet file; save the bills as one")
    if not path.is_file():
        raise ActualsError(f"{path}: file not found; check the path")
    try:
        if suffix in (".parquet", ".pq"):
            return pl.read_parquet(path)
        return pl.read_csv(path, separator="\t" if suffix == ".tsv" else ",",
                           infer_schema_length=None)
    except (OSError, pl.exceptions.PolarsError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ActualsError(f"{path}: cannot read it ({first})") from None


def _values(frame: Any, column: str, file: str) -> NDArray[np.float64]:
    s = frame[column]
    if s.dtype == pl.String:
        s = s.str.strip_chars().str.replace_all(r"[$,]", "").cast(pl.Float64, strict=False)
    elif not s.dtype.is_numeric():
        raise ActualsError(f"{file}: {column} holds {s.dtype}, not numbers")
    x = s.cast(pl.Float64).fill_null(math.nan).to_numpy().astype(np.float64)
    bad = np.isfinite(x) & ~(x > 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ActualsError(f"{file}: {column}: {int(bad.sum())} of {x.size} rows are <= 0 "
                           f"(first: row {i + 1}, {x[i]:g}); a bill or a volume is > 0: fix "
                           "them, or leave the cell empty for a month not observed")
    return x


def _series(frame: Any, study: Study, file: str) -> dict[str, NDArray[np.float64]]:
    """The volume and cost.<strategy> columns, checked."""
    compared = study.compared()
    series: dict[str, NDArray[np.float64]] = {}
    for c in frame.columns:
        if c == "month":
            continue
        if c == "volume" or c.startswith("cost."):
            if c.startswith("cost.") and c[5:] not in compared:
                raise ActualsError(f"{file}: {c}: '{c[5:]}' is not a strategy of the study; "
                                   f"use one of {', '.join('cost.' + s for s in compared)}")
            series[c] = _values(frame, c, file)
        else:
            raise ActualsError(f"{file}: unknown column {c!r}; the columns are month, volume "
                               f"(requests/day) and cost.<strategy> ({', '.join(compared)})")
    if not series:
        raise ActualsError(f"{file}: no volume or cost.<strategy> column; add the bills "
                           f"(e.g. cost.{study.baseline}) or the volume")
    return series


def read_actuals(path: str | Path, study: Study, *, start: str | None = None) -> Actuals:
    """Read and check an actuals file against ``study``.

    Parameters
    ----------
    path : str or Path
        The file (see the module docstring for its columns).
    study : Study
        The study whose forecast the actuals are checked against.
    start : str, optional
        The calendar month (``YYYY-MM``) of study month 1, for files with calendar months.

    Raises
    ------
    ActualsError
        For a missing file, no month column, months outside 1..horizon or repeated, a
        ``cost.<name>`` that is not a compared strategy, an unknown column, or values that
        are not numbers > 0.

    Examples
    --------
    >>> acts = read_actuals("bills.csv", study)  # doctest: +SKIP
    >>> acts.months, list(acts.series)  # doctest: +SKIP
    (array([1, 2, 3, 4]), ['volume', 'cost.frontier'])
    """
    p = Path(path)
    file = str(path)
    frame = _read(p)
    names = frame.columns
    if "month" not in names:
        raise ActualsError(f"{file}: no month column; add one with the study month (1, 2, "
                           "...) or the calendar month (2025-01) of each row")
    if frame.height == 0:
        raise ActualsError(f"{file}: no rows; add one row per month billed")
    raw = frame["month"].to_list()
    if any(v is None for v in raw):
        raise ActualsError(f"{file}: month: {sum(v is None for v in raw)} rows have no month; "
                           "fill them in")
    months = _month_numbers(raw, file, start)
    horizon = study.horizon_months
    out_of = (months < 1) | (months > horizon)
    if out_of.any():
        i = int(np.argmax(out_of))
        raise ActualsError(f"{file}: month row {i + 1} ({raw[i]}) is study month {months[i]}, "
                           f"outside 1..{horizon} (the study's horizon); fix the month or "
                           "--start")
    if np.unique(months).size != months.size:
        raise ActualsError(f"{file}: month: some months appear twice; one row per month")
    series = _series(frame, study, file)
    order = np.argsort(months)
    series = {k: v[order] for k, v in series.items()}
    if not any(np.isfinite(v).any() for v in series.values()):
        raise ActualsError(f"{file}: every cell is empty; fill in the months billed")
    labels = tuple(str(raw[i]) for i in order)
    if "volume" in series:  # volume first: costs are then read given the volume
        series = {"volume": series.pop("volume"), **series}
    return Actuals(file, months[order], series, labels)
