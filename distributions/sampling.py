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

import threading
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray

from distributions.base import TINY
from distributions.correlate import iman_conover as iman_conover  # re-exported
from distributions.correlate import iman_conover_into
from distributions.errors import DistributionError
from distributions.streams import (
    draw_uniforms,
    generator,
    loaded,
    pcg64_states,
    state_words,
    stream_key,
)
from distributions.threads import each

FloatArray = NDArray[np.float64]
Method = Literal["mc", "lhs", "sobol"]
METHODS: tuple[str, ...] = get_args(Method)
BLOCK_SIZE = 16384
_IC_KEY = 0x1C0C
_SOBOL_KEY = 0x50B0


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
        for r, state in enumerate(pcg64_states(seed, [(key, b, r) for r in range(rows)])):
            # normals are drawn in order: the block's first hi - b_start are all it takes
            if at == b_start:
                loaded(state).standard_normal(hi - at, out=out[r, at - start:hi - start])
            else:
                loaded(state).standard_normal(hi - b_start, out=z[:hi - b_start])
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
        out = np.empty((len(self.names), stop - start))
        self._block_into(b, 0, stop - start, out)
        return out

    def _block_into(self, b: int, lo: int, hi: int, out: FloatArray) -> None:
        """Samples ``lo`` to ``hi - 1`` of block ``b`` (counted from the block's start)
        into ``out`` (d, hi - lo), drawing no more than they need.

        Monte Carlo uniforms come in order, so a part of a block skips its first ``lo``
        draws (the generator's ``advance``: the same numbers as drawing and dropping
        them) and stops at ``hi``; a Latin hypercube, Sobol points and Iman–Conover need
        the whole block, drawn aside when only a part is asked for.
        """
        start, stop = self.block_bounds(b)
        length = stop - start
        d = len(self.names)
        if d == 0:
            return
        ranged = self.method == "mc" and self._pearson is None
        u = out if ranged or (lo, hi) == (0, length) else np.empty((d, length))
        if self.method == "sobol":
            u[:] = self._sobol(start, length)
            np.clip(u, TINY, 1.0 - TINY, out=u)
        else:
            states = pcg64_states(self.seed, [(stream_key(name), b) for name in self.names])
            if self.method == "mc":
                # numpy's Generator.random, compiled (distributions.pcg), clipped
                draw_uniforms(states, lo if ranged else 0, u)
            else:
                for j, state in enumerate(states):
                    gen = loaded(state)
                    u[j] = (gen.permutation(length) + gen.random(length)) / length
                np.clip(u, TINY, 1.0 - TINY, out=u)
        if self._pearson is not None:
            ic = state_words(pcg64_states(self.seed, [(_IC_KEY, b)]))[0]
            iman_conover_into(u, self._pearson, state=ic)
        if u is not out:
            out[:] = u[:, lo:hi]

    def _sobol(self, start: int, length: int) -> FloatArray:
        assert self._sobol_cursor is not None
        return self._sobol_cursor.points(start, length).T

    def rows(self, start: int, stop: int, *, threads: int = 1,
             out: FloatArray | None = None) -> FloatArray:
        """Uniforms for samples ``start`` to ``stop - 1``, whatever blocks they span.

        ``threads`` > 1 draws the blocks side by side (Monte Carlo and Latin hypercube;
        a Sobol sequence is read in order); the numbers are the same. ``out``: a (d,
        stop - start) float array with contiguous rows to write them into (returned).
        """
        if not 0 <= start <= stop <= self.n:
            raise ValueError(f"rows({start}, {stop}) outside 0..{self.n}")
        shape = (len(self.names), stop - start)
        if out is None:
            out = np.empty(shape)
        elif out.shape != shape or out.dtype != np.float64 or out.strides[-1] != 8:
            raise ValueError(f"rows: out must be a {shape} float64 array with contiguous rows")
        parts = []
        at = start
        b = start // self.block_size
        while at < stop:
            b_start, b_stop = self.block_bounds(b)
            hi = min(stop, b_stop)
            parts.append((b, at - b_start, hi - b_start, out[:, at - start:hi - start]))
            at = hi
            b += 1
        each(lambda part: self._block_into(*part), parts,
             threads=1 if self.method == "sobol" else threads)
        return out


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
                                         rng=generator(self.seed, *self.key))
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
