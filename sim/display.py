"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
               left: Sequence[int] = (0,)) -> str:
    """A fixed-width table; columns in ``left`` align left, the others right.

    Examples
    --------
    >>> print(text_table(["name", "n"], [["a", "1"], ["bb", "22"]]))
    name   n
    --------
    a      1
    bb    22
    """
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    head = line(header)
    return "\n".join([head, "-" * len(head), *(line(r) for r in rows)])
