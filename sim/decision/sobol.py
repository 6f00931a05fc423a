"""Sobol' variance-based sensitivity indices with bootstrap confidence intervals.

See docs/model.md, "Sensitivity".

:func:`sobol_estimate` is the pure estimator on model outputs at the A, B and AB_i points
(Saltelli et al. 2010 for first-order indices, Jansen 1999 for total ones, the estimators
of :func:`scipy.stats.sobol_indices`, on outputs centred by their mean); its bootstrap is
vectorized as a matrix product of resampling counts with per-sample terms.
:func:`sobol_analysis` builds A and B from a scrambled Sobol' sequence of dimension 2d
over the study's uncertain inputs and evaluates the model on all (d + 2) n points in chunks.

Sobol' indices assume independent inputs: rank correlations stated in the study are not
applied here (the result says so in ``notes``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from distributions.base import TINY
from distributions.sobol_points import scrambled_sobol
from sim.decision.metrics import Metric, parse_metric
from sim.decision.samples import check_strategies, metric_values
from sim.runner.quantiles import row_quantiles
from sim.runner.runner import default_workers
from sim.study import Study

FloatArray = NDArray[np.float64]
SeedLike = int | np.random.Generator | np.random.SeedSequence | None
#: Points per model call (bounds memory: the model's working arrays, ~1 KiB a point).
CHUNK_ROWS = 1 << 14
#: Bootstrap resamples drawn per matrix product (bounds memory: resamples x n x 8 bytes).
_BOOT_BLOCK = 64
_SOBOL_KEY = 0x5E75
#: Most memory a Sobol' analysis may hold (see :func:`sobol_bytes`).
MAX_SOBOL_BYTES = 2 << 30


def sobol_bytes(n: int, d: int, s: int, k: int) -> int:
    """About how many bytes a Sobol' analysis of ``n`` base samples holds at its peak.

    ``d`` uncertain inputs, ``s`` strategies explained, ``k`` strategies compared. Per base
    sample, in doubles: a bootstrap block (its resampling indices, counts and weights,
    3 x 64), the outputs at A, B and every AB_i with the estimator's per-sample terms
    (4 (d + 2) s), the inputs A and B and their uniforms (4 d) and the model's working
    arrays on 2n points (about 64 k). Measured: 340 doubles per sample for 8 inputs and 2
    strategies, where this gives 392.

    Examples
    --------
    >>> sobol_bytes(1 << 16, 8, 1, 2) / 2**20  # MiB
    196.0
    """
    return 8 * n * (3 * _BOOT_BLOCK + 4 * (d + 2) * s + 4 * d + 64 * k)


def largest_sobol_n(d: int, s: int, k: int) -> int:
    """The largest power of 2 whose analysis fits in :data:`MAX_SOBOL_BYTES`.

    Examples
    --------
    >>> largest_sobol_n(8, 1, 2)
    524288
    """
    per = sobol_bytes(1, d, s, k)
    return 1 << max(1, (MAX_SOBOL_BYTES // per).bit_length() - 1)


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total Sobol' indices of s outputs over d inputs.

    Attributes
    ----------
    first_order, total_order : ndarray, shape (s, d)
        Point estimates (0 where an output does not vary).
    first_order_ci, total_order_ci : ndarray, shape (2, s, d)
        Lower and upper ends of the bootstrap percentile intervals.
    variance : ndarray, shape (s,)
        The outputs' variance (from A and B).
    confidence : float
        Confidence level of the intervals.
    """

    first_order: FloatArray
    total_order: FloatArray
    first_order_ci: FloatArray
    total_order_ci: FloatArray
    variance: FloatArray
    confidence: float


def _as_3d(f_A: FloatArray, f_B: FloatArray, f_AB: FloatArray
           ) -> tuple[FloatArray, FloatArray, FloatArray]:
    a = np.atleast_2d(np.asarray(f_A, dtype=np.float64))
    b = np.atleast_2d(np.asarray(f_B, dtype=np.float64))
    ab = np.asarray(f_AB, dtype=np.float64)
    if ab.ndim == 2:
        ab = ab[:, None, :]
    if a.shape != b.shape or ab.ndim != 3 or ab.shape[1:] != a.shape:
        raise ValueError(f"f_A and f_B must have shape (s, n) and f_AB (d, s, n); got "
                         f"{a.shape}, {b.shape}, {ab.shape}")
    return a, b, ab


def _indices(w: FloatArray, a: FloatArray, b: FloatArray, first: FloatArray,
             total: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Indices under sample weights ``w`` (r, n): rows of weights, each summing to n."""
    n = a.shape[-1]
    m1 = w @ (0.5 * (a + b)).T / n                     # (r, s)
    m2 = w @ (0.5 * (a * a + b * b)).T / n
    var = np.maximum(m2 - m1 * m1, 0.0)
    s, d = a.shape[0], first.shape[0]
    num1 = (w @ first.reshape(d * s, n).T / n).reshape(-1, d, s)
    numt = (w @ total.reshape(d * s, n).T / n).reshape(-1, d, s)
    ok = var > 0
    denom = np.where(ok, var, 1.0)[:, None, :]
    s1 = np.where(ok[:, None, :], num1 / denom, 0.0)
    st = np.where(ok[:, None, :], numt / denom, 0.0)
    return s1.transpose(0, 2, 1), st.transpose(0, 2, 1), var


def _quantiles_over_resamples(blocks: list[np.ndarray], qs: Sequence[float]) -> np.ndarray:
    """``numpy.quantile(np.concatenate(blocks), qs, axis=0)``, bit for bit: the quantiles
    over the resamples (first axis) of each index, shape ``(len(qs), *index shape)``."""
    a = np.concatenate(blocks)
    return row_quantiles(a.reshape(a.shape[0], -1).T, qs).reshape(len(qs), *a.shape[1:])


def sobol_estimate(f_A: FloatArray, f_B: FloatArray, f_AB: FloatArray, *,
                   n_resamples: int = 500, confidence: float = 0.95,
                   rng: SeedLike = None) -> SobolIndices:
    """Sobol' indices from outputs at A, B and AB_i (A with column i taken from B).

    Parameters
    ----------
    f_A, f_B : ndarray, shape (s, n) or (n,)
        Outputs at the rows of A and B.
    f_AB : ndarray, shape (d, s, n) or (d, n)
        Outputs at AB_i for each input i.
    n_resamples : int
        Bootstrap resamples of the n base rows (0: no intervals, they equal the estimate).
    confidence : float
        Level of the percentile intervals.
    rng : numpy.random.Generator, int or None
        For the bootstrap.

    Returns
    -------
    SobolIndices

    Examples
    --------
    Ishigami function (a = 7, b = 0.1; Ishigami & Homma 1990), S1 = (0.3139, 0.4424, 0):

    >>> def ishigami(x):
    ...     return np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])
    >>> u = scrambled_sobol(6, 12, rng=np.random.default_rng(0))
    >>> A, B = (np.pi * (2 * u[:, :3] - 1)).T, (np.pi * (2 * u[:, 3:] - 1)).T
    >>> AB = np.stack([np.where(np.arange(3)[:, None] == i, B, A) for i in range(3)])
    >>> res = sobol_estimate(ishigami(A), ishigami(B), np.stack([ishigami(x) for x in AB]),
    ...                      rng=np.random.default_rng(1))
    >>> np.round(res.first_order, 2).tolist()
    [[0.31, 0.44, 0.0]]
    """
    a, b, ab = _as_3d(f_A, f_B, f_AB)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence} must lie in (0, 1)")
    if n_resamples < 0:
        raise ValueError(f"n_resamples={n_resamples} must be >= 0")
    n = a.shape[-1]
    mean = 0.5 * (a.mean(axis=-1) + b.mean(axis=-1))[:, None]
    a, b, ab = a - mean, b - mean, ab - mean  # centring: less noise, same estimand
    first = b[None] * (ab - a[None])              # (d, s, n), Saltelli 2010
    total = 0.5 * (a[None] - ab) ** 2              # Jansen 1999
    s1, st, var = _indices(np.ones((1, n)), a, b, first, total)
    if n_resamples == 0:
        return SobolIndices(s1[0], st[0], np.stack([s1[0]] * 2), np.stack([st[0]] * 2),
                            var[0], confidence)
    gen = np.random.default_rng(rng)
    boot1, boott = [], []
    for start in range(0, n_resamples, _BOOT_BLOCK):
        r = min(_BOOT_BLOCK, n_resamples - start)
        idx = gen.integers(0, n, size=(r, n)) + (np.arange(r) * n)[:, None]
        w = np.bincount(idx.ravel(), minlength=r * n).reshape(r, n).astype(np.float64)
        b1, bt, _ = _indices(w, a, b, first, total)
        boot1.append(b1)
        boott.append(bt)
    tail = (1 - confidence) / 2
    qs = [tail, 1 - tail]
    ci1, cit = _quantiles_over_resamples(boot1, qs), _quantiles_over_resamples(boott, qs)
    return SobolIndices(s1[0], st[0], ci1, cit, var[0], confidence)


@dataclass(frozen=True)
class SobolResult:
    """Sobol' indices of a study's output per strategy.

    Attributes
    ----------
    frame : polars.DataFrame
        ``strategy, input, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi`` sorted by ST within each
        strategy (largest first).
    metric : Metric
        The output explained.
    n : int
        Base samples (the model ran on (d + 2) n points).
    variance : dict of str to float
        The output's variance per strategy.
    notes : tuple of str
        Caveats (e.g. stated correlations ignored).
    confidence : float
        Level of the intervals.
    """

    frame: pl.DataFrame
    metric: Metric
    n: int
    variance: dict[str, float]
    notes: tuple[str, ...] = ()
    confidence: float = 0.95

    def table(self, strategy: str | None = None) -> pl.DataFrame:
        """The rows of one strategy (default: the first)."""
        names = list(dict.fromkeys(self.frame["strategy"].to_list()))
        name = strategy or (names[0] if names else "")
        return self.frame.filter(pl.col("strategy") == name)


def _check_n(n: int) -> int:
    if n < 2 or n & (n - 1):
        raise ValueError(f"n={n} must be a power of 2 >= 2 (Sobol' sequences are balanced "
                         f"at powers of 2), e.g. {1 << max(1, round(math.log2(max(n, 2))))}")
    return n


def _run(study: Study, metric: Metric, strategies: Sequence[str], x: FloatArray
         ) -> FloatArray:
    """The metric of every strategy at the points ``x`` (d, m): shape (s, m)."""
    fixed = {i.path: float(i.dist.mean) for i in study.inputs() if not i.uncertain}
    values = {**fixed, **{inp.path: x[j] for j, inp in enumerate(study.uncertain_inputs())}}
    return metric_values(study, values, x.shape[1], metric, strategies)


def sobol_task(study: Study, metric: Metric, strategies: Sequence[str], xa: FloatArray,
               xb: FloatArray, i: int) -> FloatArray:
    """The outputs at one block of points: A (``i = -2``), B (``-1``) or AB_i (A with
    column i from B); a task that runs anywhere (on a cluster worker it depends only on its
    arguments)."""
    if i < 0:
        return _run(study, metric, strategies, xa if i == -2 else xb)
    x = xa.copy()
    x[i] = xb[i]
    return _run(study, metric, strategies, x)


def _outputs(study: Study, metric: Metric, strategies: Sequence[str], xa: FloatArray,
             xb: FloatArray, client: Any = None) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Model outputs at A, B and every AB_i: shapes (s, n), (s, n), (d, s, n).

    On a Dask ``client`` each of the d + 2 blocks of n points is a task (the model is
    evaluated point by point, so the outputs are the same as the local chunks')."""
    d, n = xa.shape
    if client is not None:
        from sim.runner.cluster import map_ordered  # dask only when asked for

        got: list[FloatArray] = []
        map_ordered(client, sobol_task, [(i,) for i in range(-2, d)],
                    shared=(study, metric, list(strategies), xa, xb), on_result=got.append)
        return got[0], got[1], (np.stack(got[2:]) if d else
                                np.empty((0, len(strategies), n)))

    def run(x: FloatArray) -> FloatArray:
        return _run(study, metric, strategies, x)

    def ab(group: range) -> FloatArray:
        x = np.tile(xa, len(group))
        for k, i in enumerate(group):
            x[i, k * n : (k + 1) * n] = xb[i]
        return run(x)

    # blocks of at most CHUNK_ROWS points (memory), on two threads when there are enough
    # points (the compiled model releases the GIL); each point's output is the same
    # whatever block it is in
    per = max(1, CHUNK_ROWS // n)
    groups = [range(a, min(a + per, d)) for a in range(0, d, per)]
    with ThreadPoolExecutor(default_workers((d + 2) * n)) as pool:
        if 2 * n <= CHUNK_ROWS:
            both = pool.submit(run, np.concatenate([xa, xb], axis=1))
        else:
            a_part, b_part = pool.submit(run, xa), pool.submit(run, xb)
        parts = list(pool.map(ab, groups))
        if 2 * n <= CHUNK_ROWS:
            fab = both.result()
            f_a, f_b = fab[:, :n], fab[:, n:]
        else:
            f_a, f_b = a_part.result(), b_part.result()
    f_ab = np.empty((d, len(strategies), n))
    for group, y in zip(groups, parts, strict=True):
        for k, i in enumerate(group):
            f_ab[i] = y[:, k * n : (k + 1) * n]
    return f_a, f_b, f_ab


def sobol_analysis(study: Study, *, n: int = 1 << 13, metric: str | Metric = "npv",
                   strategies: Sequence[str] | None = None, n_resamples: int = 500,
                   confidence: float = 0.95, rng: SeedLike = None,
                   client: Any = None) -> SobolResult:
    """Sobol' first-order and total indices of every uncertain input, per strategy.

    Parameters
    ----------
    study : Study
        The study.
    n : int
        Base samples, a power of 2; the model runs on (d + 2) n points.
    metric : str or Metric
        ``npv`` or ``payback_within:N``.
    strategies : sequence of str, optional
        Default: every strategy but the baseline.
    n_resamples, confidence : int, float
        Bootstrap of the intervals.
    rng : numpy.random.Generator, int or None
        Scrambling and bootstrap; None: derived from the study's seed (reproducible).
    client : dask.distributed.Client, optional
        Evaluate the d + 2 blocks of points (A, B, every AB_i) on this Dask cluster
        (:mod:`sim.runner.cluster`); the indices are bit-identical to a local analysis.

    Examples
    --------
    >>> res = sobol_analysis(load_study("studies/legal_contracts.toml"), n=4096)  # doctest: +SKIP
    >>> res.table("hosted_ft")  # doctest: +SKIP
    """
    m = parse_metric(metric, horizon=study.horizon_months)
    names = check_strategies(study, strategies)
    _check_n(n)
    d, k = len(study.uncertain_inputs()), len(study.compared())
    need = sobol_bytes(n, d, len(names), k)
    if need > MAX_SOBOL_BYTES:
        raise ValueError(
            f"n={n:,}: the Sobol' analysis of {d} inputs and {len(names)} strategies would "
            f"hold about {need / 2**30:,.1f} GiB, over the {MAX_SOBOL_BYTES / 2**30:.0f} GiB "
            f"allowed; the largest n for this study is {largest_sobol_n(d, len(names), k):,}")
    gen = np.random.default_rng(
        np.random.SeedSequence(study.seed, spawn_key=(_SOBOL_KEY,)) if rng is None else rng)
    inputs = study.uncertain_inputs()
    d = len(inputs)
    rows: dict[str, list[object]] = {c: [] for c in ("strategy", "input", "S1", "S1_lo",
                                                      "S1_hi", "ST", "ST_lo", "ST_hi")}
    variance = dict.fromkeys(names, 0.0)
    if d:
        # scipy.stats.qmc.Sobol's points and scramble, without its import (0.6 s, 44 MiB)
        u = scrambled_sobol(2 * d, int(math.log2(n)), rng=gen)
        np.clip(u, TINY, 1.0 - TINY, out=u)
        xa = np.stack([inp.dist._ppf(u[:, j]) for j, inp in enumerate(inputs)])
        xb = np.stack([inp.dist._ppf(u[:, d + j]) for j, inp in enumerate(inputs)])
        res = sobol_estimate(*_outputs(study, m, names, xa, xb, client),
                             n_resamples=n_resamples,
                             confidence=confidence, rng=gen)
        for k, s in enumerate(names):
            variance[s] = float(res.variance[k])
            for j, inp in enumerate(inputs):
                vals = (res.first_order[k, j], res.first_order_ci[0, k, j],
                        res.first_order_ci[1, k, j], res.total_order[k, j],
                        res.total_order_ci[0, k, j], res.total_order_ci[1, k, j])
                rows["strategy"].append(s)
                rows["input"].append(inp.path)
                for c, v in zip(("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"), vals,
                                strict=True):
                    rows[c].append(float(v))
    schema = {c: (pl.String if c in ("strategy", "input") else pl.Float64) for c in rows}
    order = {s: i for i, s in enumerate(names)}
    frame = (pl.DataFrame(rows, schema=schema)
             .with_columns(_o=pl.col("strategy").replace_strict(order, default=0))
             .sort(["_o", "ST"], descending=[False, True], maintain_order=True).drop("_o"))
    notes: tuple[str, ...] = ()
    if study.correlations:
        notes = ("Sobol' indices assume independent inputs; the study's stated rank "
                 "correlations are not applied in this analysis.",)
    return SobolResult(frame, m, n, variance, notes, confidence)
