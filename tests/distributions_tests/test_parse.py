"""Every study-file form (docs/study-file.md, "Values"), its probability convention, and every
validation error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from distributions import (
    FAMILIES,
    Bernoulli,
    Beta,
    Discrete,
    DistributionError,
    Empirical,
    Fixed,
    Gamma,
    Lognormal,
    Normal,
    Pert,
    Quantiles,
    Triangular,
    Truncated,
    Uniform,
    UniformInt,
    parse,
)

# -- forms -----------------------------------------------------------------------------

FORMS = [
    (12, Fixed(12.0)),
    ({"fixed": 3.5}, Fixed(3.5)),
    ({"uniform": [0.2, 0.6]}, Uniform(0.2, 0.6)),
    ({"uniform": {"lo": 0.2, "hi": 0.6}}, Uniform(0.2, 0.6)),
    ({"uniform_int": [5, 15]}, UniformInt(5, 15)),
    ({"triangular": [76, 120, 188]}, Triangular(76, 120, 188)),
    ({"pert": [76, 120, 188]}, Pert(76, 120, 188)),
    ({"pert": {"min": 0, "mode": 1, "max": 10, "lambda": 2}}, Pert(0, 1, 10, 2.0)),
    ({"normal": {"mean": 0.02, "sd": 0.02}}, Normal(0.02, 0.02)),
    ({"normal": {"mean": 0.5, "sd": 0.3, "min": 0, "max": 1}}, Normal(0.5, 0.3, 0.0, 1.0)),
    ({"normal": {"p10": 1, "p90": 5}}, Normal.from_quantiles(p10=1, p90=5)),
    ({"lognormal": {"p10": 3000, "p90": 8000}}, Lognormal.from_quantiles(p10=3000, p90=8000)),
    ({"lognormal": {"median": 10, "p90": 30}}, Lognormal.from_median_p90(median=10, p90=30)),
    ({"lognormal": {"mean": 10, "sd": 5}}, Lognormal.from_mean_sd(mean=10, sd=5)),
    ({"lognormal": {"mu": 1, "sigma": 0.5}}, Lognormal(1.0, 0.5)),
    ({"beta": {"mean": 0.05, "sd": 0.01}}, Beta.from_mean_sd(0.05, 0.01)),
    ({"beta": {"a": 2, "b": 5}}, Beta(2.0, 5.0)),
    ({"beta": {"a": 2, "b": 5, "min": 10, "max": 20}}, Beta(2.0, 5.0, 10.0, 20.0)),
    ({"gamma": {"mean": 10, "sd": 5}}, Gamma(4.0, 2.5)),
    ({"gamma": {"shape": 2, "scale": 3}}, Gamma(2.0, 3.0)),
    ({"bernoulli": 0.3}, Bernoulli(0.3)),
    ({"bernoulli": {"p": 0.3}}, Bernoulli(0.3)),
    ({"discrete": {"values": [1, 2, 5], "weights": [2, 5, 3]}},
     Discrete((1, 2, 5), (0.2, 0.5, 0.3))),
    ({"discrete": {"values": [1, 2]}}, Discrete((1, 2), (1, 1))),
    ({"empirical": [3, 1, 2]}, Empirical((1, 2, 3))),
    ({"empirical": {"values": [3, 1, 2], "method": "resample"}},
     Empirical((1, 2, 3), resample=True)),
    ({"quantiles": {"p10": 1, "p50": 2, "p90": 10}}, Quantiles(1.0, 2.0, 10.0)),
    ({"quantiles": {"p10": 0.01, "p50": 0.02, "p90": 0.04, "log": False}},
     Quantiles(0.01, 0.02, 0.04, log=False)),
    ({"lognormal": {"p10": 1, "p90": 9}, "truncate": [0, 5]},
     Truncated(Lognormal.from_quantiles(p10=1, p90=9), 0.0, 5.0)),
    ({"normal": {"mean": 0.5, "sd": 0.3}, "truncate": [0, 1]}, Normal(0.5, 0.3, 0.0, 1.0)),
    ({"normal": {"p10": 0, "p90": 1}, "truncate": [0, math.inf]},
     Normal.from_quantiles(p10=0, p90=1, min=0.0)),
    ("3000 to 8000", Lognormal.from_interval(3000, 8000)),
    ("-0.01 to 0.05", Normal.from_interval(-0.01, 0.05)),
    ("3k to 8k", Lognormal.from_interval(3000, 8000)),
    ("3,000 to 8,000", Lognormal.from_interval(3000, 8000)),
    ("1.5M to 2.5M", Lognormal.from_interval(1.5e6, 2.5e6)),
    ("20% to 60%", Lognormal.from_interval(0.2, 0.6)),
]


@pytest.mark.parametrize(("value", "expected"), FORMS, ids=[str(v)[:40] for v, _ in FORMS])
def test_every_form_parses_to_the_stated_distribution(value, expected):
    d = parse(value, name="x")
    assert type(d) is type(expected)
    q = np.array([0.01, 0.1, 0.5, 0.9, 0.99])
    np.testing.assert_allclose(d.ppf(q), expected.ppf(q), rtol=1e-12)


def test_every_family_has_a_form():
    covered = {next(k for k in v if k != "truncate") for v, _ in FORMS if isinstance(v, dict)}
    assert covered == set(FAMILIES)


# -- conventions: which mass each form leaves outside its values ---------------------------


@pytest.mark.parametrize("text", ["3000 to 8000", "-2 to 6", "0 to 1"])
def test_a_to_b_is_a_90_percent_interval(text):
    d = parse(text)
    a, b = (float(t) for t in text.split(" to "))
    np.testing.assert_allclose(d.cdf([a, b]), [0.05, 0.95], atol=1e-12)
    np.testing.assert_allclose(d.ppf([0.05, 0.95]), [a, b], rtol=1e-12, atol=1e-12)
    assert d.family == ("lognormal" if a > 0 else "normal")


@pytest.mark.parametrize("family", ["lognormal", "normal"])
def test_p10_p90_leave_10_percent_each_side(family):
    d = parse({family: {"p10": 3000, "p90": 8000}})
    np.testing.assert_allclose(d.cdf([3000, 8000]), [0.1, 0.9], atol=1e-12)


def test_quantiles_leave_10_50_90():
    d = parse({"quantiles": {"p10": 3000, "p50": 4500, "p90": 9000}})
    np.testing.assert_allclose(d.cdf([3000, 4500, 9000]), [0.1, 0.5, 0.9], atol=1e-12)


def test_conventions_hold_in_samples():
    n = 400_000
    se = lambda p: math.sqrt(p * (1 - p) / n)  # noqa: E731
    x = parse("3000 to 8000").sample(n, rng=1)
    assert abs(np.mean(x < 3000) - 0.05) < 4 * se(0.05)
    assert abs(np.mean(x > 8000) - 0.05) < 4 * se(0.05)
    y = parse({"lognormal": {"p10": 3000, "p90": 8000}}).sample(n, rng=2)
    assert abs(np.mean(y < 3000) - 0.10) < 4 * se(0.10)
    assert abs(np.mean(y > 8000) - 0.10) < 4 * se(0.10)


# -- validation: each message says what is wrong and how to fix it --------------------------

ERRORS = [
    ({"lognormal": {"p10": 9000, "p90": 3000}}, r"p10=9000 must be below p90=3000; swap them"),
    ({"normal": {"p10": 5, "p90": 1}}, r"normal: p10=5 must be below p90=1; swap them"),
    ({"quantiles": {"p10": 1, "p50": 5, "p90": 3}},
     r"p10=1, p50=5, p90=3 must increase \(p10 < p50 < p90\)"),
    ({"quantiles": {"p10": 1, "p90": 3}}, r"quantiles takes \{ p10 = 3000, p50 = 4500"),
    ({"beta": {"mean": 0.05, "sd": 0.3}},
     r"sd=0.3 is too large for a beta with mean=0.05: it must be below 0.217945.*lower the sd"),
    ({"beta": {"mean": 5, "sd": 1}}, r"mean=5 must lie strictly between 0 and 1; a beta is a rate"),
    ({"beta": {"mean": 15, "sd": 6, "min": 10, "max": 20}},
     r"must be below 5 \(sqrt\(\(mean-min\)\*\(max-mean\)\)\)"),
    ({"beta": {"a": -1, "b": 2}}, r"a=-1, b=2 must both be > 0"),
    ({"lognormal": {"p10": 0, "p90": 5000}}, r"p10=0 and p90=5000 must both be > 0; use normal"),
    ({"lognormal": {"median": -1, "p90": 5}}, r"median=-1 must be > 0"),
    ({"lognormal": {"mean": 10, "sd": 0}}, r"mean=10 and sd=0 must both be > 0"),
    ({"lognormal": {"mu": 1, "sigma": 50}}, r"spans more than any real quantity"),
    ({"lognormal": {"p10": 1}}, r"lognormal takes \{ p10 = 3000, p90 = 8000 \}"),
    ("8000 to 3000", r"interval '8000 to 3000' must have its lower value first"),
    ("-1 to -5", r"interval '-1 to -5' must have its lower value first"),
    ("3000-8000", r"is not a number or an interval; write e.g. \"3000 to 8000\""),
    ({"discrete": {"values": [1, 2], "weights": [0, 0]}},
     r"the weights sum to 0; give at least one positive weight"),
    ({"discrete": {"values": [1, 2], "weights": [1, -1]}}, r"weights\[1\]=-1 is negative"),
    ({"discrete": {"values": [1, 2, 3], "weights": [1, 1]}},
     r"3 values but 2 weights; give one weight per value"),
    ({"discrete": {"values": []}}, r"values is empty"),
    ({"discrete": {"values": [1, "a"]}}, r"values holds 'a', not a number"),
    ({"discrete": [1, 2]}, r"discrete takes \{ values = \[...\], weights = \[...\] \}"),
    ({"bernoulli": 1.5}, r"p=1.5 must be a probability in \[0, 1\]"),
    ({"bernoulli": "often"}, r"bernoulli takes a probability, e.g. bernoulli = 0.3"),
    ({"gamma": {"mean": -1, "sd": 1}}, r"gamma: mean=-1 must be > 0"),
    ({"gamma": {"mean": 1, "sd": 0}}, r"gamma: sd=0 must be > 0"),
    ({"gamma": {"mean": 1, "sd": 10}}, r"shape=0.01 is below 0.05"),
    ({"uniform": [5, 1]}, r"lo=5 must be below hi=1"),
    ({"uniform": [1]}, r"uniform takes \[lo, hi\], e.g. uniform = \[0.2, 0.6\]"),
    ({"uniform": [1, "x"]}, r"hi='x' must be a number"),
    ({"uniform_int": [1.5, 4]}, r"must be whole numbers; use uniform"),
    ({"triangular": [1, 5, 3]}, r"mode=5 must lie between min=1 and max=3"),
    ({"pert": [5, 4, 3]}, r"min=5 must be below max=3"),
    ({"pert": {"min": 0, "mode": 1, "max": 2, "lambda": 0}}, r"lambda=0 must be > 0"),
    ({"normal": {"mean": 0, "sd": -1}}, r"sd=-1 must be > 0"),
    ({"normal": {"mean": 0, "sd": 1, "min": 50, "max": 60}}, r"holds almost none of the mass"),
    ({"normal": {"mean": 0, "sd": 1, "min": 0}, "truncate": [0, 1]},
     r"give either min/max or truncate, not both"),
    ({"lognormal": {"p10": 1, "p90": 9}, "truncate": [5, 1]},
     r"truncate = \[5, 1\]: the lower bound must be below the upper one"),
    ({"lognormal": {"p10": 1, "p90": 9}, "truncate": "0 to 5"}, r"truncate='0 to 5' must be"),
    ({"lognormal": {"p10": 1, "p90": 9}, "truncate": [1e6, 2e6]}, r"keeps almost none of"),
    ({"uniform_int": [1, 9], "truncate": [0, 5]}, r"is not continuous and cannot be truncated"),
    ({"lognormal": {"p10": 1, "p90": 9}, "uniform": [0, 1]}, r"names exactly one family"),
    ({"lognormal": {"p10": 1, "p90": 9}, "truncat": [0, 1]}, r"names exactly one family"),
    ({"lognorm": {"p10": 1, "p90": 9}},
     r"unknown distribution 'lognorm'; did you mean 'lognormal'"),
    ({}, r"names exactly one family"),
    ([1, 2, 3], r"a bare list is not a distribution; name the family"),
    (True, r"is not a number, an interval string or a distribution table"),
    ({"empirical": [5]}, r"needs at least 2 observations, got 1"),
    ({"empirical": [2, 2, 2]}, r"all 3 observations equal 2; write the number itself"),
    ({"empirical": [1, "x"]}, r"observation 2 \('x'\) is not a number"),
    ({"empirical": [1, float("nan")]}, r"observation 2 is nan; remove it"),
    ({"empirical": {"values": [1, 2], "method": "bootstrap"}}, r"method='bootstrap' must be one"),
    ({"empirical": {"column": "x"}}, r"empirical takes a list of observations or a table"),
    ({"empirical": "data.csv"}, r"empirical takes a list of observations or a table"),
    ({"quantiles": {"p10": 1, "p50": "2", "p90": 3}}, r"p50='2' must be a number"),
    ({"quantiles": {"p10": 1e-20, "p50": 1, "p90": 3}}, r"span more than any real quantity"),
    ({"quantiles": {"p10": 1, "p50": 2, "p90": 3, "log": "no"}}, r"log='no' must be true or false"),
    ({"quantiles": {"p10": -1, "p50": 2, "p90": 3, "log": True}}, r"log=true needs p10 > 0"),
]


@pytest.mark.parametrize(("value", "message"), ERRORS, ids=[m[:40] for _, m in ERRORS])
def test_bad_forms_say_what_is_wrong_and_how_to_fix_it(value, message):
    with pytest.raises(DistributionError, match=message) as info:
        parse(value, name="strategies.x.review_rate")
    text = str(info.value)
    assert text.startswith("strategies.x.review_rate: ")
    assert "\n" not in text


def test_quantiles_log_needs_positive_values():
    with pytest.raises(DistributionError, match="log=true needs p10 > 0"):
        Quantiles(-1.0, 0.0, 1.0, log=True)


def test_non_finite_parameters_are_rejected():
    with pytest.raises(DistributionError, match="uniform: lo=inf must be finite"):
        Uniform(math.inf, 1.0)
    with pytest.raises(DistributionError, match="normal: mean=nan must be finite"):
        Normal(math.nan, 1.0)
