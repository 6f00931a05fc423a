"""A portfolio run: members' flows -> best plan -> figures, timings and samples."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from typing import Any

import numpy as np
import polars as pl

from sim.portfolio.flows import MemberFlows, member_flows
from sim.portfolio.optimize import Scorer, search
from sim.portfolio.result import PortfolioResult, figures, standalone_table
from sim.portfolio.schedule import Project, parallel_starts, sequential_starts
from sim.portfolio.spec import Portfolio

__all__ = ["run_portfolio"]


def _samples(portfolio: Portfolio, flows: Sequence[MemberFlows], scorer: Scorer,
             picks: Sequence[tuple[int, str]], starts: Sequence[int],
             payback: np.ndarray, npv: np.ndarray) -> pl.DataFrame:
    n = portfolio.samples
    cols: dict[str, Any] = {"sample": np.arange(n, dtype=np.int64), "npv": npv,
                            "payback_month": pl.Series(np.where(payback > 0, payback, 0),
                                                       dtype=pl.Int16)}
    by_member = {m: (c, d) for (m, c), d in zip(picks, starts, strict=True)}
    for i, m in enumerate(portfolio.members):
        if i in by_member:
            c, d = by_member[i]
            cols[f"npv.{m.name}"] = scorer.choice((i, c)).npv[d]
        else:
            cols[f"npv.{m.name}"] = np.zeros(n)
    shared: dict[str, np.ndarray] = {}
    for f in flows:
        for k, v in f.shared.items():
            shared.setdefault(k, v)
    for k in sorted(shared):
        cols[f"shared.{k.removeprefix('strategies.')}"] = shared[k]
    frame = pl.DataFrame(cols)
    return frame.with_columns(pl.when(pl.col("payback_month") > 0)
                              .then(pl.col("payback_month")).otherwise(None)
                              .alias("payback_month"))


def run_portfolio(portfolio: Portfolio, *, flows: Sequence[MemberFlows] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  on_stage: Callable[[str], None] | None = None,
                  client: Any = None) -> PortfolioResult:
    """Run a portfolio: draw every member on the common futures, find the best plan.

    Parameters
    ----------
    portfolio : Portfolio
        A validated portfolio (:func:`~sim.portfolio.load_portfolio`).
    flows : sequence of MemberFlows, optional
        The members' flows when already computed (e.g. on a cluster); default: computed
        here with :func:`~sim.portfolio.flows.member_flows`.
    progress : callable, optional
        ``progress(done, total)`` after each task (one member, one block of samples).
    on_stage : callable, optional
        Told each later step (the optimizer, the figures).
    client : dask.distributed.Client, optional
        Compute the members' flows on this Dask cluster (same results).

    Returns
    -------
    PortfolioResult

    Examples
    --------
    >>> from sim.portfolio import load_portfolio, run_portfolio  # doctest: +SKIP
    >>> result = run_portfolio(load_portfolio("studies/portfolio.toml"))  # doctest: +SKIP
    >>> result.table()  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    if flows is None:
        flows = member_flows(portfolio, progress=progress, client=client)
    t1 = time.perf_counter()
    months, h = portfolio.payback_months, portfolio.horizon_months
    scorer = Scorer(flows, objective=portfolio.objective, months=months, horizon=h)
    found = search(scorer, portfolio.limits, max_exhaustive=portfolio.max_exhaustive,
                   on_stage=on_stage)
    t2 = time.perf_counter()
    if on_stage is not None:
        on_stage("figures")
    assert found.score.payback is not None
    best = figures(found.score.npv, found.score.payback, months)
    projects = [Project(scorer.choice(p).upfront, scorer.choice(p).hours,
                        scorer.choice(p).fte, int(scorer.choice(p).build_months))
                for p in found.picks]
    timings = {"scheduled": (found.starts, best)}
    for name, starts in (("parallel", parallel_starts(projects)),
                         ("sequential", sequential_starts(projects, h))):
        s = scorer.score(found.picks, starts, full=True)
        assert s.payback is not None
        timings[name] = (starts, figures(s.npv, s.payback, months))
    samples = _samples(portfolio, flows, scorer, found.picks, found.starts,
                       found.score.payback, found.score.npv)
    manifest = {
        "ftrisk_version": version("ftrisk"), "portfolio": portfolio.name,
        "portfolio_file": portfolio.file, "portfolio_sha256": portfolio.sha256,
        "seed": portfolio.seed, "samples": portfolio.samples, "sampling": portfolio.sampling,
        "horizon_months": h,
        "members": [{"name": m.name, "study_file": m.study.file, "seed": m.study.seed,
                     "sampling": m.study.sampling, "shared": dict(sorted(m.shared.items()))}
                    for m in portfolio.members],
        "numpy_version": np.__version__, "polars_version": pl.__version__,
        "timings": {"flows_s": round(t1 - t0, 4), "search_s": round(t2 - t1, 4)},
    }
    return PortfolioResult(portfolio, found, best, timings,
                           standalone_table(portfolio, list(flows), months), samples, manifest)
