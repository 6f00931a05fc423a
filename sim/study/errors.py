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


class OutputError(ValueError):
    """A path given for ftrisk's output cannot be used (or would lose the user's files).

    Parameters
    ----------
    flag : str
        The command-line flag that named the path (``--out``, ``--html``), or ``""``.
    path : str or Path
        The path as the user gave it.
    message : str
        What is wrong and how to fix it.

    Examples
    --------
    >>> str(OutputError("--out", "mydir", "holds files ftrisk did not write (notes.txt); "
    ...                 "choose an empty or new folder"))
    '--out mydir: holds files ftrisk did not write (notes.txt); choose an empty or new folder'
    """

    def __init__(self, flag: str, path: object, message: str) -> None:
        self.flag, self.path, self.message = flag, str(path), message
        where = f"{flag} {path}" if flag else str(path)
        super().__init__(f"{where}: {message}")
