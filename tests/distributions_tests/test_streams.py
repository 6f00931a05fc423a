"""numpy's SeedSequence and PCG64 compiled (distributions/streams.py, distributions/pcg.py):
every state, draw and permutation must be numpy's own, bit for bit (the reference is
numpy's generator itself, built the slow way), for seeds and keys of every size, every
length (the four-lane loop has a remainder) and every offset (skipping ahead)."""

from __future__ import annotations

import numpy as np
import pytest

from distributions.base import TINY
from distributions.pcg import permutations_into, seed_sequence_words, uniforms_into
from distributions.streams import (
    draw_uniforms,
    generator,
    loaded,
    pcg64_state,
    pcg64_states,
    scratch_generator,
    state_words,
    stream_key,
)


def numpy_generator(seed, *key):
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


#: seeds and keys of 1, 2 and 3 32-bit words, zero, and keys of several parts
CASES = [(0,), (13, 0), (13, 5, 0), (2**70 + 3, 1, 2), (0, 0, 0), (2**32, 2**32 - 1),
         (5, stream_key("workload.requests_per_day"), 3), (1, 2, 3, 4, 5, 6),
         (2**128 + 1, 9), (7, 2**64 + 5), (3, 0x1C0C, 16383)]


def random_cases(count, rng):
    out = []
    for _ in range(count):
        seed = int(rng.integers(0, 2**63)) if rng.random() < 0.5 else int(rng.integers(0, 999))
        key = tuple(int(rng.integers(0, 2**63)) if rng.random() < 0.5
                    else int(rng.integers(0, 70_000)) for _ in range(int(rng.integers(0, 5))))
        out.append((seed, *key))
    return out


@pytest.mark.parametrize("case", CASES + random_cases(300, np.random.default_rng(1)))
def test_states_are_numpys(case):
    state = np.random.PCG64(np.random.SeedSequence(case[0], spawn_key=case[1:])).state
    assert pcg64_state(*case) == (state["state"]["state"], state["state"]["inc"])


def test_states_of_many_keys_at_once_are_each_keys_own():
    keys = [(stream_key(f"x{i}"), b) for i in range(5) for b in range(3)]
    assert pcg64_states(11, keys) == [pcg64_state(11, *k) for k in keys]
    assert pcg64_states(11, []) == []


def test_seed_sequence_words_are_generate_state():
    # entropy as SeedSequence assembles it: the seed padded to 4 words, then the key's words
    entropy = np.array([13, 0, 0, 0, 5, 7], dtype=np.uint32)
    words = seed_sequence_words(entropy, np.array([entropy.size]))[0]
    expected = np.random.SeedSequence(13, spawn_key=(5, 7)).generate_state(8, np.uint32)
    assert words.tolist() == expected.tolist()


def test_negative_seeds_are_refused_like_numpy():
    with pytest.raises(ValueError, match="non-negative"):
        pcg64_state(-1, 2)


def test_state_words_split_the_128_bit_numbers():
    assert state_words([((1 << 64) | 2, (3 << 64) | 4)]).tolist() == [[1, 2, 3, 4]]
    assert state_words([]).shape == (0, 4)


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 5, 7, 8, 1000, 16384, 16387])
@pytest.mark.parametrize("skip", [0, 1, 3, 4, 999, 12_345])
def test_draws_are_numpys_random(length, skip):
    keys = [(stream_key("a"), 0), (stream_key("b"), 7)]
    out = np.empty((2, length))
    draw_uniforms(pcg64_states(42, keys), skip, out)
    for row, key in zip(out, keys, strict=True):
        gen = numpy_generator(42, *key)
        gen.random(skip)
        np.testing.assert_array_equal(row, np.clip(gen.random(length), TINY, 1 - TINY))


def test_a_far_skip_is_numpys_advance():
    out = np.empty((1, 50))
    draw_uniforms(pcg64_states(3, [(9,)]), 2**40 + 3, out)
    gen = numpy_generator(3, 9)
    gen.bit_generator.advance(2**40 + 3)
    np.testing.assert_array_equal(out[0], gen.random(50))


def test_draws_are_clipped_to_the_bounds_given():
    """A generator's draws lie in [0, 1); with bounds inside, the clip shows (and a zero
    draw becomes TINY in the plans, where the bounds are [TINY, 1 - TINY])."""
    out = np.empty((1, 4000))
    uniforms_into(state_words(pcg64_states(5, [(1,)])), 0, 0.25, 0.75, out)
    np.testing.assert_array_equal(out[0], np.clip(numpy_generator(5, 1).random(4000),
                                                  0.25, 0.75))
    assert out.min() == 0.25 and out.max() == 0.75


def test_draws_into_strided_rows():
    """Rows of a column slice of a wider array (how a plan fills a chunk block by block)."""
    wide = np.zeros((2, 30))
    draw_uniforms(pcg64_states(1, [(1,), (2,)]), 0, wide[:, 10:20])
    assert (wide[:, :10] == 0).all() and (wide[:, 20:] == 0).all()
    np.testing.assert_array_equal(wide[1, 10:20], numpy_generator(1, 2).random(10))


def test_strided_rows_are_drawn_with_the_types_built_ahead_of_time(monkeypatch):
    """Each call fits the kernel's ahead-of-time signature (C-contiguous arrays): a strided
    (d, m) array would go to numba's dispatcher, importing numba in a process that has the
    build (sim.run(write=False) draws a study's rows into parts of one array)."""
    import distributions.pcg as pcg

    calls = []

    def fill(*args):
        calls.append(all(sig.fits(args) for sig in uniforms_into.signatures))
        uniforms_into(*args)

    monkeypatch.setattr(pcg, "uniforms_into", fill)
    wide = np.zeros((3, 30))
    draw_uniforms(pcg64_states(1, [(1,), (2,), (3,)]), 4, wide[:, 10:20])
    draw_uniforms(pcg64_states(1, [(1,), (2,), (3,)]), 4, wide[:, 20:])
    assert calls == [True] * 6
    np.testing.assert_array_equal(wide[2, 10:20], numpy_generator(1, 3).random(14)[4:])
    draw_uniforms(pcg64_states(1, [(1,)]), 0, np.empty((1, 5)))  # contiguous: one call
    assert len(calls) == 7 and calls[-1]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 100, 1023, 16384, 70_000])
def test_permutations_are_numpys(n):
    """numpy's shuffle, row after row from one generator (each row continues its draws;
    70,000 needs 17-bit masks, 16384 a mask that halves at each power of two)."""
    base = np.random.default_rng(n).random(n)
    out = np.empty((3, n))
    permutations_into(state_words(pcg64_states(8, [(n, 1)]))[0], base, out)
    gen = numpy_generator(8, n, 1)
    np.testing.assert_array_equal(out, np.array([gen.permutation(base) for _ in range(3)])
                                  .reshape(3, n))


def test_generators_reused_per_thread_start_where_numpys_start():
    a = scratch_generator(7, 3, 1).random(3)
    np.testing.assert_array_equal(a, numpy_generator(7, 3, 1).random(3))
    states = pcg64_states(7, [(3, 1), (3, 2)])
    np.testing.assert_array_equal(loaded(states[1]).standard_normal(5),
                                  numpy_generator(7, 3, 2).standard_normal(5))
    # a fresh generator for callers that keep it
    g = generator(7, 3, 1)
    assert g is not generator(7, 3, 1)
    np.testing.assert_array_equal(g.random(3), a)
