"""Distributions from data: ``empirical = [observations]`` or ``{ file = ..., column = ... }``.

Design
------
By default the quantile function is the inverse of the *linearly interpolated* empirical
cdf through the sorted observations ``x_(1) <= ... <= x_(n)`` at probabilities
``0, 1/(n-1), ..., 1`` (numpy's default ``"linear"`` quantile, Hyndman–Fan type 7).
Consequences, stated so nobody is surprised:

- draws are continuous and stay within ``[min, max]`` of the data: the sample median and
  quartiles are reproduced exactly, but nothing beyond the observed extremes can be
  drawn. With few observations this understates the tails; if you believe they are wider,
  state a family (``quantiles``, ``lognormal``) instead;
- the mean is that of the interpolated distribution,
  ``(sum(x) - (x_(1) + x_(n))/2) / (n - 1)``, not exactly the sample mean (they agree as n
  grows);
- it is continuous, so Latin hypercube and Sobol plans stratify it smoothly and rank
  correlations are free of ties.

With ``method = "resample"`` it is instead the observations themselves, each with
probability 1/n (a bootstrap, the inverse of the step ECDF): the mean is the sample mean,
only observed values occur, and whole-number data stay whole numbers (useful for counts).

Files are read with polars: ``.csv`` (with a header row; ``.tsv`` tab-separated) or
``.parquet``; a relative path is taken from ``base_dir`` (the study file's folder). Empty
cells, text and non-finite values are errors that name the row, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import numpy as np

from distributions.base import Distribution, FloatArray, fmt, fmt_short
from distributions.errors import DistributionError

#: File suffixes empirical data can be read from.
SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")


@dataclass(frozen=True)
class Empirical(Distribution):
    """The distribution of observed data (interpolated, or resampled with ``resample=True``).

    Parameters
    ----------
    observations : sequence of float
        At least two finite values, not all equal (stored sorted).
    resample : bool
        Draw the observations themselves (each with probability 1/n) instead of
        interpolating between them.
    source : str
        Where the data came from, for :meth:`describe` (e.g. ``"hours.csv:hours"``).

    Examples
    --------
    >>> d = Empirical((4.0, 1.0, 2.0, 3.0))
    >>> d.ppf([0.0, 0.5, 1.0]).tolist(), d.mean
    ([1.0, 2.5, 4.0], 2.5)
    >>> Empirical((1, 2, 2, 7), resample=True).ppf([0.25, 0.26, 0.99]).tolist()
    [1.0, 2.0, 7.0]
    """

    observations: tuple[float, ...] = field(repr=False)
    resample: bool = False
    source: str = ""
    family = "empirical"
    _x: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        x = _validated(self.observations, self.source)
        object.__setattr__(self, "observations", tuple(x.tolist()))
        object.__setattr__(self, "_x", x)

    @classmethod
    def from_file(cls, path: str | Path, column: str | None = None, *,
                  base_dir: str | Path | None = None, resample: bool = False) -> Empirical:
        """Observations from a column of a CSV or parquet file.

        Parameters
        ----------
        path : str or Path
            The file; a relative path is taken from ``base_dir`` (default: the current
            folder).
        column : str, optional
            The column to read; may be left out when the file has a single column.
        base_dir : str or Path, optional
            Folder relative paths start from (the study file's folder).
        resample : bool
            See the class.

        Raises
        ------
        DistributionError
            For a missing or unreadable file, an unknown column, or data that are empty,
            not numbers or not finite (the message names the row).
        """
        full = Path(path) if base_dir is None else Path(base_dir) / path
        values = read_column(full, column)
        name = full.name if column is None else f"{full.name}:{column}"
        return cls(tuple(values.tolist()), resample=resample, source=name)

    @property
    def n(self) -> int:
        """Number of observations."""
        return int(self._x.size)

    @property
    def integer(self) -> bool:
        return self.resample and bool(np.all(self._x == np.round(self._x)))

    @property
    def discrete(self) -> bool:
        return self.resample

    def _ppf(self, q: FloatArray) -> FloatArray:
        x = self._x
        if self.resample:
            i = np.ceil(q * x.size).astype(np.intp) - 1
            return x[np.clip(i, 0, x.size - 1)]
        h = q * (x.size - 1)
        i = np.clip(h.astype(np.intp), 0, x.size - 2)
        return x[i] + (h - i) * (x[i + 1] - x[i])

    def _cdf(self, x: FloatArray) -> FloatArray:
        obs = self._x
        k = np.searchsorted(obs, x, side="right")
        if self.resample:
            return k / obs.size
        i = np.clip(k - 1, 0, obs.size - 2)
        width = obs[i + 1] - obs[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(width > 0, (x - obs[i]) / width, 1.0)
        p = (i + np.clip(t, 0.0, 1.0)) / (obs.size - 1)
        return np.where(k == 0, 0.0, np.where(k >= obs.size, 1.0, p))

    @property
    def mean(self) -> float:
        x = self._x
        if self.resample:
            return float(x.mean())
        return float((x.sum() - 0.5 * (x[0] + x[-1])) / (x.size - 1))

    @property
    def var(self) -> float:
        x = self._x
        if self.resample:
            return float(x.var())
        # an equal mixture of uniforms on [x_(i), x_(i+1)]; centred for precision
        c = x - self.mean
        a, b = c[:-1], c[1:]
        return float(np.mean((a * a + a * b + b * b) / 3.0))

    @property
    def support(self) -> tuple[float, float]:
        return (float(self._x[0]), float(self._x[-1]))

    def _params(self) -> str:
        how = "resampled" if self.resample else "interpolated"
        where = f" from {self.source}" if self.source else ""
        lo, hi = self.support
        return f"n={self.n}{where}, {fmt_short(lo)} to {fmt_short(hi)}, {how}"


def _validated(values: Sequence[float], source: str) -> FloatArray:
    where = f" ({source})" if source else ""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise DistributionError(
            f"empirical{where}: observations must be a list of numbers, e.g. [12, 15, 9]"
        )
    if not all(type(v) is float for v in values):  # a fast path for data read from files
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
                raise DistributionError(
                    f"empirical{where}: observation {i + 1} ({v!r}) is not a number"
                )
    x = np.sort(np.asarray(values, dtype=np.float64))
    bad = np.flatnonzero(~np.isfinite(np.asarray(values, dtype=np.float64)))
    if bad.size:
        i = int(bad[0])
        raise DistributionError(f"empirical{where}: observation {i + 1} is {values[i]}; remove it")
    if x.size < 2:
        raise DistributionError(
            f"empirical{where}: needs at least 2 observations, got {x.size}; for a known value "
            "write the number itself"
        )
    if x[0] == x[-1]:
        raise DistributionError(
            f"empirical{where}: all {x.size} observations equal {fmt(float(x[0]))}; write the "
            "number itself"
        )
    return x


def read_column(path: Path, column: str | None) -> FloatArray:
    """The values of one numeric column of a CSV/TSV or parquet file, as float64.

    Raises
    ------
    DistributionError
        Naming the file (and row) for a missing file, an unsupported format, an unknown
        column, or empty, non-numeric or non-finite cells.
    """
    import polars as pl  # 0.24 s to import: only studies that read data files need it

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DistributionError(
            f"empirical: {path} is not a .csv or .parquet file; save the data as one of "
            f"{', '.join(SUFFIXES)}"
        )
    if not path.is_file():
        raise DistributionError(
            f"empirical: data file {path} not found; paths are relative to the study file"
        )
    try:
        if suffix in (".parquet", ".pq"):
            frame = pl.scan_parquet(path)
        else:
            frame = pl.scan_csv(path, separator="\t" if suffix == ".tsv" else ",",
                                infer_schema=False)
        names = frame.collect_schema().names()
        column = _column(path, column, names)
        series = frame.select(column).collect().to_series()
    except (OSError, pl.exceptions.PolarsError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DistributionError(f"empirical: cannot read {path} ({first})") from None
    return _numeric(path, column, series)


def _column(path: Path, column: str | None, names: list[str]) -> str:
    if column is None:
        if len(names) == 1:
            return names[0]
        raise DistributionError(
            f"empirical: {path} has {len(names)} columns; say which with column = one of "
            f"{', '.join(names[:10])}"
        )
    if column not in names:

        close = get_close_matches(column, names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise DistributionError(
            f"empirical: {path} has no column '{column}'; {hint}columns: {', '.join(names[:10])}"
        )
    return column


def _numeric(path: Path, column: str, series: object) -> FloatArray:
    import polars as pl  # as in read_column

    assert isinstance(series, pl.Series)
    where = f"empirical: {path}, column '{column}'"
    if series.len() == 0:
        raise DistributionError(f"{where} has no data rows; add observations")
    missing = series.is_null()
    if missing.any():
        rows = (np.flatnonzero(missing.to_numpy()) + 1)[:5].tolist()
        raise DistributionError(
            f"{where}: empty cells in data row(s) {', '.join(map(str, rows))}; fill or remove them"
        )
    if series.dtype == pl.String:
        values = series.str.strip_chars().cast(pl.Float64, strict=False)
        bad = values.is_null()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DistributionError(
                f"{where}: data row {i + 1} holds {series[i]!r}, not a number; fix or remove it"
            )
        series = values
    elif not series.dtype.is_numeric():
        raise DistributionError(f"{where} holds {series.dtype}, not numbers")
    x = series.cast(pl.Float64).to_numpy()
    bad_rows = np.flatnonzero(~np.isfinite(x))
    if bad_rows.size:
        i = int(bad_rows[0])
        raise DistributionError(
            f"{where}: data row {i + 1} is {x[i]}; remove non-finite values"
        )
    return np.ascontiguousarray(x, dtype=np.float64)
