"""How much Latin hypercube and scrambled Sobol sampling save, and how fast every ppf is.

Run as ``python benchmarks/bench_sampling.py`` (about a minute). Three parts:

1. **Variance reduction on a bundled study.** For each plan (mc, lhs, sobol) the study is
   run ``--replicates`` times at ``--samples`` samples with independent seeds (from
   ``SeedSequence.generate_state``, never ``seed + i``); the standard error of an
   estimator (E[NPV] and P(payback <= 12) of one strategy) is its standard deviation
   across replicates. Monte Carlo's SE falls as 1/sqrt(n), so a plan with SE ``s`` is
   worth ``n * (se_mc / s)**2`` Monte Carlo samples; that ratio is printed with a 90%
   interval from the F distribution of a ratio of two sample variances.
2. **ppf throughput**: draws per second of every family's quantile function on 10^6
   uniforms (best of three).
3. **End to end**: a 10^6-sample run of the study per plan (``--full``; the target is
   under ~3 s on two cores).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import distributions as dist  # noqa: E402
from sim import load_study, run  # noqa: E402

METHODS = ("mc", "lhs", "sobol")


def estimators(study, strategy: str, months: int) -> dict[str, float]:
    """The figures whose standard error is measured, from one run."""
    s = run(study).summary.strategies[strategy]
    return {"E[NPV]": float(s.npv_mean), f"P(payback<={months})": float(s.p_payback_within(months))}


def variance_reduction(path: Path, n: int, replicates: int, strategy: str | None,
                       months: int) -> None:
    base = load_study(path)
    strategy = strategy or next(k for k, s in base.strategies.items() if not s.is_baseline)
    seeds = np.random.SeedSequence(20240611).generate_state(replicates).tolist()
    print(f"study {path.name}: {len(base.uncertain_inputs())} uncertain inputs, "
          f"{len(base.correlations)} rank correlation(s); strategy {strategy}")
    print(f"{replicates} independent replicates of n = {n:,} samples per plan\n")
    values: dict[str, dict[str, list[float]]] = {}
    for method in METHODS:
        t0 = time.perf_counter()
        rows = [estimators(base.replace(samples=n, seed=s, sampling=method), strategy, months)
                for s in seeds]
        values[method] = {k: [r[k] for r in rows] for k in rows[0]}
        print(f"  {method:5s} {time.perf_counter() - t0:6.1f} s")
    print()
    lo_f, hi_f = stats.f.ppf([0.05, 0.95], replicates - 1, replicates - 1)
    header = (f"{'estimator':18s} {'plan':6s} {'mean':>14s} {'SE':>12s} {'(SE_mc/SE)^2':>13s} "
              f"{'90% interval':>17s} {'MC samples for same SE':>24s}")
    print(header)
    print("-" * len(header))
    for key in values["mc"]:
        sd_mc = float(np.std(values["mc"][key], ddof=1))
        for method in METHODS:
            x = np.asarray(values[method][key])
            sd = float(np.std(x, ddof=1))
            ratio = (sd_mc / sd) ** 2 if sd > 0 else math.inf
            # var_mc/var_m over its true value is F(R-1, R-1): invert for the interval
            interval = f"{ratio / hi_f:6.1f} – {ratio / lo_f:6.1f}" if method != "mc" else ""
            equiv = f"{n * ratio:,.0f}" if method != "mc" else f"{n:,}"
            print(f"{key:18s} {method:6s} {x.mean():14.6g} {sd:12.4g} "
                  f"{ratio:13.2f} {interval:>17s} {equiv:>24s}")
        print()


FAMILIES = {
    "uniform": dist.Uniform(0.22, 0.68),
    "uniform_int": dist.UniformInt(5, 15),
    "triangular": dist.Triangular(76, 120, 188),
    "pert": dist.Pert(76, 120, 188),
    "normal": dist.Normal(0.02, 0.02),
    "normal (truncated)": dist.Normal(0.05, 0.05, 0.0, 1.0),
    "lognormal": dist.Lognormal.from_interval(3000, 8000),
    "beta": dist.Beta.from_mean_sd(0.05, 0.01),
    "gamma": dist.Gamma.from_mean_sd(mean=10.0, sd=4.0),
    "bernoulli": dist.Bernoulli(0.3),
    "discrete (5 values)": dist.Discrete((1, 2, 3, 5, 8), (1, 3, 3, 2, 1)),
    "empirical (n=1000)": dist.Empirical(tuple(np.random.default_rng(0).gamma(2, 3, 1000))),
    "empirical resample": dist.Empirical(tuple(np.random.default_rng(0).poisson(6, 1000)
                                               .astype(float)), resample=True),
    "quantiles (log)": dist.Quantiles(1.0, 2.0, 10.0),
    "quantiles (linear)": dist.Quantiles(-0.01, 0.02, 0.03),
    "truncated lognormal": dist.Truncated(dist.Lognormal.from_quantiles(p10=1, p90=9), 0, 5),
    "rounded pert": dist.Rounded(dist.Pert(5, 8, 15)),
}


def throughput(n: int = 1_000_000) -> None:
    u = np.random.default_rng(1).random(n)
    print(f"{'family':22s} {'ms per 10^6':>12s} {'draws/s':>14s}")
    for name, d in FAMILIES.items():
        best = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            d._ppf(u)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:22s} {best * 1e3 * 1e6 / n:12.1f} {n / best:14,.0f}")
    print()


def end_to_end(path: Path, n: int) -> None:
    study = load_study(path)
    for method in METHODS:
        t0 = time.perf_counter()
        run(study.replace(samples=n, sampling=method), workers=2)
        print(f"  {method:5s} {n:,} samples end to end (2 workers): "
              f"{time.perf_counter() - t0:5.2f} s")
    print()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--study", default=str(ROOT / "studies" / "customer_support.toml"))
    p.add_argument("--samples", type=int, default=4096, help="samples per replicate (2^k)")
    p.add_argument("--replicates", type=int, default=40)
    p.add_argument("--strategy", help="default: the first strategy that is not the baseline")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--no-full", action="store_true", help="skip the 10^6-sample runs")
    args = p.parse_args()
    print("== variance reduction ==")
    variance_reduction(Path(args.study), args.samples, args.replicates, args.strategy,
                       args.months)
    print("== ppf throughput ==")
    throughput()
    if not args.no_full:
        print("== end to end ==")
        end_to_end(Path(args.study), 1_000_000)


if __name__ == "__main__":
    main()
