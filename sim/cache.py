"""Where ftrisk keeps what it can rebuild, and one thread-safe in-memory memo.

On disk: the inlined Vega JavaScript of reports, the serving simulation's SLA tables and the
quantile tables of beta and PERT inputs, in :func:`cache_dir`: ``$FTRISK_CACHE_DIR``, else
``$XDG_CACHE_HOME/ftrisk`` (default ``~/.cache/ftrisk``). A read-only or missing cache only
costs the work next time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from distributions.cache import cache_dir

__all__ = ["Memo", "cache_dir"]

V = TypeVar("V")


class Memo(Generic[V]):
    """Values built once per key, even when worker threads ask at the same time.

    Examples
    --------
    >>> m: Memo[int] = Memo()
    >>> m.get("a", lambda: 1), m.get("a", lambda: 2)
    (1, 1)
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value of ``key``, built by ``build()`` under the lock the first time."""
        with self._lock:
            if key not in self._values:
                self._values[key] = build()
            return self._values[key]

    def peek(self, key: Hashable) -> V | None:
        """The value of ``key`` if it was built, else None."""
        with self._lock:
            return self._values.get(key)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()

    def put(self, key: Hashable, value: V) -> None:
        """Store ``value`` under ``key``."""
        with self._lock:
            self._values[key] = value
