"""Break-even maps: crossings against a closed form, common random numbers, errors."""

from __future__ import annotations

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


def test_p_best_is_among_the_strategies_meeting_the_constraints(hand_document):
    from sim import study_from_dict

    hand_document["constraints"] = {"data_on_premises": True}
    study = study_from_dict(hand_document)
    sw = sweep(study, "strategies.cheap.input_price", [5.0, 9.0], samples=2048)
    best = dict(zip(sw.frame["strategy"], sw.frame["p_best"], strict=True))
    # cheap sends data to a vendor: out of the choice, however cheap; self_hosted is the
    # only strategy left
    assert best == {"cheap": None, "self_hosted": 1.0}
