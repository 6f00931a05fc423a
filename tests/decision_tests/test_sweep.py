"""Break-even maps: crossings against a closed form, common random numbers, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.decision import parse_values, sweep


#: lesson_gpu (see conftest): P(payback <= 12) crosses `level` where the GPU price at which
#: month 12 breaks even, (0.165 V - 0.322 - 15096 / 12) / 1440, equals 1.5 + level.
def crossing(level: float) -> float:
    return ((1.5 + level) * 1440 + 0.322 + 15096 / 12) / 0.165


def test_crossings_match_the_closed_form(lesson_gpu):
    values = np.arange(24_000, 29_001, 500)
    sw = sweep(lesson_gpu, "workload.requests_per_day", values)
    for level in (0.5, 0.9):
        x = sw.crossing("self_hosted_7b", level)
        se = sw.crossings.filter(sw.crossings["level"] == level)["se"][0]
        assert abs(x - crossing(level)) < 4 * se, (level, x, crossing(level), se)
        assert se < 60
    p = sw.table("self_hosted_7b")["p_payback"].to_numpy()
    assert np.all(np.diff(p) >= 0)  # common random numbers: monotone, no noise wiggles
    assert sw.crossings["direction"].to_list() == ["up", "up"]


def test_results_do_not_depend_on_chunk_size(lesson_gpu):
    a = sweep(lesson_gpu, "workload.requests_per_day", [20_000, 26_000], samples=9000)
    b = sweep(lesson_gpu, "workload.requests_per_day", [26_000, 20_000], samples=9000,
              chunk_size=1)
    assert a.frame.equals(b.frame)


def test_log_interpolation_and_parse_values():
    assert parse_values("1000,2000,5000") == ([1000.0, 2000.0, 5000.0], "linear")
    values, scale = parse_values("100:10000:3")
    assert scale == "log" and values == pytest.approx([100, 1000, 10000])
    assert parse_values("-1:1:3") == ([-1.0, 0.0, 1.0], "linear")
    with pytest.raises(ValueError, match="is not a list of values"):
        parse_values("5:1:3")


def test_errors_name_the_input(lesson_gpu):
    with pytest.raises(ValueError, match=r"workload\.requests_per_dya: not an input of the "
                       r"study; did you mean 'workload\.requests_per_day'"):
        sweep(lesson_gpu, "workload.requests_per_dya", [1.0])
    with pytest.raises(ValueError, match=r"workload\.requests_per_day=-5: -5 is outside"):
        sweep(lesson_gpu, "workload.requests_per_day", [-5.0, 10.0])
    with pytest.raises(ValueError, match=r"instances=1\.5: 1\.5 must be a whole number"):
        sweep(lesson_gpu, "self_hosted_7b.instances", [1.5])
    with pytest.raises(ValueError, match=r"a log sweep needs values > 0"):
        sweep(lesson_gpu, "workload.monthly_growth", [0.0, 0.1], scale="log")


def test_parse_values_edges_and_exact_messages():
    assert parse_values("1:4:2") == ([1.0, 4.0], "log")  # two points are a range
    assert parse_values("0:1:5") == ([0.0, 0.25, 0.5, 0.75, 1.0], "linear")
    assert parse_values(" 1000, 2000 ,") == ([1000.0, 2000.0], "linear")
    bad = ("'{}' is not a list of values (e.g. 1000,2000,5000) or a range lo:hi:n with lo < hi "
           "and n >= 2 (e.g. 1000:100000:9)")
    for text in ("5:1:3", "4:4:3", "1:4:1", "1:2", "1:2:3:4", "a,b", "1:4:x"):
        with pytest.raises(ValueError, match="^" + re.escape(bad.format(text)) + "$"):
            parse_values(text)
    for text in ("", " , "):
        with pytest.raises(ValueError, match=r"^no values given; e\.g\. --values "
                                             r"1000,2000,5000$"):
            parse_values(text)
