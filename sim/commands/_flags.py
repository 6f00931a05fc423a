"""Checks of the command line's flag values, each problem one short text for ``error()``.

Numbers must be finite and inside a physical domain (the same domains study files use,
:mod:`sim.study.schema`); counts are whole numbers in a range; names must be one of a known list,
with the closest ones suggested. argparse itself only parses (``type=float``/``int``), so
``inf``, ``nan`` or ``1e400`` reach these checks and are refused with the flag named.

Examples
--------
>>> from sim.study.schema import REQUESTS  # doctest: +ELLIPSIS
>>> number_problem(5000.0, REQUESTS) is None
True
>>> number_problem(float("nan"), REQUESTS)
'nan must be a finite number in (0, 1e+12]'
>>> print(flag_problems(("--requests-per-day", number_problem(-5.0, REQUESTS))))
--requests-per-day: -5 must be a number in (0, 1e+12] (requests per day: 100x every web ...
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from difflib import get_close_matches

from distributions import fmt
from sim.study.schema import Domain

#: Largest seed: study seeds are TOML integers (64-bit signed).
MAX_SEED = 2**63 - 1
#: Largest sample count of a run (a study's samples key has the same limit).
MAX_SAMPLES = 10**9
#: Longest name a flag takes (model, GPU, strategy...): longer text is no name, and
#: suggesting close matches for it would take long.
MAX_NAME = 200


def number_problem(x: float, domain: Domain) -> str | None:
    """What is wrong with a flag's number for ``domain`` (value first), or None."""
    kind = "whole number" if domain.integer else "number"
    why = f" ({domain.why})" if domain.why else ""
    if not math.isfinite(x):
        return f"{x} must be a finite {kind} in {domain.interval}"
    if not domain.contains(x, x) or (domain.integer and x != int(x)):
        return f"{fmt(x)} must be a {kind} in {domain.interval}{why}"
    return None


def whole_problem(n: int, lo: int, hi: int, what: str = "") -> str | None:
    """What is wrong with a whole-number flag outside ``lo..hi``, or None.

    Examples
    --------
    >>> whole_problem(0, 1, 10**9, "samples")
    '0 must be a whole number from 1 to 1,000,000,000 (samples)'
    """
    if lo <= n <= hi:
        return None
    why = f" ({what})" if what else ""
    shown = f"{n:,}" if abs(n) < 10**30 else f"a number of {n.bit_length()} bits"
    return f"{shown} must be a whole number from {lo:,} to {hi:,}{why}"


def name_problem(name: str, known: Iterable[str], what: str) -> str | None:
    """What is wrong with a name that is not one of ``known`` (with the closest suggested).

    Examples
    --------
    >>> name_problem("h10", ["a10g", "h100"], "GPU")
    "'h10' is not a known GPU; did you mean h100? Known: a10g, h100"
    """
    names = list(known)
    if name in names:
        return None
    if len(name) > MAX_NAME:
        return f"is not a known {what} (a name of {len(name):,} characters); known: " + (
            ", ".join(names[:20]))
    close = get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ";"
    shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
    return f"{name!r} is not a known {what}{hint} Known: {shown}"


def flag_problems(*checks: tuple[str, str | None]) -> str | None:
    """The first ``(flag, problem)`` with a problem, as ``"--flag: problem"`` (or None)."""
    for flag, problem in checks:
        if problem:
            return f"{flag}: {problem}"
    return None
