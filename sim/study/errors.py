"""The error every bad study input becomes: one line naming the file, the key and the fix."""

from __future__ import annotations

import re


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
        where = f"{file}: {shortened(key)}" if key else file
        super().__init__(f"{where}: {shortened(message)}")


#: Longest run of characters without a space an error line shows whole.
LONGEST_WORD = 200


def shortened(text: str) -> str:
    """``text`` with every run of more than :data:`LONGEST_WORD` characters without a space
    (a value quoted from a hostile study file: a 200,000-character string) cut in the
    middle, so that an error stays one readable line.

    Examples
    --------
    >>> line = shortened("'" + "x" * 1000 + "' must be a number")
    >>> len(line), line[36:]
    (101, "xxx...(1,002 characters)...xxxxxxxxxxxxxxxxxxx' must be a number")
    >>> shortened("a short line")
    'a short line'
    """
    def cut(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"{word[:40]}...({len(word):,} characters)...{word[-20:]}"

    return re.sub(rf"\S{{{LONGEST_WORD + 1},}}", cut, text)


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
