"""The report's "What moves the spreadsheet's answer" section: the decomposition as a table.

One table per non-baseline strategy: the sheet payback, then the monthly model at the
medians with each effect added in turn (see :mod:`sim.runner.decomposition`).
"""

from __future__ import annotations

import html

from sim.display import money, months
from sim.report.page import table
from sim.runner.summary import Summary


def decomposition_section(summary: Summary) -> str:
    """HTML of the decomposition, or ``""`` when the run has none.

    Examples
    --------
    >>> decomposition_section(result.summary)  # doctest: +SKIP
    '<p>The spreadsheet payback, then ...'
    """
    d = summary.decomposition
    if d is None or not d.steps:
        return ""
    horizon = summary.study.horizon_months
    out = ["<p>The spreadsheet payback (the lesson's formula at the medians), then the "
           "monthly model at the same medians with each effect the simulation adds switched "
           "on in turn, in a fixed order; each row keeps the effects above it.</p>"]
    for name in d.strategies():
        rows = []
        for s in d.of(name):
            pb = (f"> {horizon} mo" if s.payback_months is None and s.step > 0 else
                  "never" if s.payback_months is None else f"{months(s.payback_months)} mo")
            change = "" if s.npv_change is None else money(s.npv_change)
            rows.append([s.label, pb, "–" if s.npv is None else money(s.npv), change])
        reason = d.reason(name)
        note = (f'<p class="muted">Costs the most: {html.escape(reason)}.</p>' if reason
                else "")
        out.append(f"<h3>{html.escape(summary.strategies[name].label or name)}</h3>"
                   + table(["step", "payback", "NPV", "NPV change"], rows, left=(0,)) + note)
    return "".join(out)
