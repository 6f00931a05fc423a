"""The types a compiled kernel is built for ahead of time, and whether a call's arguments have
them (:mod:`distributions.native`).

A signature is written ``"ret(arg, arg, ...)"`` in a short form of numba's: ``f8``, ``i8``
and ``b1`` scalars (float64, int64, bool); ``f8[::1]``, ``u8[:, ::1]`` ... C-contiguous
arrays of float64, int64 (``i8``), int16 (``i2``), uint64 (``u8``), uint32 (``u4``) or
bool (``b1``) with one ``:`` per dimension; ``const`` before an array the kernel only reads;
``void`` for no result. :meth:`Signature.fits` says whether arguments are exactly what
numba's just-in-time dispatcher would type as this signature (so the ahead-of-time function
computes what the dispatcher would), without importing numba: a Python or numpy float for
``f8``, a Python or numpy int64 for ``i8`` (not a bool), a bool for ``b1``, and for an
array its dtype, dimensions, C order, alignment, and write access unless ``const``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Signature", "parse_signature"]

#: Scalar codes and the Python types numba types as them.
SCALARS: dict[str, tuple[type, ...]] = {
    "f8": (float, np.float64),
    "i8": (int, np.int64),
    "b1": (bool, np.bool_),
}
#: Array element codes and their dtypes.
DTYPES = {"f8": np.dtype(np.float64), "i8": np.dtype(np.int64), "i2": np.dtype(np.int16),
          "u8": np.dtype(np.uint64), "u4": np.dtype(np.uint32), "b1": np.dtype(np.bool_)}
#: numba's names of the codes (for building the signature numba compiles).
NUMBA_NAMES = {"f8": "float64", "i8": "int64", "i2": "int16", "u8": "uint64", "u4": "uint32",
               "b1": "boolean"}
_ARRAY = re.compile(r"^(const )?(\w\w)\[((?::, )*)::1\]$")
_INT64 = (-(1 << 63), (1 << 63) - 1)


@dataclass(frozen=True)
class Arg:
    """One argument's type: a scalar (``ndim`` 0) or a C-contiguous array."""

    code: str
    ndim: int = 0
    const: bool = False

    def fits(self, value: Any) -> bool:
        """Whether numba would type ``value`` as this argument (the rule of
        :meth:`Signature.fits`, for one argument)."""
        return _checker((self,))((value,))

    def numba_type(self) -> Any:
        """numba's type of this argument (imports numba: for builds only)."""
        # numba: only to build (dispatching needs none)
        from numba import types

        scalar = getattr(types, NUMBA_NAMES[self.code])
        if self.ndim == 0:
            return scalar
        return types.Array(scalar, self.ndim, "C", readonly=self.const)


@dataclass(frozen=True)
class Signature:
    """A kernel's argument and result types (:func:`parse_signature`)."""

    text: str
    result: Arg | None
    args: tuple[Arg, ...]
    _check: Callable[[tuple[Any, ...]], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_check", _checker(self.args))

    def fits(self, args: tuple[Any, ...]) -> bool:
        """Whether ``args`` are exactly of this signature's types (see the module docstring).

        Examples
        --------
        >>> s = parse_signature("void(const f8[::1], f8, f8[::1])")
        >>> s.fits((np.zeros(3), 1.0, np.zeros(3))), s.fits((np.zeros(3), 1, np.zeros(3)))
        (True, False)
        >>> s.fits((np.zeros(3)[::2], 1.0, np.zeros(3)))  # not contiguous
        False
        """
        return self._check(args)

    def numba_signature(self) -> Any:
        """numba's signature (imports numba: for builds only)."""
        # numba: only to build (dispatching needs none)
        from numba import types

        result = types.void if self.result is None else self.result.numba_type()
        return result(*(a.numba_type() for a in self.args))


def _checker(spec: tuple[Arg, ...]) -> Callable[[tuple[Any, ...]], bool]:
    """:meth:`Arg.fits` of every argument at once, its tables looked up when the signature
    is read rather than at each call: a kernel's call checks its arguments every time, and
    the checks one by one took ~5 us a call, several times the call itself."""
    n = len(spec)
    scalars = tuple((i, SCALARS[a.code]) for i, a in enumerate(spec) if a.ndim == 0)
    arrays = tuple((i, DTYPES[a.code], a.ndim, a.const) for i, a in enumerate(spec)
                   if a.ndim > 0)
    lo, hi = _INT64
    ndarray = np.ndarray

    def check(args: tuple[Any, ...]) -> bool:
        if len(args) != n:
            return False
        for i, kinds in scalars:
            value = args[i]
            kind = type(value)
            if kind not in kinds or (kind is int and not lo <= value <= hi):
                return False
        for i, dtype, ndim, const in arrays:
            value = args[i]
            if type(value) is not ndarray or value.ndim != ndim or value.dtype != dtype:
                return False
            flags = value.flags
            if not (flags.c_contiguous and flags.aligned and (const or flags.writeable)):
                return False
        return True

    return check


def _arg(text: str) -> Arg:
    text = text.strip()
    if text in SCALARS:
        return Arg(text)
    m = _ARRAY.match(text)
    if m is None or m.group(2) not in DTYPES:
        raise ValueError(f"kernel signature: cannot read the type {text!r} (e.g. f8, "
                         "i8, b1, f8[::1], const u8[:, ::1])")
    return Arg(m.group(2), m.group(3).count(":") + 1, m.group(1) is not None)


def parse_signature(text: str) -> Signature:
    """Read ``"ret(arg, ...)"`` (see the module docstring).

    Examples
    --------
    >>> s = parse_signature("b1(u8[::1], i8, const f8[:, ::1])")
    >>> s.result, s.args[2]
    (Arg(code='b1', ndim=0, const=False), Arg(code='f8', ndim=2, const=True))
    """
    head, sep, rest = text.partition("(")
    if not sep or not rest.endswith(")"):
        raise ValueError(f"kernel signature: {text!r} is not of the form 'ret(arg, ...)'")
    inner = rest[:-1].strip()
    # split on commas outside brackets
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    if inner:
        parts.append(inner[start:])
    head = head.strip()
    return Signature(text, None if head == "void" else _arg(head),
                     tuple(_arg(p) for p in parts))
