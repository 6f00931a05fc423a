"""Time ``ftrisk run`` end to end on a bundled study and report throughput and peak memory.

Run from the repository root::

    python benchmarks/bench_run.py                      # 10^5, 10^6 and 4x10^6 samples
    python benchmarks/bench_run.py --samples 1000000 --study studies/customer_support.toml

Each run is a fresh ``ftrisk run`` process (imports, sampling, model, samples.parquet,
summary, report.html), so the wall time is what a user waits. Peak memory is the child
process's maximum resident set size. Target (issue 2): 10^6 samples x 36 months x
2 strategies in under 3 s, peak memory under 1 GiB at any sample count.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(study: Path, samples: int, workers: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``ftrisk run``."""
    out = Path(tempfile.mkdtemp(prefix="ftrisk-bench-"))
    cmd = [sys.executable, "-m", "sim.cli", "run", str(study), "--samples", str(samples),
           "--out", str(out / "o"), "--quiet", "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"ftrisk run failed: {err}")
    return wall, usage.ru_maxrss / 1024.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--study", default=str(ROOT / "studies" / "legal_contracts.toml"))
    p.add_argument("--samples", type=int, nargs="*", default=[100_000, 1_000_000, 4_000_000])
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--repeat", type=int, default=3, help="runs per size (best time kept)")
    args = p.parse_args()
    study = Path(args.study)
    doc = tomllib.loads(study.read_text())
    months = doc.get("study", {}).get("horizon_months", 36)
    strategies = len(doc["strategies"])
    run_once(study, 1000, args.workers)  # warm the vega bundle cache and the OS file cache
    print(f"study: {study.name}  ({strategies} strategies, {months} months, "
          f"{args.workers} workers, {os.cpu_count()} cores)")
    print(f"{'samples':>10} {'wall s':>8} {'samples/s':>12} {'sample-months/s':>16} "
          f"{'x strategies':>14} {'peak MiB':>9}")
    for n in args.samples:
        best, peak = min(run_once(study, n, args.workers) for _ in range(args.repeat))
        sm = n * months / best
        print(f"{n:>10,} {best:>8.2f} {n / best:>12,.0f} {sm:>16,.0f} {sm * strategies:>14,.0f} "
              f"{peak:>9.0f}")


if __name__ == "__main__":
    main()
