"""Shared formatting for the terminal and the reports: money, numbers, probabilities with
their standard error, and text tables. One implementation each, used everywhere."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence


def money(x: float | None, *, compact: bool = False) -> str:
    """Dollars, rounded to the dollar: ``$1,234,567``; with ``compact`` amounts of a
    million or more read ``$1.23M``. '–' for None, NaN or infinity; never ``-$0``.

    Examples
    --------
    >>> money(12345.6), money(-4_200_000.0), money(-4_200_000.0, compact=True), money(-0.4)
    ('$12,346', '-$4,200,000', '-$4.20M', '$0')
    >>> money(None), money(float("nan"))
    ('–', '–')
    """
    if x is None or not math.isfinite(x):
        return "–"
    sign = "-" if x < -0.5 else ""  # -0.5 rounds (half to even) to $0
    x = abs(x)
    if compact and x >= 1e6:
        return f"{sign}${x / 1e6:,.2f}M"
    return f"{sign}${x:,.0f}"


def money_short(x: float) -> str:
    """Dollars for a sentence, to two or three significant figures: ``$950``, ``$4.7K``,
    ``$412K``, ``$1.23M``; never ``-$0``.

    Examples
    --------
    >>> money_short(4729.0), money_short(-412_345.0), money_short(1_234_567.0)
    ('$4.7K', '-$412K', '$1.23M')
    >>> money_short(949.6), money_short(9_960.0), money_short(999_700.0), money_short(-0.2)
    ('$950', '$10K', '$1.00M', '$0')
    """
    if not math.isfinite(x):
        return "–"
    sign = "-" if x < -0.5 else ""  # -0.5 rounds (half to even) to $0
    a = abs(x)
    if a < 999.5:
        return f"{sign}${a:,.0f}"
    for scale, unit in ((1e3, "K"), (1e6, "M"), (1e9, "B")):
        v = a / scale
        if unit == "K":
            digits = 1 if v < 9.95 else 0
        else:
            digits = 2 if v < 9.995 else (1 if v < 99.95 else 0)
        text = f"{v:,.{digits}f}"
        if v < 999.5 or unit == "B":
            return f"{sign}${text}{unit}"
    raise AssertionError("unreachable")


def number(x: float, digits: int = 4) -> str:
    """A value compactly (``digits`` significant digits, thousands separated).

    Examples
    --------
    >>> number(25080.7), number(0.266), number(1.5e7), number(-0.00281552, 3)
    ('25,081', '0.266', '1.5e+07', '-0.00282')
    """
    if not math.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-3):
        return f"{x:.3g}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


#: Probabilities beyond these are written as bounds ("< 0.001", "> 0.999"): a Monte Carlo
#: estimate of exactly 0 or 1 says only that the event was never (or always) drawn.
P_LOW, P_HIGH = 0.001, 0.999


def probability(p: float, se: float | None) -> str:
    """A probability with its standard error, to the precision the error allows; near 0 or
    1 a bound (``< 0.001``, ``> 0.999``), never ``1.00 ± 0``; "–" for an undefined error
    (a single sample).

    Examples
    --------
    >>> probability(0.6312, 0.0034), probability(0.54, 0.0005), probability(1.0, 0.0)
    ('0.631 ± 0.003', '0.5400 ± 0.0005', '> 0.999')
    >>> probability(0.0, 0.0), probability(0.0004, 0.0002), probability(0.5, None)
    ('< 0.001', '< 0.001', '0.50 ± –')
    """
    bound = _bound(p)
    if bound is not None:
        return bound
    if se is None:
        return f"{p:.2f} ± –"
    if se <= 0:
        return prob(p)
    digits = max(2, -math.floor(math.log10(se)))
    if round(se, digits) == 0:
        digits += 1
    return f"{p:.{digits}f} ± {se:.{digits}f}"


def money_se(se: float | None) -> str:
    """A dollar standard error without its $ (``1,713``); '–' when undefined (one sample).

    Examples
    --------
    >>> money_se(1713.4), money_se(None)
    ('1,713', '–')
    """
    return "–" if se is None else f"{se:,.0f}"


def _bound(p: float) -> str | None:
    if p < P_LOW:
        return f"< {P_LOW:g}"
    if p > P_HIGH:
        return f"> {P_HIGH:g}"
    return None


def prob(p: float | None) -> str:
    """A probability to three decimals, or a bound near 0 or 1; '–' for None.

    Examples
    --------
    >>> prob(0.5904), prob(1.0), prob(0.0), prob(0.001), prob(None)
    ('0.590', '> 0.999', '< 0.001', '0.001', '–')
    """
    if p is None or not math.isfinite(p):
        return "–"
    return _bound(p) or f"{p:.3f}"


def percent(p: float) -> str:
    """A probability as a share of futures for sentences: whole percents, one decimal below
    1% and above 99%, bounds beyond 0.1% and 99.9%.

    Examples
    --------
    >>> percent(0.5904), percent(0.004), percent(0.9951), percent(1.0), percent(0.0)
    ('59%', '0.4%', '99.5%', '> 99.9%', '< 0.1%')
    """
    if p < P_LOW:
        return "< 0.1%"
    if p > P_HIGH:
        return "> 99.9%"
    if p < 0.01 or p > 0.99:
        return f"{p:.1%}"
    return f"{p:.0%}"


def plus_minus(x: float, se: float) -> str:
    """A value and its standard error, both to the precision the error allows (one
    significant digit of the error, two when it starts with 1).

    Examples
    --------
    >>> plus_minus(61.234, 2.1), plus_minus(7567.18, 44.35), plus_minus(9.0, 0.0115)
    ('61 ± 2', '7,570 ± 40', '9.000 ± 0.011')
    >>> plus_minus(12.5, 0.0)
    '12.5 ± 0'
    """
    if not (math.isfinite(se) and se > 0):
        return f"{number(x)} ± {'0' if se == 0 else '–'}"
    power = math.floor(math.log10(se))
    digits = -power + (1 if se / 10.0**power < 2 else 0)
    if digits <= 0:
        step = 10.0 ** (-digits)
        return f"{round(x / step) * step:,.0f} ± {round(se / step) * step:,.0f}"
    return f"{x:,.{digits}f} ± {se:.{digits}f}"


def share(x: float, sign: str = "") -> str:
    """An index, share or correlation to three decimals, never ``-0.000`` (``sign="+"``
    shows the sign of a correlation).

    Examples
    --------
    >>> share(-0.0002), share(0.1234), share(-0.0004, "+"), share(0.25, "+")
    ('0.000', '0.123', '0.000', '+0.250')
    """
    return "0.000" if abs(x) < 5e-4 else f"{x:{sign}.3f}"


def months(x: float | str | None) -> str | None:
    """A payback in months to 0.1 month, as the lesson rounds it (``"never"`` and None
    pass through): summary.json keeps the full figure, the terminal and report show this.

    Examples
    --------
    >>> months(2.857317), months(0.3951), months("never"), months(None)
    ('2.9', '0.4', 'never', None)
    """
    if x is None or isinstance(x, str):
        return x
    return f"{x:.1f}"


def median_payback(month: int | None, fractional: float | None, horizon: int) -> str:
    """The median payback: the whole month and, in brackets, the fractional one
    (interpolated inside the month); ``> H mo`` when it is beyond the horizon.

    Examples
    --------
    >>> median_payback(1, 0.3992, 36), median_payback(3, None, 36), median_payback(None, None, 36)
    ('1 mo (0.4)', '3 mo', '> 36 mo')
    """
    if month is None:
        return f"> {horizon} mo"
    frac = months(fractional)
    return f"{month} mo" if frac is None else f"{month} mo ({frac})"


def short(path: str) -> str:
    """A label for an input path: ``strategies.`` dropped.

    Examples
    --------
    >>> short("strategies.self_hosted_7b.gpu_hourly"), short("workload.requests_per_day")
    ('self_hosted_7b.gpu_hourly', 'workload.requests_per_day')
    """
    return path.removeprefix("strategies.")


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
               left: Sequence[int] = (0,)) -> str:
    """A plain-text table (rich's, without colour or borders); columns in ``left`` align
    left, the others right. Never wrapped or cut, whatever the terminal's width.

    Examples
    --------
    >>> print(text_table(["name", "n"], [["a", "1"], ["bb", "22"]]))
    name   n
    ────────
    a      1
    bb    22
    """
    # deferred: rich's console (~35 ms) only for the commands that print a table
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for i, h in enumerate(header):
        table.add_column(h, justify="left" if i in left else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    console = Console(file=io.StringIO(), width=100_000, color_system=None,
                      legacy_windows=False, force_terminal=False)
    console.print(table)
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in lines if line.strip())
