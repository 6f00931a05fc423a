"""Goal seek: the value of one input at which a decision figure reaches a target.

``ftrisk goal-seek STUDY --param strategies.hosted_ft.engineering_hours --target
"payback_within:12=0.5"`` finds the engineering hours (for an uncertain input: the median,
its spread kept, see :mod:`sim.decision.knob`) at which P(payback <= 12) of the strategy is
0.5. Targets: ``payback_within:N=p``, ``npv=DOLLARS`` (E[NPV]) and ``p_best=p`` (P(the
strategy is the best), ties split as in the summary).

Every trial evaluates the model on the same draws of the study's samples (common random
numbers), so the target figure is a smooth, monotone-in-expectation function of the input
whose differences between trials are not noise. The root is bracketed in the input's domain
(the study's value and the ends of the search range), then found with Brent's method
(:func:`scipy.optimize.brentq`).

Monte Carlo error of the root (delta method): if the figure's estimate ``F(x)`` has
standard error ``se_F`` at the root and slope ``F'(x*)``, the root's standard error is
``se_F / |F'(x*)|``. The slope is the secant over ``x* ± h``, ``h`` widened from 1% of the
search range until the figure changes by at least 4 standard errors across it (a
probability estimated on n samples moves in steps of 1/n; the secant must span many).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from sim.decision.crn import Draws, RemoteDraws
from sim.decision.knob import Knob, knob
from sim.decision.samples import SampleSet, check_strategies
from sim.display import money, number, plus_minus, short
from sim.study import Study

GoalKind = Literal["payback_within", "npv", "p_best"]


@dataclass(frozen=True)
class Goal:
    """A target for a decision figure of one strategy.

    Examples
    --------
    >>> parse_goal("payback_within:12=0.5", horizon=36)
    Goal(kind='payback_within', months=12, level=0.5)
    >>> parse_goal("npv=0", horizon=36).label
    'E[NPV]'
    """

    kind: GoalKind
    months: int
    level: float

    @property
    def label(self) -> str:
        """How the figure reads."""
        return {"payback_within": f"P(payback ≤ {self.months})", "npv": "E[NPV]",
                "p_best": "P(best)"}[self.kind]

    @property
    def is_probability(self) -> bool:
        """True for a probability target."""
        return self.kind != "npv"

    def __str__(self) -> str:
        what = f"payback_within:{self.months}" if self.kind == "payback_within" else self.kind
        return f"{what}={self.level:g}"

    def show(self, v: float) -> str:
        """A value of the figure as text."""
        return money(v, compact=True) if self.kind == "npv" else f"{v:.3f}"


def parse_goal(text: str, *, horizon: int) -> Goal:
    """Read ``--target``: ``payback_within:N=p``, ``npv=DOLLARS`` or ``p_best=p``.

    Raises
    ------
    ValueError
        For another form, N outside the horizon, or a probability outside (0, 1).
    """
    what, sep, value = text.partition("=")
    form = ("give payback_within:N=P (e.g. payback_within:12=0.5), npv=DOLLARS (e.g. npv=0) "
            "or p_best=P")
    try:
        level = float(value)
    except ValueError:
        raise ValueError(f"--target '{text}': {form}") from None
    what = what.strip()
    if not sep or not math.isfinite(level):
        raise ValueError(f"--target '{text}': {form}")
    if what in ("npv", "p_best"):
        goal = Goal(what, 0, level)  # type: ignore[arg-type]
    else:
        head, _, tail = what.partition(":")
        if head != "payback_within" or not tail.strip().isdigit():
            raise ValueError(f"--target '{text}': {form}")
        months = int(tail)
        if not 1 <= months <= horizon:
            raise ValueError(f"--target '{text}': N={months} must be a whole month in "
                             f"1..{horizon} (the horizon)")
        goal = Goal("payback_within", months, level)
    if goal.is_probability and not 0 < level < 1:
        raise ValueError(f"--target '{text}': a probability target must lie strictly between "
                         "0 and 1, e.g. 0.5")
    return goal


def _figure(samples: SampleSet, strategy: str, goal: Goal) -> tuple[float, float]:
    """The goal's figure for ``strategy`` on ``samples`` and its Monte Carlo standard error."""
    n = samples.n
    if goal.kind == "npv":
        y = samples.npv[strategy]
    elif goal.kind == "payback_within":
        pb = samples.payback[strategy]
        p = float(np.count_nonzero((pb > 0) & (pb <= goal.months))) / n
        return p, math.sqrt(p * (1 - p) / n)
    else:
        every = samples.study.compared()
        stack = np.stack([samples.npv[s] for s in every])
        top = stack == stack.max(axis=0)
        y = (top / top.sum(axis=0))[every.index(strategy)]
    mean = float(y.mean())
    return mean, float(y.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0


@dataclass(frozen=True)
class GoalSeek:
    """Where the target is met.

    Attributes
    ----------
    param : str
        The input's path.
    strategy : str
        Whose figure.
    goal : Goal
        The target.
    value : float
        The input's value (fixed input) or median (uncertain input) at the root.
    se : float
        Its Monte Carlo standard error (delta method).
    uncertain : bool
        True when ``value`` is a median (the spread kept).
    scale : str
        How the input was moved (``value``, ``linear``, ``log``, ``logit``).
    slope : float
        d figure / d value at the root (secant).
    figure_at_root, figure_se : float
        The figure at the root and its standard error.
    base_value, base_figure : float
        The input's value or median in the study as it is, and the figure there.
    trials : polars.DataFrame
        Every evaluation: ``t, value, figure, se`` in the order made.
    samples : int
        Samples per trial.
    """

    param: str
    strategy: str
    goal: Goal
    value: float
    se: float
    uncertain: bool
    scale: str
    slope: float
    figure_at_root: float
    figure_se: float
    base_value: float
    base_figure: float
    trials: pl.DataFrame
    samples: int

    def table(self) -> pl.DataFrame:
        """The trials, sorted by value."""
        return self.trials.sort("value")

    def sentence(self) -> str:
        """The answer in words, e.g. "With a median engineering hours (hosted_ft) above
        61 ± 2, hosted_ft is less likely than not to pay back within 12 months."; ± is the
        root's Monte Carlo standard error."""
        key = self.param.rsplit(".", 1)[-1].replace("_", " ")
        owner = short(self.param).rsplit(".", 1)[0]
        what = f"{key} ({owner})" if owner != "workload" else key
        median = "a median " if self.uncertain else ""
        where = f"With {median}{what} above {plus_minus(self.value, self.se)}"
        rising = self.slope > 0
        g, s = self.goal, self.strategy
        if g.kind == "payback_within" and g.level == 0.5:
            odds = "more likely than not" if rising else "less likely than not"
            tail = f"{s} is {odds} to pay back within {g.months} months"
        elif g.kind == "npv" and g.level == 0:
            tail = (f"{s}'s expected NPV is {'positive' if rising else 'negative'} (it "
                    f"{'beats' if rising else 'loses to'} the baseline on average)")
        elif g.kind == "p_best" and g.level == 0.5:
            tail = (f"{s} is the best strategy in {'more' if rising else 'less'} than half of "
                    "the futures sampled")
        else:
            tail = (f"{g.label} of {s} is {'above' if rising else 'below'} "
                    f"{g.show(g.level)}")
        return f"{where}, {tail}."


def _slope(f: Callable[[float], tuple[float, float]], k: Knob, t: float, se: float
           ) -> float:
    """d figure / d value at ``t`` by a secant widened until the figure moves >= 4 se."""
    width = k.t_hi - k.t_lo
    h = 0.01 * width if k.scale in ("value", "linear") else 0.05
    while True:
        a, b = max(k.t_lo, t - h), min(k.t_hi, t + h)
        fa, fb = f(a)[0], f(b)[0]
        dx = k.value(b) - k.value(a)
        if abs(fb - fa) >= 4 * se or (b - a) >= width or dx == 0:
            return (fb - fa) / dx if dx else 0.0
        h *= 2


def goal_seek(study: Study, param: str, target: str | Goal, *, strategy: str | None = None,
              samples: int | None = None, xtol: float = 1e-7, client: Any = None
              ) -> GoalSeek:
    """Find the value (or median) of ``param`` at which ``strategy``'s figure meets ``target``.

    Parameters
    ----------
    study : Study
        The study (its seed and sampling plan give the common random numbers).
    param : str
        A fixed or uncertain input, e.g. ``strategies.hosted_ft.engineering_hours``.
    target : str or Goal
        ``payback_within:N=p``, ``npv=DOLLARS`` or ``p_best=p``.
    strategy : str, optional
        Whose figure (default: the first non-baseline strategy).
    samples : int, optional
        Samples per trial (default: the study's).
    xtol : float
        Brent's tolerance, relative to the search range.
    client : dask.distributed.Client, optional
        Draw the samples on this Dask cluster's workers, keep them there and evaluate every
        trial there (:class:`~sim.decision.crn.RemoteDraws`); bit-identical results.

    Raises
    ------
    ValueError
        For a bad name or target, or when the target is not met anywhere in the input's
        domain (the message gives the figure at both ends of the search).

    Examples
    --------
    >>> g = goal_seek(study, "hosted_ft.engineering_hours",
    ...               "payback_within:12=0.5")  # doctest: +SKIP
    >>> g.sentence()  # doctest: +SKIP
    'With a median engineering hours (hosted_ft) above 61 ± 2, hosted_ft is less likely ...'
    """
    goal = parse_goal(target, horizon=study.horizon_months) if isinstance(target, str) \
        else target
    name = check_strategies(study, [strategy] if strategy else None)[:1]
    if not name:
        raise ValueError(f"{study.file}: the study has no strategy besides the baseline")
    s = name[0]
    k = knob(study, param)
    draws: Draws | RemoteDraws = (Draws.of(study, samples=samples) if client is None else
                                  RemoteDraws.of(study, client, samples=samples))
    rows: dict[str, list[float]] = {"t": [], "value": [], "figure": [], "se": []}
    cache: dict[float, tuple[float, float]] = {}

    def f(t: float) -> tuple[float, float]:
        if t not in cache:
            cache[t] = _figure(draws.evaluate(lambda v, u: k.apply(v, t)), s, goal)
            for c, v in zip(rows, (t, k.value(t), *cache[t]), strict=True):
                rows[c].append(v)
        return cache[t]

    ends = [k.t_lo, k.t0, k.t_hi]
    d = [f(t)[0] - goal.level for t in ends]
    if d[1] == 0:
        root = k.t0
    elif d[0] * d[1] <= 0 or d[1] * d[2] <= 0:
        a, b = (ends[0], ends[1]) if d[0] * d[1] <= 0 else (ends[1], ends[2])
        # deferred: scipy.optimize takes ~0.3 s to import; only a seek that brackets a root
        from scipy.optimize import brentq

        root = float(brentq(lambda t: f(t)[0] - goal.level, a, b,
                            xtol=xtol * (k.t_hi - k.t_lo)))
    else:
        lo, hi = cache[k.t_lo][0], cache[k.t_hi][0]
        what = f"{short(k.path)} {'median ' if k.uncertain else ''}"
        raise ValueError(
            f"--target {goal}: {goal.label} of {s} goes from {goal.show(lo)} ({what}"
            f"{number(k.value(k.t_lo))}) to {goal.show(hi)} ({what}{number(k.value(k.t_hi))}),"
            f" the ends of the search within its domain ({k.what}), and never reaches "
            f"{goal.show(goal.level)}; choose a target in that range")
    fig, se = f(root)
    slope = _slope(f, k, root, se)
    value = k.value(root)
    root_se = 0.0 if se == 0 else (se / abs(slope) if slope else math.inf)
    return GoalSeek(param=k.path, strategy=s, goal=goal, value=value, se=root_se,
                    uncertain=k.uncertain, scale=k.scale, slope=slope, figure_at_root=fig,
                    figure_se=se, base_value=k.base, base_figure=cache[k.t0][0],
                    trials=pl.DataFrame(rows, schema=dict.fromkeys(rows, pl.Float64)),
                    samples=draws.study.samples)
