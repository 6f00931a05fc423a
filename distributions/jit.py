"""Compiled kernels that need numba only when they are compiled: :func:`njit` marks a
function as numba's ``njit`` would, and its :class:`Kernel` runs the module's
ahead-of-time build (:mod:`distributions.native`) when there is one and the arguments have
one of the types it was built for, else numba's just-in-time dispatcher (with its disk
cache, as before).

Importing numba and setting up its compiler costs every process about half a second
(and ~70 MiB) even when every kernel comes from numba's disk cache; a run that finds the
ahead-of-time build of each kernel module imports no numba at all. Both are compiled by
numba from the same source with the same options, so they give the same numbers (the tests
compare them bit for bit).

numba compiles a function against its module's globals: the other kernels it calls must
be numba dispatchers there, so :func:`materialize` gives each module's functions a copy of
the module's globals in which each :class:`Kernel` (or :class:`Deferred` value) is
replaced by what numba needs; the module itself keeps its kernels.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
import types as pytypes
from collections.abc import Callable
from typing import Any

from distributions import native as ahead
from distributions.signatures import Signature, parse_signature

__all__ = ["Deferred", "Kernel", "build_entries", "kernels_of", "materialize", "njit",
           "unload"]

_LOCK = threading.RLock()


class Deferred:
    """A module global numba needs that needs numba to make (say a numba ``intrinsic``):
    ``make()`` is called when the module's kernels are first compiled."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class Kernel:
    """A function compiled by numba, either ahead of time or on first call (see the module
    docstring): call it as the function.

    ``options`` are numba's ``njit`` options; ``signatures`` the types it is built for ahead
    of time (:mod:`distributions.signatures`; none: always numba's dispatcher).
    """

    __name__: str
    __qualname__: str

    def __init__(self, func: Callable[..., Any], options: dict[str, Any],
                 signatures: tuple[str, ...] = ()) -> None:
        functools.update_wrapper(self, func)
        self.py_func = func
        self.options = dict(options)
        self.signatures: tuple[Signature, ...] = tuple(parse_signature(s) for s in signatures)
        self._dispatcher: Any = None
        self._native: list[tuple[Signature, Callable[..., Any]]] | None = None

    def __call__(self, *args: Any) -> Any:
        native_fns = self._native
        if native_fns is None:
            native_fns = self._load_native()
        for sig, fn in native_fns:
            if sig.fits(args):
                return fn(*args)
        return self.dispatcher(*args)

    def __repr__(self) -> str:
        return f"<Kernel {self.__module__}.{self.__qualname__}>"

    def __reduce__(self) -> Any:
        # by reference, as a function pickles (Dask sends the callers to its workers)
        return (_lookup, (self.__module__, self.__qualname__))

    @property
    def dispatcher(self) -> Any:
        """numba's just-in-time dispatcher of this function (made on first use)."""
        if self._dispatcher is None:
            materialize(sys.modules[self.__module__])
        return self._dispatcher

    def native_functions(self) -> list[Callable[..., Any]]:
        """The ahead-of-time functions, one per signature ([]: none loaded)."""
        fns = self._native if self._native is not None else self._load_native()
        return [fn for _, fn in fns]

    def _load_native(self) -> list[tuple[Signature, Callable[..., Any]]]:
        with _LOCK:
            if self._native is None:
                found: list[tuple[Signature, Callable[..., Any]]] = []
                if self.signatures:
                    lib = ahead.library(sys.modules[self.__module__])
                    fns: list[Any] = [getattr(lib, ahead.export_name(self.__name__, i), None)
                                      for i in range(len(self.signatures))]
                    if lib is not None and None not in fns:
                        found = list(zip(self.signatures, fns, strict=True))
                self._native = found
            return self._native


def _lookup(module: str, qualname: str) -> Any:
    return getattr(importlib.import_module(module), qualname)


def njit(*args: Any, **options: Any) -> Any:
    """numba's ``njit`` (same options), compiled only when first needed; ``native`` lists
    the signatures to build ahead of time (:mod:`distributions.signatures`).

    Examples
    --------
    >>> @njit(cache=False, native=("f8(f8)",))
    ... def twice(x):
    ...     return 2.0 * x
    >>> twice.signatures[0].text, twice.py_func(1.5)
    ('f8(f8)', 3.0)
    """
    native = tuple(options.pop("native", ()))
    if args and callable(args[0]) and len(args) == 1:
        return Kernel(args[0], options, native)

    def wrap(func: Callable[..., Any]) -> Kernel:
        return Kernel(func, options, native)

    return wrap


def kernels_of(module: pytypes.ModuleType) -> list[Kernel]:
    """The kernels defined in ``module`` (not those it imports)."""
    return [v for v in vars(module).values()
            if isinstance(v, Kernel) and v.__module__ == module.__name__]


def materialize(module: pytypes.ModuleType) -> None:
    """Give every kernel of ``module`` its numba dispatcher (see the module docstring);
    imports numba."""
    with _LOCK:
        mine = kernels_of(module)
        if all(k._dispatcher is not None for k in mine):
            return
        # numba: only to compile (a run that loads every build imports none)
        from numba import njit as numba_njit

        space = dict(vars(module))
        for name, value in vars(module).items():
            if isinstance(value, Deferred):
                space[name] = value.make()
        for name, value in vars(module).items():
            if isinstance(value, Kernel):
                if value.__module__ != module.__name__:
                    space[name] = value.dispatcher  # another module's kernel
                    continue
                f = value.py_func
                func = pytypes.FunctionType(f.__code__, space, f.__name__, f.__defaults__,
                                            f.__closure__)
                func.__qualname__, func.__doc__ = f.__qualname__, f.__doc__
                func.__kwdefaults__, func.__annotations__ = f.__kwdefaults__, f.__annotations__
                value._dispatcher = space[name] = numba_njit(**value.options)(func)


def unload(module: pytypes.ModuleType) -> None:
    """Forget ``module``'s loaded build: its kernels look for one again at their next call
    (a build made or removed meanwhile)."""
    with _LOCK:
        for k in kernels_of(module):
            k._native = None
        ahead.forget(module.__name__)


def build_entries(module: pytypes.ModuleType) -> list[ahead.Entry]:
    """What :func:`distributions.native.build` compiles for ``module``: each kernel's
    numba function under its export name, per signature (imports numba).

    Examples
    --------
    >>> import distributions.pcg as pcg
    >>> entries = build_entries(pcg)
    >>> all(name.rpartition("__")[2].isdigit() for name, _, _ in entries)
    True
    """
    materialize(module)
    return [(ahead.export_name(k.__name__, i), k.dispatcher, s)
            for k in kernels_of(module) for i, s in enumerate(k.signatures)]
