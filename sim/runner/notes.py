"""What a run says beyond its figures: the constraint cards' effects and the break-even mode,
for ``ftrisk run``'s terminal output, summary.json and the report.

Examples
--------
>>> from sim import load_study, run  # doctest: +SKIP
>>> notes = run_notes(run(load_study("studies/voice_intent.toml")).summary)  # doctest: +SKIP
>>> notes.break_even.mode  # doctest: +SKIP
'latency'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.runner.break_even import BreakEven, break_even
from sim.runner.constraints import CardEffect, card_effects, cards_json, exclusions
from sim.runner.summary import Summary
from sim.study.cards import CARDS_BY_KEY

__all__ = ["RunNotes", "run_notes"]


@dataclass(frozen=True)
class RunNotes:
    """The cards' effects and the break-even mode of a run."""

    summary: Summary
    effects: tuple[CardEffect, ...]
    break_even: BreakEven

    def cards(self) -> dict[str, Any]:
        """The cards as data (:func:`sim.runner.constraints.cards_json`)."""
        return cards_json(self.summary.study, list(self.effects))

    def update(self, doc: dict[str, Any]) -> None:
        """Add to a summary.json document (in place): top-level ``constraint_cards``,
        ``break_even_mode`` and ``break_even``; per strategy ``constraint_cards`` with
        ``excluded_by``, ``added_by`` and the effects."""
        cards = self.cards()
        doc["constraint_cards"] = cards["cards"]
        doc["break_even_mode"] = self.break_even.mode
        doc["break_even"] = self.break_even.to_json()
        for name, entry in cards["strategies"].items():
            if isinstance(doc.get(name), dict):
                doc[name]["constraint_cards"] = entry

    def lines(self) -> list[str]:
        """The terminal's lines: each card that is on and what it did, then the mode."""
        study = self.summary.study
        out = []
        for key in study.constraints.cards_on():
            card = CARDS_BY_KEY[key]
            value = getattr(study.constraints, key)
            shown = str(value).lower() if isinstance(value, bool) else f"{value:g}"
            mine = [e for e in self.effects if e.card == key]
            excluded = [e.strategy for e in mine if e.effect == "excluded"]
            added = sorted({e.strategy for e in mine if e.effect == "added"})
            did = []
            if excluded:
                did.append(f"excluded {', '.join(excluded)}")
            if added:
                work = next(e.text for e in mine if e.effect == "added")
                did.append(f"added to {', '.join(added)} ({work.split(':')[0]})")
            if not did:
                did.append("changed nothing here")
            out.append(f"  {card.title} ({key} = {shown}): {'; '.join(did)}")
        head = ["Constraint cards:"] if out else []
        return [*head, *out, self.break_even.sentence]


def run_notes(summary: Summary) -> RunNotes:
    """The constraint cards' effects and the break-even mode of a run's summary."""
    study = summary.study
    excluded = {n: exclusions(study, n) for n in study.compared()}
    effects = card_effects(study, excluded)
    return RunNotes(summary, tuple(effects), break_even(summary))
