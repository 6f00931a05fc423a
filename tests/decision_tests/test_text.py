"""Terminal formatting of decision results: money, numbers, aligned tables."""

from __future__ import annotations

import math

import pytest

from sim.display import money, money_short, number, text_table


@pytest.mark.parametrize(("x", "text"), [
    (12345.6, "$12,346"),
    (0.4, "$0"),
    (-0.4, "$0"),            # rounds to zero: no minus sign
    (-0.5, "$0"),
    (-0.6, "-$1"),
    (999_999.4, "$999,999"),
    (1e6, "$1.00M"),
    (-4_200_000.0, "-$4.20M"),
    (-1_234_567.0, "-$1.23M"),
    (math.nan, "–"),
    (math.inf, "–"),
    (-math.inf, "–"),
])
def test_money(x, text):
    assert money(x, compact=True) == text
    if abs(x) < 1e6:
        assert money(x) == text


@pytest.mark.parametrize(("x", "text"), [
    (0.0, "0"),
    (0.266, "0.266"),
    (0.12345, "0.1235"),     # 4 significant digits
    (1e-3, "0.001"),
    (9.99e-4, "0.000999"),   # below 1e-3: scientific-style 3 digits
    (-2e-4, "-0.0002"),
    (999.95, "1000"),
    (1000.0, "1,000"),
    (-1500.0, "-1,500"),
    (25080.7, "25,081"),
    (9_999_999.0, "9,999,999"),
    (1e7, "1e+07"),
    (-1.5e7, "-1.5e+07"),
    (math.nan, "–"),
])
def test_number(x, text):
    assert number(x) == text


def test_text_table_aligns_first_column_left_others_right():
    out = text_table(["input", "swing", "x"], [["a", "1", "333"], ["bbbbbbb", "22", "4"]])
    assert out == ("input    swing    x\n"
                   "───────────────────\n"
                   "a            1  333\n"
                   "bbbbbbb     22    4")
    assert text_table(["h"], []) == "h\n─"


@pytest.mark.parametrize(("x", "text"), [
    (-0.5, "$0"), (-0.4, "$0"), (-0.6, "-$1"), (0.5, "$0"), (-1.5, "-$2"), (-999.4, "-$999"),
    (-4729.0, "-$4.7K"),
])
def test_money_short_never_reads_minus_zero(x, text):
    # f"{0.5:.0f}" is "0" (half to even): -0.5 must not read "-$0"
    assert money_short(x) == text
