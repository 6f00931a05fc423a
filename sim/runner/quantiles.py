"""Exact quantiles of a parquet column with bounded memory (radix selection).

Float64 values map to unsigned keys in the same order; four passes, each counting one
16-bit digit of the keys that share the prefix found so far, pin down any order statistic
exactly with 65,536 counters per target, whatever the number of rows. Results equal
``numpy.quantile`` (its default ``linear`` method) on the full column.

In memory, :func:`row_quantiles` and :func:`quantile` are ``numpy.quantile`` bit for bit
and :func:`distinct` is ``numpy.unique``, without the masked-array module those two
import on their first call (numpy.ma, ~15 ms of a command's start: the report's analyses
call them).
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


#: Row length from which :func:`row_quantiles` finds the order statistics it needs by
#: partitions instead of sorting each row.
SELECT_FROM = 2048


def row_quantiles(a: np.ndarray, qs: Sequence[float] | np.ndarray) -> np.ndarray:
    """``numpy.quantile(a, qs, axis=1)`` of a 2-D array, bit for bit.

    numpy's quantile partitions along a strided axis. Here each row's order statistics at
    numpy's positions are found on the contiguous row: for long rows (from
    :data:`SELECT_FROM` values) by a few partitions of a copy (numpy's vectorized
    selection, every row at once; the fan chart's three bands need three, and three
    maxima), else from a sort of every row (numpy's vectorized sort). The positions,
    weights and interpolation are numpy's own formulas (method ``linear``); a row holding
    NaN gives NaN, as numpy's does.

    Examples
    --------
    >>> x = np.random.default_rng(2).normal(size=(3, 1001))
    >>> bool((row_quantiles(x, [0.1, 0.5, 0.9]) == np.quantile(x, [0.1, 0.5, 0.9], axis=1)).all())
    True
    >>> x = np.random.default_rng(2).normal(size=(3, 4001))
    >>> bool((row_quantiles(x, [0.1, 0.5, 0.9]) == np.quantile(x, [0.1, 0.5, 0.9], axis=1)).all())
    True
    """
    q = np.asarray(qs, dtype=np.float64)
    n = a.shape[1]
    out = np.empty((q.size, a.shape[0]))
    if n == 0:
        out.fill(np.nan)
        return out
    virtual = (n - 1) * q  # numpy's linear virtual index
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1  # numpy takes the last value (index -1) for both
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    gamma = (virtual - prev)[:, None]  # numpy's weight, from the adjusted index
    lo_rank = prev.astype(np.intp) % n
    hi_rank = nxt.astype(np.intp) % n
    if n >= SELECT_FROM:
        ranks = sorted({int(r) for r in (*lo_rank, *hi_rank)})
        found = order_statistics(a, ranks)
        at = {r: j for j, r in enumerate(ranks)}
        lo = found[:, [at[int(r)] for r in lo_rank]].T
        hi = found[:, [at[int(r)] for r in hi_rank]].T
        nan_rows = np.isnan(a.max(axis=1))  # the maximum of a row holding NaN is NaN
    else:
        ordered = np.sort(a, axis=1)
        lo = ordered[:, lo_rank].T
        hi = ordered[:, hi_rank].T
        nan_rows = np.isnan(ordered[:, -1])  # a sort puts NaN last
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as numpy's
        diff = hi - lo
        np.add(lo, diff * gamma, out=out)
        np.subtract(hi, diff * (1 - gamma), out=out,
                    where=np.broadcast_to(gamma >= 0.5, out.shape))
    out[:, nan_rows] = np.nan
    return out


def quantile(x: np.ndarray, qs: Sequence[float] | np.ndarray) -> np.ndarray:
    """``numpy.quantile(x, qs)`` of the values of ``x`` (any shape, flattened), bit for bit
    (:func:`row_quantiles` of one row).

    Examples
    --------
    >>> x = np.random.default_rng(3).normal(size=999)
    >>> bool((quantile(x, [0.05, 0.5, 0.95]) == np.quantile(x, [0.05, 0.5, 0.95])).all())
    True
    """
    return row_quantiles(np.asarray(x, dtype=np.float64).reshape(1, -1), qs)[:, 0]


def distinct(a: np.ndarray) -> np.ndarray:
    """``numpy.unique(a)``: the values of ``a`` (any shape, flattened) sorted, each once
    (NaNs, sorted last, once).

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    >>> distinct(np.array([2.0, np.nan, 1.0, np.nan, 2.0])).tolist()
    [1.0, 2.0, nan]
    """
    s = np.sort(np.asarray(a).ravel())
    if s.size == 0:
        return s
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    if s.dtype.kind in "fc" and np.isnan(s[-1]):  # NaN != NaN: keep the first only
        first = int(np.searchsorted(np.isnan(s), True))
        keep[first + 1:] = False
        keep[first] = True
    return s[keep]


def order_statistics(a: np.ndarray, ranks: Sequence[int]) -> np.ndarray:
    """The given 0-based order statistics (sorted, distinct) of each row of a 2-D array
    without NaN, shape (rows, ranks): the values a sort of each row would hold there.

    The rows are copied and partitioned at the middle rank, then each side at the middle
    of the ranks it holds, and so on (every row at once: numpy's vectorized selection); a
    side holding one rank at its end takes its maximum (or minimum) instead.

    Examples
    --------
    >>> x = np.random.default_rng(4).normal(size=(2, 1000))
    >>> bool((order_statistics(x, [0, 99, 100, 999]) == np.sort(x)[:, [0, 99, 100, 999]]).all())
    True
    """
    out = np.empty((a.shape[0], len(ranks)))
    _select(np.array(a, dtype=np.float64), 0, list(ranks), 0, out)
    return out


def _select(x: np.ndarray, off: int, ranks: list[int], at: int, out: np.ndarray) -> None:
    """Write the order statistics ``ranks`` of each row into ``out[:, at:]``; each row of
    ``x`` holds that row's sorted positions ``off`` to ``off + x.shape[1] - 1`` (in some
    order), changed in place."""
    if not ranks:
        return
    if len(ranks) == 1:
        k = ranks[0] - off
        if k == x.shape[1] - 1:
            x.max(axis=1, out=out[:, at])
            return
        if k == 0:
            x.min(axis=1, out=out[:, at])
            return
    mid = len(ranks) // 2
    k = ranks[mid] - off
    x.partition(k, axis=1)
    out[:, at + mid] = x[:, k]
    _select(x[:, :k], off, ranks[:mid], at, out)
    _select(x[:, k + 1:], off + k + 1, ranks[mid + 1:], at + mid + 1, out)
