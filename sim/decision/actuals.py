"""Forecast vs actuals: place each bill in the forecast, test calibration, update beliefs.

**Observation model.** A bill (or a month's volume) ``y`` is the model's value for that
month times a lognormal error: ``log y = log f(theta, t) + e``, ``e ~ N(0, sd^2)``, with
``sd`` = ``cost_sd`` (default 0.10: the model counts 30-day months, list prices and
expected review costs, so a bill is rarely within 10% by construction) or ``volume_sd``
(default 0.05), independent across months and columns.

**Percentile (PIT) of each month.** Under the forecast (the study's own samples, the prior)
the predictive cdf of the observation at ``y`` is ``F(y) = mean_i Phi((log y - log f_i)/sd)``;
``F(y)`` is the month's percentile, and a month outside P5-P95 is flagged.

**Updating (importance sampling with resample-move, Chopin 2002).** The samples are the
particles, weighted by the likelihood of the bills: month by month,
``log w_i += -0.5 ((log y - log f_i) / sd)^2``. The effective sample size
``ESS = (sum w)^2 / sum w^2`` says how many equally weighted samples they are worth; when it
falls below ``ess_min`` x n the particles are resampled (systematic resampling) and moved
by a few random-walk Metropolis steps in the normal scores of the uncertain inputs
(``z = Phi^-1(u)``, ``x = ppf(u)``), whose target is the prior (a Gaussian copula with the
study's rank correlations, ``2 sin(pi rho / 6)``) times the likelihood of the bills so far,
so the posterior keeps its diversity. Every input is updated jointly; those no bill depends
on keep their prior (up to Monte Carlo noise) and are listed as not informed.

**Calibration.** Before month t is weighed in, the forecast updated with the months before
it predicts it: the *one-step-ahead* percentiles. If the model is right (the bills are a draw
from it), these are independent and uniform (Dawid 1984; within a month, volume first then
each cost given it: the Rosenblatt transform), so a Kolmogorov-Smirnov test of their
uniformity is the calibration score (the forecast's own percentiles are not independent
across months: one high volume draw lifts them all). The mean CRPS of the one-step
predictions (of log y, so months and columns share a scale) is reported beside it.

**The decision again.** Every strategy's P(payback <= N) and E[NPV] are recomputed with
the posterior particles and weights ("after 4 months of bills, P(payback <= 12) moved from
0.59 to 0.71"), with standard errors from the ESS.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from distributions import special
from sim.decision.samples import decision_set
from sim.display import money
from sim.runner.model import NO_PAYBACK, evaluate
from sim.runner.paths import monthly_paths
from sim.runner.runner import input_values, sampling_plan
from sim.study import Study
from sim.study.actuals import Actuals
from sim.study.schema import SHOCKS

__all__ = ["CheckResult", "Observation", "check_actuals", "crps_ensemble",
           "synthetic_actuals", "weighted_quantile"]

FloatArray = NDArray[np.float64]
#: Uniforms are kept this far inside (0, 1) so every ppf stays finite.
EDGE = 1e-12
#: Bins of the PIT histogram.
PIT_BINS = 10
#: Level of the calibration test.
ALPHA = 0.05


@dataclass(frozen=True)
class Observation:
    """The measurement error of the actuals (see the module docstring).

    Examples
    --------
    >>> Observation().sd("cost.frontier"), Observation().sd("volume")
    (0.1, 0.05)
    """

    cost_sd: float = 0.10
    volume_sd: float = 0.05

    def __post_init__(self) -> None:
        for name, v in (("cost_sd", self.cost_sd), ("volume_sd", self.volume_sd)):
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"{name}={v} must be > 0 (the sd of log(actual / model))")

    def sd(self, series: str) -> float:
        """The log-scale sd of one column (``volume`` or ``cost.<strategy>``)."""
        return self.volume_sd if series == "volume" else self.cost_sd


def weighted_quantile(x: FloatArray, w: FloatArray, q: FloatArray) -> FloatArray:
    """Quantiles of a weighted sample (the inverse of its step cdf).

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0]),
    ...                   np.array([0.2, 0.5, 0.9])).tolist()
    [1.0, 2.0, 3.0]
    """
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    cw /= cw[-1]
    idx = np.searchsorted(cw, np.asarray(q) - 1e-12, side="left")
    return x[order][np.minimum(idx, x.size - 1)]


def crps_ensemble(x: FloatArray, w: FloatArray, y: float) -> float:
    """CRPS of a weighted ensemble ``x`` at the observation ``y``:
    ``E|X - y| - E|X - X'| / 2`` (0 is perfect; in the units of ``x``).

    Examples
    --------
    Two equally likely values 0 and 1, observed 0: ``0.5 - 0.25 = 0.25``.

    >>> crps_ensemble(np.array([0.0, 1.0]), np.array([1.0, 1.0]), 0.0)
    0.25
    """
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order] / w.sum()
    first = float(ws @ np.abs(xs - y))
    cdf = np.cumsum(ws)
    # sum_ij w_i w_j |x_i - x_j| = 2 sum_i w_i x_i (F_{i-1} - (1 - F_i)) for sorted x
    pair = 2.0 * float(ws @ (xs * ((cdf - ws) - (1.0 - cdf))))
    return first - 0.5 * pair


def _normalized(logw: FloatArray) -> FloatArray:
    w = np.exp(logw - logw.max())
    return w / w.sum()


def _ess(logw: FloatArray) -> float:
    w = _normalized(logw)
    return float(1.0 / np.sum(w * w))


def _systematic(w: FloatArray, rng: np.random.Generator) -> NDArray[np.intp]:
    n = w.size
    positions = (rng.random() + np.arange(n)) / n
    idx = np.searchsorted(np.cumsum(w), positions, side="right")
    return np.minimum(idx, n - 1)


def _copula(study: Study) -> FloatArray:
    """Inverse correlation of the normal scores (identity when no rank correlation)."""
    rank = study.rank_correlation()
    d = len(study.uncertain_inputs())
    if rank is None:
        return np.eye(d)
    pearson = 2.0 * np.sin(np.pi * rank / 6.0)
    np.fill_diagonal(pearson, 1.0)
    return np.asarray(np.linalg.inv(pearson), dtype=np.float64)


@dataclass
class _Filter:
    """The particles and what they predict; months are weighed in one by one."""

    study: Study
    acts: Actuals
    obs: Observation
    z: FloatArray
    last: int
    precision: FloatArray
    logw: FloatArray = field(init=False)
    pred: dict[str, FloatArray] = field(init=False)

    def __post_init__(self) -> None:
        self.logw = np.zeros(self.z.shape[1])
        self.pred = self.predict(self.z)

    def values(self, z: FloatArray) -> dict[str, Any]:
        u = np.clip(special.ndtr(z), EDGE, 1.0 - EDGE)
        return input_values(self.study, u, start=0)

    def predict(self, z: FloatArray) -> dict[str, FloatArray]:
        n = z.shape[1]
        paths = monthly_paths(self.study, self.values(z), n, months=self.last)
        out = {}
        for s in self.acts.series:
            raw = paths.requests_per_day if s == "volume" else paths.cost[s[5:]]
            out[s] = np.log(np.maximum(raw, 1e-300))
        return out

    def loglik(self, pred: Mapping[str, FloatArray], upto: int) -> FloatArray:
        """Log-likelihood of the observations of months 1..upto, per particle."""
        total = np.zeros(next(iter(pred.values())).shape[1])
        for s, y in self.acts.series.items():
            sd = self.obs.sd(s)
            for t, v in zip(self.acts.months, y, strict=True):
                if t <= upto and np.isfinite(v):
                    e = (math.log(v) - pred[s][t - 1]) / sd
                    total -= 0.5 * e * e
        return total

    def logprior(self, z: FloatArray) -> FloatArray:
        return -0.5 * np.einsum("in,ij,jn->n", z, self.precision, z)

    def move(self, upto: int, rng: np.random.Generator, steps: int) -> float:
        """Resample, then ``steps`` random-walk Metropolis moves; the mean acceptance."""
        idx = _systematic(_normalized(self.logw), rng)
        self.z = self.z[:, idx]
        self.pred = {k: v[:, idx] for k, v in self.pred.items()}
        self.logw = np.zeros(self.z.shape[1])
        d, n = self.z.shape
        if d == 0 or steps == 0:
            return math.nan
        cov = np.atleast_2d(np.cov(self.z)) + 1e-9 * np.eye(d)
        chol = np.linalg.cholesky(cov)
        h = 2.38 / math.sqrt(d)
        current = self.logprior(self.z) + self.loglik(self.pred, upto)
        accepted = []
        for _ in range(steps):
            prop = self.z + h * (chol @ rng.standard_normal((d, n)))
            pred = self.predict(prop)
            target = self.logprior(prop) + self.loglik(pred, upto)
            ok = np.log(rng.random(n)) < target - current
            self.z = np.where(ok, prop, self.z)
            self.pred = {k: np.where(ok, pred[k], self.pred[k]) for k in pred}
            current = np.where(ok, target, current)
            rate = float(ok.mean())
            accepted.append(rate)
            if rate < 0.15:  # too bold for a posterior this narrow: halve the step
                h *= 0.5
        return float(np.mean(accepted))


def _predictive_quantiles(logf: FloatArray, w: FloatArray, sd: float,
                          qs: FloatArray) -> FloatArray:
    """Quantiles of the mixture ``sum_i w_i LogNormal(logf_i, sd)`` (bisection in log y)."""
    lo = np.full(qs.size, float(logf.min()) - 8 * sd)
    hi = np.full(qs.size, float(logf.max()) + 8 * sd)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        cdf = special.ndtr((mid[:, None] - logf[None, :]) / sd) @ w
        below = cdf < qs
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.exp(0.5 * (lo + hi))


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check_actuals` found.

    Attributes
    ----------
    study : Study
    months : polars.DataFrame
        One row per observation: ``month, label, series, actual, p5, p50, p95`` (the
        forecast's predictive quantiles), ``pit`` (the forecast's percentile),
        ``pit_ahead`` (the one-step-ahead percentile), ``crps_ahead`` (log scale),
        ``flagged`` (outside P5-P95 of the forecast).
    steps : polars.DataFrame
        Per month: ``month, ess, resampled, acceptance``.
    inputs : polars.DataFrame
        Per uncertain input: ``input, informed`` and prior and posterior ``mean, p10, p90``.
    decision : polars.DataFrame
        Per compared strategy: prior and posterior ``P(payback <= N)`` for each N of the
        study (``p{N}_prior``, ``p{N}_post``, ``p{N}_post_se``) and ``npv_prior``,
        ``npv_post``.
    ks_statistic, ks_p_value : float
        Kolmogorov-Smirnov test of the one-step-ahead percentiles against U(0, 1).
    histogram : tuple of int
        The one-step-ahead percentiles in :data:`PIT_BINS` equal bins.
    ess : float
        Effective sample size of the final weights.
    n : int
        Particles.
    recommended_prior, recommended_post : str
        The study's recommendation (its criterion) before and after the bills.
    observation : Observation
    posterior : polars.DataFrame
        The final particles: one column per uncertain input and their ``weight`` (sum 1).
    """

    study: Study
    months: pl.DataFrame
    steps: pl.DataFrame
    inputs: pl.DataFrame
    decision: pl.DataFrame
    ks_statistic: float
    ks_p_value: float
    histogram: tuple[int, ...]
    ess: float
    n: int
    recommended_prior: str
    recommended_post: str
    observation: Observation
    posterior: pl.DataFrame

    @property
    def calibrated(self) -> bool:
        """True when the KS test does not reject uniformity at :data:`ALPHA`."""
        return self.ks_p_value >= ALPHA

    def sentences(self) -> list[str]:
        """The findings in words: flagged months, calibration, the decision moved."""
        k = int(self.months["month"].n_unique())
        bills = f"{k} month{'s' if k != 1 else ''} of actuals"
        out = []
        flagged = self.months.filter(pl.col("flagged"))
        if flagged.height:
            items = ", ".join(f"{r['label']} {r['series']} at P{100 * r['pit']:.0f}"
                              for r in flagged.iter_rows(named=True))
            out.append(f"outside the forecast's P5-P95: {items}")
        else:
            out.append("every month lies inside the forecast's P5-P95")
        verdict = "consistent with the forecast" if self.calibrated else "NOT calibrated"
        out.append(f"calibration: one-step-ahead percentiles {verdict} (KS D = "
                   f"{self.ks_statistic:.3f}, p = {self.ks_p_value:.3f}, "
                   f"{self.months.height} values, level {ALPHA})")
        n = self.study.primary_months
        for r in self.decision.iter_rows(named=True):
            if r["strategy"] == self.study.baseline:
                continue
            out.append(f"after {bills}, P(payback ≤ {n}) for {r['strategy']} moved from "
                       f"{r[f'p{n}_prior']:.2f} to {r[f'p{n}_post']:.2f} (± "
                       f"{r[f'p{n}_post_se']:.3f}); E[NPV] from {money(r['npv_prior'])} to "
                       f"{money(r['npv_post'])}")
        if self.recommended_prior != self.recommended_post:
            out.append(f"the recommendation changes from {self.recommended_prior} to "
                       f"{self.recommended_post}")
        else:
            out.append(f"the recommendation stays {self.recommended_post}")
        return out


def _informed(study: Study, acts: Actuals) -> set[str]:
    """The uncertain inputs some observed column depends on."""
    heads = {"workload"}
    for s in acts.series:
        if s.startswith("cost."):
            name = s[5:]
            strat = study.strategies[name]
            heads |= {f"strategies.{p}" for p in strat.parts} | {f"strategies.{name}"}
            if name != study.baseline:
                heads.add(f"strategies.{study.baseline}")
    informed = {i.path for i in study.uncertain_inputs()
                if any(i.path.startswith(h + ".") for h in heads)}
    grew = True
    while grew:  # an input rank-correlated with an informed one is informed through it
        grew = False
        for c in study.correlations:
            for a, b in ((c.a, c.b), (c.b, c.a)):
                if a in informed and b not in informed and c.rank != 0:
                    informed.add(b)
                    grew = True
    return informed


def _recommend(study: Study, npv: dict[str, FloatArray], payback: dict[str, Any],
               w: FloatArray) -> str:
    ok = decision_set(study)
    n = study.primary_months
    if study.criterion == "payback":
        def score(s: str) -> float:
            pb = payback[s]
            return float(w @ ((pb != NO_PAYBACK) & (pb <= n)))
    elif study.criterion == "cvar":
        def score(s: str) -> float:
            x = npv[s]
            order = np.argsort(x)
            cw = np.cumsum(w[order])
            tail = cw <= 0.05
            tail[np.argmax(cw > 0.05)] = True
            return float(np.average(x[order][tail], weights=w[order][tail]))
    else:
        def score(s: str) -> float:
            return float(w @ npv[s])
    return max(ok, key=score)


def _decision(study: Study, values_prior: Any, values_post: Any, n: int,
              w: FloatArray, ess: float) -> tuple[pl.DataFrame, str, str]:
    prior = evaluate(study, values_prior, n)
    post = evaluate(study, values_post, n)
    u = np.full(n, 1.0 / n)
    rows: dict[str, list[Any]] = {"strategy": list(prior)}
    for m in study.payback_within:
        for tag, out, ww in (("prior", prior, u), ("post", post, w)):
            rows[f"p{m}_{tag}"] = [float(ww @ ((o.payback != NO_PAYBACK) & (o.payback <= m)))
                                   for o in out.values()]
        rows[f"p{m}_post_se"] = [math.sqrt(max(p * (1 - p), 0.0) / ess)
                                 for p in rows[f"p{m}_post"]]
    rows["npv_prior"] = [float(o.npv.mean()) for o in prior.values()]
    rows["npv_post"] = [float(w @ o.npv) for o in post.values()]
    rec_prior = _recommend(study, {k: o.npv for k, o in prior.items()},
                           {k: o.payback for k, o in prior.items()}, u)
    rec_post = _recommend(study, {k: o.npv for k, o in post.items()},
                          {k: o.payback for k, o in post.items()}, w)
    return pl.DataFrame(rows), rec_prior, rec_post


def _inputs(study: Study, names: list[str], x0: FloatArray, x1: FloatArray, w: FloatArray,
            informed: set[str]) -> pl.DataFrame:
    qs = np.array([0.1, 0.9])
    rows: dict[str, list[Any]] = {k: [] for k in (
        "input", "informed", "prior_mean", "prior_p10", "prior_p90", "post_mean", "post_p10",
        "post_p90")}
    u = np.full(x0.shape[1], 1.0 / x0.shape[1])
    for j, name in enumerate(names):
        p0 = weighted_quantile(x0[j], u, qs)
        p1 = weighted_quantile(x1[j], w, qs)
        rows["input"].append(name)
        rows["informed"].append(name in informed)
        rows["prior_mean"].append(float(x0[j].mean()))
        rows["prior_p10"].append(float(p0[0]))
        rows["prior_p90"].append(float(p0[1]))
        rows["post_mean"].append(float(w @ x1[j]))
        rows["post_p10"].append(float(p1[0]))
        rows["post_p90"].append(float(p1[1]))
    return pl.DataFrame(rows, schema={"input": pl.String, "informed": pl.Boolean,
                                      **{k: pl.Float64 for k in list(rows)[2:]}})


def _prior_particles(study: Study, n: int) -> FloatArray:
    plan = sampling_plan(study.replace(samples=n))
    u = plan.rows(0, n)
    return special.ndtri(np.clip(u, EDGE, 1.0 - EDGE)).reshape(-1, n)


def check_actuals(study: Study, acts: Actuals, *, samples: int | None = None,
                  observation: Observation | None = None, ess_min: float = 0.5,
                  moves: int = 5, rng: int | np.random.Generator | None = None
                  ) -> CheckResult:
    """Check a study's forecast against actuals and update its inputs (module docstring).

    Parameters
    ----------
    study : Study
        The study whose forecast is checked.
    acts : Actuals
        The observed months (:func:`sim.study.actuals.read_actuals`).
    samples : int, optional
        Particles (default: the study's sample count); they are the study's own samples.
    observation : Observation, optional
        The measurement error (default: 10% on costs, 5% on volume).
    ess_min : float
        Resample and move when the ESS falls below this share of the particles.
    moves : int
        Metropolis steps after each resampling.
    rng : int or Generator, optional
        Randomness of resampling and moves (the particles come from the study's seed).

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> res = check_actuals(study, read_actuals("bills.csv", study))  # doctest: +SKIP
    >>> res.sentences()[-2]  # doctest: +SKIP
    'after 4 months of actuals, P(payback ≤ 12) for hosted_ft moved from 0.26 to 0.41 ...'
    """
    obs = observation or Observation()
    if not 0 < ess_min <= 1:
        raise ValueError(f"ess_min={ess_min} must be in (0, 1]")
    if moves < 0:
        raise ValueError(f"moves={moves} must be >= 0")
    n = study.samples if samples is None else samples
    if not 2 <= n <= 200_000:
        raise ValueError(f"samples={n} must be between 2 and 200,000")
    gen = np.random.default_rng(rng)
    names = [i.path for i in study.uncertain_inputs()]
    z0 = _prior_particles(study, n)
    last = int(acts.months.max())
    f = _Filter(study, acts, obs, z0.copy(), last, _copula(study))
    prior_pred = {k: v.copy() for k, v in f.pred.items()}
    u = np.full(n, 1.0 / n)
    rows: dict[str, list[Any]] = {k: [] for k in (
        "month", "label", "series", "actual", "p5", "p50", "p95", "pit", "pit_ahead",
        "crps_ahead")}
    steps: dict[str, list[Any]] = {"month": [], "ess": [], "resampled": [], "acceptance": []}
    qs = np.array([0.05, 0.5, 0.95])
    for j, (t, label) in enumerate(zip(acts.months.tolist(), acts.labels, strict=True)):
        for s, y in acts.series.items():
            v = y[j]
            if not np.isfinite(v):
                continue
            sd = obs.sd(s)
            ly = math.log(v)
            w = _normalized(f.logw)
            logf = f.pred[s][t - 1]
            rows["month"].append(t)
            rows["label"].append(label)
            rows["series"].append(s)
            rows["actual"].append(float(v))
            q = _predictive_quantiles(prior_pred[s][t - 1], u, sd, qs)
            rows["p5"].append(float(q[0]))
            rows["p50"].append(float(q[1]))
            rows["p95"].append(float(q[2]))
            rows["pit"].append(float(np.mean(special.ndtr((ly - prior_pred[s][t - 1]) / sd))))
            rows["pit_ahead"].append(float(w @ special.ndtr((ly - logf) / sd)))
            rows["crps_ahead"].append(crps_ensemble(logf, w, ly))
            e = (ly - logf) / sd
            f.logw = f.logw - 0.5 * e * e
        ess = _ess(f.logw)
        resampled = ess < ess_min * n
        acc = f.move(t, gen, moves) if resampled else math.nan
        steps["month"].append(t)
        steps["ess"].append(ess)
        steps["resampled"].append(resampled)
        steps["acceptance"].append(acc)
    months = pl.DataFrame(rows).with_columns(
        flagged=(pl.col("pit") < 0.05) | (pl.col("pit") > 0.95))
    pits = months["pit_ahead"].to_numpy()
    # deferred: scipy.stats costs ~100 MB and most of a second; only this check needs it
    from scipy import stats

    ks = stats.kstest(pits, "uniform")
    hist = np.histogram(pits, bins=PIT_BINS, range=(0.0, 1.0))[0]
    w = _normalized(f.logw)
    ess = _ess(f.logw)
    values0 = f.values(z0)
    values1 = f.values(f.z)
    x0 = np.array([values0[p] for p in names]).reshape(len(names), n)
    x1 = np.array([values1[p] for p in names]).reshape(len(names), n)
    decision, rec0, rec1 = _decision(study, values0, values1, n, w, ess)
    inputs = _inputs(study, names, x0, x1, w, _informed(study, acts))
    posterior = pl.DataFrame({**{p: x1[j] for j, p in enumerate(names)}, "weight": w})
    return CheckResult(study, months, pl.DataFrame(steps), inputs, decision,
                       float(ks.statistic), float(ks.pvalue), tuple(int(c) for c in hist),
                       ess, n, rec0, rec1, obs, posterior)


def synthetic_actuals(study: Study, months: int, *, series: tuple[str, ...] | None = None,
                      rng: int | np.random.Generator | None = None,
                      observation: Observation | None = None,
                      scale: float = 1.0) -> tuple[pl.DataFrame, dict[str, float]]:
    """Bills drawn from the study's own forecast: one joint draw of the inputs (the truth),
    its monthly paths for months 1..``months`` times lognormal measurement errors.

    Parameters
    ----------
    study : Study
    months : int
        Months billed.
    series : tuple of str, optional
        Columns (default: ``volume`` and ``cost.<baseline>``).
    rng : int or Generator, optional
        The draw's randomness (independent of the study's seed).
    observation : Observation, optional
        The errors' sd (default: :class:`Observation`).
    scale : float
        Multiply every value (e.g. 1.5: bills 50% above a draw of the forecast).

    Returns
    -------
    (polars.DataFrame, dict)
        The actuals (``month`` and the columns) and the true input values.

    Examples
    --------
    >>> bills, truth = synthetic_actuals(study, 4, rng=1)  # doctest: +SKIP
    """
    obs = observation or Observation()
    gen = np.random.default_rng(rng)
    cols = series or ("volume", f"cost.{study.baseline}")
    d = len(study.uncertain_inputs())
    rank = study.rank_correlation()
    z = gen.standard_normal((d, 1))
    if rank is not None:
        pearson = 2.0 * np.sin(np.pi * rank / 6.0)
        np.fill_diagonal(pearson, 1.0)
        z = np.linalg.cholesky(pearson) @ z
    values = input_values(study, np.clip(special.ndtr(z), EDGE, 1.0 - EDGE))
    if study.volume_process is not None:  # the truth's own volume path
        values[SHOCKS] = gen.standard_normal((study.horizon_months - 1, 1))
    paths = monthly_paths(study, values, 1, months=months)
    out: dict[str, Any] = {"month": list(range(1, months + 1))}
    for c in cols:
        raw = paths.requests_per_day if c == "volume" else paths.cost[c[5:]]
        noise = np.exp(obs.sd(c) * gen.standard_normal(months))
        out[c] = raw[:, 0] * noise * scale
    truth = {p: float(np.asarray(values[p]).ravel()[0]) for p in values}
    return pl.DataFrame(out), truth
