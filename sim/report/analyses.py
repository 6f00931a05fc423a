"""The decision analyses report.html shows, computed without the page's modules.

:func:`report_analysis` needs numpy and the model, not altair: ``ftrisk run`` starts it on
a second thread as soon as the run is done, while the main thread imports the page's
modules (altair and the pages', ~0.3 s) and builds the summary charts
(:func:`sim.report.folder.render`).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.decision import DecisionAnalysis, analyze, load_samples
from sim.runner.runner import RunResult

Stage = Callable[[str], None]

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


def _sobol_n(samples: int) -> int:
    """The Sobol' base samples: :data:`SOBOL_N`, or the largest power of 2 within the
    study's samples (at least 256) when it has fewer.

    Examples
    --------
    >>> _sobol_n(10**6), _sobol_n(1000), _sobol_n(100)
    (4096, 512, 256)
    """
    return max(256, min(SOBOL_N, 1 << (max(samples, 1).bit_length() - 1)))


def report_analysis(result: RunResult, on_stage: Stage | None = None
                    ) -> DecisionAnalysis | None:
    """The decision analyses the report shows (and summary.json's value of information),
    on the first :data:`ANALYSIS_ROWS` samples; None without a strategy to analyse.
    ``on_stage`` is told each analysis as it starts."""
    study = result.study
    if len([n for n in study.compared() if n != study.baseline]) == 0:
        return None
    if study.samples < MIN_ANALYSIS_SAMPLES:
        return None  # too few samples: the report says so (decision_sections)
    if result.samples_path is None:
        raise ValueError("the report reads samples.parquet: run the study with write=True")
    return analyze(load_samples(study, result.samples_path,
                                rows=min(study.samples, ANALYSIS_ROWS)),
                   sobol_n=_sobol_n(study.samples), shapley_budget=SHAPLEY_BUDGET,
                   on_stage=on_stage)
