"""Throughput of a run's model evaluation: local threads vs a Dask LocalCluster(2).

Prints samples per second and blocks (16,384 samples) per second per worker for
``legal_contracts`` at 2^17 samples, local (1 and 2 threads) and on a LocalCluster of 2
processes on 127.0.0.1, and checks the samples are the same. Run:
``PYTHONPATH=. python benchmarks/bench_dask.py``.
"""

from __future__ import annotations

import time

from sim.runner import run
from sim.study import load_study

N = 1 << 17
BLOCK = 16384


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
    print(f"{'where':28} {'s':>7} {'samples/s':>11} {'blocks/s/worker':>16}")
    for label, workers, dt in rows:
        print(f"{label:28} {dt:7.2f} {N / dt:11,.0f} {N / BLOCK / dt / workers:16.2f}")
    print("(whole run: drawing, model, samples file, summary; the same samples everywhere)")


if __name__ == "__main__":
    main()
