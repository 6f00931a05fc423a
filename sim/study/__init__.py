"""Study files in, a typed and validated :class:`Study` out: the loader, the schema of every
key, the strategy kinds' fields and the price catalog.

This layer knows nothing of how a study is simulated; every problem with a study file
becomes a :class:`StudyError` naming the file, the key and the fix.

Examples
--------
>>> from sim.study import load_study
>>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
>>> study.baseline  # doctest: +SKIP
'frontier'
"""

from sim.study.errors import OutputError, StudyError
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
    full_path,
)

__all__ = [
    "CRITERIA",
    "RESERVED",
    "Constraints",
    "Correlation",
    "Input",
    "OutputError",
    "Strategy",
    "Study",
    "StudyError",
    "apply_overrides",
    "default_label",
    "full_path",
    "load_study",
    "study_from_dict",
]
