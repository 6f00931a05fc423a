"""Shapley effects: a linear Gaussian model with correlation against the exact values (every
subset enumerated, and the two-input closed form of Owen & Prieur 2017); study level."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.stats import norm

from sim import study_from_dict
from sim.cli import main
from sim.decision import exact_linear_gaussian, shapley_analysis, shapley_effects
from sim.decision.shapley import closed_subset_variance

from helpers import write_toml


def owen_prieur(b1: float, b2: float, s1: float, s2: float, rho: float) -> tuple[float, float]:
    """Y = b1 X1 + b2 X2, Var X_i = s_i^2, corr rho (Owen & Prieur 2017, section 3):
    Sh_1 = b1^2 s1^2 (1 - rho^2/2) + rho b1 b2 s1 s2 + rho^2 b2^2 s2^2 / 2, and the mirror."""
    sh1 = b1**2 * s1**2 * (1 - rho**2 / 2) + rho * b1 * b2 * s1 * s2 + rho**2 * b2**2 * s2**2 / 2
    sh2 = b2**2 * s2**2 * (1 - rho**2 / 2) + rho * b1 * b2 * s1 * s2 + rho**2 * b1**2 * s1**2 / 2
    return sh1, sh2


def test_exact_enumeration_matches_the_two_input_closed_form():
    b1, b2, s1, s2, rho = 1.5, -0.7, 2.0, 0.5, 0.4
    sigma = np.array([[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]])
    np.testing.assert_allclose(exact_linear_gaussian(np.array([b1, b2]), sigma),
                               owen_prieur(b1, b2, s1, s2, rho), rtol=1e-12)
    # Var(E[Y | X1]) = (b1 s1 + rho b2 s2)^2 by hand
    assert closed_subset_variance(np.array([b1, b2]), sigma, [0]) == pytest.approx(
        (b1 * s1 + rho * b2 * s2) ** 2)


def test_estimator_on_a_correlated_linear_gaussian_model():
    # four inputs: X1, X2 correlated 0.7; X3, X4 correlated -0.5; X4 is not in the model
    # but takes part of X3's share (exact: 1.125 of Var Y = 12.4)
    b = np.array([1.0, 2.0, -1.5, 0.0])
    sd = np.array([1.0, 0.5, 2.0, 1.0])
    rho = np.eye(4)
    rho[0, 1] = rho[1, 0] = 0.7
    rho[2, 3] = rho[3, 2] = -0.5
    sigma = rho * np.outer(sd, sd)
    exact = exact_linear_gaussian(b, sigma)
    np.testing.assert_allclose(exact, [1.7, 1.7, 7.875, 1.125], atol=1e-12)
    assert exact.sum() == pytest.approx(b @ sigma @ b)
    est = shapley_effects(lambda x: b @ x, [lambda u, s=s: s * norm.ppf(u) for s in sd], rho,
                          permutations=4000, rng=np.random.default_rng(3))
    z = (est.effects[0] - exact) / est.se[0]
    assert np.all(np.abs(z) < 4), z
    # Var Y from 4,000 three-draw sample variances: relative sd 1 / sqrt(4,000) (normal Y)
    assert abs(est.variance[0] / 12.4 - 1) < 4 / math.sqrt(4000)
    assert est.effects[0].sum() == pytest.approx(est.variance[0], rel=1e-9)


def test_independent_inputs_give_the_variance_shares():
    # no correlation: Sh_i = b_i^2 s_i^2 (an additive model), summing to Var Y
    b, sd = np.array([3.0, 1.0]), np.array([1.0, 2.0])
    est = shapley_effects(lambda x: b @ x, [lambda u, s=s: s * norm.ppf(u) for s in sd],
                          np.eye(2), permutations=2000, rng=np.random.default_rng(4))
    z = (est.effects[0] - b**2 * sd**2) / est.se[0]
    assert np.all(np.abs(z) < 4), z


def test_study_shapley_follows_the_stated_correlation(hand_document):
    # cheap's NPV = 360 (10 - p); the review cost is an uncertain input that influences
    # nothing (review rate 0). Correlated 0.8 (rank) with the price, it takes the share
    # rho^2 / 2 of a linear Gaussian model in normal scores, rho = 2 sin(pi 0.8 / 6)
    hand_document["correlations"] = [{"between": ["cheap.input_price", "cheap.cost_per_review"],
                                      "rank": 0.8}]
    study = study_from_dict(hand_document)
    res = shapley_analysis(study, strategies=["cheap"], permutations=3000)
    t = {r["input"]: r for r in res.table("cheap").iter_rows(named=True)}
    assert res.correlated
    ignored = t["strategies.cheap.cost_per_review"]
    rho = 2 * math.sin(math.pi * 0.8 / 6)
    # for a uniform price (not normal scores) the share is near, not exactly, rho^2 / 2
    assert 0.2 < ignored["shapley"] < 0.4 and abs(ignored["shapley"] - rho**2 / 2) < 0.05
    assert t["strategies.self_hosted.gpu_hourly"]["shapley"] == pytest.approx(0.0, abs=1e-9)
    assert sum(r["shapley"] for r in t.values()) == pytest.approx(1.0, rel=1e-9)


def test_cli_tornado_shapley(tmp_path, hand_document, capsys):
    hand_document["study"]["samples"] = 2000
    hand_document["correlations"] = [{"between": ["cheap.input_price", "cheap.cost_per_review"],
                                      "rank": 0.8}]
    path = write_toml(tmp_path / "h.toml", hand_document)
    code = main(["tornado", str(path), "--strategy", "cheap", "--shapley",
                 "--shapley-evaluations", "20000"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert re.search(r"Shapley effects of E\[NPV\], cheap \(with the study's correlations; "
                     r"[\d,]+ permutations", out), out
    assert re.search(r"cheap\.input_price +0\.[6-8]\d\d", out)


def test_shapley_errors(hand_document):
    for s in hand_document["strategies"].values():
        for key, value in list(s.items()):
            if isinstance(value, dict):
                s[key] = 7.0
    with pytest.raises(ValueError, match=r"every input is fixed; Shapley effects need"):
        shapley_analysis(study_from_dict(hand_document))
    ppf = [norm.ppf, norm.ppf]
    with pytest.raises(ValueError, match=r"corr must be a 2x2 matrix"):
        shapley_effects(lambda x: x.sum(axis=0), ppf, np.eye(3))


def _reference_shapley(func, ppfs, corr, permutations, inner, seed):
    """The estimator as it was written before the repeated draws were kept compact: every
    (d, permutations * d * inner) array built in full and redrawn in one call."""
    from distributions.base import TINY
    from distributions.compiled import ndtr
    from sim.decision import GaussianCopula

    d = len(ppfs)
    gen = np.random.default_rng(seed)
    cop = GaussianCopula(corr)
    order = np.argsort(gen.random((permutations, d)), axis=1)
    rank = np.argsort(order, axis=1)
    in_j = rank[:, None, :] < np.arange(1, d + 1)[None, :, None]
    rows = permutations * d
    outer = np.repeat(cop.joint(permutations, gen), d, axis=1)
    eps = np.repeat(gen.standard_normal((d, permutations, 1, inner)), d, axis=2)
    mask = np.repeat(in_j.reshape(rows, d).T, inner, axis=1)
    z = cop.redraw(np.repeat(outer, inner, axis=1), mask, eps.reshape(d, rows * inner))
    u = np.clip(ndtr(z), TINY, 1 - TINY)  # the compiled CDF the analysis uses
    y = np.atleast_2d(func(np.stack([ppf(u[i]) for i, ppf in enumerate(ppfs)])))
    s = y.shape[0]
    c = np.concatenate([np.zeros((s, permutations, 1)),
                        y.reshape(s, permutations, d, inner).var(axis=3, ddof=1)], axis=2)
    per = np.take_along_axis(np.diff(c, axis=2), rank[None, :, :], axis=2)
    return (z, per.mean(axis=1), per.std(axis=1, ddof=1) / math.sqrt(permutations),
            c[:, :, -1].mean(axis=1))


def _block_corr(sizes, rho):
    """Equicorrelated groups of the given sizes (1 = an independent input)."""
    d = sum(sizes)
    r, a = np.eye(d), 0
    for k in sizes:
        r[a:a + k, a:a + k] = np.where(np.eye(k) == 1, 1.0, rho)
        a += k
    return r


@pytest.mark.parametrize(("sizes", "permutations", "inner"), [
    ([13, 2, 1, 1], 96, 3),     # a group of 13: products on a few hundred columns each
    ([3, 1, 2], 2, 2),          # the fewest permutations and inner draws
    ([1], 5, 3),                # d = 1
    ([1, 1, 1], 7, 4),          # independent inputs only
])
def test_compact_redraw_is_bit_identical_to_the_full_arrays(sizes, permutations, inner,
                                                           monkeypatch):
    from sim.decision import GaussianCopula, shapley

    # the model in several calls with a partial last one (the reference: one call)
    monkeypatch.setattr(shapley, "_CHUNK", 1000)

    corr = _block_corr(sizes, 0.3)
    d = corr.shape[0]
    w = np.linspace(1.0, 2.0, d)

    def func(x):
        return np.stack([w @ x, np.exp(0.1 * x).sum(axis=0) * x[0]])

    ppfs = [lambda u, s=s: s * norm.ppf(u) for s in np.linspace(0.5, 1.5, d)]
    z_ref, effects, se, variance = _reference_shapley(func, ppfs, corr, permutations, inner,
                                                      11)
    # the redraw on its own, from the same numbers drawn in the same order
    gen = np.random.default_rng(11)
    cop = GaussianCopula(corr)
    order = np.argsort(gen.random((permutations, d)), axis=1)
    in_j = np.argsort(order, axis=1)[:, None, :] < np.arange(1, d + 1)[None, :, None]
    outer = cop.joint(permutations, gen)
    z = cop.redraw_repeated(outer, in_j, gen.standard_normal((d, permutations, inner)))
    assert z.shape == (d, permutations * d * inner) and np.array_equal(z, z_ref)
    est = shapley_effects(func, ppfs, corr, permutations=permutations, inner=inner, rng=11)
    assert np.array_equal(est.effects, effects) and np.array_equal(est.se, se)
    assert np.array_equal(est.variance, variance)
    assert est.effects.shape == (2, d) and np.all(np.isfinite(est.effects))
