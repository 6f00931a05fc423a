"""A run's output folder: files that appear together or not at all, never over the user's.

A run writes summary.json, samples.parquet, manifest.json and report.html
(:data:`OUTPUT_FILES`), and summary.xlsx when asked (:data:`OPTIONAL_FILES`); the manifest
lists the files the run wrote.

Where a run may write is checked by :func:`check_out_folder` before any work:

- a missing folder is created (with its parents); an empty one is used;
- a folder holding only what ftrisk wrote is replaced by the new output: the files listed by
  the manifest.json of a previous run (``"generator": "ftrisk"``, ``"files": [...]``) and
  pages written by other ftrisk commands (``ftrisk serve`` puts its page beside the run's),
  which are carried over into the new folder;
- anything else is refused with an :class:`~sim.study.errors.OutputError`: a folder holding any
  other file, a path that is not a folder, the working folder, the folder of the study file,
  or an ancestor of either.

The run writes into a temporary sibling (``.NAME.tmp-PID-XXXXXXXX``) that is swapped in only
when complete: the old folder is renamed aside, the new one renamed in, then the old one's
files removed. A failure or a signal removes the temporary folder and leaves the previous
output as it was. A temporary folder left by a killed process (its PID gone) is removed by
the next run into the same place, and a previous output set aside by a killed process is put
back.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.decision.analysis import DecisionAnalysis, release_memory
from sim.decision.voi_summary import voi_summary
from sim.interrupts import shielded
from sim.report.early import EarlyAnalysis
from sim.report.files import (
    ENVIRONMENT_ERRNOS,
    check_parent,
    leftovers,
    make_parents,
    os_error_reason,
    os_errors_as_output,
    remove_empty,
    temp_name,
)
from sim.report.workbook import write_workbook
from sim.runner.notes import run_notes
from sim.runner.runner import Progress, RunResult, bytes_per_sample, run
from sim.study import Study
from sim.study.errors import OutputError

#: The files every run writes.
OUTPUT_FILES = ("summary.json", "samples.parquet", "manifest.json", "report.html")
#: Files a run writes when asked (``xlsx=True``: ``ftrisk run --xlsx``).
OPTIONAL_FILES = ("summary.xlsx",)
#: Every file a run may write: what a manifest may list as ftrisk's, what a temporary
#: output folder may hold.
RUN_FILES = OUTPUT_FILES + OPTIONAL_FILES
#: The manifest's mark of a folder ftrisk wrote.
GENERATOR = "ftrisk"
#: ``ftrisk run`` asks for ``--yes`` before writing a samples.parquet larger than this (2 GB).
SIZE_GUARD_BYTES = 2 * 10**9
#: How an HTML page written by an ftrisk command starts (the generator tag; older pages: title).
_PAGE_MARKS = (b'<meta name="generator" content="ftrisk', b"<title>ftrisk ")
#: ``annotate(result) -> entries`` added to a run's manifest.json.
Annotate = Callable[[RunResult], dict[str, Any]]


@dataclass(frozen=True)
class OutFolder:
    """Where a run will write, as found by :func:`check_out_folder`.

    Attributes
    ----------
    path : Path
        The folder, absolute (a symbolic link to a folder is followed).
    exists : bool
        Whether it exists (then it is empty or holds only what ftrisk wrote).
    replaced : tuple of str
        Files of a previous run, listed by its manifest, that the new output replaces.
    kept : tuple of str
        Pages of other ftrisk commands, carried over into the new output.
    """

    path: Path
    exists: bool
    replaced: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


def samples_file_bytes(study: Study) -> int:
    """The size samples.parquet of ``study`` may reach, uncompressed (an upper estimate).

    Examples
    --------
    >>> from sim import study_from_dict  # doctest: +SKIP
    >>> samples_file_bytes(study.replace(samples=10**9)) / 1e9  # doctest: +SKIP
    42.0
    """
    return study.samples * bytes_per_sample(study)


def _manifest_files(folder: Path) -> frozenset[str]:
    """The output files a folder's manifest.json says ftrisk wrote (none: not ftrisk's)."""
    try:
        with open(folder / "manifest.json", "rb") as f:
            doc = json.loads(f.read(1 << 20))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(doc, dict):
        return frozenset()
    if doc.get("generator") == GENERATOR and isinstance(doc.get("files"), list):
        listed = {f for f in doc["files"] if isinstance(f, str)}
    elif "ftrisk_version" in doc and "study_sha256" in doc:  # written before the marker
        listed = set(OUTPUT_FILES)
    else:
        return frozenset()
    return frozenset(listed & set(RUN_FILES))


def _is_page(entry: Path) -> bool:
    """An HTML page another ftrisk command wrote (``serve_<strategy>.html``, --html pages)."""
    if entry.suffix != ".html" or entry.name in RUN_FILES or entry.is_symlink() \
            or not entry.is_file():
        return False
    try:
        with open(entry, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return any(mark in head for mark in _PAGE_MARKS)


def _sort(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """The (replaced, kept, foreign) names of a folder's entries."""
    listed = _manifest_files(folder)
    replaced, kept, foreign = [], [], []
    for entry in sorted(folder.iterdir()):
        if entry.name in listed and entry.is_file() and not entry.is_symlink():
            replaced.append(entry.name)
        elif _is_page(entry):
            kept.append(entry.name)
        else:
            foreign.append(entry.name)
    return replaced, kept, foreign


def _target(out: str | Path) -> Path:
    path = Path(os.path.abspath(out))
    if path.is_symlink() and path.is_dir():
        path = path.resolve()
    return path


def _refuse_own_folders(path: Path, study_file: str | None, *, flag: str, shown: object
                        ) -> None:
    real = path.resolve()
    fix = "choose a new folder, e.g. out/" + (Path(study_file).stem if study_file else "run")
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working folder was deleted: nothing of it to protect
        cwd = None
    if real == cwd:
        raise OutputError(flag, shown, f"is the working folder; {fix}")
    if cwd is not None and real in cwd.parents:
        raise OutputError(flag, shown, f"contains the working folder {cwd}; {fix}")
    study = Path(study_file) if study_file else None
    if study is not None and study.is_file() and real in study.resolve().parents:
        raise OutputError(flag, shown, f"contains the study file {study_file}; {fix}")


def check_out_folder(out: str | Path, *, study_file: str | None = None,
                     flag: str = "") -> OutFolder:
    """Check that a run may write into ``out``; write nothing.

    Parameters
    ----------
    out : str or Path
        The output folder.
    study_file : str, optional
        The study file: ``out`` may not be its folder or an ancestor of it.
    flag : str
        The flag to name in a message (``"--out"``).

    Returns
    -------
    OutFolder

    Raises
    ------
    OutputError
        ``out`` holds files ftrisk did not write, is not a folder, is (or contains) the
        working folder or the study file, or its parent cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> mine = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (mine / "notes.txt").write_text("keep")
    >>> check_out_folder(mine, flag="--out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.study.errors.OutputError: --out /...: holds files ftrisk did not write (notes.txt); ...
    """
    shown = out
    with os_errors_as_output(flag, shown):
        path = _target(out)
        _refuse_own_folders(path, study_file, flag=flag, shown=shown)
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise OutputError(flag, shown, "exists and is not a folder; choose another path")
        check_parent(path, flag=flag, shown=shown)
        if not path.exists():
            return OutFolder(path, exists=False)
        if os.path.ismount(path):
            raise OutputError(flag, shown, "is a mount point, which cannot be swapped for the "
                              f"new output; choose a folder inside it, e.g. {Path(shown) / 'run'}")
        replaced, kept, foreign = _sort(path)
    if foreign:
        names = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more"
                                          if len(foreign) > 3 else "")
        raise OutputError(flag, shown, f"holds files ftrisk did not write ({names}); choose "
                          "an empty or new folder")
    return OutFolder(path, exists=True, replaced=tuple(replaced), kept=tuple(kept))


def _retire(old: Path, out: Path) -> None:
    """Empty a previous output set aside: carry its pages into ``out``, remove its run files,
    remove the folder; anything else stays where it is."""
    with contextlib.suppress(OSError):
        replaced, kept, _ = _sort(old)
        for name in kept:
            if not (out / name).exists():
                os.rename(old / name, out / name)
        for name in replaced:
            (old / name).unlink(missing_ok=True)
        old.rmdir()


def _tidy(path: Path) -> None:
    """Deal with what killed runs into ``path`` left: remove their temporary folders, put a
    previous output they had set aside back (or retire it if a newer one is in place)."""
    for tmp in leftovers(path, "tmp"):
        if tmp.is_dir() and not tmp.is_symlink():
            with contextlib.suppress(OSError):
                for name in RUN_FILES:  # all a temporary output folder ever holds
                    (tmp / name).unlink(missing_ok=True)
                tmp.rmdir()
    for old in leftovers(path, "old"):
        if old.is_dir() and not old.is_symlink():
            if path.exists() or path.is_symlink():
                _retire(old, path)
            else:
                with contextlib.suppress(OSError):
                    old.rename(path)


def _swap(tmp: Path, target: OutFolder) -> None:
    """Put the complete new output ``tmp`` in place of ``target`` (no signal splits it)."""
    path = target.path
    with shielded():
        if not target.exists:
            tmp.rename(path)
            return
        old = path.parent / temp_name(path.name, "old")
        path.rename(old)
        try:
            tmp.rename(path)
        except BaseException:
            old.rename(path)
            raise
        _retire(old, path)


def _json(obj: Any, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, allow_nan=False, default=_default) + "\n",
                    encoding="utf-8")


def _default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def render(result: RunResult, path: Path, *, analysis: DecisionAnalysis | None = None,
           on_stage: Callable[[str], None] | None = None) -> Any:
    """:func:`sim.report.run_report.render` (``analysis``: the decision analyses, when done
    already), whose modules (altair and the pages', ~40 MiB) are imported once the run is
    done: the run does not hold them beside its chunks."""
    # deferred: altair and the pages' modules, ~40 MiB, only once the chunks are gone
    from sim.report.run_report import render as render_page

    return render_page(result, path, analysis=analysis, on_stage=on_stage)


def _write(study: Study, tmp: Path, *, workers: int, chunk_size: int,
           progress: Progress | None, on_stage: Callable[[str], None] | None,
           xlsx: bool = False, annotate: Annotate | None = None,
           client: Any = None) -> RunResult:
    early = EarlyAnalysis(study)  # the report's analyses, on the first samples to come
    result = run(study, samples_path=tmp / "samples.parquet", workers=workers,
                 chunk_size=chunk_size, progress=progress, on_stage=on_stage, client=client,
                 head=early.head())
    if annotate is not None:
        result.manifest.update(annotate(result))
    release_memory()  # the run's chunks: their pages back before the report takes its own
    if on_stage:
        on_stage("report")
    t0 = time.perf_counter()
    step = None if on_stage is None else (lambda name: on_stage(f"report: {name}"))
    analysis = render(result, tmp / "report.html", analysis=early.result(step), on_stage=step)
    result.manifest["timings"]["report_s"] = round(time.perf_counter() - t0, 4)
    files = [*OUTPUT_FILES]
    summary = result.summary.to_json()
    summary["value_of_information"] = (None if analysis is None else
                                       voi_summary(analysis.voi, analysis.pilot))
    run_notes(result.summary).update(summary)  # constraint cards, break-even mode
    if xlsx:
        if on_stage:
            on_stage("workbook")
        t0 = time.perf_counter()
        write_workbook(result, summary, tmp / "summary.xlsx")
        result.manifest["timings"]["workbook_s"] = round(time.perf_counter() - t0, 4)
        files.append("summary.xlsx")
    manifest = {"generator": GENERATOR, "files": sorted(files), **result.manifest}
    _json(summary, tmp / "summary.json")
    _json(manifest, tmp / "manifest.json")
    return RunResult(result.study, result.samples_path, result.summary, result.fan, manifest)


def write_folder(out: str | Path, write: Callable[[Path], Any], *,
                 study_file: str | None = None) -> Any:
    """Write an output folder atomically: ``write(tmp)`` fills a temporary sibling folder
    with files among :data:`RUN_FILES` (and a manifest.json listing them), which then
    replaces ``out`` (see :func:`check_out_folder`); returns what ``write`` returned.

    Raises
    ------
    OutputError
        ``out`` may not be written, or the disk refused the files: nothing is left behind.
    """
    check_out_folder(out, study_file=study_file)
    path = _target(out)
    created = make_parents(path, shown=out)
    _tidy(path)
    tmp = path.parent / temp_name(path.name)
    try:
        tmp.mkdir()
        result = write(tmp)
        _swap(tmp, check_out_folder(out, study_file=study_file))
    except BaseException as err:
        _remove_own(tmp)
        remove_empty(created)
        if isinstance(err, OSError) and err.errno in ENVIRONMENT_ERRNOS and (
                err.filename is None or str(err.filename).startswith(str(path.parent))):
            raise OutputError("", out, f"cannot write the output: {os_error_reason(err)}"
                              ) from err
        raise
    return result


def run_to_folder(study: Study, out: str | Path, *, workers: int = 1, chunk_size: int = 16384,
                  progress: Progress | None = None,
                  on_stage: Callable[[str], None] | None = None,
                  xlsx: bool = False, annotate: Annotate | None = None,
                  client: Any = None) -> RunResult:
    """Run ``study`` and write summary.json, samples.parquet, manifest.json and report.html
    (and summary.xlsx with ``xlsx=True``, :mod:`sim.report.workbook`).

    ``out`` must be new, empty, or a previous ftrisk output (see :func:`check_out_folder`).
    Everything is written into a temporary sibling folder that replaces ``out`` only once
    complete, so an interrupted or failed run leaves no half-written output behind (and an
    earlier complete output stays until the new one is ready).

    ``annotate(result)``, when given, returns entries added to manifest.json (e.g. what
    precision control asked for and reached).

    Raises
    ------
    OutputError
        ``out`` may not be written (before any work), or the disk refused the files (no
        space, permissions): nothing is left behind.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> run_to_folder(load_study("studies/legal_contracts.toml"), "out/legal")  # doctest: +SKIP
    """
    result = write_folder(out, lambda tmp: _write(
        study, tmp, workers=workers, chunk_size=chunk_size, progress=progress,
        on_stage=on_stage, xlsx=xlsx, annotate=annotate, client=client),
        study_file=study.file)
    path = _target(out)
    return RunResult(result.study, path / "samples.parquet", result.summary, result.fan,
                     result.manifest)


def _remove_own(tmp: Path) -> None:
    """Remove this run's temporary folder (it holds only the output files)."""
    with contextlib.suppress(OSError):
        for name in RUN_FILES:
            (tmp / name).unlink(missing_ok=True)
        tmp.rmdir()
