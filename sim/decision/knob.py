"""How goal seek moves one input: a fixed input's value, or an uncertain input's median with
its spread kept.

A *knob* maps a real parameter ``t`` to the input's values on the study's draws:

- a fixed input takes the value ``t`` itself (whole numbers rounded);
- an uncertain input keeps its spread and moves on the scale that suits its domain:
  *log* for an amount bounded below only (``x' = lo + (x - lo) e^t``: a lognormal stays a
  lognormal, its median multiplied by ``e^t``), *logit* for a rate or share bounded on both
  sides (each draw's odds multiplied by ``e^t``, so a rate stays inside its range),
  *linear* for a normal or an unbounded input (``x' = x + t``). Every transform is
  increasing, so the median moves with it: the median at ``t`` is the transform of the
  median. Whole-number inputs are rounded after the transform.

The search range is the input's domain (:class:`sim.study.schema.Domain`); where the domain
is unbounded, a factor of :data:`REACH` beyond the current value (log and logit: odds or
amounts scaled by at most 1,000 either way).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from distributions import Distribution
from sim.costs.workload import Value
from sim.decision.sweep import check_param, input_field
from sim.study import Study

FloatArray = NDArray[np.float64]
Scale = Literal["value", "linear", "log", "logit"]
#: How far an unbounded search reaches: a factor of 1,000 beyond the current value.
REACH = 1000.0
#: Distance kept from an open or probability-bound end (relative to the range).
_EDGE = 1e-9


def _additive(dist: Distribution) -> bool:
    """A normal (or a cut normal): moved by adding to every draw."""
    base = getattr(dist, "base", None)
    return dist.family == "normal" or (base is not None and base.family == "normal")


@dataclass(frozen=True)
class Knob:
    """One input as goal seek moves it.

    Attributes
    ----------
    path : str
        The input's full path.
    uncertain : bool
        True: ``t`` shifts its draws (its median moves); False: ``t`` is its value.
    scale : {"value", "linear", "log", "logit"}
        How ``t`` acts (see the module notes).
    lo, hi : float
        The domain's ends.
    integer : bool
        Whole-number input (values rounded).
    base : float
        The input's value (fixed) or median (uncertain) now.
    t_lo, t_hi : float
        The search range of ``t``.
    what : str
        The domain in words.
    """

    path: str
    uncertain: bool
    scale: Scale
    lo: float
    hi: float
    integer: bool
    base: float
    t_lo: float
    t_hi: float
    what: str

    @property
    def t0(self) -> float:
        """The parameter of the study as it is."""
        return self.base if self.scale == "value" else 0.0

    def _move(self, x: FloatArray | float, t: float, *, whole: bool = True) -> FloatArray:
        x = np.asarray(x, dtype=np.float64)
        if self.scale == "value":
            out = np.full_like(x, t)
        elif self.scale == "linear":
            out = x + t
        elif self.scale == "log":
            out = self.lo + (x - self.lo) * math.exp(t)
        else:
            w = self.hi - self.lo
            z = np.clip((x - self.lo) / w, 1e-12, 1 - 1e-12)
            out = self.lo + w / (1.0 + np.exp(-(np.log(z / (1 - z)) + t)))
        if self.integer and whole:
            out = np.clip(np.rint(out), self.lo, self.hi)
        return out

    def value(self, t: float) -> float:
        """The input's value (fixed) or median (uncertain) at ``t``, before rounding."""
        return float(t) if self.scale == "value" else float(self._move(self.base, t,
                                                                             whole=False))

    def apply(self, values: dict[str, Value], t: float) -> dict[str, Value]:
        """The chunk's input values with this input moved to ``t``."""
        moved = self._move(values[self.path], t)
        values[self.path] = float(moved) if moved.ndim == 0 else moved
        return values


def knob(study: Study, param: str) -> Knob:
    """The :class:`Knob` of ``param`` (a fixed or uncertain input of the study).

    Raises
    ------
    ValueError
        For a name that is not an input of the study (with a suggestion).

    Examples
    --------
    >>> k = knob(study, "strategies.hosted_ft.engineering_hours")  # doctest: +SKIP
    >>> k.scale, k.base  # doctest: +SKIP
    ('log', 13.3)
    """
    inp = check_param(study, param, [])
    field = input_field(study, inp)
    lo, hi = (field.domain.lo, field.domain.hi) if field is not None else (-math.inf, math.inf)
    what = field.domain.what if field is not None else "any number"
    integer = bool(field is not None and field.domain.integer)
    lo_open = bool(field is not None and field.domain.lo_open)
    hi_open = bool(field is not None and field.domain.hi_open)
    dist = inp.dist
    if not inp.uncertain:
        base = float(dist.mean)
        span = max(abs(base), 1.0)
        t_lo = lo if math.isfinite(lo) else base - REACH * span
        t_hi = hi if math.isfinite(hi) else (lo + REACH * max(base - lo, 1.0)
                                             if math.isfinite(lo) else base + REACH * span)
        width = t_hi - t_lo
        t_lo += _EDGE * width if lo_open else 0.0
        t_hi -= _EDGE * width if hi_open else 0.0
        return Knob(inp.path, False, "value", lo, hi, integer, base, t_lo, t_hi, what)
    base = float(dist.median)
    reach = math.log(REACH)
    d_lo, d_hi = dist.draw_range
    if _additive(dist) or not math.isfinite(lo):
        span = max(d_hi - d_lo, abs(base), 1e-12)
        t_lo = (lo - d_lo) * (1 - _EDGE) if math.isfinite(lo) else -REACH * span
        t_hi = (hi - d_hi) * (1 - _EDGE) if math.isfinite(hi) else REACH * span
        return Knob(inp.path, True, "linear", lo, hi, integer, base, t_lo, t_hi, what)
    scale: Scale = "logit" if math.isfinite(hi) else "log"
    return Knob(inp.path, True, scale, lo, hi, integer, base, -reach, reach, what)
