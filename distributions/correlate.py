"""Iman–Conover rank correlation: rows of uniforms re-paired so their normal scores have a
target correlation (Iman & Conover 1982), each row keeping exactly its values.

Used by the sampling plans block by block (:mod:`distributions.sampling`), in place.
A plan's score permutations come from its own stream, drawn compiled
(:func:`distributions.pcg.permutations_into`: numpy's shuffle, bit for bit), and each
row's ranks from a sort of packed keys, checked (:func:`place_by_rank`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["iman_conover", "iman_conover_into", "place_by_rank"]

FloatArray = NDArray[np.float64]


def iman_conover(u: FloatArray, pearson: FloatArray, *, rng: np.random.Generator) -> FloatArray:
    """Rearrange each row of ``u`` so the rows' normal scores have correlation ``pearson``.

    Iman & Conover (1982): build van der Waerden scores, randomly permuted per variable,
    transform them to have exactly the target correlation, then reorder each variable's
    values to follow the ranks of its transformed scores. Each row keeps exactly its values
    (marginals are unchanged); only the pairing between rows changes. Rows whose target row
    is the identity are left untouched. To reach a Spearman correlation ``rho``, pass
    ``2 sin(pi rho / 6)`` (the normal-score correlation with that rank correlation).

    Parameters
    ----------
    u : ndarray, shape (d, n)
        Values, one variable per row.
    pearson : ndarray, shape (d, d)
        Target correlation of the normal scores; must be positive semi-definite.
    rng : numpy.random.Generator
        For the random permutations of the scores.

    Returns
    -------
    ndarray, shape (d, n)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> u = rng.random((2, 10_000))
    >>> target = 2 * np.sin(np.pi * np.array([[1, 0.7], [0.7, 1]]) / 6)
    >>> v = iman_conover(u, target, rng=rng)
    >>> from scipy.stats import spearmanr
    >>> round(float(spearmanr(v[0], v[1]).statistic), 2)
    0.7
    >>> bool((np.sort(v[1]) == np.sort(u[1])).all())
    True
    """
    out = u.copy()
    return out if iman_conover_into(out, pearson, rng=rng) else u


@lru_cache(maxsize=4)
def _van_der_waerden(n: int) -> FloatArray:
    """The normal scores ``Phi^-1(i / (n + 1))``, i = 1..n (read-only: shared), by the
    compiled AS 241 (:func:`distributions.compiled.ndtri`: within a few units in the last
    place of ``scipy.special.ndtri``, without importing scipy.special)."""
    # compiled kernels (distributions.compiled): imported once something is drawn
    from distributions.compiled import ndtri

    base = np.asarray(ndtri(np.arange(1, n + 1) / (n + 1.0)), dtype=np.float64)
    base.flags.writeable = False
    return base


def place_by_rank(x: FloatArray, values: FloatArray, out: FloatArray) -> bool:
    """``out[np.argsort(x)] = values`` (``values`` sorted: the element of ``x`` with rank
    r gets ``values[r]``) by a faster path, when ``x`` has no ties; False, with ``out``
    untouched, when that path cannot decide (then use ``np.argsort``).

    When no two values are equal the sorting permutation is unique, so any correct sort
    gives numpy's argsort. Each value becomes an order-preserving 64-bit key whose lowest
    bits are replaced by its index; the keys are sorted (numpy's sort of integers, much
    faster than its argsort) and the order read from their low bits, then checked: if
    the values taken in that order are not strictly increasing (ties, two values so
    close that their keys lost the difference, a NaN), the answer is False.

    Examples
    --------
    >>> out = np.zeros(4)
    >>> place_by_rank(np.array([0.3, -1.0, 2.0, 0.0]), np.array([1.0, 2.0, 3.0, 4.0]), out)
    True
    >>> out.tolist()
    [3.0, 1.0, 4.0, 2.0]
    >>> place_by_rank(np.array([1.0, 1.0, 0.0]), np.ones(3), out[:3])
    False
    """
    # compiled kernels (distributions.compiled): imported once something is drawn
    from distributions.compiled import order_keys, place_sorted

    n = x.size
    if n < 2:
        return False
    x = np.ascontiguousarray(x, dtype=np.float64)
    bits = max(1, (n - 1).bit_length())
    keys = np.empty(n, dtype=np.uint64)
    order_keys(x, bits, keys)
    keys.sort()
    return bool(place_sorted(keys, bits, x, values, out))


def iman_conover_into(u: FloatArray, pearson: FloatArray, *,
                      rng: np.random.Generator | None = None,
                      state: NDArray[np.uint64] | None = None) -> bool:
    """:func:`iman_conover` in place (rows of ``u`` may be strided), its permutations from
    ``rng`` or from the PCG64 state ``state`` (:func:`distributions.streams.pcg64_states`
    as words: the same numbers as its generator's ``permutation``); False when ``u`` is
    left as it is (too few rows, or collinear scores)."""
    n = u.shape[1]
    off_diagonal = pearson != 0
    np.fill_diagonal(off_diagonal, False)
    active = np.flatnonzero(np.any(off_diagonal, axis=1))
    k = active.size
    if k == 0 or n <= k + 1:
        # too few rows to give k score vectors a full-rank correlation (only ever the tiny
        # last block of a plan): leave them independent
        return False
    target = pearson[np.ix_(active, active)]
    base = _van_der_waerden(n)
    scores = np.empty((k, n))
    if state is not None:
        # compiled kernels (distributions.pcg): imported once something is drawn
        from distributions.pcg import permutations_into

        permutations_into(state, base, scores)
    else:
        assert rng is not None
        for i in range(k):
            scores[i] = rng.permutation(base)
    actual = np.corrcoef(scores) if k > 1 else np.ones((1, 1))
    try:
        q_inv = np.linalg.inv(np.linalg.cholesky(actual))
    except np.linalg.LinAlgError:
        # a small block whose random score orders came out collinear (two of 4 rows: 1 in
        # 12): it cannot be decorrelated, so it stays independent like a tiny one
        return False
    vals, vecs = np.linalg.eigh(target)
    # symmetric square root: works for semi-definite targets, where Cholesky does not
    root = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    adjusted = root @ (q_inv @ scores)
    for i, j in enumerate(active):
        # the sample with the r-th smallest adjusted score takes the r-th smallest value
        values = np.sort(u[j])
        if not place_by_rank(adjusted[i], values, u[j]):
            u[j, np.argsort(adjusted[i])] = values
    return True
