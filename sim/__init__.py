"""ftrisk's simulation engine: study files, the vectorized cost model, runs and summaries.

The public names below are imported lazily, on first use, so that ``ftrisk --help`` and
light commands do not pay for numpy, polars and altair.

Layers, from the bottom up (each imports only from those below it; a contract in
pyproject.toml keeps it so): :mod:`sim.display` (shared formatting) and
:mod:`sim.interrupts` (signals as an exception), :mod:`sim.lazy` (names imported on first
use), :mod:`sim.study`
(files and catalog in, a validated Study out; its errors), :mod:`sim.serving` (the simpy serving
model), :mod:`sim.costs` (one kernel per strategy kind), :mod:`sim.runner` (sampling plan,
chunks, model, samples file, summary), :mod:`sim.decision` (analysis on results),
:mod:`sim.report` (pages and charts), :mod:`sim.commands` and :mod:`sim.cli`.

Examples
--------
>>> from sim import load_study, run  # doctest: +SKIP
>>> study = load_study("studies/legal_contracts.toml")  # doctest: +SKIP
>>> result = run(study.replace(samples=4096))  # doctest: +SKIP
>>> print(result.summary.answer)  # doctest: +SKIP
"""

from __future__ import annotations

import typing

from sim.lazy import lazy_names as _lazy_names

#: Each public name and the module it lives in.
_PUBLIC = {
    "Correlation": "sim.study",
    "Input": "sim.study",
    "Strategy": "sim.study",
    "Study": "sim.study",
    "StudyError": "sim.study",
    "OutputError": "sim.study",
    "load_study": "sim.study",
    "study_from_dict": "sim.study",
    "Outcome": "sim.runner",
    "RunResult": "sim.runner",
    "StrategySummary": "sim.runner",
    "Summary": "sim.runner",
    "discount_factors": "sim.runner",
    "evaluate": "sim.runner",
    "input_values": "sim.runner",
    "median_values": "sim.runner",
    "point_estimate": "sim.runner",
    "run": "sim.runner",
    "sampling_plan": "sim.runner",
    "summarize": "sim.runner",
    "OUTPUT_FILES": "sim.report",
    "OutFolder": "sim.report",
    "check_out_folder": "sim.report",
    "run_to_folder": "sim.report",
}

__all__ = [
    "OUTPUT_FILES",
    "Correlation",
    "Input",
    "OutFolder",
    "Outcome",
    "OutputError",
    "RunResult",
    "Strategy",
    "StrategySummary",
    "Study",
    "StudyError",
    "Summary",
    "check_out_folder",
    "discount_factors",
    "evaluate",
    "input_values",
    "load_study",
    "median_values",
    "point_estimate",
    "run",
    "run_to_folder",
    "sampling_plan",
    "study_from_dict",
    "summarize",
]

if typing.TYPE_CHECKING:
    from sim.report import OUTPUT_FILES, OutFolder, check_out_folder, run_to_folder
    from sim.runner import (
        Outcome,
        RunResult,
        StrategySummary,
        Summary,
        discount_factors,
        evaluate,
        input_values,
        median_values,
        point_estimate,
        run,
        sampling_plan,
        summarize,
    )
    from sim.study import (
        Correlation,
        Input,
        OutputError,
        Strategy,
        Study,
        StudyError,
        load_study,
        study_from_dict,
    )


__getattr__, __dir__ = _lazy_names("sim", _PUBLIC, globals())
