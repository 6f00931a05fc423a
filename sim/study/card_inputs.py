"""The work the constraint cards add to a study (:mod:`sim.study.cards`, ``adds`` cards).

A card switched on (``eval_harness = false``, ``data_provenance_documented = false``) adds
its hours to the project of every fine-tuned strategy but the baseline (which runs today,
with no project): one input, ``constraints.<hours key>``, drawn once per sample, so every
strategy pays the same draw (the same harness, the same documentation work, whichever is
chosen), at the strategy's own hourly rate. The hours are one-off: a retraining reuses the
harness and the documentation (its redone share of the engineering leaves them out). A
strategy whose ``engineering_phases`` already has the work (``evaluation_framework`` for the
harness) gets nothing added, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from distributions import Distribution
from sim.study.cards import CARDS, CardAddition
from sim.study.errors import StudyError
from sim.study.schema import Field
from sim.study.strategy import read_input
from sim.study.types import Constraints, Input, Strategy

__all__ = ["ALREADY_IN_PHASES", "card_inputs"]

#: An engineering phase that already holds a card's work (the strategy states it).
ALREADY_IN_PHASES = {"eval_harness": "evaluation_framework"}


def _hours(dist: Distribution) -> str:
    """``8-16 h (uniform, median 12)`` or ``10 h``.

    Examples
    --------
    >>> from distributions import Fixed, Uniform
    >>> _hours(Uniform(8.0, 16.0)), _hours(Fixed(10.0))
    ('8-16 h (uniform, median 12)', '10 h')
    """
    if dist.is_fixed:
        return f"{dist.median:g} h"
    lo, hi = dist.draw_range
    return f"{lo:.3g}-{hi:.3g} h ({dist.family}, median {dist.median:.3g})"


def card_inputs(file: str, doc: Mapping[str, Any], constraints: Constraints,
                strategies: Mapping[str, Strategy], fields: Mapping[str, Field]
                ) -> tuple[dict[str, Input], tuple[CardAddition, ...]]:
    """The inputs of the cards that are on and add work, and what each added to which
    strategy.

    Parameters
    ----------
    file : str
        The study file (for errors).
    doc : mapping
        The ``[constraints]`` table as written.
    constraints : Constraints
        The validated constraints.
    strategies : mapping
        The validated strategies.
    fields : mapping
        The hours inputs' schema (``CARD_INPUTS`` of the loader).

    Returns
    -------
    (dict, tuple)
        The inputs by path (``constraints.eval_harness_hours``), and one
        :class:`CardAddition` per card and fine-tuned strategy.
    """
    inputs: dict[str, Input] = {}
    additions: list[CardAddition] = []
    for card in CARDS:
        if card.hours_key is None or not card.is_on(getattr(constraints, card.key)):
            continue
        path = f"constraints.{card.hours_key}"
        spec = fields[card.hours_key]
        given = card.hours_key in doc
        targets = []
        for name, s in strategies.items():
            if not s.kind_spec.trains or s.is_baseline:
                continue
            phase = ALREADY_IN_PHASES.get(card.key)
            if phase is not None and f"engineering_phases.{phase}" in s.inputs:
                additions.append(CardAddition(card.key, name, None, (
                    f"nothing added: its engineering_phases.{phase} already has the work")))
                continue
            targets.append(name)
        if not targets:
            continue
        value = doc[card.hours_key] if given else card.hours_default
        inp = read_input(file, path, value, spec)
        note = (f"constraint card {card.key} = {card.on_when}: {card.does}; added to "
                f"{', '.join(targets)}" + ("" if given else f"; default: {card.hours_source}"))
        inputs[path] = Input(path, inp.dist, not given, spec.text, note, unit=spec.unit,
                             fit=inp.fit)
        for name in targets:
            additions.append(CardAddition(card.key, name, path,
                                          f"{card.work}: {_hours(inp.dist)} added to its project"))
    for card in CARDS:  # hours given for a card that is off: say so, never ignore silently
        if card.hours_key in doc and card.hours_key is not None and \
                f"constraints.{card.hours_key}" not in inputs and not card.is_on(
                    getattr(constraints, card.key)):
            raise StudyError(file, f"constraints.{card.hours_key}", (
                f"only used when {card.key} = {card.on_when}; set it, or remove "
                f"{card.hours_key}"))
    return inputs, tuple(additions)
