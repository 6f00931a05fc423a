"""Statistics accumulated while streaming a samples file, with bounded memory and exact
results: moments, CVaR, and P(best), expected regret and EVPI across strategies.

Every strategy is evaluated on the same samples, so per-sample differences are exact and
these comparisons are not noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from sim.runner.quantiles import select

FloatArray = NDArray[np.float64]


class Moments:
    """Mean and sum of squared deviations, merged batch by batch (Chan et al.).

    Examples
    --------
    >>> m = Moments()
    >>> m.add(np.array([1.0, 2.0])); m.add(np.array([3.0]))
    >>> m.n, m.mean, m.m2
    (3, 2.0, 2.0)
    """

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    @staticmethod
    def of(x: np.ndarray) -> tuple[int, float, float]:
        """A batch's count, mean and sum of squared deviations, for :meth:`merge` (pure:
        batches may be summed up on any thread, then merged in order).

        Examples
        --------
        >>> Moments.of(np.array([1.0, 2.0, 6.0]))
        (3, 3.0, 14.0)
        """
        nb = x.size
        if nb == 0:
            return 0, 0.0, 0.0
        mb = float(np.mean(x))
        d = x - mb
        np.multiply(d, d, out=d)  # (x - mb) ** 2, without a second temporary
        return nb, mb, float(np.sum(d))

    def merge(self, part: tuple[int, float, float]) -> None:
        """Add a batch's :meth:`of`."""
        nb, mb, m2b = part
        if nb == 0:
            return
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def add(self, x: np.ndarray) -> None:
        """Add a batch."""
        self.merge(self.of(x))
#: Tail probability of the CVaR the summary reports (the worst 5% of outcomes).
CVAR_ALPHA = 0.05


def _tail_size(n: int, alpha: float) -> tuple[float, int]:
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha={alpha} must lie in (0, 1]")
    k = alpha * n
    j = math.floor(k + 1e-9)
    return (float(j) if abs(k - j) < 1e-9 else k), min(j, n - 1)


def cvar(x: FloatArray, alpha: float = CVAR_ALPHA) -> float:
    """Conditional value at risk: the mean of the worst ``alpha`` share of outcomes.

    With ``k = alpha * n`` (not necessarily whole), the mean of the ``floor(k)`` smallest
    values and ``k - floor(k)`` of the next one (Rockafellar & Uryasev's sample CVaR of the
    lower tail, where low NPV is bad). At least the minimum for tiny ``k``.

    Examples
    --------
    >>> cvar(np.arange(1.0, 101.0), 0.05)  # the 5 worst of 1..100
    3.0
    >>> cvar(np.array([4.0, 1.0, 2.0, 3.0]), 0.3)  # (1 + 0.2 * 2) / 1.2
    1.1666666666666667
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    if n == 0:
        return math.nan
    k, j = _tail_size(n, alpha)
    if k >= n:
        return float(x.mean())
    part = np.partition(x, j)
    total = float(part[:j].sum()) + (k - j) * float(part[j])
    return total / k if k > 0 else float(part[0])


def cvar_stream(batches: Callable[[], Iterable[FloatArray]], n: int,
                alpha: float = CVAR_ALPHA,
                find: Callable[[list[int]], list[float]] | None = None) -> float:
    """:func:`cvar` of ``n`` values streamed by ``batches()`` (called five times), exactly.

    The order statistic at the tail's edge comes from :func:`sim.runner.quantiles.select` (four
    passes), or from ``find(ranks)`` when given; a last pass sums the values below it,
    batch by batch.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=1001)
    >>> abs(cvar_stream(lambda: [x[:400], x[400:]], x.size) - cvar(x)) < 1e-12
    True
    """
    if n == 0:
        return math.nan
    k, j = _tail_size(n, alpha)
    if k >= n:
        total = sum(float(np.sum(b)) for b in batches())
        return total / n
    edge = (select(batches, [j]) if find is None else find([j]))[0]
    below, count = 0.0, 0
    for b in batches():
        mask = b < edge
        below += float(np.compress(mask, b).sum())  # b[mask], twice as fast
        count += int(np.count_nonzero(mask))
    return (below + (k - count) * edge) / k if k > 0 else edge


class RegretPart(NamedTuple):
    """What a batch adds to a :class:`RegretAccumulator` (:meth:`RegretAccumulator.part`)."""

    m: int
    best: FloatArray
    mean: FloatArray
    m2: FloatArray


class RegretAccumulator:
    """P(best), expected regret and EVPI, accumulated batch by batch.

    Regret of strategy s in a sample: the best NPV of any strategy in that sample minus
    s's. EVPI (the value of knowing every input before choosing) is the smallest expected
    regret: E[max_s NPV_s] - max_s E[NPV_s]. P(best) splits ties evenly.

    Examples
    --------
    >>> acc = RegretAccumulator(["base", "a", "b"])
    >>> acc.add(np.array([[0.0, 0.0], [1.0, -1.0], [1.0, -1.0]]))
    >>> acc.p_best()
    {'base': 0.5, 'a': 0.25, 'b': 0.25}
    >>> acc.expected_regret()["a"], acc.evpi()
    ((0.5, 0.5), (0.5, 0.5))
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        s = len(self.names)
        self.n = 0
        self._best = np.zeros(s)
        self._mean = np.zeros(s)
        self._m2 = np.zeros(s)

    def part(self, npv: FloatArray) -> RegretPart:
        """A batch's sums, for :meth:`merge` (pure: batches may be summed up on any
        thread, then merged in order): NPV of every strategy (rows, in ``names`` order)
        over samples."""
        npv = np.asarray(npv, dtype=np.float64)
        if npv.ndim != 2 or npv.shape[0] != len(self.names):
            raise ValueError(f"expected a ({len(self.names)}, m) array, got {npv.shape}")
        m = npv.shape[1]
        if m == 0:
            return RegretPart(0, np.zeros(len(self.names)), np.zeros(len(self.names)),
                              np.zeros(len(self.names)))
        top = npv.max(axis=0)
        is_best = npv == top
        if np.count_nonzero(is_best) == m and not np.isnan(top).any():
            # no ties: each share is 1 or 0, and their sum the (exact) count
            best = np.count_nonzero(is_best, axis=1).astype(np.float64)
        else:
            best = (is_best / is_best.sum(axis=0)).sum(axis=1)
        regret = np.subtract(top, npv)
        mb = regret.mean(axis=1)
        np.subtract(regret, mb[:, None], out=regret)
        np.multiply(regret, regret, out=regret)  # squared deviations, in place
        return RegretPart(m, best, mb, regret.sum(axis=1))

    def merge(self, part: RegretPart) -> None:
        """Add a batch's :meth:`part`."""
        m = part.m
        if m == 0:
            return
        self._best += part.best
        n = self.n + m
        delta = part.mean - self._mean
        self._mean += delta * m / n
        self._m2 += part.m2 + delta * delta * self.n * m / n
        self.n = n

    def add(self, npv: FloatArray) -> None:
        """Add a batch: NPV of every strategy (rows, in ``names`` order) over samples."""
        self.merge(self.part(npv))

    def p_best(self) -> dict[str, float]:
        """P(strategy has the highest NPV), ties split evenly."""
        return {s: float(b / self.n) for s, b in zip(self.names, self._best, strict=True)}

    def expected_regret(self) -> dict[str, tuple[float, float]]:
        """Expected regret per strategy and its Monte Carlo standard error."""
        sd = np.sqrt(self._m2 / max(self.n - 1, 1))
        se = sd / math.sqrt(max(self.n, 1))
        return {s: (float(r), float(e))
                for s, r, e in zip(self.names, self._mean, se, strict=True)}

    def evpi(self) -> tuple[float, float]:
        """EVPI of the choice between the strategies, and its standard error."""
        regret = self.expected_regret()
        return min(regret.values(), key=lambda r: r[0])


