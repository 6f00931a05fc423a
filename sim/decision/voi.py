"""Value of information: what knowing an unknown before deciding is worth (docs/model.md,
"Summaries and decisions").

- EVPI, the expected value of perfect information about everything: E[max_s NPV_s] -
  max_s E[NPV_s], the expected regret of the best choice made now.
- EVPPI of one input X: E_X[max_s E[NPV_s | X]] - max_s E[NPV_s]. Estimated by
  conditioning on quantile bins of X (:func:`evppi_bins`); for a group of inputs (what a
  pilot would reveal) by regressing each strategy's NPV on a cubic polynomial of the group's
  ranks (:func:`evppi_regression`).

The plug-in estimate (the same samples pick the best strategy per bin and score it) is
biased upwards at finite n: noise in the conditional means makes their maximum too large,
most where strategies are close. So the reported value is *cross-fitted*: the decision rule
"best strategy given X" is learnt on the even samples and scored on the odd ones, and vice
versa; it is the held-out gain over deciding now, floored at 0. It is exactly 0 when the
information never changes the decision, so an input that influences no strategy gets 0;
otherwise it is at most slightly low (a rule learnt from half the samples). The plug-in
figure is kept beside it. Standard errors are ``sd(D) / sqrt(n)``, D the per-sample gain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from distributions import average_ranks
from sim.decision.samples import SampleSet, check_strategies, decision_set
from sim.display import money
from sim.runner.quantiles import quantile
from sim.study import Study

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class Estimate:
    """A value of information in dollars.

    Attributes
    ----------
    value : float
        Cross-fitted estimate, floored at 0 (EVPI: the plain estimate).
    se : float
        Its Monte Carlo standard error.
    plugin : float
        The plug-in estimate (biased upwards; the difference is the optimism removed).
    """

    value: float
    se: float
    plugin: float


def _stack(npv: FloatArray | Mapping[str, FloatArray]) -> FloatArray:
    y = np.stack(list(npv.values())) if isinstance(npv, Mapping) else np.asarray(npv, float)
    if y.ndim != 2 or y.shape[1] == 0:
        raise ValueError(f"npv must be a (strategies, samples) array; got shape {y.shape}")
    return y


def _gain(y: FloatArray, choice: IntArray, now: int) -> tuple[float, float]:
    """Mean and standard error of the per-sample gain of ``choice`` over ``now``."""
    if np.all(choice == now):
        return 0.0, 0.0
    gain = y[choice, np.arange(y.shape[1])] - y[now]
    n = gain.size
    return float(gain.mean()), float(gain.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0


def _crossfit(y: FloatArray, choice: IntArray, plugin_choice: IntArray) -> Estimate:
    """The estimate from cross-fitted decisions (``choice``: each sample's strategy, learnt
    on the other half) and in-sample ones (``plugin_choice``)."""
    now = int(np.argmax(y.mean(axis=1)))
    plugin, _ = _gain(y, plugin_choice, now)
    value, se = _gain(y, choice, now)
    return Estimate(max(value, 0.0), se, max(plugin, 0.0))


#: The two halves of the samples: each decision rule is learnt on one, scored on the other.
HALVES = (slice(0, None, 2), slice(1, None, 2))


def evpi(npv: FloatArray | Mapping[str, FloatArray]) -> Estimate:
    """EVPI of the choice between strategies (rows of ``npv``; the same samples for all).

    Examples
    --------
    A strategy with NPV ~ U(-1, 3) against a baseline at 0: EVPI = E[max(X, 0)] - 1 =
    9/8 - 1 = 0.125.

    >>> x = np.random.default_rng(0).uniform(-1, 3, 200_000)
    >>> e = evpi(np.stack([np.zeros_like(x), x]))
    >>> abs(e.value - 0.125) < 4 * e.se
    True
    """
    y = _stack(npv)
    now = int(np.argmax(y.mean(axis=1)))
    value, se = _gain(y, np.argmax(y, axis=0), now)
    return Estimate(value, se, value)


def evppi_bins(x: FloatArray, npv: FloatArray | Mapping[str, FloatArray], *,
               bins: int | None = None) -> Estimate:
    """EVPPI of one input by conditioning on quantile bins of its samples.

    Parameters
    ----------
    x : ndarray, shape (n,)
        The input's samples.
    npv : ndarray, shape (S, n), or mapping of strategy to (n,) arrays
        Each strategy's NPV on the same samples.
    bins : int, optional
        Number of equal-count bins (tied values share a bin). Default: n // 1000 within
        [5, 50], so each half-sample bin mean rests on ~500 samples or more.

    Examples
    --------
    A strategy with NPV = X + noise, X ~ U(-1, 3), against a baseline at 0: knowing X is
    worth E[max(X, 0)] - E[X] = 0.125.

    >>> gen = np.random.default_rng(0)
    >>> x, noise = gen.uniform(-1, 3, 100_000), gen.normal(size=100_000)
    >>> e = evppi_bins(x, np.stack([np.zeros_like(x), x + noise]))
    >>> bool(abs(e.value - 0.125) < 4 * e.se)
    True
    >>> evppi_bins(noise, np.stack([np.zeros_like(x), x + 5]))  # never changes the choice
    Estimate(value=0.0, se=0.0, plugin=0.0)
    """
    y = _stack(npv)
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    if y.shape[1] != n:
        raise ValueError(f"x has {n} samples but npv has {y.shape[1]}")
    k = _bins(n, bins)
    edges = quantile(x, np.linspace(0, 1, k + 1)[1:-1])
    return _evppi_binned(np.searchsorted(edges, x, side="right"), k, y)


def _bins(n: int, bins: int | None) -> int:
    k = bins if bins is not None else min(50, max(5, n // 1000))
    if k < 1:
        raise ValueError(f"bins={k} must be >= 1")
    return k


def _evppi_binned(b: IntArray, k: int, y: FloatArray) -> Estimate:
    """EVPPI given each sample's bin ``b`` in 0..k-1."""
    now = int(np.argmax(y.mean(axis=1)))

    def best_per_bin(part: slice) -> IntArray:
        bp = b[part]
        counts = np.bincount(bp, minlength=k)
        sums = np.stack([np.bincount(bp, weights=row[part], minlength=k) for row in y])
        return np.where(counts > 0, np.argmax(sums / np.maximum(counts, 1), axis=0), now)

    choice = np.empty(b.size, dtype=np.intp)
    for test, train in (HALVES, HALVES[::-1]):
        choice[test] = best_per_bin(train)[b[test]]
    return _crossfit(y, choice, best_per_bin(slice(None))[b])


def _rank_bins(ranks: FloatArray, k: int) -> IntArray:
    """Equal-count bins from average ranks 1..n (tied values share a bin)."""
    n = ranks.size
    return np.minimum(((ranks - 0.5) * k / n).astype(np.intp), k - 1)


#: A group's regression basis is built and used one half of the samples at a time from
#: this size on (20 inputs at 32,768 samples make a 63 MiB basis).
SPLIT_BYTES = 16 << 20
#: Samples a basis is built by at a time: laid out term by term, then copied in, so that
#: each of the basis's rows is written whole (not one term at a time across all rows).
BASIS_BLOCK = 1024


def _terms(g: int) -> int:
    """Columns of the basis of g inputs: 1, three powers each and one term per pair."""
    return 1 + 3 * g + g * (g - 1) // 2


def _basis(ranks: FloatArray, rows: slice = slice(None)) -> FloatArray:
    """The regression basis for the samples ``rows`` (all by default), shape (samples,
    terms): 1, then per input i ``z_i, z_i^2, z_i^3`` and ``z_i z_j`` for each later input
    j, with z the rank scaled to [-1, 1] (by all n samples).

    Examples
    --------
    >>> b = _basis(np.array([[1.0, 2.0], [2.0, 1.0]]))  # z: (-0.5, 0.5) and (0.5, -0.5)
    >>> b.shape, b[0].tolist()
    ((2, 8), [1.0, -0.5, 0.25, -0.125, -0.25, 0.5, 0.25, 0.125])
    """
    g, n = ranks.shape
    z = 2.0 * (ranks[:, rows] - 0.5) / n - 1.0
    m = z.shape[1]
    out = np.empty((m, _terms(g)))
    block = np.empty((out.shape[1], min(BASIS_BLOCK, m)))
    for a in range(0, m, BASIS_BLOCK):
        zb = z[:, a:a + BASIS_BLOCK]
        t = block[:, :zb.shape[1]]
        t[0] = 1.0
        c = 1
        for i in range(g):
            t[c], t[c + 1], t[c + 2] = zb[i], zb[i] ** 2, zb[i] ** 3
            c += 3
            for j in range(i + 1, g):
                np.multiply(zb[i], zb[j], out=t[c])
                c += 1
        out[a:a + zb.shape[1]] = t.T
    return out


def evppi_regression(x: FloatArray, npv: FloatArray | Mapping[str, FloatArray]) -> Estimate:
    """EVPPI of a group of inputs by regression of each strategy's NPV on the group.

    ``E[NPV_s | X_group]`` is approximated by least squares on a cubic polynomial of the
    group's ranks with pairwise interactions (fitted on one half of the samples, used to
    decide on the other; see the module notes).

    Parameters
    ----------
    x : ndarray, shape (g, n)
        The group's samples.
    npv : ndarray, shape (S, n), or mapping
        Each strategy's NPV.

    Examples
    --------
    NPV = X1 + X2 - 2 with X1, X2 ~ U(-1, 3): knowing both is worth E[max(X1 + X2 - 2, 0)]
    = 2/3.

    >>> x = np.random.default_rng(0).uniform(-1, 3, (2, 50_000))
    >>> e = evppi_regression(x, np.stack([np.zeros(50_000), x[0] + x[1] - 2]))
    >>> bool(abs(e.value - 2 / 3) < 4 * e.se)
    True
    """
    y = _stack(npv)
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if y.shape[1] != x.shape[1]:
        raise ValueError(f"x has {x.shape[1]} samples but npv has {y.shape[1]}")
    return _evppi_fit(average_ranks(x), y)


def _solve(gram: FloatArray, rhs: FloatArray) -> FloatArray:
    """Least-squares coefficients from normal equations (lstsq copes with collinear
    columns: ties, discrete inputs)."""
    coef, *_ = np.linalg.lstsq(gram, rhs, rcond=1e-12)
    return np.asarray(coef, dtype=np.float64)


def _evppi_fit(ranks: FloatArray, y: FloatArray) -> Estimate:
    """EVPPI by least squares of each NPV row on the basis of the group's ``ranks`` (g, n)
    (:func:`_basis`), cross-fitted: the normal equations per half (p x p), the full fit's
    their sums. A basis of more than :data:`SPLIT_BYTES` is built one half at a time
    (:func:`_fit_by_halves`): the same numbers, with a third of the memory at the peak."""
    g, n = ranks.shape
    if n * _terms(g) * 8 > SPLIT_BYTES:
        return _fit_by_halves(ranks, y)
    basis = _basis(ranks)
    grams = [(basis[h].T @ basis[h], basis[h].T @ y[:, h].T) for h in HALVES]
    choice = np.empty(basis.shape[0], dtype=np.intp)
    for (test, _), (gram, rhs) in zip((HALVES, HALVES[::-1]), grams[::-1], strict=True):
        choice[test] = np.argmax(basis[test] @ _solve(gram, rhs), axis=1)
    full = _solve(grams[0][0] + grams[1][0], grams[0][1] + grams[1][1])
    return _crossfit(y, choice, np.argmax(basis @ full, axis=1))


def _fit_by_halves(ranks: FloatArray, y: FloatArray) -> Estimate:
    """:func:`_evppi_fit` holding one half's basis at a time: the odd half's is built for
    its normal equations, then the even half's (its equations, then its decisions, which
    need the odd half's fit), then the odd half's again for its decisions. The products
    are those of the halves of the whole basis, row for row (BLAS gives them the same bits
    at these sizes; tests/decision_tests/test_voi.py checks it)."""
    n = ranks.shape[1]
    even, odd = HALVES
    b = _basis(ranks, odd)
    gram_odd = (b.T @ b, b.T @ y[:, odd].T)
    del b
    b = _basis(ranks, even)
    gram_even = (b.T @ b, b.T @ y[:, even].T)
    full = _solve(gram_even[0] + gram_odd[0], gram_even[1] + gram_odd[1])
    choice = np.empty(n, dtype=np.intp)
    plugin = np.empty(n, dtype=np.intp)
    choice[even] = np.argmax(b @ _solve(*gram_odd), axis=1)
    plugin[even] = np.argmax(b @ full, axis=1)
    del b
    b = _basis(ranks, odd)
    choice[odd] = np.argmax(b @ _solve(*gram_even), axis=1)
    plugin[odd] = np.argmax(b @ full, axis=1)
    return _crossfit(y, choice, plugin)


#: Inputs a pilot of a fine-tuned strategy measures: its quality and its serving and
#: training behaviour in practice.
PILOT_KEYS = ("review_rate", "error_rate", "throughput_tokens_per_s", "serving_hours_fraction",
              "target_utilization", "training_runs", "compute_per_run")


def default_groups(study: Study) -> dict[str, list[str]]:
    """Named groups of uncertain inputs worth asking about together.

    ``pilot``: what a pilot of the candidate strategies would reveal (their uncertain
    :data:`PILOT_KEYS`); ``workload``: the uncertain workload; and per candidate strategy
    ``<name> (all inputs)``. Groups with fewer than one input are left out.

    Examples
    --------
    >>> default_groups(load_study("studies/customer_support.toml"))["workload"]  # doctest: +SKIP
    ['workload.requests_per_day', 'workload.input_tokens', ...]
    """
    uncertain = [i.path for i in study.uncertain_inputs()]
    groups: dict[str, list[str]] = {}
    others = [s for s in study.compared() if s != study.baseline]
    pilot = [p for p in uncertain for s in others
             if p.startswith(f"strategies.{s}.") and p.rsplit(".", 1)[1] in PILOT_KEYS]
    if pilot:
        groups["pilot"] = pilot
    workload = [p for p in uncertain if p.startswith("workload.")]
    if workload:
        groups["workload"] = workload
    for s in others:
        mine = [p for p in uncertain if p.startswith(f"strategies.{s}.")]
        if mine:
            groups[f"{s} (all inputs)"] = mine
    return groups


@dataclass(frozen=True)
class ValueOfInformation:
    """EVPI of a choice and EVPPI of inputs and groups of inputs, in dollars.

    Attributes
    ----------
    frame : polars.DataFrame
        ``name, inputs, kind`` ("input" or "group"), ``method`` ("bins" or
        "regression"), ``evppi, se, plugin`` and ``share`` (of the EVPI), sorted by evppi.
    evpi : Estimate
        Value of knowing every input before choosing.
    strategies : tuple of str
        The choice these values are about.
    n : int
        Samples used.
    """

    frame: pl.DataFrame
    evpi: Estimate
    strategies: tuple[str, ...]
    n: int

    def table(self) -> pl.DataFrame:
        """The EVPPI rows, largest first."""
        return self.frame

    def sentences(self, *, top: int = 3) -> list[str]:
        """What the report says: the EVPI, then the ``top`` inputs or groups by EVPPI.

        Each reads "Knowing X before deciding is worth up to $Y (± $se)."; "up to",
        because perfect information bounds what any real study of X can be worth.
        """
        e = self.evpi
        if len(self.strategies) < 2:
            return [f"Only {', '.join(self.strategies)} meets the study's constraints: there "
                    "is no choice for information to improve."]
        if e.value <= 2 * e.se or money(e.value, compact=True) == "$0":
            out = [f"The choice hardly depends on what is uncertain: knowing every input "
                   f"before deciding is worth up to {money(e.value, compact=True)} "
                   f"(± {money(e.se, compact=True)}, EVPI)."]
        else:
            out = [f"Knowing every uncertain input before deciding is worth up to "
                   f"{money(e.value, compact=True)} (± {money(e.se, compact=True)}, EVPI)."]
        for row in self.frame.head(top).iter_rows(named=True):
            if row["evppi"] <= 0:
                break
            what = row["name"] if row["kind"] == "input" else (
                f"{row['name']} ({row['inputs']})")
            out.append(f"Knowing {what} before deciding is worth up to "
                       f"{money(row['evppi'], compact=True)} (± {money(row['se'], compact=True)}).")
        return out


def value_of_information(samples: SampleSet, *, inputs: Sequence[str] | None = None,
                         groups: Mapping[str, Sequence[str]] | None = None,
                         strategies: Sequence[str] | None = None,
                         bins: int | None = None) -> ValueOfInformation:
    """EVPI of the strategy choice and EVPPI of each input and group.

    Parameters
    ----------
    samples : SampleSet
        Per-sample inputs and NPVs.
    inputs : sequence of str, optional
        Inputs to value one at a time (default: every uncertain input).
    groups : mapping of name to input paths, optional
        Groups valued together (default: :func:`default_groups`; ``{}`` for none).
    strategies : sequence of str, optional
        The choice (default: every compared strategy that meets the study's constraints,
        the baseline included).
    bins : int, optional
        Bins of the single-input estimator (see :func:`evppi_bins`).

    Examples
    --------
    >>> voi = value_of_information(simulate(study))  # doctest: +SKIP
    >>> voi.sentences()[0]  # doctest: +SKIP
    'Knowing every uncertain input before deciding is worth up to $41,200 (± $900, EVPI).'
    """
    study = samples.study
    names = (decision_set(study) if strategies is None
             else check_strategies(study, strategies, allow_baseline=True))
    y = np.stack([samples.npv[s] for s in names])
    singles = [study.input(p).path for p in inputs] if inputs is not None else list(
        samples.names)
    grouped = default_groups(study) if groups is None else {
        k: [study.input(p).path for p in v] for k, v in groups.items()}
    total = evpi(y)
    rows: dict[str, list[object]] = {c: [] for c in ("name", "inputs", "kind", "method",
                                                     "evppi", "se", "plugin")}

    def add(name: str, paths: Sequence[str], kind: str, method: str, e: Estimate) -> None:
        for c, v in zip(rows, (name, ", ".join(paths), kind, method, e.value, e.se,
                               e.plugin), strict=True):
            rows[c].append(v)

    k = _bins(samples.n, bins)
    row = {p: samples.names.index(samples.study.input(p).path) for p in
           [*singles, *(q for v in grouped.values() for q in v)] if p in samples.names}
    for p in singles:
        samples.input(p)  # a fixed input is an error that says so
        add(p, [p], "input", "bins", _evppi_binned(_rank_bins(samples.ranks[row[p]], k), k, y))
    for name, paths in grouped.items():
        if not paths:
            raise ValueError(f"group '{name}' names no inputs")
        for p in paths:
            samples.input(p)
        ranks = samples.ranks[[row[p] for p in paths]]
        add(name, paths, "group", "regression", _evppi_fit(ranks, y))
    schema = {"name": pl.String, "inputs": pl.String, "kind": pl.String,
              "method": pl.String, "evppi": pl.Float64, "se": pl.Float64,
              "plugin": pl.Float64}
    frame = pl.DataFrame(rows, schema=schema).with_columns(
        share=pl.col("evppi") / total.value if total.value > 0 else pl.lit(0.0))
    frame = frame.sort("evppi", descending=True, maintain_order=True)
    return ValueOfInformation(frame, total, tuple(names), samples.n)
