"""The report's notes on the constraint cards and the break-even mode (the calculator
page's "click any constraint" cards and its three break-even modes): small HTML pieces the
report places where it shows the study's constraints."""

from __future__ import annotations

import html

from sim.runner.notes import RunNotes
from sim.study.cards import CARDS

__all__ = ["break_even_html", "cards_html"]


def cards_html(notes: RunNotes) -> str:
    """Every constraint card: the page's question, whether the study switches it on, and
    what it excluded or added, strategy by strategy.

    Examples
    --------
    >>> from sim import load_study, run  # doctest: +SKIP
    >>> from sim.runner.notes import run_notes  # doctest: +SKIP
    >>> "ML/SRE capacity" in cards_html(run_notes(run(load_study(  # doctest: +SKIP
    ...     "studies/lesson_parity.toml")).summary))
    True
    """
    c = notes.summary.study.constraints
    on = c.cards_on()
    items = []
    for card in CARDS:
        value = getattr(c, card.key)
        shown = ("not set" if value is None else str(value).lower()
                 if isinstance(value, bool) else f"{value:g}")
        head = (f"<b>{html.escape(card.title)}</b> — {html.escape(card.question)} "
                f"<code>{card.key} = {html.escape(shown)}</code>")
        if card.key not in on:
            items.append(f'<li class="muted">{head}: off.</li>')
            continue
        did = [f"<li>{html.escape(e.strategy)}: {e.effect} — {html.escape(e.text)}</li>"
               for e in notes.effects if e.card == card.key]
        body = "".join(did) or "<li>changed nothing in this study</li>"
        items.append(f"<li>{head}: <b>on</b>, {html.escape(card.does)}.<ul>{body}</ul></li>")
    return ("<h3>Constraint cards</h3><p>The calculator page's constraints: a card that is on "
            "excludes strategies (shown, never recommended) or adds work to each fine-tuned "
            f"strategy's project.</p><ul>{''.join(items)}</ul>")


def break_even_html(notes: RunNotes) -> str:
    """The break-even mode sentence, as a paragraph."""
    return f'<p class="muted">{html.escape(notes.break_even.sentence)}</p>'
