"""Sampling plans (MC, LHS, Sobol) on one path, and Iman–Conover rank correlation."""

from __future__ import annotations

import itertools
import math
import re
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
    check_correlation,
    check_method,
    iman_conover,
    rank_correlation_matrix,
    stream_key,
)
from distributions.sampling import SobolCursor

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


@pytest.mark.parametrize("start", [0, 1, 2, 3, 1000, 16384, 16385, 999_999])
def test_sobol_cursor_reads_the_public_sequence_in_any_order(start):
    """Each read equals scipy's scrambled sequence from that point, whatever came before."""
    def scipy_points(first, count):
        engine = qmc.Sobol(4, rng=np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(3, spawn_key=(9,)))))
        if first:
            engine.fast_forward(first)
        return engine.random(count)

    cursor = SobolCursor(4, 3, 9)
    np.testing.assert_array_equal(cursor.points(start, 64), scipy_points(start, 64))
    np.testing.assert_array_equal(cursor.points(start + 64, 8), scipy_points(start + 64, 8))
    np.testing.assert_array_equal(cursor.points(1, 8), scipy_points(1, 8))  # backwards


def test_sobol_plan_pickles_and_reads_on():
    import pickle

    plan = SamplingPlan(("a", "b"), n=64, seed=3, method="sobol")
    first = plan.rows(0, 32)
    clone = pickle.loads(pickle.dumps(plan))
    np.testing.assert_array_equal(clone.rows(32, 64), plan.rows(32, 64))
    np.testing.assert_array_equal(clone.rows(0, 32), first)


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
    achieved = rank_correlation_matrix(u)
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
    assert "(rank matrix, smallest eigenvalue -0.800)" in text
    with pytest.raises(DistributionError, match="not positive semi-definite"):
        SamplingPlan(names, n=10, seed=1, rank_correlation=c)


def test_bad_correlation_matrices():
    with pytest.raises(DistributionError, match=r"^correlation matrix must be symmetric with "
                                                r"ones on the diagonal$"):
        check_correlation(np.array([[1.0, 0.5], [0.4, 1.0]]), ("a", "b"))
    with pytest.raises(DistributionError, match=r"^rank correlations must lie in \[-1, 1\]$"):
        check_correlation(np.array([[1.0, 1.5], [1.5, 1.0]]), ("a", "b"))
    with pytest.raises(DistributionError, match=r"rank_correlation must be 2x2"):
        SamplingPlan(("a", "b"), n=10, seed=1, rank_correlation=np.eye(3))


def test_rank_matrix_valid_but_its_normal_scores_not():
    """Iman–Conover induces 2 sin(pi c / 6) on normal scores; that matrix can fail to be
    positive semi-definite when the rank matrix itself is (smallest eigenvalues here:
    +0.008 and -0.009)."""
    c = np.array([[1.0, 0.52, 0.03], [0.52, 1.0, 0.86], [0.03, 0.86, 1.0]])
    assert np.linalg.eigvalsh(c)[0] > 0
    smallest = np.linalg.eigvalsh(2 * np.sin(np.pi * c / 6))[0]
    assert f"{smallest:.3f}" == "-0.009"
    with pytest.raises(DistributionError, match=re.escape(
            "(normal-score matrix, smallest eigenvalue -0.009): they contradict each other "
            "among a ~ b (+0.52); a ~ c (+0.03); b ~ c (+0.86); weaken one of them")):
        check_correlation(c, ("a", "b", "c"))


def test_semidefinite_target_two_inputs_moving_together():
    """b and c perfectly rank-correlated, each 0.5 with a: a singular target whose computed
    smallest eigenvalue is -1e-16 (clipped to 0, never a NaN square root)."""
    c = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 1.0], [0.5, 1.0, 1.0]])
    n = 1 << 15
    u = SamplingPlan(("a", "b", "c"), n=n, seed=4, rank_correlation=c).rows(0, n)
    achieved = rank_correlation_matrix(u)
    assert achieved[1, 2] > 0.999
    for j in (1, 2):
        assert abs(achieved[0, j] - 0.5) < 4 * spearman_se(0.5, n)


def test_identity_target_leaves_every_row_alone():
    u = np.random.default_rng(0).random((3, 100))
    np.testing.assert_array_equal(iman_conover(u, np.eye(3), rng=np.random.default_rng(1)), u)


def test_iman_conover_needs_more_than_k_plus_one_rows():
    """Two correlated rows need n >= 4 samples; a last block of 3 stays independent, and so
    does one of 4 whose two random score orders are collinear (no Cholesky factor)."""
    target = 2 * np.sin(np.pi * corr(0.9) / 6)
    u = np.random.default_rng(0).random((2, 3))
    np.testing.assert_array_equal(iman_conover(u, target, rng=np.random.default_rng(1)), u)
    changed = 0
    for seed in range(10):
        u = np.random.default_rng(seed).random((2, 4))
        v = iman_conover(u, target, rng=np.random.default_rng(seed))
        np.testing.assert_array_equal(np.sort(v, axis=1), np.sort(u, axis=1))
        changed += not np.array_equal(u, v)
    assert changed > 0


#: The first two samples and the last of a plan of 16,390 (two blocks), seed 7: a seed
#: means the same draws in every version (explicit reproducibility values, from the seed).
GOLDEN = {
    ("mc", False): [0.103045045458, 0.976857820388, 0.631797822305, 0.858829593808,
                    0.598207027507, 0.434307000272],
    ("mc", True): [0.213487044315, 0.519339013437, 0.155338489591, 0.653796319275,
                   0.256019694745, 0.542233587489],
    ("lhs", False): [0.046783029431, 0.350026035668, 0.289438768512, 0.477446337539,
                     0.848958455705, 0.872047102524],
    ("lhs", True): [0.215484124935, 0.5245678552, 0.053239477072, 0.658440964468,
                    0.255872863922, 0.637260820015],
    ("sobol", False): [0.443753249943, 0.750275278464, 0.740384776145, 0.699296222068,
                       0.25146942772, 0.271449872293],
    ("sobol", True): [0.215454647318, 0.524541565217, 0.046905582771, 0.658404264599,
                      0.255877776071, 0.55132138636],
}


@pytest.mark.parametrize(("method", "correlated"), list(GOLDEN))
def test_a_seed_means_the_same_draws_in_every_version(method, correlated):
    n = 16390
    u = SamplingPlan(("a", "b"), n=n, seed=7, method=method,
                     rank_correlation=corr(0.6) if correlated else None).rows(0, n)
    np.testing.assert_allclose(u[:, [0, 1, n - 1]].ravel(), GOLDEN[method, correlated],
                               rtol=1e-9)


def test_a_small_last_block_never_breaks_a_run():
    """16,388 samples: a last block of 4 rows, where two random orders of 4 scores are
    collinear for 1 seed in 12; every seed must still give a plan."""
    for seed in range(40):
        plan = SamplingPlan(("a", "b"), n=16388, seed=seed, rank_correlation=corr(0.6))
        u = plan.block(1)
        assert u.shape == (2, 4) and np.all((u > 0) & (u < 1))


def test_contradiction_messages_name_only_stated_pairs():
    # b and c are unrelated (0): not a pair to weaken; eigenvalues 1 - 0.8 sqrt(2) < 0
    c = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.0], [0.8, 0.0, 1.0]])
    with pytest.raises(DistributionError, match=re.escape(
            "(rank matrix, smallest eigenvalue -0.131): they contradict each other among "
            "a ~ b (+0.80); a ~ c (+0.80); weaken one of them")):
        check_correlation(c, ("a", "b", "c"))
    # 30 inputs each -0.1 with every other: the contradiction is spread over all of them
    # (eigenvalue 1 - 29 x 0.1 = -1.9), no pair stands out
    d = 30
    c = np.full((d, d), -0.1)
    np.fill_diagonal(c, 1.0)
    with pytest.raises(DistributionError, match=re.escape(
            "(rank matrix, smallest eigenvalue -1.900): they contradict each other among "
            "the stated pairs; weaken one of them")):
        check_correlation(c, tuple(f"x{i}" for i in range(d)))


def test_iman_conover_corrects_the_scores_own_correlation():
    """The random score orders have a sample correlation of their own (~1/sqrt(n)); the
    correction (the inverse Cholesky factor of it) removes it, so the rank correlation
    reached is much closer to the target than independent sampling would be: over 40 seeds
    of 2,000 rows, an rms error below 0.6 of the Fieller-Hartley-Pearson se (about 0.3 with
    the correction; about 1, the sampling error itself, without it)."""
    rho, n = 0.6, 2000
    target = 2 * np.sin(np.pi * np.array([[1.0, rho], [rho, 1.0]]) / 6)
    errors = []
    for seed in range(40):
        u = np.random.default_rng(seed).random((2, n))
        v = iman_conover(u, target, rng=np.random.default_rng(100 + seed))
        errors.append(spearmanr(v[0], v[1]).statistic - rho)
    rms = math.sqrt(float(np.mean(np.square(errors))))
    assert rms < 0.6 * spearman_se(rho, n)


def test_sobol_cursor_reads_on_without_restarting():
    """A read that starts where the last ended goes on with the same engine (blocks in order
    cost O(n) in all); one that starts before it restarts the sequence."""
    cursor = SobolCursor(2, 0)
    cursor.points(0, 8)
    engine = cursor._engine
    cursor.points(8, 8)
    assert cursor._engine is engine
    cursor.points(4, 4)
    assert cursor._engine is not engine


# -- the same uniforms as the plain implementation before the compiled one ----------------

def old_iman_conover(u, pearson, rng):
    """Iman–Conover as it was written before (numpy's permutation and argsort)."""
    from scipy import special

    n = u.shape[1]
    off = pearson != 0
    np.fill_diagonal(off, False)
    active = np.flatnonzero(np.any(off, axis=1))
    k = active.size
    if k == 0 or n <= k + 1:
        return u
    base = special.ndtri(np.arange(1, n + 1) / (n + 1.0))
    scores = np.array([rng.permutation(base) for _ in range(k)])
    actual = np.corrcoef(scores) if k > 1 else np.ones((1, 1))
    try:
        q_inv = np.linalg.inv(np.linalg.cholesky(actual))
    except np.linalg.LinAlgError:
        return u
    vals, vecs = np.linalg.eigh(pearson[np.ix_(active, active)])
    root = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    adjusted = root @ (q_inv @ scores)
    out = u.copy()
    for i, j in enumerate(active):
        out[j, np.argsort(adjusted[i])] = np.sort(u[j])
    return out


def old_rows(plan, start, stop):
    """A plan's rows as the code before this one drew them: a numpy generator per input
    and block, whole blocks, clipped, then Iman–Conover, then cut and joined."""
    def gen(*key):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(plan.seed,
                                                                          spawn_key=key)))
    parts = []
    for b in range(start // plan.block_size, (stop - 1) // plan.block_size + 1):
        b_start, b_stop = plan.block_bounds(b)
        length = b_stop - b_start
        u = np.empty((len(plan.names), length))
        for j, name in enumerate(plan.names):
            g = gen(stream_key(name), b)
            u[j] = (g.random(length) if plan.method == "mc"
                    else (g.permutation(length) + g.random(length)) / length)
        np.clip(u, TINY, 1.0 - TINY, out=u)
        if plan._pearson is not None:
            u = old_iman_conover(u, plan._pearson, gen(0x1C0C, b))
        parts.append(u[:, max(start, b_start) - b_start:min(stop, b_stop) - b_start])
    return np.concatenate(parts, axis=1)


@pytest.mark.parametrize("method", ["mc", "lhs"])
@pytest.mark.parametrize("rho", [None, 0.6])
@pytest.mark.parametrize("threads", [1, 2])
def test_rows_are_the_plain_implementations(method, rho, threads):
    """Whole plans and parts that start and stop inside blocks, with a last short block,
    on one thread or two."""
    c = None if rho is None else np.array([[1.0, rho, 0.0, 0.0], [rho, 1.0, -0.3, 0.0],
                                           [0.0, -0.3, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    plan = SamplingPlan(("a", "b", "c", "d"), n=3000, seed=2**40 + 9, method=method,
                        rank_correlation=c, block_size=1024)
    for start, stop in [(0, 3000), (5, 1024), (1000, 2100), (2047, 2049), (2999, 3000),
                        (700, 700)]:
        np.testing.assert_array_equal(plan.rows(start, stop, threads=threads),
                                      old_rows(plan, start, stop) if stop > start
                                      else np.empty((4, 0)))


def test_iman_conover_from_a_state_is_iman_conover_from_its_generator():
    from distributions.correlate import iman_conover_into
    from distributions.streams import generator, pcg64_states, state_words

    u = np.random.default_rng(3).random((3, 5000))
    target = 2 * np.sin(np.pi * corr(0.7, 3) / 6)
    expected = iman_conover(u, target, rng=generator(5, 77))
    inplace = u.copy()
    assert iman_conover_into(inplace, target, state=state_words(pcg64_states(5, [(77,)]))[0])
    np.testing.assert_array_equal(inplace, expected)
    np.testing.assert_array_equal(expected, old_iman_conover(u, target, generator(5, 77)))


def test_place_by_rank_is_argsort_or_declines():
    from distributions.correlate import place_by_rank

    rng = np.random.default_rng(0)
    for n in (2, 3, 100, 16384):
        x = rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n)
        values = np.sort(rng.random(n))
        out, expected = np.zeros(n), np.zeros(n)
        expected[np.argsort(x)] = values
        assert place_by_rank(x, values, out)
        np.testing.assert_array_equal(out, expected)
    # where the order is not unique or cannot be read from the keys: declines, out untouched
    near = 1.0 + np.arange(4) * 2.0**-52  # differ only in the lowest bits the index takes
    for x in (np.array([1.0, 1.0, 0.0]), np.array([0.0, -0.0, 1.0]),
              np.array([np.nan, 1.0, 2.0]), near[::-1].copy(), np.array([1.0])):
        out = np.full(x.size, 7.0)
        assert not place_by_rank(x, np.arange(x.size, dtype=float), out)
        assert (out == 7.0).all()


def test_iman_conover_falls_back_to_argsort(monkeypatch):
    """When the fast rank order declines (ties), numpy's argsort places the values: the
    same result on values without ties."""
    import distributions.correlate as ic

    u = np.random.default_rng(4).random((2, 3000))
    target = 2 * np.sin(np.pi * corr(0.5) / 6)
    fast = iman_conover(u, target, rng=np.random.default_rng(9))
    monkeypatch.setattr(ic, "place_by_rank", lambda *a: False)
    np.testing.assert_array_equal(iman_conover(u, target, rng=np.random.default_rng(9)), fast)
    assert not np.array_equal(fast, u)
