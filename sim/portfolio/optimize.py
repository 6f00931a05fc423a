"""The best subset and start order of the members' projects under the limits.

A plan picks, for each member, one of its strategies or none, and an order in which the
picked projects start (start months from :func:`sim.portfolio.schedule.schedule`). Each
plan is scored on every sample (common random numbers: the same futures for every plan):

- ``npv``: E[portfolio NPV];
- ``payback``: P(portfolio payback <= N), the portfolio's cumulative net saving staying
  >= 0 from month N on and ending the horizon ahead;
- ``cvar``: CVaR 5% of the portfolio NPV (the mean of its worst 5%).

Ties are broken by E[NPV], then by fewer projects.

**Search.** When the number of schedules (every choice per member, or none, times every
start order of the picked projects; one order when hours are unlimited, since then every
project starts in month 1) is at most ``max_exhaustive``, every one is scored. Beyond, a
greedy heuristic: start from no project; repeatedly append to the start order the one
(member, strategy) that raises the score most, until none does; then improve by local
moves (swap two neighbours in the order, change a member's strategy, drop a member),
taking any that raises the score, until none does. The heuristic may miss the optimum.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.portfolio.flows import ChoiceFlows, MemberFlows
from sim.portfolio.schedule import Project, schedule
from sim.portfolio.spec import Limits
from sim.runner.stats import cvar

__all__ = ["Pick", "Scorer", "Search", "payback_months_of", "search"]

FloatArray = NDArray[np.float64]
#: A picked project: (member index, strategy).
Pick = tuple[int, str]


def payback_months_of(cum: FloatArray) -> NDArray[np.int64]:
    """Payback month of each column of a cumulative net saving (H, n); 0 when none.

    One past the last month that ends below 0 (month 1 when none does), for a path that
    ends the horizon above 0 (:mod:`sim.runner.payback`).

    Examples
    --------
    >>> payback_months_of(np.array([[-5.0, 1.0, -1.0], [2.0, 2.0, -1.0], [3.0, -1.0, -1.0]]))
    array([2, 0, 0])
    """
    h = cum.shape[0]
    below = cum < 0
    last = h - 1 - np.argmax(below[::-1], axis=0)
    month = np.where(below.any(axis=0), last + 2, 1)
    return np.where(cum[-1] > 0, month, 0)


@dataclass(frozen=True)
class Score:
    """A plan's figures: the objective's value, E[NPV], and the per-sample results."""

    value: float
    npv_mean: float
    npv: FloatArray
    payback: NDArray[np.int64] | None


class Scorer:
    """Scores plans on the members' flows (cached by the picks and their start months)."""

    def __init__(self, flows: Sequence[MemberFlows], *, objective: str, months: int,
                 horizon: int) -> None:
        self.flows, self.objective, self.months, self.horizon = flows, objective, months, horizon
        self._cache: dict[frozenset[tuple[int, str, int]], Score] = {}
        self._cum: dict[Pick, FloatArray] = {}
        self.n = next(iter(flows[0].choices.values())).net.shape[1]

    def choice(self, pick: Pick) -> ChoiceFlows:
        """The flows of one pick."""
        return self.flows[pick[0]].choices[pick[1]]

    def cum(self, pick: Pick) -> FloatArray:
        """Cumulative net saving of a pick started in month 1 (cached)."""
        if pick not in self._cum:
            self._cum[pick] = self.choice(pick).cum
        return self._cum[pick]

    def paths(self, picks: Sequence[Pick], starts: Sequence[int]) -> FloatArray:
        """The portfolio's cumulative net saving by month, shape (H, n)."""
        total = np.zeros((self.horizon, self.n))
        for pick, d in zip(picks, starts, strict=True):
            total[d:] += self.cum(pick)[: self.horizon - d]
        return total

    def npv(self, picks: Sequence[Pick], starts: Sequence[int]) -> FloatArray:
        """The portfolio's NPV per sample."""
        total = np.zeros(self.n)
        for pick, d in zip(picks, starts, strict=True):
            total += self.choice(pick).npv[d]
        return total

    def score(self, picks: Sequence[Pick], starts: Sequence[int], *,
              full: bool = False) -> Score:
        """The plan's score (``full``: always with the payback months)."""
        key = frozenset((i, c, d) for (i, c), d in zip(picks, starts, strict=True))
        hit = self._cache.get(key)
        if hit is not None and (hit.payback is not None or not full):
            return hit
        npv = self.npv(picks, starts)
        mean = float(npv.mean())
        payback = None
        if self.objective == "payback" or full:
            payback = payback_months_of(self.paths(picks, starts)) if picks else np.zeros(
                self.n, dtype=np.int64)
        if self.objective == "npv":
            value = mean
        elif self.objective == "cvar":
            value = cvar(npv)
        else:
            assert payback is not None
            value = float(np.mean((payback > 0) & (payback <= self.months)))
        out = Score(value, mean, npv, payback)
        self._cache[key] = out
        return out


@dataclass(frozen=True)
class Search:
    """The best plan found and how: ``picks`` in start order and their ``starts``."""

    picks: tuple[Pick, ...]
    starts: tuple[int, ...]
    score: Score
    method: str
    schedules: int
    ranked: tuple[tuple[tuple[Pick, ...], tuple[int, ...], float, float], ...]


def _project(scorer: Scorer, pick: Pick) -> Project:
    c = scorer.choice(pick)
    return Project(c.upfront, c.hours, c.fte, int(c.build_months))


def _key(score: Score, picks: Sequence[Pick]) -> tuple[float, float, int]:
    return (score.value, score.npv_mean, -len(picks))


def _assignments(flows: Sequence[MemberFlows]) -> Iterator[tuple[Pick, ...]]:
    options = [[None, *((i, c) for c in f.choices)] for i, f in enumerate(flows)]
    for combo in itertools.product(*options):
        yield tuple(p for p in combo if p is not None)


def count_schedules(flows: Sequence[MemberFlows], limits: Limits) -> int:
    """How many schedules an exhaustive search scores (see the module's docstring).

    Examples
    --------
    Three members with two strategies each, hours limited: sum over k picked of
    C(3, k) 2^k k! = 1 + 6 + 24 + 48.

    >>> from types import SimpleNamespace as NS
    >>> f = [NS(choices={"a": 0, "b": 0})] * 3
    >>> count_schedules(f, Limits(engineering_hours_per_quarter=1))
    79
    """
    orders = limits.engineering_hours_per_quarter is not None
    total = 0
    sizes = [len(f.choices) for f in flows]
    for k in range(len(sizes) + 1):
        for subset in itertools.combinations(sizes, k):
            total += math.prod(subset) * (math.factorial(k) if orders else 1)
    return total


def _exhaustive(scorer: Scorer, limits: Limits, keep: list[tuple[tuple[float, float, int],
                tuple[Pick, ...], tuple[int, ...], Score]]) -> None:
    orders = limits.engineering_hours_per_quarter is not None
    for picks in _assignments(scorer.flows):
        for order in (itertools.permutations(picks) if orders else (picks,)):
            starts = schedule([_project(scorer, p) for p in order], limits, scorer.horizon)
            if starts is None:
                continue
            s = scorer.score(order, starts)
            keep.append((_key(s, order), order, starts, s))


def _try(scorer: Scorer, limits: Limits, order: tuple[Pick, ...]
         ) -> tuple[tuple[float, float, int], tuple[int, ...], Score] | None:
    starts = schedule([_project(scorer, p) for p in order], limits, scorer.horizon)
    if starts is None:
        return None
    s = scorer.score(order, starts)
    return _key(s, order), starts, s


def _moves(order: tuple[Pick, ...], flows: Sequence[MemberFlows]) -> Iterator[tuple[Pick, ...]]:
    for i in range(len(order) - 1):
        yield (*order[:i], order[i + 1], order[i], *order[i + 2:])
    for i, (m, c) in enumerate(order):
        yield order[:i] + order[i + 1:]
        for other in flows[m].choices:
            if other != c:
                yield (*order[:i], (m, other), *order[i + 1:])


def _greedy(scorer: Scorer, limits: Limits, keep: list[tuple[tuple[float, float, int],
            tuple[Pick, ...], tuple[int, ...], Score]]) -> None:
    order: tuple[Pick, ...] = ()
    best = _try(scorer, limits, order)
    assert best is not None
    keep.append((best[0], order, best[1], best[2]))
    while True:
        used = {m for m, _ in order}
        step = None
        for i, f in enumerate(scorer.flows):
            if i in used:
                continue
            for c in f.choices:
                got = _try(scorer, limits, (*order, (i, c)))
                if got is not None and got[0] > best[0] and (step is None or got[0] > step[0]):
                    step = (got[0], (*order, (i, c)), got[1], got[2])
        if step is None:
            break
        best, order = (step[0], step[2], step[3]), step[1]
        keep.append(step)
    improved = True
    while improved:
        improved = False
        for cand in _moves(order, scorer.flows):
            got = _try(scorer, limits, cand)
            if got is not None and got[0] > best[0]:
                best, order, improved = got, cand, True
                keep.append((got[0], cand, got[1], got[2]))
                break


def search(scorer: Scorer, limits: Limits, *, max_exhaustive: int, top: int = 10,
           on_stage: Callable[[str], None] | None = None) -> Search:
    """The best plan: exhaustive when small enough, else the greedy heuristic.

    Parameters
    ----------
    scorer : Scorer
        The members' flows and the objective.
    limits : Limits
        The limits across members.
    max_exhaustive : int
        Most schedules scored one by one.
    top : int
        How many of the best distinct plans to keep in ``ranked``.

    Returns
    -------
    Search
    """
    count = count_schedules(scorer.flows, limits)
    keep: list[tuple[tuple[float, float, int], tuple[Pick, ...], tuple[int, ...], Score]] = []
    if count <= max_exhaustive:
        if on_stage is not None:
            on_stage(f"optimizer: scoring {count:,} schedules")
        _exhaustive(scorer, limits, keep)
        method = "exhaustive"
    else:
        if on_stage is not None:
            on_stage(f"optimizer: greedy search ({count:,} schedules is too many to score)")
        _greedy(scorer, limits, keep)
        method = "greedy"
    # stable sort: among equal keys the first enumerated (members in file order) wins
    keep.sort(key=lambda k: k[0], reverse=True)
    _, picks, starts, _ = keep[0]
    ranked, seen = [], set()
    for _, p, s, sc in keep:
        ident = frozenset(zip(p, s, strict=True))
        if ident in seen:
            continue
        seen.add(ident)
        ranked.append((p, s, sc.value, sc.npv_mean))
        if len(ranked) == top:
            break
    return Search(picks, starts, scorer.score(picks, starts, full=True), method, count,
                  tuple(ranked))
