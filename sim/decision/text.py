"""Plain-text formatting of decision results for the terminal (the CLI prints them)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def money(x: float) -> str:
    """Dollars, rounded: ``$12,300``, ``-$4.20M``.

    Examples
    --------
    >>> money(12345.6), money(-4_200_000.0), money(0.4)
    ('$12,346', '-$4.20M', '$0')
    """
    if not math.isfinite(x):
        return "–"
    sign = "-" if x < -0.5 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}${x / 1e6:,.2f}M"
    return f"{sign}${x:,.0f}"


def number(x: float) -> str:
    """A value compactly (4 significant digits, thousands separated).

    Examples
    --------
    >>> number(25080.7), number(0.266), number(1.5e7)
    ('25,081', '0.266', '1.5e+07')
    """
    if not math.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-3):
        return f"{x:.3g}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns aligned: the first to the left, the others to the right.

    Examples
    --------
    >>> print(text_table(["input", "swing"], [["a", "1"], ["bb", "22"]]))
    input  swing
    ------------
    a          1
    bb        22
    """
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    head = line(header)
    return "\n".join([head, "-" * len(head), *(line(r) for r in rows)])
