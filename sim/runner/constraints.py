"""Which strategies meet the study's constraints (docs/study-file.md, ``[constraints]``), and
what each constraint card did (:mod:`sim.study.cards`).

An infeasible strategy is still simulated and shown, marked with the reason, but it is never
recommended. A card that adds work changes no strategy's feasibility: its hours are in the
projects already (:mod:`sim.study.card_inputs`); :func:`card_effects` says where.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.serving.from_study import simulated_latency_reason
from sim.study import Study
from sim.study.cards import CARDS, CARDS_BY_KEY

__all__ = ["CardEffect", "card_effects", "cards_json", "exclusions", "feasibility",
           "latency_conflicts", "latency_warning"]


def _latency(study: Study, name: str) -> float | None:
    inp = study.strategies[name].inputs.get("p99_latency_ms")
    return None if inp is None else inp.dist.median


def _simulated(study: Study, name: str) -> bool:
    """A self-hosted strategy without a stated p99 has it checked by the serving model."""
    s = study.strategies[name]
    return s.kind_spec.gpu_serving and "p99_latency_ms" not in s.inputs


def _latency_reasons(study: Study, parts: list[str], limit: float) -> list[str]:
    reasons = []
    simulated = [p for p in parts if _simulated(study, p)]
    for p in simulated:
        why = simulated_latency_reason(study, p)
        if why:
            reasons.append(f"{why} (serving simulation)")
    parts = [p for p in parts if p not in simulated]
    latencies = [_latency(study, p) for p in parts]
    if not parts:
        return reasons
    if any(x is None for x in latencies):
        missing = [p for p, x in zip(parts, latencies, strict=True) if x is None]
        reasons.append(f"p99 latency unknown; give p99_latency_ms for {', '.join(missing)}")
    else:
        worst = max(x for x in latencies if x is not None)
        if worst > limit:
            reasons.append(f"p99 latency {worst:g} ms exceeds {limit:g} ms")
    return reasons


def exclusions(study: Study, name: str) -> list[tuple[str, str]]:
    """Why the constraints exclude a strategy: ``(card key, reason)`` pairs, in a fixed
    order (a routing strategy is judged by its parts); empty when it meets them all.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> exclusions(load_study("studies/document_classification.toml"), "gpt35")  # doctest: +SKIP
    [('data_on_premises', 'sends request data to a vendor (api)')]
    """
    c = study.constraints
    parts = list(study.strategies[name].parts)
    strategies = [study.strategies[p] for p in parts]
    kinds = [s.kind_spec for s in strategies]
    out: list[tuple[str, str]] = []
    if c.data_on_premises:
        away = sorted({k.name for k in kinds if not k.on_premises})
        if away:
            out.append(("data_on_premises", f"sends request data to a vendor ({', '.join(away)})"))
    if c.vendor_portability and any(not k.portable for k in kinds):
        out.append(("vendor_portability", "a vendor-hosted fine-tuned model cannot move to "
                    "another vendor without retraining"))
    if c.p99_latency_ms is not None:
        out += [("p99_latency_ms", r) for r in _latency_reasons(study, parts, c.p99_latency_ms)]
    if not c.ml_sre_capacity:
        own = sorted({k.name for k in kinds if k.gpu_serving})
        if own:
            out.append(("ml_sre_capacity", f"serves on GPUs of its own ({', '.join(own)}) and "
                        "the study has no ML/SRE capacity to run them: default to hosted"))
    if c.vendor_no_train_terms:
        bound = [s.name for s in strategies if s.kind_spec.trains_at_vendor
                 and not s.options.get("no_train_terms", False)]
        if bound:
            out.append(("vendor_no_train_terms", "trains at a vendor whose default tier may "
                        f"use the training data ({', '.join(bound)}); state no_train_terms = "
                        "true for an enterprise tier with no-train terms"))
    return out


def feasibility(study: Study) -> dict[str, str | None]:
    """For each strategy, None when it meets every constraint, else the reason it does not.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> feasibility(load_study("studies/document_classification.toml"))  # doctest: +SKIP
    {'gpt35': 'sends request data to a vendor (api)', 'self_hosted_7b': None}
    """
    return {name: "; ".join(r for _, r in exclusions(study, name)) or None
            for name in study.compared()}


@dataclass(frozen=True)
class CardEffect:
    """What one constraint card did to one strategy.

    Attributes
    ----------
    card : str
        The card's key.
    strategy : str
        The strategy.
    effect : {"excluded", "added", "nothing"}
        Excluded it, added work to its project, or neither (with the reason).
    text : str
        What, in words.
    """

    card: str
    strategy: str
    effect: str
    text: str


def card_effects(study: Study, excluded: Mapping[str, list[tuple[str, str]]] | None = None
                 ) -> list[CardEffect]:
    """Every effect of the cards the study switches on, per compared strategy.

    Parameters
    ----------
    study : Study
    excluded : mapping, optional
        :func:`exclusions` per strategy, when already computed (the latency card runs the
        serving simulation).
    """
    out: list[CardEffect] = []
    on = study.constraints.cards_on()
    for name in study.compared():
        why = excluded[name] if excluded is not None else exclusions(study, name)
        parts = study.strategies[name].parts
        for key, reason in why:
            out.append(CardEffect(key, name, "excluded", reason))
        for a in study.card_additions:
            if a.strategy in parts and a.card in on:
                out.append(CardEffect(a.card, name, "added" if a.input else "nothing",
                                      a.text if a.strategy == name else f"{a.strategy}: {a.text}"))
    return out


def cards_json(study: Study, effects: list[CardEffect]) -> dict[str, Any]:
    """summary.json's card entries: ``constraint_cards`` (every card: key, title, the
    page's question, its value in the study, on or off, its effect, what it does and, per
    strategy, what it excluded or added) and, per strategy, ``excluded_by`` / ``added_by``.

    Returns
    -------
    dict
        ``{"cards": [...], "strategies": {name: {"excluded_by": [...], "added_by": [...],
        "effects": [...]}}}``.
    """
    c = study.constraints
    cards = []
    for card in CARDS:
        value = getattr(c, card.key)
        mine = [e for e in effects if e.card == card.key]
        cards.append({"key": card.key, "title": card.title, "question": card.question,
                      "value": value, "on": card.is_on(value), "effect": card.effect,
                      "does": card.does,
                      "excluded": sorted({e.strategy for e in mine if e.effect == "excluded"}),
                      "added_to": sorted({e.strategy for e in mine if e.effect == "added"})})
    per: dict[str, dict[str, Any]] = {}
    for name in study.compared():
        mine = [e for e in effects if e.strategy == name]
        per[name] = {
            "excluded_by": list(dict.fromkeys(e.card for e in mine if e.effect == "excluded")),
            "added_by": list(dict.fromkeys(e.card for e in mine if e.effect == "added")),
            "effects": [{"card": e.card, "title": CARDS_BY_KEY[e.card].title,
                         "effect": e.effect, "text": e.text} for e in mine],
        }
    return {"cards": cards, "strategies": per}


def latency_conflicts(study: Study) -> dict[str, str]:
    """Strategies whose stated p99 meets the study's latency constraint while the serving
    model of their hardware says it cannot, with the model's reason.

    The study's figure is kept (it decides feasibility, as documented); the contradiction
    is said by :func:`latency_warnings`, in the verdict and by ``ftrisk serve``, so run and
    serve never disagree in silence.

    Examples
    --------
    >>> from sim import load_study  # doctest: +SKIP
    >>> latency_conflicts(load_study("studies/document_classification.toml"))  # doctest: +SKIP
    {'self_hosted_7b': 'p99 e2e latency cannot go below 3,163 ms on a10g-7b (50 ms required)'}
    """
    limit = study.constraints.p99_latency_ms
    if limit is None:
        return {}
    out = {}
    for name, s in study.strategies.items():
        stated = _latency(study, name)
        if not s.kind_spec.gpu_serving or stated is None or stated > limit:
            continue
        why = simulated_latency_reason(study, name)
        if why:
            out[name] = why
    return out


def latency_warning(study: Study, name: str, why: str) -> str:
    """The warning for one of :func:`latency_conflicts`."""
    s = study.strategies[name]
    stated = _latency(study, name)
    return (f"{s.label} ({name}) states p99_latency_ms = {stated:g}, within the "
            f"{study.constraints.p99_latency_ms:g} ms constraint, but the serving model of its "
            f"hardware disagrees: {why}. The study's figure decides feasibility here; check "
            f"it (ftrisk serve {study.file} --strategy {name}).")
