"""Two-input break-even maps: P(payback <= N) over a grid of two inputs, and which strategy
is best in each cell (docs/model.md, "Sensitivity").

Each cell is a full Monte Carlo of the study on common random numbers (the same draws of
every other input in every cell, see :mod:`sim.decision.sweep`), so the map is smooth and
its contours are not noise. The best strategy of a cell is the one with the largest E[NPV]
among those meeting the study's constraints (the baseline included, at 0).

The 50% contour (any ``levels``) is traced by linear interpolation between neighbouring
cells, along the first input for each value of the second and along the second for each
value of the first (in log space for a log-spaced axis); each point carries its Monte Carlo
standard error along its axis (delta method, as the one-input crossings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from sim.decision.samples import CHUNK, check_strategies, decision_set
from sim.decision.sweep import LEVELS, Scale, accumulate, check_param, check_values, level_crossings
from sim.study import Study

#: The most cells a map may have (each is a full Monte Carlo).
MAX_CELLS = 400


@dataclass(frozen=True)
class BreakEvenMap:
    """P(payback <= N) over two inputs and the best strategy per cell.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per cell and strategy (every non-baseline one asked for): ``value, value2,
        strategy, p_payback, p_payback_se, npv_mean, npv_mean_se, p_npv_positive, p_best``.
    best : polars.DataFrame
        One row per cell: ``value, value2, best`` (max E[NPV] among the feasible strategies,
        the baseline included) and ``best_npv`` (its E[NPV]).
    contour : polars.DataFrame
        ``strategy, level, value, value2, se, along`` (``"param"``: interpolated along the
        first input, ``value2`` fixed; ``"param2"``: along the second), for the map's
        strategy.
    param, param2 : str
        The inputs' paths (``value`` and ``value2``).
    strategy : str
        The strategy of the heatmap and contour.
    months : int
        N of P(payback <= N).
    scale, scale2 : str
        How each axis was spaced.
    samples : int
        Samples per cell.
    """

    frame: pl.DataFrame
    best: pl.DataFrame
    contour: pl.DataFrame
    param: str
    param2: str
    strategy: str
    months: int
    scale: str
    scale2: str
    samples: int

    def table(self) -> pl.DataFrame:
        """The grid: one row per cell and strategy, with the cell's best strategy."""
        return self.frame.join(self.best, on=["value", "value2"], how="left",
                               maintain_order="left")

    def grid(self, column: str = "p_payback") -> np.ndarray:
        """``column`` of the map's strategy as a (len(values2), len(values)) array."""
        rows = self.frame.filter(pl.col("strategy") == self.strategy).sort(["value2", "value"])
        nx = rows["value"].n_unique()
        return rows[column].to_numpy().reshape(-1, nx)


def _contour(xs: np.ndarray, ys: np.ndarray, p: np.ndarray, se: np.ndarray, level: float,
             logs: tuple[bool, bool]) -> list[tuple[float, float, float, str]]:
    """Contour points of ``p`` (ny, nx) at ``level``: along x for each y, along y for each x."""
    out = []
    for j, y in enumerate(ys):
        for x, e, _ in level_crossings(xs, p[j], se[j], level, logs[0]):
            out.append((x, float(y), e, "param"))
    for i, x in enumerate(xs):
        for y, e, _ in level_crossings(ys, p[:, i], se[:, i], level, logs[1]):
            out.append((float(x), y, e, "param2"))
    return out


def sweep_map(study: Study, param: str, values: Sequence[float], param2: str,
              values2: Sequence[float], *, strategy: str | None = None,
              months: int | None = None, scale: Scale = "linear", scale2: Scale = "linear",
              samples: int | None = None, levels: Sequence[float] = LEVELS[:1],
              chunk_size: int = CHUNK, client: Any = None,
              progress: Callable[[int, int], None] | None = None) -> BreakEvenMap:
    """P(payback <= N) and the best strategy over a grid of two inputs.

    Parameters
    ----------
    study : Study
        The study (its seed and sampling plan give the common random numbers).
    param, param2 : str
        The two inputs (different ones).
    values, values2 : sequence of float
        Their values (sorted; duplicates dropped); at most :data:`MAX_CELLS` cells.
    strategy : str, optional
        The strategy of the heatmap and contour (default: the first non-baseline one).
    months : int, optional
        N of P(payback <= N) (default: the study's headline N).
    scale, scale2 : {"linear", "log"}
        How each axis is interpolated.
    samples : int, optional
        Samples per cell (default: the study's).
    levels : sequence of float
        Contour levels (default 0.5).
    chunk_size : int
        Samples per model call; results do not depend on it.
    client : dask.distributed.Client, optional
        Evaluate the (chunk, cell) pairs on this Dask cluster; bit-identical results.
    progress : callable, optional
        ``progress(done, total)``: cell-samples evaluated so far.

    Examples
    --------
    >>> m = sweep_map(study, "workload.requests_per_day", [1e3, 1e4, 1e5],
    ...               "strategies.x.gpu_hourly", [1.0, 2.0, 3.0], scale="log")  # doctest: +SKIP
    >>> m.contour  # doctest: +SKIP
    """
    if samples is not None:
        study = study.replace(samples=samples)
    n_mo = study.primary_months if months is None else months
    if not 1 <= n_mo <= study.horizon_months:
        raise ValueError(f"months={n_mo} must lie in 1..{study.horizon_months} (the horizon)")
    xs, ys = check_values(values, scale), check_values(values2, scale2)
    if xs.size * ys.size > MAX_CELLS:
        raise ValueError(f"--values x --values2: {xs.size} x {ys.size} = {xs.size * ys.size} "
                         f"cells, more than {MAX_CELLS} (each is a full Monte Carlo); give "
                         "fewer values")
    a = check_param(study, param, xs.tolist()).path
    b = check_param(study, param2, ys.tolist()).path
    if a == b:
        raise ValueError(f"--param2 {param2}: the same input as --param; choose another")
    names = check_strategies(study, None)
    focus = check_strategies(study, [strategy])[0] if strategy else names[0]
    cells = [{a: float(x), b: float(y)} for y in ys for x in xs]
    acc = accumulate(study, cells, n_mo, chunk_size, client=client, progress=progress)
    n = study.samples
    every = study.compared()
    rows: dict[str, list[object]] = {c: [] for c in (
        "value", "value2", "strategy", "p_payback", "p_payback_se", "npv_mean", "npv_mean_se",
        "p_npv_positive", "p_best")}
    for c, cell in enumerate(cells):
        for name in names:
            j = every.index(name)
            p = acc["p"][c, j]
            for col, v in zip(rows, (cell[a], cell[b], name, p, np.sqrt(p * (1 - p) / n),
                                     acc["mean"][c, j], np.sqrt(acc["var"][c, j] / n),
                                     acc["pos"][c, j], acc["best"][c, j]), strict=True):
                rows[col].append(v if isinstance(v, str) else float(v))
    ok = [every.index(s) for s in decision_set(study)]
    top = [ok[int(np.argmax(acc["mean"][c, ok]))] for c in range(len(cells))]
    best = pl.DataFrame({"value": [c[a] for c in cells], "value2": [c[b] for c in cells],
                         "best": [every[t] for t in top],
                         "best_npv": [float(acc["mean"][c, t]) for c, t in enumerate(top)]})
    j = every.index(focus)
    p = acc["p"][:, j].reshape(ys.size, xs.size)
    se = np.sqrt(p * (1 - p) / n)
    pts: dict[str, list[object]] = {c: [] for c in ("strategy", "level", "value", "value2",
                                                    "se", "along")}
    for level in levels:
        for x, y, e, along in _contour(xs, ys, p, se, level, (scale == "log", scale2 == "log")):
            for col, v in zip(pts, (focus, float(level), x, y, e, along), strict=True):
                pts[col].append(v)
    frame = pl.DataFrame(rows, schema={"value": pl.Float64, "value2": pl.Float64,
                                       "strategy": pl.String,
                                       **dict.fromkeys(list(rows)[3:], pl.Float64)})
    contour = pl.DataFrame(pts, schema={"strategy": pl.String, "level": pl.Float64,
                                        "value": pl.Float64, "value2": pl.Float64,
                                        "se": pl.Float64, "along": pl.String})
    return BreakEvenMap(frame, best, contour, a, b, focus, n_mo, scale, scale2, n)
