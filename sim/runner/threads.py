"""Work started on a thread of its own, its result taken later (:func:`started`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["started"]

T = TypeVar("T")


def started(task: Callable[[], T]) -> Callable[[], T]:
    """Start ``task()`` on a thread of its own; the returned function waits for it and
    returns its result (or raises its error).

    For work the caller does not need yet: it runs on another core meanwhile (numpy's
    sorts and arithmetic on large arrays release the interpreter's lock).

    Examples
    --------
    >>> result = started(lambda: 6 * 7)
    >>> result()
    42
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = task()
        except BaseException as err:  # re-raised by result() in the caller's thread
            box["error"] = err

    thread = threading.Thread(target=target, name="ftrisk-task", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return result
