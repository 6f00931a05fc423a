"""The report's decision analyses started while the run is still going.

The analyses read the run's first :func:`~sim.report.analysis_plan.analysis_rows` samples
(32,768 of a 10^6-sample run: its first two chunks). :class:`EarlyAnalysis` has the run
hand those rows over as soon as they are in (a :class:`~sim.runner.collect.Head`) and
analyses them on a thread of its own while the model computes the rest of the samples, so
the report of a 10^6-sample run does not wait for ~0.6 s of analyses after the model (on
two busy cores the run itself takes some of that longer). The analyses get the same
samples as when read back from samples.parquet, so the figures are the same. The report's
modules (altair) are still imported after the run: imported during it, they took ~40 MiB
more at the run's peak and no less time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from sim.decision import DecisionAnalysis, sample_columns, samples_of
from sim.report.analysis_plan import analysis_of, analysis_rows
from sim.runner.collect import Head
from sim.runner.threads import started
from sim.study import Study

__all__ = ["EarlyAnalysis"]


class EarlyAnalysis:
    """The report's decision analyses of ``study``'s run, started on its first samples.

    Pass :meth:`head` to :func:`~sim.runner.runner.run`; once the run is done,
    :meth:`result` waits for the analyses and returns them (None when they never started:
    no analyses to run, or a run stopped short; the report then reads the file).

    Examples
    --------
    >>> from sim import load_study, run  # doctest: +SKIP
    >>> study = load_study("studies/lesson_parity.toml")  # doctest: +SKIP
    >>> early = EarlyAnalysis(study)  # doctest: +SKIP
    >>> result = run(study, head=early.head())  # doctest: +SKIP
    >>> early.result().voi.sentences()  # doctest: +SKIP
    """

    #: Seconds between looks at the analyses' progress while :meth:`result` waits.
    POLL = 0.05

    def __init__(self, study: Study) -> None:
        self.study = study
        self._result: Callable[[], DecisionAnalysis] | None = None
        self._done = threading.Event()
        self._stage: str | None = None  # the analysis under way (set by their thread)

    def head(self) -> Head | None:
        """The rows to hand over (None: the report shows no decision analyses)."""
        rows = analysis_rows(self.study)
        if rows == 0:
            return None
        return Head(rows, tuple(sample_columns(self.study)), self._start)

    def _start(self, columns: dict[str, np.ndarray]) -> None:
        self._result = started(lambda: self._analyse(columns))

    def _analyse(self, columns: dict[str, np.ndarray]) -> DecisionAnalysis:
        try:
            return analysis_of(samples_of(self.study, columns), on_stage=self._note)
        finally:
            self._done.set()

    def _note(self, stage: str) -> None:
        self._stage = stage

    def result(self, on_stage: Callable[[str], None] | None = None
               ) -> DecisionAnalysis | None:
        """The analyses, once done (their error, raised here, if they failed); None when
        they never started. While it waits, ``on_stage`` is told each analysis under way
        (on this thread: a status line's owner), as the report would tell it."""
        if self._result is None:
            return None
        if on_stage is not None:
            shown = None
            while not self._done.wait(self.POLL):
                stage = self._stage
                if stage is not None and stage != shown:
                    on_stage(stage)
                    shown = stage
        return self._result()
