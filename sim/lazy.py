"""Package attributes imported on first use (PEP 562), so that importing a package does not
pay for what only some of its names need (numpy, polars, scipy.stats, altair)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, names: Mapping[str, str], namespace: dict[str, Any]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose ``names`` (each mapped to the
    module it lives in) are imported on first use and then kept in ``namespace`` (the
    package's ``globals()``), so later lookups are plain attribute reads.

    Examples
    --------
    >>> ns = {}
    >>> get, names = lazy_names("demo", {"sqrt": "math"}, ns)
    >>> get("sqrt")(9.0), "sqrt" in ns, names()
    (3.0, True, ['sqrt'])
    >>> get("nope")
    Traceback (most recent call last):
    AttributeError: module 'demo' has no attribute 'nope'
    """

    def getattr_(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(names))

    return getattr_, dir_
