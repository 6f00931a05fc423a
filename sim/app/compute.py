"""The run behind every change in the app: a study simulated in memory, and the full report.

:func:`compute` runs the study as ``ftrisk run`` does (the same sampling plan, seed and
summary, so the same figures) and adds what the page shows beside the summary: the
cumulative-saving fan and the classic tornado of the strategy the verdict is about. The
study's seed is kept on every change, so every rerun draws the same uniforms (common random
numbers): an edit moves the figures by its effect, not by fresh sampling noise.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sim.decision import classic_tornado
from sim.report import run_to_folder
from sim.runner import RunResult, Summary, focus_of, run
from sim.study import Study

__all__ = ["Live", "compute", "full_report"]


@dataclass(frozen=True)
class Live:
    """What the page shows for one state of the edited study.

    Attributes
    ----------
    study : Study
        The study as run.
    summary : Summary
        The run's summary (the same as ``ftrisk run`` gives for this study and seed).
    fan : polars.DataFrame
        Cumulative net saving by month: ``strategy, month, p10, p50, p90``.
    focus : str or None
        The strategy the verdict is about (None: only the baseline is left).
    tornado : polars.DataFrame or None
        The classic tornado of ``focus``'s E[NPV] (each input at P10 / P90, the others at
        their medians), sorted by swing.
    seconds : float
        Wall time of the run and the tornado.
    """

    study: Study
    summary: Summary
    fan: pl.DataFrame
    focus: str | None
    tornado: pl.DataFrame | None
    seconds: float


def _run(study: Study) -> RunResult:
    """The study's run, in memory (no samples file): the light path, whose cached draws give
    every edit of the same study the same uniforms (common random numbers)."""
    return run(study, write=False)


def compute(study: Study) -> Live:
    """Run ``study`` and gather what the page shows.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> live = compute(load_study("studies/small_team.toml").replace(samples=2000))
    ... # doctest: +SKIP
    >>> live.summary.recommended  # doctest: +SKIP
    'frontier'
    """
    t0 = time.perf_counter()
    result = _run(study)
    summary = result.summary
    focus = focus_of(study, summary.strategies, summary.recommended)
    tornado = None
    if focus is not None and study.uncertain_inputs():
        tornado = classic_tornado(study, strategies=[focus]).table(focus)
    return Live(study, summary, result.fan, focus, tornado, time.perf_counter() - t0)


def full_report(study: Study) -> bytes:
    """The full analysis's report.html (as ``ftrisk run`` writes it), as bytes.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> full_report(load_study("studies/small_team.toml").replace(samples=2000))[:15]
    ... # doctest: +SKIP
    b'<!DOCTYPE html>'
    """
    with tempfile.TemporaryDirectory(prefix="ftrisk-app-") as tmp:
        out = Path(tmp) / "out"
        run_to_folder(study, out)
        return (out / "report.html").read_bytes()
