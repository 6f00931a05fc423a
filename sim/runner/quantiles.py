"""Exact quantiles of a parquet column with bounded memory (radix selection).

Float64 values map to unsigned keys in the same order; four passes, each counting one
16-bit digit of the keys that share the prefix found so far, pin down any order statistic
exactly with 65,536 counters per target, whatever the number of rows. Results equal
``numpy.quantile`` (its default ``linear`` method) on the full column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

_SIGN = np.uint64(1 << 63)
_DIGITS = 4
_WIDTH = 16
_MASK = np.uint64((1 << _WIDTH) - 1)


def _keys(x: np.ndarray) -> np.ndarray:
    bits = np.ascontiguousarray(x, dtype=np.float64).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def _value(key: int) -> float:
    k = np.uint64(key)
    bits = k & ~_SIGN if k & _SIGN else ~k
    return float(np.array([bits], dtype=np.uint64).view(np.float64)[0])


def select(batches: Callable[[], Iterable[np.ndarray]], ranks: Sequence[int]) -> list[float]:
    """Values of the given 0-based order statistics of the data that ``batches()`` yields.

    ``batches`` is called once per pass (four passes) and must yield the same arrays in the
    same order each time. NaN must not occur.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=1001)
    >>> select(lambda: [x[:500], x[500:]], [0, 500, 1000]) == np.sort(x)[[0, 500, 1000]].tolist()
    True
    """
    prefix = [0] * len(ranks)
    remaining = list(ranks)
    for d in range(_DIGITS):
        shift = np.uint64(64 - _WIDTH * (d + 1))
        groups: dict[int, np.ndarray] = {p: np.zeros(1 << _WIDTH, np.int64) for p in set(prefix)}
        for batch in batches():
            k = _keys(batch)
            for p, counts in groups.items():
                sel = k if d == 0 else k[(k >> (shift + np.uint64(_WIDTH))) == np.uint64(p)]
                counts += np.bincount(((sel >> shift) & _MASK).astype(np.intp),
                                      minlength=1 << _WIDTH)
        for i, p in enumerate(prefix):
            cum = np.cumsum(groups[p])
            digit = int(np.searchsorted(cum, remaining[i], side="right"))
            remaining[i] -= int(cum[digit - 1]) if digit else 0
            prefix[i] = (p << _WIDTH) | digit
    return [_value(p) for p in prefix]


def _lerp(a: float, b: float, t: float) -> float:
    # numpy's own interpolation formula, so results match numpy.quantile bit for bit
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def quantiles(batches: Callable[[], Iterable[np.ndarray]], n: int,
              qs: Sequence[float],
              find: Callable[[list[int]], list[float]] | None = None) -> list[float]:
    """Linear-interpolated quantiles (numpy's default) of ``n`` values streamed by ``batches``.

    ``find(ranks)``, when given, returns the order statistics instead of :func:`select`
    (e.g. a partial sort of values in memory: the same values, faster).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(1).lognormal(size=999)
    >>> q = quantiles(lambda: [x], x.size, [0.1, 0.5, 0.9])
    >>> q == np.quantile(x, [0.1, 0.5, 0.9]).tolist()
    True
    """
    if n == 0:
        return [float("nan")] * len(qs)
    positions = []
    for q in qs:
        virtual = (n - 1) * q  # numpy's linear index
        lo = int(np.floor(virtual))
        positions.append((lo, min(lo + 1, n - 1), virtual - lo))
    ranks = sorted({r for lo, hi, _ in positions for r in (lo, hi)})
    values = select(batches, ranks) if find is None else find(ranks)
    found = dict(zip(ranks, values, strict=True))
    return [_lerp(found[lo], found[hi], t) for lo, hi, t in positions]
