"""A study's workload inputs derived from a request log (``ftrisk workload LOG``).

The log has one row per request: a timestamp, input tokens and output tokens (CSV/TSV or
parquet; column names given or detected). It is read with polars' lazy scan, so a large log
is aggregated without being loaded: only the daily and hourly counts and (a systematic
subsample of at most :data:`MAX_FIT_ROWS` rows of) the token columns reach memory.

What is derived, and how:

- **days**: calendar days of the timestamps (as written, no time-zone conversion); the
  first and the last day are left out as possibly partial, and days without a request
  inside the range count as 0;
- **monthly growth**: ordinary least squares of log(daily count) on the day number,
  ``log n_d = a + b d + e``; the monthly factor is ``exp(30 b)``, so
  ``g = exp(30 b) - 1`` with standard error ``30 se(b) exp(30 b)`` (delta method); the study
  gets ``normal = {mean = g, sd = se(g)}`` and the comment gives the 90% t-interval
  (n - 2 degrees of freedom). Days with no request are left out of this fit;
- **requests per day**: the daily counts brought to the level of the last full day by the
  fitted trend (``n_d exp(b (D - d))``), fitted by :func:`distributions.fit_data` (best by
  AIC); this is the spread of one day's volume around the trend, a deliberately wide
  statement of the first month's level;
- **tokens**: input and output tokens per request fitted by :func:`distributions.fit_data`
  among the positive families (rows with 0 tokens are left out and counted in the comment);
- **hourly profile**: requests in each hour of the day (00:00 first) over the full days,
  divided by their mean (an average hour weighs 1), the 24 weights the serving simulation
  takes as ``hourly_profile``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy import stats

from distributions import FitError, FitResult, fit_data, toml_inline
from distributions.base import FloatArray
from sim.study.process_fit import ProcessFit, fit_process

__all__ = ["LogError", "WorkloadFit", "derive_workload", "detect_columns"]

#: Most token rows a fit reads (a systematic subsample of longer logs).
MAX_FIT_ROWS = 200_000
#: Fewest full days the derivation needs (a fit needs 20 daily counts).
MIN_DAYS = 20
SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")
#: Column names tried, in order, when a role is not given (compared case-insensitively).
CANDIDATES = {
    "timestamp": ("timestamp", "time", "ts", "datetime", "created_at", "created", "date",
                  "request_time", "start_time"),
    "input": ("input_tokens", "tokens_in", "prompt_tokens", "in_tokens", "input", "prompt"),
    "output": ("output_tokens", "tokens_out", "completion_tokens", "out_tokens", "output",
               "completion"),
}
FLAGS = {"timestamp": "--timestamp-column", "input": "--input-column",
         "output": "--output-column"}


class LogError(ValueError):
    """A request log that cannot be used; the message names the file, the column and the fix.

    Examples
    --------
    >>> str(LogError("log.csv: has no timestamp column; name it with --timestamp-column"))
    'log.csv: has no timestamp column; name it with --timestamp-column'
    """


@dataclass(frozen=True)
class Growth:
    """The log-linear trend of daily volume."""

    slope: float
    slope_se: float
    dof: int
    monthly: float
    monthly_se: float
    lo90: float
    hi90: float


@dataclass(frozen=True)
class WorkloadFit:
    """The workload inputs derived from a log (see the module docstring).

    Attributes
    ----------
    source : str
        The log file's name.
    rows : int
        Requests in the log.
    first_day, last_day : str
        The full days used (ISO dates).
    days : int
        Number of full days.
    daily : numpy.ndarray
        Requests on each full day.
    growth : Growth
        The trend of daily volume and the monthly growth with its standard error.
    requests : FitResult
        Daily counts (brought to the last day's level) fitted.
    input_tokens, output_tokens : FitResult
        Tokens per request fitted.
    zeros : dict of str to int
        Rows with 0 tokens left out of each token fit.
    hourly : tuple of float
        24 weights, mean 1.
    hourly_counts : numpy.ndarray
        Requests in each hour of the day over the full days.
    columns : dict of str to str
        The columns used for timestamp, input and output.
    """

    source: str
    rows: int
    first_day: str
    last_day: str
    days: int
    daily: FloatArray
    growth: Growth
    requests: FitResult
    input_tokens: FitResult
    output_tokens: FitResult
    zeros: dict[str, int]
    hourly: tuple[float, ...]
    hourly_counts: FloatArray
    columns: dict[str, str]
    #: the volume process fitted to the daily counts (``process=True``), else None
    process: ProcessFit | None = None

    def growth_value(self) -> dict[str, Any]:
        """The study value of the monthly growth (a normal; cut at -0.9 if it could reach -1)."""
        g = self.growth
        value: dict[str, Any] = {"mean": g.monthly, "sd": g.monthly_se}
        if g.monthly - 8.5 * g.monthly_se <= -0.95:
            value["min"] = -0.9
        return {"normal": value}

    def toml(self) -> str:
        """The ``[workload]`` fragment with comments saying how each value was derived."""
        g = self.growth
        r = self.requests.best
        ti, to = self.input_tokens.best, self.output_tokens.best

        def fitted(res: FitResult, what: str) -> str:
            f = res.best
            p = "" if f.p_value != f.p_value else f"; KS p = {f.p_value:.2g}"
            names = ", ".join(x.family for x in res.fits)
            return (f"# {what}: {f.family} fitted to {res.n:,} {res.source}\n"
                    f"# (best AIC among {names}{p})")

        zero = {k: (f"; {v:,} rows with 0 tokens left out" if v else "")
                for k, v in self.zeros.items()}
        lines = [
            f"# Workload derived by `ftrisk workload` from {self.source}: {self.rows:,} requests,",
            f"# {self.days} full days from {self.first_day} to {self.last_day} (the first and last",
            "# days of the log are left out as possibly partial).",
            "[workload]",
            fitted(self.requests, "requests/day"),
            f"# (daily counts brought to the level of {self.last_day} along the trend below; the",
            "# spread of one day's volume, a wide statement of the first month's level)",
            f"requests_per_day = {toml_inline(r.value)}",
            f"# {'trend' if self.process else 'monthly growth'}: least squares of "
            "log(daily count) on the day, slope "
            f"{g.slope:.4g}/day ± {g.slope_se:.2g} (se);",
            f"# g = exp(30 x slope) - 1 = {g.monthly:.2%} a month, 90% interval {g.lo90:.2%} "
            f"to {g.hi90:.2%} (t, {g.dof} df)",
            *self._growth_lines(),
            fitted(self.input_tokens, "input tokens per request") + zero["input"],
            f"input_tokens = {toml_inline(ti.value)}",
            fitted(self.output_tokens, "output tokens per request") + zero["output"],
            f"output_tokens = {toml_inline(to.value)}",
            f"# traffic by hour of day (00:00 first; an average hour weighs 1), from the "
            f"{int(self.hourly_counts.sum()):,} requests",
            f"# of the full days; peak hour {max(self.hourly):.2f}x the average",
            "hourly_profile = [" + ", ".join(f"{w:.3f}" for w in self.hourly) + "]",
        ]
        return "\n".join(lines) + "\n"


    def _growth_lines(self) -> list[str]:
        p = self.process
        if p is None:
            return [f"monthly_growth = {toml_inline(self.growth_value())}"]
        return [
            f"# volume process: log-volume changes of {p.increments} consecutive {p.period}s "
            "(docs/model.md, \"Workload\"):",
            f"# drift {p.drift:.4g} ± {p.drift_se:.2g} (se), volatility {p.volatility:.4g} ± "
            f"{p.volatility_se:.2g} (se) a month, counting noise removed",
            f"volume_process = {toml_inline(p.value())}",
        ]


def _scan(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LogError(f"{path}: not a .csv, .tsv or .parquet file; save the log as one of them")
    if not path.is_file():
        raise LogError(f"{path}: file not found; check the path")
    if suffix in (".parquet", ".pq"):
        return pl.scan_parquet(path)
    return pl.scan_csv(path, separator="\t" if suffix == ".tsv" else ",",
                       try_parse_dates=True, infer_schema_length=10_000)


def detect_columns(names: list[str], given: dict[str, str | None], *,
                   file: str = "log") -> dict[str, str]:
    """The timestamp, input and output columns: as given, else the first known name present.

    Examples
    --------
    >>> detect_columns(["ts", "prompt_tokens", "completion_tokens"],
    ...                {"timestamp": None, "input": None, "output": None})
    {'timestamp': 'ts', 'input': 'prompt_tokens', 'output': 'completion_tokens'}
    """
    lower = {n.lower(): n for n in names}
    out: dict[str, str] = {}
    for role, name in given.items():
        if name is not None:
            if name not in names:
                close = get_close_matches(name, names, n=2)
                hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
                raise LogError(f"{file}: {FLAGS[role]} {name}: no such column; {hint}"
                               f"columns: {', '.join(names[:20])}")
            out[role] = name
            continue
        found = next((lower[c] for c in CANDIDATES[role] if c in lower), None)
        if found is None:
            raise LogError(f"{file}: no {role} column found (tried "
                           f"{', '.join(CANDIDATES[role][:4])}, ...); name it with "
                           f"{FLAGS[role]} (columns: {', '.join(names[:20])})")
        out[role] = found
    return out


def _timestamp(frame: Any, column: str, file: str) -> Any:
    """The timestamp column as a polars Datetime expression."""
    dtype = frame.collect_schema()[column]
    c = pl.col(column)
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return c
    if dtype == pl.Date:
        raise LogError(f"{file}: {column} holds dates without times; the hourly profile needs "
                       "the time of each request")
    if dtype.is_integer() or dtype.is_float():
        # epoch seconds, or milliseconds when the values are too large for seconds
        first = frame.select(c.drop_nulls().first()).collect().item()
        if first is not None and abs(first) > 1e11:
            return pl.from_epoch(c.cast(pl.Int64), time_unit="ms")
        return pl.from_epoch(c.cast(pl.Int64), time_unit="s")
    if dtype == pl.String:
        return c.str.strip_chars().str.to_datetime(strict=False)
    raise LogError(f"{file}: {column} holds {dtype}, not timestamps; name the timestamp "
                   "column with --timestamp-column")


def _counts(frame: Any, ts: Any, file: str, column: str) -> tuple[Any, Any, int]:
    """Daily counts (with 0 for empty days) and the number of rows; unparsed rows fail."""
    stamped = frame.select(t=ts)
    agg = stamped.select(rows=pl.len(), bad=pl.col("t").null_count(),
                         first=pl.col("t").min(), last=pl.col("t").max()).collect()
    rows, bad = int(agg["rows"][0]), int(agg["bad"][0])
    if bad:
        raise LogError(f"{file}: {bad:,} of {rows:,} rows of {column} are empty or not "
                       "timestamps (e.g. 2025-03-01T14:05:00, or epoch seconds); fix or "
                       "remove them")
    daily = (stamped.group_by(day=pl.col("t").dt.date()).agg(n=pl.len()).collect()
             .sort("day"))
    return daily, stamped, rows


def _growth(days: FloatArray, counts: FloatArray) -> Growth:
    keep = counts > 0
    x, y = days[keep], np.log(counts[keep])
    n = x.size
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    b = float(((x - xm) * (y - y.mean())).sum() / sxx)
    a = y.mean() - b * xm
    resid = y - a - b * x
    dof = n - 2
    s2 = float(resid @ resid) / dof
    se = math.sqrt(s2 / sxx)
    tq = float(stats.t.ppf(0.95, dof))
    factor = math.exp(30 * b)
    return Growth(b, se, dof, factor - 1, 30 * se * factor, math.exp(30 * (b - tq * se)) - 1,
                  math.exp(30 * (b + tq * se)) - 1)


def _tokens(frame: Any, column: str, rows: int, source: str, seed: int,
            n_boot: int) -> tuple[FitResult, int]:
    step = max(1, math.ceil(rows / MAX_FIT_ROWS))
    c = pl.col(column).cast(pl.Float64, strict=False)
    x = frame.select(c).gather_every(step).collect()[column].fill_null(np.nan).to_numpy()
    zeros = int(np.sum(x == 0))
    x = x[x != 0]
    every = f", 1 row in {step:,}" if step > 1 else ""
    try:
        res = fit_data(x, family=("lognormal", "gamma", "normal"), n_boot=n_boot, rng=seed,
                       source=f"rows of {source}:{column}{every}")
    except FitError as err:
        raise LogError(str(err)) from None
    return res, zeros


def derive_workload(path: str | Path, *, timestamp: str | None = None,
                    input_tokens: str | None = None, output_tokens: str | None = None,
                    n_boot: int = 100, seed: int = 0, process: bool = False) -> WorkloadFit:
    """Derive the workload inputs of a study from a request log.

    Parameters
    ----------
    path : str or Path
        The log (.csv, .tsv or .parquet), one row per request.
    timestamp, input_tokens, output_tokens : str, optional
        Column names (default: detected, see :data:`CANDIDATES`).
    n_boot : int
        Bootstrap refits for the KS p-values of the fits.
    seed : int
        Seed of the bootstraps.
    process : bool
        Also fit a volume process (:mod:`sim.study.process_fit`); its fragment then states
        ``volume_process`` instead of ``monthly_growth``.

    Returns
    -------
    WorkloadFit

    Raises
    ------
    LogError
        For a file that is missing or of another format, a column not found, timestamps
        that do not parse, fewer than :data:`MIN_DAYS` full days, or token columns a fit
        cannot take (the message gives the row count and the fix).

    Examples
    --------
    >>> fit = derive_workload("requests.parquet")  # doctest: +SKIP
    >>> print(fit.toml())  # doctest: +SKIP
    """
    p = Path(path)
    file = str(path)
    frame = _scan(p)
    try:
        names = frame.collect_schema().names()
        cols = detect_columns(names, {"timestamp": timestamp, "input": input_tokens,
                                      "output": output_tokens}, file=file)
        ts = _timestamp(frame, cols["timestamp"], file)
        daily, stamped, rows = _counts(frame, ts, file, cols["timestamp"])
        if daily.height < MIN_DAYS + 2:
            raise LogError(f"{file}: the log covers {daily.height} calendar days "
                           f"({rows:,} rows); deriving a workload needs at least {MIN_DAYS} "
                           "full days besides the first and the last: use a longer log")
        first, last = daily["day"][1], daily["day"][-2]
        full = pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)}).join(
            daily, on="day", how="left").with_columns(pl.col("n").fill_null(0))
        counts = full["n"].to_numpy().astype(np.float64)
        d = np.arange(counts.size, dtype=np.float64)
        growth = _growth(d, counts)
        level = counts * np.exp(growth.slope * (d[-1] - d))
        requests = fit_data(level[counts > 0], family=("lognormal", "gamma", "normal"),
                            n_boot=n_boot, rng=seed, source="daily counts")
        hours = (stamped.filter(pl.col("t").dt.date().is_between(first, last))
                 .group_by(h=pl.col("t").dt.hour()).agg(n=pl.len()).collect())
        hourly = np.zeros(24)
        hourly[hours["h"].to_numpy()] = hours["n"].to_numpy()
        tin, zin = _tokens(frame, cols["input"], rows, p.name, seed, n_boot)
        tout, zout = _tokens(frame, cols["output"], rows, p.name, seed, n_boot)
    except pl.exceptions.PolarsError as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise LogError(f"{file}: cannot read it ({first_line})") from None
    weights = hourly / hourly.mean() if hourly.sum() > 0 else np.ones(24)
    fitted = None
    if process:
        try:
            fitted = fit_process(counts)
        except ValueError as err:
            raise LogError(f"{file}: --process: {err}") from None
    return WorkloadFit(p.name, rows, first.isoformat(), last.isoformat(), counts.size, counts,
                       growth, requests, tin, tout, {"input": zin, "output": zout},
                       tuple(float(w) for w in weights), hourly, cols, fitted)
