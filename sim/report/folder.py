"""Writing a run's output folder atomically: all four files appear together or none do."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.report.run_report import render
from sim.runner.runner import Progress, RunResult, run
from sim.study import Study

OUTPUT_FILES = ("summary.json", "samples.parquet", "manifest.json", "report.html")


def _json(obj: Any, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, allow_nan=False, default=_default) + "\n",
                    encoding="utf-8")


def _default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def run_to_folder(study: Study, out: str | Path, *, workers: int = 1, chunk_size: int = 32768,
                  progress: Progress | None = None,
                  on_stage: Callable[[str], None] | None = None) -> RunResult:
    """Run ``study`` and write summary.json, samples.parquet, manifest.json and report.html.

    Everything is written into a temporary sibling folder that replaces ``out`` only once
    complete, so an interrupted or failed run leaves no half-written output behind (and an
    earlier complete output stays until the new one is ready).

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> run_to_folder(load_study("studies/legal_contracts.toml"), "out/legal")  # doctest: +SKIP
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        result = run(study, samples_path=tmp / "samples.parquet", workers=workers,
                     chunk_size=chunk_size, progress=progress)
        if on_stage:
            on_stage("report")
        t0 = time.perf_counter()
        render(result, tmp / "report.html")
        result.manifest["timings"]["report_s"] = round(time.perf_counter() - t0, 4)
        _json(result.summary.to_json(), tmp / "summary.json")
        _json(result.manifest, tmp / "manifest.json")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return RunResult(result.study, out / "samples.parquet", result.summary, result.fan,
                     result.manifest)
