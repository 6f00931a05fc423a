"""Throughput of a run's model evaluation and of a sweep: local vs a Dask LocalCluster(2).

Prints samples per second and blocks (16,384 samples) per second per worker for
``legal_contracts`` at 2^17 samples, local (1 and 2 threads) and on a LocalCluster of 2
processes on 127.0.0.1, and checks the samples are the same; then the same for a sweep of
8 values of ``workload.requests_per_day`` at 2^16 samples each (blocks: 4,096 samples of
one value, the sweep's unit of summation), checking the tables are the same. Run:
``PYTHONPATH=. python benchmarks/bench_dask.py``.
"""

from __future__ import annotations

import time

from sim.decision import sweep
from sim.runner import run
from sim.study import load_study

N = 1 << 17
BLOCK = 16384
SWEEP_N = 1 << 16
SWEEP_BLOCK = 4096
SWEEP_VALUES = [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 32000.0, 64000.0, 128000.0]


def sweep_rows(client: object) -> list[tuple[str, int, float]]:
    """Seconds of the sweep locally and on ``client``'s cluster (same table checked)."""
    import time

    study = load_study("studies/legal_contracts.toml").replace(samples=SWEEP_N)
    args = (study, "workload.requests_per_day", SWEEP_VALUES)
    sweep(study.replace(samples=SWEEP_BLOCK), *args[1:])  # warm caches
    sweep(study.replace(samples=SWEEP_BLOCK), *args[1:], client=client)  # warm workers
    t = time.perf_counter()
    ref = sweep(*args).frame
    local = time.perf_counter() - t
    t = time.perf_counter()
    got = sweep(*args, client=client).frame
    remote = time.perf_counter() - t
    assert got.equals(ref)
    return [("sweep, local", 1, local), ("sweep, LocalCluster(2 processes)", 2, remote)]


def main() -> None:
    """Print the throughput table."""
    from dask.distributed import Client, LocalCluster

    study = load_study("studies/legal_contracts.toml").replace(samples=N)
    run(study.replace(samples=BLOCK))  # warm caches (compiled kernels, catalog)
    rows, ref = [], None
    for label, workers in (("local, 1 thread", 1), ("local, 2 threads", 2)):
        t = time.perf_counter()
        r = run(study, workers=workers, chunk_size=BLOCK)
        dt = time.perf_counter() - t
        ref = r.samples() if ref is None else ref
        rows.append((label, workers, dt))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        run(study.replace(samples=2 * BLOCK), chunk_size=BLOCK, client=client)  # warm workers
        t = time.perf_counter()
        r = run(study, chunk_size=BLOCK, client=client)
        dt = time.perf_counter() - t
        assert r.samples().equals(ref)
        rows.append(("LocalCluster(2 processes)", 2, dt))
        sweeps = sweep_rows(client)
    print(f"{'where':28} {'s':>7} {'samples/s':>11} {'blocks/s/worker':>16}")
    for label, workers, dt in rows:
        print(f"{label:28} {dt:7.2f} {N / dt:11,.0f} {N / BLOCK / dt / workers:16.2f}")
    print("(whole run: drawing, model, samples file, summary; the same samples everywhere)")
    blocks = SWEEP_N * len(SWEEP_VALUES) / SWEEP_BLOCK
    print(f"\n{'where':34} {'s':>7} {'blocks/s':>9} {'blocks/s/worker':>16}")
    for label, workers, dt in sweeps:
        print(f"{label:34} {dt:7.2f} {blocks / dt:9.1f} {blocks / dt / workers:16.2f}")
    print(f"(sweep: {len(SWEEP_VALUES)} values x {SWEEP_N:,} samples; a block: "
          f"{SWEEP_BLOCK:,} samples of one value; the same table everywhere)")


if __name__ == "__main__":
    main()
