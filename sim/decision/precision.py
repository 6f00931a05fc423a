"""Precision control: the sample count that reaches a target Monte Carlo standard error.

``ftrisk run STUDY --target-se 0.005`` asks for P(payback <= N) (the study's headline N)
to within a standard error of 0.005 for every reported strategy (every standalone strategy
but the baseline); ``--target-se npv=500`` asks the same of E[NPV], in dollars.

The rule decides the stopping point from whole blocks of the sampling plan (16,384 samples
each, see :class:`distributions.SamplingPlan`), in order, so the same study and seed always
stop at the same count whatever the chunk size or number of workers:

1. *Pilot*: the first ``pilot_blocks`` blocks (or ``max_samples``, if fewer).
2. *Size*: from all the samples drawn so far, each strategy's variance per sample ``v`` of
   the target quantity (``p (1 - p)`` for a probability, as the summary's standard error
   ``sqrt(p (1 - p) / n)`` has it; the sample variance for NPV) gives the count
   ``v / target**2`` that would reach the target. The next count is the largest of these,
   rounded up to whole blocks, at least one block more than now and at most
   ``max_samples``.
3. *Check*: draw the added blocks, recompute every standard error on all the samples so
   far; stop when all meet the target or ``max_samples`` is reached, else go back to 2.

The run then draws exactly that many samples: the first ones of the same plan, so its
summary's standard errors are the ones reached here (the manifest records them). The
sizing pass costs one extra evaluation of the model on the samples (no files, no summary).
A probability estimated as exactly 0 or 1 has standard error 0 and meets any target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from distributions import BLOCK_SIZE
from sim.decision.metrics import Metric
from sim.runner.model import evaluate
from sim.runner.runner import input_values, sampling_plan
from sim.study import Study

#: Blocks of the pilot.
PILOT_BLOCKS = 1
#: Default cap on the samples precision control may draw.
MAX_SAMPLES = 1 << 20


@dataclass(frozen=True)
class PrecisionTarget:
    """What must reach which standard error.

    Attributes
    ----------
    kind : {"payback_within", "npv"}
        P(payback <= ``months``) or E[NPV].
    months : int
        N of P(payback <= N) (0 for npv).
    se : float
        The target standard error (a probability, or dollars).

    Examples
    --------
    >>> t = parse_target_se("0.005", horizon=36, months=12)
    >>> t.label, t.se
    ('P(payback ≤ 12)', 0.005)
    """

    kind: Literal["payback_within", "npv"]
    months: int
    se: float

    @property
    def metric(self) -> Metric:
        """The per-sample metric whose mean is the target quantity."""
        return Metric(self.kind, self.months)

    @property
    def label(self) -> str:
        """``P(payback ≤ N)`` or ``E[NPV]``."""
        return self.metric.label

    def __str__(self) -> str:
        return f"{self.metric}={self.se:g}"


def parse_target_se(text: str, *, horizon: int, months: int) -> PrecisionTarget:
    """Read ``--target-se``: ``0.005`` (P(payback <= months)), ``payback_within:N=0.005`` or
    ``npv=500``.

    Raises
    ------
    ValueError
        For another form, a target <= 0, or a probability target >= 0.5 (no estimate of a
        probability has a larger standard error than 0.5 / sqrt(n)).

    Examples
    --------
    >>> parse_target_se("npv=500", horizon=36, months=12)
    PrecisionTarget(kind='npv', months=0, se=500.0)
    >>> parse_target_se("payback_within:24=0.01", horizon=36, months=12).months
    24
    >>> parse_target_se("npv", horizon=36, months=12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --target-se 'npv': give a standard error for P(payback <= N) (e.g. 0.005), ...
    """
    what, sep, value = text.rpartition("=")
    form = ("give a standard error for P(payback <= N) (e.g. 0.005), payback_within:N=SE "
            "or npv=DOLLARS")
    what = what.strip()
    try:
        se = float(value)
    except ValueError:
        raise ValueError(f"--target-se '{text}': {form}") from None
    if not sep:
        what = f"payback_within:{months}"
    if what == "npv":
        kind: Literal["payback_within", "npv"] = "npv"
        n = 0
    else:
        head, _, tail = what.partition(":")
        if head != "payback_within" or not tail.strip().isdigit():
            raise ValueError(f"--target-se '{text}': {form}")
        kind, n = "payback_within", int(tail)
        if not 1 <= n <= horizon:
            raise ValueError(f"--target-se '{text}': N={n} must be a whole month in "
                             f"1..{horizon} (the horizon)")
    if not (math.isfinite(se) and se > 0):
        raise ValueError(f"--target-se '{text}': the standard error must be > 0")
    if kind == "payback_within" and se >= 0.5:
        raise ValueError(f"--target-se '{text}': a probability's standard error is below 0.5 "
                         "for any sample count; ask for less than 0.5, e.g. 0.005")
    return PrecisionTarget(kind, n, se)


class _Stats:
    """Count, mean and sum of squared deviations of one strategy's metric (Chan merge)."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, y: np.ndarray) -> None:
        nb = y.size
        mb = float(y.mean())
        m2b = float(((y - mb) ** 2).sum())
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def variance(self, probability: bool) -> float:
        """Variance per sample, as the summary's standard error uses it."""
        if probability:
            return max(self.mean * (1.0 - self.mean), 0.0)
        return self.m2 / (self.n - 1) if self.n > 1 else 0.0

    def se(self, probability: bool) -> float:
        return math.sqrt(self.variance(probability) / self.n) if self.n else math.inf


@dataclass(frozen=True)
class PrecisionPlan:
    """The sample count precision control chose, and how it got there.

    Attributes
    ----------
    target : PrecisionTarget
        What was asked.
    samples : int
        Samples the run draws.
    met : bool
        Whether every strategy reached the target (False: stopped at ``max_samples``).
    max_samples : int
        The cap.
    frame : polars.DataFrame
        One row per stage and strategy: ``stage, samples, strategy, estimate, se, needed``
        (``needed``: the sample count the variance estimated at that stage asks for).
    """

    target: PrecisionTarget
    samples: int
    met: bool
    max_samples: int
    frame: pl.DataFrame

    def table(self) -> pl.DataFrame:
        """The stages, one row per strategy each."""
        return self.frame

    def reached(self) -> dict[str, float]:
        """Each strategy's standard error at the chosen count."""
        last = self.frame.filter(pl.col("stage") == self.frame["stage"].max())
        return dict(zip(last["strategy"].to_list(), last["se"].to_list(), strict=True))

    def manifest(self) -> dict[str, Any]:
        """What the run's manifest records (``precision``), before the run's own SEs."""
        return {"target": str(self.target), "quantity": self.target.label,
                "target_se": self.target.se, "samples": self.samples,
                "max_samples": self.max_samples, "met": self.met,
                "stages": sorted(set(self.frame["samples"].to_list())),
                "block_size": BLOCK_SIZE}


def reported_strategies(study: Study) -> list[str]:
    """The strategies whose precision counts: every standalone one but the baseline."""
    return [s for s in study.compared() if s != study.baseline]


def plan_samples(study: Study, target: PrecisionTarget, *, max_samples: int = MAX_SAMPLES,
                 pilot_blocks: int = PILOT_BLOCKS,
                 progress: Callable[[int, int], None] | None = None) -> PrecisionPlan:
    """Choose the sample count that meets ``target`` (see the module notes for the rule).

    Parameters
    ----------
    study : Study
        The study (its seed, sampling method and correlations; its ``samples`` is ignored).
    target : PrecisionTarget
        From :func:`parse_target_se`.
    max_samples : int
        The most samples to draw.
    pilot_blocks : int
        Blocks of the first stage.
    progress : callable, optional
        ``progress(done, max_samples)`` after each block.

    Returns
    -------
    PrecisionPlan

    Examples
    --------
    >>> t = parse_target_se("0.01", horizon=36, months=12)  # doctest: +SKIP
    >>> plan_samples(load_study("studies/legal_contracts.toml"), t).samples  # doctest: +SKIP
    32768
    """
    if max_samples < 1:
        raise ValueError(f"--max-samples {max_samples}: must be >= 1")
    if pilot_blocks < 1:
        raise ValueError(f"pilot_blocks={pilot_blocks} must be >= 1")
    names = reported_strategies(study)
    if not names:
        raise ValueError(f"{study.file}: the study has no strategy besides the baseline, so "
                         "there is no standard error to reach")
    study = study.replace(samples=max_samples)
    plan = sampling_plan(study)
    metric = target.metric
    prob = metric.is_probability
    stats = {s: _Stats() for s in names}
    rows: dict[str, list[Any]] = {c: [] for c in ("stage", "samples", "strategy", "estimate",
                                                  "se", "needed")}
    done, goal, stage = 0, min(pilot_blocks * BLOCK_SIZE, max_samples), 0
    while True:
        for b in range(done // BLOCK_SIZE, -(-goal // BLOCK_SIZE)):
            start, stop = plan.block_bounds(b)
            out = evaluate(study, input_values(study, plan.block(b), start=start), stop - start)
            for s in names:
                stats[s].add(metric.of(out[s].npv, out[s].payback))
            if progress:
                progress(stop, max_samples)
        done = goal
        need = {s: math.ceil(st.variance(prob) / target.se ** 2) for s, st in stats.items()}
        ses = {s: st.se(prob) for s, st in stats.items()}
        for s in names:
            for c, v in zip(rows, (stage, done, s, stats[s].mean, ses[s], need[s]),
                            strict=True):
                rows[c].append(v)
        met = all(se <= target.se for se in ses.values())
        if met or done >= max_samples:
            break
        blocks = max(-(-max(need.values()) // BLOCK_SIZE), done // BLOCK_SIZE + 1)
        goal = min(blocks * BLOCK_SIZE, max_samples)
        stage += 1
    frame = pl.DataFrame(rows, schema={"stage": pl.Int64, "samples": pl.Int64,
                                       "strategy": pl.String, "estimate": pl.Float64,
                                       "se": pl.Float64, "needed": pl.Int64})
    return PrecisionPlan(target, done, met, max_samples, frame)


def reached_in(summary: Any, target: PrecisionTarget) -> dict[str, float]:
    """The standard errors a run's summary reports for ``target``'s quantity, per reported
    strategy (what the manifest records as reached)."""
    out = {}
    for s in reported_strategies(summary.study):
        st = summary.strategies[s]
        m = target.months
        se = st.npv_mean_se if target.kind == "npv" else st.se(st.p_payback_within(m))
        out[s] = math.inf if se is None else float(se)  # one sample: no error reached
    return out
