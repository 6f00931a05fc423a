"""Sampling plans: uniforms for every uncertain input, block by block.

Every plan produces a (d, n) array of uniforms in (0, 1), one row per input, that the
inputs' ``ppf`` turns into values (uniforms -> rank correlation -> ppf; docs/model.md,
"Sampling").

Samples are cut into fixed blocks (``block_size`` rows; the last may be shorter). Each
block's uniforms depend only on the seed, the block index and, for Monte Carlo and Latin
hypercube, the input's *name* (each input has its own stream), so

- results do not depend on how blocks are grouped into chunks or spread over workers;
- adding or removing an input leaves the draws of the others unchanged (for ``mc``/``lhs``),
  which keeps comparisons between study variants on common random numbers.

Plans: ``mc`` (independent uniforms), ``lhs`` (a Latin hypercube per block: each input's
values are stratified over the block) and ``sobol`` (one scrambled Sobol sequence over all
inputs, in their declared order; use a power-of-two sample count for its balance). The plan
keeps its Sobol engine where the last block ended (:class:`SobolCursor`), so blocks drawn in
order cost O(n) in all, and a block out of order only skips ahead (scipy's public
``fast_forward``) from the nearest earlier position.

Rank correlations are induced per block with Iman–Conover (see :func:`iman_conover`),
after the plan and before any ``ppf``, so they work with every plan and every family:
only the pairing of values changes, each input's values (its marginal) stay exactly the
same, and inputs without a stated correlation are not touched. Iman–Conover reorders the
correlated inputs' Sobol coordinates, so their one-dimensional stratification is kept but
their joint low-discrepancy is not.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray
from scipy import special

from distributions.base import TINY
from distributions.errors import DistributionError

FloatArray = NDArray[np.float64]
Method = Literal["mc", "lhs", "sobol"]
METHODS: tuple[str, ...] = get_args(Method)
BLOCK_SIZE = 16384
_IC_KEY = 0x1C0C
_SOBOL_KEY = 0x50B0


def stream_key(name: str) -> int:
    """A stable 63-bit integer naming an input's random stream (same on every machine).

    Examples
    --------
    >>> stream_key("workload.requests_per_day") == stream_key("workload.requests_per_day")
    True
    """
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") >> 1


def normals(seed: int, name: str, rows: int, start: int, stop: int, *,
            block_size: int = BLOCK_SIZE) -> FloatArray:
    """Standard normals of stream ``name``, ``rows`` per sample, for samples ``start`` to
    ``stop - 1``: a (rows, stop - start) array.

    Samples are cut into the plans' fixed blocks; row r of block b comes from its own
    generator, keyed by the seed, the stream's name, b and r, drawn for the whole block.
    So the normals of a sample do not depend on how samples are chunked or spread over
    workers, on the sample count, or on ``rows`` (a longer horizon adds months). They are
    plain Monte Carlo whatever the plan (no stratification, no rank correlation): a volume
    process's monthly shocks (docs/model.md, "Workload").

    Examples
    --------
    >>> z = normals(7, "shocks", 3, 0, 100, block_size=16)
    >>> z.shape, bool((normals(7, "shocks", 3, 10, 40, block_size=16) == z[:, 10:40]).all())
    ((3, 100), True)
    >>> bool((normals(7, "shocks", 5, 0, 100, block_size=16)[:3] == z).all())
    True
    """
    if not 0 <= start <= stop:
        raise ValueError(f"normals({start}, {stop}): need 0 <= start <= stop")
    out = np.empty((rows, stop - start))
    key = stream_key(name)
    b = start // block_size
    at = start
    z = np.empty(block_size)
    while at < stop:
        b_start = b * block_size
        hi = min(stop, b_start + block_size)
        for r in range(rows):
            _generator(seed, key, b, r).standard_normal(block_size, out=z)
            out[r, at - start:hi - start] = z[at - b_start:hi - b_start]
        at = hi
        b += 1
    return out


def check_method(method: str) -> Method:
    """Return ``method`` if it is a known plan, else raise a ValueError listing the valid ones."""
    if method not in METHODS:
        raise DistributionError(
            f"'{method}' is not a valid sampling method; it must be one of {set(METHODS)}"
        )
    return method  # type: ignore[return-value]


def _generator(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@dataclass(frozen=True)
class SamplingPlan:
    """How to draw uniforms for ``names`` over ``n`` samples.

    Parameters
    ----------
    names : tuple of str
        Uncertain inputs, in declaration order (the Sobol dimensions).
    n : int
        Total number of samples.
    seed : int
        Root seed (goes into the run manifest).
    method : {"mc", "lhs", "sobol"}
        Sampling plan.
    rank_correlation : ndarray, optional
        Target Spearman rank-correlation matrix over ``names`` (identity where unstated).
    block_size : int
        Rows per block; part of what a seed means, so keep the default.

    Examples
    --------
    >>> plan = SamplingPlan(("a", "b"), n=1000, seed=7)
    >>> u = plan.rows(0, 1000)
    >>> u.shape, bool(((u > 0) & (u < 1)).all())
    ((2, 1000), True)
    >>> bool((plan.rows(10, 20) == u[:, 10:20]).all())
    True
    """

    names: tuple[str, ...]
    n: int
    seed: int
    method: Method = "mc"
    rank_correlation: FloatArray | None = None
    block_size: int = BLOCK_SIZE
    _pearson: FloatArray | None = field(init=False, repr=False, compare=False, default=None)
    _sobol_cursor: SobolCursor | None = field(init=False, repr=False, compare=False,
                                              default=None)

    def __post_init__(self) -> None:
        check_method(self.method)
        if self.method == "sobol":
            object.__setattr__(self, "_sobol_cursor",
                               SobolCursor(len(self.names), self.seed, _SOBOL_KEY))
        if self.n < 1:
            raise DistributionError(f"samples={self.n} must be >= 1")
        if self.rank_correlation is not None:
            c = np.asarray(self.rank_correlation, dtype=np.float64)
            d = len(self.names)
            if c.shape != (d, d):
                raise DistributionError(f"rank_correlation must be {d}x{d}, got {c.shape}")
            check_correlation(c, self.names)
            if np.any(c != np.eye(d)):
                pearson = 2.0 * np.sin(np.pi * c / 6.0)
                np.fill_diagonal(pearson, 1.0)  # 2 sin(pi/6) is 1 - 1e-16 in floating point
                object.__setattr__(self, "_pearson", pearson)

    @property
    def n_blocks(self) -> int:
        """Number of blocks covering the ``n`` samples."""
        return -(-self.n // self.block_size)

    def block_bounds(self, b: int) -> tuple[int, int]:
        """First and one-past-last sample index of block ``b``."""
        start = b * self.block_size
        return start, min(start + self.block_size, self.n)

    def block(self, b: int) -> FloatArray:
        """Uniforms of block ``b`` as a (d, length) array in (0, 1)."""
        start, stop = self.block_bounds(b)
        length = stop - start
        d = len(self.names)
        if d == 0:
            return np.empty((0, length))
        if self.method == "sobol":
            u = self._sobol(start, length)
        else:
            u = np.empty((d, length))
            for j, name in enumerate(self.names):
                gen = _generator(self.seed, stream_key(name), b)
                if self.method == "mc":
                    gen.random(length, out=u[j])  # the same draws, written in place
                else:
                    u[j] = (gen.permutation(length) + gen.random(length)) / length
        np.clip(u, TINY, 1.0 - TINY, out=u)
        if self._pearson is not None:
            u = iman_conover(u, self._pearson, rng=_generator(self.seed, _IC_KEY, b))
        return u

    def _sobol(self, start: int, length: int) -> FloatArray:
        assert self._sobol_cursor is not None
        return np.ascontiguousarray(self._sobol_cursor.points(start, length).T)

    def rows(self, start: int, stop: int) -> FloatArray:
        """Uniforms for samples ``start`` to ``stop - 1``, whatever blocks they span."""
        if not 0 <= start <= stop <= self.n:
            raise ValueError(f"rows({start}, {stop}) outside 0..{self.n}")
        parts = []
        b = start // self.block_size
        while start < stop:
            b_start, b_stop = self.block_bounds(b)
            u = self.block(b)
            parts.append(u[:, start - b_start : min(stop, b_stop) - b_start])
            start = min(stop, b_stop)
            b += 1
        if not parts:
            return np.empty((len(self.names), 0))
        return np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]


class SobolCursor:
    """One scrambled Sobol sequence read block by block, kept where the last read ended.

    A read that starts at or after the current position skips ahead with scipy's public
    ``fast_forward`` (linear in the gap only); one that starts before it restarts the
    sequence from its first point. Reads are serialized by a lock (worker threads), and
    the cursor pickles without its engine (it is rebuilt from the seed where it lands).

    The scramble comes from ``SeedSequence(seed, spawn_key=key)`` (scipy spawns from the
    generator's seed sequence, so the cursor keeps the seed, not a generator state).

    Examples
    --------
    >>> c = SobolCursor(2, 0)
    >>> bool((c.points(4, 4) == SobolCursor(2, 0).points(0, 8)[4:]).all())
    True
    """

    def __init__(self, d: int, seed: int, *key: int) -> None:
        self.d, self.seed, self.key = d, seed, key
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._engine: Any = None
        self._position = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"d": self.d, "seed": self.seed, "key": self.key}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._reset()

    def points(self, start: int, length: int) -> FloatArray:
        """Points ``start`` to ``start + length - 1`` of the sequence, shape (length, d)."""
        start, length = int(start), int(length)
        with self._lock:
            if self._engine is None or start < self._position:
                # deferred: scipy.stats (~100 MB, most of a second); only Sobol plans need it
                from scipy.stats import qmc

                self._engine = qmc.Sobol(self.d, scramble=True,
                                         rng=_generator(self.seed, *self.key))
                self._position = 0
            if start > self._position:
                self._engine.fast_forward(start - self._position)
            if start == 0:
                # drawing the first point alone keeps scipy from warning about a length that
                # is not a power of two (the sequence is the same)
                points = np.concatenate([self._engine.random(1),
                                         self._engine.random(length - 1)])
            else:
                points = self._engine.random(length)
            self._position = start + length
        return np.asarray(points, dtype=np.float64)


def check_correlation(c: FloatArray, names: tuple[str, ...] | list[str]) -> None:
    """Raise if ``c`` is not a valid rank-correlation matrix, naming the offending pairs.

    A correlation matrix must be symmetric with a unit diagonal, entries in [-1, 1], and
    positive semi-definite; otherwise no joint distribution has those correlations. The
    normal-score matrix ``2 sin(pi c / 6)`` that Iman–Conover induces is checked too.

    Examples
    --------
    >>> c = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    >>> try:
    ...     check_correlation(c, ("a", "b", "c"))
    ... except DistributionError as err:
    ...     print(err)  # doctest: +NORMALIZE_WHITESPACE
    the stated correlations are not positive semi-definite (rank matrix, smallest eigenvalue
    -0.800): they contradict each other among a ~ b (+0.90); a ~ c (-0.90); b ~ c (+0.90);
    weaken one of them
    """
    if not np.allclose(c, c.T) or not np.allclose(np.diag(c), 1.0):
        raise DistributionError("correlation matrix must be symmetric with ones on the diagonal")
    if np.any(np.abs(c) > 1):
        raise DistributionError("rank correlations must lie in [-1, 1]")
    pearson = 2.0 * np.sin(np.pi * c / 6.0)
    for m, label in ((c, "rank"), (pearson, "normal-score")):
        vals, vecs = np.linalg.eigh(m)
        if vals[0] < -1e-10:
            weight = np.abs(vecs[:, 0])
            involved = sorted(int(i) for i in np.flatnonzero(weight > 0.2))
            pairs = [
                f"{names[i]} ~ {names[j]} ({c[i, j]:+.2f})"
                for k, i in enumerate(involved)
                for j in involved[k + 1 :]
                if c[i, j] != 0
            ]
            raise DistributionError(
                f"the stated correlations are not positive semi-definite ({label} matrix, "
                f"smallest eigenvalue {vals[0]:.3f}): they contradict each other among "
                f"{'; '.join(pairs) or 'the stated pairs'}; weaken one of them"
            )


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
    n = u.shape[1]
    off_diagonal = pearson != 0
    np.fill_diagonal(off_diagonal, False)
    active = np.flatnonzero(np.any(off_diagonal, axis=1))
    k = active.size
    if k == 0 or n <= k + 1:
        # too few rows to give k score vectors a full-rank correlation (only ever the tiny
        # last block of a plan): leave them independent
        return u
    target = pearson[np.ix_(active, active)]
    base = special.ndtri(np.arange(1, n + 1) / (n + 1.0))
    scores = np.empty((k, n))
    for i in range(k):
        scores[i] = rng.permutation(base)
    actual = np.corrcoef(scores) if k > 1 else np.ones((1, 1))
    try:
        q_inv = np.linalg.inv(np.linalg.cholesky(actual))
    except np.linalg.LinAlgError:
        # a small block whose random score orders came out collinear (two of 4 rows: 1 in
        # 12): it cannot be decorrelated, so it stays independent like a tiny one
        return u
    vals, vecs = np.linalg.eigh(target)
    # symmetric square root: works for semi-definite targets, where Cholesky does not
    root = (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T
    adjusted = root @ (q_inv @ scores)
    out = u.copy()
    for i, j in enumerate(active):
        # the sample with the r-th smallest adjusted score takes the r-th smallest value
        out[j, np.argsort(adjusted[i])] = np.sort(u[j])
    return out
