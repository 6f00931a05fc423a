"""Study files in, a typed and validated :class:`Study` out: the loader, the schema of every
key, the strategy kinds' fields and the price catalog.

This layer knows nothing of how a study is simulated; every problem with a study file
becomes a :class:`StudyError` naming the file, the key and the fix.

The workload-log names are imported on first use (:func:`__getattr__`): fitting a log needs
scipy.stats (about 100 MB and most of a second to import), which loading a study does not.
So are the actuals and the study-file editing names (tomlkit), which a run does not need.

Examples
--------
>>> from sim.study import load_study
>>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
>>> study.baseline  # doctest: +SKIP
'frontier'
"""

from __future__ import annotations

import typing

from sim.lazy import lazy_names as _lazy_names
from sim.study.cards import CARDS, CARDS_BY_KEY, Card, CardAddition
from sim.study.errors import OutputError, StudyError
from sim.study.fitted import FittedSource, fitted_input
from sim.study.labels import default_label
from sim.study.loader import apply_overrides, load_study, study_from_dict
from sim.study.types import (
    CRITERIA,
    RESERVED,
    Constraints,
    Correlation,
    Input,
    Strategy,
    Study,
    VolumeProcess,
    full_path,
)

__all__ = [
    "CARDS",
    "CARDS_BY_KEY",
    "CRITERIA",
    "RESERVED",
    "Actuals",
    "ActualsError",
    "Card",
    "CardAddition",
    "Constraints",
    "Correlation",
    "FittedSource",
    "Input",
    "LogError",
    "OutputError",
    "Strategy",
    "Study",
    "StudyError",
    "VolumeProcess",
    "WorkloadFit",
    "apply_overrides",
    "check_study_key",
    "default_label",
    "derive_workload",
    "detect_columns",
    "fitted_input",
    "full_path",
    "load_study",
    "read_actuals",
    "set_study_value",
    "study_from_dict",
]

#: The names that need scipy.stats, and those a run does not need (actuals, editing a study
#: file with tomlkit), each with the module it lives in: imported on first use.
_LAZY = {
    "Actuals": "sim.study.actuals",
    "ActualsError": "sim.study.actuals",
    "read_actuals": "sim.study.actuals",
    "check_study_key": "sim.study.edit",
    "set_study_value": "sim.study.edit",
    "LogError": "sim.study.workload_log",
    "WorkloadFit": "sim.study.workload_log",
    "derive_workload": "sim.study.workload_log",
    "detect_columns": "sim.study.workload_log",
}

if typing.TYPE_CHECKING:
    from sim.study.actuals import Actuals, ActualsError, read_actuals
    from sim.study.edit import check_study_key, set_study_value
    from sim.study.workload_log import LogError, WorkloadFit, derive_workload, detect_columns


__getattr__, __dir__ = _lazy_names("sim.study", _LAZY, globals())
