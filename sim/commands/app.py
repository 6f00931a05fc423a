"""``ftrisk app [STUDY]``: the live what-if page in a local browser (Streamlit).

The page itself is :mod:`sim.app.page`, a layer above this one: the command only checks its
arguments and starts ``streamlit run`` on the page's file, bound to 127.0.0.1, headless (it
prints the address to open), and stops it when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from sim.commands import EXIT_OK, error

NAME = "app"
ORDER = 5
HELP = "the live what-if page: sliders, constraint cards, results on every change (Streamlit)"
DESCRIPTION = ("Start a local web app (http://127.0.0.1:PORT) on a study, or on a chooser of "
               "the bundled ones: each uncertain input's distribution with sliders for its "
               "central value and spread, strategies and constraints switched on and off, "
               "and the verdict, P(payback <= N), the payback CDF, the saving fan, NPV and "
               "the tornado recomputed on every change at the same seed; the cost "
               "calculator; save the edited study or its full report. Needs Streamlit: "
               "pip install -e '.[app]'.")
#: Where the page lives (a file Streamlit runs, not a module imported here: the app is the
#: layer above the commands).
PAGE = Path(__file__).resolve().parents[1] / "app" / "page.py"
#: Environment variable telling the page which study to open first.
STUDY_ENV = "FTRISK_APP_STUDY"
INSTALL = "pip install -e '.[app]' (or pip install 'streamlit>=1.40')"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``ftrisk app``."""
    p.add_argument("study", nargs="?", help="study file (TOML) to open; default: a chooser of "
                   "the bundled studies")
    p.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default 8501)")


def streamlit_command(page: Path, port: int) -> list[str]:
    """The ``streamlit run`` command line: local address only, headless, no usage stats,
    no file watcher.

    Examples
    --------
    >>> streamlit_command(Path("page.py"), 8502)[3:6]
    ['run', 'page.py', '--server.address=127.0.0.1']
    """
    return [sys.executable, "-m", "streamlit", "run", str(page),
            "--server.address=127.0.0.1", f"--server.port={port}",
            "--server.headless=true", "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none", "--server.runOnSave=false",
            "--global.developmentMode=false", "--server.maxUploadSize=5",
            "--client.toolbarMode=minimal"]


def run(args: argparse.Namespace) -> int:
    """Check the arguments and serve the page until interrupted."""
    if importlib.util.find_spec("streamlit") is None:
        return error(f"app: needs Streamlit, which is not installed; install it with {INSTALL}")
    if not 1 <= args.port <= 65535:
        return error(f"--port: {args.port} must be a port number in 1..65535")
    env = dict(os.environ)
    env.pop(STUDY_ENV, None)
    if args.study:
        from sim.study import load_study
        from sim.study.errors import StudyError

        try:
            load_study(args.study)
        except StudyError as err:
            return error(str(err))
        env[STUDY_ENV] = str(Path(args.study).resolve())
    root = str(PAGE.parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    print(f"ftrisk app: http://127.0.0.1:{args.port} (Ctrl+C stops it)", file=sys.stderr,
          flush=True)
    proc = subprocess.Popen(streamlit_command(PAGE, args.port), env=env)
    try:
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
    return EXIT_OK if code in (0, -2, -15) else code
