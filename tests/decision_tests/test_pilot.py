"""The value of a pilot (EVSI): closed forms (beta-binomial, normal-normal), the study-level
pilot, its verdict, the command."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from sim import study_from_dict
from sim.cli import main
from sim.decision import evsi, pilot_value, simulate
from sim.decision.pilot import pilot_rate

from helpers import ROOT, write_toml


def beta_binomial_evsi(a: float, b: float, value_a: float, slope: float, n: int) -> float:
    """Act A is worth ``value_a - slope p``, act B 0, ``p ~ Beta(a, b)``; a pilot of n
    Bernoulli(p) trials sees k with the beta-binomial predictive and the posterior mean
    (a + k) / (a + b + n): EVSI = sum_k P(k) max(value_a - slope E[p | k], 0) -
    max(value_a - slope E[p], 0), exactly."""
    k = np.arange(n + 1)
    post = (a + k) / (a + b + n)
    pk = stats.betabinom.pmf(k, n, a, b)
    return float(pk @ np.maximum(value_a - slope * post, 0)) - max(value_a - slope * a / (a + b),
                                                                  0)


@pytest.mark.parametrize(("a", "b", "value_a", "slope", "n"), [
    (2, 18, 105.0, 1000.0, 50),    # A is chosen now (worth 5), the pilot may overturn it
    (2, 18, 95.0, 1000.0, 50),     # B is chosen now
    (1, 1, 50.0, 100.0, 20),       # a flat prior
])
def test_evsi_matches_the_beta_binomial_closed_form(a, b, value_a, slope, n):
    p = np.random.default_rng(1).beta(a, b, 100_000)
    est = evsi(np.stack([value_a - slope * p, np.zeros_like(p)]), rate=p, examples=n)
    exact = beta_binomial_evsi(a, b, value_a, slope, n)
    assert exact > 1  # a real value to find
    assert abs(est.value - exact) < 4 * est.se, (est, exact)
    assert est.value <= est.plugin + 4 * est.se


def test_evsi_matches_the_normal_normal_closed_form():
    # log-hours X ~ N(3, 0.5^2), measured with sd 0.3; act A worth 3050 - 1000 X. The
    # posterior mean m ~ N(3, s^2), s^2 = 0.5^4 / (0.5^2 + 0.3^2); EVSI = E[max(D, 0)] -
    # max(E D, 0) with D = 3050 - 1000 m ~ N(50, (1000 s)^2)
    s = math.sqrt(0.5**4 / (0.5**2 + 0.3**2))
    mu, sd = 50.0, 1000 * s
    exact = mu * stats.norm.cdf(mu / sd) + sd * stats.norm.pdf(mu / sd) - mu
    x = np.random.default_rng(7).normal(3.0, 0.5, 12_000)
    est = evsi(np.stack([3050 - 1000 * x, np.zeros_like(x)]), log_effort=x, effort_sd=0.3,
               rng=np.random.default_rng(8))
    assert abs(est.value - exact) < 4 * est.se, (est, exact)
    assert abs(exact - 147.21) < 0.01


def test_evsi_is_zero_when_the_pilot_cannot_change_the_choice():
    p = np.random.default_rng(2).beta(2, 18, 10_000)
    est = evsi(np.stack([1000 - 100 * p, np.zeros_like(p)]), rate=p, examples=100)
    assert (est.value, est.se, est.plugin) == (0.0, 0.0, 0.0)


@pytest.fixture
def rated(hand_document):
    """hand with a review rate on cheap: r ~ Beta(mean 0.1, sd 0.03), $0.04 a review on its
    30,000 requests a month for 12 months, p ~ U(5, 7): cheap's NPV = 360 (10 - p) -
    14,400 r, so it beats the frontier only when its rate is low enough."""
    hand_document["strategies"]["cheap"].update(
        review_rate={"beta": {"mean": 0.1, "sd": 0.03}}, cost_per_review=0.04)
    hand_document["strategies"]["cheap"]["input_price"] = {"uniform": [5.0, 7.0]}
    hand_document["study"]["samples"] = 20_000
    return study_from_dict(hand_document)


def test_study_pilot_value_and_verdict(rated):
    samples = simulate(rated)
    r = samples.input("cheap.review_rate")
    y = samples.npv["cheap"]
    np.testing.assert_allclose(y, 360 * (10 - samples.input("cheap.input_price")) - 14_400 * r,
                               rtol=1e-9)
    v = pilot_value(samples, strategy="cheap", examples=200, cost=100.0)
    assert v.informs == "strategies.cheap.review_rate"
    direct = evsi(np.stack([samples.npv[s] for s in v.strategies]), rate=r, examples=200)
    assert v.evsi == direct
    assert 0 < v.evsi.value <= v.evppi.value + 4 * v.evppi.se <= v.evpi.value + 8 * v.evpi.se
    assert v.verdict == ("run it" if v.evsi.value > 100 else "skip it")
    assert re.match(r"A 200-example pilot of cheap's review rate costing \$100 is worth "
                    r"\$[\d,]+ \(± \$[\d,]+\): (run|skip) it", v.sentence()), v.sentence()
    assert pilot_value(samples, strategy="cheap", examples=200).verdict is None


def test_pilot_rate_reads_rates_only(hand_document):
    hand_document["strategies"]["frontier"]["review_rate"] = {"beta": {"mean": 0.2, "sd": 0.05}}
    study = study_from_dict(hand_document)
    s = simulate(study, samples=64)
    base = s.input("frontier.review_rate")
    np.testing.assert_array_equal(pilot_rate(s, "frontier.review_rate"), base)
    with pytest.raises(ValueError, match=r"--informs cheap\.input_price: a pilot observes a "
                       r"rate"):
        pilot_rate(s, "cheap.input_price")


def test_cli_pilot(tmp_path, rated, hand_document, capsys):
    hand_document["strategies"]["cheap"].update(
        review_rate={"beta": {"mean": 0.1, "sd": 0.03}}, cost_per_review=0.04,
        input_price={"uniform": [5.0, 7.0]})
    hand_document["study"]["samples"] = 4000
    path = write_toml(tmp_path / "r.toml", hand_document)
    page = tmp_path / "p.html"
    code = main(["pilot", str(path), "--strategy", "cheap", "--examples", "300", "--cost",
                 "50", "--html", str(page)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("A 300-example pilot of cheap's review rate costing $50 is worth")
    assert "EVPPI (a perfect pilot)" in out
    assert "vegaEmbed('#chart-pilot'" in page.read_text(encoding="utf-8")
    for args, pattern in ((["--examples", "-1"], r"--examples -1: must be >= 0"),
                          (["--strategy", "self_hosted"], r"self_hosted has no uncertain"),
                          (["--cost", "-5"], r"--cost -5\.0: must be"),
                          (["--effort-sd", "0.3", "--strategy", "cheap"],
                           r"--effort-sd: cheap\.engineering_hours is fixed in this "
                           r"study; there is nothing for the pilot to measure")):
        code = main(["pilot", str(path), *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and re.search(pattern, err[0]), err


def test_a_quality_lift_is_seen_as_the_baselines_rate_reduced(hand_document):
    """With a ``quality_lift`` (the relative reduction of the baseline's review rate), the
    rate a pilot counts is the baseline's rate x (1 - lift), sample by sample."""
    from sim.study.kinds import KINDS

    if "quality_lift" not in KINDS["api"].fields:
        pytest.skip("this version has no quality_lift input")
    hand_document["strategies"]["frontier"]["review_rate"] = 0.2
    hand_document["strategies"]["cheap"]["quality_lift"] = {"uniform": [0.1, 0.3]}
    study = study_from_dict(hand_document)
    s = simulate(study, samples=256)
    lift = s.input("cheap.quality_lift")
    np.testing.assert_allclose(pilot_rate(s, "cheap.quality_lift"), 0.2 * (1 - lift))


def test_a_pilot_of_rate_and_effort_is_bounded_by_their_evppi(hand_document):
    """A pilot that counts cheap's review rate and times its engineering hours is worth at
    most a perfect pilot of both (EVPPI over the two inputs, by regression), which is worth
    at most perfect information (EVPI); each within 4 standard errors."""
    hand_document["strategies"]["cheap"].update(
        review_rate={"beta": {"mean": 0.1, "sd": 0.03}}, cost_per_review=0.04,
        input_price={"uniform": [5.0, 7.0]}, engineering_hours={"uniform": [10.0, 30.0]})
    hand_document["study"]["samples"] = 4000
    v = pilot_value(simulate(study_from_dict(hand_document)), strategy="cheap",
                    examples=300, effort_sd=0.3, rng=1)
    assert (v.informs, v.effort) == ("strategies.cheap.review_rate",
                                     "strategies.cheap.engineering_hours")
    assert 0 <= v.evsi.value <= v.evppi.value + 4 * math.hypot(v.evsi.se, v.evppi.se)
    assert v.evppi.value <= v.evpi.value + 4 * math.hypot(v.evppi.se, v.evpi.se)


PILOT = """
import sys
import numpy as np
from sim.decision.pilot import evsi
p = np.random.default_rng(0).beta(2, 18, 4_000)
e = evsi(np.stack([100 - 1000 * p, np.zeros_like(p)]), rate=p, examples=50)
print("scipy.special" in sys.modules, e.value > 0)
"""


def test_a_pilot_is_valued_without_scipy_special():
    # its binomial weights are compiled (distributions.compiled.bdtr): ~70 ms and 8 MiB of
    # the command's start spared for a study with a pilot
    out = subprocess.run([sys.executable, "-c", PILOT], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300).stdout.split()
    assert out == ["False", "True"]
