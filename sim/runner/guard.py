"""The last guard of a run: every figure finite, or a clear error naming the inputs behind it.

The domains of :mod:`sim.schema` are chosen so that no study can overflow; this module is
the check that the promise holds, run on every chunk of samples and on the summary before
anything is written. A failure is a :class:`~sim.errors.StudyError` (exit 2) naming the
output, the samples and the inputs at their extremes there, never a file of NaNs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from sim.study.errors import StudyError

#: Inputs named in an overflow message: the largest in the offending sample...
NAMED = 4
#: ...from this size (smaller ones are named only when no input is this large).
LARGE = 1e6


def extremes(study: Any, values: Mapping[str, Any], u: np.ndarray | None, i: int
             ) -> list[str]:
    """The largest inputs in sample ``i`` of a chunk (largest first), sampled ones with the
    percentile they were drawn at when the uniforms ``u`` are given: what overflows is a
    product of large values."""
    ranked: list[tuple[float, str]] = []
    j = 0
    for inp in study.inputs():
        if inp.uncertain:
            v = float(np.asarray(values[inp.path])[i])
            drawn = "sampled" if u is None else f"drawn at its P{100 * float(u[j, i]):.3g}"
            j += 1
            text = f"{inp.path} = {v:.3g} ({drawn})"
        else:
            v = float(inp.dist.mean)
            text = f"{inp.path} = {v:.3g} (fixed)"
        if v != 0 and math.isfinite(v):
            ranked.append((abs(v), text))
    ranked.sort(key=lambda t: -t[0])
    large = [text for size, text in ranked if size >= LARGE]
    return (large or [text for _, text in ranked])[:NAMED]


def check_chunk(study: Any, columns: Mapping[str, np.ndarray], values: Mapping[str, Any],
                u: np.ndarray | None = None) -> None:
    """Raise a :class:`StudyError` when an NPV or TCO of a chunk is not finite.

    Parameters
    ----------
    study : Study
        The study run.
    columns : mapping
        The chunk's output columns (``npv.<s>``, ``tco.<s>``, ...).
    values, u : mapping, ndarray
        The chunk's input values and, when at hand, the uniforms they came from (d, m).
    """
    for name, x in columns.items():
        if not name.startswith(("npv.", "tco.")):
            continue
        bad = ~np.isfinite(x)
        if not bad.any():
            continue
        i = int(np.flatnonzero(bad)[0])
        first = int(columns["sample"][i]) if "sample" in columns else i
        named = extremes(study, values, u, i)
        where = ("; the largest inputs there: " + ", ".join(named)) if named else ""
        metric, strategy = name.split(".", 1)
        raise StudyError(study.file, named[0].split(" = ")[0] if named else "",
                         f"the results overflow: {metric.upper()} of {strategy} is not a "
                         f"finite number in {int(bad.sum())} of {x.size} samples of a chunk "
                         f"(first: sample {first}){where}; narrow these inputs or shorten "
                         "study.horizon_months")


def _floats(obj: Any, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(obj, float):
        yield path, obj
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from _floats(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list | tuple):
        for k, v in enumerate(obj):
            yield from _floats(v, f"{path}[{k}]")


def check_document(file: str, doc: Any, what: str) -> None:
    """Raise a :class:`StudyError` naming the first number of ``doc`` that is not finite.

    Examples
    --------
    >>> check_document("s.toml", {"a": {"npv_mean": 1.0}}, "summary.json")
    >>> check_document("s.toml", {"a": {"npv_mean": float("inf")}}, "summary.json")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.study.errors.StudyError: s.toml: a.npv_mean: is inf in summary.json: the inputs ...
    """
    for path, x in _floats(doc):
        if not math.isfinite(x):
            raise StudyError(file, path, f"is {x} in {what}: the inputs are too extreme "
                             "for a finite result; narrow the widest ranges or shorten "
                             "study.horizon_months")
