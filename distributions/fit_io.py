"""Read the column to fit from a CSV/TSV or parquet file, with polars' lazy scan.

Only the asked column is read (the scan pushes the selection down to the reader, so a
large log costs one column's memory). Missing cells come back as NaN, so the fit's checks
(:func:`~distributions.fit_checks.check_sample`) report how many rows are empty; text that
is not a number is an error here, naming the first such row.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path

import numpy as np

from distributions.base import FloatArray
from distributions.empirical import SUFFIXES
from distributions.fit_checks import FitError


def read_sample(path: str | Path, column: str) -> FloatArray:
    """The values of one numeric column of a ``.csv``/``.tsv`` or ``.parquet`` file.

    Parameters
    ----------
    path : str or Path
        The file (CSV with a header row; ``.tsv`` is tab-separated).
    column : str
        The column to read.

    Returns
    -------
    numpy.ndarray
        float64 values, one per data row, NaN where a cell is empty.

    Raises
    ------
    FitError
        For a missing file or one of another format, a column the file does not have (the
        message suggests the closest names), or a column that does not hold numbers.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "log.csv"
    ...     _ = path.write_text("tokens_in,model\\n512,a\\n,b\\n1024,c\\n")
    ...     print(read_sample(path, "tokens_in").tolist())
    ...     try:
    ...         read_sample(path, "tokens")
    ...     except FitError as err:
    ...         print(str(err).split(": ", 1)[1])
    [512.0, nan, 1024.0]
    has no column 'tokens'; did you mean 'tokens_in'? columns: tokens_in, model
    """
    # polars (0.3 s to import) only for data files and fits: import distributions skips it
    import polars as pl

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FitError(f"{path}: not a .csv or .parquet file; save the data as one of "
                       f"{', '.join(SUFFIXES)}")
    if not path.is_file():
        raise FitError(f"{path}: file not found; check the path")
    where = f"{path.name}:{column}"
    try:
        frame = (pl.scan_parquet(path) if suffix in (".parquet", ".pq") else
                 pl.scan_csv(path, separator="\t" if suffix == ".tsv" else ",",
                             infer_schema=False))
        names = frame.collect_schema().names()
        _check_column(path, column, names)
        raw = frame.select(pl.col(column))
        dtype = raw.collect_schema()[column]
        if dtype == pl.String:
            text = pl.col(column).str.strip_chars()
            value = text.cast(pl.Float64, strict=False)
            got = raw.select(value=value, bad=value.is_null() & (text != "")).collect()
            _check_text(where, raw, got["bad"])
            series = got["value"]
        elif dtype.is_numeric():
            series = raw.select(pl.col(column).cast(pl.Float64)).collect().to_series()
        else:
            raise FitError(f"{where}: the column holds {dtype}, not numbers; fit a numeric "
                           "column")
    except (OSError, pl.exceptions.PolarsError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise FitError(f"{path}: cannot read it ({first})") from None
    return np.ascontiguousarray(series.fill_null(np.nan).to_numpy(), dtype=np.float64)


def _check_column(path: Path, column: str, names: list[str]) -> None:
    if column in names:
        return
    close = get_close_matches(column, names, n=3)
    lower = [n for n in names if n.lower() == column.lower()]
    hint = (f"did you mean {' or '.join(repr(c) for c in dict.fromkeys(lower + close))}? "
            if lower or close else "")
    shown = ", ".join(names[:20]) + (f", … ({len(names)} in all)" if len(names) > 20 else "")
    raise FitError(f"{path}: has no column {column!r}; {hint}columns: {shown}")


def _check_text(where: str, raw: object, bad: object) -> None:
    # polars (0.3 s to import) only for data files and fits: import distributions skips it
    import polars as pl

    assert isinstance(raw, pl.LazyFrame) and isinstance(bad, pl.Series)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return
    i = int(np.argmax(bad.to_numpy()))
    cell = raw.slice(i, 1).collect().item()
    raise FitError(
        f"{where}: {n_bad} of {bad.len()} rows are not numbers (first: row {i + 1}, {cell!r}); "
        "fix or remove them, or pick a numeric column"
    )
