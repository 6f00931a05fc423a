"""The code style gates of STYLE.md run with the tests: ruff and mypy must be clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

from helpers import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_ruff():
    assert shutil.which("ruff") or _run("ruff", "--version").returncode == 0
    proc = _run("ruff", "check", "sim", "distributions", "tests", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy():
    proc = _run("mypy", "sim", "distributions")
    assert proc.returncode == 0, proc.stdout + proc.stderr
