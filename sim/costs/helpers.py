"""Simulations other threads may help with, so that the worker threads of a run end it
together.

A run's worker threads take its chunks one at a time; once every chunk is taken, a
worker that finishes early would wait for the others. :func:`sim.costs.fused.simulate`
claims the blocks of samples it steps one at a time from a shared count, so another
thread can step blocks of the same call, with work arrays of its own: the owner
:func:`offered` the call while it runs it, and :func:`help_open` steps the blocks left in
the calls on offer. A block's numbers do not depend on the thread that steps it, so the
results are the same, bit for bit, helped or not.

Examples
--------
>>> left = [3]
>>> def step():  # a call's blocks, claimed one at a time by whoever steps them
...     done = 0
...     while left[0] > 0:
...         left[0] -= 1
...         done += 1
...     return done
>>> with offered(step):
...     helped = help_open()  # another thread would call this
...     mine = step()
>>> helped, mine
(3, 0)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["help_open", "offered"]

_LOCK = threading.Lock()


class _Job:
    """A call on offer: ``step()`` steps blocks left in it (returns how many), ``helpers``
    the threads stepping it besides its owner."""

    def __init__(self, step: Callable[[], int]) -> None:
        self.step = step
        self.helpers = 0
        #: a helper came back: every block is claimed, no one else need come
        self.claimed = False
        self.idle = threading.Condition(_LOCK)


_OPEN: list[_Job] = []


@contextmanager
def offered(step: Callable[[], int]) -> Iterator[None]:
    """Offer ``step`` (which steps blocks left in a call) to other threads for the ``with``
    block, in which the owner steps the call itself; on leaving, wait for the helpers
    still stepping blocks of it (the call's outputs are then complete)."""
    job = _Job(step)
    with _LOCK:
        _OPEN.append(job)
    try:
        yield
    finally:
        with _LOCK:
            _OPEN.remove(job)
            while job.helpers:
                job.idle.wait()


def help_open() -> int:
    """Step the blocks left in the calls other threads have on offer, until none is left;
    returns the number of blocks stepped here.

    Examples
    --------
    >>> help_open()  # nothing on offer
    0
    """
    total = 0
    while True:
        with _LOCK:
            job = next((j for j in _OPEN if not j.claimed), None)
            if job is None:
                return total
            job.helpers += 1
        try:
            total += job.step()
        finally:
            with _LOCK:
                job.helpers -= 1
                job.claimed = True
                if not job.helpers:
                    job.idle.notify_all()
