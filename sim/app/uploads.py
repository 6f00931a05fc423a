"""An uploaded study and the data files it reads (``empirical = { file = ... }``).

A study file read from disk finds its data files beside it; an uploaded one has no folder.
:func:`stage` writes the study and the data files uploaded with it into a private temporary
folder, each data file where the study's relative path expects it, so the loader reads them
as ``ftrisk run`` would. The app reads nothing else: a data file named by an absolute path,
one reaching outside the study's folder (``..``) or one not uploaded is refused with a
message saying how to fix it (upload it alongside, or write the observations into the study).
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = ["data_files", "stage"]

_ROOT: list[Path] = []


def data_files(doc: Mapping[str, Any], where: str = "") -> Iterator[tuple[str, str]]:
    """Every data file a study document reads: ``(key, file)`` pairs.

    Examples
    --------
    >>> doc = {"strategies": {"ft": {"engineering_hours": {"empirical": {
    ...     "file": "data/hours.csv", "column": "hours"}}}}}
    >>> list(data_files(doc))
    [('strategies.ft.engineering_hours', 'data/hours.csv')]
    """
    for key, value in doc.items():
        path = f"{where}.{key}" if where else str(key)
        if not isinstance(value, Mapping):
            continue
        emp = value.get("empirical")
        if isinstance(emp, Mapping) and isinstance(emp.get("file"), str):
            yield path, emp["file"]
        yield from data_files(value, path)


def _root() -> Path:
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix="ftrisk-app-uploads-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _ROOT.append(root)
    return _ROOT[0]


def _problem(name: str, key: str, file: str, data: Mapping[str, bytes]) -> str | None:
    """Why the data file ``file`` of an uploaded study cannot be read (None: it can)."""
    fix = (f"upload {PurePosixPath(file).name!r} alongside the study (Data files), or write the "
           "observations into the study (empirical = [12, 15, 9]) or give the input's values "
           "(e.g. { pert = [lo, mode, hi] })")
    rel = PurePosixPath(file.replace("\\", "/"))
    if rel.is_absolute() or Path(file).is_absolute():
        return (f"{name}: {key} reads the data file {file!r} by an absolute path, from the "
                f"server's disk, which the app does not read; {fix}")
    if ".." in rel.parts:
        return (f"{name}: {key} reads the data file {file!r} outside the study's folder, which "
                f"the app does not read; {fix}")
    if rel.name not in data:
        return (f"{name}: {key} reads the data file {file!r} by a relative path (beside the "
                f"study file), and an uploaded study has no folder; {fix}")
    return None


def stage(name: str, text: str, doc: Mapping[str, Any], data: Mapping[str, bytes]
          ) -> tuple[str, list[str]]:
    """Write an uploaded study and the data files it reads into a private folder.

    Parameters
    ----------
    name : str
        The uploaded study's file name.
    text : str
        Its text.
    doc : mapping
        Its TOML document (parsed).
    data : mapping
        The data files uploaded with it: file name -> content.

    Returns
    -------
    (str, list of str)
        The study file to load (its name alone when it reads no data file), and what keeps
        a data file from being read, one message each (empty when nothing does).

    Examples
    --------
    >>> doc = {"workload": {"input_tokens": {"empirical": {"file": "tokens.csv"}}}}
    >>> stage("s.toml", "", doc, {})[1][0].split(" (")[0]
    "s.toml: workload.input_tokens reads the data file 'tokens.csv' by a relative path"
    >>> file, problems = stage("s.toml", "", doc, {"tokens.csv": b"n\\n1\\n2\\n"})
    >>> Path(file).name, (Path(file).parent / "tokens.csv").read_bytes(), problems
    ('s.toml', b'n\\n1\\n2\\n', [])
    """
    files = list(data_files(doc))
    if not files:
        return name, []
    problems = [p for key, file in files if (p := _problem(name, key, file, data))]
    if problems:
        return name, problems
    digest = hashlib.sha256(text.encode("utf-8"))
    for key in sorted(data):
        digest.update(key.encode("utf-8") + b"\0" + data[key])
    folder = _root() / digest.hexdigest()[:16]
    study = folder / PurePosixPath(name).name
    if not study.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for _, file in files:
            target = folder / PurePosixPath(file.replace("\\", "/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data[PurePosixPath(file.replace("\\", "/")).name])
        study.write_text(text, encoding="utf-8")
    return str(study), []
