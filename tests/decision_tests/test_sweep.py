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
        # the interval holds the swept values around the crossing and x +- 2 se
        lo, hi = sw.crossing_interval("self_hosted_7b", level)
        below, above = values[values < x].max(), values[values > x].min()
        assert lo == pytest.approx(min(below, x - 2 * se))
        assert hi == pytest.approx(max(above, x + 2 * se))
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


def test_crossing_interpolation_by_hand():
    from sim.decision.sweep import level_crossings as _crossings

    values = np.array([1.0, 2.0, 3.0])
    p = np.array([0.2, 0.6, 0.95])
    se = np.array([0.01, 0.02, 0.01])
    # 0.5 is 3/4 of the way from 0.2 to 0.6; the se is the weighted se over the slope 0.4
    ((x, e, d),) = _crossings(values, p, se, 0.5, False)
    assert (x, d) == (pytest.approx(1.75), "up")
    assert e == pytest.approx((0.25 * 0.01 + 0.75 * 0.02) / 0.4)
    ((x, e, d),) = _crossings(values, p, se, 0.9, False)
    w = 0.3 / 0.35
    assert x == pytest.approx(2 + w) and e == pytest.approx(((1 - w) * 0.02 + w * 0.01) / 0.35)
    # falling: 0.95 -> 0.2 crosses 0.5 at 3/5 of the way, slope -0.75
    ((x, e, d),) = _crossings(values[:2], np.array([0.95, 0.2]), se[:2], 0.5, False)
    assert (x, d) == (pytest.approx(1.6), "down")
    assert e == pytest.approx((0.4 * 0.01 + 0.6 * 0.02) / 0.75)
    # log scale: halfway between 1 and 100 in log space is 10; se scales with the value
    ((x, e, d),) = _crossings(np.array([1.0, 100.0]), np.array([0.0, 1.0]),
                              np.array([0.01, 0.03]), 0.5, True)
    assert x == pytest.approx(10.0)
    assert e == pytest.approx((0.5 * 0.01 + 0.5 * 0.03) * np.log(100.0) * 10.0)
    # touching the level counts once, where it is reached; never reaching it: none
    assert [c[0] for c in _crossings(values, np.array([0.2, 0.5, 0.7]), se, 0.5, False)] == [
        2.0]
    assert [c[2] for c in _crossings(values, np.array([0.7, 0.5, 0.2]), se, 0.5, False)] == [
        "down"]
    assert _crossings(values, np.array([0.6, 0.7, 0.8]), se, 0.5, False) == []


def test_sweep_of_a_price_with_exact_figures(hand):
    """cheap's NPV is 360 (10 - p) whatever else is drawn: at p = 4 it is 2,160 and pays back
    in month 1 on every sample; at p = 12 it is -720 and never pays back."""
    sw = sweep(hand, "strategies.cheap.input_price", [12.0, 4.0], strategies=["cheap"],
               samples=4096, months=12)
    rows = sw.table("cheap").sort("value").to_dicts()
    assert [r["value"] for r in rows] == [4.0, 12.0]
    assert [r["npv_mean"] for r in rows] == [pytest.approx(2160.0), pytest.approx(-720.0)]
    assert [r["p_payback"] for r in rows] == [1.0, 0.0]
    assert [r["p_payback_se"] for r in rows] == [0.0, 0.0]
    assert [r["p_npv_positive"] for r in rows] == [1.0, 0.0]
    assert [r["p_best"] for r in rows] == [1.0, 0.0]  # at 12, the frontier (NPV 0) is best
    assert all(r["npv_mean_se"] == pytest.approx(0.0, abs=1e-6) for r in rows)
    assert sw.crossing("cheap", 0.5) == pytest.approx(8.0)  # 1 -> 0 between 4 and 12
    assert sw.crossings["direction"].to_list() == ["down", "down"]
    assert sw.crossing("cheap", 0.7) is None
    assert (sw.param, sw.months, sw.scale, sw.samples) == (
        "strategies.cheap.input_price", 12, "linear", 4096)
    assert sw.table().height == 2
    log = sweep(hand, "strategies.cheap.input_price", [4.0, 12.0], strategies=["cheap"],
                samples=4096, scale="log")
    assert log.crossing("cheap", 0.5) == pytest.approx(np.sqrt(48.0))  # geometric midpoint


def test_sweep_argument_errors(lesson_gpu):
    param = "workload.requests_per_day"
    with pytest.raises(ValueError, match=r"^months=37 must lie in 1\.\.36 \(the horizon\)$"):
        sweep(lesson_gpu, param, [1.0], months=37)
    with pytest.raises(ValueError, match=r"^months=0 must lie in 1\.\.36"):
        sweep(lesson_gpu, param, [1.0], months=0)
    with pytest.raises(ValueError, match=r"^chunk_size=0 must be >= 1$"):
        sweep(lesson_gpu, param, [1.0], chunk_size=0)
    with pytest.raises(ValueError, match=r"^'cubic' is not a valid scale; it must be one of "
                                         r"\{'linear', 'log'\}$"):
        sweep(lesson_gpu, param, [1.0], scale="cubic")
    with pytest.raises(ValueError, match=r"^no values to sweep$"):
        sweep(lesson_gpu, param, [])
    with pytest.raises(ValueError, match=r"^a log sweep needs values > 0; got -2$"):
        sweep(lesson_gpu, param, [-2.0, 5.0], scale="log")
    with pytest.raises(ValueError, match=r"^workload\.requests_per_day=inf: must be a finite "
                                         r"number$"):
        sweep(lesson_gpu, param, [float("inf")])
    with pytest.raises(ValueError, match=r"^zzz: not an input of the study; e\.g\. "
                                         r"workload\.requests_per_day$"):
        sweep(lesson_gpu, "zzz", [1.0])


def test_p_best_is_among_the_strategies_meeting_the_constraints(hand_document):
    from sim import study_from_dict

    hand_document["constraints"] = {"data_on_premises": True}
    study = study_from_dict(hand_document)
    sw = sweep(study, "strategies.cheap.input_price", [5.0, 9.0], samples=2048)
    best = dict(zip(sw.frame["strategy"], sw.frame["p_best"], strict=True))
    # cheap sends data to a vendor: out of the choice, however cheap; self_hosted is the
    # only strategy left
    assert best == {"cheap": None, "self_hosted": 1.0}
