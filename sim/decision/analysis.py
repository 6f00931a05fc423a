"""Every decision analysis of a study in one call, for the report and notebooks."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import polars as pl

from sim.decision.compare import Comparison, compare
from sim.decision.correlation import rank_correlations
from sim.decision.metrics import Metric, parse_metric
from sim.decision.pilot import PilotValue, default_informs, pilot_value
from sim.decision.samples import SampleSet
from sim.decision.shapley import BUDGET as SHAPLEY_BUDGET
from sim.decision.shapley import ShapleyResult, shapley_analysis
from sim.decision.sobol import SeedLike, SobolResult, sobol_analysis
from sim.decision.sweep import Sweep, sweep
from sim.decision.tornado import Tornado, classic_tornado, sample_tornado
from sim.decision.voi import ValueOfInformation, value_of_information
from sim.heap import release_freed_memory
from sim.runner.samples_file import release_arrow_memory
from sim.study import Study
from sim.study.strategy import input_field

#: Input swept by the report's break-even map.
BREAK_EVEN_PARAM = "workload.requests_per_day"


@dataclass(frozen=True)
class DecisionAnalysis:
    """The decision analyses of one study.

    Attributes
    ----------
    study : Study
        The study.
    focus : str
        The strategy the sensitivity analyses explain: the recommended one, or the best
        candidate by E[NPV] when the baseline is recommended.
    metric : Metric
        The output they explain.
    comparison : Comparison
        Strategy comparison and recommendation.
    tornado, sample_tornado : Tornado
        Classic (P10/P90, others held) and sample-based (deciles) tornadoes.
    correlations : polars.DataFrame
        Spearman rank correlations.
    sobol : SobolResult or None
        Sobol' indices (None when skipped).
    voi : ValueOfInformation
        EVPI and EVPPI.
    sweep : Sweep or None
        Break-even map (None when skipped or when the swept input does not exist).
    pilot : PilotValue or None
        EVSI of a pilot of the focus strategy observing its review rate (or quality lift,
        or error rate); None when skipped or when it has no uncertain one.
    shapley : ShapleyResult or None
        Shapley effects (None when skipped; by default computed only when the study states
        correlations, which Sobol' indices ignore).
    """

    study: Study
    focus: str
    metric: Metric
    comparison: Comparison
    tornado: Tornado
    sample_tornado: Tornado
    correlations: pl.DataFrame
    sobol: SobolResult | None
    voi: ValueOfInformation
    sweep: Sweep | None
    pilot: PilotValue | None = None
    shapley: ShapleyResult | None = None


def focus_strategy(comparison: Comparison, study: Study) -> str:
    """The recommended strategy, or the candidate with the best E[NPV] when the baseline is
    recommended or nothing is (feasible candidates first)."""
    rec = comparison.recommended
    if rec is not None and rec != study.baseline:
        return rec
    rows = comparison.frame.filter(~pl.col("baseline")).sort(
        ["feasible", "npv_mean"], descending=True, maintain_order=True)
    return str(rows["strategy"][0]) if rows.height else study.baseline


def break_even_values(study: Study, param: str = BREAK_EVEN_PARAM, *,
                      points: int = 9) -> list[float]:
    """Log-spaced values from half the input's P5 to twice its P95 (or 1/4x to 4x if fixed),
    kept inside the input's domain (a volume at its ceiling is not doubled past it)."""
    inp = study.input(param)
    lo, hi = (float(v) for v in inp.dist.ppf(np.array([0.05, 0.95])))
    lo, hi = (lo / 2, hi * 2) if hi > lo else (lo / 4, lo * 4)
    field = input_field(study, inp.path)
    if field is not None:
        hi = min(hi, field.domain.hi)
        lo = min(max(lo, field.domain.lo), hi)
    if not 0 < lo < hi:
        return [lo] if lo > 0 else []
    return np.geomspace(lo, hi, points).tolist()


#: The calls that set and read the thread count of numpy's OpenBLAS, by build (the wheels'
#: scipy-openblas64 first).
_OPENBLAS = (("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
             ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
             ("openblas_set_num_threads", "openblas_get_num_threads"))


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """numpy's OpenBLAS on one thread for the duration (nothing for another BLAS).

    The analyses multiply small matrices (the Sobol' bootstrap's (64 x 4096) products, the
    regressions' normal equations): waking OpenBLAS's second thread for each took longer
    than the products (0.13 s against 0.006 s for a bootstrap on a busy 2-core machine), and
    its threads spin after each call, taking a core from the rest of the run. Each product
    is computed the same way on one thread (OpenBLAS splits the output between threads,
    not the sums), so the figures are unchanged.
    """
    calls = None
    umath = (sys.modules.get("numpy._core._multiarray_umath")
             or sys.modules.get("numpy.core._multiarray_umath"))  # numpy 2, numpy 1
    try:
        lib = ctypes.CDLL(getattr(umath, "__file__", None))  # with the BLAS it links
        calls = next(((getattr(lib, s), getattr(lib, g)) for s, g in _OPENBLAS
                      if hasattr(lib, s) and hasattr(lib, g)), None)
    except (OSError, TypeError):
        pass
    if calls is None:
        yield
        return
    set_threads, get_threads = calls
    before = int(get_threads())
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)


def release_memory() -> None:
    """Hand the memory freed so far back to the system: the C heap's free pages
    (:func:`~sim.heap.release_freed_memory`) and pyarrow's pool's
    (:func:`~sim.runner.samples_file.release_arrow_memory`).

    Each analysis frees its arrays when it ends, but the heap keeps their pages; the next
    analysis, whose arrays differ in size, takes new ones. Released between analyses (and
    after the run), the report of a 10^6-sample run peaked 20-30 MiB lower; a release
    takes well under a millisecond.
    """
    release_freed_memory()
    release_arrow_memory()


def analyze(samples: SampleSet, *, metric: str | Metric = "npv", criterion: str | None = None,
            sobol_n: int | None = 1 << 12, sweep_param: str | None = BREAK_EVEN_PARAM,
            sweep_samples: int = 4096, pilot_examples: int | None = 500,
            shapley: bool | None = None, shapley_budget: int = SHAPLEY_BUDGET,
            rng: SeedLike = None,
            on_stage: Callable[[str], None] | None = None) -> DecisionAnalysis:
    """Run every decision analysis on a study's samples.

    Parameters
    ----------
    samples : SampleSet
        From :func:`~sim.decision.load_samples` (a run's file) or
        :func:`~sim.decision.simulate`.
    metric : str or Metric
        What the sensitivity analyses explain (``npv`` or ``payback_within:N``).
    criterion : str, optional
        Recommendation criterion (default: the study's).
    sobol_n : int or None
        Base samples of the Sobol' analysis (a power of 2); None skips it.
    sweep_param : str or None
        Input of the break-even map (skipped when None or not an input of the study).
    sweep_samples : int
        Samples per swept value.
    pilot_examples : int or None
        Examples of the pilot whose EVSI is computed (None skips it).
    shapley : bool, optional
        Compute Shapley effects; default: when the study states correlations.
    shapley_budget : int
        Model evaluations the Shapley estimate may spend (its standard error falls as one
        over the square root of it).
    rng : numpy.random.Generator, int or None
        For the Sobol' analysis; None: derived from the study's seed.
    on_stage : callable, optional
        Told the name of each analysis as it starts (for a status line).

    Examples
    --------
    >>> a = analyze(load_samples(result.study, result.samples_path))  # doctest: +SKIP
    >>> a.voi.sentences()  # doctest: +SKIP
    """
    with _one_blas_thread():
        return _analyze(samples, metric, criterion, sobol_n, sweep_param, sweep_samples,
                        pilot_examples, shapley, shapley_budget, rng, on_stage)


def _analyze(samples: SampleSet, metric: str | Metric, criterion: str | None,
             sobol_n: int | None, sweep_param: str | None, sweep_samples: int,
             pilot_examples: int | None, shapley: bool | None, shapley_budget: int,
             rng: SeedLike, on_stage: Callable[[str], None] | None) -> DecisionAnalysis:
    study = samples.study
    m = parse_metric(metric, horizon=study.horizon_months)
    def stage(name: str) -> None:
        release_memory()  # what the last analysis freed, before the next one
        if on_stage is not None:
            on_stage(name)

    comparison = compare(samples, criterion=criterion)
    focus = focus_strategy(comparison, study)
    if focus == study.baseline:
        raise ValueError("the study has no strategy besides the baseline to analyse")
    # the classic tornado and the break-even map run the model on their own draws, one
    # sample block at a time (a few MiB): they run on a second thread (the compiled model
    # releases the GIL) while this one reads the samples (deciles, rank correlations, value
    # of information, pilot). Sobol' indices run after, alone: they use two threads of
    # their own, and the most memory of the analyses (~35 MiB at n = 4096), which beside
    # the others' would raise the report's peak. Each figure is computed as it would be
    # alone.
    values: list[float] = []
    if sweep_param is not None:
        try:
            values = break_even_values(study, sweep_param)
        except KeyError:
            values = []
    with ThreadPoolExecutor(1, thread_name_prefix="ftrisk-analysis") as pool:
        tornado_f = pool.submit(classic_tornado, study, metric=m, strategies=[focus])
        sweep_f = (pool.submit(sweep, study, sweep_param, values, scale="log",
                               samples=min(sweep_samples, study.samples))
                   if sweep_param is not None and values else None)
        stage("tornado")
        deciles = sample_tornado(samples, metric=m, strategies=[focus])
        correlations = rank_correlations(samples, metric=m, strategies=[focus])
        stage("value of information")
        voi = value_of_information(samples)
        pilot = None
        if pilot_examples is not None:
            stage("value of a pilot")
            try:
                default_informs(study, focus)
            except ValueError:
                pass  # nothing uncertain for a pilot to observe
            else:
                pilot = pilot_value(samples, strategy=focus, examples=pilot_examples)
        tornado = tornado_f.result()
        swept = None
        if sweep_f is not None:
            stage("break-even map")
            swept = sweep_f.result()
    sob = None
    if sobol_n is not None and study.uncertain_inputs():
        stage("Sobol' indices")
        sob = sobol_analysis(study, n=sobol_n, metric=m, strategies=[focus], rng=rng)
    shap = None
    if (bool(study.correlations) if shapley is None else shapley) and study.uncertain_inputs():
        stage("Shapley effects")
        shap = shapley_analysis(study, metric=m, strategies=[focus], budget=shapley_budget)
    return DecisionAnalysis(
        study=study, focus=focus, metric=m, comparison=comparison, tornado=tornado,
        sample_tornado=deciles, correlations=correlations, sobol=sob, voi=voi, sweep=swept,
        pilot=pilot, shapley=shap)

