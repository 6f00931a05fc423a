"""Average ranks and rank correlations (distributions/ranks.py): scipy's ``average`` ranks,
bit for bit, whichever sort found the order."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from distributions import average_ranks, rank_correlation_matrix, spearman


def _rows(seed: int, n: int) -> np.ndarray:
    """Rows with every kind of order: distinct values, whole numbers (many ties), values
    rounded to 2 places, a constant row, signed zeros (equal, so tied), and NaNs."""
    rng = np.random.default_rng(seed)
    rows = [rng.random(n), rng.normal(size=n), rng.integers(0, 7, n).astype(float),
            np.round(rng.random(n), 2), np.full(n, 3.0),
            np.where(rng.random(n) < 0.5, 0.0, -0.0), rng.random(n)]
    rows[-1][rng.integers(0, n, 9)] = np.nan
    return np.stack(rows)


def _stable_ranks(x: np.ndarray) -> np.ndarray:
    """The ranks from numpy's stable argsort (what average_ranks used before its sort was
    the default one)."""
    return average_ranks(x, np.argsort(x, axis=1, kind="stable"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranks_equal_the_stable_sorts_and_scipys(seed):
    """The same ranks, bit for bit, as from the stable order (ties share their average
    whatever their order; NaNs, each a rank of its own, take the stable order's), and as
    scipy's rankdata (NaNs ranked last in sample order)."""
    x = _rows(seed, 4099)
    ranks = average_ranks(x)
    assert np.array_equal(ranks, _stable_ranks(x))
    for row, r in zip(x[:-1], ranks[:-1], strict=True):
        assert np.array_equal(r, stats.rankdata(row, method="average"))
    # the NaN row: its finite values ranked among themselves, the NaNs after them in order
    row, r = x[-1], ranks[-1]
    finite = ~np.isnan(row)
    assert np.array_equal(r[finite], stats.rankdata(row[finite], method="average"))
    assert r[~finite].tolist() == list(range(finite.sum() + 1, row.size + 1))


def test_ranks_of_a_hand_example_and_edge_shapes():
    assert average_ranks(np.array([3.0, 1.0, 3.0, 2.0, np.nan, 1.0])).tolist() == [
        [4.5, 1.5, 4.5, 3.0, 6.0, 1.5]]
    assert average_ranks(np.empty((2, 0))).shape == (2, 0)
    assert average_ranks(np.array([[7.0], [np.nan]])).tolist() == [[1.0], [1.0]]


def test_spearman_and_the_matrix_agree_with_scipy():
    rng = np.random.default_rng(5)
    x = rng.normal(size=5000)
    y = np.round(x + rng.normal(size=5000), 1)  # ties in y
    rho = stats.spearmanr(x, y).statistic
    assert spearman(x, y) == pytest.approx(rho, rel=1e-12)
    assert rank_correlation_matrix(np.vstack([x, y]))[0, 1] == pytest.approx(rho, rel=1e-12)
