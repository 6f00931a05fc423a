"""What a command is doing, on stderr while it works: a progress bar for the samples, a
status line with a spinner and the time elapsed for every other step that may take a while
(a serving simulation, a capacity curve, the report). Shown only on a terminal and never
with ``--quiet``: piped or redirected output stays clean, and stdout is never touched.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

#: A bar appears only for sampling that lasts longer than this (seconds).
BAR_DELAY = 0.5


class Status:
    """Progress and status lines on ``stream`` (default stderr), when it is a terminal.

    Call it as ``status(done, total)`` for samples; :meth:`stage` for any other step;
    :meth:`close` at the end (also by leaving a ``with`` block). Every line is transient:
    it is cleared once the step is over.

    Examples
    --------
    >>> import io
    >>> with Status(enabled=True, stream=io.StringIO()) as s:  # not a terminal: silent
    ...     s.stage("serving simulation")
    >>> s.shown
    []
    """

    def __init__(self, enabled: bool = True, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.start = time.perf_counter()
        self.shown: list[str] = []
        self._console: Any = None
        self._live: Any = None
        self._task: Any = None
        self._bar = False
        self._total = 0

    def __enter__(self) -> Status:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _console_(self) -> Any:
        if self._console is None:
            from rich.console import Console  # rich only for a terminal that shows it

            self._console = Console(file=self.stream, force_terminal=True)
        return self._console

    def _stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
            self._task = None
            self._bar = False

    def __call__(self, done: int, total: int) -> None:
        """Samples done out of ``total``."""
        if not self.enabled:
            return
        if self._bar and total != self._total:  # a new count (a pilot run, then the run)
            self._stop()
        if not self._bar:
            if time.perf_counter() - self.start < BAR_DELAY and done < total:
                return
            # deferred: ftrisk --help must not load numpy, polars or the models
            from rich.progress import BarColumn, Progress, TimeRemainingColumn

            self._stop()
            self._live = Progress("[progress.description]{task.description}", BarColumn(),
                                  "{task.completed:,}/{task.total:,} samples",
                                  TimeRemainingColumn(), transient=True,
                                  console=self._console_())
            self._live.start()
            self._task = self._live.add_task("simulating", total=total)
            self._bar = True
            self._total = total
            self.shown.append("simulating")
        self._live.update(self._task, completed=done)

    def stage(self, text: str) -> None:
        """A step that may take a while: a status line with a spinner and the time
        elapsed, replacing the bar or the previous line."""
        if not self.enabled:
            return
        # deferred: ftrisk --help must not load numpy, polars or the models
        from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

        self._stop()
        self._live = Progress(SpinnerColumn(), "{task.description}", TimeElapsedColumn(),
                              transient=True, console=self._console_())
        self._live.start()
        self._task = self._live.add_task(text, total=None)
        self.shown.append(text)

    def close(self) -> None:
        """Clear whatever line is shown."""
        self._stop()
