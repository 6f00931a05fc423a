"""Named random streams: the generator of ``SeedSequence(seed, spawn_key=key)``, fast.

Every block of every input draws from its own generator, ``PCG64(SeedSequence(seed,
spawn_key=key))`` (:mod:`distributions.sampling`). numpy builds one in about 17 us, most
of it Python-level work in SeedSequence; a 32K-sample chunk of a 20-input study needs 40
of them. :func:`pcg64_state` computes the same starting state (SeedSequence's hash
mixing compiled, then PCG64's seeding steps), and :func:`generator` puts it into a
generator kept per thread, in about 3 us. numpy's own Generator then draws, so the
numbers are numpy's, bit for bit (the tests compare the states with numpy's for many
keys, and the draws).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from distributions.base import TINY

__all__ = ["draw_uniforms", "generator", "loaded", "pcg64_state", "pcg64_states",
           "scratch_generator", "state_words", "stream_key"]

_MASK32 = 0xFFFFFFFF
_MASK64 = (1 << 64) - 1
_POOL = 4  # SeedSequence's pool size (32-bit words)
# PCG64's 128-bit multiplier (pcg64.h, PCG_DEFAULT_MULTIPLIER_128)
_PCG_MULT = (2549297995355413924 << 64) + 4865540595714422341
_MASK128 = (1 << 128) - 1


def stream_key(name: str) -> int:
    """A stable 63-bit integer naming an input's random stream (same on every machine).

    Examples
    --------
    >>> stream_key("workload.requests_per_day") == stream_key("workload.requests_per_day")
    True
    """
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") >> 1


def _compiled() -> Any:
    """distributions.pcg, imported at the first draw."""
    global _COMPILED
    if _COMPILED is None:
        # compiled kernels (distributions.pcg): imported once something is drawn
        from distributions import pcg

        _COMPILED = pcg
    return _COMPILED


_COMPILED: Any = None


def _words(n: int) -> list[int]:
    """SeedSequence's 32-bit words of a non-negative integer, least significant first."""
    if n < 0:
        raise ValueError(f"seed and keys must be non-negative integers, got {n}")
    out = [0] if n == 0 else []
    while n > 0:
        out.append(n & _MASK32)
        n >>= 32
    return out


def pcg64_states(seed: int, keys: Sequence[tuple[int, ...]]) -> list[tuple[int, int]]:
    """The 128-bit ``(state, inc)`` of ``PCG64(SeedSequence(seed, spawn_key=key))`` for
    each key (one compiled call for all of them).

    Examples
    --------
    >>> s = np.random.PCG64(np.random.SeedSequence(7, spawn_key=(3, 1))).state["state"]
    >>> pcg64_states(7, [(3, 1)]) == [(s["state"], s["inc"])]
    True
    """
    run = _words(seed)
    flat: list[int] = []
    ends = []
    for key in keys:
        spawn = [w for k in key for w in _words(k)]
        # numpy pads the entropy to the pool size when there is a spawn key
        flat += run + [0] * (_POOL - len(run)) + spawn if spawn else run
        ends.append(len(flat))
    words = _compiled().seed_sequence_words(np.array(flat, dtype=np.uint32),
                                            np.array(ends, dtype=np.int64)).tolist()
    out = []
    for w in words:
        # generate_state(4, uint64): the words in little-endian pairs, seed then sequence
        s = ((w[0] | w[1] << 32) << 64) | (w[2] | w[3] << 32)
        inc = ((((w[4] | w[5] << 32) << 64) | (w[6] | w[7] << 32)) << 1 | 1) & _MASK128
        # pcg_setseq_128_srandom_r: state 0, step (gives inc), add the seed, step
        out.append((((inc + s) * _PCG_MULT + inc) & _MASK128, inc))
    return out


def pcg64_state(seed: int, *key: int) -> tuple[int, int]:
    """:func:`pcg64_states` of one key.

    Examples
    --------
    >>> s = np.random.PCG64(np.random.SeedSequence(7, spawn_key=(3, 1))).state["state"]
    >>> pcg64_state(7, 3, 1) == (s["state"], s["inc"])
    True
    """
    return pcg64_states(seed, [key])[0]


def generator(seed: int, *key: int) -> np.random.Generator:
    """A new ``Generator(PCG64(SeedSequence(seed, spawn_key=key)))`` (numpy's own, for
    callers that keep it, e.g. a Sobol engine).

    Examples
    --------
    >>> g = generator(7, 3, 1).random(2)
    >>> bool((g == np.random.default_rng(np.random.SeedSequence(7, spawn_key=(3, 1)))
    ...       .random(2)).all())
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


_LOCAL = threading.local()


def draw_uniforms(states: Sequence[tuple[int, int]], skip: int, out: np.ndarray) -> None:
    """``out[j]``: draws ``skip`` to ``skip + m - 1`` of ``random()`` of the generator in
    ``states[j]`` (from :func:`pcg64_states`), clipped to ``[TINY, 1 - TINY]`` (``out`` is
    (d, m) with contiguous rows): numpy's numbers, compiled (:mod:`distributions.pcg`).

    Examples
    --------
    >>> out = np.empty((1, 3))
    >>> draw_uniforms(pcg64_states(7, [(3, 1)]), 2, out)
    >>> bool((out[0] == generator(7, 3, 1).random(5)[2:]).all())
    True
    """
    words = state_words(states)
    fill = _compiled().uniforms_into
    if out.flags.c_contiguous:
        fill(words, skip, TINY, 1.0 - TINY, out)
        return
    # rows of a wider array (a part of a study's draws): row by row, as each (1, m) row is
    # C-contiguous, so the kernel built ahead of time takes it (a strided 2-d array would
    # need numba's dispatcher, and numba imported, for the same numbers)
    for j in range(out.shape[0]):
        fill(words[j:j + 1], skip, TINY, 1.0 - TINY, out[j:j + 1])


def state_words(states: Sequence[tuple[int, int]]) -> np.ndarray:
    """``(state, inc)`` pairs as the rows ``(state_hi, state_lo, inc_hi, inc_lo)`` of uint64
    words that :mod:`distributions.pcg` takes.

    Examples
    --------
    >>> state_words([(5 << 64 | 6, 7)]).tolist()
    [[5, 6, 0, 7]]
    """
    return np.array([(s >> 64, s & _MASK64, i >> 64, i & _MASK64) for s, i in states],
                    dtype=np.uint64).reshape(-1, 4)


def scratch_generator(seed: int, *key: int) -> np.random.Generator:
    """The generator of ``SeedSequence(seed, spawn_key=key)``, at its start: draws the same
    numbers as :func:`generator` but is this thread's one reused object (see
    :func:`loaded`).

    Examples
    --------
    >>> a = scratch_generator(7, 3, 1).random(3)
    >>> bool((a == generator(7, 3, 1).random(3)).all())
    True
    """
    return loaded(pcg64_state(seed, *key))


def loaded(state: tuple[int, int]) -> np.random.Generator:
    """This thread's reused PCG64 generator, set to ``state`` (``(state, inc)`` from
    :func:`pcg64_states`): valid only until the next call in the same thread, so use it
    at once and never keep it.

    Examples
    --------
    >>> s = pcg64_states(7, [(3, 1), (3, 2)])
    >>> a = loaded(s[1]).random(2)
    >>> bool((a == generator(7, 3, 2).random(2)).all())
    True
    """
    gen = getattr(_LOCAL, "gen", None)
    if gen is None:
        gen = _LOCAL.gen = np.random.Generator(np.random.PCG64(0))
    gen.bit_generator.state = {"bit_generator": "PCG64",
                               "state": {"state": state[0], "inc": state[1]},
                               "has_uint32": 0, "uinteger": 0}
    return gen
