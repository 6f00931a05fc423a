"""Scrambled Sobol' points without scipy.stats: ``scipy.stats.qmc.Sobol(d, scramble=True,
rng=gen).random_base2(m)`` bit for bit, in numpy alone.

scipy.stats takes about 0.6 s and 44 MiB to import: an eighth of the wall time of a
10^6-sample ``ftrisk run`` and more memory than its budget leaves, for a (2^12, 2d) design
that numpy builds in a millisecond. The points are scipy's, to the last bit, and so is what
the generator is left with (a test holds both against scipy):

- Joe and Kuo's direction numbers (search criterion D(6), 21201 dimensions), read from the
  data file scipy ships with its Sobol' engine (``scipy/stats/_sobol_direction_numbers.npz``;
  loading it does not import scipy.stats), extended to 30 bits by the Bratley-Fox
  recursion;
- the scramble (Matousek's left linear matrix scramble and a digital shift) draws from a
  generator spawned from ``rng``'s seed sequence, as scipy does: the shift's bits first,
  then the lower-triangular matrices. ``rng``'s state is not drawn from; its seed sequence
  has spawned one more child;
- the points come in Gray-code order (Antonov-Saleev), the first one being the shift.

Should a scipy no longer ship the data file, :func:`scrambled_sobol` falls back to scipy's
engine (same points, scipy's import cost).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
UIntArray = NDArray[np.uint32]

#: Bits of every coordinate (scipy's default): at most 2**30 points.
BITS = 30
#: Dimensions the direction numbers cover.
MAX_DIM = 21201
_DATA = "_sobol_direction_numbers.npz"


def _data_file() -> Path:
    """scipy's file of direction numbers (found without importing scipy.stats)."""
    spec = importlib.util.find_spec("scipy.stats")  # imports scipy, not scipy.stats
    places = [] if spec is None else list(spec.submodule_search_locations or [])
    for place in places:
        path = Path(place) / _DATA
        if path.is_file():
            return path
    raise FileNotFoundError(f"scipy's {_DATA} was not found in {places}")


@functools.lru_cache(maxsize=4)
def direction_numbers(d: int) -> UIntArray:
    """The first ``d`` dimensions' direction numbers, shape (d, :data:`BITS`), each scaled
    to its bit (column j holds the multiple of ``2**(BITS - 1 - j)``): scipy's unscrambled
    ``Sobol(d)._sv``.

    Row 0 is the van der Corput sequence; row i > 0 starts with the file's initial numbers
    ``m_1 .. m_s`` (s the degree of the row's primitive polynomial) and continues with the
    Bratley-Fox recursion ``m_j = m_{j-s} ^ 2^s m_{j-s} ^ XOR_k a_k 2^k m_{j-k}``. Read-only
    (cached).

    Raises
    ------
    FileNotFoundError
        scipy's data file is missing.

    Examples
    --------
    >>> v = direction_numbers(2).astype(np.int64)
    >>> (v >> (BITS - 1 - np.arange(BITS)))[:, :5].tolist()  # m_j of dimensions 1 and 2
    [[1, 1, 1, 1, 1], [1, 3, 5, 15, 17]]
    """
    if not 1 <= d <= MAX_DIM:
        raise ValueError(f"d={d} must lie in 1..{MAX_DIM}")
    with np.load(_data_file()) as data:
        poly = data["poly"][:d].astype(np.uint64)
        vinit = data["vinit"][:d].astype(np.uint64)
    deg = np.array([int(p).bit_length() - 1 for p in poly])
    v = np.zeros((d, BITS), np.uint64)
    v[0] = 1
    rows = np.arange(1, d)
    s, p = deg[rows], poly[rows]
    for j in range(BITS):
        recur = v[rows, np.maximum(j - s, 0)]  # m_{j-s}
        for k in range(vinit.shape[1]):
            # coefficient k of the polynomial (from its top) times 2^(k+1) m_{j-k-1}
            a = (k < s) & (((p >> np.maximum(s - 1 - k, 0).astype(np.uint64)) & 1) == 1)
            recur ^= np.where(a, v[rows, max(j - k - 1, 0)] << np.uint64(k + 1), 0
                              ).astype(np.uint64)
        v[rows, j] = np.where(j < s, vinit[rows, min(j, vinit.shape[1] - 1)], recur)
    v <<= (BITS - 1 - np.arange(BITS)).astype(np.uint64)
    out = v.astype(np.uint32)
    out.setflags(write=False)
    return out


def _scramble(v: UIntArray, gen: np.random.Generator) -> tuple[UIntArray, UIntArray]:
    """Scrambled direction numbers and the digital shift, drawn as scipy draws them."""
    d = v.shape[0]
    child = gen.spawn(1)[0]
    shift = np.dot(child.integers(2, size=(d, BITS), dtype=np.uint32),
                   2 ** np.arange(BITS, dtype=np.uint32))
    ltm = np.tril(child.integers(2, size=(d, BITS, BITS), dtype=np.uint32))
    ltm[:, np.arange(BITS), np.arange(BITS)] = 1
    # bit i of a number, most significant first; the scrambled number's bit p is the parity
    # of row p of the matrix with the original's bits (a product over GF(2))
    top_first = (BITS - 1 - np.arange(BITS)).astype(np.uint32)
    bits = (v[:, :, None] >> top_first) & 1                   # (d, j, i)
    parity = np.matmul(bits, ltm.transpose(0, 2, 1)) & 1      # (d, j, p)
    sv = np.bitwise_or.reduce(parity << top_first, axis=2).astype(np.uint32)
    return sv, shift.astype(np.uint32)


def scrambled_sobol(d: int, m: int, *, rng: np.random.Generator | int | None = None
                    ) -> FloatArray:
    """The first ``2**m`` points of a scrambled Sobol' sequence in ``[0, 1)^d``: the points
    of ``scipy.stats.qmc.Sobol(d, scramble=True, rng=rng).random_base2(m)``.

    Parameters
    ----------
    d : int
        Dimensions, 1 to :data:`MAX_DIM`.
    m : int
        Base-2 logarithm of the number of points, 0 to :data:`BITS`.
    rng : numpy.random.Generator, int or None
        The scramble comes from a generator spawned from its seed sequence (scipy's way):
        a Generator is not drawn from, its seed sequence spawns one child.

    Returns
    -------
    ndarray, shape (2**m, d)
        The points, multiples of ``2**-30``.

    Examples
    --------
    >>> x = scrambled_sobol(2, 3, rng=np.random.default_rng(0))
    >>> x.shape
    (8, 2)
    >>> np.sort(np.floor(x[:, 0] * 8)).tolist()  # one point in each eighth
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    """
    if not 0 <= m <= BITS:
        raise ValueError(f"m={m} must lie in 0..{BITS} (at most 2**{BITS} points)")
    gen = np.random.default_rng(rng)
    try:
        v = direction_numbers(d)
    except FileNotFoundError:
        # a scipy without the data file: its engine, and its import (~0.6 s, 44 MiB)
        from scipy.stats import qmc

        return np.asarray(qmc.Sobol(d, scramble=True, rng=gen).random_base2(m))
    sv, shift = _scramble(v, gen)
    n = 1 << m
    x = np.empty((n, d), np.uint32)
    x[0] = shift
    for b in range(m):
        # Gray-code order: the second half of the first 2h points mirrors the first half,
        # with bit b set (reflected Gray code)
        h = 1 << b
        np.bitwise_xor(x[h - 1::-1], sv[:, b], out=x[h:2 * h])
    return np.multiply(x, 1.0 / (1 << BITS), dtype=np.float64)
