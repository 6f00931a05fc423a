"""Independent pieces of one draw spread over threads (blocks of uniforms, inputs' quantile
functions): the compiled loops and numpy's sorts release the GIL, so two threads take
about half the time. Each piece writes only its own part of the result, so the numbers
do not depend on the number of threads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["default_threads", "each"]

T = TypeVar("T")
R = TypeVar("R")

_POOL: ThreadPoolExecutor | None = None
_LOCK = threading.Lock()


def default_threads() -> int:
    """Threads a whole draw in one call takes by default: the CPUs, at most two (what the
    runner's workers take too).

    Examples
    --------
    >>> 1 <= default_threads() <= 2
    True
    """
    return min(2, os.cpu_count() or 1)


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max(2, os.cpu_count() or 1),
                                       thread_name_prefix="ftrisk-draw")
        return _POOL


def each(fn: Callable[[T], R], items: Iterable[T], threads: int = 1) -> list[R]:
    """``[fn(x) for x in items]``, on up to ``threads`` threads (this one included).

    The calling thread takes pieces too and waits only for pieces another thread has
    started, so a busy pool never stalls it (a helper that starts late finds nothing
    left). The first exception is raised in the caller.

    Examples
    --------
    >>> each(lambda x: x * x, range(5), threads=2)
    [0, 1, 4, 9, 16]
    """
    todo = list(items)
    if threads <= 1 or len(todo) <= 1:
        return [fn(x) for x in todo]
    results: list[R | None] = [None] * len(todo)
    errors: list[BaseException] = []
    state = {"next": 0, "done": 0}
    cond = threading.Condition()

    def work() -> None:
        while True:
            with cond:
                i = state["next"]
                if i >= len(todo) or errors:
                    return
                state["next"] = i + 1
            try:
                results[i] = fn(todo[i])
            except BaseException as exc:  # re-raised in the caller
                with cond:
                    errors.append(exc)
            with cond:
                state["done"] += 1
                cond.notify_all()

    for _ in range(min(threads, len(todo)) - 1):
        _pool().submit(work)
    work()
    with cond:
        # every piece taken is finished (or failed), and none is left to take
        cond.wait_for(lambda: state["done"] == state["next"])
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
