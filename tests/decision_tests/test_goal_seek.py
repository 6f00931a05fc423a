"""Goal seek: exact roots on linear studies, the median moved with its spread kept, errors."""

from __future__ import annotations

import math
import re

import numpy as np
import polars as pl
import pytest

from sim.cli import main
from sim.decision import GoalSeek, Knob, goal_seek, knob, parse_goal, simulate
from sim.decision.goal_seek import _slope

from helpers import write_toml


def test_fixed_input_linear_study_exact_root(hand):
    # E[NPV of cheap] = 360 (F - mean p) on the samples, F the frontier's fixed price and
    # p ~ U(5, 13) cheap's: the root is the samples' mean of p (exactly, the figure is
    # linear in F), and 9 in expectation; se = 360 sd(p) / sqrt(n) / 360
    g = goal_seek(hand, "frontier.input_price", "npv=0", strategy="cheap")
    p = simulate(hand).input("cheap.input_price")
    assert g.value == pytest.approx(p.mean(), abs=1e-6)
    assert g.slope == pytest.approx(360.0, rel=1e-9)
    assert g.se == pytest.approx(p.std(ddof=1) / math.sqrt(p.size), rel=1e-6)
    assert abs(g.value - 9.0) < 4 * g.se
    assert not g.uncertain and g.scale == "value"
    assert g.sentence() == (f"With input price (frontier) above {g.value:.3f} ± {g.se:.3f}, "
                            "cheap's expected NPV is positive (it beats the baseline on "
                            "average).")


def test_uncertain_input_moves_its_median_spread_kept(hand):
    # cheap pays back (month 1) iff its price p' < 10. Moving the median of p ~ U(5, 13) on
    # the log scale multiplies every draw by f: P(p' < 10) = 0.5 where f times the samples'
    # median is 10, i.e. at a median of 9 f = 90 / median(p) (10 in expectation)
    g = goal_seek(hand, "cheap.input_price", "payback_within:12=0.5", strategy="cheap")
    p = np.sort(simulate(hand).input("cheap.input_price"))
    n = p.size
    lo, hi = 90 / p[n // 2], 90 / p[n // 2 - 1]  # the step of the empirical probability
    assert lo - 1e-6 <= g.value <= hi + 1e-6
    assert g.uncertain and g.scale == "log" and g.slope < 0
    assert abs(g.value - 10.0) < 4 * g.se
    assert g.sentence().startswith("With a median input price (cheap) above 10.0")
    assert g.sentence().endswith("cheap is less likely than not to pay back within 12 months.")


def test_knob_scales_keep_the_spread(hand, lesson_gpu):
    k = knob(hand, "cheap.input_price")  # U(5, 13), an amount >= 0: log scale
    assert (k.scale, k.base) == ("log", 9.0)
    x = np.array([5.0, 9.0, 13.0])
    moved = k.apply({k.path: x}, math.log(2.0))[k.path]
    np.testing.assert_allclose(moved, 2 * x)  # median doubled, spread scaled with it
    assert k.value(math.log(2.0)) == pytest.approx(18.0)
    fixed = knob(lesson_gpu, "self_hosted_7b.instances")  # a whole number >= 1
    assert (fixed.scale, fixed.t_lo, fixed.integer) == ("value", 1.0, True)
    assert fixed.apply({fixed.path: 2.0}, 2.6)[fixed.path] == 3.0


def test_rates_move_on_the_odds_and_normals_shift(hand_document):
    from sim import study_from_dict

    hand_document["strategies"]["cheap"]["review_rate"] = {"beta": {"mean": 0.2, "sd": 0.05}}
    hand_document["workload"]["monthly_growth"] = {"normal": {"mean": 0.02, "sd": 0.01}}
    study = study_from_dict(hand_document)
    rate = knob(study, "cheap.review_rate")
    assert rate.scale == "logit"
    x = np.array([0.1, 0.5, 0.9])
    odds = lambda v: v / (1 - v)  # noqa: E731
    np.testing.assert_allclose(odds(rate.apply({rate.path: x}, math.log(3.0))[rate.path]),
                               3 * odds(x))
    growth = knob(study, "workload.monthly_growth")
    assert growth.scale == "linear"
    np.testing.assert_allclose(growth.apply({growth.path: x}, 0.25)[growth.path], x + 0.25)
    assert growth.t_lo > -1.02  # draws stay above -1 (the domain)


def test_target_not_bracketed_names_both_ends(hand):
    with pytest.raises(ValueError, match=r"--target payback_within:12=0\.5: P\(payback ≤ 12\) "
                       r"of self_hosted goes from 0\.000 .* and never reaches 0\.500"):
        goal_seek(hand, "self_hosted.engineering_hours", "payback_within:12=0.5",
                  strategy="self_hosted", samples=2000)


@pytest.mark.parametrize(("text", "pattern"), [
    ("npv", r"give payback_within:N=P"),
    ("p_best=1.5", r"strictly between 0 and 1"),
    ("payback_within:99=0.5", r"N=99 must be a whole month in 1\.\.12"),
    ("irr=0.1", r"give payback_within:N=P"),
])
def test_bad_goals(text, pattern):
    with pytest.raises(ValueError, match=pattern):
        parse_goal(text, horizon=12)


def test_cli_prints_the_sentence_and_trials(tmp_path, hand_document, capsys):
    hand_document["study"]["samples"] = 4000
    path = write_toml(tmp_path / "h.toml", hand_document)
    code = main(["goal-seek", str(path), "--param", "frontier.input_price", "--target",
                 "p_best=0.5", "--strategy", "cheap"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert re.match(r"With input price \(frontier\) above 9\.\d+ ± 0\.\d+, cheap is the best "
                    r"strategy in more than half of the futures sampled\.", out), out
    assert "trials of 4,000 samples each on common random numbers" in out
    code = main(["goal-seek", str(path), "--param", "frontier.input_prize", "--target",
                 "npv=0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "did you mean 'strategies.frontier.input_price'" in err[0]


def test_sentence_names_a_workload_input_alone_and_the_slope_widens_past_the_noise():
    g = GoalSeek("workload.requests_per_day", "cheap", parse_goal("npv=0", horizon=12),
                 value=1234.0, se=5.0, uncertain=False, scale="value", slope=1.0,
                 figure_at_root=0.0, figure_se=1.0, base_value=1000.0, base_figure=-5.0,
                 trials=pl.DataFrame(),
                 samples=100)
    assert g.sentence().startswith("With requests per day above 1")  # no "(workload)"
    # a figure that steps by 10 at x = 8, seen from x = 5 with se 1: the secant (width 0.1
    # at first) doubles until |f(b) - f(a)| >= 4 se, at h = 3.2: (1010 - 1000) / 6.4
    k = Knob("x", uncertain=False, scale="value", lo=0.0, hi=10.0, integer=False, base=5.0,
             t_lo=0.0, t_hi=10.0, what="x")
    assert _slope(lambda x: (1000.0 if x < 8 else 1010.0, 0.0), k, 5.0, 1.0) == pytest.approx(
        10 / 6.4)
