"""Sampling plans (MC, LHS, Sobol) on one path, and Iman–Conover rank correlation."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from scipy.stats import qmc, spearmanr

from distributions import (
    METHODS,
    TINY,
    DistributionError,
    Lognormal,
    Normal,
    SamplingPlan,
    achieved_rank_correlation,
    check_correlation,
    check_method,
    iman_conover,
)
from distributions.sampling import sobol_jump

from helpers import spearman_se


def corr(rho: float, d: int = 2) -> np.ndarray:
    c = np.eye(d)
    c[0, 1] = c[1, 0] = rho
    return c


@pytest.mark.parametrize("method", METHODS)
def test_uniforms_are_strictly_inside_0_1(method):
    u = SamplingPlan(("a", "b", "c"), n=40_000, seed=3, method=method).rows(0, 40_000)
    assert u.shape == (3, 40_000)
    assert u.min() >= TINY and u.max() <= 1.0 - TINY
    # so unbounded families never draw an infinite value
    assert np.isfinite(Lognormal(0.0, 2.0).ppf(u)).all()
    assert np.isfinite(Normal(0.0, 1.0).ppf(np.array([TINY, 1.0 - TINY]))).all()


def test_one_minus_tiny_is_representable():
    assert 1.0 - TINY < 1.0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rho", [None, 0.7])
def test_blocks_are_identical_whatever_the_chunking(method, rho):
    n = 50_000
    plan = SamplingPlan(("a", "b", "c"), n=n, seed=11, method=method,
                        rank_correlation=None if rho is None else corr(rho, 3))
    whole = plan.rows(0, n)
    cuts = np.unique(np.r_[0, np.random.default_rng(0).integers(1, n, 7), 16384, n])
    parts = np.concatenate([plan.rows(a, b) for a, b in itertools.pairwise(cuts)], axis=1)
    np.testing.assert_array_equal(parts, whole)
    for b in range(plan.n_blocks):
        start, stop = plan.block_bounds(b)
        np.testing.assert_array_equal(plan.block(b), whole[:, start:stop])


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_adding_an_input_leaves_the_others_draws_unchanged(method):
    a = SamplingPlan(("x", "y"), n=5000, seed=1, method=method).rows(0, 5000)
    b = SamplingPlan(("w", "x", "z", "y"), n=5000, seed=1, method=method).rows(0, 5000)
    np.testing.assert_array_equal(a, b[[1, 3]])


def test_different_seeds_differ():
    for method in METHODS:
        a = SamplingPlan(("x",), n=1000, seed=1, method=method).rows(0, 1000)
        b = SamplingPlan(("x",), n=1000, seed=2, method=method).rows(0, 1000)
        assert not np.array_equal(a, b)


def test_lhs_stratifies_every_input_within_each_block():
    plan = SamplingPlan(("a", "b"), n=20_000, seed=5, method="lhs", block_size=4096)
    for b in range(plan.n_blocks):
        u = plan.block(b)
        length = u.shape[1]
        for row in u:
            np.testing.assert_array_equal(np.sort(np.floor(row * length)), np.arange(length))


def test_sobol_is_the_scrambled_sobol_sequence_without_warnings():
    plan = SamplingPlan(("a", "b", "c"), n=1000, seed=4, method="sobol")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u = plan.rows(0, 1000)
    # balance: each of the 8 equal intervals holds n/8 points of each coordinate in the first 2^k
    first = u[:, :512]
    for row in first:
        np.testing.assert_array_equal(np.bincount((row * 8).astype(int), minlength=8),
                                      np.full(8, 64))


@pytest.mark.parametrize("start", [1, 2, 3, 1000, 16384, 16385, 999_999, (1 << 24) + 5])
def test_sobol_jump_matches_fast_forward(start):
    a = qmc.Sobol(4, rng=np.random.default_rng(3))
    a.fast_forward(start)
    b = qmc.Sobol(4, rng=np.random.default_rng(3))
    sobol_jump(b, start)
    np.testing.assert_array_equal(a.random(64), b.random(64))


def test_check_method_lists_the_valid_ones():
    assert check_method("lhs") == "lhs"
    with pytest.raises(DistributionError, match=r"'halton' is not a valid sampling method; it "
                                                r"must be one of"):
        check_method("halton")
    with pytest.raises(DistributionError, match="samples=0 must be >= 1"):
        SamplingPlan(("a",), n=0, seed=1)


# -- Iman–Conover ----------------------------------------------------------------------------


def test_iman_conover_targets_the_normal_score_correlation_2_sin_pi_rho_6():
    """A Spearman target rho needs the normal-score (Pearson) correlation 2 sin(pi rho / 6):
    inducing rho itself on the scores gives (6 / pi) asin(rho / 2), 0.683 for 0.7."""
    n = 1 << 16
    plan = SamplingPlan(("a", "b"), n=n, seed=9, rank_correlation=corr(0.7))
    u = plan.rows(0, n)
    achieved = spearmanr(u[0], u[1]).statistic
    se = spearman_se(0.7, n)
    assert abs(achieved - 0.7) < 4 * se
    uncorrected = 6 / np.pi * np.arcsin(0.7 / 2)
    assert uncorrected == pytest.approx(0.6829, abs=1e-4)
    assert abs(uncorrected - 0.7) > 8 * se  # the test tells the two apart
    # the same through iman_conover directly, on normal scores
    target = 2 * np.sin(np.pi * corr(0.7) / 6)
    assert target[0, 1] == pytest.approx(0.71674, abs=1e-5)
    v = iman_conover(np.random.default_rng(1).random((2, n)), target,
                     rng=np.random.default_rng(2))
    assert abs(spearmanr(v[0], v[1]).statistic - 0.7) < 4 * se


@pytest.mark.parametrize("method", METHODS)
def test_iman_conover_reaches_0_7_and_keeps_marginals(method):
    n = 10_000
    names = ("a", "b")
    plain = SamplingPlan(names, n=n, seed=9, method=method).rows(0, n)
    plan = SamplingPlan(names, n=n, seed=9, method=method, rank_correlation=corr(0.7))
    u = plan.rows(0, n)
    assert abs(spearmanr(u[0], u[1]).statistic - 0.7) < 4 * spearman_se(0.7, n)
    np.testing.assert_array_equal(np.sort(u, axis=1), np.sort(plain, axis=1))
    # the marginals of any family are the same sorted values too (ppf is applied after)
    d = Lognormal.from_interval(3000, 8000)
    np.testing.assert_array_equal(np.sort(d.ppf(u[1])), np.sort(d.ppf(plain[1])))


@pytest.mark.parametrize("method", METHODS)
def test_several_correlations_at_once(method):
    target = np.array([[1.0, 0.6, -0.3, 0.0],
                       [0.6, 1.0, 0.0, 0.0],
                       [-0.3, 0.0, 1.0, 0.4],
                       [0.0, 0.0, 0.4, 1.0]])
    n = 1 << 17
    u = SamplingPlan(tuple("abcd"), n=n, seed=2, method=method,
                     rank_correlation=target).rows(0, n)
    achieved = achieved_rank_correlation(u)
    se = np.vectorize(spearman_se)(target, n)
    np.testing.assert_array_less(np.abs(achieved - target), 4 * se + 1e-12)


def test_iman_conover_leaves_uncorrelated_rows_untouched():
    rng = np.random.default_rng(0)
    u = rng.random((3, 2000))
    target = 2 * np.sin(np.pi * corr(0.5, 3) / 6)
    v = iman_conover(u, target, rng=rng)
    np.testing.assert_array_equal(v[2], u[2])
    np.testing.assert_array_equal(np.sort(v[:2], axis=1), np.sort(u[:2], axis=1))


def test_iman_conover_on_a_tiny_block_does_nothing():
    u = np.random.default_rng(0).random((3, 3))
    target = 2 * np.sin(np.pi * np.full((3, 3), 0.5) / 6)
    np.fill_diagonal(target, 1.0)
    np.testing.assert_array_equal(iman_conover(u, target, rng=np.random.default_rng(1)), u)


def test_perfect_rank_correlation_is_allowed():
    n = 5000
    u = SamplingPlan(("a", "b"), n=n, seed=1, rank_correlation=corr(1.0)).rows(0, n)
    assert spearmanr(u[0], u[1]).statistic > 0.999


def test_not_positive_semidefinite_names_the_pairs():
    c = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    names = ("workload.requests_per_day", "x.engineering_hours", "x.build_months")
    with pytest.raises(DistributionError, match=r"not positive semi-definite") as info:
        check_correlation(c, names)
    text = str(info.value)
    for pair in ("workload.requests_per_day ~ x.engineering_hours (+0.90)",
                 "workload.requests_per_day ~ x.build_months (-0.90)",
                 "x.engineering_hours ~ x.build_months (+0.90)"):
        assert pair in text
    assert "weaken one of them" in text
    with pytest.raises(DistributionError, match="not positive semi-definite"):
        SamplingPlan(names, n=10, seed=1, rank_correlation=c)


def test_bad_correlation_matrices():
    with pytest.raises(DistributionError, match="symmetric with ones on the diagonal"):
        check_correlation(np.array([[1.0, 0.5], [0.4, 1.0]]), ("a", "b"))
    with pytest.raises(DistributionError, match=r"must lie in \[-1, 1\]"):
        check_correlation(np.array([[1.0, 1.5], [1.5, 1.0]]), ("a", "b"))
    with pytest.raises(DistributionError, match=r"rank_correlation must be 2x2"):
        SamplingPlan(("a", "b"), n=10, seed=1, rank_correlation=np.eye(3))
