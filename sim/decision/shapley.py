"""Shapley effects: each input's share of the output's variance, with correlated inputs.

Sobol' indices assume independent inputs; a study that states rank correlations breaks
that. Shapley effects (Owen 2014; Song, Nelson & Staum 2016, "Shapley effects for global
sensitivity analysis: theory and computation", SIAM/ASA JUQ 4) share Var(Y) among the inputs
by the Shapley value of the cost ``c(J) = E[Var(Y | X_-J)]``: they are >= 0, sum to 1 (as
shares), and an input that the model ignores but is correlated with one it uses gets part
of the latter's share (Owen & Prieur 2017, "On Shapley value for measuring importance of
dependent inputs", SIAM/ASA JUQ 5).

Estimator: Song–Nelson–Staum's random-permutation algorithm with one outer and
``inner`` (3) inner samples. For each of ``permutations`` random orders of the inputs and each
prefix ``J`` of it, one draw of ``X_-J`` and ``inner`` draws of ``X_J`` given it estimate
``c(J)`` by the sample variance of Y; the increments along the order are that permutation's
Shapley estimates. Each permutation gives an unbiased estimate, so the standard error is the
spread across permutations over sqrt(permutations). The prefixes of one permutation share
their outer draw and inner normals (common random numbers: the increments are differences
of correlated estimates, far less noisy, and an input the model ignores adds exactly 0).
The last prefix is every input, so ``Var(Y)`` is estimated by the same draws and each
permutation's estimates sum to its own estimate of it; the shares divide by their mean.
Cost: ``permutations x d x inner`` model evaluations (default about 2^17).

Conditional draws need the joint distribution: the study's sampling plan induces rank
correlations with Iman–Conover on normal scores (the Pearson correlation ``2 sin(pi rho /
6)``), i.e. a Gaussian copula, so ``X_J | X_-J`` is drawn as normal scores ``Z_J | Z_-J``
(Gaussian conditioning within each group of correlated inputs; independent inputs drawn
afresh) mapped through each input's quantile function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from distributions.base import TINY
from sim.decision.metrics import Metric, parse_metric
from sim.decision.samples import check_strategies, metric_values
from sim.runner.quantiles import distinct
from sim.study import Study

FloatArray = NDArray[np.float64]
SeedLike = int | np.random.Generator | np.random.SeedSequence | None
#: Model evaluations a default analysis spends on the conditional draws.
BUDGET = 1 << 17
_SHAPLEY_KEY = 0x5A91
#: Model evaluations per call: half the runner's chunk, so the model's temporaries on the
#: report's 2^16 evaluations stay small (each sample's figures do not depend on it).
_CHUNK = 1 << 14


@dataclass(frozen=True)
class ShapleyEstimate:
    """Shapley effects of s outputs over d inputs.

    Attributes
    ----------
    effects : ndarray, shape (s, d)
        Shapley effects in variance units (they sum to ``variance``).
    se : ndarray, shape (s, d)
        Their standard errors (across permutations).
    variance : ndarray, shape (s,)
        Var(Y) (the mean of the permutations' estimates; the effects sum to it).
    permutations : int
        Random orders used.
    """

    effects: FloatArray
    se: FloatArray
    variance: FloatArray
    permutations: int

    @property
    def shares(self) -> FloatArray:
        """Effects as shares of the variance (0 where the output does not vary)."""
        v = self.variance[:, None]
        return np.where(v > 0, self.effects / np.where(v > 0, v, 1.0), 0.0)


def _components(r: FloatArray) -> list[list[int]]:
    """Groups of inputs linked by non-zero correlations (independent inputs: alone)."""
    d = r.shape[0]
    seen, out = set(), []
    for i in range(d):
        if i in seen:
            continue
        group, todo = [], [i]
        while todo:
            j = todo.pop()
            if j in seen:
                continue
            seen.add(j)
            group.append(j)
            todo += [k for k in range(d) if k != j and r[j, k] != 0 and k not in seen]
        out.append(sorted(group))
    return out


class GaussianCopula:
    """Normal scores with correlation ``r``: joint and conditional draws.

    Examples
    --------
    >>> g = GaussianCopula(np.array([[1.0, 0.5], [0.5, 1.0]]))
    >>> z = g.joint(100_000, np.random.default_rng(0))
    >>> round(float(np.corrcoef(z)[0, 1]), 2)
    0.5
    """

    def __init__(self, r: FloatArray) -> None:
        self.r = np.asarray(r, dtype=np.float64)
        self.d = self.r.shape[0]
        self.groups = _components(self.r)
        self._chol = np.linalg.cholesky(self.r + 1e-12 * np.eye(self.d))
        self._cache: dict[tuple[int, ...], tuple[FloatArray, FloatArray]] = {}

    def joint(self, n: int, gen: np.random.Generator) -> FloatArray:
        """``n`` joint draws, shape (d, n)."""
        return self._chol @ gen.standard_normal((self.d, n))

    def _conditional(self, drawn: tuple[int, ...], given: tuple[int, ...]
                     ) -> tuple[FloatArray, FloatArray]:
        key = (*drawn, -1, *given)
        if key not in self._cache:
            r = self.r
            a_, g_ = np.asarray(drawn, dtype=np.intp), np.asarray(given, dtype=np.intp)
            coef: FloatArray = np.zeros((len(a_), 0))
            cov: FloatArray = r[np.ix_(a_, a_)]
            if g_.size:
                coef = np.asarray(np.linalg.solve(r[np.ix_(g_, g_)], r[np.ix_(g_, a_)]).T,
                                  dtype=np.float64)
                cov = np.asarray(cov - coef @ r[np.ix_(g_, a_)], dtype=np.float64)
            chol = np.asarray(np.linalg.cholesky(cov + 1e-12 * np.eye(len(a_))),
                              dtype=np.float64)
            self._cache[key] = (coef, chol)
        return self._cache[key]

    def _sets(self, group: Sequence[int], in_j: NDArray[np.bool_]
              ) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp],
                                  FloatArray, FloatArray]]:
        """The columns of ``in_j`` (d, n) that draw the same inputs of ``group`` again, set
        by set (none drawn: skipped): the columns, the inputs drawn and given, and the
        conditional draw's coefficients and Cholesky factor."""
        codes = np.zeros(in_j.shape[1], dtype=np.int64)
        for b, i in enumerate(group):
            codes |= in_j[i].astype(np.int64) << b
        for code in distinct(codes):
            if code == 0:
                continue
            bits = np.array([code >> b & 1 for b in range(len(group))], dtype=bool)
            drawn, given = np.asarray(group)[bits], np.asarray(group)[~bits]
            coef, chol = self._conditional(tuple(drawn.tolist()), tuple(given.tolist()))
            yield np.flatnonzero(codes == code), drawn, given, coef, chol

    def redraw(self, z: FloatArray, in_j: NDArray[np.bool_], eps: FloatArray) -> FloatArray:
        """``z`` (d, n) with the coordinates marked in ``in_j`` (d, n) drawn again given the
        others (column by column: each its own set J), from the standard normals ``eps``
        (d, n)."""
        out = z.copy()
        for group in self.groups:
            if len(group) == 1:
                i = group[0]
                rows = in_j[i]
                out[i, rows] = eps[i, rows]
                continue
            for cols, drawn, given, coef, chol in self._sets(group, in_j):
                new = chol @ eps[np.ix_(drawn, cols)]
                if given.size:
                    new += coef @ z[np.ix_(given, cols)]
                out[np.ix_(drawn, cols)] = new
        return out

    def redraw_repeated(self, outer: FloatArray, in_j: NDArray[np.bool_], eps: FloatArray
                        ) -> FloatArray:
        """:meth:`redraw` of the permutation estimator's repeated draws, from their compact
        form, bit for bit.

        Column ``(l * d + j) * inner + t`` of the result is permutation ``l``'s outer draw
        ``outer[:, l]`` with the inputs ``in_j[l, j]`` drawn again from ``eps[:, l, t]``,
        exactly as ``redraw(repeat(outer, d * inner), repeat(in_j.reshape(m * d, d).T,
        inner), eps repeated over j)``. Those three (d, m * d * inner) arrays are never built:
        each matrix product gathers its operands for the very same columns as :meth:`redraw`
        does (a BLAS product's bits for one column can depend on how many columns it gets,
        so the columns are not split into blocks), and the only full-size array is the
        result.

        Parameters
        ----------
        outer : ndarray, shape (d, m)
            One joint draw per permutation.
        in_j : ndarray of bool, shape (m, d, d)
            ``in_j[l, j, i]``: input ``i`` is in permutation ``l``'s prefix ``j``.
        eps : ndarray, shape (d, m, inner)
            Standard normals, shared by a permutation's prefixes.

        Examples
        --------
        >>> g = GaussianCopula(np.array([[1.0, 0.5], [0.5, 1.0]]))
        >>> gen = np.random.default_rng(0)
        >>> in_j = np.array([[[True, False], [True, True]]])
        >>> g.redraw_repeated(g.joint(1, gen), in_j, gen.standard_normal((2, 1, 3))).shape
        (2, 6)
        """
        d, m = outer.shape
        inner = eps.shape[2]
        per = d * inner                                # columns per permutation
        n = m * per
        out = np.repeat(outer, per, axis=1)
        # mask row i over the n columns, and each column's permutation and inner draw
        mask = np.repeat(in_j.reshape(m * d, d), inner, axis=0).T      # (d, n) view
        for group in self.groups:
            if len(group) == 1:
                i = group[0]
                rows = mask[i]
                out[i, rows] = np.broadcast_to(eps[i][:, None, :], (m, d, inner)
                                               ).reshape(n)[rows]
                continue
            for cols, drawn, given, coef, chol in self._sets(group, mask):
                perm, t = cols // per, cols % inner
                new = chol @ eps[drawn[:, None], perm[None, :], t[None, :]]
                if given.size:
                    new += coef @ outer[np.ix_(given, perm)]
                out[np.ix_(drawn, cols)] = new
        return out


def shapley_effects(func: Callable[[FloatArray], FloatArray],
                    ppfs: Sequence[Callable[[FloatArray], FloatArray]], corr: FloatArray,
                    *, permutations: int = 1024, inner: int = 3,
                    rng: SeedLike = None) -> ShapleyEstimate:
    """Shapley effects of ``func``'s outputs by Song–Nelson–Staum's random permutations.

    Parameters
    ----------
    func : callable
        ``func(x)`` with ``x`` of shape (d, m) returns the outputs, shape (s, m) or (m,).
    ppfs : sequence of callables
        Each input's quantile function (uniforms in (0, 1) -> values).
    corr : ndarray, shape (d, d)
        Correlation of the inputs' normal scores (the Gaussian copula).
    permutations : int
        Random orders of the inputs.
    inner : int
        Inner draws per conditional variance (>= 2).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    ShapleyEstimate

    Examples
    --------
    Y = X1 + X2, standard normals with correlation 0.5: by symmetry each has half of
    Var(Y) = 3.

    >>> r = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> from scipy.stats import norm
    >>> est = shapley_effects(lambda x: x[0] + x[1], [norm.ppf] * 2, r, rng=0)
    >>> bool(np.all(np.abs(est.effects - 1.5) < 4 * est.se))
    True
    """
    d = len(ppfs)
    if d < 1 or np.shape(corr) != (d, d):
        raise ValueError(f"corr must be a {d}x{d} matrix")
    if inner < 2 or permutations < 2:
        raise ValueError("inner and permutations must be >= 2")
    gen = np.random.default_rng(rng)
    cop = GaussianCopula(corr)

    # compiled kernels (distributions.compiled): imported once something is drawn
    from distributions.compiled import ndtr

    def outputs(z: FloatArray) -> FloatArray:
        # uniforms row by row and chunk by chunk (elementwise, so the same bits as on all
        # of z at once) rather than two more arrays of z's size
        parts = []
        for a in range(0, z.shape[1], _CHUNK):
            x = np.stack([ppf(np.clip(ndtr(z[i, a : a + _CHUNK]), TINY, 1 - TINY))
                          for i, ppf in enumerate(ppfs)])
            parts.append(np.atleast_2d(np.asarray(func(x), dtype=np.float64)))
        return np.concatenate(parts, axis=1)

    order = np.argsort(gen.random((permutations, d)), axis=1)     # pi_l
    rank = np.argsort(order, axis=1)                              # position of input i
    sizes = np.arange(1, d + 1)                                   # |J| = 1..d
    in_j = rank[:, None, :] < sizes[None, :, None]                # (m, d, d)
    # common random numbers along each permutation: one outer draw and one set of inner
    # normals per permutation, shared by its d prefixes, so the increments
    # c(J_j) - c(J_j-1) are differences of correlated estimates (each c(J) stays unbiased);
    # kept compact: only the redrawn z has a column per evaluation, shape (d, m * d * inner)
    outer = cop.joint(permutations, gen)                             # (d, m)
    eps = gen.standard_normal((d, permutations, inner))              # (d, m, inner)
    y = outputs(cop.redraw_repeated(outer, in_j, eps))
    s = y.shape[0]
    c = np.concatenate([np.zeros((s, permutations, 1)),
                        y.reshape(s, permutations, d, inner).var(axis=3, ddof=1)], axis=2)
    steps = np.diff(c, axis=2)                                    # (s, m, d): step j adds pi_j
    per = np.take_along_axis(steps, rank[None, :, :], axis=2)     # (s, m, d) by input
    effects = per.mean(axis=1)
    se = per.std(axis=1, ddof=1) / math.sqrt(permutations)
    var = c[:, :, -1].mean(axis=1)
    return ShapleyEstimate(effects, se, var, permutations)


def closed_subset_variance(b: FloatArray, sigma: FloatArray, u: Sequence[int]) -> float:
    """``Var(E[Y | X_u])`` for ``Y = b . X``, ``X ~ N(0, sigma)``: ``c' S_uu c`` with
    ``c = b_u + S_uu^-1 S_u,-u b_-u`` (Gaussian conditioning).

    Examples
    --------
    >>> closed_subset_variance(np.ones(2), np.array([[1.0, 0.5], [0.5, 1.0]]), [0])
    2.25
    """
    d = b.size
    u = list(u)
    if not u:
        return 0.0
    rest = [i for i in range(d) if i not in u]
    c = b[u] + (np.linalg.solve(sigma[np.ix_(u, u)], sigma[np.ix_(u, rest)] @ b[rest])
                if rest else 0.0)
    return float(c @ sigma[np.ix_(u, u)] @ c)


def exact_linear_gaussian(b: FloatArray, sigma: FloatArray) -> FloatArray:
    """Shapley effects of ``Y = b . X``, ``X ~ N(0, sigma)``, by enumerating every subset:
    ``Sh_i = sum_{u not containing i} |u|! (d - |u| - 1)! / d! [V(u + i) - V(u)]`` with
    ``V(u) = Var(E[Y | X_u])`` (:func:`closed_subset_variance`).

    Examples
    --------
    Two inputs (Owen & Prieur 2017): ``Sh_1 = b1^2 s1^2 (1 - rho^2 / 2) + rho b1 b2 s1 s2 +
    rho^2 b2^2 s2^2 / 2``.

    >>> sig = np.array([[4.0, 1.2], [1.2, 1.0]])  # s1 = 2, s2 = 1, rho = 0.6
    >>> exact_linear_gaussian(np.array([1.0, 3.0]), sig).round(4).tolist()
    [8.5, 11.7]
    """
    b = np.asarray(b, dtype=np.float64)
    d = b.size
    v = {u: closed_subset_variance(b, sigma, u) for k in range(d + 1)
         for u in combinations(range(d), k)}
    out = np.zeros(d)
    for i in range(d):
        for u, vu in v.items():
            if i in u:
                continue
            w = math.factorial(len(u)) * math.factorial(d - len(u) - 1) / math.factorial(d)
            out[i] += w * (v[tuple(sorted((*u, i)))] - vu)
    return out


@dataclass(frozen=True)
class ShapleyResult:
    """Shapley effects of a study's output per strategy.

    Attributes
    ----------
    frame : polars.DataFrame
        ``strategy, input, shapley, se, effect`` (``shapley``: share of the output's
        variance, ``se`` its standard error; ``effect`` in variance units), sorted by
        ``shapley`` within each strategy.
    metric : Metric
        The output explained.
    permutations : int
        Random orders of the inputs.
    evaluations : int
        Model evaluations spent.
    correlated : bool
        Whether the study states correlations (else the effects equal Sobol' indices'
        average of first-order and total, up to noise).
    """

    frame: pl.DataFrame
    metric: Metric
    permutations: int
    evaluations: int
    correlated: bool

    def table(self, strategy: str | None = None) -> pl.DataFrame:
        """The rows of one strategy (default: the first)."""
        names = list(dict.fromkeys(self.frame["strategy"].to_list()))
        name = strategy or (names[0] if names else "")
        return self.frame.filter(pl.col("strategy") == name)


def shapley_analysis(study: Study, *, metric: str | Metric = "npv",
                     strategies: Sequence[str] | None = None,
                     permutations: int | None = None, budget: int = BUDGET, inner: int = 3,
                     rng: SeedLike = None) -> ShapleyResult:
    """Shapley effects of every uncertain input of a study, per strategy.

    Parameters
    ----------
    study : Study
        The study (its stated rank correlations give the copula).
    metric : str or Metric
        ``npv`` or ``payback_within:N``.
    strategies : sequence of str, optional
        Default: every strategy but the baseline.
    permutations : int, optional
        Random orders (default: as many as ``budget`` evaluations allow, at least 64).
    budget : int
        Model evaluations for the conditional draws when ``permutations`` is not given.
    inner : int
        See :func:`shapley_effects`.
    rng : numpy.random.Generator, int or None
        None: derived from the study's seed (reproducible).

    Examples
    --------
    >>> res = shapley_analysis(load_study("studies/legal_contracts.toml"))  # doctest: +SKIP
    >>> res.table("hosted_ft")  # doctest: +SKIP
    """
    m = parse_metric(metric, horizon=study.horizon_months)
    names = check_strategies(study, strategies)
    inputs = study.uncertain_inputs()
    d = len(inputs)
    if d == 0:
        raise ValueError(f"{study.file}: every input is fixed; Shapley effects need an "
                         "uncertain input")
    perms = permutations if permutations is not None else max(
        64, budget // (d * inner))
    rc = study.rank_correlation()
    corr = np.eye(d) if rc is None else 2.0 * np.sin(np.pi * rc / 6.0)
    np.fill_diagonal(corr, 1.0)
    fixed = {i.path: float(i.dist.mean) for i in study.inputs() if not i.uncertain}

    def func(x: FloatArray) -> FloatArray:
        values = {**fixed, **{inp.path: x[j] for j, inp in enumerate(inputs)}}
        return metric_values(study, values, x.shape[1], m, names)

    gen = np.random.default_rng(
        np.random.SeedSequence(study.seed, spawn_key=(_SHAPLEY_KEY,)) if rng is None else rng)
    est = shapley_effects(func, [i.dist._ppf for i in inputs], corr, permutations=perms,
                          inner=inner, rng=gen)
    shares = est.shares
    v = est.variance[:, None]
    se = np.where(v > 0, est.se / np.where(v > 0, v, 1.0), 0.0)
    rows: dict[str, list[object]] = {c: [] for c in ("strategy", "input", "shapley", "se",
                                                      "effect")}
    for k, s in enumerate(names):
        for j, inp in enumerate(inputs):
            for c, val in zip(rows, (s, inp.path, float(shares[k, j]), float(se[k, j]),
                                     float(est.effects[k, j])), strict=True):
                rows[c].append(val)
    order = {s: i for i, s in enumerate(names)}
    frame = (pl.DataFrame(rows, schema={"strategy": pl.String, "input": pl.String,
                                        "shapley": pl.Float64, "se": pl.Float64,
                                        "effect": pl.Float64})
             .with_columns(_o=pl.col("strategy").replace_strict(order, default=0))
             .sort(["_o", "shapley"], descending=[False, True], maintain_order=True)
             .drop("_o"))
    evaluations = perms * d * inner
    return ShapleyResult(frame, m, perms, evaluations, bool(study.correlations))
