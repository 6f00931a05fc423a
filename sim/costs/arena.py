"""Where a chunk's per-sample coefficients are computed: straight into the packed array.

:func:`sim.costs.build.pack_study` lays every per-sample coefficient of a chunk out in one
flat array for the fused model (:class:`sim.costs.pack.Packer`). Computing each coefficient
into an array of its own and copying them all into that one afterwards holds every
coefficient twice at the peak, and a chunk's memory then comes back to the operating
system and is faulted in again by the next chunk (page faults cost more than the
arithmetic). While an :class:`Arena` is open on a thread (:func:`opened`), the last
operation of a per-sample coefficient (:func:`mul`, :func:`add`, :func:`sub`,
:func:`div`, :func:`power`; :func:`row` for another) writes its result into the next free row of the
arena, which the packer then lays out where it is, without a copy. The arithmetic is the
same numpy operation on the same operands (the same float64 values); without an open
arena, or for results that are not per-sample arrays, these are the plain operators.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_local = threading.local()


class Arena:
    """``rows`` rows of ``m`` float64 values, then room for ``scalars`` shared values, in
    one array (:attr:`buf`); rows are handed out in order by :meth:`take`.

    Examples
    --------
    >>> a = Arena(3, rows=2, scalars=1)
    >>> r = a.take()
    >>> r[:] = 1.0
    >>> a.row_of(r), a.row_of(np.ones(3)), a.take() is not None, a.take()
    (0, -1, True, None)
    """

    def __init__(self, m: int, *, rows: int, scalars: int) -> None:
        self.m = m
        self.rows = rows
        self.scalars = scalars
        self.buf: FloatArray = np.empty(rows * m + scalars)
        self.used = 0
        #: rows asked for once the arena was full (the next chunk reserves them)
        self.missed = 0
        self._base = self.buf.__array_interface__["data"][0]

    def take(self) -> FloatArray | None:
        """The next free row (None when every row is taken)."""
        if self.used == self.rows:
            self.missed += 1
            return None
        i = self.used
        self.used += 1
        return self.buf[i * self.m:(i + 1) * self.m]

    def row_of(self, a: Any) -> int:
        """The row ``a`` is (-1 if it is not one of this arena's rows)."""
        if not isinstance(a, np.ndarray) or a.base is not self.buf or a.shape != (self.m,) \
                or a.strides != (8,):
            return -1
        start, rest = divmod(a.__array_interface__["data"][0] - self._base, 8 * self.m)
        return start if rest == 0 and start < self.used else -1


@contextmanager
def opened(arena: Arena | None) -> Iterator[Arena | None]:
    """Open ``arena`` on this thread for the ``with`` block (None: none open)."""
    before = getattr(_local, "arena", None)
    _local.arena = arena
    try:
        yield arena
    finally:
        _local.arena = before


def current() -> Arena | None:
    """The arena open on this thread, if any."""
    return getattr(_local, "arena", None)


def _out(a: Any, b: Any) -> FloatArray | None:
    """A row for the result of an operation on ``a`` and ``b`` when one of them is an array
    of one value per sample (the other one too, or a scalar), the result is float64 and an
    arena is open."""
    arena = getattr(_local, "arena", None)
    if arena is None:
        return None
    per_sample = False
    for x in (a, b):
        if isinstance(x, np.ndarray):
            if x.shape == (arena.m,):
                per_sample = True
            elif x.ndim:
                return None
        elif not isinstance(x, float | int | np.generic):
            return None
    if not per_sample or np.result_type(a, b) != np.float64:
        return None
    return arena.take()


def mul(a: Any, b: Any) -> Any:
    """``a * b`` (into the open arena when per-sample).

    Examples
    --------
    >>> with opened(Arena(2, rows=1, scalars=0)) as arena:
    ...     c = mul(np.array([1.0, 2.0]), 3.0)
    >>> c.tolist(), c.base is arena.buf, mul(2.0, 3.0)
    ([3.0, 6.0], True, 6.0)
    """
    out = _out(a, b)
    return a * b if out is None else np.multiply(a, b, out=out)


def add(a: Any, b: Any) -> Any:
    """``a + b`` (into the open arena when per-sample)."""
    out = _out(a, b)
    return a + b if out is None else np.add(a, b, out=out)


def sub(a: Any, b: Any) -> Any:
    """``a - b`` (into the open arena when per-sample)."""
    out = _out(a, b)
    return a - b if out is None else np.subtract(a, b, out=out)


def div(a: Any, b: Any) -> Any:
    """``a / b`` (into the open arena when per-sample)."""
    out = _out(a, b)
    return a / b if out is None else np.true_divide(a, b, out=out)


def power(a: Any, b: Any) -> Any:
    """``a ** b`` (into the open arena when per-sample)."""
    out = _out(a, b)
    return a ** b if out is None else np.power(a, b, out=out)


def row(like: Any) -> FloatArray | None:
    """A free row of the open arena for a per-sample result shaped like ``like`` (None
    without an arena, when ``like`` is not per-sample or no row is free)."""
    return _out(like, 0.0)


def over(ufunc: np.ufunc, a: Any, b: Any, fresh: Any) -> Any:
    """``ufunc(a, b)``, written over ``fresh`` (``a`` or ``b``: an array the caller has just
    computed and holds alone) when the result has its shape and dtype; else a new result
    (the operator's, for ``np.multiply``, ``add``, ``subtract`` and ``true_divide``). The
    same operation on the same operands: only where the result goes differs.

    Examples
    --------
    >>> t = np.array([1.0, 2.0]) * 3.0
    >>> u = over(np.add, t, 1.0, t)
    >>> u is t, u.tolist(), over(np.add, 1.0, 2.0, None)
    (True, [4.0, 7.0], 3.0)
    """
    if (isinstance(fresh, np.ndarray) and fresh.base is None and fresh.dtype == np.float64
            and fresh.ndim == 1 and fresh.flags.writeable):
        other = b if fresh is a else a
        if (fresh is a or fresh is b) and (
                isinstance(other, float | int) or np.shape(other) in ((), fresh.shape)) \
                and np.result_type(a, b) == np.float64:
            return ufunc(a, b, out=fresh)
    plain = _OPERATORS.get(ufunc)  # floats stay Python floats, as with the operator
    return ufunc(a, b) if plain is None else plain(a, b)


#: The operator of each ufunc :func:`over` may be given.
_OPERATORS: dict[Any, Callable[[Any, Any], Any]] = {
    np.multiply: operator.mul, np.add: operator.add, np.subtract: operator.sub,
    np.true_divide: operator.truediv}
