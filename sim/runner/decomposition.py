"""The spreadsheet figure explained: which effect the simulation adds moves the answer
(docs/model.md, "The spreadsheet figure explained").

For every non-baseline strategy, :func:`explain` lists

1. the **sheet** payback: the lesson's static formula at the inputs' medians (project cost
   / monthly saving, :func:`sim.runner.point.point_estimate`), kept for seed parity;
2. the **monthly model at the medians with none of the effects below**: no volume growth,
   the project paid in month 1, no retraining, prices that never fall, no MLOps, and the
   baseline's review and error costs (no quality difference): serving, storage, fixed
   costs and the project only;
3. the same model with the :data:`EFFECTS` added one at a time, in a fixed order (volume
   growth, build months, retraining, price declines, MLOps, quality), each row keeping the
   effects above it, so the last row is the full monthly model at the medians.

Each row gives the whole payback month, the fractional payback and the NPV (see
:mod:`sim.runner.payback`), and the NPV change the effect brings. Effects interact (a
retraining brings a hosted model's price step only when prices fall), so an effect's
change depends on the order: the order is fixed and stated, never chosen to flatter.

An effect is switched off by setting its inputs to their neutral values in the medians
(``build_months = 0``, ``annual_price_drop = 0``, ``mlops_fte = 0``, ...); an input the
study does not have is left alone.

Examples
--------
>>> from sim.study import load_study  # doctest: +SKIP
>>> d = explain(load_study("studies/legal_contracts.toml"))  # doctest: +SKIP
>>> d.table()  # doctest: +SKIP
>>> d.reason("hosted_ft")  # doctest: +SKIP
'retraining and falling prices'
"""

from __future__ import annotations

__all__ = ["EFFECTS", "Decomposition", "Effect", "Step", "explain"]

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sim.runner.model import evaluate
from sim.runner.point import median_values, point_estimate
from sim.study import Study

Values = dict[str, float]

#: The review and error inputs a quality difference is made of.
QUALITY_KEYS = ("review_rate", "cost_per_review", "error_rate", "cost_per_error")


@dataclass(frozen=True)
class Effect:
    """Something the monthly model adds to the spreadsheet, and how to switch it off.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"retraining"``.
    phrase : str
        How a sentence names it when it costs ("falling prices").
    neutral : dict
        Strategy keys and their neutral values (None: remove the key, e.g. no retraining).
    workload : dict
        Workload keys and their neutral values.
    """

    name: str
    phrase: str
    neutral: Mapping[str, float | None]
    workload: Mapping[str, float] = field(default_factory=dict)

    def switch_off(self, study: Study, values: Values) -> None:
        """Set this effect's inputs to their neutral values, in place."""
        for key, w in self.workload.items():
            if f"workload.{key}" in values:
                values[f"workload.{key}"] = w
        for name in study.strategies:
            for key, v in self.neutral.items():
                path = f"strategies.{name}.{key}"
                if path not in values:
                    continue
                if v is None:
                    del values[path]
                else:
                    values[path] = v


@dataclass(frozen=True)
class _QualityEffect(Effect):
    """The quality difference: every non-baseline strategy at the baseline's review and
    error rates and costs (``quality_lift = 0``)."""

    def switch_off(self, study: Study, values: Values) -> None:
        base = f"strategies.{study.baseline}."
        for name, s in study.strategies.items():
            if s.is_baseline:
                continue
            prefix = f"strategies.{name}."
            if prefix + "quality_lift" in values:
                values[prefix + "quality_lift"] = 0.0
            for key in QUALITY_KEYS:
                if prefix + key in values:
                    values[prefix + key] = values.get(base + key, 0.0)


#: The effects in the order they are added (each row keeps those above it).
EFFECTS: tuple[Effect, ...] = (
    Effect("volume growth", "volume growth", {}, {"monthly_growth": 0.0}),
    Effect("build months", "the build months", {"build_months": 0.0}),
    Effect("retraining", "retraining", {"retrain_every_months": None}),
    Effect("price declines", "falling prices",
           {"annual_price_drop": 0.0, "gpu_annual_price_drop": 0.0,
            "price_cuts_per_year": 0.0, "migration_cost": 0.0}),
    Effect("MLOps", "MLOps", {"mlops_fte": 0.0}),
    _QualityEffect("quality", "the quality difference", {}),
)


@dataclass(frozen=True)
class Step:
    """One row of a decomposition.

    Attributes
    ----------
    strategy : str
    step : int
        0: the sheet; 1: the monthly model without the effects; 2...: one more effect each.
    label : str
        What the row is ("sheet (lesson's formula)", "monthly model, no effects",
        "+ retraining", ...).
    effect : str or None
        The effect this row adds (None for the first two rows).
    payback_month : int or None
        Whole payback month; None when not within the horizon (or the sheet says never).
    payback_months : float or None
        Fractional payback (the sheet's payback for row 0).
    npv : float or None
        NPV over the horizon (None for the sheet, which has no NPV).
    npv_change : float or None
        NPV change this row's effect brings (None for the first two rows).
    """

    strategy: str
    step: int
    label: str
    effect: str | None
    payback_month: int | None
    payback_months: float | None
    npv: float | None
    npv_change: float | None


@dataclass(frozen=True)
class Decomposition:
    """The sheet payback and the monthly model with each effect added in turn.

    Build one with :func:`explain`.
    """

    study: Study
    steps: tuple[Step, ...]

    def table(self) -> pl.DataFrame:
        """One row per strategy and step (see :class:`Step`)."""
        schema = {"strategy": pl.String, "step": pl.Int64, "label": pl.String,
                  "effect": pl.String, "payback_month": pl.Int64,
                  "payback_months": pl.Float64, "npv": pl.Float64, "npv_change": pl.Float64}
        rows = [{k: getattr(s, k) for k in schema} for s in self.steps]
        return pl.DataFrame(rows, schema=schema)

    def strategies(self) -> list[str]:
        """The strategies explained, in the study's order."""
        return list(dict.fromkeys(s.strategy for s in self.steps))

    def of(self, strategy: str) -> list[Step]:
        """The rows of one strategy."""
        return [s for s in self.steps if s.strategy == strategy]

    def costliest(self, strategy: str, n: int = 2) -> list[Step]:
        """The (at most ``n``) effects that lower the NPV the most, costliest first; an
        effect that does not lower it is never named."""
        costs = [s for s in self.of(strategy) if s.npv_change is not None and s.npv_change < 0]
        return sorted(costs, key=lambda s: s.npv_change or 0.0)[:n]

    def reason(self, strategy: str) -> str:
        """The one or two effects that cost the most, as words for a sentence, e.g.
        ``"retraining and falling prices"``; ``""`` when no effect lowers the NPV.

        Examples
        --------
        >>> d.reason("hosted_ft")  # doctest: +SKIP
        'retraining and falling prices'
        """
        phrases = {e.name: e.phrase for e in EFFECTS}
        return " and ".join(phrases[s.effect] for s in self.costliest(strategy)
                            if s.effect is not None)

    def to_json(self) -> dict[str, Any]:
        """The ``decomposition`` block of summary.json: per strategy its rows and reason."""
        keys = ("step", "label", "effect", "payback_month", "payback_months", "npv",
                "npv_change")
        return {name: {"steps": [{k: getattr(s, k) for k in keys} for s in self.of(name)],
                       "reason": self.reason(name)}
                for name in self.strategies()}


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _monthly(study: Study, values: Values) -> dict[str, tuple[int | None, float | None, float]]:
    out = {}
    for name, o in evaluate(study, values, 1).items():
        if name == study.baseline:
            continue
        month = int(o.payback[0])
        out[name] = (month or None, _finite(float(o.payback_months[0])), float(o.npv[0]))
    return out


def explain(study: Study, values: Mapping[str, float] | None = None) -> Decomposition:
    """The sheet payback, then the monthly model with each effect added in turn.

    Parameters
    ----------
    study : Study
        The validated study.
    values : mapping, optional
        Input values to explain (default: every input's median).

    Returns
    -------
    Decomposition
        ``len(EFFECTS) + 2`` rows per non-baseline strategy.

    Examples
    --------
    >>> from sim.study import load_study  # doctest: +SKIP
    >>> explain(load_study("studies/lesson_parity.toml")).table()  # doctest: +SKIP
    """
    vals: Values = dict(values) if values is not None else dict(median_values(study))
    sheet = point_estimate(study, vals)
    names = [n for n in study.compared() if n != study.baseline]
    rows: dict[str, list[Step]] = {n: [] for n in names}
    for n in names:
        pb = sheet[n]["payback_months"]
        frac = None if isinstance(pb, str) or pb is None else float(pb)
        month = None if frac is None else max(1, math.ceil(frac))
        rows[n].append(Step(n, 0, "sheet (the lesson's formula)", None, month, frac, None,
                            None))
    switches: list[Callable[[Study, Values], None]] = [e.switch_off for e in EFFECTS]
    for k in range(len(EFFECTS) + 1):
        state = dict(vals)
        for off in switches[k:]:
            off(study, state)
        effect = EFFECTS[k - 1].name if k else None
        label = f"+ {effect}" if effect else "monthly model, none of the effects"
        for n, (month, frac, npv) in _monthly(study, state).items():
            prev = rows[n][-1].npv
            change = None if (k == 0 or prev is None) else npv - prev
            rows[n].append(Step(n, k + 1, label, effect, month, frac, npv, change))
    return Decomposition(study, tuple(s for n in names for s in rows[n]))
