"""``scipy.special``'s functions, imported on first use (PEP 562).

Importing ``scipy.special`` costs 0.2-0.4 s of a Python program's start with scipy 1.17
(its array-API layer copies numpy's whole namespace, which imports ``numpy.f2py``,
``numpy.testing`` and ``unittest``), and ~70 ms and 8 MiB of an ``ftrisk`` command's (which
defers those two: :mod:`sim.process`). Reading, checking and drawing a study mostly need
none of it: the quantile tables of beta and PERT inputs come from a disk cache
(:mod:`distributions.fastppf`) once built, the normal's quantiles and the binomial CDF
(a pilot's weights) are compiled (:mod:`distributions.compiled`). The modules of this
package therefore write ``from distributions import special`` and call
``special.ndtr(...)`` as they would scipy's; the first call imports scipy.special, later
ones read the function from this module's namespace.

Examples
--------
>>> from distributions import special
>>> float(special.ndtr(0.0))
0.5
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):  # pickling, doctest and inspect probe dunder names
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("scipy.special"), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value
