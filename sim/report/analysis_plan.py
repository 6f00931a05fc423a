"""Which samples the report's decision analyses read, and the analyses run on them.

The report's sensitivity, value-of-information, pilot, Sobol' and Shapley sections analyse
the run's first :data:`ANALYSIS_ROWS` samples (:func:`analysis_rows`). They are all in long
before a large run ends, so ``ftrisk run`` starts the analyses on them while the model
computes the rest (:func:`sim.report.folder.run_to_folder`); the report of a run written
earlier reads them back from samples.parquet. Either way :func:`analysis_of` gets the same
samples and gives the same figures. This module imports no chart library.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.decision import DecisionAnalysis, SampleSet, analyze
from sim.study import Study

__all__ = ["ANALYSIS_ROWS", "MIN_ANALYSIS_SAMPLES", "SHAPLEY_BUDGET", "SOBOL_N",
           "analysis_of", "analysis_rows", "sobol_n"]

#: Samples the report's sensitivity and value-of-information sections use (the summary
#: table uses all of them; ftrisk tornado analyses any number).
ANALYSIS_ROWS = 1 << 15
#: Base samples of the report's Sobol' analysis (fewer when the study has fewer samples).
SOBOL_N = 1 << 12
#: Model evaluations the report's Shapley effects spend (studies with correlations only).
SHAPLEY_BUDGET = 1 << 16
#: Fewest samples for the analyses built on the run's samples (decile tornado, rank
#: correlations, value of information) and their companions (Sobol' indices, Shapley
#: effects, break-even map): below it every decile holds under 10 samples and the figures
#: would be noise, so the report shows the classic tornado (medians, no sampling) and says
#: why.
MIN_ANALYSIS_SAMPLES = 100


def analysis_rows(study: Study) -> int:
    """The first samples of ``study``'s run that the report's decision analyses read; 0
    when the report shows none (no strategy besides the baseline, or fewer than
    :data:`MIN_ANALYSIS_SAMPLES` samples).

    Examples
    --------
    >>> from sim import load_study
    >>> study = load_study("studies/lesson_parity.toml")
    >>> analysis_rows(study.replace(samples=10**6)), analysis_rows(study.replace(samples=500))
    (32768, 500)
    >>> analysis_rows(study.replace(samples=99))
    0
    """
    if not [n for n in study.compared() if n != study.baseline]:
        return 0
    if study.samples < MIN_ANALYSIS_SAMPLES:
        return 0
    return min(study.samples, ANALYSIS_ROWS)


def sobol_n(samples: int) -> int:
    """The Sobol' base samples: :data:`SOBOL_N`, or the largest power of 2 within the
    study's samples (at least 256) when it has fewer.

    Examples
    --------
    >>> sobol_n(10**6), sobol_n(3000), sobol_n(100)
    (4096, 2048, 256)
    """
    return max(256, min(SOBOL_N, 1 << (max(samples, 1).bit_length() - 1)))


def analysis_of(samples: SampleSet, on_stage: Callable[[str], None] | None = None
                ) -> DecisionAnalysis:
    """The report's decision analyses of ``samples`` (the first :func:`analysis_rows` of a
    run of ``samples.study``). ``on_stage`` is told each analysis as it starts.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> from sim.decision import simulate  # doctest: +SKIP
    >>> study = load_study("studies/lesson_parity.toml").replace(samples=2048)  # doctest: +SKIP
    >>> analysis_of(simulate(study)).voi.sentences()  # doctest: +SKIP
    """
    return analyze(samples, sobol_n=sobol_n(samples.study.samples),
                   shapley_budget=SHAPLEY_BUDGET, on_stage=on_stage)
