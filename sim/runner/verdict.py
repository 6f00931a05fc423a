"""A run's answer: in figures (:func:`answer_sentence`, with standard errors and ids) and in
plain words (:func:`verdict`, for the top of the report and the last line of ``ftrisk run``).

It names strategies by their display names and always agrees with the recommendation and
the study's constraints: it starts with what to do ("Stay on the Frontier API.", "Move to
Self-hosted 7B."), then gives the figures that carry it (the chance of paying back within
the headline months and the expected NPV over the horizon) and, when the recommendation
is forced by a constraint, says which. An optional ``reason`` (the effects that cost the
strategy most, e.g. "retraining and falling prices") ends the sentence about a strategy
that loses money; :func:`sim.runner.summary.summarize` takes a callable that supplies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sim.display import money, money_short, percent, probability
from sim.study import Study
from sim.study.types import CRITERION_LABELS

#: Below this chance of paying back, "pays back ... but loses" reads "and loses".
_BUT = 0.2
#: Below this chance, a strategy that gains on average pays back "in only" so many futures.
_ONLY = 0.45


class StrategyFigures(Protocol):
    """What the verdict reads of a strategy's summary (a
    :class:`~sim.runner.summary.StrategySummary`)."""

    @property
    def name(self) -> str:
        """The strategy's id."""

    @property
    def is_baseline(self) -> bool:
        """True for the study's baseline."""

    @property
    def npv_mean(self) -> float:
        """E[NPV] against the baseline."""

    @property
    def cvar5(self) -> float:
        """Mean NPV of the worst 5% of samples."""

    @property
    def npv_mean_se(self) -> float:
        """The Monte Carlo standard error of E[NPV]."""

    @property
    def infeasible_reason(self) -> str | None:
        """Why it breaks the constraints (None when it meets them)."""

    @property
    def feasible(self) -> bool:
        """True when it meets every constraint."""

    def p_payback_within(self, months: int) -> float:
        """P(payback <= months)."""

    def se(self, p: float) -> float:
        """The Monte Carlo standard error of a probability."""


def _the(label: str) -> str:
    """``the Frontier API``: an API takes "the"; a name such as "Self-hosted 7B" does not.

    Examples
    --------
    >>> _the("Frontier API"), _the("Hosted fine-tuning"), _the("the API we use")
    ('the Frontier API', 'Hosted fine-tuning', 'the API we use')
    """
    if label.lower().startswith("the ") or not label.endswith("API"):
        return label
    return f"the {label}"


#: Last words of a reason that take a plural verb ("falling prices eat the saving").
_PLURAL = ("prices", "months", "costs")


def _eat(reason: str) -> str:
    """``": retraining and falling prices eat the saving"``; one singular effect "eats".

    Examples
    --------
    >>> _eat("MLOps and falling prices")
    ': MLOps and falling prices eat the saving'
    >>> _eat("MLOps"), _eat("falling prices"), _eat("")
    (': MLOps eats the saving', ': falling prices eat the saving', '')
    """
    if not reason:
        return ""
    verb = "eat" if " and " in reason or reason.endswith(_PLURAL) else "eats"
    return f": {reason} {verb} the saving"


def _ruled_out(study: Study, s: Mapping[str, StrategyFigures], skip: str | None = None) -> str:
    out = [f"{_the(study.strategies[x.name].label)} ({x.infeasible_reason})"
           for x in s.values() if not x.feasible and x.name != skip]
    return f" Ruled out by the study's constraints: {'; '.join(out)}." if out else ""


def _loses(study: Study, x: StrategyFigures, reason: str, subject: str = "") -> str:
    """``"X pays back within 12 months in 59% of futures, but loses $4.7K on average over
    36 months: ..."`` (``subject`` replaces the strategy's name)."""
    n, h = study.primary_months, study.horizon_months
    p = x.p_payback_within(n)
    joint = ", but" if p >= _BUT else " and"
    who = subject or study.strategies[x.name].label
    return (f"{who} pays back within {n} months in {percent(p)} of futures{joint} loses "
            f"{money_short(-x.npv_mean)} on average over {h} months{_eat(reason)}.")


def _stay(study: Study, s: Mapping[str, StrategyFigures], reason: str) -> str:
    base = study.strategies[study.baseline].label
    n, h = study.primary_months, study.horizon_months
    others = [x for x in s.values() if not x.is_baseline]
    feasible = [x for x in others if x.feasible]
    head = f"Stay on {_the(base)}."
    if not feasible:
        return head + _ruled_out(study, s)
    x = max(feasible, key=lambda o: o.npv_mean)
    label = study.strategies[x.name].label
    p = x.p_payback_within(n)
    if x.npv_mean < 0:
        body = _loses(study, x, reason)
    elif study.criterion == "payback":
        body = (f"{label} gains {money_short(x.npv_mean)} on average over {h} months, but "
                f"pays back within {n} months in only {percent(p)} of futures (the study "
                "picks by the chance of paying back, and asks for at least 50%).")
    elif study.criterion == "cvar":
        body = (f"{label} gains {money_short(x.npv_mean)} on average over {h} months, but "
                f"loses {money_short(-x.cvar5)} on average in its worst 5% of futures (the "
                "study picks by the worst 5%).")
    else:
        body = f"{label} gains nothing on average over {h} months."
    return f"{head} {body}" + _ruled_out(study, s)


def _move(study: Study, s: Mapping[str, StrategyFigures], rec: str, reason: str) -> str:
    x = s[rec]
    label = study.strategies[rec].label
    base = s[study.baseline]
    base_label = _the(study.strategies[study.baseline].label)
    n, h = study.primary_months, study.horizon_months
    p = x.p_payback_within(n)
    head = f"Move to {label}."
    if not base.feasible:
        forced = (f" The study's constraints rule out {base_label} "
                  f"({base.infeasible_reason})")
        if x.npv_mean >= 0:
            return (f"{head}{forced}; against it, {label} gains "
                    f"{money_short(x.npv_mean)} on average over {h} months and pays back "
                    f"within {n} months in {percent(p)} of futures."
                    + _ruled_out(study, s, skip=study.baseline))
        return (f"{head}{forced}, and {label} costs {money_short(-x.npv_mean)} more than "
                f"{base_label} on average over {h} months (it pays back within {n} months in "
                f"{percent(p)} of futures): that is the price of meeting the constraints."
                + _ruled_out(study, s, skip=study.baseline))
    if x.npv_mean < 0:
        crit = ("the chance of paying back" if study.criterion == "payback"
                else "the worst 5% of futures")
        return (f"{head} The study picks by {crit}: "
                + _loses(study, x, reason, subject="it") + _ruled_out(study, s))
    if p >= 0.5:
        body = (f"It pays back within {n} months in {percent(p)} of futures and gains "
                f"{money_short(x.npv_mean)} on average over {h} months against "
                f"{base_label}.")
    else:
        only = "only " if p < _ONLY else ""
        body = (f"It gains {money_short(x.npv_mean)} on average over {h} months against "
                f"{base_label}, though it pays back within {n} months in {only}"
                f"{percent(p)} of futures.")
    return f"{head} {body}" + _ruled_out(study, s)


def verdict(study: Study, s: Mapping[str, StrategyFigures], recommended: str | None, *,
            reason: str = "", conflicts: Mapping[str, str] | None = None) -> str:
    """The answer in plain words, consistent with ``recommended`` and the constraints.

    Parameters
    ----------
    study : Study
        The study (display names, baseline, headline months, horizon, criterion).
    s : mapping of str to StrategySummary
        Each compared strategy's summary.
    recommended : str or None
        The recommended strategy (None: none meets the constraints).
    reason : str
        The effects that cost the strategy discussed the most ("retraining and falling
        prices"), ending a sentence about a strategy that loses money; "" for none.
    conflicts : mapping of str to str, optional
        Strategies whose stated p99 the serving model contradicts
        (:func:`sim.runner.constraints.latency_conflicts`): when the recommended one is
        among them, the verdict says to check its latency first.

    Examples
    --------
    The legal-contracts study reads like: "Stay on the Frontier API. Hosted fine-tuning
    pays back within 12 months in 26% of futures, but loses $4.7K on average over 36
    months."
    """
    if all(x.is_baseline for x in s.values()):
        return (f"Only the baseline ({study.strategies[study.baseline].label}) is in this "
                "study: add a strategy to compare with it.")
    if recommended is None:
        return ("No strategy meets the study's constraints; relax one or add a strategy "
                "that meets them." + _ruled_out(study, s))
    if s[recommended].is_baseline:
        return _stay(study, s, reason)
    text = _move(study, s, recommended, reason)
    why = (conflicts or {}).get(recommended)
    if why and study.constraints.p99_latency_ms is not None:
        text += (f" Check its latency first: the study states it meets the "
                 f"{study.constraints.p99_latency_ms:g} ms p99, but the serving model says "
                 f"{why}.")
    return text


def focus_of(study: Study, s: Mapping[str, StrategyFigures], recommended: str | None
             ) -> str | None:
    """The strategy the answer is about: the recommended one, or (when the baseline is
    recommended, or nothing is) the candidate with the best E[NPV], feasible ones first;
    None when the study has only its baseline."""
    if recommended is not None and not s[recommended].is_baseline:
        return recommended
    others = [x for x in s.values() if not x.is_baseline]
    if not others:
        return None
    feasible = [x for x in others if x.feasible] or others
    return max(feasible, key=lambda x: x.npv_mean).name


def answer_sentence(study: Study, s: Mapping[str, StrategyFigures],
                    recommended: str | None) -> str:
    """The study's question answered in one sentence.

    Examples
    --------
    The sentence reads like: "self_hosted_7b pays back within 12 months with probability
    0.63 ± 0.01 (E[NPV] $412,000 ± 3,100 over 36 months); recommended: self_hosted_7b
    (max E[NPV])."
    """
    n = study.primary_months
    horizon = study.horizon_months
    crit = CRITERION_LABELS[study.criterion].format(n=n)
    others = [x for x in s.values() if not x.is_baseline]
    if not others:
        return (f"Only the baseline ({study.baseline}) is in this study: add a strategy to "
                "compare with it.")
    focus = s[focus_of(study, s, recommended) or others[0].name]
    p = focus.p_payback_within(n)
    head = (f"{focus.name} pays back within {n} months with probability "
            f"{probability(p, focus.se(p))} (E[NPV] {money(focus.npv_mean, compact=True)} ± "
            f"{money(focus.npv_mean_se, compact=True).lstrip('$')} over {horizon} months)")
    if recommended is None:
        return f"{head}; no strategy meets the study's constraints."
    excluded = [x.name for x in s.values() if not x.feasible]
    if excluded:
        crit += (f" among the strategies meeting the constraints; excluded: "
                 f"{', '.join(excluded)}")
    if s[recommended].is_baseline:
        return f"{head}; recommended: stay on {recommended} ({crit})."
    return f"{head}; recommended: {recommended} ({crit})."
