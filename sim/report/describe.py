"""What a study believes: every input's distribution, mean, P10/P50/P90 and a text histogram.

Used by ``ftrisk describe STUDY.toml`` (:func:`describe_text`) and by the HTML report
(:func:`describe_html`); :func:`describe_frame` holds the figures as a polars DataFrame.
Nothing is sampled: quantiles come from each distribution's ``ppf``, the histogram from
``ppf`` on an even grid of probabilities (a "perfect sample").
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from distributions import Distribution
from distributions.base import fmt_short
from sim.study import Input, Study

__all__ = ["describe_frame", "describe_html", "describe_text", "histogram", "sparkline"]

#: Eighth blocks, from empty to full.
BLOCKS = " ▁▂▃▄▅▆▇█"
#: Probability grid the histogram is built from, and the central range it shows.
_GRID = 4000
_SHOWN = (0.005, 0.995)


def histogram(dist: Distribution, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges and counts of ``dist`` over its central 99% (P0.5 to P99.5), from an even
    grid of its quantiles (no sampling noise); one bin per value for a whole-number
    distribution spanning at most ``bins`` values, a single bin for a point.

    Examples
    --------
    >>> from distributions import UniformInt
    >>> edges, counts = histogram(UniformInt(1, 4))
    >>> edges.tolist(), counts.tolist()
    ([0.5, 1.5, 2.5, 3.5, 4.5], [1000, 1000, 1000, 1000])
    """
    lo, hi = (float(v) for v in dist.ppf(np.array(_SHOWN)))
    if dist.integer and hi - lo + 1 <= bins:
        edges = np.arange(lo - 0.5, hi + 1.0)
    elif hi > lo:
        edges = np.linspace(lo, hi, bins + 1)
    else:
        return np.array([lo - 0.5, lo + 0.5]), np.array([_GRID])
    x = dist.ppf((np.arange(_GRID) + 0.5) / _GRID)
    counts, _ = np.histogram(x, bins=edges)
    return edges, counts


def sparkline(dist: Distribution, width: int = 20) -> str:
    """A small text histogram of ``dist`` over its central 99% (P0.5 to P99.5).

    Whole-number distributions spanning at most ``width`` values get one character per
    value; a known value gets an empty string.

    Parameters
    ----------
    dist : Distribution
        The distribution to draw.
    width : int
        Number of characters (bins).

    Returns
    -------
    str

    Examples
    --------
    >>> from distributions import Normal, UniformInt
    >>> sparkline(Normal(0.0, 1.0), width=9)
    '▁▂▅▇█▇▅▂▁'
    >>> sparkline(UniformInt(1, 4))
    '████'
    """
    if dist.is_fixed:
        return ""
    _, counts = histogram(dist, width)
    if len(counts) == 1:
        return BLOCKS[-1]
    top = counts.max()
    if top == 0:
        return ""
    level = np.ceil(counts / top * (len(BLOCKS) - 1)).astype(int)
    return "".join(BLOCKS[i] for i in level)


def _inputs(study: Study, uncertain_only: bool) -> list[Input]:
    return [i for i in study.inputs() if i.uncertain or not uncertain_only]


def describe_frame(study: Study, *, uncertain_only: bool = False) -> pl.DataFrame:
    """One row per input: what it is believed to be.

    Parameters
    ----------
    study : sim.study.Study
        A validated study.
    uncertain_only : bool
        Leave out the inputs whose value is known.

    Returns
    -------
    polars.DataFrame
        Columns ``input`` (dotted path), ``family``, ``distribution`` (family and
        parameters), ``mean``, ``sd``, ``p10``, ``p50``, ``p90``, ``unit``, ``uncertain``,
        ``default`` (left at its default) and ``meaning``.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> describe_frame(load_study("studies/legal_contracts.toml")).columns  # doctest: +SKIP
    ['input', 'family', 'distribution', 'mean', 'sd', 'p10', 'p50', 'p90', 'uncertain', ...]
    """
    rows: dict[str, list[Any]] = {k: [] for k in (
        "input", "family", "distribution", "mean", "sd", "p10", "p50", "p90", "unit",
        "uncertain", "default", "meaning")}
    for inp in _inputs(study, uncertain_only):
        d: Distribution = inp.dist
        p10, p50, p90 = (float(v) for v in d.ppf(np.array([0.1, 0.5, 0.9])))
        rows["input"].append(inp.path)
        rows["family"].append(d.family)
        rows["distribution"].append(d.label())
        rows["mean"].append(float(d.mean))
        rows["sd"].append(float(d.sd))
        rows["p10"].append(p10)
        rows["p50"].append(p50)
        rows["p90"].append(p90)
        rows["unit"].append(inp.unit)
        rows["uncertain"].append(bool(inp.uncertain))
        rows["default"].append(bool(inp.is_default))
        rows["meaning"].append(inp.meaning)
    schema = {"input": pl.String, "family": pl.String, "distribution": pl.String,
              "mean": pl.Float64, "sd": pl.Float64, "p10": pl.Float64, "p50": pl.Float64,
              "p90": pl.Float64, "unit": pl.String, "uncertain": pl.Boolean,
              "default": pl.Boolean,
              "meaning": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _rows(study: Study, uncertain_only: bool) -> tuple[list[str], list[list[str]]]:
    header = ["input", "distribution", "mean", "P10", "P50", "P90", "unit",
              "histogram P0.5–P99.5", ""]
    frame = describe_frame(study, uncertain_only=uncertain_only)
    rows = []
    for inp, r in zip(_inputs(study, uncertain_only), frame.iter_rows(named=True), strict=True):
        rows.append([
            r["input"], r["distribution"], fmt_short(r["mean"]), fmt_short(r["p10"]),
            fmt_short(r["p50"]), fmt_short(r["p90"]), r["unit"], sparkline(inp.dist),
            "default" if r["default"] else "",
        ])
    return header, rows


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(header), "-" * len(line(header))]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _correlations(study: Study) -> list[str]:
    return [f"{c.a} ~ {c.b}: rank {c.rank:+.2f}" for c in study.correlations]


def describe_text(study: Study, *, uncertain_only: bool = False) -> str:
    """The inputs table for a terminal, with a 20-character histogram per uncertain input.

    Parameters
    ----------
    study : sim.study.Study
        A validated study.
    uncertain_only : bool
        Leave out the inputs whose value is known.

    Returns
    -------
    str
        A heading (study, file, sampling), the table and any stated rank correlations.
    """
    header, rows = _rows(study, uncertain_only)
    n_unc = len(study.uncertain_inputs())
    head = [
        f"{study.name} ({study.file})",
        f"{len(study.inputs())} inputs, {n_unc} uncertain; {study.samples:,} samples "
        f"({study.sampling}, seed {study.seed})",
        "",
        _text_table(header, rows, right={2, 3, 4, 5}),
    ]
    corr = _correlations(study)
    if corr:
        head += ["", "rank correlations (Iman–Conover):", *(f"  {c}" for c in corr)]
    return "\n".join(head)


def describe_html(study: Study, *, uncertain_only: bool = False) -> str:
    """The same table as HTML (a ``<table>`` element; "default" cells have class ``muted``).

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> describe_html(load_study("studies/legal_contracts.toml"))[:22]  # doctest: +SKIP
    '<table class="inputs">'
    """
    header, rows = _rows(study, uncertain_only)
    left = {0, 1, 6}
    head = "".join(f'<th class="{"l" if i in left else ""}">{html.escape(h)}</th>'
                   for i, h in enumerate(header))
    body = []
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            cls = "l" if i in left else ("muted" if i == 8 and c else "")
            style = _SPARK_STYLE if i == 7 else ""
            cells.append(f'<td class="{cls}"{style}>{html.escape(c)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="inputs"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


_SPARK_STYLE = (' style="font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre;'
                'text-align:left;line-height:1"')

