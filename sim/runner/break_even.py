"""The calculator page's three break-even modes, named for the strategy the answer is about.

"Three break-even modes. (1) Volume-driven: high query volume against a fine-tuned smaller
model beats lower-volume frontier. (2) Quality-driven: domain-specific FT outperforms
frontier on narrow tasks (legal, medical, code). (3) Latency-driven: smaller FT model is
faster than frontier - wins for voice/realtime." (the calculator page, seed 000)

:func:`break_even` decides which applies to the focus strategy (the recommended one, or the
best feasible alternative when staying is recommended), in this order:

1. **latency-driven** when the study's p99 constraint decides the answer: without it the
   recommendation would differ (e.g. the frontier baseline cannot meet it, and only a
   small model on GPUs of its own can);
2. otherwise, when the focus strategy breaks even (E[NPV] > 0), from the decomposition at
   the inputs' medians (:mod:`sim.runner.decomposition`): the NPV the quality difference
   brings (``Q``: its step) against the rest (``R``: token, serving and project costs, with
   growth, retraining, falling prices and MLOps). **Quality-driven** when the priced lift
   carries it, ``Q > 0`` and ``Q >= R`` (at least half the NPV, or all of it when the costs
   alone lose); **volume-driven** otherwise;
3. no mode (None) when it does not break even and no latency constraint forces it.

Examples
--------
>>> from sim import load_study, run  # doctest: +SKIP
>>> b = break_even(run(load_study("studies/icd10_coding.toml")).summary)  # doctest: +SKIP
>>> b.mode  # doctest: +SKIP
'quality'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from sim.display import money
from sim.runner.constraints import exclusions
from sim.runner.decomposition import Decomposition, explain
from sim.runner.summary import StrategySummary, Summary, recommend

__all__ = ["MODES", "BreakEven", "break_even"]

Mode = Literal["volume", "quality", "latency"]
#: The modes, in the page's order, with how the answer names them.
MODES: dict[str, str] = {"volume": "volume-driven", "quality": "quality-driven",
                         "latency": "latency-driven"}


@dataclass(frozen=True)
class BreakEven:
    """Which break-even mode carries the answer, and the figures behind it.

    Attributes
    ----------
    strategy : str or None
        The focus strategy (None when the study has no alternative to the baseline).
    mode : {"volume", "quality", "latency"} or None
        The mode; None when the focus strategy does not break even and no latency
        constraint forces it.
    sentence : str
        The answer's sentence about it.
    npv : float or None
        The focus strategy's NPV at the inputs' medians (the decomposition's last row).
    npv_quality : float or None
        The NPV the quality difference brings there (``Q``).
    npv_rest : float or None
        The rest: token, serving and project costs with their effects (``R = npv - Q``).
    latency_decides : bool
        Whether the p99 constraint decides the answer.
    pick_without_latency : str or None
        The recommendation with the p99 constraint left out (when the study has one).
    """

    strategy: str | None
    mode: Mode | None
    sentence: str
    npv: float | None = None
    npv_quality: float | None = None
    npv_rest: float | None = None
    latency_decides: bool = False
    pick_without_latency: str | None = None

    def to_json(self) -> dict[str, Any]:
        """summary.json's ``break_even`` entry."""
        return dataclasses.asdict(self)


def _focus(summary: Summary) -> StrategySummary | None:
    rec = summary.recommended
    if rec is not None and not summary.strategies[rec].is_baseline:
        return summary.strategies[rec]
    others = [s for s in summary.strategies.values() if not s.is_baseline]
    feasible = [s for s in others if s.feasible] or others
    return max(feasible, key=lambda s: s.npv_mean) if feasible else None


def _without_latency(summary: Summary) -> tuple[str | None, bool]:
    """The pick with the p99 card left out, and whether the baseline fails the p99."""
    study = summary.study
    out = {}
    base_fails = False
    for name, s in summary.strategies.items():
        why = exclusions(study, name)
        rest = "; ".join(r for k, r in why if k != "p99_latency_ms") or None
        out[name] = dataclasses.replace(s, infeasible_reason=rest)
        if name == study.baseline:
            base_fails = any(k == "p99_latency_ms" for k, _ in why)
    return recommend(study, out), base_fails


def _split(decomposition: Decomposition, name: str) -> tuple[float, float, float] | None:
    rows = decomposition.of(name)
    if not rows or rows[-1].npv is None:
        return None
    total = float(rows[-1].npv)
    q = next((float(r.npv_change) for r in rows
              if r.effect == "quality" and r.npv_change is not None), 0.0)
    return total, q, total - q


def break_even(summary: Summary, decomposition: Decomposition | None = None) -> BreakEven:
    """The break-even mode of the answer's focus strategy (see the module docstring).

    Parameters
    ----------
    summary : Summary
        A run's summary.
    decomposition : Decomposition, optional
        Default: the summary's own, else :func:`sim.runner.decomposition.explain`.
    """
    study = summary.study
    focus = _focus(summary)
    if focus is None:
        return BreakEven(None, None, "No break-even mode: the study has no alternative to "
                         "its baseline.")
    name = focus.name
    d = decomposition or summary.decomposition or explain(study)
    split = _split(d, name)
    npv, q, rest = split if split is not None else (None, None, None)
    base = BreakEven(name, None, "", npv, q, rest)
    limit = study.constraints.p99_latency_ms
    if limit is not None:
        pick, base_fails = _without_latency(summary)
        base = dataclasses.replace(base, pick_without_latency=pick)
        if summary.recommended is not None and pick != summary.recommended and focus.feasible:
            why = (f"{study.baseline} cannot meet it, and without it the pick would be "
                   f"{pick or 'none'}" if base_fails else
                   f"without it the pick would be {pick or 'none'}")
            return dataclasses.replace(base, mode="latency", latency_decides=True, sentence=(
                f"Break-even mode: latency-driven (the page's third mode): the p99 ≤ "
                f"{limit:g} ms constraint decides it ({why}); {name} meets it."))
    if focus.npv_mean <= 0 or npv is None or q is None or rest is None:
        forced = ("; the constraints choose it, not its economics"
                  if summary.recommended == name else "")
        parts = ("" if q is None or rest is None else
                 f"; at the medians the quality difference is worth {_signed(q)} and the "
                 f"rest (tokens, serving, project, MLOps, retraining) {_signed(rest)}")
        return dataclasses.replace(base, sentence=(
            f"No break-even mode: {name} does not break even (E[NPV] "
            f"{money(focus.npv_mean, compact=True)} over {study.horizon_months} months"
            f"{parts}){forced}."))
    if q > 0 and q >= rest:
        return dataclasses.replace(base, mode="quality", sentence=(
            f"Break-even mode: quality-driven (the page's second mode): the priced accuracy "
            f"lift carries {name}: at the medians fewer reviews and errors are worth "
            f"{_signed(q)} and the rest (tokens, serving, project, MLOps, retraining) "
            f"{_signed(rest)}: {money(npv, compact=True)} NPV."))
    lift = (f", the quality difference {_signed(q)}" if q else "")
    return dataclasses.replace(base, mode="volume", sentence=(
        f"Break-even mode: volume-driven (the page's first mode): {name}'s saving comes from "
        f"token and serving costs at this volume (at the medians everything but quality is "
        f"worth {_signed(rest)}{lift}: {money(npv, compact=True)} NPV)."))


def _signed(x: float) -> str:
    """An NPV contribution with its sign: ``+$43,210``, ``-$81,263``."""
    return f"{'+' if x >= 0 else '-'}{money(abs(x), compact=True)}"
