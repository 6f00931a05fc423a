"""The calculator page's constraint cards: what each asks, and what it does to a study.

"Cost isn't the only dimension. Click any constraint — see how recommendations change."
(the calculator page, seed 000). Each card is a key of ``[constraints]``; when it is on it
either **excludes** strategies (they are still simulated and shown, marked infeasible with
the card's reason, never recommended) or **adds** work to them (hours added to each
fine-tuned strategy's project, an input with a stated default). The data model is what the
app shows as toggles: :data:`CARDS` in the page's order, each with its key, the question as
the page asks it, the page's own words, its effect and what it does when on.

Examples
--------
>>> [c.key for c in CARDS if c.effect == "adds"]
['eval_harness', 'data_provenance_documented']
>>> CARDS_BY_KEY["ml_sre_capacity"].is_on(False), CARDS_BY_KEY["ml_sre_capacity"].default
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CARDS", "CARDS_BY_KEY", "Card", "CardAddition"]

Effect = Literal["excludes", "adds"]


@dataclass(frozen=True)
class Card:
    """One constraint card of the page.

    Attributes
    ----------
    key : str
        Its ``[constraints]`` key.
    title : str
        Short name ("ML/SRE capacity").
    question : str
        The question as the page asks it (the app's toggle label).
    page : str
        The page's own words on the card (seed 000).
    effect : {"excludes", "adds"}
        What it does when on: exclude strategies, or add work to them.
    default : Any
        The key's value when the study leaves it out (the card off).
    on_when : str
        The value that switches it on, in words (``false``, ``true``, ``a number``).
    does : str
        What it does when on, in a sentence.
    hours_key : str or None
        For an ``adds`` card, the ``[constraints]`` input holding the hours it adds.
    hours_default : Any
        Their default value (a study value form).
    hours_source : str
        Where that default comes from.
    work : str
        The work it adds, as a phrase ("building an eval harness").
    """

    key: str
    title: str
    question: str
    page: str
    effect: Effect
    default: Any
    on_when: str
    does: str
    hours_key: str | None = None
    hours_default: Any = None
    hours_source: str = ""
    work: str = ""

    def is_on(self, value: Any) -> bool:
        """Whether ``value`` (the key's value in a study) switches the card on."""
        if self.key == "p99_latency_ms":
            return value is not None
        return bool(value) != bool(self.default)


@dataclass(frozen=True)
class CardAddition:
    """Work an ``adds`` card put into one strategy's project (or why it did not).

    Attributes
    ----------
    card : str
        The card's key.
    strategy : str
        The strategy.
    input : str or None
        The input path of the hours added (``constraints.eval_harness_hours``); None when
        nothing was added, e.g. its ``engineering_phases`` already has the work.
    text : str
        What was added, or why nothing was.
    """

    card: str
    strategy: str
    input: str | None
    text: str


CARDS: tuple[Card, ...] = (
    Card("ml_sre_capacity", "ML/SRE capacity",
         "Do you have the ML/SRE capacity to run models on your own GPUs?",
         "Hosted FT (OpenAI, Anthropic, Google) is operationally easy. Self-hosted FT is "
         "dramatically cheaper at scale - if you have ML/SRE capacity. Default to hosted; "
         "switch when scale demands.",
         "excludes", True, "false",
         "without that capacity every strategy serving on GPUs of its own (self-hosted) is "
         "excluded: default to hosted"),
    Card("eval_harness", "Eval harness",
         "Do you already have an eval harness for the fine-tuned model?",
         "Fine-tuned models hallucinate WITHIN their domain - confidently wrong on edge cases "
         "the training set didn't cover. Eval harness is non-negotiable for production FT.",
         "adds", True, "false",
         "without one, building it is added to each fine-tuned strategy's project (unless "
         "its engineering_phases already has evaluation_framework)",
         "eval_harness_hours", {"uniform": [8, 16]},
         "the lesson's evaluation-framework phase, 8-16 h (seed 001)",
         "building an eval harness"),
    Card("data_provenance_documented", "Data provenance and PII",
         "Is the training data's provenance documented, its PII scrubbed, the dataset "
         "reproducible?",
         "Where did training data come from? Is PII scrubbed? Can you reproduce the "
         "dataset? Compliance teams ask all of these. Document the answers.",
         "adds", True, "false",
         "if not, the work of documenting where the data came from, scrubbing PII and making "
         "the dataset reproducible is added to each fine-tuned strategy's project",
         "provenance_hours", {"uniform": [8, 16]},
         "an assumption (no seed gives a figure): a second pass like the lesson's data "
         "formatting and quality checks, 8-16 h (seed 001)",
         "documenting the data's provenance and scrubbing PII"),
    Card("vendor_no_train_terms", "Vendor no-train terms",
         "Must the vendor be barred from training on your data?",
         "Hosted FT default tier sometimes uses your training data for vendor improvements. "
         "Verify enterprise no-train language.",
         "excludes", False, "true",
         "a fine-tune trained at a vendor is excluded unless the strategy states "
         "no_train_terms = true (an enterprise tier whose terms bar training on your data)"),
    Card("p99_latency_ms", "Latency",
         "Is there a p99 latency the answer must meet (voice, autocomplete, search)?",
         "Latency win is often as valuable as cost win. Voice agents, autocomplete, search - "
         "sub-300ms requirements are met by small FT, not by frontier.",
         "excludes", None, "a number of milliseconds",
         "a strategy whose p99 latency (stated, or from the serving simulation) exceeds it "
         "is excluded"),
    Card("vendor_portability", "Vendor portability",
         "Must the model move to another vendor without retraining?",
         "FT on Vendor X ≠ usable on Vendor Y. Switching is full retraining. Plan for it. "
         "Self-hosted FT (Llama, Mistral) is more portable but adds ops burden.",
         "excludes", False, "true",
         "a model fine-tuned and hosted by a vendor is excluded"),
    Card("data_on_premises", "Data on premises",
         "Must request data stay on the company's premises?",
         "(not among the page's card texts: a common requirement, the request data may not "
         "leave the company)",
         "excludes", False, "true",
         "a strategy sending request data to a vendor (an API, a hosted fine-tune) is "
         "excluded"),
)
#: The cards by key.
CARDS_BY_KEY = {c.key: c for c in CARDS}
