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

    def __init__(self, study: Study) -> None:
        self.study = study
        self._result: Callable[[], DecisionAnalysis] | None = None

    def head(self) -> Head | None:
        """The rows to hand over (None: the report shows no decision analyses)."""
        rows = analysis_rows(self.study)
        if rows == 0:
            return None
        return Head(rows, tuple(sample_columns(self.study)), self._start)

    def _start(self, columns: dict[str, np.ndarray]) -> None:
        self._result = started(lambda: self._analyse(columns))

    def _analyse(self, columns: dict[str, np.ndarray]) -> DecisionAnalysis:
        return analysis_of(samples_of(self.study, columns))

    def result(self) -> DecisionAnalysis | None:
        """The analyses, once done (their error, raised here, if they failed); None when
        they never started."""
        return None if self._result is None else self._result()
