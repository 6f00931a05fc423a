"""The report's notes on the constraint cards and the break-even mode (the calculator
page's "click any constraint" cards and its three break-even modes): small HTML pieces the
report places where it shows the study's constraints."""

from __future__ import annotations

import html

from sim.runner.notes import RunNotes
from sim.study.cards import CARDS

__all__ = ["break_even_html", "cards_html"]


def cards_html(notes: RunNotes) -> str:
    """The constraint cards: each card the study switches on with the page's question and
    what it excluded or added, strategy by strategy; the cards left off in one line.

    Examples
    --------
    >>> from sim import load_study, run  # doctest: +SKIP
    >>> from sim.runner.notes import run_notes  # doctest: +SKIP
    >>> "ML/SRE capacity" in cards_html(run_notes(run(load_study(  # doctest: +SKIP
    ...     "studies/lesson_parity.toml")).summary))
    True
    """
    study = notes.summary.study
    c = study.constraints
    on = c.cards_on()
    items = []
    for card in CARDS:
        if card.key not in on:
            continue
        value = getattr(c, card.key)
        shown = str(value).lower() if isinstance(value, bool) else f"{value:g}"
        did = [f"<li>{html.escape(study.strategies[e.strategy].label)} "
               f"(<code>{html.escape(e.strategy)}</code>): {e.effect} — {html.escape(e.text)}"
               "</li>" for e in notes.effects if e.card == card.key]
        body = "".join(did) or "<li>changed nothing in this study</li>"
        items.append(f"<li><b>{html.escape(card.title)}</b> — {html.escape(card.question)} "
                     f"<code>{card.key} = {html.escape(shown)}</code>: "
                     f"{html.escape(card.does)}.<ul>{body}</ul></li>")
    off = [card.title for card in CARDS if card.key not in on]
    rest = (f'<p class="muted">Cards left off: {html.escape(", ".join(off))} '
            "(<code>[constraints]</code> switches them on).</p>" if off else "")
    head = ('<p id="constraint-cards">The calculator page\'s constraint cards this study '
            "switches on (a card excludes strategies, or adds work to each fine-tuned "
            "strategy's project):</p>")
    return (head + f"<ul>{''.join(items)}</ul>" if items else "") + rest


def break_even_html(notes: RunNotes) -> str:
    """The break-even mode sentence, as a paragraph."""
    return f'<p class="muted">{html.escape(notes.break_even.sentence)}</p>'
