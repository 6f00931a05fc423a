"""Stress runs (@RISK style): the study rerun with one input restricted to a percentile band,
beside the base case.

``INPUT=p0:p10`` keeps the input in its lowest decile: each sample's uniform ``u`` for the
input (after the study's rank correlation) is mapped to ``lo + (hi - lo) u`` before the
input's quantile function, so the input is drawn from its own distribution restricted to the
band, and every other input keeps its draws (common random numbers): differences from the
base case are differences of the stress, not noise, and their standard errors are those of
the per-sample differences. Correlated partners keep their own distribution (their pairing
by rank with the stressed input is kept); the sample-based view, "what comes with a low
draw of X", is the tail and decile analysis (:mod:`sim.decision.tail`,
:func:`~sim.decision.sample_tornado`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from sim.costs.workload import Value
from sim.decision.crn import simulate_altered
from sim.decision.samples import SampleSet, check_strategies, simulate
from sim.decision.sweep import check_param
from sim.display import money, short
from sim.study import Study

_BAND = re.compile(r"^\s*p?(\d+(?:\.\d+)?)\s*:\s*p?(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Stress:
    """An input restricted to the percentile band [lo, hi] (fractions in [0, 1]).

    Examples
    --------
    >>> parse_stress("frontier.annual_price_drop=p90:p100")
    Stress(param='frontier.annual_price_drop', lo=0.9, hi=1.0)
    >>> parse_stress("x.y=p0:p10").label
    'x.y P0–P10'
    """

    param: str
    lo: float
    hi: float

    @property
    def label(self) -> str:
        """``input P0–P10``."""
        return f"{short(self.param)} P{100 * self.lo:g}–P{100 * self.hi:g}"


def parse_stress(text: str) -> Stress:
    """Read ``INPUT=pLO:pHI`` (percentiles, 0 <= LO < HI <= 100).

    Raises
    ------
    ValueError
        For another form or a band outside 0..100.
    """
    param, sep, band = text.partition("=")
    m = _BAND.match(band)
    if not sep or not param.strip() or m is None:
        raise ValueError(f"--stress '{text}': give INPUT=pLO:pHI, e.g. "
                         "strategies.hosted_ft.engineering_hours=p90:p100")
    lo, hi = float(m.group(1)), float(m.group(2))
    if not 0 <= lo < hi <= 100:
        raise ValueError(f"--stress '{text}': the band must satisfy 0 <= LO < HI <= 100")
    return Stress(param.strip(), lo / 100, hi / 100)


def _stressed(study: Study, stress: Stress) -> SampleSet:
    inp = check_param(study, stress.param, [])
    if not inp.uncertain:
        raise ValueError(f"--stress {stress.param}: is fixed in this study; only an uncertain "
                         "input has percentiles to restrict")
    j = [i.path for i in study.uncertain_inputs()].index(inp.path)

    def alter(values: dict[str, Value], u: np.ndarray) -> dict[str, Value]:
        values[inp.path] = inp.dist._ppf(stress.lo + (stress.hi - stress.lo) * u[j])
        return values

    return simulate_altered(study, alter)


@dataclass(frozen=True)
class StressResult:
    """The base case and each stress run, per strategy.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per scenario and strategy: ``scenario`` ("base" or ``input P0–P10``),
        ``param, lo, hi, strategy, npv_mean, npv_mean_se, npv_p10, npv_p50, npv_p90,
        p_payback, p_payback_se, p_npv_positive, p_best, delta_npv, delta_npv_se, delta_p,
        delta_p_se`` (deltas vs the base case, standard errors of the per-sample
        differences on common random numbers).
    months : int
        N of P(payback <= N).
    samples : int
        Samples per scenario.
    """

    frame: pl.DataFrame
    months: int
    samples: int

    def table(self) -> pl.DataFrame:
        """The scenarios beside the base case."""
        return self.frame

    def sentences(self, strategy: str) -> list[str]:
        """Per stress, what it does to ``strategy``'s E[NPV] and P(payback <= N)."""
        rows = self.frame.filter(pl.col("strategy") == strategy)
        base = rows.row(0, named=True)
        out = []
        for r in rows.iter_rows(named=True):
            if r["scenario"] == "base":
                continue
            out.append(
                f"With {r['scenario']}, {strategy}'s E[NPV] is {money(r['npv_mean'])} "
                f"({'+' if r['delta_npv'] >= 0 else '-'}{money(abs(r['delta_npv']))} ± "
                f"{money(r['delta_npv_se'])} vs the base case {money(base['npv_mean'])}) and "
                f"P(payback ≤ {self.months}) {r['p_payback']:.3f} (base "
                f"{base['p_payback']:.3f}).")
        return out


def _rows(name: str, stress: Stress | None, s: SampleSet, base: SampleSet,
          strategies: Sequence[str], months: int) -> list[dict[str, object]]:
    every = s.study.compared()
    stack = np.stack([s.npv[x] for x in every])
    top = stack == stack.max(axis=0)
    share = top / top.sum(axis=0)
    n = s.n
    out: list[dict[str, object]] = []
    for st in strategies:
        y, y0 = s.npv[st], base.npv[st]
        hit = ((s.payback[st] > 0) & (s.payback[st] <= months)).astype(np.float64)
        hit0 = ((base.payback[st] > 0) & (base.payback[st] <= months)).astype(np.float64)
        p = float(hit.mean())
        q10, q50, q90 = np.quantile(y, [0.1, 0.5, 0.9])
        out.append({
            "scenario": name, "param": stress.param if stress else None,
            "lo": stress.lo if stress else None, "hi": stress.hi if stress else None,
            "strategy": st, "npv_mean": float(y.mean()),
            "npv_mean_se": float(y.std(ddof=1) / math.sqrt(n)), "npv_p10": float(q10),
            "npv_p50": float(q50), "npv_p90": float(q90), "p_payback": p,
            "p_payback_se": math.sqrt(p * (1 - p) / n),
            "p_npv_positive": float((y > 0).mean()),
            "p_best": float(share[every.index(st)].mean()),
            "delta_npv": float((y - y0).mean()),
            "delta_npv_se": float((y - y0).std(ddof=1) / math.sqrt(n)),
            "delta_p": float((hit - hit0).mean()),
            "delta_p_se": float((hit - hit0).std(ddof=1) / math.sqrt(n)),
        })
    return out


def stress_runs(study: Study, stresses: Sequence[str | Stress], *,
                strategies: Sequence[str] | None = None, months: int | None = None,
                samples: int | None = None, base: SampleSet | None = None) -> StressResult:
    """The base case and one rerun per stress, on common random numbers.

    Parameters
    ----------
    study : Study
        The study.
    stresses : sequence of str or Stress
        ``INPUT=pLO:pHI`` each (see :func:`parse_stress`).
    strategies : sequence of str, optional
        Default: every strategy but the baseline.
    months : int, optional
        N of P(payback <= N) (default: the study's headline N).
    samples : int, optional
        Samples per scenario (default: the study's).
    base : SampleSet, optional
        The base case's samples, when already drawn (same study and sample count).

    Examples
    --------
    >>> r = stress_runs(study, ["frontier.annual_price_drop=p90:p100"])  # doctest: +SKIP
    >>> r.sentences("hosted_ft")  # doctest: +SKIP
    """
    if samples is not None:
        study = study.replace(samples=samples)
    n_mo = study.primary_months if months is None else months
    names = check_strategies(study, strategies)
    parsed = [parse_stress(x) if isinstance(x, str) else x for x in stresses]
    for x in parsed:
        check_param(study, x.param, [])
    b = base if base is not None and base.n == study.samples else simulate(study)
    rows = _rows("base", None, b, b, names, n_mo)
    for x in parsed:
        rows += _rows(x.label, x, _stressed(study, x), b, names, n_mo)
    schema = {"scenario": pl.String, "param": pl.String, "lo": pl.Float64, "hi": pl.Float64,
              "strategy": pl.String}
    frame = pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
    return StressResult(frame, n_mo, study.samples)


def default_stresses(drivers: Sequence[tuple[str, str]], *, top: int = 3,
                     band: float = 0.1) -> list[Stress]:
    """Stresses toward the tail for the strongest drivers: ``(input, direction)`` pairs,
    "low" -> its lowest ``band``, "high" -> its highest.

    Examples
    --------
    >>> default_stresses([("a.x", "high"), ("a.y", "low")])
    [Stress(param='a.x', lo=0.9, hi=1.0), Stress(param='a.y', lo=0.0, hi=0.1)]
    """
    out = []
    for path, direction in drivers[:top]:
        if direction == "high":
            out.append(Stress(path, round(1 - band, 12), 1.0))
        elif direction == "low":
            out.append(Stress(path, 0.0, band))
    return out
