"""Time the decision analyses on a bundled study (issue 5: "within a few seconds").

Run from the repository root::

    python benchmarks/bench_decision.py
    python benchmarks/bench_decision.py --study studies/legal_contracts.toml --repeat 5

The study gets uncertain inputs added (fixed numeric inputs turned into +-20% ranges) until
it has ``--inputs`` of them (default 20), so the classic tornado runs on 20 inputs. Each
analysis is timed on its first call in this process (lazy imports such as scipy.stats
included) and as the best of ``--repeat`` further calls. Analyses of existing samples get
a fresh copy of them each call (their ranks are cached per sample set).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def widen(study: Any, count: int) -> list[str]:
    """``--set`` overrides making fixed inputs uncertain until ``count`` are."""
    have = len(study.uncertain_inputs())
    out = []
    for inp in study.inputs():
        if have + len(out) >= count:
            break
        value = float(inp.dist.mean)
        if not inp.uncertain and not inp.is_default and value > 0 and inp.key not in (
                "instances", "model_size_b", "training_runs", "build_months"):
            out.append(f'{inp.path}="{value * 0.8:g} to {value * 1.2:g}"')
    return out


def focus_param(study: Any) -> str:
    """An uncertain input of the first candidate for the map's second axis."""
    focus = next(x for x in study.compared() if x != study.baseline)
    mine = [i for i in study.uncertain_inputs() if i.path.startswith(f"strategies.{focus}.")]
    return (mine or study.uncertain_inputs())[0].path


def focus_values(study: Any) -> list[float]:
    """Four values across the P10-P90 of :func:`focus_param`."""
    import numpy as np

    dist = study.input(focus_param(study)).dist
    return sorted({float(v) for v in dist.ppf(np.array([0.1, 0.37, 0.63, 0.9]))})


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Wall time of the first call (lazy imports included) and the best of ``repeat`` more."""
    times = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times[0], min(times[1:])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--study", default=str(ROOT / "studies" / "customer_support.toml"))
    p.add_argument("--inputs", type=int, default=20, help="uncertain inputs wanted")
    p.add_argument("--sobol-log2", type=int, default=13, help="Sobol' base samples = 2^k")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()

    from sim import load_study
    from sim.decision import (
        classic_tornado,
        goal_seek,
        parse_target_se,
        pilot_value,
        plan_samples,
        rank_correlations,
        sample_tornado,
        shapley_analysis,
        simulate,
        sobol_analysis,
        stress_runs,
        sweep,
        sweep_map,
        tail_drivers,
        value_of_information,
    )

    study = load_study(args.study)
    extra = widen(study, args.inputs)
    study = load_study(args.study, overrides=extra)
    d = len(study.uncertain_inputs())
    s = len(study.strategies) - 1
    n_sobol = 1 << args.sobol_log2
    samples = simulate(study)
    focus = next(x for x in study.compared() if x != study.baseline)
    stressed = [i.path for i in study.uncertain_inputs()][:3]
    pilot_ok = any(i.path.startswith(f"strategies.{focus}.") and i.key in ("review_rate",
                                                                            "error_rate")
                   for i in study.uncertain_inputs())
    rows = [
        (f"classic tornado, npv ({d} inputs, {2 * d + 1} model rows)",
         lambda: classic_tornado(study)),
        (f"classic tornado, payback_within:{study.primary_months} ({d} inputs x 2 x 4,096 "
         "conditional draws)",
         lambda: classic_tornado(study, metric=f"payback_within:{study.primary_months}")),
        (f"Sobol' indices, npv, n = 2^{args.sobol_log2} ({(d + 2) * n_sobol:,} model rows, "
         "500 bootstrap resamples)",
         lambda: sobol_analysis(study, n=n_sobol)),
        (f"in-memory Monte Carlo ({study.samples:,} samples)", lambda: simulate(study)),
        ("sample tornado + Spearman (from those samples)",
         lambda: (fresh := dataclasses.replace(samples), sample_tornado(fresh),
                  rank_correlations(fresh))),
        (f"EVPI + EVPPI of {d} inputs and the default groups",
         lambda: value_of_information(dataclasses.replace(samples))),
        (f"break-even sweep, 9 values x {study.samples:,} samples",
         lambda: sweep(study, "workload.requests_per_day",
                       [1000 * 2 ** (k / 2) for k in range(9)])),
        ("two-input map, 6 x 4 cells x 4,096 samples",
         lambda: sweep_map(study, "workload.requests_per_day",
                           [1000 * 2 ** k for k in range(6)], focus_param(study),
                           focus_values(study), samples=4096)),
        (f"goal seek, payback_within:{study.primary_months}=0.5 on the volume "
         f"({study.samples:,} samples a trial)",
         lambda: goal_seek(study, "workload.requests_per_day",
                           f"payback_within:{study.primary_months}=0.5")),
        ("tail drivers (worst 10%) + 3 stress runs",
         lambda: (tail_drivers(dataclasses.replace(samples), focus),
                  stress_runs(study, [f"{p}=p90:p100" for p in stressed], base=samples))),
        ("precision control to se 0.005 (sizing pass only)",
         lambda: plan_samples(study, parse_target_se("0.005", horizon=study.horizon_months,
                                                     months=study.primary_months))),
        (f"Shapley effects, 2^17 evaluations ({d} inputs)",
         lambda: shapley_analysis(study, strategies=[focus])),
    ]
    if pilot_ok:
        rows.append((f"EVSI of a 500-example pilot ({study.samples:,} samples)",
                     lambda: pilot_value(samples, strategy=focus, examples=500)))
    print(f"study: {Path(args.study).name}  ({d} uncertain inputs, {s} candidate strategies, "
          f"{study.horizon_months} months; {os.cpu_count()} cores)")
    if extra:
        print(f"made uncertain for the benchmark: {', '.join(extra)}")
    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'first':>8} {'best of ' + str(args.repeat):>10}")
    for label, fn in rows:
        first, fastest = timed(fn, args.repeat)
        print(f"{label:<{width}}  {first:7.3f}s {fastest:9.3f}s")


if __name__ == "__main__":
    main()
