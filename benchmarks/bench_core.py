"""The core's speed (issue 13): ftrisk beside a plain-numpy reference of the same model.

Run from the repository root (one command; prints a table)::

    python benchmarks/bench_core.py            # every row, 10^6-sample runs included
    python benchmarks/bench_core.py --quick    # the in-process rows only

Rows (best and median of ``--repeat`` timings; the machine may be shared, so look at the
best and say what load you saw, ``uptime``):

- model: ns per sample x month x non-baseline strategy, single thread, 32K-sample chunks
  (:meth:`sim.costs.pack.Packed.simulate` on a chunk's packed coefficients) for the
  five-strategy study (benchmarks/five_strategies.toml), legal_contracts, customer_support
  and enterprise; the reference is :func:`numpy_model` below on the same coefficients (a
  month loop over sample vectors: the same formulas, numpy doing each one for every
  sample), and the two NPVs are checked to agree;
- drawing inputs: ns per input per sample (the sampling plan's uniforms and each input's
  quantile function) for a 32K chunk on one thread (as each of ``ftrisk run``'s workers
  draws its chunks) and on two (as :class:`sim.runner.draws.Draws` draws a whole study
  for ``sim.run(write=False)``), and through :func:`sim.runner.draws.chunk_values` (the
  uniforms in a buffer the thread reuses); the reference draws ``rng.random`` and applies
  scipy's ``ndtri`` and numpy (a beta or PERT: the numpy Hermite table ftrisk used before);
- ``sim.run(study, write=False)`` warm, in process, 10^5 samples x 5 strategies (and the
  first call of a new process: seconds, its peak RSS, whether it imported numba); the
  reference draws and runs the numpy model and takes the mean, P(NPV > 0) and quantiles;
- ``ftrisk run`` end to end (a fresh process: imports, samples.parquet, report), 10^6 x 5
  and 10^6 x 2 strategies; the reference is the numpy core in process on the same samples,
  chunk by chunk; and its peak RSS over the runs against the 400 MiB limit (the memory
  row: the largest, since the limit holds for every run);
- drawing by family: ns per draw of each quantile function among the five-strategy
  study's inputs (where the drawing row's time goes);
- cold start of ``ftrisk run`` on a 10^4-sample study (numba's cache warm on disk), beside
  a fresh process that only imports the libraries every run imports (:data:`LIBRARIES`):
  the floor under it.

The numpy reference lives only here: ftrisk has one implementation of the model (the
compiled one in sim/costs/fused.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import special

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from distributions import Beta, Lognormal, Normal, Pert, Uniform  # noqa: E402
from sim import run  # noqa: E402
from sim.costs.build import pack_study  # noqa: E402
from sim.costs.pack import Packed  # noqa: E402
from sim.costs.slots import (  # noqa: E402
    ACTIVE,
    API,
    BUILD,
    CONST,
    EVERY,
    F_KIND,
    F_MODE,
    F_PROJECT,
    F_RETRAIN,
    F_STEPPED,
    F_WHEN_PAYS,
    FIXED,
    FLOOR,
    GPU_MONTHLY,
    HOSTED,
    HOURLY,
    KEEP,
    LIMIT,
    MIGRATION,
    MONTHLY,
    NEED,
    PROJECT,
    QUALITY,
    RATE,
    RCOST,
    ROUTER,
    S_G,
    S_GROWTH,
    SELF_HOSTED,
    TOKEN,
)
from sim.runner.draws import (  # noqa: E402
    chunk_values,
    clear_cache,
    input_values,
    sampling_plan,
)
from sim.runner.model import discount_factors  # noqa: E402
from sim.study import Study, load_study  # noqa: E402

FIVE = ROOT / "benchmarks" / "five_strategies.toml"
MODEL_STUDIES = [FIVE, ROOT / "studies/legal_contracts.toml",
                 ROOT / "studies/customer_support.toml", ROOT / "studies/enterprise.toml"]
TWO = ROOT / "studies/customer_support.toml"
CHUNK = 32768


# -- the plain-numpy reference ---------------------------------------------------------------

def _coef(p: Packed, c: int, k: int) -> np.ndarray | float:
    idx = p.slots[c, k]
    o = p.off[idx]
    return p.vals[o:o + p.m] if p.step[idx] else float(p.vals[o])


# one loop on purpose: the plain month loop the compiled model is measured against
def numpy_model(p: Packed, horizon: int, disc: np.ndarray) -> np.ndarray:  # noqa: C901
    """NPV of every strategy (rows) per sample, from a month loop over sample vectors.

    The same formulas as the compiled model (docs/model.md) for API, hosted, self-hosted
    (fixed or auto instances) and routing strategies; simulated serving is not covered.
    """
    m, n_c = p.m, p.flags.shape[0]
    co = {k: [_coef(p, c, k) for c in range(n_c)] for k in (
        TOKEN, QUALITY, CONST, MIGRATION, MONTHLY, FLOOR, RATE, KEEP, LIMIT, HOURLY, FIXED,
        NEED, BUILD, PROJECT, EVERY, RCOST, ACTIVE, GPU_MONTHLY)}
    gf = p.vals[p.off[p.shared[S_GROWTH]]:][: m if p.step[p.shared[S_GROWTH]] else 1]
    g = p.vals[p.off[p.shared[S_G]]:][: m if p.step[p.shared[S_G]] else 1]
    one = np.ones(m)
    factor = [one.copy() for _ in range(n_c)]
    done = [np.zeros(m) for _ in range(n_c)]
    price = [one.copy() for _ in range(n_c)]
    gpu = [one.copy() for _ in range(n_c)]
    dm = [np.maximum(np.asarray(co[BUILD][c]), 1.0) for c in range(n_c)]
    n_s = p.s_lo.size
    cum = np.zeros((n_s, m))
    npv = np.zeros((n_s, m))
    tco = np.zeros((n_s, m))
    month = np.ones((n_s, m))
    frac = np.zeros((n_s, m))
    building = np.full((n_s, m), -np.inf)
    for s in range(n_s):
        for c in range(p.s_lo[s], p.s_hi[s]):
            if p.flags[c, F_PROJECT]:
                d = np.broadcast_to(co[BUILD][c], (m,))
                building[s] = np.where((co[ACTIVE][c] > 0) & (d > building[s]), d, building[s])
    grow = one.copy()
    run_c, spend_c = np.zeros((n_c, m)), np.zeros((n_c, m))
    for k in range(horizon):
        t = k + 1
        if k:
            grow = grow * gf
        for c in range(n_c):
            f = p.flags[c]
            spend_c[c] = (co[PROJECT][c] / dm[c]) * (t <= dm[c]) if f[F_PROJECT] else 0.0
            if f[F_KIND] in (API, HOSTED):
                if f[F_STEPPED]:
                    n = np.floor((t - 1) * np.asarray(co[RATE][c]) / 12.0 + 1e-9)
                    now = np.minimum(n, co[LIMIT][c])
                    cuts = now - done[c]
                    done[c] = np.broadcast_to(now, (m,))
                    factor[c] = np.maximum(co[FLOOR][c], np.asarray(co[KEEP][c]) ** n)
                else:
                    cuts = 0.0
                    factor[c] = np.maximum(co[FLOOR][c], np.asarray(co[MONTHLY][c]) ** k)
            kind = f[F_KIND]
            due = 0.0
            if f[F_RETRAIN]:
                start, every = np.asarray(co[BUILD][c]), np.asarray(co[EVERY][c])
                due = (t > start) & ((t - start) % every == 0.0)
                served = np.minimum(every, horizon - t + 1.0)
                charge = co[RCOST][c] * served / every * due
            if kind == API:
                run_c[c] = (grow * (co[TOKEN][c] * factor[c] + co[QUALITY][c]) + co[CONST][c]
                            + co[MIGRATION][c] * cuts)
            elif kind == HOSTED:
                if f[F_RETRAIN]:
                    happened = due
                    if f[F_WHEN_PAYS]:
                        vol = np.where(g == 0, served, np.expm1(served * np.log1p(g)) / g)
                        gain = co[TOKEN][c] * (price[c] - factor[c]) * grow * vol
                        happened = due & (charge <= gain)
                    price[c] = np.where(happened, factor[c], price[c])
                    spend_c[c] = spend_c[c] + np.where(happened, charge, 0.0)
                run_c[c] = grow * (co[TOKEN][c] * price[c] + co[QUALITY][c]) + co[CONST][c]
            elif kind == SELF_HOSTED:
                if k:
                    gpu[c] = gpu[c] * co[GPU_MONTHLY][c]
                n = (co[FIXED][c] if f[F_MODE] == 0 else
                     np.maximum(1.0, np.ceil(co[NEED][c] * grow * (1 - 1e-9))))
                run_c[c] = n * co[HOURLY][c] * gpu[c] + grow * co[QUALITY][c] + co[CONST][c]
                if f[F_RETRAIN] and not f[F_WHEN_PAYS]:
                    spend_c[c] = spend_c[c] + charge
            elif kind == ROUTER:
                run_c[c] = 0.0
        runs = np.zeros((n_s, m))
        spends = np.zeros((n_s, m))
        for s in range(n_s):
            for c in range(p.s_lo[s], p.s_hi[s]):
                runs[s] += run_c[c] * co[ACTIVE][c]
                spends[s] += spend_c[c] * co[ACTIVE][c]
        base = runs[p.base_s]
        cost = np.where(t <= building, base, runs) + spends
        net = base - cost
        # the payback rule: the last month that starts below 0, interpolated inside it
        candidate = (cum < 0.0) | (t == 1)
        start = cum - spends
        cum += net
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.minimum(start / (start - cum), 1.0) + (t - 1)
        month = np.where(candidate, t, month)
        frac = np.where(candidate & (f > frac), f, frac)
        npv += disc[k] * net
        tco += cost
    npv[p.base_s] = 0.0
    return npv


#: scipy's quantile of each family the reference draws (others: the family's own).
def _scipy_ppf(dist: object) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(dist, Lognormal):
        return lambda q: np.exp(dist.mu + dist.sigma * special.ndtri(q))
    if isinstance(dist, Normal) and not dist.truncated:
        return lambda q: dist.mu + dist.sigma * special.ndtri(q)
    if isinstance(dist, Pert | Beta):
        # the numpy Hermite table in the normal score (betaincinv itself is ~100x slower)
        b = dist._beta if isinstance(dist, Pert) else dist
        t = b._fast

        def beta_ppf(q: np.ndarray) -> np.ndarray:
            x = t._interp(np.clip(special.ndtri(q), -5.0, 5.0))
            return np.clip(b.lo + (b.hi - b.lo) * special.expit(x), b.lo, b.hi)

        return beta_ppf
    if isinstance(dist, Uniform):
        return lambda q: dist.lo + (dist.hi - dist.lo) * q
    return dist._ppf  # type: ignore[attr-defined]


def numpy_draws(study: Study, m: int, rng: np.random.Generator) -> dict[str, object]:
    u = rng.random((len(study.uncertain_inputs()), m))
    values: dict[str, object] = {}
    j = 0
    for inp in study.inputs():
        if inp.uncertain:
            values[inp.path] = _scipy_ppf(inp.dist)(u[j])
            j += 1
        else:
            values[inp.path] = float(inp.dist.mean)
    return values


def numpy_run(study: Study, n: int) -> dict[str, float]:
    """The reference's run: draw, the numpy model chunk by chunk, headline figures."""
    rng = np.random.default_rng(study.seed)
    horizon = study.horizon_months
    disc = discount_factors(study.discount_rate, horizon)
    parts = []
    for a in range(0, n, CHUNK):
        m = min(CHUNK, n - a)
        packed, _ = pack_study(study, numpy_draws(study, m, rng), m)
        parts.append(numpy_model(packed, horizon, disc))
    npv = np.concatenate(parts, axis=1)
    return {"mean": float(npv.mean()), "p_pos": float((npv > 0).mean()),
            "p50": float(np.quantile(npv, 0.5, axis=1).max())}


# -- timing ------------------------------------------------------------------------------------

def timed(f: Callable[[], object], repeat: int) -> tuple[float, float]:
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return min(ts), statistics.median(ts)


#: Runs a command (argv[2:]) and writes its wall seconds, peak RSS (KiB) and exit code to
#: the file argv[1]. A process's peak RSS counts the memory of the process it was forked
#: from (Linux carries it over at exec), so this small one starts the command, never the
#: benchmark's own large process.
LAUNCHER = """
import os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{time.perf_counter() - t} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def measured(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MiB) of ``cmd`` run in a fresh process (with ROOT on its
    path), and what it printed on stdout; exits with its stderr if it fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.NamedTemporaryFile("r") as report:
        proc = subprocess.run([sys.executable, "-c", LAUNCHER, report.name, *cmd], env=env,
                              capture_output=True, text=True, check=False)
        wall, kib, code = report.read().split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {proc.stderr}")
    return float(wall), int(kib) / 1024, proc.stdout


def cli_run(study: Path, samples: int | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``ftrisk run`` in a fresh process."""
    out = Path(tempfile.mkdtemp(prefix="ftrisk-bench-"))
    cmd = [sys.executable, "-m", "sim.cli", "run", str(study), "--out", str(out / "o"),
           "--quiet"] + ([] if samples is None else ["--samples", str(samples)])
    try:
        wall, peak, _ = measured(cmd)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return wall, peak


#: A fresh process's first ``sim.run(study, write=False)`` (an app's first answer).
FIRST_LIGHT_RUN = """
import sys, time
from sim import run
from sim.study import load_study
study = load_study(sys.argv[1], overrides=["study.samples=100000"])
t = time.perf_counter()
run(study, write=False)
print(time.perf_counter() - t, "numba" in sys.modules)
"""


def first_light_run(study: Path) -> tuple[float, float, bool]:
    """Seconds of a fresh process's first ``sim.run(study, write=False)`` at 10^5 samples,
    the process's peak RSS (MiB), and whether it imported numba (it need not once the
    kernels are built ahead of time: ``ftrisk run`` builds them)."""
    _, peak, out = measured([sys.executable, "-c", FIRST_LIGHT_RUN, str(study)])
    seconds, numba = out.split()
    return float(seconds), peak, numba == "True"


#: What every ``ftrisk run`` imports besides ftrisk: the libraries the user fixed (numpy,
#: polars, altair) and pyarrow's parquet writer (simpy and scipy.special only when a study
#: needs them). A new process importing only these is the floor under the cold start.
LIBRARIES = "import numpy, polars, pyarrow.parquet, altair"


def libraries_floor() -> float:
    """Wall seconds of a fresh process that imports :data:`LIBRARIES` and stops."""
    return measured([sys.executable, "-c", LIBRARIES])[0]


def family_costs(study: Study, repeat: int) -> str:
    """ns per draw of each family among ``study``'s inputs (one thread, a 32K chunk of
    uniforms; the median over inputs of a family of each input's best time)."""
    u = np.random.default_rng(0).random(CHUNK)
    out = np.empty(CHUNK)
    costs: dict[str, list[float]] = {}
    for inp in study.uncertain_inputs():
        dist = inp.dist
        dist._ppf_into(u, out)  # tables and compiled loops loaded
        best = timed(lambda dist=dist: dist._ppf_into(u, out), max(5, repeat))[0]
        costs.setdefault(type(dist).__name__, []).append(best * 1e9 / CHUNK)
    return ", ".join(f"{name} {statistics.median(ns):.2f} (x{len(ns)})"
                     for name, ns in sorted(costs.items(), key=lambda kv: -max(kv[1])))


#: The most memory ``ftrisk run`` may take at any sample count (issue 13), MiB.
RSS_LIMIT = 400


def memory_row(label: str, peaks: list[float]) -> tuple[str, str, str, str]:
    """The memory row of ``ftrisk run``: its peak RSS over the runs (the largest first: the
    limit holds for every run) and the headroom under :data:`RSS_LIMIT`."""
    top = max(peaks)
    verdict = "within" if top <= RSS_LIMIT else "OVER"
    return (f"peak RSS, ftrisk run {label}",
            f"{top:.0f} MiB (med {statistics.median(peaks):.0f}, min {min(peaks):.0f})", "-",
            f"{verdict} the {RSS_LIMIT} MiB limit by {abs(RSS_LIMIT - top):.0f} MiB, "
            f"{len(peaks)} runs")


def model_row(path: Path, repeat: int) -> tuple[str, str, str, str]:
    study = load_study(path).replace(samples=CHUNK)
    values = input_values(study, sampling_plan(study).rows(0, CHUNK))
    packed, _ = pack_study(study, values, CHUNK)
    h = study.horizon_months
    disc = discount_factors(study.discount_rate, h)
    units = CHUNK * h * (len(study.compared()) - 1)
    ours = timed(lambda: packed.simulate(horizon=h, disc=disc), repeat)
    if any(packed.flags[c, F_KIND] == SELF_HOSTED and packed.flags[c, F_MODE] == 2
           for c in range(packed.flags.shape[0])):
        ref, agree = None, "simulated serving: no reference"
    else:
        ref = timed(lambda: numpy_model(packed, h, disc), max(1, repeat // 2))
        a, b = packed.simulate(horizon=h, disc=disc).npv, numpy_model(packed, h, disc)
        err = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))
        agree = f"NPV agrees to {err:.0e}"
    return (f"model ns/sample-month-strategy: {path.stem}", _ns(ours, units),
            _ns(ref, units) if ref else "-", agree)


def _ns(t: tuple[float, float] | None, units: float) -> str:
    assert t is not None
    return f"{t[0] * 1e9 / units:.2f} (med {t[1] * 1e9 / units:.2f})"


def _s(t: tuple[float, float]) -> str:
    return f"{t[0]:.3f} s (med {t[1]:.3f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the in-process rows")
    ap.add_argument("--repeat", type=int, default=5, help="timings per row (default 5)")
    args = ap.parse_args()
    rows = [("path", "ftrisk", "numpy reference", "note")]
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores",
          flush=True)
    for path in MODEL_STUDIES:
        rows.append(model_row(path, args.repeat))
        print(*rows[-1], sep=" | ", flush=True)

    five = load_study(FIVE)
    study = five.replace(samples=CHUNK)
    plan = sampling_plan(study)
    units = CHUNK * len(study.uncertain_inputs())
    input_values(study, plan.rows(0, CHUNK))  # compiled loops loaded
    ours = timed(lambda: input_values(study, plan.rows(0, CHUNK)), args.repeat)
    both = timed(lambda: input_values(study, plan.rows(0, CHUNK, threads=2), threads=2),
                 args.repeat)
    reused = timed(lambda: chunk_values(study, 0, CHUNK, plan=plan), args.repeat)
    ref = timed(lambda: numpy_draws(study, CHUNK, np.random.default_rng(0)), args.repeat)
    rows.append(("drawing inputs ns/input/sample (five strategies)", _ns(ours, units),
                 _ns(ref, units), f"one thread; two: {_ns(both, units)}; "
                 f"chunk_values: {_ns(reused, units)}"))
    print(*rows[-1], sep=" | ", flush=True)
    rows.append(("drawing by family, ns per draw (quantile only)", family_costs(study,
                 args.repeat), "-", "the five-strategy study's inputs"))
    print(*rows[-1], sep=" | ", flush=True)

    s5 = five.replace(samples=100_000)
    run(s5, write=False)
    warm = timed(lambda: run(s5, write=False), args.repeat)
    ref = timed(lambda: numpy_run(s5, 100_000), max(1, args.repeat // 2))
    clear_cache()
    cold = timed(lambda: (clear_cache(), run(s5, write=False)), 1)
    rows.append(("sim.run(write=False) warm, 1e5 x 5", _s(warm), _s(ref),
                 f"draws not cached: {cold[0]:.3f} s"))
    print(*rows[-1], sep=" | ", flush=True)
    firsts = [first_light_run(FIVE) for _ in range(max(1, args.repeat // 3))]
    rows.append(("sim.run(write=False), a new process's first, 1e5 x 5",
                 _s((min(f[0] for f in firsts), statistics.median(f[0] for f in firsts))), "-",
                 f"peak RSS {max(f[1] for f in firsts):.0f} MiB; numba imported: "
                 f"{any(f[2] for f in firsts)}"))
    print(*rows[-1], sep=" | ", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not args.quick:
        for path, label in ((FIVE, "1e6 x 5"), (TWO, "1e6 x 2")):
            times, peaks = [], []
            for _ in range(max(1, args.repeat // 2)):
                wall, peak = cli_run(path, 1_000_000)
                times.append(wall)
                peaks.append(peak)
            st = load_study(path).replace(samples=1_000_000)
            ref = timed(lambda st=st: numpy_run(st, 1_000_000), 1)
            rows.append((f"ftrisk run end to end, {label}",
                         _s((min(times), statistics.median(times))),
                         f"{ref[0]:.3f} s (core only)", f"peak RSS {max(peaks):.0f} MiB"))
            print(*rows[-1], sep=" | ", flush=True)
            rows.append(memory_row(label, peaks))
            print(*rows[-1], sep=" | ", flush=True)
        colds, floors = [], []
        for _ in range(args.repeat):  # alternated: both see the same machine
            colds.append(cli_run(TWO, 10_000))
            floors.append(libraries_floor())
        rows.append(("cold start, ftrisk run 1e4 samples",
                     _s((min(c[0] for c in colds), statistics.median(c[0] for c in colds))),
                     "-", f"peak RSS {max(c[1] for c in colds):.0f} MiB; the libraries "
                     f"alone: {_s((min(floors), statistics.median(floors)))}"))
    rows.append(("peak RSS of this process", f"{rss:.0f} MiB", "", "in-process rows"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print()
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
