"""Each member's monthly net savings on the portfolio's samples, shared inputs drawn once.

Sample i of the portfolio is one future: the shared inputs take one value in it for every
member (drawn once from the portfolio's own plan and seed, stream keyed by the shared key),
and each member's other inputs are drawn from the member's own plan and seed (as
``ftrisk run`` of that study draws them: for ``mc``/``lhs`` a stream per input name, so
taking the shared inputs out of the member's plan leaves its other draws unchanged).

The work is cut into tasks of one member and one block range (:func:`member_block`); a
task depends only on the portfolio, the member and the range, so tasks may run anywhere
(threads, processes, a Dask cluster) and their results are the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distributions import SamplingPlan
from sim.costs.build import build_kernels, section
from sim.costs.kernels import engineering_hours
from sim.costs.workload import Value
from sim.portfolio.spec import Member, Portfolio
from sim.runner.model import discount_factors
from sim.runner.paths import monthly_paths
from sim.serving.from_study import prepare

__all__ = ["ChoiceFlows", "MemberFlows", "member_block", "member_flows", "shared_plan",
           "shared_values"]

FloatArray = NDArray[np.float64]
#: Samples per task (whole blocks of the sampling plans).
TASK_SAMPLES = 16384


@dataclass(frozen=True)
class ChoiceFlows:
    """One strategy of one member over the portfolio's samples (started in month 1).

    Attributes
    ----------
    net : ndarray, shape (H, n)
        Net saving vs the member's baseline in each month (the baseline's cost minus the
        strategy's, project and retraining spend included).
    npv : ndarray, shape (H, n)
        ``npv[d]``: the NPV of the net saving when the project starts ``d`` months late
        (month t of the project falls in month t + d of the plan; months past the horizon
        are dropped; discounted at the member's rate by the plan's month).
    upfront, hours, fte, build_months : float
        Expected one-off project cost, engineering hours, MLOps FTE and build months.
    """

    net: FloatArray
    npv: FloatArray
    upfront: float
    hours: float
    fte: float
    build_months: float

    @property
    def cum(self) -> FloatArray:
        """Cumulative net saving by month, shape (H, n)."""
        return np.cumsum(self.net, axis=0)


@dataclass(frozen=True)
class MemberFlows:
    """Every choice of one member, and the values its shared inputs took."""

    member: str
    choices: dict[str, ChoiceFlows]
    shared: dict[str, FloatArray]


def shared_plan(portfolio: Portfolio) -> SamplingPlan:
    """The plan of the uncertain shared inputs (portfolio seed and sampling method)."""
    names = tuple(k for k, d in portfolio.shared.items() if not d.is_fixed)
    return SamplingPlan(names=names, n=portfolio.samples, seed=portfolio.seed,
                        method=portfolio.sampling)  # type: ignore[arg-type]


def _member_plan(member: Member) -> SamplingPlan:
    study = member.study
    uncertain = [i.path for i in study.uncertain_inputs()]
    own = [p for p in uncertain if p not in member.shared]
    corr = study.rank_correlation()
    if corr is not None:
        idx = [uncertain.index(p) for p in own]
        corr = corr[np.ix_(idx, idx)]
    return SamplingPlan(names=tuple(own), n=study.samples, seed=study.seed,
                        method=study.sampling, rank_correlation=corr)  # type: ignore[arg-type]


def shared_values(portfolio: Portfolio, member: Member, start: int, stop: int
                  ) -> dict[str, FloatArray]:
    """The shared inputs' values over samples ``start..stop-1``, by shared key.

    Each uses the ppf of the first member input it is bound to (all are validated from the
    same value), so every member sees the same array.
    """
    plan = shared_plan(portfolio)
    u = plan.rows(start, stop) if plan.names else np.empty((0, stop - start))
    first: dict[str, object] = {}
    for m in portfolio.members:
        for path, key in m.shared.items():
            first.setdefault(key, m.study.input(path).dist)
    return {key: first[key]._ppf(u[j])  # type: ignore[attr-defined]
            for j, key in enumerate(plan.names) if key in first}


def member_values(portfolio: Portfolio, member: Member, start: int, stop: int
                  ) -> dict[str, Value]:
    """Every input of ``member`` over samples ``start..stop-1`` (fixed ones as floats)."""
    shared = shared_values(portfolio, member, start, stop)
    plan = _member_plan(member)
    u = plan.rows(start, stop)
    j = 0
    values: dict[str, Value] = {}
    for inp in member.study.inputs():
        key = member.shared.get(inp.path)
        if key is not None and key in shared:
            values[inp.path] = shared[key]
        elif inp.uncertain:
            values[inp.path] = inp.dist._ppf(u[j])
            j += 1
        else:
            values[inp.path] = float(inp.dist.mean)
    return values


def _owners(member: Member, choice: str) -> list[str]:
    return list(dict.fromkeys((choice, *member.study.strategies[choice].parts)))


def member_block(portfolio: Portfolio, member: Member, start: int, stop: int
                 ) -> dict[str, dict[str, FloatArray]]:
    """Net savings and project figures of ``member``'s choices over ``start..stop-1``.

    Returns, per choice: ``net`` (H, m) and per-sample ``upfront``, ``hours``, ``fte``,
    ``build``; under the key ``"shared"`` the shared inputs' values.
    """
    values = member_values(portfolio, member, start, stop)
    m = stop - start
    study = member.study
    paths = monthly_paths(study, values, m)
    _, kernels = build_kernels(study, values)
    out: dict[str, dict[str, FloatArray]] = {}
    for c in member.choices:
        owners = _owners(member, c)
        full = lambda v: np.broadcast_to(np.asarray(v, dtype=np.float64), (m,))  # noqa: E731
        hours: Value = 0.0
        fte: Value = 0.0
        build: Value = 0.0
        for o in owners:
            p = section(values, f"strategies.{o}")
            if "engineering_hours" in p or any(k.startswith("engineering_phases.") for k in p):
                hours = hours + engineering_hours(p)
            fte = fte + p.get("mlops_fte", 0.0)
            build = np.maximum(build, p.get("build_months", 0.0))
        project = kernels[c].project
        out[c] = {"net": paths.net_saving(c, study.baseline),
                  "upfront": full(0.0 if project is None else project.cost),
                  "hours": full(hours), "fte": full(fte), "build": full(build)}
    out["shared"] = {member.shared[p]: np.array(np.broadcast_to(
        np.asarray(values[p], dtype=np.float64), (m,))) for p in member.shared}
    return out


def task_bounds(n: int) -> list[tuple[int, int]]:
    """The sample ranges of the tasks: whole plan blocks of :data:`TASK_SAMPLES`."""
    return [(a, min(a + TASK_SAMPLES, n)) for a in range(0, n, TASK_SAMPLES)]


def shifted_npv(net: FloatArray, rate: float) -> FloatArray:
    """NPV of ``net`` (H, n) started ``d`` months late, for d = 0..H-1, shape (H, n).

    Month t's flow is discounted by month t + d's factor and flows beyond the horizon are
    dropped. For d = 0 the sum runs month by month as :func:`sim.runner.model.evaluate`
    does, so it is the study's NPV to the last bit.

    Examples
    --------
    >>> npv = shifted_npv(np.array([[100.0], [100.0]]), 0.0)
    >>> npv[:, 0].tolist()
    [200.0, 100.0]
    """
    h, n = net.shape
    disc = discount_factors(rate, h)
    out = np.zeros((h, n))
    for d in range(h):
        acc = out[d]
        for t in range(1, h - d + 1):
            acc += disc[t + d - 1] * net[t - 1]
    return out


def assemble(member: Member, blocks: Iterable[dict[str, dict[str, FloatArray]]]
             ) -> MemberFlows:
    """One member's flows from its task results, in sample order."""
    parts = list(blocks)
    choices = {}
    for c in member.choices:
        net = np.concatenate([b[c]["net"] for b in parts], axis=1)
        mean = {k: float(np.concatenate([b[c][k] for b in parts]).mean())
                for k in ("upfront", "hours", "fte", "build")}
        choices[c] = ChoiceFlows(net, shifted_npv(net, member.study.discount_rate),
                                 mean["upfront"], mean["hours"], mean["fte"],
                                 float(max(1, math.ceil(mean["build"] - 1e-9))))
    shared = {k: np.concatenate([b["shared"][k] for b in parts]) for k in parts[0]["shared"]}
    return MemberFlows(member.name, choices, shared)


def _task(portfolio: Portfolio, index: int, start: int, stop: int
          ) -> dict[str, dict[str, FloatArray]]:
    member = portfolio.members[index]
    prepare(member.study)
    return member_block(portfolio, member, start, stop)


def member_flows(portfolio: Portfolio, *, progress: Callable[[int, int], None] | None = None,
                 client: Any = None) -> list[MemberFlows]:
    """Every member's flows, task by task: here, or on a Dask ``client``'s workers
    (:mod:`sim.runner.cluster`; the results are the same).

    Examples
    --------
    >>> from sim.portfolio import load_portfolio  # doctest: +SKIP
    >>> flows = member_flows(load_portfolio("studies/portfolio.toml"))  # doctest: +SKIP
    """
    bounds = task_bounds(portfolio.samples)
    total = len(bounds) * len(portfolio.members)
    if client is not None:
        from sim.runner.cluster import map_ordered

        results: list[dict[str, dict[str, FloatArray]]] = []

        def got(r: dict[str, dict[str, FloatArray]]) -> None:
            results.append(r)
            if progress is not None:
                progress(len(results), total)

        tasks = [(i, a, b) for i in range(len(portfolio.members)) for a, b in bounds]
        map_ordered(client, _task, tasks, shared=(portfolio,), on_result=got)
        k = len(bounds)
        return [assemble(m, results[i * k:(i + 1) * k])
                for i, m in enumerate(portfolio.members)]
    done = 0
    out = []
    for member in portfolio.members:
        prepare(member.study)
        blocks = []
        for a, b in bounds:
            blocks.append(member_block(portfolio, member, a, b))
            done += 1
            if progress is not None:
                progress(done, total)
        out.append(assemble(member, blocks))
    return out
