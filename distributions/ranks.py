"""Ranks and rank correlations (ties share their average rank, scipy's ``average``), in
numpy alone so that callers need not import scipy.stats."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def average_ranks(x: FloatArray, order: NDArray[np.intp] | None = None) -> FloatArray:
    """Ranks 1..n along the last axis, ties sharing their average rank (scipy's ``average``).

    Examples
    --------
    >>> average_ranks(np.array([[3.0, 1.0, 3.0, 2.0]])).tolist()
    [[3.5, 1.0, 3.5, 2.0]]
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if order is None:
        order = np.argsort(x, axis=1, kind="stable")
    d, n = x.shape
    out = np.empty((d, n))
    if n == 0:
        return out
    srt = np.take_along_axis(x, order, axis=1)
    first = np.ones((d, n), dtype=bool)
    first[:, 1:] = srt[:, 1:] != srt[:, :-1]
    for i in range(d):
        starts = np.flatnonzero(first[i])
        ends = np.append(starts[1:], n)
        group = np.cumsum(first[i]) - 1
        out[i, order[i]] = 0.5 * (starts + ends + 1)[group]
    return out


def rank_correlation_matrix(x: FloatArray) -> FloatArray:
    """Spearman rank-correlation matrix of the rows of ``x`` (shape (d, n)).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 30.0, 20.0, 40.0]])
    >>> rank_correlation_matrix(x).round(2).tolist()
    [[1.0, 0.8], [0.8, 1.0]]
    """
    return np.atleast_2d(np.corrcoef(average_ranks(x)))


def spearman(x: FloatArray, y: FloatArray) -> float:
    """Spearman rank correlation of two samples (NaN with fewer than two values).

    Examples
    --------
    >>> round(spearman(np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 30.0, 20.0, 40.0])), 6)
    0.8
    """
    if np.size(x) < 2:
        return float("nan")
    return float(rank_correlation_matrix(np.vstack([x, y]))[0, 1])
