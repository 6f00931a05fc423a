"""The value of a pilot: expected value of sample information (EVSI), by preposterior analysis
on the existing samples.

A pilot evaluates ``n`` examples with the candidate model and counts how many need a
review (or are wrong): ``k ~ Binomial(n, r)``, ``r`` the model's true rate. Optionally it
also measures the engineering effort: ``z = log(hours) + e``, ``e ~ Normal(0, sd^2)`` (a
stated accuracy on log-hours; ``sd = 0.3`` is about ±30%). After it, one picks the strategy
with the best expected NPV *given what it showed*; EVSI is how much better that is, on
average, than choosing now: ``E_k[max_s E[NPV_s | k]] - max_s E[NPV_s]``. It is at most the
EVPPI of the rate (a perfect pilot) and at most the EVPI.

Posterior by likelihood weighting of the samples: the study's draws of ``r`` are draws from
its prior, so ``E[NPV_s | k] = sum_j w_j NPV_sj / sum_j w_j`` with ``w_j = r_j^k (1 -
r_j)^(n - k)`` (times the normal density of ``z`` given ``hours_j``). For a beta prior this
is the conjugate Beta(a + k, b + n - k) posterior, importance-sampled from the prior; for any
other prior it is the same rule, the posterior known only through the samples.

Cross-fitted like :mod:`sim.decision.voi`: the rule "best strategy given the pilot's outcome"
is learnt on one half of the samples (even ones) and scored on the other (odd ones), and
vice versa, so noise in the learnt rule cannot inflate the value (the plug-in figure, rule
learnt and scored on all samples, is kept beside it). Without the effort measurement the
outcome is summed over exactly: each held-out sample's gain is ``sum_k Binomial(k; n, r_i)
(NPV_{d(k), i} - NPV_{now, i})``, no outcome is simulated; with it, one outcome ``(k, z)`` is
drawn per sample (a fixed seed) and its posterior weighted over the first :data:`TRAIN`
samples of the training half (cost: samples x 4,096 likelihood evaluations). Standard
error ``sd(gain) / sqrt(N)``. The rule is decided on :data:`K_GRID` evenly spaced counts
and refined by bisection wherever two neighbours decide differently, to the exact count
where it changes; a rule that changed and changed back between two neighbouring grid
counts (n / 64 apart) would be missed.

The pilot's rate: the strategy's ``review_rate`` (or ``error_rate``) when uncertain; with a
``quality_lift`` (the relative reduction of the baseline's review rate), the rate the pilot
sees is ``baseline review rate x (1 - quality_lift)`` sample by sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from sim.decision.samples import SampleSet, check_strategies, decision_set
from sim.decision.voi import HALVES, Estimate, evpi, evppi_bins, evppi_regression
from sim.display import money, short
from sim.runner.quantiles import distinct
from sim.study import Study

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
SeedLike = int | np.random.Generator | np.random.SeedSequence | None
#: Pilot counts the rule is first decided on (then refined by bisection where it changes).
K_GRID = 65
#: Training samples the posterior is weighted over when outcomes are drawn (the effort
#: measured): each drawn outcome costs this many likelihood evaluations.
TRAIN = 4096
#: Rows of likelihood weights computed at once (bounds memory: rows x training samples).
_ROWS = 32
_PILOT_KEY = 0x9170
#: The keys a pilot can observe, in the order a default is looked for.
RATE_KEYS = ("review_rate", "quality_lift", "error_rate")
_EPS = 1e-12


def _stack(npv: FloatArray) -> FloatArray:
    y = np.asarray(npv, dtype=np.float64)
    if y.ndim != 2 or y.shape[1] < 4:
        raise ValueError(f"npv must be a (strategies, samples) array with >= 4 samples; got "
                         f"shape {y.shape}")
    return y


def _binomial_rule(r: FloatArray, y: FloatArray, m: int) -> IntArray:
    """Best strategy per pilot count k = 0..m, learnt on training rates ``r`` and NPVs ``y``.

    Decided on :data:`K_GRID` evenly spaced counts, then by bisection between neighbours
    that decide differently, down to the count where the decision changes (counts between
    two neighbours that decide alike take their decision).
    """
    lr, l1r = np.log(np.clip(r, _EPS, 1)), np.log(np.clip(1 - r, _EPS, 1))

    def decide(ks: NDArray[np.intp]) -> IntArray:
        out = np.empty(ks.size, dtype=np.intp)
        for a in range(0, ks.size, _ROWS):
            k = ks[a : a + _ROWS].astype(np.float64)[:, None]
            lw = k * lr + (m - k) * l1r
            lw -= lw.max(axis=1, keepdims=True)
            np.exp(lw, out=lw)
            out[a : a + _ROWS] = np.argmax(lw @ y.T, axis=1)  # the weights' sum is common
        return out

    grid = distinct(np.rint(np.linspace(0, m, min(m + 1, K_GRID))).astype(np.intp))
    at = dict(zip(grid.tolist(), decide(grid).tolist(), strict=True))
    rule = np.empty(m + 1, dtype=np.intp)
    stack = list(zip(grid[:-1].tolist(), grid[1:].tolist(), strict=True))
    rule[grid] = [at[k] for k in grid.tolist()]
    while stack:
        a, b = stack.pop()
        if at[a] == at[b] or b - a <= 1:
            rule[a + 1 : b] = at[a]
            continue
        mid = (a + b) // 2
        at[mid] = int(decide(np.array([mid]))[0])
        rule[mid] = at[mid]
        stack += [(a, mid), (mid, b)]
    return rule


def _binomial_gain(r: FloatArray, y: FloatArray, rule: IntArray, now: int, m: int
                   ) -> FloatArray:
    """Per-sample expected gain of deciding by ``rule`` (per count) over ``now``, summed over
    the pilot's count exactly: the rule is constant on runs of counts, each weighted by its
    binomial probability (:func:`distributions.compiled.bdtr`, as ``scipy.special.bdtr``
    without importing it)."""
    # compiled kernels (distributions.compiled): imported when first needed, as by a draw
    from distributions.compiled import bdtr

    cuts = np.flatnonzero(np.diff(rule)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts - 1, [m]])
    gain = np.zeros(r.size)
    for a, b in zip(starts, ends, strict=True):
        s = rule[a]
        if s == now:
            continue
        mass = bdtr(b, m, r) - (bdtr(a - 1, m, r) if a > 0 else 0.0)
        gain += mass * (y[s] - y[now])
    return gain


def _loglik(k: FloatArray, z: FloatArray | None, lr: FloatArray, l1r: FloatArray,
            lh: FloatArray | None, m: int, sd: float | None) -> FloatArray:
    lw = k[:, None] * lr + (m - k)[:, None] * l1r if m else np.zeros((k.size, lr.size))
    if z is not None and lh is not None and sd:
        lw = lw - (z[:, None] - lh) ** 2 / (2 * sd * sd)
    return lw


def _sampled_choice(r_tr: FloatArray, lh_tr: FloatArray | None, y_tr: FloatArray,
                    k: FloatArray, z: FloatArray | None, m: int, sd: float | None
                    ) -> IntArray:
    """The best strategy given each drawn outcome (k_i, z_i), learnt on (the first
    :data:`TRAIN` samples of) the training half."""
    r_tr, y_tr = r_tr[:TRAIN], y_tr[:, :TRAIN]
    lh_tr = None if lh_tr is None else lh_tr[:TRAIN]
    lr, l1r = np.log(np.clip(r_tr, _EPS, 1)), np.log(np.clip(1 - r_tr, _EPS, 1))
    out = np.empty(k.size, dtype=np.intp)
    for a in range(0, k.size, _ROWS):
        lw = _loglik(k[a : a + _ROWS], None if z is None else z[a : a + _ROWS], lr, l1r,
                     lh_tr, m, sd)
        lw -= lw.max(axis=1, keepdims=True)
        np.exp(lw, out=lw)
        out[a : a + _ROWS] = np.argmax(lw @ y_tr.T, axis=1)
    return out


def evsi(npv: FloatArray, *, rate: FloatArray | None = None, examples: int = 0,
         log_effort: FloatArray | None = None, effort_sd: float | None = None,
         rng: SeedLike = None) -> Estimate:
    """EVSI of a pilot on samples of its rate (and effort) and each strategy's NPV.

    Parameters
    ----------
    npv : ndarray, shape (S, N)
        Each strategy's NPV on the samples (the choice is between the rows).
    rate : ndarray, shape (N,), optional
        The rate the pilot observes, per sample (needed when ``examples`` > 0).
    examples : int
        Examples the pilot evaluates (0: it measures the effort only).
    log_effort : ndarray, shape (N,), optional
        log(engineering hours) per sample, when the pilot measures the effort.
    effort_sd : float, optional
        The measurement's standard deviation on log-hours.
    rng : numpy.random.Generator, int or None
        Draws the pilot's outcomes when the effort is measured (otherwise they are summed
        over exactly and ``rng`` is unused).

    Returns
    -------
    Estimate
        Cross-fitted value (floored at 0), its standard error, and the plug-in value.

    Examples
    --------
    A two-action problem: act A is worth 100 - 1000 p, act B 0, p ~ Beta(2, 18); a 50-trial
    pilot. The exact EVSI sums over the beta-binomial predictive (see the tests).

    >>> p = np.random.default_rng(0).beta(2, 18, 100_000)
    >>> e = evsi(np.stack([100 - 1000 * p, np.zeros_like(p)]), rate=p, examples=50)
    >>> round(e.value, 1) > 0
    True
    """
    y = _stack(npv)
    n = y.shape[1]
    if examples < 0:
        raise ValueError(f"examples={examples} must be >= 0")
    if examples and (rate is None or np.shape(rate) != (n,)):
        raise ValueError(f"rate must be an array of the {n} samples' rates")
    measured = log_effort is not None and effort_sd is not None
    if measured and not (effort_sd is not None and effort_sd > 0):
        raise ValueError(f"--effort-sd {effort_sd}: must be > 0 (on log-hours, e.g. 0.3)")
    if not examples and not measured:
        raise ValueError("a pilot must evaluate examples or measure the effort")
    r = np.zeros(n) if rate is None else np.asarray(rate, dtype=np.float64)
    if examples and (np.any(r < 0) or np.any(r > 1)):
        raise ValueError("the pilot's rate must lie in [0, 1] in every sample")
    now = int(np.argmax(y.mean(axis=1)))
    if not measured:
        gains = np.empty(n)
        for test, train in (HALVES, HALVES[::-1]):
            rule = _binomial_rule(r[train], y[:, train], examples)
            gains[test] = _binomial_gain(r[test], y[:, test], rule, now, examples)
        plugin = _binomial_gain(r, y, _binomial_rule(r, y, examples), now, examples)
    else:
        gen = np.random.default_rng(rng)
        k = gen.binomial(examples, r).astype(np.float64) if examples else np.zeros(n)
        lh = np.asarray(log_effort, dtype=np.float64)
        z = lh + float(effort_sd) * gen.standard_normal(n)  # type: ignore[arg-type]
        choice = np.empty(n, dtype=np.intp)
        for test, train in (HALVES, HALVES[::-1]):
            choice[test] = _sampled_choice(r[train], lh[train], y[:, train], k[test], z[test],
                                           examples, effort_sd)
        cols = np.arange(n)
        gains = y[choice, cols] - y[now]
        full = _sampled_choice(r, lh, y, k, z, examples, effort_sd)
        plugin = y[full, cols] - y[now]
    value = float(gains.mean())
    se = float(gains.std(ddof=1) / math.sqrt(n)) if np.any(gains) else 0.0
    return Estimate(max(value, 0.0), se, max(float(plugin.mean()), 0.0))


@dataclass(frozen=True)
class PilotValue:
    """What a pilot is worth before deciding.

    Attributes
    ----------
    evsi : Estimate
        Its expected value of sample information (gross of its cost).
    cost : float or None
        What it costs (None: not stated; then there is no verdict).
    examples : int
        Examples it evaluates.
    informs : str
        The input whose rate it observes.
    strategy : str
        The strategy it pilots.
    effort : str or None
        The engineering-hours input it also measures, if any.
    effort_sd : float or None
        The measurement's accuracy (sd on log-hours).
    evppi : Estimate
        What knowing the informed input(s) exactly would be worth (the ceiling).
    evpi : Estimate
        What knowing everything would be worth.
    strategies : tuple of str
        The choice.
    n : int
        Samples used.
    """

    evsi: Estimate
    cost: float | None
    examples: int
    informs: str
    strategy: str
    effort: str | None
    effort_sd: float | None
    evppi: Estimate
    evpi: Estimate
    strategies: tuple[str, ...]
    n: int

    @property
    def net(self) -> float | None:
        """EVSI minus the pilot's cost (None when the cost is not stated)."""
        return None if self.cost is None else self.evsi.value - self.cost

    @property
    def verdict(self) -> str | None:
        """``"run it"`` when EVSI exceeds the cost, ``"skip it"`` otherwise (None: no cost)."""
        net = self.net
        return None if net is None else ("run it" if net > 0 else "skip it")

    def table(self) -> pl.DataFrame:
        """EVSI beside its ceilings (EVPPI of what it informs, EVPI) and its cost."""
        rows = [("EVSI (this pilot)", self.evsi), ("EVPPI (a perfect pilot)", self.evppi),
                ("EVPI (knowing everything)", self.evpi)]
        return pl.DataFrame({"what": [r[0] for r in rows],
                             "value": [r[1].value for r in rows],
                             "se": [r[1].se for r in rows],
                             "plugin": [r[1].plugin for r in rows]})

    def sentence(self) -> str:
        """"A 500-example pilot ... costing $3,000 is worth $X (± se): run it." or
        "... skip it."."""
        key = self.informs.rsplit(".", 1)[-1].replace("_", " ")
        what = f"a {self.examples:,}-example pilot of {self.strategy}'s {key}"
        if not self.examples:
            what = f"a pilot of {self.strategy}"
        if self.effort:
            what += (f" that also measures {short(self.effort)} (± {self.effort_sd:.0%} on "
                     "log-hours)")
        e = self.evsi
        worth = f"{money(e.value)} (± {money(e.se)})"
        if self.cost is None:
            return (f"{what[0].upper()}{what[1:]} is worth {worth} before deciding (EVSI; at "
                    f"most {money(self.evppi.value)}, what a perfect one would be worth); "
                    "give its cost for a verdict.")
        net = self.evsi.value - self.cost
        close = abs(net) <= 2 * e.se
        tail = (" (within the Monte Carlo error of its cost: more samples would settle it)"
                if close else "")
        return (f"{what[0].upper()}{what[1:]} costing {money(self.cost)} is worth {worth}: "
                f"{self.verdict}{tail}. Net of its cost: {money(net)}.")


def pilot_rate(samples: SampleSet, path: str) -> FloatArray:
    """The rate a pilot of ``path``'s strategy observes, per sample (see the module notes)."""
    study = samples.study
    full = study.input(path).path
    key = full.rsplit(".", 1)[-1]

    def values(p: str) -> FloatArray:
        inp = study.input(p)
        if inp.path in samples.names:
            return samples.x[samples.names.index(inp.path)]
        return np.full(samples.n, float(inp.dist.mean))

    if key == "quality_lift":
        base = f"strategies.{study.baseline}"
        rate = values(f"{base}.review_rate")
        if not np.any(rate > 0):
            rate = values(f"{base}.error_rate")
        return np.asarray(rate * (1 - values(full)), dtype=np.float64)
    if key not in RATE_KEYS:
        raise ValueError(f"--informs {path}: a pilot observes a rate ({', '.join(RATE_KEYS)} "
                         "of a strategy); choose one of those")
    return values(full)


def default_informs(study: Study, strategy: str) -> str:
    """The input a pilot of ``strategy`` informs by default: its first uncertain
    :data:`RATE_KEYS`."""
    uncertain = {i.path for i in study.uncertain_inputs()}
    for key in RATE_KEYS:
        path = f"strategies.{strategy}.{key}"
        if path in uncertain:
            return path
    raise ValueError(f"--informs: {strategy} has no uncertain {', '.join(RATE_KEYS)}; name "
                     "the input the pilot observes with --informs, or state a range for one")


def pilot_value(samples: SampleSet, *, strategy: str, examples: int = 500,
                cost: float | None = None, informs: str | None = None,
                effort_sd: float | None = None, strategies: Sequence[str] | None = None,
                rng: SeedLike = None) -> PilotValue:
    """EVSI of a pilot of ``strategy`` on the study's samples, beside its ceilings.

    Parameters
    ----------
    samples : SampleSet
        Per-sample inputs and NPVs.
    strategy : str
        The strategy piloted.
    examples : int
        Examples evaluated (0: the effort only).
    cost : float, optional
        The pilot's cost, for a verdict.
    informs : str, optional
        The input whose rate it observes (default: :func:`default_informs`).
    effort_sd : float, optional
        Also measure ``strategy``'s engineering hours with this sd on log-hours.
    strategies : sequence of str, optional
        The choice (default: the strategies meeting the constraints, baseline included).
    rng : numpy.random.Generator, int or None
        Outcome draws when the effort is measured; None: derived from the study's seed.

    Examples
    --------
    >>> v = pilot_value(simulate(study), strategy="hosted_ft", cost=3000)  # doctest: +SKIP
    >>> v.sentence()  # doctest: +SKIP
    """
    study = samples.study
    s = check_strategies(study, [strategy])[0]
    if cost is not None and not (math.isfinite(cost) and cost >= 0):
        raise ValueError(f"--cost {cost}: must be a finite amount >= 0")
    names = (decision_set(study) if strategies is None
             else check_strategies(study, strategies, allow_baseline=True))
    y = np.stack([samples.npv[x] for x in names])
    path = study.input(informs).path if informs else (default_informs(study, s)
                                                      if examples else "")
    rate = pilot_rate(samples, path) if examples else None
    effort = None
    log_h = None
    if effort_sd is not None:
        effort = study.input(f"strategies.{s}.engineering_hours").path
        if effort not in samples.names:
            raise ValueError(f"--effort-sd: {short(effort)} is fixed in this study; there is "
                             "nothing for the pilot to measure")
        log_h = np.log(np.maximum(samples.input(effort), _EPS))
    gen = np.random.default_rng(
        np.random.SeedSequence(study.seed, spawn_key=(_PILOT_KEY,)) if rng is None else rng)
    value = evsi(y, rate=rate, examples=examples, log_effort=log_h, effort_sd=effort_sd,
                 rng=gen)
    group = [p for p in (path, effort) if p and p in samples.names]
    if path and path not in samples.names:  # quality_lift with the baseline's rate: its inputs
        group += [p for p in samples.names if p.endswith(("review_rate", "error_rate"))
                  and p.startswith(f"strategies.{study.baseline}.")]
    rows = [samples.names.index(p) for p in dict.fromkeys(group)]
    if len(rows) == 1:
        ceiling = evppi_bins(samples.x[rows[0]], y)
    elif rows:
        ceiling = evppi_regression(samples.x[rows], y)
    else:
        ceiling = Estimate(0.0, 0.0, 0.0)
    return PilotValue(value, cost, examples, path, s, effort, effort_sd, ceiling, evpi(y),
                      tuple(names), samples.n)
