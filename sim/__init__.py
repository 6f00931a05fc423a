"""ftrisk's simulation engine: study files, the vectorized cost model, runs and summaries.

Examples
--------
>>> from sim import load_study, run  # doctest: +SKIP
>>> study = load_study("studies/legal_contracts.toml")  # doctest: +SKIP
>>> result = run(study.replace(samples=4096))  # doctest: +SKIP
>>> print(result.summary.answer)  # doctest: +SKIP
"""

from sim.errors import OutputError, StudyError
from sim.model import Outcome, discount_factors, evaluate
from sim.outputs import OUTPUT_FILES, OutFolder, check_out_folder, run_to_folder
from sim.point import median_values, point_estimate
from sim.runner import RunResult, input_values, run, sampling_plan
from sim.study import Correlation, Input, Strategy, Study, load_study, study_from_dict
from sim.summary import StrategySummary, Summary, summarize

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
