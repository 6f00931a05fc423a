"""Chunks of a run on a Dask cluster (``--scheduler``): same blocks, same results.

A chunk's result depends only on the study and its sample range (its uniforms come from
the sampling plan's fixed blocks), so chunks may be evaluated on any worker of a
``dask.distributed`` cluster and are collected in sample order by the client, which writes
the files as a local run does: the outputs are byte-identical to a local run of the same
seed. A worker lost mid-run has its tasks rerun by Dask on another worker; the result is
unchanged.

Schedulers: ``tcp://host:port`` (a running ``dask scheduler``; or the environment variable
``DASK_SCHEDULER_ADDRESS``) or ``local:N`` (a ``LocalCluster`` of N worker processes on
127.0.0.1, stopped at the end). Dask is an optional extra (``pip install -e '.[dask]'``),
imported only here and only when used.
"""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["SchedulerError", "cluster", "map_ordered", "scheduler_address"]

#: Tasks kept in flight per worker (enough to keep every worker busy).
IN_FLIGHT_PER_WORKER = 3


class SchedulerError(ValueError):
    """The scheduler cannot be used: a bad ``--scheduler`` value, Dask not installed, or an
    address that cannot be reached (the message names it and the fix)."""


def scheduler_address(flag: str | None) -> str | None:
    """The scheduler asked for: ``--scheduler``, else ``DASK_SCHEDULER_ADDRESS``, else None.

    Examples
    --------
    >>> scheduler_address("local:2")
    'local:2'
    >>> scheduler_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> scheduler_address("local:0")
    Traceback (most recent call last):
    ...
    sim.runner.cluster.SchedulerError: --scheduler local:0: N must be a whole number >= 1
    """
    value = flag if flag is not None else os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if value is None:
        return None
    where = "--scheduler" if flag is not None else "DASK_SCHEDULER_ADDRESS="
    sep = " " if flag is not None else ""
    if value.startswith("local:"):
        n = value.removeprefix("local:")
        if not n.isdigit() or int(n) < 1:
            raise SchedulerError(f"{where}{sep}{value}: N must be a whole number >= 1")
        return value
    if "://" not in value:
        raise SchedulerError(f"{where}{sep}{value}: give tcp://host:port (a running dask "
                             "scheduler) or local:N")
    return value


@contextlib.contextmanager
def cluster(address: str, *, timeout: float = 5.0) -> Iterator[Any]:
    """A ``dask.distributed.Client`` on ``address`` (``local:N`` starts and stops a
    LocalCluster of N processes on 127.0.0.1).

    Raises
    ------
    SchedulerError
        Dask is not installed, or the scheduler cannot be reached within ``timeout``.
    """
    try:
        from dask.distributed import Client, LocalCluster  # optional extra: only when asked
    except ImportError:
        raise SchedulerError(f"--scheduler {address}: dask is not installed; pip install "
                             "-e '.[dask]'") from None
    local = None
    try:
        if address.startswith("local:"):
            local = LocalCluster(n_workers=int(address.removeprefix("local:")),
                                 threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address=None)
            client = Client(local)
        else:
            client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as err:
        if local is not None:
            local.close()
        raise SchedulerError(f"--scheduler {address}: cannot reach the scheduler ({err}); "
                             "start one (dask scheduler) or fix the address") from None
    try:
        yield client
    finally:
        client.close()
        if local is not None:
            local.close()


def map_ordered(client: Any, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
                *, shared: Sequence[Any] = (), on_result: Callable[[Any], None]) -> None:
    """Run ``fn(*shared, *task)`` for every task on the cluster; ``on_result`` gets the
    results in task order (a bounded number in flight: memory stays bounded).

    ``shared`` (e.g. the study) is scattered once to the workers.
    """
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    scattered = [client.scatter(s, broadcast=True) for s in shared]
    pending: collections.deque[Any] = collections.deque()
    it = iter(tasks)

    def submit() -> None:
        task = next(it, None)
        if task is not None:
            pending.append(client.submit(fn, *scattered, *task, pure=False))

    for _ in range(IN_FLIGHT_PER_WORKER * workers):
        submit()
    while pending:
        result = pending.popleft().result()
        submit()
        on_result(result)
