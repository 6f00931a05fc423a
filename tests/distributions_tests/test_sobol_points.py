"""Scrambled Sobol' points in numpy alone: scipy's engine, bit for bit, generator included."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

import distributions.sobol_points as sp
from distributions import scrambled_sobol
from distributions.sobol_points import BITS, MAX_DIM, direction_numbers


def _next_draws(gen: np.random.Generator) -> tuple[object, ...]:
    """What a generator is left with: its state, its next draw, its next spawned child's."""
    return (gen.bit_generator.state, gen.spawn(1)[0].integers(1 << 62),
            gen.integers(1 << 62))


def test_direction_numbers_are_scipys_in_every_dimension():
    # scipy's public points show only the first columns of the direction numbers (2^30
    # points for all 30): compare with the unscrambled engine's table itself
    ours = direction_numbers(MAX_DIM)
    assert ours.shape == (MAX_DIM, BITS) and ours.dtype == np.uint32
    np.testing.assert_array_equal(ours, qmc.Sobol(MAX_DIM, scramble=False)._sv)


def test_direction_numbers_by_hand():
    # Bratley & Fox's recursion on Joe & Kuo's initial numbers. Dimension 2: x + 1 (s = 1,
    # m_1 = 1), m_j = 2 m_{j-1} ^ m_{j-1}: 1, 2^1 = 3, 6^3 = 5, 10^5 = 15, 30^15 = 17.
    # Dimension 3: x^2 + x + 1 (s = 2, m_1 = 1, m_2 = 3), m_j = 2 m_{j-1} ^ 4 m_{j-2} ^ m_{j-2}
    m = direction_numbers(3).astype(np.int64) >> (BITS - 1 - np.arange(BITS))
    assert m[0, :5].tolist() == [1, 1, 1, 1, 1]
    assert m[1, :5].tolist() == [1, 3, 5, 15, 17]
    # m_3 = 2*3 ^ 4*1 ^ 1 = 6 ^ 4 ^ 1 = 3; m_4 = 2*3 ^ 4*3 ^ 3 = 6 ^ 12 ^ 3 = 9
    assert m[2, :4].tolist() == [1, 3, 3, 9]
    assert not direction_numbers(3).flags.writeable  # cached: nobody may change it


@pytest.mark.parametrize("d", [1, 2, 3, 7, 16, 25, 40, 80])
@pytest.mark.parametrize("m", [0, 1, 4, 12])
@pytest.mark.parametrize("seed", [0, 20260601])
def test_points_and_generator_equal_scipys(d, m, seed):
    ref_gen, gen = np.random.default_rng(seed), np.random.default_rng(seed)
    ref = qmc.Sobol(d, scramble=True, rng=ref_gen).random_base2(m)
    got = scrambled_sobol(d, m, rng=gen)
    assert got.dtype == ref.dtype == np.float64 and got.shape == ref.shape == (1 << m, d)
    np.testing.assert_array_equal(got, ref)
    assert _next_draws(gen) == _next_draws(ref_gen)


def test_a_generator_from_a_seed_sequence_with_a_spawn_key():
    # the report's generator: SeedSequence(seed, spawn_key=(key,)), then a bootstrap from it
    def gen():
        return np.random.default_rng(np.random.SeedSequence(7, spawn_key=(0x5E75,)))

    ref_gen, ours = gen(), gen()
    np.testing.assert_array_equal(scrambled_sobol(12, 9, rng=ours),
                                  qmc.Sobol(12, rng=ref_gen).random_base2(9))
    assert _next_draws(ours) == _next_draws(ref_gen)


def test_an_int_seed_is_a_generator_seeded_with_it():
    np.testing.assert_array_equal(scrambled_sobol(5, 6, rng=3),
                                  qmc.Sobol(5, rng=np.random.default_rng(3)).random_base2(6))


def test_every_elementary_interval_of_two_dimensions_holds_one_point():
    # the first two dimensions form a (0, m, 2)-net in base 2, and a scramble keeps it: every
    # box of 2^-a x 2^-(m-a) holds exactly one of the 2^m points
    m = 8
    x = scrambled_sobol(2, m, rng=np.random.default_rng(11))
    for a in range(m + 1):
        cells = (np.floor(x[:, 0] * 2**a) * 2 ** (m - a) + np.floor(x[:, 1] * 2 ** (m - a)))
        assert np.array_equal(np.sort(cells), np.arange(1 << m)), a
    assert ((x >= 0) & (x < 1)).all()


def test_different_generators_scramble_differently():
    a = scrambled_sobol(3, 4, rng=np.random.default_rng(1))
    b = scrambled_sobol(3, 4, rng=np.random.default_rng(2))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize(("d", "m", "match"), [
    (0, 3, r"d=0 must lie in 1\.\.21201"),
    (MAX_DIM + 1, 3, r"d=21202 must lie in 1\.\.21201"),
    (2, -1, r"m=-1 must lie in 0\.\.30 \(at most 2\*\*30 points\)"),
    (2, 31, r"m=31 must lie in 0\.\.30"),
])
def test_bad_sizes_are_named(d, m, match):
    with pytest.raises(ValueError, match=match):
        scrambled_sobol(d, m, rng=0)


def test_without_scipys_data_file_scipys_engine_gives_the_same_points(monkeypatch):
    def missing():
        raise FileNotFoundError("no data file")

    monkeypatch.setattr(sp, "_data_file", missing)
    direction_numbers.cache_clear()
    try:
        with pytest.raises(FileNotFoundError):
            direction_numbers(4)
        got = scrambled_sobol(4, 5, rng=np.random.default_rng(9))
    finally:
        direction_numbers.cache_clear()
    np.testing.assert_array_equal(got, qmc.Sobol(4, rng=np.random.default_rng(9))
                                  .random_base2(5))
