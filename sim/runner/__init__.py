"""How a study is run: sampling plan -> chunks -> model -> samples file -> summary.

The model (:func:`evaluate`) turns input values into per-sample outcomes; :func:`run` draws
the study's samples in chunks, evaluates them, writes samples.parquet and summarizes it;
:func:`point_estimate` is the lesson's static calculation and :func:`explain` says which
effect the monthly model adds moves it; :func:`feasibility` checks the study's constraints
(:func:`card_effects`: what each constraint card did) and :func:`break_even` names the
calculator page's break-even mode of the answer.

Examples
--------
>>> from sim.study import load_study
>>> from sim.runner import run
>>> result = run(load_study("studies/lesson_parity.toml").replace(samples=256))  # doctest: +SKIP
>>> result.summary.recommended  # doctest: +SKIP
'self_hosted_7b'
"""

from sim.runner.break_even import MODES, BreakEven, break_even
from sim.runner.collect import Head
from sim.runner.constraints import (
    CardEffect,
    card_effects,
    cards_json,
    exclusions,
    feasibility,
    latency_conflicts,
    latency_warning,
)
from sim.runner.decomposition import EFFECTS, Decomposition, Effect, Step, explain
from sim.runner.model import NO_PAYBACK, Outcome, discount_factors, evaluate
from sim.runner.notes import RunNotes, run_notes
from sim.runner.paths import MonthlyPaths, forecast_paths, monthly_paths
from sim.runner.point import median_values, point_estimate
from sim.runner.runner import RunResult, default_workers, input_values, run, sampling_plan
from sim.runner.stats import CVAR_ALPHA, Moments, RegretAccumulator, cvar, cvar_stream
from sim.runner.summary import StrategySummary, Summary, summarize
from sim.runner.verdict import answer_sentence, focus_of, verdict

__all__ = [
    "CVAR_ALPHA",
    "EFFECTS",
    "MODES",
    "NO_PAYBACK",
    "BreakEven",
    "CardEffect",
    "Decomposition",
    "Effect",
    "Head",
    "Moments",
    "MonthlyPaths",
    "Outcome",
    "RegretAccumulator",
    "RunNotes",
    "RunResult",
    "Step",
    "StrategySummary",
    "Summary",
    "answer_sentence",
    "break_even",
    "card_effects",
    "cards_json",
    "cvar",
    "cvar_stream",
    "default_workers",
    "discount_factors",
    "evaluate",
    "exclusions",
    "explain",
    "feasibility",
    "focus_of",
    "forecast_paths",
    "input_values",
    "latency_conflicts",
    "latency_warning",
    "median_values",
    "monthly_paths",
    "point_estimate",
    "run",
    "run_notes",
    "sampling_plan",
    "summarize",
    "verdict",
]
