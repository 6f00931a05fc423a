"""Package attributes imported on first use (PEP 562), so that importing a package does not
pay for what only some of its names need (numpy, polars, scipy.stats, altair)."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Collection, Mapping
from typing import Any

__all__ = ["keep_functions", "lazy_names"]


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


def keep_functions(package: str, names: Collection[str]) -> None:
    """Keep the functions ``names`` of a lazy ``package`` that are named like one of its
    submodules (``sweep`` in ``sim.decision.sweep``): importing that submodule binds it on
    the package, over the function meant there (as when every name was imported eagerly);
    such bindings are skipped.

    Examples
    --------
    >>> import sim.decision, sim.decision.sweep
    >>> callable(sim.decision.sweep)
    True
    """

    class Package(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if name in names and isinstance(value, types.ModuleType):
                return
            super().__setattr__(name, value)

    sys.modules[package].__class__ = Package
