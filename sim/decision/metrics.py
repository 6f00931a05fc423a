"""What a decision analysis measures: output metrics and decision criteria (docs/model.md,
"Summaries and decisions").

A *metric* is what a sensitivity analysis explains: ``npv`` (NPV per sample; its summary
is E[NPV]) or ``payback_within:N`` (the indicator "pays back within N months", by the rule
of :mod:`sim.runner.payback`: ahead from some month m <= N to the horizon's end; its summary
is P(payback <= N)). A *criterion* is how the recommended strategy is chosen: ``npv``
(max E[NPV]), ``payback`` (max P(payback <= N)) or ``cvar`` (max CVaR 5% of NPV: the best
average over the worst 5% of outcomes, for the risk-averse).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from sim.runner.model import NO_PAYBACK
from sim.study.types import CRITERIA, Criterion

MetricKind = Literal["npv", "payback_within"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Metric:
    """An output of the model that a sensitivity analysis explains.

    Attributes
    ----------
    kind : {"npv", "payback_within"}
        NPV vs the baseline, or "pays back within ``months`` months".
    months : int
        N of ``payback_within:N`` (0 for ``npv``).

    Examples
    --------
    >>> m = parse_metric("payback_within:12")
    >>> m.label, m.is_probability, str(m)
    ('P(payback ≤ 12)', True, 'payback_within:12')
    >>> m.of(np.array([1.0, -1.0]), np.array([3, 0], dtype=np.int16)).tolist()
    [1.0, 0.0]
    """

    kind: MetricKind = "npv"
    months: int = 0

    @property
    def is_probability(self) -> bool:
        """True when the per-sample values are 0/1 indicators (summarized as a probability)."""
        return self.kind == "payback_within"

    @property
    def label(self) -> str:
        """How the summary of the metric reads: ``E[NPV]`` or ``P(payback ≤ N)``."""
        return f"P(payback ≤ {self.months})" if self.is_probability else "E[NPV]"

    @property
    def variance_label(self) -> str:
        """What Sobol' indices divide: the variance of the per-sample output (of NPV, not of
        E[NPV]; of the 0/1 payback indicator, not of the probability).

        Examples
        --------
        >>> Metric().variance_label, parse_metric("payback_within:6").variance_label
        ('the variance of NPV', "the variance of 'pays back within 6 months' (0 or 1)")
        """
        if self.is_probability:
            return f"the variance of 'pays back within {self.months} months' (0 or 1)"
        return "the variance of NPV"

    def of(self, npv: FloatArray, payback: NDArray[np.integer] | FloatArray) -> FloatArray:
        """Per-sample values from a strategy's NPV and payback month (0: none)."""
        if not self.is_probability:
            return np.asarray(npv, dtype=np.float64)
        pb = np.asarray(payback)
        hit = (pb != NO_PAYBACK) & (pb <= self.months)
        if pb.dtype.kind == "f":
            hit &= ~np.isnan(pb)
        return hit.astype(np.float64)

    def __str__(self) -> str:
        return f"payback_within:{self.months}" if self.is_probability else "npv"


def parse_metric(spec: str | Metric, *, horizon: int | None = None) -> Metric:
    """Read a metric spec: ``npv`` or ``payback_within:N``.

    Parameters
    ----------
    spec : str or Metric
        The spec (a Metric is returned as is, after the horizon check).
    horizon : int, optional
        The study's horizon; N must lie in 1..horizon.

    Raises
    ------
    ValueError
        For an unknown metric or a month outside the horizon.

    Examples
    --------
    >>> parse_metric("npv")
    Metric(kind='npv', months=0)
    >>> parse_metric("payback_within:40", horizon=36)
    Traceback (most recent call last):
    ...
    ValueError: metric 'payback_within:40': N=40 must be a whole month in 1..36 (the horizon)
    """
    if isinstance(spec, Metric):
        metric = spec
    else:
        text = spec.strip()
        head, sep, tail = text.partition(":")
        if text == "npv":
            return Metric()
        if head != "payback_within" or not sep or not tail.strip().isdigit():
            raise ValueError(f"'{spec}' is not a valid metric; it must be one of "
                             "{'npv', 'payback_within:N'} (N in months, e.g. payback_within:12)")
        metric = Metric("payback_within", int(tail))
    if metric.is_probability:
        top = horizon if horizon is not None else 10**6
        if not 1 <= metric.months <= top:
            raise ValueError(f"metric '{metric}': N={metric.months} must be a whole month in "
                             f"1..{top} (the horizon)")
    return metric


def check_criterion(name: str) -> Criterion:
    """Return ``name`` if it is a decision criterion, else raise a ValueError listing them.

    Examples
    --------
    >>> check_criterion("cvar")
    'cvar'
    """
    if name not in CRITERIA:
        valid = ", ".join(repr(c) for c in CRITERIA)
        raise ValueError(f"'{name}' is not a valid criterion; it must be one of {{{valid}}} "
                         "(npv: max E[NPV], payback: max P(payback <= N), cvar: max CVaR 5%)")
    return name  # type: ignore[return-value]
