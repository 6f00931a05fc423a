"""The error every bad study input becomes: one line naming the file, the key and the fix."""

from __future__ import annotations


class StudyError(ValueError):
    """A study file (or an override) is invalid.

    Parameters
    ----------
    file : str
        The study file (or ``--set`` for a command-line override).
    key : str
        Dotted path of the offending key, e.g. ``strategies.frontier.review_rate``.
    message : str
        What is wrong and how to fix it.

    Examples
    --------
    >>> str(StudyError("legal.toml", "workload.requests_per_day", "missing; give a number"))
    'legal.toml: workload.requests_per_day: missing; give a number'
    """

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key, self.message = file, key, message
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {message}")
